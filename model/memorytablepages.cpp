// SPDX-License-Identifier: MIT
// MemoryTableModel, continued: how pages travel (what the views want, what is sent, what comes back) and the
// anchor walk. See docs/architecture.md, "A request, from a scroll to the store and back".
#include "memorytablemodel.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace Inspector {

Q_DECLARE_LOGGING_CATEGORY(lcPages)

namespace {
// Page requests a view may have with the worker at once. The worker answers one request at a time, so more would
// only queue pages the person has scrolled past by the time they run (a scrollbar drag asks for hundreds).
constexpr int kMaxViewRequests = 2;
// A count running longer than this gives way to the pages a view waits for, and is asked again after them.
constexpr int kCountYieldMs = 300;
} // namespace

void MemoryTableModel::dropAnchors()
{
    if (m_anchorWalk.request)
        m_session->forget(m_anchorWalk.request);
    m_anchorWalk.request = 0;
    m_signposts.anchors.clear();
    m_signposts.tailAnchors.clear();
    m_anchorWalk.done = false;
}

void MemoryTableModel::continueAnchors()
{
    // the background work waits while a view waits for rows: summary links, then anchors
    m_session->holdLookups(viewRequestsOut() > 0 || !m_view.deferred.isEmpty() || m_locating.request);
    if (!m_session->isOpen() || m_anchorWalk.request || m_anchorWalk.done || !m_counting.count || viewRequestsOut() > 0
        || !m_view.deferred.isEmpty())
        return;
    // a few pages need none; a full-text filter would pay its per-row test on every row walked
    if (*m_counting.count <= qint64(4) * m_pageSize || !m_query.filter.words.isEmpty()) {
        m_anchorWalk.done = true;
        return;
    }
    if ((m_signposts.anchors.size() + m_signposts.tailAnchors.size() + 1) * qint64(anchorStep()) >= *m_counting.count) {
        m_anchorWalk.done = true; // the two walks met
        return;
    }
    MemoryQuery q = m_query;
    // from the end only where the store walks backwards as cheaply (PostgreSQL sorted a whole table for one)
    m_anchorWalk.fromEnd = m_anchorWalk.tailWanted && m_signposts.tailAnchors.size() < m_signposts.anchors.size();
    const QList<Cursor>& from = m_anchorWalk.fromEnd ? m_signposts.tailAnchors : m_signposts.anchors;
    q.fromEnd = m_anchorWalk.fromEnd;
    q.after = from.isEmpty() ? std::nullopt : std::optional<Cursor>(from.last());
    const qint64 left = *m_counting.count / anchorStep() - m_signposts.anchors.size() - m_signposts.tailAnchors.size();
    StoreSession::Handler h;
    h.anchors = [this](RequestId id, quint64 generation, const QList<Cursor>& anchors, bool atEnd) {
        onAnchors(id, generation, anchors, atEnd);
    };
    h.failed = [this](RequestId id, quint64, const StorageError& error) {
        if (id != m_anchorWalk.request)
            return;
        // signposts are a speed-up: without them pages are found with OFFSET, as before
        qCDebug(lcPages) << "anchors" << id << "failed:" << error.message();
        m_anchorWalk.request = 0;
        m_anchorWalk.done = true;
        checkIdle();
    };
    m_anchorWalk.request
        = m_session->anchors(m_fresh.generation, q, anchorStep(),
                             int(qBound<qint64>(1, left, qint64(m_anchorWalk.perRequest))), std::move(h));
}

void MemoryTableModel::onAnchors(RequestId id, quint64 generation, const QList<Cursor>& anchors, bool atEnd)
{
    if (id != m_anchorWalk.request)
        return;
    m_anchorWalk.request = 0;
    qCDebug(lcPages) << "anchors" << id << "answered" << anchors.size() << "at end" << atEnd;
    if (generation != m_fresh.generation)
        return;
    (m_anchorWalk.fromEnd ? m_signposts.tailAnchors : m_signposts.anchors).append(anchors);
    m_anchorWalk.done = atEnd || anchors.isEmpty();
    continueAnchors();
    checkIdle();
}

