// SPDX-License-Identifier: MIT
#include "transfers.h"

#include "exportfile.h"

namespace Inspector {

namespace {

// An outer snapshot only to say what it costs before reading: the exporter's and the copier's own nest in it.
void takeNoticedSnapshot(std::optional<ReadSnapshot>& snapshot, PersistenceBackend& store, const SnapshotNotice& notice)
{
    if (!notice)
        return;
    snapshot.emplace(store);
    if (!snapshot->notice().isEmpty())
        notice(snapshot->notice());
}

} // namespace

ExportOutcome exportToFile(PersistenceBackend& store, const ExportRequest& request, const Exporter::Progress& progress,
                           const SnapshotNotice& notice)
{
    std::optional<ExportFile> file;
    if (!request.device) {
        // also a path that names one of the open store's files only now (/proc/self/fd/N)
        refuseExportOntoStore(request.path, store);
        file.emplace(request.path);
        file->open();
    }
    QFileDevice& device = file ? file->device() : *request.device;
    ExportOutcome outcome;
    outcome.leftAsItWas = file && file->replaces();
    std::optional<ReadSnapshot> snapshot;
    takeNoticedSnapshot(snapshot, store, notice);
    try {
        outcome.report = Exporter(store, request.format).run(request.source, device, progress);
        if (outcome.report.cancelled)
            outcome.end = ExportOutcome::End::Cancelled;
    } catch (const StorageError& e) {
        switch (e.kind()) {
        case StorageError::Kind::OutputFailed:
            outcome.end = ExportOutcome::End::OutputFailed;
            // read before cancel(), which replaces it with "Writing canceled by application"
            outcome.outputReason = file ? file->failureReason() : fileErrorReason(device);
            break;
        case StorageError::Kind::Cancelled:
            outcome.end = ExportOutcome::End::Cancelled; // stopped by an interrupt while the store was reading
            outcome.storeError = e;
            break;
        default:
            outcome.end = ExportOutcome::End::StoreFailed;
            outcome.storeError = e;
            break;
        }
    }
    if (file) {
        if (outcome.end == ExportOutcome::End::Written)
            file->commit();
        else
            file->cancel();
    }
    return outcome;
}

CopyOutcome copyToStore(PersistenceBackend& source, const CopyRequest& request, const Copier::Progress& progress,
                        const SnapshotNotice& notice)
{
    CopyOutcome outcome;
    // before the target is opened for writing, by canonical path and inode (links, hard links, /proc paths)
    if (sameStore(source, StoreSpec::parse(request.target))) {
        outcome.end = CopyOutcome::End::SameStore;
        return outcome;
    }
    OpenOptions options = request.targetOptions;
    options.readOnly = request.dryRun;
    options.create = !request.dryRun;
    std::unique_ptr<PersistenceBackend> target;
    try {
        target = openStore(request.target, options);
    } catch (const StorageError& e) {
        if (!request.dryRun || e.kind() != StorageError::Kind::NotFound)
            throw;
    }
    if (target && (sameStore(source, *target) || sameDatabase(source, *target))) {
        outcome.end = CopyOutcome::End::SameStore;
        return outcome;
    }
    std::optional<ReadSnapshot> snapshot;
    takeNoticedSnapshot(snapshot, source, notice);
    if (target) {
        outcome.report = Copier(source, *target).run(request.source, request.onConflict, request.dryRun, progress);
    } else {
        // a dry run into a store that does not exist yet: everything would be created
        outcome.report.dryRun = true;
        outcome.report.expected = BatchReader(source, request.source).expected();
        outcome.report.read = outcome.report.created = outcome.report.expected;
    }
    return outcome;
}

} // namespace Inspector
