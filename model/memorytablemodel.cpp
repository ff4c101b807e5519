// SPDX-License-Identifier: MIT
#include "memorytablemodel.h"

#include "memorycommands.h"

#include <QBrush>
#include <QDateTime>
#include <QFont>
#include <QLoggingCategory>
#include <QUndoStack>

using namespace Qt::StringLiterals;

namespace Inspector {

Q_LOGGING_CATEGORY(lcPages, "inspector.model.pages", QtWarningMsg)

namespace {
constexpr int kMaxRefreshPages = 6; // the pages in view and around it; the rest are dropped and reloaded on use
// Page requests a view may have with the worker at once. The worker answers one request at a time, so more would
// only queue pages the person has scrolled past by the time they run (a scrollbar drag asks for hundreds).
constexpr int kMaxViewRequests = 2;
// A count running longer than this gives way to the pages a view waits for, and is asked again after them.
constexpr int kCountYieldMs = 300;

MemoryColumn col(const QModelIndex& index)
{
    return MemoryColumn(index.column());
}
} // namespace

MemoryTableModel::MemoryTableModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_session(new StoreSession(this))
    , m_undoStack(new QUndoStack(this))
    , m_cache(5000)
{
    qRegisterMetaType<RequestId>("Inspector::RequestId");
    qRegisterMetaType<Memory>();
    qRegisterMetaType<QList<Memory>>();
    qRegisterMetaType<QList<RecordIssue>>();
    m_view.timer.setSingleShot(true);
    m_view.timer.setInterval(0);
    connect(&m_view.timer, &QTimer::timeout, this, &MemoryTableModel::sendWanted);
    connect(m_session, &StoreSession::opened, this,
            [this](const QString& location, const QStringList& layout, bool readOnly) {
                Q_EMIT storeOpened(location, layout, readOnly);
                Q_EMIT editingEnabledChanged(isEditingEnabled());
            });
    connect(m_session, &StoreSession::openFailed, this,
            [this](const StorageError& error) { Q_EMIT storeFailed(error.message()); });
    connect(m_session, &StoreSession::fetchFailed, this,
            [this](const StorageError& error) { Q_EMIT loadFailed(error.message()); });
    connect(m_session, &StoreSession::fetchProgress, this, &MemoryTableModel::fetchProgress);
    connect(m_session, &StoreSession::fetchFinished, this, &MemoryTableModel::fetchFinished);
    connect(m_session, &StoreSession::jobProgress, this, &MemoryTableModel::jobProgress);
    connect(m_session, &StoreSession::jobFinished, this, &MemoryTableModel::jobFinished);
    connect(m_session, &StoreSession::summariesFound, this, &MemoryTableModel::summariesFound);
    connect(m_session, &StoreSession::lookedUp, this, &MemoryTableModel::lookedUp);
    connect(m_session, &StoreSession::externalChange, this, [this] {
        Q_EMIT externalChangeDetected();
        refresh();
    });
    connect(m_session, &StoreSession::answered, this, &MemoryTableModel::checkIdle);
}

MemoryTableModel::~MemoryTableModel()
{
    // commands on the stack point at this model; they must go before it does
    m_undoStack->clear();
    // nobody is told about a reset of a model that is going away (its receivers may be going away too)
    blockSignals(true);
    closeStore();
}

void MemoryTableModel::openStore(BackendClient::Factory factory)
{
    closeStore();
    m_session->open(std::move(factory));
    reset();
}

void MemoryTableModel::closeStore()
{
    if (!m_session->isOpen())
        return;
    // commands refer to memories of this store; they cannot be undone in another one
    m_undoStack->clear();
    beginResetModel();
    m_session->close(); // late replies of the store go nowhere
    ++m_fresh.generation;
    m_rows = 0;
    m_counting.count.reset();
    m_cache.clear();
    m_signposts.clear();
    m_anchorWalk.request = 0;
    m_anchorWalk.done = false;
    m_out.requests.clear();
    m_out.inFlight.clear();
    m_view.wanted.clear();
    m_out.failed.clear();
    m_out.refreshing.clear();
    m_out.staged.clear();
    m_edits.clear();
    m_locating.request = 0;
    m_locating.id.clear();
    m_editingEnabled = false;
    endResetModel();
    Q_EMIT editingEnabledChanged(false);
}

void MemoryTableModel::setEditingEnabled(bool enabled)
{
    if (m_editingEnabled == enabled)
        return;
    m_editingEnabled = enabled;
    Q_EMIT editingEnabledChanged(isEditingEnabled());
    if (m_rows > 0)
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows) - 1, columnCount() - 1), {});
}

