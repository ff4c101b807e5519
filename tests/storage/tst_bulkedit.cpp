// SPDX-License-Identifier: MIT
// Bulk edit on SQLite, PostgreSQL and folder stores: the pure edit, refusals, a 10,000-memory edit that matches its
// preview, leaves every other memory byte for byte as it was, skips a memory another process changed between
// preview and apply, and undoes in one step; and the `edit` command (--dry-run writes nothing).
#include "bulkedit.h"
#include "filesystem/filesystembackend.h"
#include "fixturegenerator.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "sqlite/sqlitebackend.h"
#include "storageerror.h"

#include <QCryptographicHash>
#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <sqlite3.h>

using namespace Inspector;
using namespace Qt::StringLiterals;

namespace {

constexpr int kEdited = 10000; // memories the filter passes
constexpr int kOthers = 1500; // memories it leaves out
const QString kRacedId = u"m05000"_s; // changed by another process between preview and apply

QString idOf(int i)
{
    return u"m"_s + QString::number(i).rightJustified(5, u'0');
}

Memory make(int i)
{
    Memory m;
    m.id = idOf(i);
    m.content = u"Memory "_s + QString::number(i) + u": decided to keep the cache warm.\nLine two ünïcode 中文"_s;
    m.namespaceName = i < kEdited ? u"decisions"_s : u"patterns"_s;
    m.domain = u"project"_s;
    m.projectId = u"github.com/old/name"_s;
    m.branch = u"main"_s;
    m.filePath = u"src/file"_s + QString::number(i % 50) + u".cpp"_s;
    m.status = u"active"_s;
    m.createdAt = 1767000000 + i;
    m.updatedAt = m.createdAt;
    m.tags = {u"t1"_s, u"n"_s + QString::number(i % 7)};
    if (i % 3 == 0)
        m.tags << u"bulk"_s; // already carries the tag to add: added once, not twice
    m.source = u"src/file"_s + QString::number(i % 50) + u".cpp"_s;
    return m;
}

/// The edit the big test makes.
BulkEdit bigEdit()
{
    BulkEdit e;
    e.projectId = std::optional<QString>(u"github.com/new/name"_s);
    e.addTags = {u"bulk"_s, u"edited"_s};
    e.removeTags = {u"t1"_s};
    e.replacements << BulkEdit::Replacement {ReplaceField::FilePath, u"src/"_s, u"lib/"_s};
    return e;
}

/// A store of one kind and how to look at it behind the backend's back.
struct Store
{
    QString kind;
    QString location; ///< path, folder or URL
    QString database; ///< PostgreSQL
    std::unique_ptr<PersistenceBackend> backend;
};

/// Every row or file of the store as bytes, by memory id (SQLite: the memories row with its rowid, and the FTS rows).
QHash<QString, QByteArray> rawState(const Store& s)
{
    QHash<QString, QByteArray> out;
    if (s.kind == "sqlite"_L1) {
        sqlite3* db = nullptr;
        sqlite3_open_v2(QFile::encodeName(s.location).constData(), &db, SQLITE_OPEN_READONLY, nullptr);
        for (const char* sql : {"SELECT id, quote(rowid) || '|' || quote(namespace) || '|' || quote(domain) || '|' || "
                                "quote(project_id) || '|' || quote(branch) || '|' || quote(file_path) || '|' || "
                                "quote(status) || '|' || quote(created_at) || '|' || quote(tags) || '|' || "
                                "quote(source) || '|' || quote(tombstoned_at) || '|' || quote(expires_at) || '|' || "
                                "quote(is_summary) || '|' || quote(source_memory_ids) || '|' || "
                                "quote(consolidation_timestamp) FROM memories",
                                "SELECT id, '#fts|' || quote(rowid) || '|' || quote(content) || '|' || quote(tags) "
                                "FROM memories_fts"}) {
            sqlite3_stmt* st = nullptr;
            sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
            while (sqlite3_step(st) == SQLITE_ROW) {
                const QString id = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
                out[id] += QByteArray(reinterpret_cast<const char*>(sqlite3_column_text(st, 1))) + '\n';
            }
            sqlite3_finalize(st);
        }
        sqlite3_close(db);
    } else if (s.kind == "postgres"_L1) {
        const QString text = Testing::PostgresServer::shared().runSql(
            s.database, u"SELECT id || E'\\t' || md5(m::text) FROM memories m ORDER BY id"_s);
        for (const QString& line : text.split(u'\n', Qt::SkipEmptyParts))
            out.insert(line.section(u'\t', 0, 0), line.section(u'\t', 1).toLatin1());
    } else {
        const QDir dir(s.location);
        for (const QString& name : dir.entryList(QDir::Files)) {
            QFile f(dir.filePath(name));
            f.open(QIODevice::ReadOnly);
            out.insert(name.chopped(5), f.readAll());
        }
    }
    return out;
}

/// Changes the branch of memory `id` to `other-writer` from another process (sqlite3, psql, cp).
void changeFromAnotherProcess(const Store& s, const QString& id)
{
    if (s.kind == "sqlite"_L1) {
        QProcess p;
        p.start(u"sqlite3"_s,
                {u"-cmd"_s, u".timeout 5000"_s, s.location,
                 u"UPDATE memories SET branch = 'other-writer' WHERE id = '"_s + id + u"'"_s});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
    } else if (s.kind == "postgres"_L1) {
        Testing::PostgresServer::shared().runSql(
            s.database, u"UPDATE memories SET branch = 'other-writer' WHERE id = '"_s + id + u"'"_s);
    } else {
        const QString path = s.location + u'/' + id + u".json"_s;
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray bytes = f.readAll();
        f.close();
        QVERIFY(bytes.contains("\"branch\": \"main\""));
        bytes.replace("\"branch\": \"main\"", "\"branch\": \"other-writer\"");
        QTemporaryDir tmp;
        QFile changed(tmp.filePath(u"changed.json"_s));
        QVERIFY(changed.open(QIODevice::WriteOnly));
        changed.write(bytes);
        changed.close();
        QProcess p; // another program writes the file in place, as subcog does
        p.start(u"cp"_s, {changed.fileName(), path});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
    }
}

QByteArray folderTreeHash(const QString& folder)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    const QDir dir(folder);
    for (const QString& name : dir.entryList(QDir::Files | QDir::Hidden, QDir::Name)) {
        QFile f(dir.filePath(name));
        f.open(QIODevice::ReadOnly);
        h.addData(name.toUtf8());
        h.addData(f.readAll());
    }
    return h.result();
}

