// SPDX-License-Identifier: MIT
// Reads: the select list, rows decoded into memories, filters as SQL, keyset pages, counts and row positions.
#include "postgresbackend.h"

#include "filtersql.h"
#include "lifecyclefilter.h"
#include "postgresinternal.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Inspector {

QString PostgresBackend::selectList() const
{
    auto col = [&](const char* name, const QString& expr = {}) {
        return m_columns.contains(QLatin1StringView(name)) ? (expr.isEmpty() ? QString::fromLatin1(name) : expr)
                                                           : u"NULL"_s;
    };
    const QStringList list {
        col("id"),
        col("content"),
        col("namespace"),
        col("domain"),
        col("domain_org"),
        col("domain_project"),
        col("domain_repo"),
        col("project_id"),
        col("branch"),
        col("file_path"),
        col("status"),
        col("tags", u"array_to_json(tags)::text"_s),
        col("created_at"),
        col("updated_at"),
        col("source"),
        col("tombstoned_at"),
        col("expires_at"),
        col("is_summary"),
        col("source_memory_ids", u"source_memory_ids::text"_s),
        col("consolidation_timestamp"),
    };
    return list.join(u", "_s);
}

QList<Memory> PostgresBackend::decodeRows(const pqxx::result& result, QList<RecordIssue>* issues) const
{
    QList<Memory> out;
    out.reserve(qsizetype(result.size()));
    for (const auto& row : result) {
        Memory m;
        if (issues) {
            // a SQL_ASCII database stores any bytes; UTF-8 databases cannot hold invalid text
            for (const auto& [column, name] : {std::pair {CId, "id"},
                                               {CContent, "content"},
                                               {CNamespace, "namespace"},
                                               {CDomain, "domain"},
                                               {CDomainOrg, "domain_org"},
                                               {CDomainProject, "domain_project"},
                                               {CDomainRepo, "domain_repo"},
                                               {CProjectId, "project_id"},
                                               {CBranch, "branch"},
                                               {CFilePath, "file_path"},
                                               {CStatus, "status"},
                                               {CTags, "tags"},
                                               {CSource, "source"},
                                               {CSourceMemoryIds, "source_memory_ids"}}) {
                const auto& field = row[column];
                if (!field.is_null() && !QByteArrayView(field.c_str(), qsizetype(field.size())).isValidUtf8())
                    issues->append(
                        RecordIssue {fromStd(row[CId]), invalidUtf8Reason(QString::fromLatin1(name)), false});
            }
        }
        auto text = [&](int c) { return row[c].is_null() ? std::optional<QString>() : fromStd(row[c]); };
        auto number = [&](int c) {
            return row[c].is_null() ? std::optional<qint64>() : std::optional<qint64>(row[c].as<long long>());
        };
        m.id = fromStd(row[CId]);
        m.content = fromStd(row[CContent]);
        m.namespaceName = fromStd(row[CNamespace]);
        m.status = fromStd(row[CStatus]);
        m.flagEnumStrings();
        if (m_layout == Layout::Split) {
            m.domainParts = Domain {text(CDomainOrg), text(CDomainProject), text(CDomainRepo)};
            m.domain = m.domainParts->toString();
        } else {
            const QString raw = row[CDomain].is_null() ? QString() : fromStd(row[CDomain]);
            if (const auto parsed = parseDomainJson(raw)) {
                m.domainParts = parsed; // the display string alone cannot tell X/P from X/Y
                m.domain = parsed->toString();
            } else {
                // not JSON (older writers, hand edits): the string is kept as it is
                m.domain = raw.isEmpty() ? u"project"_s : raw;
                m.flags |= MemoryFlag::LegacyDomain;
            }
        }
        m.projectId = text(CProjectId);
        m.branch = text(CBranch);
        m.filePath = text(CFilePath);
        m.source = text(CSource);
        if (row[CTags].is_null()) {
            m.flags |= MemoryFlag::MessyTags;
        } else {
            for (const QJsonValue& v : QJsonDocument::fromJson(QByteArray(row[CTags].c_str())).array())
                m.tags.append(v.toString());
        }
        m.createdAt = row[CCreatedAt].as<long long>(0);
        m.updatedAt = row[CUpdatedAt].is_null() ? m.createdAt : row[CUpdatedAt].as<long long>();
        m.tombstonedAt = number(CTombstonedAt);
        m.expiresAt = number(CExpiresAt);
        m.consolidationTimestamp = number(CConsolidationTimestamp);
        m.isSummary = !row[CIsSummary].is_null() && row[CIsSummary].as<bool>();
        if (!row[CSourceMemoryIds].is_null()) {
            const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(row[CSourceMemoryIds].c_str()));
            QStringList ids;
            bool valid = doc.isArray();
            for (const QJsonValue& v : doc.array()) {
                valid = valid && v.isString();
                ids.append(v.toString());
            }
            if (!valid) {
                ids.clear();
                m.flags |= MemoryFlag::InvalidSourceMemoryIds;
            }
            m.sourceMemoryIds = ids;
        }
        out.append(std::move(m));
    }
    return out;
}

