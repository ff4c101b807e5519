// SPDX-License-Identifier: MIT
#include "postgrescheck.h"

#include "checkrules.h"
#include "postgres/postgresbackend.h"
#include "storageerror.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <pqxx/pqxx>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

using namespace CheckRules;

constexpr int kPollEvery = 64; // rows between two polls of the cancel callback
constexpr int kIdBatch = 5000; // ids per statement when the duplicates' ids are looked up

QString text(const pqxx::field& f)
{
    return QString::fromUtf8(f.c_str(), qsizetype(f.size()));
}

std::optional<QString> optionalText(const pqxx::field& f)
{
    return f.is_null() ? std::nullopt : std::optional<QString>(text(f));
}

std::optional<qint64> optionalInteger(const pqxx::field& f)
{
    if (f.is_null())
        return std::nullopt;
    bool ok = false;
    const qint64 value = text(f).toLongLong(&ok);
    return ok ? std::optional<qint64>(value) : std::nullopt;
}

std::string toStd(const QString& s)
{
    const QByteArray utf8 = s.toUtf8();
    return std::string(utf8.constData(), size_t(utf8.size()));
}

std::string number(qint64 n)
{
    return std::to_string(n);
}

/// How subcog reads a domain column's text (spec §5.1): serde's decode of the Domain struct, else project scope.
enum class DomainReading
{
    Json,
    LegacyProjectScope, ///< NULL, '', 'global', 'project': not JSON, but meant and read as the project scope
    OtherScope, ///< text that meant another scope (or nothing subcog knows), read as the project scope
};

