// SPDX-License-Identifier: MIT
// `subcog-inspector check` on real PostgreSQL databases (the CTest fixture's server): every class that applies to
// PostgreSQL planted once, clean generated stores of both layouts, the legacy variants that are not damage (spec §9),
// and databases that cannot be checked.
#include "checkcli.h"
#include "fixturegenerator.h"
#include "health/postgrescheck.h"
#include "memory.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Fixtures;
using namespace Inspector::Testing;

Q_DECLARE_METATYPE(Inspector::Fixtures::PostgresLayout)

namespace {

/// A SQL string literal (test data only; the checker itself binds every value).
QString lit(const QString& text)
{
    return u'\'' + QString(text).replace(u'\'', u"''"_s) + u'\'';
}

QString textArray(const QStringList& items)
{
    QStringList quoted;
    for (const QString& item : items)
        quoted << lit(item);
    return u"ARRAY["_s + quoted.join(u", "_s) + u"]::text[]"_s;
}

const QString kProjectJson = u"{\"organization\":null,\"project\":null,\"repository\":null}"_s;

/// One memories row of HEAD's layout; every field a SQL expression, so NULLs and odd values go in as given.
struct Row
{
    QString id;
    QString content;
    QString tags {}; ///< default: an array of the content's hash tag
    QString ns = lit(u"decisions"_s);
    QString domain = lit(kProjectJson);
    QString status = lit(u"active"_s);
    QString createdAt = u"1700000000"_s;
    QString tombstonedAt = u"NULL"_s;
    QString expiresAt = u"NULL"_s;
    QString isSummary = u"false"_s;
    QString sourceIds = u"NULL"_s;
};

QString insert(const Row& r)
{
    return u"INSERT INTO memories (id, content, namespace, domain, status, tags, created_at, updated_at, "
           "tombstoned_at, expires_at, is_summary, source_memory_ids) VALUES ("_s
        + QStringList {lit(r.id),   lit(r.content), r.ns,
                       r.domain,    r.status,       r.tags.isEmpty() ? textArray({contentHashTag(r.content)}) : r.tags,
                       r.createdAt, r.createdAt,    r.tombstonedAt,
                       r.expiresAt, r.isSummary,    r.sourceIds}
              .join(u", "_s)
        + u");\n"_s;
}

// memory_vectors as subcog creates it, with TEXT standing in for pgvector's type (not installed here), and the
// graph tables of spec §14.1
const QString kSideTables = uR"sql(
CREATE TABLE memory_vectors (id TEXT PRIMARY KEY, embedding TEXT,
    created_at BIGINT NOT NULL DEFAULT EXTRACT(EPOCH FROM NOW())::BIGINT);
CREATE TABLE graph_entities (id TEXT PRIMARY KEY, entity_type TEXT NOT NULL, name TEXT NOT NULL, aliases TEXT,
    domain_org TEXT, domain_project TEXT, domain_repo TEXT, confidence DOUBLE PRECISION NOT NULL DEFAULT 1.0,
    valid_time_start BIGINT, valid_time_end BIGINT, transaction_time BIGINT NOT NULL, properties TEXT,
    mention_count INTEGER NOT NULL DEFAULT 0);
CREATE TABLE graph_entity_mentions (entity_id TEXT NOT NULL REFERENCES graph_entities(id) ON DELETE CASCADE,
    memory_id TEXT NOT NULL, confidence DOUBLE PRECISION, start_offset BIGINT, end_offset BIGINT, matched_text TEXT,
    transaction_time BIGINT NOT NULL, PRIMARY KEY (entity_id, memory_id));
INSERT INTO graph_entities (id, entity_type, name, transaction_time, mention_count)
    VALUES ('ent_18f3a_0badcafe', 'technology', 'PostgreSQL', 1700000000, 1);
)sql"_s;

} // namespace

class TestPostgresStoreCheck : public QObject
{
    Q_OBJECT
    PostgresServer* m_server = nullptr;
    QTemporaryDir m_dir;