void PostgresBackend::addLifecycle(FilterSql& sql, const MemoryFilter& f, const FilterColumns& columns) const
{
    const bool hasSources = m_columns.contains(u"source_memory_ids"_s);
    // the source ids as subcog reads them: a JSON array of strings, anything else an empty list
    const auto validSources = [](const QString& column) -> QString {
        return u"(jsonb_typeof("_s + column
            + u"::jsonb) = 'array' AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements("_s + u"CASE WHEN jsonb_typeof("_s
            + column + u"::jsonb) = 'array' THEN "_s + column
            + u"::jsonb ELSE '[]'::jsonb END) e WHERE jsonb_typeof(e) <> 'string'))"_s;
    };
    FilterSql::Lifecycle exprs;
    exprs.expiresAt = m_columns.contains(u"expires_at"_s) ? u"expires_at"_s : u"NULL::bigint"_s;
    exprs.isSummary = m_columns.contains(u"is_summary"_s) ? u"COALESCE(is_summary, false)"_s : u"false"_s;
    // no memory_edges table in PostgreSQL (spec §5.1): the edges consolidation writes where there is one, from the
    // summaries' source lists (storage/lifecyclefilter.h)
    exprs.hasEdges = hasSources ? u"(CASE WHEN "_s + validSources(u"source_memory_ids"_s)
            + u" THEN jsonb_array_length(source_memory_ids::jsonb) > 0 ELSE false END OR id IN (SELECT "
              "jsonb_array_elements_text(s.source_memory_ids::jsonb) FROM memories s WHERE "_s
            + validSources(u"s.source_memory_ids"_s) + u"))"_s
                                : u"false"_s;
    exprs.anomaly = [&](FilterSql& out, const QString& name) -> QString {
        if (name == "unknown-namespace"_L1 || name == "noncanonical-namespace"_L1) {
            const QString known = out.bind(FilterSql::arrayLiteral(lowerCaseSpellings(allNamespaces())));
            if (name == "unknown-namespace"_L1)
                return u"NOT (COALESCE(lower(namespace), '') = ANY("_s + known + u"::text[]))"_s;
            QStringList canonical;
            for (Namespace ns : allNamespaces())
                canonical << namespaceName(ns);
            const QString p = out.bind(FilterSql::arrayLiteral(canonical));
            return u"lower(namespace) = ANY("_s + known + u"::text[]) AND NOT (namespace = ANY("_s + p
                + u"::text[]))"_s;
        }
        if (name == "unknown-status"_L1 || name == "noncanonical-status"_L1) {
            const QString known = out.bind(FilterSql::arrayLiteral(statusNames(allStatuses())));
            if (name == "unknown-status"_L1)
                return u"NOT (COALESCE(lower(status), '') = ANY("_s + known + u"::text[]))"_s;
            return u"lower(status) = ANY("_s + known + u"::text[]) AND NOT (status = ANY("_s + known + u"::text[]))"_s;
        }
        if (name == "legacy-domain"_L1) {
            // decodeRows: domain text that is not a JSON object reads as the project scope (JSON that merely looks
            // like an object, `{…}` invalid inside, is not caught here)
            if (m_layout == Layout::Split || !m_columns.contains(u"domain"_s))
                return m_layout == Layout::Split ? u"false"_s : u"true"_s;
            return u"NOT COALESCE(domain::text ~ '^\\{.*\\}\\s*$', false)"_s;
        }
        if (name == "messy-tags"_L1)
            return m_columns.contains(u"tags"_s) ? u"tags IS NULL"_s : u"true"_s;
        if (name == "invalid-source-ids"_L1)
            return hasSources ? u"source_memory_ids IS NOT NULL AND NOT "_s + validSources(u"source_memory_ids"_s)
                              : u"false"_s;
        return u"false"_s; // content rows, duplicates, tags drift, encryption: SQLite and folder stores only
    };
    sql.lifecycle(f, columns, exprs);
}

