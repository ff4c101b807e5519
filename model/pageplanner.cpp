// SPDX-License-Identifier: MIT
#include "pageplanner.h"

#include <iterator>
#include <limits>

namespace Inspector::PagePlanner {

MemoryQuery plan(const MemoryQuery& query, qsizetype firstPage, int pages, int pageSize, std::optional<qint64> count,
                 const RowSignposts& known)
{
    MemoryQuery q = query;
    q.withContent = true;
    q.after.reset();
    q.skip = 0;
    q.fromEnd = false;
    q.limit = pages * pageSize;
    const qint64 step = anchorStep(pageSize);
    const qint64 firstRow = qint64(firstPage) * pageSize;
    const qint64 endRow = firstRow + q.limit;
    if (firstPage == 0) {
        // from the start
    } else if (const auto before = known.bounds.constFind(firstPage - 1); before != known.bounds.constEnd()) {
        q.after = before->last;
    } else if (const auto after = known.bounds.constFind(firstPage + pages); after != known.bounds.constEnd()) {
        q.fromEnd = true;
        q.after = after->first;
    } else if (count && endRow >= *count) {
        // the tail: read backwards from the far end, which the sort index serves as cheaply as the start
        q.fromEnd = true;
        q.limit = int(qMax<qint64>(0, *count - firstRow));
    } else {
        // an OFFSET walk from wherever is nearest: the start, the end, an anchor or a pinned row
        const qint64 anchor = qMin<qint64>(firstRow / step, known.anchors.size()) - 1;
        const qint64 fromAnchor = anchor >= 0 ? firstRow - (anchor + 1) * step : firstRow;
        qint64 fromEnd = std::numeric_limits<qint64>::max();
        qint64 tail = -1;
        if (count) {
            // the last tail anchor at or after the page's end: tail anchor j is row count - (j + 1) * step
            tail = qMin<qint64>((*count - endRow) / step, known.tailAnchors.size()) - 1;
            fromEnd = tail >= 0 ? *count - (tail + 1) * step - endRow : *count - endRow;
        }
        // the nearest pinned row before the page (forwards after it) and after it (backwards before it)
        qint64 fromPin = std::numeric_limits<qint64>::max();
        qint64 toPin = std::numeric_limits<qint64>::max();
        auto pinBefore = known.pins.constEnd();
        auto pinAfter = known.pins.lowerBound(endRow);
        if (auto it = known.pins.lowerBound(firstRow); it != known.pins.constBegin()) {
            pinBefore = std::prev(it);
            fromPin = firstRow - 1 - pinBefore.key();
        }
        if (pinAfter != known.pins.constEnd())
            toPin = pinAfter.key() - endRow;
        const qint64 best = qMin(qMin(fromAnchor, fromEnd), qMin(fromPin, toPin));
        if (fromPin == best) {
            q.after = pinBefore.value();
            q.skip = fromPin;
        } else if (toPin == best) {
            q.fromEnd = true;
            q.after = pinAfter.value();
            q.skip = toPin;
        } else if (fromEnd < fromAnchor) {
            q.fromEnd = true;
            if (tail >= 0)
                q.after = known.tailAnchors.at(tail);
            q.skip = fromEnd;
        } else {
            if (anchor >= 0)
                q.after = known.anchors.at(anchor);
            q.skip = fromAnchor;
        }
    }
    return q;
}

} // namespace Inspector::PagePlanner
