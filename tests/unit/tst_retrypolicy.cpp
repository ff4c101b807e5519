// SPDX-License-Identifier: MIT
#include "retrypolicy.h"

#include <QTest>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using namespace Inspector;

class TestRetryPolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void defaults()
    {
        const RetryPolicy policy;
        QCOMPARE(policy.maxRetries, 3);
        QCOMPARE(policy.baseDelay, 100ms);
        QCOMPARE(policy.baseDelayFor(1), 100ms);
        QCOMPARE(policy.baseDelayFor(2), 200ms);
        QCOMPARE(policy.baseDelayFor(3), 400ms);
    }
    void capsAndJitter()
    {
        RetryPolicy policy;
        QCOMPARE(policy.baseDelayFor(8), 10000ms); // 12.8 s capped at 10 s
        policy.maxDelay = 1000000s;
        QCOMPARE(policy.baseDelayFor(11), 102400ms); // exponent capped at 10
        QCOMPARE(policy.baseDelayFor(30), 102400ms);
        RetryPolicy p;
        QCOMPARE(p.delayFor(1, 0.0), 100ms);
        QCOMPARE(p.delayFor(1, 0.999), 149ms); // jitter stays below half the delay
        QCOMPARE(p.delayFor(2, 0.5), 250ms);
    }
    void retriesStorageErrorsOnly()
    {
        RetryPolicy policy;
        std::vector<std::chrono::milliseconds> sleeps;
        auto sleeper = [&](std::chrono::milliseconds d) { sleeps.push_back(d); };
        int calls = 0;
        const int value = policy.run(
            [&] {
                if (++calls < 3)
                    throw StorageError(StorageError::Kind::Storage, u"database is locked"_s);
                return 42;
            },
            sleeper);
        QCOMPARE(value, 42);
        QCOMPARE(calls, 3);
        QCOMPARE(sleeps.size(), size_t(2));
        QVERIFY(sleeps[0] >= 100ms && sleeps[0] < 150ms);
        QVERIFY(sleeps[1] >= 200ms && sleeps[1] < 300ms);

        calls = 0;
        sleeps.clear();
        try {
            policy.run(
                [&]() -> int {
                    ++calls;
                    throw StorageError(StorageError::Kind::InvalidInput, u"bad tag"_s);
                },
                sleeper);
            QFAIL("expected an exception");
        } catch (const StorageError& e) {
            QCOMPARE(e.kind(), StorageError::Kind::InvalidInput);
        }
        QCOMPARE(calls, 1);
        QVERIFY(sleeps.empty());
    }
    void givesUpAfterMaxRetries()
    {
        RetryPolicy policy;
        policy.maxRetries = 2;
        int calls = 0;
        int sleeps = 0;
        try {
            policy.run(
                [&]() -> int {
                    ++calls;
                    throw StorageError(StorageError::Kind::Storage, u"busy"_s);
                },
                [&](std::chrono::milliseconds) { ++sleeps; });
            QFAIL("expected an exception");
        } catch (const StorageError& e) {
            QCOMPARE(e.message(), u"busy"_s);
        }
        QCOMPARE(calls, 3);
        QCOMPARE(sleeps, 2);
        QCOMPARE(RetryPolicy::none().maxRetries, 0);
    }
    void environment()
    {
        qputenv("SUBCOG_STORAGE_MAX_RETRIES", "5");
        qputenv("SUBCOG_STORAGE_RETRY_BACKOFF_MS", "20");
        const RetryPolicy policy = RetryPolicy::fromEnvironment();
        QCOMPARE(policy.maxRetries, 5);
        QCOMPARE(policy.baseDelay, 20ms);
        qunsetenv("SUBCOG_STORAGE_MAX_RETRIES");
        qunsetenv("SUBCOG_STORAGE_RETRY_BACKOFF_MS");
        QCOMPARE(RetryPolicy::fromEnvironment().maxRetries, 3);
    }
};

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "tst_retrypolicy.moc"
