// SPDX-License-Identifier: MIT
#pragma once

#include "memoryedges.h"

namespace Inspector {

/// A memory of a neighbourhood and how many hops it is from the centre.
struct LineageNode
{
    MemoryDigest memory;
    int hop = 0;
};

/// A relation between two nodes of a neighbourhood.
struct LineageEdge
{
    QString fromId;
    QString toId;
    QString edgeType;
    bool derived = false; ///< from source_memory_ids, not a memory_edges row
    bool lost = false; ///< derived where the store has an edge table: consolidation's edges are gone
    friend bool operator==(const LineageEdge&, const LineageEdge&) = default;
};

struct LineageOptions
{
    int hops = 2; ///< 1 to 3
    int maxNodes = 250; ///< nodes beyond this are left out (a hub's neighbourhood), and `capped` says so
    /// Summaries found per hop from the source side where there is no edge table (an unindexed look-up).
    int reverseLimit = 200;
};

/// A memory's neighbourhood: its summaries, sources and other edges, `hops` deep.
struct Lineage
{
    QString centre;
    int hops = 0;
    bool hasEdgeTable = false;
    QList<LineageNode> nodes; ///< the centre first, then by hop and id
    QList<LineageEdge> edges; ///< every relation with both ends among the nodes, each once
    bool capped = false; ///< nodes were left out (maxNodes or reverseLimit)
};

/**
 * Reads the neighbourhood of memory `centre` hop by hop, asking the store only about the ids of each hop, in
 * batches: edgesTouching (both edge indexes in SQLite), getBatch, and source_memory_ids read with the memories.
 * Where there is no edge table (PostgreSQL, folders) the summaries made from a hop's memories come from a
 * `summarizing` query, which no index serves (see the comment in the body), capped at reverseLimit rows per hop.
 */
Lineage readLineage(PersistenceBackend& store, const QString& centre, const LineageOptions& options = {});

} // namespace Inspector
