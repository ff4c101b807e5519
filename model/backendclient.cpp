// SPDX-License-Identifier: MIT
#include "backendclient.h"

#include "crossthread.h"

#include "secrets.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSet>
#include <QThread>

#include <mutex>
#include <thread>

using namespace Qt::StringLiterals;

namespace Inspector {

Q_LOGGING_CATEGORY(lcWorker, "inspector.model.worker", QtWarningMsg)

namespace {
constexpr qint64 kAnchorBudgetMs = 30;
}

/// The worker's way back to its client; cut when the client goes, so late replies are dropped, not delivered
/// to a dead object.
struct ClientLink
{
    std::mutex mutex;
    BackendClient* client = nullptr;
};

/// Which requests to stop: each by its id, or all of them once the client is going away; and which request the
/// worker runs now, so that an interrupt of the store is only ever aimed at the request it was meant for.
struct Cancellations
{
    std::mutex mutex;
    QSet<RequestId> ids; ///< cancelled, not yet ended
    bool all = false;
    RequestId lastStarted = 0; ///< requests run in id order: every smaller id has ended
    std::atomic<RequestId> running {0}; ///< the cancellable request running now (0: none); set under both mutexes
    /// Held by an interrupt while it reaches the store, and by the worker while it changes `running`, so the
    /// interrupt cannot reach a later request or a store that is gone.
    std::mutex runMutex;
    PersistenceBackend* runningBackend = nullptr; ///< the store `running` uses; under runMutex
    std::atomic<int> queued {0}; ///< sent, not yet picked up by the worker
    std::atomic<int> cancelledWaiting {0}; ///< of those, cancelled (the worker drops them unrun); under `mutex`

    bool contains(RequestId id)
    {
        std::lock_guard lock(mutex);
        return all || ids.contains(id);
    }
    /// Called when a request has ended: a cancel that arrives later has nothing left to stop.
    void forget(RequestId id)
    {
        std::lock_guard lock(mutex);
        ids.remove(id);
    }
    /// Interrupts the store if request `id` is still the one running. Off the caller's thread: a PostgreSQL cancel
    /// connects to the server, which must not freeze the GUI when the server is slow to answer.
    static void interrupt(const std::shared_ptr<Cancellations>& self, RequestId id)
    {
        auto aim = [self, id] {
            std::lock_guard lock(self->runMutex);
            if (self->running == id && self->runningBackend)
                self->runningBackend->interrupt();
        };
        try {
            std::thread(aim).detach();
        } catch (const std::system_error&) {
            aim(); // no thread to be had: interrupt from here
        }
    }
};

namespace {
/// Worker threads whose client is gone while they finish a request; joined when they are done or at exit, so
/// closing a store never waits for the store.
class ClosingThreads
{
public:
    static void adopt(QThread* thread)
    {
        std::lock_guard lock(mutex());
        reap();
        if (list().isEmpty())
            qAddPostRoutine(&ClosingThreads::joinAll);
        list().append(thread);
    }

private:
    static std::mutex& mutex()
    {
        static std::mutex m;
        return m;
    }
    static QList<QThread*>& list()
    {
        static QList<QThread*> threads;
        return threads;
    }
    static void reap()
    {
        for (qsizetype i = list().size() - 1; i >= 0; --i) {
            if (list().at(i)->isFinished()) {
                list().at(i)->wait();
                delete list().takeAt(i);
            }
        }
    }
    static void joinAll()
    {
        std::lock_guard lock(mutex());
        for (QThread* thread : std::as_const(list())) {
            thread->wait();
            delete thread;
        }
        list().clear();
    }
};
} // namespace

/// Lives on the worker thread and owns the backend there; every slot runs on that thread.
class BackendWorker : public QObject
{
public:
    bool event(QEvent* event) override { return CrossThreadCall::run(this, event) || QObject::event(event); }

    BackendWorker(BackendClient::Factory factory, std::shared_ptr<ClientLink> link,
                  std::shared_ptr<Cancellations> cancelled)
        : m_factory(std::move(factory))
        , m_link(std::move(link))
        , m_cancelled(std::move(cancelled))
    {
    }

