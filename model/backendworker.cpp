// SPDX-License-Identifier: MIT
#include "backendworker.h"

#include "secrets.h"

using namespace Qt::StringLiterals;

namespace Inspector {

Q_LOGGING_CATEGORY(lcWorker, "inspector.model.worker", QtWarningMsg)

namespace {
constexpr qint64 kAnchorBudgetMs = 30;
}

BackendWorker::BackendWorker(BackendClient::Factory factory, std::shared_ptr<ClientLink> link,
                             std::shared_ptr<Cancellations> cancelled)
    : m_factory(std::move(factory))
    , m_link(std::move(link))
    , m_cancelled(std::move(cancelled))
{
}

void BackendWorker::open(RequestId id)
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

void BackendWorker::page(RequestId id, quint64 generation, const MemoryQuery& query)
{
    single(id, generation, [&] {
        const Page page = backend().query(query);
        checkCancelled(id);
        reply([=](BackendClient* c) { Q_EMIT c->pageLoaded(id, generation, query, page); });
    });
}

void BackendWorker::count(RequestId id, quint64 generation, const MemoryFilter& filter)
{
    single(id, generation, [&] {
        const qint64 n = backend().count(filter);
        checkCancelled(id);
        reply([=](BackendClient* c) { Q_EMIT c->countAvailable(id, generation, n); });
    });
}

void BackendWorker::rowOf(RequestId id, quint64 generation, const MemoryQuery& query, const QString& memoryId)
{
    single(id, generation, [&] {
        const qint64 row = backend().rowOf(query, memoryId).value_or(-1);
        checkCancelled(id);
        const QMap<qint64, Cursor> pins
            = row >= 0 && query.limit > 0 ? pinsAround(id, query, memoryId, row) : QMap<qint64, Cursor> {};
        reply([=](BackendClient* c) { Q_EMIT c->rowFound(id, generation, memoryId, row, pins); });
    });
}

QMap<qint64, Cursor> BackendWorker::pinsAround(RequestId id, const MemoryQuery& query, const QString& memoryId,
                                               qint64 row)
{
    // two short keyset reads from the row itself (metadata only): a counted row costs a walk, its neighbours not
    QMap<qint64, Cursor> pins;
    const std::optional<Memory> found = backend().get(memoryId);
    if (!found)
        return pins;
    const Cursor at = Cursor::of(*found, query.sortKey);
    pins.insert(row, at);
    const int pageSize = query.limit;
    const auto pinPageStarts = [&](const QList<Memory>& rows, qint64 firstRow) {
        for (qsizetype i = 0; i < rows.size(); ++i) {
            if ((firstRow + i + 1) % pageSize == 0)
                pins.insert(firstRow + i, Cursor::of(rows.at(i), query.sortKey));
        }
    };
    MemoryQuery q = query;
    q.withContent = false;
    q.skip = 0;
    q.after = at;
    // back to the row before the start of the page before the row's page
    q.fromEnd = true;
    q.limit = int(qMin<qint64>(row, row % pageSize + pageSize + 1));
    if (q.limit > 0) {
        const Page before = backend().query(q);
        pinPageStarts(before.memories, row - before.memories.size());
        checkCancelled(id);
    }
    q.fromEnd = false;
    q.limit = 2 * pageSize;
    pinPageStarts(backend().query(q).memories, row + 1);
    return pins;
}

void BackendWorker::anchors(RequestId id, quint64 generation, const MemoryQuery& base, int step, int count)
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

void BackendWorker::batch(RequestId id, const QStringList& ids, int batchSize)
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

void BackendWorker::rangeBatch(RequestId id, const MemoryQuery& base, const QList<std::pair<qint64, qint64>>& ranges,
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

void BackendWorker::write(RequestId id, const QList<WriteOp>& ops)
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

void BackendWorker::changeToken(RequestId id)
{
    single(id, 0, [&] {
        const auto token = backend().changeToken();
        checkCancelled(id);
        const QByteArray value = token.value_or(QByteArray());
        const bool supported = token.has_value();
        reply([=](BackendClient* c) { Q_EMIT c->changeTokenRead(id, value, supported); });
    });
}

void BackendWorker::job(RequestId id, const BackendClient::Job& work)
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

bool BackendWorker::same(const std::optional<Memory>& a, const std::optional<Memory>& b)
{
    if (!a || !b)
        return !a && !b;
    return a->sameFields(*b);
}

bool BackendWorker::matches(const QString& id, const std::optional<Memory>& current,
                            const std::optional<Memory>& wanted) const
{
    if (same(current, wanted))
        return true;
    // `wanted` may be a version we wrote earlier, which the store may have read back differently
    const QList<Written> history = m_written.value(id);
    return std::any_of(history.begin(), history.end(),
                       [&](const Written& w) { return same(w.desired, wanted) && same(w.stored, current); });
}

WriteResult BackendWorker::writeOne(const WriteOp& op, bool* interrupted)
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

PersistenceBackend& BackendWorker::backend()
{
    if (!m_backend)
        throw StorageError(StorageError::Kind::OperationFailed, u"no store is open"_s);
    return *m_backend;
}

bool BackendWorker::start(RequestId id, bool cancellable)
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
    if (m_backend)
        m_backend->beginRequest(); // an interrupt for this id can only come after this
    m_cancelled->running = id;
    return true;
}

void BackendWorker::finish(RequestId id)
{
    {
        // waits for an interrupt on its way to the store: none can reach the next request
        std::lock_guard runLock(m_cancelled->runMutex);
        if (m_cancelled->runningBackend)
            m_cancelled->runningBackend->endRequest();
        m_cancelled->running = 0;
        m_cancelled->runningBackend = nullptr;
    }
    m_cancelled->forget(id);
}

void BackendWorker::checkCancelled(RequestId id)
{
    // an interrupted read can look like a short one (rows that ended early), so its result is not sent
    if (m_cancelled->contains(id))
        throw StorageError(StorageError::Kind::Cancelled, u"cancelled"_s);
}

} // namespace Inspector
