// SPDX-License-Identifier: MIT
#pragma once

#include "persistencebackend.h"

#include <QIODevice>

#include <functional>
#include <memory>

namespace Inspector {

/// The formats memories are exported and copied to the clipboard in.
enum class ExportFormat
{
    JsonLines, ///< `jsonl`: the inspector's full-fidelity record, one object per line
    Json, ///< `json`: the same objects in one JSON array
    Csv, ///< `csv`: RFC 4180, UTF-8, a header row, tags joined in one cell
    Markdown, ///< `md`: one section per memory with its metadata and the content
    Subcog, ///< `subcog`: subcog's own `export` NDJSON (spec §11), for `subcog import`
    Tsv, ///< `tsv`: tab-separated, for pasting into spreadsheets (clipboard)
};

std::optional<ExportFormat> exportFormatFromName(const QString& name);
QString exportFormatName(ExportFormat format);
/// The file name suffix, without the dot.
QString exportFormatSuffix(ExportFormat format);
/// The names the command line accepts for files.
QStringList exportFormatNames();

/// Encodes memories in one format: a beginning, one record per memory, an end.
class RecordEncoder
{
public:
    static std::unique_ptr<RecordEncoder> create(ExportFormat format);
    virtual ~RecordEncoder();
    virtual void begin(QByteArray& out) { Q_UNUSED(out); }
    virtual void record(QByteArray& out, const Memory& memory) = 0;
    /// Whether the format is made of the full-fidelity JSON objects, so that records() can take lines a backend
    /// wrote itself (PersistenceBackend::scanJsonLines).
    virtual bool takesJsonLines() const { return false; }
    /// Appends records given as appendJsonLine's lines, the same bytes record() writes for their memories. Calls
    /// `spill` (when set) whenever `out` holds a few megabytes, also inside a large record, so that it need not
    /// hold a second copy of a large memory.
    virtual void records(QByteArray& out, QByteArrayView jsonLines, const std::function<void()>& spill = {})
    {
        Q_UNUSED(out);
        Q_UNUSED(jsonLines);
        Q_UNUSED(spill);
    }
    virtual void end(QByteArray& out) { Q_UNUSED(out); }
};

/// Encodes a list of memories whole (clipboard, tests); a memory without content is left out and its id added to
/// leftOut.
QByteArray encodeMemories(ExportFormat format, const QList<Memory>& memories, QStringList* leftOut = nullptr);

/// What to read: every memory of a query, rows [first, first + count) of it, or memories by id.
struct ExportSource
{
    MemoryQuery query; ///< filter and order (the cursor and limit are ignored)
    QList<std::pair<qint64, qint64>> ranges; ///< rows of the query; empty: all of it
    QStringList ids; ///< when set, these memories in this order instead of the query
};

/**
 * Reads a source in batches whose size does not depend on the size of the store: pages with content for a whole
 * query, metadata pages plus getBatch for row ranges, getBatch for ids.
 */
class BatchReader
{
public:
    BatchReader(PersistenceBackend& backend, ExportSource source, int batchSize = 1000);
    /// The number of memories the source names (counted once, before reading).
    qint64 expected();
    /// The next batch; false when there is none. Records that cannot be decoded go to `issues`.
    bool next(QList<Memory>* memories, QList<RecordIssue>* issues);

private:
    PersistenceBackend& m_backend;
    ExportSource m_source;
    int m_batchSize;
    std::optional<MemoryQuery> m_cursor; ///< the next page of the whole query or of the current range
    qsizetype m_range = 0;
    qint64 m_rangeLeft = 0;
    qsizetype m_idPos = 0;
    bool m_started = false;
    bool m_done = false;
};

/// What an export did.
struct ExportReport
{
    qint64 written = 0; ///< memories written
    qint64 expected = 0; ///< memories the source named when the export started
    QList<RecordIssue> skipped; ///< records that could not be decoded, not written
    QList<RecordIssue> storeIssues; ///< problems of the store that are not a memory (orphaned rows)
    QList<RecordIssue> warnings; ///< memories written with a finding (text that was not valid UTF-8)
    bool cancelled = false;
};

/**
 * Streams memories to a device in one format, all read from one snapshot of the store (ReadSnapshot), so no
 * memory mixes two commits and none is missed or doubled by a concurrent write. Memory use is bounded by one batch,
 * whatever the size of the store; the caller makes the target atomic (QSaveFile) so a failed or cancelled export leaves
 * no half file.
 */
class Exporter
{
public:
    /// Called after each batch with the memories written so far; returning false cancels the export.
    using Progress = std::function<bool(qint64 written, qint64 expected)>;

    explicit Exporter(PersistenceBackend& backend, ExportFormat format = ExportFormat::JsonLines, int batchSize = 1000);

    /// Throws StorageError when reading fails or `out` refuses a write.
    ExportReport run(const ExportSource& source, QIODevice& out, const Progress& progress = {});
    /// Every memory matching the filter, in the store's natural order.
    ExportReport run(const MemoryFilter& filter, QIODevice& out, const Progress& progress = {});

private:
    PersistenceBackend& m_backend;
    ExportFormat m_format;
    int m_batchSize;
};

} // namespace Inspector
