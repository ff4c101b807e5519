// SPDX-License-Identifier: MIT
// PagePlanner: which query reads a run of pages, from what is known about the order. No store, no thread.
#include "pageplanner.h"

#include <QTest>

using namespace Inspector;
using namespace Qt::StringLiterals;

namespace {
constexpr int kPageSize = 10; // anchor step 50

Cursor cursor(const QString& id)
{
    return Cursor {QVariant(id), id};
}

/// Bounds "p<n>f"/"p<n>l" for the pages given, anchors "a<i>" and tail anchors "t<j>".
RowSignposts signposts(const QList<qsizetype>& boundsPages, int anchors, int tailAnchors)
{
    RowSignposts known;
    for (const qsizetype p : boundsPages)
        known.bounds.insert(p, PageBounds {cursor(u"p%1f"_s.arg(p)), cursor(u"p%1l"_s.arg(p))});
    for (int i = 0; i < anchors; ++i)
        known.anchors << cursor(u"a%1"_s.arg(i));
    for (int j = 0; j < tailAnchors; ++j)
        known.tailAnchors << cursor(u"t%1"_s.arg(j));
    return known;
}
} // namespace

class TestPagePlanner : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void plan_data()
    {
        QTest::addColumn<qsizetype>("firstPage");
        QTest::addColumn<int>("pages");
        QTest::addColumn<qint64>("count"); // -1: not counted yet
        QTest::addColumn<QList<qsizetype>>("bounds");
        QTest::addColumn<int>("anchors");
        QTest::addColumn<int>("tailAnchors");
        QTest::addColumn<QString>("after"); // id of the cursor, empty: none
        QTest::addColumn<bool>("fromEnd");
        QTest::addColumn<qint64>("skip");
        QTest::addColumn<int>("limit");

        using L = QList<qsizetype>;
        QTest::newRow("first page") << qsizetype(0) << 1 << qint64(-1) << L {} << 0 << 0 << u""_s << false << qint64(0)
                                    << 10;
        QTest::newRow("first pages ignore known bounds")
            << qsizetype(0) << 2 << qint64(1000) << L {2} << 3 << 3 << u""_s << false << qint64(0) << 20;
        QTest::newRow("keyset after the previous page")
            << qsizetype(5) << 1 << qint64(-1) << L {4} << 0 << 0 << u"p4l"_s << false << qint64(0) << 10;
        QTest::newRow("previous page wins over next")
            << qsizetype(5) << 1 << qint64(1000) << L {4, 6} << 0 << 0 << u"p4l"_s << false << qint64(0) << 10;
        QTest::newRow("backwards from the next page")
            << qsizetype(5) << 2 << qint64(-1) << L {7} << 0 << 0 << u"p7f"_s << true << qint64(0) << 20;
        QTest::newRow("page after the run is the next page, not one inside it")
            << qsizetype(5) << 2 << qint64(-1) << L {6} << 0 << 0 << u""_s << false << qint64(50) << 20;
        QTest::newRow("neighbour bounds win over the tail")
            << qsizetype(9) << 1 << qint64(95) << L {8} << 0 << 0 << u"p8l"_s << false << qint64(0) << 10;
        QTest::newRow("short tail read from the far end")
            << qsizetype(9) << 1 << qint64(95) << L {} << 0 << 0 << u""_s << true << qint64(0) << 5;
        QTest::newRow("full last page read from the far end")
            << qsizetype(9) << 1 << qint64(100) << L {} << 0 << 0 << u""_s << true << qint64(0) << 10;
        QTest::newRow("pages past the end ask for nothing")
            << qsizetype(12) << 1 << qint64(100) << L {} << 0 << 0 << u""_s << true << qint64(0) << 0;
        QTest::newRow("offset from the start before the count")
            << qsizetype(7) << 1 << qint64(-1) << L {} << 0 << 0 << u""_s << false << qint64(70) << 10;
        QTest::newRow("several pages from the start")
            << qsizetype(3) << 4 << qint64(-1) << L {} << 0 << 0 << u""_s << false << qint64(30) << 40;
        QTest::newRow("offset from the anchor before the page")
            << qsizetype(7) << 1 << qint64(-1) << L {} << 1 << 0 << u"a0"_s << false << qint64(20) << 10;
        QTest::newRow("page on an anchor's next row")
            << qsizetype(10) << 1 << qint64(-1) << L {} << 3 << 0 << u"a1"_s << false << qint64(0) << 10;
        QTest::newRow("last known anchor when the walk has not reached the page")
            << qsizetype(23) << 1 << qint64(-1) << L {} << 2 << 0 << u"a1"_s << false << qint64(130) << 10;
        QTest::newRow("offset from the end when nearer")
            << qsizetype(90) << 1 << qint64(1000) << L {} << 0 << 0 << u""_s << true << qint64(90) << 10;
        QTest::newRow("offset from a tail anchor")
            << qsizetype(80) << 1 << qint64(1000) << L {} << 0 << 2 << u"t1"_s << true << qint64(90) << 10;
        QTest::newRow("anchor nearer than the end")
            << qsizetype(80) << 1 << qint64(1000) << L {} << 16 << 0 << u"a15"_s << false << qint64(0) << 10;
        QTest::newRow("tail anchor nearer than a head anchor")
            << qsizetype(80) << 1 << qint64(1000) << L {} << 15 << 3 << u"t2"_s << true << qint64(40) << 10;
        QTest::newRow("a tie walks from the start side")
            << qsizetype(50) << 1 << qint64(1010) << L {} << 0 << 0 << u""_s << false << qint64(500) << 10;
    }

    void plan()
    {
        QFETCH(qsizetype, firstPage);
        QFETCH(int, pages);
        QFETCH(qint64, count);
        QFETCH(QList<qsizetype>, bounds);
        QFETCH(int, anchors);
        QFETCH(int, tailAnchors);
        QFETCH(QString, after);
        QFETCH(bool, fromEnd);
        QFETCH(qint64, skip);
        QFETCH(int, limit);

        const MemoryQuery q = PagePlanner::plan(MemoryQuery {}, firstPage, pages, kPageSize,
                                                count < 0 ? std::nullopt : std::optional<qint64>(count),
                                                signposts(bounds, anchors, tailAnchors));
        QCOMPARE(q.after ? q.after->id : QString(), after);
        QCOMPARE(q.fromEnd, fromEnd);
        QCOMPARE(q.skip, skip);
        QCOMPARE(q.limit, limit);
        QVERIFY(q.withContent);
    }

    void planWithPins_data()
    {
        QTest::addColumn<qsizetype>("firstPage");
        QTest::addColumn<int>("pages");
        QTest::addColumn<QList<qint64>>("pins"); // rows whose cursor is "r<row>"
        QTest::addColumn<int>("anchors");
        QTest::addColumn<QString>("after");
        QTest::addColumn<bool>("fromEnd");
        QTest::addColumn<qint64>("skip");

        using P = QList<qint64>;
        // count 1000 rows of 10 per page; Go to ID found row 503 and pinned the page starts around it
        QTest::newRow("the found row's page is a seek after the row before it")
            << qsizetype(50) << 1 << P {489, 499, 503, 509, 519} << 0 << u"r499"_s << false << qint64(0);
        QTest::newRow("a run from the page before")
            << qsizetype(49) << 2 << P {489, 499, 503, 509, 519} << 0 << u"r489"_s << false << qint64(0);
        QTest::newRow("a pin after the run, read backwards")
            << qsizetype(47) << 1 << P {489, 499} << 0 << u"r489"_s << true << qint64(9);
        QTest::newRow("the nearest pin before the page")
            << qsizetype(52) << 1 << P {489, 503, 509} << 0 << u"r509"_s << false << qint64(10);
        QTest::newRow("an anchor nearer than any pin")
            << qsizetype(10) << 1 << P {503} << 3 << u"a1"_s << false << qint64(0);
        QTest::newRow("a pin inside the run is no start")
            << qsizetype(50) << 1 << P {505} << 0 << u"r505"_s << true << qint64(-1);
    }

    void planWithPins()
    {
        QFETCH(qsizetype, firstPage);
        QFETCH(int, pages);
        QFETCH(QList<qint64>, pins);
        QFETCH(int, anchors);
        QFETCH(QString, after);
        QFETCH(bool, fromEnd);
        QFETCH(qint64, skip);

        RowSignposts known = signposts({}, anchors, 0);
        for (const qint64 row : pins)
            known.pins.insert(row, cursor(u"r%1"_s.arg(row)));
        const MemoryQuery q = PagePlanner::plan(MemoryQuery {}, firstPage, pages, kPageSize, qint64(1000), known);
        if (skip < 0) {
            // the run holds the pin: neither side of it can start the run, so the planner walks
            QVERIFY(!q.after || q.after->id != after);
            return;
        }
        QCOMPARE(q.after ? q.after->id : QString(), after);
        QCOMPARE(q.fromEnd, fromEnd);
        QCOMPARE(q.skip, skip);
        QCOMPARE(q.limit, pages * kPageSize);
    }

    void keepsFilterAndOrder()
    {
        MemoryQuery query;
        query.filter.projects = {u"inspector"_s};
        query.sortKey = SortKey::Namespace;
        query.order = Qt::AscendingOrder;
        query.withContent = false;
        query.limit = 3;
        const MemoryQuery q = PagePlanner::plan(query, 0, 2, kPageSize, std::nullopt, {});
        QVERIFY(q.filter == query.filter);
        QCOMPARE(q.sortKey, SortKey::Namespace);
        QCOMPARE(q.order, Qt::AscendingOrder);
        QVERIFY(q.withContent); // a table row shows its content
        QCOMPARE(q.limit, 20);
    }

    void anchorStep() { QCOMPARE(PagePlanner::anchorStep(kPageSize), 50); }
};

QTEST_GUILESS_MAIN(TestPagePlanner)
#include "tst_pageplanner.moc"
