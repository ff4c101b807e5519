// SPDX-License-Identifier: MIT
// File ▸ subcog's Stores: the list of every store (a legacy one, an unreadable one) counted off the GUI thread,
// Open, and Merge Into…: a dry run that writes nothing and lists the conflicting ids, then merges that keep ids
// and follow the chosen rule, into the current layout and into a legacy one written in its own layout. On the test
// PostgreSQL server: one database spelt another way is the source itself; a target's password is never shown.
#include "connectdialog.h"
#include "fixturegenerator.h"
#include "mergedialog.h"
#include "postgresserver.h"
#include "secrets.h"
#include "shownastext.h"
#include "sqlite/sqlitebackend.h"
#include "storeswindow.h"
#include "testhelpers.h"

#include <QApplication>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {

QStringList columnsOf(const QString& path)
{
    QStringList columns;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"columns"_s);
        db.setDatabaseName(path);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        if (db.open()) {
            QSqlQuery q(u"PRAGMA table_info(memories)"_s, db);
            while (q.next())
                columns << q.value(1).toString();
        }
    }
    QSqlDatabase::removeDatabase(u"columns"_s);
    return columns;
}

QHash<QString, Memory> memoriesOf(const QString& path)
{
    QHash<QString, Memory> result;
    auto backend = SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly);
    for (const Memory& m : backend->getBatch(backend->listIds()))
        result.insert(m.id, m);
    return result;
}

} // namespace

class TestStoresWindow : public QObject
{
    Q_OBJECT
    QTemporaryDir m_root;
    QString m_index; ///< the data folder's index.db (HEAD)
    QString m_legacy; ///< data_dir/repos/<hash>/index.db (v0.5)
    QString m_code;
    QList<Memory> m_source; ///< the legacy store's memories
    QString m_conflictId; ///< in both stores, with other content in the index
    QString m_equalId; ///< in both stores, the same

    void waitRefreshed(StoresWindow& w)
    {
        QSignalSpy refreshed(&w, &StoresWindow::refreshed);
        w.refresh();
        QVERIFY(refreshed.wait(30000));
    }
    int rowOf(StoresWindow& w, const QString& location)
    {
        for (int row = 0; row < w.stores().size(); ++row) {
            if (w.stores()[row].location == location)
                return row;
        }
        return -1;
    }
    MergeDialog* mergeFrom(StoresWindow& w, const QString& location)
    {
        w.list()->setCurrentItem(w.list()->topLevelItem(rowOf(w, location)));
        return w.mergeSelected();
    }
    bool dryRun(MergeDialog* d, const QString& target)
    {
        d->setTarget(target);
        QSignalSpy done(d, &MergeDialog::dryRunFinished);
        d->startDryRun();
        return done.wait(30000);
    }
    bool merge(MergeDialog* d, OnConflict choice)
    {
        d->setOnConflict(choice);
        QSignalSpy done(d, &MergeDialog::merged);
        return d->startMerge() && done.wait(30000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_root.isValid());
        QCoreApplication::setOrganizationName(u"subcog-inspector-test"_s);
        qputenv("XDG_CONFIG_HOME", m_root.filePath(u"config"_s).toUtf8());
        qputenv("HOME", m_root.filePath(u"home"_s).toUtf8());
        qunsetenv("XDG_DATA_HOME");
        qunsetenv("SUBCOG_CONFIG_PATH");
        qunsetenv("SUBCOG_STORAGE_BACKEND");
        qunsetenv("SUBCOG_STORAGE_CONNECTION_STRING");
        const QString data = m_root.filePath(u"home/.local/share/subcog"_s);
        m_index = data + u"/index.db"_s;
        m_legacy = data + u"/repos/a1b2c3d4e5f60718/index.db"_s;
        m_code = m_root.filePath(u"<i>code"_s); // a folder's name is data, not markup
        QVERIFY(QDir().mkpath(QFileInfo(m_legacy).absolutePath()));

        Fixtures::GeneratorOptions options;
        options.count = 5;
        options.anomalies = false;
        options.largeMemories = 0;
        options.seed = 31;
        Fixtures::writeSqliteStore(m_legacy, Fixtures::SqliteLayout::V0_5, options);
        m_source = memoriesOf(m_legacy).values();
        std::sort(m_source.begin(), m_source.end(), [](const Memory& a, const Memory& b) { return a.id < b.id; });
        QCOMPARE(m_source.size(), 5);

        // the index holds one source memory as it is, one with other content, and two of its own
        auto index = SqliteBackend::create(m_index);
        m_equalId = m_source[0].id;
        index->store(m_source[0]);
        Memory changed = m_source[1];
        changed.content = u"the index's own version of this memory"_s;
        m_conflictId = changed.id;
        index->store(changed);
        for (const QString& id : {u"0wn000000001"_s, u"0wn000000002"_s}) {
            Memory own = m_source[2]; // only fields the legacy layout has, so it can be merged back
            own.id = id;
            own.content = u"only in the index: "_s + id;
            index->store(own);
        }
        index.reset();

        // an added folder with a project index that is no database
        QVERIFY(QDir().mkpath(m_code + u"/proj/.subcog"_s));
        QFile broken(m_code + u"/proj/.subcog/index.db"_s);
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write(QByteArray(8192, 'z'));
    }

