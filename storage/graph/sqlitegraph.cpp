// SPDX-License-Identifier: MIT
// graph.db read through the raw sqlite3 API the health code uses (health/sqliteraw.h).
#include "sqlitegraph.h"

#include "health/sqliteraw.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace SqliteRaw;

namespace {

const QString kWhat = u"cannot read the knowledge graph"_s;

// inspector_fold(text): the case folding of foldedEntityValues(), Unicode-aware unlike SQLite's lower()
void foldFunction(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    const QByteArray folded = QString::fromUtf8(text, sqlite3_value_bytes(argv[0])).toLower().toUtf8();
    sqlite3_result_text(ctx, folded.constData(), int(folded.size()), SQLITE_TRANSIENT);
}

/// graph.db opened read-only, with the folding function, and whether it has the graph tables.
struct GraphDb
{
    explicit GraphDb(const QString& path)
        : db(path, true)
    {
        sqlite3_create_function_v2(db.handle(), "inspector_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                   foldFunction, nullptr, nullptr, nullptr);
        Statement q(db, u"SELECT name FROM sqlite_master WHERE type = 'table'"_s, kWhat);
        while (q.step())
            tables << q.value(0).toText();
    }
    bool has(const char* table) const { return tables.contains(QLatin1StringView(table)); }
    Connection db;
    QStringList tables;
};

std::optional<double> optionalReal(const Value& v)
{
    if (v.isNull())
        return std::nullopt;
    return v.type == SQLITE_FLOAT ? v.real : v.type == SQLITE_INTEGER ? double(v.integer) : v.toText().toDouble();
}

QStringList aliasList(const Value& v)
{
    QStringList out;
    for (const QJsonValue& alias : QJsonDocument::fromJson(v.bytes).array()) {
        if (alias.isString())
            out << alias.toString();
    }
    return out;
}

QString jsonArray(const QStringList& values)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(values)).toJson(QJsonDocument::Compact));
}

} // namespace

QStringList SqliteGraph::memoriesMentioning(const QStringList& values) const
{
    GraphDb g(m_path);
    if (!g.has("graph_entity_mentions"))
        return {};
    // the entities first (a pass over graph_entities, folding each id and name), then their mentions through the
    // mentions' primary key (entity_id, memory_id): no pass over every mention. A value as typed also names a
    // mention's entity_id directly, for a mention whose entity row is gone.
    QStringList entityIds;
    for (const QString& value : values)
        entityIds << value.trimmed();
    if (g.has("graph_entities")) {
        Statement e(g.db,
                    u"SELECT id FROM graph_entities WHERE inspector_fold(id) IN (SELECT value FROM json_each(?1)) "
                    "OR inspector_fold(name) IN (SELECT value FROM json_each(?1))"_s,
                    kWhat);
        e.bind(1, jsonArray(foldedEntityValues(values)));
        while (e.step())
            entityIds << e.value(0).toText();
    }
    Statement q(g.db,
                u"SELECT DISTINCT memory_id FROM graph_entity_mentions WHERE entity_id IN "
                "(SELECT value FROM json_each(?1))"_s,
                kWhat);
    q.bind(1, jsonArray(entityIds));
    QStringList ids;
    while (q.step())
        ids << q.value(0).toText();
    return ids;
}

QList<EntityMention> SqliteGraph::mentionsOf(const QString& memoryId) const
{
    GraphDb g(m_path);
    if (!g.has("graph_entity_mentions"))
        return {};
    const bool entities = g.has("graph_entities");
    Statement q(g.db,
                entities ? u"SELECT g.entity_id, e.entity_type, e.name, g.confidence, g.matched_text FROM "
                           "graph_entity_mentions g LEFT JOIN graph_entities e ON e.id = g.entity_id WHERE "
                           "g.memory_id = ?1 ORDER BY g.start_offset, e.name, g.entity_id"_s
                         : u"SELECT g.entity_id, NULL, NULL, g.confidence, g.matched_text FROM graph_entity_mentions "
                           "g WHERE g.memory_id = ?1 ORDER BY g.start_offset, g.entity_id"_s,
                kWhat);
    q.bind(1, memoryId);
    QList<EntityMention> out;
    while (q.step())
        out << EntityMention {q.value(0).toText(), q.value(1).toText(), q.value(2).toText(), optionalReal(q.value(3)),
                              q.value(4).toText()};
    return out;
}

