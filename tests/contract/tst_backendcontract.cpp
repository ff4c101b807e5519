// SPDX-License-Identifier: MIT
// The PersistenceBackend contract and the query, run once per backend (INSPECTOR_CONTRACT_BACKEND).
#include "fixturegenerator.h"
#include "sqlite/sqlitebackend.h"
#include "testhelpers.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestBackendContract : public QObject
{
    Q_OBJECT

    QTemporaryDir* m_dir = nullptr;
    std::unique_ptr<PersistenceBackend> m_backend;

    // What the backend under test can hold of a memory: SQLite has no updated_at and (by default) no group_id.
    Memory storable(Memory m) const
    {
        if (m_backend->kind() == "sqlite"_L1)
            m.updatedAt = m.createdAt;
        m.groupId.reset(); // neither default schema has the column

        m.embedding.reset();
        return m;
    }

    QList<Memory> fillFromStream(int count, quint64 seed = 42)
    {
        Fixtures::MemoryStream stream(seed);
        QList<Memory> stored;
        for (int i = 0; i < count; ++i) {
            const Memory m = storable(stream.next());
            m_backend->store(m);
            stored << m;
        }
        return stored;
    }

    // stats().withEmbedding of a store without embeddings: 0 where they have a place (folder files, PostgreSQL's
    // memory_vectors), absent where there is none (SQLite without a vectors.idx)
    std::optional<qint64> embeddingsCounted() const
    {
        const EmbeddingStorage where = m_backend->embeddingStorage();
        if (where == EmbeddingStorage::InRecords
            || (where == EmbeddingStorage::Apart && m_backend->kind() == "postgres"_L1))
            return 0;
        return std::nullopt;
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
    }
    void cleanup()
    {
        m_backend.reset();
        delete m_dir;
        m_dir = nullptr;
    }

    void emptyStore()
    {
        QCOMPARE(m_backend->count(), qint64(0));
        QVERIFY(m_backend->listIds().isEmpty());
        QVERIFY(!m_backend->get(u"missing"_s));
        QVERIFY(!m_backend->exists(u"missing"_s));
        QVERIFY(!m_backend->remove(u"missing"_s));
        QVERIFY(m_backend->getBatch({u"a"_s, u"b"_s}).isEmpty());
        const Page page = m_backend->query(MemoryQuery {});
        QVERIFY(page.memories.isEmpty());
        QVERIFY(!page.next);
        QVERIFY(m_backend->storeIssues().isEmpty());
    }

    void storeAndGetEveryField()
    {
        const Memory m = storable(Testing::sampleMemory(u"a1b2c3d4e5f6"_s));
        m_backend->store(m);
        const auto read = m_backend->get(m.id);
        QVERIFY(read);
        QVERIFY2(read->sameFields(m),
                 qPrintable(Testing::diffRecords(Fixtures::toJson(*read), Fixtures::toJson(m)).join(u"; "_s)));
        QCOMPARE(read->flags, MemoryFlags {});
        QVERIFY(m_backend->exists(m.id));
        QCOMPARE(m_backend->count(), qint64(1));
        QCOMPARE(m_backend->listIds(), QStringList {m.id});
    }

    void largeAndUnusualContent()
    {
        Memory m = storable(Testing::sampleMemory(u"big"_s));
        // ~600 KB; SQLite keeps a NUL character, PostgreSQL text cannot (refused in invalidInputChangesNothing)
        const QString nul = m_backend->kind() == "postgres"_L1 ? QString() : QString(QChar(0));
        m.content
            = QString(u"línea 👩‍💻 "_s + nul + u" nul and more\r\n"_s).repeated(20000); // ~600 KB, with NUL
        m.tags.clear();
        m_backend->store(m);
        QCOMPARE(m_backend->get(m.id)->content, m.content);
        Memory empty = storable(Testing::sampleMemory(u"empty"_s));
        empty.content.clear();
        m_backend->store(empty);
        QCOMPARE(m_backend->get(u"empty"_s)->content, QString());
        QVERIFY(!m_backend->get(u"empty"_s)->flags.testFlag(MemoryFlag::MissingContent));
    }

    void updateInPlace()
    {
        Memory m = storable(Testing::sampleMemory(u"upd"_s));
        m_backend->store(m);
        m.content = u"changed text"_s;
        m.tags = {u"new"_s};
        m.status = u"tombstoned"_s;
        m.tombstonedAt = m.createdAt + 10;
        m.projectId.reset();
        m.sourceMemoryIds.reset();
        m_backend->store(m);
        const auto read = m_backend->get(m.id);
        QVERIFY(read->sameFields(m));
        QCOMPARE(m_backend->count(), qint64(1));
        QVERIFY(read->isTombstoned());
    }

    void updateKeepsUnknownColumns()
    {
        m_backend->store(storable(Testing::sampleMemory(u"s1"_s)));
        m_backend->store(storable(Testing::sampleMemory(u"s2"_s)));
        // a field from a newer subcog, written by someone else
        Testing::addUnknownField(*m_backend, u"future_field"_s, u"keep me"_s);
        m_backend = Testing::reopen(*m_backend, false);
        Memory m = *m_backend->get(u"s1"_s);
        m.content = u"edited"_s;
        m.status = u"archived"_s;
        m.tags << u"later"_s;
        m_backend->store(m);
        QCOMPARE(Testing::unknownField(*m_backend, u"s1"_s, u"future_field"_s), u"keep me"_s);
        QVERIFY(m_backend->get(u"s1"_s)->sameFields(m));
        QCOMPARE(m_backend->count(), qint64(2));
    }

    void refusesFieldsTheLayoutCannotHold()
    {
        // neither subcog's default SQLite schema nor its PostgreSQL schema has group_id
        Memory m = storable(Testing::sampleMemory(u"g1"_s));
        m_backend->store(m);
        m.groupId = u"team-a"_s;
        m.content = u"should not be written"_s;
        try {
            m_backend->store(m);
            QFAIL("expected InvalidInput");
        } catch (const StorageError& e) {
            QCOMPARE(e.kind(), StorageError::Kind::InvalidInput);
            QVERIFY2(e.message().contains(u"group_id"_s), qPrintable(e.message()));
        }
        QVERIFY(m_backend->get(u"g1"_s)->content != m.content);
    }

    void removeReportsWhetherRemoved()
    {
        m_backend->store(storable(Testing::sampleMemory(u"r1"_s)));
        m_backend->store(storable(Testing::sampleMemory(u"r2"_s)));
        QVERIFY(m_backend->remove(u"r1"_s));
        QVERIFY(!m_backend->remove(u"r1"_s));
        QVERIFY(!m_backend->get(u"r1"_s));
        QVERIFY(m_backend->get(u"r2"_s));
        QCOMPARE(m_backend->count(), qint64(1));
    }

    void getBatchOrderAndMissing()
    {
        const QList<Memory> stored = fillFromStream(30);
        QStringList ids {stored[20].id, u"missing"_s, stored[3].id, stored[20].id, stored[29].id};
        const QList<Memory> batch = m_backend->getBatch(ids);
        QCOMPARE(batch.size(), 3);
        QCOMPARE(batch[0].id, stored[20].id);
        QCOMPARE(batch[1].id, stored[3].id);
        QCOMPARE(batch[2].id, stored[29].id);
        QVERIFY(batch[1].sameFields(stored[3]));
        QStringList all;
        for (const Memory& m : stored)
            all << m.id;
        QCOMPARE(m_backend->getBatch(all).size(), stored.size());
    }

    void listIdsNaturalOrder()
    {
        QList<Memory> stored = fillFromStream(40);
        std::sort(stored.begin(), stored.end(), [](const Memory& a, const Memory& b) {
            return a.createdAt != b.createdAt ? a.createdAt > b.createdAt : a.id < b.id;
        });
        QStringList expected;
        for (const Memory& m : stored)
            expected << m.id;
        QCOMPARE(m_backend->listIds(), expected);
    }

    void invalidInputChangesNothing_data()
    {
        QTest::addColumn<QString>("what");
        if (Testing::backendUnderTest() == "postgres"_L1) {
            QTest::newRow("NUL in content") << u"nul"_s; // PostgreSQL text cannot hold it
        } else if (Testing::backendUnderTest() == "filesystem"_L1) {
            QTest::newRow("id leaving the folder") << u"escape"_s; // subcog's safe-name rule
            QTest::newRow("id with a dot") << u"dot"_s;
        } else {
            QTest::newRow("comma in tag") << u"comma"_s; // SQLite keeps tags comma-joined
            QTest::newRow("empty tag") << u"emptytag"_s;
        }
        QTest::newRow("empty id") << u"emptyid"_s;
        QTest::newRow("empty namespace") << u"emptyns"_s;
    }
    void invalidInputChangesNothing()
    {
        QFETCH(QString, what);
        const Memory original = storable(Testing::sampleMemory(u"keep"_s));
        m_backend->store(original);
        Memory bad = original;
        bad.content = u"should not be written"_s;
        if (what == "nul"_L1)
            bad.content += QChar(0);
        else if (what == "escape"_L1)
            bad.id = u"../keep"_s;
        else if (what == "dot"_L1)
            bad.id = u"keep.json"_s;
        else if (what == "comma"_L1)
            bad.tags << u"a,b"_s;
        else if (what == "emptytag"_L1)
            bad.tags << QString();
        else if (what == "emptyid"_L1)
            bad.id.clear();
        else
            bad.namespaceName.clear();
        try {
            m_backend->store(bad);
            QFAIL("expected InvalidInput");
        } catch (const StorageError& e) {
            QCOMPARE(e.kind(), StorageError::Kind::InvalidInput);
            QVERIFY(!e.message().isEmpty());
            if (what == "nul"_L1)
                QVERIFY2(e.message().contains(u"content"_s), qPrintable(e.message()));
        }
        QVERIFY(m_backend->get(u"keep"_s)->sameFields(original));
        QCOMPARE(m_backend->count(), qint64(1));
    }

    void queryMatchesReference_data()
    {
        QTest::addColumn<QString>("filter");
        for (const char* f : {"",
                              "ns:decisions",
                              "ns:tech-debt ns:apis",
                              "tag:rust",
                              "tag:rust,api",
                              "-tag:rust",
                              "tag:rust tag:sqlite",
                              "tag:ünïcode",
                              "tag:with",
                              "status:active",
                              "status:archived,pending",
                              "created:1767000000..1767002000",
                              "source:src/*",
                              "source:*adr*",
                              "path:src/*",
                              "project:github.com/acme/widgets",
                              "branch:main",
                              "domain:user",
                              "domain:project",
                              "sqlite",
                              "retry backoff",
                              "数据库连接池的大小应该根据负载调整",
                              "tombstoned:hide",
                              "tombstoned:only",
                              "ns:patterns status:active tombstoned:hide",
                              "id:nope"})
            QTest::newRow(f[0] ? f : "(all)") << QString::fromUtf8(f);
    }
    void queryMatchesReference()
    {
        QFETCH(QString, filter);
        const QList<Memory> stored = fillFromStream(150, 7);
        const ParsedFilter parsed = parseFilter(filter);
        QVERIFY2(parsed.notUnderstood.isEmpty(), qPrintable(parsed.notUnderstood.join(u"; "_s)));
        QList<Memory> expected;
        for (const Memory& m : stored) {
            if (parsed.filter.matches(m))
                expected << m;
        }
        QCOMPARE(m_backend->count(parsed.filter), qint64(expected.size()));
        for (SortKey key : {SortKey::CreatedAt, SortKey::Id, SortKey::Namespace, SortKey::Status}) {
            for (Qt::SortOrder order : {Qt::DescendingOrder, Qt::AscendingOrder}) {
                auto less = [&](const Memory& a, const Memory& b) {
                    int c = 0;
                    switch (key) {
                    case SortKey::CreatedAt:
                        c = a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
                        break;
                    case SortKey::Id:
                        break;
                    case SortKey::Namespace:
                        c = a.namespaceName.compare(b.namespaceName);
                        break;
                    case SortKey::Status:
                        c = a.status.compare(b.status);
                        break;
                    }
                    if (order == Qt::DescendingOrder)
                        c = -c;
                    if (c != 0)
                        return c < 0;
                    const int idc = a.id.compare(b.id);
                    return key == SortKey::Id && order == Qt::DescendingOrder ? idc > 0 : idc < 0;
                };
                QList<Memory> sorted = expected;
                std::sort(sorted.begin(), sorted.end(), less);
                QStringList expectedIds;
                for (const Memory& m : sorted)
                    expectedIds << m.id;

                MemoryQuery query;
                query.filter = parsed.filter;
                query.sortKey = key;
                query.order = order;
                query.limit = 7;
                QStringList ids;
                for (int guard = 0; guard < 100; ++guard) {
                    const Page page = m_backend->query(query);
                    QVERIFY(page.issues.isEmpty());
                    for (const Memory& m : page.memories) {
                        ids << m.id;
                        if (m.id == sorted.value(0).id)
                            QVERIFY(m.sameFields(sorted.first()));
                    }
                    if (!page.next)
                        break;
                    query.after = page.next;
                }
                QCOMPARE(ids, expectedIds);

                MemoryQuery last;
                last.filter = parsed.filter;
                last.sortKey = key;
                last.order = order;
                last.limit = 5;
                last.fromEnd = true;
                QStringList tail;
                for (const Memory& m : m_backend->query(last).memories)
                    tail << m.id;
                QCOMPARE(tail, expectedIds.mid(qMax<qsizetype>(0, expectedIds.size() - 5)));
            }
        }
    }

    void aLongSkipGivesTheRowsAWalkGives()
    {
        // more rows than a backend walks whole before it seeks by key (PostgreSQL: 2,000), with ties on every key
        Fixtures::MemoryStream stream(7);
        QList<Memory> batch;
        for (int i = 0; i < 2600; ++i) {
            Memory m = storable(stream.next());
            if (i % 3 == 0)
                m.createdAt = 1767000000 + i % 40;
            else if (i % 7 == 0)
                m.createdAt = 999990000 + i; // fewer digits: a key compared as text would sort these wrongly
            batch << m;
        }
        m_backend->storeBatch(batch);
        for (const char* text : {"", "tombstoned:hide"}) {
            for (SortKey key : {SortKey::CreatedAt, SortKey::Id, SortKey::Namespace}) {
                for (bool fromEnd : {false, true}) {
                    MemoryQuery all;
                    all.filter = parseFilter(QString::fromUtf8(text)).filter;
                    all.sortKey = key;
                    all.withContent = false;
                    all.limit = 5000;
                    QStringList listing;
                    for (const Memory& m : m_backend->query(all).memories)
                        listing << m.id;
                    if (fromEnd)
                        std::reverse(listing.begin(), listing.end());
                    for (const qint64 skip : {qint64(1999), qint64(2001), qint64(2200), qint64(listing.size() - 3),
                                              qint64(listing.size() + 10)}) {
                        MemoryQuery q = all;
                        q.limit = 7;
                        q.skip = skip;
                        q.fromEnd = fromEnd;
                        QStringList got;
                        for (const Memory& m : m_backend->query(q).memories)
                            got << m.id;
                        QStringList expected = listing.mid(qMin<qint64>(skip, listing.size()), 7);
                        if (fromEnd)
                            std::reverse(expected.begin(), expected.end());
                        QVERIFY2(got == expected,
                                 qPrintable(u"%1 key %2 fromEnd %3 skip %4"_s.arg(QString::fromUtf8(text))
                                                .arg(int(key))
                                                .arg(fromEnd)
                                                .arg(skip)));
                        // and from a cursor: the walk starts after it
                        q.after = Cursor::of(m_backend->get(listing.at(100)).value(), key);
                        q.skip = skip - 101;
                        got.clear();
                        for (const Memory& m : m_backend->query(q).memories)
                            got << m.id;
                        QVERIFY2(
                            got == expected,
                            qPrintable(u"after a cursor: %1 key %2 fromEnd %3 skip %4"_s.arg(QString::fromUtf8(text))
                                           .arg(int(key))
                                           .arg(fromEnd)
                                           .arg(skip)));
                    }
                }
            }
        }
    }

    void rowOfMatchesTheListing()
    {
        QList<Memory> stored = fillFromStream(90, 11);
        // ties on created_at (and on namespace/status), ordered by id within them
        for (int i = 0; i < 6; ++i) {
            Memory m = storable(Testing::sampleMemory(u"tie%1"_s.arg(5 - i), 1767000000));
            m_backend->store(m);
            stored << m;
        }
        const QString hiddenTombstone = [&] {
            for (const Memory& m : stored)
                if (m.isTombstoned())
                    return m.id;
            return QString();
        }();
        QVERIFY(!hiddenTombstone.isEmpty());
        for (const char* text : {"", "tombstoned:hide", "tombstoned:only", "ns:patterns"}) {
            const MemoryFilter filter = parseFilter(QString::fromUtf8(text)).filter;
            for (SortKey key : {SortKey::CreatedAt, SortKey::Id, SortKey::Namespace, SortKey::Status}) {
                for (Qt::SortOrder order : {Qt::DescendingOrder, Qt::AscendingOrder}) {
                    for (Qt::SortOrder idOrder : {Qt::AscendingOrder, Qt::DescendingOrder}) {
                        MemoryQuery query;
                        query.filter = filter;
                        query.sortKey = key;
                        query.order = order;
                        query.idOrder = idOrder;
                        query.withContent = false;
                        query.limit = 1000;
                        QStringList listing;
                        for (const Memory& m : m_backend->query(query).memories)
                            listing << m.id;
                        // what rowOf ignores
                        query.limit = 3;
                        query.skip = 2;
                        query.fromEnd = true;
                        const QString where = u"%1 key %2 order %3 idOrder %4"_s.arg(QString::fromUtf8(text))
                                                  .arg(int(key))
                                                  .arg(int(order))
                                                  .arg(int(idOrder));
                        for (const Memory& m : stored) {
                            const std::optional<qint64> row = m_backend->rowOf(query, m.id);
                            const qsizetype expected = listing.indexOf(m.id);
                            // the base class's paging fallback gives the same answers (checked on a sample)
                            if (qHash(m.id) % 8 == 0)
                                QVERIFY2(m_backend->PersistenceBackend::rowOf(query, m.id) == row,
                                         qPrintable(where + u" (fallback) id "_s + m.id));
                            QVERIFY2(row.has_value() == (expected >= 0), qPrintable(where + u" id "_s + m.id));
                            if (row)
                                QVERIFY2(*row == expected,
                                         qPrintable(where + u" id "_s + m.id + u" row "_s + QString::number(*row)
                                                    + u" expected "_s + QString::number(expected)));
                        }
                        QVERIFY(!m_backend->rowOf(query, u"no-such-id"_s));
                    }
                }
            }
        }
        MemoryQuery hide;
        hide.filter.tombstones = TombstoneFilter::Exclude;
        QVERIFY(!m_backend->rowOf(hide, hiddenTombstone));
        hide.filter.ids = {u"tie0"_s};
        QVERIFY(!m_backend->rowOf(hide, u"tie1"_s)); // the filter's own ids leave it out
        QCOMPARE(m_backend->rowOf(hide, u"tie0"_s), std::optional<qint64>(0));
    }

    void interruptWhenNothingRunsIsHarmless()
    {
        const QList<Memory> stored = fillFromStream(20, 3);
        MemoryQuery query;
        query.limit = 5;
        for (int i = 0; i < 3; ++i) {
            m_backend->interrupt(); // nothing runs now: no later call may fail for it
            if (m_backend->kind() == "postgres"_L1)
                QTest::qWait(50); // the server receives its cancel request on a connection of its own
            QCOMPARE(m_backend->count(), qint64(20));
            QCOMPARE(m_backend->query(query).memories.size(), 5);
            QVERIFY(m_backend->get(stored.first().id));
            QVERIFY(m_backend->rowOf(query, stored.first().id));
        }
    }

    void anInterruptBeforeACallOfARequestStopsIt()
    {
        // a worker's cancel can arrive between picking a request up and the store seeing its statement: within
        // beginRequest()/endRequest() it still stops the call (the server would drop a cancel that found nothing)
        if (m_backend->kind() == "sqlite"_L1)
            QSKIP("sqlite3_interrupt stops running statements only; the worker drops such a result after the call");
        const QList<Memory> stored = fillFromStream(20, 3);
        MemoryQuery query;
        query.limit = 5;
        m_backend->beginRequest();
        m_backend->interrupt();
        try {
            m_backend->query(query);
            QFAIL("a call of an interrupted request ran");
        } catch (const StorageError& e) {
            QCOMPARE(e.kind(), StorageError::Kind::Cancelled);
        }
        m_backend->endRequest();
        if (m_backend->kind() == "postgres"_L1)
            QTest::qWait(50); // the cancel request itself reaches the server on a connection of its own
        // the next request is not touched by it
        m_backend->beginRequest();
        QCOMPARE(m_backend->query(query).memories.size(), 5);
        QCOMPARE(m_backend->count(), qint64(20));
        m_backend->endRequest();
        QVERIFY(m_backend->get(stored.first().id));
    }

    void storeBatchIsOneTransaction()
    {
        QList<Memory> batch;
        for (int i = 0; i < 5; ++i)
            batch << storable(Testing::sampleMemory(u"batch%1"_s.arg(i), 1767000100 + i));
        m_backend->storeBatch(batch);
        QCOMPARE(m_backend->getBatch({u"batch0"_s, u"batch4"_s}).size(), 2);
        QVERIFY(m_backend->get(u"batch3"_s)->sameFields(batch[3]));

        // one invalid memory in a batch: the stores with transactions write none of it
        Memory changed = batch[0];
        changed.content = u"changed in a batch that fails"_s;
        Memory fresh = storable(Testing::sampleMemory(u"batchnew"_s, 1767000200));
        Memory broken = storable(Testing::sampleMemory(u"batchbad"_s, 1767000201));
        broken.namespaceName.clear();
        QVERIFY_THROWS_EXCEPTION(StorageError, m_backend->storeBatch({changed, fresh, broken}));
        if (m_backend->kind() != "filesystem"_L1) {
            QVERIFY(m_backend->get(u"batch0"_s)->sameFields(batch[0]));
            QVERIFY(!m_backend->exists(u"batchnew"_s));
        }
        QVERIFY(!m_backend->exists(u"batchbad"_s));
    }

    void summariesOfAMemory()
    {
        Memory a = storable(Testing::sampleMemory(u"plain01"_s, 1767000001));
        a.isSummary = false;
        a.sourceMemoryIds.reset();
        Memory s = storable(Testing::sampleMemory(u"summary01"_s, 1767000002));
        s.sourceMemoryIds = QStringList {u"plain01"_s, u"plain02"_s};
        Memory t = storable(Testing::sampleMemory(u"summary02"_s, 1767000003));
        t.sourceMemoryIds = QStringList {u"plain03"_s};
        Memory u = storable(Testing::sampleMemory(u"summary03"_s, 1767000004));
        u.sourceMemoryIds = QStringList {u"plain011"_s}; // a longer id that merely starts the same
        for (const Memory& m : {a, s, t, u})
            m_backend->store(m);
        auto ids = [&](const QString& text) {
            const ParsedFilter parsed = parseFilter(text);
            MemoryQuery query;
            query.filter = parsed.filter;
            query.sortKey = SortKey::Id;
            query.order = Qt::AscendingOrder;
            QStringList out;
            for (const Memory& m : m_backend->query(query).memories)
                out << m.id;
            return out;
        };
        QCOMPARE(ids(u"summary-of:plain01"_s), QStringList {u"summary01"_s});
        QCOMPARE(ids(u"summary-of:plain02,plain03"_s), (QStringList {u"summary01"_s, u"summary02"_s}));
        QCOMPARE(ids(u"summary-of:nothing"_s), QStringList {});
        QCOMPARE(m_backend->count(parseFilter(u"summary-of:plain03"_s).filter), qint64(1));
    }

    void pagesAfterUpdates()
    {
        QList<Memory> stored = fillFromStream(60);
        for (qsizetype i = 0; i < stored.size(); i += 3) {
            stored[i].content = u"rewritten "_s + stored[i].id;
            m_backend->store(stored[i]);
        }
        QVERIFY(m_backend->remove(stored[1].id));
        stored.removeAt(1);
        QHash<QString, Memory> byId;
        for (const Memory& m : stored)
            byId.insert(m.id, m);
        MemoryQuery query;
        query.limit = 9;
        qsizetype seen = 0;
        for (;;) {
            const Page page = m_backend->query(query);
            for (const Memory& m : page.memories) {
                QVERIFY2(m.sameFields(byId.value(m.id)), qPrintable(m.id));
                ++seen;
            }
            if (!page.next)
                break;
            query.after = page.next;
        }
        QCOMPARE(seen, stored.size());
        QStringList ids = byId.keys();
        const QList<Memory> batch = m_backend->getBatch(ids);
        QCOMPARE(batch.size(), ids.size());
        for (const Memory& m : batch)
            QVERIFY(m.sameFields(byId.value(m.id)));
    }

    void metadataOnlyPages()
    {
        fillFromStream(20);
        MemoryQuery query;
        query.withContent = false;
        query.limit = 50;
        const Page page = m_backend->query(query);
        QCOMPARE(page.memories.size(), 20);
        QVERIFY(!page.next);
        for (const Memory& m : page.memories)
            QVERIFY(m.content.isEmpty());
    }

    // stats(): figures known exactly on a planted store (aliases, unknown values, tombstones both ways, expiry,
    // a summary, tags with spaces, three weeks), then the same figures as the memories read back give them
    void statsOfAPlantedStore()
    {
        constexpr qint64 w1 = 1766966400; // Monday 2025-12-29 00:00 UTC
        constexpr qint64 week = 604800;
        constexpr qint64 now = w1 + 30 * 86400;
        QCOMPARE(StoreStats::weekStart(w1 + week - 1), w1);
        QCOMPARE(StoreStats::weekStart(w1), w1);
        QCOMPARE(StoreStats::weekStart(-1), StoreStats::kFirstMonday - week);
        const auto plant
            = [&](const QString& id, const QString& ns, const QString& status, qint64 created, const QStringList& tags,
                  std::optional<QString> project, std::optional<QString> branch, const QString& domain) {
                  Memory m = Testing::sampleMemory(id, created);
                  m.namespaceName = ns;
                  m.status = status;
                  m.tags = tags;
                  m.projectId = project;
                  m.branch = branch;
                  m.domain = domain;
                  m.isSummary = false;
                  m.sourceMemoryIds.reset();
                  m.expiresAt.reset();
                  return m;
              };
        const QString p1 = u"github.com/acme/p1"_s, p2 = u"github.com/acme/p2"_s;
        QList<Memory> planted {
            plant(u"a1"_s, u"decisions"_s, u"active"_s, w1 + 100, {u"alpha"_s, u"with space"_s}, p1, u"main"_s,
                  u"project"_s),
            plant(u"a2"_s, u"TechDebt"_s, u"ARCHIVED"_s, w1 + 200, {u"alpha"_s, u"hash:sha256:0123456789abcdef"_s}, p1,
                  u"dev"_s, u"user"_s),
            plant(u"a3"_s, u"tech_debt"_s, u"tombstoned"_s, w1 + week + 5, {u"with space"_s, u"beta"_s}, p2,
                  std::nullopt, u"org"_s),
            plant(u"a4"_s, u"mystery"_s, u"weird"_s, w1 + week + 10, {}, std::nullopt, std::nullopt, u"acme/widgets"_s),
            plant(u"a5"_s, u"patterns"_s, u"active"_s, w1 + 2 * week + 1, {u"alpha"_s}, p2, u"main"_s, u"project"_s),
            plant(u"a6"_s, u"patterns"_s, u"active"_s, w1 + 2 * week + 2, {u"alpha"_s, u"beta"_s}, p1, u"main"_s,
                  u"user"_s),
        };
        planted[3].expiresAt = now - 100; // expired
        planted[4].tombstonedAt = w1 + 2 * week + 50; // tombstoned by time only; its expiry does not count
        planted[4].expiresAt = now - 100;
        planted[5].isSummary = true;
        planted[5].sourceMemoryIds = QStringList {u"a1"_s};
        planted[5].expiresAt = now + 1000;
        for (const Memory& m : planted)
            m_backend->store(storable(m));

        const StoreStats all = m_backend->stats(MemoryFilter {}, now);
        QCOMPARE(all.total, qint64(6));
        QCOMPARE(all.now, now);
        using Counts = QMap<QString, qint64>;
        QCOMPARE(all.namespaces, (Counts {{u"decisions"_s, 2}, {u"tech-debt"_s, 2}, {u"patterns"_s, 2}}));
        QCOMPARE(all.unknownNamespaces, (Counts {{u"mystery"_s, 1}}));
        QCOMPARE(all.statuses, (Counts {{u"active"_s, 4}, {u"archived"_s, 1}, {u"tombstoned"_s, 1}}));
        QCOMPARE(all.unknownStatuses, (Counts {{u"weird"_s, 1}}));
        QCOMPARE(all.weeks,
                 (QMap<qint64, Counts> {{w1, {{u"decisions"_s, 1}, {u"tech-debt"_s, 1}}},
                                        {w1 + week, {{u"decisions"_s, 1}, {u"tech-debt"_s, 1}}},
                                        {w1 + 2 * week, {{u"patterns"_s, 2}}}}));
        QCOMPARE(all.topTags, (QList<CountOf> {{u"alpha"_s, 4}, {u"beta"_s, 2}, {u"with space"_s, 2}}));
        QCOMPARE(all.contentHashTagged, qint64(1));
        QCOMPARE(all.topProjects, (QList<CountOf> {{p1, 3}, {p2, 2}}));
        QCOMPARE(all.withoutProject, qint64(1));
        QCOMPARE(all.topBranches, (QList<CountOf> {{u"main"_s, 3}, {u"dev"_s, 1}}));
        QCOMPARE(all.withoutBranch, qint64(2));
        QCOMPARE(all.domains, (Counts {{u"project"_s, 2}, {u"user"_s, 2}, {u"org"_s, 1}, {u"acme/widgets"_s, 1}}));
        QCOMPARE(all.scopes, (Counts {{u"project"_s, 2}, {u"user"_s, 2}, {u"org"_s, 1}, {u"other"_s, 1}}));
        QCOMPARE(all.summaries, qint64(1));
        QCOMPARE(all.originals, qint64(5));
        QCOMPARE(all.tombstoned, qint64(2));
        QCOMPARE(all.expired, qint64(1));
        QCOMPARE(all.withEmbedding, embeddingsCounted()); // storable() drops embeddings

        // the filter applies to every figure
        const StoreStats alpha = m_backend->stats(parseFilter(u"tag:alpha"_s).filter, now);
        QCOMPARE(alpha.total, qint64(4));
        QCOMPARE(alpha.namespaces, (Counts {{u"decisions"_s, 1}, {u"tech-debt"_s, 1}, {u"patterns"_s, 2}}));
        QCOMPARE(alpha.topTags, (QList<CountOf> {{u"alpha"_s, 4}, {u"beta"_s, 1}, {u"with space"_s, 1}}));
        QCOMPARE(alpha.tombstoned, qint64(1));
        QCOMPARE(alpha.expired, qint64(0));
        QCOMPARE(alpha.summaries, qint64(1));
        QCOMPARE(alpha.weeks.size(), 2);
        const StoreStats techDebt = m_backend->stats(parseFilter(u"ns:tech-debt"_s).filter, now);
        QCOMPARE(techDebt.total, qint64(2));
        QCOMPARE(techDebt.statuses, (Counts {{u"archived"_s, 1}, {u"tombstoned"_s, 1}}));
        QCOMPARE(techDebt.scopes, (Counts {{u"user"_s, 1}, {u"org"_s, 1}}));
        MemoryFilter live;
        live.tombstones = TombstoneFilter::Exclude;
        QCOMPARE(m_backend->stats(live, now).tombstoned, qint64(0));
        QCOMPARE(m_backend->stats(live, now).total, qint64(4));
        QCOMPARE(m_backend->stats(MemoryFilter::nothing(), now).total, qint64(0));
    }

    // stats() on generated memories equals the figures of the memories read back that pass the filter
    void statsMatchReference()
    {
        const QList<Memory> stored = fillFromStream(300, 7);
        QStringList ids;
        for (const Memory& m : stored)
            ids << m.id;
        const QList<Memory> read = m_backend->getBatch(ids);
        const qint64 now = 1767000000 + 200 * 86400;
        for (const QString& text :
             {u""_s, u"ns:decisions"_s, u"tag:rust"_s, u"status:active"_s, u"project:github.com/acme/widgets"_s}) {
            const MemoryFilter filter = parseFilter(text).filter;
            StatsBuilder reference(now);
            reference.stats().withEmbedding = embeddingsCounted();
            for (const Memory& m : read) {
                if (filter.matches(m))
                    reference.addMemory(m);
            }
            const StoreStats actual = m_backend->stats(filter, now);
            const StoreStats expected = reference.finish();
            QVERIFY2(actual == expected,
                     qPrintable(text + u": "_s + QString::fromUtf8(QJsonDocument(actual.toJson()).toJson()) + u" vs "_s
                                + QString::fromUtf8(QJsonDocument(expected.toJson()).toJson())));
        }
    }

    void readOnlyRefusesWrites()
    {
        m_backend->store(storable(Testing::sampleMemory(u"ro"_s)));
        m_backend = Testing::reopen(*m_backend, true);
        QVERIFY(m_backend->isReadOnly());
        try {
            m_backend->store(storable(Testing::sampleMemory(u"ro2"_s)));
            QFAIL("a read-only store accepted a write");
        } catch (const StorageError& e) {
            QVERIFY(e.message().contains(u"read-only"_s));
        }
        QVERIFY_THROWS_EXCEPTION(StorageError, m_backend->remove(u"ro"_s));
        QVERIFY(m_backend->get(u"ro"_s));
        QVERIFY(!m_backend->exists(u"ro2"_s));
        QCOMPARE(m_backend->count(), qint64(1));
    }
};

QTEST_GUILESS_MAIN(TestBackendContract)
#include "tst_backendcontract.moc"
