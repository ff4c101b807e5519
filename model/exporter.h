// SPDX-License-Identifier: MIT
#pragma once

#include "persistencebackend.h"

#include <QIODevice>

#include <functional>

namespace Inspector {

/// What an export did.
struct ExportReport
{
    qint64 written = 0; ///< memories written
    qint64 expected = 0; ///< memories the filter matched when the export started
    QList<RecordIssue> skipped; ///< records that could not be decoded, not written
    QList<RecordIssue> storeIssues; ///< problems of the store that are not a memory (orphaned rows)
    bool cancelled = false;
};

/**
 * Streams the memories that match a filter, in the store's natural order (created_at descending, then id),
 * as JSON Lines to a device. Memory use is bounded by one page, whatever the size of the store.
 */
class JsonlExporter
{
public:
    /// Called after each page with the memories written so far; returning false cancels the export.
    using Progress = std::function<bool(qint64 written, qint64 expected)>;

    explicit JsonlExporter(PersistenceBackend& backend, int pageSize = 1000);

    /// Throws StorageError when reading fails or `out` refuses a write.
    ExportReport run(const MemoryFilter& filter, QIODevice& out, const Progress& progress = {});

private:
    PersistenceBackend& m_backend;
    int m_pageSize;
};

} // namespace Inspector
