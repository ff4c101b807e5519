// SPDX-License-Identifier: MIT
#pragma once

#include "memoryfields.h"
#include "pagecache.h"
#include "pageplanner.h"
#include "pendingedits.h"
#include "recallreasons.h"
#include "storesession.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QSet>
#include <QTimer>

#include <memory>

class QUndoStack;

namespace Inspector {

/**
 * A table of the memories of any store, for views of millions of rows.
 *
 * Storage runs on a worker thread behind a StoreSession; this model only sends requests through it and applies
 * the replies it routes back, so no call here waits for the store. Rows arrive in pages around what the view asks for
 * (keyset cursors where a neighbouring page is known, the far end read backwards, a seek otherwise); the count arrives
 * on its own and the first page does not wait for it. A bounded cache drops pages far from use. Sorting and filtering
 * are queries.
 *
 * Edits, deletes and restores are QUndoStack commands whose writes are guarded: the worker writes only if the
 * memory is still as it was read, so a change by another writer is refused as a conflict, never overwritten.
 */
class MemoryTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role
    {
        RawValueRole = Qt::UserRole + 1, ///< the stored value of the cell's field (seconds, lists, null)
        FullContentRole, ///< the whole content
        MemoryRole, ///< the whole Memory, as shown (pending edits included)
        IdRole,
        LoadStateRole, ///< LoadState
        PendingEditRole, ///< bool: a write of this memory is on its way
        TombstonedRole, ///< bool
        FlagsRole, ///< MemoryFlags as int: anomalies found while reading
    };
    enum class LoadState
    {
        NotLoaded,
        Loading,
        Loaded,
        Failed,
    };
    Q_ENUM(LoadState)

    explicit MemoryTableModel(QObject* parent = nullptr);
    ~MemoryTableModel() override;

    /// Opens a store: `factory` runs on a new worker thread. Any store open before is closed.
    void openStore(BackendClient::Factory factory);
    void closeStore();
    bool isOpen() const { return m_session->isOpen(); }
    QString location() const { return m_session->location(); }
    QStringList layout() const { return m_session->layout(); }
    /// The store itself cannot be written (opened read-only, or a layout the inspector does not write).
    bool isStoreReadOnly() const { return m_session->isReadOnly(); }
    /// Edits are off until switched on for the store; a read-only store never allows them.
    bool isEditingEnabled() const { return m_editingEnabled && !isStoreReadOnly() && isOpen(); }
    void setEditingEnabled(bool enabled);
    QUndoStack* undoStack() const { return m_undoStack; }

    MemoryFilter filter() const { return m_query.filter; }
    void setFilter(const MemoryFilter& filter);
    MemoryQuery query() const { return m_query; }
    /// The column a sort key belongs to, and back; columns without a key cannot be sorted by.
    static std::optional<SortKey> sortKeyForColumn(int column);
    static int columnForSortKey(SortKey key);
    int sortColumn() const { return columnForSortKey(m_query.sortKey); }
    Qt::SortOrder sortOrder() const { return m_query.order; }

    int pageSize() const { return m_pageSize; }
    void setPageSize(int rows);
    /// Rows a count announces to the views per event (see m_rowsWanted); for tests.
    void setRowsPerStep(qint64 rows) { m_rowsPerStep = qMax<qint64>(1, rows); }
    qsizetype cacheCapacityRows() const { return m_cache.capacityRows(); }
    void setCacheCapacityRows(qsizetype rows) { m_cache.setCapacityRows(rows); }
    qsizetype cachedRows() const { return m_cache.rowCount(); }
    /// Requests are on their way or about to be sent, or rows of a count are still being announced.
    bool isBusy() const;
    /// Requests the worker has not started yet (for benchmarks: a view must never build a backlog).
    int queuedRequests() const { return m_session->queuedRequests(); }
    /// A view (or a Go to ID) waits for rows: background work on the worker should wait or stop (viewWaiting).
    bool isViewWaiting() const { return m_session->areLookupsHeld(); }
    /// Rows known as signposts, one every anchorStep() rows: a page is then at most that many rows of OFFSET walk
    /// from a keyset seek.
    qsizetype anchorCount() const { return m_signposts.anchors.size() + m_signposts.tailAnchors.size(); }
    int anchorStep() const { return PagePlanner::anchorStep(m_pageSize); }
    /// Rows whose cursor a Go to ID brought (see RowSignposts::pins).
    qsizetype pinCount() const { return m_signposts.pins.size(); }
    /// At most this many anchors a request (each also stops after ~30 ms); tests make it small.
    void setAnchorsPerRequest(int n) { m_anchorWalk.perRequest = qMax(1, n); }
    /// Also walk anchors backwards from the last row (off by default: PostgreSQL's backward keyset seeks with an
    /// OFFSET were measured to hold the worker for up to a second each on a million rows).
    void setTailAnchors(bool on) { m_anchorWalk.tailWanted = on; }
    /// The background walk of anchors is over (or was not needed): a page anywhere is a short walk from one.
    bool anchorsWalked() const { return m_anchorWalk.done; }
    /// Forgets every loaded page and what it told about its neighbours, keeping the anchors (for benchmarks: the
    /// next page is read as far from anything loaded).
    void dropLoadedPages();
    /// Asks at once for the pages of rows first..last: a jump knows where the view goes before it paints there, and
    /// the store reads them while the window draws.
    void prefetchRows(int first, int last);
    /// The number of matching memories once counted; nullopt before.
    std::optional<qint64> exactCount() const { return m_counting.count; }

