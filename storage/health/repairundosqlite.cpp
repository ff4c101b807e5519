// SPDX-License-Identifier: MIT
// The undo of a SQLite repair: index.db rows by rowid, graph.db mentions, vectors.idx whole.
#include "repairundo.h"

#include "repairundointernal.h"

#include "sqlite/sqlitebackend.h"
#include "sqliteraw.h"
#include "storageerror.h"
#include "vectorsfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace RepairUndo {

namespace {

namespace Sqlite {

using namespace SqliteRaw;

struct Row
{
    QStringList names;
    QList<Value> values;
};

/// The columns from `first` on of the statement's current row, names and values (Value::appendTo's form).
QByteArray encodeRow(const Statement& q, int first)
{
    QByteArray out;
    for (int c = first; c < q.columnCount(); ++c) {
        const QByteArray name = q.columnName(c).toUtf8();
        const qint32 size = qint32(name.size());
        out.append(reinterpret_cast<const char*>(&size), sizeof size).append(name);
        q.value(c).appendTo(out);
    }
    return out;
}

Row decodeRow(const QByteArray& bytes)
{
    Row row;
    qsizetype at = 0;
    const auto take = [&](void* into, qsizetype size) {
        if (at + size > bytes.size())
            throw StorageError(StorageError::Kind::InvalidInput, u"a kept row image is damaged"_s);
        std::memcpy(into, bytes.constData() + at, size_t(size));
        at += size;
    };
    while (at < bytes.size()) {
        qint32 nameSize = 0;
        take(&nameSize, sizeof nameSize);
        if (nameSize < 0 || at + nameSize > bytes.size())
            throw StorageError(StorageError::Kind::InvalidInput, u"a kept row image is damaged"_s);
        row.names << QString::fromUtf8(bytes.constData() + at, nameSize);
        at += nameSize;
        Value v;
        char type = 0;
        take(&type, 1);
        v.type = type;
        if (v.type == SQLITE_INTEGER)
            take(&v.integer, sizeof v.integer);
        else if (v.type == SQLITE_FLOAT)
            take(&v.real, sizeof v.real);
        else if (v.type != SQLITE_NULL) {
            qint64 size = 0;
            take(&size, sizeof size);
            if (size < 0 || at + size > bytes.size())
                throw StorageError(StorageError::Kind::InvalidInput, u"a kept row image is damaged"_s);
            v.bytes = bytes.mid(at, size);
            at += size;
        }
        row.values << v;
    }
    return row;
}

const QStringList kTables {u"memories"_s, u"memories_fts"_s, u"memory_edges"_s};

QSet<QString> tablesOf(const Connection& db)
{
    QSet<QString> tables;
    Statement q(db, u"SELECT name FROM sqlite_master WHERE type = 'table'"_s);
    while (q.step())
        tables.insert(q.value(0).toText());
    return tables;
}

bool hasRowid(const Connection& db, const QString& table)
{
    sqlite3_stmt* stmt = nullptr;
    const QByteArray sql = "SELECT rowid FROM " + quotedIdentifier(table).toUtf8() + " LIMIT 0";
    const bool ok = sqlite3_prepare_v2(db.handle(), sql.constData(), int(sql.size()), &stmt, nullptr) == SQLITE_OK;
    sqlite3_finalize(stmt);
    return ok;
}

struct Side
{
    QHash<QPair<QString, QByteArray>, QByteArray> rows;
    QList<QPair<QString, QByteArray>> order;
    QHash<QPair<QString, QByteArray>, QString> owner;

