// SPDX-License-Identifier: MIT
// Every historical SQLite layout of subcog, with the anomalies of spec §9, read back against the ground truth.
#include "exporter.h"
#include "fixturegenerator.h"
#include "sqlite/sqlitebackend.h"
#include "testhelpers.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Fixtures;

Q_DECLARE_METATYPE(Inspector::Fixtures::SqliteLayout)

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
            QBuffer buffer(&exported);
            buffer.open(QIODevice::WriteOnly);
            report = Exporter(*backend, ExportFormat::JsonLines, 37)
                         .run(MemoryFilter {}, buffer); // an odd page size crosses ties on created_at
        }
        QCOMPARE(Testing::fileHash(store.path), hashBefore);

        QString error;
        const auto records = Testing::parseJsonLines(exported, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(report.written, qint64(store.truth.size()));
        QCOMPARE(records.size(), store.truth.size());
        for (const Memory& truth : store.truth) {
            QVERIFY2(records.contains(truth.id), qPrintable(u"missing "_s + truth.id));
            const QStringList diffs = Testing::diffRecords(records.value(truth.id), toJson(truth));
            QVERIFY2(diffs.isEmpty(), qPrintable(truth.id + u": "_s + diffs.join(u"; "_s)));
        }
        QStringList skipped;
        for (const RecordIssue& issue : report.skipped)
            skipped << issue.id;
        skipped.sort();
        QStringList undecodable = store.undecodableIds;
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
        QBuffer buffer(&exported);
        buffer.open(QIODevice::WriteOnly);
        Exporter(*backend, ExportFormat::JsonLines, 50).run(MemoryFilter {}, buffer);
        const auto records = Testing::parseJsonLines(exported);
        QCOMPARE(records.size(), store.truth.size());
        for (const Memory& truth : store.truth)
            QVERIFY2(Testing::diffRecords(records.value(truth.id), toJson(truth)).isEmpty(), qPrintable(truth.id));
        QStringList ids;
        for (const Memory& m : store.truth)
            ids.prepend(m.id);
        const QList<Memory> batch = backend->getBatch(ids);
        QCOMPARE(batch.size(), ids.size());
        QVERIFY(backend->getBatch({u"anomaly_dupfts"_s}).first().flags.testFlag(MemoryFlag::DuplicateContent));
        QCOMPARE(backend->getBatch({u"anomaly_dupfts"_s}).first().content, u"first copy"_s);
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
