// SPDX-License-Identifier: MIT
#include "memorytablemodel.h"

#include "exportfile.h"
#include "memorycommands.h"
#include "storeopener.h"

#include <QBrush>
#include <QDateTime>
#include <QFont>
#include <QLoggingCategory>
#include <QScopedValueRollback>
#include <QUndoStack>

using namespace Qt::StringLiterals;

namespace Inspector {

Q_LOGGING_CATEGORY(lcPages, "inspector.model.pages", QtWarningMsg)

namespace {
constexpr int kMaxRefreshPages = 6; // the pages in view and around it; the rest are dropped and reloaded on use
constexpr int kDefaultChangeCheckMs = 1500;
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
    , m_undoStack(new QUndoStack(this))
    , m_cache(5000)
{
    qRegisterMetaType<RequestId>("Inspector::RequestId");
    qRegisterMetaType<Memory>();
    qRegisterMetaType<QList<Memory>>();
    qRegisterMetaType<QList<RecordIssue>>();
    m_wantTimer.setSingleShot(true);
    m_wantTimer.setInterval(0);
    connect(&m_wantTimer, &QTimer::timeout, this, &MemoryTableModel::sendWanted);
    m_changeTimer.setInterval(kDefaultChangeCheckMs);
    connect(&m_changeTimer, &QTimer::timeout, this, &MemoryTableModel::checkForChanges);
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
    m_client = new BackendClient(std::move(factory), this);
    connect(m_client, &BackendClient::opened, this,
            [this](RequestId, const QString& location, const QStringList& layout, bool readOnly) {
                m_openRequest = 0;
                m_location = location;
                m_layout = layout;
                m_storeReadOnly = readOnly;
                if (m_changeTimer.interval() > 0)
                    m_changeTimer.start();
                Q_EMIT storeOpened(location, layout, readOnly);
                Q_EMIT editingEnabledChanged(isEditingEnabled());
                checkIdle();
            });
    connect(m_client, &BackendClient::pageLoaded, this,
            [this](RequestId id, quint64 generation, const MemoryQuery&, const Page& page) {
                onPage(id, generation, page);
            });
    connect(m_client, &BackendClient::countAvailable, this, &MemoryTableModel::onCount);
    connect(m_client, &BackendClient::anchorsFound, this, &MemoryTableModel::onAnchors);
    connect(m_client, &BackendClient::rowFound, this,
            [this](RequestId id, quint64 generation, const QString&, qint64 row) { onRowFound(id, generation, row); });
    connect(m_client, &BackendClient::failed, this, &MemoryTableModel::onFailed);
    connect(m_client, &BackendClient::writeFinished, this, &MemoryTableModel::onWrite);
    connect(m_client, &BackendClient::changeTokenRead, this, &MemoryTableModel::onToken);
    connect(m_client, &BackendClient::jobProgress, this, [this](RequestId id, qint64 done, qint64 total) {
        if (m_jobs.contains(id))
            Q_EMIT jobProgress(id, done, total);
    });
    connect(m_client, &BackendClient::jobFinished, this, [this](RequestId id, bool cancelled, const QString& summary) {
        if (!m_jobs.remove(id))
            return;
        m_fetches.remove(id);
        Q_EMIT jobFinished(id, cancelled, false, summary);
        checkIdle();
    });
    connect(m_client, &BackendClient::batchLoaded, this,
            [this](RequestId id, const QList<Memory>& memories, qint64 done, qint64 total) {
                if (m_fetches.contains(id))
                    Q_EMIT fetchProgress(id, memories, done, total);
            });
    connect(m_client, &BackendClient::batchFinished, this,
            [this](RequestId id, bool cancelled, const QList<RecordIssue>& issues) {
                if (m_fetches.remove(id))
                    Q_EMIT fetchFinished(id, cancelled, issues);
                checkIdle();
            });
    m_openFailed = false;
    m_openRequest = m_client->open();
    reset();
}

void MemoryTableModel::closeStore()
{
    if (!m_client)
        return;
    m_changeTimer.stop();
    // commands refer to memories of this store; they cannot be undone in another one
    m_undoStack->clear();
    beginResetModel();
    // deleted from the event loop, since this may run inside one of the client's own signals; its destructor
    // does not wait for a request the store is still answering, whose reply then goes nowhere
    m_client->disconnect(this);
    m_client->deleteLater();
    m_client = nullptr;
    ++m_generation;
    m_rows = 0;
    m_count.reset();
    m_cache.clear();
    m_bounds.clear();
    m_anchors.clear();
    m_tailAnchors.clear();
    m_anchorRequest = 0;
    m_anchorsDone = false;
    m_pageRequests.clear();
    m_inFlight.clear();
    m_wanted.clear();
    m_failedPages.clear();
    m_refreshRequests.clear();
    m_staged.clear();
    m_pending.clear();
    m_writes.clear();
    m_fetches.clear();
    m_summaryRequests.clear();
    m_lookups.clear();
    m_locateRequest = 0;
    m_locateId.clear();
    m_jobs.clear();
    m_token.reset();
    m_tokenRequest = 0;
    m_tokenIsBaseline = false;
    m_location.clear();
    m_layout.clear();
    m_storeReadOnly = true;
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
    if (m_locateRequest && m_client)
        m_client->cancel(m_locateRequest); // a row of the old order
    m_locateRequest = 0;
    m_locateId.clear();
    beginResetModel();
    ++m_generation;
    ++m_epoch;
    m_rows = 0;
    m_count.reset();
    m_moreAfterLoaded = false;
    m_cache.clear();
    m_bounds.clear();
    m_pageRequests.clear();
    m_inFlight.clear();
    m_wanted.clear();
    m_failedPages.clear();
    m_refreshRequests.clear();
    m_staged.clear();
    m_deferred.clear();
    m_touched.clear();
    m_countYielded = false;
    endResetModel();
    requestStart();
}

void MemoryTableModel::requestStart()
{
    if (!m_client)
        return;
    // the first page and the count are independent requests: rows show as soon as the page is there
    requestPages(0, 1, false);
    requestCount();
}

void MemoryTableModel::requestCount()
{
    m_countYielded = false;
    m_countRequest = m_client->requestCount(m_generation, m_query.filter);
    m_countSent.start();
}

void MemoryTableModel::dropAnchors()
{
    if (m_anchorRequest && m_client)
        m_client->cancel(m_anchorRequest);
    m_anchorRequest = 0;
    m_anchors.clear();
    m_tailAnchors.clear();
    m_anchorsDone = false;
}

void MemoryTableModel::continueAnchors()
{
    if (!m_client || m_anchorRequest || m_anchorsDone || !m_count || viewRequestsOut() > 0 || !m_deferred.isEmpty())
        return;
    // a few pages need none; a full-text filter would pay its per-row test on every row walked
    if (*m_count <= qint64(4) * m_pageSize || !m_query.filter.words.isEmpty()) {
        m_anchorsDone = true;
        return;
    }
    if ((m_anchors.size() + m_tailAnchors.size() + 1) * qint64(anchorStep()) >= *m_count) {
        m_anchorsDone = true; // the two walks met
        return;
    }
    MemoryQuery q = m_query;
    // from the end only where the store walks backwards as cheaply (PostgreSQL sorted a whole table for one)
    m_tailRequest = m_tailAnchorsWanted && m_tailAnchors.size() < m_anchors.size();
    const QList<Cursor>& from = m_tailRequest ? m_tailAnchors : m_anchors;
    q.fromEnd = m_tailRequest;
    q.after = from.isEmpty() ? std::nullopt : std::optional<Cursor>(from.last());
    const qint64 left = *m_count / anchorStep() - m_anchors.size() - m_tailAnchors.size();
    m_anchorRequest = m_client->requestAnchors(m_generation, q, anchorStep(),
                                               int(qBound<qint64>(1, left, qint64(m_anchorsPerRequest))));
}

void MemoryTableModel::onAnchors(RequestId id, quint64 generation, const QList<Cursor>& anchors, bool atEnd)
{
    if (id != m_anchorRequest)
        return;
    m_anchorRequest = 0;
    qCDebug(lcPages) << "anchors" << id << "answered" << anchors.size() << "at end" << atEnd;
    if (generation != m_generation)
        return;
    (m_tailRequest ? m_tailAnchors : m_anchors).append(anchors);
    m_anchorsDone = atEnd || anchors.isEmpty();
    continueAnchors();
    checkIdle();
}

void MemoryTableModel::cancelOutstanding()
{
    if (!m_client)
        return;
    for (auto it = m_pageRequests.cbegin(); it != m_pageRequests.cend(); ++it)
        m_client->cancel(it.key());
    if (m_countRequest)
        m_client->cancel(m_countRequest);
    m_countRequest = 0;
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
        if (!m_matching)
            want(page);
        return nullptr;
    }
    const qsizetype at = row - page * m_pageSize;
    return at < rows->size() ? &rows->at(at) : nullptr;
}

QModelIndexList MemoryTableModel::match(const QModelIndex& start, int role, const QVariant& value, int hits,
                                        Qt::MatchFlags flags) const
{
    const QScopedValueRollback skipUnloaded(m_matching, true);
    return QAbstractTableModel::match(start, role, value, hits, flags);
}

const Memory* MemoryTableModel::shownRow(int row) const
{
    const Memory* stored = storedRow(row);
    if (!stored)
        return nullptr;
    const auto it = m_pending.constFind(stored->id);
    if (it != m_pending.constEnd() && it->shown)
        return &*it->shown;
    return stored;
}

void MemoryTableModel::want(qsizetype page) const
{
    if (!m_client || m_failedPages.contains(page))
        return;
    m_touched.insert(page);
    if (m_inFlight.contains(page) || m_wanted.contains(page)) {
        // another request may be for rows scrolled past (the last step of a drag): the next tick stops it
        if (viewRequestsOut() > 1 && !m_wantTimer.isActive())
            m_wantTimer.start();
        return;
    }
    m_wanted << page;
    if (!m_wantTimer.isActive())
        m_wantTimer.start();
}

void MemoryTableModel::sendWanted()
{
    QList<qsizetype> pages = m_wanted;
    m_wanted.clear();
    const QSet<qsizetype> touched = std::exchange(m_touched, {});
    if (!m_client || (pages.isEmpty() && touched.isEmpty()))
        return;
    // Requests for pages the view no longer shows are superseded by these: stopped, so the newest run next.
    for (auto it = m_pageRequests.begin(); it != m_pageRequests.end();) {
        bool seen = false;
        for (qsizetype p = it->firstPage; p < it->firstPage + it->pages && !seen; ++p)
            seen = touched.contains(p);
        if (!it->forView || seen) {
            ++it;
            continue;
        }
        m_client->cancel(it.key());
        qCDebug(lcPages) << "page request" << it.key() << "cancelled";
        for (qsizetype p = it->firstPage; p < it->firstPage + it->pages; ++p)
            m_inFlight.remove(p);
        // rows still on screen that a scroll did not repaint would stay "loading": a view repaints (and asks
        // again) what it still shows
        const qint64 first = qint64(it->firstPage) * m_pageSize;
        const qint64 last = qMin<qint64>(first + qint64(it->pages) * m_pageSize, m_rows) - 1;
        it = m_pageRequests.erase(it);
        if (last >= first)
            Q_EMIT dataChanged(index(int(first), 0), index(int(last), 0), {LoadStateRole});
    }
    // only the newest wish waits: pages wanted before it are behind the view already
    m_deferred = sendPages(pages);
    if (m_countRequest && (!m_deferred.isEmpty() || viewRequestsOut() > 0) && m_countSent.elapsed() > kCountYieldMs) {
        // a slow count holds the only worker: it starts again once the rows on screen are there
        m_client->cancel(m_countRequest);
        m_countRequest = 0;
        m_countYielded = true;
    }
    checkIdle();
}

QList<qsizetype> MemoryTableModel::sendPages(QList<qsizetype> pages)
{
    pages.erase(std::remove_if(pages.begin(), pages.end(),
                               [this](qsizetype p) {
                                   return m_cache.contains(p) || m_inFlight.contains(p) || m_failedPages.contains(p)
                                       || qint64(p) * m_pageSize >= qMax<qint64>(m_rows, 1);
                               }),
                pages.end());
    std::sort(pages.begin(), pages.end());
    pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
    // a page next to one on its way waits for it: then it is a keyset seek from that page, not a second walk
    QList<qsizetype> later;
    pages.erase(std::remove_if(pages.begin(), pages.end(),
                               [&](qsizetype p) {
                                   const bool wait = m_inFlight.contains(p - 1) || m_inFlight.contains(p + 1);
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
        m_pageRequests[id].forView = true;
        i = j;
    }
    return pages.mid(i) + later;
}

int MemoryTableModel::viewRequestsOut() const
{
    int n = 0;
    for (const PageRequest& r : m_pageRequests)
        n += r.forView;
    return n;
}

void MemoryTableModel::sendDeferred()
{
    if (m_client && !m_deferred.isEmpty() && viewRequestsOut() < kMaxViewRequests)
        m_deferred = sendPages(std::exchange(m_deferred, {}));
    if (m_countYielded && m_client && viewRequestsOut() == 0 && m_deferred.isEmpty())
        requestCount();
}

RequestId MemoryTableModel::requestPages(qsizetype firstPage, int pages, bool refresh)
{
    if (!m_client)
        return 0;
    MemoryQuery q = m_query;
    q.withContent = true;
    q.limit = pages * m_pageSize;
    const qint64 firstRow = qint64(firstPage) * m_pageSize;
    const qint64 endRow = firstRow + q.limit;
    if (firstPage == 0) {
        // from the start
    } else if (const auto before = m_bounds.constFind(firstPage - 1); before != m_bounds.constEnd()) {
        q.after = before->last;
    } else if (const auto after = m_bounds.constFind(firstPage + pages); after != m_bounds.constEnd()) {
        q.fromEnd = true;
        q.after = after->first;
    } else if (m_count && endRow >= *m_count) {
        // the tail: read backwards from the far end, which the sort index serves as cheaply as the start
        q.fromEnd = true;
        q.limit = int(qMax<qint64>(0, *m_count - firstRow));
    } else {
        // an OFFSET walk from wherever is nearest: the start, the end, or the last anchor at or before the page
        const qint64 anchor = qMin<qint64>(firstRow / anchorStep(), m_anchors.size()) - 1;
        const qint64 fromAnchor = anchor >= 0 ? firstRow - (anchor + 1) * anchorStep() : firstRow;
        qint64 fromEnd = std::numeric_limits<qint64>::max();
        qint64 tail = -1;
        if (m_count) {
            // the last tail anchor at or after the page's end: tail anchor j is row count - (j + 1) * step
            tail = qMin<qint64>((*m_count - endRow) / anchorStep(), m_tailAnchors.size()) - 1;
            fromEnd = tail >= 0 ? *m_count - (tail + 1) * anchorStep() - endRow : *m_count - endRow;
        }
        if (fromEnd < fromAnchor) {
            q.fromEnd = true;
            if (tail >= 0)
                q.after = m_tailAnchors.at(tail);
            q.skip = fromEnd;
        } else {
            if (anchor >= 0)
                q.after = m_anchors.at(anchor);
            q.skip = fromAnchor;
        }
    }
    for (int p = 0; p < pages; ++p)
        m_inFlight.insert(firstPage + p);
    const RequestId id = m_client->requestPage(m_generation, q);
    qCDebug(lcPages) << "page request" << id << "pages" << firstPage << "+" << pages << "skip" << q.skip << "after"
                     << q.after.has_value() << "fromEnd" << q.fromEnd << "anchors" << m_anchors.size()
                     << m_tailAnchors.size();
    m_pageRequests.insert(id, PageRequest {firstPage, pages, m_epoch, refresh});
    if (refresh)
        m_refreshRequests.insert(id);
    // rows of pages on their way now show as loading
    const int first = int(qMin<qint64>(firstRow, m_rows));
    const int last = int(qMin<qint64>(endRow, m_rows)) - 1;
    if (last >= first && !refresh)
        Q_EMIT dataChanged(index(first, 0), index(last, 0), {LoadStateRole});
    return id;
}

RequestId MemoryTableModel::runJob(BackendClient::Job job)
{
    if (!m_client)
        return 0;
    const RequestId id = m_client->requestJob(std::move(job));
    m_jobs.insert(id);
    m_fetches.insert(id); // cancelled like a fetch
    return id;
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
    return runJob([source, format, path](PersistenceBackend& store, const auto& progress) -> QString {
        refuseExportOntoStore(path, store);
        ExportFile file(path);
        file.open();
        ExportReport report;
        try {
            report = Exporter(store, format).run(source, file.device(), progress);
        } catch (const StorageError& e) {
            if (e.kind() == StorageError::Kind::Cancelled) {
                file.cancel(); // stopped by Cancel while the store was reading: no file, no error
                return tr("Export cancelled; %1 was not written.").arg(path);
            }
            const QString reason = e.kind() == StorageError::Kind::OutputFailed ? file.failureReason() : e.message();
            file.cancel();
            throw StorageError(StorageError::Kind::OperationFailed,
                               path + u": "_s + reason + (file.replaces() ? u"; nothing was written"_s : QString()));
        }
        if (report.cancelled) {
            file.cancel();
            return tr("Export cancelled; %1 was not written.").arg(path);
        }
        file.commit();
        QString summary = tr("%1 of %Ln memories written to %2.", "", int(qMin<qint64>(report.expected, INT_MAX)))
                              .arg(report.written)
                              .arg(path);
        if (!report.skipped.isEmpty()) {
            QStringList lines;
            for (const RecordIssue& issue : std::as_const(report.skipped).mid(0, 10))
                lines << issue.id + u": "_s + issue.reason;
            summary += u' ' + tr("Not written: %1").arg(lines.join(u"; "_s))
                + (report.skipped.size() > 10 ? tr(" and %1 more").arg(report.skipped.size() - 10) : QString());
        }
        if (!report.warnings.isEmpty()) {
            QStringList lines;
            for (const RecordIssue& issue : std::as_const(report.warnings).mid(0, 10))
                lines << issue.id + u": "_s + issue.reason;
            summary += u' ' + tr("Warnings: %1").arg(lines.join(u"; "_s))
                + (report.warnings.size() > 10 ? tr(" and %1 more").arg(report.warnings.size() - 10) : QString());
        }
        return summary;
    });
}

RequestId MemoryTableModel::copyTo(const ExportSource& source, const QString& targetSpec, OnConflict onConflict,
                                   bool dryRun)
{
    return runJob([source, targetSpec, onConflict, dryRun](PersistenceBackend& store, const auto& progress) -> QString {
        OpenOptions options;
        options.create = !dryRun;
        options.readOnly = dryRun;
        auto target = Inspector::openStore(targetSpec, options);
        if (target->kind() == store.kind() && target->location() == store.location())
            throw StorageError(StorageError::Kind::InvalidInput, tr("the target is the store that is open"));
        const CopyReport r = Copier(store, *target).run(source, onConflict, dryRun, [&](const CopyReport& soFar) {
            return progress(soFar.read, soFar.expected);
        });
        QString summary = (dryRun ? tr("Dry run, nothing written: %1 of %2 read; %3 would be created, %4 overwritten")
                                  : tr("%1 of %2 read; %3 created, %4 overwritten"))
                              .arg(r.read)
                              .arg(r.expected)
                              .arg(r.created)
                              .arg(r.overwritten)
            + u", "_s
            + tr("%1 already equal, %2 skipped, %3 failed.").arg(r.unchanged).arg(r.skipped).arg(r.failed.size());
        if (!r.stoppedAt.isEmpty())
            summary += u' ' + tr("Stopped at %1: the target holds it with other values.").arg(r.stoppedAt);
        for (const RecordIssue& issue : std::as_const(r.failed).mid(0, 5))
            summary += u' ' + issue.id + u": "_s + issue.reason + u'.';
        // what is kept around the memories: said, never dropped without a word
        const qint64 embeddingsLeft = r.embeddingsNotCarried + r.embeddingsUnreadable + r.embeddingsRefused.size();
        if (r.embeddingsCarried || embeddingsLeft)
            summary
                += u' ' + tr("Embeddings: %1 carried, %2 not carried.").arg(r.embeddingsCarried).arg(embeddingsLeft);
        if (r.embeddingsNotCarried)
            summary += u' ' + tr("The target cannot hold embeddings: %1.").arg(r.embeddingsNotCarriedReason);
        if (r.edgesCarried || r.edgesNotCarried || r.edgesDangling)
            summary += u' '
                + tr("Edges: %1 carried, %2 not carried (%3 with an end not copied).")
                      .arg(r.edgesCarried)
                      .arg(r.edgesNotCarried + r.edgesDangling)
                      .arg(r.edgesDangling);
        if (!r.warnings.isEmpty())
            summary += u' ' + tr("%1 warnings:").arg(r.warnings.size());
        for (const RecordIssue& issue : std::as_const(r.warnings).mid(0, 5))
            summary += u' ' + issue.id + u": "_s + issue.reason + u'.';
        return summary;
    });
}

void MemoryTableModel::findSummariesOf(const QString& id)
{
    if (!m_client || id.isEmpty())
        return;
    MemoryQuery q;
    q.filter.summarizing = {id};
    q.withContent = false;
    q.limit = 100;
    m_summaryRequests.insert(m_client->requestPage(0, q), id);
}

RequestId MemoryTableModel::lookUp(const MemoryQuery& query)
{
    if (!m_client)
        return 0;
    const RequestId id = m_client->requestPage(0, query);
    m_lookups.insert(id);
    return id;
}

void MemoryTableModel::locate(const QString& id)
{
    if (!m_client)
        return;
    if (m_locateRequest)
        m_client->cancel(m_locateRequest); // only the newest jump matters
    m_locateId = id;
    m_locateRequest = m_client->requestRowOf(m_generation, m_query, id);
}

void MemoryTableModel::onRowFound(RequestId id, quint64 generation, qint64 row)
{
    if (id != m_locateRequest)
        return;
    m_locateRequest = 0;
    const QString memoryId = std::exchange(m_locateId, QString());
    // a new filter or sort since: the row is of another order
    Q_EMIT located(memoryId, generation == m_generation ? row : -1);
    checkIdle();
}

void MemoryTableModel::onPage(RequestId id, quint64 generation, const Page& page)
{
    if (m_lookups.remove(id)) {
        Q_EMIT lookedUp(id, page.memories);
        checkIdle();
        return;
    }
    if (const auto s = m_summaryRequests.find(id); s != m_summaryRequests.end()) {
        const QString of = *s;
        m_summaryRequests.erase(s);
        QStringList ids;
        for (const Memory& m : page.memories)
            ids << m.id;
        Q_EMIT summariesFound(of, ids);
        return;
    }
    const auto it = m_pageRequests.find(id);
    if (it == m_pageRequests.end() || generation != m_generation)
        return; // a reply for a filter, sort or store left behind
    const PageRequest request = *it;
    qCDebug(lcPages) << "page request" << id << "answered";
    m_pageRequests.erase(it);
    const bool refreshing = m_refreshRequests.remove(id);
    if (request.epoch != m_epoch) {
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
        m_inFlight.remove(k);
        if (refreshing)
            m_staged.insert(k, std::move(chunk));
        else
            installPage(k, std::move(chunk));
        if (rows.isEmpty())
            break;
    }
    // pages asked for but not returned (the store shrank) are done too
    for (qsizetype p = k; p < request.firstPage + request.pages; ++p)
        m_inFlight.remove(p);

    if (!m_count) {
        // before the count: rows grow with what has been read in order from the start
        const qint64 loaded = qint64(request.firstPage) * m_pageSize + rows.size();
        if (!refreshing && loaded > m_rows)
            setRows(loaded);
        m_moreAfterLoaded = page.next.has_value();
    }
    if (refreshing && m_refreshRequests.isEmpty())
        applyStaged();
    sendDeferred();
    continueAnchors();
    checkIdle();
}

void MemoryTableModel::installPage(qsizetype page, QList<Memory> rows)
{
    if (!rows.isEmpty())
        m_bounds.insert(page,
                        Bounds {Cursor::of(rows.first(), m_query.sortKey), Cursor::of(rows.last(), m_query.sortKey)});
    const qsizetype n = rows.size();
    m_cache.insert(page, std::move(rows));
    m_failedPages.remove(page);
    const qint64 first = qint64(page) * m_pageSize;
    const qint64 last = qMin<qint64>(first + qMax<qsizetype>(n, m_pageSize), m_rows) - 1;
    if (last >= first)
        Q_EMIT dataChanged(index(int(first), 0), index(int(last), columnCount() - 1));
}

void MemoryTableModel::applyStaged()
{
    // Where did the memories of persistent indexes (selection, current row) go? Follow them by id.
    QHash<QString, int> newRow;
    for (auto it = m_staged.cbegin(); it != m_staged.cend(); ++it) {
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
    for (auto it = m_staged.begin(); it != m_staged.end(); ++it) {
        QList<Memory> rows = std::move(*it);
        if (!rows.isEmpty())
            m_bounds.insert(
                it.key(), Bounds {Cursor::of(rows.first(), m_query.sortKey), Cursor::of(rows.last(), m_query.sortKey)});
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
    for (auto it = m_staged.cbegin(); it != m_staged.cend(); ++it) {
        const qint64 first = qint64(it.key()) * m_pageSize;
        const qint64 last = qMin<qint64>(first + m_pageSize, m_rows) - 1;
        if (last >= first)
            Q_EMIT dataChanged(index(int(first), 0), index(int(last), columnCount() - 1));
    }
    m_staged.clear();
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
                m_bounds.remove(page);
            }
        }
        endRemoveRows();
    }
}

void MemoryTableModel::onCount(RequestId id, quint64 generation, qint64 count)
{
    if (generation != m_generation || id != m_countRequest)
        return;
    m_countRequest = 0;
    m_count = count;
    setRows(count);
    Q_EMIT countChanged(count);
    continueAnchors();
    checkIdle();
}

void MemoryTableModel::onFailed(RequestId id, quint64 generation, int kind, const QString& message)
{
    Q_UNUSED(kind);
    if (id == m_openRequest) {
        m_openRequest = 0;
        m_openFailed = true;
        Q_EMIT storeFailed(message);
        checkIdle();
        return;
    }
    if (m_summaryRequests.remove(id)) {
        checkIdle();
        return; // the links back are a convenience; the pane simply shows none
    }
    if (m_lookups.remove(id)) {
        Q_EMIT lookedUp(id, {});
        checkIdle();
        return;
    }
    if (id == m_anchorRequest) {
        // signposts are a speed-up: without them pages are found with OFFSET, as before
        qCDebug(lcPages) << "anchors" << id << "failed:" << message;
        m_anchorRequest = 0;
        m_anchorsDone = true;
        checkIdle();
        return;
    }
    if (id == m_locateRequest) {
        Q_EMIT loadFailed(message);
        onRowFound(id, generation, -1);
        return;
    }
    if (m_openFailed) {
        // everything asked of a store that did not open fails the same way; storeFailed said it once
        m_pageRequests.remove(id);
        m_refreshRequests.remove(id);
        if (id == m_countRequest)
            m_countRequest = 0;
        if (id == m_tokenRequest)
            m_tokenRequest = 0;
        m_fetches.remove(id);
        m_inFlight.clear();
        checkIdle();
        return;
    }
    if (const auto it = m_pageRequests.find(id); it != m_pageRequests.end()) {
        const PageRequest request = *it;
        m_pageRequests.erase(it);
        if (m_refreshRequests.remove(id) && m_refreshRequests.isEmpty())
            applyStaged();
        if (generation == m_generation && request.epoch == m_epoch) {
            for (qsizetype p = request.firstPage; p < request.firstPage + request.pages; ++p) {
                m_inFlight.remove(p);
                m_failedPages.insert(p); // not asked again until a refresh: no request storm on a dead server
            }
            Q_EMIT loadFailed(message);
        }
        sendDeferred();
    } else if (id == m_countRequest) {
        m_countRequest = 0;
        Q_EMIT loadFailed(message);
    } else if (const auto w = m_writes.find(id); w != m_writes.end()) {
        QList<WriteResult> results;
        for (const WriteOp& op : std::as_const(w->ops))
            results << WriteResult {op.id, WriteResult::Outcome::Failed, std::nullopt, message};
        // the store state is unknown, so the rows are read again rather than taken from the reply
        onWrite(id, results);
        return;
    } else if (id == m_tokenRequest) {
        m_tokenRequest = 0;
    } else if (m_jobs.remove(id)) {
        m_fetches.remove(id);
        Q_EMIT jobFinished(id, false, true, message);
    } else if (m_fetches.remove(id)) {
        Q_EMIT loadFailed(message);
        Q_EMIT fetchFinished(id, false, {RecordIssue {QString(), message, true}});
    }
    checkIdle();
}

bool MemoryTableModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && !m_count && m_moreAfterLoaded && m_client;
}

void MemoryTableModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    const qsizetype next = qsizetype((m_rows + m_pageSize - 1) / m_pageSize);
    if (!m_inFlight.contains(next))
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
            return m_failedPages.contains(row / m_pageSize) ? tr("(could not be read)") : QString();
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
        if (m_pending.contains(m->id)) {
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
        return m_pending.contains(m->id);
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
    if (m_inFlight.contains(page))
        return LoadState::Loading;
    if (m_failedPages.contains(page))
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
                            m_storeReadOnly ? tr("the store is open read-only")
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
                      m_storeReadOnly ? tr("the store is open read-only")
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
                            m_storeReadOnly ? tr("the store is open read-only")
                                            : tr("editing is not switched on for this store"));
        return;
    }
    m_undoStack->push(new MemoryChangeCommand(this, changes, text));
}

