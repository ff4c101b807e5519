// SPDX-License-Identifier: MIT
#include "lifecyclefilter.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Inspector::Lifecycle {

namespace {
struct Anomaly
{
    QLatin1StringView name;
    MemoryFlag flag; ///< meaningful only when `decoded`
    bool decoded;
    const char* description;
};

// clang-format off
constexpr Anomaly kAnomalies[] = {
    {"unknown-namespace"_L1, MemoryFlag::UnknownNamespace, true, "namespace subcog cannot map (read as decisions)"},
    {"noncanonical-namespace"_L1, MemoryFlag::NonCanonicalNamespace, true, "known namespace in another spelling"},
    {"unknown-status"_L1, MemoryFlag::UnknownStatus, true, "status subcog cannot map (read as active)"},
    {"noncanonical-status"_L1, MemoryFlag::NonCanonicalStatus, true, "known status in another case"},
    {"missing-content"_L1, MemoryFlag::MissingContent, true, "SQLite row without a full-text row (subcog cannot see it)"},
    {"duplicate-content"_L1, MemoryFlag::DuplicateContent, true, "several full-text rows for one id"},
    {"tags-drift"_L1, MemoryFlag::TagsMismatch, true, "the full-text row's tags differ from the metadata row's"},
    {"invalid-source-ids"_L1, MemoryFlag::InvalidSourceMemoryIds, true, "source_memory_ids is not a JSON array of strings"},
    {"legacy-domain"_L1, MemoryFlag::LegacyDomain, true, "NULL, empty or global domain (SQLite), not JSON (PostgreSQL)"},
    {"messy-tags"_L1, MemoryFlag::MessyTags, true, "tags not stored as subcog writes them (NULL, blanks, spaces)"},
    {"encrypted"_L1, MemoryFlag::Encrypted, true, "folder file stored encrypted"},
    {"locked"_L1, MemoryFlag::Locked, true, "encrypted folder file without a key to open it"},
    {"expired-active"_L1, MemoryFlag {}, false, "expires_at has passed and the memory is not tombstoned"},
    {"half-tombstoned"_L1, MemoryFlag {}, false, "status tombstoned without tombstoned_at, or the other way round"},
};
// clang-format on

const Anomaly* find(const QString& name)
{
    const auto it
        = std::find_if(std::begin(kAnomalies), std::end(kAnomalies), [&](const Anomaly& a) { return a.name == name; });
    return it == std::end(kAnomalies) ? nullptr : it;
}
} // namespace

QStringList anomalyNames()
{
    QStringList names;
    for (const Anomaly& a : kAnomalies)
        names << QString(a.name);
    return names;
}

QString describeAnomaly(const QString& name)
{
    const Anomaly* a = find(name);
    return a ? QString::fromLatin1(a->description) : QString();
}

MemoryFlags flagOf(const QString& name)
{
    const Anomaly* a = find(name);
    return a && a->decoded ? MemoryFlags(a->flag) : MemoryFlags();
}

bool isExpired(const Memory& m, qint64 now)
{
    return m.expiresAt && *m.expiresAt < now;
}

bool isHalfTombstoned(const Memory& m)
{
    return (parseStatus(m.status) == MemoryStatus::Tombstoned) != m.tombstonedAt.has_value();
}

bool hasAnomaly(const Memory& m, const QString& name, qint64 now)
{
    if (name == "expired-active"_L1)
        return isExpired(m, now) && !m.isTombstoned();
    if (name == "half-tombstoned"_L1)
        return isHalfTombstoned(m);
    const MemoryFlags flag = flagOf(name);
    return flag && (m.flags & flag) == flag;
}

void SourceEdges::add(const QString& id, const std::optional<QStringList>& sources)
{
    if (!sources || sources->isEmpty())
        return;
    m_ids.insert(id);
    for (const QString& source : *sources)
        m_ids.insert(source);
}

MemoryFilter withEdgeIds(const MemoryFilter& filter, const QSet<QString>& withEdges)
{
    if (!filter.hasEdges)
        return filter;
    MemoryFilter f = filter;
    f.hasEdges.reset();
    if (!*filter.hasEdges) {
        for (const QString& id : withEdges) {
            if (!f.excludedIds.contains(id))
                f.excludedIds << id;
        }
        std::sort(f.excludedIds.begin(), f.excludedIds.end());
        return f;
    }
    QStringList ids;
    for (const QString& id : withEdges) {
        if (filter.ids.isEmpty() || filter.ids.contains(id))
            ids << id;
    }
    if (ids.isEmpty())
        return MemoryFilter::nothing(); // an empty id list would not restrict at all
    std::sort(ids.begin(), ids.end());
    f.ids = ids;
    return f;
}

} // namespace Inspector::Lifecycle
