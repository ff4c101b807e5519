// SPDX-License-Identifier: MIT
#include "memorytablemodel.h"

#include "memorycommands.h"

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
constexpr int kMaxRefreshRows = 1200; // the rows in view and around them; the rest are dropped and reloaded on use

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
    m_rowGrowth.setSingleShot(true);
    m_rowGrowth.setInterval(0);
    connect(&m_rowGrowth, &QTimer::timeout, this, [this] {
        growRows();
        checkIdle();
    });
    m_countHold.setSingleShot(true);
    connect(&m_countHold, &QTimer::timeout, this, &MemoryTableModel::releaseCount);
    connect(m_session, &StoreSession::opened, this,
            [this](const QString& location, const QStringList& layout, bool readOnly) {
                Q_EMIT storeOpened(location, layout, readOnly);
                Q_EMIT editingEnabledChanged(isEditingEnabled());
            });
    connect(m_session, &StoreSession::openFailed, this,
            [this](const StorageError& error) { Q_EMIT storeFailed(error.message(), int(error.kind())); });
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
    connect(m_session, &StoreSession::lookupsHeld, this, &MemoryTableModel::viewWaiting);
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
    m_rowsWanted = 0;
    m_rowGrowth.stop();
    m_counting.count.reset();
    // the closed session answers nothing more: a count on its way, held or yielded is not waited for
    m_counting.request = 0;
    m_counting.yielded = false;
    m_counting.waiting = false;
    m_cache.clear();
    m_signposts.clear();
    m_anchorWalk.request = 0;
    m_anchorWalk.done = false;
    m_out.clear();
    m_view.wanted.clear();
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
    m_rowsWanted = 0;
    m_rowGrowth.stop();
    m_counting.count.reset();
    m_counting.moreAfterLoaded = false;
    m_cache.clear();
    m_signposts.bounds.clear();
    m_signposts.pins.clear();
    m_out.clear();
    m_view.wanted.clear();
    m_view.deferred.clear();
    m_view.touched.clear();
    m_counting.yielded = false;
    m_counting.waiting = false;
    endResetModel();
    requestStart();
}

void MemoryTableModel::requestStart()
{
    if (!m_session->isOpen())
        return;
    // the first page and the count are independent requests: rows show as soon as the page is there
    requestPages(0, 1, false);
    if (m_counting.held)
        m_counting.waiting = true;
    else
        requestCount();
}

void MemoryTableModel::holdCount(int maxWaitMs)
{
    m_counting.held = true;
    m_countHold.start(maxWaitMs);
}

void MemoryTableModel::releaseCount()
{
    m_countHold.stop();
    m_counting.held = false;
    if (std::exchange(m_counting.waiting, false) && m_session->isOpen())
        requestCount();
    checkIdle();
}

void MemoryTableModel::requestCount()
{
    m_counting.yielded = false;
    m_counting.waiting = false;
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
    return parent.isValid() ? 0 : MemoryFields::columnCount() + 1; // + HiddenFromRecallColumn
}

void MemoryTableModel::setRecallContext(const RecallContext& context)
{
    if (context == m_recallContext)
        return;
    m_recallContext = context;
    Q_EMIT headerDataChanged(Qt::Horizontal, HiddenFromRecallColumn, HiddenFromRecallColumn);
    if (m_rows > 0)
        Q_EMIT dataChanged(index(0, HiddenFromRecallColumn), index(rowCount() - 1, HiddenFromRecallColumn));
}

const Memory* MemoryTableModel::storedRow(int row) const
{
    if (row < 0 || row >= m_rows)
        return nullptr;
    const qsizetype page = row / m_pageSize;
    const QList<Memory>* rows = m_cache.find(page);
    if (!rows) {
        if (!m_view.matching)
            want(page);
        return nullptr;
    }
    const qsizetype at = row - page * m_pageSize;
    return at < rows->size() ? &rows->at(at) : nullptr;
}

QModelIndexList MemoryTableModel::match(const QModelIndex& start, int role, const QVariant& value, int hits,
                                        Qt::MatchFlags flags) const
{
    const QScopedValueRollback skipUnloaded(m_view.matching, true);
    return QAbstractTableModel::match(start, role, value, hits, flags);
}

