// SPDX-License-Identifier: MIT
#include "fixturegenerator.h"

#include "filesystem/encryption.h"
#include "filesystem/filesystembackend.h"
#include "postgres/postgresschema.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator64>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <functional>

#include <stdexcept>

using namespace Qt::StringLiterals;

namespace Inspector::Fixtures {

namespace {

quint64 mix(quint64 x)
{
    // splitmix64 finaliser: a fixed, well-spread function of the index
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

constexpr qint64 kBaseTime = 1767000000; // 2025-12-29

QString hex(quint64 value, int digits)
{
    return QString::number(value, 16).rightJustified(digits, u'0').right(digits);
}

// Ids of every format subcog has produced (spec §3.1); unique for every index.
QString idFor(quint64 seed, qint64 i)
{
    const quint64 h = mix(seed * 1000003ULL + quint64(i));
    // multiplying by an odd constant modulo 2^48 is a bijection, so 12-hex ids never collide
    const quint64 unique48 = ((quint64(i) * 0x5DEECE66DULL) ^ (mix(seed) & 0xffffffffffffULL)) & 0xffffffffffffULL;
    switch (i % 60) {
    case 11: {
        // v0.1 capture: <namespace>_<hyphenated UUID v4>
        const QString u = hex(h, 16) + hex(mix(h), 16);
        return namespaceName(allNamespaces()[int(i % 14)]) + u'_' + u.mid(0, 8) + u'-' + u.mid(8, 4) + u"-4"_s
            + u.mid(13, 3) + u'-' + u.mid(16, 4) + u'-' + u.mid(20, 12);
    }
    case 23:
        return hex(h, 16) + hex(mix(h), 16) + hex(quint64(i), 8); // 40 hex: commit id of a v0.2 reindex
    case 31:
        return u"decisions-"_s + QString::number(1767029430957505000LL + i);
    case 37:
        return QString::number(1767031535646420000LL + i);
    case 43:
        return hex(unique48, 12) + hex(h, 4); // 16 hex of old note data
    default:
        return hex(unique48, 12);
    }
}

const QStringList kVocabulary {u"postgres"_s, u"sqlite"_s,  u"retry"_s,     u"cache"_s,     u"index"_s,    u"latency"_s,
                               u"schema"_s,   u"backoff"_s, u"tokenizer"_s, u"migration"_s, u"deadlock"_s, u"vector"_s};

const QStringList kTexts {
    u"Decided to keep the connection pool at 20 slots; more gave no gain."_s,
    u"## Retry policy\n\n- base 100 ms\n- doubling\n- jitter up to half\n\n```rust\nlet d = base * 2u32.pow(k);\n```"_s,
    u"数据库连接池的大小应该根据负载调整。索引重建需要十分钟。"_s,
    u"👩‍💻 pairing on the tokenizer 👨‍👩‍👧‍👦 family emoji and flags 🇩🇪🇯🇵"_s,
    u"מסד הנתונים צריך אינדקס על created_at — قاعدة البيانات تحتاج فهرسًا"_s,
    u"Combining marks: e\u0301 a\u0308 n\u0303 and precomposed é ä ñ"_s,
    u"Windows line endings\r\nsecond line\r\nthird\tcolumn\tseparated"_s,
    u"Control characters \u0001 and \u001f and a bell \u0007 stay as they are."_s,
    u"Quotes \"inside\" and a back\\slash and a 'single' one; JSON must escape them."_s,
    u"Plain note about the cache invalidation bug in the index layer."_s,
};

const QStringList kTagPool {u"rust"_s,    u"sqlite"_s, u"api"_s,        u"perf"_s,   u"c++"_s,
                            u"ünïcode"_s, u"a:b"_s,    u"with space"_s, u"review"_s, u"db/migrations"_s};

const QStringList kDomains {u"project"_s, u"project"_s, u"user"_s, u"org"_s, u"acme/widgets"_s, u"acme"_s};

const char* const kStatusCycle[] = {"active",  "active",  "active",     "active",       "archived", "superseded",
                                    "pending", "deleted", "tombstoned", "consolidated", "active",   "active"};

struct LayoutInfo
{
    QStringList createColumns; ///< CREATE TABLE column definitions
    QStringList alterColumns; ///< appended with ALTER TABLE
    bool fts = true;
    bool edges = false;
    bool wal = true;
    bool globalDomain = false;
    QStringList indexes;
};

LayoutInfo layoutInfo(SqliteLayout layout)
{
    const QStringList v01 {u"id TEXT PRIMARY KEY"_s,  u"namespace TEXT NOT NULL"_s,     u"domain TEXT"_s,
                           u"status TEXT NOT NULL"_s, u"created_at INTEGER NOT NULL"_s, u"tags TEXT"_s,
                           u"source TEXT"_s};
    const QStringList v05 {u"id TEXT PRIMARY KEY"_s,
                           u"namespace TEXT NOT NULL"_s,
                           u"domain TEXT"_s,
                           u"project_id TEXT"_s,
                           u"branch TEXT"_s,
                           u"file_path TEXT"_s,
                           u"status TEXT NOT NULL"_s,
                           u"created_at INTEGER NOT NULL"_s,
                           u"tags TEXT"_s,
                           u"source TEXT"_s};
    const QStringList v06Alters {u"expires_at INTEGER"_s, u"is_summary INTEGER DEFAULT 0"_s,
                                 u"source_memory_ids TEXT"_s, u"consolidation_timestamp INTEGER"_s};
    const QStringList baseIndexes {
        u"idx_memories_namespace ON memories(namespace)"_s, u"idx_memories_domain ON memories(domain)"_s,
        u"idx_memories_status ON memories(status)"_s, u"idx_memories_created_at ON memories(created_at DESC)"_s,
        u"idx_memories_namespace_status ON memories(namespace, status)"_s};
    LayoutInfo info;
    switch (layout) {
    case SqliteLayout::PreRelease:
        info.createColumns = v01.mid(0, 6);
        info.wal = false;
        info.globalDomain = true;
        break;
    case SqliteLayout::V0_1:
        info.createColumns = v01;
        info.wal = false;
        info.globalDomain = true;
        break;
    case SqliteLayout::V0_2:
        info.createColumns = v01;
        info.globalDomain = true;
        info.indexes = baseIndexes;
        break;
    case SqliteLayout::V0_3:
        info.createColumns = v01;
        info.alterColumns = {u"tombstoned_at INTEGER"_s};
        info.indexes = baseIndexes;
        break;
    case SqliteLayout::V0_5:
        info.createColumns = v05;
        info.alterColumns = {u"tombstoned_at INTEGER"_s};
        info.indexes = baseIndexes + QStringList {u"idx_memories_project_id ON memories(project_id)"_s};
        break;
    case SqliteLayout::V0_6:
    case SqliteLayout::Head:
        info.createColumns = v05;
        info.alterColumns = QStringList {u"tombstoned_at INTEGER"_s} + v06Alters;
        info.edges = true;
        info.indexes = baseIndexes + QStringList {u"idx_memories_project_id ON memories(project_id)"_s};
        break;
    case SqliteLayout::HeadGroupScope:
        info.createColumns = v05;
        info.alterColumns = QStringList {u"tombstoned_at INTEGER"_s} + v06Alters + QStringList {u"group_id TEXT"_s};
        info.edges = true;
        info.indexes = baseIndexes;
        break;
    case SqliteLayout::HeadFromV0_1:
        info.createColumns = v01;
        info.alterColumns
            = QStringList {u"project_id TEXT"_s, u"branch TEXT"_s, u"file_path TEXT"_s, u"tombstoned_at INTEGER"_s}
            + v06Alters;
        info.edges = true;
        info.indexes = baseIndexes;
        break;
    case SqliteLayout::HeadFromV0_3:
        info.createColumns = v01;
        info.alterColumns
            = QStringList {u"tombstoned_at INTEGER"_s, u"project_id TEXT"_s, u"branch TEXT"_s, u"file_path TEXT"_s}
            + v06Alters;
        info.edges = true;
        info.indexes = baseIndexes;
        break;
    case SqliteLayout::SplitB41a806:
        info.createColumns = {u"id TEXT PRIMARY KEY"_s,   u"namespace TEXT NOT NULL"_s,
                              u"domain TEXT"_s,           u"project_id TEXT"_s,
                              u"branch TEXT"_s,           u"file_path TEXT"_s,
                              u"status TEXT NOT NULL"_s,  u"created_at INTEGER NOT NULL"_s,
                              u"tombstoned_at INTEGER"_s, u"tags TEXT"_s,
                              u"source TEXT"_s,           u"content TEXT NOT NULL"_s};
        info.fts = false;
        info.indexes = baseIndexes;
        break;
    }
    return info;
}

QSet<QString> columnNames(const LayoutInfo& info)
{
    QSet<QString> names;
    for (const QString& def : info.createColumns + info.alterColumns)
        names.insert(def.section(u' ', 0, 0));
    return names;
}

QVariant nullText()
{
    return QVariant(QMetaType::fromType<QString>());
}

QVariant orNull(const std::optional<QString>& v)
{
    return v ? QVariant(*v) : nullText();
}

QVariant orNull(const std::optional<qint64>& v)
{
    return v ? QVariant(*v) : QVariant(QMetaType::fromType<qlonglong>());
}

void exec(QSqlQuery& q, const QString& sql)
{
    if (!q.exec(sql))
        throw std::runtime_error(
            QString(u"fixture SQL failed: "_s + sql + u": "_s + q.lastError().text()).toStdString());
}

} // namespace

QList<SqliteLayout> allSqliteLayouts()
{
    return {SqliteLayout::PreRelease,     SqliteLayout::V0_1,         SqliteLayout::V0_2,
            SqliteLayout::V0_3,           SqliteLayout::V0_5,         SqliteLayout::V0_6,
            SqliteLayout::Head,           SqliteLayout::HeadFromV0_1, SqliteLayout::HeadFromV0_3,
            SqliteLayout::HeadGroupScope, SqliteLayout::SplitB41a806};
}

QString layoutName(SqliteLayout layout)
{
    switch (layout) {
    case SqliteLayout::PreRelease:
        return u"pre-release"_s;
    case SqliteLayout::V0_1:
        return u"v0.1"_s;
    case SqliteLayout::V0_2:
        return u"v0.2"_s;
    case SqliteLayout::V0_3:
        return u"v0.3"_s;
    case SqliteLayout::V0_5:
        return u"v0.5"_s;
    case SqliteLayout::V0_6:
        return u"v0.6"_s;
    case SqliteLayout::Head:
        return u"head"_s;
    case SqliteLayout::HeadFromV0_1:
        return u"head-from-v0.1"_s;
    case SqliteLayout::HeadFromV0_3:
        return u"head-from-v0.3"_s;
    case SqliteLayout::HeadGroupScope:
        return u"head-group-scope"_s;
    case SqliteLayout::SplitB41a806:
        return u"b41a806"_s;
    }
    return {};
}

MemoryStream::MemoryStream(quint64 seed, bool lightContent)
    : m_seed(seed)
    , m_light(lightContent)
{
}

Memory MemoryStream::next()
{
    const qint64 i = m_index++;
    QRandomGenerator64 rng(mix(m_seed ^ mix(quint64(i))));
    Memory m;
    const bool summary = i % 50 == 49;
    m.id = summary ? u"summary_"_s + QString::number(kBaseTime + 500000 + i) : idFor(m_seed, i);
    m.namespaceName = namespaceName(allNamespaces()[int(i % 14)]);
    m.domain = kDomains[int(rng.bounded(kDomains.size()))];
    if (rng.bounded(10) < 7)
        m.projectId = rng.bounded(2) ? u"github.com/acme/widgets"_s : u"github.com/org/repo"_s;
    if (rng.bounded(10) < 6)
        m.branch = QStringList {u"main"_s, u"develop"_s, u"feature/keyset-pages"_s}[int(rng.bounded(3))];
    if (rng.bounded(10) < 4)
        m.filePath
            = QStringList {u"src/storage/sqlite.rs"_s, u"src/lib.rs"_s, u"docs/QUERY_SYNTAX.md"_s}[int(rng.bounded(3))];
    m.status = QString::fromLatin1(kStatusCycle[i % 12]);
    m.createdAt = kBaseTime + (i / 3) * 97; // groups of three share a second: ties for the keyset
    m.updatedAt = m.createdAt;
    if (m.status == "tombstoned"_L1)
        m.tombstonedAt = m.createdAt + 3600;
    else if (i % 40 == 17)
        m.tombstonedAt = m.createdAt + 7200; // a garbage collector's mark: status unchanged
    if (i % 8 == 3)
        m.expiresAt = m.createdAt + 86400 * qint64(1 + rng.bounded(30));
    const QString word1 = kVocabulary[int(rng.bounded(kVocabulary.size()))];
    const QString word2 = kVocabulary[int(rng.bounded(kVocabulary.size()))];
    if (m_light) {
        m.content = u"Memory "_s + QString::number(i) + u" about "_s + word1 + u" and "_s + word2
            + u": keep the pool small, measure before tuning, and write the decision down for the next person."_s;
    } else {
        m.content
            = kTexts[int(i % kTexts.size())] + u"\n\nTopic: "_s + word1 + u' ' + word2 + u" #"_s + QString::number(i);
    }
    const int tagCount = int(rng.bounded(4));
    for (int t = 0; t < tagCount; ++t) {
        const QString tag = kTagPool[int(rng.bounded(kTagPool.size()))];
        if (!m.tags.contains(tag))
            m.tags.append(tag);
    }
    const int sourceKind = int(rng.bounded(6));
    if (sourceKind == 1)
        m.source = u"src/storage/sqlite.rs"_s;
    else if (sourceKind == 2)
        m.source = u"https://example.com/adr/0007"_s;
    else if (sourceKind == 3)
        m.source = u"auto-capture"_s;
    else if (sourceKind == 4)
        m.source = u"PreCompactHandler"_s;
    if (i % 5 == 2)
        m.groupId = u"team-"_s + QString::number(i % 3);
    if (summary) {
        m.isSummary = true;
        m.source = u"consolidation"_s;
        m.consolidationTimestamp = m.createdAt;
        QStringList sources;
        for (qint64 j = i - 1; j >= 0 && sources.size() < 3; j -= 7)
            sources.append(idFor(m_seed, j));
        m.sourceMemoryIds = sources;
    } else {
        m.tags.append(contentHashTag(m.content));
    }
    return m;
}

QJsonObject toJson(const Memory& m)
{
    auto text = [](const std::optional<QString>& v) { return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null); };
    auto number = [](const std::optional<qint64>& v) { return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null); };
    QJsonObject o;
    o[u"id"_s] = m.id;
    o[u"content"_s] = m.content;
    o[u"namespace"_s] = m.namespaceName;
    o[u"domain"_s] = m.domain;
    o[u"project_id"_s] = text(m.projectId);
    o[u"branch"_s] = text(m.branch);
    o[u"file_path"_s] = text(m.filePath);
    o[u"status"_s] = m.status;
    o[u"created_at"_s] = m.createdAt;
    o[u"updated_at"_s] = m.updatedAt;
    o[u"tombstoned_at"_s] = number(m.tombstonedAt);
    o[u"expires_at"_s] = number(m.expiresAt);
    o[u"tags"_s] = QJsonArray::fromStringList(m.tags);
    o[u"source"_s] = text(m.source);
    o[u"is_summary"_s] = m.isSummary;
    o[u"source_memory_ids"_s]
        = m.sourceMemoryIds ? QJsonValue(QJsonArray::fromStringList(*m.sourceMemoryIds)) : QJsonValue(QJsonValue::Null);
    o[u"consolidation_timestamp"_s] = number(m.consolidationTimestamp);
    o[u"group_id"_s] = text(m.groupId);
    return o;
}

