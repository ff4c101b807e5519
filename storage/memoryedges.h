// SPDX-License-Identifier: MIT
// What surrounds one memory in subcog's edge table (spec §3.6, §4.5), and the lost-edge rule of spec §15 that the
// detail pane's Edges tab, `check` and the SQLite repair share.
#pragma once

#include "persistencebackend.h"

#include <functional>

namespace Inspector {

namespace EdgeTypes {
inline const QString kSummarizedBy = QStringLiteral("summarized_by"); ///< original → summary
inline const QString kSourceOf = QStringLiteral("source_of"); ///< summary → original
/// The spec §3.6 types; others are kept and shown as they are.
bool isKnown(const QString& type);
} // namespace EdgeTypes

/// The two edges consolidation writes for one source S of summary M (spec §4.5): (S, M, summarized_by) and
/// (M, S, source_of), both dated `createdAt`.
QList<MemoryEdge> summaryEdgePair(const QString& summaryId, const QString& sourceId, qint64 createdAt);

/**
 * lost-edge (spec §15): of the edges consolidation wrote for summary `summaryId` and each of its `presentSources`
 * (the ids of source_memory_ids that are still memories), those `exists` does not find, dated `createdAt`. Empty:
 * nothing is lost. Sources that no longer exist are bad-summary's business, not this rule's.
 */
QList<MemoryEdge> lostSummaryEdges(const QString& summaryId, const QStringList& presentSources, qint64 createdAt,
                                   const std::function<bool(const MemoryEdge&)>& exists);
/// The sources whose edges lostSummaryEdges() found missing, in its order, each once.
QStringList lostSources(const QString& summaryId, const QList<MemoryEdge>& lost);

/// When a rebuilt summary edge is dated: the summary's consolidation_timestamp (when consolidation wrote the
/// originals, right after indexing the summary), else its created_at, else `now`.
qint64 rebuiltEdgeTime(const std::optional<qint64>& consolidationTimestamp, const std::optional<qint64>& createdAt,
                       qint64 now);

/// A memory as a node of the edge views: enough to name, colour and grey it.
struct MemoryDigest
{
    QString id;
    bool exists = false; ///< false: an edge or source_memory_ids names an id that is not a memory
    QString namespaceName;
    QString firstLine; ///< the content's first non-empty line, cut at 160 characters
    bool tombstoned = false;
    bool isSummary = false;
    QStringList sourceIds; ///< its source_memory_ids (a summary's originals)
};

/// The digests of these ids (getBatch, in batches; content is read for the first line), missing ids marked.
QHash<QString, MemoryDigest> readDigests(PersistenceBackend& store, const QStringList& ids);
/// The content's first non-empty line, cut at `limit` characters.
QString firstLineOf(const QString& content, int limit = 160);

/// One relation of a memory, as the Edges tab lists it.
struct EdgeRow
{
    enum class Origin
    {
        Table, ///< a memory_edges row
        SourceIds, ///< derived from source_memory_ids (stores without an edge table, or a lost edge)
    };
    bool outgoing = true; ///< the memory is the edge's from_id
    QString edgeType;
    MemoryDigest other;
    std::optional<qint64> createdAt; ///< a table row's created_at
    Origin origin = Origin::Table;
    bool lost = false; ///< a summary edge that source_memory_ids calls for and the table does not hold
};

/// A memory's edges in both directions, read on the worker.
struct MemoryEdges
{
    QString id;
    bool found = false; ///< the memory exists
    bool hasEdgeTable = false;
    bool isSummary = false;
    QList<EdgeRow> rows; ///< table rows first (outgoing, then incoming), then derived ones
    qint64 totalEdges = 0; ///< table rows touching the memory (rows holds at most kMaxRows of them)
    QList<MemoryEdge> missing; ///< lost-edge: the summary edges to rebuild (dated by rebuiltEdgeTime)
    QStringList lostSources; ///< the sources those belong to
    static constexpr int kMaxRows = 2000; ///< a hub memory's rows beyond this are counted, not listed
};

/// Reads memory `id`'s edges (edgesTouching, indexed on both ends), the memories at their other ends, and the
/// summary relations source_memory_ids states; `now` dates rebuilt edges of a summary without times.
MemoryEdges readMemoryEdges(PersistenceBackend& store, const QString& id, qint64 now);

} // namespace Inspector
