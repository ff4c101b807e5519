// SPDX-License-Identifier: MIT
// The detail pane's History tab on a real SQLite store with subcog's audit.log beside it (events by URN and by id,
// a broken HMAC chain, lines that are not JSON, lines appended while the window is open), the audit.log a person
// chooses for a PostgreSQL store, and subcog's prompt library and webhook log opened in the window: explained,
// shown read-only, their bytes unchanged.
#include "detailpane.h"
#include "historytab.h"
#include "mainwindow.h"
#include "memorytablemodel.h"
#include "messagebar.h"
#include "shownastext.h"
#include "sqlite/sqlitebackend.h"
#include "subcogfilewindow.h"
#include "testhelpers.h"
#include "translations.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
QString idFor(int i)
{
    return u"hist%1"_s.arg(i, 3, 10, QChar(u'0'));
}

QByteArray entry(int n, const QString& resource, const QString& action, bool withChain = true)
{
    QJsonObject o {{u"id"_s, u"entry-%1"_s.arg(n)},
                   {u"timestamp"_s, u"2026-01-0%1T10:00:00.5Z"_s.arg(1 + n % 9)},
                   {u"event_type"_s, QString(u"memory."_s + action)},
                   {u"actor"_s, n % 2 ? u"mcp"_s : u"cli"_s},
                   {u"action"_s, action},
                   {u"outcome"_s, n == 4 ? u"denied"_s : u"success"_s},
                   {u"resource"_s, resource},
                   {u"metadata"_s, QJsonObject {{u"namespace"_s, u"decisions"_s}, {u"entry_number"_s, n}}}};
    if (withChain) {
        o.insert(u"previous_hmac"_s, n == 1 ? u"genesis"_s : u"sig%1"_s.arg(n - 1));
        o.insert(u"hmac_signature"_s, u"sig%1"_s.arg(n));
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

void append(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::Append));
    file.write(bytes);
}
} // namespace

class TestHistoryTab : public QObject
{
    Q_OBJECT
    QTemporaryDir m_config;
    QTemporaryDir m_dir;
    QString m_store;
    QString m_log;

    static void waitIdle(MainWindow& w)
    {
        QTRY_VERIFY_WITH_TIMEOUT(w.model()->isOpen() && !w.model()->isBusy() && w.model()->exactCount(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!w.model()->isBusy(), 30000);
    }

    static QTabWidget* tabsOf(MainWindow& w) { return w.detailPane()->findChild<QTabWidget*>(); }
    static HistoryTab* historyOf(MainWindow& w) { return w.detailPane()->findChild<HistoryTab*>(); }
    static bool historyShown(MainWindow& w) { return tabsOf(w)->isTabVisible(tabsOf(w)->indexOf(historyOf(w))); }

    static void select(MainWindow& w, const QString& id)
    {
        w.goToId(id);
        QTRY_VERIFY_WITH_TIMEOUT(w.detailPane()->memory() && w.detailPane()->memory()->id == id, 30000);
    }

    /// The History tab's rows as "line action actor outcome", once `count` are there.
    static QStringList rows(MainWindow& w, int count)
    {
        auto* tree = historyOf(w)->findChild<QTreeWidget*>(u"historyEvents"_s);
        [&] { QTRY_COMPARE_WITH_TIMEOUT(tree->topLevelItemCount(), count, 30000); }();
        QStringList result;
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            const QTreeWidgetItem* item = tree->topLevelItem(i);
            result << item->text(5) + u' ' + item->text(1) + u' ' + item->text(2) + u' ' + item->text(3);
        }
        return result;
    }

    static std::unique_ptr<MainWindow> openWindow(const QString& spec)
    {
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->resize(1280, 800);
        w->show();
        w->openStore(spec);
        return w;
    }

private Q_SLOTS:
    void initTestCase()
    {
        installTranslations();
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        qputenv("HOME", m_config.path().toUtf8());
        QVERIFY(m_dir.isValid());
        QDir(m_dir.path()).mkpath(u"data"_s);
        m_store = m_dir.filePath(u"data/index.db"_s);
        {
            auto store = SqliteBackend::create(m_store);
            for (int i = 0; i < 40; ++i)
                store->store(Testing::sampleMemory(idFor(i), 1767000000 + i));
        }
        // subcog's audit.log beside index.db: line 5 (entry 5, about hist001) was removed, so entry 6 breaks the
        // chain; line 4 is not JSON
        m_log = m_dir.filePath(u"data/audit.log"_s);
        QByteArray log = entry(1, u"subcog://project/decisions/"_s + idFor(1), u"create"_s)
            + entry(2, idFor(2), u"create"_s) + entry(3, u"subcog://project/decisions/"_s + idFor(1), u"read"_s)
            + "garbage that is not JSON\n" + entry(4, idFor(1), u"update"_s) + entry(6, idFor(1), u"update"_s)
            + entry(7, idFor(2), u"delete"_s);
        QFile file(m_log);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(log);
    }

