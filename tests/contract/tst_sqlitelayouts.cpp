// SPDX-License-Identifier: MIT
// Every historical SQLite layout of subcog, with the anomalies of spec §9, read back against the ground truth.
#include "exporter.h"
#include "fixturegenerator.h"
#include "jsonl.h"
#include "sqlite/sqlitebackend.h"
#include "testhelpers.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Fixtures;

Q_DECLARE_METATYPE(Inspector::Fixtures::SqliteLayout)

namespace {
/// The whole store exported as JSON Lines into `out` (replaced), in batches of `batchSize`.
ExportReport exportAll(PersistenceBackend& backend, QByteArray* out, int batchSize = 1000)
{
    out->clear();
    QBuffer buffer(out);
    buffer.open(QIODevice::WriteOnly);
    return Exporter(backend, ExportFormat::JsonLines, batchSize).run(MemoryFilter {}, buffer);
}

/// Lines from the backend's own writer and, for comparison, from scan() + appendJsonLine.
std::pair<QByteArray, QByteArray> bothWays(SqliteBackend& backend, const MemoryQuery& query, int batch)
{
    QByteArray direct;
    const bool used = backend.scanJsonLines(
        query,
        [&](const QByteArray& lines, qint64 count, QList<RecordIssue>&) {
            direct += lines;
            Q_UNUSED(count);
            return true;
        },
        batch);
    if (!used)
        direct = "(scanJsonLines declined)";
    QByteArray general;
    backend.scan(
        query,
        [&](QList<Memory>& memories, QList<RecordIssue>&) {
            for (const Memory& m : memories) {
                if (!(m.flags & MemoryFlag::MissingContent)) // left out of exports, as the Exporter does
                    appendJsonLine(general, m);
            }
            return true;
        },
        batch);
    return {direct, general};
}

/// Rows with every odd type and text SQLite allows, which the direct writer must hand to the general decoder.
void addOddRows(const QString& path)
{
    const QString name = u"odd-rows"_s;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        const QStringList statements = {
            // integer namespace, float created_at, blob tags, text is_summary, invalid UTF-8 content, NUL in text
            u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
            "VALUES ('odd_int_ns', 42, 'user', 'active', 1767000100, 'a,b')"_s,
            u"INSERT INTO memories_fts (id, content, tags) VALUES ('odd_int_ns', 'x', 'a,b')"_s,
            u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
            "VALUES ('odd_float_created', 'decisions', 'user', 'active', 1767000100.5, 'a')"_s,
            u"INSERT INTO memories_fts (id, content, tags) VALUES ('odd_float_created', 'x', 'a')"_s,
            u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
            "VALUES ('odd_blob_tags', 'decisions', 'user', 'active', 1767000100, X'612C62')"_s,
            u"INSERT INTO memories_fts (id, content, tags) VALUES ('odd_blob_tags', 'x', 'a,b')"_s,
            u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
            "VALUES ('odd_bad_utf8', 'decisions', 'user', 'active', 1767000100, 'a')"_s,
            u"INSERT INTO memories_fts (id, content, tags) VALUES ('odd_bad_utf8', CAST(X'61FF62C0' AS TEXT), 'a')"_s,
            u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
            "VALUES ('odd_nul', 'decisions', 'user', 'active', 1767000100, 'a')"_s,
            u"INSERT INTO memories_fts (id, content, tags) VALUES ('odd_nul', CAST(X'610062' AS TEXT), 'a')"_s,
            u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
            "VALUES ('odd_spaces', 'decisions', '', 'active', 1767000100, ' wide　, 	tab	,,')"_s,
            u"INSERT INTO memories_fts (id, content, tags) VALUES ('odd_spaces', 'x', '')"_s,
            u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
            "VALUES (7, 'decisions', 'user', 'active', 1767000100, 'a')"_s,
            u"INSERT INTO memories_fts (id, content, tags) VALUES ('7', 'integer id', 'a')"_s,
            u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
            "VALUES ('odd_null_content', 'decisions', 'user', 'active', 1767000100, 'a')"_s,
            u"INSERT INTO memories_fts (id, content, tags) VALUES ('odd_null_content', NULL, 'a')"_s,
        };
        for (const QString& sql : statements)
            QVERIFY2(q.exec(sql), qPrintable(sql + u": "_s + q.lastError().text()));
        // subcog's later columns, where the layout has them
        q.exec(u"UPDATE memories SET is_summary = '1' WHERE id = 'odd_int_ns'"_s);
        q.exec(u"UPDATE memories SET source_memory_ids = '[\"a\", 1]' WHERE id = 'odd_blob_tags'"_s);
    }
    QSqlDatabase::removeDatabase(name);
}
} // namespace