PostgresBackend::Sql PostgresBackend::whereClause(const MemoryFilter& f) const
{
    FilterSql sql(SqlDialect::Postgres);
    const FilterColumns columns = FilterColumns::postgres(m_columns);
    sql.addMetadata(f, columns);
    if (!f.summarizing.isEmpty()) {
        if (m_columns.contains(u"source_memory_ids"_s))
            sql.summarizing(u"source_memory_ids::text"_s, f.summarizing);
        else
            sql.add(u"false"_s); // a layout without summaries
    }
    if (!f.entities.isEmpty()) {
        if (!m_graphTables.contains(u"graph_entity_mentions"_s))
            throw StorageError(StorageError::Kind::InvalidInput,
                               m_location + u": no knowledge graph: "_s
                                   + u"the database has no graph_entity_mentions table"_s);
        // as SqliteGraph::memoriesMentioning: the entities whose id or name folds to a value, and a mention's
        // entity_id equal to a value as typed
        QStringList typed;
        for (const QString& value : f.entities)
            typed << value.trimmed();
        const QString raw = sql.bind(FilterSql::arrayLiteral(typed));
        // both sides folded by the server's lower(): folding the values in Qt would miss names the database's
        // locale folds differently (a C-locale database leaves É as it is)
        const QString folded = u"(SELECT lower(v) FROM unnest("_s + raw + u"::text[]) v)"_s;
        const QString byEntity = m_graphTables.contains(u"graph_entities"_s)
            ? QString(u" OR g.entity_id IN (SELECT e.id FROM graph_entities e WHERE lower(e.id) IN "_s + folded
                      + u" OR lower(e.name) IN "_s + folded + u')')
            : QString();
        sql.add(u"id IN (SELECT g.memory_id FROM graph_entity_mentions g WHERE g.entity_id = ANY("_s + raw
                + u"::text[])"_s + byEntity + u')');
    }
    if (!f.domains.isEmpty()) {
        if (m_layout == Layout::Split) {
            // compose the display string the way Domain::toString() does
            const QString p = sql.bind(FilterSql::arrayLiteral(f.domains));
            sql.add(u"(CASE WHEN domain_org IS NULL THEN COALESCE(domain_project, domain_repo, 'project') "
                    "ELSE concat_ws('/', domain_org, domain_project, domain_repo) END) = ANY("_s
                    + p + u"::text[])"_s);
        } else {
            // the stored JSON forms a display string can come from, and the string itself for legacy rows
            QStringList forms;
            for (const QString& display : f.domains) {
                forms << display;
                for (const Domain& d : domainsDisplayedAs(display))
                    forms << domainJson(d);
                if (display == "project"_L1)
                    forms << QString();
            }
            sql.oneOf(u"domain"_s, forms);
        }
    }
    QStringList words;
    for (const QString& word : f.words) {
        if (std::any_of(word.begin(), word.end(), [](QChar c) { return c.isLetterOrNumber(); }))
            words << u'"' + QString(word).remove(u'"') + u'"';
    }
    if (!words.isEmpty()) {
        const QString q = u"websearch_to_tsquery('english', "_s + sql.bind(words.join(u' ')) + u')';
        if (m_columns.contains(u"search_vector"_s))
            // the index finds candidates; weight A is the content (B holds the tags)
            sql.add(u"search_vector @@ "_s + q + u" AND ts_filter(search_vector, '{a}') @@ "_s + q);
        else
            sql.add(u"to_tsvector('english', content) @@ "_s + q);
    }
    sql.tombstones(f.tombstones, columns.lowerStatus, columns.tombstonedAt);
    addLifecycle(sql, f, columns);
    Sql out;
    out.text = sql.where();
    out.params.reserve(size_t(sql.binds().size()));
    for (const QVariant& value : sql.binds())
        out.params.emplace_back(toStd(value.toString())); // every filter value is text or a number
    return out;
}

