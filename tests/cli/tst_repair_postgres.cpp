// SPDX-License-Identifier: MIT
// `subcog-inspector repair URL --fix CLASS` on real PostgreSQL databases (the CTest fixture's server): every class
// repair fixes there planted and repaired in a database of its own, then checked four ways (check finds none of it,
// subcog's own SELECT reads each repaired memory, every other row is as before, the backup holds the originals);
// dry runs, refusals, and a memory changed by another writer between the plan and the write.
#include "checkcli.h"
#include "health/postgresrepair.h"
#include "health/repairundo.h"
#include "memory.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Testing;

namespace {

/// A SQL string literal (test data only; the repair itself binds every value).
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
    VALUES ('ent_18f3a_0badcafe', 'technology', 'PostgreSQL', 1700000000, 2);
)sql"_s;

QString plantedSql()
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QString sql = kSideTables;
    sql += insert({.id = u"fine"_s, .content = u"nothing wrong here"_s});
    sql += insert({.id = u"mt"_s, .content = u"messy"_s, .tags = textArray({u" a "_s, u""_s, u"b"_s})});
    sql += insert({.id = u"mn"_s, .content = u"null tags"_s, .tags = u"NULL"_s});
    sql += insert({.id = u"ld"_s, .content = u"global domain"_s, .domain = lit(u"global"_s)});
    sql += insert({.id = u"ld2"_s, .content = u"hostile 'id' domain"_s, .domain = u"''"_s});
    sql += insert({.id = u"ud"_s, .content = u"display string domain"_s, .domain = lit(u"user"_s)});
    sql += insert({.id = u"nn"_s, .content = u"alias namespace"_s, .ns = lit(u"tech_debt"_s)});
    sql += insert({.id = u"un"_s, .content = u"unknown namespace"_s, .ns = lit(u"musings"_s)});
    sql += insert({.id = u"ns"_s, .content = u"status in capitals"_s, .status = lit(u"ARCHIVED"_s)});
    sql += insert({.id = u"us"_s, .content = u"unknown status"_s, .status = lit(u"maybe"_s)});
    sql += insert({.id = u"ht"_s, .content = u"half a tombstone"_s, .tombstonedAt = u"1700000100"_s});
    sql += insert({.id = u"ht2"_s, .content = u"the other half"_s, .status = lit(u"tombstoned"_s)});
    sql += insert({.id = u"ea"_s, .content = u"expired"_s, .expiresAt = u"1700000100"_s});
    sql += insert({.id = u"bs"_s, .content = u"null is_summary"_s, .isSummary = u"NULL"_s});
    sql += insert({.id = u"bsj"_s, .content = u"source ids not a list"_s, .sourceIds = lit(u"{\"a\": 1}"_s)});
    sql += insert({.id = u"bt"_s, .content = u"from the future"_s, .createdAt = QString::number(now + 86400)});
    sql += insert({.id = u"sh"_s,
                   .content = u"edited later"_s,
                   .tags = textArray({u"x"_s, u"hash:sha256:0000000000000000"_s, u"y"_s})});
    sql += insert({.id = u"dm1"_s,
                   .content = u"Same  Text"_s,
                   .tags = textArray({u"old"_s, contentHashTag(u"same text"_s)}),
                   .createdAt = u"1600000000"_s});
    sql += insert(
        {.id = u"dm2"_s, .content = u"same text"_s, .tags = textArray({u"new"_s, contentHashTag(u"same text"_s)})});
    sql += insert(
        {.id = u"dm3"_s, .content = u"SAME TEXT"_s, .tags = textArray({u"third"_s}), .ns = lit(u"patterns"_s)});
    sql += u"INSERT INTO memory_vectors (id, embedding) SELECT id, '[0.5]' FROM memories;\n"
           "INSERT INTO memory_vectors (id, embedding) VALUES ('gone-memory', '[0.25]');\n"
           "INSERT INTO graph_entity_mentions (entity_id, memory_id, transaction_time) VALUES "
           "('ent_18f3a_0badcafe', 'fine', 1700000000), ('ent_18f3a_0badcafe', 'ghost-mention', 1700000000);\n"_s;
    return sql;
}

/// Every row of the three tables a repair writes, as the server's JSON of the whole row.
struct Rows
{
    QMap<QString, QJsonObject> memories;
    QMap<QString, QJsonObject> vectors;
    QMap<QString, QJsonObject> mentions; ///< entity|memory
    QMap<QString, QJsonObject> entities;
};

