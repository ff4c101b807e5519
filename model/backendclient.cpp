// SPDX-License-Identifier: MIT
#include "backendclient.h"

#include "backendworker.h"
#include "crossthread.h"

#include "secrets.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSet>
#include <QThread>

#include <mutex>

#include <sys/resource.h>
#include <thread>

using namespace Qt::StringLiterals;

namespace Inspector {
Q_DECLARE_LOGGING_CATEGORY(lcWorker)

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

namespace {
// ids are unique in the process, not per client: a widget still holding an id of the store it showed before can
// then never cancel, or take the answer of, a request of the store opened since
std::atomic<RequestId> g_lastId {0};

/// How much nicer the worker is than the thread that made it, in a window: the scheduler then gives the GUI thread
/// about three times the worker's share of a core they both want.
constexpr int kWorkerNiceness = 5;
} // namespace

BackendClient::BackendClient(Factory factory, QObject* parent)
    : QObject(parent)
    , m_thread(new QThread)
    , m_cancelled(std::make_shared<Cancellations>())
{
    // every id so far is another client's: to this one they are requests that have ended
    m_cancelled->lastStarted = g_lastId.load(std::memory_order_relaxed);
    m_lastId = m_cancelled->lastStarted;
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
    // In a window the worker gives way to the thread that paints: a count or scan of a large store may take a core
    // for seconds, and on a busy or two-core machine the window's frames must not wait behind it. The worker still
    // has all of an idle CPU. (Linux keeps a nice value per thread; setpriority(0) sets the calling one's.)
    if (QCoreApplication::instance() && QCoreApplication::instance()->inherits("QGuiApplication"))
        connect(
            m_thread, &QThread::started, m_thread,
            [] { setpriority(PRIO_PROCESS, 0, qMin(getpriority(PRIO_PROCESS, 0) + kWorkerNiceness, 19)); },
            Qt::DirectConnection);
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
    qCDebug(lcWorker) << "send" << g_lastId.load(std::memory_order_relaxed) + 1 << "open";
    const RequestId id = next();
    m_uncancellable.insert(id);
    CrossThreadCall::post(m_worker, [worker = m_worker, id] { worker->open(id); });
    return id;
}

RequestId BackendClient::requestPage(quint64 generation, const MemoryQuery& query)
{
    qCDebug(lcWorker) << "send" << g_lastId.load(std::memory_order_relaxed) + 1 << "requestPage";
    const RequestId id = next();
    CrossThreadCall::post(m_worker,
                          [worker = m_worker, id, generation, query] { worker->page(id, generation, query); });
    return id;
}

RequestId BackendClient::requestCount(quint64 generation, const MemoryFilter& filter)
{
    qCDebug(lcWorker) << "send" << g_lastId.load(std::memory_order_relaxed) + 1 << "requestCount";
    const RequestId id = next();
    CrossThreadCall::post(m_worker,
                          [worker = m_worker, id, generation, filter] { worker->count(id, generation, filter); });
    return id;
}

RequestId BackendClient::requestBatch(const QStringList& ids, int batchSize)
{
    qCDebug(lcWorker) << "send" << g_lastId.load(std::memory_order_relaxed) + 1 << "requestBatch";
    const RequestId id = next();
    CrossThreadCall::post(m_worker, [worker = m_worker, id, ids, batchSize] { worker->batch(id, ids, batchSize); });
    return id;
}

RequestId BackendClient::requestRangeBatch(const MemoryQuery& query, qint64 first, qint64 count, int batchSize)
{
    qCDebug(lcWorker) << "send" << g_lastId.load(std::memory_order_relaxed) + 1 << "requestRangeBatch";
    return requestRangeBatch(query, {{first, count}}, batchSize);
}

RequestId BackendClient::requestRangeBatch(const MemoryQuery& query, const QList<std::pair<qint64, qint64>>& ranges,
                                           int batchSize)
{
    qCDebug(lcWorker) << "send" << g_lastId.load(std::memory_order_relaxed) + 1 << "requestRangeBatch";
    const RequestId id = next();
    CrossThreadCall::post(m_worker, [worker = m_worker, id, query, ranges, batchSize] {
        worker->rangeBatch(id, query, ranges, batchSize);
    });
    return id;
}

RequestId BackendClient::requestWrite(const QList<WriteOp>& ops)
{
    qCDebug(lcWorker) << "send" << g_lastId.load(std::memory_order_relaxed) + 1 << "requestWrite";
    const RequestId id = next();
    m_uncancellable.insert(id);
    CrossThreadCall::post(m_worker, [worker = m_worker, id, ops] { worker->write(id, ops); });
    return id;
}

RequestId BackendClient::requestChangeToken()
{
    qCDebug(lcWorker) << "send" << g_lastId.load(std::memory_order_relaxed) + 1 << "requestChangeToken";
    const RequestId id = next();
    CrossThreadCall::post(m_worker, [worker = m_worker, id] { worker->changeToken(id); });
    return id;
}

RequestId BackendClient::requestJob(Job job)
{
    qCDebug(lcWorker) << "send" << g_lastId.load(std::memory_order_relaxed) + 1 << "requestJob";
    const RequestId id = next();
    CrossThreadCall::post(m_worker, [worker = m_worker, id, job = std::move(job)] { worker->job(id, job); });
    return id;
}

RequestId BackendClient::next()
{
    m_cancelled->queued.fetch_add(1, std::memory_order_relaxed);
    return m_lastId = g_lastId.fetch_add(1, std::memory_order_relaxed) + 1;
}

int BackendClient::queuedRequests() const
{
    return qMax(0,
                m_cancelled->queued.load(std::memory_order_relaxed)
                    - m_cancelled->cancelledWaiting.load(std::memory_order_relaxed));
}

RequestId BackendClient::requestRowOf(quint64 generation, const MemoryQuery& query, const QString& memoryId)
{
    qCDebug(lcWorker) << "send" << g_lastId.load(std::memory_order_relaxed) + 1 << "requestRowOf";
    const RequestId id = next();
    CrossThreadCall::post(m_worker, [worker = m_worker, id, generation, query, memoryId] {
        worker->rowOf(id, generation, query, memoryId);
    });
    return id;
}

RequestId BackendClient::requestAnchors(quint64 generation, const MemoryQuery& query, int step, int count)
{
    qCDebug(lcWorker) << "send" << g_lastId.load(std::memory_order_relaxed) + 1 << "requestAnchors";
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
    qCDebug(lcWorker) << "cancel" << id << (running ? "running" : "waiting");
    if (running)
        Cancellations::interrupt(m_cancelled, id);
}

} // namespace Inspector
