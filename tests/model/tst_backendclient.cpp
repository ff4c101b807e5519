// SPDX-License-Identifier: MIT
// The backend on its worker thread: requests and replies by value, errors, batches with cancel, closing mid-work.
#include "backendclient.h"
#include "fixturegenerator.h"
#include "sqlite/sqlitebackend.h"

#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

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
