// SPDX-License-Identifier: MIT
// Writes (validation, one memory's INSERT or UPDATE of the changed columns, deletes) and memory_vectors.
#include "postgresbackend.h"

#include "filtersql.h"
#include "jsonl.h"
#include "postgresinternal.h"
#include "vectorsfile.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <functional>

using namespace Qt::StringLiterals;

namespace Inspector {

void PostgresBackend::validateForWrite(const Memory& memory) const
{
    auto invalid = [&](const QString& why) {
        throw StorageError(StorageError::Kind::InvalidInput,
                           m_location + u": memory "_s + (memory.id.isEmpty() ? u"(no id)"_s : memory.id) + u": "_s
                               + why);
    };
    if (memory.id.isEmpty())
        invalid(u"the id is empty"_s);
    if (memory.namespaceName.isEmpty())
        invalid(u"the namespace is empty"_s);
    if (memory.status.isEmpty())
        invalid(u"the status is empty"_s);
    if (memory.groupId)
        invalid(u"subcog's PostgreSQL layout has no column 'group_id' to keep the value"_s);
    auto noNul = [&](const QString& field, const std::optional<QString>& value) {
        if (value && value->contains(QChar(0)))
            invalid(field + u" contains a NUL character, which PostgreSQL text cannot hold"_s);
    };
    noNul(u"id"_s, memory.id);
    noNul(u"content"_s, memory.content);
    noNul(u"namespace"_s, memory.namespaceName);
    noNul(u"domain"_s, memory.domain);
    noNul(u"status"_s, memory.status);
    noNul(u"project_id"_s, memory.projectId);
    noNul(u"branch"_s, memory.branch);
    noNul(u"file_path"_s, memory.filePath);
    noNul(u"source"_s, memory.source);
    for (const QString& tag : memory.tags)
        noNul(u"tag '"_s + QString(tag).remove(QChar(0)) + u'\'', tag);
    for (const QString& id : memory.sourceMemoryIds.value_or(QStringList {}))
        noNul(u"source_memory_ids"_s, id);
}

void PostgresBackend::writeRow(pqxx::transaction_base& tx, const Memory& memory)
{
    Sql read;
    read.text = u"SELECT "_s + selectList() + u" FROM memories WHERE id = "_s + read.add(memory.id) + u" FOR UPDATE"_s;
    const pqxx::result current = read.exec(tx);
    const QList<Memory> decoded = decodeRows(current);
    const Memory* e = decoded.isEmpty() ? nullptr : &decoded.first();

    Sql write;
    QStringList columns;
    QStringList values;
    // parameters are added only for the columns written: an unused one has no type PostgreSQL can infer
    auto set = [&](const char* column, bool differs, const std::function<QString()>& value) {
        if (e && !differs)
            return;
        columns << QString::fromLatin1(column);
        values << value();
    };
    auto optText = [&](const std::optional<QString>& v) -> QString { return v ? write.add(*v) : write.addNull(); };
    auto optNumber = [&](const std::optional<qint64>& v) -> QString {
        return (v ? write.add(*v) : write.addNull()) + u"::bigint"_s;
    };
    set("content", !e || e->content != memory.content, [&]() -> QString { return write.add(memory.content); });
    set("namespace", !e || e->namespaceName != memory.namespaceName,
        [&]() -> QString { return write.add(memory.namespaceName); });
    set("domain", !e || e->domain != memory.domain || e->domainForWrite() != memory.domainForWrite(),
        [&]() -> QString { return write.add(domainJson(memory.domainForWrite())); });
    set("project_id", !e || e->projectId != memory.projectId, [&]() -> QString { return optText(memory.projectId); });
    set("branch", !e || e->branch != memory.branch, [&]() -> QString { return optText(memory.branch); });
    set("file_path", !e || e->filePath != memory.filePath, [&]() -> QString { return optText(memory.filePath); });
    set("status", !e || e->status != memory.status, [&]() -> QString { return write.add(memory.status); });
    set("tags", !e || e->tags != memory.tags,
        [&]() -> QString { return write.add(FilterSql::arrayLiteral(memory.tags)) + u"::text[]"_s; });
    set("created_at", !e || e->createdAt != memory.createdAt,
        [&]() -> QString { return write.add(memory.createdAt) + u"::bigint"_s; });
    set("updated_at", !e || e->updatedAt != memory.updatedAt,
        [&]() -> QString { return write.add(memory.updatedAt) + u"::bigint"_s; });
    set("source", !e || e->source != memory.source, [&]() -> QString { return optText(memory.source); });
    set("tombstoned_at", !e || e->tombstonedAt != memory.tombstonedAt,
        [&]() -> QString { return optNumber(memory.tombstonedAt); });
    set("expires_at", !e || e->expiresAt != memory.expiresAt, [&]() -> QString { return optNumber(memory.expiresAt); });
    set("is_summary", !e || e->isSummary != memory.isSummary,
        [&]() -> QString { return write.add(memory.isSummary ? u"true"_s : u"false"_s) + u"::boolean"_s; });
    auto sourceIds = [&]() -> QString {
        if (memory.sourceMemoryIds) {
            QByteArray json = "[";
            for (qsizetype i = 0; i < memory.sourceMemoryIds->size(); ++i) {
                if (i)
                    json.append(',');
                appendJsonString(json, memory.sourceMemoryIds->at(i));
            }
            json.append(']');
            return write.add(QString::fromUtf8(json)) + u"::jsonb"_s;
        }
        return write.addNull() + u"::jsonb"_s;
    };
    set("source_memory_ids",
        !e || e->sourceMemoryIds != memory.sourceMemoryIds || (e->flags & MemoryFlag::InvalidSourceMemoryIds),
        sourceIds);
    set("consolidation_timestamp", !e || e->consolidationTimestamp != memory.consolidationTimestamp,
        [&]() -> QString { return optNumber(memory.consolidationTimestamp); });
    if (!e) {
        write.text = u"INSERT INTO memories (id, "_s + columns.join(u", "_s) + u") VALUES ("_s + write.add(memory.id)
            + u", "_s + values.join(u", "_s) + u')';
    } else if (!columns.isEmpty()) {
        QStringList assignments;
        for (qsizetype i = 0; i < columns.size(); ++i)
            assignments << columns[i] + u" = "_s + values[i];
        write.text = u"UPDATE memories SET "_s + assignments.join(u", "_s) + u" WHERE id = "_s + write.add(memory.id);
    }
    if (!write.text.isEmpty())
        write.exec(tx);
}

void PostgresBackend::store(const Memory& memory)
{
    storeBatch({memory});
}

void PostgresBackend::storeBatch(const QList<Memory>& memories)
{
    checkWritable();
    if (memories.isEmpty())
        return;
    for (const Memory& memory : memories)
        validateForWrite(memory);
    const QString what = memories.size() == 1
        ? QString(u"writing memory "_s + memories.first().id)
        : QString(u"writing "_s + QString::number(memories.size()) + u" memories"_s);
    try {
        guarded(what, [&](pqxx::connection& c) {
            pqxx::work tx(c);
            for (const Memory& memory : memories)
                writeRow(tx, memory);
            tx.commit();
            return 0;
        });
    } catch (const StorageError& error) {
        if (error.kind() != StorageError::Kind::InDoubt)
            throw;
        // The commit may or may not have happened: read the rows again before anyone retries.
        QStringList ids;
        for (const Memory& memory : memories)
            ids << memory.id;
        QList<Memory> now;
        try {
            now = getBatch(ids);
        } catch (const StorageError&) {
            throw StorageError(StorageError::Kind::Storage, error.message(), error.detail());
        }
        const bool committed = now.size() == memories.size()
            && std::equal(now.begin(), now.end(), memories.begin(),
                          [](const Memory& a, const Memory& b) { return a.sameFields(b); });
        if (committed)
            return;
        throw StorageError(StorageError::Kind::Storage,
                           m_location + u": "_s + what
                               + u": the connection was lost during commit and the write did not happen"_s,
                           error.detail());
    }
}

bool PostgresBackend::remove(const QString& id)
{
    checkWritable();
    return guarded(u"deleting memory "_s + id, [&](pqxx::connection& c) {
        pqxx::work tx(c);
        const pqxx::result r = tx.exec_params("DELETE FROM memories WHERE id = $1", toStd(id));
        tx.commit();
        return r.affected_rows() > 0;
    });
}

EmbeddingStorage PostgresBackend::embeddingStorage() const
{
    return m_hasVectorTable ? EmbeddingStorage::Apart : EmbeddingStorage::None;
}

QString PostgresBackend::embeddingsUnavailable() const
{
    return u"the database has no memory_vectors table (subcog creates it only where pgvector is installed)"_s;
}

QHash<QString, QList<float>> PostgresBackend::readEmbeddings(const QStringList& ids)
{
    QHash<QString, QList<float>> found;
    const bool inRows = m_columns.contains(u"embedding"_s); // the split and docker layouts keep them in the row
    if (ids.isEmpty() || (!m_hasVectorTable && !inRows))
        return found;
    return guarded(u"reading embeddings"_s, [&](pqxx::connection& c) {
        // inside an export's or copy's snapshot, the vectors come from the same moment as the memories
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        auto read = [&](const QString& table) {
            Sql sql;
            sql.text = u"SELECT id, embedding::text FROM "_s + table + u" WHERE id = ANY("_s
                + sql.add(FilterSql::arrayLiteral(ids)) + u"::text[]) AND embedding IS NOT NULL"_s;
            for (const auto& row : sql.exec(tx)) {
                const QString id = fromStd(row[0]);
                if (found.contains(id))
                    continue;
                if (auto values = parseVectorText(QByteArrayView(row[1].c_str(), qsizetype(row[1].size()))))
                    found.insert(id, *values);
                else
                    qCWarning(lcPostgres) << "embedding of" << id << "is not a vector's text";
            }
        };
        if (m_hasVectorTable)
            read(u"memory_vectors"_s);
        if (inRows)
            read(u"memories"_s);
        return found;
    });
}

QList<RecordIssue> PostgresBackend::writeEmbeddings(const QHash<QString, QList<float>>& embeddings)
{
    checkWritable();
    QList<RecordIssue> refused;
    QList<QPair<QString, QByteArray>> rows;
    for (auto it = embeddings.begin(); it != embeddings.end(); ++it) {
        QString problem = !m_hasVectorTable ? embeddingsUnavailable()
            : it->isEmpty()                 ? u"it is empty, and pgvector has no empty vectors"_s
                            : vectorProblem(*it, m_vectorDimensions ? m_vectorDimensions : int(it->size()));
        if (problem.isEmpty() && it.key().contains(QChar(0)))
            problem = u"the id contains a NUL character, which PostgreSQL text cannot hold"_s;
        if (problem.isEmpty())
            rows.append({it.key(), vectorText(*it)});
        else
            refused.append(RecordIssue {it.key(), problem, false});
    }
    if (rows.isEmpty())
        return refused;
    guarded(u"writing "_s + QString::number(rows.size()) + u" embeddings"_s, [&](pqxx::connection& c) {
        pqxx::work tx(c);
        constexpr qsizetype kRowsPerStatement = 200;
        for (qsizetype start = 0; start < rows.size(); start += kRowsPerStatement) {
            Sql sql;
            QStringList values;
            for (qsizetype i = start; i < qMin(rows.size(), start + kRowsPerStatement); ++i) {
                // untyped parameters take the column's type: pgvector's vector parses the text, TEXT keeps it
                const QString id = sql.add(rows[i].first);
                values << u'(' + id + u", "_s + sql.add(QString::fromLatin1(rows[i].second)) + u')';
            }
            sql.text = u"INSERT INTO memory_vectors (id, embedding) VALUES "_s + values.join(u", "_s)
                + u" ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding"_s;
            sql.exec(tx);
        }
        tx.commit();
        return 0;
    });
    return refused;
}

} // namespace Inspector
