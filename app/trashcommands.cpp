// SPDX-License-Identifier: MIT
// `empty-trash` and `tombstone-expired`: a preview of the memories, then the run on exactly those, after a backup.
#include "commandline.h"

#include "health/trash.h"
#include "storageerror.h"

#include <QDateTime>

#include <limits>

namespace Inspector::CommandLine {

namespace {

QString utc(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(Qt::ISODate);
}

QString timeNote(TrashTime source)
{
    switch (source) {
    case TrashTime::TombstonedAt:
    case TrashTime::ExpiresAt:
        return {};
    case TrashTime::UpdatedAt:
        return u" (updated_at: status only)"_s;
    case TrashTime::CreatedAt:
        return u" (created_at: status only, no tombstone time)"_s;
    }
    return {};
}

/// What looks like trash but is not taken, and why: counted, with the first ids (each unreadable one named).
void printLeftOut(const TrashPreview& preview)
{
    const auto ids = [&](TrashLeftOutReason reason, qsizetype most) -> QString {
        QStringList shownIds;
        qsizetype all = 0;
        for (const TrashLeftOut& l : preview.leftOut) {
            if (l.reason != reason)
                continue;
            if (++all <= most)
                shownIds << shown(l.id) + u" ("_s + shown(l.detail) + u')';
        }
        return shownIds.join(u"; "_s) + (all > most ? u"; …"_s : QString());
    };
    if (const qsizetype n = preview.leftOutCount(TrashLeftOutReason::HalfTombstoned))
        out() << "left out: " << n << (n == 1 ? " half-tombstoned memory" : " half-tombstoned memories")
              << " (tombstoned_at is set but the status is not 'tombstoned', so subcog still lists "
              << (n == 1 ? "it" : "them") << " as live): repair half-tombstoned first ("
              << ids(TrashLeftOutReason::HalfTombstoned, 5) << ")" << Qt::endl;
    if (const qsizetype n = preview.leftOutCount(TrashLeftOutReason::NoTombstoneTime))
        out() << "left out: " << n << (n == 1 ? " tombstoned memory has" : " tombstoned memories have")
              << " no tombstone time; only --older-than 0 removes them (" << ids(TrashLeftOutReason::NoTombstoneTime, 5)
              << ")" << Qt::endl;
    if (const qsizetype n = preview.leftOutCount(TrashLeftOutReason::UnreadableTime))
        out() << "left out: " << n << (n == 1 ? " tombstoned memory whose" : " tombstoned memories whose")
              << " tombstoned_at is not a time; fix it by hand first ("
              << ids(TrashLeftOutReason::UnreadableTime, std::numeric_limits<qsizetype>::max()) << ")" << Qt::endl;
}

int runTrashCommand(Session& s, const QString& storeArgument, TrashAction action)
{
    const char* const name = action == TrashAction::EmptyTrash ? "empty-trash" : "tombstone-expired";
    const StoreSpec spec = StoreSpec::parse(storeArgument);
    TrashOptions options;
    if (action == TrashAction::EmptyTrash) {
        if (!s.parser.isSet(s.olderThan)) {
            err() << "subcog-inspector: empty-trash needs --older-than DAYS (0: every tombstoned memory)" << Qt::endl;
            return ExitUsage;
        }
        bool ok = false;
        options.olderThanDays = s.parser.value(s.olderThan).toInt(&ok);
        if (!ok || options.olderThanDays < 0) {
            err() << "subcog-inspector: empty-trash: --older-than takes a whole number of days, 0 or more, not '"
                  << shown(s.parser.value(s.olderThan)) << "'" << Qt::endl;
            return ExitUsage;
        }
    } else if (s.parser.isSet(s.olderThan)) {
        err() << "subcog-inspector: tombstone-expired: --older-than applies to empty-trash only" << Qt::endl;
        return ExitUsage;
    }
    if (s.parser.isSet(s.backupDir) && spec.kind != StoreSpec::Kind::Postgres) {
        err() << "subcog-inspector: " << name
              << ": --backup-dir applies to PostgreSQL stores only (the backup of other stores goes beside them)"
              << Qt::endl;
        return ExitUsage;
    }
    options.dryRun = s.parser.isSet(s.dryRun);
    options.backupDir = s.parser.value(s.backupDir);
    StoreRepairReport report;
    TrashPreview preview;
    try {
        if (spec.kind == StoreSpec::Kind::Filesystem)
            options.key = openOptions(s).encryptionKey;
        preview = previewTrash(spec, action, options);
        if (action == TrashAction::EmptyTrash)
            out() << preview.entries.size() << (preview.entries.size() == 1 ? " memory" : " memories")
                  << " tombstoned at or before " << utc(preview.cutoff) << " (" << options.olderThanDays
                  << (options.olderThanDays == 1 ? " day" : " days") << " before now)" << Qt::endl;
        else
            out() << preview.entries.size() << (preview.entries.size() == 1 ? " live memory" : " live memories")
                  << " expired before " << utc(preview.now) << Qt::endl;
        // the preview: what the run touches, and nothing else
        for (const TrashEntry& e : std::as_const(preview.entries))
            out() << shown(e.id) << '\t' << shown(e.namespaceName) << '\t' << utc(e.time) << timeNote(e.timeSource)
                  << '\t' << shown(e.firstLine) << Qt::endl;
        QStringList sources;
        for (const TrashEntry& e : std::as_const(preview.entries)) {
            if (!e.summaries.isEmpty())
                sources << shown(e.id) + u": "_s + shown(e.summaries.join(u", "_s));
        }
        if (!sources.isEmpty())
            out() << "note: " << sources.size()
                  << (sources.size() == 1 ? " of them is a source of summaries that stay ("
                                          : " of them are sources of summaries that stay (")
                  << sources.mid(0, 5).join(u"; "_s) << (sources.size() > 5 ? "; …" : "")
                  << "); those summaries will name a missing source (check's bad-summary)" << Qt::endl;
        printLeftOut(preview);
        if (preview.entries.isEmpty())
            return ExitOk;
        report = runTrash(spec, preview, options);
    } catch (const StorageError& error) {
        out().flush();
        reportError(error);
        return ExitError;
    }
    if (options.dryRun)
        out() << tr("dry run: nothing written, no backup") << Qt::endl;
    for (const QString& path : std::as_const(report.backupPaths))
        out() << tr("backup: ") << shown(path) << Qt::endl;
    for (const RepairChange& skip : std::as_const(report.skipped))
        err() << "subcog-inspector: skipped " << shown(skip.id) << ": " << shown(skip.what) << Qt::endl;
    const char* const verb = action == TrashAction::EmptyTrash ? (options.dryRun ? "would delete " : "deleted ")
                                                               : (options.dryRun ? "would tombstone " : "tombstoned ");
    out() << verb << report.memories << (report.memories == 1 ? " memory" : " memories");
    if (action == TrashAction::EmptyTrash && !options.dryRun)
        out() << " (no undo: the backup is the way back)";
    out() << Qt::endl;
    if (report.cancelled)
        out() << "stopped before the end" << Qt::endl;
    if (!report.skipped.isEmpty())
        out() << report.skipped.size() << " skipped (changed since the preview; listed on stderr)" << Qt::endl;
    return report.skipped.isEmpty() ? ExitOk : ExitPartial;
}

} // namespace

int commandEmptyTrash(Session& s, const QString& store)
{
    return runTrashCommand(s, store, TrashAction::EmptyTrash);
}

int commandTombstoneExpired(Session& s, const QString& store)
{
    return runTrashCommand(s, store, TrashAction::TombstoneExpired);
}

} // namespace Inspector::CommandLine
