// SPDX-License-Identifier: MIT
#pragma once

#include "storecheck.h"

namespace Inspector {

struct PostgresCheckOptions
{
    std::optional<qint64> now; ///< Unix seconds taken as now (expired-active, bad-time); default the clock
    CancelRequested cancelled; ///< polled between rows
    int batchRows = 256; ///< rows fetched per statement (memory is bounded by this many rows)
};

/// Checks a subcog PostgreSQL store (spec §5; HEAD's layout and the older ones it must tolerate) for the damage of
/// spec §15 that a PostgreSQL store can have, in one read-only snapshot, in keyset batches with bound parameters,
/// with memory bounded by a batch plus 24 bytes per live memory (for duplicate-memory).
/// Throws StorageError when the database cannot be reached or is not a subcog store. Returns false when cancelled.
bool checkPostgresStore(const QString& url, const FindingSink& sink, const PostgresCheckOptions& options = {});

} // namespace Inspector
