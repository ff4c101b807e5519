// SPDX-License-Identifier: MIT
// Empty Trash and Tombstone Expired on real stores of every kind (a SQLite data folder with vectors.idx and
// graph.db, a PostgreSQL database of the CTest fixture's server with memory_vectors and graph tables, a folder):
// the run touches exactly the previewed memories, after a backup that holds them; a memory another process
// restores between the preview and the run survives; N days are respected; a dry run writes nothing; undo of
// Tombstone Expired puts the rows back. And the `empty-trash` / `tombstone-expired` commands.
#include "besideindex.h"
#include "filesystem/memoryfile.h"
#include "fixturegenerator.h"
#include "health/trash.h"
#include "plantedstore.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "storageerror.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <tuple>

#include <sys/resource.h>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Testing;

namespace {

constexpr qint64 kDay = 86400;

/// One planted memory: the same set in every store kind.
struct Planted
{
    QString id;
    QString status = u"active"_s;
    qint64 createdAt = 0;
    std::optional<qint64> tombstonedAt;
    std::optional<qint64> expiresAt;
    QStringList sources {}; ///< a summary's source_memory_ids
};

QList<Planted> planted(qint64 now)
{
    return {
        {u"live"_s, u"active"_s, now - 100 * kDay, {}, {}},
        {u"old1"_s, u"tombstoned"_s, now - 60 * kDay, now - 40 * kDay, {}},
        // the status alone says tombstoned: its last write (created, or updated where kept) is 50 days ago
        {u"old2"_s, u"tombstoned"_s, now - 50 * kDay, {}, {}},
        // a garbage collector's tombstone: tombstoned_at only
        {u"gc1"_s, u"active"_s, now - 90 * kDay, now - 35 * kDay, {}},
        {u"new1"_s, u"tombstoned"_s, now - 20 * kDay, now - 5 * kDay, {}},
        {u"exp1"_s, u"active"_s, now - 10 * kDay, {}, now - 100},
        {u"exp2"_s, u"tombstoned"_s, now - 10 * kDay, now - kDay, now - 200},
        {u"fut"_s, u"active"_s, now - 10 * kDay, {}, now + 1000},
        // a summary that stays: emptying the trash leaves it naming a missing source, which the preview says
        {u"sum1"_s, u"active"_s, now - 30 * kDay, {}, {}, {u"live"_s, u"old1"_s}},
    };
}

QString contentOf(const QString& id)
{
    return u"# Memory "_s + id + u"\n\nbody of "_s + id;
}

QString lit(const QString& text)
{
    return u'\'' + QString(text).replace(u'\'', u"''"_s) + u'\'';
}

QString sqlNumber(const std::optional<qint64>& v)
{
    return v ? QString::number(*v) : u"NULL"_s;
}

QString sourcesJson(const QStringList& ids)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(ids)).toJson(QJsonDocument::Compact));
}

using Dump = QMap<QString, QByteArray>;

/// The dump without the entries of these memories (keys are `kind|id|…`).
Dump without(Dump dump, const QStringList& ids)
{
    for (auto it = dump.begin(); it != dump.end();) {
        const QStringList parts = it.key().split(u'|');
        bool theirs = false;
        // `m|id`, `e|from|to|type`, or a graph.db row that quotes the memory's id
        for (const QString& id : ids)
            theirs = theirs || parts.mid(1).contains(id) || it.key().contains(u'\'' + id + u'\'');
        it = theirs ? dump.erase(it) : std::next(it);
    }
    return dump;
}

QStringList idsOf(const TrashPreview& preview)
{
    QStringList ids;
    for (const TrashEntry& e : preview.entries)
        ids << e.id;
    return ids;
}

QStringList changedIds(const StoreRepairReport& report)
{
    QStringList ids;
    for (const RepairChange& c : report.changes) {
        if (!ids.contains(c.id))
            ids << c.id;
    }
    ids.sort();
    return ids;
}

int runProcess(const QString& program, const QStringList& args, QByteArray* out = nullptr, QByteArray* err = nullptr)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(120000)) {
        p.kill();
        return -1;
    }
    if (out)
        *out = p.readAllStandardOutput();
    if (err)
        *err = p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
}

/// A planted store of one kind, its dump, and another process's write.
class Store
{
public:
    virtual ~Store() = default;
    virtual StoreSpec spec() const = 0;
    /// Every row or file of every memory, and what lives around them (edges, vectors, mentions).
    virtual Dump dump() const = 0;
    /// Another process (sqlite3, psql, cp) clears the memory's tombstone: a restore meanwhile.
    virtual void restoreElsewhere(const QString& id) = 0;
    /// Another process edits the memory and leaves its lifecycle as it is.
    virtual void editElsewhere(const QString& id) = 0;
    /// The ids the backups written so far hold.
    virtual QStringList backupIds() const = 0;
    /// Backups written beside the store (or into the backup folder).
    virtual QStringList backups() const = 0;
    virtual QString backupDir() const { return {}; }
};