    void listsEveryStoreWithCountsAndErrors()
    {
        StoresWindow::setScanFolders({m_code});
        QCOMPARE(QSettings().value(u"stores/scanFolders"_s).toStringList(), QStringList {m_code});
        StoresWindow w;
        w.show();
        waitRefreshed(w);
        QTreeWidget* list = w.list();
        QCOMPARE(list->topLevelItemCount(), 3);
        QTreeWidgetItem* index = list->topLevelItem(rowOf(w, m_index));
        QTreeWidgetItem* legacy = list->topLevelItem(rowOf(w, m_legacy));
        QTreeWidgetItem* broken = list->topLevelItem(rowOf(w, m_code + u"/proj/.subcog/index.db"_s));
        QVERIFY(index && legacy && broken);
        QCOMPARE(index->text(StoresWindow::KindColumn), u"SQLite index"_s);
        QCOMPARE(index->text(StoresWindow::CountColumn), u"4"_s);
        QCOMPARE(index->text(StoresWindow::LayoutColumn), u"current (v0.6+)"_s);
        QCOMPARE(index->text(StoresWindow::UseColumn), u"yes, in use"_s);
        QCOMPARE(index->text(StoresWindow::LocationColumn), u"~/.local/share/subcog/index.db"_s);
        QVERIFY(index->font(0).bold());
        QCOMPARE(legacy->text(StoresWindow::KindColumn), u"legacy per-repo index"_s);
        QCOMPARE(legacy->text(StoresWindow::CountColumn), u"5"_s);
        QCOMPARE(legacy->text(StoresWindow::LayoutColumn), u"legacy (v0.5)"_s);
        QVERIFY(legacy->text(StoresWindow::UseColumn).startsWith(u"no:"_s));
        QVERIFY(!legacy->text(StoresWindow::ChangedColumn).isEmpty());
        // the broken store says why in its own row; the others are listed all the same
        QCOMPARE(broken->text(StoresWindow::KindColumn), u"legacy project index"_s);
        QCOMPARE(broken->text(StoresWindow::CountColumn), u"unreadable"_s);
        QVERIFY2(!broken->text(StoresWindow::LayoutColumn).isEmpty(), "no error shown");
        QVERIFY(broken->toolTip(StoresWindow::LayoutColumn).contains(u"index.db"_s));
        const QString where = Testing::shownText(broken->toolTip(StoresWindow::LocationColumn));
        QVERIFY2(where.startsWith(m_code + u"/proj/.subcog/index.db\n"_s), qPrintable(where));

        // Open hands the store to the window
        QSignalSpy open(&w, &StoresWindow::openRequested);
        list->setCurrentItem(legacy);
        w.findChild<QPushButton*>(u"storesOpen"_s)->click();
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first().first().toString(), u"sqlite:"_s + m_legacy);
    }

    void dryRunWritesNothingAndMergesFollowTheChoice()
    {
        StoresWindow w;
        w.show();
        waitRefreshed(w);
        MergeDialog* d = mergeFrom(w, m_legacy);
        QVERIFY(d);
        auto* mergeButton = d->findChild<QPushButton*>(u"mergeRun"_s);
        d->setTarget(u"sqlite:"_s + m_index);
        QVERIFY(!mergeButton->isEnabled()); // a dry run comes first
        QVERIFY(!d->startMerge());

        const QByteArray before = Testing::fileHash(m_index);
        const auto indexBefore = memoriesOf(m_index);
        QVERIFY(dryRun(d, u"sqlite:"_s + m_index));
        QCOMPARE(Testing::fileHash(m_index), before);
        QCOMPARE(memoriesOf(m_index).size(), indexBefore.size());
        QCOMPARE(d->conflictIds(), QStringList {m_conflictId});
        QVERIFY2(d->reportText().contains(u"3 would be copied"_s), qPrintable(d->reportText()));
        QVERIFY(d->reportText().contains(u"1 already in the target"_s));
        QVERIFY(d->reportText().contains(m_conflictId));
        QVERIFY(mergeButton->isEnabled());

        // keep the target's: the three new ones arrive with their ids, the conflict stays as the index had it
        QSignalSpy refreshed(&w, &StoresWindow::refreshed);
        QVERIFY(merge(d, OnConflict::Skip));
        auto after = memoriesOf(m_index);
        QCOMPARE(after.size(), 7);
        for (const Memory& m : std::as_const(m_source)) {
            QVERIFY2(after.contains(m.id), qPrintable(m.id));
            if (m.id != m_conflictId)
                QCOMPARE(after.value(m.id).content, m.content);
        }
        QCOMPARE(after.value(m_conflictId).content, u"the index's own version of this memory"_s);
        QVERIFY(!mergeButton->isEnabled()); // the next merge needs its own dry run
        QVERIFY(refreshed.wait(30000)); // the list counts again
        QCOMPARE(w.list()->topLevelItem(rowOf(w, m_index))->text(StoresWindow::CountColumn), u"7"_s);

        // overwrite: the source's version wins, nothing else changes
        d = mergeFrom(w, m_legacy);
        QVERIFY(dryRun(d, u"sqlite:"_s + m_index));
        QCOMPARE(d->conflictIds(), QStringList {m_conflictId});
        QVERIFY(merge(d, OnConflict::Overwrite));
        after = memoriesOf(m_index);
        QCOMPARE(after.size(), 7);
        QCOMPARE(after.value(m_conflictId).content, m_source[1].content);
        QVERIFY(after.value(m_equalId).sameFields(m_source[0]));
        d->close();
    }

    void stopAtTheFirstConflictWritesNothingOfItsBatch()
    {
        // the index holds the conflict again; "stop" leaves it and writes nothing of that batch
        {
            auto index = SqliteBackend::open(m_index);
            Memory m = *index->get(m_conflictId);
            m.content = u"changed once more"_s;
            index->store(m);
        }
        StoresWindow w;
        waitRefreshed(w);
        MergeDialog* d = mergeFrom(w, m_legacy);
        QVERIFY(dryRun(d, u"sqlite:"_s + m_index));
        QCOMPARE(d->conflictIds(), QStringList {m_conflictId});
        const QByteArray before = Testing::fileHash(m_index);
        QVERIFY(merge(d, OnConflict::Fail));
        QVERIFY2(d->reportText().contains(u"Stopped at "_s + m_conflictId), qPrintable(d->reportText()));
        QCOMPARE(memoriesOf(m_index).value(m_conflictId).content, u"changed once more"_s);
        QCOMPARE(Testing::fileHash(m_index), before);
    }

    void refusesTheSourceItselfAndKeepsALegacyTargetsLayout()
    {
        StoresWindow w;
        waitRefreshed(w);
        MergeDialog* d = mergeFrom(w, m_legacy);
        // the same file through a symbolic link is still the source
        const QString link = m_root.filePath(u"same.db"_s);
        QVERIFY(QFile::link(m_legacy, link));
        QVERIFY(dryRun(d, u"sqlite:"_s + link));
        QVERIFY2(d->reportText().contains(u"source itself"_s), qPrintable(d->reportText()));
        QVERIFY(!d->findChild<QPushButton*>(u"mergeRun"_s)->isEnabled());
        d->close();

        // into the v0.5 file: written in its own layout, no column added, every id kept
        const QStringList columns = columnsOf(m_legacy);
        QVERIFY(!columns.contains(u"expires_at"_s));
        d = mergeFrom(w, m_index);
        QVERIFY(dryRun(d, u"sqlite:"_s + m_legacy));
        QVERIFY(merge(d, OnConflict::Overwrite));
        QVERIFY2(!d->reportText().contains(u"not copied"_s), qPrintable(d->reportText()));
        QCOMPARE(columnsOf(m_legacy), columns);
        const auto legacy = memoriesOf(m_legacy);
        const auto index = memoriesOf(m_index);
        QCOMPARE(legacy.size(), index.size());
        for (const Memory& m : index)
            QCOMPARE(legacy.value(m.id).content, m.content);
    }

    /// A new PostgreSQL database holding the legacy store's memories in subcog's HEAD layout: its URL.
    QString newPostgresStore(const QString& prefix)
    {
        auto& server = Testing::PostgresServer::shared();
        const QString url = server.url(server.createDatabase(prefix));
        OpenOptions create;
        create.create = true;
        auto store = openStore(url, create);
        store->storeBatch(m_source);
        return url;
    }
    static FoundStore postgresFound(const QString& url)
    {
        FoundStore found;
        found.kind = FoundStoreKind::Postgres;
        found.spec = url;
        found.location = withoutPasswords(url);
        return found;
    }

    void refusesOnePostgresDatabaseSpeltAnotherWay()
    {
        auto& server = Testing::PostgresServer::shared();
        const QString url = newPostgresStore(u"self"_s);
        const QUrl parsed(url);
        const QString database = parsed.path().mid(1);
        const QString port = QString::number(parsed.port());
        const QString auth = u"inspector:"_s + QString::fromLatin1(Testing::PostgresServer::kPassword) + u'@';
        const QString socketDir
            = server.runSql(database, u"SHOW unix_socket_directories"_s).trimmed().section(u',', 0, 0);
        const QString before = server.runSql(database, u"SELECT count(*) FROM memories"_s).trimmed();
        QCOMPARE(before, QString::number(m_source.size()));
        const QStringList spellings {
            u"postgresql://"_s + auth + u"localhost:"_s + port + u'/' + database,
            u"postgres://"_s + auth + u"127.0.0.1:"_s + port + u'/' + database,
            u"postgresql://"_s + auth + u"127.0.0.1:"_s + port + u'/' + database + u"?sslmode=disable"_s,
            u"postgresql://"_s + auth + u"[::1]:"_s + port + u'/' + database + u"?connect_timeout=5"_s,
            // the server's Unix socket: no normalisation sees it, the server's identity does
            u"postgresql://"_s + auth + u"/"_s + database + u"?host="_s
                + QString::fromUtf8(QUrl::toPercentEncoding(socketDir)) + u"&port="_s + port,
        };
        for (const QString& spelling : spellings) {
            MergeDialog d(postgresFound(url), {});
            QVERIFY(dryRun(&d, spelling));
            QVERIFY2(d.reportText().contains(u"source itself"_s), qPrintable(spelling + u": "_s + d.reportText()));
            QVERIFY(!d.findChild<QPushButton*>(u"mergeRun"_s)->isEnabled());
            // the merge itself (what `copy` runs) opens the target for writing and still refuses
            auto source = openStore(url);
            QCOMPARE(int(runMerge(*source, spelling, OnConflict::Overwrite).end), int(CopyOutcome::End::SameStore));
        }
        // the default port and database from PG* variables, as libpq takes them
        qputenv("PGPORT", port.toUtf8());
        qputenv("PGDATABASE", database.toUtf8());
        {
            auto source = openStore(url);
            const QStringList defaults {u"postgresql://"_s + auth + u"localhost"_s,
                                        u"postgresql://"_s + auth + u"localhost/"_s + database};
            for (const QString& spelling : defaults) {
                QCOMPARE(int(runMerge(*source, spelling, OnConflict::Overwrite).end), int(CopyOutcome::End::SameStore));
            }
        }
        qunsetenv("PGPORT");
        qunsetenv("PGDATABASE");
        QCOMPARE(server.runSql(database, u"SELECT count(*) FROM memories"_s).trimmed(), before);

        // another database on the same server is another store
        const QString other = newPostgresStore(u"other"_s);
        MergeDialog d(postgresFound(url), {});
        QVERIFY(dryRun(&d, QString(other).replace(u"127.0.0.1"_s, u"localhost"_s)));
        QVERIFY2(!d.reportText().contains(u"source itself"_s), qPrintable(d.reportText()));
        QVERIFY2(d.reportText().contains(u"already in the target with the same values"_s), qPrintable(d.reportText()));
    }

    void aPostgresTargetsPasswordIsNeverShown()
    {
        const QString url = newPostgresStore(u"shown"_s);
        const QString target = newPostgresStore(u"hidden"_s);
        const QUrl parsed(target);
        const QString password = QString::fromLatin1(Testing::PostgresServer::kPassword);
        MergeDialog d(postgresFound(url), {});
        d.show();
        // PostgreSQL…: the connection dialog filled in and accepted
        QTimer::singleShot(0, this, [&] {
            auto* connect = qobject_cast<ConnectDialog*>(QApplication::activeModalWidget());
            QVERIFY(connect);
            connect->findChild<QLineEdit*>(u"host"_s)->setText(parsed.host());
            connect->findChild<QSpinBox*>(u"port"_s)->setValue(parsed.port());
            connect->findChild<QLineEdit*>(u"database"_s)->setText(parsed.path().mid(1));
            connect->findChild<QLineEdit*>(u"user"_s)->setText(parsed.userName());
            connect->findChild<QLineEdit*>(u"password"_s)->setText(password);
            connect->accept();
        });
        d.findChild<QComboBox*>(u"mergeTarget"_s)->setCurrentIndex(0); // the only item: another store
        QPushButton* pg = nullptr;
        for (auto* button : d.findChildren<QPushButton*>())
            if (button->text() == u"PostgreSQL…"_s)
                pg = button;
        QVERIFY(pg);
        pg->click();
        QVERIFY(d.targetSpec().contains(password)); // kept for the merge
        auto shownTexts = [&] {
            QStringList texts;
            for (auto* e : d.findChildren<QLineEdit*>())
                texts << e->text() << e->toolTip();
            for (auto* l : d.findChildren<QLabel*>())
                texts << l->text();
            for (auto* c : d.findChildren<QComboBox*>())
                for (int i = 0; i < c->count(); ++i)
                    texts << c->itemText(i);
            for (auto* t : d.findChildren<QPlainTextEdit*>())
                texts << t->toPlainText();
            texts << d.windowTitle();
            return texts.join(u'\n');
        };
        QVERIFY2(!shownTexts().contains(password), qPrintable(shownTexts()));
        QVERIFY2(shownTexts().contains(withoutPasswords(d.targetSpec())), qPrintable(shownTexts()));
        // the dry run connects with the password (the server asks for it over TCP), and still shows none
        QSignalSpy done(&d, &MergeDialog::dryRunFinished);
        d.startDryRun();
        QVERIFY(done.wait(30000));
        QVERIFY2(d.reportText().contains(u"already in the target with the same values"_s), qPrintable(d.reportText()));
        QVERIFY2(!shownTexts().contains(password), qPrintable(shownTexts()));
        // a URL pasted with its password: the field keeps it only until the typing is done
        auto* field = d.findChild<QLineEdit*>(u"mergeOtherTarget"_s);
        field->setText(target);
        Q_EMIT field->editingFinished();
        QCOMPARE(d.targetSpec(), target);
        QVERIFY2(!shownTexts().contains(password), qPrintable(shownTexts()));
        QSettings settings;
        for (const QString& key : settings.allKeys())
            QVERIFY2(!settings.value(key).toString().contains(password), qPrintable(key));
    }
};

QTEST_MAIN(TestStoresWindow)
#include "tst_storeswindow.moc"