class TestSqliteLayouts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void exportEqualsTruth_data()
    {
        QTest::addColumn<SqliteLayout>("layout");
        for (SqliteLayout layout : allSqliteLayouts())
            QTest::newRow(qPrintable(layoutName(layout))) << layout;
    }
    void exportEqualsTruth()
    {
        QFETCH(SqliteLayout, layout);
        QTemporaryDir dir;
        GeneratorOptions options;
        options.seed = 1000 + quint64(layout);
        options.count = 240;
        const GeneratedStore store = writeSqliteStore(dir.filePath(u"index.db"_s), layout, options);
        const QByteArray hashBefore = Testing::fileHash(store.path);

        QByteArray exported;
        ExportReport report;
        {
            auto backend = SqliteBackend::open(store.path, SqliteBackend::OpenMode::ReadOnly);
            QCOMPARE(backend->count(), store.rowCount);
            report = exportAll(*backend, &exported, 37); // an odd page size crosses ties on created_at
        }
        QCOMPARE(Testing::fileHash(store.path), hashBefore);

        QString error;
        const auto records = Testing::parseJsonLines(exported, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // a memory without its full-text row is named and left out, never exported with empty content
        const qsizetype exportable = store.truth.size() - store.missingContentIds.size();
        QCOMPARE(report.written, qint64(exportable));
        QCOMPARE(records.size(), exportable);
        for (const Memory& truth : store.truth) {
            if (store.missingContentIds.contains(truth.id)) {
                QVERIFY(!records.contains(truth.id));
                continue;
            }
            QVERIFY2(records.contains(truth.id), qPrintable(u"missing "_s + truth.id));
            const QStringList diffs = Testing::diffRecords(records.value(truth.id), toJson(truth));
            QVERIFY2(diffs.isEmpty(), qPrintable(truth.id + u": "_s + diffs.join(u"; "_s)));
        }
        QStringList skipped;
        for (const RecordIssue& issue : report.skipped)
            skipped << issue.id;
        skipped.sort();
        QStringList undecodable = store.undecodableIds + store.missingContentIds;
        undecodable.sort();
        QCOMPARE(skipped, undecodable);
        QStringList orphans;
        QStringList duplicates;
        for (const RecordIssue& issue : report.storeIssues)
            (issue.reason.contains(u"without a metadata row"_s) ? orphans : duplicates) << issue.id;
        QCOMPARE(orphans, store.orphanFtsIds);
        QCOMPARE(duplicates, store.duplicateFtsIds);

        // natural order: created_at descending, then id ascending
        qint64 lastCreated = std::numeric_limits<qint64>::max();
        QString lastId;
        for (const QByteArray& line : exported.split('\n')) {
            if (line.isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            const qint64 created = o.value(u"created_at"_s).toInteger();
            const QString id = o.value(u"id"_s).toString();
            QVERIFY(created < lastCreated || (created == lastCreated && id > lastId));
            lastCreated = created;
            lastId = id;
        }
    }

    // stats() on every layout subcog wrote, legacy strings and broken rows included: the figures of the memories
    // read back (the undecodable rows, which stats counts too, are left out through the id filter)
    void statsOfEveryLayout_data()
    {
        QTest::addColumn<SqliteLayout>("layout");
        for (SqliteLayout layout : allSqliteLayouts())
            QTest::newRow(qPrintable(layoutName(layout))) << layout;
    }
    void statsOfEveryLayout()
    {
        QFETCH(SqliteLayout, layout);
        QTemporaryDir dir;
        GeneratorOptions options;
        options.seed = 2000 + quint64(layout);
        options.count = 200;
        const GeneratedStore store = writeSqliteStore(dir.filePath(u"index.db"_s), layout, options);
        if (layout == SqliteLayout::Head) {
            addOddRows(store.path);
            // one tag twice, once behind an ideographic space the reader trims: the memory counts once for it
            // (tag:twice below, where the top 20 cannot hide it)
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"stats-tags"_s);
            db.setDatabaseName(store.path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(
                q.exec(u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
                       "VALUES ('stats_tags', 'decisions', 'user', 'active', 1767000100, 'twice, twice\u3000,x')"_s));
            QVERIFY(q.exec(u"INSERT INTO memories_fts (id, content, tags) VALUES ('stats_tags', 'x', '')"_s));
            q = QSqlQuery();
            db.close();
        }
        QSqlDatabase::removeDatabase(u"stats-tags"_s);
        auto backend = SqliteBackend::open(store.path, SqliteBackend::OpenMode::ReadOnly);
        const qint64 now = 1767000000 + 100 * 86400;
        QCOMPARE(backend->stats(MemoryFilter {}, now).total, backend->count());
        const QList<Memory> read = backend->getBatch(backend->listIds());
        QVERIFY(read.size() > 150);
        for (const QString& text : {u""_s, u"ns:tech-debt"_s, u"tombstoned:only"_s, u"tag:twice"_s}) {
            MemoryFilter filter = parseFilter(text).filter;
            StatsBuilder reference(now);
            for (const Memory& m : read) {
                if (filter.matches(m)) {
                    reference.addMemory(m);
                    filter.ids << m.id;
                }
            }
            if (filter.ids.isEmpty())
                continue;
            const StoreStats actual = backend->stats(filter, now);
            const StoreStats expected = reference.finish();
            QVERIFY2(actual == expected,
                     qPrintable(text + u": "_s + QString::fromUtf8(QJsonDocument(actual.toJson()).toJson()) + u" vs "_s
                                + QString::fromUtf8(QJsonDocument(expected.toJson()).toJson())));
        }
    }

    void directLinesEqualDecodedLines_data()
    {
        QTest::addColumn<SqliteLayout>("layout");
        QTest::addColumn<bool>("shuffled");
        for (SqliteLayout layout : allSqliteLayouts())
            QTest::newRow(qPrintable(layoutName(layout))) << layout << false;
        QTest::newRow("Head, FTS rows in another order") << SqliteLayout::Head << true;
    }
    void directLinesEqualDecodedLines()
    {
        // the JSON Lines written from raw columns are byte for byte those of the general decoder, in every layout,
        // with the anomalies of spec §9 and rows of every type SQLite lets a column hold, in every order
        QFETCH(SqliteLayout, layout);
        QFETCH(bool, shuffled);
        QTemporaryDir dir;
        GeneratorOptions options;
        options.seed = 77 + quint64(layout);
        options.count = 300;
        options.shuffledFullText = shuffled;
        const GeneratedStore store = writeSqliteStore(dir.filePath(u"index.db"_s), layout, options);
        if (layout != SqliteLayout::SplitB41a806)
            addOddRows(store.path);
        auto backend = SqliteBackend::open(store.path, SqliteBackend::OpenMode::ReadOnly);
        if (layout == SqliteLayout::SplitB41a806) {
            QVERIFY(!backend->scanJsonLines(MemoryQuery {},
                                            [](const QByteArray&, qint64, QList<RecordIssue>&) { return true; }));
            return;
        }
        QList<MemoryQuery> queries;
        queries << MemoryQuery {};
        MemoryQuery ascending;
        ascending.order = Qt::AscendingOrder;
        ascending.idOrder = Qt::DescendingOrder;
        queries << ascending;
        for (SortKey key : {SortKey::Id, SortKey::Namespace, SortKey::Status}) {
            MemoryQuery q;
            q.sortKey = key;
            queries << q;
        }
        MemoryQuery filtered;
        filtered.filter = parseFilter(u"status:active"_s).filter;
        queries << filtered;
        for (MemoryQuery q : std::as_const(queries)) {
            q.withContent = true;
            for (int limit : {0, 2}) {
                backend->setTieGroupLimit(limit == 0 ? 20000 : limit); // 2: crowded seconds go to SQLite's sort
                const auto [direct, general] = bothWays(*backend, q, 53);
                QVERIFY(!general.isEmpty());
                if (direct != general) {
                    const QList<QByteArray> a = direct.split('\n');
                    const QList<QByteArray> b = general.split('\n');
                    for (qsizetype i = 0; i < qMin(a.size(), b.size()); ++i)
                        QVERIFY2(a[i] == b[i],
                                 qPrintable(u"line %1:\n"_s.arg(i + 1) + QString::fromUtf8(a[i]) + u"\n"_s
                                            + QString::fromUtf8(b[i])));
                    QCOMPARE(a.size(), b.size());
                }
            }
        }
    }

    void crowdedSecondKeepsOrderAndMemory()
    {
        // many memories in one second: past the group limit SQLite sorts that second, and the export is the same
        QTemporaryDir dir;
        const QString path = dir.filePath(u"index.db"_s);
        {
            auto backend = SqliteBackend::create(path);
            QList<Memory> batch;
            for (int i = 0; i < 600; ++i)
                batch << Testing::sampleMemory(u"m%1"_s.arg((i * 7919) % 600, 4, 10, QChar(u'0')),
                                               i < 500 ? 1767000000 : 1767000000 + i);
            backend->storeBatch(batch);
        }
        auto backend = SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly);
        MemoryQuery q;
        q.withContent = true;
        QByteArray first;
        for (qsizetype limit : {100000, 50, 1}) {
            backend->setTieGroupLimit(limit);
            const auto [direct, general] = bothWays(*backend, q, 64);
            QCOMPARE(direct.count('\n'), 600);
            QCOMPARE(direct, general);
            if (first.isEmpty())
                first = direct;
            QCOMPARE(direct, first);
        }
    }

    void largeMemoriesGoOnAloneInOrder()
    {
        // the lines are written on a second thread while this one steps SQLite: a memory of a MiB or more reaches
        // the sink by itself (shared, not copied beside its batch), every line keeps its place, also within a
        // second, the sink is called on the scanning thread only, and a sink that says stop is not called again
        QTemporaryDir dir;
        const QString path = dir.filePath(u"index.db"_s);
        {
            auto backend = SqliteBackend::create(path);
            QList<Memory> batch;
            for (int i = 0; i < 300; ++i) {
                Memory m
                    = Testing::sampleMemory(u"m%1"_s.arg((i * 7919) % 300, 4, 10, QChar(u'0')), 1767000000 + i / 4);
                if (i % 37 == 5)
                    m.content = QString(1 << 20, u'x') + QString::number(i);
                batch << m;
            }
            backend->storeBatch(batch);
        }
        auto backend = SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly);
        MemoryQuery q;
        q.withContent = true;
        const auto [direct, general] = bothWays(*backend, q, 16);
        QCOMPARE(direct.count('\n'), 300);
        QCOMPARE(direct, general);

        QList<QByteArray> calls;
        QList<qint64> counts;
        bool elsewhere = false;
        QVERIFY(backend->scanJsonLines(
            q,
            [&](const QByteArray& lines, qint64 count, QList<RecordIssue>&) {
                calls << lines;
                counts << count;
                elsewhere = elsewhere || QThread::currentThread() != thread();
                return true;
            },
            16));
        QVERIFY(!elsewhere);
        QCOMPARE(calls.join(), direct);
        int large = 0;
        for (qsizetype i = 0; i < calls.size(); ++i) {
            QCOMPARE(calls[i].count('\n'), counts[i]);
            if (calls[i].size() >= 1 << 20) {
                QCOMPARE(counts[i], 1);
                ++large;
            }
        }
        QCOMPARE(large, 8);

        int seen = 0;
        QVERIFY(backend->scanJsonLines(
            q, [&](const QByteArray&, qint64, QList<RecordIssue>&) { return ++seen < 3; }, 16));
        QCOMPARE(seen, 3);
    }

    void invalidUtf8IsNamedWithItsField()
    {
        // SQLite stores whatever bytes it is given; invalid UTF-8 reads as U+FFFD, and every read that decodes it
        // (export's JSON Lines path, pages, lookups by id) names the memory and the field
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 20;
        options.anomalies = false;
        const GeneratedStore store = writeSqliteStore(dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"bytes-writer"_s);
            db.setDatabaseName(store.path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            const QStringList statements {
                u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
                "VALUES ('bad_content', 'decisions', 'project', 'active', 1767000100, 'a')"_s,
                u"INSERT INTO memories_fts (id, content, tags) VALUES ('bad_content', CAST(X'61FF62' AS TEXT), 'a')"_s,
                u"INSERT INTO memories (id, namespace, domain, status, created_at, tags, branch) "
                "VALUES ('bad_branch', 'decisions', 'project', 'active', 1767000100, 'a', CAST(X'6DC0' AS TEXT))"_s,
                u"INSERT INTO memories_fts (id, content, tags) VALUES ('bad_branch', 'text', 'a')"_s,
                // a stray continuation byte, which Qt's driver would read as U+0080
                u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
                "VALUES ('stray_byte', 'decisions', 'project', 'active', 1767000100, CAST(X'6180' AS TEXT))"_s,
                u"INSERT INTO memories_fts (id, content, tags) VALUES ('stray_byte', 'text', 'a')"_s,
                // valid text with U+FFFD and Latin-1 punctuation is no finding
                u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
                "VALUES ('fine_text', 'decisions', 'project', 'active', 1767000100, 'a')"_s,
                u"INSERT INTO memories_fts (id, content, tags) VALUES ('fine_text', '� «©°»', 'a')"_s,
            };
            for (const QString& sql : statements)
                QVERIFY2(q.exec(sql), qPrintable(sql + u": "_s + q.lastError().text()));
        }
        QSqlDatabase::removeDatabase(u"bytes-writer"_s);
        const QStringList expected {u"bad_branch: branch"_s, u"bad_content: content"_s, u"stray_byte: tags"_s};
        auto named = [](const QList<RecordIssue>& issues) {
            QStringList out;
            for (const RecordIssue& issue : issues) {
                if (issue.reason.contains(u"not valid UTF-8"_s) && !issue.unreadable)
                    out << issue.id + u": "_s + issue.reason.section(u' ', 0, 0);
            }
            out.sort();
            return out;
        };
        auto backend = SqliteBackend::open(store.path, SqliteBackend::OpenMode::ReadOnly);
        QByteArray out;
        const ExportReport report = exportAll(*backend, &out);
        QCOMPARE(report.written, qint64(24)); // written, with U+FFFD, and named
        QVERIFY(report.skipped.isEmpty());
        QCOMPARE(named(report.warnings), expected);
        QCOMPARE(Testing::parseJsonLines(out).value(u"bad_content"_s).value(u"content"_s).toString(), u"a\uFFFDb"_s);
        QList<RecordIssue> issues;
        backend->getBatch({u"bad_content"_s, u"bad_branch"_s, u"stray_byte"_s, u"fine_text"_s}, &issues);
        QCOMPARE(named(issues), expected);
        MemoryQuery page;
        page.limit = 100;
        QCOMPARE(named(backend->query(page).issues), expected);
    }

    void integerFullTextIdIsNoOrphan()
    {
        // an external writer bound the id as an integer: memories keeps it as text (column affinity), the FTS row as
        // an integer; the memory is read with its content, so no "without a metadata row" warning may appear
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 20;
        options.anomalies = false;
        const GeneratedStore store = writeSqliteStore(dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"int-writer"_s);
            db.setDatabaseName(store.path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
                           "VALUES (1767031535646420000, 'decisions', 'project', 'active', 1767000100, 'a')"_s));
            QVERIFY(q.exec(u"INSERT INTO memories_fts (id, content, tags) "
                           "VALUES (1767031535646420000, 'integer id text', 'a')"_s));
        }
        QSqlDatabase::removeDatabase(u"int-writer"_s);
        auto backend = SqliteBackend::open(store.path, SqliteBackend::OpenMode::ReadOnly);
        QByteArray out;
        const ExportReport report = exportAll(*backend, &out);
        QCOMPARE(report.written, qint64(21));
        const auto records = Testing::parseJsonLines(out);
        QCOMPARE(records.value(u"1767031535646420000"_s).value(u"content"_s).toString(), u"integer id text"_s);
        QStringList warnings;
        for (const RecordIssue& issue : report.storeIssues)
            warnings << issue.id + u": "_s + issue.reason;
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(u'\n')));
        QVERIFY(backend->storeIssues().isEmpty());
    }

    void wholeScanSparesTheIntegrityQuery()
    {
        // after a whole export found one FTS row per memory, storeIssues has nothing to add until the store changes
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 50;
        options.anomalies = false;
        const GeneratedStore store = writeSqliteStore(dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
        auto backend = SqliteBackend::open(store.path, SqliteBackend::OpenMode::ReadWrite);
        QByteArray out;
        const ExportReport report = exportAll(*backend, &out);
        QCOMPARE(report.written, qint64(50));
        QVERIFY(report.storeIssues.isEmpty());
        QVERIFY(backend->storeIssues().isEmpty());
        {
            // another process leaves an orphaned FTS row: the next check sees it
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"other-writer"_s);
            db.setDatabaseName(store.path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"INSERT INTO memories_fts (id, content, tags) VALUES ('ghost', 'boo', '')"_s));
        }
        QSqlDatabase::removeDatabase(u"other-writer"_s);
        const QList<RecordIssue> issues = backend->storeIssues();
        QCOMPARE(issues.size(), 1);
        QCOMPARE(issues.first().id, u"ghost"_s);
        // and an export of that store reports it too
        QCOMPARE(exportAll(*backend, &out).storeIssues.size(), 1);
    }

    void flagsAndLookups()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 120;
        const GeneratedStore store = writeSqliteStore(dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
        auto backend = SqliteBackend::open(store.path, SqliteBackend::OpenMode::ReadOnly);
        QVERIFY(backend->isReadOnly());
        QVERIFY(backend->get(u"anomaly_nofts_1"_s)->flags.testFlag(MemoryFlag::MissingContent));
        QVERIFY(backend->get(u"anomaly_dupfts"_s)->flags.testFlag(MemoryFlag::DuplicateContent));
        QCOMPARE(backend->get(u"anomaly_dupfts"_s)->content, u"first copy"_s);
        QVERIFY(backend->get(u"anomaly_ns_3"_s)->flags.testFlag(MemoryFlag::UnknownNamespace));
        QVERIFY(backend->get(u"anomaly_ns_1"_s)->flags.testFlag(MemoryFlag::NonCanonicalNamespace));
        QVERIFY(backend->get(u"anomaly_status_0"_s)->flags.testFlag(MemoryFlag::NonCanonicalStatus));
        QVERIFY(backend->get(u"anomaly_sources_1"_s)->flags.testFlag(MemoryFlag::InvalidSourceMemoryIds));
        QVERIFY(backend->get(u"anomaly_tags_2"_s)->flags.testFlag(MemoryFlag::MessyTags));
        QVERIFY(backend->get(u"anomaly_domain_0"_s)->flags.testFlag(MemoryFlag::LegacyDomain));
        // ids the FTS index cannot tokenise, and ids whose tokens other ids share
        for (const QString& id :
             {u"🦀🦀"_s, u"***"_s, u"abc"_s, u"abc-def"_s, u"quote\"id"_s, u"OR"_s, u"NEAR"_s}) {
            const auto m = backend->get(id);
            QVERIFY2(m, qPrintable(id));
            QCOMPARE(m->id, id);
            QCOMPARE(m->content, u"anomaly row "_s + id);
        }
        QVERIFY(!backend->get(u"anomaly_orphan_1"_s)); // an FTS row alone is not a memory
        QVERIFY(!backend->get(u"ABC"_s)); // the FTS match is case-insensitive, ids are not
        try {
            backend->get(u"anomaly_bad_created"_s);
            QFAIL("an undecodable record must be reported");
        } catch (const StorageError& e) {
            QVERIFY(e.message().contains(u"created_at"_s));
        }
        // a batch in any order, with unknown ids and duplicates
        QStringList ids;
        for (qsizetype i = store.truth.size() - 1; i >= 0; i -= 3)
            ids << store.truth[i].id;
        ids << u"nope"_s << ids.first();
        QList<RecordIssue> issues;
        const QList<Memory> batch = backend->getBatch(ids + QStringList {u"anomaly_bad_created"_s}, &issues);
        QCOMPARE(batch.size(), ids.size() - 2);
        for (qsizetype i = 0; i < batch.size(); ++i)
            QCOMPARE(batch[i].id, ids[i]);
        QCOMPARE(issues.size(), 1);
        QCOMPARE(issues.first().id, u"anomaly_bad_created"_s);
    }

    void updateKeepsEdgesAndHardDeleteCascades()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"index.db"_s);
        std::unique_ptr<PersistenceBackend> m_backend = SqliteBackend::create(path);
        auto storable = [](Memory m) {
            m.updatedAt = m.createdAt;
            return m;
        };
        m_backend->store(storable(Testing::sampleMemory(u"s1"_s)));
        m_backend->store(storable(Testing::sampleMemory(u"s2"_s)));
        m_backend.reset();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"side"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"ALTER TABLE memories ADD COLUMN future_field TEXT"_s));
            QVERIFY(q.exec(u"UPDATE memories SET future_field = 'keep me'"_s));
            QVERIFY(q.exec(
                u"INSERT INTO memory_edges VALUES ('s1', 's2', 'summarized_by', 1), ('s2', 's1', 'source_of', 1)"_s));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"side"_s);
        m_backend = SqliteBackend::open(path);
        Memory m = *m_backend->get(u"s1"_s);
        m.content = u"edited"_s;
        m.status = u"archived"_s;
        m_backend->store(m);
        m_backend.reset();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"side"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"SELECT future_field FROM memories WHERE id = 's1'"_s) && q.next());
            QCOMPARE(q.value(0).toString(), u"keep me"_s);
            QVERIFY(q.exec(u"SELECT COUNT(*) FROM memory_edges"_s) && q.next());
            QCOMPARE(q.value(0).toInt(), 2);
            QVERIFY(q.exec(u"SELECT COUNT(*) FROM memories_fts WHERE id = 's1'"_s) && q.next());
            QCOMPARE(q.value(0).toInt(), 1);
            QVERIFY(q.exec(u"SELECT content, tags FROM memories_fts WHERE id = 's1'"_s) && q.next());
            QCOMPARE(q.value(0).toString(), u"edited"_s);
            QVERIFY(q.exec(u"PRAGMA journal_mode"_s) && q.next());
            QCOMPARE(q.value(0).toString(), u"wal"_s);
            db.close();
        }
        QSqlDatabase::removeDatabase(u"side"_s);
        m_backend = SqliteBackend::open(path);
        QVERIFY(m_backend->remove(u"s1"_s)); // a hard delete cascades to the edges, as in subcog
        m_backend.reset();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"side"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"SELECT COUNT(*) FROM memory_edges"_s) && q.next());
            QCOMPARE(q.value(0).toInt(), 0);
            QVERIFY(q.exec(u"SELECT COUNT(*) FROM memories_fts WHERE id = 's1'"_s) && q.next());
            QCOMPARE(q.value(0).toInt(), 0);
            db.close();
        }
        QSqlDatabase::removeDatabase(u"side"_s);
        m_backend = SqliteBackend::open(path);
    }

    void olderLayoutRefusesFieldsItCannotHold()
    {
        QTemporaryDir dir;
        Fixtures::GeneratorOptions options;
        options.count = 5;
        options.anomalies = false;
        const auto store = Fixtures::writeSqliteStore(dir.filePath(u"old.db"_s), Fixtures::SqliteLayout::V0_3, options);
        auto old = SqliteBackend::open(store.path);
        Memory m = *old->get(store.truth.first().id);
        m.content = u"edited in an old store"_s;
        old->store(m); // fields the layout has: fine
        QCOMPARE(old->get(m.id)->content, m.content);
        m.expiresAt = 1900000000;
        try {
            old->store(m);
            QFAIL("expected InvalidInput");
        } catch (const StorageError& e) {
            QCOMPARE(e.kind(), StorageError::Kind::InvalidInput);
            QVERIFY(e.message().contains(u"expires_at"_s));
        }
        QVERIFY(!old->get(m.id)->expiresAt);
    }
    void repairingAnUndecodableRecord()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 40;
        const GeneratedStore store = writeSqliteStore(dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
        auto backend = SqliteBackend::open(store.path);
        const qint64 before = backend->count();
        QVERIFY_THROWS_EXCEPTION(StorageError, backend->get(u"anomaly_bad_created"_s));
        Memory fixed = Testing::sampleMemory(u"anomaly_bad_created"_s);
        fixed.updatedAt = fixed.createdAt;
        backend->store(fixed); // the broken row is rewritten whole, not inserted twice
        QVERIFY(backend->get(u"anomaly_bad_created"_s)->sameFields(fixed));
        QCOMPARE(backend->count(), before);
        QCOMPARE(backend->getBatch({u"anomaly_bad_created"_s}).size(), 1);
    }

    void fullTextRowsInAnotherOrder()
    {
        // FTS rowids that do not follow the memories rowids: the guessed offset misses, the id table takes over
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 400;
        options.shuffledFullText = true;
        const GeneratedStore store = writeSqliteStore(dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
        auto backend = SqliteBackend::open(store.path, SqliteBackend::OpenMode::ReadOnly);
        QByteArray exported;
        exportAll(*backend, &exported, 50);
        const auto records = Testing::parseJsonLines(exported);
        QCOMPARE(records.size(), store.truth.size() - store.missingContentIds.size());
        for (const Memory& truth : store.truth)
            QVERIFY2(store.missingContentIds.contains(truth.id)
                         || Testing::diffRecords(records.value(truth.id), toJson(truth)).isEmpty(),
                     qPrintable(truth.id));
        QStringList ids;
        for (const Memory& m : store.truth)
            ids.prepend(m.id);
        const QList<Memory> batch = backend->getBatch(ids);
        QCOMPARE(batch.size(), ids.size());
        QVERIFY(backend->getBatch({u"anomaly_dupfts"_s}).first().flags.testFlag(MemoryFlag::DuplicateContent));
        QCOMPARE(backend->getBatch({u"anomaly_dupfts"_s}).first().content, u"first copy"_s);
    }

    void fullTextPlansGiveTheExactRows_data()
    {
        QTest::addColumn<bool>("anomalies");
        QTest::addColumn<bool>("shuffled");
        QTest::newRow("pairs at equal rowids") << false << false;
        QTest::newRow("duplicate, orphan and missing FTS rows") << true << false;
        QTest::newRow("FTS rowids in another order") << true << true;
    }

    void fullTextPlansGiveTheExactRows()
    {
        // Every full-text plan must give exactly the rows of `m.id IN (SELECT id … MATCH)`: a memory matches when
        // ANY of its FTS rows has the words. The reference is MemoryFilter::matches on each of
        // those rows' texts.
        QFETCH(bool, anomalies);
        QFETCH(bool, shuffled);
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 240;
        options.anomalies = anomalies;
        options.shuffledFullText = shuffled;
        options.largeMemories = 0;
        const GeneratedStore store = writeSqliteStore(dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
        const QString writer = u"fts-plans-writer"_s;
        QHash<QString, QStringList> texts; // id → the content of each of its FTS rows
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, writer);
            db.setDatabaseName(store.path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            if (anomalies) {
                // rows at explicit rowids, the FTS rows at one offset from their memories, duplicates elsewhere
                QVERIFY(q.exec(u"SELECT (SELECT max(rowid) FROM memories), (SELECT max(rowid) FROM memories_fts)"_s)
                        && q.next());
                const qint64 m = q.value(0).toLongLong() + 10;
                const qint64 f = q.value(1).toLongLong() + 50;
                struct Extra
                {
                    QVariant id; // as the FTS row holds it
                    QString memoryId;
                    QString text;
                    std::optional<QString> copy; ///< a second FTS row, at another rowid
                };
                const QList<Extra> extras {
                    {u"dup_second"_s, u"dup_second"_s, u"plain words"_s, u"zebra second copy"_s},
                    {qint64(777), u"777"_s, u"zebra integer"_s, std::nullopt},
                    {u"-+-"_s, u"-+-"_s, u"zebra tokenless"_s, std::nullopt},
                    {u"dup_first"_s, u"dup_first"_s, u"zebra first copy"_s, u"plain copy"_s},
                    {u"fine_last"_s, u"fine_last"_s, u"zebra last"_s, std::nullopt},
                };
                for (qsizetype k = 0; k < extras.size(); ++k) {
                    const Extra& e = extras[k];
                    q.prepare(u"INSERT INTO memories (rowid, id, namespace, domain, status, created_at, tags) "
                              "VALUES (?, ?, 'decisions', 'project', 'active', ?, 'a')"_s);
                    q.addBindValue(m + k);
                    q.addBindValue(e.memoryId);
                    q.addBindValue(qint64(1767000000) + k);
                    QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
                    auto fts = [&](qint64 rowid, const QString& text) {
                        q.prepare(u"INSERT INTO memories_fts (rowid, id, content, tags) VALUES (?, ?, ?, 'a')"_s);
                        q.addBindValue(rowid);
                        q.addBindValue(e.id);
                        q.addBindValue(text);
                        return q.exec();
                    };
                    QVERIFY(fts(f + k, e.text));
                    if (e.copy)
                        QVERIFY(fts(f + 100 + k, *e.copy));
                }
                // an orphan FTS row that has the words, and a memory without any FTS row
                QVERIFY(q.exec(u"INSERT INTO memories_fts (id, content, tags) VALUES ('ghost', 'zebra orphan', '')"_s));
                QVERIFY(q.exec(u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
                               "VALUES ('zebra_nofts', 'decisions', 'project', 'active', 1767000100, 'a')"_s));
            }
            // only text ids: `IN` compares an integer FTS id unequal to the memories row's text id, so the exact
            // plan never found 777's row (reading its content does, by another route)
            QVERIFY(q.exec(u"SELECT id, content FROM memories_fts WHERE typeof(id) = 'text' ORDER BY rowid"_s));
            while (q.next())
                texts[q.value(0).toString()] << q.value(1).toString();
        }
        QSqlDatabase::removeDatabase(writer);

        auto backend = SqliteBackend::open(store.path, SqliteBackend::OpenMode::ReadOnly);
        // the words: the most common content token, one in very few memories, and the anomaly rows' words
        QHash<QString, int> frequency;
        for (const QStringList& list : std::as_const(texts)) {
            QSet<QString> seen;
            for (const QString& text : list) {
                for (const QString& token :
                     text.toLower().split(QRegularExpression(u"[^a-z0-9]+"_s), Qt::SkipEmptyParts))
                    seen.insert(token);
            }
            for (const QString& token : std::as_const(seen))
                ++frequency[token];
        }
        QString dense;
        QString rare;
        for (auto it = frequency.cbegin(); it != frequency.cend(); ++it) {
            if (dense.isEmpty() || it.value() > frequency[dense]
                || (it.value() == frequency[dense] && it.key() < dense))
                dense = it.key();
            // a word (not a number) in the fewest memories
            const bool word = it.key().size() > 3 && !it.key().front().isDigit();
            if (word
                && (rare.isEmpty() || it.value() < frequency[rare]
                    || (it.value() == frequency[rare] && it.key() < rare)))
                rare = it.key();
        }
        QVERIFY(frequency[dense] * 2 > texts.size());
        QVERIFY(!rare.isEmpty());
        QList<QStringList> wordSets {{dense}, {rare}, {dense, rare}};
        if (anomalies)
            wordSets << QStringList {u"zebra"_s} << QStringList {u"second"_s} << QStringList {u"copy"_s};

        for (const SortKey sortKey : {SortKey::CreatedAt, SortKey::Id}) {
            MemoryQuery all;
            all.sortKey = sortKey;
            all.order = sortKey == SortKey::Id ? Qt::AscendingOrder : Qt::DescendingOrder;
            all.limit = 100000;
            all.withContent = false;
            const QList<Memory> everything = backend->query(all).memories;
            for (const QStringList& words : std::as_const(wordSets)) {
                MemoryFilter filter;
                filter.words = words;
                QStringList expected;
                for (Memory m : everything) {
                    const QStringList list = texts.value(m.id);
                    if (std::any_of(list.begin(), list.end(), [&](const QString& text) {
                            m.content = text;
                            return filter.matches(m);
                        }))
                        expected << m.id;
                }
                for (const auto plan : {SqliteBackend::FullTextPlan::Auto, SqliteBackend::FullTextPlan::Exact,
                                        SqliteBackend::FullTextPlan::RowidSet, SqliteBackend::FullTextPlan::Walk,
                                        SqliteBackend::FullTextPlan::Aligned}) {
                    backend->setFullTextPlan(plan);
                    const QString what = words.join(u' ') + u", plan "_s + QString::number(int(plan)) + u", sort "_s
                        + QString::number(int(sortKey));
                    const qint64 counted = backend->count(filter);
                    QVERIFY2(counted == expected.size(),
                             qPrintable(what + u": counted "_s + QString::number(counted) + u", expected "_s
                                        + QString::number(expected.size())));
                    MemoryQuery page = all;
                    page.filter = filter;
                    page.limit = 7;
                    QStringList paged;
                    for (int guard = 0; guard < 1000; ++guard) {
                        const Page p = backend->query(page);
                        for (const Memory& m : p.memories)
                            paged << m.id;
                        if (!p.next)
                            break;
                        page.after = p.next;
                    }
                    QVERIFY2(paged == expected, qPrintable(what));
                    for (const qint64 skip : {qint64(0), qint64(5), qint64(expected.size() / 2)}) {
                        MemoryQuery skipped = all;
                        skipped.filter = filter;
                        skipped.limit = 9;
                        skipped.skip = skip;
                        QStringList ids;
                        for (const Memory& m : backend->query(skipped).memories)
                            ids << m.id;
                        QVERIFY2(ids == expected.mid(skip, 9), qPrintable(what));
                    }
                    MemoryQuery last = all;
                    last.filter = filter;
                    last.limit = 6;
                    last.fromEnd = true;
                    QStringList ids;
                    for (const Memory& m : backend->query(last).memories)
                        ids << m.id;
                    QVERIFY2(ids == expected.mid(qMax<qsizetype>(0, expected.size() - 6)), qPrintable(what));
                }
            }
        }
    }

    void fullTextCountSeesLaterWrites()
    {
        // what a count proved about the FTS rows (every match at its memory's rowid) holds for one data_version:
        // rows written afterwards, by another connection or by this one, are counted and listed again
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 60;
        options.anomalies = false;
        options.largeMemories = 0;
        const GeneratedStore store = writeSqliteStore(dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
        auto backend = SqliteBackend::open(store.path, SqliteBackend::OpenMode::ReadWrite);
        MemoryFilter filter;
        filter.words = {u"yak"_s};
        auto ids = [&] {
            MemoryQuery q;
            q.filter = filter;
            q.withContent = false;
            QStringList list;
            for (const Memory& m : backend->query(q).memories)
                list << m.id;
            list.sort();
            return list;
        };
        // Aligned: pages use the matching rowids alone while the last count proved that exact
        backend->setFullTextPlan(SqliteBackend::FullTextPlan::Aligned);
        QCOMPARE(backend->count(filter), qint64(0));
        QVERIFY(ids().isEmpty());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"yak-writer"_s);
            db.setDatabaseName(store.path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            // a memory whose FTS row sits far from its rowid, and a second FTS row for an existing memory; the
            // newest and oldest memories keep their pairs, so the rowid offset stays what the count proved
            QVERIFY(q.exec(u"INSERT INTO memories (rowid, id, namespace, domain, status, created_at, tags) "
                           "VALUES (-5, 'yak_far', 'decisions', 'project', 'active', 1767000100, 'a')"_s));
            QVERIFY(q.exec(
                u"INSERT INTO memories_fts (rowid, id, content, tags) VALUES (5000, 'yak_far', 'a yak', 'a')"_s));
            QVERIFY(q.exec(u"INSERT INTO memories_fts (id, content, tags) SELECT id, 'yak again', '' FROM memories "
                           "WHERE id <> 'yak_far' ORDER BY rowid LIMIT 1"_s));
        }
        QSqlDatabase::removeDatabase(u"yak-writer"_s);
        const QString first = store.truth.first().id;
        QCOMPARE(ids(), (QStringList {first, u"yak_far"_s}));
        QCOMPARE(backend->count(filter), qint64(2));
        QCOMPARE(ids(), (QStringList {first, u"yak_far"_s}));
        backend->setFullTextPlan(SqliteBackend::FullTextPlan::Auto);
        QCOMPARE(backend->count(filter), qint64(2));
        Memory own = store.truth.last();
        own.id = u"yak_own"_s;
        own.content = u"my yak"_s;
        backend->setFullTextPlan(SqliteBackend::FullTextPlan::Aligned);
        backend->store(own);
        QCOMPARE(ids(), (QStringList {first, u"yak_far"_s, u"yak_own"_s}));
        QCOMPARE(backend->count(filter), qint64(3));
        QCOMPARE(ids(), (QStringList {first, u"yak_far"_s, u"yak_own"_s}));
    }

    void walDataIsSeen()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 100;
        options.anomalies = false;
        const GeneratedStore store = writeSqliteStore(dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
        QVERIFY(QFileInfo(store.path + u"-wal"_s).size() > 0);
        auto backend = SqliteBackend::open(store.path, SqliteBackend::OpenMode::ReadOnly);
        QCOMPARE(backend->count(), qint64(100));
        const Memory& newest = store.truth.last(); // written after the checkpoint
        const auto m = backend->get(newest.id);
        QVERIFY(m);
        QCOMPARE(m->content, newest.content);
    }
};

QTEST_GUILESS_MAIN(TestSqliteLayouts)
#include "tst_sqlitelayouts.moc"