class SqliteStore : public Store
{
public:
    SqliteStore(const QString& dir, qint64 now)
        : m_dir(dir)
        , m_path(dir + u"/index.db"_s)
    {
        {
            Fixtures::StoreWriter w(m_path);
            for (const Planted& p : planted(now))
                w.add({.id = p.id,
                       .content = contentOf(p.id),
                       .status = p.status,
                       .createdAt = p.createdAt,
                       .tombstonedAt = p.tombstonedAt ? QVariant(*p.tombstonedAt) : QVariant(),
                       .expiresAt = p.expiresAt ? QVariant(*p.expiresAt) : QVariant(),
                       .isSummary = p.sources.isEmpty() ? 0 : 1,
                       .sourceIds = p.sources.isEmpty() ? QVariant() : QVariant(sourcesJson(p.sources))});
            for (const auto& [from, to, type] :
                 {std::tuple {"old1", "live", "summarized_by"}, std::tuple {"live", "old1", "source_of"},
                  std::tuple {"live", "fut", "related_to"}})
                w.sql(
                    u"INSERT INTO memory_edges (from_id, to_id, edge_type, created_at) VALUES (?, ?, ?, 1700000000)"_s,
                    {QString::fromLatin1(from), QString::fromLatin1(to), QString::fromLatin1(type)});
        }
        Fixtures::writeBytes(dir + u"/vectors.idx"_s,
                             Fixtures::vectorsIdx({u"live"_s, u"old1"_s, u"old2"_s, u"fut"_s}));
        Fixtures::writeGraphDb(dir + u"/graph.db"_s, {{u"ent_1"_s, 2}},
                               {{u"ent_1"_s, u"old1"_s}, {u"ent_1"_s, u"live"_s}});
    }
    StoreSpec spec() const override { return StoreSpec {StoreSpec::Kind::Sqlite, m_path}; }
    Dump dump() const override
    {
        Dump d;
        const QString name = u"dump"_s;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(m_path);
            db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
            if (!db.open())
                return d;
            QSqlQuery q(db);
            const auto rows = [&](const QString& sql, auto key) {
                q.exec(sql);
                while (q.next()) {
                    QByteArray text;
                    for (int i = 0; i < q.record().count(); ++i)
                        text += q.value(i).toString().toUtf8() + '\x1f';
                    d.insert(key(q), text);
                }
            };
            rows(u"SELECT quote(id), * FROM memories"_s,
                 [](const QSqlQuery& r) -> QString { return u"m|"_s + r.value(1).toString(); });
            rows(u"SELECT rowid, id, content, tags FROM memories_fts"_s, [](const QSqlQuery& r) -> QString {
                return u"f|"_s + r.value(1).toString() + u'|' + r.value(0).toString();
            });
            rows(u"SELECT from_id, to_id, edge_type, created_at FROM memory_edges"_s,
                 [](const QSqlQuery& r) -> QString {
                     return u"e|"_s + r.value(0).toString() + u'|' + r.value(1).toString() + u'|'
                         + r.value(2).toString();
                 });
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        QFile vectors(m_dir + u"/vectors.idx"_s);
        if (vectors.open(QIODevice::ReadOnly))
            d.insert(u"vectors.idx"_s, vectors.readAll());
        for (const QString& row : Fixtures::graphRows(m_dir + u"/graph.db"_s))
            d.insert(u"g|"_s + row, {});
        return d;
    }
    void restoreElsewhere(const QString& id) override
    {
        QByteArray err;
        QCOMPARE(
            runProcess(u"sqlite3"_s,
                       {m_path, u"UPDATE memories SET tombstoned_at = NULL, status = 'active' WHERE id = "_s + lit(id)},
                       nullptr, &err),
            0);
        QVERIFY2(err.isEmpty(), err.constData());
    }
    void editElsewhere(const QString& id) override
    {
        QCOMPARE(runProcess(u"sqlite3"_s, {m_path, u"UPDATE memories SET source = 'edited' WHERE id = "_s + lit(id)}),
                 0);
    }
    QStringList backupIds() const override
    {
        QStringList ids;
        for (const QString& file : backups()) {
            if (!file.endsWith(u".db"_s) || file.contains(u"graph.db"_s))
                continue;
            QByteArray out;
            runProcess(u"sqlite3"_s,
                       {file, u"SELECT m.id FROM memories m JOIN memories_fts f ON f.id = m.id ORDER BY m.id"_s}, &out);
            ids << QString::fromUtf8(out).split(u'\n', Qt::SkipEmptyParts);
        }
        return ids;
    }
    QStringList backups() const override
    {
        QStringList files;
        for (const QString& name : QDir(m_dir).entryList({u"*.backup-*"_s}, QDir::Files))
            files << m_dir + u'/' + name;
        return files;
    }

private:
    QString m_dir;
    QString m_path;
};

