// SPDX-License-Identifier: MIT
#include "lineage.h"

#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
QString edgeKey(const QString& from, const QString& to, const QString& type)
{
    return from + QChar(0) + to + QChar(0) + type;
}

/// The summaries whose source_memory_ids name one of `ids`, at most `limit` of them.
QStringList summariesOf(PersistenceBackend& store, const QStringList& ids, int limit, bool* capped)
{
    // Not indexable: subcog creates no index on source_memory_ids (JSONB in PostgreSQL, a list in folder files)
    // and the inspector adds none to a person's store, so this is a scan of the memories' metadata (the condition
    // never reads content; folders match in memory). It runs only where there is no edge table, and is capped.
    MemoryQuery q;
    q.filter.summarizing = ids;
    q.withContent = false;
    q.limit = limit;
    q.sortKey = SortKey::Id;
    q.order = Qt::AscendingOrder;
    const Page page = store.query(q);
    QStringList found;
    for (const Memory& m : page.memories)
        found.append(m.id);
    if (page.next)
        *capped = true;
    return found;
}
} // namespace

Lineage readLineage(PersistenceBackend& store, const QString& centre, const LineageOptions& options)
{
    Lineage lineage;
    lineage.centre = centre;
    lineage.hops = std::clamp(options.hops, 1, 3);
    lineage.hasEdgeTable = store.hasEdgeTable();

    QHash<QString, int> hopOf {{centre, 0}};
    QHash<QString, MemoryDigest> digests = readDigests(store, {centre});
    QList<MemoryEdge> tableEdges;
    QSet<QString> tableKeys;
    const auto addTableEdges = [&](const QStringList& ids) {
        for (const MemoryEdge& e : store.edgesTouching(ids)) {
            const QString key = edgeKey(e.fromId, e.toId, e.edgeType);
            if (!tableKeys.contains(key)) {
                tableKeys.insert(key);
                tableEdges.append(e);
            }
        }
    };

    QStringList frontier {centre};
    for (int hop = 1; hop <= lineage.hops && !frontier.isEmpty(); ++hop) {
        QSet<QString> candidates;
        if (lineage.hasEdgeTable) {
            // the edge table holds both directions, on indexes: summaries whose edges were lost are found from the
            // summary's side (its source_memory_ids below), never by scanning every row's source list
            const qsizetype before = tableEdges.size();
            addTableEdges(frontier);
            for (qsizetype i = before; i < tableEdges.size(); ++i) {
                candidates.insert(tableEdges[i].fromId);
                candidates.insert(tableEdges[i].toId);
            }
        } else {
            // their relation is drawn from their own source_memory_ids, like every summary's
            for (const QString& summary : summariesOf(store, frontier, options.reverseLimit, &lineage.capped))
                candidates.insert(summary);
        }
        for (const QString& id : std::as_const(frontier)) {
            for (const QString& source : digests.value(id).sourceIds)
                candidates.insert(source);
        }
        QStringList next;
        QStringList sorted(candidates.begin(), candidates.end());
        std::sort(sorted.begin(), sorted.end());
        for (const QString& id : std::as_const(sorted)) {
            if (hopOf.contains(id))
                continue;
            if (hopOf.size() >= options.maxNodes) {
                lineage.capped = true;
                break;
            }
            hopOf.insert(id, hop);
            next.append(id);
        }
        digests.insert(readDigests(store, next));
        frontier = next;
    }
    // the relations among the last hop's memories too: the picture shows every edge between the memories it holds
    if (lineage.hasEdgeTable && !frontier.isEmpty())
        addTableEdges(frontier);

    for (auto it = hopOf.cbegin(); it != hopOf.cend(); ++it)
        lineage.nodes.append(LineageNode {digests.value(it.key()), it.value()});
    std::sort(lineage.nodes.begin(), lineage.nodes.end(), [](const LineageNode& a, const LineageNode& b) {
        return std::tie(a.hop, a.memory.id) < std::tie(b.hop, b.memory.id);
    });

    QSet<QString> drawn;
    const auto add = [&](const LineageEdge& e) {
        if (!hopOf.contains(e.fromId) || !hopOf.contains(e.toId))
            return;
        const QString key = edgeKey(e.fromId, e.toId, e.edgeType);
        if (drawn.contains(key))
            return;
        drawn.insert(key);
        lineage.edges.append(e);
    };
    for (const MemoryEdge& e : std::as_const(tableEdges))
        add(LineageEdge {e.fromId, e.toId, e.edgeType, false, false});
    // what source_memory_ids states and neither edge of consolidation's pair shows
    const auto derive = [&](const QString& summary, const QString& source) {
        if (tableKeys.contains(edgeKey(summary, source, EdgeTypes::kSourceOf))
            || tableKeys.contains(edgeKey(source, summary, EdgeTypes::kSummarizedBy)))
            return;
        const bool lost = lineage.hasEdgeTable && digests.value(source).exists && digests.value(summary).exists;
        add(LineageEdge {summary, source, EdgeTypes::kSourceOf, true, lost});
    };
    for (const LineageNode& n : std::as_const(lineage.nodes)) {
        for (const QString& source : n.memory.sourceIds)
            derive(n.memory.id, source);
    }
    std::sort(lineage.edges.begin(), lineage.edges.end(), [](const LineageEdge& a, const LineageEdge& b) {
        return std::tie(a.fromId, a.toId, a.edgeType) < std::tie(b.fromId, b.toId, b.edgeType);
    });
    return lineage;
}

} // namespace Inspector
