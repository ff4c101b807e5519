// SPDX-License-Identifier: MIT
// The worker side of BackendClient: included by backendclient.cpp and backendworker.cpp only.
#pragma once

#include "backendclient.h"
#include "crossthread.h"
#include "secrets.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QThread>

#include <atomic>
#include <mutex>
#include <thread>

#include <time.h>

namespace Inspector {

Q_DECLARE_LOGGING_CATEGORY(lcWorker)

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

/// Lives on the worker thread and owns the backend there; every slot runs on that thread.
class BackendWorker : public QObject
{
public:
    BackendWorker(BackendClient::Factory factory, std::shared_ptr<ClientLink> link,
                  std::shared_ptr<Cancellations> cancelled);
    bool event(QEvent* event) override { return CrossThreadCall::run(this, event) || QObject::event(event); }
    void open(RequestId id);

    void page(RequestId id, quint64 generation, const MemoryQuery& query);
    void count(RequestId id, quint64 generation, const MemoryFilter& filter);

    void rowOf(RequestId id, quint64 generation, const MemoryQuery& query, const QString& memoryId);
    void anchors(RequestId id, quint64 generation, const MemoryQuery& base, int step, int count);
    /// Cursors of the rows before the page starts around `row`, where memory `memoryId` was found (see
    /// BackendClient::requestRowOf).
    QMap<qint64, Cursor> pinsAround(RequestId id, const MemoryQuery& query, const QString& memoryId, qint64 row);

    void batch(RequestId id, const QStringList& ids, int batchSize);
    void rangeBatch(RequestId id, const MemoryQuery& base, const QList<std::pair<qint64, qint64>>& ranges,
                    int batchSize);
    void write(RequestId id, const QList<WriteOp>& ops);

    void changeToken(RequestId id);
    void job(RequestId id, const BackendClient::Job& work);

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

    static bool same(const std::optional<Memory>& a, const std::optional<Memory>& b);
    bool matches(const QString& id, const std::optional<Memory>& current, const std::optional<Memory>& wanted) const;

    /// `interrupted` (when given) tells that the write failed with Kind::Cancelled, so it may be tried again.
    WriteResult writeOne(const WriteOp& op, bool* interrupted);
    PersistenceBackend& backend();

    /// Picks a request up; false when it was cancelled before it started (then it is not run). A cancellable
    /// request becomes the one an interrupt may reach until finish().
    bool start(RequestId id, bool cancellable);
    void finish(RequestId id);

    void checkCancelled(RequestId id);

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
                Q_EMIT c->failed(id, generation, int(StorageError::Kind::Cancelled), QStringLiteral("cancelled"), {});
            });
            return;
        }
        QElapsedTimer took;
        took.start();
        // the worker's own CPU time beside the wall time: on a loaded machine the difference is waiting for a core
        const auto cpuMs = [] {
            timespec t {};
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
            return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
        };
        const double cpuStart = lcWorker().isDebugEnabled() ? cpuMs() : 0;
        const auto end = qScopeGuard([&] {
            finish(id);
            qCDebug(lcWorker) << "request" << id << "ran" << took.elapsed() << "ms, CPU" << cpuMs() - cpuStart << "ms";
        });
        run(id, generation, [&] {
            if (!step(id, body))
                throw StorageError(StorageError::Kind::Cancelled, backend().location() + QStringLiteral(": cancelled"));
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
            const QString detail = e.detail(); // SQL, SQLSTATE: for logs
            reply([=](BackendClient* c) { Q_EMIT c->failed(id, generation, kind, message, detail); });
        } catch (const std::exception& e) {
            // not from a backend's own error handling, so not scrubbed there
            const QString message = withoutPasswords(QString::fromUtf8(e.what()));
            reply([=](BackendClient* c) {
                Q_EMIT c->failed(id, generation, int(StorageError::Kind::OperationFailed), message, {});
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

} // namespace Inspector
