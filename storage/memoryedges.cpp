// SPDX-License-Identifier: MIT
#include "memoryedges.h"

#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr int kDigestBatch = 500;

QString edgeKey(const QString& from, const QString& to, const QString& type)
{
    return from + QChar(0) + to + QChar(0) + type;
}
} // namespace

bool EdgeTypes::isKnown(const QString& type)
{
    static const QStringList known {kSummarizedBy,   kSourceOf,    u"contradicts"_s, u"supersedes"_s,
                                    u"related_to"_s, u"refines"_s, u"parent_of"_s,   u"child_of"_s};
    return known.contains(type);
}

QList<MemoryEdge> summaryEdgePair(const QString& summaryId, const QString& sourceId, qint64 createdAt)
{
    return {MemoryEdge {sourceId, summaryId, EdgeTypes::kSummarizedBy, createdAt},
            MemoryEdge {summaryId, sourceId, EdgeTypes::kSourceOf, createdAt}};
}

QList<MemoryEdge> lostSummaryEdges(const QString& summaryId, const QStringList& presentSources, qint64 createdAt,
                                   const std::function<bool(const MemoryEdge&)>& exists)
{
    QList<MemoryEdge> lost;
    QSet<QString> seen;
    for (const QString& source : presentSources) {
        if (seen.contains(source))
            continue; // a source listed twice needs its edges once
        seen.insert(source);
        for (const MemoryEdge& e : summaryEdgePair(summaryId, source, createdAt)) {
            if (!exists(e))
                lost.append(e);
        }
    }
    return lost;
}

QStringList lostSources(const QString& summaryId, const QList<MemoryEdge>& lost)
{
    QStringList sources;
    for (const MemoryEdge& e : lost) {
        const QString source = e.fromId == summaryId && e.edgeType == EdgeTypes::kSourceOf ? e.toId : e.fromId;
        if (!sources.contains(source))
            sources.append(source);
    }
    return sources;
}

qint64 rebuiltEdgeTime(const std::optional<qint64>& consolidationTimestamp, const std::optional<qint64>& createdAt,
                       qint64 now)
{
    if (consolidationTimestamp && *consolidationTimestamp)
        return *consolidationTimestamp;
    return createdAt.value_or(now);
}

QString firstLineOf(const QString& content, int limit)
{
    for (QStringView line : QStringView(content).tokenize(u'\n')) {
        const QStringView trimmed = line.trimmed();
        if (trimmed.isEmpty())
            continue;
        return trimmed.size() > limit ? trimmed.left(limit).toString() + u'…' : trimmed.toString();
    }
    return {};
}

QHash<QString, MemoryDigest> readDigests(PersistenceBackend& store, const QStringList& ids)
{
    QHash<QString, MemoryDigest> digests;
    for (const QString& id : ids) {
        MemoryDigest missing;
        missing.id = id;
        digests.insert(id, missing);
    }
    const QStringList unique(QSet<QString>(ids.begin(), ids.end()).values());
    for (qsizetype start = 0; start < unique.size(); start += kDigestBatch) {
        for (const Memory& m : store.getBatch(unique.mid(start, kDigestBatch))) {
            MemoryDigest& d = digests[m.id];
            d.exists = true;
            d.namespaceName = m.namespaceName;
            d.firstLine = firstLineOf(m.content);
            d.tombstoned = m.isTombstoned();
            d.isSummary = m.isSummary;
            d.sourceIds = m.sourceMemoryIds.value_or(QStringList());
        }
    }
    return digests;
}

MemoryEdges readMemoryEdges(PersistenceBackend& store, const QString& id, qint64 now)
{
    MemoryEdges r;
    r.id = id;
    r.hasEdgeTable = store.hasEdgeTable();
    const std::optional<Memory> memory = store.get(id);
    r.found = memory.has_value();
    r.isSummary = memory && memory->isSummary;

    QList<MemoryEdge> edges = r.hasEdgeTable ? store.edgesTouching({id}) : QList<MemoryEdge>();
    r.totalEdges = edges.size();
    QSet<QString> keys;
    for (const MemoryEdge& e : std::as_const(edges))
        keys.insert(edgeKey(e.fromId, e.toId, e.edgeType));
    // outgoing first, then by type and the other end, so the list reads the same every time
    std::sort(edges.begin(), edges.end(), [&](const MemoryEdge& a, const MemoryEdge& b) {
        const bool ao = a.fromId == id;
        const bool bo = b.fromId == id;
        if (ao != bo)
            return ao;
        const QString& aOther = ao ? a.toId : a.fromId;
        const QString& bOther = bo ? b.toId : b.fromId;
        return std::tie(a.edgeType, aOther) < std::tie(b.edgeType, bOther);
    });
    if (edges.size() > MemoryEdges::kMaxRows)
        edges.resize(MemoryEdges::kMaxRows);

    QStringList sources;
    if (memory && memory->sourceMemoryIds) {
        for (const QString& s : *memory->sourceMemoryIds) {
            if (!sources.contains(s))
                sources.append(s);
        }
    }
    QStringList others = sources;
    for (const MemoryEdge& e : std::as_const(edges))
        others.append(e.fromId == id ? e.toId : e.fromId);
    const QHash<QString, MemoryDigest> digests = readDigests(store, others);

    for (const MemoryEdge& e : std::as_const(edges)) {
        EdgeRow row;
        row.outgoing = e.fromId == id;
        row.edgeType = e.edgeType;
        row.other = digests.value(row.outgoing ? e.toId : e.fromId);
        row.createdAt = e.createdAt;
        r.rows.append(row);
    }

    if (r.isSummary && r.hasEdgeTable) {
        QStringList present;
        for (const QString& s : std::as_const(sources)) {
            if (digests.value(s).exists)
                present.append(s);
        }
        const qint64 when = rebuiltEdgeTime(memory->consolidationTimestamp, memory->createdAt, now);
        r.missing = lostSummaryEdges(id, present, when, [&](const MemoryEdge& e) {
            return keys.contains(edgeKey(e.fromId, e.toId, e.edgeType));
        });
        r.lostSources = lostSources(id, r.missing);
    }
    // what source_memory_ids says and the table does not show: every edge of the pair where there is a table
    // (each one missing is lost), the summary's side only where there is none
    for (const QString& s : std::as_const(sources)) {
        const QList<MemoryEdge> pair = summaryEdgePair(id, s, 0);
        for (const MemoryEdge& e : pair) {
            if (keys.contains(edgeKey(e.fromId, e.toId, e.edgeType)))
                continue;
            if (!r.hasEdgeTable && e.edgeType != EdgeTypes::kSourceOf)
                continue;
            EdgeRow row;
            row.outgoing = e.fromId == id;
            row.edgeType = e.edgeType;
            row.other = digests.value(s);
            row.origin = EdgeRow::Origin::SourceIds;
            row.lost = r.lostSources.contains(s);
            r.rows.append(row);
        }
    }
    return r;
}

} // namespace Inspector