const Memory* MemoryTableModel::shownRow(int row) const
{
    const Memory* stored = storedRow(row);
    if (!stored)
        return nullptr;
    const Memory* pending = m_edits.shown(stored->id);
    return pending ? pending : stored;
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
    m_session->holdLookups(true); // the row is found first; summary links wait
    m_locating.id = id;
    StoreSession::Handler h;
    h.row = [this](RequestId request, quint64 generation, qint64 row, const QMap<qint64, Cursor>& pins) {
        if (request == m_locating.request && generation == m_fresh.generation)
            m_signposts.pins.insert(pins); // the pages around the row become keyset seeks
        onRowFound(request, generation, row);
    };
    h.failed = [this](RequestId request, quint64 generation, const StorageError& error) {
        if (request != m_locating.request)
            return;
        Q_EMIT loadFailed(error.message());
        onRowFound(request, generation, -1);
    };
    MemoryQuery query = m_query;
    query.limit = m_pageSize; // the worker pins the page starts around the row
    m_locating.request = m_session->rowOf(m_fresh.generation, query, id, std::move(h));
}

void MemoryTableModel::onRowFound(RequestId id, quint64 generation, qint64 row)
{
    if (id != m_locating.request)
        return;
    m_locating.request = 0;
    const QString memoryId = std::exchange(m_locating.id, QString());
    // a new filter or sort since: the row is of another order
    Q_EMIT located(memoryId, generation == m_fresh.generation ? row : -1);
    // once the view has asked for the row's page (or found it loaded), held look-ups may go
    QTimer::singleShot(0, this, [this] { continueAnchors(); });
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
    if (index.column() == HiddenFromRecallColumn && (role == Qt::DisplayRole || role == Qt::ToolTipRole)) {
        const QList<RecallReason> reasons = RecallReasons::of(*m, m_recallContext, QDateTime::currentSecsSinceEpoch());
        return role == Qt::DisplayRole ? RecallReasons::text(reasons) : RecallReasons::tooltip(reasons);
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
    if (section == HiddenFromRecallColumn) {
        if (role == Qt::DisplayRole)
            return RecallReasons::title();
        if (role == Qt::ToolTipRole)
            return RecallReasons::description(m_recallContext);
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
    if (isEditingEnabled() && index.column() < MemoryFields::columnCount() && MemoryFields::isEditable(col(index))) {
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
    m_signposts.pins.clear();
    dropAnchors();
    QList<qsizetype> pages = m_cache.pagesByRecency().mid(0, qMax(1, kMaxRefreshRows / m_pageSize));
    for (const qsizetype page : m_cache.pagesByRecency()) {
        if (!pages.contains(page))
            m_cache.remove(page);
    }
    // pages a view waits for (after a jump) are asked again with the others: their requests are cancelled below,
    // and nothing would make the view ask for them again
    QList<qsizetype> waited = m_view.wanted + m_view.deferred;
    for (const PageRequest& r : std::as_const(m_out.requests)) {
        for (qsizetype p = r.firstPage; r.forView && p < r.firstPage + r.pages; ++p)
            waited << p;
    }
    for (const qsizetype page : std::as_const(waited)) {
        if (!pages.contains(page) && qint64(page) * m_pageSize < m_rows)
            pages << page;
    }
    m_view.wanted.clear();
    m_view.deferred.clear();
    // what was asked before may be stale: asked again below
    cancelOutstanding();
    m_out.clear();
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
    Q_EMIT refreshed();
}

bool MemoryTableModel::isBusy() const
{
    return !m_out.requests.isEmpty() || m_counting.request || m_counting.waiting || m_edits.isWriting()
        || m_session->isBusy() || !m_view.wanted.isEmpty() || !m_view.deferred.isEmpty() || m_counting.yielded
        || m_locating.request || m_anchorWalk.request || m_rows < m_rowsWanted;
}

void MemoryTableModel::checkIdle()
{
    if (!isBusy())
        Q_EMIT idle();
}

} // namespace Inspector
