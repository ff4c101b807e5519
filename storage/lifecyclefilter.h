// SPDX-License-Identifier: MIT
// The lifecycle keys of the filter language (expired:, is:summary, has:edges, flag:) where a backend evaluates them on
// decoded records, and the names `flag:` takes.
#pragma once

#include "query.h"

#include <QSet>

namespace Inspector::Lifecycle {

/// The anomaly names `flag:` takes, in the order help lists them: the decode flags of Memory::flags under the finding
/// names of the store check (spec §15) where one matches, plus the lifecycle findings expired-active and
/// half-tombstoned, which follow from a record's fields.
QStringList anomalyNames();
/// One line saying what the anomaly is (for the filter bar's help); empty for a name that is not one.
QString describeAnomaly(const QString& name);
/// The decode flag an anomaly name stands for; 0 for expired-active and half-tombstoned (and unknown names).
MemoryFlags flagOf(const QString& name);

/// expires_at is set and before `now` (subcog never enforces it: such a memory is still recalled, spec §15).
bool isExpired(const Memory& memory, qint64 now);
/// status `tombstoned` (any case) xor tombstoned_at set (spec §15 half-tombstoned).
bool isHalfTombstoned(const Memory& memory);
/// Whether the memory carries the anomaly as it was read (`now` for expired-active).
bool hasAnomaly(const Memory& memory, const QString& name, qint64 now);

/// The ids that have an edge in a store without an edge table: every memory whose source_memory_ids (as read: a valid
/// JSON array of strings) lists an id, and every id such a list names. These are the edges subcog's consolidation
/// writes where it has memory_edges (source_of / summarized_by, spec §4.5).
class SourceEdges
{
public:
    /// One memory's id and its source ids as read (nullopt: none).
    void add(const QString& id, const std::optional<QStringList>& sources);
    const QSet<QString>& ids() const { return m_ids; }

private:
    QSet<QString> m_ids;
};

/// The filter with has: resolved against the ids that have edges: has:edges keeps only those, -has:edges leaves
/// them out (MemoryFilter::excludedIds). The filter itself when it has no has: token.
MemoryFilter withEdgeIds(const MemoryFilter& filter, const QSet<QString>& withEdges);

} // namespace Inspector::Lifecycle