    void open(RequestId id)
    {
        Q_ASSERT(QThread::currentThread() == thread());
        // not cancellable: there is no store to interrupt yet, and a replaced store must not be reachable
        start(id, false);
        run(id, 0, [&] {
            m_backend = m_factory();
            const QString location = m_backend->location();
            const QStringList layout = m_backend->describeLayout();
            const bool readOnly = m_backend->isReadOnly();
            reply([=](BackendClient* c) { Q_EMIT c->opened(id, location, layout, readOnly); });
        });
    }

    void page(RequestId id, quint64 generation, const MemoryQuery& query)
    {
        single(id, generation, [&] {
            const Page page = backend().query(query);
            checkCancelled(id);
            reply([=](BackendClient* c) { Q_EMIT c->pageLoaded(id, generation, query, page); });
        });
    }

    void count(RequestId id, quint64 generation, const MemoryFilter& filter)
    {
        single(id, generation, [&] {
            const qint64 n = backend().count(filter);
            checkCancelled(id);
            reply([=](BackendClient* c) { Q_EMIT c->countAvailable(id, generation, n); });
        });
    }

    void rowOf(RequestId id, quint64 generation, const MemoryQuery& query, const QString& memoryId)
    {
        single(id, generation, [&] {
            const qint64 row = backend().rowOf(query, memoryId).value_or(-1);
            checkCancelled(id);
            reply([=](BackendClient* c) { Q_EMIT c->rowFound(id, generation, memoryId, row); });
        });
    }

    void anchors(RequestId id, quint64 generation, const MemoryQuery& base, int step, int count)
    {
        single(id, generation, [&] {
            QList<Cursor> found;
            bool atEnd = false;
            MemoryQuery q = base;
            q.withContent = false; // fromEnd kept: anchors can be walked backwards from the last row too
            q.limit = 1;
            q.skip = qMax(1, step) - 1;
            // a chunk holds the worker for a bounded time whatever one seek costs on this store: pages a view
            // asks for meanwhile wait at most that long
            QElapsedTimer spent;
            spent.start();
            while (found.size() < count && (found.isEmpty() || spent.elapsed() < kAnchorBudgetMs)) {
                checkCancelled(id);
                const Page page = backend().query(q);
                if (page.memories.isEmpty()) {
                    atEnd = true;
                    break;
                }
                // the store's own cursor holds the key as stored, which the next seek compares against
                found << page.next.value_or(Cursor::of(page.memories.first(), q.sortKey));
                q.after = found.last();
            }
            checkCancelled(id);
            reply([=](BackendClient* c) { Q_EMIT c->anchorsFound(id, generation, found, atEnd); });
        });
    }

    void batch(RequestId id, const QStringList& ids, int batchSize)
    {
        if (!start(id, true)) {
            reply([=](BackendClient* c) { Q_EMIT c->batchFinished(id, true, {}); });
            return;
        }
        const auto end = qScopeGuard([&] { finish(id); });
        run(id, 0, [&] {
            QList<RecordIssue> issues;
            const auto stopped = [&] { reply([=](BackendClient* c) { Q_EMIT c->batchFinished(id, true, issues); }); };
            qint64 done = 0;
            const qint64 total = ids.size();
            for (qsizetype start = 0; start < ids.size(); start += qMax(1, batchSize)) {
                // checked between batches; a batch read that runs is interrupted in the store
                if (m_cancelled->contains(id))
                    return stopped();
                QList<Memory> memories;
                if (!step(id, [&] {
                        QList<RecordIssue> found;
                        memories = backend().getBatch(ids.mid(start, batchSize), &found);
                        issues << found;
                    }))
                    return stopped();
                done = qMin<qint64>(total, start + batchSize);
                reply([=](BackendClient* c) { Q_EMIT c->batchLoaded(id, memories, done, total); });
            }
            reply([=](BackendClient* c) { Q_EMIT c->batchFinished(id, false, issues); });
        });
    }

