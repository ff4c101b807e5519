// SPDX-License-Identifier: MIT
#pragma once

#include "knowledgegraph.h"
#include "query.h"

namespace Inspector {

/**
 * subcog's `graph.db` (spec §14.1), read-only: opened for each call with SQLITE_OPEN_READONLY (never created,
 * never migrated, no lock held between calls), so a graph subcog is writing is read as of its last commit.
 * A missing file, one that is locked past the busy timeout or is not a database throws StorageError naming
 * graph.db; a file without the graph tables (subcog creates them on first use) reads as an empty graph.
 */
class SqliteGraph
{
public:
    explicit SqliteGraph(QString path)
        : m_path(std::move(path))
    {
    }
    const QString& path() const { return m_path; }

    /// The memory ids with a mention of an entity whose id or name is one of `values` (case-insensitive),
    /// each once, in no particular order; ids of memories that no longer exist included.
    QStringList memoriesMentioning(const QStringList& values) const;
    /// The mentions of memory `memoryId`, in text order.
    QList<EntityMention> mentionsOf(const QString& memoryId) const;
    /// A page of entities.
    EntityPage entities(const EntityQuery& query) const;
    /// The relationships of entity `entityId` in both directions (at most `limit`).
    QList<GraphRelationship> relationshipsOf(const QString& entityId, int limit = 1000) const;

private:
    QString m_path;
};

} // namespace Inspector

namespace Inspector {

/// The graph.db a SQLite or folder store reads: the one subcog keeps in its data folder (spec §2.2), or one the
/// user chose instead.
class GraphFileChoice
{
public:
    /// `beside`: where subcog keeps the store's graph.db, empty when it keeps none for this store; `why`: what to
    /// say then.
    GraphFileChoice(QString beside, QString whyNone)
        : m_beside(std::move(beside))
        , m_whyNone(std::move(whyNone))
    {
    }
    /// The file read (chosen, or beside), which may not exist.
    QString path() const { return m_chosen.isEmpty() ? m_beside : m_chosen; }
    /// Empty when the file exists; otherwise why there is no graph, for people.
    QString unavailable() const;
    /// Reads `path` from now on; throws StorageError when it is no file.
    void choose(const QString& path);
    /// The graph; throws StorageError (InvalidInput) with unavailable() when there is none.
    SqliteGraph graph() const;

private:
    QString m_beside;
    QString m_whyNone;
    QString m_chosen;
};

/// `filter` with its entity: words replaced by the ids of the memories they mention (`mentioned`), for backends
/// that evaluate filters in memory.
MemoryFilter withMentionedIds(const MemoryFilter& filter, const QStringList& mentioned);

} // namespace Inspector

namespace Inspector {

/// When `path` names subcog's graph.db (by its name), the store it belongs to: index.db in the same folder (spec
/// §2.2), which may not exist; otherwise an empty string.
QString storeOfGraphFile(const QString& path);
/// Whether the SQLite file at `path` holds subcog's graph tables and no memories (a graph.db by another name).
bool holdsOnlyAGraph(const QString& path);
/// What a graph.db is, for people who opened it as a store, when the store it belongs to is not beside it.
QString graphFileExplanation(const QString& path);

} // namespace Inspector
