// SPDX-License-Identifier: MIT
// `subcog-inspector check STORE` on real SQLite files: every finding class planted once, clean stores of every
// layout, the legacy variants that are not damage (spec §9), unreadable files and hostile ids.
#include "besideindex.h"
#include "fixturegenerator.h"
#include "health/sqlitecheck.h"
#include "memory.h"
#include "sqlite/sqliteschema.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

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

Result runCheck(const QString& path, bool json)
{
    QProcess process;
    QStringList args {u"check"_s, path};
    if (json)
        args << u"--json"_s;
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

/// The (class, id) pairs of `check --json`'s lines; an id of null reads as "(null)". Fails on invalid JSON.
QList<QPair<QString, QString>> findings(const QByteArray& jsonLines, QString* error)
{
    QList<QPair<QString, QString>> result;
    for (const QByteArray& line : jsonLines.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
        const QJsonObject o = doc.object();
        if (!doc.isObject() || !o.value("class"_L1).isString() || !o.value("detail"_L1).isString()
            || !o.value("fix"_L1).isString() || !(o.value("id"_L1).isString() || o.value("id"_L1).isNull())) {
            *error = u"not a finding: "_s + QString::fromUtf8(line);
            return {};
        }
        result.append(
            {o.value("class"_L1).toString(), o.value("id"_L1).isNull() ? u"(null)"_s : o.value("id"_L1).toString()});
    }
    std::sort(result.begin(), result.end());
    return result;
}

/// Writes subcog HEAD stores row by row with raw SQL: every value as given, nothing normalised.
class StoreWriter
{
public:
    explicit StoreWriter(const QString& path)
        : m_name(u"writer-"_s + path)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        createSubcogSchema(db);
    }
    ~StoreWriter()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }

    struct Row
    {
        QString id {};
        QString content {};
        QVariant tags {}; ///< default: the content's hash tag
        QVariant ftsTags {}; ///< default: the same as tags
        QVariant ns = u"decisions"_s;
        QVariant domain = u"project"_s;
        QVariant status = u"active"_s;
        QVariant createdAt = qint64(1700000000);
        QVariant tombstonedAt {};
        QVariant expiresAt {};
        QVariant isSummary = 0;
        QVariant sourceIds {};
        bool metadata = true;
        int ftsRows = 1;
    };

    void add(Row row)
    {
        if (!row.tags.isValid())
            row.tags = contentHashTag(row.content);
        if (!row.ftsTags.isValid())
            row.ftsTags = row.tags;
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        if (row.metadata) {
            q.prepare(u"INSERT INTO memories (id, namespace, domain, status, created_at, tags, tombstoned_at, "
                      "expires_at, is_summary, source_memory_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
            for (const QVariant& v : {QVariant(row.id), row.ns, row.domain, row.status, row.createdAt, row.tags,
                                      row.tombstonedAt, row.expiresAt, row.isSummary, row.sourceIds})
                q.addBindValue(v);
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        for (int i = 0; i < row.ftsRows; ++i)
            sql(u"INSERT INTO memories_fts (id, content, tags) VALUES (?, ?, ?)"_s, {row.id, row.content, row.ftsTags});
    }

    void sql(const QString& statement, const QVariantList& values = {})
    {
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        QVERIFY2(q.prepare(statement), qPrintable(q.lastError().text()));
        for (const QVariant& v : values)
            q.addBindValue(v);
        QVERIFY2(q.exec(), qPrintable(q.lastError().text() + u": "_s + statement));
    }

private:
    QString m_name;
};

} // namespace