    /// The column after the stored fields: why subcog's recall would not return the memory (not sortable).
    static constexpr int HiddenFromRecallColumn = int(MemoryColumn::Count);
    /// The project and branch recall runs in, which that column judges "other project or branch" against.
    void setRecallContext(const RecallContext& context);
    const RecallContext& recallContext() const { return m_recallContext; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    /// Searches the loaded rows only (a view's type-to-find would otherwise read every page of the store).
    QModelIndexList match(const QModelIndex& start, int role, const QVariant& value, int hits = 1,
                          Qt::MatchFlags flags = Qt::MatchFlags(Qt::MatchStartsWith | Qt::MatchWrap)) const override;

    /// The memory shown in a row (a pending edit included), when its page is loaded.
    std::optional<Memory> memoryAt(int row) const;
    LoadState loadState(int row) const;
    /// The row of a loaded memory, or -1.
    int loadedRowOf(const QString& id) const;

    /// Writes new versions of loaded memories (matched by id) as one undoable command named `text`.
    /// Fields are validated as the table validates them; updated_at is set. Returns false with `error` if invalid.
    bool updateMemories(const QList<Memory>& edited, const QString& text, QString* error = nullptr);
    /// Tombstones memories as subcog does (status `tombstoned`, tombstoned_at now); undoable.
    void softDelete(const QList<Memory>& memories);
    /// Brings tombstoned memories back to `active`; undoable.
    void restore(const QList<Memory>& memories);
    /// Removes memories from the store; undo writes them back.
    void hardDelete(const QList<Memory>& memories);
    /// Sends guarded writes (what undo commands do); the rows show them as pending until the store answers.
    /// `*failed` is set once it is known that none of them reached the store (then undo and redo are no-ops).
    void submitWrites(const QList<WriteOp>& ops, std::shared_ptr<bool> failed);

    /// Streams rows [first, first + count) of the current query in batches (fetchProgress, fetchFinished).
    RequestId fetchRows(qint64 first, qint64 count, int batchSize = 500);
    /// The same for several (first, count) ranges, in the order given, as one request.
    RequestId fetchRows(const QList<std::pair<qint64, qint64>>& ranges, int batchSize = 500);
    /// Streams the memories with these ids.
    RequestId fetchIds(const QStringList& ids, int batchSize = 500);
    void cancelFetch(RequestId id);

    /// Runs long work with the store on the worker (jobProgress, jobFinished; cancel with cancelFetch).
    RequestId runJob(BackendClient::Job job);
    /// Writes the source to `path` in a format, atomically: a cancelled or failed export leaves no file.
    RequestId exportTo(const ExportSource& source, ExportFormat format, const QString& path);
    /// Copies the source into another store (created if missing), in its layout, keeping ids.
    RequestId copyTo(const ExportSource& source, const QString& targetSpec, OnConflict onConflict, bool dryRun);
    /// The rows of a selection as a source (the model's query and ranges of its rows).
    ExportSource rowsSource(const QList<std::pair<qint64, qint64>>& ranges) const;

    /// Looks up the summaries made from this memory (answered by summariesFound), for links back from a source.
    void findSummariesOf(const QString& id);
    /// Reads one page of any query beside the table's (answered by lookedUp; metadata only unless asked).
    RequestId lookUp(const MemoryQuery& query);
    /// Finds the row of a memory in the current filter and order with the sort index (answered by located).
    void locate(const QString& id);

    /// How often to ask the store whether another writer changed it; 0 stops asking.
    void setChangeCheckInterval(int milliseconds);
    /// Asks now; a change refreshes what is shown.
    void checkForChanges();
    /// Reloads the pages in use and the count without a reset, keeping selection and scroll position.
    void refresh();
    /// The next count waits until releaseCount(), or at most `maxWaitMs`. At launch it is a scan of the whole store
    /// (about 300 ms of a core at 1,000,000 memories); on a small machine it would share a core with the window's
    /// first paint.
    void holdCount(int maxWaitMs);
    /// Lets a held count go (the window calls it once its first rows are painted).
    void releaseCount();

Q_SIGNALS:
    void storeOpened(const QString& location, const QStringList& layout, bool readOnly);
    /// `kind` is the StorageError::Kind of why the store did not open.
    void storeFailed(const QString& message, int kind);
    void countChanged(qint64 count);
    void loadFailed(const QString& message);
    void fetchProgress(Inspector::RequestId id, const QList<Inspector::Memory>& memories, qint64 done, qint64 total);
    void fetchFinished(Inspector::RequestId id, bool cancelled, const QList<Inspector::RecordIssue>& issues);
    /// An edit was not accepted before it reached the store (bad value, read-only store).
    void editRejected(const QString& id, const QString& message);
    /// A write failed in the store; the rows show the stored values again.
    void writeFailed(const QString& id, const QString& message);
    /// Another writer changed the memory first; `theirs` is what the store holds now (`theirsExists` false if gone).
    void writeConflict(const Inspector::Memory& mine, const Inspector::Memory& theirs, bool theirsExists,
                       const QString& message);
    /// Writes landed in the store.
    void writesApplied(int count);
    void externalChangeDetected();
    /// isViewWaiting() changed: jobs that only fill a side panel stop while a view waits for rows, and may start
    /// again once it has them.
    void viewWaiting(bool waiting);
    /// refresh() asked for the rows and the count again (F5, another writer, a repair): figures derived from the
    /// store may be stale too.
    void refreshed();
    void summariesFound(const QString& id, const QStringList& summaryIds);
    void lookedUp(Inspector::RequestId id, const QList<Inspector::Memory>& memories);
    /// The row of the memory asked for by locate(), or -1 when the current filter leaves it out (or there is
    /// none, or the store could not tell).
    void located(const QString& id, qint64 row);
    void jobProgress(Inspector::RequestId id, qint64 done, qint64 total);
    /// `failed` with the reason in `summary` when the job threw.
    void jobFinished(Inspector::RequestId id, bool cancelled, bool failed, const QString& summary);
    void editingEnabledChanged(bool enabled);
    /// Every request sent so far has been answered (for tests and busy indicators).
    void idle();

private:
    struct PageRequest
    {
        qsizetype firstPage = 0;
        int pages = 1;
        quint64 epoch = 0;
        bool refresh = false;
        bool forView = false; ///< asked for because a view painted its rows: superseded once it looks elsewhere
    };

    void reset();
    void requestStart();
    const Memory* storedRow(int row) const;
    const Memory* shownRow(int row) const;
    void want(qsizetype page) const;
    void sendWanted();
    RequestId requestPages(qsizetype firstPage, int pages, bool refresh);
    /// Sends groups of neighbouring pages while fewer than kMaxViewRequests view requests are out; returns the
    /// pages left over.
    QList<qsizetype> sendPages(QList<qsizetype> pages);
    int viewRequestsOut() const;
    /// Sends the pages deferred while the worker was busy, once a request has come back.
    void sendDeferred();
    /// Stops every request of the current generation (a new filter, sort, store or refresh supersedes them).
    void cancelOutstanding();
    void requestCount();
    void onPage(RequestId id, quint64 generation, const Page& page);
    void onCount(RequestId id, quint64 generation, qint64 count);
    void onRowFound(RequestId id, quint64 generation, qint64 row);
    /// Asks for the next chunk of anchors while the view waits for nothing (see RowSignposts::anchors).
    void continueAnchors();
    void onAnchors(RequestId id, quint64 generation, const QList<Cursor>& anchors, bool atEnd);
    void dropAnchors();
    void onPageFailed(RequestId id, quint64 generation, const StorageError& error);
    void onWrite(RequestId id, const QList<WriteResult>& results);
    void installPage(qsizetype page, QList<Memory> rows);
    void applyStaged();
    void setRows(qint64 rows);
    void growRows();
    void emitRowChanged(const QString& id);
    void updateCached(const QString& id, const std::optional<Memory>& memory);
    void setTombstoned(const QList<Memory>& memories, bool tombstoned);
    void pushChange(const QList<std::pair<std::optional<Memory>, std::optional<Memory>>>& changes, const QString& text);
    void checkIdle();

    /// Filter, sort or store changed: a new generation; refresh(): a new epoch. Replies of an older one are dropped.
    struct Freshness
    {
        quint64 generation = 1;
        quint64 epoch = 1; ///< pages asked for before a refresh may be stale
    };
    /// The count and what stands in for it until it is known.
    struct Counting
    {
        std::optional<qint64> count; ///< the number of matching memories once counted
        RequestId request = 0;
        QElapsedTimer sent;
        bool yielded = false; ///< a slow count was stopped so pages could go first; asked again once they came
        bool moreAfterLoaded = false; ///< before the count: the last loaded page said more rows follow
        bool held = false; ///< holdCount(): a count is not sent until releaseCount()
        bool waiting = false; ///< a count was wanted while held
    };
    /// The background walk that fills RowSignposts' anchors (see continueAnchors()).
    struct AnchorWalk
    {
        RequestId request = 0;
        bool fromEnd = false; ///< `request` walks from the end
        bool done = false;
        int perRequest = 1000;
        bool tailWanted = true; ///< walk from the far end too, in turn (a jump near the end then seeks from there)
    };
    /// Page requests with the worker and what became of their pages.
    struct PagesOut
    {
        QHash<RequestId, PageRequest> requests;
        QSet<qsizetype> inFlight;
        QSet<qsizetype> failed; ///< not asked again until a refresh
        QSet<RequestId> refreshing; ///< the requests of a refresh; their pages are staged and shown together
        QHash<qsizetype, QList<Memory>> staged;
        void clear() { *this = {}; }
    };
    /// What the views asked for since the last send (data() is const, hence mutable).
    struct ViewWishes
    {
        QList<qsizetype> wanted;
        QSet<qsizetype> touched; ///< pages a view asked for since the last send, loaded or not
        QList<qsizetype> deferred; ///< the newest wanted pages that did not fit the worker's queue yet
        QTimer timer; ///< sends the wishes once the event loop is idle
        bool matching = false; ///< in match(): rows not loaded are skipped, not asked for
    };
    /// A Go to ID on its way.
    struct Locating
    {
        RequestId request = 0;
        QString id;
    };

    StoreSession* m_session; ///< the open store: requests go out and replies come back through it
    QUndoStack* m_undoStack;
    bool m_editingEnabled = false;
    MemoryQuery m_query;
    /// Rows per page: a page far from any loaded one costs ~22 µs a row with content (SQLite, 1M memories), so 50
    /// rows (a screenful or two) reach the screen in ~1 ms of the worker where 200 took ~5; neighbours go in one
    /// request.
    int m_pageSize = 50;
    Freshness m_fresh;
    qint64 m_rows = 0; ///< rows the views have been told of
    /// Rows to grow to: QHeaderView keeps a record per row and takes ~25 ns each to make them, so a count of a million
    /// is announced in steps (growRows()), one event each, and no event keeps the window from drawing a frame.
    qint64 m_rowsWanted = 0;
    qint64 m_rowsPerStep = 1 << 17; ///< ~3 ms of QHeaderView::sectionsInserted
    QTimer m_rowGrowth;
    QTimer m_countHold; ///< the longest a held count waits
    Counting m_counting;
    mutable PageCache m_cache;
    RowSignposts m_signposts; ///< page bounds and anchors: where a page request can start (PagePlanner)
    AnchorWalk m_anchorWalk;
    PagesOut m_out;
    mutable ViewWishes m_view;
    PendingEdits m_edits;
    RecallContext m_recallContext;
    Locating m_locating;
};

} // namespace Inspector
