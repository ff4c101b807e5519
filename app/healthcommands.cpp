// SPDX-License-Identifier: MIT
// The store health commands: stats, check and repair.
#include "commandline.h"

#include "health/foldercheck.h"
#include "health/folderrepair.h"
#include "health/postgrescheck.h"
#include "health/postgresrepair.h"
#include "health/sqlitecheck.h"
#include "health/sqliterepair.h"
#include "postgresmodule.h"
#include "subcogfiles.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace Inspector::CommandLine {

/// `stats STORE`: StoreStats as a table, or one JSON object.
int commandStats(Session& s, const QString& store)
{
    const auto filter = buildFilter(s);
    if (!filter)
        return ExitUsage;
    StoreStats stats;
    try {
        auto backend = openStore(store, openOptions(s));
        stats = backend->stats(*filter, QDateTime::currentSecsSinceEpoch());
    } catch (const StorageError& error) {
        reportError(error);
        return ExitError;
    }
    if (s.parser.isSet(s.json)) {
        out() << QJsonDocument(stats.toJson()).toJson(QJsonDocument::Compact) << Qt::endl;
        return ExitOk;
    }
    const auto row = [](const QString& label, qint64 n) {
        out() << "  " << shown(label).leftJustified(30) << ' ' << QString::number(n).rightJustified(10) << Qt::endl;
    };
    const auto section = [&](const QString& title, const QMap<QString, qint64>& counts) {
        out() << title << Qt::endl;
        for (auto it = counts.begin(); it != counts.end(); ++it)
            row(it.key(), it.value());
    };
    const auto top = [&](const QString& title, const QList<CountOf>& items) {
        out() << title << Qt::endl;
        for (const CountOf& c : items)
            row(c.key, c.count);
    };
    row(tr("Memories"), stats.total);
    row(tr("Summaries"), stats.summaries);
    row(tr("Originals"), stats.originals);
    row(tr("Tombstoned"), stats.tombstoned);
    row(tr("Expired (not tombstoned)"), stats.expired);
    if (stats.withEmbedding)
        row(tr("With an embedding"), *stats.withEmbedding);
    row(tr("With a content-hash tag"), stats.contentHashTagged);
    section(tr("Namespaces"), stats.namespaces);
    if (!stats.unknownNamespaces.isEmpty())
        section(tr("Unknown namespaces (counted as decisions)"), stats.unknownNamespaces);
    section(tr("Statuses"), stats.statuses);
    if (!stats.unknownStatuses.isEmpty())
        section(tr("Unknown statuses (counted as active)"), stats.unknownStatuses);
    section(tr("Domain scopes"), stats.scopes);
    section(tr("Domains"), stats.domains);
    top(tr("Top tags"), stats.topTags);
    top(tr("Top projects"), stats.topProjects);
    row(tr("(no project)"), stats.withoutProject);
    top(tr("Top branches"), stats.topBranches);
    row(tr("(no branch)"), stats.withoutBranch);
    out() << tr("Captures per week (Monday, UTC)") << Qt::endl;
    for (auto it = stats.weeks.begin(); it != stats.weeks.end(); ++it) {
        qint64 sum = 0;
        QStringList parts;
        for (auto ns = it->begin(); ns != it->end(); ++ns) {
            sum += ns.value();
            parts << ns.key() + u' ' + QString::number(ns.value());
        }
        out() << "  " << QDateTime::fromSecsSinceEpoch(it.key(), QTimeZone::utc()).toString(u"yyyy-MM-dd"_s) << ' '
              << QString::number(sum).rightJustified(10) << "  " << parts.join(u", "_s) << Qt::endl;
    }
    return ExitOk;
}