void MemoryTableModel::submitWrites(const QList<WriteOp>& ops, std::shared_ptr<bool> failed)
{
    if (!m_client || ops.isEmpty()) {
        if (failed)
            *failed = true;
        return;
    }
    for (const WriteOp& op : ops) {
        Pending& p = m_pending[op.id];
        ++p.writes;
        // a pending delete keeps showing the memory (marked pending) until the store confirms
        p.shown = op.desired ? op.desired : op.expected;
        emitRowChanged(op.id);
    }
    const RequestId id = m_client->requestWrite(ops);
    m_writes.insert(id, WriteRequest {ops, std::move(failed)});
}

void MemoryTableModel::onWrite(RequestId id, const QList<WriteResult>& results)
{
    const auto it = m_writes.find(id);
    if (it == m_writes.end())
        return;
    const WriteRequest request = *it;
    m_writes.erase(it);
    int written = 0;
    bool anyLanded = false;
    for (qsizetype i = 0; i < results.size(); ++i) {
        const WriteResult& r = results[i];
        const WriteOp& op = request.ops.value(i);
        auto p = m_pending.find(r.id);
        if (p != m_pending.end() && --p->writes <= 0)
            m_pending.erase(p);
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
    if (!anyLanded && request.failed)
        *request.failed = true; // its undo/redo becomes a no-op and the stack drops it
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
    if (!m_client)
        return 0;
    const RequestId id = m_client->requestRangeBatch(m_query, ranges, batchSize);
    m_fetches.insert(id);
    return id;
}

RequestId MemoryTableModel::fetchIds(const QStringList& ids, int batchSize)
{
    if (!m_client)
        return 0;
    const RequestId id = m_client->requestBatch(ids, batchSize);
    m_fetches.insert(id);
    return id;
}

void MemoryTableModel::cancelFetch(RequestId id)
{
    if (m_client && m_fetches.contains(id))
        m_client->cancel(id);
}

void MemoryTableModel::setChangeCheckInterval(int milliseconds)
{
    if (milliseconds <= 0) {
        m_changeTimer.stop();
        m_changeTimer.setInterval(0);
        return;
    }
    m_changeTimer.setInterval(milliseconds);
    if (m_client && !m_location.isEmpty())
        m_changeTimer.start();
}

void MemoryTableModel::checkForChanges()
{
    if (!m_client || m_tokenRequest)
        return;
    m_tokenRequest = m_client->requestChangeToken();
}

void MemoryTableModel::onToken(RequestId id, const QByteArray& token, bool supported)
{
    if (id != m_tokenRequest)
        return;
    m_tokenRequest = 0;
    if (!supported) {
        m_changeTimer.stop();
    } else if (!m_token || std::exchange(m_tokenIsBaseline, false)) {
        m_token = token;
    } else if (*m_token != token) {
        m_token = token;
        Q_EMIT externalChangeDetected();
        refresh();
    }
    checkIdle();
}

void MemoryTableModel::refresh()
{
    if (!m_client)
        return;
    // Reading the change token first makes a folder store look at its files again (another program may have
    // written some); the worker answers in order, so the pages below see them. That token is the new baseline.
    if (!m_tokenRequest) {
        m_tokenRequest = m_client->requestChangeToken();
        m_tokenIsBaseline = true;
    }
    ++m_epoch;
    m_bounds.clear(); // cursors may point at rows that moved
    dropAnchors();
    m_failedPages.clear();
    m_wanted.clear();
    m_deferred.clear();
    m_staged.clear();
    // what was asked before may be stale: asked again below
    cancelOutstanding();
    m_pageRequests.clear();
    m_refreshRequests.clear();
    m_inFlight.clear();
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
    return !m_pageRequests.isEmpty() || m_countRequest || !m_writes.isEmpty() || m_tokenRequest || !m_fetches.isEmpty()
        || m_openRequest || !m_wanted.isEmpty() || !m_deferred.isEmpty() || m_countYielded || m_locateRequest
        || m_anchorRequest || !m_lookups.isEmpty();
}

void MemoryTableModel::checkIdle()
{
    if (!isBusy())
        Q_EMIT idle();
}

} // namespace Inspector
