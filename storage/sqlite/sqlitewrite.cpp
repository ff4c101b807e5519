// SPDX-License-Identifier: MIT
// Writes: one BEGIN IMMEDIATE transaction keeping `memories` and `memories_fts` in step.
#include "sqlitebackend.h"

#include "sqliteinternal.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace SqliteInternal;

void SqliteBackend::store(const Memory& memory)
{
    storeBatch({memory});
}

void SqliteBackend::storeBatch(const QList<Memory>& memories)
{
    assertThread();
    checkWritable();
    if (memories.isEmpty())
        return;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    Transaction tx(db);
    QSqlQuery q(db);
    beginWrite(tx, q, u"cannot start a write"_s);
    for (const Memory& memory : memories)
        writeRow(memory);
    if (!q.exec(u"COMMIT"_s))
        fail(memories.size() == 1
                 ? QString(u"committing memory "_s + memories.first().id + u" failed"_s)
                 : QString(u"committing "_s + QString::number(memories.size()) + u" memories failed"_s),
             q.lastError());
    tx.committed = true;
}

void SqliteBackend::beginWrite(Transaction& tx, QSqlQuery& q, const QString& what)
{
    // what scans proved about the FTS table is forgotten: this connection's writes do not move data_version
    m_fts->forgetProofs();
    if (!q.exec(u"BEGIN IMMEDIATE"_s))
        fail(what, q.lastError());
    tx.open = true;
}

