// SPDX-License-Identifier: MIT
#pragma once

#include "storecheck.h"

namespace Inspector {

struct FolderCheckOptions
{
    std::optional<qint64> now; ///< Unix seconds taken as now (expired-active, bad-time); default the clock
    CancelRequested cancelled; ///< polled between files
    std::optional<QByteArray> key; ///< 32-byte key for encrypted files; SUBCOG_ENCRYPTION_KEY when not given
};

/// Checks a subcog folder store (spec §6) for the damage of spec §15 a folder can have: files subcog cannot read
/// (damaged-file, named by file name), temporary files of interrupted writes (leftover-temp), and the per-memory
/// classes of the files it can read. One file in memory at a time (plus 24 bytes per live memory for
/// duplicate-memory); symbolic links leading out of the folder are reported, never followed; nothing is written.
/// Encrypted files are checked only with a key. Throws StorageError when the folder cannot be listed.
/// Returns false when cancelled.
bool checkFolderStore(const QString& folder, const FindingSink& sink, const FolderCheckOptions& options = {});

} // namespace Inspector
