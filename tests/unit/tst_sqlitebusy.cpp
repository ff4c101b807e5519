// SPDX-License-Identifier: MIT
// A store locked by another writer: a typed Storage error, nothing written, and a retry that succeeds.
#include "retryingbackend.h"
#include "sqlite/sqlitebackend.h"
#include "testhelpers.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestSqliteBusy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void lockedStoreIsRetried()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"index.db"_s);
        {
            auto created = SqliteBackend::create(path);
            created->store(Testing::sampleMemory(u"one"_s));
        }
        auto inner = SqliteBackend::open(path);
        inner->setBusyTimeout(50);
        SqliteBackend* sqlite = inner.get();

        // another process's writer holds the lock
        QSqlDatabase other = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"other-writer"_s);
        other.setDatabaseName(path);
        QVERIFY(other.open());
        QSqlQuery lock(other);
        QVERIFY(lock.exec(u"BEGIN IMMEDIATE"_s));

        Memory m = Testing::sampleMemory(u"two"_s);
        m.updatedAt = m.createdAt;
        try {
            sqlite->store(m);
            QFAIL("a locked store accepted a write");
        } catch (const StorageError& e) {
            QCOMPARE(e.kind(), StorageError::Kind::Storage);
            QVERIFY2(e.message().contains(u"locked"_s), qPrintable(e.message()));
            QVERIFY(e.message().contains(path));
        }
        QVERIFY(!sqlite->exists(u"two"_s));

        // with the retry policy, the write succeeds once the other writer is done
        int sleeps = 0;
        RetryPolicy policy;
        policy.baseDelay = std::chrono::milliseconds(1);
        RetryingBackend retrying(std::move(inner), policy, [&](std::chrono::milliseconds) {
            if (++sleeps == 2)
                QVERIFY(lock.exec(u"COMMIT"_s));
        });
        retrying.store(m);
        QCOMPARE(sleeps, 2);
        QVERIFY(retrying.get(u"two"_s)->sameFields(m));

        // an error that is not transient is not retried
        Memory bad = m;
        bad.tags << u"x,y"_s;
        sleeps = 0;
        QVERIFY_THROWS_EXCEPTION(StorageError, retrying.store(bad));
        QCOMPARE(sleeps, 0);

        lock = QSqlQuery();
        other.close();
        other = QSqlDatabase();
        QSqlDatabase::removeDatabase(u"other-writer"_s);
    }
};

QTEST_GUILESS_MAIN(TestSqliteBusy)
#include "tst_sqlitebusy.moc"