    void rangeBatch(RequestId id, const MemoryQuery& base, const QList<std::pair<qint64, qint64>>& ranges,
                    int batchSize)
    {
        if (!start(id, true)) {
            reply([=](BackendClient* c) { Q_EMIT c->batchFinished(id, true, {}); });
            return;
        }
        const auto end = qScopeGuard([&] { finish(id); });
        run(id, 0, [&] {
            QList<RecordIssue> issues;
            const auto stopped = [&] { reply([=](BackendClient* c) { Q_EMIT c->batchFinished(id, true, issues); }); };
            const int step = qMax(1, batchSize);
            qint64 total = 0;
            for (const auto& range : ranges)
                total += qMax<qint64>(0, range.second);
            qint64 delivered = 0;
            for (const auto& [first, count] : ranges) {
                MemoryQuery q = base;
                q.withContent = false;
                q.fromEnd = false;
                q.after.reset();
                q.skip = qMax<qint64>(0, first);
                qint64 done = 0;
                while (done < count) {
                    if (m_cancelled->contains(id))
                        return stopped();
                    // ids come from the sort order cheaply; the memories from the batch read that avoids N+1
                    q.limit = int(qMin<qint64>(step, count - done));
                    Page page;
                    QList<Memory> memories;
                    if (!this->step(id, [&] {
                            page = backend().query(q);
                            QStringList ids;
                            for (const Memory& m : page.memories)
                                ids << m.id;
                            QList<RecordIssue> found = page.issues;
                            memories = backend().getBatch(ids, &found);
                            issues << found;
                        }))
                        return stopped();
                    done += page.memories.size();
                    delivered += page.memories.size();
                    const qint64 now = delivered;
                    reply([=](BackendClient* c) { Q_EMIT c->batchLoaded(id, memories, now, total); });
                    if (!page.next || page.memories.size() < q.limit)
                        break;
                    q.after = page.next;
                    q.skip = 0;
                }
            }
            reply([=](BackendClient* c) { Q_EMIT c->batchFinished(id, false, issues); });
        });
    }

    void write(RequestId id, const QList<WriteOp>& ops)
    {
        start(id, false); // a write is never cancelled: it runs whole, as asked
        run(id, 0, [&] {
            QList<WriteResult> results;
            for (const WriteOp& op : ops) {
                bool interrupted = false;
                WriteResult result = writeOne(op, &interrupted);
                // a late PostgreSQL cancel meant for the request before: the write's transaction was rolled back
                if (interrupted)
                    result = writeOne(op, nullptr);
                results << result;
            }
            reply([=](BackendClient* c) { Q_EMIT c->writeFinished(id, results); });
        });
    }

    void changeToken(RequestId id)
    {
        single(id, 0, [&] {
            const auto token = backend().changeToken();
            checkCancelled(id);
            const QByteArray value = token.value_or(QByteArray());
            const bool supported = token.has_value();
            reply([=](BackendClient* c) { Q_EMIT c->changeTokenRead(id, value, supported); });
        });
    }

    void job(RequestId id, const BackendClient::Job& work)
    {
        if (!start(id, true)) {
            reply([=](BackendClient* c) { Q_EMIT c->jobFinished(id, true, {}); });
            return;
        }
        const auto end = qScopeGuard([&] { finish(id); });
        run(id, 0, [&] {
            bool cancelled = false;
            bool progressed = false;
            QElapsedTimer sinceReport;
            sinceReport.start();
            const auto progress = [&](qint64 done, qint64 total) {
                progressed = true;
                if (m_cancelled->contains(id)) {
                    cancelled = true;
                    return false;
                }
                // progress at most every 50 ms: a job may call this thousands of times a second
                if (sinceReport.elapsed() >= 50 || done == total) {
                    sinceReport.restart();
                    reply([=](BackendClient* c) { Q_EMIT c->jobProgress(id, done, total); });
                }
                return true;
            };
            QString summary;
            for (int attempt = 0;; ++attempt) {
                try {
                    summary = work(backend(), progress);
                    break;
                } catch (const StorageError& e) {
                    // stopped on request: the store's Cancelled error, also when the job passed it on as its own
                    if (cancelled || m_cancelled->contains(id)) {
                        const QString message = e.message();
                        reply([=](BackendClient* c) { Q_EMIT c->jobFinished(id, true, message); });
                        return;
                    }
                    // a late PostgreSQL cancel meant for the request before; run again once if nothing was done
                    if (e.kind() != StorageError::Kind::Cancelled || attempt > 0 || progressed)
                        throw;
                }
            }
            reply([=](BackendClient* c) { Q_EMIT c->jobFinished(id, cancelled, summary); });
        });
    }

    void close() { m_backend.reset(); }

private:
    // A store may not hold every field as given (SQLite has no updated_at column), so a memory read back after
    // our own write differs from what we wrote. Remembering both lets a later guarded write (an undo) recognise
    // the stored version as the one it expects.
    struct Written
    {
        std::optional<Memory> desired;
        std::optional<Memory> stored;
    };