void MemoryTableModel::setFilter(const MemoryFilter& filter)
{
    if (filter == m_query.filter)
        return;
    m_query.filter = filter;
    reset();
}

std::optional<SortKey> MemoryTableModel::sortKeyForColumn(int column)
{
    switch (MemoryColumn(column)) {
    case MemoryColumn::CreatedAt:
        return SortKey::CreatedAt;
    case MemoryColumn::Id:
        return SortKey::Id;
    case MemoryColumn::Namespace:
        return SortKey::Namespace;
    case MemoryColumn::Status:
        return SortKey::Status;
    default:
        return std::nullopt;
    }
}

int MemoryTableModel::columnForSortKey(SortKey key)
{
    switch (key) {
    case SortKey::CreatedAt:
        return int(MemoryColumn::CreatedAt);
    case SortKey::Id:
        return int(MemoryColumn::Id);
    case SortKey::Namespace:
        return int(MemoryColumn::Namespace);
    case SortKey::Status:
        return int(MemoryColumn::Status);
    }
    return int(MemoryColumn::CreatedAt);
}

void MemoryTableModel::sort(int column, Qt::SortOrder order)
{
    const auto key = sortKeyForColumn(column);
    if (!key || (*key == m_query.sortKey && order == m_query.order))
        return;
    m_query.sortKey = *key;
    m_query.order = order;
    reset();
}

void MemoryTableModel::setPageSize(int rows)
{
    rows = qBound(10, rows, 5000);
    if (rows == m_pageSize)
        return;
    m_pageSize = rows;
    reset();
}

void MemoryTableModel::reset()
{
    cancelOutstanding();
    dropAnchors();
    if (m_locating.request)
        m_session->forget(m_locating.request); // a row of the old order
    m_locating.request = 0;
    m_locating.id.clear();
    beginResetModel();
    ++m_fresh.generation;
    ++m_fresh.epoch;
    m_rows = 0;
    m_counting.count.reset();
    m_counting.moreAfterLoaded = false;
    m_cache.clear();
    m_signposts.bounds.clear();
    m_out.requests.clear();
    m_out.inFlight.clear();
    m_view.wanted.clear();
    m_out.failed.clear();
    m_out.refreshing.clear();
    m_out.staged.clear();
    m_view.deferred.clear();
    m_view.touched.clear();
    m_counting.yielded = false;
    endResetModel();
    requestStart();
}

void MemoryTableModel::requestStart()
{
    if (!m_session->isOpen())
        return;
    // the first page and the count are independent requests: rows show as soon as the page is there
    requestPages(0, 1, false);
    requestCount();
}

void MemoryTableModel::requestCount()
{
    m_counting.yielded = false;
    StoreSession::Handler h;
    h.count = [this](RequestId id, quint64 generation, qint64 count) { onCount(id, generation, count); };
    h.failed = [this](RequestId id, quint64, const StorageError& error) {
        if (id == m_counting.request) {
            m_counting.request = 0;
            if (!m_session->hasOpenFailed()) // storeFailed said it once
                Q_EMIT loadFailed(error.message());
        }
        checkIdle();
    };
    m_counting.request = m_session->count(m_fresh.generation, m_query.filter, std::move(h));
    m_counting.sent.start();
}

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

void MemoryTableModel::cancelOutstanding()
{
    for (auto it = m_out.requests.cbegin(); it != m_out.requests.cend(); ++it)
        m_session->forget(it.key());
    if (m_counting.request)
        m_session->forget(m_counting.request);
    m_counting.request = 0;
}

int MemoryTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(qMin<qint64>(m_rows, std::numeric_limits<int>::max()));
}

int MemoryTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : MemoryFields::columnCount();
}

const Memory* MemoryTableModel::storedRow(int row) const
{
    if (row < 0 || row >= m_rows)
        return nullptr;
    const qsizetype page = row / m_pageSize;
    const QList<Memory>* rows = m_cache.find(page);
    if (!rows) {
        want(page);
        return nullptr;
    }
    const qsizetype at = row - page * m_pageSize;
    return at < rows->size() ? &rows->at(at) : nullptr;
}