QByteArray fileHashOf(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = f.readAll();
    return bytes.isEmpty() ? QByteArray() : QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
}

} // namespace

class TestBulkEdit : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    Store makeStore(const QString& kind, int count)
    {
        Store s;
        s.kind = kind;
        if (kind == "sqlite"_L1) {
            s.location = m_dir.filePath(QUuid::createUuid().toString(QUuid::Id128) + u".db"_s);
            s.backend = SqliteBackend::create(s.location);
        } else if (kind == "filesystem"_L1) {
            // files in subcog's own format (the generator's), so the undo is also checked against subcog's bytes
            s.location = m_dir.filePath(QUuid::createUuid().toString(QUuid::Id128));
            QDir().mkpath(s.location);
            for (int i = 0; i < count; ++i) {
                QFile f(s.location + u'/' + idOf(i) + u".json"_s);
                if (!f.open(QIODevice::WriteOnly))
                    qFatal("cannot write %s", qPrintable(f.fileName()));
                f.write(Fixtures::subcogFileBytes(make(i)));
            }
            s.backend = FilesystemBackend::open(s.location);
            return s;
        } else {
            Testing::PostgresServer& server = Testing::PostgresServer::shared();
            s.database = server.createDatabase(u"bulk"_s);
            s.location = server.url(s.database);
            s.backend = PostgresBackend::createSchema(s.location);
        }
        QList<Memory> batch;
        for (int i = 0; i < count; ++i) {
            batch << make(i);
            if (batch.size() == 1000 || i == count - 1) {
                s.backend->storeBatch(batch);
                batch.clear();
            }
        }
        return s;
    }

    static void kinds()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("sqlite") << u"sqlite"_s;
        QTest::newRow("postgres") << u"postgres"_s;
        QTest::newRow("filesystem") << u"filesystem"_s;
    }

