// SPDX-License-Identifier: MIT
#include "retryingbackend.h"

namespace Inspector {

PersistenceBackend::~PersistenceBackend() = default;

void PersistenceBackend::scan(const MemoryQuery& query, const ScanSink& sink, int batchSize)
{
    MemoryQuery q = query;
    q.after.reset();
    q.skip = 0;
    q.fromEnd = false;
    q.limit = qMax(1, batchSize);
    for (;;) {
        Page page = this->query(q);
        if (!sink(page.memories, page.issues) || !page.next)
            return;
        q.after = page.next;
    }
}

StoreStats PersistenceBackend::stats(const MemoryFilter& filter, qint64 now)
{
    MemoryQuery q;
    q.filter = filter;
    q.withContent = false;
    const bool inRecords = embeddingStorage() == EmbeddingStorage::InRecords;
    StatsBuilder builder(now);
    if (inRecords)
        builder.stats().withEmbedding = 0;
    scan(q, [&](QList<Memory>& memories, QList<RecordIssue>&) {
        for (const Memory& m : memories)
            builder.addMemory(m, inRecords && m.embedding && !m.embedding->isEmpty());
        return true;
    });
    return builder.finish();
}

std::optional<qint64> PersistenceBackend::rowOf(const MemoryQuery& query, const QString& id)
{
    MemoryFilter only = query.filter;
    only.ids = {id};
    if (!query.filter.ids.isEmpty() && !query.filter.ids.contains(id))
        return std::nullopt;
    if (count(only) == 0)
        return std::nullopt;
    // for stores without an index (folders, in memory): page through the order, counting the rows before it
    MemoryQuery q = query;
    q.after.reset();
    q.skip = 0;
    q.fromEnd = false;
    q.withContent = false;
    q.limit = 1000;
    qint64 row = 0;
    for (;;) {
        const Page page = this->query(q);
        for (const Memory& m : page.memories) {
            if (m.id == id)
                return row;
            ++row;
        }
        if (!page.next || page.memories.isEmpty())
            return std::nullopt;
        q.after = page.next;
    }
}

RetryingBackend::RetryingBackend(std::unique_ptr<PersistenceBackend> inner, RetryPolicy policy,
                                 RetryPolicy::Sleeper sleeper)
    : m_inner(std::move(inner))
    , m_policy(policy)
    , m_sleeper(std::move(sleeper))
{
}

void RetryingBackend::store(const Memory& memory)
{
    retry([&] { m_inner->store(memory); });
}

void RetryingBackend::storeBatch(const QList<Memory>& memories)
{
    retry([&] { m_inner->storeBatch(memories); });
}

std::optional<Memory> RetryingBackend::get(const QString& id)
{
    return retry([&] { return m_inner->get(id); });
}

bool RetryingBackend::remove(const QString& id)
{
    return retry([&] { return m_inner->remove(id); });
}

QStringList RetryingBackend::listIds()
{
    return retry([&] { return m_inner->listIds(); });
}

QList<Memory> RetryingBackend::getBatch(const QStringList& ids, QList<RecordIssue>* issues)
{
    return retry([&] {
        // a failed attempt may have reported issues already; report only the successful attempt's
        QList<RecordIssue> attemptIssues;
        auto result = m_inner->getBatch(ids, &attemptIssues);
        if (issues)
            issues->append(attemptIssues);
        return result;
    });
}

bool RetryingBackend::exists(const QString& id)
{
    return retry([&] { return m_inner->exists(id); });
}

qint64 RetryingBackend::count()
{
    return retry([&] { return m_inner->count(); });
}

Page RetryingBackend::query(const MemoryQuery& query)
{
    return retry([&] { return m_inner->query(query); });
}

qint64 RetryingBackend::count(const MemoryFilter& filter)
{
    return retry([&] { return m_inner->count(filter); });
}

StoreStats RetryingBackend::stats(const MemoryFilter& filter, qint64 now)
{
    return retry([&] { return m_inner->stats(filter, now); });
}

std::optional<qint64> RetryingBackend::rowOf(const MemoryQuery& query, const QString& id)
{
    return retry([&] { return m_inner->rowOf(query, id); });
}

QList<RecordIssue> RetryingBackend::storeIssues()
{
    return retry([&] { return m_inner->storeIssues(); });
}

void RetryingBackend::scan(const MemoryQuery& query, const ScanSink& sink, int batchSize)
{
    // a scan is not repeated from the start after rows went to the sink; only its failure to start is retried
    m_inner->scan(query, sink, batchSize);
}

bool RetryingBackend::scanJsonLines(const MemoryQuery& query, const JsonLinesSink& sink, int batchSize)
{
    return m_inner->scanJsonLines(query, sink, batchSize);
}

std::optional<QByteArray> RetryingBackend::changeToken()
{
    return retry([&] { return m_inner->changeToken(); });
}

QHash<QString, QList<float>> RetryingBackend::readEmbeddings(const QStringList& ids)
{
    return retry([&] { return m_inner->readEmbeddings(ids); });
}

qint64 RetryingBackend::countUnreadableEmbeddings(const QStringList& ids)
{
    return retry([&] { return m_inner->countUnreadableEmbeddings(ids); });
}

QList<RecordIssue> RetryingBackend::writeEmbeddings(const QHash<QString, QList<float>>& embeddings)
{
    return retry([&] { return m_inner->writeEmbeddings(embeddings); });
}

QList<MemoryEdge> RetryingBackend::edgesTouching(const QStringList& ids)
{
    return retry([&] { return m_inner->edgesTouching(ids); });
}

void RetryingBackend::storeEdges(const QList<MemoryEdge>& edges)
{
    retry([&] { m_inner->storeEdges(edges); });
}

QList<EntityMention> RetryingBackend::entityMentions(const QString& memoryId)
{
    return retry([&] { return m_inner->entityMentions(memoryId); });
}

EntityPage RetryingBackend::entities(const EntityQuery& query)
{
    return retry([&] { return m_inner->entities(query); });
}

QList<GraphRelationship> RetryingBackend::entityRelationships(const QString& entityId)
{
    return retry([&] { return m_inner->entityRelationships(entityId); });
}

// each is one transaction that either commits or leaves the table as it was, so a retry starts afresh
QList<MemoryEdge> RetryingBackend::addEdges(const QList<MemoryEdge>& edges)
{
    return retry([&] { return m_inner->addEdges(edges); });
}

QList<MemoryEdge> RetryingBackend::removeEdges(const QList<MemoryEdge>& edges)
{
    return retry([&] { return m_inner->removeEdges(edges); });
}

QString RetryingBackend::beginSnapshot()
{
    // a failed start leaves no snapshot behind, so it can be tried again
    return retry([&] { return m_inner->beginSnapshot(); });
}

} // namespace Inspector