    void add(const QString& table, const QByteArray& key, const QString& memoryId, const QByteArray& row)
    {
        const QPair<QString, QByteArray> at {table, key};
        if (rows.contains(at))
            return;
        rows.insert(at, row);
        order << at;
        owner.insert(at, memoryId);
    }
};

Side readSide(const Connection& db, const QStringList& ids)
{
    Side side;
    const QSet<QString> tables = tablesOf(db);
    if (tables.contains(u"memories"_s)) {
        Statement q(db, u"SELECT rowid, * FROM memories WHERE id = ?1"_s);
        for (const QString& id : ids) {
            q.bind(1, id);
            while (q.step())
                side.add(u"memories"_s, 'r' + QByteArray::number(q.value(0).integer), id, encodeRow(q, 1));
            q.reset();
        }
    }
    if (tables.contains(u"memory_edges"_s)) {
        const bool rowid = hasRowid(db, u"memory_edges"_s);
        Statement q(db,
                    u"SELECT "_s + (rowid ? u"rowid, "_s : QString())
                        + u"* FROM memory_edges WHERE from_id = ?1 OR to_id = ?1"_s);
        for (const QString& id : ids) {
            q.bind(1, id);
            while (q.step()) {
                const QByteArray row = encodeRow(q, rowid ? 1 : 0);
                side.add(u"memory_edges"_s, rowid ? 'r' + QByteArray::number(q.value(0).integer) : 'v' + row, id, row);
            }
            q.reset();
        }
    }
    if (tables.contains(u"memories_fts"_s)) {
        // the id column is not indexed: one pass, keeping the rows of the ids asked for
        const QSet<QString> wanted(ids.begin(), ids.end());
        Statement q(db, u"SELECT rowid, * FROM memories_fts"_s);
        while (q.step()) {
            const QString id = q.value(1).toText();
            if (wanted.contains(id))
                side.add(u"memories_fts"_s, 'r' + QByteArray::number(q.value(0).integer), id, encodeRow(q, 1));
        }
    }
    return side;
}

/// graph.db's mentions of `ids` (spec §14.1), tables named `graph.db:<table>`; the entities they name are added
/// to `entities`.
void readGraphMentions(const Connection& db, const QStringList& ids, Side& side, QStringList& entities)
{
    if (!tablesOf(db).contains(u"graph_entity_mentions"_s))
        return;
    const bool rowid = hasRowid(db, u"graph_entity_mentions"_s);
    Statement q(
        db, u"SELECT "_s + (rowid ? u"rowid, "_s : QString()) + u"* FROM graph_entity_mentions WHERE memory_id = ?1"_s);
    for (const QString& id : ids) {
        q.bind(1, id);
        while (q.step()) {
            const QByteArray row = encodeRow(q, rowid ? 1 : 0);
            side.add(u"graph.db:graph_entity_mentions"_s,
                     rowid ? 'r' + QByteArray::number(q.value(0).integer) : 'v' + row, id, row);
            const int entity = q.columnIndex("entity_id");
            if (entity >= 0 && !entities.contains(q.value(entity).toText()))
                entities << q.value(entity).toText();
        }
        q.reset();
    }
}

/// The rows of `entities` (their mention counts change with the mentions), each its own group.
void readGraphEntities(const Connection& db, const QStringList& entities, Side& side)
{
    if (!tablesOf(db).contains(u"graph_entities"_s) || !hasRowid(db, u"graph_entities"_s))
        return;
    Statement q(db, u"SELECT rowid, * FROM graph_entities WHERE id = ?1"_s);
    for (const QString& entity : entities) {
        q.bind(1, entity);
        while (q.step())
            side.add(u"graph.db:graph_entities"_s, 'r' + QByteArray::number(q.value(0).integer), u"entity "_s + entity,
                     encodeRow(q, 1));
        q.reset();
    }
}

QString whereRow(const Row& row, int firstParameter)
{
    QStringList terms;
    for (qsizetype i = 0; i < row.names.size(); ++i)
        terms << quotedIdentifier(row.names[i]) + u" IS ?"_s + QString::number(firstParameter + i);
    return terms.join(u" AND "_s);
}

/// What the store holds now under the image's key.
/// The table of an image: `graph.db:graph_entities` names a table of the file beside the store.
QString tableOf(const RepairImage& image)
{
    return image.table.section(u':', -1);
}

void put(const Connection& db, const RepairImage& image, const std::optional<QByteArray>& target,
         const std::optional<QByteArray>& guard)
{
    const QString table = quotedIdentifier(tableOf(image));
    const bool byRowid = image.key.startsWith('r');
    const qint64 rowid = byRowid ? image.key.mid(1).toLongLong() : 0;
    if (!target) {
        if (byRowid) {
            Statement q(db, u"DELETE FROM "_s + table + u" WHERE rowid = ?1"_s, u"cannot write the store"_s);
            q.bind(1, rowid);
            q.run();
        } else {
            const Row row = decodeRow(image.key.mid(1));
            Statement q(db, u"DELETE FROM "_s + table + u" WHERE "_s + whereRow(row, 1), u"cannot write the store"_s);
            for (qsizetype i = 0; i < row.values.size(); ++i)
                q.bind(int(i + 1), row.values[i]);
            q.run();
        }
        return;
    }
    const Row row = decodeRow(*target);
    QStringList names;
    for (const QString& name : row.names)
        names << quotedIdentifier(name);
    if (!guard) {
        QStringList slots;
        for (qsizetype i = 0; i < row.names.size(); ++i)
            slots << u'?' + QString::number(i + 2);
        Statement q(db,
                    u"INSERT INTO "_s + table + u" ("_s + (byRowid ? u"rowid, "_s : QString()) + names.join(u", "_s)
                        + u") VALUES ("_s + (byRowid ? u"?1, "_s : QString()) + slots.join(u", "_s) + u')',
                    u"cannot write the store"_s);
        if (byRowid)
            q.bind(1, rowid);
        for (qsizetype i = 0; i < row.values.size(); ++i)
            q.bind(int(i + 2), row.values[i]);
        q.run();
        return;
    }
    QStringList assignments;
    for (qsizetype i = 0; i < names.size(); ++i)
        assignments << names[i] + u" = ?"_s + QString::number(i + 2);
    Statement q(db, u"UPDATE "_s + table + u" SET "_s + assignments.join(u", "_s) + u" WHERE rowid = ?1"_s,
                u"cannot write the store"_s);
    q.bind(1, rowid);
    for (qsizetype i = 0; i < row.values.size(); ++i)
        q.bind(int(i + 2), row.values[i]);
    q.run();
}

using Key = QPair<QString, QByteArray>;

/// The rows each memory owns, as `side` read them.
QHash<QString, QHash<Key, QByteArray>> owned(const Side& side)
{
    QHash<QString, QHash<Key, QByteArray>> rows;
    for (const Key& at : side.order)
        rows[side.owner.value(at)].insert(at, side.rows.value(at));
    return rows;
}

/// The images of one database file (index.db, or graph.db beside it), in one transaction, a savepoint a memory.
/// A memory is put back only while every row of it the store holds (not only the ones the repair changed: a row
/// another writer added counts too) is what the other side says.
void restoreFile(const QString& path, const QList<const RepairImage*>& images, const QStringList& ids, bool graph,
                 bool undo, RepairRestoreOutcome& outcome)
{
    Connection db(path, false);
    // exact rows go back: a cascade from a memories row must not take edges with it
    db.exec("PRAGMA foreign_keys = OFF", u"cannot write the store"_s);
    db.exec("BEGIN IMMEDIATE", u"cannot write the store"_s);
    try {
        QList<QList<const RepairImage*>> groups;
        QHash<QString, qsizetype> at;
        QHash<QString, const RepairImage*> entities; // graph.db: the mention counts the repair lowered
        for (const RepairImage* image : images) {
            if (image->table == "graph.db:graph_entities"_L1) {
                entities.insert(QString::fromUtf8(image->key), image);
                continue;
            }
            auto it = at.constFind(image->memoryId);
            if (it == at.constEnd()) {
                it = at.insert(image->memoryId, groups.size());
                groups.append(QList<const RepairImage*>());
            }
            groups[*it] << image;
        }
        Side now;
        if (graph) {
            QStringList unused;
            readGraphMentions(db, ids, now, unused);
        } else {
            now = readSide(db, ids);
        }
        const QHash<QString, QHash<Key, QByteArray>> held = owned(now);
        QHash<QString, qint64> mentionsBack; // entity → mentions this run put back (undo) or took again (redo)
        for (const QList<const RepairImage*>& group : std::as_const(groups)) {
            const QString& id = group.first()->memoryId;
            QHash<Key, QByteArray> expected;
            for (const RepairImage* image : group) {
                const std::optional<QByteArray>& guard = undo ? image->after : image->before;
                if (guard)
                    expected.insert({image->table, image->key}, *guard);
            }
            if (held.value(id) != expected) {
                outcome.skipped << id;
                continue;
            }
            db.exec("SAVEPOINT memory", u"cannot write the store"_s);
            try {
                for (const RepairImage* image : group) {
                    const std::optional<QByteArray>& target = undo ? image->before : image->after;
                    const std::optional<QByteArray>& guard = undo ? image->after : image->before;
                    if (target == guard)
                        continue;
                    put(db, *image, target, guard);
                    if (graph && (!target || !guard)) {
                        const Row row = decodeRow(target ? *target : *guard);
                        const qsizetype entity = row.names.indexOf(u"entity_id"_s);
                        if (entity >= 0)
                            ++mentionsBack[row.values[entity].toText()];
                    }
                }
                db.exec("RELEASE memory", u"cannot write the store"_s);
                outcome.restored << id;
            } catch (const StorageError& e) {
                // e.g. a row with its key at another rowid now: this memory stays as it is, the others go on
                sqlite3_exec(db.handle(), "ROLLBACK TO memory; RELEASE memory", nullptr, nullptr, nullptr);
                outcome.failed << id + u": "_s + e.message();
            }
        }
        // the repair lowered each entity's mention_count by the mentions it deleted (not below 0): undo raises it
        // by as many of those as came back, redo lowers it again
        for (auto it = mentionsBack.cbegin(); it != mentionsBack.cend(); ++it) {
            const RepairImage* entity = entities.value(it.key());
            const qint64 lowered = entity ? entity->before.value_or(QByteArray()).toLongLong() : 0;
            const qint64 by = qMin(it.value(), lowered);
            if (by <= 0)
                continue;
            Statement q(db,
                        undo ? u"UPDATE graph_entities SET mention_count = mention_count + ?1 WHERE id = ?2"_s
                             : u"UPDATE graph_entities SET mention_count = MAX(mention_count - ?1, 0) WHERE id = ?2"_s,
                        u"cannot write the store"_s);
            q.bind(1, by);
            q.bind(2, it.key());
            q.run();
        }
        db.exec("COMMIT", u"cannot write the store"_s);
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

} // namespace Sqlite

namespace {

/// Every row of the memories on either side, changed or not: an unchanged one guards the memory on undo.
void addImages(RepairImages& result, const Sqlite::Side& before, const Sqlite::Side& after)
{
    QSet<QPair<QString, QByteArray>> seen;
    for (const Sqlite::Side* side : {&before, &after}) {
        for (const auto& at : side->order) {
            if (seen.contains(at))
                continue;
            seen.insert(at);
            RepairImage image;
            image.table = at.first;
            image.key = at.second;
            image.memoryId = side->owner.value(at);
            if (before.rows.contains(at))
                image.before = before.rows.value(at);
            if (after.rows.contains(at))
                image.after = after.rows.value(at);
            result.images << image;
        }
    }
}

} // namespace

namespace {

/// The index.db tables a repair of these classes writes (spec §15); the rows of the others only guard.
QSet<QString> tablesWritten(const QStringList& classes)
{
    if (classes.isEmpty())
        return {u"memories"_s, u"memories_fts"_s, u"memory_edges"_s};
    QSet<QString> tables;
    for (const QString& cls : classes) {
        if (cls != "tags-drift"_L1 && cls != "duplicate-content"_L1 && cls != "dangling-edge"_L1
            && cls != "lost-edge"_L1)
            tables << u"memories"_s;
        if (cls == "messy-tags"_L1 || cls == "tags-drift"_L1 || cls == "duplicate-content"_L1
            || cls == "stale-hash-tag"_L1 || cls == "duplicate-memory"_L1)
            tables << u"memories_fts"_s;
        if (cls == "dangling-edge"_L1 || cls == "lost-edge"_L1 || cls == "duplicate-memory"_L1)
            tables << u"memory_edges"_s;
    }
    return tables;
}

} // namespace

} // namespace

RepairRestoreOutcome restoreSqlite(const RepairImages& images, bool undo)
{
    RepairRestoreOutcome outcome;
    QList<const RepairImage*> index;
    QList<const RepairImage*> graph;
    QList<const RepairImage*> files;
    for (const RepairImage& image : images.images)
        (image.table == "file"_L1 ? files : image.table.startsWith("graph.db:"_L1) ? graph : index) << &image;
    if (!index.isEmpty())
        Sqlite::restoreFile(images.location, index, images.ids, false, undo, outcome);
    if (!graph.isEmpty())
        Sqlite::restoreFile(SqliteBackend::fileBesideIndex(images.location, u"graph.db"_s), graph, images.ids, true,
                            undo, outcome);
    for (const RepairImage* image : std::as_const(files)) {
        const QString path = SqliteBackend::fileBesideIndex(images.location, QString::fromUtf8(image->key));
        if (Folder::read(path) != (undo ? image->after : image->before)) {
            outcome.skipped << image->memoryId;
            continue;
        }
        try {
            Folder::write(path, *(undo ? image->before : image->after));
        } catch (const StorageError& e) {
            outcome.failed << image->memoryId + u": "_s + e.message();
            continue;
        }
        outcome.restored << image->memoryId;
    }
    return outcome;
}

} // namespace RepairUndo

using namespace RepairUndo;

RepairImages sqliteRepairImages(const QString& path, const QStringList& backupPaths, const QStringList& ids,
                                const QStringList& classes, qint64 maxFileBytes)
{
    using namespace Sqlite;
    RepairImages result;
    result.kind = RepairImages::Kind::Sqlite;
    result.location = path;
    result.ids = ids;
    const QString graph = SqliteBackend::fileBesideIndex(path, u"graph.db"_s);
    const QString vectors = SqliteBackend::fileBesideIndex(path, u"vectors.idx"_s);
    for (const QString& backup : backupPaths) {
        const QString name = QFileInfo(backup).fileName();
        if (name.startsWith(QFileInfo(path).fileName() + u".backup-"_s)) {
            const qsizetype first = result.images.size();
            addImages(result, readSide(Connection(backup, true), ids), readSide(Connection(path, true), ids));
            // a row of a table the repair does not write changed since the backup by another writer: undo keeps it
            const QSet<QString> written = tablesWritten(classes);
            for (qsizetype i = first; i < result.images.size(); ++i) {
                if (!written.contains(result.images[i].table))
                    result.images[i].before = result.images[i].after;
            }
        } else if (!graph.isEmpty() && name.startsWith(u"graph.db.backup-"_s)) {
            const Connection before(backup, true);
            const Connection now(graph, true);
            Side was;
            Side is;
            QStringList entities;
            readGraphMentions(before, ids, was, entities);
            readGraphMentions(now, ids, is, entities);
            addImages(result, was, is);
            // how far the repair lowered each entity's mention_count: one a deleted mention, not below what it was
            Side counts;
            readGraphEntities(before, entities, counts);
            QHash<QString, qint64> deleted;
            for (const Key& at : was.order) {
                if (!is.rows.contains(at)) {
                    const Row row = decodeRow(was.rows.value(at));
                    const qsizetype entity = row.names.indexOf(u"entity_id"_s);
                    if (entity >= 0)
                        ++deleted[row.values[entity].toText()];
                }
            }
            for (const Key& at : counts.order) {
                const Row row = decodeRow(counts.rows.value(at));
                const qsizetype id = row.names.indexOf(u"id"_s);
                const qsizetype count = row.names.indexOf(u"mention_count"_s);
                if (id < 0 || count < 0)
                    continue;
                const QString entity = row.values[id].toText();
                RepairImage image;
                image.table = u"graph.db:graph_entities"_s;
                image.key = entity.toUtf8();
                image.memoryId = u"entity "_s + entity;
                image.before
                    = QByteArray::number(qMin(deleted.value(entity), row.values[count].toInteger().value_or(0)));
                result.images << image;
            }
        } else if (!vectors.isEmpty() && name.startsWith(u"vectors.idx.backup-"_s)) {
            // rewritten whole, so kept whole: up to a size
            if (QFileInfo(backup).size() > maxFileBytes || QFileInfo(vectors).size() > maxFileBytes) {
                result.incomplete = u"vectors.idx is too large to keep for undo"_s;
                continue;
            }
            RepairImage image;
            image.table = u"file"_s;
            image.key = "vectors.idx";
            image.memoryId = u"vectors.idx"_s;
            image.before = Folder::read(backup);
            image.after = Folder::read(vectors);
            if (image.before != image.after)
                result.images << image;
        }
    }
    return result;
}

} // namespace Inspector