void writeTruthFile(const QString& path, const QList<Memory>& truth)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        throw std::runtime_error(QString(path + u": cannot write the truth file"_s).toStdString());
    for (const Memory& m : truth)
        file.write(QJsonDocument(toJson(m)).toJson(QJsonDocument::Compact) + '\n');
}

GeneratedStore writeSqliteStore(const QString& path, SqliteLayout layout, const GeneratorOptions& options)
{
    const LayoutInfo info = layoutInfo(layout);
    const QSet<QString> columns = columnNames(info);
    GeneratedStore result;
    result.path = path;
    const QString building = path + u".building"_s;
    for (const QString& p : {path, building}) {
        for (const QString& suffix : {QString(), u"-wal"_s, u"-shm"_s, u"-journal"_s})
            QFile::remove(p + suffix);
    }
    QDir().mkpath(QFileInfo(path).absolutePath());
    const QString connection
        = u"fixture-"_s + QString::number(quintptr(&result)) + u'-' + QString::number(options.seed);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connection);
        db.setDatabaseName(building);
        if (!db.open())
            throw std::runtime_error(db.lastError().text().toStdString());
        QSqlQuery q(db);
        exec(q, info.wal ? u"PRAGMA journal_mode = WAL"_s : u"PRAGMA journal_mode = DELETE"_s);
        exec(q, u"PRAGMA synchronous = OFF"_s);
        exec(q, u"PRAGMA wal_autocheckpoint = 0"_s);
        exec(q, u"CREATE TABLE memories ("_s + info.createColumns.join(u", "_s) + u')');
        for (const QString& column : info.alterColumns)
            exec(q, u"ALTER TABLE memories ADD COLUMN "_s + column);
        if (info.fts)
            exec(q, u"CREATE VIRTUAL TABLE memories_fts USING fts5(id, content, tags)"_s);
        if (info.edges)
            exec(q,
                 u"CREATE TABLE memory_edges (from_id TEXT NOT NULL, to_id TEXT NOT NULL, edge_type TEXT NOT NULL, "
                 "created_at INTEGER NOT NULL, PRIMARY KEY (from_id, to_id, edge_type), "
                 "FOREIGN KEY (from_id) REFERENCES memories(id) ON DELETE CASCADE, "
                 "FOREIGN KEY (to_id) REFERENCES memories(id) ON DELETE CASCADE)"_s);

        const QStringList columnList = QStringList(columns.begin(), columns.end());
        QSqlQuery insertMemory(db);
        QString placeholders;
        for (qsizetype c = 0; c < columnList.size(); ++c)
            placeholders += c ? u",?"_s : u"?"_s;
        insertMemory.prepare(u"INSERT INTO memories ("_s + columnList.join(u", "_s) + u") VALUES ("_s + placeholders
                             + u')');
        QSqlQuery insertFts(db);
        if (info.fts)
            insertFts.prepare(u"INSERT INTO memories_fts (id, content, tags) VALUES (?, ?, ?)"_s);
        QSqlQuery insertEdge(db);
        if (info.edges)
            insertEdge.prepare(
                u"INSERT OR REPLACE INTO memory_edges (from_id, to_id, edge_type, created_at) VALUES (?, ?, ?, ?)"_s);

        // Raw column values of a memory as subcog of this era wrote them; `truth` is adjusted to what it holds.
        auto rawColumns = [&](Memory& truth) {
            QHash<QString, QVariant> raw;
            raw[u"id"_s] = truth.id;
            raw[u"namespace"_s] = truth.namespaceName;
            if (info.globalDomain && truth.domain == "project"_L1)
                truth.domain = u"global"_s;
            raw[u"domain"_s] = truth.domain;
            raw[u"status"_s] = truth.status;
            raw[u"created_at"_s] = truth.createdAt;
            raw[u"tags"_s] = truth.tags.isEmpty() ? u""_s : truth.tags.join(u','); // '' for none, as subcog writes
            auto keep = [&](const QString& column, auto& field, const QVariant& value) {
                if (columns.contains(column))
                    raw[column] = value;
                else
                    field = {};
            };
            keep(u"source"_s, truth.source, orNull(truth.source));
            keep(u"project_id"_s, truth.projectId, orNull(truth.projectId));
            keep(u"branch"_s, truth.branch, orNull(truth.branch));
            keep(u"file_path"_s, truth.filePath, orNull(truth.filePath));
            keep(u"tombstoned_at"_s, truth.tombstonedAt, orNull(truth.tombstonedAt));
            keep(u"expires_at"_s, truth.expiresAt, orNull(truth.expiresAt));
            keep(u"consolidation_timestamp"_s, truth.consolidationTimestamp, orNull(truth.consolidationTimestamp));
            keep(u"group_id"_s, truth.groupId, orNull(truth.groupId));
            if (columns.contains(u"is_summary"_s))
                raw[u"is_summary"_s] = truth.isSummary ? 1 : 0;
            else
                truth.isSummary = false;
            if (columns.contains(u"source_memory_ids"_s)) {
                raw[u"source_memory_ids"_s] = truth.sourceMemoryIds
                    ? QVariant(QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(*truth.sourceMemoryIds))
                                                     .toJson(QJsonDocument::Compact)))
                    : nullText();
            } else {
                truth.sourceMemoryIds.reset();
            }
            if (columns.contains(u"content"_s))
                raw[u"content"_s] = truth.content.isNull() ? u""_s : truth.content;
            truth.updatedAt = truth.createdAt;
            truth.embedding.reset();
            return raw;
        };
        auto insertRaw = [&](const QHash<QString, QVariant>& raw) {
            for (const QString& column : columnList)
                insertMemory.addBindValue(raw.contains(column) ? raw.value(column) : nullText());
            if (!insertMemory.exec())
                throw std::runtime_error(insertMemory.lastError().text().toStdString());
            ++result.rowCount;
        };
        QList<std::tuple<QVariant, QString, QVariant>> deferred; // FTS rows written later, in another order
        bool deferring = options.shuffledFullText;
        auto insertContent = [&](const QVariant& id, const QString& content, const QVariant& tags) {
            if (!info.fts)
                return;
            if (deferring) {
                deferred.append({id, content, tags});
                return;
            }
            insertFts.addBindValue(id);
            insertFts.addBindValue(content.isNull() ? u""_s : content);
            insertFts.addBindValue(tags);
            if (!insertFts.exec())
                throw std::runtime_error(insertFts.lastError().text().toStdString());
        };
        auto writeMemory = [&](Memory truth) {
            const auto raw = rawColumns(truth);
            insertRaw(raw);
            insertContent(truth.id, truth.content, raw.value(u"tags"_s));
            if (options.keepTruth || truth.sourceMemoryIds) // summaries' edges are written from the truth
                result.truth.append(truth);
        };

        MemoryStream stream(options.seed, options.lightContent);
        const int pendingFrom
            = info.wal && options.pendingWal ? options.count - qMax(1, options.count / 20) : options.count;
        exec(q, u"BEGIN"_s);
        for (int i = 0; i < pendingFrom; ++i) {
            Memory m = stream.next();
            if (i < options.largeMemories * 97 && i % 97 == 5)
                m.content
                    = m.content + u"\n"_s + QString(u"Long memory line with words sqlite and retry. "_s).repeated(2200);
            writeMemory(m);
        }
        if (deferring) {
            deferring = false;
            QRandomGenerator shuffle(options.seed);
            std::shuffle(deferred.begin(), deferred.end(), shuffle);
            for (const auto& [id, content, tags] : std::as_const(deferred))
                insertContent(id, content, tags);
        }
        if (info.edges) {
            for (const Memory& m : std::as_const(result.truth)) {
                if (!m.sourceMemoryIds)
                    continue;
                for (const QString& source : *m.sourceMemoryIds) {
                    for (const auto& [from, to, type] :
                         {std::tuple {source, m.id, u"summarized_by"_s}, std::tuple {m.id, source, u"source_of"_s}}) {
                        insertEdge.addBindValue(from);
                        insertEdge.addBindValue(to);
                        insertEdge.addBindValue(type);
                        insertEdge.addBindValue(m.createdAt);
                        insertEdge.exec();
                    }
                }
            }
        }

        if (options.anomalies) {
            const qint64 t = kBaseTime - 1000;
            auto base = [&](const QString& id) {
                Memory m;
                m.id = id;
                m.namespaceName = u"learnings"_s;
                m.domain = u"project"_s;
                m.status = u"active"_s;
                m.createdAt = t;
                m.content = u"anomaly row "_s + id;
                m.tags = {u"anomaly"_s};
                return m;
            };
            // a metadata row without content: subcog hides it, the inspector shows it with empty content
            {
                Memory m = base(u"anomaly_nofts_1"_s);
                const auto raw = rawColumns(m);
                insertRaw(raw);
                if (!info.fts) {
                    result.truth.append(m);
                } else {
                    m.content.clear();
                    result.truth.append(m);
                    result.missingContentIds << m.id;
                }
            }
            // a content row without metadata
            if (info.fts) {
                insertContent(u"anomaly_orphan_1"_s, u"orphaned text"_s, u"x"_s);
                result.orphanFtsIds << u"anomaly_orphan_1"_s;
                // two content rows for one id: the first one counts
                Memory m = base(u"anomaly_dupfts"_s);
                m.content = u"first copy"_s;
                const auto raw = rawColumns(m);
                insertRaw(raw);
                insertContent(m.id, m.content, raw.value(u"tags"_s));
                insertContent(m.id, u"second copy"_s, raw.value(u"tags"_s));
                result.truth.append(m);
                result.duplicateFtsIds << m.id;
            }
            // legacy and unknown strings are kept verbatim
            const QStringList namespaces {u"Decisions"_s, u"techdebt"_s, u"TECH_DEBT"_s, u"random-ns"_s};
            for (qsizetype k = 0; k < namespaces.size(); ++k) {
                Memory m = base(u"anomaly_ns_"_s + QString::number(k));
                m.namespaceName = namespaces[k];
                writeMemory(m);
            }
            const QStringList statuses {u"ARCHIVED"_s, u"Unknown-Status"_s};
            for (qsizetype k = 0; k < statuses.size(); ++k) {
                Memory m = base(u"anomaly_status_"_s + QString::number(k));
                m.status = statuses[k];
                writeMemory(m);
            }
            // domains: NULL and '' read as project; other strings verbatim
            const QList<QVariant> domains {nullText(), u""_s, u"global"_s, u"a/b/c"_s, u"user"_s};
            for (qsizetype k = 0; k < domains.size(); ++k) {
                Memory m = base(u"anomaly_domain_"_s + QString::number(k));
                auto raw = rawColumns(m);
                raw[u"domain"_s] = domains[k];
                m.domain = domains[k].toString().isEmpty() ? u"project"_s : domains[k].toString();
                insertRaw(raw);
                insertContent(m.id, m.content, raw.value(u"tags"_s));
                result.truth.append(m);
            }
            // tags: NULL, '' and a messy string
            const QList<QVariant> tagStrings {nullText(), u""_s, u" a , ,b ,"_s};
            for (qsizetype k = 0; k < tagStrings.size(); ++k) {
                Memory m = base(u"anomaly_tags_"_s + QString::number(k));
                auto raw = rawColumns(m);
                raw[u"tags"_s] = tagStrings[k];
                m.tags = k == 2 ? QStringList {u"a"_s, u"b"_s} : QStringList {};
                insertRaw(raw);
                insertContent(m.id, m.content, tagStrings[k]);
                result.truth.append(m);
            }
            if (columns.contains(u"is_summary"_s)) {
                Memory m = base(u"anomaly_summary_null"_s);
                auto raw = rawColumns(m);
                raw[u"is_summary"_s] = QVariant(QMetaType::fromType<qlonglong>());
                insertRaw(raw);
                insertContent(m.id, m.content, raw.value(u"tags"_s));
                result.truth.append(m);
            }
            if (columns.contains(u"source_memory_ids"_s)) {
                const QStringList values {u"[]"_s, u"not json"_s, u"[\"x\",1]"_s};
                for (qsizetype k = 0; k < values.size(); ++k) {
                    Memory m = base(u"anomaly_sources_"_s + QString::number(k));
                    auto raw = rawColumns(m);
                    raw[u"source_memory_ids"_s] = values[k];
                    m.sourceMemoryIds = QStringList {}; // subcog reads invalid JSON as an empty list
                    insertRaw(raw);
                    insertContent(m.id, m.content, raw.value(u"tags"_s));
                    result.truth.append(m);
                }
            }
            {
                Memory m = base(u"anomaly_epoch_zero"_s);
                m.createdAt = 0;
                writeMemory(m);
                Memory expired = base(u"anomaly_expired_live"_s);
                expired.expiresAt = t - 86400;
                writeMemory(expired);
                Memory gc = base(u"anomaly_gc_mark"_s);
                gc.tombstonedAt = t + 5;
                writeMemory(gc);
            }
            // hostile and tokenless ids
            const QStringList ids {u"quote\"id"_s,      u"🦀🦀"_s,    u"***"_s, u"abc"_s, u"abc-def"_s,
                                   u"id with spaces"_s, u"Ünï-ćødé_ID"_s, u"OR"_s,  u"NEAR"_s};
            for (const QString& id : ids) {
                Memory m = base(id);
                writeMemory(m);
            }
            {
                Memory m = base(u"anomaly_empty_content"_s);
                m.content.clear();
                writeMemory(m);
            }
            // rows that cannot be decoded
            {
                Memory m = base(u"anomaly_bad_created"_s);
                auto raw = rawColumns(m);
                raw[u"created_at"_s] = u"yesterday"_s;
                insertRaw(raw);
                insertContent(m.id, m.content, raw.value(u"tags"_s));
                result.undecodableIds << m.id;
                if (columns.contains(u"tombstoned_at"_s)) {
                    Memory n = base(u"anomaly_bad_tombstone"_s);
                    auto rawN = rawColumns(n);
                    rawN[u"tombstoned_at"_s] = u"soon"_s;
                    insertRaw(rawN);
                    insertContent(n.id, n.content, rawN.value(u"tags"_s));
                    result.undecodableIds << n.id;
                }
            }
            if (info.edges) {
                insertEdge.addBindValue(u"anomaly_gc_mark"_s);
                insertEdge.addBindValue(u"does-not-exist"_s);
                insertEdge.addBindValue(u"related_to"_s);
                insertEdge.addBindValue(t);
                insertEdge.exec();
                insertEdge.addBindValue(u"ghost"_s);
                insertEdge.addBindValue(u"anomaly_gc_mark"_s);
                insertEdge.addBindValue(u"a_new_edge_kind"_s);
                insertEdge.addBindValue(t);
                insertEdge.exec();
            }
        }
        exec(q, u"COMMIT"_s);
        for (const QString& index : info.indexes)
            exec(q, u"CREATE INDEX IF NOT EXISTS "_s + index);
        if (info.wal)
            exec(q, u"PRAGMA wal_checkpoint(TRUNCATE)"_s);

        // The last rows stay in the -wal file: copy the files while the connection still holds them.
        if (pendingFrom < options.count) {
            exec(q, u"BEGIN"_s);
            for (int i = pendingFrom; i < options.count; ++i)
                writeMemory(stream.next());
            exec(q, u"COMMIT"_s);
            if (!QFile::copy(building, path) || !QFile::copy(building + u"-wal"_s, path + u"-wal"_s))
                throw std::runtime_error("cannot copy the fixture files");
        }
        insertMemory = QSqlQuery();
        insertFts = QSqlQuery();
        insertEdge = QSqlQuery();
        q = QSqlQuery();
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    if (!QFileInfo::exists(path)) {
        if (!QFile::rename(building, path))
            throw std::runtime_error("cannot move the fixture into place");
    }
    for (const QString& suffix : {QString(), u"-wal"_s, u"-shm"_s, u"-journal"_s})
        QFile::remove(building + suffix);
    return result;
}

