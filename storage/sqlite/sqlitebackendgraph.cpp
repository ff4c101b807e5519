// SPDX-License-Identifier: MIT
// SqliteBackend's knowledge graph: graph.db beside a data folder's index.db (spec §2.2, §14.1), read-only.
#include "sqlitebackend.h"

using namespace Qt::StringLiterals;

namespace Inspector {

QString SqliteBackend::graphUnavailable()
{
    return m_graph.unavailable();
}

QString SqliteBackend::graphLocation() const
{
    return m_graph.path();
}

void SqliteBackend::setGraphFile(const QString& path)
{
    m_graph.choose(path);
}

QList<EntityMention> SqliteBackend::entityMentions(const QString& memoryId)
{
    return m_graph.graph().mentionsOf(memoryId);
}

EntityPage SqliteBackend::entities(const EntityQuery& query)
{
    return m_graph.graph().entities(query);
}

QList<GraphRelationship> SqliteBackend::entityRelationships(const QString& entityId)
{
    return m_graph.graph().relationshipsOf(entityId);
}

} // namespace Inspector