class TestStoreCheck : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    void expectFindings(const QString& path, const QList<QPair<QString, QString>>& expected)
    {
        const Result r = runCheck(path, true);
        QString error;
        const auto found = findings(r.out, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(r.err.isEmpty(), r.err.constData());
        auto sortedExpected = expected;
        std::sort(sortedExpected.begin(), sortedExpected.end());
        if (found != sortedExpected)
            qWarning().noquote() << QString::fromUtf8(r.out);
        QCOMPARE(found, sortedExpected);
        QCOMPARE(r.exitCode, expected.isEmpty() ? 0 : 3);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(QFile::exists(qEnvironmentVariable("INSPECTOR_BINARY"))); }

    void cleanStoreOfEachLayout_data()
    {
        QTest::addColumn<SqliteLayout>("layout");
        for (SqliteLayout layout : allSqliteLayouts())
            QTest::newRow(qPrintable(layoutName(layout))) << layout;
    }

    // The generator writes the lifecycle of real stores, some of which is damage by spec §15 (GC marks, expired
    // TTLs, `global` domains of v0.1-v0.2, an edited memory's old hash tag): each is reported from the truth, nothing
    // else. Once those rows are put right with plain SQL, the store of each layout has no finding at all.
    void cleanStoreOfEachLayout()
    {
        QFETCH(SqliteLayout, layout);
        GeneratorOptions options;
        options.count = 80;
        options.anomalies = false;
        options.largeMemories = 1;
        const QString path = m_dir.filePath(u"clean-"_s + layoutName(layout) + u".db"_s);
        const GeneratedStore store = writeSqliteStore(path, layout, options);
        const bool hasTombstonedAt
            = layout != SqliteLayout::PreRelease && layout != SqliteLayout::V0_1 && layout != SqliteLayout::V0_2;
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QList<QPair<QString, QString>> expected;
        for (const Memory& m : store.truth) {
            const bool statusTombstoned = parseStatus(m.status) == MemoryStatus::Tombstoned;
            if (m.domain == "global"_L1)
                expected.append({u"legacy-domain"_s, m.id});
            if (hasTombstonedAt && m.tombstonedAt.has_value() != statusTombstoned)
                expected.append({u"half-tombstoned"_s, m.id});
            if (m.expiresAt && *m.expiresAt < now && !m.isTombstoned())
                expected.append({u"expired-active"_s, m.id});
            const QString hash = contentHashTag(m.content);
            if (!m.isSummary && std::any_of(m.tags.begin(), m.tags.end(), [&](const QString& t) {
                    return t.startsWith("hash:sha256:"_L1) && t != hash;
                }))
                expected.append({u"stale-hash-tag"_s, m.id});
        }
        expectFindings(path, expected);

        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"cleanup"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"UPDATE memories SET domain = 'project' WHERE domain = 'global'"_s));
            if (hasTombstonedAt) {
                QVERIFY(q.exec(u"UPDATE memories SET tombstoned_at = NULL WHERE lower(status) <> 'tombstoned'"_s));
            }
            q.exec(u"UPDATE memories SET expires_at = NULL"_s); // no such column before v0.6
            for (const auto& [cls, id] : std::as_const(expected)) {
                if (cls == "stale-hash-tag"_L1) {
                    q.prepare(u"UPDATE memories SET tags = '' WHERE id = ?"_s);
                    q.addBindValue(id);
                    QVERIFY(q.exec());
                    if (layout != SqliteLayout::SplitB41a806) {
                        q.prepare(u"UPDATE memories_fts SET tags = '' WHERE id = ?"_s);
                        q.addBindValue(id);
                        QVERIFY(q.exec());
                    }
                }
            }
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(u"cleanup"_s);
        expectFindings(path, {});
        const Result table = runCheck(path, false);
        QCOMPARE(table.exitCode, 0);
        QVERIFY(table.out.contains("No damage found."));
    }

    void toleratedLegacyVariantsAreNoFinding()
    {
        const QString path = m_dir.filePath(u"tolerated.db"_s);
        {
            StoreWriter w(path);
            // ids of every format subcog generated (spec §3.1)
            w.add({.id = u"9f2c61a0b7de"_s, .content = u"twelve hex id"_s});
            w.add({.id = u"tech-debt_3f0b7d9e-2a4c-4e1f-9b8a-0c1d2e3f4a5b"_s,
                   .content = u"v0.1 id"_s,
                   .ns = u"tech-debt"_s});
            w.add({.id = u"decisions-1767029430957505000"_s, .content = u"notes id"_s});
            w.add({.id = u"1767031535646420000"_s, .content = u"bare number id"_s});
            w.add({.id = u"0123456789abcdef0123456789abcdef01234567"_s, .content = u"commit id"_s});
            // scopes subcog reads back (lossily, but as the same string): not damage
            w.add({.id = u"dom-user"_s, .content = u"user scope"_s, .domain = u"user"_s});
            w.add({.id = u"dom-org"_s, .content = u"org scope"_s, .domain = u"org"_s});
            w.add({.id = u"dom-repo"_s, .content = u"org and repository"_s, .domain = u"acme/widgets"_s});
            // no hash tag (pre-v0.5), empty tag list, odd content
            w.add({.id = u"nohash"_s, .content = u"legacy without a hash tag"_s, .tags = u"one,two"_s});
            w.add({.id = u"notags"_s, .content = u"no tags at all"_s, .tags = u""_s});
            w.add({.id = u"odd"_s,
                   .content = u"CRLF\r\nline\ttab \U0001F469\u200D\U0001F4BB \u05E9\u05DC\u05D5\u05DD"_s});
            w.add({.id = u"empty"_s, .content = QString(u""_s), .tags = u""_s});
            // is_summary 0 with NULL or [] sources; a summary with its sources, both edges and its sources' tags
            w.add({.id = u"s1"_s, .content = u"first source"_s, .sourceIds = u"[]"_s});
            w.add({.id = u"s2"_s, .content = u"second source"_s});
            w.add({.id = u"summary_1700000500"_s,
                   .content = u"a summary of both"_s,
                   .tags = QString(contentHashTag(u"first source"_s) + u',' + contentHashTag(u"second source"_s)),
                   .createdAt = qint64(1700000500),
                   .isSummary = 1,
                   .sourceIds = u"[\"s1\",\"s2\"]"_s});
            for (const auto& source : {u"s1"_s, u"s2"_s}) {
                w.sql(u"INSERT INTO memory_edges VALUES (?, ?, 'summarized_by', 1700000500)"_s,
                      {source, u"summary_1700000500"_s});
                w.sql(u"INSERT INTO memory_edges VALUES (?, ?, 'source_of', 1700000500)"_s,
                      {u"summary_1700000500"_s, source});
            }
            // a whole tombstone repeating a live memory's content; a TTL still ahead; an archived memory
            w.add({.id = u"gone"_s,
                   .content = u"twelve hex id"_s,
                   .status = u"tombstoned"_s,
                   .tombstonedAt = qint64(1700000900)});
            w.add({.id = u"later"_s,
                   .content = u"expires later"_s,
                   .expiresAt = QDateTime::currentSecsSinceEpoch() + 86400 * 365});
            w.add({.id = u"old"_s, .content = u"archived one"_s, .status = u"archived"_s});
        }
        expectFindings(path, {});
    }

    void eachPlantedClassOnce()
    {
        const QString path = m_dir.filePath(u"planted.db"_s);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        {
            StoreWriter w(path);
            w.add({.id = u"fine"_s, .content = u"nothing wrong here"_s});
            w.add({.id = u"mc"_s, .content = u"lost text"_s, .ftsRows = 0});
            w.add({.id = u"oc"_s, .content = u"text without metadata"_s, .metadata = false});
            w.add({.id = u"dc"_s, .content = u"written twice"_s, .ftsRows = 2});
            w.add({.id = u"td"_s, .content = u"drifting tags"_s, .ftsTags = u"stale"_s});
            w.add({.id = u"mt"_s, .content = u"messy"_s, .tags = u" a ,,b"_s});
            w.add({.id = u"ld"_s, .content = u"global domain"_s, .domain = u"global"_s});
            w.add({.id = u"ud"_s, .content = u"three parts"_s, .domain = u"a/b/c"_s});
            w.add({.id = u"nn"_s, .content = u"alias namespace"_s, .ns = u"tech_debt"_s});
            w.add({.id = u"un"_s, .content = u"unknown namespace"_s, .ns = u"musings"_s});
            w.add({.id = u"ns"_s, .content = u"status in capitals"_s, .status = u"ARCHIVED"_s});
            w.add({.id = u"us"_s, .content = u"unknown status"_s, .status = u"maybe"_s});
            w.add({.id = u"ht"_s, .content = u"half a tombstone"_s, .tombstonedAt = qint64(1700000100)});
            w.add({.id = u"ea"_s, .content = u"expired"_s, .expiresAt = qint64(1700000100)});
            w.add({.id = u"bs"_s, .content = u"null is_summary"_s, .isSummary = QVariant()});
            w.add({.id = u"bt"_s, .content = u"from the future"_s, .createdAt = now + 86400});
            w.add({.id = u"de"_s, .content = u"edge to nowhere"_s});
            w.sql(u"INSERT INTO memory_edges VALUES ('de', 'ghost', 'related_to', 1700000000)"_s);
            w.add({.id = u"src"_s, .content = u"a source"_s});
            w.add({.id = u"le"_s,
                   .content = u"summary without edges"_s,
                   .tags = contentHashTag(u"a source"_s),
                   .isSummary = 1,
                   .sourceIds = u"[\"src\"]"_s});
            w.add({.id = u"sh"_s, .content = u"edited later"_s, .tags = u"x,hash:sha256:0000000000000000"_s});
            w.add({.id = u"dm1"_s, .content = u"Same  Text"_s, .createdAt = qint64(1600000000)});
            w.add({.id = u"dm2"_s, .content = u"same text"_s});
        }
        expectFindings(path,
                       {
                           {u"missing-content"_s, u"mc"_s},   {u"orphan-content"_s, u"oc"_s},
                           {u"duplicate-content"_s, u"dc"_s}, {u"tags-drift"_s, u"td"_s},
                           {u"messy-tags"_s, u"mt"_s},        {u"legacy-domain"_s, u"ld"_s},
                           {u"unreadable-domain"_s, u"ud"_s}, {u"noncanonical-namespace"_s, u"nn"_s},
                           {u"unknown-namespace"_s, u"un"_s}, {u"noncanonical-status"_s, u"ns"_s},
                           {u"unknown-status"_s, u"us"_s},    {u"half-tombstoned"_s, u"ht"_s},
                           {u"expired-active"_s, u"ea"_s},    {u"bad-summary"_s, u"bs"_s},
                           {u"bad-time"_s, u"bt"_s},          {u"dangling-edge"_s, u"de"_s},
                           {u"lost-edge"_s, u"le"_s},         {u"stale-hash-tag"_s, u"sh"_s},
                           {u"duplicate-memory"_s, u"dm2"_s},
                       });
        // the table names each class once with its count
        const Result table = runCheck(path, false);
        QCOMPARE(table.exitCode, 3);
        for (const auto cls : {"missing-content"_L1, "lost-edge"_L1, "duplicate-memory"_L1})
            QVERIFY2(table.out.contains(QByteArray(cls.data(), cls.size()).append("  ")), table.out.constData());
    }

    // subcog's data folder keeps embeddings (vectors.idx) and the graph (graph.db) beside index.db: a vector or a
    // mention of no memory, and a live memory without a vector, are each found and named; nothing else is
    void vectorsAndMentionsBesideIndex()
    {
        const QString dir = m_dir.filePath(u"around"_s);
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + u"/index.db"_s;
        const QString hostile = u"gh\"o\\st\u00e9\n"_s;
        {
            StoreWriter w(path);
            w.add({.id = u"fine"_s, .content = u"a vector and a mention"_s});
            w.add({.id = u"mv"_s, .content = u"live without a vector"_s});
            w.add({.id = u"tomb"_s,
                   .content = u"tombstoned without a vector"_s,
                   .status = u"tombstoned"_s,
                   .tombstonedAt = qint64(1700000100)});
            w.add({.id = u"old"_s, .content = u"archived with a vector"_s, .status = u"archived"_s});
            w.add({.id = u"ftsonly"_s, .content = u"no memories row"_s, .metadata = false});
        }
        writeBytes(dir + u"/vectors.idx"_s,
                   vectorsIdx({u"gone1"_s, u"fine"_s, hostile, u"old"_s, u"ftsonly"_s, u"gone2"_s}));
        writeGraphDb(dir + u"/graph.db"_s, {{u"ent_a"_s, 2}, {u"ent_b"_s, 1}},
                     {{u"ent_a"_s, u"fine"_s}, {u"ent_a"_s, u"ghost"_s}, {u"ent_b"_s, u"ghost"_s}});
        expectFindings(path,
                       {{u"orphan-content"_s, u"ftsonly"_s},
                        {u"orphan-vector"_s, u"gone1"_s},
                        {u"orphan-vector"_s, u"gone2"_s},
                        {u"orphan-vector"_s, hostile},
                        {u"orphan-vector"_s, u"ftsonly"_s},
                        {u"missing-vector"_s, u"mv"_s},
                        {u"orphan-mention"_s, u"ghost"_s},
                        {u"orphan-mention"_s, u"ghost"_s}});
        // in PostgreSQL's words, with the file named
        QStringList lines;
        for (const QByteArray& line : runCheck(path, true).out.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (!o.isEmpty())
                lines << o.value("id"_L1).toString() + u": "_s + o.value("detail"_L1).toString() + u" / "_s
                        + o.value("fix"_L1).toString();
        }
        QVERIFY2(lines.contains(u"gone1: an embedding in vectors.idx for a memory that does not exist / delete the "
                                "vector"_s),
                 qPrintable(lines.join(u'\n')));
        QVERIFY2(lines.contains(u"mv: a live memory without an embedding in vectors.idx / none automatic: subcog's "
                                "`migrate embeddings` re-embeds it"_s),
                 qPrintable(lines.join(u'\n')));
        QVERIFY2(lines.contains(u"ghost: graph entity 'ent_b' mentions a memory that does not exist / delete the "
                                "mention and decrement the entity's mention_count"_s),
                 qPrintable(lines.join(u'\n')));
        const Result table = runCheck(path, false);
        for (const char* cls : {"orphan-vector ", "missing-vector ", "orphan-mention "})
            QVERIFY2(table.out.contains(cls), table.out.constData());

        // the same file under another name is no data folder's index.db: nothing beside it is read
        QVERIFY(QFile::copy(path, dir + u"/copy.db"_s));
        expectFindings(dir + u"/copy.db"_s, {{u"orphan-content"_s, u"ftsonly"_s}});

        // a vectors.idx and a graph.db that match the memories: nothing
        writeBytes(dir + u"/vectors.idx"_s, vectorsIdx({u"fine"_s, u"mv"_s, u"old"_s}));
        QVERIFY(removeSqliteFile(dir + u"/graph.db"_s));
        writeGraphDb(dir + u"/graph.db"_s, {{u"ent_a"_s, 1}, {u"ent_b"_s, 0}}, {{u"ent_a"_s, u"fine"_s}});
        expectFindings(path, {{u"orphan-content"_s, u"ftsonly"_s}});
        // an empty vectors.idx keeps no embeddings, and a graph.db without its tables has no mentions
        writeBytes(dir + u"/vectors.idx"_s, vectorsIdx({}));
        QVERIFY(removeSqliteFile(dir + u"/graph.db"_s));
        writeBytes(dir + u"/graph.db"_s, {});
        expectFindings(path, {{u"orphan-content"_s, u"ftsonly"_s}});
    }

    // usearch's binary index is read through its meta file's ids; an orphan there is for a person
    void usearchMetaBesideIndex()
    {
        const QString dir = m_dir.filePath(u"usearch"_s);
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + u"/index.db"_s;
        {
            StoreWriter w(path);
            w.add({.id = u"fine"_s, .content = u"has a vector"_s});
            w.add({.id = u"mv"_s, .content = u"has none"_s});
        }
        writeBytes(dir + u"/vectors.usearch"_s, QByteArray(4096, '\x01'));
        writeBytes(dir + u"/vectors.meta.json"_s, usearchMeta({u"fine"_s, u"ghost-u"_s}));
        expectFindings(path, {{u"orphan-vector"_s, u"ghost-u"_s}, {u"missing-vector"_s, u"mv"_s}});
        const QByteArray out = runCheck(path, true).out;
        QVERIFY2(out.contains("usearch's binary vectors.usearch cannot be edited without the usearch library"),
                 out.constData());
        QVERIFY2(out.contains("without an embedding in usearch's vectors.meta.json"), out.constData());
    }

    // a damaged vectors.idx or graph.db is one store-level finding each, and hides no other finding
    void damagedFilesBesideIndex()
    {
        const QString dir = m_dir.filePath(u"damaged"_s);
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + u"/index.db"_s;
        {
            StoreWriter w(path);
            w.add({.id = u"fine"_s, .content = u"has a vector"_s});
            w.add({.id = u"mv"_s, .content = u"cannot tell: the file is cut"_s});
            w.add({.id = u"ld"_s, .content = u"still found"_s, .domain = u"global"_s});
        }
        // cut inside the last vector: what was read before is used, no missing-vector is guessed
        writeBytes(dir + u"/vectors.idx"_s, vectorsIdx({u"fine"_s, u"gone"_s, u"ld"_s}).chopped(6));
        writeBytes(dir + u"/graph.db"_s, QByteArray(8192, 'x'));
        expectFindings(path,
                       {{u"integrity"_s, u"(null)"_s},
                        {u"integrity"_s, u"(null)"_s},
                        {u"orphan-vector"_s, u"gone"_s},
                        {u"legacy-domain"_s, u"ld"_s}});
        const QByteArray out = runCheck(path, true).out;
        QVERIFY2(out.contains("vectors.idx beside the store cannot be read: not subcog's vectors.idx JSON at byte "),
                 out.constData());
        QVERIFY2(out.contains("graph.db beside the store cannot be read: "), out.constData());

        // no "dimensions", a mentions table without memory_id, a folder where the file should be
        writeBytes(dir + u"/vectors.idx"_s, "{\"vectors\":{\"fine\":[1.0]}}");
        QVERIFY(removeSqliteFile(dir + u"/graph.db"_s));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"odd-graph"_s);
            db.setDatabaseName(dir + u"/graph.db"_s);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec(u"CREATE TABLE graph_entity_mentions (entity_id TEXT, memo TEXT)"_s));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"odd-graph"_s);
        QVERIFY(QDir().mkpath(dir + u"/vectors.meta.json"_s));
        expectFindings(path,
                       {{u"integrity"_s, u"(null)"_s},
                        {u"integrity"_s, u"(null)"_s},
                        {u"integrity"_s, u"(null)"_s},
                        {u"legacy-domain"_s, u"ld"_s}});
    }

    // b41a806's layout keeps the content in memories and has no full-text table: hashes come from that column
    void contentColumnLayout()
    {
        const QString path = m_dir.filePath(u"b41a806.db"_s);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"b41a806"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"CREATE TABLE memories (id TEXT PRIMARY KEY, namespace TEXT NOT NULL, domain TEXT, "
                           "project_id TEXT, branch TEXT, file_path TEXT, status TEXT NOT NULL, created_at INTEGER "
                           "NOT NULL, tombstoned_at INTEGER, tags TEXT, source TEXT, content TEXT NOT NULL)"_s));
            const QList<QStringList> rows {
                {u"old"_s, u"same words"_s, contentHashTag(u"same words"_s), u"1600000000"_s},
                {u"new"_s, u"Same   words"_s, contentHashTag(u"Same words"_s), u"1700000000"_s},
                {u"edited"_s, u"changed since"_s, u"hash:sha256:ffffffffffffffff"_s, u"1700000000"_s},
                {u"plain"_s, u"no hash tag"_s, u""_s, u"1700000000"_s},
            };
            for (const QStringList& row : rows) {
                q.prepare(u"INSERT INTO memories (id, namespace, domain, status, created_at, tags, content) "
                          "VALUES (?, 'decisions', 'project', 'active', ?, ?, ?)"_s);
                for (const QVariant& v :
                     {QVariant(row[0]), QVariant(row[3].toLongLong()), QVariant(row[2]), QVariant(row[1])})
                    q.addBindValue(v);
                QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
            }
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(u"b41a806"_s);
        expectFindings(path, {{u"duplicate-memory"_s, u"new"_s}, {u"stale-hash-tag"_s, u"edited"_s}});
    }

    // the checker hashes ASCII content and splits ASCII tags byte by byte, and anything else as text: both must
    // read every row exactly as contentHashTag() and the text rules do
    void hashesAndTagsReadLikeTheText()
    {
        const QString path = m_dir.filePath(u"hashing.db"_s);
        const QString nul = u"nul"_s + QChar(0) + u"Byte"_s;
        {
            StoreWriter w(path);
            w.add({.id = u"a1"_s, .content = u"  Mixed\tCASE\r\n words  \v\f end "_s});
            w.add({.id = u"a2"_s, .content = u"\u00dcn\u00efcode  \u00c9T\u00c9\u00a0nbsp\u2003em"_s});
            w.add({.id = u"a3"_s, .content = u"KELVIN \u212a sign"_s});
            w.add({.id = u"a4"_s, .content = nul});
            w.add({.id = u"tn"_s,
                   .content = u"no tags"_s,
                   .tags = u""_s,
                   .ftsTags = QVariant(QMetaType::fromType<QString>())});
            w.add({.id = u"m1"_s, .content = u"nbsp"_s, .tags = u"x,\u00a0y"_s});
            w.add({.id = u"m2"_s, .content = u"tab"_s, .tags = u"a,\tb"_s});
            w.add({.id = u"s1"_s, .content = u"accent"_s, .tags = u"\u00e9,hash:sha256:0000000000000000"_s});
            w.add({.id = u"dup1"_s, .content = u"\u00c9T\u00c9  Plage"_s, .createdAt = qint64(1600000000)});
            w.add({.id = u"dup2"_s, .content = u"\u00e9t\u00e9 plage"_s});
            w.add({.id = u"dup3"_s, .content = u"  \u00c9T\u00c9\tPLAGE "_s, .createdAt = qint64(1700000001)});
            w.add({.id = u"d1"_s, .content = u"Hello World"_s, .createdAt = qint64(1600000000)});
            w.add({.id = u"d0"_s, .content = u"hello   world"_s, .createdAt = qint64(1600000000)});
            w.add({.id = u"many"_s, .content = u"eleven rows"_s, .ftsRows = 11});
            w.add({.id = u"o2"_s, .content = u"two orphan rows"_s, .metadata = false, .ftsRows = 2});
            // every alignment of spaces, runs, control whitespace and capitals against 8-byte words
            QRandomGenerator random(14);
            const QString alphabet = u"aBcXyZ  \t\n\r\v\f.,;09-_"_s;
            for (int row = 0; row < 400; ++row) {
                QString content = u"r"_s + QString::number(row);
                const int length = int(random.bounded(40));
                for (int i = 0; i < length; ++i)
                    content += alphabet[random.bounded(alphabet.size())];
                if (row % 50 == 7)
                    content += u"\u00e9\u00a0X"_s;
                w.add({.id = u"rnd"_s + QString::number(row), .content = (row % 2 ? u" "_s : QString()) + content});
            }
        }
        expectFindings(path,
                       {{u"messy-tags"_s, u"m1"_s},
                        {u"messy-tags"_s, u"m2"_s},
                        {u"stale-hash-tag"_s, u"s1"_s},
                        {u"duplicate-memory"_s, u"dup2"_s},
                        {u"duplicate-memory"_s, u"dup3"_s},
                        {u"duplicate-memory"_s, u"d1"_s},
                        {u"duplicate-content"_s, u"many"_s},
                        {u"orphan-content"_s, u"o2"_s}});
        QMap<QString, QString> details;
        for (const QByteArray& line : runCheck(path, true).out.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            details[o.value("id"_L1).toString()] = o.value("detail"_L1).toString();
        }
        QVERIFY2(details[u"dup2"_s].startsWith(u"same content as the older memory 'dup1'"_s),
                 qPrintable(details[u"dup2"_s]));
        QVERIFY2(details[u"dup3"_s].startsWith(u"same content as the older memory 'dup1'"_s),
                 qPrintable(details[u"dup3"_s]));
        QVERIFY2(details[u"d1"_s].startsWith(u"same content as the older memory 'd0' ("_s
                                             + contentHashTag(u"hello world"_s)),
                 qPrintable(details[u"d1"_s]));
        QVERIFY2(details[u"s1"_s].endsWith(u"content hashes to '"_s + contentHashTag(u"accent"_s) + u'\''),
                 qPrintable(details[u"s1"_s]));
        const QString many = details[u"many"_s];
        QVERIFY2(many.startsWith(u"11 full-text rows; subcog reads rowid "_s) && many.endsWith(u", …"_s)
                     && many.count(u", "_s) == 9,
                 qPrintable(many));
        QVERIFY2(details[u"o2"_s].startsWith(u"2 full-text rows without a memories row"_s),
                 qPrintable(details[u"o2"_s]));
    }

    // edge ends of type text are found among the ids the memories pass saw, others by SQL: both as `id = end`
    void edgeEndsAreFoundLikeSql()
    {
        const QString path = m_dir.filePath(u"edges.db"_s);
        {
            StoreWriter w(path);
            w.add({.id = u"a1"_s, .content = u"one"_s});
            w.add({.id = u"lost"_s, .content = u"no full-text row"_s, .ftsRows = 0});
            w.add({.id = u"ftsonly"_s, .content = u"no metadata row"_s, .metadata = false});
            w.sql(u"INSERT INTO memory_edges VALUES ('lost', 'a1', 'related_to', 1700000000)"_s);
            w.sql(u"INSERT INTO memory_edges VALUES ('a1', 'ftsonly', 'refines', 1700000000)"_s);
            w.sql(u"INSERT INTO memory_edges VALUES (X'6131', 'a1', 'related_to', 1700000000)"_s);
            w.sql(u"INSERT INTO memory_edges VALUES ('a1', 'a1', 'likes', 1700000000)"_s);
        }
        expectFindings(path,
                       {{u"missing-content"_s, u"lost"_s},
                        {u"orphan-content"_s, u"ftsonly"_s},
                        {u"dangling-edge"_s, u"a1"_s},
                        {u"dangling-edge"_s, u"a1"_s},
                        {u"dangling-edge"_s, u"a1"_s}});
    }

    // the library call: findings stream to the sink, and a cancel request stops the pass
    void cancelStopsTheCheck()
    {
        const QString path = m_dir.filePath(u"cancel.db"_s);
        GeneratorOptions options;
        options.count = 2000;
        options.anomalies = false;
        options.largeMemories = 0;
        writeSqliteStore(path, SqliteLayout::Head, options);
        int polls = 0;
        SqliteCheckOptions checkOptions;
        checkOptions.cancelled = [&] { return ++polls >= 2; };
        QVERIFY(!checkSqliteStore(
            path, [](const Finding&) {}, checkOptions));
        QCOMPARE(polls, 2);
        checkOptions.cancelled = [] { return false; };
        int found = 0;
        QVERIFY(checkSqliteStore(
            path, [&](const Finding&) { ++found; }, checkOptions));
        QVERIFY(found > 0); // the generator's expired TTLs and GC marks
    }

    void unreadableStoreExitsOne()
    {
        const QString garbage = m_dir.filePath(u"garbage.db"_s);
        {
            QFile file(garbage);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray(8192, 'x'));
        }
        Result r = runCheck(garbage, true);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("not a database"), r.err.constData());
        QVERIFY(r.out.isEmpty());

        r = runCheck(m_dir.filePath(u"absent.db"_s), false);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no such file"), r.err.constData());

        const QString other = m_dir.filePath(u"other.db"_s);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"other"_s);
            db.setDatabaseName(other);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec(u"CREATE TABLE notes (x)"_s));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"other"_s);
        r = runCheck(other, false);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("not a subcog store"), r.err.constData());
    }

    void hostileIdsAreEscaped()
    {
        const QString path = m_dir.filePath(u"hostile.db"_s);
        const QString id = u"evil\x1b[2J\"\\\n\x7f\u0085end"_s;
        {
            StoreWriter w(path);
            w.add({.id = id, .content = u"hostile"_s, .ns = u"nonsense"_s});
        }
        expectFindings(path, {{u"unknown-namespace"_s, id}});
        const Result table = runCheck(path, false);
        QCOMPARE(table.exitCode, 3);
        QVERIFY2(!table.out.contains('\x1b') && !table.out.contains("\xc2\x85") && !table.out.contains('\x7f'),
                 table.out.constData());
        QVERIFY2(table.out.contains("evil\\x1b[2J\"\\\\x0aend") || table.out.contains("evil\\x1b[2J"),
                 table.out.constData());
    }

    void integrityFailureIsStoreLevel()
    {
        const QString path = m_dir.filePath(u"corrupt.db"_s);
        qint64 rootPage = 0;
        {
            StoreWriter w(path);
            w.add({.id = u"fine"_s, .content = u"nothing wrong here"_s});
            w.sql(u"CREATE TABLE side (x TEXT)"_s);
            w.sql(u"CREATE INDEX side_x ON side(x)"_s);
            for (int i = 0; i < 50; ++i)
                w.sql(u"INSERT INTO side VALUES (?)"_s, {QString::number(i)});
            w.sql(u"PRAGMA journal_mode = DELETE"_s);
        }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"root"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"SELECT rootpage FROM sqlite_master WHERE name = 'side_x'"_s) && q.next());
            rootPage = q.value(0).toLongLong();
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(u"root"_s);
        QVERIFY(rootPage > 1);
        {
            // an invalid b-tree page type on the side index's root page; the memories tables stay intact
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.seek((rootPage - 1) * 4096));
            file.write("\x55", 1);
        }
        const Result r = runCheck(path, true);
        QString error;
        const auto found = findings(r.out, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(!found.isEmpty(), r.err.constData());
        for (const auto& f : found)
            QCOMPARE(f, (QPair<QString, QString>(u"integrity"_s, u"(null)"_s)));
        QCOMPARE(r.exitCode, 3);
    }
};

QTEST_GUILESS_MAIN(TestStoreCheck)
#include "tst_storecheck.moc"
