// SPDX-License-Identifier: MIT
#pragma once

#include "graph/knowledgegraph.h"
#include "memory.h"
#include "query.h"
#include "storageerror.h"
#include "storestats.h"

#include <QHash>
#include <QStringList>

#include <functional>

namespace Inspector {

/// One row of SQLite's `memory_edges` (spec §4.5).
struct MemoryEdge
{
    QString fromId;
    QString toId;
    QString edgeType; ///< spec §3.6; unknown strings are kept as they are
    qint64 createdAt = 0; ///< Unix seconds
    friend bool operator==(const MemoryEdge&, const MemoryEdge&) = default;
};

/// Where a store keeps embeddings (spec §5.1, §6.2, §7).
enum class EmbeddingStorage
{
    None, ///< nowhere (see embeddingsUnavailable() for why)
    InRecords, ///< in the memory records: Memory::embedding is read and written with them (folder files)
    Apart, ///< beside the records (PostgreSQL's memory_vectors, a SQLite store's vectors.idx): readEmbeddings()
};

/**
 * The contract of subcog's Rust `PersistenceBackend` trait, plus the query that browsing needs.
 *
 * Synchronous and thread-agnostic: a backend is created, used and destroyed on one thread (a worker or a
 * headless command). Every failure is a StorageError; missing ids are not errors.
 */
class PersistenceBackend
{
public:
    virtual ~PersistenceBackend();

    /// Short name of the backend kind: `sqlite`, `postgres`, `filesystem`.
    virtual QString kind() const = 0;
    /// Where the store is, for people (path or URL without password).
    virtual QString location() const = 0;
    /// True when the store was opened without write access.
    virtual bool isReadOnly() const = 0;
    /// Facts about the store a person may want to know (layout era, journal mode, missing columns).
    virtual QStringList describeLayout() const { return {}; }

    /// Inserts the memory or updates the stored one with the same id (whole write or nothing).
    virtual void store(const Memory& memory) = 0;
    /// Stores several memories; in one transaction where the store has them (all or none), otherwise one by one.
    virtual void storeBatch(const QList<Memory>& memories)
    {
        for (const Memory& m : memories)
            store(m);
    }
    /// The memory with this id, or nullopt when there is none.
    virtual std::optional<Memory> get(const QString& id) = 0;
    /// Hard-deletes the memory; returns whether anything was removed.
    virtual bool remove(const QString& id) = 0;
    /// Every id, in the natural order (created_at descending, then id).
    virtual QStringList listIds() = 0;
    /// The memories with these ids, in the order asked, missing ids left out; one round trip where possible.
    /// Records that exist but cannot be decoded are reported in `issues` (when given) and left out.
    virtual QList<Memory> getBatch(const QStringList& ids, QList<RecordIssue>* issues = nullptr) = 0;
    /// Whether a memory with this id exists.
    virtual bool exists(const QString& id) = 0;
    /// The number of memories in the store.
    virtual qint64 count() = 0;

    /// One keyset page of a filtered, sorted query.
    virtual Page query(const MemoryQuery& query) = 0;

    /// Receives the memories of a scan in batches; returning false stops the scan.
    using ScanSink = std::function<bool(QList<Memory>& memories, QList<RecordIssue>& issues)>;
    /// Every memory of a query in its order (the cursor, limit and skip are ignored), in batches, for exports.
    /// The default pages with query(); a backend that can stream one statement does so.
    virtual void scan(const MemoryQuery& query, const ScanSink& sink, int batchSize = 1000);
    /// Receives a scan's memories as full-fidelity JSON Lines (appendJsonLine), `count` of them in `lines`.
    using JsonLinesSink = std::function<bool(const QByteArray& lines, qint64 count, QList<RecordIssue>& issues)>;
    /// The memories of scan() written as JSON Lines by a backend that can do so without building a Memory for
    /// each (SQLite); false, having read nothing, when it cannot, and the caller scans.
    virtual bool scanJsonLines(const MemoryQuery& query, const JsonLinesSink& sink, int batchSize = 1000)
    {
        Q_UNUSED(query);
        Q_UNUSED(sink);
        Q_UNUSED(batchSize);
        return false;
    }
    /// The number of memories matching the filter.
    virtual qint64 count(const MemoryFilter& filter) = 0;
    /// The 0-based position of memory `id` among the rows of `query` (its filter, sortKey, order and idOrder; the
    /// cursor, skip, limit and fromEnd are ignored), or nullopt when there is no such memory or the filter leaves
    /// it out. The default pages through query(); backends with an index count the rows before it in one seek.
    virtual std::optional<qint64> rowOf(const MemoryQuery& query, const QString& id);
    /// The figures of the memories matching the filter (StoreStats), with `expired` measured against `now` (Unix
    /// seconds). The default scans the memories without content; SQL backends aggregate in the engine.
    virtual StoreStats stats(const MemoryFilter& filter, qint64 now);
    /// Problems in the store that are not one memory's: orphaned rows, unreadable files.
    virtual QList<RecordIssue> storeIssues() { return {}; }
    /// A cheap value that changes when the store may have been changed by another writer (a false alarm costs
    /// a refresh, a miss costs staleness); nullopt when the backend cannot tell. Folder stores pick up what
    /// changed on disk while computing it.
    virtual std::optional<QByteArray> changeToken() { return std::nullopt; }

    // What is kept around the memories: embeddings and edges (for copies).

