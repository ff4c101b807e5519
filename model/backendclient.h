// SPDX-License-Identifier: MIT
#pragma once

#include "persistencebackend.h"

#include <QMap>
#include <QObject>
#include <QSet>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace Inspector {

class BackendWorker;
struct ClientLink;
struct Cancellations;

/// Monotonic id of one request to the worker.
using RequestId = quint64;

/**
 * One guarded write: the worker applies `desired` (nullopt = hard delete) only while the stored memory is still
 * `expected` (nullopt = must not exist), so an edit never overwrites another writer's change.
 */
struct WriteOp
{
    QString id;
    std::optional<Memory> expected;
    std::optional<Memory> desired;
};

/// What became of one WriteOp.
struct WriteResult
{
    enum class Outcome
    {
        Written, ///< stored or deleted as asked
        Unchanged, ///< the store already held the desired state
        Conflict, ///< someone else changed the memory since it was read; `current` is their version
        Failed, ///< the backend refused or failed; see `message`
    };
    QString id;
    Outcome outcome = Outcome::Failed;
    std::optional<Memory> current; ///< the memory as stored after the attempt (nullopt: it does not exist)
    QString message;
};

/**
 * The GUI side of a backend that lives on its own thread. The backend is created, used and destroyed on the
 * worker thread (its connection never crosses threads); this object only sends copyable requests and receives
 * copyable replies through queued calls, so nothing here ever waits for storage.
 *
 * Every request returns its id; every reply carries it and the caller's generation, so a model can drop replies
 * of a generation it has left (new store, filter or sort). A failed request is answered by failed() instead.
 */
class BackendClient : public QObject
{
    Q_OBJECT
public:
    using Factory = std::function<std::unique_ptr<PersistenceBackend>()>;

    /// Starts the worker thread; `factory` runs there to open the store.
    explicit BackendClient(Factory factory, QObject* parent = nullptr);
    /// Cancels what is running and closes the store on its thread; never waits long for a request the store is
    /// still answering (the thread finishes it alone and is joined later, at the latest at exit).
    ~BackendClient() override;
    bool event(QEvent* event) override; ///< runs the worker's replies

    RequestId open();
    RequestId requestPage(quint64 generation, const MemoryQuery& query);
    RequestId requestCount(quint64 generation, const MemoryFilter& filter);
    /// Streams the memories with these ids in batches (batchLoaded), then batchFinished; cancellable.
    RequestId requestBatch(const QStringList& ids, int batchSize = 500);
    /// Streams `count` rows of a query from row `first` on (ids by metadata-only pages, memories by getBatch).
    RequestId requestRangeBatch(const MemoryQuery& query, qint64 first, qint64 count, int batchSize = 500);
    /// The same for several (first, count) ranges, in the order given, as one request: one progress, one cancel.
    RequestId requestRangeBatch(const MemoryQuery& query, const QList<std::pair<qint64, qint64>>& ranges,
                                int batchSize = 500);
    /// The 0-based row of memory `id` in `query`'s order (its filter and sort; the cursor, skip and limit are
    /// ignored), seeking with the sort key's index; answered by rowFound (row -1: not there or filtered out).
    /// With `query.limit` > 0 taken as the page size, rowFound also brings pins: the cursors of the row itself and
    /// of the last row before each page start from one page before its page to two after, so the pages a view
    /// shows around it are keyset seeks.
    RequestId requestRowOf(quint64 generation, const MemoryQuery& query, const QString& id);
    /// Signposts for seeking: walking `query`'s order from its `after` cursor (none: from the first row; backwards
    /// from the last when `fromEnd`), the
    /// cursor of every `step`-th row, at most `count` of them; answered by anchorsFound. Each is found from the
    /// one before with a short skip, so any page after them is then a keyset seek instead of an OFFSET walk. A
    /// request stops after about 30 ms with what it found (at least one), so it never holds the worker long.
    RequestId requestAnchors(quint64 generation, const MemoryQuery& query, int step, int count);
    /// Stops this request, and no other. One not started yet is never run; one running is interrupted in the store
    /// (PersistenceBackend::interrupt); batches and jobs also stop between steps. A page, count, row or token
    /// request is then answered by failed() with Kind::Cancelled, a batch or job by batchFinished or jobFinished
    /// saying it was cancelled. Writes are never cancelled; a request that has ended is not affected. Never waits
    /// for the worker or the store.
    void cancel(RequestId id);
    /// Requests sent, not cancelled, and not yet picked up by the worker: the work waiting behind the running one.
    int queuedRequests() const;
    /// Applies guarded writes in order; answered by writeFinished.
    RequestId requestWrite(const QList<WriteOp>& ops);
    /// Reads the backend's change token; answered by changeTokenRead.
    RequestId requestChangeToken();

    /// Long work on the worker with the store (export to a file, copy to another store). It reports progress
    /// through the callback it is given, which returns false once the job is cancelled; it returns a summary
    /// for people or throws StorageError.
    using Job
        = std::function<QString(PersistenceBackend& store, const std::function<bool(qint64 done, qint64 total)>&)>;
    RequestId requestJob(Job job);

Q_SIGNALS:
    void opened(RequestId id, const QString& location, const QStringList& layout, bool readOnly);
    void pageLoaded(RequestId id, quint64 generation, const MemoryQuery& query, const Page& page);
    void countAvailable(RequestId id, quint64 generation, qint64 count);
    void rowFound(Inspector::RequestId id, quint64 generation, const QString& memoryId, qint64 row,
                  const QMap<qint64, Inspector::Cursor>& pins);
    /// `atEnd`: the order has no row after the last anchor's page.
    void anchorsFound(Inspector::RequestId id, quint64 generation, const QList<Inspector::Cursor>& anchors, bool atEnd);
    void batchLoaded(RequestId id, const QList<Memory>& memories, qint64 done, qint64 total);
    void batchFinished(RequestId id, bool cancelled, const QList<RecordIssue>& issues);
    void writeFinished(RequestId id, const QList<WriteResult>& results);
    void changeTokenRead(RequestId id, const QByteArray& token, bool supported);
    void jobProgress(RequestId id, qint64 done, qint64 total);
    void jobFinished(RequestId id, bool cancelled, const QString& summary);
    /// `kind` is a StorageError::Kind; `detail` its StorageError::detail() (driver text, SQL: for logs).
    void failed(RequestId id, quint64 generation, int kind, const QString& message, const QString& detail);

private:
    /// The next id, counted as queued until the worker picks it up.
    RequestId next();

    QThread* m_thread;
    BackendWorker* m_worker;
    RequestId m_lastId = 0;
    QSet<RequestId> m_uncancellable; ///< opens and writes not known to have started

    std::shared_ptr<Cancellations> m_cancelled; ///< the requests to stop, read by the worker
    std::shared_ptr<ClientLink> m_link;
};

} // namespace Inspector

Q_DECLARE_METATYPE(Inspector::MemoryQuery)
Q_DECLARE_METATYPE(Inspector::MemoryFilter)
Q_DECLARE_METATYPE(Inspector::Page)
Q_DECLARE_METATYPE(Inspector::WriteOp)
Q_DECLARE_METATYPE(Inspector::WriteResult)
