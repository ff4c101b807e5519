// SPDX-License-Identifier: MIT
// A memory's edges and its lineage (memoryedges.*, lineage.*) on real stores: a SQLite file with memory_edges
// rows in both directions, a dangling edge and a lost summary pair; the same memories in a PostgreSQL database of
// the test harness and in a folder, where only source_memory_ids tells the relations. Also the guarded edge writes
// behind "Rebuild edges" and its undo, and that `check`'s lost-edge finding says what the Edges tab says.
#include "edgefixture.h"
#include "filesystem/filesystembackend.h"
#include "health/sqlitecheck.h"
#include "lineage.h"
#include "memoryedges.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "sqlite/sqlitebackend.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;
namespace EF = Inspector::EdgeFixture;

namespace {
QSet<QString> nodeIds(const Lineage& l)
{
    QSet<QString> ids;
    for (const LineageNode& n : l.nodes)
        ids.insert(n.memory.id);
    return ids;
}

/// "from>to:type" plus "~" for derived and "!" for lost edges.
QSet<QString> edgeNames(const Lineage& l)
{
    QSet<QString> names;
    for (const LineageEdge& e : l.edges)
        names.insert(e.fromId + u'>' + e.toId + u':' + e.edgeType + (e.derived ? u"~"_s : QString())
                     + (e.lost ? u"!"_s : QString()));
    return names;
}

QString rowName(const EdgeRow& r)
{
    return (r.outgoing ? u"out:"_s : u"in:"_s) + r.edgeType + u':' + r.other.id
        + (r.origin == EdgeRow::Origin::SourceIds ? u"~"_s : QString()) + (r.lost ? u"!"_s : QString());
}
} // namespace

class TestEdges : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    std::unique_ptr<PersistenceBackend> makeStore(const QString& kind)
    {
        std::unique_ptr<PersistenceBackend> store;
        if (kind == "sqlite"_L1) {
            store = SqliteBackend::create(m_dir.filePath(QUuid::createUuid().toString(QUuid::Id128) + u".db"_s));
        } else if (kind == "filesystem"_L1) {
            store = FilesystemBackend::create(m_dir.filePath(QUuid::createUuid().toString(QUuid::Id128)));
        } else {
            Testing::PostgresServer& server = Testing::PostgresServer::shared();
            store = PostgresBackend::createSchema(server.url(server.createDatabase(u"edges"_s)));
        }
        EF::plant(*store);
        return store;
    }