    static bool same(const std::optional<Memory>& a, const std::optional<Memory>& b)
    {
        if (!a || !b)
            return !a && !b;
        return a->sameFields(*b);
    }

    bool matches(const QString& id, const std::optional<Memory>& current, const std::optional<Memory>& wanted) const
    {
        if (same(current, wanted))
            return true;
        // `wanted` may be a version we wrote earlier, which the store may have read back differently
        const QList<Written> history = m_written.value(id);
        return std::any_of(history.begin(), history.end(),
                           [&](const Written& w) { return same(w.desired, wanted) && same(w.stored, current); });
    }

    /// `interrupted` (when given) tells that the write failed with Kind::Cancelled, so it may be tried again.
    WriteResult writeOne(const WriteOp& op, bool* interrupted)
    {
        WriteResult result;
        result.id = op.id;
        try {
            PersistenceBackend& b = backend();
            const std::optional<Memory> current = b.get(op.id);
            result.current = current;
            if (matches(op.id, current, op.desired)) {
                result.outcome = WriteResult::Outcome::Unchanged;
                return result;
            }
            if (!matches(op.id, current, op.expected)) {
                result.outcome = WriteResult::Outcome::Conflict;
                result.message = !current ? u"memory "_s + op.id + u" was deleted by another writer"_s
                    : !op.expected        ? u"memory "_s + op.id + u" was created again by another writer"_s
                                   : u"memory "_s + op.id + u" was changed by another writer since it was read"_s;
                return result;
            }
            if (op.desired) {
                b.store(*op.desired);
                result.current = b.get(op.id);
            } else {
                b.remove(op.id);
                result.current.reset();
            }
            QList<Written>& history = m_written[op.id];
            history.prepend(Written {op.desired, result.current});
            if (history.size() > 16)
                history.removeLast();
            result.outcome = WriteResult::Outcome::Written;
        } catch (const StorageError& e) {
            result.outcome = WriteResult::Outcome::Failed;
            result.message = e.message();
            if (interrupted)
                *interrupted = e.kind() == StorageError::Kind::Cancelled;
        }
        return result;
    }

    PersistenceBackend& backend()
    {
        if (!m_backend)
            throw StorageError(StorageError::Kind::OperationFailed, u"no store is open"_s);
        return *m_backend;
    }

    /// Picks a request up; false when it was cancelled before it started (then it is not run). A cancellable
    /// request becomes the one an interrupt may reach until finish().
    bool start(RequestId id, bool cancellable)
    {
        m_cancelled->queued.fetch_sub(1, std::memory_order_relaxed);
        std::lock_guard lock(m_cancelled->mutex);
        m_cancelled->lastStarted = id;
        // an id among the cancelled ones before it starts was counted as waiting by cancel()
        const bool wasCancelled = m_cancelled->ids.remove(id);
        if (wasCancelled)
            m_cancelled->cancelledWaiting.fetch_sub(1, std::memory_order_relaxed);
        if (!cancellable)
            return true; // a cancel of a write does nothing
        if (m_cancelled->all || wasCancelled)
            return false;
        // under both locks: cancel() sees either the id in `ids` before this or `running` after it
        std::lock_guard runLock(m_cancelled->runMutex);
        m_cancelled->runningBackend = m_backend.get();
        m_cancelled->running = id;
        return true;
    }

    void finish(RequestId id)
    {
        {
            // waits for an interrupt on its way to the store: none can reach the next request
            std::lock_guard runLock(m_cancelled->runMutex);
            m_cancelled->running = 0;
            m_cancelled->runningBackend = nullptr;
        }
        m_cancelled->forget(id);
    }

    void checkCancelled(RequestId id)
    {
        // an interrupted read can look like a short one (rows that ended early), so its result is not sent
        if (m_cancelled->contains(id))
            throw StorageError(StorageError::Kind::Cancelled, u"cancelled"_s);
    }