namespace {
// COPY's text format: backslash escapes, \N for NULL
QByteArray copyField(const std::optional<QString>& value)
{
    if (!value)
        return "\\N";
    QByteArray out;
    for (const char c : value->toUtf8()) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::optional<QString> number(const std::optional<qint64>& v)
{
    return v ? std::optional<QString>(QString::number(*v)) : std::nullopt;
}

QString pgArray(const QStringList& items)
{
    QStringList quoted;
    for (QString item : items)
        quoted << u'"' + item.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s) + u'"';
    return u'{' + quoted.join(u',') + u'}';
}

QString jsonArray(const QStringList& items)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(items)).toJson(QJsonDocument::Compact));
}

QString domainJsonOf(const QString& display)
{
    const Domain d = Domain::fromDisplayString(display);
    QJsonObject o; // keys sort as serde writes them: organization, project, repository
    o[u"organization"_s] = d.organization ? QJsonValue(*d.organization) : QJsonValue(QJsonValue::Null);
    o[u"project"_s] = d.project ? QJsonValue(*d.project) : QJsonValue(QJsonValue::Null);
    o[u"repository"_s] = d.repository ? QJsonValue(*d.repository) : QJsonValue(QJsonValue::Null);
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}
} // namespace

GeneratedStore writePostgresSql(const QString& path, PostgresLayout layout, const GeneratorOptions& options)
{
    GeneratedStore result;
    result.path = path;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        throw std::runtime_error(QString(path + u": cannot write"_s).toStdString());
    const bool head = layout == PostgresLayout::Head;
    file.write("SET client_min_messages = warning;\n");
    file.write((head ? postgresHeadSchemaSql() : postgresSplitSchemaSql()).toUtf8());
    const QStringList columns = head
        ? QStringList {u"id"_s,
                       u"content"_s,
                       u"namespace"_s,
                       u"domain"_s,
                       u"status"_s,
                       u"tags"_s,
                       u"created_at"_s,
                       u"updated_at"_s,
                       u"project_id"_s,
                       u"branch"_s,
                       u"file_path"_s,
                       u"source"_s,
                       u"tombstoned_at"_s,
                       u"expires_at"_s,
                       u"is_summary"_s,
                       u"source_memory_ids"_s,
                       u"consolidation_timestamp"_s}
        : QStringList {u"id"_s,          u"content"_s,       u"namespace"_s,  u"domain_org"_s, u"domain_project"_s,
                       u"domain_repo"_s, u"status"_s,        u"tags"_s,       u"source"_s,     u"created_at"_s,
                       u"updated_at"_s,  u"tombstoned_at"_s, u"project_id"_s, u"branch"_s,     u"file_path"_s};
    file.write("\nCOPY memories (" + columns.join(u", "_s).toUtf8() + ") FROM stdin;\n");

    // raw values keyed by column; `truth` is adjusted to what the layout holds
    using Raw = QHash<QString, std::optional<QString>>;
    auto rawOf = [&](Memory& m) {
        Raw raw;
        m.groupId.reset();
        m.embedding.reset();
        raw[u"id"_s] = m.id;
        raw[u"content"_s] = m.content;
        raw[u"namespace"_s] = m.namespaceName;
        raw[u"status"_s] = m.status;
        raw[u"tags"_s] = pgArray(m.tags);
        raw[u"created_at"_s] = QString::number(m.createdAt);
        raw[u"updated_at"_s] = QString::number(m.updatedAt);
        raw[u"project_id"_s] = m.projectId;
        raw[u"branch"_s] = m.branch;
        raw[u"file_path"_s] = m.filePath;
        raw[u"source"_s] = m.source;
        raw[u"tombstoned_at"_s] = number(m.tombstonedAt);
        if (head) {
            raw[u"domain"_s] = domainJsonOf(m.domain);
            raw[u"expires_at"_s] = number(m.expiresAt);
            raw[u"is_summary"_s] = m.isSummary ? u"t"_s : u"f"_s;
            raw[u"source_memory_ids"_s]
                = m.sourceMemoryIds ? std::optional<QString>(jsonArray(*m.sourceMemoryIds)) : std::nullopt;
            raw[u"consolidation_timestamp"_s] = number(m.consolidationTimestamp);
        } else {
            const Domain d = Domain::fromDisplayString(m.domain);
            raw[u"domain_org"_s] = d.organization;
            raw[u"domain_project"_s] = d.project;
            raw[u"domain_repo"_s] = d.repository;
            m.domain = d.toString();
            m.expiresAt.reset();
            m.isSummary = false;
            m.sourceMemoryIds.reset();
            m.consolidationTimestamp.reset();
        }
        return raw;
    };
    auto emit = [&](const Raw& raw) {
        QByteArray line;
        for (qsizetype c = 0; c < columns.size(); ++c) {
            if (c)
                line += '\t';
            line += copyField(raw.value(columns[c]));
        }
        file.write(line + '\n');
        ++result.rowCount;
    };
    MemoryStream stream(options.seed, options.lightContent);
    for (int i = 0; i < options.count; ++i) {
        Memory m = stream.next();
        m.updatedAt = m.createdAt + (i % 7) * 10; // PostgreSQL keeps a real updated_at
        if (i < options.largeMemories * 97 && i % 97 == 5)
            m.content += u"\n"_s + QString(u"Long memory line with words sqlite and retry. "_s).repeated(2200);
        const Raw raw = rawOf(m);
        emit(raw);
        if (options.keepTruth)
            result.truth.append(m);
    }
    if (options.anomalies) {
        auto base = [&](const QString& id) {
            Memory m;
            m.id = id;
            m.namespaceName = u"learnings"_s;
            m.domain = u"project"_s;
            m.status = u"active"_s;
            m.createdAt = kBaseTime - 1000;
            m.updatedAt = m.createdAt + 1;
            m.content = u"anomaly row "_s + id;
            m.tags = {u"anomaly"_s};
            return m;
        };
        auto add = [&](Memory m, const std::function<void(Raw&, Memory&)>& tweak = {}) {
            Raw raw = rawOf(m);
            if (tweak)
                tweak(raw, m);
            emit(raw);
            result.truth.append(m);
        };
        // ids and tags that an array literal must quote
        for (const QString& id : {u"quote\"id"_s, u"a,b"_s, u"{brace}"_s, u"back\\slash"_s, u"NULL"_s, u"with space"_s})
            add(base(id));
        {
            Memory m = base(u"anomaly_tags_hostile"_s);
            m.tags = {u"a,b"_s, u"q\"x"_s, u"{x}"_s, u"back\\"_s, u"NULL"_s, u""_s};
            add(m);
        }
        add(base(u"anomaly_ns"_s), [](Raw& raw, Memory& m) { raw[u"namespace"_s] = m.namespaceName = u"Decisions"_s; });
        add(base(u"anomaly_status"_s), [](Raw& raw, Memory& m) { raw[u"status"_s] = m.status = u"ARCHIVED"_s; });
        add(base(u"anomaly_status_unknown"_s),
            [](Raw& raw, Memory& m) { raw[u"status"_s] = m.status = u"Unknown-Status"_s; });
        add(base(u"anomaly_gc_mark"_s), [](Raw& raw, Memory& m) {
            m.tombstonedAt = m.createdAt + 5;
            raw[u"tombstoned_at"_s] = QString::number(*m.tombstonedAt);
        });
        add(base(u"anomaly_empty_content"_s), [](Raw& raw, Memory& m) { raw[u"content"_s] = m.content = u""_s; });
        add(base(u"anomaly_epoch_zero"_s), [](Raw& raw, Memory& m) {
            m.createdAt = m.updatedAt = 0;
            raw[u"created_at"_s] = raw[u"updated_at"_s] = u"0"_s;
        });
        if (head) {
            // a domain that is not JSON (older writers, hand edits) is shown as it is
            add(base(u"anomaly_domain_plain"_s), [](Raw& raw, Memory& m) { raw[u"domain"_s] = m.domain = u"user"_s; });
            add(base(u"anomaly_domain_empty"_s), [](Raw& raw, Memory& m) {
                raw[u"domain"_s] = u""_s;
                m.domain = u"project"_s;
            });
            add(base(u"anomaly_domain_org"_s), [](Raw& raw, Memory& m) {
                m.domain = u"org"_s;
                raw[u"domain"_s] = domainJsonOf(m.domain);
            });
            add(base(u"anomaly_tags_null"_s), [](Raw& raw, Memory& m) {
                raw[u"tags"_s] = std::nullopt;
                m.tags.clear();
            });
            add(base(u"anomaly_summary_null"_s), [](Raw& raw, Memory&) { raw[u"is_summary"_s] = std::nullopt; });
            add(base(u"anomaly_sources_empty"_s), [](Raw& raw, Memory& m) {
                raw[u"source_memory_ids"_s] = u"[]"_s;
                m.sourceMemoryIds = QStringList {};
            });
            add(base(u"anomaly_sources_object"_s), [](Raw& raw, Memory& m) {
                raw[u"source_memory_ids"_s] = u"{\"not\": \"a list\"}"_s;
                m.sourceMemoryIds = QStringList {};
            });
        }
    }
    file.write("\\.\n");
    if (head)
        file.write("ANALYZE memories;\n");
    return result;
}

