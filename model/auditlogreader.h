// SPDX-License-Identifier: MIT
#pragma once

#include "auditlog.h"

#include <QObject>
#include <QStringList>

#include <memory>

namespace Inspector {

/**
 * Reads subcog's audit.log for the GUI on a thread of its own (Qt's global pool), never on the GUI thread and never
 * on a store's worker, whose table pages must not wait behind a pass over a gigabyte of log. One AuditLogIndex
 * lives there: the first request indexes the file once, later ones read only what was appended since (or index
 * again after a truncation or rotation). Requests coalesce: while one runs, only the newest waiting one is kept.
 *
 * Nothing here waits: the destructor and setCandidates() only tell the running pass to stop, and its late answers
 * go nowhere.
 */
class AuditLogReader : public QObject
{
    Q_OBJECT
public:
    /// The newest events of one memory that are read and shown; older ones are counted.
    static constexpr int kEventLimit = 5000;

    explicit AuditLogReader(QObject* parent = nullptr);
    ~AuditLogReader() override;
    bool event(QEvent* event) override;

    /// From now on reads the first of `candidates` that exists (none: nothing to read). The previous file's index
    /// is dropped, and so are its answers still on their way.
    void setCandidates(const QStringList& candidates);
    QStringList candidates() const { return m_candidates; }
    /// Looks whether one of the candidates exists; answered by located().
    void probe();
    /// Brings the index up to the file and reads the events of `memoryId`; answered by located(), then
    /// indexing() while a pass runs, then eventsRead() or failed().
    void request(const QString& memoryId);

Q_SIGNALS:
    /// `path` is the file that is read, empty when no candidate exists.
    void located(const QString& path);
    void indexing(qint64 done, qint64 total);
    /// The newest events (at most kEventLimit) of `memoryId`, oldest first; `total` counts them all.
    void eventsRead(const QString& memoryId, const QList<Inspector::AuditEvent>& events, qint64 total,
                    const Inspector::AuditLogSummary& summary);
    void failed(const QString& memoryId, const QString& message);

private:
    struct Shared;
    static void run(const std::shared_ptr<Shared>& shared);
    void enqueue(const QString& memoryId);

    QStringList m_candidates;
    std::shared_ptr<Shared> m_shared;
    quint64 m_serial = 0;
};

} // namespace Inspector
