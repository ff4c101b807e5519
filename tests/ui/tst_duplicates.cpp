// SPDX-License-Identifier: MIT
// Duplicates and content edits on real stores (a SQLite file, a folder, a database of the PostgreSQL test harness):
// the hash-tag and union rules, findDuplicates()'s groups per match, Tools ▸ Find Duplicates' Merge in the window
// (offscreen) with its undo and redo, and content edits through the table model that the store check then finds
// in step with their hash tags.
#include "duplicatemerge.h"
#include "duplicates.h"
#include "duplicatesdialog.h"
#include "filesystem/filesystembackend.h"
#include "health/foldercheck.h"
#include "health/postgrescheck.h"
#include "health/sqlitecheck.h"
#include "mainwindow.h"
#include "memoryfields.h"
#include "memorytablemodel.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "sqlite/sqlitebackend.h"
#include "testhelpers.h"

#include <QAction>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUndoStack>
#include <QUuid>

#include <sqlite3.h>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
constexpr qint64 kBase = 1767000000;

Memory memory(const QString& id, const QString& ns, const QString& content, qint64 t, const QStringList& tags)
{
    Memory m;
    m.id = id;
    m.content = content;
    m.namespaceName = ns;
    m.domain = u"project"_s;
    m.status = u"active"_s;
    m.createdAt = t;
    m.updatedAt = t;
    m.tags = tags;
    return m;
}

/// a and b: the same content (spec §3.2) in two namespaces; c: the same words with punctuation; d: a tombstoned
/// copy; e and f: similar words (12 of 13 distinct words shared); g: unrelated.
QList<Memory> fixture()
{
    const QString text = u"Use WAL mode for the index"_s;
    QList<Memory> list;
    list << memory(u"a"_s, u"decisions"_s, text, kBase + 1, {u"db"_s, contentHashTag(text)});
    Memory b = memory(u"b"_s, u"patterns"_s, u"  use wal MODE\tfor the   index "_s, kBase + 2, {u"perf"_s});
    b.sourceMemoryIds = QStringList {u"s9"_s};
    list << b;
    Memory c = memory(u"c"_s, u"learnings"_s, u"Use WAL mode, for the index!"_s, kBase + 3,
                      {u"x"_s, u"db"_s, contentHashTag(u"Use WAL mode, for the index!"_s)});
    c.sourceMemoryIds = QStringList {u"s7"_s, u"s9"_s};
    list << c;
    Memory d = memory(u"d"_s, u"decisions"_s, text, kBase + 4, {});
    d.status = u"tombstoned"_s;
    d.tombstonedAt = kBase + 5;
    list << d;
    list << memory(u"e"_s, u"context"_s, u"Readers never block writers in WAL mode because the log is separate"_s,
                   kBase + 5, {});
    list << memory(u"f"_s, u"context"_s, u"Readers never block writers in WAL mode because the log is kept separate"_s,
                   kBase + 6, {});
    list << memory(u"g"_s, u"apis"_s, u"Completely different text about PostgreSQL"_s, kBase + 7, {});
    // texts without words are no duplicates of each other
    list << memory(u"h1"_s, u"apis"_s, u"👍"_s, kBase + 8, {});
    list << memory(u"h2"_s, u"apis"_s, u"🎉 !"_s, kBase + 9, {});
    return list;
}

QStringList groupIds(const DuplicateScan& scan)
{
    QStringList out;
    for (const DuplicateGroup& g : scan.groups)
        out << g.ids.join(u',');
    return out;
}

/// Runs the store check of the store's kind and returns its findings as "class id".
QStringList check(const QString& kind, const QString& location)
{
    QStringList findings;
    const FindingSink sink = [&](const Finding& f) { findings << f.findingClass + u' ' + f.id.value_or(QString()); };
    if (kind == "sqlite"_L1)
        checkSqliteStore(location, sink);
    else if (kind == "postgres"_L1)
        checkPostgresStore(location, sink);
    else
        checkFolderStore(location, sink);
    return findings;
}

