// SPDX-License-Identifier: MIT
// What every store kind's repair takes from the findings of its check: which memories, for which classes.
#pragma once

#include "sqliterepair.h"
#include "storecheck.h"

#include <QHash>
#include <QLatin1StringView>
#include <QSet>

#include <span>

namespace Inspector {

/// The classes among `classes`, in the order findingClasses() lists them.
QStringList findingClassesAmong(std::span<const QLatin1StringView> classes);

/// The memory kept for a duplicate-memory finding, from its detail line (the checkers' wording:
/// "same content as the older memory '<id>' (hash:sha256:…)").
std::optional<QString> keptIdFromDetail(const QString& detail);

/// `<base><stamp><suffix>` for `now` (UTC, yyyyMMdd-HHmmss), with `-2`, `-3`, … after the stamp while that name
/// exists (or is a dangling link): a backup never replaces a file.
QString newBackupPath(const QString& base, qint64 now, const QString& suffix);

/// The memories a repair names, gathered as a check streams its findings.
struct RepairTargets
{
    QStringList order; ///< ids in the order found
    QHash<QString, QSet<QString>> named; ///< the classes to fix of each
    QHash<QString, QString> keptFor; ///< duplicate-memory: the memory each duplicate is merged into

    /// Whether a repair of `classes` (limited to `ids` when given) fixes this finding.
    static bool wanted(const Finding& finding, const QSet<QString>& classes, const QSet<QString>& ids);
    /// Names the finding's memory for its class; a duplicate whose kept memory cannot be read from the detail
    /// goes to `skipped` instead.
    void add(const Finding& finding, QList<RepairChange>& skipped);
};

} // namespace Inspector