QList<QPair<float, QByteArray>> serdeFloatSamples()
{
    // written out by hand from ryu's layout rules, not computed by the code under test
    return {
        {0.1f, "0.1"},
        {1.0f, "1.0"},
        {-0.5f, "-0.5"},
        {1e-7f, "1e-7"},
        {123456789.0f, "123456790.0"},
        {3.4028235e38f, "3.4028235e38"},
        {0.000123f, "0.000123"},
        {1.17549435e-38f, "1.1754944e-38"},
        {0.0f, "0.0"},
        {-2.5e-6f, "-0.0000025"},
        {-2.5e-7f, "-2.5e-7"},
        {0.033333335f, "0.033333335"},
        {1e21f, "1e21"},
        {1e20f, "100000000000000000000.0"},
    };
}

namespace {
// A serde_json-style pretty writer written independently of the inspector's (same spec, other code).
class SerdeWriter
{
public:
    QByteArray out;
    int depth = 0;
    bool firstInContainer = true;

    void string(const QString& s)
    {
        out += '"';
        for (const char c : s.toUtf8()) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"')
                out += "\\\"";
            else if (c == '\\')
                out += "\\\\";
            else if (c == '\n')
                out += "\\n";
            else if (c == '\r')
                out += "\\r";
            else if (c == '\t')
                out += "\\t";
            else if (c == '\b')
                out += "\\b";
            else if (c == '\f')
                out += "\\f";
            else if (u < 0x20)
                out += QByteArray("\\u00") + QByteArray::number(u, 16).rightJustified(2, '0');
            else
                out += c;
        }
        out += '"';
    }
    void key(const char* name)
    {
        out += firstInContainer ? "\n" : ",\n";
        firstInContainer = false;
        out += QByteArray(depth * 2, ' ');
        string(QString::fromUtf8(name));
        out += ": ";
    }
    void raw(const QByteArray& text) { out += text; }
    void optString(const std::optional<QString>& v) { v ? string(*v) : raw("null"); }
    void optNumber(const std::optional<qint64>& v) { raw(v ? QByteArray::number(*v) : QByteArray("null")); }
    void list(const QList<QByteArray>& items)
    {
        if (items.isEmpty()) {
            raw("[]");
            return;
        }
        raw("[");
        for (qsizetype i = 0; i < items.size(); ++i)
            out += (i ? ",\n" : "\n") + QByteArray((depth + 1) * 2, ' ') + items[i];
        out += "\n" + QByteArray(depth * 2, ' ') + "]";
    }
    QByteArray quoted(const QString& s)
    {
        SerdeWriter w;
        w.string(s);
        return w.out;
    }
};

