// SPDX-License-Identifier: MIT
// The lifecycle keys of the filter language (expired:, is:summary, has:edges, flag:) on every backend
// (INSPECTOR_CONTRACT_BACKEND): query pages, count, rowOf, stats and scan give the rows the decoded memories say.
#include "lifecyclefilter.h"
#include "storestats.h"
#include "testhelpers.h"

#include <QDateTime>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestLifecycleContract : public QObject
{
    Q_OBJECT

    QTemporaryDir* m_dir = nullptr;
    std::unique_ptr<PersistenceBackend> m_backend;
    qint64 m_now = 0;
    QStringList m_refused; ///< planted memories the backend would not hold (none expected)

    Memory planted(const QString& id, qint64 createdAt)
    {
        Memory m = Testing::sampleMemory(id, createdAt);
        if (m_backend->kind() == "sqlite"_L1)
            m.updatedAt = m.createdAt;
        m.embedding.reset();
        m.groupId.reset();
        m.isSummary = false;
        m.sourceMemoryIds.reset();
        m.consolidationTimestamp.reset();
        m.expiresAt.reset();
        return m;
    }

    void plant()
    {
        Fixtures::MemoryStream stream(5);
        for (int i = 0; i < 120; ++i) {
            Memory m = stream.next();
            if (m_backend->kind() == "sqlite"_L1)
                m.updatedAt = m.createdAt;
            m.groupId.reset();
            m.embedding.reset();
            m_backend->store(m);
        }
        QList<Memory> extra;
        qint64 t = 1767100000;
        auto add = [&](const QString& id, const std::function<void(Memory&)>& change) {
            Memory m = planted(id, t++);
            change(m);
            extra << m;
        };
        add(u"exp-past"_s, [&](Memory& m) { m.expiresAt = m_now - 1000; });
        add(u"exp-past-tomb"_s, [&](Memory& m) {
            m.expiresAt = m_now - 1000;
            m.status = u"tombstoned"_s;
            m.tombstonedAt = m.createdAt;
        });
        add(u"exp-future"_s, [&](Memory& m) { m.expiresAt = m_now + 100000; });
        add(u"exp-now"_s, [&](Memory& m) { m.expiresAt = m_now; }); // not before now: not expired
        add(u"half-status"_s, [&](Memory& m) { m.status = u"tombstoned"_s; });
        add(u"half-at"_s, [&](Memory& m) { m.tombstonedAt = m.createdAt; });
        add(u"plain-x"_s, [](Memory&) {});
        add(u"plain-y"_s, [](Memory&) {});
        add(u"sum-a"_s, [](Memory& m) {
            m.isSummary = true;
            m.sourceMemoryIds = QStringList {u"plain-x"_s, u"exp-future"_s};
        });
        add(u"sum-empty"_s, [](Memory& m) {
            m.isSummary = true;
            m.sourceMemoryIds = QStringList {};
        });
        add(u"ns-upper"_s, [](Memory& m) { m.namespaceName = u"Decisions"_s; });
        add(u"ns-bogus"_s, [](Memory& m) { m.namespaceName = u"bogus"_s; });
        add(u"st-upper"_s, [](Memory& m) { m.status = u"ARCHIVED"_s; });
        add(u"st-bogus"_s, [](Memory& m) { m.status = u"weird"_s; });
        for (const Memory& m : extra) {
            try {
                m_backend->store(m);
            } catch (const StorageError& e) {
                m_refused << m.id + u": "_s + e.message();
            }
        }
        if (m_backend->hasEdgeTable()) {
            // the edge table decides there, not the source lists: one consolidation edge and one of another kind
            m_backend->storeEdges({MemoryEdge {u"plain-x"_s, u"sum-a"_s, u"summarized_by"_s, t},
                                   MemoryEdge {u"plain-y"_s, u"half-at"_s, u"related_to"_s, t}});
        }
    }

    /// Every memory as the backend reads it back.
    QList<Memory> decoded()
    {
        MemoryQuery all;
        all.limit = 100000;
        return m_backend->query(all).memories;
    }

    QSet<QString> idsWithEdges(const QList<Memory>& memories)
    {
        if (m_backend->hasEdgeTable())
            return {u"plain-x"_s, u"sum-a"_s, u"plain-y"_s, u"half-at"_s};
        Lifecycle::SourceEdges edges;
        for (const Memory& m : memories)
            edges.add(m.id, m.sourceMemoryIds);
        return edges.ids();
    }

private Q_SLOTS:
    void init()
    {
        m_dir = new QTemporaryDir;
        QString skip;
        m_backend = Testing::createEmptyStore(*m_dir, &skip);
        if (!m_backend) {
            if (qEnvironmentVariableIntValue("INSPECTOR_REQUIRE_ALL_BACKENDS") == 1)
                QFAIL(qPrintable(u"backend unavailable but required: "_s + skip));
            QSKIP(qPrintable(skip));
        }
        m_now = QDateTime::currentSecsSinceEpoch();
        m_refused.clear();
    }
    void cleanup()
    {
        m_backend.reset();
        delete m_dir;
        m_dir = nullptr;
    }

    void filtersMatchTheDecodedMemories_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<int>("atLeast"); ///< planted memories that must match (the test proves something)
        QTest::newRow("expired:true") << u"expired:true"_s << 2;
        QTest::newRow("expired:false") << u"expired:false"_s << 3;
        QTest::newRow("expired:true tombstoned:hide") << u"expired:true tombstoned:hide"_s << 1;
        QTest::newRow("is:summary") << u"is:summary"_s << 2;
        QTest::newRow("-is:summary") << u"-is:summary"_s << 10;
        QTest::newRow("has:edges") << u"has:edges"_s << 2;
        QTest::newRow("-has:edges") << u"-has:edges"_s << 5;
        QTest::newRow("is:summary has:edges") << u"is:summary has:edges"_s << 1;
        QTest::newRow("flag:expired-active") << u"flag:expired-active"_s << 1;
        QTest::newRow("flag:half-tombstoned") << u"flag:half-tombstoned"_s << 2;
        QTest::newRow("-flag:half-tombstoned") << u"-flag:half-tombstoned"_s << 5;
        QTest::newRow("flag:noncanonical-namespace") << u"flag:noncanonical-namespace"_s << 1;
        QTest::newRow("flag:unknown-namespace,unknown-status") << u"flag:unknown-namespace,unknown-status"_s << 2;
        QTest::newRow("flag:noncanonical-status") << u"flag:noncanonical-status"_s << 1;
        QTest::newRow("flag:a flag:b") << u"flag:unknown-status flag:unknown-namespace"_s << 0;
        QTest::newRow("-flag:unknown-namespace -flag:noncanonical-status")
            << u"-flag:unknown-namespace -flag:noncanonical-status"_s << 10;
        QTest::newRow("flag:missing-content") << u"flag:missing-content"_s << 0;
        QTest::newRow("flag:messy-tags,legacy-domain") << u"flag:messy-tags,legacy-domain"_s << 0;
        QTest::newRow("flag:invalid-source-ids") << u"flag:invalid-source-ids"_s << 0;
        QTest::newRow("-flag:tags-drift ns:patterns") << u"-flag:tags-drift ns:patterns"_s << 5;
    }
    void filtersMatchTheDecodedMemories()
    {
        QFETCH(QString, filter);
        QFETCH(int, atLeast);
        plant();
        QVERIFY2(m_refused.isEmpty(), qPrintable(m_refused.join(u"; "_s)));
        const ParsedFilter parsed = parseFilter(filter, QDateTime::fromSecsSinceEpoch(m_now));
        QVERIFY2(parsed.notUnderstood.isEmpty(), qPrintable(parsed.notUnderstood.join(u"; "_s)));
        const QList<Memory> all = decoded();
        const MemoryFilter reference = Lifecycle::withEdgeIds(parsed.filter, idsWithEdges(all));
        QStringList expected;
        int plantedMatches = 0;
        for (const Memory& m : all) {
            if (reference.matches(m)) {
                expected << m.id;
                if (m.createdAt >= 1767100000 && m.createdAt < 1767100100)
                    ++plantedMatches;
            }
        }
        QVERIFY2(plantedMatches >= atLeast, qPrintable(u"planted matches: "_s + QString::number(plantedMatches)));
        QCOMPARE(m_backend->count(parsed.filter), qint64(expected.size()));

        // pages in the default order, by cursor
        MemoryQuery query;
        query.filter = parsed.filter;
        query.limit = 7;
        QStringList paged;
        for (int guard = 0; guard < 200; ++guard) {
            const Page page = m_backend->query(query);
            for (const Memory& m : page.memories)
                paged << m.id;
            if (!page.next)
                break;
            query.after = page.next;
        }
        QCOMPARE(paged, expected);

        // rowOf agrees with the listing, and finds nothing for a memory the filter leaves out
        MemoryQuery where;
        where.filter = parsed.filter;
        for (const Memory& m : all) {
            const qsizetype at = expected.indexOf(m.id);
            const std::optional<qint64> row = m_backend->rowOf(where, m.id);
            QVERIFY2(row == (at < 0 ? std::nullopt : std::optional<qint64>(at)), qPrintable(m.id));
        }

        // stats and scan see the same rows
        QCOMPARE(m_backend->stats(parsed.filter, m_now).total, qint64(expected.size()));
        QStringList scanned;
        m_backend->scan(where, [&](QList<Memory>& batch, QList<RecordIssue>&) {
            for (const Memory& m : batch)
                scanned << m.id;
            return true;
        });
        QCOMPARE(scanned, expected);
    }

    void damagedRowsCarryTheirFlags()
    {
        if (m_backend->kind() == "filesystem"_L1)
            QSKIP("folder files are written whole; their anomalies are evaluated on the decoded records above");
        plant();
        const auto sql = [&](const QString& text) { Testing::sqlOnStore(*m_backend, text); };
        QStringList planted; ///< the flag each damage must show (one memory at least)
        if (m_backend->kind() == "sqlite"_L1) {
            sql(u"DELETE FROM memories_fts WHERE id = 'plain-y'"_s);
            planted << u"missing-content"_s;
            sql(u"INSERT INTO memories_fts (id, content, tags) SELECT id, content, tags FROM memories_fts WHERE id = "
                "'plain-x'"_s);
            planted << u"duplicate-content"_s;
            sql(u"UPDATE memories_fts SET tags = 'other' WHERE id = 'exp-future'"_s);
            // a FTS row written again lands at another rowid: found through the index, not by the rowid guess
            sql(u"INSERT INTO memories_fts (id, content, tags) SELECT id, content, 'moved' FROM memories_fts WHERE id "
                "= 'exp-now'"_s);
            sql(u"DELETE FROM memories_fts WHERE rowid = (SELECT min(rowid) FROM memories_fts WHERE id = 'exp-now')"_s);
            planted << u"tags-drift"_s;
            sql(u"UPDATE memories SET domain = '' WHERE id = 'half-at'"_s);
            sql(u"UPDATE memories SET domain = 'global' WHERE id = 'ns-upper'"_s);
            planted << u"legacy-domain"_s;
            sql(u"UPDATE memories SET tags = ' rust,,a:b' WHERE id = 'st-upper'"_s);
            sql(u"UPDATE memories SET tags = NULL WHERE id = 'st-bogus'"_s);
            planted << u"messy-tags"_s;
            sql(u"UPDATE memories SET source_memory_ids = '[1,2]' WHERE id = 'sum-empty'"_s);
            sql(u"UPDATE memories SET source_memory_ids = 'not json' WHERE id = 'exp-past'"_s);
            planted << u"invalid-source-ids"_s;
        } else {
            sql(u"UPDATE memories SET domain = 'user' WHERE id = 'half-at'"_s);
            planted << u"legacy-domain"_s;
            sql(u"UPDATE memories SET tags = NULL WHERE id = 'st-upper'"_s);
            planted << u"messy-tags"_s;
            sql(u"UPDATE memories SET source_memory_ids = '[1,2]'::jsonb WHERE id = 'sum-empty'"_s);
            sql(u"UPDATE memories SET source_memory_ids = '\"text\"'::jsonb WHERE id = 'exp-past'"_s);
            planted << u"invalid-source-ids"_s;
        }
        // each memory read alone: a lookup by id finds every full-text row (DuplicateContent)
        QList<Memory> all;
        for (const Memory& m : decoded()) {
            const std::optional<Memory> alone = m_backend->get(m.id);
            all << (alone ? *alone : m);
        }
        for (const QString& name : Lifecycle::anomalyNames()) {
            for (const QString& text : QStringList {u"flag:"_s + name, u"-flag:"_s + name}) {
                const MemoryFilter filter = parseFilter(text, QDateTime::fromSecsSinceEpoch(m_now)).filter;
                QStringList expected;
                for (const Memory& m : all) {
                    if (filter.matches(m))
                        expected << m.id;
                }
                if (planted.contains(name) && !text.startsWith(u'-'))
                    QVERIFY2(!expected.isEmpty(), qPrintable(text));
                QCOMPARE(m_backend->count(filter), qint64(expected.size()));
                MemoryQuery query;
                query.filter = filter;
                query.limit = 1000;
                query.withContent = false;
                QStringList got;
                for (const Memory& m : m_backend->query(query).memories)
                    got << m.id;
                QVERIFY2(got == expected,
                         qPrintable(text + u": "_s + got.join(u' ') + u" vs "_s + expected.join(u' ')));
                if (!expected.isEmpty())
                    QCOMPARE(m_backend->rowOf(query, expected.last()), std::optional<qint64>(expected.size() - 1));
            }
        }
    }

    void expiredIsMeasuredWhenTheFilterWasParsed()
    {
        plant();
        // parsed before exp-future expires and after: one filter keeps its answer on every call
        const MemoryFilter before = parseFilter(u"expired:true"_s, QDateTime::fromSecsSinceEpoch(m_now)).filter;
        const MemoryFilter after = parseFilter(u"expired:true"_s, QDateTime::fromSecsSinceEpoch(m_now + 200000)).filter;
        MemoryQuery q;
        q.filter = after;
        QVERIFY(m_backend->rowOf(q, u"exp-future"_s).has_value());
        q.filter = before;
        QVERIFY(!m_backend->rowOf(q, u"exp-future"_s).has_value());
        // exp-future and exp-now have expired by then
        QVERIFY(m_backend->count(after) >= m_backend->count(before) + 2);
    }
};

QTEST_GUILESS_MAIN(TestLifecycleContract)
#include "tst_lifecyclecontract.moc"