QMap<QString, QJsonObject> readTable(const PostgresServer& server, const QString& db, const QString& sql)
{
    QMap<QString, QJsonObject> result;
    for (const QString& line : server.runSql(db, sql).split(u'\n', Qt::SkipEmptyParts))
        result.insert(line.section(u'|', 0, 0), QJsonDocument::fromJson(line.section(u'|', 1).toUtf8()).object());
    return result;
}

Rows readRows(const PostgresServer& server, const QString& db)
{
    return Rows {
        readTable(server, db, u"SELECT id, (to_jsonb(m) - 'search_vector')::text FROM memories m"_s),
        readTable(server, db, u"SELECT id, to_jsonb(v)::text FROM memory_vectors v"_s),
        readTable(server, db,
                  u"SELECT entity_id || ':' || memory_id, to_jsonb(g)::text FROM graph_entity_mentions g"_s),
        readTable(server, db, u"SELECT id, to_jsonb(e)::text FROM graph_entities e"_s),
    };
}

/// subcog's read (spec §5.1), verbatim, for one id: the columns as JSON, or empty when it finds no row.
QJsonObject subcogGet(const PostgresServer& server, const QString& db, const QString& id)
{
    const QString out = server.runSql(
        db,
        u"SELECT to_jsonb(r)::text FROM (SELECT id, content, namespace, domain, project_id, branch, file_path, "
        "status, tags, created_at, updated_at, source, tombstoned_at, expires_at, is_summary, source_memory_ids, "
        "consolidation_timestamp FROM memories WHERE id = "_s
            + lit(id) + u") r"_s);
    return QJsonDocument::fromJson(out.toUtf8()).object();
}

struct Result
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Result run(const QStringList& args, const QString& workingDir = {})
{
    QProcess process;
    if (!workingDir.isEmpty())
        process.setWorkingDirectory(workingDir);
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

QStringList tags(const QJsonObject& row)
{
    QStringList result;
    for (const QJsonValue& v : row.value("tags"_L1).toArray())
        result << v.toString();
    return result;
}

} // namespace

class TestRepairPostgres : public QObject
{
    Q_OBJECT
    PostgresServer* m_server = nullptr;
    QTemporaryDir m_dir;