/// `check STORE`: findings streamed as JSON Lines, or counted into a summary table per class.
int commandCheck(Session& s, const QString& storeArgument)
{
    const StoreSpec spec = StoreSpec::parse(storeArgument);
    const bool json = s.parser.isSet(s.json);
    struct ClassSummary
    {
        qint64 count = 0;
        QStringList examples;
    };
    constexpr int kExamples = 3;
    QMap<QString, ClassSummary> summary;
    qint64 total = 0;
    try {
        const FindingSink sink = [&](const Finding& finding) {
            ++total;
            if (json) {
                out() << QString::fromUtf8(findingJson(finding)) << '\n';
                return;
            }
            ClassSummary& entry = summary[finding.findingClass];
            ++entry.count;
            if (entry.examples.size() < kExamples)
                entry.examples << (finding.id ? *finding.id : finding.detail);
        };
        switch (spec.kind) {
        case StoreSpec::Kind::Sqlite:
            try {
                checkSqliteStore(spec.location, sink);
            } catch (const StorageError& e) {
                throw explainSubcogFile(spec.location, e);
            }
            break;
        case StoreSpec::Kind::Postgres:
            postgresModule().checkStore(spec.location, sink, {});
            break;
        case StoreSpec::Kind::Filesystem: {
            FolderCheckOptions options;
            options.key = openOptions(s).encryptionKey;
            checkFolderStore(spec.location, sink, options);
            break;
        }
        case StoreSpec::Kind::Jsonl:
            // a backup's bad lines are reported when it is opened (info, count, export, copy)
            throw StorageError(StorageError::Kind::InvalidInput,
                               spec.location
                                   + u": check reads stores; a JSON Lines backup's damaged lines are "
                                     u"listed by info, export and copy"_s);
        }
    } catch (const StorageError& error) {
        out().flush();
        reportError(error);
        return ExitError;
    }
    if (!json) {
        if (total == 0)
            out() << tr("No damage found.") << Qt::endl;
        for (const QString& cls : findingClasses()) {
            const auto it = summary.constFind(cls);
            if (it == summary.constEnd())
                continue;
            out() << cls.leftJustified(24) << ' ' << QString::number(it->count).rightJustified(8) << "  "
                  << findingMeaning(cls) << Qt::endl;
            QStringList shownIds;
            for (const QString& example : it->examples)
                shownIds << shown(example);
            out() << QString(35, u' ') << tr("e.g. ") << shownIds.join(u", "_s)
                  << (it->count > it->examples.size() ? u", …"_s : QString()) << Qt::endl;
        }
    }
    return total == 0 ? ExitOk : ExitPartial;
}

