// SPDX-License-Identifier: MIT
#include "storemerge.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace Inspector {

MergeConflicts findMergeConflicts(PersistenceBackend& source, PersistenceBackend& target, int limit,
                                  const MergeProgress& progress)
{
    MergeConflicts conflicts;
    const ReadSnapshot snapshot(source);
    BatchReader reader(source, ExportSource {}, 500);
    const qint64 total = reader.expected();
    qint64 done = 0;
    QList<Memory> batch;
    QList<RecordIssue> issues;
    while (reader.next(&batch, &issues)) {
        issues.clear();
        QStringList ids;
        for (const Memory& m : std::as_const(batch))
            ids << m.id;
        QHash<QString, Memory> existing;
        for (const Memory& m : target.getBatch(ids))
            existing.insert(m.id, m);
        // the same test as Copier::run: an id the target holds with any field different
        for (const Memory& m : std::as_const(batch)) {
            if (m.flags & (MemoryFlag::Locked | MemoryFlag::MissingContent))
                continue;
            const auto it = existing.constFind(m.id);
            if (it == existing.constEnd() || it->sameFields(m))
                continue;
            if (conflicts.ids.size() < limit)
                conflicts.ids << m.id;
            ++conflicts.count;
        }
        done += batch.size();
        if (progress && !progress(done, total))
            throw StorageError(StorageError::Kind::Cancelled, u"cancelled"_s);
    }
    return conflicts;
}

namespace {
Copier::Progress copyProgress(const MergeProgress& progress)
{
    if (!progress)
        return {};
    return [progress](const CopyReport& soFar) { return progress(soFar.read, soFar.expected); };
}
} // namespace

MergePreview previewMerge(PersistenceBackend& source, const QString& target, const OpenOptions& targetOptions,
                          const MergeProgress& progress, int conflictLimit)
{
    MergePreview preview;
    CopyRequest request;
    request.target = target;
    request.onConflict = OnConflict::Skip;
    request.dryRun = true;
    request.targetOptions = targetOptions;
    preview.outcome = copyToStore(source, request, copyProgress(progress));
    if (preview.outcome.end != CopyOutcome::End::Copied || preview.outcome.report.cancelled)
        return preview;
    OpenOptions readOnly = targetOptions;
    readOnly.readOnly = true;
    readOnly.create = false;
    std::unique_ptr<PersistenceBackend> opened;
    try {
        opened = openStore(target, readOnly);
    } catch (const StorageError& e) {
        if (e.kind() != StorageError::Kind::NotFound)
            throw;
        preview.targetExists = false; // copyToStore's dry run said every memory would be created
        return preview;
    }
    if (preview.outcome.report.skipped > 0)
        preview.conflicts = findMergeConflicts(source, *opened, conflictLimit, progress);
    return preview;
}

CopyOutcome runMerge(PersistenceBackend& source, const QString& target, OnConflict onConflict,
                     const OpenOptions& targetOptions, const MergeProgress& progress)
{
    CopyRequest request;
    request.target = target;
    request.onConflict = onConflict;
    request.dryRun = false;
    request.targetOptions = targetOptions;
    return copyToStore(source, request, copyProgress(progress));
}

} // namespace Inspector