void MemoryTableModel::dropLoadedPages()
{
    m_cache.clear();
    m_signposts.bounds.clear();
    m_signposts.pins.clear();
    if (m_rows > 0)
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows) - 1, columnCount() - 1));
}

void MemoryTableModel::want(qsizetype page) const
{
    if (!m_session->isOpen() || m_out.failed.contains(page))
        return;
    m_view.touched.insert(page);
    if (m_out.inFlight.contains(page) || m_view.wanted.contains(page)) {
        // another request may be for rows scrolled past (the last step of a drag): the next tick stops it
        if (viewRequestsOut() > 1 && !m_view.timer.isActive())
            m_view.timer.start();
        return;
    }
    m_view.wanted << page;
    if (!m_view.timer.isActive())
        m_view.timer.start();
}

void MemoryTableModel::prefetchRows(int first, int last)
{
    first = qMax(0, first);
    last = int(qMin<qint64>(last, m_rows - 1));
    if (!m_session->isOpen() || first > last)
        return;
    const qsizetype wanted = m_view.wanted.size();
    for (qsizetype page = first / m_pageSize; page <= last / m_pageSize; ++page) {
        if (!m_cache.contains(page))
            want(page);
    }
    // pages already on their way (or failed) are not asked again, and other requests are not disturbed for them
    if (m_view.wanted.size() > wanted) {
        m_view.timer.stop();
        sendWanted();
    }
}

void MemoryTableModel::sendWanted()
{
    QList<qsizetype> pages = m_view.wanted;
    m_view.wanted.clear();
    const QSet<qsizetype> touched = std::exchange(m_view.touched, {});
    if (!m_session->isOpen() || (pages.isEmpty() && touched.isEmpty()))
        return;
    // Requests for pages the view no longer shows are superseded by these: stopped, so the newest run next.
    for (auto it = m_out.requests.begin(); it != m_out.requests.end();) {
        bool seen = false;
        for (qsizetype p = it->firstPage; p < it->firstPage + it->pages && !seen; ++p)
            seen = touched.contains(p);
        if (!it->forView || seen) {
            ++it;
            continue;
        }
        m_session->forget(it.key());
        qCDebug(lcPages) << "page request" << it.key() << "cancelled";
        for (qsizetype p = it->firstPage; p < it->firstPage + it->pages; ++p)
            m_out.inFlight.remove(p);
        // rows still on screen that a scroll did not repaint would stay "loading": a view repaints (and asks
        // again) what it still shows
        const qint64 first = qint64(it->firstPage) * m_pageSize;
        const qint64 last = qMin<qint64>(first + qint64(it->pages) * m_pageSize, m_rows) - 1;
        it = m_out.requests.erase(it);
        if (last >= first)
            Q_EMIT dataChanged(index(int(first), 0), index(int(last), 0), {LoadStateRole});
    }
    // only the newest wish waits: pages wanted before it are behind the view already
    m_view.deferred = sendPages(pages);
    if (m_counting.request && (!m_view.deferred.isEmpty() || viewRequestsOut() > 0)
        && m_counting.sent.elapsed() > kCountYieldMs) {
        // a slow count holds the only worker: it starts again once the rows on screen are there
        m_session->forget(m_counting.request);
        m_counting.request = 0;
        m_counting.yielded = true;
    }
    continueAnchors(); // the view may wait for nothing now (its requests were for rows scrolled past)
    checkIdle();
}

