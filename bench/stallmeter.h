// SPDX-License-Identifier: MIT
// How long the GUI thread is away from its event loop: every event handled at the outermost level (a paint, a
// queued reply, a timer, a key) is timed, so the worst one is the longest frame the window could not draw, and it
// is named (event type, receiver) to tell what to fix.
#pragma once

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QHash>
#include <QMetaEnum>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <map>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

namespace Bench {

/// The worst event of a phase: its time and what it was.
struct Stall
{
    double ms = 0;
    double cpuMs = 0; ///< of it, the GUI thread's own CPU time (the rest: waiting for a core, or for a lock)
    double waitMs = 0; ///< of it, time the thread was runnable but waiting for a core (the rest: asleep, blocked)
    QString what;
};

/// CPU time of the calling thread in ms.
inline double threadCpuMs()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

/// Time the calling thread has waited on a run queue in ms (the kernel's schedstat run_delay; -1 without it).
/// Tells a stall spent waiting for a core (other processes hold both) from one spent blocked or asleep.
inline double threadRunQueueMs()
{
    thread_local const int fd = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    char text[96];
    const ssize_t n = fd < 0 ? -1 : ::pread(fd, text, sizeof text - 1, 0);
    if (n <= 0)
        return -1;
    text[n] = 0;
    unsigned long long runNs = 0, waitNs = 0;
    if (std::sscanf(text, "%llu %llu", &runNs, &waitNs) != 2)
        return -1;
    return double(waitNs) / 1e6;
}

/// A QApplication that times each outermost event; `phase` names where the current events count.
class TimedApplication : public QApplication
{
public:
    using QApplication::QApplication;

    /// Events from now on count for `name` (and for the action stall, see actionStall()).
    void setPhase(const QString& name) { m_phase = name; }
    QString phase() const { return m_phase; }
    /// The worst event of each phase so far.
    const std::map<QString, Stall>& stalls() const { return m_stalls; }
    /// The kinds of event (type and receiver) that took over kNoteMs in a phase, slowest first.
    QList<Stall> slowKinds(const QString& phase, int n) const
    {
        QList<Stall> kinds;
        if (const auto it = m_kinds.find(phase); it != m_kinds.end())
            kinds = it->second.values();
        std::sort(kinds.begin(), kinds.end(), [](const Stall& a, const Stall& b) { return a.ms > b.ms; });
        return kinds.mid(0, n);
    }
    /// The worst event since the last resetActionStall().
    Stall actionStall() const { return m_action; }
    void resetActionStall() { m_action = {}; }

    bool notify(QObject* receiver, QEvent* event) override
    {
        // the workers' events (their requests) run on their own threads and stall nothing
        if (QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        if (m_depth > 0) {
            ++m_depth;
            const bool result = QApplication::notify(receiver, event);
            --m_depth;
            return result;
        }
        ++m_depth;
        const QEvent::Type type = event->type();
        // read before: the receiver may be gone afterwards (deleteLater)
        const char* receiverClass = receiver->metaObject()->className();
        const QString receiverName = receiver->objectName();
        QElapsedTimer timer;
        timer.start();
        const double cpuStart = threadCpuMs();
        const double waitStart = threadRunQueueMs();
        const bool result = QApplication::notify(receiver, event);
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        const double cpuMs = threadCpuMs() - cpuStart;
        const double waitMs = threadRunQueueMs() - waitStart;
        --m_depth;
        Stall& phase = m_stalls[m_phase];
        if (ms > phase.ms || ms > m_action.ms || ms > kNoteMs) {
            QString what = QString::fromLatin1(QMetaEnum::fromType<QEvent::Type>().valueToKey(type))
                + QStringLiteral(" to ") + QString::fromLatin1(receiverClass);
            if (!receiverName.isEmpty())
                what += QStringLiteral(" \"") + receiverName + u'"';
            if (ms > phase.ms)
                phase = {ms, cpuMs, waitMs, what};
            if (ms > m_action.ms)
                m_action = {ms, cpuMs, waitMs, what};
            if (ms > kNoteMs && m_log)
                qInfo("stall %.1f ms (CPU %.1f ms, waiting for a core %.1f ms): %s", ms, cpuMs, waitMs,
                      qPrintable(what));
            Stall& kind = m_kinds[m_phase][what];
            if (ms > kind.ms)
                kind = {ms, cpuMs, waitMs, what};
        }
        return result;
    }

private:
    static constexpr double kNoteMs = 4;
    // BENCH_STALL_LOG=1: each slow event as it happens, between the model's debug lines (see bench/stall)
    const bool m_log = qEnvironmentVariableIntValue("BENCH_STALL_LOG") != 0;
    int m_depth = 0;
    std::map<QString, QHash<QString, Stall>> m_kinds;
    QString m_phase = QStringLiteral("start");
    std::map<QString, Stall> m_stalls;
    Stall m_action;
};

} // namespace Bench
