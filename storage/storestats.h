// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace Inspector {

/// One value and the number of memories with it.
struct CountOf
{
    QString key;
    qint64 count = 0;
    friend bool operator==(const CountOf&, const CountOf&) = default;
};

/**
 * A store at a glance (PersistenceBackend::stats): every figure counts the memories that pass one filter.
 *
 * Namespaces and statuses are counted under their canonical names as subcog's SQLite and PostgreSQL readers parse
 * them: aliases and other cases under the canonical name, unknown strings under `decisions` / `active` (and also
 * listed, verbatim, in unknownNamespaces / unknownStatuses). Domains are counted by their display string, as the
 * inspector shows and filters them (NULL or empty is `project`).
 */
struct StoreStats
{
    static constexpr qint64 kWeek = 7 * 86400;
    /// 1970-01-05, the first Monday of Unix time: weeks start on Mondays, 00:00 UTC
    static constexpr qint64 kFirstMonday = 4 * 86400;

    qint64 total = 0;
    qint64 now = 0; ///< Unix seconds `expired` was measured against
    QMap<QString, qint64> namespaces; ///< canonical name → memories
    QMap<QString, qint64> unknownNamespaces; ///< stored string → memories (also counted under `decisions`)
    QMap<QString, qint64> statuses; ///< canonical name → memories
    QMap<QString, qint64> unknownStatuses; ///< stored string → memories (also counted under `active`)
    /// week start (Unix seconds, a Monday 00:00 UTC) → canonical namespace → memories created in that week
    QMap<qint64, QMap<QString, qint64>> weeks;
    /// the most frequent tags (memories carrying each), count descending then tag; content-hash tags left out
    QList<CountOf> topTags;
    qint64 contentHashTagged = 0; ///< memories with a `hash:sha256:` tag (left out of topTags)
    QList<CountOf> topProjects; ///< project_id, count descending then value; memories without one left out
    qint64 withoutProject = 0;
    QList<CountOf> topBranches;
    qint64 withoutBranch = 0;
    QMap<QString, qint64> domains; ///< display string → memories
    QMap<QString, qint64> scopes; ///< `project`, `user`, `org`, `other` (any other display string) → memories
    qint64 summaries = 0;
    qint64 originals = 0;
    qint64 tombstoned = 0; ///< status `tombstoned` (any case) or tombstoned_at set
    qint64 expired = 0; ///< expires_at before `now` and not tombstoned
    /// memories with an embedding, where the store keeps them (nullopt: it has none or the inspector cannot read them)
    std::optional<qint64> withEmbedding;

    friend bool operator==(const StoreStats&, const StoreStats&) = default;

    /// The Monday 00:00 UTC starting the week of `t` (Unix seconds).
    static qint64 weekStart(qint64 t);
    /// The scope a domain display string is in: `project`, `user`, `org` or `other`.
    static QString scopeOf(const QString& domainDisplay);
    /// Every figure as one JSON object (`stats --json`; the keys are the member names, lists of
    /// {"value", "count"}, weeks as [{"weekStart", "total", "namespaces"}], withEmbedding null when absent).
    QJsonObject toJson() const;
};

/// Builds StoreStats from grouped raw values (SQL backends) or from memories one by one (the others).
class StatsBuilder
{
public:
    static constexpr int kTop = 20;

    explicit StatsBuilder(qint64 now);

    void addNamespace(const QString& stored, qint64 n);
    void addStatus(const QString& stored, qint64 n);
    void addWeek(const QString& storedNamespace, qint64 weekStart, qint64 n);
    /// `n` memories carry this tag (content-hash tags are left out: the caller counts contentHashTagged).
    void addTag(const QString& tag, qint64 n);
    void addProject(const std::optional<QString>& project, qint64 n);
    void addBranch(const std::optional<QString>& branch, qint64 n);
    void addDomain(const QString& display, qint64 n);
    /// Everything about one memory (its embedding counts when `hasEmbedding`).
    void addMemory(const Memory& memory, bool hasEmbedding = false);

    /// The totals, summaries, tombstoned, expired and embedding figures, set by the caller.
    StoreStats& stats() { return m_stats; }
    /// Picks the top lists; the builder is spent.
    StoreStats finish();

private:
    StoreStats m_stats;
    QHash<QString, qint64> m_tags;
    QHash<QString, qint64> m_projects;
    QHash<QString, qint64> m_branches;
};

} // namespace Inspector
