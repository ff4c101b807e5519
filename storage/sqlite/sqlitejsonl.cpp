// SPDX-License-Identifier: MIT
// The direct JSON Lines export: lines written from the raw columns, ties of created_at ordered here.
#include "sqlitebackend.h"

#include "jsonl.h"
#include "jsonlinepipeline.h"
#include "plainjsonline.h"
#include "sqliteinternal.h"

#include <sqlite3.h>

#include <cstring>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace SqliteInternal;

bool SqliteBackend::appendPlainJsonLine(QByteArray& out, sqlite3_stmt* st) const
{
    PlainCells row;
    if (!readPlainCells(st, m_fts->duplicateIds, row))
        return false;
    appendPlainLine(out, row);
    return true;
}

namespace {
/// A value as SQLite's ORDER BY compares it with the BINARY collation: NULL, then numbers, then text, then blobs.
struct SortValue
{
    int rank = 0; ///< 0 NULL, 1 number, 2 text, 3 blob
    bool isInt = false;
    qint64 integer = 0;
    double real = 0;
    qsizetype begin = 0; ///< text or blob bytes in the caller's arena
    qsizetype size = 0;

    static SortValue read(sqlite3_value* v, QByteArray& arena)
    {
        SortValue s;
        switch (sqlite3_value_type(v)) {
        case SQLITE_NULL:
            break;
        case SQLITE_INTEGER:
            s.rank = 1;
            s.isInt = true;
            s.integer = sqlite3_value_int64(v);
            break;
        case SQLITE_FLOAT:
            s.rank = 1;
            s.real = sqlite3_value_double(v);
            break;
        default: {
            s.rank = sqlite3_value_type(v) == SQLITE_TEXT ? 2 : 3;
            const auto* data = s.rank == 2 ? static_cast<const void*>(sqlite3_value_text(v)) : sqlite3_value_blob(v);
            s.size = sqlite3_value_bytes(v);
            s.begin = arena.size();
            arena.append(static_cast<const char*>(data), s.size);
        }
        }
        return s;
    }

    /// <0, 0, >0 like memcmp.
    static int compare(const SortValue& a, const SortValue& b, const QByteArray& arena)
    {
        if (a.rank != b.rank)
            return a.rank < b.rank ? -1 : 1;
        if (a.rank == 0)
            return 0;
        if (a.rank == 1) {
            if (a.isInt && b.isInt)
                return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
            const double x = a.isInt ? double(a.integer) : a.real;
            const double y = b.isInt ? double(b.integer) : b.real;
            return x < y ? -1 : x > y ? 1 : 0;
        }
        const int c
            = std::memcmp(arena.constData() + a.begin, arena.constData() + b.begin, size_t(std::min(a.size, b.size)));
        if (c != 0)
            return c;
        return a.size < b.size ? -1 : a.size > b.size ? 1 : 0;
    }
};

/// Whether two values are the same for grouping (type and value).
bool sameValue(sqlite3_value* a, sqlite3_value* b)
{
    const int t = sqlite3_value_type(a);
    if (t != sqlite3_value_type(b))
        return false;
    switch (t) {
    case SQLITE_NULL:
        return true;
    case SQLITE_INTEGER:
        return sqlite3_value_int64(a) == sqlite3_value_int64(b);
    case SQLITE_FLOAT:
        return sqlite3_value_double(a) == sqlite3_value_double(b);
    default: {
        const void* x = t == SQLITE_TEXT ? static_cast<const void*>(sqlite3_value_text(a)) : sqlite3_value_blob(a);
        const void* y = t == SQLITE_TEXT ? static_cast<const void*>(sqlite3_value_text(b)) : sqlite3_value_blob(b);
        const int n = sqlite3_value_bytes(a);
        return n == sqlite3_value_bytes(b) && std::memcmp(x, y, size_t(n)) == 0;
    }
    }
}

struct ValueDeleter
{
    void operator()(sqlite3_value* v) const { sqlite3_value_free(v); }
};
using ValuePtr = std::unique_ptr<sqlite3_value, ValueDeleter>;
} // namespace