void SqliteBackend::writeRow(const Memory& memory)
{
    auto invalid = [&](const QString& why) {
        throw StorageError(StorageError::Kind::InvalidInput,
                           m_path + u": memory "_s + (memory.id.isEmpty() ? u"(no id)"_s : memory.id) + u": "_s + why);
    };
    if (memory.id.isEmpty())
        invalid(u"the id is empty"_s);
    if (memory.namespaceName.isEmpty())
        invalid(u"the namespace is empty"_s);
    if (memory.status.isEmpty())
        invalid(u"the status is empty"_s);
    for (const QString& tag : memory.tags) {
        if (tag.contains(u','))
            invalid(u"tag '"_s + tag + u"' contains a comma; subcog keeps tags comma-joined in SQLite"_s);
        if (tag.isEmpty() || tag.trimmed() != tag)
            invalid(u"tag '"_s + tag + u"' is empty or has surrounding spaces, which SQLite stores cannot keep"_s);
    }

    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    QList<RawRow> existingRows
        = readRows(u"SELECT "_s + selectList() + u" FROM memories m WHERE m.id = ?"_s, {memory.id});
    std::optional<Memory> existing;
    if (!existingRows.isEmpty()) {
        QList<Memory> decoded;
        attachContent(existingRows, decoded, nullptr, true, true);
        if (!decoded.isEmpty())
            existing = decoded.first();
    }

    // column → new value, for the columns that change (all of them on insert)
    QList<QPair<QString, QVariant>> changes;
    auto text
        = [](const std::optional<QString>& v) { return v ? QVariant(*v) : QVariant(QMetaType::fromType<QString>()); };
    auto number
        = [](const std::optional<qint64>& v) { return v ? QVariant(*v) : QVariant(QMetaType::fromType<qlonglong>()); };
    auto want = [&](const QString& column, bool differs, const QVariant& value, bool isDefault) {
        if (existing && !differs)
            return;
        if (!m_columns.contains(column)) {
            if (!isDefault)
                invalid(u"this store's layout (an older subcog) has no column '"_s + column + u"' to keep the value"_s);
            return;
        }
        changes.append({column, value});
    };
    const Memory* e = existing ? &*existing : nullptr;
    want(u"namespace"_s, !e || e->namespaceName != memory.namespaceName, memory.namespaceName, false);
    want(u"domain"_s, !e || e->domain != memory.domain, memory.domain.isEmpty() ? u"project"_s : memory.domain, false);
    want(u"project_id"_s, !e || e->projectId != memory.projectId, text(memory.projectId), !memory.projectId);
    want(u"branch"_s, !e || e->branch != memory.branch, text(memory.branch), !memory.branch);
    want(u"file_path"_s, !e || e->filePath != memory.filePath, text(memory.filePath), !memory.filePath);
    want(u"status"_s, !e || e->status != memory.status, memory.status, false);
    want(u"created_at"_s, !e || e->createdAt != memory.createdAt, memory.createdAt, false);
    const QString tagString = notNull(memory.tags.join(u','));
    want(u"tags"_s, !e || e->tags != memory.tags, tagString, false);
    want(u"source"_s, !e || e->source != memory.source, text(memory.source), !memory.source);
    want(u"tombstoned_at"_s, !e || e->tombstonedAt != memory.tombstonedAt, number(memory.tombstonedAt),
         !memory.tombstonedAt);
    want(u"expires_at"_s, !e || e->expiresAt != memory.expiresAt, number(memory.expiresAt), !memory.expiresAt);
    want(u"is_summary"_s, !e || e->isSummary != memory.isSummary, memory.isSummary ? 1 : 0, !memory.isSummary);
    QVariant sourceIds(QMetaType::fromType<QString>());
    if (memory.sourceMemoryIds)
        sourceIds = QString::fromUtf8(
            QJsonDocument(QJsonArray::fromStringList(*memory.sourceMemoryIds)).toJson(QJsonDocument::Compact));
    want(u"source_memory_ids"_s,
         !e || e->sourceMemoryIds != memory.sourceMemoryIds || (e->flags & MemoryFlag::InvalidSourceMemoryIds),
         sourceIds, !memory.sourceMemoryIds);
    want(u"consolidation_timestamp"_s, !e || e->consolidationTimestamp != memory.consolidationTimestamp,
         number(memory.consolidationTimestamp), !memory.consolidationTimestamp);
    want(u"group_id"_s, !e || e->groupId != memory.groupId, text(memory.groupId), !memory.groupId);
    if (m_contentColumn)
        want(u"content"_s, !e || e->content != memory.content, notNull(memory.content), false);

    // A row that exists but cannot be decoded (a repair) is rewritten whole with UPDATE, like a new one.
    if (existingRows.isEmpty()) {
        QStringList columns {u"id"_s};
        QVariantList values {memory.id};
        for (const auto& [column, value] : changes) {
            columns << quoteIdentifier(column);
            values << value;
        }
        const QString sql = u"INSERT INTO memories ("_s + columns.join(u", "_s) + u") VALUES ("_s
            + placeholders(columns.size()) + u')';
        q.prepare(sql);
        for (const QVariant& v : values)
            q.addBindValue(v);
        if (!q.exec())
            fail(u"writing memory "_s + memory.id + u" failed"_s, q.lastError(), sql);
    } else if (!changes.isEmpty()) {
        // UPDATE, never INSERT OR REPLACE: a replace deletes the row first and cascades to memory_edges.
        QStringList sets;
        for (const auto& change : std::as_const(changes))
            sets << quoteIdentifier(change.first) + u" = ?"_s;
        const QString sql = u"UPDATE memories SET "_s + sets.join(u", "_s) + u" WHERE id = ?"_s;
        q.prepare(sql);
        for (const auto& change : std::as_const(changes))
            q.addBindValue(change.second);
        q.addBindValue(memory.id);
        if (!q.exec())
            fail(u"updating memory "_s + memory.id + u" failed"_s, q.lastError(), sql);
    }

    if (m_hasFts) {
        const QList<ContentRow> rows = fetchContent({memory.id}).value(memory.id);
        const bool inStep
            = rows.size() == 1 && rows.first().content == memory.content && rows.first().tags.toString() == tagString;
        if (!inStep) {
            for (const ContentRow& row : rows) {
                const QString sql = u"DELETE FROM memories_fts WHERE rowid = ?"_s;
                q.prepare(sql);
                q.addBindValue(row.rowid);
                if (!q.exec())
                    fail(u"updating the text of memory "_s + memory.id + u" failed"_s, q.lastError(), sql);
            }
            const QString sql = u"INSERT INTO memories_fts (id, content, tags) VALUES (?, ?, ?)"_s;
            q.prepare(sql);
            q.addBindValue(memory.id);
            q.addBindValue(notNull(memory.content));
            q.addBindValue(tagString);
            if (!q.exec())
                fail(u"writing the text of memory "_s + memory.id + u" failed"_s, q.lastError(), sql);
        }
    }
}

bool SqliteBackend::remove(const QString& id)
{
    assertThread();
    checkWritable();
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    Transaction tx(db);
    QSqlQuery q(db);
    beginWrite(tx, q, u"cannot start a delete"_s);
    bool removed = false;
    if (m_hasFts) {
        for (const ContentRow& row : fetchContent({id}).value(id)) {
            const QString sql = u"DELETE FROM memories_fts WHERE rowid = ?"_s;
            q.prepare(sql);
            q.addBindValue(row.rowid);
            if (!q.exec())
                fail(u"deleting memory "_s + id + u" failed"_s, q.lastError(), sql);
            removed = true;
        }
    }
    const QString sql = u"DELETE FROM memories WHERE id = ?"_s;
    q.prepare(sql);
    q.addBindValue(id);
    if (!q.exec())
        fail(u"deleting memory "_s + id + u" failed"_s, q.lastError(), sql);
    removed = removed || q.numRowsAffected() > 0;
    if (!q.exec(u"COMMIT"_s))
        fail(u"committing the delete of "_s + id + u" failed"_s, q.lastError());
    tx.committed = true;
    return removed;
}

} // namespace Inspector
