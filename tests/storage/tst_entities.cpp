// SPDX-License-Identifier: MIT
// The knowledge graph (spec §14.1) and the entity: filter, on real stores: graph.db beside a SQLite index.db or in
// a folder store's data folder, and PostgreSQL's graph tables; the same graph gives the same memories in each.
#include "filesystem/filesystembackend.h"
#include "graphfixture.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "sqlite/sqlitebackend.h"
#include "storeopener.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Testing;

namespace {

OpenOptions readOnlyOptions()
{
    OpenOptions options;
    options.readOnly = true;
    return options;
}

EntityQuery entityQuery(const QString& search, EntityQuery::Sort sort = EntityQuery::Sort::Mentions,
                        bool descending = true, int limit = 1000)
{
    EntityQuery q;
    q.search = search;
    q.sort = sort;
    q.descending = descending;
    q.limit = limit;
    return q;
}

/// Every id `filter` lets through, read in pages of one row (so each page is a keyset seek), in the store's
/// order, checked against count().
QStringList idsOf(PersistenceBackend& store, const QString& filterText)
{
    const ParsedFilter parsed = parseFilter(filterText);
    if (!parsed.notUnderstood.isEmpty())
        return {u"not understood: "_s + parsed.notUnderstood.join(u"; "_s)};
    MemoryQuery q;
    q.filter = parsed.filter;
    q.limit = 1;
    QStringList ids;
    for (int guard = 0; guard < 100; ++guard) {
        const Page page = store.query(q);
        for (const Memory& m : page.memories)
            ids << m.id;
        if (!page.next)
            break;
        q.after = page.next;
    }
    if (store.count(parsed.filter) != ids.size())
        ids << u"count() says "_s + QString::number(store.count(parsed.filter));
    return ids;
}

QString refusal(PersistenceBackend& store, const QString& filterText)
{
    try {
        store.count(parseFilter(filterText).filter);
    } catch (const StorageError& e) {
        return e.kind() == StorageError::Kind::InvalidInput ? e.message() : u"wrong kind: "_s + e.message();
    }
    return u"not refused"_s;
}

} // namespace