bool SqliteBackend::scanJsonLines(const MemoryQuery& query, const JsonLinesSink& sink, int batchSize)
{
    // a batch whose captured rows or lines pass this is handed on before it has batchSize rows
    constexpr qsizetype kKeptCapacity = 8 << 20;
    if (!query.withContent || !m_hasFts || !m_ftsContentTable)
        return false;
    // This thread steps the statement, checks each row and copies its cells; the pipeline's thread writes the
    // lines (about a third of the time), so the two overlap. Rows the plain writer declines are decoded like any
    // page, in one attachContent call per batch, their lines put where they belong.
    using Block = JsonLinePipeline::Block;
    using Line = JsonLinePipeline::Line;
    JsonLinePipeline pipeline(sink);
    Block block;
    qsizetype blockBytes = 0; ///< the block's captures and written lines
    QList<RawRow> pending;
    QList<qsizetype> pendingAt; ///< each pending row's line in block.lines
    qsizetype rowsInBatch = 0;
    bool stopped = false; ///< the sink said stop
    const auto startBlock = [&] {
        // room for a batch up front: growing the list moved every line several times
        block.arena.reserve(1 << 20);
        block.lines.reserve(qBound(1, batchSize, 4096));
    };
    auto flush = [&] {
        if (!pending.isEmpty()) {
            QList<Memory> memories;
            attachContent(pending, memories, &block.issues, true, false);
            qsizetype next = 0;
            for (qsizetype i = 0; i < pending.size(); ++i) {
                // rows that could not be decoded have no memory (and an issue); ids are unique
                if (next < memories.size() && memories[next].id == pending[i].values[FId].toString()) {
                    const Memory& m = memories[next++];
                    if (m.flags & MemoryFlag::MissingContent) {
                        // missing is not empty: left out and named, as the general export does
                        block.issues.append(RecordIssue {m.id, missingContentReason(), true});
                        continue;
                    }
                    appendJsonLine(block.lines[pendingAt[i]].ready, m);
                }
            }
            pending.clear();
            pendingAt.clear();
        }
        rowsInBatch = 0;
        blockBytes = 0;
        const bool go = block.isEmpty() || pipeline.push(std::exchange(block, Block()));
        startBlock();
        stopped = !go;
        return go;
    };
    startBlock();
    // one row as a capture or a written line, or as a pending row whose line comes later
    PlainCells cells;
    auto take = [&](sqlite3_stmt* st, bool join, Line& line, QList<RawRow>& rawRows) {
        if (readPlainCells(st, m_fts->duplicateIds, cells)) {
            const qsizetype before = block.arena.size();
            if (cells.textBytes() >= JsonLinePipeline::kLargeLine)
                appendPlainLine(line.ready, cells); // a large memory: not copied once more
            else
                capturePlainCells(block.arena, cells);
            line.capture = line.ready.isNull() ? before : -1;
            blockBytes += block.arena.size() - before + line.ready.size();
            return ScanStep::Joined;
        }
        rawRows.append(readRawRow(st, join));
        return rawRows.last().contentKnown ? ScanStep::Joined : ScanStep::Read;
    };
    auto emitDirect = [&](sqlite3_stmt* st, bool join) {
        Line line;
        const qsizetype pendingBefore = pending.size();
        const ScanStep step = take(st, join, line, pending);
        if (pending.size() > pendingBefore)
            pendingAt.append(block.lines.size());
        block.lines.append(std::move(line));
        if ((++rowsInBatch >= qMax(1, batchSize) || blockBytes > kKeptCapacity) && !flush())
            return ScanStep::Stop;
        return step;
    };
    const auto end = [&] { return (rowsInBatch == 0 && block.isEmpty()) || flush(); };

    if (query.sortKey != SortKey::CreatedAt) {
        stepScan(query, emitDirect, end);
        if (!stopped)
            pipeline.finish();
        return true;
    }

    // Sorting by created_at with ids breaking ties makes SQLite sort every second's rows in a temporary b-tree,
    // half of the statement's time. The index alone gives the seconds in order; the few rows of each second are
    // put in id order here, exactly as ORDER BY would. A second with more rows than m_tieGroupLimit is left to SQLite
    // (a statement for that one value), so memory stays bounded. Only the rows' places in the block are put in
    // order; their captures stay where they were copied.
    struct Unit
    {
        SortValue id;
        Line line;
        qsizetype pendingIndex = -1; ///< or the row in groupPending
    };
    /// The second being read: an integer (what subcog writes) kept as it is, anything else as a copied value.
    struct GroupKey
    {
        bool set = false;
        bool isInt = false;
        qint64 integer = 0;
        ValuePtr value;

        bool matches(sqlite3_value* v) const
        {
            if (isInt)
                return sqlite3_value_type(v) == SQLITE_INTEGER && sqlite3_value_int64(v) == integer;
            return sameValue(v, value.get());
        }
        void take(sqlite3_value* v)
        {
            set = true;
            isInt = sqlite3_value_type(v) == SQLITE_INTEGER;
            if (isInt)
                integer = sqlite3_value_int64(v);
            else
                value.reset(sqlite3_value_dup(v));
        }
        void reset()
        {
            set = false;
            isInt = false;
            value.reset();
        }
    };
    QList<Unit> units;
    qsizetype groupArenaStart = 0; ///< where the second's captures begin in the block's arena
    qsizetype groupBytesStart = 0;
    QByteArray idArena;
    QList<RawRow> groupPending;
    GroupKey groupKey;
    ValuePtr skipKey; ///< a second handed to SQLite, whose rows the main statement passes over
    const bool idsDescending = query.idOrder == Qt::DescendingOrder;
    auto endGroup = [&] {
        const auto before = [&](const Unit& a, const Unit& b) {
            const int c = SortValue::compare(a.id, b.id, idArena);
            return idsDescending ? c > 0 : c < 0;
        };
        // most seconds hold one row or rows already in order: no sort (stable_sort allocates each time)
        if (!std::is_sorted(units.begin(), units.end(), before))
            std::stable_sort(units.begin(), units.end(), before);
        for (Unit& u : units) {
            if (u.pendingIndex >= 0) {
                pendingAt.append(block.lines.size());
                pending.append(std::move(groupPending[u.pendingIndex]));
            }
            block.lines.append(std::move(u.line));
        }
        rowsInBatch += units.size();
        units.clear();
        idArena.truncate(0);
        groupPending.clear();
        groupKey.reset();
        // a large memory is handed on at once rather than held with the rest of a batch
        return (rowsInBatch < qMax(1, batchSize) && blockBytes <= kKeptCapacity) || flush();
    };
    stepScan(
        query,
        [&](sqlite3_stmt* st, bool join) {
            sqlite3_value* key = sqlite3_column_value(st, FCreatedAt + 1);
            if (skipKey) {
                if (sameValue(key, skipKey.get()))
                    return ScanStep::Read; // read by the statement for that second; no longer proves the FTS clean
                skipKey.reset();
            }
            if (groupKey.set && !groupKey.matches(key) && !endGroup())
                return ScanStep::Stop;
            if (!groupKey.set) {
                groupKey.take(key);
                groupArenaStart = block.arena.size();
                groupBytesStart = blockBytes;
            }
            Unit unit;
            unit.id = SortValue::read(sqlite3_column_value(st, FId + 1), idArena);
            const qsizetype pendingBefore = groupPending.size();
            const ScanStep step = take(st, join, unit.line, groupPending);
            if (groupPending.size() > pendingBefore)
                unit.pendingIndex = groupPending.size() - 1;
            units.append(std::move(unit));
            if (units.size() <= m_tieGroupLimit)
                return step;
            // a crowded second: SQLite sorts it, and the main statement skips the rest of it
            units.clear();
            block.arena.truncate(groupArenaStart);
            blockBytes = groupBytesStart;
            idArena.truncate(0);
            groupPending.clear();
            skipKey.reset(sqlite3_value_dup(key));
            groupKey.reset();
            stepScan(
                query, emitDirect, [] { return true; }, ScanOrder::Exact, skipKey.get());
            return stopped ? ScanStep::Stop : ScanStep::Read;
        },
        [&] {
            if (!units.isEmpty() && !endGroup())
                return false;
            return end();
        },
        ScanOrder::KeyOnly);
    if (!stopped)
        pipeline.finish();
    return true;
}

} // namespace Inspector