const Memory* MemoryTableModel::shownRow(int row) const
{
    const Memory* stored = storedRow(row);
    if (!stored)
        return nullptr;
    const Memory* pending = m_edits.shown(stored->id);
    return pending ? pending : stored;
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

RequestId MemoryTableModel::runJob(BackendClient::Job job)
{
    return m_session->runJob(std::move(job));
}

ExportSource MemoryTableModel::rowsSource(const QList<std::pair<qint64, qint64>>& ranges) const
{
    ExportSource source;
    source.query = m_query;
    source.ranges = ranges;
    return source;
}

RequestId MemoryTableModel::exportTo(const ExportSource& source, ExportFormat format, const QString& path)
{
    return m_session->exportTo(source, format, path);
}

RequestId MemoryTableModel::copyTo(const ExportSource& source, const QString& targetSpec, OnConflict onConflict,
                                   bool dryRun)
{
    return m_session->copyTo(source, targetSpec, onConflict, dryRun);
}

void MemoryTableModel::findSummariesOf(const QString& id)
{
    m_session->findSummariesOf(id);
}

RequestId MemoryTableModel::lookUp(const MemoryQuery& query)
{
    return m_session->lookUp(query);
}

void MemoryTableModel::locate(const QString& id)
{
    if (!m_session->isOpen())
        return;
    if (m_locating.request)
        m_session->forget(m_locating.request); // only the newest jump matters
    m_locating.id = id;
    StoreSession::Handler h;
    h.row = [this](RequestId request, quint64 generation, qint64 row) { onRowFound(request, generation, row); };
    h.failed = [this](RequestId request, quint64 generation, const StorageError& error) {
        if (request != m_locating.request)
            return;
        Q_EMIT loadFailed(error.message());
        onRowFound(request, generation, -1);
    };
    m_locating.request = m_session->rowOf(m_fresh.generation, m_query, id, std::move(h));
}

void MemoryTableModel::onRowFound(RequestId id, quint64 generation, qint64 row)
{
    if (id != m_locating.request)
        return;
    m_locating.request = 0;
    const QString memoryId = std::exchange(m_locating.id, QString());
    // a new filter or sort since: the row is of another order
    Q_EMIT located(memoryId, generation == m_fresh.generation ? row : -1);
    checkIdle();
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
    if (rows > m_rows) {
        beginInsertRows({}, int(m_rows), int(rows - 1));
        m_rows = rows;
        endInsertRows();
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
            Q_EMIT loadFailed(error.message());
        }
        sendDeferred();
    }
    checkIdle();
}

bool MemoryTableModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && !m_counting.count && m_counting.moreAfterLoaded && m_session->isOpen();
}

void MemoryTableModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    const qsizetype next = qsizetype((m_rows + m_pageSize - 1) / m_pageSize);
    if (!m_out.inFlight.contains(next))
        requestPages(next, 1, false);
}

QVariant MemoryTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    if (role == LoadStateRole)
        return int(loadState(row));
    const Memory* m = shownRow(row);
    if (!m) {
        if (role == Qt::DisplayRole && index.column() == int(MemoryColumn::Content))
            return m_out.failed.contains(row / m_pageSize) ? tr("(could not be read)") : QString();
        return {};
    }
    const MemoryColumn column = col(index);
    switch (role) {
    case Qt::DisplayRole:
        return MemoryFields::displayText(*m, column);
    case Qt::EditRole:
        return MemoryFields::editText(*m, column);
    case Qt::ToolTipRole:
        if (column == MemoryColumn::Content)
            return MemoryFields::preview(m->content, 2000);
        if (const QVariant raw = MemoryFields::rawValue(*m, column); raw.metaType().id() == QMetaType::LongLong)
            return QString(MemoryFields::displayText(*m, column) + u" ("_s + QString::number(raw.toLongLong()) + u')');
        return MemoryFields::displayText(*m, column);
    case Qt::FontRole:
        if (m_edits.contains(m->id)) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (m->isTombstoned())
            return QBrush(Qt::gray);
        return {};
    case RawValueRole:
        return MemoryFields::rawValue(*m, column);
    case FullContentRole:
        return m->content;
    case MemoryRole:
        return QVariant::fromValue(*m);
    case IdRole:
        return m->id;
    case PendingEditRole:
        return m_edits.contains(m->id);
    case TombstonedRole:
        return m->isTombstoned();
    case FlagsRole:
        return int(m->flags.toInt());
    default:
        return {};
    }
}

