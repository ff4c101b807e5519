// SPDX-License-Identifier: MIT
// What embeddings.cpp and embeddingcoverage.cpp share: the concrete store behind a RetryingBackend.
#pragma once

#include "embeddings.h"
#include "filesystem/filesystembackend.h"
#include "persistencebackend.h"
#include "retryingbackend.h"
#include "sqlite/sqlitebackend.h"
#include "storageerror.h"

#include <vector>

namespace Inspector::EmbeddingsDetail {

/// The backend a RetryingBackend wraps (the vector files and tables are read below the retries: a scan that
/// handed vectors over cannot simply start again).
inline PersistenceBackend& innermost(PersistenceBackend& store)
{
    if (auto* retrying = dynamic_cast<RetryingBackend*>(&store))
        return innermost(retrying->inner());
    return store;
}

/// vectors.idx and vectors.meta.json beside a SQLite store's index.db (empty paths for other files).
struct SqliteVectorFiles
{
    QString idx; ///< exists
    QString meta; ///< exists
};
SqliteVectorFiles sqliteVectorFiles(const SqliteBackend& store);

[[noreturn]] inline void throwCancelled()
{
    throw StorageError(StorageError::Kind::Cancelled, QStringLiteral("stopped on request"));
}

/// Parses pgvector's `[f,f,…]` text into `out` (reused); false when it is not one.
bool parseVectorInto(const char* p, const char* end, std::vector<float>& out);

/// Whether a stored status and tombstoned_at make a memory live (tombstoned in neither sense, spec §3.5).
bool isLiveStatus(QByteArrayView status, bool tombstonedAtSet);

} // namespace Inspector::EmbeddingsDetail
