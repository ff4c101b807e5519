// SPDX-License-Identifier: MIT
#include "pagecache.h"

#include <QTest>

using namespace Inspector;

namespace {
QList<Memory> rows(int n, int page)
{
    QList<Memory> list;
    for (int i = 0; i < n; ++i) {
        Memory m;
        m.id = QString::number(page) + QLatin1Char('-') + QString::number(i);
        list << m;
    }
    return list;
}
} // namespace

class TestPageCache : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void evictsLeastRecentlyUsed()
    {
        PageCache cache(300);
        cache.insert(0, rows(100, 0));
        cache.insert(1, rows(100, 1));
        cache.insert(2, rows(100, 2));
        QCOMPARE(cache.rowCount(), 300);
        QVERIFY(cache.find(0)); // page 0 is now the most recent
        cache.insert(3, rows(100, 3));
        QVERIFY(cache.contains(0));
        QVERIFY(!cache.contains(1)); // the least recently used went
        QVERIFY(cache.contains(2));
        QVERIFY(cache.contains(3));
        QCOMPARE(cache.rowCount(), 300);
        QCOMPARE(cache.find(3)->first().id, QStringLiteral("3-0"));
    }
    void replaceRemoveClear()
    {
        PageCache cache(1000);
        cache.insert(5, rows(10, 5));
        cache.insert(5, rows(20, 5));
        QCOMPARE(cache.pageCount(), 1);
        QCOMPARE(cache.rowCount(), 20);
        cache.remove(5);
        QCOMPARE(cache.rowCount(), 0);
        QVERIFY(!cache.find(5));
        cache.insert(1, rows(10, 1));
        cache.clear();
        QCOMPARE(cache.pageCount(), 0);
        QCOMPARE(cache.rowCount(), 0);
    }
    void shrinkingEvicts()
    {
        PageCache cache(1000);
        for (int p = 0; p < 10; ++p)
            cache.insert(p, rows(100, p));
        QCOMPARE(cache.rowCount(), 1000);
        cache.setCapacityRows(250);
        QCOMPARE(cache.pageCount(), 2);
        QVERIFY(cache.contains(9) && cache.contains(8));
        // one page larger than the bound still stays: the view needs it
        cache.insert(20, rows(400, 20));
        QCOMPARE(cache.pageCount(), 1);
        QVERIFY(cache.contains(20));
    }
};

QTEST_GUILESS_MAIN(TestPageCache)
#include "tst_pagecache.moc"
