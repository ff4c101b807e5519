// SPDX-License-Identifier: MIT
// One step of a merge (or its undo or redo) in a SQLite store: one BEGIN IMMEDIATE transaction on a connection of
// its own holds the write lock while the backend reads the memories (its own decoding) and they are compared; then
// UPDATE of the changed columns (never INSERT OR REPLACE, which would cascade to memory_edges), the memories_fts
// row's tags, and the edges, all committed together or rolled back together (spec §15: a memory that changed since
// it was checked is not written).
#include "duplicatemergewrite.h"

#include "health/sqliteraw.h"
#include "sqlitebackend.h"
#include "sqliteinternal.h"
#include "storageerror.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

using SqliteRaw::Value;

Value optionalText(const std::optional<QString>& v)
{
    return v ? Value::text(*v) : Value {};
}

Value optionalNumber(const std::optional<qint64>& v)
{
    return v ? Value::number(*v) : Value {};
}

void writeMemory(const SqliteRaw::Connection& db, SqliteBackend& store, const Memory& current, const Memory& desired)
{
    const auto invalid = [&](const QString& why) {
        throw StorageError(StorageError::Kind::InvalidInput,
                           store.location() + u": memory "_s + desired.id + u": "_s + why);
    };
    if (current.content != desired.content)
        invalid(u"a merge does not change a memory's content"_s);
    for (const QString& tag : desired.tags) {
        if (tag.contains(u',') || tag.isEmpty() || tag.trimmed() != tag)
            invalid(u"tag '"_s + tag + u"' cannot be kept comma-joined in SQLite"_s);
    }
    QList<std::pair<QString, Value>> changes;
    const auto want = [&](const char* column, bool differs, const Value& value) {
        if (!differs)
            return;
        const QString name = QString::fromLatin1(column);
        if (!store.columns().contains(name)) {
            if (value.isNull())
                return;
            invalid(u"this store's layout (an older subcog) has no column '"_s + name + u"' to keep the value"_s);
        }
        changes.append({name, value});
    };
    want("namespace", current.namespaceName != desired.namespaceName, Value::text(desired.namespaceName));
    want("domain", current.domain != desired.domain,
         Value::text(desired.domain.isEmpty() ? u"project"_s : desired.domain));
    want("project_id", current.projectId != desired.projectId, optionalText(desired.projectId));
    want("branch", current.branch != desired.branch, optionalText(desired.branch));
    want("file_path", current.filePath != desired.filePath, optionalText(desired.filePath));
    want("status", current.status != desired.status, Value::text(desired.status));
    const QString tagString = desired.tags.join(u',');
    const bool tagsChange = current.tags != desired.tags;
    want("tags", tagsChange, Value::text(tagString));
    want("source", current.source != desired.source, optionalText(desired.source));
    want("tombstoned_at", current.tombstonedAt != desired.tombstonedAt, optionalNumber(desired.tombstonedAt));
    want("expires_at", current.expiresAt != desired.expiresAt, optionalNumber(desired.expiresAt));
    Value sourceIds;
    if (desired.sourceMemoryIds)
        sourceIds = Value::text(QString::fromUtf8(
            QJsonDocument(QJsonArray::fromStringList(*desired.sourceMemoryIds)).toJson(QJsonDocument::Compact)));
    want("source_memory_ids", current.sourceMemoryIds != desired.sourceMemoryIds, sourceIds);
    if (changes.isEmpty())
        return;
    QStringList sets;
    for (const auto& change : std::as_const(changes))
        sets << SqliteInternal::quoteIdentifier(change.first) + u" = ?"_s;
    SqliteRaw::Statement update(db, u"UPDATE memories SET "_s + sets.join(u", "_s) + u" WHERE id = ?"_s,
                                u"cannot write memory "_s + desired.id);
    int index = 1;
    for (const auto& change : std::as_const(changes))
        update.bind(index++, change.second);
    update.bind(index, desired.id);
    update.run();
    if (tagsChange && store.hasFullTextTable()) {
        // spec §10: memories and memories_fts in step; through the FTS index by id where the id has a token
        const bool byToken = SqliteInternal::hasFullTextToken(desired.id);
        SqliteRaw::Statement fts(db,
                                 byToken
                                     ? u"UPDATE memories_fts SET tags = ?1 WHERE memories_fts MATCH ?2 AND id = ?3"_s
                                     : u"UPDATE memories_fts SET tags = ?1 WHERE id = ?3"_s,
                                 u"cannot write the text of memory "_s + desired.id);
        fts.bind(1, tagString);
        if (byToken)
            fts.bind(2, u"id:"_s + SqliteInternal::ftsPhrase(desired.id));
        fts.bind(3, desired.id);
        fts.run();
    }
}

