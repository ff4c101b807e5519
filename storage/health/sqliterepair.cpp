// SPDX-License-Identifier: MIT
#include "sqliterepair.h"

#include "memory.h"
#include "repairtargets.h"
#include "sqlite/sqlitebackend.h"
#include "sqlitecheck.h"
#include "sqliteraw.h"
#include "sqliterepairaround.h"
#include "sqliterepairinternal.h"
#include "storageerror.h"
#include "vectorsfile.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <sqlite3.h>

#include <cstring>
#include <memory>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

using namespace SqliteRaw;
using namespace SqliteRepairDetail;

constexpr QLatin1StringView kRepairable[] = {
    "missing-content"_L1,
    "orphan-content"_L1,
    "duplicate-content"_L1,
    "tags-drift"_L1,
    "messy-tags"_L1,
    "legacy-domain"_L1,
    "noncanonical-namespace"_L1,
    "noncanonical-status"_L1,
    "half-tombstoned"_L1,
    "expired-active"_L1,
    "dangling-edge"_L1,
    "stale-hash-tag"_L1,
    "duplicate-memory"_L1,
    "bad-summary"_L1,
    "lost-edge"_L1,
    "orphan-vector"_L1,
    "orphan-mention"_L1,
};
constexpr QLatin1StringView kManual[]
    = {"integrity"_L1, "unreadable-domain"_L1, "unknown-namespace"_L1, "unknown-status"_L1, "bad-time"_L1};

} // namespace

QStringList sqliteRepairableClasses()
{
    return findingClassesAmong(kRepairable);
}

QStringList manualFindingClasses()
{
    return findingClassesAmong(kManual);
}

std::optional<qint64> creationTimeFromId(const QString& id)
{
    static const QRegularExpression summary(u"^summary_([0-9]{1,12})$"_s);
    static const QRegularExpression nanos(u"^(?:[A-Za-z_-]+-)?([0-9]{19})$"_s);
    if (const auto m = summary.match(id); m.hasMatch())
        return m.captured(1).toLongLong();
    if (const auto m = nanos.match(id); m.hasMatch())
        return m.captured(1).toLongLong() / 1000000000;
    return std::nullopt;
}

QString sqliteRepairBackupPath(const QString& path, qint64 now)
{
    const QFileInfo store(path);
    return newBackupPath(store.absoluteDir().filePath(store.fileName() + u".backup-"_s), now, u".db"_s);
}

SqliteRepairReport repairSqliteStore(const QString& path, const SqliteRepairOptions& options)
{
    const QStringList repairable = sqliteRepairableClasses();
    for (const QString& cls : options.classes) {
        if (!repairable.contains(cls))
            throw StorageError(StorageError::Kind::InvalidInput, u"no automatic repair for "_s + cls);
    }
    const qint64 now = options.now.value_or(QDateTime::currentSecsSinceEpoch());
    const QSet<QString> wanted(options.classes.begin(), options.classes.end());

    RepairTargets targets;
    auto& [order, named, keptFor] = targets;
    QStringList vectorIds; // orphan-vector and orphan-mention name files beside the store, not memories
    QStringList mentionIds;
    SqliteRepairReport report;
    SqliteCheckOptions checkOptions;
    checkOptions.now = now;
    checkOptions.cancelled = options.cancelled;
    const bool checked = checkSqliteStore(
        path,
        [&](const Finding& f) {
            if (!RepairTargets::wanted(f, wanted, options.ids))
                return;
            if (f.findingClass == "orphan-vector"_L1 || f.findingClass == "orphan-mention"_L1) {
                QStringList& ids = f.findingClass == "orphan-vector"_L1 ? vectorIds : mentionIds;
                if (ids.isEmpty() || ids.back() != *f.id)
                    ids << *f.id;
                return;
            }
            targets.add(f, report.skipped);
        },
        checkOptions);
    if (!checked) {
        report.cancelled = true;
        return report;
    }
    if (named.isEmpty() && vectorIds.isEmpty() && mentionIds.isEmpty())
        return report;

    Repairer repairer(path, options, now);
    repairer.plan(order, named, keptFor);
    AroundRepair around(path, options, now, [&](const QString& id) { return repairer.memoryExists(id); });
    around.plan(vectorIds, mentionIds);
    report.skipped << repairer.planSkips() << around.planSkips();
    if (options.dryRun || (!repairer.hasWrites() && !around.hasWrites())) {
        repairer.reportPlan(report);
        around.reportPlan(report);
        return report;
    }
    // every backup before the first change: one that cannot be written stops the repair with nothing changed
    if (repairer.hasWrites())
        report.backupPath = repairer.backup();
    report.sideBackupPaths = around.backup();
    if (options.beforeWrites)
        options.beforeWrites();
    try {
        repairer.write(report);
        // after the memories: a memory an orphan-content fix rebuilt keeps its vector and mentions
        if (!report.cancelled)
            around.write(report);
    } catch (const StorageError& e) {
        // the batches before this one are committed: say where the way back is
        QStringList backups = report.sideBackupPaths;
        if (!report.backupPath.isEmpty())
            backups.prepend(report.backupPath);
        throw StorageError(e.kind(),
                           e.message() + u"; "_s + QString::number(report.memories)
                               + u" memories were repaired before it; the backup is "_s + backups.join(u" and "_s),
                           e.detail());
    }
    return report;
}

} // namespace Inspector
