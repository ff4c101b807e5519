// SPDX-License-Identifier: MIT
// Guarded changes to memory_edges: the Edges tab's "Rebuild edges" and its undo write exactly the rows they name.
#include "sqlitebackend.h"

#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Inspector {

QList<MemoryEdge> SqliteBackend::addEdges(const QList<MemoryEdge>& edges)
{
    return changeEdges(edges, true);
}

QList<MemoryEdge> SqliteBackend::removeEdges(const QList<MemoryEdge>& edges)
{
    return changeEdges(edges, false);
}

QList<MemoryEdge> SqliteBackend::changeEdges(const QList<MemoryEdge>& edges, bool add)
{
    assertThread();
    checkWritable();
    QList<MemoryEdge> changed;
    if (edges.isEmpty())
        return changed;
    if (!m_hasEdges)
        throw StorageError(StorageError::Kind::InvalidInput,
                           m_path + u": no memory_edges table (written before subcog v0.6) to keep edges in"_s);
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    if (!q.exec(u"BEGIN IMMEDIATE"_s))
        fail(u"cannot start writing edges"_s, q.lastError());
    bool committed = false;
    const auto rollback = qScopeGuard([&] {
        if (!committed)
            QSqlQuery(db).exec(u"ROLLBACK"_s);
    });
    // an edge already there is left as it is (another writer's time wins); a delete takes only the row as written
    const QString sql = add ? u"INSERT OR IGNORE INTO memory_edges (from_id, to_id, edge_type, created_at) "
                              "VALUES (?, ?, ?, ?)"_s
                            : u"DELETE FROM memory_edges WHERE from_id = ? AND to_id = ? AND edge_type = ? "
                              "AND created_at = ?"_s;
    if (!q.prepare(sql))
        fail(u"cannot write edges"_s, q.lastError(), sql);
    for (const MemoryEdge& e : edges) {
        q.addBindValue(e.fromId);
        q.addBindValue(e.toId);
        q.addBindValue(e.edgeType);
        q.addBindValue(e.createdAt);
        if (!q.exec())
            fail(u"cannot write the edge "_s + e.fromId + u" → "_s + e.toId + u" ("_s + e.edgeType + u')',
                 q.lastError(), sql);
        if (q.numRowsAffected() > 0)
            changed.append(e);
    }
    if (!q.exec(u"COMMIT"_s))
        fail(u"committing "_s + QString::number(edges.size()) + u" edges failed"_s, q.lastError());
    committed = true;
    return changed;
}

} // namespace Inspector