private Q_SLOTS:
    void editedMemoryRules()
    {
        BulkEditLimits sqlite;
        sqlite.hasUpdatedAt = false;
        BulkEditLimits postgres;
        Memory m = make(1);
        m.tags = {u"a"_s, u"b"_s, u"a"_s, u"c"_s};

        BulkEdit e;
        e.namespaceName = u"TechDebt"_s;
        e.status = u"ARCHIVED"_s;
        e.addTags = {u"c"_s, u"d"_s, u"d"_s};
        e.removeTags = {u"b"_s};
        const auto after = editedMemory(e, m, postgres, 1800000000);
        QVERIFY(after);
        QCOMPARE(after->namespaceName, u"tech-debt"_s); // canonical spelling
        QCOMPARE(after->status, u"archived"_s);
        QCOMPARE(after->tags, (QStringList {u"a"_s, u"c"_s, u"d"_s})); // order kept, no duplicates
        QCOMPARE(after->updatedAt, qint64(1800000000));
        QCOMPARE(after->content, m.content);
        QCOMPARE(editedMemory(e, m, sqlite, 1800000000)->updatedAt, m.updatedAt); // SQLite has no updated_at

        // an edit that changes nothing gives nothing
        BulkEdit same;
        same.projectId = m.projectId;
        same.addTags = {u"t1"_s};
        QVERIFY(!editedMemory(same, make(1), postgres, 1800000000));

        // replace: every occurrence; a field that becomes empty is cleared, an absent one stays absent
        BulkEdit r;
        QVERIFY(r.parseReplace(u"project_id:github.com/old/=gitlab.com/"_s).isEmpty());
        QVERIFY(r.parseReplace(u"branch:main="_s).isEmpty());
        QVERIFY(r.parseReplace(u"source:x=y"_s).isEmpty());
        Memory noSource = make(1);
        noSource.source.reset();
        const auto replaced = editedMemory(r, noSource, postgres, 1800000000);
        QCOMPARE(replaced->projectId, std::optional<QString>(u"gitlab.com/name"_s));
        QCOMPARE(replaced->branch, std::optional<QString>());
        QCOMPARE(replaced->source, std::optional<QString>());

        // tombstoning sets tombstoned_at, restoring clears it
        BulkEdit t;
        QVERIFY(t.parseSet(u"status=tombstoned"_s).isEmpty());
        const auto tomb = editedMemory(t, make(1), sqlite, 1800000000);
        QCOMPARE(tomb->tombstonedAt, std::optional<qint64>(1800000000));
        BulkEdit restore;
        QVERIFY(restore.parseSet(u"status=active"_s).isEmpty());
        QCOMPARE(editedMemory(restore, *tomb, sqlite, 1800000001)->tombstonedAt, std::optional<qint64>());

        // --set parsing
        BulkEdit p;
        QVERIFY(p.parseSet(u"project_id="_s).isEmpty());
        QCOMPARE(p.projectId, std::optional<std::optional<QString>>(std::optional<QString>()));
        QVERIFY(p.parseSet(u"expires_at=2030-01-02"_s).isEmpty());
        QCOMPARE(p.expiresAt, std::optional<std::optional<qint64>>(std::optional<qint64>(1893542400)));
        QVERIFY(!p.parseSet(u"content=x"_s).isEmpty());
        QVERIFY(!p.parseSet(u"namespace="_s).isEmpty());
        BulkEdit bad;
        bad.addTags = {u"a,b"_s};
        bad.namespaceName = u"nonsense"_s;
        QCOMPARE(bad.problems().size(), 2);
    }

    void refusals_data() { kinds(); }
    void refusals()
    {
        QFETCH(QString, kind);
        Store s = makeStore(kind, 30);
        BulkEdit e;
        if (kind == "sqlite"_L1)
            e.domain = u"org/project/repo"_s; // subcog reads three parts as the project scope
        else if (kind == "filesystem"_L1)
            e.namespaceName = u"blockers"_s; // subcog's folder reader does not know it
        else
            QVERIFY(e.parseReplace(u"source:src/=a"_s + QChar(0) + u"b/"_s).isEmpty()); // text cannot hold NUL
        const QHash<QString, QByteArray> before = rawState(s);
        const BulkEditPlan plan = previewBulkEdit(*s.backend, e, BulkEditSource::ofFilter({}));
        QCOMPARE(plan.changeCount(), qint64(0));
        QCOMPARE(plan.refused.size(), 30);
        QVERIFY2(!plan.refused.first().reason.isEmpty(), qPrintable(plan.refused.first().reason));
        const BulkEditOutcome outcome = applyBulkEdit(*s.backend, plan);
        QVERIFY(outcome.written.isEmpty());
        QCOMPARE(rawState(s), before);

        // a tag with a comma is refused before anything is read
        BulkEdit comma;
        comma.addTags = {u"a,b"_s};
        QVERIFY_THROWS_EXCEPTION(StorageError, previewBulkEdit(*s.backend, comma, BulkEditSource::ofFilter({})));
    }

    void olderSqliteLayout()
    {
        // v0.3 files have no expires_at or project_id column (spec §4.9)
        const QString path = m_dir.filePath(u"v03.db"_s);
        Fixtures::GeneratorOptions options;
        options.count = 20;
        options.anomalies = false;
        options.largeMemories = 0;
        Fixtures::writeSqliteStore(path, Fixtures::SqliteLayout::V0_3, options);
        auto backend = SqliteBackend::open(path);
        BulkEdit e;
        QVERIFY(e.parseSet(u"expires_at=1900000000"_s).isEmpty());
        const BulkEditPlan plan = previewBulkEdit(*backend, e, BulkEditSource::ofFilter({}));
        QCOMPARE(plan.changeCount(), qint64(0));
        QCOMPARE(plan.refused.size(), int(plan.scanned));
        QVERIFY(plan.refused.first().reason.contains(u"expires_at"_s));
    }

    void tenThousand_data() { kinds(); }
    void tenThousand()
    {
        QFETCH(QString, kind);
        Store s = makeStore(kind, kEdited + kOthers);
        const QHash<QString, QByteArray> initial = rawState(s);
        QCOMPARE(initial.size(), kEdited + kOthers);
        QHash<QString, Memory> initialMemories;
        for (Memory& m : s.backend->getBatch(initial.keys()))
            initialMemories.insert(m.id, std::move(m));

        const BulkEdit edit = bigEdit();
        MemoryFilter filter;
        filter.namespaces = {Namespace::Decisions};
        qint64 lastDone = -1;
        const BulkEditPlan plan
            = previewBulkEdit(*s.backend, edit, BulkEditSource::ofFilter(filter), [&](qint64 done, qint64 total) {
                  lastDone = done;
                  return total == kEdited;
              });
        QCOMPARE(lastDone, qint64(kEdited));
        QCOMPARE(plan.scanned, qint64(kEdited));
        QCOMPARE(plan.changeCount(), qint64(kEdited)); // every one loses t1
        QCOMPARE(plan.sample.size(), 200);
        QVERIFY(plan.refused.isEmpty());
        // the preview's whole changes are what editedMemory says of the store's memories
        for (const BulkEditChange& c : plan.sample) {
            QVERIFY(c.before.sameFields(initialMemories.value(c.before.id)));
            QVERIFY(c.after.sameFields(*editedMemory(edit, c.before, plan.limits, plan.now)));
            QCOMPARE(c.after.content, c.before.content);
        }

        changeFromAnotherProcess(s, kRacedId);
        const QHash<QString, QByteArray> raced = rawState(s);

        qint64 batches = 0;
        const BulkEditOutcome outcome = applyBulkEdit(
            *s.backend, plan, BulkDirection::Apply,
            [&](qint64, qint64) {
                ++batches;
                return true;
            },
            500);
        QVERIFY(batches >= kEdited / 500);
        QVERIFY(outcome.failed.isEmpty());
        QVERIFY(!outcome.cancelled);
        QCOMPARE(outcome.skipped.size(), 1);
        QCOMPARE(outcome.skipped.first().id, kRacedId);
        QCOMPARE(outcome.written.size(), kEdited - 1);

        // what was written is exactly the preview's `after`; the raced memory keeps the other writer's change
        QHash<QString, Memory> now;
        for (Memory& m : s.backend->getBatch(initial.keys()))
            now.insert(m.id, std::move(m));
        for (qsizetype i = 0; i < plan.changes.size(); ++i) {
            const QString& id = plan.changes[i].before.id;
            Memory stored = now.value(id);
            if (id == kRacedId) {
                QCOMPARE(stored.branch, std::optional<QString>(u"other-writer"_s));
                QCOMPARE(stored.projectId, std::optional<QString>(u"github.com/old/name"_s));
                continue;
            }
            QCOMPARE(stored.content, initialMemories.value(id).content);
            stored.content.clear();
            stored.embedding.reset();
            QVERIFY2(stored.sameFields(plan.after(i)), qPrintable(id));
        }
        for (const BulkEditChange& c : plan.sample) {
            if (c.before.id != kRacedId)
                QVERIFY2(now.value(c.before.id).sameFields(c.after), qPrintable(c.before.id));
        }
        // every other memory is byte for byte as it was
        const QHash<QString, QByteArray> afterApply = rawState(s);
        for (int i = kEdited; i < kEdited + kOthers; ++i)
            QCOMPARE(afterApply.value(idOf(i)), initial.value(idOf(i)));
        QCOMPARE(afterApply.value(kRacedId), raced.value(kRacedId));
        if (kind == "sqlite"_L1) // the FTS row's tags follow the tags
            QVERIFY(afterApply.value(idOf(1)).contains("'n1,bulk,edited'"));

        // undo: one run of the written part backwards puts every memory back as it was
        const BulkEditPlan undoRecord = plan.writtenOnly(outcome.written);
        QCOMPARE(undoRecord.changeCount(), qint64(kEdited - 1));
        const BulkEditOutcome undone = applyBulkEdit(*s.backend, undoRecord, BulkDirection::Undo);
        QCOMPARE(undone.written.size(), kEdited - 1);
        QVERIFY(undone.skipped.isEmpty());
        QVERIFY(undone.failed.isEmpty());
        const QHash<QString, QByteArray> afterUndo = rawState(s);
        QCOMPARE(afterUndo.size(), initial.size());
        for (auto it = initial.begin(); it != initial.end(); ++it) {
            if (it.key() == kRacedId)
                QCOMPARE(afterUndo.value(it.key()), raced.value(kRacedId));
            else
                QVERIFY2(afterUndo.value(it.key()) == it.value(), qPrintable(it.key()));
        }

        // redo is the apply again; the undo of a memory another writer changed since is skipped
        changeFromAnotherProcess(s, idOf(7));
        const BulkEditOutcome redone = applyBulkEdit(*s.backend, undoRecord, BulkDirection::Apply);
        QCOMPARE(redone.written.size(), kEdited - 2);
        QCOMPARE(redone.skipped.size(), 1);
        QCOMPARE(redone.skipped.first().id, idOf(7));
    }

    void lenientSqliteRowsAreComparedAsRead()
    {
        // rows subcog reads leniently (spaces in tags, a NULL domain) are not "changed by another writer"
        Store s = makeStore(u"sqlite"_s, 50);
        QProcess p;
        p.start(u"sqlite3"_s,
                {s.location,
                 u"UPDATE memories SET tags = ' t1 , n3 ' WHERE id = 'm00003';"
                 "UPDATE memories SET domain = NULL WHERE id = 'm00004';"_s});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        BulkEdit e;
        e.addTags = {u"z"_s};
        const BulkEditPlan plan = previewBulkEdit(*s.backend, e, BulkEditSource::ofIds({idOf(3), idOf(4), idOf(5)}));
        QCOMPARE(plan.changeCount(), qint64(3));
        const BulkEditOutcome outcome = applyBulkEdit(*s.backend, plan);
        QCOMPARE(outcome.written, (QStringList {idOf(3), idOf(4), idOf(5)}));
        const auto raw = rawState(s);
        QVERIFY2(raw.value(idOf(3)).contains("'t1,n3,z'"), raw.value(idOf(3)).constData());
        QVERIFY2(raw.value(idOf(4)).contains("'decisions'|NULL|'github.com/old/name'"),
                 raw.value(idOf(4)).constData()); // the domain is left alone
        QCOMPARE(s.backend->get(idOf(3))->tags, (QStringList {u"t1"_s, u"n3"_s, u"z"_s}));
    }

    void cancelStopsBetweenBatches()
    {
        Store s = makeStore(u"sqlite"_s, 2000);
        BulkEdit e;
        e.addTags = {u"x"_s};
        const BulkEditPlan plan = previewBulkEdit(*s.backend, e, BulkEditSource::ofFilter({}));
        QCOMPARE(plan.changeCount(), qint64(2000));
        int calls = 0;
        const BulkEditOutcome outcome = applyBulkEdit(
            *s.backend, plan, BulkDirection::Apply, [&](qint64, qint64) { return ++calls < 3; }, 500);
        QVERIFY(outcome.cancelled);
        QCOMPARE(outcome.written.size(), 1000); // two whole batches, nothing of the third
        QCOMPARE(s.backend->count(parseFilter(u"tag:x"_s).filter), qint64(1000));
    }

    void editCommand_data() { kinds(); }
    void editCommand()
    {
        QFETCH(QString, kind);
        const QString binary = qEnvironmentVariable("INSPECTOR_BINARY");
        if (binary.isEmpty())
            QSKIP("INSPECTOR_BINARY is not set");
        Store s = makeStore(kind, 300);
        const QString spec = kind == "filesystem"_L1 ? u"fs:"_s + s.location : s.location;
        s.backend.reset(); // the command is the only one at the store
        auto state = [&]() -> QByteArray {
            if (kind == "sqlite"_L1)
                // the main file and the WAL's content (a read-only open may leave an empty -wal behind)
                return fileHashOf(s.location) + fileHashOf(s.location + u"-wal"_s);
            if (kind == "filesystem"_L1)
                return folderTreeHash(s.location);
            QByteArray all;
            const auto raw = rawState(s);
            for (const QString& id : raw.keys())
                all += id.toUtf8() + raw.value(id);
            return QCryptographicHash::hash(all, QCryptographicHash::Sha256);
        };
        const QByteArray before = state();
        const QStringList args {u"edit"_s,      spec,
                                u"--filter"_s,  u"ns:decisions tag:n1"_s,
                                u"--set"_s,     u"project_id=github.com/new/name"_s,
                                u"--add-tag"_s, u"x"_s,
                                u"--replace"_s, u"file_path:src/=lib/"_s};
        QProcess p;
        p.start(binary, args + QStringList {u"--dry-run"_s});
        QVERIFY(p.waitForFinished(60000));
        const QString dryOut = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0, qPrintable(dryOut + QString::fromUtf8(p.readAllStandardError())));
        QVERIFY2(dryOut.contains(u"43 to change"_s), qPrintable(dryOut));
        QVERIFY(dryOut.contains(u"project_id: github.com/old/name → github.com/new/name"_s));
        QVERIFY(dryOut.contains(u"dry run: nothing written"_s));
        QCOMPARE(state(), before);

        p.start(binary, args);
        QVERIFY(p.waitForFinished(120000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0, qPrintable(out + QString::fromUtf8(p.readAllStandardError())));
        QVERIFY2(out.contains(u"43 written"_s), qPrintable(out));
        QVERIFY(state() != before);
        std::unique_ptr<PersistenceBackend> reopened;
        if (kind == "sqlite"_L1)
            reopened = SqliteBackend::open(s.location);
        else if (kind == "filesystem"_L1)
            reopened = FilesystemBackend::open(s.location);
        else
            reopened = PostgresBackend::open(s.location);
        QCOMPARE(reopened->count(parseFilter(u"project:github.com/new/name tag:x"_s).filter), qint64(43));
        const auto m1 = reopened->get(idOf(1));
        QCOMPARE(m1->filePath, std::optional<QString>(u"lib/file1.cpp"_s));
        QCOMPARE(m1->source, std::optional<QString>(u"src/file1.cpp"_s));
        QCOMPARE(reopened->get(idOf(2))->projectId, std::optional<QString>(u"github.com/old/name"_s));

        // bad arguments: usage error, nothing written
        const QByteArray written = state();
        p.start(binary, {u"edit"_s, spec, u"--add-tag"_s, u"a,b"_s});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        p.start(binary, {u"edit"_s, spec, u"--set"_s, u"content=x"_s});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        // a forgotten or empty selector is not "every memory"
        p.start(binary, {u"edit"_s, spec, u"--add-tag"_s, u"y"_s});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        p.start(binary, {u"edit"_s, spec, u"--filter"_s, u"id:,"_s, u"--add-tag"_s, u"y"_s});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        p.start(binary, {u"edit"_s, spec, u"--ids"_s, u","_s, u"--add-tag"_s, u"y"_s});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        QCOMPARE(state(), written);
    }
};

QTEST_GUILESS_MAIN(TestBulkEdit)
#include "tst_bulkedit.moc"
