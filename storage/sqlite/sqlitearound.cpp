// SPDX-License-Identifier: MIT
// What a SQLite store keeps around its memories: the embeddings in its data folder's vectors.idx, and the
// memory_edges rows.
#include "sqlitebackend.h"

#include "sqliteinternal.h"
#include "vectorids.h"
#include "vectorsfile.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Inspector {

using SqliteInternal::placeholders;

namespace {

constexpr qsizetype kIdsPerStatement = 400; // well below SQLite's oldest bound-parameter limit (999), twice used

} // namespace

struct SqliteBackend::VectorsCache
{
    VectorsFile file;
    QDateTime modified;
    qint64 size = -1;
    /// the ids of usearch's vectors.meta.json, as of its time and size
    std::optional<QSet<QString>> usearchIds;
    QDateTime usearchModified;
    qint64 usearchSize = -1;
};

QString SqliteBackend::fileBesideIndex(const QString& path, const QString& name)
{
    // subcog keeps one vectors.idx in its data folder, beside index.db (spec §2.2); other SQLite files have none
    const QFileInfo info(path);
    if (info.fileName() != "index.db"_L1)
        return {};
    return info.absolutePath() + u'/' + name;
}

QString SqliteBackend::besideIndex(const QString& name) const
{
    return fileBesideIndex(m_path, name);
}

const SqliteBackend::VectorsCache* SqliteBackend::loadVectors()
{
    const QString path = besideIndex(u"vectors.idx"_s);
    if (path.isEmpty())
        return nullptr;
    const QFileInfo info(path);
    if (!info.exists()) {
        m_vectors.reset();
        return nullptr;
    }
    if (m_vectors && m_vectors->size == info.size() && m_vectors->modified == info.lastModified())
        return m_vectors.get();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw StorageError(StorageError::Kind::OperationFailed, path + u": cannot read: "_s + file.errorString());
    const QByteArray text = file.readAll();
    QString reason;
    auto parsed = parseVectorsFile(text, &reason);
    if (!parsed)
        throw StorageError(StorageError::Kind::InvalidInput, path + u": "_s + reason);
    auto cache = std::make_shared<VectorsCache>();
    cache->file = std::move(*parsed);
    cache->modified = info.lastModified();
    cache->size = info.size();
    m_vectors = std::move(cache);
    return m_vectors.get();
}

const QHash<QString, QList<float>>* SqliteBackend::vectorsById()
{
    if (embeddingStorage() != EmbeddingStorage::Apart)
        return nullptr;
    const VectorsCache* cache = loadVectors();
    return cache ? &cache->file.vectors : nullptr;
}

const QSet<QString>* SqliteBackend::vectorIds()
{
    if (embeddingStorage() != EmbeddingStorage::Apart)
        return nullptr;
    const QString path = besideIndex(u"vectors.idx"_s);
    const QFileInfo info(path);
    if (!info.exists()) {
        m_vectorIds.reset();
        return nullptr;
    }
    if (m_vectorIds && m_vectorIds->size == info.size() && m_vectorIds->modified == info.lastModified())
        return &*m_vectorIds->usearchIds;
    auto cache = std::make_shared<VectorsCache>();
    cache->usearchIds.emplace();
    const VectorIdScan scan = scanVectorIds(path, vectorIdFiles().constFirst(), [&](const QString& id) {
        cache->usearchIds->insert(id);
        return true;
    });
    if (!scan.problem.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput, path + u": "_s + scan.problem);
    cache->modified = info.lastModified();
    cache->size = info.size();
    m_vectorIds = std::move(cache);
    return &*m_vectorIds->usearchIds;
}

EmbeddingStorage SqliteBackend::embeddingStorage() const
{
    if (besideIndex(u"vectors.idx"_s).isEmpty())
        return EmbeddingStorage::None;
    if (QFileInfo::exists(besideIndex(u"vectors.usearch"_s)) || QFileInfo::exists(besideIndex(u"vectors.meta.json"_s)))
        return EmbeddingStorage::None;
    return EmbeddingStorage::Apart;
}

QString SqliteBackend::embeddingsUnavailable() const
{
    if (besideIndex(u"vectors.idx"_s).isEmpty())
        return u"a SQLite store keeps embeddings in its data folder's vectors.idx, and only a file named index.db "
               "is a data folder's store"_s;
    return u"its data folder keeps embeddings in usearch's binary vectors.usearch, which the inspector cannot "
           "write"_s;
}

QHash<QString, QList<float>> SqliteBackend::readEmbeddings(const QStringList& ids)
{
    const VectorsCache* cache = loadVectors();
    QHash<QString, QList<float>> found;
    if (!cache)
        return found;
    for (const QString& id : ids) {
        const auto it = cache->file.vectors.constFind(id);
        if (it != cache->file.vectors.constEnd())
            found.insert(id, *it);
    }
    return found;
}