    void historyTabListsEventsAndChainBreaks()
    {
        auto w = openWindow(m_store);
        waitIdle(*w);
        QTRY_VERIFY_WITH_TIMEOUT(historyShown(*w), 10000);
        select(*w, idFor(1));
        tabsOf(*w)->setCurrentWidget(historyOf(*w));
        QCOMPARE(rows(*w, 4),
                 (QStringList {u"1 create mcp success"_s, u"3 read mcp success"_s, u"5 update cli denied"_s,
                               u"6 update cli success"_s}));
        auto* tree = historyOf(*w)->findChild<QTreeWidget*>(u"historyEvents"_s);
        // entry 6 follows the removed line: marked, the others not
        QVERIFY(tree->topLevelItem(3)->icon(0).isNull() == false);
        QVERIFY(tree->topLevelItem(3)->toolTip(1).contains(u"chain break"_s));
        QVERIFY(tree->topLevelItem(2)->icon(0).isNull());
        auto* summary = historyOf(*w)->findChild<QLabel*>(u"historySummary"_s);
        QVERIFY2(summary->text().contains(u"1 break, the first at line 6"_s), qPrintable(summary->text()));
        QVERIFY2(summary->text().contains(u"1 line is not JSON (line 4)"_s), qPrintable(summary->text()));
        QVERIFY(summary->toolTip().contains(u"not the signatures"_s));

        // metadata on demand
        auto* metadata = historyOf(*w)->findChild<QPlainTextEdit*>(u"historyMetadata"_s);
        QVERIFY(!metadata->isVisible());
        tree->setCurrentItem(tree->topLevelItem(1));
        QVERIFY(metadata->isVisible());
        QVERIFY2(metadata->toPlainText().contains(u"\"entry_number\": 3"_s), qPrintable(metadata->toPlainText()));

        // another memory, by bare id
        select(*w, idFor(2));
        QCOMPARE(rows(*w, 2), (QStringList {u"2 create cli success"_s, u"7 delete mcp success"_s}));
        select(*w, idFor(3));
        rows(*w, 0);

        // lines appended while the window is open show on the next look
        append(m_log, entry(8, idFor(1), u"archive"_s));
        select(*w, idFor(1));
        QCOMPARE(rows(*w, 5).last(), u"8 archive cli success"_s);
    }

    void aPathsAmpersandShowsAsWritten()
    {
        // the summary is rich text (a chain break is bold): the escaped path must render, `R&D` not as `R&amp;D`
        QDir(m_dir.path()).mkpath(u"R&D"_s);
        const QString store = m_dir.filePath(u"R&D/index.db"_s);
        QVERIFY(QFile::copy(m_store, store));
        QFile log(m_dir.filePath(u"R&D/audit.log"_s));
        QVERIFY(log.open(QIODevice::WriteOnly));
        log.write(entry(1, idFor(1), u"create"_s));
        log.close();
        auto w = openWindow(store);
        waitIdle(*w);
        QTRY_VERIFY_WITH_TIMEOUT(historyShown(*w), 10000);
        select(*w, idFor(1));
        tabsOf(*w)->setCurrentWidget(historyOf(*w));
        rows(*w, 1);
        const QString shown = Testing::shownText(historyOf(*w)->findChild<QLabel*>(u"historySummary"_s));
        QVERIFY2(shown.contains(QDir::toNativeSeparators(u"R&D/audit.log: "_s)), qPrintable(shown));
    }

    void noAuditLogNoTab()
    {
        QDir(m_dir.path()).mkpath(u"plain"_s);
        const QString store = m_dir.filePath(u"plain/index.db"_s);
        QVERIFY(QFile::copy(m_store, store));
        auto w = openWindow(m_store);
        waitIdle(*w);
        QTRY_VERIFY_WITH_TIMEOUT(historyShown(*w), 10000);
        w->openStore(store);
        waitIdle(*w);
        QTRY_VERIFY_WITH_TIMEOUT(!historyShown(*w), 10000);
        QVERIFY(!historyOf(*w)->isAvailable());
    }

