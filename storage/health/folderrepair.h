// SPDX-License-Identifier: MIT
#pragma once

#include "repairrules.h"

namespace Inspector {

/// The classes repairFolderStore() fixes, in findingClasses() order.
QStringList folderRepairableClasses();

/**
 * Finds the findings of options.classes with checkFolderStore(), reads each file concerned and plans its fix from
 * what it holds then, makes a backup folder `<folder>.backup-DATE/` beside the store (never inside it) with a copy
 * of every file the repair changes and the clear-text memories as the inspector's JSON Lines (`memories.jsonl`),
 * then rewrites each file through the folder backend's atomic write. Just before each replacement the file is read
 * again: one that changed since the plan is skipped and reported, never overwritten. damaged-file and
 * leftover-temp files (temporary files older than a minute) are moved into the backup folder, never deleted.
 * Throws StorageError when the folder cannot be read or the backup cannot be written (nothing is changed then).
 */
StoreRepairReport repairFolderStore(const QString& folder, const StoreRepairOptions& options);

} // namespace Inspector