DomainReading readDomain(const std::optional<QString>& domain)
{
    if (!domain || domain->isEmpty() || *domain == "global"_L1 || *domain == "project"_L1)
        return DomainReading::LegacyProjectScope;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(domain->toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return DomainReading::OtherScope;
    // Option<String> fields: a string, null or absent; anything else fails serde's decode
    const QJsonObject o = doc.object();
    for (auto key : {"organization"_L1, "project"_L1, "repository"_L1}) {
        const QJsonValue v = o.value(key);
        if (!v.isString() && !v.isNull() && !v.isUndefined())
            return DomainReading::OtherScope;
    }
    return DomainReading::Json;
}

struct TableColumns
{
    QHash<QString, QString> types; ///< column → udt_name (`text`, `int8`, `_text`, `jsonb`, `vector`, …)
    bool has(const char* column) const { return types.contains(QLatin1StringView(column)); }
};

// HEAD's migration 1 (spec §5.1): what the memories table must carry for subcog's search and lists
constexpr const char* kHeadIndexes[] = {
    "memories_search_idx",     "memories_namespace_idx", "memories_updated_idx",        "memories_status_idx",
    "memories_created_idx",    "memories_project_idx",   "memories_project_branch_idx", "memories_file_path_idx",
    "memories_tombstoned_idx", "memories_expires_idx",
};
constexpr const char* kHeadTrigger = "memories_search_vector_trigger";
constexpr const char* kVectorIndex = "memory_vectors_embedding_idx";

class Checker
{
public:
    Checker(pqxx::transaction_base& tx, const FindingSink& sink, const PostgresCheckOptions& options)
        : m_tx(tx)
        , m_sink(sink)
        , m_options(options)
        , m_now(options.now.value_or(QDateTime::currentSecsSinceEpoch()))
        , m_batchRows(qMax(1, options.batchRows))
        , m_batch(std::to_string(m_batchRows))
    {
    }

    bool run()
    {
        inspectSchema();
        return checkMemories() && reportDuplicates() && checkOrphanVectors() && checkMentions() && checkIntegrity();
    }

private:
    pqxx::transaction_base& m_tx;
    const FindingSink& m_sink;
    const PostgresCheckOptions& m_options;
    qint64 m_now;
    int m_batchRows;
    std::string m_batch; ///< the same, as the bound LIMIT parameter
    qint64 m_rows = 0;
    TableColumns m_memories;
    TableColumns m_vectors;
    TableColumns m_mentions;
    bool m_head = false; ///< HEAD's layout (JSON domain, search_vector): the one subcog reads
    bool m_vectorTable = false;
    bool m_keepsVectors = false; ///< memory_vectors holds at least one embedding: live memories should have one
    bool m_mentionTable = false;
    DuplicateHashes m_hashes;

    bool cancelled() { return ++m_rows % kPollEvery == 0 && askedToStop(); }
    /// Polled before each statement as well, so small batches stop as soon as large ones.
    bool askedToStop() const { return m_options.cancelled && m_options.cancelled(); }

    void report(QLatin1StringView cls, const std::optional<QString>& id, const QString& detail, const QString& fix)
    {
        m_sink(Finding {cls, id, detail, fix});
    }

    void inspectSchema()
    {
        const pqxx::result r = m_tx.exec("SELECT table_name, column_name, udt_name FROM information_schema.columns "
                                         "WHERE table_schema = current_schema() "
                                         "AND table_name IN ('memories', 'memory_vectors', 'graph_entity_mentions')");
        for (const auto& row : r) {
            const QString table = text(row[0]);
            TableColumns& target = table == "memories"_L1 ? m_memories
                : table == "memory_vectors"_L1            ? m_vectors
                                                          : m_mentions;
            target.types.insert(text(row[1]).toLower(), text(row[2]).toLower());
        }
        m_head = m_memories.has("search_vector") && m_memories.has("domain");
        m_vectorTable = m_vectors.has("id") && m_vectors.has("embedding");
        if (m_vectorTable)
            m_keepsVectors = m_tx.exec("SELECT EXISTS (SELECT 1 FROM memory_vectors)")[0][0].as<bool>();
        m_mentionTable = m_mentions.has("entity_id") && m_mentions.has("memory_id");
    }

    // ---- memories, in id order, one batch per statement ----

    enum Field
    {
        FId,
        FContent,
        FNamespace,
        FDomain,
        FStatus,
        FTags,
        FCreatedAt,
        FTombstonedAt,
        FExpiresAt,
        FIsSummary,
        FSourceIds,
        FHasVector,
    };

    QString column(const char* name, const QString& expression) const
    {
        return m_memories.has(name) ? expression : u"NULL"_s;
    }

    bool checkMemories()
    {
        const QString select = u"SELECT m.id, m.content, m.namespace, "_s + (m_head ? u"m.domain"_s : u"NULL"_s)
            + u", m.status, "_s + column("tags", u"array_to_json(m.tags)::text"_s) + u", m.created_at::text, "_s
            + column("tombstoned_at", u"m.tombstoned_at::text"_s) + u", "_s
            + column("expires_at", u"m.expires_at::text"_s) + u", "_s + column("is_summary", u"m.is_summary"_s)
            + u", "_s + column("source_memory_ids", u"m.source_memory_ids::text"_s) + u", "_s
            + (m_keepsVectors ? u"EXISTS (SELECT 1 FROM memory_vectors v WHERE v.id = m.id)"_s : u"NULL"_s)
            + u" FROM memories m "_s;
        const std::string first = toStd(select + u"ORDER BY m.id LIMIT $1"_s);
        const std::string next = toStd(select + u"WHERE m.id > $2 ORDER BY m.id LIMIT $1"_s);
        const std::string memoryExists = "SELECT 1 FROM memories WHERE id = $1";

        std::optional<std::string> after;
        quint32 ordinal = 0;
        for (;;) {
            if (askedToStop())
                return false;
            const pqxx::result r = after ? m_tx.exec_params(next, m_batch, *after) : m_tx.exec_params(first, m_batch);
            for (const auto& row : r) {
                if (cancelled())
                    return false;
                checkRow(row, ordinal++, memoryExists);
            }
            if (r.size() < size_t(m_batchRows))
                return true;
            after = std::string(r[int(r.size()) - 1][FId].c_str(), r[int(r.size()) - 1][FId].size());
        }
    }

    void checkRow(const pqxx::row& row, quint32 ordinal, const std::string& memoryExists)
    {
        const QString id = text(row[FId]);
        const QString content = text(row[FContent]);
        checkNamespace(m_sink, id, optionalText(row[FNamespace]));
        if (m_head) {
            const auto domain = optionalText(row[FDomain]);
            const QString shown = domain ? quoted(*domain) : u"NULL"_s;
            switch (readDomain(domain)) {
            case DomainReading::Json:
                break;
            case DomainReading::LegacyProjectScope:
                report(
                    "legacy-domain"_L1, id, u"domain "_s + shown + u" is not JSON (read as project scope)"_s,
                    u"write the project scope's JSON {\"organization\":null,\"project\":null,\"repository\":null}"_s);
                break;
            case DomainReading::OtherScope:
                report("unreadable-domain"_L1, id,
                       u"domain "_s + shown + u" is not subcog's domain JSON: subcog reads it as project scope"_s,
                       u"none automatic: decide which scope it should have"_s);
                break;
            }
        }
        const MemoryStatus status = checkStatus(m_sink, id, optionalText(row[FStatus]));

        QStringList tags;
        if (m_memories.has("tags")) {
            std::optional<QStringList> list;
            if (!row[FTags].is_null()) {
                list.emplace();
                for (const QJsonValue& v : QJsonDocument::fromJson(row[FTags].c_str()).array())
                    list->append(v.toString()); // a NULL element reads as a blank entry
            }
            tags = checkTagList(m_sink, id, list, row[FTags].is_null() ? u"NULL"_s : text(row[FTags]));
        }

        const auto createdAt = optionalInteger(row[FCreatedAt]);
        checkCreatedAt(m_sink, id, createdAt, row[FCreatedAt].is_null() ? u"NULL"_s : quoted(text(row[FCreatedAt])),
                       m_now);
        const bool live = checkLifecycle(m_sink, id, status, m_memories.has("tombstoned_at"),
                                         optionalInteger(row[FTombstonedAt]), optionalInteger(row[FExpiresAt]), m_now);

        // summaries (HEAD only has the columns)
        QStringList problems;
        if (m_memories.has("is_summary") && row[FIsSummary].is_null())
            problems << u"is_summary is NULL"_s;
        const bool isSummary = !row[FIsSummary].is_null() && row[FIsSummary].as<bool>();
        QStringList sources;
        bool sourcesValid = true;
        if (!row[FSourceIds].is_null()) {
            const QJsonDocument doc = QJsonDocument::fromJson(row[FSourceIds].c_str());
            sourcesValid = doc.isArray();
            for (const QJsonValue& item : doc.array()) {
                if (!item.isString())
                    sourcesValid = false;
                else
                    sources << item.toString();
            }
            if (!sourcesValid)
                problems << u"source_memory_ids "_s + quoted(text(row[FSourceIds])) + u" is not a JSON array of ids"_s;
        }
        if (isSummary && sourcesValid) {
            if (sources.isEmpty())
                problems << u"a summary without sources"_s;
            QStringList missing;
            for (const QString& source : std::as_const(sources)) {
                if (m_tx.exec_params(memoryExists, toStd(source)).empty())
                    missing << source;
            }
            if (!missing.isEmpty())
                problems << u"sources no longer exist: "_s + missing.join(u", "_s);
        }
        reportBadSummary(m_sink, id, problems);

        checkHashTag(m_sink, id, tags, content, isSummary);
        if (live) {
            m_hashes.add(content, createdAt.value_or(0), ordinal);
            if (m_keepsVectors && !row[FHasVector].as<bool>())
                report("missing-vector"_L1, id, u"a live memory without an embedding in memory_vectors"_s,
                       u"none automatic: subcog's `migrate embeddings` re-embeds it"_s);
        }
    }

    bool reportDuplicates()
    {
        const auto duplicates = m_hashes.duplicates();
        if (duplicates.empty())
            return true;
        QHash<quint32, QString> ids; // only the ordinals of duplicate groups
        for (const auto& d : duplicates) {
            ids.insert(d.ordinal, {});
            ids.insert(d.keptOrdinal, {});
        }
        // the same snapshot and order as the scan: the n-th id is the n-th memory seen there
        const std::string first = "SELECT id FROM memories ORDER BY id LIMIT $1";
        const std::string next = "SELECT id FROM memories WHERE id > $2 ORDER BY id LIMIT $1";
        std::optional<std::string> after;
        quint32 ordinal = 0;
        for (;;) {
            if (askedToStop())
                return false;
            const pqxx::result r
                = after ? m_tx.exec_params(next, number(kIdBatch), *after) : m_tx.exec_params(first, number(kIdBatch));
            for (const auto& row : r) {
                if (cancelled())
                    return false;
                if (const auto it = ids.find(ordinal++); it != ids.end())
                    *it = text(row[0]);
            }
            if (r.size() < size_t(kIdBatch))
                break;
            after = std::string(r[int(r.size()) - 1][0].c_str(), r[int(r.size()) - 1][0].size());
        }
        for (const auto& d : duplicates)
            reportDuplicate(m_sink, ids.value(d.ordinal), ids.value(d.keptOrdinal), d.hashTag);
        return true;
    }

    bool checkOrphanVectors()
    {
        if (!m_vectorTable)
            return true;
        const QString base = u"SELECT v.id FROM memory_vectors v WHERE NOT EXISTS "
                             "(SELECT 1 FROM memories m WHERE m.id = v.id) "_s;
        const std::string first = toStd(base + u"ORDER BY v.id LIMIT $1"_s);
        const std::string next = toStd(base + u"AND v.id > $2 ORDER BY v.id LIMIT $1"_s);
        std::optional<std::string> after;
        for (;;) {
            if (askedToStop())
                return false;
            const pqxx::result r = after ? m_tx.exec_params(next, m_batch, *after) : m_tx.exec_params(first, m_batch);
            for (const auto& row : r) {
                if (cancelled())
                    return false;
                report("orphan-vector"_L1, text(row[0]),
                       u"an embedding in memory_vectors for a memory that does not exist"_s, u"delete the vector"_s);
            }
            if (r.size() < size_t(m_batchRows))
                return true;
            after = std::string(r[int(r.size()) - 1][0].c_str(), r[int(r.size()) - 1][0].size());
        }
    }

    bool checkMentions()
    {
        if (!m_mentionTable)
            return true;
        const QString base = u"SELECT g.entity_id, g.memory_id FROM graph_entity_mentions g WHERE NOT EXISTS "
                             "(SELECT 1 FROM memories m WHERE m.id = g.memory_id) "_s;
        const std::string first = toStd(base + u"ORDER BY g.entity_id, g.memory_id LIMIT $1"_s);
        const std::string next
            = toStd(base + u"AND (g.entity_id, g.memory_id) > ($2, $3) ORDER BY g.entity_id, g.memory_id LIMIT $1"_s);
        std::optional<std::pair<std::string, std::string>> after;
        for (;;) {
            if (askedToStop())
                return false;
            const pqxx::result r = after ? m_tx.exec_params(next, m_batch, after->first, after->second)
                                         : m_tx.exec_params(first, m_batch);
            for (const auto& row : r) {
                if (cancelled())
                    return false;
                report("orphan-mention"_L1, text(row[1]),
                       u"graph entity "_s + quoted(text(row[0])) + u" mentions a memory that does not exist"_s,
                       u"delete the mention and decrement the entity's mention_count"_s);
            }
            if (r.size() < size_t(m_batchRows))
                return true;
            const auto last = r[int(r.size()) - 1];
            after.emplace(std::string(last[0].c_str(), last[0].size()), std::string(last[1].c_str(), last[1].size()));
        }
    }

    // ---- what subcog's migration 1 creates (HEAD's layout only; the older layouts are subcog's to migrate) ----

    struct Indexes
    {
        QHash<QString, bool> valid; ///< index name → usable
        bool primaryKey = false;
    };

    Indexes indexesOf(const char* table)
    {
        Indexes result;
        const pqxx::result r
            = m_tx.exec_params("SELECT c.relname, i.indisvalid, i.indisprimary FROM pg_index i "
                               "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass($1)",
                               std::string(table));
        for (const auto& row : r) {
            result.valid.insert(text(row[0]), row[1].as<bool>());
            result.primaryKey = result.primaryKey || row[2].as<bool>();
        }
        return result;
    }

    void expectIndex(const Indexes& indexes, const char* table, const char* index)
    {
        const QString name = QLatin1StringView(index);
        const QString where = u"table '"_s + QLatin1StringView(table) + u"' "_s;
        if (!indexes.valid.contains(name))
            report("integrity"_L1, std::nullopt,
                   where + u"has no index '"_s + name + u"' (subcog's migration makes it)"_s,
                   u"none automatic: re-create it as subcog's migration 1 does (spec §5.1)"_s);
        else if (!indexes.valid.value(name))
            report("integrity"_L1, std::nullopt, where + u"index '"_s + name + u"' is invalid (an interrupted build)"_s,
                   u"none automatic: REINDEX it"_s);
    }

    bool checkIntegrity()
    {
        if (!m_head)
            return true;
        const Indexes memories = indexesOf("memories");
        if (!memories.primaryKey)
            report("integrity"_L1, std::nullopt, u"table 'memories' has no primary key on id"_s,
                   u"none automatic: duplicate ids may exist; re-create the key as subcog's migration 1 does"_s);
        for (const char* index : kHeadIndexes)
            expectIndex(memories, "memories", index);
        const pqxx::result triggers = m_tx.exec_params(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname = $2 AND NOT tgisinternal",
            std::string("memories"), std::string(kHeadTrigger));
        if (triggers.empty())
            report(
                "integrity"_L1, std::nullopt,
                u"table 'memories' has no trigger '"_s + QLatin1StringView(kHeadTrigger)
                    + u"': search_vector is not kept up to date, so subcog's search misses new and edited memories"_s,
                u"none automatic: re-create the trigger as subcog's migration 1 does (spec §5.1)"_s);
        else if (text(triggers[0][0]) == "D"_L1)
            report("integrity"_L1, std::nullopt,
                   u"trigger '"_s + QLatin1StringView(kHeadTrigger)
                       + u"' is disabled: subcog's search misses new and edited memories"_s,
                   u"none automatic: ALTER TABLE memories ENABLE TRIGGER "_s + QLatin1StringView(kHeadTrigger));
        if (m_vectorTable) {
            const Indexes vectors = indexesOf("memory_vectors");
            if (!vectors.primaryKey)
                report("integrity"_L1, std::nullopt, u"table 'memory_vectors' has no primary key on id"_s,
                       u"none automatic: re-create the key as subcog's migration 1 does"_s);
            // pgvector's HNSW index; a stand-in TEXT column (no pgvector) cannot have one
            if (m_vectors.types.value(u"embedding"_s) == "vector"_L1)
                expectIndex(vectors, "memory_vectors", kVectorIndex);
        }
        return true;
    }
};

} // namespace

bool checkPostgresStore(const QString& url, const FindingSink& sink, const PostgresCheckOptions& options)
{
    PostgresBackend::Options open;
    open.readOnly = true;
    const auto backend = PostgresBackend::open(url, open);
    bool done = false;
    backend->readInSnapshot(u"checking the store"_s, [&](pqxx::transaction_base& tx) {
        Checker checker(tx, sink, options);
        done = checker.run();
    });
    return done;
}

} // namespace Inspector