    void postgresStoreRemembersTheChosenFile()
    {
        const QString url = u"postgresql://ana:s3cret@127.0.0.1:1/subcog?password=other-secret"_s;
        {
            HistoryTab tab;
            tab.resize(800, 400);
            tab.show();
            tab.setStore(url);
            QVERIFY(tab.isAvailable());
            QVERIFY(tab.findChild<QPushButton*>(u"historyChoose"_s)->isVisible());
            QVERIFY(tab.auditLogPath().isEmpty());
            tab.useAuditLog(m_log);
            tab.setMemoryId(idFor(2));
            auto* tree = tab.findChild<QTreeWidget*>(u"historyEvents"_s);
            QTRY_COMPARE_WITH_TIMEOUT(tree->topLevelItemCount(), 2, 30000);
            QCOMPARE(tab.auditLogPath(), m_log);
        }
        QSettings settings;
        settings.sync();
        QFile file(settings.fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray stored = file.readAll();
        QVERIFY(stored.contains(QFile::encodeName(m_log)));
        QVERIFY2(!stored.contains("s3cret") && !stored.contains("other-secret"), stored.constData());
        // the same store again (its password may differ): the choice is back
        HistoryTab again;
        again.show();
        again.setStore(u"postgresql://ana:changed@127.0.0.1:1/subcog"_s);
        again.setMemoryId(idFor(1));
        auto* tree = again.findChild<QTreeWidget*>(u"historyEvents"_s);
        QTRY_VERIFY_WITH_TIMEOUT(tree->topLevelItemCount() >= 4, 30000);
    }

    void subcogFilesOpenReadOnly_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("sql");
        QTest::addColumn<QString>("says");
        QTest::addColumn<QString>("table");
        QTest::addColumn<int>("rows");
        QTest::newRow("prompt library")
            << u"memories.db"_s
            << QStringList {
                   u"PRAGMA journal_mode = WAL"_s,
                   u"CREATE TABLE prompts (name TEXT PRIMARY KEY, description TEXT NOT NULL DEFAULT '', content TEXT "
                   "NOT NULL, variables TEXT NOT NULL DEFAULT '[]', tags TEXT NOT NULL DEFAULT '[]', author TEXT, "
                   "usage_count INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT "
                   "NULL)"_s,
                   u"CREATE TABLE context_templates (name TEXT NOT NULL, version INTEGER NOT NULL, description TEXT "
                   "NOT NULL DEFAULT '', content TEXT NOT NULL, variables TEXT NOT NULL DEFAULT '[]', tags TEXT NOT "
                   "NULL DEFAULT '[]', output_format TEXT NOT NULL DEFAULT 'markdown', author TEXT, created_at "
                   "INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (name, version))"_s,
                   u"INSERT INTO prompts VALUES ('code-review', 'Review a diff', 'Review {{diff}}\nwith care', "
                   "'[\"diff\"]', '[\"review\"]', 'ana', 7, 1767000000, 1767100000)"_s,
                   u"INSERT INTO prompts VALUES ('adr', 'Write an ADR', 'ADR about {{topic}}', '[\"topic\"]', "
                   "'[]', NULL, 2, 1767000500, 1767000500)"_s,
                   u"INSERT INTO prompts VALUES ('standup', 'Daily notes', 'Yesterday, today, blockers', '[]', "
                   "'[\"daily\"]', 'bo', 31, 1767001000, 1767200000)"_s,
                   u"INSERT INTO context_templates VALUES ('onboarding', 1, 'First steps', '# {{project}}', '[]', "
                   "'[]', 'markdown', NULL, 1767000000, 1767000000)"_s,
               }
            << u"subcog's prompt library"_s << u"prompts"_s << 3;
        QTest::newRow("webhook log")
            << u"webhook_audit.db"_s
            << QStringList {
                   u"PRAGMA journal_mode = WAL"_s,
                   u"CREATE TABLE webhook_deliveries (id TEXT PRIMARY KEY, webhook_name TEXT NOT NULL, event_type "
                   "TEXT NOT NULL, event_id TEXT NOT NULL, domain TEXT NOT NULL, url TEXT NOT NULL, status TEXT NOT "
                   "NULL, status_code INTEGER, attempts INTEGER NOT NULL, duration_ms INTEGER NOT NULL, error TEXT, "
                   "timestamp INTEGER NOT NULL)"_s,
                   u"INSERT INTO webhook_deliveries VALUES ('d1', 'slack', 'memory.captured', 'ev1', 'project', "
                   "'https://hooks.example/1', 'success', 200, 1, 120, NULL, 1767000000)"_s,
               }
            << u"subcog's webhook delivery log"_s << u"webhook_deliveries"_s << 1;
    }
    void subcogFilesOpenReadOnly()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, sql);
        QFETCH(QString, says);
        QFETCH(QString, table);
        QFETCH(int, rows);
        QTemporaryDir dir;
        const QString path = dir.filePath(name);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"make"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            for (const QString& statement : sql)
                QVERIFY(QSqlQuery(db).exec(statement));
        }
        QSqlDatabase::removeDatabase(u"make"_s);
        const QByteArray before = Testing::fileHash(path);

        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->show();
        w->openStore(path);
        QTRY_VERIFY_WITH_TIMEOUT(w->messageBar()->text().contains(says), 30000);
        QVERIFY(!w->messageBar()->text().contains(u"not a subcog store"_s));
        QCOMPARE(w->messageBar()->kind(), MessageBar::Kind::Warning);
        QVERIFY(w->messageBar()->actionButton()->isVisible());
        SubcogFileWindow* window = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((window = w->findChild<SubcogFileWindow*>()) && window->isLoaded(), 30000);
        auto* view = window->findChild<QTableView*>(table);
        QVERIFY(view);
        QCOMPARE(view->model()->rowCount(), rows);
        QVERIFY(!(view->model()->flags(view->model()->index(0, 0)) & Qt::ItemIsEditable));
        QVERIFY(!view->model()->setData(view->model()->index(0, 0), u"changed"_s));
        QVERIFY(window->findChild<QLabel*>(u"subcogFileHeader"_s)->text().contains(says));
        view->selectRow(0);
        QVERIFY(!window->findChild<QPlainTextEdit*>(u"subcogFileRow"_s)->toPlainText().isEmpty());
        // the button opens it again
        window->close();
        QTRY_VERIFY(!w->findChild<SubcogFileWindow*>());
        w->messageBar()->actionButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(w->findChild<SubcogFileWindow*>() && w->findChild<SubcogFileWindow*>()->isLoaded(),
                                 30000);
        w.reset();
        QCOMPARE(Testing::fileHash(path), before);
        const QFileInfo wal(path + u"-wal"_s);
        QVERIFY(!wal.exists() || wal.size() == 0);
    }

    void aSubcogFilesOverrideIsShownNotObeyed()
    {
        // a file name with a right-to-left override would reverse the rest of the window's title and header
        QTemporaryDir dir;
        // and `<i>` in it is data, not markup
        const QString path = dir.filePath(u"\u202E<i>bd.seiromem"_s);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"make"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QVERIFY(
                QSqlQuery(db).exec(u"CREATE TABLE prompts (name TEXT PRIMARY KEY, description TEXT NOT NULL "
                                   "DEFAULT '', content TEXT NOT NULL, variables TEXT NOT NULL DEFAULT '[]', tags "
                                   "TEXT NOT NULL DEFAULT '[]', author TEXT, usage_count INTEGER NOT NULL DEFAULT 0, "
                                   "created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)"_s));
            QVERIFY(QSqlQuery(db).exec(u"INSERT INTO prompts VALUES ('adr', 'Write an ADR', 'ADR about {{topic}}', "
                                       "'[]', '[]', NULL, 2, 1767000500, 1767000500)"_s));
        }
        QSqlDatabase::removeDatabase(u"make"_s);
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->show();
        w->openStore(path);
        SubcogFileWindow* window = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((window = w->findChild<SubcogFileWindow*>()) && window->isLoaded(), 30000);
        const QString header = Testing::shownText(window->findChild<QLabel*>(u"subcogFileHeader"_s));
        QVERIFY2(header.contains(u"\\u202E<i>bd.seiromem is subcog's prompt library"_s), qPrintable(header));
        QVERIFY2(window->windowTitle().contains(u"\\u202E<i>bd.seiromem"_s), qPrintable(window->windowTitle()));
        QVERIFY(!window->windowTitle().contains(QChar(0x202E)));
    }
};

QTEST_MAIN(TestHistoryTab)
#include "tst_historytab.moc"
