// SPDX-License-Identifier: MIT
#include "backendclient.h"

#include <QThread>

using namespace Qt::StringLiterals;

namespace Inspector {

/// Lives on the worker thread and owns the backend there; every slot runs on that thread.
class BackendWorker : public QObject
{
public:
    BackendWorker(BackendClient::Factory factory, BackendClient* client,
                  std::shared_ptr<std::atomic<RequestId>> cancelled)
        : m_factory(std::move(factory))
        , m_client(client)
        , m_cancelled(std::move(cancelled))
    {
    }

    void open(RequestId id)
    {
        Q_ASSERT(QThread::currentThread() == thread());
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
        run(id, generation, [&] {
            const Page page = backend().query(query);
            reply([=](BackendClient* c) { Q_EMIT c->pageLoaded(id, generation, query, page); });
        });
    }

    void count(RequestId id, quint64 generation, const MemoryFilter& filter)
    {
        run(id, generation, [&] {
            const qint64 n = backend().count(filter);
            reply([=](BackendClient* c) { Q_EMIT c->countAvailable(id, generation, n); });
        });
    }

    void batch(RequestId id, const QStringList& ids, int batchSize)
    {
        run(id, 0, [&] {
            QList<RecordIssue> issues;
            qint64 done = 0;
            const qint64 total = ids.size();
            for (qsizetype start = 0; start < ids.size(); start += qMax(1, batchSize)) {
                // cooperative cancellation: checked between batches, never by interrupting the backend
                if (m_cancelled->load() >= id) {
                    reply([=](BackendClient* c) { Q_EMIT c->batchFinished(id, true, issues); });
                    return;
                }
                const QList<Memory> memories = backend().getBatch(ids.mid(start, batchSize), &issues);
                done = qMin<qint64>(total, start + batchSize);
                reply([=](BackendClient* c) { Q_EMIT c->batchLoaded(id, memories, done, total); });
            }
            reply([=](BackendClient* c) { Q_EMIT c->batchFinished(id, false, issues); });
        });
    }

    void close() { m_backend.reset(); }

private:
    PersistenceBackend& backend()
    {
        if (!m_backend)
            throw StorageError(StorageError::Kind::OperationFailed, u"no store is open"_s);
        return *m_backend;
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
            const QString message = QString::fromUtf8(e.what());
            reply([=](BackendClient* c) {
                Q_EMIT c->failed(id, generation, int(StorageError::Kind::OperationFailed), message);
            });
        }
    }

    // Replies are emitted on the client's thread, and only while the client still exists.
    template<typename F>
    void reply(F&& emitter)
    {
        QMetaObject::invokeMethod(
            m_client, [client = m_client, emitter]() { emitter(client); }, Qt::QueuedConnection);
    }

    BackendClient::Factory m_factory;
    BackendClient* m_client;
    std::shared_ptr<std::atomic<RequestId>> m_cancelled;
    std::unique_ptr<PersistenceBackend> m_backend;
};

BackendClient::BackendClient(Factory factory, QObject* parent)
    : QObject(parent)
    , m_thread(new QThread)
    , m_cancelled(std::make_shared<std::atomic<RequestId>>(0))
{
    qRegisterMetaType<MemoryQuery>();
    qRegisterMetaType<MemoryFilter>();
    qRegisterMetaType<Page>();
    m_worker = new BackendWorker(std::move(factory), this, m_cancelled);
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->setObjectName(u"inspector-backend"_s);
    m_thread->start();
}

BackendClient::~BackendClient()
{
    m_cancelled->store(m_lastId); // running batches stop at their next step
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker] { worker->close(); }, Qt::QueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

RequestId BackendClient::open()
{
    const RequestId id = next();
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, id] { worker->open(id); }, Qt::QueuedConnection);
    return id;
}

RequestId BackendClient::requestPage(quint64 generation, const MemoryQuery& query)
{
    const RequestId id = next();
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, id, generation, query] { worker->page(id, generation, query); },
        Qt::QueuedConnection);
    return id;
}

RequestId BackendClient::requestCount(quint64 generation, const MemoryFilter& filter)
{
    const RequestId id = next();
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, id, generation, filter] { worker->count(id, generation, filter); },
        Qt::QueuedConnection);
    return id;
}

RequestId BackendClient::requestBatch(const QStringList& ids, int batchSize)
{
    const RequestId id = next();
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, id, ids, batchSize] { worker->batch(id, ids, batchSize); }, Qt::QueuedConnection);
    return id;
}

void BackendClient::cancel(RequestId id)
{
    RequestId current = m_cancelled->load();
    while (current < id && !m_cancelled->compare_exchange_weak(current, id)) { }
}

} // namespace Inspector