private Q_SLOTS:
    void bothDirectionsAndDangling()
    {
        auto store = makeStore(u"sqlite"_s);
        QVERIFY(store->hasEdgeTable());
        const MemoryEdges s1 = readMemoryEdges(*store, u"s1"_s, EF::kBase + 1000);
        QVERIFY(s1.found);
        QStringList rows;
        for (const EdgeRow& r : s1.rows)
            rows << rowName(r);
        QCOMPARE(rows, (QStringList {u"out:summarized_by:sum1"_s, u"in:source_of:sum1"_s}));
        QCOMPARE(s1.rows[0].createdAt, std::optional<qint64>(EF::kConsolidated));
        QCOMPARE(s1.rows[0].other.firstLine, u"Summary: storage choices"_s);
        QCOMPARE(s1.rows[0].other.namespaceName, u"context"_s);
        QVERIFY(s1.missing.isEmpty());

        const MemoryEdges a = readMemoryEdges(*store, u"a"_s, EF::kBase + 1000);
        rows.clear();
        for (const EdgeRow& r : a.rows)
            rows << rowName(r);
        QCOMPARE(rows, (QStringList {u"out:related_to:ghost"_s, u"out:supersedes:b"_s}));
        QVERIFY(!a.rows[0].other.exists); // the dangling edge's other end is shown as missing
        QVERIFY(a.rows[1].other.exists);
        QVERIFY(a.rows[1].other.tombstoned);

        const MemoryEdges b = readMemoryEdges(*store, u"b"_s, EF::kBase + 1000);
        rows.clear();
        for (const EdgeRow& r : b.rows)
            rows << rowName(r);
        QCOMPARE(rows, (QStringList {u"out:refines:c"_s, u"in:supersedes:a"_s}));
        QCOMPARE(b.totalEdges, qint64(2));
    }

    void lostEdges()
    {
        auto store = makeStore(u"sqlite"_s);
        const MemoryEdges sum1 = readMemoryEdges(*store, u"sum1"_s, EF::kBase + 1000);
        QVERIFY(sum1.isSummary);
        QCOMPARE(sum1.lostSources, QStringList {u"s2"_s});
        const QList<MemoryEdge> expected {{u"s2"_s, u"sum1"_s, u"summarized_by"_s, EF::kConsolidated},
                                          {u"sum1"_s, u"s2"_s, u"source_of"_s, EF::kConsolidated}};
        QCOMPARE(sum1.missing, expected);
        QStringList rows;
        for (const EdgeRow& r : sum1.rows)
            rows << rowName(r);
        QCOMPARE(rows,
                 (QStringList {u"out:source_of:s1"_s, u"in:summarized_by:s1"_s, u"in:summarized_by:s2~!"_s,
                               u"out:source_of:s2~!"_s, u"in:summarized_by:gone~"_s, u"out:source_of:gone~"_s}));
        QVERIFY(!sum1.rows.last().other.exists);

        // check's lost-edge and dangling-edge say the same about every memory
        QHash<QString, QList<Finding>> findings;
        QVERIFY(checkSqliteStore(store->location(), [&](const Finding& f) { findings[f.findingClass].append(f); }));
        QStringList lostIds;
        for (const Finding& f : findings.value(u"lost-edge"_s)) {
            lostIds << f.id.value_or(QString());
            QVERIFY2(f.detail.contains(u"s2"_s) && !f.detail.contains(u"s1,"_s), qPrintable(f.detail));
        }
        QStringList tabIds;
        for (const Memory& m : EF::memories()) {
            if (!readMemoryEdges(*store, m.id, EF::kBase + 1000).missing.isEmpty())
                tabIds << m.id;
        }
        QCOMPARE(lostIds, tabIds);
        QCOMPARE(tabIds, QStringList {u"sum1"_s});
        QCOMPARE(findings.value(u"dangling-edge"_s).size(), 1);

        // the repair writes exactly what the Edges tab would rebuild
        auto copy = SqliteBackend::open(store->location());
        copy->addEdges(sum1.missing);
        QVERIFY(readMemoryEdges(*copy, u"sum1"_s, EF::kBase + 1000).missing.isEmpty());
        findings.clear();
        QVERIFY(checkSqliteStore(store->location(), [&](const Finding& f) { findings[f.findingClass].append(f); }));
        QVERIFY(findings.value(u"lost-edge"_s).isEmpty());
    }

    void rebuiltEdgeTimes()
    {
        QCOMPARE(rebuiltEdgeTime(qint64(5), qint64(3), 9), qint64(5));
        QCOMPARE(rebuiltEdgeTime(qint64(0), qint64(3), 9), qint64(3)); // 0 is no time
        QCOMPARE(rebuiltEdgeTime(std::nullopt, qint64(3), 9), qint64(3));
        QCOMPARE(rebuiltEdgeTime(std::nullopt, std::nullopt, 9), qint64(9));
    }

    void guardedAddAndRemove()
    {
        auto store = makeStore(u"sqlite"_s);
        const QString path = store->location();
        const QList<MemoryEdge> pair = summaryEdgePair(u"sum1"_s, u"s2"_s, EF::kConsolidated);
        QCOMPARE(store->addEdges(pair), pair);
        QCOMPARE(store->addEdges(pair), QList<MemoryEdge>()); // nothing missing any more
        // an edge already there keeps its time
        const MemoryEdge redated {u"s1"_s, u"sum1"_s, u"summarized_by"_s, 1};
        QCOMPARE(store->addEdges({redated}), QList<MemoryEdge>());
        QCOMPARE(EF::sqliteEdgeCount(path, EF::tableEdges().first()), 1);

        // another writer re-dates one: a removal takes only the edge still as written
        EF::sqliteExec(path, u"UPDATE memory_edges SET created_at = 7 WHERE from_id = 's2' AND to_id = 'sum1'"_s);
        QCOMPARE(store->removeEdges(pair), QList<MemoryEdge> {pair[1]});
        QCOMPARE(EF::sqliteEdgeCount(path, pair[0], false), 1);
        QCOMPARE(EF::sqliteEdgeCount(path, pair[1], false), 0);

        // a failure leaves the table as it was: an edge to a memory that is not there breaks the foreign key
        const QList<MemoryEdge> bad {pair[1], {u"sum1"_s, u"nobody"_s, u"source_of"_s, 1}};
        QVERIFY_THROWS_EXCEPTION(StorageError, store->addEdges(bad));
        QCOMPARE(EF::sqliteEdgeCount(path, pair[1], false), 0);

        auto readOnly = SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly);
        QVERIFY_THROWS_EXCEPTION(StorageError, readOnly->addEdges(pair));
    }

    void noEdgeTable_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("postgres") << u"postgres"_s;
        QTest::newRow("filesystem") << u"filesystem"_s;
    }
    void noEdgeTable()
    {
        QFETCH(QString, kind);
        auto store = makeStore(kind);
        QVERIFY(!store->hasEdgeTable());
        const MemoryEdges sum1 = readMemoryEdges(*store, u"sum1"_s, EF::kBase + 1000);
        QStringList rows;
        for (const EdgeRow& r : sum1.rows)
            rows << rowName(r);
        // what source_memory_ids says, none of it lost (there is no table to lose it from)
        QCOMPARE(rows, (QStringList {u"out:source_of:s1~"_s, u"out:source_of:s2~"_s, u"out:source_of:gone~"_s}));
        QVERIFY(sum1.missing.isEmpty());
        QVERIFY_THROWS_EXCEPTION(StorageError, store->addEdges(summaryEdgePair(u"sum1"_s, u"s2"_s, 1)));
    }

    void lineage_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("centre");
        QTest::addColumn<int>("hops");
        QTest::addColumn<QStringList>("nodes");
        QTest::addColumn<QStringList>("edges");
        const QStringList sqliteS1One {u"s1>sum1:summarized_by"_s, u"sum1>s1:source_of"_s};
        QTest::newRow("sqlite s1 1 hop") << u"sqlite"_s << u"s1"_s << 1 << QStringList {u"s1"_s, u"sum1"_s}
                                         << sqliteS1One;
        QTest::newRow("sqlite s1 2 hops")
            << u"sqlite"_s << u"s1"_s << 2 << QStringList {u"s1"_s, u"sum1"_s, u"s2"_s, u"gone"_s}
            << (sqliteS1One + QStringList {u"sum1>s2:source_of~!"_s, u"sum1>gone:source_of~"_s});
        QTest::newRow("sqlite a 1 hop") << u"sqlite"_s << u"a"_s << 1 << QStringList {u"a"_s, u"b"_s, u"ghost"_s}
                                        << QStringList {u"a>b:supersedes"_s, u"a>ghost:related_to"_s};
        QTest::newRow("sqlite a 2 hops") << u"sqlite"_s << u"a"_s << 2
                                         << QStringList {u"a"_s, u"b"_s, u"ghost"_s, u"c"_s}
                                         << QStringList {u"a>b:supersedes"_s, u"a>ghost:related_to"_s,
                                                         u"b>c:refines"_s};
        QTest::newRow("sqlite c 3 hops") << u"sqlite"_s << u"c"_s << 3
                                         << QStringList {u"c"_s, u"b"_s, u"a"_s, u"ghost"_s}
                                         << QStringList {u"a>b:supersedes"_s, u"a>ghost:related_to"_s,
                                                         u"b>c:refines"_s};
        for (const QString& kind : {u"postgres"_s, u"filesystem"_s}) {
            const QByteArray k = kind.toUtf8();
            QTest::newRow(QByteArray(k + " s1 1 hop").constData())
                << kind << u"s1"_s << 1 << QStringList {u"s1"_s, u"sum1"_s} << QStringList {u"sum1>s1:source_of~"_s};
            QTest::newRow(QByteArray(k + " s1 2 hops").constData())
                << kind << u"s1"_s << 2 << QStringList {u"s1"_s, u"sum1"_s, u"s2"_s, u"gone"_s}
                << QStringList {u"sum1>s1:source_of~"_s, u"sum1>s2:source_of~"_s, u"sum1>gone:source_of~"_s};
            QTest::newRow(QByteArray(k + " s3 2 hops").constData())
                << kind << u"s3"_s << 2 << QStringList {u"s3"_s, u"sum2"_s} << QStringList {u"sum2>s3:source_of~"_s};
            // a memory without relations where there is no table: itself only
            QTest::newRow(QByteArray(k + " a 2 hops").constData())
                << kind << u"a"_s << 2 << QStringList {u"a"_s} << QStringList {};
        }
    }
    void lineage()
    {
        QFETCH(QString, kind);
        QFETCH(QString, centre);
        QFETCH(int, hops);
        QFETCH(QStringList, nodes);
        QFETCH(QStringList, edges);
        auto store = makeStore(kind);
        LineageOptions options;
        options.hops = hops;
        const Lineage l = readLineage(*store, centre, options);
        QCOMPARE(l.centre, centre);
        QCOMPARE(l.nodes.first().memory.id, centre);
        QCOMPARE(nodeIds(l), QSet<QString>(nodes.begin(), nodes.end()));
        QCOMPARE(edgeNames(l), QSet<QString>(edges.begin(), edges.end()));
        QVERIFY(!l.capped);
        for (const LineageNode& n : l.nodes) {
            QCOMPARE(n.memory.exists, n.memory.id != "gone"_L1 && n.memory.id != "ghost"_L1);
            QCOMPARE(n.memory.tombstoned, n.memory.id == "b"_L1);
            QVERIFY(n.hop <= hops);
        }
    }

    void lineageCapped()
    {
        auto store = makeStore(u"sqlite"_s);
        LineageOptions options;
        options.hops = 2;
        options.maxNodes = 2;
        const Lineage l = readLineage(*store, u"a"_s, options);
        QCOMPARE(l.nodes.size(), 2);
        QVERIFY(l.capped);
        for (const LineageEdge& e : l.edges)
            QVERIFY(nodeIds(l).contains(e.fromId) && nodeIds(l).contains(e.toId));
    }
};

QTEST_GUILESS_MAIN(TestEdges)
#include "tst_edges.moc"