QList<Memory> PostgresBackend::getBatch(const QStringList& ids, QList<RecordIssue>* issues)
{
    if (ids.isEmpty())
        return {};
    return guarded(u"reading memories"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        Sql sql;
        sql.text = u"SELECT "_s + selectList() + u" FROM memories WHERE id = ANY("_s
            + sql.add(FilterSql::arrayLiteral(ids)) + u"::text[])"_s;
        const pqxx::result r = sql.exec(tx);
        QHash<QString, Memory> found;
        for (Memory& m : decodeRows(r, issues))
            found.insert(m.id, std::move(m));
        QList<Memory> result;
        for (const QString& id : ids) {
            auto it = found.find(id);
            if (it != found.end()) {
                result.append(std::move(*it));
                found.erase(it);
            }
        }
        return result;
    });
}

std::optional<Memory> PostgresBackend::get(const QString& id)
{
    QList<Memory> result = getBatch({id});
    if (result.isEmpty())
        return std::nullopt;
    return result.takeFirst();
}

bool PostgresBackend::exists(const QString& id)
{
    return guarded(u"looking up a memory"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        return !tx.exec_params("SELECT 1 FROM memories WHERE id = $1", toStd(id)).empty();
    });
}

qint64 PostgresBackend::count()
{
    return count(MemoryFilter {});
}

qint64 PostgresBackend::count(const MemoryFilter& filter)
{
    return guarded(u"counting"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c, ReadTransaction::Scope::WholeStore);
        pqxx::transaction_base& tx = *transaction;
        Sql sql = whereClause(filter);
        sql.text = u"SELECT count(*) FROM memories"_s + sql.text;
        return qint64(sql.exec(tx)[0][0].as<long long>());
    });
}

qint64 PostgresBackend::estimateCount(const MemoryFilter& filter)
{
    return guarded(u"estimating a count"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        Sql sql = whereClause(filter);
        sql.text = u"EXPLAIN (FORMAT JSON) SELECT 1 FROM memories"_s + sql.text;
        const QJsonDocument plan = QJsonDocument::fromJson(QByteArray(sql.exec(tx)[0][0].c_str()));
        return qint64(plan.array().at(0)[u"Plan"_s][u"Plan Rows"_s].toDouble());
    });
}

QStringList PostgresBackend::listIds()
{
    return guarded(u"listing"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        QStringList ids;
        for (const auto& row : tx.exec("SELECT id FROM memories ORDER BY created_at DESC, id COLLATE \"C\" ASC"))
            ids.append(fromStd(row[0]));
        return ids;
    });
}

namespace {
/// Above this many rows passed over, a page walks them by key and id alone first.
constexpr qint64 kNarrowWalkRows = 2000;

/// The ORDER BY expression of a sort key (text keys in byte order, as SQLite sorts them), and whether it is a number.
std::pair<QString, bool> sortColumn(SortKey key)
{
    switch (key) {
    case SortKey::Id:
        return {u"id COLLATE \"C\""_s, false};
    case SortKey::Namespace:
        return {u"namespace COLLATE \"C\""_s, false};
    case SortKey::Status:
        return {u"status COLLATE \"C\""_s, false};
    case SortKey::CreatedAt:
        break;
    }
    return {u"created_at"_s, true};
}
} // namespace