QList<qsizetype> MemoryTableModel::sendPages(QList<qsizetype> pages)
{
    pages.erase(std::remove_if(pages.begin(), pages.end(),
                               [this](qsizetype p) {
                                   return m_cache.contains(p) || m_out.inFlight.contains(p) || m_out.failed.contains(p)
                                       || qint64(p) * m_pageSize >= qMax<qint64>(m_rows, 1);
                               }),
                pages.end());
    std::sort(pages.begin(), pages.end());
    pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
    // a page next to one on its way waits for it: then it is a keyset seek from that page, not a second walk
    QList<qsizetype> later;
    pages.erase(std::remove_if(pages.begin(), pages.end(),
                               [&](qsizetype p) {
                                   const bool wait = m_out.inFlight.contains(p - 1) || m_out.inFlight.contains(p + 1);
                                   if (wait)
                                       later << p;
                                   return wait;
                               }),
                pages.end());
    // neighbouring pages go in one request
    qsizetype i = 0;
    while (i < pages.size() && viewRequestsOut() < kMaxViewRequests) {
        qsizetype j = i + 1;
        while (j < pages.size() && pages[j] == pages[j - 1] + 1 && j - i < 4)
            ++j;
        const RequestId id = requestPages(pages[i], int(j - i), false);
        m_out.requests[id].forView = true;
        i = j;
    }
    if (viewRequestsOut() > 0)
        m_session->holdLookups(true);
    return pages.mid(i) + later;
}

int MemoryTableModel::viewRequestsOut() const
{
    int n = 0;
    for (const PageRequest& r : m_out.requests)
        n += r.forView;
    return n;
}

void MemoryTableModel::sendDeferred()
{
    if (m_session->isOpen() && !m_view.deferred.isEmpty() && viewRequestsOut() < kMaxViewRequests)
        m_view.deferred = sendPages(std::exchange(m_view.deferred, {}));
    if (m_counting.yielded && m_session->isOpen() && viewRequestsOut() == 0 && m_view.deferred.isEmpty())
        requestCount();
}

RequestId MemoryTableModel::requestPages(qsizetype firstPage, int pages, bool refresh)
{
    if (!m_session->isOpen())
        return 0;
    const MemoryQuery q = PagePlanner::plan(m_query, firstPage, pages, m_pageSize, m_counting.count, m_signposts);
    const qint64 firstRow = qint64(firstPage) * m_pageSize;
    const qint64 endRow = firstRow + qint64(pages) * m_pageSize;
    for (int p = 0; p < pages; ++p)
        m_out.inFlight.insert(firstPage + p);
    StoreSession::Handler h;
    h.page = [this](RequestId id, quint64 generation, const Page& page) { onPage(id, generation, page); };
    h.failed
        = [this](RequestId id, quint64 generation, const StorageError& error) { onPageFailed(id, generation, error); };
    const RequestId id = m_session->page(m_fresh.generation, q, std::move(h));
    qCDebug(lcPages) << "page request" << id << "pages" << firstPage << "+" << pages << "skip" << q.skip << "after"
                     << q.after.has_value() << "fromEnd" << q.fromEnd << "anchors" << m_signposts.anchors.size()
                     << m_signposts.tailAnchors.size();
    m_out.requests.insert(id, PageRequest {firstPage, pages, m_fresh.epoch, refresh});
    if (refresh)
        m_out.refreshing.insert(id);
    // rows of pages on their way now show as loading
    const int first = int(qMin<qint64>(firstRow, m_rows));
    const int last = int(qMin<qint64>(endRow, m_rows)) - 1;
    if (last >= first && !refresh)
        Q_EMIT dataChanged(index(first, 0), index(last, 0), {LoadStateRole});
    return id;
}

