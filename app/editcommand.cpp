// SPDX-License-Identifier: MIT
// `edit STORE`: a bulk edit of what --filter or --ids names, previewed, then written unless --dry-run.
#include "commandline.h"

#include "bulkedit.h"
#include "secrets.h"

#include <QFile>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector::CommandLine {

namespace {

/// The edit the options ask for, or nullopt after saying what is wrong.
std::optional<BulkEdit> editFromOptions(Session& s)
{
    BulkEdit edit;
    QStringList problems;
    for (const QString& assignment : s.parser.values(s.set)) {
        if (const QString why = edit.parseSet(assignment); !why.isEmpty())
            problems << u"--set "_s + why;
    }
    for (const QString& tag : s.parser.values(s.addTag))
        edit.addTags << tag;
    for (const QString& tag : s.parser.values(s.removeTag))
        edit.removeTags << tag;
    for (const QString& replacement : s.parser.values(s.replace)) {
        if (const QString why = edit.parseReplace(replacement); !why.isEmpty())
            problems << u"--replace "_s + why;
    }
    problems << edit.problems();
    if (problems.isEmpty() && edit.isEmpty())
        problems << u"nothing to change: give --set, --add-tag, --remove-tag or --replace"_s;
    for (const QString& problem : std::as_const(problems))
        err() << "subcog-inspector: edit: " << shown(problem) << Qt::endl;
    if (!problems.isEmpty())
        return std::nullopt;
    return edit;
}

/// The memories the options name, or nullopt after saying what is wrong.
std::optional<BulkEditSource> sourceFromOptions(Session& s)
{
    // every memory only when asked for (--filter ''): a forgotten selector must not edit the whole store
    if (!s.parser.isSet(s.idsFile) && !s.parser.isSet(s.ids) && !s.parser.isSet(s.filter)) {
        err() << "subcog-inspector: edit needs --filter, --ids or --ids-file (--filter '' for every memory)"
              << Qt::endl;
        return std::nullopt;
    }
    QStringList fileIds;
    if (s.parser.isSet(s.idsFile)) {
        QFile file(s.parser.value(s.idsFile));
        if (!file.open(QIODevice::ReadOnly)) {
            err() << "subcog-inspector: " << shown(file.fileName()) << ": cannot read: " << shown(file.errorString())
                  << Qt::endl;
            return std::nullopt;
        }
        for (const QByteArray& line : file.readAll().split('\n')) {
            const QString id = QString::fromUtf8(line).trimmed();
            if (!id.isEmpty())
                fileIds << id;
        }
        if (fileIds.isEmpty()) {
            err() << "subcog-inspector: " << shown(file.fileName()) << " names no id" << Qt::endl;
            return std::nullopt;
        }
    }
    if (!s.parser.isSet(s.filter)) {
        QStringList ids = fileIds;
        if (s.parser.isSet(s.ids))
            ids << s.parser.value(s.ids).split(u',', Qt::SkipEmptyParts);
        if (ids.isEmpty()) {
            err() << "subcog-inspector: --ids names no id" << Qt::endl;
            return std::nullopt;
        }
        return BulkEditSource::ofIds(ids);
    }
    // with a filter, the ids narrow it (as --ids does for every command)
    auto filter = buildFilter(s);
    if (!filter)
        return std::nullopt;
    filter->ids.append(fileIds);
    return BulkEditSource::ofFilter(*filter);
}

} // namespace

int commandEdit(Session& s, const QString& store)
{
    const auto edit = editFromOptions(s);
    if (!edit)
        return ExitUsage;
    const auto source = sourceFromOptions(s);
    if (!source)
        return ExitUsage;
    bool showOk = true;
    const int show = s.parser.isSet(s.show) ? s.parser.value(s.show).toInt(&showOk) : 20;
    if (!showOk || show < 0) {
        err() << "subcog-inspector: --show takes a number of memories" << Qt::endl;
        return ExitUsage;
    }
    const bool dryRun = s.parser.isSet(s.dryRun);
    const bool progressShown = isatty(STDERR_FILENO);
    try {
        OpenOptions options = openOptions(s);
        options.readOnly = dryRun; // a dry run cannot write, even by mistake
        auto backend = openStore(store, options);
        const BulkEditPlan plan = previewBulkEdit(
            *backend, *edit, *source,
            [&](qint64 done, qint64 total) {
                if (progressShown)
                    err() << "\rread " << done << (total >= 0 ? u" of "_s + QString::number(total) : QString())
                          << Qt::flush;
                return true;
            },
            qMax(show, 0));
        if (progressShown)
            err() << Qt::endl;

        out() << "edit: " << shown(edit->describe().join(u"; "_s)) << Qt::endl;
        qsizetype printed = 0;
        for (const BulkEditChange& change : plan.sample) {
            if (printed >= show)
                break;
            out() << shown(change.before.id) << ": "
                  << shown(bulkEditDifferences(change.before, change.after).join(u"; "_s)) << Qt::endl;
            ++printed;
        }
        if (plan.changeCount() > printed)
            out() << "... and " << plan.changeCount() - printed << " more" << Qt::endl;
        for (const BulkEditRefusal& r : plan.refused)
            err() << "subcog-inspector: refused: " << shown(r.id) << ": " << shown(r.reason) << Qt::endl;
        for (const RecordIssue& issue : plan.unreadable)
            err() << "subcog-inspector: unreadable: " << shown(issue.id) << ": " << shown(issue.reason) << Qt::endl;
        for (const QString& id : plan.missing)
            err() << "subcog-inspector: not found: " << shown(id) << Qt::endl;
        out() << plan.changeCount() << " to change, " << plan.unchanged << " already as asked, " << plan.refused.size()
              << " refused (the store cannot hold the result; listed on stderr), of " << plan.scanned << " read"
              << Qt::endl;
        const bool partial = !plan.refused.isEmpty() || !plan.unreadable.isEmpty() || !plan.missing.isEmpty();
        if (dryRun) {
            out() << "dry run: nothing written" << Qt::endl;
            return partial ? ExitPartial : ExitOk;
        }
        if (plan.changes.isEmpty())
            return partial ? ExitPartial : ExitOk;

        const BulkEditOutcome outcome
            = applyBulkEdit(*backend, plan, BulkDirection::Apply, [&](qint64 done, qint64 total) {
                  if (progressShown)
                      err() << "\rwritten " << done << " of " << total << Qt::flush;
                  return true;
              });
        if (progressShown)
            err() << Qt::endl;
        for (const BulkEditRefusal& r : outcome.skipped)
            err() << "subcog-inspector: skipped: " << shown(r.id) << ": " << shown(r.reason) << Qt::endl;
        for (const BulkEditRefusal& r : outcome.failed)
            err() << "subcog-inspector: failed: " << shown(r.id) << ": " << shown(withoutPasswords(r.reason))
                  << Qt::endl;
        out() << outcome.written.size() << " written, " << outcome.alreadyDone.size()
              << " already as asked by another writer, " << outcome.skipped.size()
              << " skipped (changed by another writer since they were read; listed on stderr), "
              << outcome.failed.size() << " failed" << Qt::endl;
        return partial || !outcome.skipped.isEmpty() || !outcome.failed.isEmpty() ? ExitPartial : ExitOk;
    } catch (const StorageError& error) {
        reportError(error);
        return ExitError;
    }
}

} // namespace Inspector::CommandLine