EntityPage SqliteGraph::entities(const EntityQuery& query) const
{
    GraphDb g(m_path);
    EntityPage page;
    if (!g.has("graph_entities"))
        return page;
    const QString needle = query.search.trimmed().toLower();
    const QString where = needle.isEmpty()
        ? QString()
        : u" WHERE instr(inspector_fold(id || ' ' || name || ' ' || COALESCE(aliases, '')), ?1) > 0"_s;
    {
        Statement count(g.db, u"SELECT count(*) FROM graph_entities"_s + where, kWhat);
        if (!needle.isEmpty())
            count.bind(1, needle);
        if (count.step())
            page.total = count.value(0).integer;
    }
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
    const QString direction = query.descending ? u" DESC"_s : u" ASC"_s;
    Statement q(g.db,
                u"SELECT id, entity_type, name, aliases, confidence, mention_count FROM graph_entities"_s + where
                    + u" ORDER BY "_s + order + direction + u", name, id LIMIT "_s
                    + QString::number(qMax(0, query.limit)),
                kWhat);
    if (!needle.isEmpty())
        q.bind(1, needle);
    while (q.step())
        page.entities << GraphEntity {q.value(0).toText(),
                                      q.value(1).toText(),
                                      q.value(2).toText(),
                                      aliasList(q.value(3)),
                                      optionalReal(q.value(4)).value_or(1.0),
                                      q.value(5).toInteger().value_or(0)};
    return page;
}

QList<GraphRelationship> SqliteGraph::relationshipsOf(const QString& entityId, int limit) const
{
    GraphDb g(m_path);
    if (!g.has("graph_relationships"))
        return {};
    const bool entities = g.has("graph_entities");
    const auto side = [&](const char* self, const char* other, int outgoing) -> QString {
        const QString o = QLatin1StringView(other);
        return u"SELECT r.relationship_type, "_s + QString::number(outgoing) + u", r."_s + o
            + (entities ? u", e.name, e.entity_type"_s : u", NULL, NULL"_s)
            + u", r.confidence FROM graph_relationships r"_s
            + (entities ? u" LEFT JOIN graph_entities e ON e.id = r."_s + o : QString()) + u" WHERE r."_s
            + QLatin1StringView(self) + u" = ?1"_s;
    };
    Statement q(g.db,
                side("from_entity_id", "to_entity_id", 1) + u" UNION ALL "_s + side("to_entity_id", "from_entity_id", 0)
                    + u" LIMIT "_s + QString::number(qMax(0, limit)),
                kWhat);
    q.bind(1, entityId);
    QList<GraphRelationship> out;
    while (q.step())
        out << GraphRelationship {q.value(0).toText(), q.value(1).integer != 0, q.value(2).toText(),
                                  q.value(3).toText(), q.value(4).toText(),     optionalReal(q.value(5))};
    return out;
}

} // namespace Inspector

namespace Inspector {

QString storeOfGraphFile(const QString& path)
{
    const QFileInfo info(path);
    if (info.fileName() != "graph.db"_L1)
        return {};
    return info.absolutePath() + u"/index.db"_s;
}

bool holdsOnlyAGraph(const QString& path)
{
    try {
        const GraphDb g(path);
        return g.has("graph_entities") && !g.has("memories");
    } catch (const StorageError&) {
        return false;
    }
}

QString graphFileExplanation(const QString& path)
{
    return path
        + u": this is subcog's knowledge graph (entities, their relationships and the memories that mention "
          "them), not a memory store, and the store it belongs to (index.db in the same folder) is not there; "
          "open that store and choose this file as its knowledge graph"_s;
}

} // namespace Inspector