    QString plantedStore()
    {
        const QString db = m_server->createDatabase(u"rep"_s);
        PostgresBackend::createSchema(m_server->url(db));
        m_server->runSql(db, plantedSql());
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

    void fixEachClass_data()
    {
        QTest::addColumn<QString>("cls");
        for (const QString& cls : postgresRepairableClasses())
            QTest::newRow(qPrintable(cls)) << cls;
    }

    // For each class, in a planted database: check finds none of the class afterwards (but what is left for a
    // person) and every other finding as before, subcog's SELECT reads each repaired memory, every row no finding
    // named is as it was, and the backup files hold the originals.
    void fixEachClass()
    {
        QFETCH(QString, cls);
        const QString db = plantedStore();
        const QString url = m_server->url(db);
        const Rows before = readRows(*m_server, db);
        CheckRun check = runCheck(url, true);
        QString error;
        const QList<ClassAndId> findings = parseFindings(check.out, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));

        QSet<QString> named;
        QList<ClassAndId> expectedAfter;
        for (const auto& f : findings) {
            if (f.first == cls)
                named.insert(f.second);
            else
                expectedAfter << f;
        }
        QVERIFY2(!named.isEmpty(), "the class is planted");
        if (cls == "duplicate-memory"_L1)
            named.insert(u"dm1"_s); // the kept memory takes the others' tags

        const QString backupDir = m_dir.filePath(cls);
        QVERIFY(QDir().mkpath(backupDir));
        const Result r = run({u"repair"_s, url, u"--fix"_s, cls, u"--backup-dir"_s, backupDir});
        QVERIFY2(r.err.isEmpty(), r.err.constData());
        QCOMPARE(r.exitCode, 0);

        // 1. check: none of the class, every other finding as before
        check = runCheck(url, true);
        std::sort(expectedAfter.begin(), expectedAfter.end());
        QCOMPARE(parseFindings(check.out, &error), expectedAfter);

        // 2. subcog's read of each repaired memory
        const Rows after = readRows(*m_server, db);
        const bool memoryClass = cls != "orphan-vector"_L1 && cls != "orphan-mention"_L1;
        if (memoryClass) {
            for (const QString& id : std::as_const(named)) {
                const QJsonObject got = subcogGet(*m_server, db, id);
                QCOMPARE(got.value("id"_L1).toString(), id);
                QCOMPARE(got.value("content"_L1), before.memories.value(id).value("content"_L1));
            }
        }

        // 3. everything else as it was
        for (auto it = before.memories.cbegin(); it != before.memories.cend(); ++it) {
            if (!named.contains(it.key()) || !memoryClass)
                QCOMPARE(after.memories.value(it.key()), it.value());
        }
        for (auto it = before.vectors.cbegin(); it != before.vectors.cend(); ++it) {
            if (cls != "orphan-vector"_L1 || it.key() != "gone-memory"_L1)
                QCOMPARE(after.vectors.value(it.key()), it.value());
        }
        for (auto it = before.mentions.cbegin(); it != before.mentions.cend(); ++it) {
            if (cls != "orphan-mention"_L1 || !it.key().endsWith(u":ghost-mention"_s))
                QCOMPARE(after.mentions.value(it.key()), it.value());
        }
        if (cls != "orphan-mention"_L1)
            QCOMPARE(after.entities, before.entities);

        // 4. the backup: named on stdout, in --backup-dir; the memories as JSON Lines, every touched row verbatim
        const auto m
            = QRegularExpression(u"^backup: (.*\\.backup-\\d{8}-\\d{6}\\.jsonl)\\nbackup: (.*\\.rows\\.jsonl)$"_s,
                                 QRegularExpression::MultilineOption)
                  .match(QString::fromUtf8(r.out));
        QVERIFY2(m.hasMatch(), r.out.constData());
        QCOMPARE(QFileInfo(m.captured(1)).absolutePath(), QFileInfo(backupDir).absoluteFilePath());
        QFile jsonl(m.captured(1));
        QVERIFY(jsonl.open(QIODevice::ReadOnly));
        QSet<QString> backedUp;
        for (const QByteArray& line : jsonl.readAll().split('\n')) {
            if (line.isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            backedUp.insert(o.value("id"_L1).toString());
            QCOMPARE(o.value("content"_L1), before.memories.value(o.value("id"_L1).toString()).value("content"_L1));
        }
        QFile rowsFile(m.captured(2));
        QVERIFY(rowsFile.open(QIODevice::ReadOnly));
        QSet<QString> rowIds;
        for (const QByteArray& line : rowsFile.readAll().split('\n')) {
            if (line.isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            const QString table = o.value("table"_L1).toString();
            const QJsonObject row = o.value("row"_L1).toObject();
            if (table == "memories"_L1) {
                QCOMPARE(row, before.memories.value(row.value("id"_L1).toString()));
                rowIds.insert(row.value("id"_L1).toString());
            } else if (table == "memory_vectors"_L1) {
                QCOMPARE(row, before.vectors.value(row.value("id"_L1).toString()));
                rowIds.insert(row.value("id"_L1).toString());
            } else if (table == "graph_entity_mentions"_L1) {
                QCOMPARE(row,
                         before.mentions.value(row.value("entity_id"_L1).toString() + u':'
                                               + row.value("memory_id"_L1).toString()));
                rowIds.insert(row.value("memory_id"_L1).toString());
            } else {
                QCOMPARE(table, u"graph_entities"_s);
                QCOMPARE(row, before.entities.value(row.value("id"_L1).toString()));
            }
        }
        if (memoryClass) {
            for (const QString& id : std::as_const(named)) {
                if (after.memories.value(id) != before.memories.value(id)) {
                    QVERIFY2(backedUp.contains(id), qPrintable(id));
                    QVERIFY2(rowIds.contains(id), qPrintable(id));
                }
            }
        } else {
            QCOMPARE(rowIds, named);
        }

        // what each fix wrote, as subcog reads it
        auto get = [&](const QString& id) { return subcogGet(*m_server, db, id); };
        if (cls == "messy-tags"_L1) {
            QCOMPARE(tags(get(u"mt"_s)), (QStringList {u"a"_s, u"b"_s}));
            QCOMPARE(get(u"mn"_s).value("tags"_L1).toArray(), QJsonArray());
        } else if (cls == "legacy-domain"_L1) {
            QCOMPARE(get(u"ld"_s).value("domain"_L1).toString(), kProjectJson);
            QCOMPARE(get(u"ld2"_s).value("domain"_L1).toString(), kProjectJson);
        } else if (cls == "noncanonical-namespace"_L1) {
            QCOMPARE(get(u"nn"_s).value("namespace"_L1).toString(), u"tech-debt"_s);
        } else if (cls == "noncanonical-status"_L1) {
            QCOMPARE(get(u"ns"_s).value("status"_L1).toString(), u"archived"_s);
        } else if (cls == "half-tombstoned"_L1) {
            QCOMPARE(get(u"ht"_s).value("status"_L1).toString(), u"tombstoned"_s);
            QCOMPARE(get(u"ht2"_s).value("tombstoned_at"_L1).toInteger(), 1700000000); // its updated time
        } else if (cls == "expired-active"_L1) {
            QCOMPARE(get(u"ea"_s).value("status"_L1).toString(), u"tombstoned"_s);
            QVERIFY(qAbs(get(u"ea"_s).value("tombstoned_at"_L1).toInteger() - QDateTime::currentSecsSinceEpoch())
                    < 120);
        } else if (cls == "stale-hash-tag"_L1) {
            QCOMPARE(tags(get(u"sh"_s)), (QStringList {u"x"_s, contentHashTag(u"edited later"_s), u"y"_s}));
        } else if (cls == "duplicate-memory"_L1) {
            QCOMPARE(tags(get(u"dm1"_s)),
                     (QStringList {u"old"_s, contentHashTag(u"same text"_s), u"new"_s, u"third"_s}));
            QCOMPARE(get(u"dm1"_s).value("status"_L1).toString(), u"active"_s);
            QCOMPARE(get(u"dm2"_s).value("status"_L1).toString(), u"tombstoned"_s);
            QCOMPARE(get(u"dm3"_s).value("status"_L1).toString(), u"tombstoned"_s);
        } else if (cls == "bad-summary"_L1) {
            QCOMPARE(get(u"bs"_s).value("is_summary"_L1), QJsonValue(false));
            QCOMPARE(get(u"bsj"_s).value("source_memory_ids"_L1), QJsonValue(QJsonArray()));
        } else if (cls == "orphan-vector"_L1) {
            QVERIFY(!after.vectors.contains(u"gone-memory"_s));
        } else if (cls == "orphan-mention"_L1) {
            QCOMPARE(after.entities.value(u"ent_18f3a_0badcafe"_s).value("mention_count"_L1).toInt(), 1);
        }

        // 5. the window's undo step: undo puts every row back as it was, redo what the repair wrote
        const auto same = [](const Rows& a, const Rows& b) {
            return a.memories == b.memories && a.vectors == b.vectors && a.mentions == b.mentions
                && a.entities == b.entities;
        };
        const RepairImages images = postgresRepairImages(url, m.captured(2), named);
        QVERIFY(!images.images.isEmpty());
        const RepairRestoreOutcome undone = restoreRepairImages(images, true);
        QVERIFY2(undone.skipped.isEmpty(), qPrintable(undone.skipped.join(u',')));
        QVERIFY(same(readRows(*m_server, db), before));
        const RepairRestoreOutcome redone = restoreRepairImages(images, false);
        QVERIFY2(redone.skipped.isEmpty(), qPrintable(redone.skipped.join(u',')));
        QVERIFY(same(readRows(*m_server, db), after));
        m_server->dropDatabase(db);
    }

    // Cancel between batches: the batches written stay, the rest are left; before the check ends: nothing
    void cancelStopsARepairBetweenBatches()
    {
        const QString db = plantedStore();
        const QString url = m_server->url(db);
        const Rows before = readRows(*m_server, db);
        StoreRepairOptions options;
        options.classes = {u"messy-tags"_s, u"legacy-domain"_s, u"noncanonical-namespace"_s, u"noncanonical-status"_s,
                           u"expired-active"_s};
        options.batchSize = 1;
        options.backupDir = m_dir.filePath(u"cancel"_s);
        QVERIFY(QDir().mkpath(options.backupDir));
        qint64 written = 0;
        options.progress = [&](qint64 done, qint64) { written = done; };
        options.cancelled = [&] { return written >= 2; };
        const StoreRepairReport report = repairPostgresStore(url, options);
        QVERIFY(report.cancelled);
        QCOMPARE(report.backupPaths.size(), 2);
        QCOMPARE(report.memories, 2);
        const Rows after = readRows(*m_server, db);
        qint64 changed = 0;
        for (auto it = before.memories.cbegin(); it != before.memories.cend(); ++it)
            changed += after.memories.value(it.key()) != it.value() ? 1 : 0;
        QCOMPARE(changed, 2);

        StoreRepairOptions early = options;
        early.cancelled = [] { return true; };
        const StoreRepairReport none = repairPostgresStore(url, early);
        QVERIFY(none.cancelled);
        QVERIFY(none.backupPaths.isEmpty());
        QVERIFY(readRows(*m_server, db).memories == after.memories);
        m_server->dropDatabase(db);
    }

    // a summary whose source is gone is left for a person: listed on stderr, exit 3, the rest repaired
    void leftForAPerson()
    {
        const QString db = plantedStore();
        m_server->runSql(db,
                         insert({.id = u"bm"_s,
                                 .content = u"summary of a lost memory"_s,
                                 .tags = u"'{}'"_s,
                                 .isSummary = u"true"_s,
                                 .sourceIds = lit(u"[\"fine\", \"lost\"]"_s)}));
        const Result r = run({u"repair"_s, m_server->url(db), u"--fix"_s, u"bad-summary"_s}, m_dir.path());
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("skipped bm: bad-summary: sources no longer exist: lost: none automatic"),
                 r.err.constData());
        QVERIFY2(r.out.contains("bs: bad-summary: is_summary NULL → false"), r.out.constData());
        // without --backup-dir the backup goes to the current folder
        QVERIFY2(r.out.contains((u"backup: "_s + m_dir.path() + u"/subcog-"_s + db + u".backup-"_s).toUtf8()),
                 r.out.constData());
        m_server->dropDatabase(db);
    }

    void dryRunWritesNothing()
    {
        const QString db = plantedStore();
        const Rows before = readRows(*m_server, db);
        const QString backupDir = m_dir.filePath(u"dry"_s);
        QVERIFY(QDir().mkpath(backupDir));
        const Result r
            = run({u"repair"_s, m_server->url(db), u"--fix"_s, u"all"_s, u"--dry-run"_s, u"--backup-dir"_s, backupDir});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.startsWith("dry run: nothing written, no backup\n"), r.out.constData());
        for (const QByteArray& line :
             {QByteArray(QByteArray("ld: legacy-domain: domain 'global' → '") + kProjectJson.toUtf8()),
              QByteArray("nn: noncanonical-namespace: namespace 'tech_debt' → 'tech-debt'"),
              QByteArray("gone-memory: orphan-vector: delete its vector"),
              QByteArray("dm3: duplicate-memory: status 'active' → 'tombstoned'")})
            QVERIFY2(r.out.contains(line), r.out.constData());
        const Rows after = readRows(*m_server, db);
        QCOMPARE(after.memories, before.memories);
        QCOMPARE(after.vectors, before.vectors);
        QCOMPARE(after.mentions, before.mentions);
        QVERIFY(QDir(backupDir).isEmpty());

        // --fix all then leaves only what a person decides
        const Result all = run({u"repair"_s, m_server->url(db), u"--fix"_s, u"all"_s, u"--backup-dir"_s, backupDir});
        QVERIFY2(all.exitCode == 0, all.err.constData());
        QString error;
        QList<ClassAndId> left = parseFindings(runCheck(m_server->url(db), true).out, &error);
        QCOMPARE(left,
                 (QList<ClassAndId> {{u"bad-time"_s, u"bt"_s},
                                     {u"unknown-namespace"_s, u"un"_s},
                                     {u"unknown-status"_s, u"us"_s},
                                     {u"unreadable-domain"_s, u"ud"_s}}));
        const Result again = run({u"repair"_s, m_server->url(db), u"--fix"_s, u"all"_s, u"--backup-dir"_s, backupDir});
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.out.contains("nothing to repair"), again.out.constData());
        QCOMPARE(QDir(backupDir).entryList(QDir::Files).size(), 2);
        m_server->dropDatabase(db);
    }

    // a backup that cannot be written stops the repair before any change
    void backupFailureWritesNothing()
    {
        const QString db = plantedStore();
        const Rows before = readRows(*m_server, db);
        const Result r = run({u"repair"_s, m_server->url(db), u"--fix"_s, u"all"_s, u"--backup-dir"_s,
                              m_dir.filePath(u"no/such/folder"_s)});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("cannot write the backup"), r.err.constData());
        QVERIFY(!r.out.contains("backup:"));
        const Rows after = readRows(*m_server, db);
        QCOMPARE(after.memories, before.memories);
        QCOMPARE(after.vectors, before.vectors);
        QCOMPARE(after.mentions, before.mentions);
        m_server->dropDatabase(db);
    }

    void refusedClasses_data()
    {
        QTest::addColumn<QString>("cls");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("bad-time") << u"bad-time"_s << QByteArray("no safe automatic fix for bad-time");
        QTest::newRow("unreadable-domain")
            << u"unreadable-domain"_s << QByteArray("no safe automatic fix for unreadable-domain");
        QTest::newRow("tags-drift") << u"tags-drift"_s << QByteArray("tags-drift cannot occur in a PostgreSQL store");
        QTest::newRow("damaged-file") << u"damaged-file"_s
                                      << QByteArray("damaged-file cannot occur in a PostgreSQL store");
    }

    void refusedClasses()
    {
        QFETCH(QString, cls);
        QFETCH(QByteArray, message);
        const QString db = plantedStore();
        const Rows before = readRows(*m_server, db);
        const Result r = run({u"repair"_s, m_server->url(db), u"--fix"_s, u"legacy-domain,"_s + cls}, m_dir.path());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), r.err.constData());
        QCOMPARE(readRows(*m_server, db).memories, before.memories);
        m_server->dropDatabase(db);
    }

    // another writer's change between the plan and the write: that memory is skipped and listed, the others
    // repaired, one transaction per batch
    void changedMeanwhileIsSkipped()
    {
        const QString db = plantedStore();
        StoreRepairOptions options;
        options.classes = {u"legacy-domain"_s,    u"expired-active"_s, u"noncanonical-status"_s,
                           u"duplicate-memory"_s, u"orphan-vector"_s,  u"orphan-mention"_s};
        options.batchSize = 1;
        options.backupDir = m_dir.filePath(u"meanwhile"_s);
        QVERIFY(QDir().mkpath(options.backupDir));
        options.beforeWrites = [&] {
            m_server->runSql(db,
                             u"UPDATE memories SET branch = 'edited meanwhile' WHERE id IN ('ld', 'dm1');"
                             "UPDATE memories SET content = 'edited too' WHERE id = 'ns';"
                                 // the vector's memory comes back: no longer an orphan
                                 + insert({.id = u"gone-memory"_s, .content = u"back again"_s}));
        };
        const StoreRepairReport report = repairPostgresStore(m_server->url(db), options);
        QSet<QString> skipped;
        for (const RepairChange& c : report.skipped)
            skipped.insert(c.id);
        // dm1 is the kept memory of dm2 and dm3: the whole group waits
        QCOMPARE(skipped, (QSet<QString> {u"ld"_s, u"ns"_s, u"dm1"_s, u"dm2"_s, u"dm3"_s, u"gone-memory"_s}));
        QCOMPARE(subcogGet(*m_server, db, u"ld"_s).value("domain"_L1).toString(), u"global"_s);
        QCOMPARE(subcogGet(*m_server, db, u"ld"_s).value("branch"_L1).toString(), u"edited meanwhile"_s);
        QCOMPARE(subcogGet(*m_server, db, u"ns"_s).value("status"_L1).toString(), u"ARCHIVED"_s);
        QCOMPARE(subcogGet(*m_server, db, u"dm2"_s).value("status"_L1).toString(), u"active"_s);
        QCOMPARE(subcogGet(*m_server, db, u"ea"_s).value("status"_L1).toString(), u"tombstoned"_s);
        QCOMPARE(subcogGet(*m_server, db, u"ld2"_s).value("domain"_L1).toString(), kProjectJson);
        QCOMPARE(report.backupPaths.size(), 2);
        const Rows after = readRows(*m_server, db);
        QVERIFY(after.vectors.contains(u"gone-memory"_s));
        QVERIFY(!after.mentions.contains(u"ent_18f3a_0badcafe:ghost-mention"_s));
        QCOMPARE(after.entities.value(u"ent_18f3a_0badcafe"_s).value("mention_count"_L1).toInt(), 1);
        m_server->dropDatabase(db);
    }
};

QTEST_GUILESS_MAIN(TestRepairPostgres)
#include "tst_repair_postgres.moc"