QList<MemoryEdge> changeEdges(const SqliteRaw::Connection& db, const QList<MemoryEdge>& edges, bool add)
{
    QList<MemoryEdge> changed;
    if (edges.isEmpty())
        return changed;
    // an edge already there is left as it is (another writer's time wins); a delete takes only the row as written
    SqliteRaw::Statement q(db,
                           add ? u"INSERT OR IGNORE INTO memory_edges (from_id, to_id, edge_type, created_at) "
                                 "VALUES (?1, ?2, ?3, ?4)"_s
                               : u"DELETE FROM memory_edges WHERE from_id = ?1 AND to_id = ?2 AND edge_type = ?3 "
                                 "AND created_at = ?4"_s,
                           u"cannot write the merge's edges"_s);
    for (const MemoryEdge& e : edges) {
        q.bind(1, e.fromId);
        q.bind(2, e.toId);
        q.bind(3, e.edgeType);
        q.bind(4, e.createdAt);
        if (q.run() > 0)
            changed << e;
    }
    return changed;
}

} // namespace

std::optional<MergeWritten> MergeWrite::sqlite(PersistenceBackend& backend, const QList<Memory>& expected,
                                               const QList<Memory>& desired, const QList<MemoryEdge>& addEdges,
                                               const QList<MemoryEdge>& removeEdges)
{
    auto* store = dynamic_cast<SqliteBackend*>(&backend);
    if (!store)
        return std::nullopt;
    if (store->isReadOnly())
        throw StorageError(StorageError::Kind::OperationFailed, store->location() + u": the store is open read-only"_s);
    if ((!addEdges.isEmpty() || !removeEdges.isEmpty()) && !store->hasEdgeTable())
        throw StorageError(StorageError::Kind::InvalidInput,
                           store->location()
                               + u": no memory_edges table (written before subcog v0.6) to keep edges in"_s);
    QStringList ids;
    for (const Memory& m : expected)
        ids << m.id;
    QStringList desiredIds;
    for (const Memory& m : desired)
        desiredIds << m.id;

    MergeWritten written;
    {
        SqliteRaw::Connection db(store->location(), false);
        // the write lock first: from here on no other writer can commit, so what the backend's connection reads
        // next is what this transaction updates (the same lock wait as subcog's, spec §4.1)
        sqlite3_busy_timeout(db.handle(), 5000);
        db.exec("BEGIN IMMEDIATE", u"cannot start the merge's transaction"_s);
        bool committed = false;
        struct Rollback
        {
            const SqliteRaw::Connection& db;
            const bool& committed;
            ~Rollback()
            {
                if (!committed)
                    sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            }
        } rollback {db, committed};

        const QList<Memory> current = store->getBatch(ids);
        written.conflicts = conflicts(expected, current);
        if (!written.conflicts.isEmpty())
            return written; // rolled back: nothing written
        QHash<QString, const Memory*> byId;
        for (const Memory& m : current)
            byId.insert(m.id, &m);
        written.edgesRemoved = changeEdges(db, removeEdges, false);
        for (const Memory& m : desired) {
            const Memory* now = byId.value(m.id);
            if (!now)
                throw StorageError(StorageError::Kind::InvalidInput,
                                   store->location() + u": memory "_s + m.id + u" is not one the merge checked"_s);
            writeMemory(db, *store, *now, m);
        }
        written.edgesAdded = changeEdges(db, addEdges, true);
        db.exec("COMMIT", u"cannot commit the merge"_s);
        committed = true;
    }
    written.stored = store->getBatch(desiredIds);
    return written;
}

} // namespace Inspector