QByteArray folderFile(const Memory& m, bool oldFormat, const QList<QPair<QByteArray, QByteArray>>& extra,
                      const QList<QByteArray>& embeddingText)
{
    SerdeWriter w;
    w.raw("{");
    w.depth = 1;
    const Domain d = m.domainForWrite();
    w.key("id");
    w.string(m.id);
    w.key("content");
    w.string(m.content);
    w.key("namespace");
    w.string(m.namespaceName);
    w.key("domain_org");
    w.optString(d.organization);
    w.key("domain_project");
    w.optString(d.project);
    w.key("domain_repo");
    w.optString(d.repository);
    if (!oldFormat) {
        w.key("project_id");
        w.optString(m.projectId);
        w.key("branch");
        w.optString(m.branch);
        w.key("file_path");
        w.optString(m.filePath);
    }
    w.key("status");
    w.string(m.status);
    w.key("created_at");
    w.raw(QByteArray::number(m.createdAt));
    w.key("updated_at");
    w.raw(QByteArray::number(m.updatedAt));
    if (!oldFormat) {
        w.key("tombstoned_at");
        w.optNumber(m.tombstonedAt);
        w.key("expires_at");
        w.optNumber(m.expiresAt);
    }
    w.key("embedding");
    if (m.embedding)
        w.list(embeddingText);
    else
        w.raw("null");
    w.key("tags");
    QList<QByteArray> tags;
    for (const QString& t : m.tags)
        tags << w.quoted(t);
    w.list(tags);
    w.key("source");
    w.optString(m.source);
    if (!oldFormat) {
        w.key("is_summary");
        w.raw(m.isSummary ? "true" : "false");
        w.key("source_memory_ids");
        if (m.sourceMemoryIds) {
            QList<QByteArray> ids;
            for (const QString& id : *m.sourceMemoryIds)
                ids << w.quoted(id);
            w.list(ids);
        } else {
            w.raw("null");
        }
        w.key("consolidation_timestamp");
        w.optNumber(m.consolidationTimestamp);
    }
    for (const auto& [k, v] : extra) {
        w.key(k.constData());
        w.raw(v);
    }
    w.out += "\n}";
    return w.out;
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
        throw std::runtime_error(QString(path + u": cannot write"_s).toStdString());
}
} // namespace

