// SPDX-License-Identifier: MIT
#include "auditlogreader.h"

#include "crossthread.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QThreadPool>

#include <atomic>
#include <mutex>
#include <optional>

using namespace Qt::StringLiterals;

namespace Inspector {

/// What the GUI side and the pass share. `receiver` is cleared (under the mutex) when the reader goes or reads
/// another file, so a pass posts nothing after that.
struct AuditLogReader::Shared
{
    std::mutex mutex;
    AuditLogReader* receiver = nullptr;
    quint64 serial = 0; ///< the reader drops answers of an older Shared that were already on their way
    QStringList candidates;
    std::optional<QString> pending; ///< the newest request waiting: a memory id, or empty for a probe
    bool running = false;
    std::atomic<bool> stop {false};
    std::unique_ptr<AuditLogIndex> index; ///< used only by the running pass

    void post(std::function<void(AuditLogReader*)> call)
    {
        std::lock_guard lock(mutex);
        if (!receiver)
            return;
        AuditLogReader* to = receiver;
        CrossThreadCall::post(to, [to, serial = serial, call = std::move(call)] {
            if (to->m_serial == serial)
                call(to);
        });
    }
};

AuditLogReader::AuditLogReader(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<QList<AuditEvent>>();
    qRegisterMetaType<AuditLogSummary>();
    setCandidates({});
}

AuditLogReader::~AuditLogReader()
{
    std::lock_guard lock(m_shared->mutex);
    m_shared->receiver = nullptr;
    m_shared->stop = true;
}

bool AuditLogReader::event(QEvent* event)
{
    return CrossThreadCall::run(this, event) || QObject::event(event);
}

void AuditLogReader::setCandidates(const QStringList& candidates)
{
    if (m_shared) {
        std::lock_guard lock(m_shared->mutex);
        m_shared->receiver = nullptr;
        m_shared->stop = true;
    }
    m_candidates = candidates;
    m_shared = std::make_shared<Shared>();
    m_shared->receiver = this;
    m_shared->serial = ++m_serial;
    m_shared->candidates = candidates;
}

void AuditLogReader::probe()
{
    enqueue(QString());
}

void AuditLogReader::request(const QString& memoryId)
{
    enqueue(memoryId);
}

void AuditLogReader::enqueue(const QString& memoryId)
{
    std::shared_ptr<Shared> shared = m_shared;
    {
        std::lock_guard lock(shared->mutex);
        if (!memoryId.isEmpty() || !shared->pending)
            shared->pending = memoryId; // a request also locates the file: a probe never replaces one
        if (shared->running)
            return; // the running pass takes it when it is done
        shared->running = true;
    }
    tsanReleased(shared.get()); // Qt's pool hands the task over where ThreadSanitizer cannot see it
    QThreadPool::globalInstance()->start([shared] { run(shared); });
}

void AuditLogReader::run(const std::shared_ptr<Shared>& shared)
{
    tsanAcquired(shared.get());
    while (true) {
        QString memoryId;
        QStringList candidates;
        {
            std::lock_guard lock(shared->mutex);
            if (!shared->pending || shared->stop) {
                shared->running = false;
                return;
            }
            memoryId = *shared->pending;
            shared->pending.reset();
            candidates = shared->candidates;
        }
        QString path;
        for (const QString& candidate : std::as_const(candidates)) {
            if (QFileInfo(candidate).isFile()) {
                path = candidate;
                break;
            }
        }
        if (!shared->index || shared->index->path() != path)
            shared->index = path.isEmpty() ? nullptr : std::make_unique<AuditLogIndex>(path);
        shared->post([path](AuditLogReader* r) { Q_EMIT r->located(path); });
        if (path.isEmpty() || memoryId.isEmpty())
            continue;

        QElapsedTimer sinceProgress;
        sinceProgress.start();
        const auto update = shared->index->update([&](qint64 done, qint64 total) {
            if (sinceProgress.elapsed() >= 100) {
                sinceProgress.restart();
                shared->post([done, total](AuditLogReader* r) { Q_EMIT r->indexing(done, total); });
            }
            return !shared->stop.load();
        });
        if (update == AuditLogIndex::Update::Stopped)
            continue; // the reader is gone or reads another file
        if (update == AuditLogIndex::Update::Missing) {
            const QString why = shared->index->error().isEmpty() ? tr("the file is gone") : shared->index->error();
            shared->post([memoryId, why, path](AuditLogReader* r) {
                Q_EMIT r->failed(memoryId, tr("Cannot read %1: %2").arg(path, why));
            });
            continue;
        }
        qint64 total = 0;
        const QList<AuditEvent> events = shared->index->eventsOf(memoryId, kEventLimit, &total);
        const AuditLogSummary summary = shared->index->summary();
        shared->post([=](AuditLogReader* r) { Q_EMIT r->eventsRead(memoryId, events, total, summary); });
    }
}

} // namespace Inspector
