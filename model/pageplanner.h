// SPDX-License-Identifier: MIT
#pragma once

#include "query.h"

#include <QHash>
#include <QList>
#include <QMap>

#include <optional>

namespace Inspector {

/// The first and last row of a page seen in the current order: a neighbouring page is a keyset seek from them.
struct PageBounds
{
    Cursor first;
    Cursor last;
};

/// What is known about where rows are in the current order (reset with the order, refresh drops it).
struct RowSignposts
{
    QHash<qsizetype, PageBounds> bounds; ///< first/last cursor of every page seen since the last refresh
    /// The cursor of rows step - 1, 2 * step - 1, … (step = PagePlanner::anchorStep(pageSize)), walked in the
    /// background once the count is known, so a page far from any loaded one is a keyset seek and a short walk.
    QList<Cursor> anchors;
    /// The same from the far end: the cursor of rows count - step, count - 2 * step, …
    QList<Cursor> tailAnchors;
    /// The cursor of single rows (the key is the row): the page starts around a row found by Go to ID, so the
    /// page it shows is a keyset seek and no walk at all.
    QMap<qint64, Cursor> pins;

    void clear()
    {
        bounds.clear();
        anchors.clear();
        tailAnchors.clear();
        pins.clear();
    }
};

/**
 * How the store finds a run of pages: after the previous page's last row (keyset), backwards from the next
 * page's first row, from the far end for the tail, or with `skip` (an OFFSET walk) from whichever is nearest of
 * the start, the end, an anchor and a pinned row. Pure: no store, no thread.
 */
namespace PagePlanner {

/// Rows between two anchors for pages of `pageSize` rows.
constexpr int anchorStep(int pageSize)
{
    return 5 * pageSize;
}

/// The query that reads pages [firstPage, firstPage + pages) of `query`'s filter and order (with content).
/// `count` is the number of matching rows once known.
MemoryQuery plan(const MemoryQuery& query, qsizetype firstPage, int pages, int pageSize, std::optional<qint64> count,
                 const RowSignposts& known);

} // namespace PagePlanner

} // namespace Inspector