Page PostgresBackend::query(const MemoryQuery& query)
{
    return guarded(u"reading a page"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        const auto [key, numeric] = sortColumn(query.sortKey);
        const Qt::SortOrder keyOrder = query.scanKeyOrder();
        const Qt::SortOrder idOrder = query.scanIdOrder();
        const QString keyOp = keyOrder == Qt::AscendingOrder ? u">"_s : u"<"_s;
        const QString idOp = idOrder == Qt::AscendingOrder ? u">"_s : u"<"_s;
        const auto dir = [](Qt::SortOrder o) { return o == Qt::AscendingOrder ? u"ASC"_s : u"DESC"_s; };
        QString order = u" ORDER BY "_s + key + u' ' + dir(keyOrder);
        if (query.sortKey != SortKey::Id)
            order += u", id COLLATE \"C\" "_s + dir(idOrder);
        // the filter and the rows after a cursor, in scan order
        const auto rowsAfter = [&](const std::optional<Cursor>& after) {
            Sql sql = whereClause(query.filter);
            if (!after)
                return sql;
            QString cond;
            if (query.sortKey == SortKey::Id) {
                cond = key + u' ' + keyOp + u' ' + sql.add(after->id);
            } else {
                const QString value
                    = numeric ? sql.add(after->key.toLongLong()) + u"::bigint"_s : sql.add(after->key.toString());
                cond = key + u' ' + keyOp + u"= "_s + value + u" AND ("_s + key + u' ' + keyOp + u' ' + value
                    + u" OR id COLLATE \"C\" "_s + idOp + u' ' + sql.add(after->id) + u')';
            }
            sql.text += (sql.text.isEmpty() ? u" WHERE "_s : u" AND "_s) + cond;
            return sql;
        };
        std::optional<Cursor> after = query.after;
        if (query.skip > kNarrowWalkRows) {
            // The rows passed over are walked with their sort key and id only, then the page is a keyset seek
            // from the last of them: half the time of walking whole rows (a scrollbar drag into a large store).
            Sql walk = rowsAfter(after);
            // named apart: ORDER BY created_at would otherwise sort by this text column, not by the number
            walk.text = u"SELECT "_s + (numeric ? u"created_at::text"_s : key.section(u' ', 0, 0))
                + u" AS walked_key, id FROM memories"_s + walk.text + order + u" LIMIT 1 OFFSET "_s
                + walk.add(query.skip - 1) + u"::bigint"_s;
            const pqxx::result last = walk.exec(tx);
            if (last.empty())
                return Page {};
            const QString lastKey = fromStd(last[0][0]);
            after = Cursor {numeric ? QVariant(lastKey.toLongLong()) : QVariant(lastKey), fromStd(last[0][1])};
        }
        Sql sql = rowsAfter(after);
        const QString columns = query.withContent ? selectList() : selectList().replace(u"content"_s, u"''"_s);
        sql.text = u"SELECT "_s + columns + u" FROM memories"_s + sql.text + order + u" LIMIT "_s
            + sql.add(qint64(qMax(query.limit, 0))) + u"::bigint"_s;
        if (query.skip > 0 && query.skip <= kNarrowWalkRows)
            sql.text += u" OFFSET "_s + sql.add(query.skip) + u"::bigint"_s;
        const pqxx::result r = sql.exec(tx);
        Page page;
        page.memories = decodeRows(r, &page.issues);
        if (!page.memories.isEmpty() && page.memories.size() >= query.limit) {
            page.next = Cursor::of(page.memories.last(), query.sortKey);
        }
        if (query.fromEnd)
            std::reverse(page.memories.begin(), page.memories.end());
        return page;
    });
}

std::optional<qint64> PostgresBackend::rowOf(const MemoryQuery& query, const QString& id)
{
    if (!query.filter.ids.isEmpty() && !query.filter.ids.contains(id))
        return std::nullopt;
    return guarded(u"finding a row"_s, [&](pqxx::connection& c) -> std::optional<qint64> {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        const auto [key, numeric] = sortColumn(query.sortKey);
        // whether it passes the filter, and its sort key
        MemoryFilter only = query.filter;
        only.ids = {id};
        Sql find = whereClause(only);
        find.text = u"SELECT "_s + (numeric ? u"created_at::text"_s : key.section(u' ', 0, 0)) + u" FROM memories"_s
            + find.text + u" LIMIT 1"_s;
        const pqxx::result found = find.exec(tx);
        if (found.empty())
            return std::nullopt;
        const QString targetKey = fromStd(found[0][0]);
        // the rows before it in the query's order: a key before its key, or its key and an id before its id; two
        // counts in one statement, so the first can be an index-only range of the key's index
        const QString keyOp = query.order == Qt::AscendingOrder ? u"<"_s : u">"_s;
        const QString idOp = query.idOrder == Qt::AscendingOrder ? u"<"_s : u">"_s;
        Sql sql = whereClause(query.filter);
        const QString filter = sql.text;
        const QString and_ = filter.isEmpty() ? u" WHERE "_s : u" AND "_s;
        if (query.sortKey == SortKey::Id) {
            sql.text = u"SELECT count(*) FROM memories"_s + filter + and_ + key + u' ' + keyOp + u' ' + sql.add(id);
        } else {
            const QString value = sql.add(targetKey) + (numeric ? u"::bigint"_s : QString());
            // the filter's parameters are numbered once and used by both counts
            sql.text = u"SELECT (SELECT count(*) FROM memories"_s + filter + and_ + key + u' ' + keyOp + u' ' + value
                + u") + (SELECT count(*) FROM memories"_s + filter + and_ + key + u" = "_s + value
                + u" AND id COLLATE \"C\" "_s + idOp + u' ' + sql.add(id) + u')';
        }
        return qint64(sql.exec(tx)[0][0].as<long long>());
    });
}

} // namespace Inspector