class TestEntities : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<PersistenceBackend> m_sqlite;
    std::unique_ptr<PersistenceBackend> m_postgres;
    std::unique_ptr<PersistenceBackend> m_folder;

    QList<PersistenceBackend*> stores() const { return {m_sqlite.get(), m_postgres.get(), m_folder.get()}; }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QDir(m_dir.path()).mkpath(u"data"_s);
        const QString index = m_dir.filePath(u"data/index.db"_s);
        {
            auto created = SqliteBackend::create(index);
            created->storeBatch(Fixtures::graphMemories());
        }
        Fixtures::writeFixtureGraphDb(m_dir.filePath(u"data/graph.db"_s));
        m_sqlite = SqliteBackend::open(index, SqliteBackend::OpenMode::ReadOnly);

        // a folder store that is subcog's data folder (`<data_dir>/*.json`, spec §2.2) with graph.db in it
        const QString folder = m_dir.filePath(u"folder"_s);
        {
            auto created = FilesystemBackend::create(folder);
            created->storeBatch(Fixtures::graphMemories());
        }
        Fixtures::writeFixtureGraphDb(folder + u"/graph.db"_s);
        m_folder = FilesystemBackend::open(folder);

        if (postgresBinDir().isEmpty() && qEnvironmentVariableIsEmpty("INSPECTOR_PG_URL_FILE")) {
            if (qEnvironmentVariableIntValue("INSPECTOR_REQUIRE_ALL_BACKENDS"))
                QFAIL("PostgreSQL 15 is not installed");
            return;
        }
        PostgresServer& server = PostgresServer::shared();
        const QString db = server.createDatabase(u"ent"_s);
        PostgresBackend::createSchema(server.url(db))->storeBatch(Fixtures::graphMemories());
        const QStringList sql = Fixtures::graphTables(u"DOUBLE PRECISION"_s, u"BIGINT"_s) + Fixtures::graphInserts();
        server.runSql(db, sql.join(u";\n"_s) + u';');
        m_postgres = PostgresBackend::open(server.url(db));
    }

    void entityFilter_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QStringList>("expected"); // in the natural order: newest first
        QTest::newRow("by name") << u"entity:PostgreSQL"_s << QStringList {u"m3"_s, u"m1"_s};
        QTest::newRow("name, other case") << u"entity:postgresql"_s << QStringList {u"m3"_s, u"m1"_s};
        QTest::newRow("by id, other case") << u"ent:ENT_18F3B_00A11CE0"_s << QStringList {u"m5"_s, u"m3"_s};
        QTest::newRow("comma list is any of")
            << u"entity:alice,postgresql"_s << QStringList {u"m5"_s, u"m3"_s, u"m1"_s};
        QTest::newRow("repeated token adds")
            << u"entity:alice entities:ent_18f3a_0badcafe"_s << QStringList {u"m5"_s, u"m3"_s, u"m1"_s};
        QTest::newRow("with other words") << u"entity:alice tag:t1"_s << QStringList {u"m5"_s, u"m3"_s};
        QTest::newRow("with ids") << u"entity:postgresql id:m1,m2"_s << QStringList {u"m1"_s};
        // Ghost is mentioned only by a memory that no longer exists; an alias is not a name
        QTest::newRow("only orphaned mentions") << u"entity:ghost"_s << QStringList {};
        QTest::newRow("an alias") << u"entity:postgres"_s << QStringList {};
        QTest::newRow("no mentions") << u"entity:ent_18f3c_00ac3e00"_s << QStringList {};
        QTest::newRow("unknown") << u"entity:nobody"_s << QStringList {};
    }
    void entityFilter()
    {
        QFETCH(QString, filter);
        QFETCH(QStringList, expected);
        QCOMPARE(idsOf(*m_sqlite, filter), expected);
        QCOMPARE(idsOf(*m_folder, filter), expected);
        if (!m_postgres)
            QSKIP("no PostgreSQL server");
        QCOMPARE(idsOf(*m_postgres, filter), idsOf(*m_sqlite, filter));
    }

    void entityFilterThroughTheOpener()
    {
        // what count/export/list open: the retrying wrapper passes the filter and the graph calls through
        auto store = openStore(m_dir.filePath(u"data/index.db"_s), readOnlyOptions());
        QCOMPARE(idsOf(*store, u"entity:alice"_s), (QStringList {u"m5"_s, u"m3"_s}));
        QCOMPARE(store->graphUnavailable(), QString());
        QCOMPARE(store->graphLocation(), m_dir.filePath(u"data/graph.db"_s));
    }

    void openingGraphDbOpensTheStoreBesideIt()
    {
        auto store = openStore(m_dir.filePath(u"data/graph.db"_s), readOnlyOptions());
        QCOMPARE(store->location(), m_dir.filePath(u"data/index.db"_s));
        QCOMPARE(idsOf(*store, u"entity:postgresql"_s), (QStringList {u"m3"_s, u"m1"_s}));
        // alone, or under another name, it is explained instead of "not a subcog store"
        QDir(m_dir.path()).mkpath(u"lonely"_s);
        for (const QString& name : {u"lonely/graph.db"_s, u"lonely/knowledge.sqlite"_s}) {
            QFile::copy(m_dir.filePath(u"data/graph.db"_s), m_dir.filePath(name));
            try {
                openStore(m_dir.filePath(name), readOnlyOptions());
                QFAIL("opened");
            } catch (const StorageError& e) {
                QVERIFY2(e.message().contains(u"knowledge graph"_s), qPrintable(e.message()));
                QVERIFY2(!e.message().contains(u"not a subcog store"_s), qPrintable(e.message()));
            }
        }
        QVERIFY(!QFile::exists(m_dir.filePath(u"lonely/index.db"_s)));
    }

    void mentionsOfAMemory()
    {
        for (PersistenceBackend* store : stores()) {
            if (!store)
                continue;
            const QList<EntityMention> mentions = store->entityMentions(u"m3"_s);
            QCOMPARE(mentions.size(), 2);
            QCOMPARE(mentions[0].entityName, u"PostgreSQL"_s);
            QCOMPARE(mentions[0].entityType, u"technology"_s);
            QCOMPARE(mentions[0].matchedText, u"databases"_s);
            QCOMPARE(*mentions[0].confidence, 0.7);
            QCOMPARE(mentions[1].entityId, u"ent_18f3b_00a11ce0"_s);
            QCOMPARE(mentions[1].entityName, u"Alice"_s);
            const QList<EntityMention> m5 = store->entityMentions(u"m5"_s);
            QCOMPARE(m5.size(), 1);
            QVERIFY(!m5[0].confidence);
            QVERIFY(store->entityMentions(u"m2"_s).isEmpty());
        }
    }

    void entityPages()
    {
        for (PersistenceBackend* store : stores()) {
            if (!store)
                continue;
            EntityPage page = store->entities(EntityQuery {});
            QCOMPARE(page.total, 4);
            QCOMPARE(page.entities.size(), 4);
            QCOMPARE(page.entities[0].name, u"PostgreSQL"_s); // most mentioned first
            QCOMPARE(page.entities[0].aliases, (QStringList {u"postgres"_s, u"pg"_s}));
            QCOMPARE(page.entities[0].mentionCount, 3);
            QCOMPARE(page.entities[0].confidence, 0.95);
            QCOMPARE(page.entities[3].name, u"Acme Corp"_s);
            QVERIFY(page.entities[3].aliases.isEmpty()); // NULL aliases
            // searched in the id, name and aliases, case-insensitive; a limit leaves the total
            page = store->entities(entityQuery(u"PG"_s));
            QCOMPARE(page.total, 1);
            QCOMPARE(page.entities[0].id, u"ent_18f3a_0badcafe"_s);
            page = store->entities(entityQuery({}, EntityQuery::Sort::Name, false, 2));
            QCOMPARE(page.total, 4);
            QCOMPARE(page.entities.size(), 2);
            QCOMPARE(page.entities[0].name, u"Acme Corp"_s);
            QCOMPARE(page.entities[1].name, u"Alice"_s);
        }
        if (m_postgres) {
            for (auto sort : {EntityQuery::Sort::Mentions, EntityQuery::Sort::Name, EntityQuery::Sort::Type,
                              EntityQuery::Sort::Confidence}) {
                for (bool descending : {false, true}) {
                    const EntityQuery q = entityQuery({}, sort, descending);
                    QCOMPARE(m_postgres->entities(q).entities, m_sqlite->entities(q).entities);
                }
            }
        }
    }

    void relationships()
    {
        for (PersistenceBackend* store : stores()) {
            if (!store)
                continue;
            QList<GraphRelationship> rels = store->entityRelationships(u"ent_18f3b_00a11ce0"_s);
            std::sort(rels.begin(), rels.end(), [](const auto& a, const auto& b) { return a.type < b.type; });
            QCOMPARE(rels.size(), 2);
            QCOMPARE(rels[0].type, u"uses"_s);
            QVERIFY(rels[0].outgoing);
            QCOMPARE(rels[0].otherName, u"PostgreSQL"_s);
            QCOMPARE(*rels[0].confidence, 0.9);
            QCOMPARE(rels[1].otherType, u"organization"_s);
            rels = store->entityRelationships(u"ent_18f3a_0badcafe"_s);
            QCOMPARE(rels.size(), 1);
            QVERIFY(!rels[0].outgoing);
            QCOMPARE(rels[0].otherId, u"ent_18f3b_00a11ce0"_s);
        }
    }

    void refusedWhereThereIsNoGraph()
    {
        // a SQLite file that is not a data folder's index.db: subcog keeps no graph beside it
        const QString other = m_dir.filePath(u"other.db"_s);
        SqliteBackend::create(other)->storeBatch(Fixtures::graphMemories());
        auto plain = SqliteBackend::open(other, SqliteBackend::OpenMode::ReadOnly);
        QVERIFY(!plain->graphUnavailable().isEmpty());
        QVERIFY2(refusal(*plain, u"entity:alice"_s).contains(u"index.db"_s),
                 qPrintable(refusal(*plain, u"entity:alice"_s)));
        QVERIFY_THROWS_EXCEPTION(StorageError, plain->entities(EntityQuery {}));
        // ...unless one is chosen
        plain->setGraphFile(m_dir.filePath(u"data/graph.db"_s));
        QCOMPARE(idsOf(*plain, u"entity:alice"_s), (QStringList {u"m5"_s, u"m3"_s}));

        // a data folder without graph.db (subcog had not used its graph yet): refused, nothing created
        QDir(m_dir.path()).mkpath(u"bare"_s);
        SqliteBackend::create(m_dir.filePath(u"bare/index.db"_s))->storeBatch(Fixtures::graphMemories());
        auto bare = SqliteBackend::open(m_dir.filePath(u"bare/index.db"_s), SqliteBackend::OpenMode::ReadOnly);
        QVERIFY(refusal(*bare, u"entity:alice"_s).contains(u"graph.db does not exist"_s));
        QVERIFY(!QFile::exists(m_dir.filePath(u"bare/graph.db"_s)));
        // the rest of the language still works there
        QCOMPARE(idsOf(*bare, u"id:m1"_s), QStringList {u"m1"_s});

        // a folder store without graph.db
        const QString folder = m_dir.filePath(u"bare-folder"_s);
        FilesystemBackend::create(folder)->storeBatch(Fixtures::graphMemories());
        auto folderStore = FilesystemBackend::open(folder);
        QVERIFY(refusal(*folderStore, u"entity:alice"_s).contains(u"graph.db"_s));
        QVERIFY(!QFile::exists(folder + u"/graph.db"_s));

        if (!m_postgres)
            return;
        // a PostgreSQL database without the graph tables
        PostgresServer& server = PostgresServer::shared();
        const QString db = server.createDatabase(u"nograph"_s);
        auto pg = PostgresBackend::createSchema(server.url(db));
        QVERIFY(!pg->graphUnavailable().isEmpty());
        QVERIFY(refusal(*pg, u"entity:alice"_s).contains(u"graph_entity_mentions"_s));
    }

    void damagedGraphIsAnErrorNotACrash()
    {
        QDir(m_dir.path()).mkpath(u"damaged"_s);
        const QString index = m_dir.filePath(u"damaged/index.db"_s);
        SqliteBackend::create(index)->storeBatch(Fixtures::graphMemories());
        QFile garbage(m_dir.filePath(u"damaged/graph.db"_s));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(8192, 'x'));
        garbage.close();
        auto store = SqliteBackend::open(index, SqliteBackend::OpenMode::ReadOnly);
        try {
            store->count(parseFilter(u"entity:alice"_s).filter);
            QFAIL("a damaged graph.db was read");
        } catch (const StorageError& e) {
            QVERIFY2(e.message().contains(u"graph.db"_s), qPrintable(e.message()));
        }
        QVERIFY_THROWS_EXCEPTION(StorageError, store->entityMentions(u"m1"_s));
        // the memories are still there
        QCOMPARE(store->count(), 6);
        // graph.db without the graph tables yet (subcog creates them on first use) is an empty graph
        QFile::remove(garbage.fileName());
        {
            auto empty = SqliteBackend::create(m_dir.filePath(u"damaged/graph.db"_s)); // a database, no graph tables
        }
        QCOMPARE(idsOf(*store, u"entity:alice"_s), QStringList {});
        QCOMPARE(store->entities(EntityQuery {}).total, 0);
    }
};

QTEST_GUILESS_MAIN(TestEntities)
#include "tst_entities.moc"
