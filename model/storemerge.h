// SPDX-License-Identifier: MIT
#pragma once

#include "transfers.h"

#include <functional>

namespace Inspector {

/// The memories a merge would have to ask about: in both stores under the same id, with other values.
struct MergeConflicts
{
    qint64 count = 0;
    QStringList ids; ///< the first ones, in the source's order (at most the limit asked for)
};

/// A merge's dry run: what the copy rules would do, and which ids the person must decide about.
struct MergePreview
{
    /// The copy's dry run with OnConflict::Skip: created, already equal, and the conflicts counted as skipped.
    CopyOutcome outcome;
    MergeConflicts conflicts;
    bool targetExists = true; ///< false: the target would be created in subcog's layout
};

/// Reports (done, total) and returns false to stop.
using MergeProgress = std::function<bool(qint64 done, qint64 total)>;

/// The ids of every memory of `source` that `target` holds with other values, the first `limit` named. Reads both
/// stores, writes neither; a memory of the source that cannot be read is not a conflict (the copy names it).
MergeConflicts findMergeConflicts(PersistenceBackend& source, PersistenceBackend& target, int limit,
                                  const MergeProgress& progress = {});

/// Merging every memory of `source` into `target` as a dry run: copyToStore's report and the conflicting ids.
/// Writes nothing and creates nothing. A target that is the source ends as CopyOutcome::End::SameStore.
/// Throws StorageError when a store fails as a whole.
MergePreview previewMerge(PersistenceBackend& source, const QString& target, const OpenOptions& targetOptions = {},
                          const MergeProgress& progress = {}, int conflictLimit = 1000);

/// The merge itself: every memory of `source` copied into `target` in its own layout, ids kept, conflicts as
/// `onConflict` says (copyToStore).
CopyOutcome runMerge(PersistenceBackend& source, const QString& target, OnConflict onConflict,
                     const OpenOptions& targetOptions = {}, const MergeProgress& progress = {});

} // namespace Inspector
