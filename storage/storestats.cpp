// SPDX-License-Identifier: MIT
#include "storestats.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Inspector {

qint64 StoreStats::weekStart(qint64 t)
{
    const qint64 since = t - kFirstMonday;
    qint64 weeks = since / kWeek;
    if (since % kWeek < 0)
        --weeks; // floor, also before 1970
    return kFirstMonday + weeks * kWeek;
}

QString StoreStats::scopeOf(const QString& domainDisplay)
{
    if (domainDisplay == "project"_L1 || domainDisplay == "user"_L1 || domainDisplay == "org"_L1)
        return domainDisplay;
    return u"other"_s;
}

namespace {

QJsonObject counts(const QMap<QString, qint64>& map)
{
    QJsonObject o;
    for (auto it = map.begin(); it != map.end(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QJsonArray list(const QList<CountOf>& items)
{
    QJsonArray a;
    for (const CountOf& c : items)
        a.append(QJsonObject {{u"value"_s, c.key}, {u"count"_s, c.count}});
    return a;
}

} // namespace

QJsonObject StoreStats::toJson() const
{
    QJsonArray weekList;
    for (auto it = weeks.begin(); it != weeks.end(); ++it) {
        qint64 sum = 0;
        for (const qint64 n : it.value())
            sum += n;
        weekList.append(QJsonObject {{u"weekStart"_s, it.key()}, {u"total"_s, sum}, {u"namespaces"_s, counts(*it)}});
    }
    return QJsonObject {
        {u"total"_s, total},
        {u"now"_s, now},
        {u"namespaces"_s, counts(namespaces)},
        {u"unknownNamespaces"_s, counts(unknownNamespaces)},
        {u"statuses"_s, counts(statuses)},
        {u"unknownStatuses"_s, counts(unknownStatuses)},
        {u"weeks"_s, weekList},
        {u"topTags"_s, list(topTags)},
        {u"contentHashTagged"_s, contentHashTagged},
        {u"topProjects"_s, list(topProjects)},
        {u"withoutProject"_s, withoutProject},
        {u"topBranches"_s, list(topBranches)},
        {u"withoutBranch"_s, withoutBranch},
        {u"domains"_s, counts(domains)},
        {u"scopes"_s, counts(scopes)},
        {u"summaries"_s, summaries},
        {u"originals"_s, originals},
        {u"tombstoned"_s, tombstoned},
        {u"expired"_s, expired},
        {u"withEmbedding"_s, withEmbedding ? QJsonValue(*withEmbedding) : QJsonValue(QJsonValue::Null)},
    };
}

StatsBuilder::StatsBuilder(qint64 now)
{
    m_stats.now = now;
}

void StatsBuilder::addNamespace(const QString& stored, qint64 n)
{
    const std::optional<Namespace> ns = parseNamespace(stored);
    if (!ns)
        m_stats.unknownNamespaces[stored] += n;
    m_stats.namespaces[namespaceName(ns.value_or(Namespace::Decisions))] += n;
}

void StatsBuilder::addStatus(const QString& stored, qint64 n)
{
    const std::optional<MemoryStatus> status = parseStatus(stored);
    if (!status)
        m_stats.unknownStatuses[stored] += n;
    m_stats.statuses[statusName(status.value_or(MemoryStatus::Active))] += n;
}

void StatsBuilder::addWeek(const QString& storedNamespace, qint64 weekStart, qint64 n)
{
    const QString ns = namespaceName(parseNamespace(storedNamespace).value_or(Namespace::Decisions));
    m_stats.weeks[weekStart][ns] += n;
}

void StatsBuilder::addTag(const QString& tag, qint64 n)
{
    if (!tag.startsWith("hash:sha256:"_L1))
        m_tags[tag] += n;
}

void StatsBuilder::addProject(const std::optional<QString>& project, qint64 n)
{
    if (project)
        m_projects[*project] += n;
    else
        m_stats.withoutProject += n;
}

void StatsBuilder::addBranch(const std::optional<QString>& branch, qint64 n)
{
    if (branch)
        m_branches[*branch] += n;
    else
        m_stats.withoutBranch += n;
}

void StatsBuilder::addDomain(const QString& display, qint64 n)
{
    m_stats.domains[display] += n;
    m_stats.scopes[StoreStats::scopeOf(display)] += n;
}

void StatsBuilder::addMemory(const Memory& m, bool hasEmbedding)
{
    StoreStats& s = m_stats;
    ++s.total;
    addNamespace(m.namespaceName, 1);
    addStatus(m.status, 1);
    addWeek(m.namespaceName, StoreStats::weekStart(m.createdAt), 1);
    QStringList seen; // a tag counts once per memory
    bool hashTag = false;
    for (const QString& tag : m.tags) {
        hashTag = hashTag || tag.startsWith("hash:sha256:"_L1);
        if (!seen.contains(tag)) {
            seen << tag;
            addTag(tag, 1);
        }
    }
    s.contentHashTagged += hashTag;
    addProject(m.projectId, 1);
    addBranch(m.branch, 1);
    addDomain(m.domain.isEmpty() ? u"project"_s : m.domain, 1);
    if (m.isSummary)
        ++s.summaries;
    const bool tombstoned = m.isTombstoned();
    if (tombstoned)
        ++s.tombstoned;
    else if (m.expiresAt && *m.expiresAt < s.now)
        ++s.expired;
    if (hasEmbedding)
        s.withEmbedding = s.withEmbedding.value_or(0) + 1;
}

namespace {

QList<CountOf> top(const QHash<QString, qint64>& counts, int n)
{
    QList<CountOf> all;
    all.reserve(counts.size());
    for (auto it = counts.begin(); it != counts.end(); ++it)
        all.append(CountOf {it.key(), it.value()});
    const auto before
        = [](const CountOf& a, const CountOf& b) { return a.count != b.count ? a.count > b.count : a.key < b.key; };
    if (all.size() > n) {
        std::partial_sort(all.begin(), all.begin() + n, all.end(), before);
        all.resize(n);
    } else {
        std::sort(all.begin(), all.end(), before);
    }
    return all;
}

} // namespace

StoreStats StatsBuilder::finish()
{
    m_stats.originals = m_stats.total - m_stats.summaries;
    m_stats.topTags = top(m_tags, kTop);
    m_stats.topProjects = top(m_projects, kTop);
    m_stats.topBranches = top(m_branches, kTop);
    return std::move(m_stats);
}

} // namespace Inspector
