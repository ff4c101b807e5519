// SPDX-License-Identifier: MIT
#pragma once

#include "copier.h"
#include "exporter.h"
#include "storeopener.h"

#include <QFileDevice>

#include <functional>
#include <optional>

namespace Inspector {

/// Told once the source's read snapshot is open, before anything is read: what it costs other processes
/// (ReadSnapshot::notice), only when that is not nothing.
using SnapshotNotice = std::function<void(const QString& notice)>;

/// An export: which memories, in which format, to which file or open device.
struct ExportRequest
{
    ExportSource source;
    ExportFormat format = ExportFormat::JsonLines;
    QString path; ///< the file (ExportFile: atomic for a regular file); unused when `device` is set
    QFileDevice* device = nullptr; ///< written in place instead of a file (standard output); the caller owns it
};

/// How an export ended. Errors of the target file itself (refused path, cannot open, cannot commit) are thrown.
struct ExportOutcome
{
    enum class End
    {
        Written, ///< every record went out and the file was committed
        Cancelled, ///< the progress callback or an interrupt stopped it; the file was not written
        OutputFailed, ///< the output refused a write; `outputReason` says why
        StoreFailed, ///< reading the store failed; `storeError` says how
    };
    End end = End::Written;
    ExportReport report;
    QString outputReason; ///< OutputFailed: lower-case, to follow "cannot write: " ("no space left on device")
    std::optional<StorageError> storeError; ///< StoreFailed: the store's error, kind and detail intact
    /// The target is a file replaced only once written whole, so a failed or cancelled export left it as it was.
    bool leftAsItWas = false;
};

/**
 * Export to a file or device, shared by the window's job and the `export` command: refuses a path onto the store
 * (refuseExportOntoStore), opens the file, streams the source through Exporter and commits, or leaves the target
 * as it was when the export does not finish.
 */
ExportOutcome exportToFile(PersistenceBackend& store, const ExportRequest& request,
                           const Exporter::Progress& progress = {}, const SnapshotNotice& notice = {});

/// A copy: which memories, into which store, what to do with ids it holds, and whether only to try.
struct CopyRequest
{
    ExportSource source;
    QString target; ///< a store spec (StoreSpec::parse); the store is created unless this is a dry run
    OnConflict onConflict = OnConflict::Fail;
    bool dryRun = false;
    OpenOptions targetOptions; ///< how to open the target (its key); readOnly and create follow dryRun
};

/// How a copy ended; a store that fails as a whole throws StorageError.
struct CopyOutcome
{
    enum class End
    {
        Copied, ///< `report` says what was (or in a dry run would be) done
        SameStore, ///< the target is the source (by path, inode, normalised connection or server identity); nothing
                   ///< written
    };
    End end = End::Copied;
    CopyReport report;
};

/**
 * Copy to another store, shared by the window's job and the `copy` command: refuses a target that is the source,
 * opens the target in its own layout and runs Copier. A dry run into a store that does not exist yet reports that
 * every memory would be created.
 */
CopyOutcome copyToStore(PersistenceBackend& source, const CopyRequest& request, const Copier::Progress& progress = {},
                        const SnapshotNotice& notice = {});

} // namespace Inspector
