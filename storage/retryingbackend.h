// SPDX-License-Identifier: MIT
#pragma once

#include "persistencebackend.h"
#include "retrypolicy.h"

#include <memory>

namespace Inspector {

/// Wraps a backend and retries each call after transient (Kind::Storage) errors with the retry policy; a
/// Kind::Cancelled call is never retried (RetryPolicy::isRetryable).
/// Writes are retried whole: every backend write is one transaction, so a failed attempt left nothing behind.
class RetryingBackend final : public PersistenceBackend
{
public:
    RetryingBackend(std::unique_ptr<PersistenceBackend> inner, RetryPolicy policy,
                    RetryPolicy::Sleeper sleeper = RetryPolicy::defaultSleeper());

    PersistenceBackend& inner() { return *m_inner; }

    QString kind() const override { return m_inner->kind(); }
    QString location() const override { return m_inner->location(); }
    bool isReadOnly() const override { return m_inner->isReadOnly(); }
    QStringList describeLayout() const override { return m_inner->describeLayout(); }

    void store(const Memory& memory) override;
    void storeBatch(const QList<Memory>& memories) override;
    std::optional<Memory> get(const QString& id) override;
    bool remove(const QString& id) override;
    QStringList listIds() override;
    QList<Memory> getBatch(const QStringList& ids, QList<RecordIssue>* issues = nullptr) override;
    bool exists(const QString& id) override;
    qint64 count() override;
    Page query(const MemoryQuery& query) override;
    void scan(const MemoryQuery& query, const ScanSink& sink, int batchSize = 1000) override;
    bool scanJsonLines(const MemoryQuery& query, const JsonLinesSink& sink, int batchSize = 1000) override;
    qint64 count(const MemoryFilter& filter) override;
    StoreStats stats(const MemoryFilter& filter, qint64 now) override;
    std::optional<qint64> rowOf(const MemoryQuery& query, const QString& id) override;
    void interrupt() noexcept override { m_inner->interrupt(); }
    void beginRequest() noexcept override { m_inner->beginRequest(); }
    void endRequest() noexcept override { m_inner->endRequest(); }
    QList<RecordIssue> storeIssues() override;
    std::optional<QByteArray> changeToken() override;
    QString beginSnapshot() override;
    void endSnapshot() noexcept override { m_inner->endSnapshot(); }

    QString graphUnavailable() override { return m_inner->graphUnavailable(); }
    QString graphLocation() const override { return m_inner->graphLocation(); }
    void setGraphFile(const QString& path) override { m_inner->setGraphFile(path); }
    QList<EntityMention> entityMentions(const QString& memoryId) override;
    EntityPage entities(const EntityQuery& query) override;
    QList<GraphRelationship> entityRelationships(const QString& entityId) override;

    EmbeddingStorage embeddingStorage() const override { return m_inner->embeddingStorage(); }
    QString embeddingsUnavailable() const override { return m_inner->embeddingsUnavailable(); }
    QHash<QString, QList<float>> readEmbeddings(const QStringList& ids) override;
    qint64 countUnreadableEmbeddings(const QStringList& ids) override;
    QString unreadableEmbeddingsReason() const override { return m_inner->unreadableEmbeddingsReason(); }
    QList<RecordIssue> writeEmbeddings(const QHash<QString, QList<float>>& embeddings) override;
    bool hasEdgeTable() const override { return m_inner->hasEdgeTable(); }
    QList<MemoryEdge> edgesTouching(const QStringList& ids) override;
    void storeEdges(const QList<MemoryEdge>& edges) override;
    QList<MemoryEdge> addEdges(const QList<MemoryEdge>& edges) override;
    QList<MemoryEdge> removeEdges(const QList<MemoryEdge>& edges) override;

private:
    template<typename F>
    auto retry(F&& f)
    {
        return m_policy.run(std::forward<F>(f), m_sleeper);
    }

    std::unique_ptr<PersistenceBackend> m_inner;
    RetryPolicy m_policy;
    RetryPolicy::Sleeper m_sleeper;
};

} // namespace Inspector