    /// One backend step of a batch: false when it was interrupted because its request was cancelled. Run again
    /// once when it was interrupted without being cancelled: a PostgreSQL cancel is asynchronous and can reach
    /// the statement after the one it was meant for.
    template<typename F>
    bool step(RequestId id, F&& body)
    {
        for (int attempt = 0;; ++attempt) {
            try {
                body();
                return true;
            } catch (const StorageError& e) {
                if (e.kind() != StorageError::Kind::Cancelled)
                    throw;
                if (m_cancelled->contains(id))
                    return false;
                qCDebug(lcWorker) << "request" << id << "interrupted by a cancel meant for another";
                if (attempt > 0)
                    throw;
            }
        }
    }

    /// A request answered by one reply: dropped when cancelled before it starts, failed(Cancelled) when
    /// interrupted, run again once after a cancel meant for another request (see step()).
    template<typename F>
    void single(RequestId id, quint64 generation, F&& body)
    {
        if (!start(id, true)) {
            reply([=](BackendClient* c) {
                Q_EMIT c->failed(id, generation, int(StorageError::Kind::Cancelled), u"cancelled"_s);
            });
            return;
        }
        QElapsedTimer took;
        took.start();
        const auto end = qScopeGuard([&] {
            finish(id);
            qCDebug(lcWorker) << "request" << id << "ran" << took.elapsed() << "ms";
        });
        run(id, generation, [&] {
            if (!step(id, body))
                throw StorageError(StorageError::Kind::Cancelled, backend().location() + u": cancelled"_s);
        });
    }

    template<typename F>
    void run(RequestId id, quint64 generation, F&& body)
    {
        try {
            body();
        } catch (const StorageError& e) {
            const int kind = int(e.kind());
            const QString message = e.message();
            reply([=](BackendClient* c) { Q_EMIT c->failed(id, generation, kind, message); });
        } catch (const std::exception& e) {
            // not from a backend's own error handling, so not scrubbed there
            const QString message = withoutPasswords(QString::fromUtf8(e.what()));
            reply([=](BackendClient* c) {
                Q_EMIT c->failed(id, generation, int(StorageError::Kind::OperationFailed), message);
            });
        }
    }

    // Replies are emitted on the client's thread, and only while the client still exists: the event is posted
    // under the link's lock, and a client that goes away later takes its posted events with it.
    template<typename F>
    void reply(F&& emitter)
    {
        std::lock_guard lock(m_link->mutex);
        if (BackendClient* client = m_link->client)
            CrossThreadCall::post(client, [client, emitter]() { emitter(client); });
    }

