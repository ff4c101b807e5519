// SPDX-License-Identifier: MIT
// OverviewCharts: StoreStats turned into the Store Overview's charts, their CSV and their filter words.
#include "overviewcharts.h"
#include "query.h"

#include <QTest>

#include <limits>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestOverviewCharts : public QObject
{
    Q_OBJECT

    static OverviewChart find(const QList<OverviewChart>& charts, const QString& id)
    {
        for (const OverviewChart& c : charts) {
            if (c.id == id)
                return c;
        }
        return {};
    }

private Q_SLOTS:
    void filterWords_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("word");
        QTest::newRow("namespace") << u"ns"_s << u"tech-debt"_s << u"ns:tech-debt"_s;
        QTest::newRow("project") << u"project"_s << u"github.com/acme/widgets"_s
                                 << u"project:github.com/acme/widgets"_s;
        QTest::newRow("colon in a tag") << u"tag"_s << u"a:b"_s << u"tag:a:b"_s;
        QTest::newRow("space") << u"tag"_s << u"needs review"_s << QString();
        QTest::newRow("tab") << u"branch"_s << u"a\tb"_s << QString();
        QTest::newRow("comma means any of") << u"tag"_s << u"a,b"_s << QString();
        QTest::newRow("comma in a branch") << u"branch"_s << u"a,b"_s << u"branch:a,b"_s;
        QTest::newRow("empty") << u"branch"_s << QString() << QString();
    }
    void filterWords()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, word);
        QCOMPARE(OverviewCharts::filterWord(key, value), word);
        if (word.isEmpty())
            return;
        // the word means what the chart counted
        const ParsedFilter parsed = parseFilter(word);
        QVERIFY(parsed.notUnderstood.isEmpty());
    }

    void weeksAreBarsOverTimeWithTheirCreatedRange()
    {
        StoreStats s;
        const qint64 monday = StoreStats::weekStart(1767225600); // the week of 2026-01-01
        s.weeks[monday] = {{u"decisions"_s, 3}, {u"patterns"_s, 1}};
        s.weeks[monday + 3 * StoreStats::kWeek] = {{u"patterns"_s, 2}};
        const OverviewChart weeks = find(OverviewCharts::build(s), u"weeks"_s);
        QCOMPARE(weeks.kind, OverviewChart::Kind::StackedBars);
        // the empty weeks between are bars of nothing, so that time runs evenly
        QCOMPARE(weeks.categories, (QStringList {u"2025-12-29"_s, u"2026-01-05"_s, u"2026-01-12"_s, u"2026-01-19"_s}));
        QCOMPARE(weeks.series, (QStringList {u"decisions"_s, u"patterns"_s}));
        QCOMPARE(weeks.values, (QList<QList<qint64>> {{3, 0, 0, 0}, {1, 0, 0, 2}}));
        QCOMPARE(weeks.wordsAt(1, 3), (QStringList {u"created:2026-01-19..2026-01-25"_s, u"ns:patterns"_s}));
        const MemoryFilter f = parseFilter(weeks.wordsAt(1, 3).first()).filter;
        QCOMPARE(*f.createdFrom, monday + 3 * StoreStats::kWeek);
        QCOMPARE(*f.createdTo, monday + 4 * StoreStats::kWeek - 1);
        QCOMPARE(weeks.toCsv(),
                 QByteArray("week (from Monday UTC),decisions,patterns,total\r\n2025-12-29,3,1,4\r\n"
                            "2026-01-05,0,0,0\r\n2026-01-12,0,0,0\r\n2026-01-19,0,2,2\r\n"));
    }

    void manyYearsAreGroupedIntoSpansOfWeeks()
    {
        StoreStats s;
        const qint64 first = StoreStats::weekStart(0);
        s.weeks[first] = {{u"decisions"_s, 1}};
        s.weeks[StoreStats::weekStart(1767225600)] = {{u"learnings"_s, 5}};
        // a created_at far in the future (bad data) still gives a bounded chart
        s.weeks[StoreStats::weekStart(std::numeric_limits<qint64>::max() / 2)] = {{u"decisions"_s, 2}};
        const OverviewChart weeks = find(OverviewCharts::build(s), u"weeks"_s);
        QVERIFY(weeks.categories.size() <= OverviewCharts::kMaxTimeBars);
        qint64 total = 0;
        for (const auto& series : weeks.values)
            for (const qint64 n : series)
                total += n;
        QCOMPARE(total, 8);
        QVERIFY(!weeks.note.isEmpty());
        QCOMPARE(weeks.values.first().first(), 1);
        QCOMPARE(weeks.values.first().last(), 2);
        // every bucket's range parses and covers its start
        for (int b = 0; b < weeks.categories.size(); ++b) {
            const ParsedFilter parsed = parseFilter(weeks.categoryWords.at(b));
            QVERIFY2(parsed.notUnderstood.isEmpty(), qPrintable(weeks.categoryWords.at(b)));
        }
    }

    void aFewImpossibleTimesDoNotSqueezeTheRest()
    {
        StoreStats s;
        const qint64 week = StoreStats::weekStart(1767225600);
        for (int w = 0; w < 20; ++w)
            s.weeks[week + w * StoreStats::kWeek] = {{u"decisions"_s, 10}};
        s.weeks[StoreStats::weekStart(0)] = {{u"patterns"_s, 1}}; // created_at 0
        s.weeks[StoreStats::weekStart(-86400 * 365)] = {{u"patterns"_s, 1}};
        const OverviewChart weeks = find(OverviewCharts::build(s), u"weeks"_s);
        QCOMPARE(weeks.categories.size(), 20);
        QCOMPARE(weeks.categories.first(), OverviewCharts::dateWord(week));
        QCOMPARE(weeks.series, QStringList {u"decisions"_s});
        QVERIFY2(weeks.note.contains(u"2 created before"_s) && !weeks.note.contains(u"after"_s),
                 qPrintable(weeks.note));
        // recent memories stay when only old ones are absurd
        s.weeks[week + 20 * StoreStats::kWeek] = {{u"decisions"_s, 1}};
        QCOMPARE(find(OverviewCharts::build(s), u"weeks"_s).categories.size(), 21);
        // absurd at both ends: both left out
        s.weeks[StoreStats::weekStart(qint64(4102444800))] = {{u"patterns"_s, 1}}; // 2100
        const OverviewChart both = find(OverviewCharts::build(s), u"weeks"_s);
        QCOMPARE(both.categories.size(), 21);
        QVERIFY2(both.note.contains(u"1 created after"_s), qPrintable(both.note));
        // more than a few: they are shown, in spans of weeks
        for (int y = 1; y < 5; ++y)
            s.weeks[StoreStats::weekStart(86400 * 365 * y)] = {{u"patterns"_s, 3}};
        const OverviewChart all = find(OverviewCharts::build(s), u"weeks"_s);
        QVERIFY(all.categories.size() <= OverviewCharts::kMaxTimeBars);
        QVERIFY(all.categories.size() > 20);
        QVERIFY(!all.note.contains(u"before"_s));
    }

    void rankingsAndNotes()
    {
        StoreStats s;
        s.total = 10;
        s.namespaces = {{u"decisions"_s, 2}, {u"patterns"_s, 7}, {u"learnings"_s, 1}};
        s.unknownNamespaces = {{u"musings"_s, 1}};
        s.statuses = {{u"active"_s, 9}, {u"archived"_s, 1}};
        s.topTags = {{u"rust"_s, 4}, {u"needs review"_s, 2}, {u"a,b"_s, 1}};
        s.contentHashTagged = 6;
        s.scopes = {{u"project"_s, 6}, {u"other"_s, 4}};
        s.domains = {{u"project"_s, 6}, {u"acme/widgets"_s, 4}};
        s.summaries = 3;
        s.originals = 7;
        s.tombstoned = 1;
        s.expired = 2;
        const QList<OverviewChart> charts = OverviewCharts::build(s);
        const OverviewChart ns = find(charts, u"namespaces"_s);
        QCOMPARE(ns.categories, (QStringList {u"patterns"_s, u"decisions"_s, u"learnings"_s}));
        QCOMPARE(ns.categoryWords.first(), u"ns:patterns"_s);
        QVERIFY(ns.note.contains(u"musings"_s));
        const OverviewChart tags = find(charts, u"tags"_s);
        QCOMPARE(tags.wordsAt(0, 0), QStringList {u"tag:rust"_s});
        QVERIFY(tags.wordsAt(0, 1).isEmpty());
        QVERIFY(tags.wordsAt(0, 2).isEmpty());
        QCOMPARE(tags.toCsv(), QByteArray("tag,memories carrying it\r\nrust,4\r\nneeds review,2\r\n\"a,b\",1\r\n"));
        const OverviewChart scopes = find(charts, u"scopes"_s);
        QCOMPARE(scopes.categories, (QStringList {u"project"_s, u"other"_s}));
        QCOMPARE(scopes.wordsAt(0, 0), QStringList {u"domain:project"_s});
        QVERIFY(scopes.wordsAt(0, 1).isEmpty());
        QVERIFY(scopes.note.contains(u"acme/widgets"_s));
        const OverviewChart lifecycle = find(charts, u"lifecycle"_s);
        QCOMPARE(lifecycle.values.first(), (QList<qint64> {7, 2, 1}));
        QCOMPARE(lifecycle.wordsAt(0, 2), QStringList {u"tombstoned:only"_s});
        // no embedding figure: no chart rather than a wrong one
        QVERIFY(find(charts, u"embeddings"_s).id.isEmpty());
        s.withEmbedding = 4;
        QCOMPARE(find(OverviewCharts::build(s), u"embeddings"_s).values.first(), (QList<qint64> {4, 6}));
    }
};

QTEST_GUILESS_MAIN(TestOverviewCharts)
#include "tst_overviewcharts.moc"
