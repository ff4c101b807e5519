// SPDX-License-Identifier: MIT
#pragma once

#include "backendclient.h"
#include "copier.h"
#include "exporter.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>

namespace Inspector {

/**
 * One open store, seen from the GUI thread: owns the BackendClient and routes every reply to the continuation
 * of the request that asked for it (one table of handlers by request id, like a job tracker), with failures as
 * StorageError values (kind and detail intact). It also runs what is not rows: opening, export and copy jobs,
 * streamed fetches, look-ups beside the table (summaries of a memory, any query) and polling for other writers.
 * MemoryTableModel keeps the rows and pages and sends its page, count, anchor, row and write requests through
 * it.
 */
class StoreSession : public QObject
{
    Q_OBJECT
public:
    /// The continuations of one request; only those of its kind are called. A final reply (or a failure)
    /// removes the handler; progress does not.
    struct Handler
    {
        std::function<void(RequestId, quint64 generation, const Page&)> page;
        std::function<void(RequestId, quint64 generation, qint64 count)> count;
        std::function<void(RequestId, quint64 generation, qint64 row, const QMap<qint64, Cursor>& pins)> row;
        std::function<void(RequestId, quint64 generation, const QList<Cursor>&, bool atEnd)> anchors;
        std::function<void(RequestId, const QList<WriteResult>&)> written;
        std::function<void(const QList<Memory>&, qint64 done, qint64 total)> batch;
        std::function<void(bool cancelled, const QList<RecordIssue>&)> batchDone;
        std::function<void(qint64 done, qint64 total)> progress;
        std::function<void(bool cancelled, const QString& summary)> jobDone;
        std::function<void(RequestId, quint64 generation, const StorageError&)> failed;
    };

    explicit StoreSession(QObject* parent = nullptr);
    ~StoreSession() override;

    /// Opens a store: `factory` runs on a new worker thread (answered by opened or openFailed). Closes any other.
    void open(BackendClient::Factory factory);
    /// Forgets the store; its late replies go nowhere.
    void close();
    bool isOpen() const { return m_client != nullptr; }
    /// The store did not open: every request to it fails the same way, which openFailed said once.
    bool hasOpenFailed() const { return m_openFailed; }
    QString location() const { return m_location; }
    QStringList layout() const { return m_layout; }
    bool isReadOnly() const { return m_readOnly; }
    /// Requests of this session's own (opening, fetches, jobs, look-ups, change checks) are unanswered.
    bool isBusy() const;
    int queuedRequests() const { return m_client ? m_client->queuedRequests() : 0; }

    // Requests whose answers go to `handler` (0 when no store is open).
    RequestId page(quint64 generation, const MemoryQuery& query, Handler handler);
    RequestId count(quint64 generation, const MemoryFilter& filter, Handler handler);
    RequestId rowOf(quint64 generation, const MemoryQuery& query, const QString& id, Handler handler);
    RequestId anchors(quint64 generation, const MemoryQuery& query, int step, int count, Handler handler);
    RequestId write(const QList<WriteOp>& ops, Handler handler);
    /// Stops a request (BackendClient::cancel); its handler still gets the answer (a cancellation).
    void cancel(RequestId id);
    /// Stops a request and drops its handler: nothing is called for it any more.
    void forget(RequestId id);

    /// Streams rows of `query` in batches (fetchProgress, fetchFinished).
    RequestId fetchRows(const MemoryQuery& query, const QList<std::pair<qint64, qint64>>& ranges, int batchSize);
    /// Streams the memories with these ids.
    RequestId fetchIds(const QStringList& ids, int batchSize);
    /// Stops a fetch or a job; other requests are not touched.
    void cancelFetch(RequestId id);
    /// Runs long work with the store on the worker (jobProgress, jobFinished).
    RequestId runJob(BackendClient::Job job);
    /// Writes the source to `path` in a format, atomically: a cancelled or failed export leaves no file.
    RequestId exportTo(const ExportSource& source, ExportFormat format, const QString& path);
    /// Copies the source into another store (created if missing), in its layout, keeping ids.
    RequestId copyTo(const ExportSource& source, const QString& targetSpec, OnConflict onConflict, bool dryRun);
    /// The summaries made from memory `id` (summariesFound; none if the store could not tell).
    void findSummariesOf(const QString& id);
    /// While `hold` (a view waits for rows), convenience look-ups (summary links) wait, and one running is stopped
    /// and asked again later: on a large PostgreSQL store it is a scan that would hold the worker for half a second.
    void holdLookups(bool hold);
    bool areLookupsHeld() const { return m_summaries.held; }
    /// One page of any query beside the table's (lookedUp; empty on failure).
    RequestId lookUp(const MemoryQuery& query);

    /// How often to ask the store whether another writer changed it; 0 stops asking.
    void setChangeCheckInterval(int milliseconds);
    /// Asks now; a change is told by externalChange.
    void checkForChanges();
    /// Reads the change token again and takes it as the new baseline (a folder store then looks at its files
    /// again; the worker answers in order, so requests sent after this see them).
    void rebaseline();

Q_SIGNALS:
    void opened(const QString& location, const QStringList& layout, bool readOnly);
    void openFailed(const Inspector::StorageError& error);
    /// A fetch failed; said besides fetchFinished.
    void fetchFailed(const Inspector::StorageError& error);
    void fetchProgress(Inspector::RequestId id, const QList<Inspector::Memory>& memories, qint64 done, qint64 total);
    void fetchFinished(Inspector::RequestId id, bool cancelled, const QList<Inspector::RecordIssue>& issues);
    void jobProgress(Inspector::RequestId id, qint64 done, qint64 total);
    void jobFinished(Inspector::RequestId id, bool cancelled, bool failed, const QString& summary);
    void summariesFound(const QString& id, const QStringList& summaryIds);
    void lookedUp(Inspector::RequestId id, const QList<Inspector::Memory>& memories);
    /// The change token moved: another writer changed the store.
    void externalChange();
    /// holdLookups() changed: other background work on the worker (the overview's figures) can wait likewise.
    void lookupsHeld(bool held);
    /// One of the session's own requests was answered (see isBusy).
    void answered();

private:
    RequestId track(RequestId id, Handler handler);
    /// Calls the handler of `id` (taken out of the table when `final`).
    void route(RequestId id, bool final, const std::function<void(const Handler&)>& call);
    void requestToken(bool baseline);
    void settle(RequestId id);
    void sendSummaryLookup();

    BackendClient* m_client = nullptr;
    QHash<RequestId, Handler> m_handlers;
    QSet<RequestId> m_own; ///< the session's own requests still unanswered (for isBusy)
    QString m_location;
    QStringList m_layout;
    bool m_readOnly = true;
    bool m_openFailed = false;
    QTimer m_changeTimer;
    RequestId m_tokenRequest = 0;
    std::optional<QByteArray> m_token;
    bool m_tokenIsBaseline = false; ///< the token asked for by rebaseline(): recorded, not compared
    /// The newest summary look-up wished for, and the one with the worker (for `running`).
    struct SummaryLookup
    {
        QString wanted;
        QString running;
        RequestId request = 0;
        bool held = false;
    } m_summaries;
};

} // namespace Inspector
