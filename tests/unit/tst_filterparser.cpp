// SPDX-License-Identifier: MIT
#include "graph/knowledgegraph.h"
#include "lifecyclefilter.h"
#include "query.h"
#include "storageerror.h"

#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestFilterParser : public QObject
{
    Q_OBJECT
    const QDateTime now = QDateTime(QDate(2026, 6, 1), QTime(12, 0), QTimeZone::utc());

private Q_SLOTS:
    void subcogExamples()
    {
        ParsedFilter p = parseFilter(u"ns:decisions since:30d"_s, now);
        QVERIFY(p.notUnderstood.isEmpty());
        QCOMPARE(p.filter.namespaces, QList<Namespace> {Namespace::Decisions});
        QCOMPARE(p.filter.createdFrom, now.toSecsSinceEpoch() - 30 * 86400);

        p = parseFilter(u"ns:apis tag:rest,graphql"_s, now);
        QCOMPARE(p.filter.tagsAny, QList<QStringList> {(QStringList {u"rest"_s, u"graphql"_s})});
        QVERIFY(p.filter.tagsAll.isEmpty());

        p = parseFilter(u"ns:learnings since:7d -tag:test"_s, now);
        QCOMPARE(p.filter.tagsNone, QStringList {u"test"_s});

        p = parseFilter(u"ns:tech-debt source:src/auth/*"_s, now);
        QCOMPARE(p.filter.namespaces, QList<Namespace> {Namespace::TechDebt});
        QCOMPARE(p.filter.sourcePatterns, QStringList {u"src/auth/*"_s});

        p = parseFilter(u"NS:decisions project:github.com/org/repo branch:main"_s, now);
        QVERIFY(p.notUnderstood.isEmpty());
        QCOMPARE(p.filter.projects, QStringList {u"github.com/org/repo"_s});
        QCOMPARE(p.filter.branches, QStringList {u"main"_s});
    }
    void aliasesAndRepeats()
    {
        ParsedFilter p = parseFilter(u"namespace:techdebt ns:PATTERNS tag:a tags:b src:x proj:p repo:q file:f.rs "
                                     "file_path:g.rs path:h*"_s,
                                     now);
        QVERIFY2(p.notUnderstood.isEmpty(), qPrintable(p.notUnderstood.join(u"; "_s)));
        QCOMPARE(p.filter.namespaces, (QList<Namespace> {Namespace::TechDebt, Namespace::Patterns}));
        QCOMPARE(p.filter.tagsAll, (QStringList {u"a"_s, u"b"_s}));
        QCOMPARE(p.filter.projects, (QStringList {u"p"_s, u"q"_s}));
        QCOMPARE(p.filter.pathPatterns, (QStringList {u"f.rs"_s, u"g.rs"_s, u"h*"_s}));
    }
    void since_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<qint64>("seconds");
        QTest::newRow("days implied") << u"3"_s << qint64(3 * 86400);
        QTest::newRow("days") << u"3d"_s << qint64(3 * 86400);
        QTest::newRow("hours") << u"12h"_s << qint64(12 * 3600);
        QTest::newRow("weeks") << u"2w"_s << qint64(14 * 86400);
        QTest::newRow("upper") << u"2W"_s << qint64(14 * 86400);
    }
    void since()
    {
        QFETCH(QString, value);
        QFETCH(qint64, seconds);
        const ParsedFilter p = parseFilter(u"since:"_s + value, now);
        QVERIFY(p.notUnderstood.isEmpty());
        QCOMPARE(*p.filter.createdFrom, now.toSecsSinceEpoch() - seconds);
    }
    void sinceOutOfRangeIsClampedNotWrapped()
    {
        // 2562047788015215 days overflow 64-bit seconds: the span reaches back past every memory
        for (const QString& value : {u"2562047788015215d"_s, u"99999999999999999999"_s, u"9223372036854775807h"_s}) {
            const ParsedFilter p = parseFilter(u"since:"_s + value, now);
            QVERIFY(p.notUnderstood.isEmpty());
            QCOMPARE(*p.filter.createdFrom, std::numeric_limits<qint64>::min());
            Memory old;
            old.createdAt = 0;
            QVERIFY2(p.filter.matches(old), qPrintable(value));
            old.createdAt = now.toSecsSinceEpoch();
            QVERIFY(p.filter.matches(old));
        }
        // the largest span that still fits is taken as it is
        const ParsedFilter p = parseFilter(u"since:1000000d"_s, now);
        QCOMPARE(*p.filter.createdFrom, now.toSecsSinceEpoch() - qint64(1000000) * 86400);
    }
    void wordsWithALetterStayWords()
    {
        const ParsedFilter p = parseFilter(u"rocket🚀 ∞loop 42"_s, now);
        QVERIFY(p.notUnderstood.isEmpty());
        QCOMPARE(p.filter.words, (QStringList {u"rocket🚀"_s, u"∞loop"_s, u"42"_s}));
    }
    void statuses()
    {
        ParsedFilter p = parseFilter(u"status:active status:ARCHIVED,pending"_s, now);
        QVERIFY(p.notUnderstood.isEmpty());
        QCOMPARE(p.filter.statuses,
                 (QList<MemoryStatus> {MemoryStatus::Active, MemoryStatus::Archived, MemoryStatus::Pending}));
    }
    void freeWordsAndExtensions()
    {
        ParsedFilter p
            = parseFilter(u"retry backoff domain:user created:2026-01-01..2026-01-31 tombstoned:only"_s, now);
        QVERIFY(p.notUnderstood.isEmpty());
        QCOMPARE(p.filter.words, (QStringList {u"retry"_s, u"backoff"_s}));
        QCOMPARE(p.filter.domains, QStringList {u"user"_s});
        QCOMPARE(*p.filter.createdFrom, QDateTime(QDate(2026, 1, 1), QTime(0, 0), QTimeZone::utc()).toSecsSinceEpoch());
        QCOMPARE(*p.filter.createdTo,
                 QDateTime(QDate(2026, 2, 1), QTime(0, 0), QTimeZone::utc()).toSecsSinceEpoch() - 1);
        QCOMPARE(p.filter.tombstones, TombstoneFilter::Only);
        p = parseFilter(u"created:..1700000000 id:a,b"_s, now);
        QVERIFY(!p.filter.createdFrom);
        QCOMPARE(*p.filter.createdTo, 1700000000);
        QCOMPARE(p.filter.ids, (QStringList {u"a"_s, u"b"_s}));
    }
    void entities()
    {
        // spec §13: entity / ent / entities, a comma list is "any of"; repeated tokens add alternatives
        const ParsedFilter p = parseFilter(u"ENT:PostgreSQL,ent_1 entity:Alice entities:alice"_s, now);
        QVERIFY(p.notUnderstood.isEmpty());
        QCOMPARE(p.filter.entities, (QStringList {u"PostgreSQL"_s, u"ent_1"_s, u"Alice"_s, u"alice"_s}));
        QCOMPARE(foldedEntityValues(p.filter.entities), (QStringList {u"postgresql"_s, u"ent_1"_s, u"alice"_s}));
        QVERIFY(!p.filter.isEmpty());
        // a store without a graph cannot evaluate it and says so rather than match everything or nothing
        QVERIFY_THROWS_EXCEPTION(StorageError, p.filter.matches(Memory {}));
    }
    void notUnderstood_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("unknown key") << u"colour:red"_s;
        QTest::newRow("bad namespace") << u"ns:nonsense"_s;
        QTest::newRow("bad since") << u"since:yesterday"_s;
        QTest::newRow("bad status") << u"status:gone"_s;
        QTest::newRow("empty value") << u"tag:"_s;
        QTest::newRow("entity without value") << u"entity:,"_s;
        QTest::newRow("bad date") << u"created:soon"_s;
        QTest::newRow("bad tombstone mode") << u"tombstoned:maybe"_s;
        // words the full-text search cannot find would otherwise be dropped and match everything
        QTest::newRow("emoji word") << u"🚀"_s;
        QTest::newRow("infinity word") << u"∞"_s;
        QTest::newRow("dash word") << u"—"_s;
        QTest::newRow("punctuation word") << u"--"_s;
        QTest::newRow("date out of range") << u"created:99999999999999999999"_s;
        QTest::newRow("year out of range") << u"created:99999-01-01"_s;
    }
    void notUnderstood()
    {
        QFETCH(QString, text);
        const ParsedFilter p = parseFilter(u"ns:decisions "_s + text + u" word"_s, now);
        QCOMPARE(p.notUnderstood.size(), 1);
        QVERIFY(p.notUnderstood.first().startsWith(text));
        // the rest is still understood
        QCOMPARE(p.filter.namespaces, QList<Namespace> {Namespace::Decisions});
        QCOMPARE(p.filter.words, QStringList {u"word"_s});
    }
    void emptyFilter()
    {
        QVERIFY(parseFilter(u"   "_s, now).filter.isEmpty());
        QVERIFY(!parseFilter(u"x"_s, now).filter.isEmpty());
    }
    void matchesReference()
    {
        Memory m;
        m.id = u"a1"_s;
        m.namespaceName = u"TechDebt"_s;
        m.status = u"ACTIVE"_s;
        m.domain = u"project"_s;
        m.tags = {u"rust"_s, u"db"_s};
        m.source = u"src/auth/login.rs"_s;
        m.content = u"Retry with exponential Backoff."_s;
        m.createdAt = 100;
        auto matches = [&](const QString& text) { return parseFilter(text, now).filter.matches(m); };
        QVERIFY(matches(u"ns:tech-debt status:active"_s));
        QVERIFY(matches(u"tag:rust tag:db -tag:python tag:x,db"_s));
        QVERIFY(!matches(u"tag:rust,x tag:python"_s));
        QVERIFY(matches(u"source:src/auth/*"_s));
        QVERIFY(!matches(u"source:src/a?th/*"_s)); // '?' is no wildcard
        QVERIFY(matches(u"backoff retry domain:project"_s));
        QVERIFY(!matches(u"nothing"_s));
        QVERIFY(matches(u"tombstoned:hide"_s));
        QVERIFY(!matches(u"tombstoned:only"_s));
        QVERIFY(!matches(u"project:x"_s));
    }
    void lifecycleKeys()
    {
        ParsedFilter p = parseFilter(u"expired:true is:summary has:edges flag:tags-drift,Messy-Tags flag:locked "
                                     "-flag:legacy-domain"_s,
                                     now);
        QVERIFY2(p.notUnderstood.isEmpty(), qPrintable(p.notUnderstood.join(u"; "_s)));
        QCOMPARE(p.filter.expired, std::optional<bool>(true));
        QCOMPARE(p.filter.now, now.toSecsSinceEpoch()); // fixed at parse time, like since:
        QCOMPARE(p.filter.summary, std::optional<bool>(true));
        QCOMPARE(p.filter.hasEdges, std::optional<bool>(true));
        QCOMPARE(p.filter.anomaliesAny,
                 (QList<QStringList> {{u"tags-drift"_s, u"messy-tags"_s}, QStringList {u"locked"_s}}));
        QCOMPARE(p.filter.anomaliesNone, QStringList {u"legacy-domain"_s});

        p = parseFilter(u"EXPIRED:false -is:summary -has:edges"_s, now);
        QVERIFY(p.notUnderstood.isEmpty());
        QCOMPARE(p.filter.expired, std::optional<bool>(false));
        QCOMPARE(p.filter.summary, std::optional<bool>(false));
        QCOMPARE(p.filter.hasEdges, std::optional<bool>(false));
        // a filter without time words compares equal whenever it is parsed
        QCOMPARE(parseFilter(u"is:summary"_s, now).filter.now, qint64(0));
        QCOMPARE(parseFilter(u"flag:expired-active"_s, now).filter.now, now.toSecsSinceEpoch());
    }
    void lifecycleKeysNotUnderstood_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("expired:maybe") << u"expired:maybe"_s;
        QTest::newRow("is:archived") << u"is:archived"_s;
        QTest::newRow("has:tags") << u"has:tags"_s;
        QTest::newRow("flag:nonsense") << u"flag:nonsense"_s;
        QTest::newRow("flag:tags-drift,nonsense") << u"flag:tags-drift,nonsense"_s;
        QTest::newRow("-flag:,") << u"-flag:,"_s;
    }
    void contradictingLifecycleWords()
    {
        for (const QString& text :
             {u"is:summary -is:summary"_s, u"expired:true expired:no"_s, u"-has:edges has:edges"_s}) {
            const ParsedFilter p = parseFilter(text, now);
            QCOMPARE(p.notUnderstood.size(), 1);
            QVERIFY2(p.notUnderstood.first().contains(u"contradicts"_s), qPrintable(p.notUnderstood.first()));
        }
        QVERIFY(parseFilter(u"is:summary is:SUMMARY"_s, now).notUnderstood.isEmpty());
    }
    void lifecycleKeysNotUnderstood()
    {
        QFETCH(QString, text);
        const ParsedFilter p = parseFilter(text, now);
        QCOMPARE(p.notUnderstood.size(), 1);
        QVERIFY(p.notUnderstood.first().startsWith(text));
        QVERIFY(p.filter.anomaliesAny.isEmpty() && p.filter.anomaliesNone.isEmpty());
        QVERIFY(!p.filter.expired && !p.filter.summary && !p.filter.hasEdges);
        if (text.contains(u"flag"_s))
            QVERIFY2(p.notUnderstood.first().contains(u"tags-drift"_s), qPrintable(p.notUnderstood.first()));
    }
    void lifecycleMatches()
    {
        const qint64 t = now.toSecsSinceEpoch();
        Memory m;
        m.id = u"m1"_s;
        m.namespaceName = u"decisions"_s;
        m.status = u"active"_s;
        m.expiresAt = t - 1;
        auto matches = [&](const QString& text) { return parseFilter(text, now).filter.matches(m); };
        QVERIFY(matches(u"expired:true flag:expired-active -flag:half-tombstoned"_s));
        QVERIFY(!matches(u"expired:false"_s));
        m.expiresAt = t; // expires at this second: not before now
        QVERIFY(matches(u"expired:false"_s) && !matches(u"flag:expired-active"_s));
        m.expiresAt.reset();
        QVERIFY(matches(u"expired:false -is:summary"_s) && !matches(u"is:summary"_s));
        m.expiresAt = t - 1;
        m.status = u"Tombstoned"_s; // tombstoned: expired, not expired-active, half-tombstoned
        QVERIFY(matches(u"expired:true flag:half-tombstoned -flag:expired-active"_s));
        m.tombstonedAt = t;
        QVERIFY(!matches(u"flag:half-tombstoned"_s));
        m.status = u"active"_s;
        QVERIFY(matches(u"flag:half-tombstoned"_s));
        m.flags = MemoryFlag::TagsMismatch | MemoryFlag::LegacyDomain;
        QVERIFY(matches(u"flag:tags-drift flag:legacy-domain,locked"_s));
        QVERIFY(!matches(u"flag:locked"_s) && !matches(u"-flag:tags-drift"_s));
        m.isSummary = true;
        QVERIFY(matches(u"is:summary"_s));
        // has: needs the store's edges: a reader without them says so instead of guessing
        QVERIFY_THROWS_EXCEPTION(StorageError, matches(u"has:edges"_s));
        const MemoryFilter f = parseFilter(u"has:edges"_s, now).filter;
        QVERIFY(Lifecycle::withEdgeIds(f, {u"m1"_s}).matches(m));
        QVERIFY(!Lifecycle::withEdgeIds(f, {u"m2"_s}).matches(m));
        QVERIFY(!Lifecycle::withEdgeIds(f, {}).matches(m));
        const MemoryFilter none = parseFilter(u"-has:edges"_s, now).filter;
        QVERIFY(!Lifecycle::withEdgeIds(none, {u"m1"_s}).matches(m));
        QVERIFY(Lifecycle::withEdgeIds(none, {u"m2"_s}).matches(m));
    }
    void sourceEdgesAreTheSummariesLinks()
    {
        Lifecycle::SourceEdges edges;
        edges.add(u"s1"_s, QStringList {u"a"_s, u"b"_s});
        edges.add(u"s2"_s, QStringList {}); // a summary without sources has no edge
        edges.add(u"c"_s, std::nullopt);
        QCOMPARE(edges.ids(), (QSet<QString> {u"s1"_s, u"a"_s, u"b"_s}));
    }
};

QTEST_GUILESS_MAIN(TestFilterParser)
#include "tst_filterparser.moc"