QVariant MemoryTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical) {
        if (role == Qt::DisplayRole)
            return section + 1;
        return {};
    }
    if (section < 0 || section >= MemoryFields::columnCount())
        return {};
    const MemoryColumn column = MemoryColumn(section);
    switch (role) {
    case Qt::DisplayRole:
        return MemoryFields::title(column);
    case Qt::ToolTipRole:
        return QString(MemoryFields::description(column) + u" ("_s + MemoryFields::fieldName(column) + u')');
    case RawValueRole:
        return MemoryFields::fieldName(column);
    default:
        return {};
    }
}

Qt::ItemFlags MemoryTableModel::flags(const QModelIndex& index) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemNeverHasChildren;
    if (isEditingEnabled() && MemoryFields::isEditable(col(index))) {
        const Memory* m = m_cache.peek(index.row() / m_pageSize) ? shownRow(index.row()) : nullptr;
        if (m && !(m->flags & MemoryFlag::Locked))
            f |= Qt::ItemIsEditable;
    }
    return f;
}

MemoryTableModel::LoadState MemoryTableModel::loadState(int row) const
{
    if (row < 0 || row >= m_rows)
        return LoadState::NotLoaded;
    const qsizetype page = row / m_pageSize;
    if (m_cache.contains(page))
        return LoadState::Loaded;
    if (m_out.inFlight.contains(page))
        return LoadState::Loading;
    if (m_out.failed.contains(page))
        return LoadState::Failed;
    return LoadState::NotLoaded;
}

std::optional<Memory> MemoryTableModel::memoryAt(int row) const
{
    const Memory* m = shownRow(row);
    return m ? std::optional<Memory>(*m) : std::nullopt;
}

int MemoryTableModel::loadedRowOf(const QString& id) const
{
    for (const qsizetype page : m_cache.pagesByRecency()) {
        const QList<Memory>* rows = m_cache.peek(page);
        for (qsizetype i = 0; i < rows->size(); ++i) {
            if (rows->at(i).id == id) {
                const qint64 row = qint64(page) * m_pageSize + i;
                return row < m_rows ? int(row) : -1;
            }
        }
    }
    return -1;
}

bool MemoryTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::EditRole || !index.isValid()
        || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    const Memory* shown = shownRow(index.row());
    if (!shown)
        return false;
    const Memory before = *shown;
    const MemoryColumn column = col(index);
    if (!isEditingEnabled()) {
        Q_EMIT editRejected(before.id,
                            isStoreReadOnly() ? tr("the store is open read-only")
                                              : tr("editing is not switched on for this store"));
        return false;
    }
    Memory after = before;
    const QString error = MemoryFields::applyEdit(after, column, value);
    if (!error.isEmpty()) {
        Q_EMIT editRejected(before.id, tr("memory %1: %2").arg(before.id, error));
        return false;
    }
    if (after.sameFields(before))
        return true;
    after.updatedAt = qMax(QDateTime::currentSecsSinceEpoch(), after.createdAt);
    pushChange({{before, after}}, tr("Edit %1 of %2").arg(MemoryFields::title(column).toLower(), before.id));
    return true;
}

bool MemoryTableModel::updateMemories(const QList<Memory>& edited, const QString& text, QString* error)
{
    auto reject = [&](const QString& id, const QString& why) {
        if (error)
            *error = why;
        Q_EMIT editRejected(id, why);
        return false;
    };
    if (!isEditingEnabled())
        return reject(QString(),
                      isStoreReadOnly() ? tr("the store is open read-only")
                                        : tr("editing is not switched on for this store"));
    QList<std::pair<std::optional<Memory>, std::optional<Memory>>> changes;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (const Memory& e : edited) {
        const int row = loadedRowOf(e.id);
        const Memory* before = row >= 0 ? shownRow(row) : nullptr;
        if (!before)
            return reject(e.id, tr("memory %1 is not loaded").arg(e.id));
        // the edit goes through the same checks as a cell edit, field by field
        Memory after = *before;
        for (int c = 0; c < MemoryFields::columnCount(); ++c) {
            const auto column = MemoryColumn(c);
            if (!MemoryFields::isEditable(column) || column == MemoryColumn::TombstonedAt)
                continue;
            const QVariant wanted = MemoryFields::rawValue(e, column);
            if (wanted == MemoryFields::rawValue(after, column))
                continue;
            const QVariant input = column == MemoryColumn::Tags ? QVariant(e.tags)
                : column == MemoryColumn::ExpiresAt             ? QVariant(MemoryFields::editText(e, column))
                                                                : QVariant(MemoryFields::editText(e, column));
            const QString why = MemoryFields::applyEdit(after, column, input);
            if (!why.isEmpty())
                return reject(e.id, tr("memory %1: %2").arg(e.id, why));
            if (column == MemoryColumn::ExpiresAt)
                after.expiresAt = e.expiresAt; // exact seconds, not the minute-rounded text
        }
        if (e.tombstonedAt != after.tombstonedAt)
            after.tombstonedAt = e.tombstonedAt;
        if (after.sameFields(*before))
            continue;
        after.updatedAt = qMax(now, after.createdAt);
        changes.append({*before, after});
    }
    if (!changes.isEmpty())
        pushChange(changes, text);
    return true;
}