/// `repair STORE --fix CLASS,...`: fixes what check found, after a backup; refuses classes a person must decide.
int commandRepair(Session& s, const QString& storeArgument)
{
    const StoreSpec spec = StoreSpec::parse(storeArgument);
    const QString kindName = spec.kind == StoreSpec::Kind::Sqlite ? u"SQLite"_s
        : spec.kind == StoreSpec::Kind::Postgres                  ? u"PostgreSQL"_s
                                                                  : u"folder"_s;
    const QStringList repairable = spec.kind == StoreSpec::Kind::Sqlite ? sqliteRepairableClasses()
        : spec.kind == StoreSpec::Kind::Postgres                        ? postgresRepairableClasses()
                                                                        : folderRepairableClasses();
    if (!s.parser.isSet(s.fix)) {
        err() << "subcog-inspector: repair needs --fix CLASS,... (classes: " << repairable.join(u", "_s) << ", or all)"
              << Qt::endl;
        return ExitUsage;
    }
    QStringList classes;
    QStringList unknown;
    QStringList manual;
    QStringList otherKind;
    const QStringList everyRepairable
        = sqliteRepairableClasses() + postgresRepairableClasses() + folderRepairableClasses();
    for (const QString& word : s.parser.value(s.fix).split(u',', Qt::SkipEmptyParts)) {
        const QString cls = word.trimmed();
        if (cls == "all"_L1)
            classes << repairable;
        else if (manualFindingClasses().contains(cls))
            manual << cls;
        else if (repairable.contains(cls))
            classes << cls;
        else if (everyRepairable.contains(cls))
            otherKind << cls;
        else
            unknown << cls;
    }
    for (const QString& cls : std::as_const(unknown))
        err() << "subcog-inspector: repair: '" << shown(cls)
              << "' is not a class repair fixes (classes: " << repairable.join(u", "_s) << ")" << Qt::endl;
    if (!otherKind.isEmpty())
        err() << "subcog-inspector: repair: " << otherKind.join(u", "_s) << " cannot occur in a " << kindName
              << " store (classes: " << repairable.join(u", "_s) << ")" << Qt::endl;
    if (!manual.isEmpty())
        err() << "subcog-inspector: repair: no safe automatic fix for " << manual.join(u", "_s)
              << ": a person has to decide; `check STORE` lists these memories with what to decide" << Qt::endl;
    if (!unknown.isEmpty() || !manual.isEmpty() || !otherKind.isEmpty())
        return ExitUsage;
    if (classes.isEmpty()) {
        err() << "subcog-inspector: repair: --fix names no class" << Qt::endl;
        return ExitUsage;
    }
    classes.removeDuplicates();
    if (s.parser.isSet(s.hardDelete) && !classes.contains(u"missing-content"_s)) {
        err() << "subcog-inspector: repair: --delete applies to missing-content only" << Qt::endl;
        return ExitUsage;
    }
    if (s.parser.isSet(s.backupDir) && spec.kind != StoreSpec::Kind::Postgres) {
        err() << "subcog-inspector: repair: --backup-dir applies to PostgreSQL stores only (the backup of a "
              << kindName << " store goes beside it)" << Qt::endl;
        return ExitUsage;
    }
    QSet<QString> ids;
    if (s.parser.isSet(s.ids)) {
        const QStringList list = s.parser.value(s.ids).split(u',', Qt::SkipEmptyParts);
        ids = QSet<QString>(list.begin(), list.end());
    }
    const bool dryRun = s.parser.isSet(s.dryRun);
    StoreRepairReport report;
    try {
        if (spec.kind == StoreSpec::Kind::Sqlite) {
            SqliteRepairOptions options;
            options.classes = classes;
            options.dryRun = dryRun;
            options.hardDelete = s.parser.isSet(s.hardDelete);
            options.ids = ids;
            const SqliteRepairReport sqlite = [&] {
                try {
                    return repairSqliteStore(spec.location, options);
                } catch (const StorageError& e) {
                    throw explainSubcogFile(spec.location, e);
                }
            }();
            if (!sqlite.backupPath.isEmpty())
                report.backupPaths << sqlite.backupPath;
            report.backupPaths << sqlite.sideBackupPaths;
            report.changes = sqlite.changes;
            report.skipped = sqlite.skipped;
            report.memories = sqlite.memories;
        } else {
            StoreRepairOptions options;
            options.classes = classes;
            options.dryRun = dryRun;
            options.ids = ids;
            if (spec.kind == StoreSpec::Kind::Postgres) {
                options.backupDir = s.parser.value(s.backupDir);
                report = postgresModule().repairStore(spec.location, options);
            } else {
                options.key = openOptions(s).encryptionKey;
                report = repairFolderStore(spec.location, options);
            }
        }
    } catch (const StorageError& error) {
        reportError(error);
        return ExitError;
    }
    if (dryRun)
        out() << tr("dry run: nothing written, no backup") << Qt::endl;
    for (const QString& path : std::as_const(report.backupPaths))
        out() << tr("backup: ") << shown(path) << Qt::endl;
    for (const RepairChange& change : std::as_const(report.changes))
        out() << shown(change.id) << ": " << change.findingClass << ": " << shown(change.what) << Qt::endl;
    for (const RepairChange& skip : std::as_const(report.skipped))
        err() << "subcog-inspector: skipped " << shown(skip.id) << ": " << skip.findingClass << ": " << shown(skip.what)
              << Qt::endl;
    if (report.changes.isEmpty())
        out() << tr("nothing to repair") << Qt::endl;
    else
        out() << report.changes.size() << (report.changes.size() == 1 ? " change" : " changes")
              << (dryRun ? " would be made to " : " made to ") << report.memories
              << (report.memories == 1 ? " memory" : " memories") << Qt::endl;
    if (!report.skipped.isEmpty())
        out() << report.skipped.size() << " skipped (listed on stderr)" << Qt::endl;
    return report.skipped.isEmpty() ? ExitOk : ExitPartial;
}

} // namespace Inspector::CommandLine