    BackendClient::Factory m_factory;
    std::shared_ptr<ClientLink> m_link;
    std::shared_ptr<Cancellations> m_cancelled;
    std::unique_ptr<PersistenceBackend> m_backend;
    QHash<QString, QList<Written>> m_written; ///< recent writes per id, newest first
};

BackendClient::BackendClient(Factory factory, QObject* parent)
    : QObject(parent)
    , m_thread(new QThread)
    , m_cancelled(std::make_shared<Cancellations>())
{
    qRegisterMetaType<MemoryQuery>();
    qRegisterMetaType<MemoryFilter>();
    qRegisterMetaType<Page>();
    qRegisterMetaType<WriteOp>();
    qRegisterMetaType<WriteResult>();
    qRegisterMetaType<QList<WriteResult>>();
    qRegisterMetaType<QList<Memory>>();
    qRegisterMetaType<QList<RecordIssue>>();
    m_link = std::make_shared<ClientLink>();
    m_link->client = this;
    m_worker = new BackendWorker(std::move(factory), m_link, m_cancelled);
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->setObjectName(u"inspector-backend"_s);
    m_thread->start();
}

bool BackendClient::event(QEvent* event)
{
    return CrossThreadCall::run(this, event) || QObject::event(event);
}

BackendClient::~BackendClient()
{
    {
        std::lock_guard lock(m_link->mutex);
        m_link->client = nullptr;
    }
    RequestId running = 0;
    {
        std::lock_guard lock(m_cancelled->mutex);
        m_cancelled->all = true; // running batches and jobs stop at their next step
        running = m_cancelled->running;
    }
    if (running != 0)
        Cancellations::interrupt(m_cancelled, running); // and a long read stops in the store
    CrossThreadCall::post(m_worker, [worker = m_worker] { worker->close(); });
    m_thread->quit();
    // a request the store is still answering (a long count, a slow server) finishes without us
    if (m_thread->wait(std::chrono::milliseconds(5))) {
        delete m_thread;
        return;
    }
    ClosingThreads::adopt(m_thread);
}

RequestId BackendClient::open()
{
    const RequestId id = next();
    m_uncancellable.insert(id);
    CrossThreadCall::post(m_worker, [worker = m_worker, id] { worker->open(id); });
    return id;
}

RequestId BackendClient::requestPage(quint64 generation, const MemoryQuery& query)
{
    const RequestId id = next();
    CrossThreadCall::post(m_worker,
                          [worker = m_worker, id, generation, query] { worker->page(id, generation, query); });
    return id;
}

RequestId BackendClient::requestCount(quint64 generation, const MemoryFilter& filter)
{
    const RequestId id = next();
    CrossThreadCall::post(m_worker,
                          [worker = m_worker, id, generation, filter] { worker->count(id, generation, filter); });
    return id;
}

RequestId BackendClient::requestBatch(const QStringList& ids, int batchSize)
{
    const RequestId id = next();
    CrossThreadCall::post(m_worker, [worker = m_worker, id, ids, batchSize] { worker->batch(id, ids, batchSize); });
    return id;
}

RequestId BackendClient::requestRangeBatch(const MemoryQuery& query, qint64 first, qint64 count, int batchSize)
{
    return requestRangeBatch(query, {{first, count}}, batchSize);
}

RequestId BackendClient::requestRangeBatch(const MemoryQuery& query, const QList<std::pair<qint64, qint64>>& ranges,
                                           int batchSize)
{
    const RequestId id = next();
    CrossThreadCall::post(m_worker, [worker = m_worker, id, query, ranges, batchSize] {
        worker->rangeBatch(id, query, ranges, batchSize);
    });
    return id;
}

RequestId BackendClient::requestWrite(const QList<WriteOp>& ops)
{
    const RequestId id = next();
    m_uncancellable.insert(id);
    CrossThreadCall::post(m_worker, [worker = m_worker, id, ops] { worker->write(id, ops); });
    return id;
}

RequestId BackendClient::requestChangeToken()
{
    const RequestId id = next();
    CrossThreadCall::post(m_worker, [worker = m_worker, id] { worker->changeToken(id); });
    return id;
}

RequestId BackendClient::requestJob(Job job)
{
    const RequestId id = next();
    CrossThreadCall::post(m_worker, [worker = m_worker, id, job = std::move(job)] { worker->job(id, job); });
    return id;
}

RequestId BackendClient::next()
{
    m_cancelled->queued.fetch_add(1, std::memory_order_relaxed);
    return ++m_lastId;
}

int BackendClient::queuedRequests() const
{
    return qMax(0,
                m_cancelled->queued.load(std::memory_order_relaxed)
                    - m_cancelled->cancelledWaiting.load(std::memory_order_relaxed));
}

RequestId BackendClient::requestRowOf(quint64 generation, const MemoryQuery& query, const QString& memoryId)
{
    const RequestId id = next();
    CrossThreadCall::post(m_worker, [worker = m_worker, id, generation, query, memoryId] {
        worker->rowOf(id, generation, query, memoryId);
    });
    return id;
}

RequestId BackendClient::requestAnchors(quint64 generation, const MemoryQuery& query, int step, int count)
{
    const RequestId id = next();
    CrossThreadCall::post(m_worker, [worker = m_worker, id, generation, query, step, count] {
        worker->anchors(id, generation, query, step, count);
    });
    return id;
}

void BackendClient::cancel(RequestId id)
{
    if (m_uncancellable.contains(id))
        return; // an open or a write runs whole, as asked
    bool running = false;
    {
        std::lock_guard lock(m_cancelled->mutex);
        const RequestId last = m_cancelled->lastStarted;
        // requests start in id order, one at a time: an earlier one, or the last one when it no longer runs, ended
        // opens and writes that have started are forgotten here: the set stays as small as the queue
        m_uncancellable.removeIf([last](RequestId u) { return u < last; });
        if (id == 0 || id > m_lastId || id < last || (id == last && m_cancelled->running != id))
            return;
        running = m_cancelled->running == id;
        if (!m_cancelled->ids.contains(id) && id > last)
            m_cancelled->cancelledWaiting.fetch_add(1, std::memory_order_relaxed); // not started yet
        m_cancelled->ids.insert(id);
    }
    if (running)
        Cancellations::interrupt(m_cancelled, id);
}

} // namespace Inspector