void MemoryTableModel::setTombstoned(const QList<Memory>& memories, bool tombstoned)
{
    // subcog's soft delete and restore: the status and tombstoned_at move together
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QList<std::pair<std::optional<Memory>, std::optional<Memory>>> changes;
    for (const Memory& m : memories) {
        if (m.isTombstoned() == tombstoned)
            continue;
        Memory after = m;
        after.status = statusName(tombstoned ? MemoryStatus::Tombstoned : MemoryStatus::Active);
        after.tombstonedAt = tombstoned ? std::optional<qint64>(now) : std::nullopt;
        after.updatedAt = qMax(now, m.createdAt);
        changes.append({m, after});
    }
    if (changes.isEmpty())
        return;
    const int n = int(changes.size());
    if (tombstoned)
        pushChange(changes, n == 1 ? tr("Delete 1 memory") : tr("Delete %1 memories").arg(n));
    else
        pushChange(changes, n == 1 ? tr("Restore 1 memory") : tr("Restore %1 memories").arg(n));
}

void MemoryTableModel::softDelete(const QList<Memory>& memories)
{
    setTombstoned(memories, true);
}

void MemoryTableModel::restore(const QList<Memory>& memories)
{
    setTombstoned(memories, false);
}

void MemoryTableModel::hardDelete(const QList<Memory>& memories)
{
    QList<std::pair<std::optional<Memory>, std::optional<Memory>>> changes;
    for (const Memory& m : memories)
        changes.append({m, std::nullopt});
    if (changes.isEmpty())
        return;
    const int n = int(changes.size());
    pushChange(changes, n == 1 ? tr("Permanently delete 1 memory") : tr("Permanently delete %1 memories").arg(n));
}

void MemoryTableModel::pushChange(const QList<std::pair<std::optional<Memory>, std::optional<Memory>>>& changes,
                                  const QString& text)
{
    if (!isEditingEnabled()) {
        Q_EMIT editRejected(QString(),
                            isStoreReadOnly() ? tr("the store is open read-only")
                                              : tr("editing is not switched on for this store"));
        return;
    }
    m_undoStack->push(new MemoryChangeCommand(this, changes, text));
}

void MemoryTableModel::submitWrites(const QList<WriteOp>& ops, std::shared_ptr<bool> failed)
{
    if (!m_session->isOpen() || ops.isEmpty()) {
        if (failed)
            *failed = true;
        return;
    }
    StoreSession::Handler h;
    h.written = [this](RequestId id, const QList<WriteResult>& results) { onWrite(id, results); };
    h.failed = [this](RequestId id, quint64, const StorageError& error) {
        QList<WriteResult> results;
        for (const WriteOp& op : m_edits.ops(id))
            results << WriteResult {op.id, WriteResult::Outcome::Failed, std::nullopt, error.message()};
        // the store state is unknown, so the rows are read again rather than taken from the reply
        onWrite(id, results);
    };
    m_edits.add(m_session->write(ops, std::move(h)), ops, std::move(failed));
    for (const WriteOp& op : ops)
        emitRowChanged(op.id);
}

