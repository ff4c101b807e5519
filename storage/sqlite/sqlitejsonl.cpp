// SPDX-License-Identifier: MIT
// The direct JSON Lines export: lines written from the raw columns, ties of created_at ordered here.
#include "sqlitebackend.h"

#include "jsonl.h"
#include "sqliteinternal.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <sqlite3.h>

#include <charconv>
#include <cstring>
#include <string_view>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace SqliteInternal;

bool SqliteBackend::appendPlainJsonLine(QByteArray& out, sqlite3_stmt* st) const
{
    // The full-fidelity line of one row written from its UTF-8 columns, for rows that need none of attachContent's
    // judgement: every column of the type subcog writes, valid UTF-8, the FTS row joined. Anything else returns
    // false (and leaves `out` as it was) for the general decoder, so both give the same line (tst_sqlitelayouts
    // compares them on every layout and anomaly).
    // each column's type and bytes fetched once: the sqlite3_column_* calls were a visible share of the time
    constexpr int c = FieldCount + 1;
    std::array<int, FieldCount> types;
    std::array<QByteArrayView, FieldCount> cells;
    for (int f = 0; f < FieldCount; ++f) {
        types[f] = sqlite3_column_type(st, f + 1);
        if (types[f] == SQLITE_TEXT)
            cells[f] = columnUtf8(st, f + 1);
    }
    const auto type = [&](int field) { return types[field]; };
    if (type(FId) != SQLITE_TEXT || sqlite3_column_type(st, c) != SQLITE_INTEGER
        || sqlite3_column_type(st, c + 1) != SQLITE_TEXT || type(FCreatedAt) != SQLITE_INTEGER)
        return false;
    const QByteArrayView id = cells[FId];
    if (id.isEmpty() || columnUtf8(st, c + 1) != id || !id.isValidUtf8())
        return false;
    if (!m_fts->duplicateIds.isEmpty() && m_fts->duplicateIds.contains(QByteArray::fromRawData(id.data(), id.size())))
        return false;
    const int contentType = sqlite3_column_type(st, c + 2);
    if (contentType != SQLITE_TEXT && contentType != SQLITE_NULL)
        return false;
    for (const int f :
         {FNamespace, FDomain, FProjectId, FBranch, FFilePath, FStatus, FTags, FSource, FSourceMemoryIds, FGroupId}) {
        const int t = type(f);
        if (t != SQLITE_TEXT && t != SQLITE_NULL)
            return false;
        if (t == SQLITE_TEXT && !cells[f].isValidUtf8())
            return false;
    }
    for (const int f : {FTombstonedAt, FExpiresAt, FIsSummary, FConsolidationTimestamp}) {
        const int t = type(f);
        if (t != SQLITE_INTEGER && t != SQLITE_NULL)
            return false;
    }
    const QByteArrayView content = contentType == SQLITE_TEXT ? columnUtf8(st, c + 2) : QByteArrayView("");
    if (!content.isValidUtf8())
        return false;

    // The parts QString must judge come first (non-ASCII tags, the source id list), then the line is written with
    // a pointer into room for its longest possible form: QByteArray::append's bookkeeping was a visible cost.
    const QByteArrayView tags = cells[FTags];
    QByteArray slowParts; // [tags array] and [source ids array], when they need Qt
    qsizetype tagsSlowEnd = -1;
    if (std::any_of(tags.begin(), tags.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; })) {
        // trimming non-ASCII white space is QString's business
        const QStringList list = splitTags(QString::fromUtf8(tags));
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (i)
                slowParts.append(',');
            appendJsonString(slowParts, list[i]);
        }
        tagsSlowEnd = slowParts.size();
    }
    const qsizetype idsStart = slowParts.size();
    if (type(FSourceMemoryIds) != SQLITE_NULL) {
        // a list that is not an array of strings reads as empty, as in attachContent
        const QJsonDocument doc = QJsonDocument::fromJson(cells[FSourceMemoryIds].toByteArray());
        const QJsonArray items = doc.array();
        const bool valid = doc.isArray()
            && std::all_of(items.begin(), items.end(), [](const QJsonValue& v) { return v.isString(); });
        slowParts.append('[');
        if (valid) {
            for (qsizetype i = 0; i < items.size(); ++i) {
                if (i)
                    slowParts.append(',');
                appendJsonString(slowParts, items[i].toString());
            }
        }
        slowParts.append(']');
    }

    qsizetype textBytes = id.size() + content.size();
    for (const int f : {FNamespace, FDomain, FProjectId, FBranch, FFilePath, FStatus, FSource, FGroupId})
        textBytes += cells[f].size();
    // 6 bytes per escaped byte; a tag adds at most 3 (quotes, comma); keys, numbers and literals stay under 512
    const qsizetype room = 6 * textBytes + 9 * tags.size() + slowParts.size() + 512;
    const qsizetype start = out.size();
    out.resize(start + room);
    char* p = out.data() + start;
    const auto key = [&](std::string_view literal) {
        std::memcpy(p, literal.data(), literal.size());
        p += literal.size();
    };
    const auto number = [&](qint64 value) { p = std::to_chars(p, p + 24, value).ptr; };
    const auto text = [&](int f) { p = writeJsonUtf8String(p, cells[f]); };
    const auto optionalText = [&](int f) {
        if (type(f) == SQLITE_NULL)
            key("null");
        else
            text(f);
    };
    const auto optionalInt = [&](int f) {
        if (type(f) == SQLITE_NULL)
            key("null");
        else
            number(sqlite3_column_int64(st, f + 1));
    };
    key("{\"id\":");
    p = writeJsonUtf8String(p, id);
    key(",\"content\":");
    p = writeJsonUtf8String(p, content);
    key(",\"namespace\":");
    text(FNamespace); // NULL reads as ""
    key(",\"domain\":");
    if (cells[FDomain].isEmpty())
        key("\"project\"");
    else
        text(FDomain);
    key(",\"project_id\":");
    optionalText(FProjectId);
    key(",\"branch\":");
    optionalText(FBranch);
    key(",\"file_path\":");
    optionalText(FFilePath);
    key(",\"status\":");
    text(FStatus);
    const qint64 created = sqlite3_column_int64(st, FCreatedAt + 1);
    key(",\"created_at\":");
    number(created);
    key(",\"updated_at\":");
    number(created); // SQLite has no updated_at column; subcog reads created_at back
    key(",\"tombstoned_at\":");
    optionalInt(FTombstonedAt);
    key(",\"expires_at\":");
    optionalInt(FExpiresAt);
    key(",\"tags\":[");
    if (tagsSlowEnd >= 0) {
        std::memcpy(p, slowParts.constData(), size_t(tagsSlowEnd));
        p += tagsSlowEnd;
    } else {
        bool first = true;
        qsizetype from = 0;
        while (from <= tags.size()) {
            qsizetype to = tags.indexOf(',', from);
            if (to < 0)
                to = tags.size();
            qsizetype b = from;
            qsizetype e = to;
            while (b < e && isAsciiSpace(tags[b]))
                ++b;
            while (e > b && isAsciiSpace(tags[e - 1]))
                --e;
            if (e > b) {
                if (!first)
                    *p++ = ',';
                first = false;
                p = writeJsonUtf8String(p, tags.sliced(b, e - b));
            }
            from = to + 1;
        }
    }
    key("],\"source\":");
    optionalText(FSource);
    key(",\"is_summary\":");
    if (type(FIsSummary) != SQLITE_NULL && sqlite3_column_int64(st, FIsSummary + 1) != 0)
        key("true");
    else
        key("false");
    key(",\"source_memory_ids\":");
    if (type(FSourceMemoryIds) == SQLITE_NULL) {
        key("null");
    } else {
        std::memcpy(p, slowParts.constData() + idsStart, size_t(slowParts.size() - idsStart));
        p += slowParts.size() - idsStart;
    }
    key(",\"consolidation_timestamp\":");
    optionalInt(FConsolidationTimestamp);
    key(",\"group_id\":");
    optionalText(FGroupId);
    key("}\n");
    Q_ASSERT(p <= out.constData() + start + room);
    out.resize(p - out.constData());
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
    // a buffer grown past this by a large memory is let go rather than kept for the rest of the scan
    constexpr qsizetype kKeptCapacity = 8 << 20;
    if (!query.withContent || !m_hasFts || !m_ftsContentTable)
        return false;
    // Rows the plain writer declines are decoded like any page, in one attachContent call per batch, and their
    // lines put back where they belong.
    QByteArray lines;
    lines.reserve(1 << 20);
    qint64 written = 0;
    QList<RawRow> pending;
    QList<qsizetype> pendingAt; ///< where in `lines` each pending row's line goes
    qsizetype rowsInBatch = 0;
    bool stopped = false; ///< the sink said stop
    auto flush = [&] {
        QList<RecordIssue> issues;
        if (!pending.isEmpty()) {
            QList<Memory> memories;
            attachContent(pending, memories, &issues, true, false);
            QByteArray merged;
            merged.reserve(lines.size() + pending.size() * 512);
            qsizetype from = 0;
            qsizetype next = 0;
            for (qsizetype i = 0; i < pending.size(); ++i) {
                merged.append(lines.constData() + from, pendingAt[i] - from);
                from = pendingAt[i];
                // rows that could not be decoded have no memory (and an issue); ids are unique
                if (next < memories.size() && memories[next].id == pending[i].values[FId].toString()) {
                    const Memory& m = memories[next++];
                    if (m.flags & MemoryFlag::MissingContent) {
                        // missing is not empty: left out and named, as the general export does
                        issues.append(RecordIssue {m.id, missingContentReason(), true});
                        continue;
                    }
                    appendJsonLine(merged, m);
                    ++written;
                }
            }
            merged.append(lines.constData() + from, lines.size() - from);
            lines.swap(merged);
            pending.clear();
            pendingAt.clear();
        }
        rowsInBatch = 0;
        const bool go = sink(lines, written, issues);
        lines.truncate(0); // a sink that kept the bytes leaves a new, empty array here
        if (lines.capacity() > kKeptCapacity)
            lines = QByteArray(); // after a large memory: not kept resident for the rest of the scan
        if (lines.capacity() < (1 << 20))
            lines.reserve(1 << 20);
        written = 0;
        stopped = !go;
        return go;
    };
    // one row into `out` as a line, or as a pending row whose line comes later
    auto take = [&](sqlite3_stmt* st, bool join, QByteArray& out, QList<RawRow>& rawRows) {
        if (appendPlainJsonLine(out, st))
            return ScanStep::Joined;
        rawRows.append(readRawRow(st, join));
        return rawRows.last().contentKnown ? ScanStep::Joined : ScanStep::Read;
    };
    auto emitDirect = [&](sqlite3_stmt* st, bool join) {
        const qsizetype before = lines.size();
        const qsizetype pendingBefore = pending.size();
        const ScanStep step = take(st, join, lines, pending);
        if (pending.size() > pendingBefore)
            pendingAt.append(before);
        else
            ++written;
        if (++rowsInBatch >= qMax(1, batchSize) && !flush())
            return ScanStep::Stop;
        return step;
    };

    if (query.sortKey != SortKey::CreatedAt) {
        stepScan(query, emitDirect, [&] { return rowsInBatch == 0 || flush(); });
        return true;
    }

    // Sorting by created_at with ids breaking ties makes SQLite sort every second's rows in a temporary b-tree,
    // half of the statement's time. The index alone gives the seconds in order; the few rows of each second are
    // put in id order here, exactly as ORDER BY would. A second with more rows than m_tieGroupLimit is left to SQLite
    // (a statement for that one value), so memory stays bounded. A second's lines are written straight into `lines`
    // and moved only when their ids are out of order (copying every line once was a visible share of the time).
    struct Unit
    {
        SortValue id;
        qsizetype begin = 0; ///< the line in `lines`, when written
        qsizetype end = 0;
        qsizetype pendingIndex = -1; ///< or the row in groupPending
        qsizetype order = 0; ///< the row's place in the second as read
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
    qsizetype groupStart = 0; ///< where the second's lines begin in `lines`
    QByteArray moved; ///< a second's lines while they are put in id order
    QByteArray idArena;
    QList<RawRow> groupPending;
    GroupKey groupKey;
    ValuePtr skipKey; ///< a second handed to SQLite, whose rows the main statement passes over
    const bool idsDescending = query.idOrder == Qt::DescendingOrder;
    auto endGroup = [&] {
        std::stable_sort(units.begin(), units.end(), [&](const Unit& a, const Unit& b) {
            const int c = SortValue::compare(a.id, b.id, idArena);
            return idsDescending ? c > 0 : c < 0;
        });
        qsizetype next = 0;
        const bool inOrder = std::all_of(units.begin(), units.end(), [&](const Unit& u) { return u.order == next++; });
        if (inOrder) {
            for (const Unit& u : std::as_const(units)) {
                if (u.pendingIndex >= 0) {
                    pendingAt.append(u.begin);
                    pending.append(std::move(groupPending[u.pendingIndex]));
                } else {
                    ++written;
                }
            }
        } else {
            moved.append(lines.constData() + groupStart, lines.size() - groupStart);
            lines.truncate(groupStart);
            for (const Unit& u : std::as_const(units)) {
                if (u.pendingIndex >= 0) {
                    pendingAt.append(lines.size());
                    pending.append(std::move(groupPending[u.pendingIndex]));
                } else {
                    lines.append(moved.constData() + u.begin - groupStart, u.end - u.begin);
                    ++written;
                }
            }
            moved.truncate(0);
            if (moved.capacity() > kKeptCapacity)
                moved = QByteArray();
        }
        rowsInBatch += units.size();
        units.clear();
        idArena.truncate(0);
        groupPending.clear();
        groupKey.reset();
        // a large memory is handed on at once rather than held with the rest of a batch
        return (rowsInBatch < qMax(1, batchSize) && lines.size() <= kKeptCapacity) || flush();
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
                groupStart = lines.size();
            }
            Unit unit;
            unit.id = SortValue::read(sqlite3_column_value(st, FId + 1), idArena);
            unit.order = units.size();
            unit.begin = lines.size();
            const qsizetype pendingBefore = groupPending.size();
            const ScanStep step = take(st, join, lines, groupPending);
            unit.end = lines.size();
            if (groupPending.size() > pendingBefore)
                unit.pendingIndex = groupPending.size() - 1;
            units.append(unit);
            if (units.size() <= m_tieGroupLimit)
                return step;
            // a crowded second: SQLite sorts it, and the main statement skips the rest of it
            units.clear();
            lines.truncate(groupStart);
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
            return rowsInBatch == 0 || flush();
        },
        ScanOrder::KeyOnly);
    return true;
}

} // namespace Inspector