qint64 SqliteBackend::countUnreadableEmbeddings(const QStringList& ids)
{
    const QString meta = besideIndex(u"vectors.meta.json"_s);
    if (meta.isEmpty() || !QFileInfo::exists(meta))
        return 0;
    const VectorsCache* cache = loadVectors(); // a vector in vectors.idx too is read from there
    // read once per change, not once per batch of a copy
    const QFileInfo info(meta);
    if (!m_usearch || m_usearch->usearchSize != info.size() || m_usearch->usearchModified != info.lastModified()) {
        m_usearch = std::make_shared<VectorsCache>();
        m_usearch->usearchIds = readUsearchMetaIds(meta);
        m_usearch->usearchModified = info.lastModified();
        m_usearch->usearchSize = info.size();
    }
    const auto& usearchIds = m_usearch->usearchIds;
    if (!usearchIds)
        return 0;
    qint64 n = 0;
    for (const QString& id : ids) {
        if (usearchIds->contains(id) && !(cache && cache->file.vectors.contains(id)))
            ++n;
    }
    return n;
}

QString SqliteBackend::unreadableEmbeddingsReason() const
{
    return u"kept in usearch's binary vectors.usearch, which the inspector cannot read"_s;
}

QList<RecordIssue> SqliteBackend::writeEmbeddings(const QHash<QString, QList<float>>& embeddings)
{
    assertThread();
    checkWritable();
    QList<RecordIssue> refused;
    if (embeddings.isEmpty())
        return refused;
    if (embeddingStorage() != EmbeddingStorage::Apart) {
        for (auto it = embeddings.begin(); it != embeddings.end(); ++it)
            refused.append(RecordIssue {it.key(), embeddingsUnavailable(), false});
        return refused;
    }
    // merge with the vectors already there: an unreadable file is never replaced (loadVectors throws)
    const VectorsCache* current = loadVectors();
    VectorsFile file = current ? current->file : VectorsFile {};
    bool changed = false;
    for (auto it = embeddings.begin(); it != embeddings.end(); ++it) {
        const QString problem = vectorProblem(*it, file.dimensions);
        if (!problem.isEmpty()) {
            refused.append(RecordIssue {it.key(), problem, false});
            continue;
        }
        auto old = file.vectors.find(it.key());
        if (old != file.vectors.end() && *old == *it)
            continue;
        file.vectors.insert(it.key(), *it);
        changed = true;
    }
    if (changed) {
        const QString path = besideIndex(u"vectors.idx"_s);
        writeFileAtomically(path, serializeVectorsFile(file));
        m_vectors.reset(); // read again next time, with the file's new size and time
        m_vectorIds.reset();
    }
    return refused;
}

QList<MemoryEdge> SqliteBackend::edgesTouching(const QStringList& ids)
{
    assertThread();
    QList<MemoryEdge> edges;
    if (!m_hasEdges)
        return edges;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    QSet<QString> seen;
    for (qsizetype start = 0; start < ids.size(); start += kIdsPerStatement) {
        const QStringList chunk = ids.mid(start, kIdsPerStatement);
        const QString list = placeholders(chunk.size());
        const QString sql = u"SELECT from_id, to_id, edge_type, created_at FROM memory_edges WHERE from_id IN ("_s
            + list + u") OR to_id IN ("_s + list + u") ORDER BY from_id, to_id, edge_type"_s;
        if (!q.prepare(sql))
            fail(u"cannot read memory_edges"_s, q.lastError(), sql);
        for (int pass = 0; pass < 2; ++pass) {
            for (const QString& id : chunk)
                q.addBindValue(id);
        }
        if (!q.exec())
            fail(u"cannot read memory_edges"_s, q.lastError(), sql);
        while (q.next()) {
            MemoryEdge e {q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toLongLong()};
            // an edge between two chunks comes back twice
            const QString key = e.fromId + QChar(0) + e.toId + QChar(0) + e.edgeType;
            if (!seen.contains(key)) {
                seen.insert(key);
                edges.append(std::move(e));
            }
        }
    }
    return edges;
}

void SqliteBackend::storeEdges(const QList<MemoryEdge>& edges)
{
    assertThread();
    checkWritable();
    if (edges.isEmpty())
        return;
    if (!m_hasEdges)
        throw StorageError(StorageError::Kind::InvalidInput,
                           m_path + u": no memory_edges table (written before subcog v0.6) to keep edges in"_s);
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    if (!q.exec(u"BEGIN IMMEDIATE"_s))
        fail(u"cannot start writing edges"_s, q.lastError());
    bool committed = false;
    const auto rollback = qScopeGuard([&] {
        if (!committed)
            QSqlQuery(db).exec(u"ROLLBACK"_s);
    });
    // subcog's own upsert: insert, or update created_at of the edge already there (spec §4.5)
    const QString sql = u"INSERT INTO memory_edges (from_id, to_id, edge_type, created_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (from_id, to_id, edge_type) DO UPDATE SET created_at = excluded.created_at"_s;
    if (!q.prepare(sql))
        fail(u"cannot write edges"_s, q.lastError(), sql);
    for (const MemoryEdge& e : edges) {
        q.addBindValue(e.fromId);
        q.addBindValue(e.toId);
        q.addBindValue(e.edgeType);
        q.addBindValue(e.createdAt);
        if (!q.exec())
            fail(u"cannot write the edge "_s + e.fromId + u" → "_s + e.toId + u" ("_s + e.edgeType + u')',
                 q.lastError(), sql);
    }
    if (!q.exec(u"COMMIT"_s))
        fail(u"committing "_s + QString::number(edges.size()) + u" edges failed"_s, q.lastError());
    committed = true;
}

} // namespace Inspector