GeneratedFolder writeFolderStore(const QString& folder, const GeneratorOptions& options)
{
    GeneratedFolder result;
    result.store.path = folder;
    QDir(folder).removeRecursively();
    QDir().mkpath(folder);
    QRandomGenerator64 keyRandom(options.seed);
    result.key.resize(32);
    for (int i = 0; i < 32; ++i)
        result.key[i] = char(keyRandom.bounded(256));
    const auto floats = serdeFloatSamples();
    MemoryStream stream(options.seed, options.lightContent);
    for (int i = 0; i < options.count; ++i) {
        Memory m = stream.next();
        if (!FilesystemBackend::isSafeId(m.id))
            m.id = u"fs_"_s + QString::number(i); // ids of old formats with characters a folder store refuses
        m.updatedAt = m.createdAt + (i % 5) * 30;
        m.groupId.reset();
        const Domain parts = Domain::fromDisplayString(m.domain);
        m.domainParts = parts;
        m.domain = parts.toString();
        const bool oldFormat = options.anomalies && i % 9 == 4;
        if (oldFormat) {
            m.projectId.reset();
            m.branch.reset();
            m.filePath.reset();
            m.tombstonedAt.reset();
            m.expiresAt.reset();
            m.isSummary = false;
            m.sourceMemoryIds.reset();
            m.consolidationTimestamp.reset();
        }
        QList<QByteArray> embeddingText;
        if (i % 6 == 1) {
            QList<float> values;
            for (int k = 0; k < 8; ++k) {
                const auto& sample = floats[(i + k) % floats.size()];
                values << sample.first;
                embeddingText << sample.second;
            }
            m.embedding = values;
        }
        QList<QPair<QByteArray, QByteArray>> extra;
        if (options.anomalies && i % 13 == 7)
            extra << QPair<QByteArray, QByteArray> {"x_future_field", "\"kept\""};
        QByteArray bytes = folderFile(m, oldFormat, extra, embeddingText);
        if (options.anomalies && i % 7 == 3) {
            bytes = Encryption::encrypt(bytes, result.key);
            result.encryptedIds << m.id;
            m.flags |= MemoryFlag::Encrypted;
        }
        if (!oldFormat && extra.isEmpty())
            result.currentFormatIds << m.id;
        writeFile(folder + u'/' + m.id + u".json"_s, bytes);
        ++result.store.rowCount;
        if (options.keepTruth)
            result.store.truth << m;
    }
    if (options.anomalies) {
        Memory base = MemoryStream(options.seed + 99).next();
        base.groupId.reset();
        base.sourceMemoryIds.reset();
        auto damaged = [&](const QString& name, const QByteArray& bytes) {
            writeFile(folder + u'/' + name, bytes);
            result.damagedFiles << name;
        };
        base.id = u"damaged_truncated"_s;
        const QByteArray whole = folderFile(base, false, {}, {});
        damaged(u"damaged_truncated.json"_s, whole.left(whole.size() / 2));
        base.id = u"damaged_types"_s;
        damaged(u"damaged_types.json"_s,
                folderFile(base, false, {}, {}).replace("\"created_at\": ", "\"created_at\": \"yesterday\", \"x\": "));
        base.id = u"damaged_utf8"_s;
        damaged(u"damaged_utf8.json"_s,
                folderFile(base, false, {}, {}).replace("\"content\": \"", "\"content\": \"\xff\xfe"));
        base.id = u"damaged_big"_s;
        Memory big = base;
        big.content = QString(u"x"_s).repeated(1100000);
        damaged(u"damaged_big.json"_s, folderFile(big, false, {}, {}));
        base.id = u"someone_else"_s;
        damaged(u"damaged_idmismatch.json"_s, folderFile(base, false, {}, {}));
        base.id = u"damaged_notags"_s;
        damaged(u"damaged_notags.json"_s, folderFile(base, false, {}, {}).replace("\"tags\": [", "\"labels\": ["));
        base.id = u"bad name"_s;
        damaged(u"bad name.json"_s, folderFile(base, false, {}, {}));
        base.id = u"damaged_wrongkey"_s;
        QByteArray otherKey(32, 'k');
        damaged(u"damaged_wrongkey.json"_s, Encryption::encrypt(folderFile(base, false, {}, {}), otherKey));
        writeFile(folder + u"/notes.txt"_s, "not a memory");
        writeFile(folder + u"/README.md"_s, "# not a memory either");
        const QString leftover
            = (result.store.truth.isEmpty() ? u"x"_s : result.store.truth.first().id) + u".json.k3j4h5.tmp"_s;
        writeFile(folder + u'/' + leftover, "{\n  \"id\": \"half");
        result.leftoverFiles << leftover;
    }
    return result;
}

QByteArray subcogFileBytes(const Memory& memory)
{
    return folderFile(memory, false, {}, {});
}

QByteArray subcogFileBytes(const Memory& memory, const QList<QByteArray>& embeddingText)
{
    return folderFile(memory, false, {}, embeddingText);
}

} // namespace Inspector::Fixtures
