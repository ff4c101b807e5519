// SPDX-License-Identifier: MIT
// PostgresBackend's knowledge graph: graph_entities, graph_relationships and graph_entity_mentions in the memories
// database (spec §5.1, §14.1), read-only, the same questions as SqliteGraph asks graph.db.
#include "postgresbackend.h"

#include "filtersql.h"
#include "postgresinternal.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace PostgresInternal;

namespace {
std::optional<double> optionalReal(const pqxx::field& f)
{
    if (f.is_null())
        return std::nullopt;
    return f.as<double>();
}

QString text(const pqxx::field& f)
{
    return f.is_null() ? QString() : fromStd(f);
}
} // namespace

QString PostgresBackend::graphUnavailable()
{
    if (m_graphTables.contains(u"graph_entity_mentions"_s) && m_graphTables.contains(u"graph_entities"_s))
        return {};
    return u"the database has no graph_entities and graph_entity_mentions tables (subcog's migration creates them "
           "with memories; older layouts have none)"_s;
}

QString PostgresBackend::graphLocation() const
{
    return m_graphTables.isEmpty() ? QString() : m_location;
}

QList<EntityMention> PostgresBackend::entityMentions(const QString& memoryId)
{
    const QString why = graphUnavailable();
    if (!why.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput, m_location + u": no knowledge graph: "_s + why);
    return guarded(u"reading the entities a memory mentions"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        const pqxx::result r = tx.exec_params(
            "SELECT g.entity_id, e.entity_type, e.name, g.confidence, g.matched_text FROM graph_entity_mentions g "
            "LEFT JOIN graph_entities e ON e.id = g.entity_id WHERE g.memory_id = $1 "
            "ORDER BY g.start_offset, e.name, g.entity_id",
            toStd(memoryId));
        QList<EntityMention> out;
        for (const auto& row : r)
            out << EntityMention {text(row[0]), text(row[1]), text(row[2]), optionalReal(row[3]), text(row[4])};
        return out;
    });
}

EntityPage PostgresBackend::entities(const EntityQuery& query)
{
    const QString why = graphUnavailable();
    if (!why.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput, m_location + u": no knowledge graph: "_s + why);
    return guarded(u"reading entities"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        Sql where;
        const QString needle = query.search.trimmed(); // folded by the server, as the names are
        if (!needle.isEmpty())
            where.text = u" WHERE strpos(lower(id || ' ' || name || ' ' || COALESCE(aliases, '')), lower("_s
                + where.add(needle) + u"::text)) > 0"_s;
        EntityPage page;
        Sql count = where;
        count.text = u"SELECT count(*) FROM graph_entities"_s + where.text;
        page.total = count.exec(tx)[0][0].as<long long>();
        QString order;
        switch (query.sort) {
        case EntityQuery::Sort::Mentions:
            order = u"mention_count"_s;
            break;
        case EntityQuery::Sort::Name:
            order = u"name"_s;
            break;
        case EntityQuery::Sort::Type:
            order = u"entity_type"_s;
            break;
        case EntityQuery::Sort::Confidence:
            order = u"confidence"_s;
            break;
        }
        // NULLs and text compared as SQLite does (NULLs first ascending, bytes), so both backends list alike
        const QString direction = query.descending ? u" DESC NULLS LAST"_s : u" ASC NULLS FIRST"_s;
        Sql page1 = where;
        page1.text = u"SELECT id, entity_type, name, aliases, confidence, mention_count FROM graph_entities"_s
            + where.text + u" ORDER BY "_s + order
            + (order == "confidence"_L1 || order == "mention_count"_L1 ? QString() : u" COLLATE \"C\""_s) + direction
            + u", name COLLATE \"C\", id COLLATE \"C\" LIMIT "_s + page1.add(qint64(qMax(0, query.limit)));
        for (const auto& row : page1.exec(tx)) {
            QStringList aliases;
            for (const QJsonValue& a :
                 QJsonDocument::fromJson(QByteArray(row[3].is_null() ? "" : row[3].c_str())).array()) {
                if (a.isString())
                    aliases << a.toString();
            }
            page.entities << GraphEntity {text(row[0]),
                                          text(row[1]),
                                          text(row[2]),
                                          aliases,
                                          optionalReal(row[4]).value_or(1.0),
                                          row[5].is_null() ? 0 : row[5].as<long long>()};
        }
        return page;
    });
}

QList<GraphRelationship> PostgresBackend::entityRelationships(const QString& entityId)
{
    const QString why = graphUnavailable();
    if (!why.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput, m_location + u": no knowledge graph: "_s + why);
    if (!m_graphTables.contains(u"graph_relationships"_s))
        return {};
    return guarded(u"reading relationships"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        const pqxx::result r = tx.exec_params(
            "SELECT r.relationship_type, 1, r.to_entity_id, e.name, e.entity_type, r.confidence FROM "
            "graph_relationships r LEFT JOIN graph_entities e ON e.id = r.to_entity_id WHERE r.from_entity_id = $1 "
            "UNION ALL SELECT r.relationship_type, 0, r.from_entity_id, e.name, e.entity_type, r.confidence FROM "
            "graph_relationships r LEFT JOIN graph_entities e ON e.id = r.from_entity_id WHERE r.to_entity_id = $1 "
            "LIMIT 1000",
            toStd(entityId));
        QList<GraphRelationship> out;
        for (const auto& row : r)
            out << GraphRelationship {text(row[0]), row[1].as<int>() != 0, text(row[2]),
                                      text(row[3]), text(row[4]),          optionalReal(row[5])};
        return out;
    });
}

} // namespace Inspector
