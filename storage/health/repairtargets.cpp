// SPDX-License-Identifier: MIT
#include "repairtargets.h"

#include "postgresrepair.h"

#include <QDateTime>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Inspector {

QStringList findingClassesAmong(std::span<const QLatin1StringView> classes)
{
    QStringList result;
    for (const QString& cls : findingClasses()) {
        if (std::find(classes.begin(), classes.end(), cls) != classes.end())
            result << cls;
    }
    return result;
}

// here, not in postgresrepair.cpp: the list is known without loading the PostgreSQL module
QStringList postgresRepairableClasses()
{
    static constexpr QLatin1StringView kRepairable[] = {
        "messy-tags"_L1,      "legacy-domain"_L1,  "noncanonical-namespace"_L1, "noncanonical-status"_L1,
        "half-tombstoned"_L1, "expired-active"_L1, "stale-hash-tag"_L1,         "duplicate-memory"_L1,
        "bad-summary"_L1,     "orphan-vector"_L1,  "orphan-mention"_L1,
    };
    return findingClassesAmong(kRepairable);
}

std::optional<QString> keptIdFromDetail(const QString& detail)
{
    static const QString prefix = u"same content as the older memory '"_s;
    static const QRegularExpression suffix(u"' \\(hash:sha256:[0-9a-f]{16}\\)$"_s);
    const auto match = suffix.match(detail);
    if (!detail.startsWith(prefix) || !match.hasMatch() || match.capturedStart() < prefix.size())
        return std::nullopt;
    return detail.mid(prefix.size(), match.capturedStart() - prefix.size());
}

QString newBackupPath(const QString& base, qint64 now, const QString& suffix)
{
    const QString stamp = QDateTime::fromSecsSinceEpoch(now, Qt::UTC).toString(u"yyyyMMdd-HHmmss"_s);
    for (int n = 1;; ++n) {
        const QString path = base + stamp + (n > 1 ? u'-' + QString::number(n) : QString()) + suffix;
        if (!QFileInfo::exists(path) && !QFileInfo(path).isSymLink())
            return path;
    }
}

bool RepairTargets::wanted(const Finding& finding, const QSet<QString>& classes, const QSet<QString>& ids)
{
    return classes.contains(finding.findingClass) && finding.id && (ids.isEmpty() || ids.contains(*finding.id));
}

void RepairTargets::add(const Finding& finding, QList<RepairChange>& skipped)
{
    const QString& id = *finding.id;
    if (finding.findingClass == "duplicate-memory"_L1) {
        const auto kept = keptIdFromDetail(finding.detail);
        if (!kept) {
            skipped << RepairChange {id, finding.findingClass, u"cannot tell which memory to keep"_s};
            return;
        }
        keptFor.insert(id, *kept);
    }
    if (!named.contains(id))
        order << id;
    named[id].insert(finding.findingClass);
}

} // namespace Inspector
