// SPDX-License-Identifier: MIT
#include "memory.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestMemory : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void namespaces_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("expected"); // -1: unknown
        QTest::newRow("decisions") << u"decisions"_s << int(Namespace::Decisions);
        QTest::newRow("upper") << u"Decisions"_s << int(Namespace::Decisions);
        QTest::newRow("tech-debt") << u"tech-debt"_s << int(Namespace::TechDebt);
        QTest::newRow("techdebt") << u"techdebt"_s << int(Namespace::TechDebt);
        QTest::newRow("TECH_DEBT") << u"TECH_DEBT"_s << int(Namespace::TechDebt);
        QTest::newRow("help") << u"help"_s << int(Namespace::Help);
        QTest::newRow("prompts") << u"prompts"_s << int(Namespace::Prompts);
        QTest::newRow("unknown") << u"random-ns"_s << -1;
        QTest::newRow("empty") << QString() << -1;
    }
    void namespaces()
    {
        QFETCH(QString, text);
        QFETCH(int, expected);
        const auto parsed = parseNamespace(text);
        QCOMPARE(parsed.has_value(), expected >= 0);
        if (parsed)
            QCOMPARE(int(*parsed), expected);
    }
    void namespaceNamesRoundTrip()
    {
        QCOMPARE(allNamespaces().size(), 14);
        for (Namespace ns : allNamespaces())
            QCOMPARE(parseNamespace(namespaceName(ns)), ns);
        QCOMPARE(namespaceName(Namespace::TechDebt), u"tech-debt"_s);
    }
    void statuses()
    {
        QCOMPARE(allStatuses().size(), 7);
        for (MemoryStatus st : allStatuses())
            QCOMPARE(parseStatus(statusName(st)), st);
        QCOMPARE(parseStatus(u"ARCHIVED"_s), MemoryStatus::Archived);
        QVERIFY(!parseStatus(u"gone"_s));
        Memory m;
        m.status = u"weird"_s;
        QCOMPARE(m.effectiveStatus(), MemoryStatus::Active);
        m.namespaceName = u"weird"_s;
        QCOMPARE(m.effectiveNamespace(), Namespace::Decisions);
    }
    void domainDisplay_data()
    {
        QTest::addColumn<QString>("org");
        QTest::addColumn<QString>("project");
        QTest::addColumn<QString>("repo");
        QTest::addColumn<QString>("display");
        const QString none; // null QString stands for None
        QTest::newRow("project scope") << none << none << none << u"project"_s;
        QTest::newRow("user") << none << u"user"_s << none << u"user"_s;
        QTest::newRow("user with repo") << none << u"user"_s << u"r"_s << u"user"_s;
        QTest::newRow("org") << u"org"_s << none << none << u"org"_s;
        QTest::newRow("X/Y") << u"X"_s << none << u"Y"_s << u"X/Y"_s;
        QTest::newRow("X/P") << u"X"_s << u"P"_s << none << u"X/P"_s;
        QTest::newRow("X/P/Y") << u"X"_s << u"P"_s << u"Y"_s << u"X/P/Y"_s;
        QTest::newRow("P") << none << u"P"_s << u"Y"_s << u"P"_s;
        QTest::newRow("Y") << none << none << u"Y"_s << u"Y"_s;
    }
    void domainDisplay()
    {
        QFETCH(QString, org);
        QFETCH(QString, project);
        QFETCH(QString, repo);
        QFETCH(QString, display);
        auto opt = [](const QString& s) { return s.isNull() ? std::optional<QString> {} : std::optional<QString> {s}; };
        QCOMPARE((Domain {opt(org), opt(project), opt(repo)}.toString()), display);
    }
    void domainParse()
    {
        QVERIFY(Domain::fromSqliteString(QString()).isProjectScope());
        QVERIFY(Domain::fromSqliteString(u"project"_s).isProjectScope());
        QCOMPARE(Domain::fromSqliteString(u"user"_s).organization, u"user"_s); // subcog's lossy parse
        QCOMPARE(Domain::fromSqliteString(u"global"_s).organization, u"global"_s);
        const Domain two = Domain::fromSqliteString(u"a/b"_s);
        QCOMPARE(two.organization, u"a"_s);
        QCOMPARE(two.repository, u"b"_s);
        QVERIFY(Domain::fromSqliteString(u"a/b/c"_s).isProjectScope());
        QCOMPARE(Domain::fromDisplayString(u"user"_s).project, u"user"_s);
        QCOMPARE(Domain::fromDisplayString(u"user"_s).toString(), u"user"_s);
        // what a store with three parts is written as: the split spec §3.4 prints, not subcog's lossy SQLite parse
        QCOMPARE(Domain::fromDisplayString(u"acme/platform/api"_s), (Domain {u"acme"_s, u"platform"_s, u"api"_s}));
        QCOMPARE(Domain::fromDisplayString(u"a/b/c/d"_s).toString(), u"a/b/c/d"_s);
        QCOMPARE(Domain::fromDisplayString(u"acme/widgets"_s), (Domain {u"acme"_s, std::nullopt, u"widgets"_s}));
        QCOMPARE(Domain::fromDisplayString(u"org"_s), (Domain {u"org"_s, std::nullopt, std::nullopt}));
        // the stored parts win while they still print as the display string
        Memory m;
        m.domain = u"x/p"_s;
        m.domainParts = Domain {u"x"_s, u"p"_s, std::nullopt};
        QCOMPARE(m.domainForWrite(), *m.domainParts);
        QVERIFY(subcogReadsDomainOtherwise(m, false, true).has_value()); // SQLite reads x/p as x + repository p
        QVERIFY(!subcogReadsDomainOtherwise(m, false, false));
        m.domainParts.reset();
        m.domain = u"user"_s;
        QVERIFY(!subcogReadsDomainOtherwise(m, true, false)); // subcog's own value: no finding
    }
    void hashTag()
    {
        // sha256("hello world") = b94d27b9934d3e08…
        QCOMPARE(contentHashTag(u"  Hello \n\t World  "_s), u"hash:sha256:b94d27b9934d3e08"_s);
    }
    void tombstoneAndUrn()
    {
        Memory m;
        m.id = u"abc"_s;
        m.namespaceName = u"techdebt"_s;
        m.domain = u"user"_s;
        m.status = u"active"_s;
        QVERIFY(!m.isTombstoned());
        m.tombstonedAt = 5;
        QVERIFY(m.isTombstoned());
        m.tombstonedAt.reset();
        m.status = u"TOMBSTONED"_s;
        QVERIFY(m.isTombstoned());
        QCOMPARE(m.urn(), u"subcog://user/tech-debt/abc"_s);
    }
};

QTEST_GUILESS_MAIN(TestMemory)
#include "tst_memory.moc"