    /// A new database with subcog's HEAD tables (migration 1, as the inspector creates them).
    QString headStore()
    {
        const QString db = m_server->createDatabase(u"chk"_s);
        PostgresBackend::createSchema(m_server->url(db));
        return db;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QFile::exists(qEnvironmentVariable("INSPECTOR_BINARY")));
        if (postgresBinDir().isEmpty() && qEnvironmentVariableIsEmpty("INSPECTOR_PG_URL_FILE"))
            QSKIP("PostgreSQL 15 is not installed");
        m_server = &PostgresServer::shared();
    }

    void eachPlantedClassOnce()
    {
        const QString db = headStore();
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QString sql = kSideTables;
        sql += insert({.id = u"fine"_s, .content = u"nothing wrong here"_s});
        sql += insert({.id = u"mt"_s, .content = u"messy"_s, .tags = textArray({u" a "_s, u""_s, u"b"_s})});
        sql += insert({.id = u"mn"_s, .content = u"null tags"_s, .tags = u"NULL"_s});
        sql += insert({.id = u"ld"_s, .content = u"global domain"_s, .domain = lit(u"global"_s)});
        sql += insert({.id = u"ud"_s, .content = u"display string domain"_s, .domain = lit(u"user"_s)});
        sql += insert({.id = u"nn"_s, .content = u"alias namespace"_s, .ns = lit(u"tech_debt"_s)});
        sql += insert({.id = u"un"_s, .content = u"unknown namespace"_s, .ns = lit(u"musings"_s)});
        sql += insert({.id = u"ns"_s, .content = u"status in capitals"_s, .status = lit(u"ARCHIVED"_s)});
        sql += insert({.id = u"us"_s, .content = u"unknown status"_s, .status = lit(u"maybe"_s)});
        sql += insert({.id = u"ht"_s, .content = u"half a tombstone"_s, .tombstonedAt = u"1700000100"_s});
        sql += insert({.id = u"ea"_s, .content = u"expired"_s, .expiresAt = u"1700000100"_s});
        sql += insert({.id = u"bs"_s, .content = u"null is_summary"_s, .isSummary = u"NULL"_s});
        sql += insert({.id = u"bm"_s,
                       .content = u"summary of a lost memory"_s,
                       .tags = u"'{}'"_s,
                       .isSummary = u"true"_s,
                       .sourceIds = lit(u"[\"fine\", \"lost\"]"_s)});
        sql += insert({.id = u"bt"_s, .content = u"from the future"_s, .createdAt = QString::number(now + 86400)});
        sql += insert({.id = u"sh"_s,
                       .content = u"edited later"_s,
                       .tags = textArray({u"x"_s, u"hash:sha256:0000000000000000"_s})});
        sql += insert({.id = u"dm1"_s, .content = u"Same  Text"_s, .createdAt = u"1600000000"_s});
        sql += insert({.id = u"dm2"_s, .content = u"same text"_s});
        sql += insert({.id = u"mv"_s, .content = u"never embedded"_s});
        // every memory has its vector but mv; one vector and one mention are of memories that are gone
        sql += u"INSERT INTO memory_vectors (id, embedding) SELECT id, '[0.5]' FROM memories WHERE id <> 'mv';\n"
               "INSERT INTO memory_vectors (id, embedding) VALUES ('gone-memory', '[0.25]');\n"
               "INSERT INTO graph_entity_mentions (entity_id, memory_id, transaction_time) VALUES "
               "('ent_18f3a_0badcafe', 'fine', 1700000000), ('ent_18f3a_0badcafe', 'ghost-mention', 1700000000);\n"
               "DROP INDEX memories_status_idx;\n"
               "DROP TRIGGER memories_search_vector_trigger ON memories;\n"_s;
        m_server->runSql(db, sql);
        expectFindings(m_server->url(db),
                       {
                           {u"messy-tags"_s, u"mt"_s},
                           {u"messy-tags"_s, u"mn"_s},
                           {u"legacy-domain"_s, u"ld"_s},
                           {u"unreadable-domain"_s, u"ud"_s},
                           {u"noncanonical-namespace"_s, u"nn"_s},
                           {u"unknown-namespace"_s, u"un"_s},
                           {u"noncanonical-status"_s, u"ns"_s},
                           {u"unknown-status"_s, u"us"_s},
                           {u"half-tombstoned"_s, u"ht"_s},
                           {u"expired-active"_s, u"ea"_s},
                           {u"bad-summary"_s, u"bs"_s},
                           {u"bad-summary"_s, u"bm"_s},
                           {u"bad-time"_s, u"bt"_s},
                           {u"stale-hash-tag"_s, u"sh"_s},
                           {u"duplicate-memory"_s, u"dm2"_s},
                           {u"missing-vector"_s, u"mv"_s},
                           {u"orphan-vector"_s, u"gone-memory"_s},
                           {u"orphan-mention"_s, u"ghost-mention"_s},
                           {u"integrity"_s, u"(null)"_s},
                           {u"integrity"_s, u"(null)"_s},
                       });
        // the table names the classes with their counts
        const CheckRun table = runCheck(m_server->url(db), false);
        QCOMPARE(table.exitCode, 3);
        for (const char* cls : {"integrity ", "orphan-vector ", "missing-vector ", "unreadable-domain "})
            QVERIFY2(table.out.contains(cls), table.out.constData());
        QVERIFY2(!table.out.contains("inspector-test-password"), table.out.constData());
        m_server->dropDatabase(db);
    }

    // batches of one row: keyset paging over every id (and mention key) finds the same as one big batch
    void smallBatchesFindTheSame()
    {
        const QString db = headStore();
        QString sql = kSideTables;
        for (int i = 0; i < 7; ++i)
            sql += insert({.id = u"m"_s + QString::number(i),
                           .content = u"copy"_s,
                           .createdAt = QString::number(1700000000 + i)});
        sql += u"INSERT INTO memory_vectors (id, embedding) SELECT id, '[0.5]' FROM memories;\n"
               "INSERT INTO memory_vectors (id, embedding) VALUES ('v1', '[1]'), ('v2', '[1]');\n"
               "INSERT INTO graph_entity_mentions (entity_id, memory_id, transaction_time) VALUES "
               "('ent_18f3a_0badcafe', 'g1', 1), ('ent_18f3a_0badcafe', 'g2', 1);\n"_s;
        m_server->runSql(db, sql);
        QList<ClassAndId> found;
        PostgresCheckOptions options;
        options.batchRows = 1;
        QVERIFY(checkPostgresStore(
            m_server->url(db),
            [&](const Finding& f) {
                found.append({f.findingClass, f.id.value_or(u"(null)"_s)});
            },
            options));
        std::sort(found.begin(), found.end());
        QList<ClassAndId> expected {{u"orphan-vector"_s, u"v1"_s},
                                    {u"orphan-vector"_s, u"v2"_s},
                                    {u"orphan-mention"_s, u"g1"_s},
                                    {u"orphan-mention"_s, u"g2"_s}};
        for (int i = 1; i < 7; ++i)
            expected.append({u"duplicate-memory"_s, u"m"_s + QString::number(i)});
        std::sort(expected.begin(), expected.end());
        QCOMPARE(found, expected);

        // a cancel request stops the pass
        int polls = 0;
        PostgresCheckOptions cancelling;
        cancelling.batchRows = 1;
        cancelling.cancelled = [&] { return ++polls >= 1; };
        QVERIFY(!checkPostgresStore(
            m_server->url(db), [](const Finding&) {}, cancelling));
        m_server->dropDatabase(db);
    }

    void toleratedLegacyVariantsAreNoFinding()
    {
        const QString db = headStore();
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QString sql = kSideTables;
        // ids of every format subcog generated (spec §3.1)
        sql += insert({.id = u"9f2c61a0b7de"_s, .content = u"twelve hex id"_s});
        sql += insert({.id = u"tech-debt_3f0b7d9e-2a4c-4e1f-9b8a-0c1d2e3f4a5b"_s,
                       .content = u"v0.1 id"_s,
                       .ns = lit(u"tech-debt"_s)});
        sql += insert({.id = u"decisions-1767029430957505000"_s, .content = u"notes id"_s});
        sql += insert({.id = u"0123456789abcdef0123456789abcdef01234567"_s, .content = u"commit id"_s});
        sql += insert({.id = u"it's \"quoted\", {braced}\\"_s, .content = u"hostile id"_s});
        // every scope as JSON, also spaced out and in another key order (serde reads it the same)
        sql += insert({.id = u"dom-user"_s,
                       .content = u"user scope"_s,
                       .domain = lit(u"{\"organization\":null,\"project\":\"user\",\"repository\":null}"_s)});
        sql += insert({.id = u"dom-org"_s,
                       .content = u"org scope"_s,
                       .domain = lit(u"{\"organization\":\"org\",\"project\":null,\"repository\":null}"_s)});
        sql += insert({.id = u"dom-repo"_s,
                       .content = u"org and repository"_s,
                       .domain = lit(u"{ \"repository\": \"widgets\", \"organization\": \"acme\" }"_s)});
        // no hash tag (pre-v0.5), an empty tag list, odd content
        sql += insert({.id = u"nohash"_s, .content = u"legacy"_s, .tags = textArray({u"one"_s, u"two"_s})});
        sql += insert({.id = u"notags"_s, .content = u"no tags at all"_s, .tags = u"'{}'"_s});
        sql += insert({.id = u"odd"_s, .content = u"CRLF\r\nline\ttab \U0001F469\u200D\U0001F4BB \u05E9\u05DC"_s});
        // a summary with its sources and their hash tags; [] sources on a plain memory
        sql += insert({.id = u"s1"_s, .content = u"first source"_s, .sourceIds = lit(u"[]"_s)});
        sql += insert({.id = u"s2"_s, .content = u"second source"_s});
        sql += insert({.id = u"summary_1700000500"_s,
                       .content = u"a summary of both"_s,
                       .tags = textArray({contentHashTag(u"first source"_s), contentHashTag(u"second source"_s)}),
                       .createdAt = u"1700000500"_s,
                       .isSummary = u"true"_s,
                       .sourceIds = lit(u"[\"s1\",\"s2\"]"_s)});
        // a whole tombstone repeating a live memory's content (and without a vector); a TTL ahead; other statuses
        sql += insert({.id = u"gone"_s,
                       .content = u"twelve hex id"_s,
                       .status = lit(u"tombstoned"_s),
                       .tombstonedAt = u"1700000900"_s});
        sql += insert(
            {.id = u"later"_s, .content = u"expires later"_s, .expiresAt = QString::number(now + 86400 * 365)});
        sql += insert({.id = u"old"_s, .content = u"archived one"_s, .status = lit(u"archived"_s)});
        sql += insert({.id = u"merged"_s, .content = u"consolidated one"_s, .status = lit(u"consolidated"_s)});
        sql += u"INSERT INTO memory_vectors (id, embedding) SELECT id, '[0.5]' FROM memories WHERE id <> 'gone';\n"
               "INSERT INTO graph_entity_mentions (entity_id, memory_id, transaction_time) "
               "VALUES ('ent_18f3a_0badcafe', 's1', 1700000000);\n"
               // the migrations table may be missing (spec §9)
               "DROP TABLE migrations;\n"_s;
        m_server->runSql(db, sql);
        expectFindings(m_server->url(db), {});

        // an empty memory_vectors means the store keeps no embeddings: no missing-vector for each memory
        m_server->runSql(db, u"DELETE FROM memory_vectors"_s);
        expectFindings(m_server->url(db), {});
        m_server->dropDatabase(db);
    }

    // docker/postgres/init.sql's layout (spec §5.3): subcog HEAD cannot use it, so its Display-string domains and
    // missing indexes are no findings; the per-memory rules still apply
    void dockerLayout()
    {
        const QString db = m_server->createDatabase(u"docker"_s);
        m_server->runSql(db, uR"sql(
CREATE TABLE memories (id TEXT PRIMARY KEY, content TEXT NOT NULL, namespace TEXT NOT NULL, domain TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active', created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, embedding TEXT,
    tags TEXT[], source TEXT, project_id TEXT, branch TEXT, file_path TEXT, tombstoned_at BIGINT);
INSERT INTO memories (id, content, namespace, domain, status, created_at, updated_at, tags) VALUES
    ('a', 'user scope', 'decisions', 'user', 'active', 1700000000, 1700000000, '{}'),
    ('b', 'org scope', 'patterns', 'acme/widgets', 'ARCHIVED', 1700000000, 1700000000, '{}');
)sql"_s);
        expectFindings(m_server->url(db), {{u"noncanonical-status"_s, u"b"_s}});
        m_server->dropDatabase(db);
    }

    void cleanGeneratedStores_data()
    {
        QTest::addColumn<PostgresLayout>("layout");
        QTest::newRow("head") << PostgresLayout::Head;
        QTest::newRow("split") << PostgresLayout::Split;
    }

    // The generator writes the lifecycle of real stores, some of which is damage by spec §15 (GC marks, expired TTLs,
    // an edited memory's old hash tag): each is reported from the truth, nothing else. Once those rows are put right
    // with plain SQL, neither layout has a finding.
    void cleanGeneratedStores()
    {
        QFETCH(PostgresLayout, layout);
        GeneratorOptions options;
        options.count = 80;
        options.anomalies = false;
        options.largeMemories = 1;
        const QString file = m_dir.filePath(u"store.sql"_s);
        const GeneratedStore store = writePostgresSql(file, layout, options);
        const QString db = m_server->createDatabase(u"gen"_s);
        m_server->runSqlFile(db, file);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const bool head = layout == PostgresLayout::Head;
        QList<ClassAndId> expected;
        QStringList staleHash;
        for (const Memory& m : store.truth) {
            if (m.tombstonedAt.has_value() != (parseStatus(m.status) == MemoryStatus::Tombstoned))
                expected.append({u"half-tombstoned"_s, m.id});
            if (head && m.expiresAt && *m.expiresAt < now && !m.isTombstoned())
                expected.append({u"expired-active"_s, m.id});
            const QString hash = contentHashTag(m.content);
            if (!m.isSummary && std::any_of(m.tags.begin(), m.tags.end(), [&](const QString& t) {
                    return t.startsWith("hash:sha256:"_L1) && t != hash;
                })) {
                expected.append({u"stale-hash-tag"_s, m.id});
                staleHash << m.id;
            }
        }
        expectFindings(m_server->url(db), expected);

        QString fix = u"UPDATE memories SET tombstoned_at = NULL WHERE lower(status) <> 'tombstoned';\n"
                      "UPDATE memories SET tombstoned_at = 1 WHERE lower(status) = 'tombstoned';\n"_s;
        if (head)
            fix += u"UPDATE memories SET expires_at = NULL;\n"_s;
        for (const QString& id : std::as_const(staleHash))
            fix += u"UPDATE memories SET tags = '{}' WHERE id = "_s + lit(id) + u";\n"_s;
        m_server->runSql(db, fix);
        expectFindings(m_server->url(db), {});
        const CheckRun table = runCheck(m_server->url(db), false);
        QCOMPARE(table.exitCode, 0);
        QVERIFY(table.out.contains("No damage found."));
        m_server->dropDatabase(db);
    }

    void uncheckableDatabasesExitOne()
    {
        CheckRun r = runCheck(m_server->url(u"no_such_database"_s), true);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("does not exist"), r.err.constData());
        QVERIFY2(!r.err.contains("inspector-test-password"), r.err.constData());
        QVERIFY(r.out.isEmpty());

        const QString db = m_server->createDatabase(u"other"_s);
        m_server->runSql(db, u"CREATE TABLE notes (x TEXT)"_s);
        r = runCheck(m_server->url(db), false);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("not a subcog store"), r.err.constData());
        m_server->dropDatabase(db);
    }
};

QTEST_GUILESS_MAIN(TestPostgresStoreCheck)
#include "tst_storecheck_postgres.moc"
