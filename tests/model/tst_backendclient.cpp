// SPDX-License-Identifier: MIT
// The backend on its worker thread: requests and replies by value, errors, batches with cancel, closing mid-work.
#include "backendclient.h"
#include "fixturegenerator.h"
#include "sqlite/sqlitebackend.h"
#include "storesession.h"

#include <QElapsedTimer>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <sys/resource.h>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestBackendClient : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    Fixtures::GeneratedStore m_store;

    static BackendClient::Factory factory(const QString& path, std::atomic<QThread*>* usedOn = nullptr)
    {
        return [path, usedOn] {
            if (usedOn)
                usedOn->store(QThread::currentThread());
            return std::unique_ptr<PersistenceBackend>(SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly));
        };
    }

    /// A HEAD store with `rows` metadata rows (no text: counts never read it), written in one statement.
    static QString bigStore(const QString& path, int rows)
    {
        SqliteBackend::create(path).reset();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"big"_s);
            db.setDatabaseName(path);
            if (!db.open())
                return db.lastError().text();
            QSqlQuery q(db);
            q.prepare(u"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) "
                      "INSERT INTO memories (id, namespace, status, created_at, source, tags) "
                      "SELECT printf('m%08d', x), 'decisions', 'active', 1700000000 + x, "
                      "'src/some/longer/path/to/a/source/file/number/' || x || '.rs', 'a,b' FROM c"_s);
            q.addBindValue(rows);
            const QString error = q.exec() ? QString() : q.lastError().text();
            q.finish();
            db.close();
            if (!error.isEmpty())
                return error;
        }
        QSqlDatabase::removeDatabase(u"big"_s);
        return {};
    }

    /// A filter SQLite must test on every row with hundreds of GLOBs (none matches): a count of seconds.
    static MemoryFilter slowFilter()
    {
        MemoryFilter filter;
        for (int i = 0; i < 400; ++i)
            filter.sourcePatterns << u"*no-such-part-%1*"_s.arg(i);
        return filter;
    }

    QStringList allIds() const
    {
        QStringList ids;
        for (const Memory& m : m_store.truth)
            ids << m.id;
        return ids;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<QList<Memory>>();
        qRegisterMetaType<QList<RecordIssue>>();
        Fixtures::GeneratorOptions options;
        options.count = 300;
        options.anomalies = false;
        m_store = Fixtures::writeSqliteStore(m_dir.filePath(u"index.db"_s), Fixtures::SqliteLayout::Head, options);
    }

    void openCountAndPageOnTheWorkerThread()
    {
        std::atomic<QThread*> usedOn {nullptr};
        BackendClient client(factory(m_store.path, &usedOn));
        QSignalSpy opened(&client, &BackendClient::opened);
        QSignalSpy counted(&client, &BackendClient::countAvailable);
        QSignalSpy paged(&client, &BackendClient::pageLoaded);
        const RequestId openId = client.open();
        const RequestId countId = client.requestCount(7, {});
        MemoryQuery query;
        query.limit = 120;
        const RequestId pageId = client.requestPage(7, query);
        QTRY_COMPARE(paged.size(), 1);
        QTRY_COMPARE(counted.size(), 1);
        QCOMPARE(opened.size(), 1);
        QCOMPARE(opened.first().at(0).value<RequestId>(), openId);
        QCOMPARE(opened.first().at(1).toString(), m_store.path);
        QCOMPARE(counted.first().at(0).value<RequestId>(), countId);
        QCOMPARE(counted.first().at(1).value<quint64>(), quint64(7));
        QCOMPARE(counted.first().at(2).value<qint64>(), qint64(300));
        QCOMPARE(paged.first().at(0).value<RequestId>(), pageId);
        const Page page = paged.first().at(3).value<Page>();
        QCOMPARE(page.memories.size(), 120);
        QVERIFY(page.next);
        QVERIFY(!page.memories.first().content.isEmpty());
        QVERIFY(usedOn.load() && usedOn.load() != QThread::currentThread()); // the store lives on the worker
    }

    void errorsComeBackAsValues()
    {
        BackendClient client(factory(m_dir.filePath(u"missing.db"_s)));
        QSignalSpy failed(&client, &BackendClient::failed);
        const RequestId openId = client.open();
        const RequestId pageId = client.requestPage(3, MemoryQuery {});
        QTRY_COMPARE(failed.size(), 2);
        QCOMPARE(failed.at(0).at(0).value<RequestId>(), openId);
        QCOMPARE(failed.at(0).at(2).toInt(), int(StorageError::Kind::NotFound));
        QVERIFY(failed.at(0).at(3).toString().contains(u"missing.db"_s));
        QCOMPARE(failed.at(1).at(0).value<RequestId>(), pageId);
        QCOMPARE(failed.at(1).at(1).value<quint64>(), quint64(3));
    }

    void aHeadlessWorkerKeepsItsPriority()
    {
        // a command's export or check has the whole CPU the process was given: only a window's worker gives way
        BackendClient client(factory(m_store.path));
        QSignalSpy finished(&client, &BackendClient::jobFinished);
        client.open();
        client.requestJob(
            [](PersistenceBackend&, const auto&) { return QString::number(getpriority(PRIO_PROCESS, 0)); });
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(2).toString().toInt(), getpriority(PRIO_PROCESS, 0));
    }

    void errorsKeepTheirKindAndDetail()
    {
        BackendClient client(factory(m_store.path));
        QSignalSpy failed(&client, &BackendClient::failed);
        client.open();
        const RequestId job = client.requestJob([](PersistenceBackend&, const auto&) -> QString {
            throw StorageError(StorageError::Kind::InvalidInput, u"refused"_s, u"SQLSTATE 22023"_s);
        });
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(0).value<RequestId>(), job);
        QCOMPARE(failed.first().at(2).toInt(), int(StorageError::Kind::InvalidInput));
        QCOMPARE(failed.first().at(3).toString(), u"refused"_s);
        QCOMPARE(failed.first().at(4).toString(), u"SQLSTATE 22023"_s); // the worker dropped it before
    }

    void sessionRoutesEachReplyToItsRequest()
    {
        StoreSession session;
        QSignalSpy opened(&session, &StoreSession::opened);
        session.open(factory(m_store.path));
        QTRY_COMPARE(opened.size(), 1);
        QList<int> got; // rows per answer, in the order of the handlers called
        std::optional<StorageError> error;
        const auto pageOf = [&](int limit) {
            MemoryQuery q;
            q.limit = limit;
            StoreSession::Handler h;
            h.page = [&got, limit](RequestId, quint64 generation, const Page& page) {
                QCOMPARE(generation, quint64(5));
                got << limit * 1000 + int(page.memories.size());
            };
            h.failed = [&error](RequestId, quint64, const StorageError& e) { error = e; };
            return session.page(5, q, std::move(h));
        };
        pageOf(3);
        const RequestId dropped = pageOf(4);
        pageOf(7);
        session.forget(dropped); // its handler is never called, whatever the store answers
        MemoryQuery byId;
        byId.sortKey = SortKey::Id;
        StoreSession::Handler row;
        qint64 foundAt = -2;
        row.row = [&](RequestId, quint64, qint64 r, const QMap<qint64, Cursor>&) { foundAt = r; };
        session.rowOf(5, byId, m_store.truth.first().id, std::move(row));
        QTRY_COMPARE(got.size(), 2);
        QCOMPARE(got, (QList<int> {3003, 7007}));
        QTRY_VERIFY(foundAt >= 0);
        QVERIFY(!error);
        QTRY_VERIFY(!session.isBusy());
    }

    void sessionFailuresAreStorageErrors()
    {
        StoreSession session;
        int openFailures = 0;
        connect(&session, &StoreSession::openFailed, this, [&openFailures](const StorageError& e) {
            ++openFailures;
            QCOMPARE(e.kind(), StorageError::Kind::NotFound); // the kind travels, not only the message
        });
        session.open(factory(m_dir.filePath(u"missing.db"_s)));
        std::optional<StorageError> error;
        StoreSession::Handler h;
        h.page = [](RequestId, quint64, const Page&) { QFAIL("a store that did not open has no pages"); };
        h.failed = [&error](RequestId, quint64, const StorageError& e) { error = e; };
        session.page(1, MemoryQuery {}, std::move(h));
        QTRY_VERIFY(error.has_value());
        QCOMPARE(openFailures, 1);
        QVERIFY(session.hasOpenFailed());
        QCOMPARE(error->kind(), StorageError::Kind::OperationFailed); // "no store is open"
        QTRY_VERIFY(!session.isBusy());
    }

    void batchesStreamAndCancel()
    {
        BackendClient client(factory(m_store.path));
        client.open();
        const QStringList ids = allIds();
        QSignalSpy loaded(&client, &BackendClient::batchLoaded);
        QSignalSpy finished(&client, &BackendClient::batchFinished);
        const RequestId whole = client.requestBatch(ids, 64);
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(0).value<RequestId>(), whole);
        QCOMPARE(finished.first().at(1).toBool(), false);
        qint64 rows = 0;
        for (const auto& args : std::as_const(loaded))
            rows += args.at(1).value<QList<Memory>>().size();
        QCOMPARE(rows, qint64(ids.size()));
        QCOMPARE(loaded.last().at(2).value<qint64>(), qint64(ids.size()));

        loaded.clear();
        finished.clear();
        // the worker is held busy until the cancel is in, so the batch cannot finish first on a loaded machine
        auto release = std::make_shared<QSemaphore>();
        client.requestJob([release](PersistenceBackend&, const auto&) {
            release->acquire();
            return QString();
        });
        const RequestId cancelled = client.requestBatch(ids, 1);
        client.cancel(cancelled);
        release->release();
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(1).toBool(), true);
        QVERIFY(loaded.size() < ids.size());
    }

    void cancelStopsOnlyTheRequestNamed()
    {
        BackendClient client(factory(m_store.path));
        client.open();
        const QStringList ids = allIds();
        QSignalSpy loaded(&client, &BackendClient::batchLoaded);
        QSignalSpy finished(&client, &BackendClient::batchFinished);
        QSignalSpy jobs(&client, &BackendClient::jobFinished);
        // all three wait behind a job until the cancel is in
        auto release = std::make_shared<QSemaphore>();
        client.requestJob([release](PersistenceBackend&, const auto&) {
            release->acquire();
            return QString();
        });
        const RequestId earlier = client.requestBatch(ids, 50);
        const RequestId cancelled = client.requestBatch(ids, 1);
        const RequestId later = client.requestRangeBatch(MemoryQuery {}, 0, 120, 40);
        client.cancel(cancelled);
        release->release();
        QTRY_COMPARE(finished.size(), 3);
        QHash<RequestId, bool> wasCancelled;
        QHash<RequestId, qint64> rows;
        for (const auto& args : std::as_const(finished))
            wasCancelled.insert(args.at(0).value<RequestId>(), args.at(1).toBool());
        for (const auto& args : std::as_const(loaded))
            rows[args.at(0).value<RequestId>()] += args.at(1).value<QList<Memory>>().size();
        QCOMPARE(wasCancelled.value(earlier, true), false);
        QCOMPARE(rows.value(earlier), qint64(ids.size()));
        QCOMPARE(wasCancelled.value(cancelled, false), true);
        QVERIFY(rows.value(cancelled) < ids.size());
        QCOMPARE(wasCancelled.value(later, true), false);
        QCOMPARE(rows.value(later), qint64(120));

        // a job is cancelled alone too, and cancelling a finished request stops nothing later
        finished.clear();
        client.cancel(earlier);
        auto hold = std::make_shared<QSemaphore>();
        const RequestId job = client.requestJob([hold](PersistenceBackend&, const auto& progress) {
            hold->acquire();
            return progress(1, 1) ? u"ran"_s : u"stopped"_s;
        });
        const RequestId batch = client.requestBatch(ids, 100);
        client.cancel(job);
        hold->release();
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(0).value<RequestId>(), batch);
        QCOMPARE(finished.first().at(1).toBool(), false);
        QTRY_COMPARE(jobs.size(), 2);
        QCOMPARE(jobs.last().at(0).value<RequestId>(), job);
        QCOMPARE(jobs.last().at(1).toBool(), true);
    }

    void cancelBeforeStartDropsTheRequest()
    {
        BackendClient client(factory(m_store.path));
        client.open();
        QSignalSpy paged(&client, &BackendClient::pageLoaded);
        QSignalSpy counted(&client, &BackendClient::countAvailable);
        QSignalSpy found(&client, &BackendClient::rowFound);
        QSignalSpy tokens(&client, &BackendClient::changeTokenRead);
        QSignalSpy failed(&client, &BackendClient::failed);
        QSignalSpy jobs(&client, &BackendClient::jobFinished);
        QSignalSpy batches(&client, &BackendClient::batchFinished);
        QSignalSpy writes(&client, &BackendClient::writeFinished);
        // the worker is held by a job until every request is queued and cancelled
        auto started = std::make_shared<QSemaphore>();
        auto release = std::make_shared<QSemaphore>();
        client.requestJob([started, release](PersistenceBackend&, const auto&) {
            started->release();
            release->acquire();
            return QString();
        });
        QVERIFY(started->tryAcquire(1, 5000));
        QCOMPARE(client.queuedRequests(), 0);
        QList<RequestId> cancelled;
        for (int i = 0; i < 5; ++i) {
            MemoryQuery q;
            q.skip = i * 10;
            cancelled << client.requestPage(4, q);
        }
        cancelled << client.requestCount(4, {}) << client.requestRowOf(4, MemoryQuery {}, allIds().first())
                  << client.requestChangeToken();
        const RequestId batch = client.requestBatch(allIds(), 10);
        const RequestId job = client.requestJob([](PersistenceBackend&, const auto&) { return u"ran"_s; });
        const RequestId write = client.requestWrite({}); // a write is never cancelled
        const RequestId kept = client.requestCount(5, {});
        QCOMPARE(client.queuedRequests(), 12);
        for (RequestId id : std::as_const(cancelled))
            client.cancel(id);
        client.cancel(batch);
        client.cancel(job);
        client.cancel(write);
        // cancelled requests wait for the worker only to be dropped: the write and the kept count are its backlog
        QCOMPARE(client.queuedRequests(), 2);
        release->release();
        QTRY_COMPARE(counted.size(), 1);
        QCOMPARE(counted.first().at(0).value<RequestId>(), kept);
        QCOMPARE(client.queuedRequests(), 0);
        QCOMPARE(paged.size(), 0);
        QCOMPARE(found.size(), 0);
        QCOMPARE(tokens.size(), 0);
        QCOMPARE(failed.size(), cancelled.size());
        for (qsizetype i = 0; i < failed.size(); ++i) {
            QCOMPARE(failed.at(i).at(0).value<RequestId>(), cancelled.at(i));
            QCOMPARE(failed.at(i).at(1).value<quint64>(), quint64(i + 1 < failed.size() ? 4 : 0)); // a token has none
            QCOMPARE(failed.at(i).at(2).toInt(), int(StorageError::Kind::Cancelled));
        }
        QCOMPARE(batches.size(), 1);
        QCOMPARE(batches.first().at(1).toBool(), true);
        QCOMPARE(jobs.size(), 2);
        QCOMPARE(jobs.last().at(0).value<RequestId>(), job);
        QCOMPARE(jobs.last().at(1).toBool(), true);
        QCOMPARE(writes.size(), 1);
        QCOMPARE(writes.first().at(0).value<RequestId>(), write);
    }

    void rowFoundAnswersGoToId()
    {
        BackendClient client(factory(m_store.path));
        client.open();
        QSignalSpy paged(&client, &BackendClient::pageLoaded);
        QSignalSpy found(&client, &BackendClient::rowFound);
        MemoryQuery query;
        query.sortKey = SortKey::Namespace;
        query.order = Qt::AscendingOrder;
        query.limit = 1000;
        query.withContent = false;
        client.requestPage(2, query);
        QTRY_COMPARE(paged.size(), 1);
        const QList<Memory> order = paged.first().at(3).value<Page>().memories;
        QCOMPARE(order.size(), 300);
        MemoryQuery pagesOf50 = query;
        pagesOf50.limit = 50;
        const RequestId at = client.requestRowOf(2, pagesOf50, order.at(137).id);
        const RequestId none = client.requestRowOf(2, query, u"no-such-memory"_s);
        QTRY_COMPARE(found.size(), 2);
        QCOMPARE(found.at(0).at(0).value<RequestId>(), at);
        QCOMPARE(found.at(0).at(1).value<quint64>(), quint64(2));
        QCOMPARE(found.at(0).at(2).toString(), order.at(137).id);
        QCOMPARE(found.at(0).at(3).value<qint64>(), qint64(137));
        // the row and the last rows before the page starts from the page before its page to two after
        const auto pins = found.at(0).at(4).value<QMap<qint64, Cursor>>();
        QCOMPARE(pins.keys(), (QList<qint64> {49, 99, 137, 149, 199}));
        for (auto it = pins.cbegin(); it != pins.cend(); ++it)
            QCOMPARE(it.value(), Cursor::of(order.at(it.key()), SortKey::Namespace));
        QCOMPARE(found.at(1).at(0).value<RequestId>(), none);
        using Pins = QMap<qint64, Cursor>;
        QVERIFY(found.at(1).at(4).value<Pins>().isEmpty());
        QCOMPARE(found.at(1).at(3).value<qint64>(), qint64(-1));
    }

    void cancelInterruptsARunningCount()
    {
        const QString path = m_dir.filePath(u"big.db"_s);
        const QString error = bigStore(path, 50000);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        BackendClient client(factory(path));
        client.open();
        QSignalSpy counted(&client, &BackendClient::countAvailable);
        QSignalSpy failed(&client, &BackendClient::failed);
        // how long the count takes when nobody stops it
        QElapsedTimer timer;
        timer.start();
        client.requestCount(1, slowFilter());
        QTRY_COMPARE_WITH_TIMEOUT(counted.size(), 1, 60000);
        const qint64 whole = timer.elapsed();
        QCOMPARE(counted.first().at(2).value<qint64>(), qint64(0));
        QVERIFY2(whole > 1000, qPrintable(u"the count took only %1 ms"_s.arg(whole)));

        const RequestId id = client.requestCount(2, slowFilter());
        QTRY_COMPARE(client.queuedRequests(), 0); // picked up: running
        QTest::qWait(300);
        timer.restart();
        client.cancel(id);
        QVERIFY(timer.elapsed() < 50); // cancel does not wait
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        const qint64 stopped = timer.elapsed();
        QCOMPARE(failed.first().at(0).value<RequestId>(), id);
        QCOMPARE(failed.first().at(2).toInt(), int(StorageError::Kind::Cancelled));
        QVERIFY2(stopped < 200,
                 qPrintable(u"stopped %1 ms after the cancel (whole count: %2 ms)"_s.arg(stopped).arg(whole)));
        QCOMPARE(counted.size(), 1);
        qInfo("whole count %lld ms, stopped %lld ms after the cancel", whole, stopped);

        // the interrupt does not reach the requests after it, nor does a cancel of a request that has ended
        client.cancel(id);
        const RequestId after = client.requestCount(3, {});
        QTRY_COMPARE(counted.size(), 2);
        QCOMPARE(counted.last().at(0).value<RequestId>(), after);
        QCOMPARE(counted.last().at(2).value<qint64>(), qint64(50000));
        QCOMPARE(failed.size(), 1);
    }

    void aCancelMeantForAnotherRequestRunsItAgainOnce()
    {
        // as when a PostgreSQL cancel sent for the request before lands on this one's first statement
        BackendClient client(factory(m_store.path));
        client.open();
        QSignalSpy jobs(&client, &BackendClient::jobFinished);
        QSignalSpy failed(&client, &BackendClient::failed);
        auto attempts = std::make_shared<std::atomic<int>>(0);
        const RequestId once = client.requestJob([attempts](PersistenceBackend& store, const auto&) {
            if (attempts->fetch_add(1) == 0)
                throw StorageError(StorageError::Kind::Cancelled, store.location() + u": cancelled"_s);
            return u"ran"_s;
        });
        QTRY_COMPARE(jobs.size(), 1);
        QCOMPARE(jobs.first().at(0).value<RequestId>(), once);
        QCOMPARE(jobs.first().at(1).toBool(), false);
        QCOMPARE(jobs.first().at(2).toString(), u"ran"_s);
        QCOMPARE(attempts->load(), 2);
        // but only once
        const RequestId twice = client.requestJob([](PersistenceBackend& store, const auto&) -> QString {
            throw StorageError(StorageError::Kind::Cancelled, store.location() + u": cancelled"_s);
        });
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(0).value<RequestId>(), twice);
        QCOMPARE(failed.first().at(2).toInt(), int(StorageError::Kind::Cancelled));
    }

    void aJobStoppedInTheStoreFinishesAsCancelled()
    {
        // an export wraps the store's Cancelled error in its own message; it still ends as a cancel, not a failure
        BackendClient client(factory(m_store.path));
        client.open();
        QSignalSpy jobs(&client, &BackendClient::jobFinished);
        QSignalSpy failed(&client, &BackendClient::failed);
        auto started = std::make_shared<QSemaphore>();
        auto release = std::make_shared<QSemaphore>();
        const RequestId job = client.requestJob([started, release](PersistenceBackend&, const auto&) -> QString {
            started->release();
            release->acquire();
            throw StorageError(StorageError::Kind::OperationFailed, u"out.jsonl: cancelled; nothing was written"_s);
        });
        QVERIFY(started->tryAcquire(1, 5000));
        client.cancel(job);
        release->release();
        QTRY_COMPARE(jobs.size(), 1);
        QCOMPARE(jobs.first().at(0).value<RequestId>(), job);
        QCOMPARE(jobs.first().at(1).toBool(), true);
        QCOMPARE(jobs.first().at(2).toString(), u"out.jsonl: cancelled; nothing was written"_s);
        QCOMPARE(failed.size(), 0);
    }

    void lateInterruptIsHarmless()
    {
        // sqlite3_interrupt when nothing runs must not stop the next statement
        auto backend = SqliteBackend::open(m_store.path, SqliteBackend::OpenMode::ReadOnly);
        backend->interrupt();
        QCOMPARE(backend->count(), qint64(300));
        MemoryQuery q;
        q.limit = 10;
        backend->interrupt();
        QCOMPARE(backend->query(q).memories.size(), 10);
        backend->interrupt();
        QVERIFY(backend->get(allIds().first()));
    }

    void severalRangesAreOneRequest()
    {
        BackendClient client(factory(m_store.path));
        client.open();
        QSignalSpy pages(&client, &BackendClient::pageLoaded);
        MemoryQuery all;
        all.limit = 300;
        all.withContent = false;
        client.requestPage(1, all);
        QTRY_COMPARE(pages.size(), 1);
        QStringList order;
        for (const Memory& m : pages.first().at(3).value<Page>().memories)
            order << m.id;
        QSignalSpy loaded(&client, &BackendClient::batchLoaded);
        QSignalSpy finished(&client, &BackendClient::batchFinished);
        const RequestId id = client.requestRangeBatch(MemoryQuery {}, {{5, 10}, {100, 7}, {290, 10}}, 4);
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(0).value<RequestId>(), id);
        QStringList got;
        for (const auto& args : std::as_const(loaded)) {
            QCOMPARE(args.at(0).value<RequestId>(), id);
            QCOMPARE(args.at(3).value<qint64>(), qint64(27));
            for (const Memory& m : args.at(1).value<QList<Memory>>())
                got << m.id;
        }
        QCOMPARE(got, order.mid(5, 10) + order.mid(100, 7) + order.mid(290, 10));
        QCOMPARE(loaded.last().at(2).value<qint64>(), qint64(27));
    }

    void closingWhileWorkIsInFlight()
    {
        const QStringList ids = allIds();
        for (int round = 0; round < 5; ++round) {
            auto client = std::make_unique<BackendClient>(factory(m_store.path));
            QSignalSpy finished(client.get(), &BackendClient::batchFinished);
            client->open();
            client->requestBatch(ids, 1);
            client->requestPage(1, MemoryQuery {});
            client.reset(); // nothing arrives afterwards, nothing crashes
        }
        QTest::qWait(50);
    }

    void closingDoesNotWaitForASlowStore()
    {
        // a store that takes long to answer (a slow server, a long count): closing must not freeze the caller
        std::atomic<bool> opened {false};
        const QString path = m_store.path;
        auto client = std::make_unique<BackendClient>([path, &opened] {
            QThread::msleep(700);
            auto backend = SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly);
            opened = true;
            return std::unique_ptr<PersistenceBackend>(std::move(backend));
        });
        QSignalSpy answered(client.get(), &BackendClient::opened);
        client->open();
        client->requestCount(1, {});
        QTest::qWait(50);
        QElapsedTimer timer;
        timer.start();
        client.reset();
        QVERIFY2(timer.elapsed() < 300, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(!opened);
        // the worker finishes alone; its late replies go nowhere
        QTRY_VERIFY_WITH_TIMEOUT(opened, 5000);
        QTest::qWait(100);
        QCOMPARE(answered.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestBackendClient)
#include "tst_backendclient.moc"