class FolderStore : public Store
{
public:
    FolderStore(const QString& dir, qint64 now)
        : m_parent(dir)
        , m_folder(dir + u"/memories"_s)
    {
        QDir().mkpath(m_folder);
        for (const Planted& p : planted(now)) {
            Memory m;
            m.id = p.id;
            m.content = contentOf(p.id);
            m.namespaceName = u"decisions"_s;
            m.status = p.status;
            m.createdAt = p.createdAt;
            m.updatedAt = p.createdAt;
            m.tombstonedAt = p.tombstonedAt;
            m.expiresAt = p.expiresAt;
            m.tags = {contentHashTag(m.content)};
            m.isSummary = !p.sources.isEmpty();
            if (m.isSummary)
                m.sourceMemoryIds = p.sources;
            Fixtures::writeBytes(m_folder + u'/' + p.id + u".json"_s, serializeMemoryFile(m));
        }
    }
    StoreSpec spec() const override { return StoreSpec {StoreSpec::Kind::Filesystem, m_folder}; }
    Dump dump() const override
    {
        Dump d;
        for (const QString& name : QDir(m_folder).entryList(QDir::Files)) {
            QFile f(m_folder + u'/' + name);
            if (f.open(QIODevice::ReadOnly))
                d.insert(u"file|"_s + name.section(u'.', 0, 0), f.readAll());
        }
        return d;
    }
    void restoreElsewhere(const QString& id) override
    {
        QFile f(m_folder + u'/' + id + u".json"_s);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QString why;
        auto parsed = parseMemoryFile(f.readAll(), &why);
        QVERIFY(parsed);
        parsed->memory.tombstonedAt.reset();
        parsed->memory.status = u"active"_s;
        const QString staged = m_parent + u"/staged.json"_s;
        Fixtures::writeBytes(staged, serializeMemoryFile(parsed->memory));
        QCOMPARE(runProcess(u"cp"_s, {staged, f.fileName()}), 0);
    }
    void editElsewhere(const QString& id) override
    {
        QFile f(m_folder + u'/' + id + u".json"_s);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QString why;
        auto parsed = parseMemoryFile(f.readAll(), &why);
        QVERIFY(parsed);
        parsed->memory.updatedAt += 1;
        const QString staged = m_parent + u"/staged.json"_s;
        Fixtures::writeBytes(staged, serializeMemoryFile(parsed->memory));
        QCOMPARE(runProcess(u"cp"_s, {staged, f.fileName()}), 0);
    }
    QStringList backupIds() const override
    {
        QStringList ids;
        for (const QString& dir : backups()) {
            for (const QString& name : QDir(dir).entryList({u"*.json"_s}, QDir::Files))
                ids << name.chopped(5);
        }
        ids.sort();
        return ids;
    }
    QStringList backups() const override
    {
        QStringList dirs;
        for (const QString& name : QDir(m_parent).entryList({u"memories.backup-*"_s}, QDir::Dirs))
            dirs << m_parent + u'/' + name;
        return dirs;
    }

private:
    QString m_parent;
    QString m_folder;
};

class PostgresStore : public Store
{
public:
    PostgresStore(PostgresServer& server, const QString& backupDir, qint64 now)
        : m_server(server)
        , m_db(server.createDatabase(u"trash"_s))
        , m_backupDir(backupDir)
    {
        PostgresBackend::createSchema(server.url(m_db));
        QString sql = uR"sql(
CREATE TABLE memory_vectors (id TEXT PRIMARY KEY, embedding TEXT, created_at BIGINT NOT NULL DEFAULT 1700000000);
CREATE TABLE graph_entities (id TEXT PRIMARY KEY, entity_type TEXT NOT NULL, name TEXT NOT NULL, aliases TEXT,
    domain_org TEXT, domain_project TEXT, domain_repo TEXT, confidence DOUBLE PRECISION NOT NULL DEFAULT 1.0,
    valid_time_start BIGINT, valid_time_end BIGINT, transaction_time BIGINT NOT NULL, properties TEXT,
    mention_count INTEGER NOT NULL DEFAULT 0);
CREATE TABLE graph_entity_mentions (entity_id TEXT NOT NULL REFERENCES graph_entities(id) ON DELETE CASCADE,
    memory_id TEXT NOT NULL, confidence DOUBLE PRECISION, start_offset BIGINT, end_offset BIGINT, matched_text TEXT,
    transaction_time BIGINT NOT NULL, PRIMARY KEY (entity_id, memory_id));
INSERT INTO graph_entities (id, entity_type, name, transaction_time, mention_count)
    VALUES ('ent_1', 'technology', 'PostgreSQL', 1700000000, 2);
INSERT INTO graph_entity_mentions (entity_id, memory_id, transaction_time)
    VALUES ('ent_1', 'old1', 1700000000), ('ent_1', 'live', 1700000000);
)sql"_s;
        for (const Planted& p : planted(now))
            sql += u"INSERT INTO memories (id, content, namespace, domain, status, tags, created_at, updated_at, "
                   "tombstoned_at, expires_at, is_summary, source_memory_ids) VALUES ("_s
                + QStringList {lit(p.id),
                               lit(contentOf(p.id)),
                               lit(u"decisions"_s),
                               lit(u"{\"organization\":null,\"project\":null,\"repository\":null}"_s),
                               lit(p.status),
                               u"ARRAY["_s + lit(contentHashTag(contentOf(p.id))) + u"]::text[]"_s,
                               QString::number(p.createdAt),
                               QString::number(p.createdAt),
                               sqlNumber(p.tombstonedAt),
                               sqlNumber(p.expiresAt),
                               p.sources.isEmpty() ? u"false"_s : u"true"_s,
                               p.sources.isEmpty() ? u"NULL"_s : lit(sourcesJson(p.sources)) + u"::jsonb"_s}
                      .join(u", "_s)
                + u");\n"_s;
        sql += u"INSERT INTO memory_vectors (id, embedding) SELECT id, '[0.5,0.25]' FROM memories;\n"_s;
        server.runSql(m_db, sql);
    }
    StoreSpec spec() const override { return StoreSpec {StoreSpec::Kind::Postgres, m_server.url(m_db)}; }
    Dump dump() const override
    {
        Dump d;
        const auto table = [&](const QString& prefix, const QString& sql) {
            for (const QString& line : m_server.runSql(m_db, sql).split(u'\n', Qt::SkipEmptyParts))
                d.insert(prefix + line.section(u'\x1f', 0, 0), line.section(u'\x1f', 1).toUtf8());
        };
        table(u"m|"_s, u"SELECT id || chr(31) || (to_jsonb(m) - 'search_vector')::text FROM memories m"_s);
        table(u"v|"_s, u"SELECT id || chr(31) || to_jsonb(v)::text FROM memory_vectors v"_s);
        table(u"g|"_s,
              u"SELECT entity_id || '|' || memory_id || chr(31) || to_jsonb(g)::text FROM graph_entity_mentions g"_s);
        table(u"entity|"_s, u"SELECT id || chr(31) || mention_count FROM graph_entities"_s);
        return d;
    }
    void restoreElsewhere(const QString& id) override
    {
        // psql: another process, another connection
        m_server.runSql(m_db,
                        u"UPDATE memories SET tombstoned_at = NULL, status = 'active', updated_at = updated_at + 1 "
                        "WHERE id = "_s
                            + lit(id));
    }
    void editElsewhere(const QString& id) override
    {
        m_server.runSql(m_db, u"UPDATE memories SET updated_at = updated_at + 1 WHERE id = "_s + lit(id));
    }
    QStringList backupIds() const override
    {
        QStringList ids;
        for (const QString& file : backups()) {
            if (file.endsWith(u".rows.jsonl"_s))
                continue;
            QFile f(file);
            if (!f.open(QIODevice::ReadOnly))
                continue;
            for (const QByteArray& line : f.readAll().split('\n')) {
                if (!line.isEmpty())
                    ids << QJsonDocument::fromJson(line).object().value("id"_L1).toString();
            }
        }
        ids.sort();
        return ids;
    }
    QStringList backups() const override
    {
        QStringList files;
        for (const QString& name : QDir(m_backupDir).entryList(QDir::Files))
            files << m_backupDir + u'/' + name;
        return files;
    }
    QString backupDir() const override { return m_backupDir; }