    virtual EmbeddingStorage embeddingStorage() const { return EmbeddingStorage::None; }
    /// Why embeddingStorage() is None, for reports.
    virtual QString embeddingsUnavailable() const { return QStringLiteral("the store has no place for them"); }
    /// The embeddings kept apart for these ids; ids without one are left out.
    virtual QHash<QString, QList<float>> readEmbeddings(const QStringList& ids)
    {
        Q_UNUSED(ids);
        return {};
    }
    /// How many of these ids have an embedding the inspector cannot read (usearch's binary index).
    virtual qint64 countUnreadableEmbeddings(const QStringList& ids)
    {
        Q_UNUSED(ids);
        return 0;
    }
    /// Why countUnreadableEmbeddings() counts, for reports.
    virtual QString unreadableEmbeddingsReason() const { return {}; }
    /// Keeps these embeddings apart, beside those already kept (whole write or nothing). Returns the ones it
    /// refused (wrong dimensions, values it cannot store), having written the others.
    virtual QList<RecordIssue> writeEmbeddings(const QHash<QString, QList<float>>& embeddings)
    {
        QList<RecordIssue> refused;
        for (auto it = embeddings.begin(); it != embeddings.end(); ++it)
            refused.append(RecordIssue {it.key(), embeddingsUnavailable(), false});
        return refused;
    }

    /// Whether the store has subcog's `memory_edges` table.
    virtual bool hasEdgeTable() const { return false; }
    /// The edges with either end among these ids.
    virtual QList<MemoryEdge> edgesTouching(const QStringList& ids)
    {
        Q_UNUSED(ids);
        return {};
    }
    /// Inserts the edges, or updates `created_at` of those already there (subcog's upsert), in one transaction.
    virtual void storeEdges(const QList<MemoryEdge>& edges)
    {
        if (!edges.isEmpty())
            throw StorageError(StorageError::Kind::InvalidInput,
                               location() + QStringLiteral(": the store has no edge table"));
    }
    /// Inserts those of the edges that are not there yet (an edge already there keeps its time), in one
    /// transaction; returns the ones it inserted.
    virtual QList<MemoryEdge> addEdges(const QList<MemoryEdge>& edges)
    {
        if (!edges.isEmpty())
            throw StorageError(StorageError::Kind::InvalidInput,
                               location() + QStringLiteral(": the store has no edge table"));
        return {};
    }
    /// Deletes those of the edges that are still there as given (same created_at), in one transaction; returns
    /// the ones it deleted. An edge another writer re-dated or removed is left alone.
    virtual QList<MemoryEdge> removeEdges(const QList<MemoryEdge>& edges) { return addEdges(edges); }

    // subcog's knowledge graph (spec §14.1): graph.db beside the store, or PostgreSQL's graph tables; read-only

    /// Why the store has no knowledge graph to read, for people; empty when it has one. Where it is not empty,
    /// a filter with `entity:` words and the calls below throw StorageError (InvalidInput) saying so.
    virtual QString graphUnavailable() { return QStringLiteral("this kind of store has no knowledge graph"); }
    /// Where the graph is read from, for people (graph.db's path, or the database); empty when there is none.
    virtual QString graphLocation() const { return {}; }
    /// Reads the graph from this graph.db from now on (SQLite and folder stores); throws InvalidInput elsewhere.
    virtual void setGraphFile(const QString& path);
    /// The entities memory `memoryId` mentions.
    virtual QList<EntityMention> entityMentions(const QString& memoryId);
    /// A page of the graph's entities.
    virtual EntityPage entities(const EntityQuery& query);
    /// The relationships of one entity, both directions.
    virtual QList<GraphRelationship> entityRelationships(const QString& entityId);

    /// Starts reading one consistent snapshot: until the matching endSnapshot(), every read sees the store as of
    /// one moment (a read transaction), so an export or copy never mixes two commits. Calls nest. Returns what the
    /// snapshot costs other processes, for people (empty when nothing). The default, for stores without
    /// transactions, does nothing.
    virtual QString beginSnapshot() { return {}; }
    /// Ends the snapshot beginSnapshot() started; never throws.
    virtual void endSnapshot() noexcept { }

    /// Asks the call running now on the backend's thread to stop soon; it then throws StorageError of
    /// Kind::Cancelled. Callable from any thread at any time, also when nothing runs (then it has no effect on
    /// later calls). Never throws. The default does nothing: the call runs to its end.
    virtual void interrupt() noexcept { }
    /// Brackets one request of a worker that may interrupt it: an interrupt() from beginRequest() on stops every
    /// later call until endRequest(), also one that arrives before the call reaches the store. Outside of them an
    /// interrupt only stops the call running (so one aimed at a call that has ended reaches no later one).
    virtual void beginRequest() noexcept { }
    virtual void endRequest() noexcept { }
};

/// One snapshot for the lifetime of the object (PersistenceBackend::beginSnapshot / endSnapshot).
class ReadSnapshot
{
public:
    explicit ReadSnapshot(PersistenceBackend& backend)
        : m_backend(backend)
        , m_notice(backend.beginSnapshot())
    {
    }
    ~ReadSnapshot() { m_backend.endSnapshot(); }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

    /// What the snapshot costs other processes (a rollback-journal store's writers wait), or empty.
    const QString& notice() const { return m_notice; }

private:
    PersistenceBackend& m_backend;
    QString m_notice;
};

} // namespace Inspector