void MemoryTableModel::onPage(RequestId id, quint64 generation, const Page& page)
{
    const auto it = m_out.requests.find(id);
    if (it == m_out.requests.end() || generation != m_fresh.generation)
        return; // a reply for a filter, sort or store left behind
    const PageRequest request = *it;
    qCDebug(lcPages) << "page request" << id << "answered";
    m_out.requests.erase(it);
    const bool refreshing = m_out.refreshing.remove(id);
    if (request.epoch != m_fresh.epoch) {
        sendDeferred();
        checkIdle();
        return; // asked before a refresh: may be stale; the view asks again
    }
    if (!page.issues.isEmpty()) {
        QStringList lines;
        for (const RecordIssue& issue : page.issues)
            lines << issue.id + u": "_s + issue.reason;
        Q_EMIT loadFailed(lines.join(u'\n'));
    }
    // split into pages of the model's size
    const QList<Memory>& rows = page.memories;
    qsizetype k = request.firstPage;
    for (qsizetype start = 0; start < rows.size() || start == 0; start += m_pageSize, ++k) {
        QList<Memory> chunk = rows.mid(start, m_pageSize);
        m_out.inFlight.remove(k);
        if (refreshing)
            m_out.staged.insert(k, std::move(chunk));
        else
            installPage(k, std::move(chunk));
        if (rows.isEmpty())
            break;
    }
    // pages asked for but not returned (the store shrank) are done too
    for (qsizetype p = k; p < request.firstPage + request.pages; ++p)
        m_out.inFlight.remove(p);

    if (!m_counting.count) {
        // before the count: rows grow with what has been read in order from the start
        const qint64 loaded = qint64(request.firstPage) * m_pageSize + rows.size();
        if (!refreshing && loaded > m_rows)
            setRows(loaded);
        m_counting.moreAfterLoaded = page.next.has_value();
    }
    if (refreshing && m_out.refreshing.isEmpty())
        applyStaged();
    sendDeferred();
    continueAnchors();
    checkIdle();
}

void MemoryTableModel::installPage(qsizetype page, QList<Memory> rows)
{
    if (!rows.isEmpty())
        m_signposts.bounds.insert(
            page, PageBounds {Cursor::of(rows.first(), m_query.sortKey), Cursor::of(rows.last(), m_query.sortKey)});
    const qsizetype n = rows.size();
    m_cache.insert(page, std::move(rows));
    m_out.failed.remove(page);
    const qint64 first = qint64(page) * m_pageSize;
    const qint64 last = qMin<qint64>(first + qMax<qsizetype>(n, m_pageSize), m_rows) - 1;
    if (last >= first)
        Q_EMIT dataChanged(index(int(first), 0), index(int(last), columnCount() - 1));
}

void MemoryTableModel::applyStaged()
{
    // Where did the memories of persistent indexes (selection, current row) go? Follow them by id.
    QHash<QString, int> newRow;
    for (auto it = m_out.staged.cbegin(); it != m_out.staged.cend(); ++it) {
        for (qsizetype i = 0; i < it->size(); ++i)
            newRow.insert(it->at(i).id, int(it.key() * m_pageSize + i));
    }
    // The rows of persistent indexes that must move; computed again once layoutAboutToBeChanged has let the
    // views add theirs (a selection model saves every selected cell then).
    const auto movesOf = [&](const QModelIndexList& persistent) {
        QList<std::pair<QModelIndex, int>> moves;
        for (const QModelIndex& idx : persistent) {
            const qsizetype page = idx.row() / m_pageSize;
            const QList<Memory>* rows = m_cache.peek(page);
            const qsizetype at = idx.row() - page * m_pageSize;
            if (!rows || at >= rows->size())
                continue;
            const auto found = newRow.constFind(rows->at(at).id);
            if (found != newRow.constEnd() && *found != idx.row() && *found < m_rows)
                moves.append({idx, *found});
        }
        return moves;
    };
    const bool moving = !movesOf(persistentIndexList()).isEmpty();
    QList<std::pair<QModelIndex, int>> moves;
    if (moving) {
        Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
        moves = movesOf(persistentIndexList());
    }
    for (auto it = m_out.staged.begin(); it != m_out.staged.end(); ++it) {
        QList<Memory> rows = std::move(*it);
        if (!rows.isEmpty())
            m_signposts.bounds.insert(
                it.key(),
                PageBounds {Cursor::of(rows.first(), m_query.sortKey), Cursor::of(rows.last(), m_query.sortKey)});
        m_cache.insert(it.key(), std::move(rows));
    }
    if (moving) {
        QModelIndexList from;
        QModelIndexList to;
        for (const auto& [idx, row] : std::as_const(moves)) {
            from << idx;
            to << index(row, idx.column());
        }
        changePersistentIndexList(from, to);
        Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
    }
    for (auto it = m_out.staged.cbegin(); it != m_out.staged.cend(); ++it) {
        const qint64 first = qint64(it.key()) * m_pageSize;
        const qint64 last = qMin<qint64>(first + m_pageSize, m_rows) - 1;
        if (last >= first)
            Q_EMIT dataChanged(index(int(first), 0), index(int(last), columnCount() - 1));
    }
    m_out.staged.clear();
}

