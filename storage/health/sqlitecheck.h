// SPDX-License-Identifier: MIT
#pragma once

#include "storecheck.h"

namespace Inspector {

struct SqliteCheckOptions
{
    std::optional<qint64> now; ///< Unix seconds taken as now (expired-active, bad-time); default the clock
    CancelRequested cancelled; ///< polled every few hundred rows
};

/// Checks a subcog SQLite file of any layout subcog wrote (spec §4.9, §4.10) for the damage of spec §15, through
/// its own read-only connection, in one read transaction (PRAGMA quick_check on a second connection and thread),
/// with about 64 bytes of memory a full-text id or memory id (plus the largest row).
/// Throws StorageError when the file cannot be opened or read as a subcog store. Returns false when cancelled.
bool checkSqliteStore(const QString& path, const FindingSink& sink, const SqliteCheckOptions& options = {});

} // namespace Inspector