int sqliteEdges(const QString& path, const QString& from, const QString& to, const QString& type)
{
    const QString name = u"dup-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    int n = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(u"SELECT COUNT(*) FROM memory_edges WHERE from_id = ? AND to_id = ? AND edge_type = ?"_s);
            q.addBindValue(from);
            q.addBindValue(to);
            q.addBindValue(type);
            if (q.exec() && q.next())
                n = q.value(0).toInt();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return n;
}

/// Another process (the sqlite3 CLI or psql) runs `sql` on its standard input, which leaves a transaction open, and
/// COMMITs it 2.5 s later (within the merge's 5 s lock wait).
std::unique_ptr<QProcess> holdThenCommit(const QString& program, const QString& target, const QString& sql)
{
    auto p = std::make_unique<QProcess>();
    p->setProcessChannelMode(QProcess::MergedChannels);
    p->start(u"sh"_s,
             {u"-c"_s, u"(printf '%s\\n' \"$1\"; sleep 2.5; echo 'COMMIT;') | \"$2\" \"$3\""_s, u"sh"_s, sql, program,
              target});
    return p;
}

/// Whether another connection holds the SQLite file's write lock now (a BEGIN IMMEDIATE that does not wait fails).
bool sqliteLocked(const QString& path)
{
    sqlite3* db = nullptr;
    bool locked = false;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        locked = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_BUSY;
        if (!locked)
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    sqlite3_close(db);
    return locked;
}

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("(none)");
}
} // namespace