void MemoryTableModel::setRows(qint64 rows)
{
    rows = qMax<qint64>(0, rows);
    m_rowsWanted = rows;
    if (rows > m_rows) {
        growRows();
    } else if (rows < m_rows) {
        beginRemoveRows({}, int(rows), int(m_rows - 1));
        m_rows = rows;
        // pages past the end are dropped; a partly cut page keeps its rows for when the count grows back
        for (const qsizetype page : m_cache.pagesByRecency()) {
            if (qint64(page) * m_pageSize >= rows) {
                m_cache.remove(page);
                m_signposts.bounds.remove(page);
            }
        }
        endRemoveRows();
    }
}

void MemoryTableModel::growRows()
{
    if (m_rowsWanted <= m_rows)
        return;
    const qint64 rows = qMin(m_rowsWanted, m_rows + m_rowsPerStep);
    beginInsertRows({}, int(m_rows), int(rows - 1));
    m_rows = rows;
    endInsertRows();
    if (m_rows < m_rowsWanted)
        m_rowGrowth.start();
}

void MemoryTableModel::onCount(RequestId id, quint64 generation, qint64 count)
{
    if (generation != m_fresh.generation || id != m_counting.request)
        return;
    m_counting.request = 0;
    m_counting.count = count;
    setRows(count);
    Q_EMIT countChanged(count);
    continueAnchors();
    checkIdle();
}

void MemoryTableModel::onPageFailed(RequestId id, quint64 generation, const StorageError& error)
{
    if (m_session->hasOpenFailed()) {
        // everything asked of a store that did not open fails the same way; storeFailed said it once
        m_out.requests.remove(id);
        m_out.refreshing.remove(id);
        m_out.inFlight.clear();
        checkIdle();
        return;
    }
    if (const auto it = m_out.requests.find(id); it != m_out.requests.end()) {
        const PageRequest request = *it;
        m_out.requests.erase(it);
        if (m_out.refreshing.remove(id) && m_out.refreshing.isEmpty())
            applyStaged();
        if (generation == m_fresh.generation && request.epoch == m_fresh.epoch) {
            for (qsizetype p = request.firstPage; p < request.firstPage + request.pages; ++p) {
                m_out.inFlight.remove(p);
                m_out.failed.insert(p); // not asked again until a refresh: no request storm on a dead server
            }
            // the rows are no longer on their way: views show them as unreadable, and a window that kept the
            // memory shown while its current row loaded lets it go
            const qint64 first = qint64(request.firstPage) * m_pageSize;
            const qint64 last = qMin<qint64>(first + qint64(request.pages) * m_pageSize, m_rows) - 1;
            if (last >= first)
                Q_EMIT dataChanged(index(int(first), 0), index(int(last), columnCount() - 1), {LoadStateRole});
            Q_EMIT loadFailed(error.message());
        }
        sendDeferred();
    }
    checkIdle();
}

} // namespace Inspector