void MemoryTableModel::onWrite(RequestId id, const QList<WriteResult>& results)
{
    const std::optional<PendingWrite> request = m_edits.finish(id);
    if (!request)
        return;
    int written = 0;
    bool anyLanded = false;
    for (qsizetype i = 0; i < results.size(); ++i) {
        const WriteResult& r = results[i];
        const WriteOp& op = request->ops.value(i);
        switch (r.outcome) {
        case WriteResult::Outcome::Written:
            ++written;
            anyLanded = true;
            updateCached(r.id, r.current);
            break;
        case WriteResult::Outcome::Unchanged:
            anyLanded = true;
            updateCached(r.id, r.current);
            break;
        case WriteResult::Outcome::Conflict:
            updateCached(r.id, r.current); // the rows now show what the store holds
            Q_EMIT writeConflict(op.desired.value_or(op.expected.value_or(Memory {})), r.current.value_or(Memory {}),
                                 r.current.has_value(), r.message);
            break;
        case WriteResult::Outcome::Failed:
            Q_EMIT writeFailed(r.id, tr("memory %1: %2").arg(r.id, r.message));
            break;
        }
        emitRowChanged(r.id);
    }
    if (!anyLanded && request->failed)
        *request->failed = true; // its undo/redo becomes a no-op and the stack drops it
    if (written > 0) {
        Q_EMIT writesApplied(written);
        refresh(); // the rows may have left the filter or moved in the sort order
    }
    checkIdle();
}

void MemoryTableModel::updateCached(const QString& id, const std::optional<Memory>& memory)
{
    if (!memory)
        return; // a deleted row disappears with the refresh that follows
    for (const qsizetype page : m_cache.pagesByRecency()) {
        QList<Memory>* rows = m_cache.peek(page);
        for (Memory& m : *rows) {
            if (m.id == id)
                m = *memory;
        }
    }
}

void MemoryTableModel::emitRowChanged(const QString& id)
{
    const int row = loadedRowOf(id);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
}

RequestId MemoryTableModel::fetchRows(qint64 first, qint64 count, int batchSize)
{
    return fetchRows({{first, count}}, batchSize);
}

RequestId MemoryTableModel::fetchRows(const QList<std::pair<qint64, qint64>>& ranges, int batchSize)
{
    return m_session->fetchRows(m_query, ranges, batchSize);
}

RequestId MemoryTableModel::fetchIds(const QStringList& ids, int batchSize)
{
    return m_session->fetchIds(ids, batchSize);
}

void MemoryTableModel::cancelFetch(RequestId id)
{
    m_session->cancelFetch(id);
}

void MemoryTableModel::setChangeCheckInterval(int milliseconds)
{
    m_session->setChangeCheckInterval(milliseconds);
}

void MemoryTableModel::checkForChanges()
{
    m_session->checkForChanges();
}

void MemoryTableModel::refresh()
{
    if (!m_session->isOpen())
        return;
    // Reading the change token first makes a folder store look at its files again (another program may have
    // written some); the worker answers in order, so the pages below see them. That token is the new baseline.
    m_session->rebaseline();
    ++m_fresh.epoch;
    m_signposts.bounds.clear(); // cursors may point at rows that moved
    dropAnchors();
    m_out.failed.clear();
    m_view.wanted.clear();
    m_view.deferred.clear();
    m_out.staged.clear();
    // what was asked before may be stale: asked again below
    cancelOutstanding();
    m_out.requests.clear();
    m_out.refreshing.clear();
    m_out.inFlight.clear();
    QList<qsizetype> pages = m_cache.pagesByRecency().mid(0, kMaxRefreshPages);
    for (const qsizetype page : m_cache.pagesByRecency()) {
        if (!pages.contains(page))
            m_cache.remove(page);
    }
    if (pages.isEmpty())
        pages << 0;
    std::sort(pages.begin(), pages.end());
    for (qsizetype i = 0; i < pages.size();) {
        qsizetype j = i + 1;
        while (j < pages.size() && pages[j] == pages[j - 1] + 1)
            ++j;
        requestPages(pages[i], int(j - i), true);
        i = j;
    }
    requestCount();
}

bool MemoryTableModel::isBusy() const
{
    return !m_out.requests.isEmpty() || m_counting.request || m_edits.isWriting() || m_session->isBusy()
        || !m_view.wanted.isEmpty() || !m_view.deferred.isEmpty() || m_counting.yielded || m_locating.request
        || m_anchorWalk.request;
}

void MemoryTableModel::checkIdle()
{
    if (!isBusy())
        Q_EMIT idle();
}

} // namespace Inspector
