// SPDX-License-Identifier: MIT
#include "retrypolicy.h"

#include <QThread>
#include <QtGlobal>

#include <algorithm>

namespace Inspector {

RetryPolicy RetryPolicy::fromEnvironment()
{
    RetryPolicy policy;
    bool ok = false;
    const int retries = qEnvironmentVariableIntValue("SUBCOG_STORAGE_MAX_RETRIES", &ok);
    if (ok && retries >= 0)
        policy.maxRetries = retries;
    const int backoff = qEnvironmentVariableIntValue("SUBCOG_STORAGE_RETRY_BACKOFF_MS", &ok);
    if (ok && backoff >= 0)
        policy.baseDelay = std::chrono::milliseconds(backoff);
    return policy;
}

RetryPolicy RetryPolicy::none()
{
    RetryPolicy policy;
    policy.maxRetries = 0;
    return policy;
}

std::chrono::milliseconds RetryPolicy::baseDelayFor(int retry) const
{
    const int exponent = std::clamp(retry - 1, 0, 10);
    const auto delay = baseDelay * (qint64(1) << exponent);
    return std::min<std::chrono::milliseconds>(delay, maxDelay);
}

std::chrono::milliseconds RetryPolicy::delayFor(int retry, double random) const
{
    const auto delay = baseDelayFor(retry);
    const auto jitter = std::chrono::milliseconds(qint64(double(delay.count()) * jitterFraction * random));
    return delay + jitter;
}

RetryPolicy::Sleeper RetryPolicy::defaultSleeper()
{
    // Backends are only called on worker threads (or headless commands), so sleeping here blocks no GUI.
    return [](std::chrono::milliseconds delay) { QThread::msleep(static_cast<unsigned long>(delay.count())); };
}

} // namespace Inspector