private:
    PostgresServer& m_server;
    QString m_db;
    QString m_backupDir;
};

} // namespace

class TestTrash : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_stores = 0;

    std::unique_ptr<Store> makeStore(const QString& kind, qint64 now)
    {
        const QString dir = m_dir.filePath(kind + QString::number(++m_stores));
        QDir().mkpath(dir);
        if (kind == "sqlite"_L1)
            return std::make_unique<SqliteStore>(dir, now);
        if (kind == "folder"_L1)
            return std::make_unique<FolderStore>(dir, now);
        if (postgresBinDir().isEmpty() && qEnvironmentVariableIsEmpty("INSPECTOR_PG_URL_FILE"))
            return nullptr;
        return std::make_unique<PostgresStore>(PostgresServer::shared(), dir, now);
    }

    static void kinds()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("sqlite") << u"sqlite"_s;
        QTest::newRow("postgres") << u"postgres"_s;
        QTest::newRow("folder") << u"folder"_s;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void previewRespectsDays_data() { kinds(); }
    // N days: tombstoned_at (or, with the status alone, the last write) at or before now − N days; 0 takes all
    void previewRespectsDays()
    {
        QFETCH(QString, kind);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto store = makeStore(kind, now);
        if (!store)
            QSKIP("PostgreSQL 15 is not installed");
        const Dump before = store->dump();
        const auto ids = [&](int days) {
            TrashOptions o;
            o.olderThanDays = days;
            o.now = now;
            return idsOf(previewTrash(store->spec(), TrashAction::EmptyTrash, o));
        };
        // gc1 (tombstoned_at, status active) is live to subcog: never trash. old2's status alone says tombstoned:
        // PostgreSQL and folders keep its updated_at (50 days ago), SQLite no time at all, so only 0 days takes it
        const bool sqlite = kind == "sqlite"_L1;
        QCOMPARE(ids(30), (sqlite ? QStringList {u"old1"_s} : QStringList {u"old2"_s, u"old1"_s}));
        QCOMPARE(ids(45), (sqlite ? QStringList() : QStringList {u"old2"_s}));
        QCOMPARE(ids(60), QStringList());
        QCOMPARE(ids(0), (QStringList {u"old2"_s, u"old1"_s, u"new1"_s, u"exp2"_s}));
        {
            TrashOptions o;
            o.olderThanDays = 30;
            o.now = now;
            const TrashPreview preview = previewTrash(store->spec(), TrashAction::EmptyTrash, o);
            const TrashEntry& old1 = preview.entries[sqlite ? 0 : 1];
            QCOMPARE(old1.id, u"old1"_s);
            QCOMPARE(old1.summaries, QStringList {u"sum1"_s});
            QCOMPARE(preview.leftOutCount(TrashLeftOutReason::HalfTombstoned), 1);
            QCOMPARE(preview.leftOutCount(TrashLeftOutReason::NoTombstoneTime), sqlite ? 1 : 0);
            for (const TrashLeftOut& l : preview.leftOut)
                QCOMPARE(l.id, l.reason == TrashLeftOutReason::HalfTombstoned ? u"gc1"_s : u"old2"_s);
        }
        TrashOptions o;
        o.now = now;
        const TrashPreview expired = previewTrash(store->spec(), TrashAction::TombstoneExpired, o);
        QCOMPARE(idsOf(expired), QStringList {u"exp1"_s});
        QCOMPARE(expired.entries[0].time, now - 100);
        QCOMPARE(expired.entries[0].namespaceName, u"decisions"_s);
        QCOMPARE(expired.entries[0].firstLine, u"# Memory exp1"_s);
        QCOMPARE(store->dump(), before);
        QVERIFY(store->backups().isEmpty());
    }

    void emptyTrashDeletesExactlyThePreview_data() { kinds(); }
    // The run deletes exactly the previewed memories still as previewed: one another process restores in between
    // survives and is listed as skipped; the backup exists and holds the doomed memories before the first delete;
    // every other record (and what lives around it) is byte for byte as it was.
    void emptyTrashDeletesExactlyThePreview()
    {
        QFETCH(QString, kind);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto store = makeStore(kind, now);
        if (!store)
            QSKIP("PostgreSQL 15 is not installed");
        TrashOptions options;
        options.olderThanDays = 0;
        options.now = now;
        options.backupDir = store->backupDir();
        const TrashPreview preview = previewTrash(store->spec(), TrashAction::EmptyTrash, options);
        QCOMPARE(idsOf(preview), (QStringList {u"old2"_s, u"old1"_s, u"new1"_s, u"exp2"_s}));

        store->restoreElsewhere(u"new1"_s);
        const Dump before = store->dump();
        bool checkedBackup = false;
        options.beforeWrites = [&] {
            // the backup is whole before anything is deleted: it holds both doomed memories, the store still too
            QCOMPARE(store->backupIds().filter(QRegularExpression(u"^old[12]$"_s)).size(), 2);
            QCOMPARE(store->dump(), before);
            checkedBackup = true;
        };
        const StoreRepairReport report = runTrash(store->spec(), preview, options);
        QVERIFY(checkedBackup);
        QVERIFY(!report.backupPaths.isEmpty());
        for (const QString& path : report.backupPaths)
            QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        QCOMPARE(changedIds(report), (QStringList {u"exp2"_s, u"old1"_s, u"old2"_s}));
        QCOMPARE(report.memories, 3);
        QCOMPARE(report.skipped.size(), 1);
        QCOMPARE(report.skipped[0].id, u"new1"_s);

        const Dump after = store->dump();
        // gc1 (tombstoned_at with status active) is half-tombstoned, live to subcog: it stays
        QVERIFY(after.contains(u"m|gc1"_s) || after.contains(u"file|gc1"_s));
        Dump expected = without(before, {u"old1"_s, u"old2"_s, u"exp2"_s});
        if (kind == "sqlite"_L1) {
            // vectors.idx without their members, the others byte for byte; graph.db without old1's mention
            QCOMPARE(after.value(u"vectors.idx"_s),
                     Fixtures::vectorsIdxOf(
                         {Fixtures::vectorsIdxMember(u"live"_s, 0), Fixtures::vectorsIdxMember(u"fut"_s, 3)}));
            expected.remove(u"vectors.idx"_s);
            QVERIFY(after.contains(u"g|entity 'ent_1' 'name of ent_1' mentions 1"_s));
            for (auto it = expected.begin(); it != expected.end();)
                it = it.key().startsWith(u"g|entity"_s) ? expected.erase(it) : std::next(it);
            Dump rest = after;
            rest.remove(u"vectors.idx"_s);
            rest.remove(u"g|entity 'ent_1' 'name of ent_1' mentions 1"_s);
            QCOMPARE(rest, expected);
            QVERIFY(!after.contains(u"e|old1|live|summarized_by"_s));
            QVERIFY(after.contains(u"e|live|fut|related_to"_s));
        } else if (kind == "postgres"_L1) {
            QVERIFY(!after.contains(u"v|old1"_s) && !after.contains(u"v|old2"_s) && after.contains(u"v|gc1"_s));
            QCOMPARE(after.value(u"entity|ent_1"_s), QByteArray("1"));
            expected.remove(u"entity|ent_1"_s);
            Dump rest = after;
            rest.remove(u"entity|ent_1"_s);
            QCOMPARE(rest, expected);
        } else {
            QCOMPARE(after, expected);
        }
        // nothing left to delete but what was skipped
        QCOMPARE(idsOf(previewTrash(store->spec(), TrashAction::EmptyTrash, options)), QStringList());
    }

    void emptyTrashChangedBetweenPlanAndWrite_data() { kinds(); }
    // A change that lands after the plan read the memory (from beforeWrites, by another process) is caught by the
    // write's own comparison: the memory stays.
    void emptyTrashChangedBetweenPlanAndWrite()
    {
        QFETCH(QString, kind);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto store = makeStore(kind, now);
        if (!store)
            QSKIP("PostgreSQL 15 is not installed");
        TrashOptions options;
        options.olderThanDays = 0;
        options.now = now;
        options.backupDir = store->backupDir();
        const TrashPreview preview = previewTrash(store->spec(), TrashAction::EmptyTrash, options);
        options.beforeWrites = [&] { store->restoreElsewhere(u"old1"_s); };
        const StoreRepairReport report = runTrash(store->spec(), preview, options);
        QCOMPARE(changedIds(report), (QStringList {u"exp2"_s, u"new1"_s, u"old2"_s}));
        const Dump after = store->dump();
        QVERIFY(!after.contains(u"m|old2"_s) && !after.contains(u"file|old2"_s));
        QVERIFY(after.contains(u"m|old1"_s) || after.contains(u"file|old1"_s));
        bool skipped = false;
        for (const RepairChange& c : report.skipped)
            skipped = skipped || c.id == "old1"_L1;
        QVERIFY(skipped);
    }

    void dryRunWritesNothing_data() { kinds(); }
    void dryRunWritesNothing()
    {
        QFETCH(QString, kind);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto store = makeStore(kind, now);
        if (!store)
            QSKIP("PostgreSQL 15 is not installed");
        const Dump before = store->dump();
        TrashOptions options;
        options.olderThanDays = 0;
        options.now = now;
        options.dryRun = true;
        options.backupDir = store->backupDir();
        for (const TrashAction action : {TrashAction::EmptyTrash, TrashAction::TombstoneExpired}) {
            const TrashPreview preview = previewTrash(store->spec(), action, options);
            const StoreRepairReport report = runTrash(store->spec(), preview, options);
            QCOMPARE(changedIds(report).size(), action == TrashAction::EmptyTrash ? 4 : 1);
            QVERIFY(report.backupPaths.isEmpty());
        }
        QCOMPARE(store->dump(), before);
        QVERIFY(store->backups().isEmpty());
    }

    void tombstoneExpiredAndUndo_data() { kinds(); }
    // Tombstone Expired tombstones exactly the expired live memories (after a backup); undo puts the rows back
    void tombstoneExpiredAndUndo()
    {
        QFETCH(QString, kind);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto store = makeStore(kind, now);
        if (!store)
            QSKIP("PostgreSQL 15 is not installed");
        const Dump before = store->dump();
        TrashOptions options;
        options.now = now;
        options.backupDir = store->backupDir();
        const TrashPreview preview = previewTrash(store->spec(), TrashAction::TombstoneExpired, options);
        QCOMPARE(idsOf(preview), QStringList {u"exp1"_s});
        const StoreRepairReport report = runTrash(store->spec(), preview, options);
        QCOMPARE(changedIds(report), QStringList {u"exp1"_s});
        QVERIFY(report.skipped.isEmpty());
        QVERIFY(!report.backupPaths.isEmpty());
        const Dump after = store->dump();
        QCOMPARE(without(after, {u"exp1"_s}), without(before, {u"exp1"_s}));
        const QByteArray row = after.value(kind == "folder"_L1 ? u"file|exp1"_s : u"m|exp1"_s);
        QVERIFY2(row.contains("tombstoned"), row.constData());
        QCOMPARE(idsOf(previewTrash(store->spec(), TrashAction::TombstoneExpired, options)), QStringList());

        const RepairImages images = trashUndoImages(store->spec(), report);
        QVERIFY2(images.incomplete.isEmpty(), qPrintable(images.incomplete));
        const RepairRestoreOutcome undone = restoreRepairImages(images, true);
        QCOMPARE(undone.restored, QStringList {u"exp1"_s});
        QCOMPARE(store->dump(), before);
        const RepairRestoreOutcome redone = restoreRepairImages(images, false);
        QCOMPARE(redone.restored, QStringList {u"exp1"_s});
        QCOMPARE(store->dump(), after);
    }

    void halfTombstonedIsNotTrash_data() { kinds(); }
    // A memory with an old tombstoned_at whose status is still active (or superseded) is live to subcog: Empty
    // Trash leaves it and says so; a status subcog reads as tombstoned in another case counts where subcog
    // lower-cases (SQLite, PostgreSQL), not in a folder, whose reader matches exactly
    void halfTombstonedIsNotTrash()
    {
        QFETCH(QString, kind);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto store = makeStore(kind, now);
        if (!store)
            QSKIP("PostgreSQL 15 is not installed");
        TrashOptions options;
        options.olderThanDays = 0;
        options.now = now;
        options.backupDir = store->backupDir();
        const TrashPreview preview = previewTrash(store->spec(), TrashAction::EmptyTrash, options);
        QVERIFY(!idsOf(preview).contains(u"gc1"_s));
        QCOMPARE(preview.leftOut.size(), 1);
        QCOMPARE(preview.leftOut[0].id, u"gc1"_s);
        QCOMPARE(preview.leftOut[0].reason, TrashLeftOutReason::HalfTombstoned);
        QVERIFY2(preview.leftOut[0].detail.contains(u"active"_s), qPrintable(preview.leftOut[0].detail));
        const Dump before = store->dump();
        const QString gc1 = kind == "folder"_L1 ? u"file|gc1"_s : u"m|gc1"_s;
        QVERIFY(before.contains(gc1));
        const StoreRepairReport report = runTrash(store->spec(), preview, options);
        QVERIFY(!changedIds(report).contains(u"gc1"_s));
        QCOMPARE(store->dump().value(gc1), before.value(gc1));
    }

    // A memory whose tombstoned_at is not a time is left out and named, not dropped silently
    void unreadableTimeIsListed()
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto store = makeStore(u"sqlite"_s, now);
        const QString path = store->spec().location;
        QCOMPARE(runProcess(u"sqlite3"_s, {path, u"UPDATE memories SET tombstoned_at = 'soon' WHERE id = 'old1'"_s}),
                 0);
        TrashOptions options;
        options.olderThanDays = 0;
        options.now = now;
        const TrashPreview preview = previewTrash(store->spec(), TrashAction::EmptyTrash, options);
        QVERIFY(!idsOf(preview).contains(u"old1"_s));
        QCOMPARE(preview.leftOutCount(TrashLeftOutReason::UnreadableTime), 1);
        bool listed = false;
        for (const TrashLeftOut& l : preview.leftOut)
            listed = listed
                || (l.id == "old1"_L1 && l.reason == TrashLeftOutReason::UnreadableTime
                    && l.detail.contains(u"'soon'"_s));
        QVERIFY(listed);
        QByteArray out;
        QByteArray err;
        QCOMPARE(runProcess(qEnvironmentVariable("INSPECTOR_BINARY"),
                            {u"empty-trash"_s, path, u"--older-than"_s, u"0"_s, u"--dry-run"_s}, &out, &err),
                 0);
        QVERIFY2(out.contains("left out: 1 tombstoned memory whose tombstoned_at is not a time; fix it by hand first "
                              "(old1 (tombstoned_at 'soon', status 'tombstoned'))"),
                 out.constData());
    }

    // v0.1 and v0.2 files keep no tombstoned_at: a memory deleted today but created long ago has an unknown age in
    // the trash, so N > 0 days leave it (and say so); 0 days takes it
    void noTombstoneTimeOnV01()
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const QString path = m_dir.filePath(u"v01.db"_s);
        Fixtures::GeneratorOptions generate;
        generate.count = 5;
        generate.anomalies = false;
        generate.largeMemories = 0;
        const Fixtures::GeneratedStore generated
            = Fixtures::writeSqliteStore(path, Fixtures::SqliteLayout::V0_1, generate);
        const QString id = generated.truth[0].id;
        QCOMPARE(runProcess(u"sqlite3"_s,
                            {path,
                             u"UPDATE memories SET status = 'tombstoned', created_at = "_s
                                 + QString::number(now - 400 * kDay) + u" WHERE id = "_s + lit(id)}),
                 0);
        const StoreSpec spec {StoreSpec::Kind::Sqlite, path};
        TrashOptions options;
        options.olderThanDays = 30;
        options.now = now;
        const TrashPreview preview = previewTrash(spec, TrashAction::EmptyTrash, options);
        QCOMPARE(idsOf(preview), QStringList());
        QCOMPARE(preview.leftOut.size(), 1);
        QCOMPARE(preview.leftOut[0].id, id);
        QCOMPARE(preview.leftOut[0].reason, TrashLeftOutReason::NoTombstoneTime);
        QCOMPARE(preview.leftOut[0].detail, u"status 'tombstoned', no tombstoned_at column"_s);
        runTrash(spec, preview, options);
        QByteArray out;
        runProcess(u"sqlite3"_s, {path, u"SELECT count(*) FROM memories WHERE id = "_s + lit(id)}, &out);
        QCOMPARE(out.trimmed(), QByteArray("1"));
        QCOMPARE(runProcess(qEnvironmentVariable("INSPECTOR_BINARY"),
                            {u"empty-trash"_s, path, u"--older-than"_s, u"30"_s, u"--dry-run"_s}, &out),
                 0);
        QVERIFY2(out.contains("left out: 1 tombstoned memory has no tombstone time; only --older-than 0 removes them"),
                 out.constData());

        options.olderThanDays = 0;
        const TrashPreview all = previewTrash(spec, TrashAction::EmptyTrash, options);
        QCOMPARE(idsOf(all), QStringList {id});
        QCOMPARE(all.entries[0].timeSource, TrashTime::CreatedAt);
        QVERIFY(all.leftOut.isEmpty());
        QCOMPARE(changedIds(runTrash(spec, all, options)), QStringList {id});
        runProcess(u"sqlite3"_s, {path, u"SELECT count(*) FROM memories WHERE id = "_s + lit(id)}, &out);
        QCOMPARE(out.trimmed(), QByteArray("0"));
    }

    // A backup that cannot be written whole (a full disk; here the file size limit) stops the run with nothing
    // deleted and leaves no partial backup beside the store
    void failedBackupLeavesNoPartialFile()
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto store = makeStore(u"sqlite"_s, now);
        const QString path = store->spec().location;
        // a store larger than the limit (the -shm file's 32 KiB stay under it)
        QCOMPARE(
            runProcess(u"sqlite3"_s, {path, u"CREATE TABLE pad (x); INSERT INTO pad VALUES (zeroblob(600000));"_s}), 0);
        TrashOptions options;
        options.olderThanDays = 0;
        options.now = now;
        const TrashPreview preview = previewTrash(store->spec(), TrashAction::EmptyTrash, options);
        QVERIFY(!preview.entries.isEmpty());
        const Dump before = store->dump();
        rlimit old {};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
        rlimit low = old;
        low.rlim_cur = 256 * 1024;
        const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &low), 0);
        QString error;
        try {
            runTrash(store->spec(), preview, options);
        } catch (const StorageError& e) {
            error = e.message();
        }
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, oldHandler);
        QVERIFY2(error.contains(u"cannot write the backup"_s), qPrintable(error));
        QCOMPARE(store->backups(), QStringList());
        QCOMPARE(store->dump(), before);
    }

    void tombstoneExpiredChangedSincePreview_data() { kinds(); }
    // Tombstone Expired touches a memory only while it is what the preview read: one another process (sqlite3,
    // psql, cp) edits in between, though still expired and live, is skipped and named
    void tombstoneExpiredChangedSincePreview()
    {
        QFETCH(QString, kind);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto store = makeStore(kind, now);
        if (!store)
            QSKIP("PostgreSQL 15 is not installed");
        TrashOptions options;
        options.now = now;
        options.backupDir = store->backupDir();
        const TrashPreview preview = previewTrash(store->spec(), TrashAction::TombstoneExpired, options);
        QCOMPARE(idsOf(preview), QStringList {u"exp1"_s});
        store->editElsewhere(u"exp1"_s);
        const Dump before = store->dump();
        const StoreRepairReport report = runTrash(store->spec(), preview, options);
        QVERIFY(report.changes.isEmpty());
        QCOMPARE(report.skipped.size(), 1);
        QCOMPARE(report.skipped[0].id, u"exp1"_s);
        QVERIFY2(report.skipped[0].what.contains(u"changed since the preview"_s), qPrintable(report.skipped[0].what));
        QCOMPARE(store->dump(), before);
        QVERIFY(store->backups().isEmpty());
        // read again, it is tombstoned
        const TrashPreview again = previewTrash(store->spec(), TrashAction::TombstoneExpired, options);
        QCOMPARE(changedIds(runTrash(store->spec(), again, options)), QStringList {u"exp1"_s});
    }

    // The commands: the preview on stdout, the backup's path, the count; refusals with exit 2
    void commands()
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const auto store = makeStore(u"sqlite"_s, now);
        const QString path = store->spec().location;
        const QString binary = qEnvironmentVariable("INSPECTOR_BINARY");
        QVERIFY(QFile::exists(binary));
        QByteArray out;
        QByteArray err;
        QCOMPARE(runProcess(binary, {u"empty-trash"_s, path}, &out, &err), 2);
        QVERIFY(err.contains("--older-than"));
        QCOMPARE(runProcess(binary, {u"empty-trash"_s, path, u"--older-than"_s, u"-1"_s}, &out, &err), 2);
        QCOMPARE(runProcess(binary, {u"tombstone-expired"_s, path, u"--older-than"_s, u"3"_s}, &out, &err), 2);
        QCOMPARE(runProcess(binary, {u"empty-trash"_s, path, u"--older-than"_s, u"3"_s, u"--backup-dir"_s, u"/tmp"_s},
                            &out, &err),
                 2);

        const Dump before = store->dump();
        QCOMPARE(runProcess(binary, {u"empty-trash"_s, path, u"--older-than"_s, u"30"_s, u"--dry-run"_s}, &out, &err),
                 0);
        QVERIFY2(err.isEmpty(), err.constData());
        QStringList listed;
        for (const QByteArray& line : out.split('\n')) {
            if (line.contains('\t'))
                listed << QString::fromUtf8(line.left(line.indexOf('\t')));
        }
        QCOMPARE(listed, QStringList {u"old1"_s});
        QVERIFY2(out.contains("left out: 1 half-tombstoned memory (tombstoned_at is set but the status is not "
                              "'tombstoned', so subcog still lists it as live): repair half-tombstoned first (gc1"),
                 out.constData());
        QVERIFY2(out.contains("left out: 1 tombstoned memory has no tombstone time; only --older-than 0 removes them "
                              "(old2"),
                 out.constData());
        QVERIFY(out.contains("dry run: nothing written"));
        QVERIFY(out.contains("would delete 1 memory"));
        QVERIFY2(out.contains("note: 1 of them is a source of summaries that stay (old1: sum1)"), out.constData());
        QCOMPARE(store->dump(), before);

        QCOMPARE(runProcess(binary, {u"empty-trash"_s, path, u"--older-than"_s, u"0"_s, u"--dry-run"_s}, &out, &err),
                 0);
        QVERIFY2(out.contains("old2\tdecisions\t"), out.constData());
        QVERIFY(out.contains("(created_at: status only, no tombstone time)"));
        QVERIFY(!out.contains("no tombstone time; only"));

        QCOMPARE(runProcess(binary, {u"empty-trash"_s, path, u"--older-than"_s, u"30"_s}, &out, &err), 0);
        QVERIFY2(err.isEmpty(), err.constData());
        QVERIFY(out.contains("deleted 1 memory"));
        QVERIFY2(out.contains(QByteArray("backup: ").append(QFile::encodeName(QFileInfo(path).absolutePath()))),
                 out.constData());
        QCOMPARE(store->backupIds().size(), 9);
        const Dump after = store->dump();
        QVERIFY(!after.contains(u"m|old1"_s));
        QVERIFY(after.contains(u"m|old2"_s) && after.contains(u"m|gc1"_s) && after.contains(u"m|new1"_s));

        QCOMPARE(runProcess(binary, {u"tombstone-expired"_s, path}, &out, &err), 0);
        QVERIFY2(out.startsWith("1 live memory expired before"), out.constData());
        QVERIFY(out.contains("exp1\tdecisions\t"));
        QVERIFY(out.contains("tombstoned 1 memory"));
        QCOMPARE(runProcess(binary, {u"tombstone-expired"_s, path}, &out, &err), 0);
        QVERIFY(out.startsWith("0 live memories expired"));
    }
};

QTEST_GUILESS_MAIN(TestTrash)
#include "tst_trash.moc"
