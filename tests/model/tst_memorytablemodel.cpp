// SPDX-License-Identifier: MIT
// The table model on a real store of the backend under test (INSPECTOR_CONTRACT_BACKEND), with
// QAbstractItemModelTester attached before any data: paging, seeks, eviction, edits, deletes, undo, other writers.
#include "backendclient.h"
#include "memorytablemodel.h"
#include "testhelpers.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QItemSelectionModel>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <sys/resource.h>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
constexpr int kCount = 450;
constexpr int kPage = 50;
constexpr qint64 kBase = 1767000000;
} // namespace

class TestMemoryTableModel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<PersistenceBackend> m_other; ///< another writer on the same store, on the test's thread
    QStringList m_order; ///< ids in the natural order (created_at desc, id asc)

    Memory storable(Memory m) const
    {
        if (m_other->kind() == "sqlite"_L1)
            m.updatedAt = m.createdAt; // no updated_at column
        m.groupId.reset();
        return m;
    }

    static QString idFor(int i) { return u"mem%1"_s.arg(i, 4, 10, QChar(u'0')); }

    BackendClient::Factory factory() const
    {
        const PersistenceBackend* other = m_other.get();
        return [other] { return Testing::reopen(*other, false); };
    }

    /// A model on the store with the tester attached before anything is loaded.
    std::unique_ptr<MemoryTableModel> openModel(std::unique_ptr<QAbstractItemModelTester>* tester = nullptr,
                                                bool editing = true)
    {
        auto model = std::make_unique<MemoryTableModel>();
        if (tester)
            *tester = std::make_unique<QAbstractItemModelTester>(
                model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        model->setChangeCheckInterval(0);
        model->setPageSize(kPage);
        QSignalSpy opened(model.get(), &MemoryTableModel::storeOpened);
        model->openStore(factory());
        [&] { QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 30000); }();
        model->setEditingEnabled(editing);
        waitIdle(*model);
        return model;
    }

    static void waitIdle(MemoryTableModel& model) { QTRY_VERIFY_WITH_TIMEOUT(!model.isBusy(), 30000); }

    /// Touches every row like a view scrolling through, and waits for the pages.
    static void loadAll(MemoryTableModel& model)
    {
        for (int r = 0; r < model.rowCount(); r += kPage) {
            model.data(model.index(r, 0));
            waitIdle(model);
        }
    }

    static QStringList shownIds(MemoryTableModel& model)
    {
        QStringList ids;
        for (int r = 0; r < model.rowCount(); ++r)
            ids << model.data(model.index(r, 0), MemoryTableModel::IdRole).toString();
        return ids;
    }

    std::optional<Memory> stored(const QString& id) { return m_other->get(id); }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Memory>();
        QString skip;
        m_other = Testing::createEmptyStore(m_dir, &skip);
        if (!m_other) {
            if (qEnvironmentVariableIntValue("INSPECTOR_REQUIRE_ALL_BACKENDS"))
                QFAIL(qPrintable(skip));
            QSKIP(qPrintable(skip));
        }
        QList<std::pair<qint64, QString>> keys;
        for (int i = 0; i < kCount; ++i) {
            Memory m = Testing::sampleMemory(idFor(i), kBase + i / 3); // ties on created_at, broken by id
            m.content = u"Memory number %1\nsecond line"_s.arg(i);
            m.namespaceName = namespaceName(allNamespaces().at(i % 5));
            m.tags = {u"n%1"_s.arg(i % 7)};
            m_other->store(storable(m));
            keys.append({m.createdAt, m.id});
        }
        std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        for (const auto& k : keys)
            m_order << k.second;
    }

    void browsesEveryRowInOrderWithTheTesterAttached()
    {
        std::unique_ptr<QAbstractItemModelTester> tester;
        auto model = openModel(&tester);
        QCOMPARE(model->rowCount(), kCount);
        QCOMPARE(model->exactCount(), qint64(kCount));
        QCOMPARE(model->columnCount(), MemoryFields::columnCount() + 1); // + Hidden from recall
        loadAll(*model);
        QCOMPARE(shownIds(*model), m_order);
        const QModelIndex content = model->index(0, int(MemoryColumn::Content));
        QVERIFY(model->data(content).toString().startsWith(u"Memory number"_s));
        QVERIFY(!model->data(content).toString().contains(u'\n')); // one-line preview
        QVERIFY(model->data(content, MemoryTableModel::FullContentRole).toString().contains(u"\nsecond line"_s));
        QCOMPARE(model->data(content, MemoryTableModel::LoadStateRole).toInt(),
                 int(MemoryTableModel::LoadState::Loaded));
        QCOMPARE(
            model->data(model->index(0, int(MemoryColumn::CreatedAt)), MemoryTableModel::RawValueRole).toLongLong(),
            kBase + (kCount - 1) / 3);
        QCOMPARE(model->headerData(int(MemoryColumn::TombstonedAt), Qt::Horizontal, MemoryTableModel::RawValueRole)
                     .toString(),
                 u"tombstoned_at"_s);
    }

    void theHiddenFromRecallColumnSaysWhy()
    {
        auto model = openModel();
        const int column = MemoryTableModel::HiddenFromRecallColumn;
        QCOMPARE(model->headerData(column, Qt::Horizontal).toString(), u"Hidden from recall"_s);
        QVERIFY(!MemoryTableModel::sortKeyForColumn(column));
        QVERIFY(!(model->flags(model->index(0, column)) & Qt::ItemIsEditable));
        loadAll(*model);
        // the sample memories expired a day after they were made (2026-01), as stored by this backend
        const QModelIndex cell = model->index(0, column);
        QCOMPARE(model->data(cell).toString(), u"expired"_s);
        QVERIFY(model->data(cell, Qt::ToolTipRole).toString().contains(u"does not enforce expiry"_s));
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        model->setRecallContext(RecallContext {u"github.com/acme/widgets"_s, u"dev"_s});
        QVERIFY(!changed.isEmpty());
        QCOMPARE(model->data(cell).toString(), u"other branch, expired"_s);
        model->setRecallContext(RecallContext {u"github.com/acme/other"_s, u"main"_s});
        QCOMPARE(model->data(cell).toString(), u"other project, expired"_s);
        QVERIFY(model->data(cell, Qt::ToolTipRole).toString().contains(u"'github.com/acme/widgets'"_s));
        QVERIFY(model->headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString().contains(u"acme/other"_s));
    }

    void theWorkerGivesWayToTheWindow()
    {
        // in a GUI application a long count or scan on the worker must not take the painting thread's core
        QVERIFY(QCoreApplication::instance()->inherits("QGuiApplication"));
        BackendClient client(factory());
        QSignalSpy finished(&client, &BackendClient::jobFinished);
        client.open();
        client.requestJob(
            [](PersistenceBackend&, const auto&) { return QString::number(getpriority(PRIO_PROCESS, 0)); });
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(2).toString().toInt(), qMin(getpriority(PRIO_PROCESS, 0) + 5, 19));
    }

    void firstPageDoesNotWaitForTheCount()
    {
        auto model = std::make_unique<MemoryTableModel>();
        QAbstractItemModelTester tester(model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        model->setChangeCheckInterval(0);
        model->setPageSize(kPage);
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy counted(model.get(), &MemoryTableModel::countChanged);
        model->openStore(factory());
        // the first page is asked for before the count, so its rows are inserted before the count arrives
        QTRY_VERIFY_WITH_TIMEOUT(counted.size() == 1, 30000);
        QVERIFY(inserted.size() >= 1);
        QCOMPARE(inserted.first().at(1).toInt(), 0);
        QCOMPARE(inserted.first().at(2).toInt(), kPage - 1);
        QCOMPARE(model->rowCount(), kCount);
    }

    void aHeldCountWaitsUntilItIsReleased()
    {
        // at launch the window holds the count (a scan of the whole store) until its first rows are painted
        auto model = std::make_unique<MemoryTableModel>();
        model->setChangeCheckInterval(0);
        model->setPageSize(kPage);
        QSignalSpy counted(model.get(), &MemoryTableModel::countChanged);
        QSignalSpy idle(model.get(), &MemoryTableModel::idle);
        model->holdCount(60000);
        model->openStore(factory());
        QTRY_VERIFY_WITH_TIMEOUT(model->loadState(0) == MemoryTableModel::LoadState::Loaded, 30000);
        // the first page came; the count has not been asked for, and the model does not call itself idle
        QTest::qWait(200);
        QCOMPARE(counted.size(), 0);
        QVERIFY(!model->exactCount());
        QVERIFY(model->isBusy());
        model->releaseCount();
        QTRY_VERIFY_WITH_TIMEOUT(counted.size() == 1, 30000);
        QCOMPARE(*model->exactCount(), kCount);
        QCOMPARE(model->rowCount(), kCount);
        QTRY_VERIFY_WITH_TIMEOUT(!model->isBusy(), 30000);
        // a second release asks nothing more
        model->releaseCount();
        QTest::qWait(100);
        QCOMPARE(counted.size(), 1);
    }

    void aClosedStoresHeldCountIsNotAwaited()
    {
        // the count held for a store that is then closed (a launch's store that fails) is not sent, nor waited for
        auto model = std::make_unique<MemoryTableModel>();
        model->setChangeCheckInterval(0);
        model->setPageSize(kPage);
        QSignalSpy counted(model.get(), &MemoryTableModel::countChanged);
        model->holdCount(60000);
        model->openStore(factory());
        QTRY_VERIFY_WITH_TIMEOUT(model->loadState(0) == MemoryTableModel::LoadState::Loaded, 30000);
        QVERIFY(model->isBusy());
        model->closeStore();
        QTRY_VERIFY_WITH_TIMEOUT(!model->isBusy(), 5000);
        model->releaseCount();
        QTest::qWait(100);
        QCOMPARE(counted.size(), 0);
    }

    void aClosedStoresCountIsNotAwaited()
    {
        // the store closes while its count is on its way: the answer goes nowhere, so nothing waits for it
        auto model = std::make_unique<MemoryTableModel>();
        model->setChangeCheckInterval(0);
        model->setPageSize(kPage);
        model->openStore(factory());
        QVERIFY(model->isBusy());
        model->closeStore();
        QTRY_VERIFY_WITH_TIMEOUT(!model->isBusy(), 5000);
        // the next store is counted as before
        QSignalSpy counted(model.get(), &MemoryTableModel::countChanged);
        model->openStore(factory());
        QTRY_VERIFY_WITH_TIMEOUT(counted.size() == 1, 30000);
        QCOMPARE(*model->exactCount(), kCount);
    }

    void aHeldCountGoesAfterItsLongestWait()
    {
        // a window that never paints rows (not shown, an empty filter) still gets its count
        auto model = std::make_unique<MemoryTableModel>();
        model->setChangeCheckInterval(0);
        QSignalSpy counted(model.get(), &MemoryTableModel::countChanged);
        model->holdCount(50);
        model->openStore(factory());
        QTRY_VERIFY_WITH_TIMEOUT(counted.size() == 1, 30000);
        QCOMPARE(*model->exactCount(), kCount);
    }

    void aNewFilterWhileHeldStillWaits()
    {
        // the launch applies its filter and a saved sort before the first paint: the new count waits too
        auto model = std::make_unique<MemoryTableModel>();
        model->setChangeCheckInterval(0);
        model->setPageSize(kPage);
        QSignalSpy counted(model.get(), &MemoryTableModel::countChanged);
        model->holdCount(60000);
        model->openStore(factory());
        QTRY_VERIFY_WITH_TIMEOUT(model->loadState(0) == MemoryTableModel::LoadState::Loaded, 30000);
        model->sort(int(MemoryColumn::Id), Qt::AscendingOrder);
        QTRY_VERIFY_WITH_TIMEOUT(model->loadState(0) == MemoryTableModel::LoadState::Loaded, 30000);
        QTest::qWait(200);
        QCOMPARE(counted.size(), 0);
        model->releaseCount();
        QTRY_VERIFY_WITH_TIMEOUT(counted.size() == 1, 30000);
        QCOMPARE(*model->exactCount(), kCount);
    }

    void aLargeCountIsAnnouncedInSteps()
    {
        // QHeaderView makes a record per row: a count of a million inserted at once held the window for a frame
        auto model = std::make_unique<MemoryTableModel>();
        QAbstractItemModelTester tester(model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        model->setChangeCheckInterval(0);
        model->setPageSize(kPage);
        model->setRowsPerStep(100);
        QList<std::pair<int, int>> inserts;
        connect(model.get(), &QAbstractItemModel::rowsInserted, this, [&](const QModelIndex&, int first, int last) {
            inserts.append({first, last});
        });
        int rowsWhenCounted = -1;
        bool busyWhenCounted = false;
        connect(model.get(), &MemoryTableModel::countChanged, this, [&] {
            rowsWhenCounted = model->rowCount();
            busyWhenCounted = model->isBusy();
        });
        model->openStore(factory());
        QTRY_VERIFY_WITH_TIMEOUT(rowsWhenCounted >= 0, 30000);
        QCOMPARE(model->exactCount(), qint64(kCount));
        QVERIFY2(rowsWhenCounted < kCount, qPrintable(QString::number(rowsWhenCounted)));
        QVERIFY(busyWhenCounted); // until every row is announced
        waitIdle(*model);
        QCOMPARE(model->rowCount(), kCount);
        int next = 0;
        for (const auto& [first, last] : std::as_const(inserts)) {
            QCOMPARE(first, next);
            QVERIFY(last - first < 100);
            next = last + 1;
        }
        QCOMPARE(next, kCount);
        loadAll(*model);
        QCOMPARE(shownIds(*model), m_order);

        // a new filter while rows are still being announced: the old count's steps stop
        MemoryFilter oneNamespace;
        oneNamespace.namespaces = {allNamespaces().at(0)}; // every fifth memory
        int rowsWhenSwitched = -1;
        connect(model.get(), &MemoryTableModel::countChanged, this, [&](qint64 count) {
            if (count == kCount && rowsWhenSwitched < 0)
                QTimer::singleShot(0, model.get(), [&] {
                    rowsWhenSwitched = model->rowCount();
                    model->setFilter(oneNamespace);
                });
        });
        MemoryFilter everything;
        everything.createdFrom = kBase; // a new filter that matches every memory: counted again
        model->setFilter(everything);
        QTRY_VERIFY_WITH_TIMEOUT(rowsWhenSwitched >= 0, 30000);
        QVERIFY2(rowsWhenSwitched < kCount, qPrintable(QString::number(rowsWhenSwitched)));
        waitIdle(*model);
        QTest::qWait(50); // no step of the old count is left to come
        QCOMPARE(model->exactCount(), qint64(kCount / 5));
        QCOMPARE(model->rowCount(), kCount / 5);
    }

    void prefetchAsksForRowsBeforeAViewDoes()
    {
        std::unique_ptr<QAbstractItemModelTester> tester;
        auto model = openModel(&tester);
        const int row = 6 * kPage + 10;
        QCOMPARE(model->loadState(row), MemoryTableModel::LoadState::NotLoaded);
        model->prefetchRows(row - 20, row + 20);
        // on its way before the event loop turns (a view would have asked during its next paint)
        QCOMPARE(model->loadState(row - 20), MemoryTableModel::LoadState::Loading);
        QCOMPARE(model->loadState(row + 20), MemoryTableModel::LoadState::Loading);
        QVERIFY(model->isBusy());
        waitIdle(*model);
        QCOMPARE(model->data(model->index(row, 0), MemoryTableModel::IdRole).toString(), m_order.at(row));
        // rows past the end and loaded rows ask for nothing
        model->prefetchRows(kCount, kCount + 50);
        model->prefetchRows(row - 5, row + 5);
        QVERIFY(!model->isBusy());
    }

    void jumpsToTheEndAndTheMiddle()
    {
        std::unique_ptr<QAbstractItemModelTester> tester;
        auto model = openModel(&tester);
        // the last row is read from the far end, the middle by a seek; neither needs the rows before
        const int last = kCount - 1;
        QCOMPARE(model->loadState(last), MemoryTableModel::LoadState::NotLoaded);
        model->data(model->index(last, 0));
        waitIdle(*model);
        QCOMPARE(model->data(model->index(last, 0), MemoryTableModel::IdRole).toString(), m_order.last());
        const int middle = 5 * kPage + 7;
        model->data(model->index(middle, 0));
        model->data(model->index(2 * kPage + 3, 0));
        waitIdle(*model);
        QCOMPARE(model->data(model->index(middle, 0), MemoryTableModel::IdRole).toString(), m_order.at(middle));
        QCOMPARE(model->data(model->index(2 * kPage + 3, 0), MemoryTableModel::IdRole).toString(),
                 m_order.at(2 * kPage + 3));
        // pages next to loaded ones continue by cursor, forwards and backwards
        model->data(model->index(6 * kPage, 0));
        model->data(model->index(last - kPage - 10, 0));
        waitIdle(*model);
        QCOMPARE(model->data(model->index(6 * kPage, 0), MemoryTableModel::IdRole).toString(), m_order.at(6 * kPage));
        QCOMPARE(model->data(model->index(last - kPage - 10, 0), MemoryTableModel::IdRole).toString(),
                 m_order.at(last - kPage - 10));
    }

    void pagesArriveOutOfOrderAndInAnyOrderOfRequests()
    {
        std::unique_ptr<QAbstractItemModelTester> tester;
        auto model = openModel(&tester);
        for (const int page : {8, 3, 7, 1, 5, 2, 6, 4})
            model->data(model->index(page * kPage + 1, 0));
        waitIdle(*model);
        loadAll(*model);
        QCOMPARE(shownIds(*model), m_order);
    }

    void staleGenerationsAreDropped()
    {
        std::unique_ptr<QAbstractItemModelTester> tester;
        auto model = openModel(&tester);
        QSignalSpy counted(model.get(), &MemoryTableModel::countChanged);
        // three generations in a row; only the last one's replies may land
        MemoryFilter patterns;
        patterns.namespaces = {Namespace::Patterns};
        model->setFilter(patterns);
        model->data(model->index(0, 0));
        model->sort(int(MemoryColumn::Id), Qt::DescendingOrder);
        MemoryFilter decisions;
        decisions.namespaces = {Namespace::Decisions};
        model->setFilter(decisions);
        waitIdle(*model);
        loadAll(*model);
        QCOMPARE(counted.size(), 1);
        QStringList expected;
        for (int i = 0; i < kCount; ++i) {
            if (i % 5 == 0)
                expected << idFor(i);
        }
        std::sort(expected.begin(), expected.end(), std::greater<>());
        QCOMPARE(shownIds(*model), expected);
        QCOMPARE(model->sortColumn(), int(MemoryColumn::Id));
    }

    void aScrollbarDragLoadsOnlyWhereItEnds()
    {
        auto model = openModel();
        model->setPageSize(10);
        waitIdle(*model);
        QCOMPARE(model->rowCount(), kCount);
        // the worker is held busy, as one slow seek holds it, while a view is dragged over every page
        auto release = std::make_shared<QSemaphore>();
        model->runJob([release](PersistenceBackend&, const auto&) {
            release->acquire();
            return QString();
        });
        const int pages = kCount / 10;
        for (int page = 1; page < pages; ++page) {
            model->data(model->index(page * 10 + 2, 0));
            QCoreApplication::processEvents(); // the view's paint pass ends; the model sends what it wants
        }
        release->release();
        waitIdle(*model);
        // the page the drag ended on is there; of the pages passed over, none was read after the drag moved on
        const int last = (pages - 1) * 10 + 2;
        QCOMPARE(model->loadState(last), MemoryTableModel::LoadState::Loaded);
        QCOMPARE(model->data(model->index(last, 0), MemoryTableModel::IdRole).toString(), m_order.at(last));
        int passedOver = 0;
        for (int page = 1; page < pages - 1; ++page)
            passedOver += model->loadState(page * 10) == MemoryTableModel::LoadState::Loaded;
        QCOMPARE(passedOver, 0);
    }

    void thePageLeftAtTheReleaseOfADragIsNotRead()
    {
        auto model = openModel();
        model->setPageSize(10);
        waitIdle(*model);
        auto release = std::make_shared<QSemaphore>();
        model->runJob([release](PersistenceBackend&, const auto&) {
            release->acquire();
            return QString();
        });
        // one paint pass asks for two far pages (the last steps of a drag) while the worker is busy
        const int passed = 10 * 10 + 2;
        const int end = 40 * 10 + 2;
        model->data(model->index(passed, 0));
        model->data(model->index(end, 0));
        QCoreApplication::processEvents();
        QCOMPARE(model->loadState(passed), MemoryTableModel::LoadState::Loading);
        // the release paints only where the drag ended, a page already on its way: nothing new is wanted
        model->data(model->index(end, 0));
        QCoreApplication::processEvents();
        release->release();
        waitIdle(*model);
        QCOMPARE(model->loadState(end), MemoryTableModel::LoadState::Loaded);
        QCOMPARE(model->data(model->index(end, 0), MemoryTableModel::IdRole).toString(), m_order.at(end));
        QCOMPARE(model->loadState(passed), MemoryTableModel::LoadState::NotLoaded);
    }

    void aSummaryLookUpWaitsForTheRowsAViewWaitsFor()
    {
        auto model = openModel();
        model->setPageSize(10);
        waitIdle(*model);
        auto release = std::make_shared<QSemaphore>();
        model->runJob([release](PersistenceBackend&, const auto&) {
            release->acquire();
            return QString();
        });
        QStringList order;
        const int far = 40 * 10 + 2;
        connect(model.get(), &MemoryTableModel::summariesFound, model.get(), [&] { order << u"links"_s; });
        connect(model.get(), &QAbstractItemModel::dataChanged, model.get(),
                [&](const QModelIndex& from, const QModelIndex& to) {
                    if (from.row() <= far && far <= to.row()
                        && model->loadState(far) == MemoryTableModel::LoadState::Loaded)
                        order << u"rows"_s;
                });
        // a row is selected (its summary links are looked up), then the view scrolls far while the worker is busy
        model->findSummariesOf(m_order.at(3));
        model->data(model->index(far, 0));
        QCoreApplication::processEvents();
        release->release();
        QTRY_VERIFY_WITH_TIMEOUT(order.contains(u"links"_s), 10000);
        waitIdle(*model);
        // the links (a scan on PostgreSQL) came after the rows on screen, and still came
        QCOMPARE(order.first(), u"rows"_s);
        QCOMPARE(order.count(u"links"_s), 1);
    }

    void farPagesAreFoundFromAnchorsInEveryOrder()
    {
        auto model = openModel();
        model->setAnchorsPerRequest(2); // a few at a time, as on a big store
        model->setTailAnchors(true); // and from both ends in turn
        model->setPageSize(10);
        waitIdle(*model);
        // signposts for every fifth page were read in the background once the count was there
        QVERIFY(model->anchorCount() >= qsizetype(kCount / model->anchorStep()) - 1);
        const auto check = [&](const QStringList& expected) {
            for (const int row : {kCount / 2 + 3, 7 * 10 + 9, 33 * 10, kCount - 11}) {
                model->data(model->index(row, 0));
                waitIdle(*model);
                QCOMPARE(model->data(model->index(row, 0), MemoryTableModel::IdRole).toString(), expected.at(row));
            }
        };
        check(m_order);
        // an order with many ties on its key: anchors hold the id too
        model->sort(int(MemoryColumn::Namespace), Qt::AscendingOrder);
        waitIdle(*model);
        QVERIFY(model->anchorCount() > 0);
        for (int r = 0; r < kCount; r += 10) { // from the first page on, each page after the one before
            model->data(model->index(r, 0));
            waitIdle(*model);
        }
        const QStringList byNamespace = shownIds(*model);
        QCOMPARE(byNamespace.size(), kCount);
        QVERIFY(!byNamespace.contains(QString()));
        model->sort(int(MemoryColumn::Id), Qt::DescendingOrder);
        waitIdle(*model);
        QStringList byId = m_order;
        std::sort(byId.begin(), byId.end(), std::greater<>());
        check(byId);
        // the namespace order read page by page from the start agrees with seeks from anchors
        model->sort(int(MemoryColumn::Namespace), Qt::AscendingOrder);
        waitIdle(*model);
        check(byNamespace);
    }

    void theRowsAroundAGoToIdAreSeeksFromItsNeighbours()
    {
        auto model = openModel();
        model->setAnchorsPerRequest(1);
        model->setPageSize(10);
        waitIdle(*model);
        QSignalSpy located(model.get(), &MemoryTableModel::located);
        const auto goTo = [&](const QStringList& order, int row) {
            const qsizetype pinsBefore = model->pinCount();
            model->locate(order.at(row));
            QTRY_COMPARE_WITH_TIMEOUT(located.size(), 1, 10000);
            QCOMPARE(located.takeFirst().at(1).value<qint64>(), qint64(row));
            // the row and the rows before the page starts around it: the view's pages need no walk
            QVERIFY(model->pinCount() > pinsBefore);
            for (int r = qMax(0, row - 15); r < qMin(kCount, row + 25); r += 3) {
                model->data(model->index(r, 0));
                waitIdle(*model);
                QCOMPARE(model->data(model->index(r, 0), MemoryTableModel::IdRole).toString(), order.at(r));
            }
        };
        goTo(m_order, kCount / 2 + 3);
        goTo(m_order, 7);
        goTo(m_order, kCount - 2);
        // in an order with ties on the key, and in reverse
        model->sort(int(MemoryColumn::Namespace), Qt::AscendingOrder);
        waitIdle(*model);
        QCOMPARE(model->pinCount(), 0); // a new order forgets them
        const auto readAll = [&] {
            for (int r = 0; r < kCount; r += 10) {
                model->data(model->index(r, 0));
                waitIdle(*model);
            }
            const QStringList ids = shownIds(*model);
            [&] { QVERIFY(!ids.contains(QString())); }();
            return ids;
        };
        const QStringList byNamespace = readAll();
        model->sort(int(MemoryColumn::Namespace), Qt::DescendingOrder);
        waitIdle(*model);
        const QStringList byNamespaceDesc = readAll();
        model->sort(int(MemoryColumn::Namespace), Qt::AscendingOrder);
        waitIdle(*model);
        goTo(byNamespace, 211);
        model->sort(int(MemoryColumn::Namespace), Qt::DescendingOrder);
        waitIdle(*model);
        goTo(byNamespaceDesc, 333);
    }

    void aPageStillOnScreenIsNotLeftLoadingWhenAScrollPaintsOnlyTheNewRows()
    {
        auto model = openModel();
        model->setPageSize(10);
        waitIdle(*model);
        // the worker is held busy, as one slow read holds it
        auto release = std::make_shared<QSemaphore>();
        model->runJob([release](PersistenceBackend&, const auto&) {
            release->acquire();
            return QString();
        });
        // a view shows rows 11..19: it paints them and asks for page 1
        for (int r = 11; r <= 19; ++r)
            model->data(model->index(r, 0));
        QCoreApplication::processEvents();
        QCOMPARE(model->loadState(15), MemoryTableModel::LoadState::Loading);
        // it scrolls down by two rows: Qt's item views blit what stays on screen and paint only the rows that
        // came into view (20..21, page 2), so rows 13..19 of page 1 are not painted again
        QList<int> changedRows;
        connect(model.get(), &QAbstractItemModel::dataChanged, this,
                [&](const QModelIndex& from, const QModelIndex& to) {
                    for (int r = from.row(); r <= to.row(); ++r)
                        changedRows << r;
                });
        model->data(model->index(20, 0));
        model->data(model->index(21, 0));
        QCoreApplication::processEvents();
        release->release();
        waitIdle(*model);
        QCOMPARE(model->loadState(20), MemoryTableModel::LoadState::Loaded);
        // row 15 is still on screen: either its page came, or the view was told to paint it again (and so ask)
        QVERIFY2(model->loadState(15) == MemoryTableModel::LoadState::Loaded || changedRows.contains(15),
                 "row 15 stays painted as loading: its page was cancelled and nothing repaints it");
    }

    void evictsPagesFarFromUse()
    {
        std::unique_ptr<QAbstractItemModelTester> tester;
        auto model = openModel(&tester);
        model->setCacheCapacityRows(2 * kPage);
        loadAll(*model);
        QVERIFY2(model->cachedRows() <= 2 * kPage, qPrintable(QString::number(model->cachedRows())));
        const int row = 3 * kPage + 1;
        QCOMPARE(model->loadState(row), MemoryTableModel::LoadState::NotLoaded);
        model->data(model->index(row, 0));
        QCOMPARE(model->loadState(row), MemoryTableModel::LoadState::NotLoaded); // asked for on the next loop turn
        waitIdle(*model);
        QCOMPARE(model->data(model->index(row, 0), MemoryTableModel::IdRole).toString(), m_order.at(row));
    }

    void bulkFetchStreamsAndCancels()
    {
        auto model = openModel();
        const qsizetype cached = model->cachedRows();
        QSignalSpy progress(model.get(), &MemoryTableModel::fetchProgress);
        QSignalSpy finished(model.get(), &MemoryTableModel::fetchFinished);
        const RequestId id = model->fetchRows(10, 300, 64);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(finished.first().at(0).value<RequestId>(), id);
        QCOMPARE(finished.first().at(1).toBool(), false);
        QStringList ids;
        for (const auto& args : progress)
            for (const Memory& m : args.at(1).value<QList<Memory>>())
                ids << m.id;
        QCOMPARE(ids, m_order.mid(10, 300));
        QCOMPARE(progress.last().at(2).toLongLong(), 300);
        QVERIFY(!progress.first().at(1).value<QList<Memory>>().first().content.isEmpty());
        QCOMPARE(model->cachedRows(), cached); // never through the page cache

        progress.clear();
        finished.clear();
        // the worker is held busy until the cancel is in, so the fetch cannot finish first on a loaded machine
        auto release = std::make_shared<QSemaphore>();
        model->runJob([release](PersistenceBackend&, const auto&) {
            release->acquire();
            return QString();
        });
        const RequestId cancelled = model->fetchRows(0, kCount, 5);
        model->cancelFetch(cancelled);
        release->release();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(finished.first().at(1).toBool(), true);
        QVERIFY(progress.size() < kCount / 5);

        finished.clear();
        model->fetchIds({m_order.at(3), u"no-such-id"_s, m_order.at(1)});
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
    }

    void editsLandAndShowAsPendingFirst()
    {
        std::unique_ptr<QAbstractItemModelTester> tester;
        auto model = openModel(&tester);
        const int row = 4;
        const QString id = m_order.at(row);
        const QModelIndex ns = model->index(row, int(MemoryColumn::Namespace));
        QVERIFY(model->flags(ns) & Qt::ItemIsEditable);
        QVERIFY(!(model->flags(model->index(row, int(MemoryColumn::Id))) & Qt::ItemIsEditable));
        QSignalSpy applied(model.get(), &MemoryTableModel::writesApplied);
        const qint64 before = QDateTime::currentSecsSinceEpoch();
        QVERIFY(model->setData(ns, u"Learnings"_s));
        // shown at once, marked pending
        QCOMPARE(model->data(ns).toString(), u"learnings"_s);
        QVERIFY(model->data(ns, MemoryTableModel::PendingEditRole).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 1, 30000);
        waitIdle(*model);
        const auto m = stored(id);
        QVERIFY(m);
        QCOMPARE(m->namespaceName, u"learnings"_s);
        if (m_other->kind() != "sqlite"_L1)
            QVERIFY(m->updatedAt >= before);
        const int now = model->loadedRowOf(id);
        QVERIFY(now >= 0);
        QVERIFY(!model->data(model->index(now, 0), MemoryTableModel::PendingEditRole).toBool());
        QCOMPARE(model->undoStack()->undoText(), u"Edit namespace of %1"_s.arg(id));

        // tags and dates through the same checks
        QVERIFY(model->setData(model->index(now, int(MemoryColumn::Tags)), u"alpha, beta ,alpha"_s));
        QVERIFY(model->setData(model->index(now, int(MemoryColumn::ExpiresAt)), u"2030-01-02"_s));
        QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 3, 30000);
        waitIdle(*model);
        QCOMPARE(stored(id)->tags, (QStringList {u"alpha"_s, u"beta"_s}));
        QCOMPARE(stored(id)->expiresAt, QDate(2030, 1, 2).startOfDay().toSecsSinceEpoch());
        // undo everything: the store is as it was
        while (model->undoStack()->canUndo())
            model->undoStack()->undo();
        waitIdle(*model);
        QCOMPARE(stored(id)->namespaceName, namespaceName(allNamespaces().at(id.mid(3).toInt() % 5)));
        QCOMPARE(stored(id)->tags, (QStringList {u"n%1"_s.arg(id.mid(3).toInt() % 7)}));
    }

    void invalidEditsAreRefusedBeforeTheStore()
    {
        auto model = openModel();
        const QModelIndex status = model->index(1, int(MemoryColumn::Status));
        const QString id = m_order.at(1);
        QSignalSpy rejected(model.get(), &MemoryTableModel::editRejected);
        QVERIFY(!model->setData(status, u"sleeping"_s));
        QVERIFY(!model->setData(model->index(1, int(MemoryColumn::Domain)), u"a b/c"_s));
        QVERIFY(!model->setData(model->index(1, int(MemoryColumn::ExpiresAt)), u"next tuesday"_s));
        QVERIFY(!model->setData(model->index(1, int(MemoryColumn::Content)), u"   "_s));
        QCOMPARE(rejected.size(), 4);
        QVERIFY(rejected.first().at(1).toString().contains(id));
        QVERIFY(rejected.first().at(1).toString().contains(u"sleeping"_s));
        QCOMPARE(model->undoStack()->count(), 0);
        QCOMPARE(stored(id)->status, u"active"_s);

        auto readOnly = openModel(nullptr, false);
        QSignalSpy refused(readOnly.get(), &MemoryTableModel::editRejected);
        QVERIFY(!(readOnly->flags(readOnly->index(1, int(MemoryColumn::Status))) & Qt::ItemIsEditable));
        QVERIFY(!readOnly->setData(readOnly->index(1, int(MemoryColumn::Status)), u"archived"_s));
        QCOMPARE(refused.size(), 1);
    }

    void aFailedWriteRollsBackAndNamesTheMemory()
    {
        std::unique_ptr<QAbstractItemModelTester> tester;
        auto model = openModel(&tester);
        const int row = 7;
        const QString id = m_order.at(row);
        const Memory original = *stored(id);
        // the store refuses writes of this memory, as a damaged or locked store would
        QString blocker;
        if (m_other->kind() == "sqlite"_L1) {
            for (const QString& op : {u"INSERT"_s, u"UPDATE"_s})
                Testing::sqlOnStore(*m_other,
                                    u"CREATE TRIGGER refuse_%1 BEFORE %1 ON memories WHEN NEW.id = '%2' "
                                    "BEGIN SELECT RAISE(ABORT, 'refused by test'); END"_s.arg(op, id));
        } else if (m_other->kind() == "postgres"_L1) {
            Testing::sqlOnStore(*m_other,
                                u"CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                                "RAISE EXCEPTION 'refused by test'; END $$; CREATE TRIGGER refuse BEFORE "
                                "INSERT OR UPDATE ON memories FOR EACH ROW WHEN (NEW.id = '%1') "
                                "EXECUTE FUNCTION refuse()"_s.arg(id));
        } else {
            // a directory where the file's temporary copy must be renamed to
            blocker = m_other->location() + u'/' + id + u".json"_s;
            QVERIFY(QFile::rename(blocker, blocker + u".saved"_s));
            QVERIFY(QDir().mkpath(blocker + u"/x"_s));
        }
        QSignalSpy failed(model.get(), &MemoryTableModel::writeFailed);
        const QModelIndex source = model->index(row, int(MemoryColumn::Source));
        QVERIFY(model->setData(source, u"edited"_s));
        QCOMPARE(model->data(source).toString(), u"edited"_s);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 30000);
        waitIdle(*model);
        QCOMPARE(failed.first().at(0).toString(), id);
        QVERIFY2(failed.first().at(1).toString().contains(id), qPrintable(failed.first().at(1).toString()));
        QCOMPARE(model->data(model->index(row, int(MemoryColumn::Source))).toString(), *original.source);
        QVERIFY(!model->data(model->index(row, 0), MemoryTableModel::PendingEditRole).toBool());
        // a command that wrote nothing leaves the stack on its next undo, without writing
        model->undoStack()->undo();
        waitIdle(*model);
        QCOMPARE(model->undoStack()->count(), 0);

        if (m_other->kind() == "sqlite"_L1) {
            Testing::sqlOnStore(*m_other, u"DROP TRIGGER refuse_INSERT"_s);
            Testing::sqlOnStore(*m_other, u"DROP TRIGGER refuse_UPDATE"_s);
        } else if (m_other->kind() == "postgres"_L1) {
            Testing::sqlOnStore(*m_other, u"DROP TRIGGER refuse ON memories; DROP FUNCTION refuse()"_s);
        } else {
            QVERIFY(QDir(blocker).removeRecursively());
            QVERIFY(QFile::rename(blocker + u".saved"_s, blocker));
        }
        QVERIFY(stored(id)->sameFields(original));
    }

    void softDeleteRestoreAndHardDeleteWithUndo()
    {
        std::unique_ptr<QAbstractItemModelTester> tester;
        auto model = openModel(&tester);
        MemoryFilter live;
        live.tombstones = TombstoneFilter::Exclude;
        model->setFilter(live);
        waitIdle(*model);
        QCOMPARE(model->rowCount(), kCount);
        const QList<Memory> victims {*model->memoryAt(0), *model->memoryAt(2)};
        QSignalSpy reset(model.get(), &QAbstractItemModel::modelReset);
        model->softDelete(victims);
        QCOMPARE(model->undoStack()->undoText(), u"Delete 2 memories"_s);
        waitIdle(*model);
        QCOMPARE(model->rowCount(), kCount - 2);
        for (const Memory& v : victims) {
            const auto m = stored(v.id);
            QCOMPARE(statusName(m->effectiveStatus()), u"tombstoned"_s);
            QVERIFY(m->tombstonedAt);
        }
        QCOMPARE(reset.size(), 0);
        QCOMPARE(model->data(model->index(0, 0), MemoryTableModel::IdRole).toString(), m_order.at(1));

        // the trash: only tombstoned memories, restored from there
        MemoryFilter trash;
        trash.tombstones = TombstoneFilter::Only;
        model->setFilter(trash);
        waitIdle(*model);
        QCOMPARE(model->rowCount(), 2);
        QVERIFY(model->data(model->index(0, 0), MemoryTableModel::TombstonedRole).toBool());
        model->restore({*model->memoryAt(0)});
        waitIdle(*model);
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(stored(victims[0].id)->status, u"active"_s);
        QVERIFY(!stored(victims[0].id)->tombstonedAt);
        // undo the restore, undo the delete: both back as they were
        model->undoStack()->undo();
        waitIdle(*model);
        QCOMPARE(model->rowCount(), 2);
        model->undoStack()->undo();
        waitIdle(*model);
        QCOMPARE(model->rowCount(), 0);
        for (const Memory& v : victims)
            QVERIFY(stored(v.id)->sameFields(v));
        model->undoStack()->redo();
        waitIdle(*model);
        QCOMPARE(model->rowCount(), 2);
        model->undoStack()->undo();
        waitIdle(*model);

        // hard delete, and its undo writes every field back
        model->setFilter({});
        waitIdle(*model);
        const Memory gone = *model->memoryAt(3);
        model->hardDelete({gone});
        QCOMPARE(model->undoStack()->undoText(), u"Permanently delete 1 memory"_s);
        waitIdle(*model);
        QVERIFY(!stored(gone.id));
        QCOMPARE(model->rowCount(), kCount - 1);
        model->undoStack()->undo();
        waitIdle(*model);
        QVERIFY(stored(gone.id));
        QVERIFY(stored(gone.id)->sameFields(gone));
        QCOMPARE(model->rowCount(), kCount);
        QCOMPARE(reset.size(), 2); // the two filter changes after the spy, nothing else
    }

    void anotherWriterShowsUpWithoutAReset()
    {
        std::unique_ptr<QAbstractItemModelTester> tester;
        auto model = openModel(&tester);
        model->data(model->index(kPage + 5, 0));
        waitIdle(*model);
        QItemSelectionModel selection(model.get());
        const QString selectedId = m_order.at(10);
        selection.setCurrentIndex(model->index(10, 0), QItemSelectionModel::SelectCurrent | QItemSelectionModel::Rows);
        QSignalSpy reset(model.get(), &QAbstractItemModel::modelReset);
        QSignalSpy changed(model.get(), &MemoryTableModel::externalChangeDetected);
        model->checkForChanges(); // the first look only learns the token
        waitIdle(*model);
        QCOMPARE(changed.size(), 0);

        // subcog captures a new memory (newest, so it becomes row 0) and rewrites another one
        Memory fresh = storable(Testing::sampleMemory(u"external01"_s, kBase + 100000));
        fresh.content = u"written by another process"_s;
        m_other->store(fresh);
        Memory touched = *m_other->get(m_order.at(20));
        touched.content = u"rewritten elsewhere"_s;
        m_other->store(storable(touched));
        model->checkForChanges();
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 30000);
        waitIdle(*model);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(model->rowCount(), kCount + 1);
        QCOMPARE(model->data(model->index(0, 0), MemoryTableModel::IdRole).toString(), u"external01"_s);
        QCOMPARE(model->data(model->index(21, 0), MemoryTableModel::FullContentRole).toString(),
                 u"rewritten elsewhere"_s);
        // the selection follows its memory
        QCOMPARE(selection.currentIndex().row(), 11);
        QCOMPARE(model->data(selection.currentIndex(), MemoryTableModel::IdRole).toString(), selectedId);
        QVERIFY(selection.isRowSelected(11));

        // and goes away again
        QVERIFY(m_other->remove(u"external01"_s));
        model->checkForChanges();
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, 30000);
        waitIdle(*model);
        QCOMPARE(model->rowCount(), kCount);
        QCOMPARE(selection.currentIndex().row(), 10);
        QCOMPARE(reset.size(), 0);
    }

    void aConflictingEditIsRefusedWithBothVersions()
    {
        std::unique_ptr<QAbstractItemModelTester> tester;
        auto model = openModel(&tester);
        const int row = 30;
        const QString id = m_order.at(row);
        model->data(model->index(row, 0));
        waitIdle(*model);
        // another writer changes the memory after the model read it
        Memory theirs = *m_other->get(id);
        theirs.content = u"their version"_s;
        m_other->store(storable(theirs));
        QSignalSpy conflict(model.get(), &MemoryTableModel::writeConflict);
        QVERIFY(model->setData(model->index(row, int(MemoryColumn::Content)), u"my version"_s));
        QTRY_COMPARE_WITH_TIMEOUT(conflict.size(), 1, 30000);
        waitIdle(*model);
        const Memory mine = conflict.first().at(0).value<Memory>();
        const Memory current = conflict.first().at(1).value<Memory>();
        QCOMPARE(mine.content, u"my version"_s);
        QCOMPARE(current.content, u"their version"_s);
        QVERIFY(conflict.first().at(2).toBool());
        QVERIFY(conflict.first().at(3).toString().contains(id));
        QCOMPARE(stored(id)->content, u"their version"_s); // not overwritten
        QCOMPARE(model->data(model->index(model->loadedRowOf(id), 0), MemoryTableModel::FullContentRole).toString(),
                 u"their version"_s);
        // deleted by the other writer: also a conflict, never a resurrection
        QVERIFY(m_other->remove(id));
        QVERIFY(model->setData(model->index(model->loadedRowOf(id), int(MemoryColumn::Branch)), u"dev"_s));
        QTRY_COMPARE_WITH_TIMEOUT(conflict.size(), 2, 30000);
        QVERIFY(!conflict.last().at(2).toBool());
        waitIdle(*model);
        QVERIFY(!stored(id));
        Memory back = theirs;
        m_other->store(storable(back));
    }

    void closesCleanlyWithWorkInFlight()
    {
        for (int round = 0; round < 3; ++round) {
            auto model = std::make_unique<MemoryTableModel>();
            model->setPageSize(kPage);
            model->openStore(factory());
            model->fetchRows(0, kCount, 3);
            model->data(model->index(0, 0));
            model->checkForChanges();
            if (round == 1)
                QTest::qWait(5);
            if (round == 2)
                model->closeStore();
            model.reset(); // joins the worker; replies still queued are dropped with the client
        }
        QTest::qWait(50);
    }
};

QTEST_MAIN(TestMemoryTableModel)
#include "tst_memorytablemodel.moc"
