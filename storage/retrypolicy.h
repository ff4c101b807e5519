// SPDX-License-Identifier: MIT
#pragma once

#include "storageerror.h"

#include <chrono>
#include <functional>
#include <random>

namespace Inspector {

/**
 * Exponential backoff with jitter for transient (Kind::Storage) errors only, the schedule of subcog's
 * resilience layer (spec §8): delay k = base × 2^(k−1) (exponent capped at 10), capped at maxDelay, plus
 * a random jitter in [0, delay × jitterFraction).
 */
class RetryPolicy
{
public:
    using Sleeper = std::function<void(std::chrono::milliseconds)>;

    int maxRetries = 3; ///< attempts = maxRetries + 1
    std::chrono::milliseconds baseDelay {100};
    std::chrono::milliseconds maxDelay {10'000};
    double jitterFraction = 0.5;

    /// Defaults, overridden by SUBCOG_STORAGE_MAX_RETRIES and SUBCOG_STORAGE_RETRY_BACKOFF_MS when set.
    static RetryPolicy fromEnvironment();
    /// No retries at all.
    static RetryPolicy none();

    /// The delay before retry number `retry` (1-based) without jitter.
    std::chrono::milliseconds baseDelayFor(int retry) const;
    /// The delay before retry number `retry` with jitter drawn from `random` in [0, 1).
    std::chrono::milliseconds delayFor(int retry, double random) const;
    /// Whether an error of this kind is retried.
    static bool isRetryable(const StorageError& error) { return error.kind() == StorageError::Kind::Storage; }

    /// Runs `operation`, retrying it after Storage errors; the last error is rethrown.
    template<typename F>
    auto run(F&& operation, const Sleeper& sleep = defaultSleeper()) const -> decltype(operation())
    {
        for (int attempt = 0;; ++attempt) {
            try {
                return operation();
            } catch (const StorageError& error) {
                if (!isRetryable(error) || attempt >= maxRetries)
                    throw;
                sleep(delayFor(attempt + 1, m_jitter(m_random)));
            }
        }
    }

    static Sleeper defaultSleeper();

private:
    mutable std::mt19937_64 m_random {std::random_device {}()};
    mutable std::uniform_real_distribution<double> m_jitter {0.0, 1.0};
};

} // namespace Inspector
