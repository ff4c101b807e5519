// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"

#include <QDateTime>
#include <QVariant>

#include <optional>

namespace Inspector {

/// Which tombstoned memories (status `tombstoned` or tombstoned_at set) a filter lets through.
enum class TombstoneFilter
{
    Include,
    Exclude,
    Only,
};

/**
 * What subcog's filter language can say (spec §13), plus domain, a created-at range, full-text words and the
 * tombstone switch. Lists are OR-ed within a field and fields are AND-ed. Empty lists do not restrict.
 */
struct MemoryFilter
{
    QList<Namespace> namespaces; ///< matched on the namespace as subcog parses it (aliases, any case)
    QStringList tagsAll; ///< every one of these tags
    QList<QStringList> tagsAny; ///< for each group: at least one of these tags
    QStringList tagsNone; ///< none of these tags
    std::optional<qint64> createdFrom; ///< created_at >= (Unix seconds); `since:` sets it
    std::optional<qint64> createdTo; ///< created_at <= (Unix seconds)
    QStringList sourcePatterns; ///< `*` is a wildcard; case-sensitive like subcog's GLOB-free LIKE
    QStringList pathPatterns; ///< file_path patterns, `*` is a wildcard
    QStringList projects; ///< project_id equals
    QStringList branches; ///< branch equals
    QList<MemoryStatus> statuses; ///< status as subcog parses it (any case)
    QStringList domains; ///< Display strings (`project` also matches a NULL or empty column)
    QStringList words; ///< full-text words, all must occur in the content (or tags/id, as FTS indexes them)
    QStringList ids; ///< restrict to these ids
    QStringList summarizing; ///< only summaries made from one of these memories (source_memory_ids holds it)
    /// memories mentioning a knowledge-graph entity whose id or name is one of these (case-insensitive, spec
    /// §14.1); only a backend that reads the graph evaluates it (matches() throws StorageError)
    QStringList entities;
    TombstoneFilter tombstones = TombstoneFilter::Include;
    /// `expired:true|false`: expires_at is set and before `now` (true), or not (false)
    std::optional<bool> expired;
    /// `is:summary` / `-is:summary`: is_summary is true / false (NULL reads as false)
    std::optional<bool> summary;
    /// `has:edges` / `-has:edges`: at least one edge / none. SQLite with memory_edges: either end of an edge there;
    /// elsewhere the edges consolidation writes (storage/lifecyclefilter.h: a summary with sources, or a memory a
    /// summary names). A backend without SQL resolves it with withEdgeIds(); matches() throws while it is set.
    std::optional<bool> hasEdges;
    /// `flag:` lists: each group needs one of its anomalies (names of storage/lifecyclefilter.h), every group
    /// must hold
    QList<QStringList> anomaliesAny;
    QStringList anomaliesNone; ///< `-flag:`: none of these anomalies
    QStringList excludedIds; ///< none of these ids (how `-has:edges` is resolved without an edge table)
    /// What `expired:` and `flag:expired-active` compare expires_at with (Unix seconds): fixed when the text was
    /// parsed, as `since:` is, so every page, count and rowOf of one filter agree. 0 while no token needs it.
    qint64 now = 0;

    bool isEmpty() const;
    /// A filter no memory passes (an empty created_at range), for a filter text that is not understood: showing
    /// everything instead would let a bulk delete or export that follows cover the whole store.
    static MemoryFilter nothing();
    /// Evaluated in memory, for backends without a query engine and for tests' reference answers.
    bool matches(const Memory& memory) const;
    friend bool operator==(const MemoryFilter&, const MemoryFilter&) = default;
};

/// The result of parsing a filter string: the filter and the tokens it did not understand.
struct ParsedFilter
{
    MemoryFilter filter;
    QStringList notUnderstood; ///< one entry per token: "token: reason"
};

/// Parses subcog's filter language; `now` anchors `since:`.
ParsedFilter parseFilter(const QString& text, const QDateTime& now = QDateTime::currentDateTimeUtc());

enum class SortKey
{
    CreatedAt,
    Id,
    Namespace,
    Status,
};

/// Where a page starts: the sort key and id of the last row of the previous page.
struct Cursor
{
    QVariant key; ///< the sort column's raw value of that row
    QString id;
    /// The cursor that continues after this memory in an order by `key`.
    static Cursor of(const Memory& memory, SortKey key);
    friend bool operator==(const Cursor&, const Cursor&) = default;
};

/// A filtered, sorted page request; pages are keyset-paginated (no OFFSET).
struct MemoryQuery
{
    MemoryFilter filter;
    SortKey sortKey = SortKey::CreatedAt;
    Qt::SortOrder order = Qt::DescendingOrder;
    /// Ties on the sort key are broken by id in this order (the natural order is created_at desc, id asc).
    Qt::SortOrder idOrder = Qt::AscendingOrder;
    std::optional<Cursor> after; ///< start after this row; none = first page
    int limit = 200;
    /// Rows passed over before the page (after the cursor, if any). Only for seeking into the middle of a result
    /// whose neighbouring cursors are unknown: the engine walks the skipped keys, so pages still use cursors.
    qint64 skip = 0;
    bool withContent = true;
    /// Read the page from the far end backwards (the last `limit` rows), returned in the query's order.
    bool fromEnd = false;

    /// The direction a backend walks the sort key in (the query's order, reversed when reading from the end).
    Qt::SortOrder scanKeyOrder() const;
    /// Whether `a` comes before `b` in this query's order (its sort key in `order`, ties by id in `idOrder`; the id
    /// key by `order`), compared as a backend that sorts in memory does: numbers, then text in UTF-16 order.
    bool comesBefore(const Memory& a, const Memory& b) const;
    /// The direction a backend walks ties in.
    Qt::SortOrder scanIdOrder() const;
};

/// One page of a query.
struct Page
{
    QList<Memory> memories;
    QList<RecordIssue> issues; ///< rows of this page that could not be decoded
    std::optional<Cursor> next; ///< cursor for the following page; none at the end
};

} // namespace Inspector
