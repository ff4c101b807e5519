// SPDX-License-Identifier: MIT
#include "crossthread.h"

#include <QCoreApplication>

#if defined(__SANITIZE_THREAD__)
#define INSPECTOR_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define INSPECTOR_TSAN 1
#endif
#endif

#ifdef INSPECTOR_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace Inspector {

void tsanReleased([[maybe_unused]] const void* token)
{
#ifdef INSPECTOR_TSAN
    __tsan_release(const_cast<void*>(token));
#endif
}

void tsanAcquired([[maybe_unused]] const void* token)
{
#ifdef INSPECTOR_TSAN
    __tsan_acquire(const_cast<void*>(token));
#endif
}

CrossThreadCall::CrossThreadCall(std::function<void()> call)
    : QEvent(eventType())
    , m_call(std::move(call))
{
}

QEvent::Type CrossThreadCall::eventType()
{
    static const auto type = QEvent::Type(QEvent::registerEventType());
    return type;
}

void CrossThreadCall::post(QObject* receiver, std::function<void()> call)
{
    auto* event = new CrossThreadCall(std::move(call));
    // per receiver: its event() acquires before it reads any event (even the type of this one)
    tsanReleased(receiver);
    QCoreApplication::postEvent(receiver, event);
}

bool CrossThreadCall::run(QObject* receiver, QEvent* event)
{
    tsanAcquired(receiver);
    if (event->type() != eventType())
        return false;
    static_cast<CrossThreadCall*>(event)->m_call();
    return true;
}

} // namespace Inspector