class TestDuplicates : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QTemporaryDir m_config;

    struct Store
    {
        QString spec; ///< what the window opens
        QString location; ///< what the check reads
        std::unique_ptr<PersistenceBackend> backend; ///< the connection the test plants and reads through
    };

    Store makeStore(const QString& kind, const QList<Memory>& memories)
    {
        Store s;
        if (kind == "sqlite"_L1) {
            s.location = m_dir.filePath(QUuid::createUuid().toString(QUuid::Id128) + u".db"_s);
            s.backend = SqliteBackend::create(s.location);
            s.spec = u"sqlite:"_s + s.location;
        } else if (kind == "postgres"_L1) {
            Testing::PostgresServer& server = Testing::PostgresServer::shared();
            s.location = server.url(server.createDatabase(u"dupes"_s));
            s.backend = PostgresBackend::createSchema(s.location);
            s.spec = s.location;
        } else {
            s.location = m_dir.filePath(QUuid::createUuid().toString(QUuid::Id128));
            s.backend = FilesystemBackend::create(s.location);
            s.spec = u"fs:"_s + s.location;
        }
        s.backend->storeBatch(memories);
        return s;
    }

    /// The memory as the store holds it now, through a fresh connection.
    static std::optional<Memory> stored(const Store& s, const QString& id)
    {
        return Testing::reopen(*s.backend, true)->get(id);
    }

    std::unique_ptr<MainWindow> openWindow(const QString& spec)
    {
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->resize(1280, 800);
        w->show();
        w->openStore(spec);
        waitIdle(*w);
        w->setEditing(true);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(w->isEditing(), 30000); }();
        waitIdle(*w);
        return w;
    }

    static void waitIdle(MainWindow& w)
    {
        QTRY_VERIFY_WITH_TIMEOUT(w.model()->isOpen() && !w.model()->isBusy() && w.model()->exactCount(), 30000);
        QTest::qWait(1);
        QTRY_VERIFY_WITH_TIMEOUT(!w.model()->isBusy(), 30000);
    }

    static DuplicatesDialog* openDialog(MainWindow& w)
    {
        QAction* action = w.findChild<QAction*>(u"findDuplicatesAction"_s);
        if (!action)
            return nullptr;
        action->trigger();
        return w.findChild<DuplicatesDialog*>();
    }

    static void addKinds()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("sqlite") << u"sqlite"_s;
        QTest::newRow("postgres") << u"postgres"_s;
        QTest::newRow("filesystem") << u"filesystem"_s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        qputenv("XDG_DATA_HOME", m_config.filePath(u"data"_s).toUtf8());
    }

    void hashTagAndUnionRules()
    {
        const QString fresh = contentHashTag(u"New text"_s);
        const QString old = u"hash:sha256:0123456789abcdef"_s;
        // the stale tag is replaced where it stood; others stay as they are
        QCOMPARE(MergeRules::withFreshHashTag({u"a"_s, old, u"b"_s}, u"New text"_s),
                 (QStringList {u"a"_s, fresh, u"b"_s}));
        // a second stale one goes, and one that is right already stays
        QCOMPARE(MergeRules::withFreshHashTag({old, u"hash:sha256:ffffffffffffffff"_s}, u"new  TEXT "_s),
                 (QStringList {fresh}));
        QCOMPARE(MergeRules::withFreshHashTag({old, fresh}, u"New text"_s), (QStringList {fresh}));
        // none is added where there was none, and a right one is left alone
        QCOMPARE(MergeRules::withFreshHashTag({u"a"_s}, u"New text"_s), (QStringList {u"a"_s}));
        QCOMPARE(MergeRules::withFreshHashTag({fresh, u"a"_s}, u"New text"_s), (QStringList {fresh, u"a"_s}));
        Memory summary = memory(u"s"_s, u"context"_s, u"New text"_s, kBase, {old});
        summary.isSummary = true;
        MergeRules::refreshHashTag(summary);
        QCOMPARE(summary.tags, (QStringList {old})); // a summary carries its sources' tags
        QStringList into {u"a"_s, u"b"_s};
        QCOMPARE(MergeRules::appendMissing(into, {u" b"_s, u"c"_s, u""_s, u"a"_s, u"c"_s}), (QStringList {u"c"_s}));
        QCOMPARE(into, (QStringList {u"a"_s, u"b"_s, u"c"_s}));

        QCOMPARE(contentWords(u"Use WAL-mode, NOW! Größe 日本語 👍"_s),
                 (QStringList {u"use"_s, u"wal"_s, u"mode"_s, u"now"_s, u"größe"_s, u"日本語"_s}));
        QCOMPARE(wordSimilarity(u"a b c d"_s, u"A, b; c. e"_s), 3.0 / 5.0);
        QCOMPARE(wordSimilarity(u"same words"_s, u"words same same"_s), 1.0);
    }

    void grouping_data() { addKinds(); }
    void grouping()
    {
        QFETCH(QString, kind);
        Store s = makeStore(kind, fixture());
        auto store = Testing::reopen(*s.backend, true);
        DuplicateScanOptions options;
        const auto run = [&](DuplicateMatch match, double threshold = 0.8) {
            options.match = match;
            options.threshold = threshold;
            options.batchSize = 2; // several batches, also for the second pass
            return findDuplicates(*store, options, {});
        };
        const DuplicateScan same = run(DuplicateMatch::SameContent);
        QCOMPARE(same.live, 8); // d is tombstoned
        QCOMPARE(groupIds(same), (QStringList {u"a,b"_s}));
        QCOMPARE(same.groups[0].namespaces, (QStringList {u"decisions"_s, u"patterns"_s}));
        QCOMPARE(same.groups[0].firstLine, u"Use WAL mode for the index"_s);

        QCOMPARE(groupIds(run(DuplicateMatch::SameWords)), (QStringList {u"a,b,c"_s}));

        // Similar: e and f share 12 of 13 words; the signatures' estimate is near that
        const DuplicateScan similar = run(DuplicateMatch::Similar, 0.8);
        QCOMPARE(groupIds(similar), (QStringList {u"a,b,c"_s, u"e,f"_s}));
        QCOMPARE(similar.groups[0].similarity, 1.0);
        QVERIFY2(qAbs(similar.groups[1].similarity - 12.0 / 13.0) < 0.15,
                 qPrintable(QString::number(similar.groups[1].similarity)));
        QCOMPARE(similar.groups[1].namespaces, (QStringList {u"context"_s}));
        QVERIFY(similar.candidates > 0);
        QCOMPARE(groupIds(run(DuplicateMatch::Similar, 0.99)), (QStringList {u"a,b,c"_s}));

        // a stop asked for by the progress callback ends the scan with Kind::Cancelled
        options.match = DuplicateMatch::SameContent;
        try {
            findDuplicates(*store, options, [](qint64, qint64) { return false; });
            QFAIL("the scan was not stopped");
        } catch (const StorageError& e) {
            QCOMPARE(e.kind(), StorageError::Kind::Cancelled);
        }
    }

    void mergeInWindow_data() { addKinds(); }
    void mergeInWindow()
    {
        QFETCH(QString, kind);
        Store s = makeStore(kind, fixture());
        const Memory a0 = *stored(s, u"a"_s), b0 = *stored(s, u"b"_s), c0 = *stored(s, u"c"_s);
        auto w = openWindow(s.spec);
        DuplicatesDialog* dialog = openDialog(*w);
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        dialog->find(DuplicateMatch::SameWords);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy() && dialog->scan() && dialog->shownMemories().size() == 3, 30000);
        QCOMPARE(dialog->groupsList()->topLevelItemCount(), 1);
        QCOMPARE(dialog->groupsList()->topLevelItem(0)->text(0), u"3"_s);
        QCOMPARE(dialog->groupsList()->topLevelItem(0)->text(1), u"decisions, patterns, learnings"_s);
        QCOMPARE(dialog->groupsList()->topLevelItem(0)->text(2), u"same words"_s);
        QCOMPARE(dialog->keeperId(), u"a"_s); // the oldest by default
        QCOMPARE(dialog->compareTable()->columnCount(), 3);
        // the person keeps b; the fields that differ from b's are marked
        dialog->setKeeper(1);
        QCOMPARE(dialog->keeperId(), u"b"_s);
        int tagsRow = -1;
        for (int r = 0; r < dialog->compareTable()->rowCount(); ++r) {
            if (dialog->compareTable()->verticalHeaderItem(r)->text() == MemoryFields::title(MemoryColumn::Tags))
                tagsRow = r;
        }
        QVERIFY(tagsRow >= 0);
        QVERIFY(!dialog->compareTable()->item(tagsRow, 0)->toolTip().isEmpty());
        QVERIFY(dialog->compareTable()->item(tagsRow, 1)->toolTip().isEmpty());
        QVERIFY(dialog->mergeButton()->isEnabled());

        QSignalSpy done(dialog, &DuplicatesDialog::finished);
        QTest::mouseClick(dialog->mergeButton(), Qt::LeftButton);
        QVERIFY(done.wait(30000));
        QVERIFY2(dialog->statusText().contains(u"merged into b"_s), qPrintable(dialog->statusText()));
        QCOMPARE(dialog->groupsList()->topLevelItemCount(), 0);

        // one live memory with the union of tags and source ids; the others tombstoned
        const Memory b1 = *stored(s, u"b"_s);
        QVERIFY(!b1.isTombstoned());
        QCOMPARE(b1.tags, (QStringList {u"perf"_s, u"db"_s, contentHashTag(a0.content), u"x"_s}));
        QCOMPARE(b1.sourceMemoryIds.value_or(QStringList {}), (QStringList {u"s9"_s, u"s7"_s}));
        for (const QString& id : {u"a"_s, u"c"_s}) {
            const Memory m = *stored(s, id);
            QCOMPARE(m.status, u"tombstoned"_s);
            QVERIFY(m.tombstonedAt && *m.tombstonedAt >= QDateTime::currentSecsSinceEpoch() - 120);
            QCOMPARE(m.tags, id == "a"_L1 ? a0.tags : c0.tags);
            if (kind == "sqlite"_L1)
                QCOMPARE(sqliteEdges(s.location, u"b"_s, id, u"supersedes"_s), 1);
        }
        // the check finds no duplicate left among the live memories, and no hash tag of c's content on b
        const QString findings = check(kind, s.location).join(u'\n');
        QVERIFY2(!findings.contains(u"duplicate-memory"_s) && !findings.contains(u"stale-hash-tag"_s),
                 qPrintable(findings));
        QCOMPARE(w->model()->undoStack()->count(), 1);

        // one undo step restores all three and removes the edges
        QSignalSpy merger(dialog->merger(), &DuplicateMerger::finished);
        w->model()->undoStack()->undo();
        QVERIFY(merger.wait(30000));
        QVERIFY2(merger.last().at(0).toBool(), qPrintable(merger.last().at(1).toString()));
        QVERIFY(stored(s, u"a"_s)->sameFields(a0));
        QVERIFY(stored(s, u"b"_s)->sameFields(b0));
        QVERIFY(stored(s, u"c"_s)->sameFields(c0));
        if (kind == "sqlite"_L1) {
            QCOMPARE(sqliteEdges(s.location, u"b"_s, u"a"_s, u"supersedes"_s), 0);
            QCOMPARE(sqliteEdges(s.location, u"b"_s, u"c"_s, u"supersedes"_s), 0);
        }
        // and redo merges again
        w->model()->undoStack()->redo();
        QVERIFY(merger.wait(30000));
        QVERIFY2(merger.last().at(0).toBool(), qPrintable(merger.last().at(1).toString()));
        QCOMPARE(stored(s, u"a"_s)->status, u"tombstoned"_s);
        QCOMPARE(stored(s, u"b"_s)->tags, b1.tags);
        if (kind == "sqlite"_L1)
            QCOMPARE(sqliteEdges(s.location, u"b"_s, u"c"_s, u"supersedes"_s), 1);
        waitIdle(*w);
    }

    void mergeRefusesAChangedMemory()
    {
        Store s = makeStore(u"sqlite"_s, fixture());
        auto w = openWindow(s.spec);
        DuplicatesDialog* dialog = openDialog(*w);
        QVERIFY(dialog);
        dialog->find(DuplicateMatch::SameContent);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy() && dialog->shownMemories().size() == 2, 30000);
        // another writer changes b after the group was read
        Memory b = *stored(s, u"b"_s);
        b.tags << u"theirs"_s;
        Testing::reopen(*s.backend, false)->store(b);
        QSignalSpy done(dialog, &DuplicatesDialog::finished);
        dialog->mergeShown();
        QVERIFY(done.wait(30000));
        QVERIFY2(dialog->statusText().contains(u"nothing was written"_s), qPrintable(dialog->statusText()));
        QVERIFY(!stored(s, u"a"_s)->isTombstoned());
        QVERIFY(!stored(s, u"b"_s)->isTombstoned());
        QCOMPARE(stored(s, u"b"_s)->tags, b.tags);
        QCOMPARE(sqliteEdges(s.location, u"a"_s, u"b"_s, u"supersedes"_s), 0);
        QCOMPARE(w->model()->undoStack()->count(), 0);
        // once a is deleted behind the list's back, its group has no duplicates left to show or merge
        Memory a = *stored(s, u"a"_s);
        a.status = u"tombstoned"_s;
        a.tombstonedAt = kBase + 100;
        Testing::reopen(*s.backend, false)->store(a);
        dialog->showGroup(0);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), 30000);
        QVERIFY(dialog->shownMemories().isEmpty());
        QVERIFY2(dialog->statusText().contains(u"no duplicates left"_s), qPrintable(dialog->statusText()));
        QVERIFY(!dialog->mergeButton()->isEnabled());
        waitIdle(*w);
    }

    void mergeChecksInsideItsTransaction_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("sqlite") << u"sqlite"_s;
        QTest::newRow("postgres") << u"postgres"_s;
    }
    /// Another process changes the kept memory after the plan was made and commits while the merge waits for the
    /// write lock: the merge sees the change inside its transaction, writes nothing and reports the conflict.
    void mergeChecksInsideItsTransaction()
    {
        QFETCH(QString, kind);
        Store s = makeStore(kind, fixture());
        const Memory a0 = *stored(s, u"a"_s);
        const Memory b0 = *stored(s, u"b"_s);
        const MergePlan plan = planMerge(a0, {b0}, s.backend->hasEdgeTable(), kBase + 50);
        std::unique_ptr<QProcess> other;
        QElapsedTimer waited;
        waited.start();
        if (kind == "sqlite"_L1) {
            other = holdThenCommit(u"sqlite3"_s, s.location,
                                   u".timeout 5000\nBEGIN IMMEDIATE;\n"
                                   "UPDATE memories SET tags = tags || ',theirs' WHERE id = 'a';\n"
                                   "UPDATE memories_fts SET tags = tags || ',theirs' WHERE id = 'a';"_s);
            while (!sqliteLocked(s.location) && waited.elapsed() < 10000)
                QTest::qSleep(10);
        } else {
            Testing::PostgresServer& server = Testing::PostgresServer::shared();
            const QString database = s.location.section(u'/', -1).section(u'?', 0, 0);
            other
                = holdThenCommit(u"psql"_s, s.location,
                                 u"BEGIN;\nUPDATE memories SET tags = array_append(tags, 'theirs') WHERE id = 'a';"_s);
            const QString writing = u"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND backend_xid IS NOT NULL AND state = 'idle in transaction'"_s;
            while (server.runSql(database, writing).trimmed() != "1"_L1 && waited.elapsed() < 10000)
                QTest::qSleep(10);
        }
        QVERIFY2(waited.elapsed() < 2000, "the other process did not take its lock in time");
        const MergeWritten written = applyMergeWrites(*s.backend, plan.before, plan.after, plan.edges, {});
        QVERIFY(other->waitForFinished(10000));
        QVERIFY2(other->exitCode() == 0, other->readAll().constData());
        QCOMPARE(written.conflicts.size(), 1);
        QVERIFY2(written.conflicts.first().startsWith(u"memory a was changed by another writer"_s),
                 qPrintable(written.conflicts.first()));
        QCOMPARE(stored(s, u"a"_s)->tags, a0.tags + QStringList {u"theirs"_s});
        QVERIFY(!stored(s, u"b"_s)->isTombstoned());
        if (kind == "sqlite"_L1)
            QCOMPARE(sqliteEdges(s.location, u"a"_s, u"b"_s, u"supersedes"_s), 0);
    }

    /// The edge insert fails (a trigger another process created): the merge's transaction is rolled back whole,
    /// and the file is byte for byte what it was (no memory was written and written back).
    void mergeEdgeFailureWritesNothing()
    {
        Store s = makeStore(u"sqlite"_s, fixture());
        const Memory a0 = *stored(s, u"a"_s);
        const Memory b0 = *stored(s, u"b"_s);
        const Memory c0 = *stored(s, u"c"_s);
        const MergePlan plan = planMerge(a0, {b0, c0}, true, kBase + 50);
        QCOMPARE(QProcess::execute(u"sqlite3"_s,
                                   {s.location,
                                    u"CREATE TRIGGER no_edges BEFORE INSERT ON memory_edges "
                                    "BEGIN SELECT RAISE(ABORT, 'x'); END;"_s}),
                 0);
        const QByteArray db = fileBytes(s.location);
        const QByteArray wal = fileBytes(s.location + u"-wal"_s);
        QVERIFY_THROWS_EXCEPTION(StorageError, applyMergeWrites(*s.backend, plan.before, plan.after, plan.edges, {}));
        QVERIFY(fileBytes(s.location) == db);
        QVERIFY(fileBytes(s.location + u"-wal"_s) == wal);
        QCOMPARE(stored(s, u"a"_s)->tags, a0.tags);
        QVERIFY(!stored(s, u"b"_s)->isTombstoned());
        QVERIFY(!stored(s, u"c"_s)->isTombstoned());
    }

    void mergeNeedsEditing()
    {
        Store s = makeStore(u"sqlite"_s, fixture());
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->show();
        w->openStore(s.spec);
        waitIdle(*w);
        DuplicatesDialog* dialog = openDialog(*w);
        dialog->find(DuplicateMatch::SameContent);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy() && dialog->shownMemories().size() == 2, 30000);
        QVERIFY(!dialog->mergeButton()->isEnabled());
        dialog->mergeShown();
        QVERIFY2(dialog->statusText().contains(u"read-only"_s) || dialog->statusText().contains(u"not switched on"_s),
                 qPrintable(dialog->statusText()));
        QVERIFY(!stored(s, u"b"_s)->isTombstoned());
    }

    void contentEditKeepsHashTag_data() { addKinds(); }
    void contentEditKeepsHashTag()
    {
        QFETCH(QString, kind);
        const QString oldText = u"Old text of h"_s;
        QList<Memory> memories;
        memories << memory(u"h"_s, u"decisions"_s, oldText, kBase + 1, {u"keep"_s, contentHashTag(oldText)});
        memories << memory(u"k"_s, u"patterns"_s, u"Old text of k"_s, kBase + 2,
                           {contentHashTag(u"Old text of k"_s), u"z"_s});
        Memory summary = memory(u"sm"_s, u"context"_s, u"Summary of h"_s, kBase + 3, {contentHashTag(oldText)});
        summary.isSummary = true;
        summary.sourceMemoryIds = QStringList {u"h"_s};
        memories << summary;
        Store s = makeStore(kind, memories);
        QVERIFY(!check(kind, s.location).join(u'\n').contains(u"stale-hash-tag"_s));

        auto w = openWindow(s.spec);
        MemoryTableModel* model = w->model();
        // h through updateMemories (the detail pane's path), k through setData (a table cell), sm as a summary
        const int hRow = model->loadedRowOf(u"h"_s);
        const int kRow = model->loadedRowOf(u"k"_s);
        const int smRow = model->loadedRowOf(u"sm"_s);
        QVERIFY(hRow >= 0 && kRow >= 0 && smRow >= 0);
        Memory h = *model->memoryAt(hRow);
        h.content = u"New text of h, edited"_s;
        QVERIFY(model->updateMemories({h}, u"Edit h"_s));
        waitIdle(*w);
        QVERIFY(model->setData(model->index(kRow, int(MemoryColumn::Content)), u"New text of k"_s));
        waitIdle(*w);
        Memory sm = *model->memoryAt(smRow);
        sm.content = u"Summary of h, edited"_s;
        QVERIFY(model->updateMemories({sm}, u"Edit sm"_s));
        waitIdle(*w);

        QCOMPARE(stored(s, u"h"_s)->content, h.content);
        QCOMPARE(stored(s, u"h"_s)->tags, (QStringList {u"keep"_s, contentHashTag(h.content)}));
        QCOMPARE(stored(s, u"k"_s)->tags, (QStringList {contentHashTag(u"New text of k"_s), u"z"_s}));
        QCOMPARE(stored(s, u"sm"_s)->tags, (QStringList {contentHashTag(oldText)}));
        const QString findings = check(kind, s.location).join(u'\n');
        QVERIFY2(!findings.contains(u"stale-hash-tag"_s), qPrintable(findings));
        QVERIFY2(!findings.contains(u"tags-drift"_s), qPrintable(findings)); // SQLite's FTS row has the same tags

        // undo brings the old content back with its old tag
        model->undoStack()->undo();
        waitIdle(*w);
        QTRY_COMPARE_WITH_TIMEOUT(stored(s, u"sm"_s)->content, summary.content, 30000);
        model->undoStack()->undo();
        waitIdle(*w);
        QTRY_COMPARE_WITH_TIMEOUT(stored(s, u"k"_s)->tags, memories[1].tags, 30000);
        QVERIFY(!check(kind, s.location).join(u'\n').contains(u"stale-hash-tag"_s));
    }
};

QTEST_MAIN(TestDuplicates)
#include "tst_duplicates.moc"
