// SPDX-License-Identifier: MIT
// JSON Lines exports as a read-only store: restoring a backup, subcog's NDJSON, bad lines, refused writes, and
// queries that agree with the SQLite store the file came from.
#include "fixturegenerator.h"
#include "jsonl.h"
#include "jsonl/jsonlbackend.h"
#include "memorytablemodel.h"
#include "sqlite/sqlitebackend.h"
#include "storeopener.h"
#include "testhelpers.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Fixtures;

namespace {
struct Result
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Result run(const QStringList& args)
{
    QProcess process;
    process.start(qEnvironmentVariable("INSPECTOR_BINARY"), args);
    Result r;
    if (!process.waitForFinished(120000)) {
        process.kill();
        return r;
    }
    r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    r.out = process.readAllStandardOutput();
    r.err = process.readAllStandardError();
    return r;
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Memories the generator does not make: every lifecycle field, odd tags, astral characters, a big content.
QList<Memory> lifecycleMemories()
{
    QList<Memory> list;
    Memory tomb = Testing::sampleMemory(u"life-tombstoned"_s, 1767000100);
    tomb.status = u"tombstoned"_s;
    tomb.tombstonedAt = 1767000200;
    tomb.expiresAt = std::nullopt;
    list << tomb;
    Memory summary = Testing::sampleMemory(u"life-summary"_s, 1767000300);
    summary.isSummary = true;
    summary.sourceMemoryIds = QStringList {u"life-tombstoned"_s, u"gone-id"_s};
    summary.consolidationTimestamp = 1767000301;
    summary.status = u"consolidated"_s;
    list << summary;
    Memory odd = Testing::sampleMemory(u"life-odd"_s, 1767000400);
    odd.tags = QStringList {u"with space"_s, u"ünï"_s, u"quote\"d"_s, u"back\\slash"_s, u"😀"_s};
    odd.content = u"line one\nline two\t\"quoted\" \u2028 😀 \u0001 end"_s;
    odd.expiresAt = 1999999999;
    odd.projectId = std::nullopt;
    odd.branch = std::nullopt;
    odd.filePath = std::nullopt;
    odd.source = std::nullopt;
    list << odd;
    Memory big = Testing::sampleMemory(u"life-big"_s, 1767000500);
    big.content = QString(3 * 1024 * 1024, u'x') + u"ü"_s;
    list << big;
    Memory emptyList = Testing::sampleMemory(u"life-empty-sources"_s, 1767000600);
    emptyList.sourceMemoryIds = QStringList {};
    emptyList.tags.clear();
    list << emptyList;
    return list;
}

QStringList idsOf(const QList<Memory>& memories)
{
    QStringList ids;
    for (const Memory& m : memories)
        ids << m.id;
    return ids;
}

/// Every id of the query, page by page with cursors (limit 37, so pages end inside groups of equal keys).
QStringList pagedIds(PersistenceBackend& backend, MemoryQuery query)
{
    QStringList ids;
    query.limit = 37;
    query.withContent = false;
    for (int guard = 0; guard < 1000; ++guard) {
        const Page page = backend.query(query);
        ids << idsOf(page.memories);
        if (!page.next)
            return ids;
        query.after = page.next;
    }
    return ids;
}
} // namespace

class TestJsonlStore : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_source; ///< a SQLite store with every kind of memory
    QString m_backup; ///< its full-fidelity export
    GeneratedStore m_generated;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QFile::exists(qEnvironmentVariable("INSPECTOR_BINARY")));
        GeneratorOptions options;
        options.count = 400;
        options.anomalies = false;
        options.largeMemories = 1;
        m_source = m_dir.filePath(u"source.db"_s);
        m_generated = writeSqliteStore(m_source, SqliteLayout::HeadGroupScope, options);
        auto store = SqliteBackend::open(m_source);
        store->storeBatch(lifecycleMemories());
        Memory grouped = Testing::sampleMemory(u"life-group"_s, 1767000700);
        grouped.groupId = u"team-7"_s;
        store->store(grouped);
        store.reset();
        m_backup = m_dir.filePath(u"backup.jsonl"_s);
        const Result r = run({u"export"_s, m_source, u"--format"_s, u"jsonl"_s, u"-o"_s, m_backup});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    void storeSpecs()
    {
        QCOMPARE(StoreSpec::parse(u"jsonl:/a/b.txt"_s).kind, StoreSpec::Kind::Jsonl);
        QCOMPARE(StoreSpec::parse(u"jsonl:/a/b.txt"_s).location, u"/a/b.txt"_s);
        QCOMPARE(StoreSpec::parse(u"/a/b.jsonl"_s).kind, StoreSpec::Kind::Jsonl);
        QCOMPARE(StoreSpec::parse(u"/a/b.NDJSON"_s).kind, StoreSpec::Kind::Jsonl);
        QCOMPARE(StoreSpec::parse(u"sqlite:/a/b.jsonl"_s).kind, StoreSpec::Kind::Sqlite);
        QCOMPARE(StoreSpec::parse(u"/a/b.db"_s).kind, StoreSpec::Kind::Sqlite);
    }

    void restoresEveryFieldIntoAFreshStore()
    {
        // an empty store of the source's layout (HEAD's own has no group_id column to restore into)
        const QString fresh = m_dir.filePath(u"fresh.db"_s);
        GeneratorOptions empty;
        empty.count = 0;
        empty.anomalies = false;
        empty.largeMemories = 0;
        writeSqliteStore(fresh, SqliteLayout::HeadGroupScope, empty);
        {
            auto target = SqliteBackend::open(fresh);
            for (const QString& id : target->listIds())
                target->remove(id);
            QCOMPARE(target->count(), qint64(0));
        }
        const Result r = run({u"copy"_s, m_backup, fresh});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        auto source = SqliteBackend::open(m_source, SqliteBackend::OpenMode::ReadOnly);
        auto copy = SqliteBackend::open(fresh, SqliteBackend::OpenMode::ReadOnly);
        const QStringList ids = source->listIds();
        QCOMPARE(copy->listIds(), ids);
        QVERIFY(ids.size() > 400);
        const QList<Memory> before = source->getBatch(ids);
        const QList<Memory> after = copy->getBatch(ids);
        QCOMPARE(after.size(), before.size());
        for (qsizetype i = 0; i < before.size(); ++i)
            QVERIFY2(after[i].sameFields(before[i]), qPrintable(before[i].id));
        // the lifecycle fields are among them, not only defaults
        const auto summary = copy->get(u"life-summary"_s);
        QVERIFY(summary && summary->isSummary && summary->sourceMemoryIds->size() == 2);
        QCOMPARE(copy->get(u"life-tombstoned"_s)->tombstonedAt, std::optional<qint64>(1767000200));
        QCOMPARE(copy->get(u"life-group"_s)->groupId, std::optional<QString>(u"team-7"_s));
        QCOMPARE(copy->get(u"life-big"_s)->content.size(), 3 * 1024 * 1024 + 1);
        // exported again, the backup is the same bytes: nothing lost or changed on the way through the store
        const Result again = run({u"export"_s, m_backup});
        QCOMPARE(again.exitCode, 0);
        QVERIFY(again.out == readFile(m_backup));
        // the backup reads the same through the store itself
        auto backup = openStore(m_backup);
        QCOMPARE(backup->kind(), u"jsonl"_s);
        QVERIFY(backup->isReadOnly());
        QCOMPARE(backup->count(), qint64(ids.size()));
        QVERIFY(backup->storeIssues().isEmpty());
        const QList<Memory> read = backup->getBatch(ids);
        for (qsizetype i = 0; i < before.size(); ++i)
            QVERIFY2(read[i].sameFields(before[i]), qPrintable(before[i].id));
    }

    void overwriteRestoresChangedMemories()
    {
        const QString target = m_dir.filePath(u"changed.db"_s);
        QVERIFY(QFile::copy(m_source, target));
        auto store = SqliteBackend::open(target);
        const QStringList ids = store->listIds();
        Memory edited = *store->get(ids[3]);
        const Memory original = edited;
        edited.content = u"changed after the backup"_s;
        edited.tags << u"late"_s;
        store->store(edited);
        Memory tombstoned = *store->get(u"life-odd"_s);
        tombstoned.status = u"tombstoned"_s;
        tombstoned.tombstonedAt = 1800000000;
        store->store(tombstoned);
        QVERIFY(store->remove(ids[5]));
        const Memory removed = *SqliteBackend::open(m_source, SqliteBackend::OpenMode::ReadOnly)->get(ids[5]);
        store.reset();

        Result r = run({u"copy"_s, m_backup, target});
        QCOMPARE(r.exitCode, 4); // the default refuses to overwrite
        r = run({u"copy"_s, m_backup, target, u"--on-conflict"_s, u"overwrite"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        store = SqliteBackend::open(target, SqliteBackend::OpenMode::ReadOnly);
        QVERIFY(store->get(ids[3])->sameFields(original));
        const Memory odd = *store->get(u"life-odd"_s);
        QCOMPARE(odd.status, u"active"_s);
        QCOMPARE(odd.tombstonedAt, std::nullopt);
        QVERIFY(store->get(ids[5])->sameFields(removed));
    }

    void subcogNdjsonOpensWithMissingFieldsAbsent()
    {
        const QString ndjson = m_dir.filePath(u"subcog.ndjson"_s);
        const Result r = run({u"export"_s, m_source, u"--format"_s, u"subcog"_s, u"-o"_s, ndjson});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        auto store = openStore(ndjson);
        auto source = SqliteBackend::open(m_source, SqliteBackend::OpenMode::ReadOnly);
        QCOMPARE(store->count(), source->count());
        QVERIFY(store->storeIssues().isEmpty());
        const Memory summary = *store->get(u"life-summary"_s);
        const Memory expected = *source->get(u"life-summary"_s);
        QCOMPARE(summary.content, expected.content);
        QCOMPARE(summary.tags, expected.tags);
        QCOMPARE(summary.createdAt, expected.createdAt);
        QCOMPARE(summary.projectId, expected.projectId);
        QCOMPARE(summary.source, expected.source);
        // not in subcog's format: absent, not invented
        QVERIFY(!summary.isSummary);
        QCOMPARE(summary.sourceMemoryIds, std::nullopt);
        QCOMPARE(summary.consolidationTimestamp, std::nullopt);
        QCOMPARE(store->get(u"life-tombstoned"_s)->tombstonedAt, std::nullopt);
        QCOMPARE(store->get(u"life-group"_s)->groupId, std::nullopt);
        const Memory odd = *store->get(u"life-odd"_s);
        QCOMPARE(odd.filePath, std::nullopt);
        QCOMPARE(odd.source, std::nullopt);
        QCOMPARE(odd.expiresAt, std::nullopt);
        // and it restores what it has into a fresh store
        const QString fresh = m_dir.filePath(u"fromsubcog.db"_s);
        const Result copy = run({u"copy"_s, u"jsonl:"_s + ndjson, fresh});
        QVERIFY2(copy.exitCode == 0, copy.err.constData());
        QCOMPARE(SqliteBackend::open(fresh)->count(), source->count());
    }

    void badLinesAreReportedAndTheRestRead()
    {
        QByteArray good;
        Memory a = Testing::sampleMemory(u"good-a"_s, 100);
        appendJsonLine(good, a);
        QByteArray bytes = "\xEF\xBB\xBF" + good; // line 1, after a byte order mark
        bytes += "{not json\n"; // 2
        bytes += "[1,2]\n"; // 3
        bytes += "{\"content\":\"no id\"}\n"; // 4
        bytes += "{\"id\":\"typed\",\"created_at\":\"yesterday\"}\n"; // 5
        bytes += "\n"; // 6: blank, no record
        Memory b = Testing::sampleMemory(u"good-b"_s, 200);
        QByteArray lineB;
        appendJsonLine(lineB, b);
        bytes += lineB.chopped(1) + "\r\n"; // 7: CRLF
        Memory dup = a;
        dup.content = u"the later line"_s;
        appendJsonLine(bytes, dup); // 8: the same id again
        bytes += "{\"id\":\"latin1\",\"content\":\"caf\xE9\",\"namespace\":\"decisions\",\"status\":\"active\"}\n"; // 9
        bytes += "{\"id\":\"last\",\"created_at\":1.5}"; // 10, no newline at the end
        const QString path = m_dir.filePath(u"bad.jsonl"_s);
        writeFile(path, bytes);

        auto store = JsonlBackend::open(path);
        QCOMPARE(store->count(), qint64(3));
        QCOMPARE(store->get(u"good-a"_s)->content, u"the later line"_s);
        QVERIFY(store->get(u"good-b"_s)->sameFields(b));
        QCOMPARE(store->get(u"latin1"_s)->content, u"caf\uFFFD"_s);
        QHash<QString, RecordIssue> issues;
        for (const RecordIssue& issue : store->storeIssues())
            issues.insert(issue.id + (issue.unreadable ? u"!"_s : QString()), issue);
        for (const auto& line : {u"line 2!"_s, u"line 3!"_s, u"line 4!"_s, u"line 5!"_s, u"line 10!"_s})
            QVERIFY2(issues.contains(line), qPrintable(line));
        QVERIFY(issues.value(u"line 4!"_s).reason.contains(u"id"_s));
        QVERIFY(issues.value(u"line 5!"_s).reason.contains(u"created_at"_s));
        QVERIFY(issues.value(u"good-a"_s).reason.contains(u"line 1 and line 8"_s));
        QVERIFY(issues.value(u"latin1"_s).reason.contains(u"UTF-8"_s));
        QVERIFY2(issues.size() == 7, qPrintable(QStringList(issues.keys()).join(u", "_s)));

        // export and copy name the lines they could not bring back, and do what they can
        Result r = run({u"export"_s, path});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("line 2") && r.err.contains("line 10"), r.err.constData());
        QCOMPARE(r.out.count('\n'), 3);
        const QString target = m_dir.filePath(u"frombad.db"_s);
        r = run({u"copy"_s, path, target});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("line 5"), r.err.constData());
        QCOMPARE(SqliteBackend::open(target)->count(), qint64(3));
        r = run({u"info"_s, path});
        QVERIFY2(r.out.contains("line 2: not JSON") && r.out.contains("line 10: memory last"), r.out.constData());
        r = run({u"count"_s, path});
        QCOMPARE(r.out.trimmed(), QByteArray("3"));
    }

    void aFileOfGarbageNamesTheFirstProblemsOnly()
    {
        QByteArray bytes;
        for (int i = 0; i < 12000; ++i)
            bytes += "\x01\x02 not json\n";
        appendJsonLine(bytes, Testing::sampleMemory(u"survivor"_s));
        const QString path = m_dir.filePath(u"garbage.jsonl"_s);
        writeFile(path, bytes);
        auto store = JsonlBackend::open(path);
        QCOMPARE(store->count(), qint64(1));
        const QList<RecordIssue> issues = store->storeIssues();
        QCOMPARE(issues.size(), 10001);
        QCOMPARE(issues.first().id, u"line 1"_s);
        QVERIFY(issues.last().unreadable);
        QVERIFY2(issues.last().reason.startsWith(u"2000 more problems"_s), qPrintable(issues.last().reason));
    }

    void hugeLineIsReportedAndSkipped()
    {
        const QString path = m_dir.filePath(u"huge.jsonl"_s);
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray first;
            appendJsonLine(first, Testing::sampleMemory(u"before"_s));
            f.write(first);
            const QByteArray chunk(1024 * 1024, 'x');
            f.write("{\"id\":\"huge\",\"content\":\"");
            for (int i = 0; i < 65; ++i)
                f.write(chunk);
            f.write("\"}\n");
            QByteArray last;
            appendJsonLine(last, Testing::sampleMemory(u"after"_s));
            f.write(last);
        }
        auto store = JsonlBackend::open(path);
        QCOMPARE(store->listIds().size(), 2);
        QVERIFY(store->exists(u"before"_s) && store->exists(u"after"_s));
        const QList<RecordIssue> issues = store->storeIssues();
        QCOMPARE(issues.size(), 1);
        QCOMPARE(issues[0].id, u"line 2"_s);
        QVERIFY(issues[0].reason.contains(u"64 MiB"_s));
        QFile::remove(path);
    }

    void writesAreRefused()
    {
        auto store = openStore(m_backup, OpenOptions {}); // asked for writing, opened read-only
        QVERIFY(store->isReadOnly());
        auto refused = [](const std::function<void()>& write) {
            try {
                write();
            } catch (const StorageError& e) {
                return e.kind() == StorageError::Kind::InvalidInput && e.message().contains(u"read-only"_s);
            }
            return false;
        };
        QVERIFY(refused([&] { store->store(Testing::sampleMemory(u"new"_s)); }));
        QVERIFY(refused([&] { store->storeBatch({Testing::sampleMemory(u"new"_s)}); }));
        QVERIFY(refused([&] { store->remove(u"life-odd"_s); }));
        OpenOptions create;
        create.create = true;
        QVERIFY(refused([&] { openStore(m_backup, create); }));
        const QByteArray before = Testing::fileHash(m_backup);
        Result r = run({u"copy"_s, m_source, m_backup});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("read-only"), r.err.constData());
        r = run({u"copy"_s, m_source, m_backup, u"--dry-run"_s});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("read-only"), r.err.constData());
        r = run({u"export"_s, m_backup, u"-o"_s, m_backup});
        QVERIFY(r.exitCode != 0);
        QCOMPARE(Testing::fileHash(m_backup), before);
    }

    void queriesAgreeWithTheSqliteStore_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::newRow("all") << QString();
        QTest::newRow("namespace") << u"ns:decisions"_s;
        QTest::newRow("tag") << u"tag:rust"_s;
        QTest::newRow("status") << u"status:archived"_s;
        QTest::newRow("words") << u"the"_s;
        QTest::newRow("since") << u"since:400d"_s;
    }

    void queriesAgreeWithTheSqliteStore()
    {
        QFETCH(QString, filter);
        const ParsedFilter parsed = parseFilter(filter, QDateTime::fromSecsSinceEpoch(1767225600, Qt::UTC));
        QVERIFY(parsed.notUnderstood.isEmpty());
        auto sqlite = SqliteBackend::open(m_source, SqliteBackend::OpenMode::ReadOnly);
        auto jsonl = JsonlBackend::open(m_backup);
        QCOMPARE(jsonl->count(parsed.filter), sqlite->count(parsed.filter));
        for (const SortKey key : {SortKey::CreatedAt, SortKey::Id, SortKey::Namespace, SortKey::Status}) {
            for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
                MemoryQuery query;
                query.filter = parsed.filter;
                query.sortKey = key;
                query.order = order;
                const QStringList expected = pagedIds(*sqlite, query);
                QCOMPARE(pagedIds(*jsonl, query), expected);
                if (expected.size() < 10)
                    continue;
                QCOMPARE(jsonl->rowOf(query, expected[7]), std::optional<qint64>(7));
                query.limit = 5;
                query.fromEnd = true;
                QCOMPARE(idsOf(jsonl->query(query).memories), expected.mid(expected.size() - 5));
                query.fromEnd = false;
                query.skip = 3;
                QCOMPARE(idsOf(jsonl->query(query).memories), expected.mid(3, 5));
            }
        }
        if (filter.isEmpty())
            QCOMPARE(jsonl->listIds(), sqlite->listIds());
    }

    void theTableShowsItWithEditingOff()
    {
        MemoryTableModel model;
        model.setChangeCheckInterval(0);
        QSignalSpy opened(&model, &MemoryTableModel::storeOpened);
        const QString path = m_backup;
        // asked for editing, as the window does when a person wants to edit: the store says it is read-only
        model.openStore([path] { return openStore(path, OpenOptions {}); });
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 30000);
        QVERIFY(opened.first().at(2).toBool());
        model.setEditingEnabled(true);
        QVERIFY(!model.isEditingEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!model.isBusy() && model.rowCount() > 0, 30000);
        model.data(model.index(0, int(MemoryColumn::Content)));
        QTRY_VERIFY_WITH_TIMEOUT(!model.isBusy(), 30000);
        QVERIFY(!model.data(model.index(0, int(MemoryColumn::Content))).toString().isEmpty());
        QVERIFY(!(model.flags(model.index(0, int(MemoryColumn::Status))) & Qt::ItemIsEditable));
        QVERIFY(!model.setData(model.index(0, int(MemoryColumn::Status)), u"archived"_s));
    }

    void aFileChangedWhileOpenIsRefused()
    {
        const QString path = m_dir.filePath(u"moving.jsonl"_s);
        QByteArray bytes;
        appendJsonLine(bytes, Testing::sampleMemory(u"one"_s));
        appendJsonLine(bytes, Testing::sampleMemory(u"two"_s));
        writeFile(path, bytes);
        auto store = JsonlBackend::open(path);
        QVERIFY(store->get(u"two"_s));
        QByteArray other;
        appendJsonLine(other, Testing::sampleMemory(u"three, a longer id"_s));
        writeFile(path, other);
        try {
            store->get(u"two"_s);
            QFAIL("read a file that changed");
        } catch (const StorageError& e) {
            QVERIFY2(e.message().contains(u"changed"_s), qPrintable(e.message()));
        }
        QVERIFY(store->exists(u"one"_s)); // the index as it was still answers
    }

    void aPipeIsRefusedUpFront()
    {
        try {
            JsonlBackend::open(u"/dev/null"_s);
            QFAIL("opened a device");
        } catch (const StorageError& e) {
            QCOMPARE(e.kind(), StorageError::Kind::InvalidInput);
            QVERIFY2(e.message().contains(u"not a regular file"_s), qPrintable(e.message()));
        }
        const Result r = run({u"count"_s, u"jsonl:"_s + m_dir.filePath(u"missing.jsonl"_s)});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no such file"), r.err.constData());
    }
};

QTEST_MAIN(TestJsonlStore)
#include "tst_jsonlstore.moc"
