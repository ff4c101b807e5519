// SPDX-License-Identifier: MIT
#pragma once

#include <QEvent>

#include <functional>

class QObject;

namespace Inspector {

/// A call handed to another thread's object as a posted event (what a queued QMetaObject::invokeMethod does), with
/// the hand-over told to ThreadSanitizer: Qt's event queue is locked inside Qt, which Debian does not build with
/// TSan, so a queued functor would look raced between the thread that made it and the thread that runs it.
class CrossThreadCall : public QEvent
{
public:
    explicit CrossThreadCall(std::function<void()> call);
    static QEvent::Type eventType();

    /// Posts `call` to run on `receiver`'s thread; dropped with the receiver's other events if it is deleted first.
    static void post(QObject* receiver, std::function<void()> call);
    /// For the receiver's event(): runs the call if `event` is one; false for any other event.
    static bool run(QObject* receiver, QEvent* event);

private:
    std::function<void()> m_call;
};

/// For ThreadSanitizer: what one thread did before released(token) happened before what another does after
/// acquired(token). No-ops in other builds.
void tsanReleased(const void* token);
void tsanAcquired(const void* token);

} // namespace Inspector
