// SPDX-License-Identifier: MIT
#include "aroundcopy.h"

namespace Inspector {

namespace {

QStringList idsOf(const QList<Memory>& memories)
{
    QStringList ids;
    ids.reserve(memories.size());
    for (const Memory& m : memories)
        ids << m.id;
    return ids;
}

} // namespace

AroundCopy::AroundCopy(PersistenceBackend& source, PersistenceBackend& target, CopyReport& report, bool dryRun)
    : m_source(source)
    , m_target(target)
    , m_report(report)
    , m_dryRun(dryRun)
    , m_sourceKeeps(source.embeddingStorage())
    , m_targetKeeps(target.embeddingStorage())
{
    if (m_targetKeeps == EmbeddingStorage::None)
        m_report.embeddingsNotCarriedReason = target.embeddingsUnavailable();
}

void AroundCopy::sourceBatch(QList<Memory>& readable)
{
    if (readable.isEmpty())
        return;
    const QStringList ids = idsOf(readable);
    if (m_sourceKeeps != EmbeddingStorage::InRecords) {
        // a store may read embeddings it could not hold (a SQLite file beside a usearch index), so always ask
        const QHash<QString, QList<float>> found = m_source.readEmbeddings(ids);
        if (!found.isEmpty()) {
            for (Memory& m : readable) {
                const auto it = found.constFind(m.id);
                if (it != found.constEnd())
                    m.embedding = *it;
            }
        }
        if (const qint64 unreadable = m_source.countUnreadableEmbeddings(ids)) {
            m_report.embeddingsUnreadable += unreadable;
            m_report.embeddingsUnreadableReason = m_source.unreadableEmbeddingsReason();
        }
    }
    if (m_targetKeeps == EmbeddingStorage::None) {
        for (Memory& m : readable) {
            if (m.embedding) {
                m.embedding.reset();
                m_dropped.insert(m.id);
            }
        }
    }
    if (m_source.hasEdgeTable()) {
        for (MemoryEdge& e : m_source.edgesTouching(ids)) {
            const QString key = e.fromId + QChar(0) + e.toId + QChar(0) + e.edgeType;
            if (!m_edgeKeys.contains(key)) {
                m_edgeKeys.insert(key);
                m_edges.append(std::move(e));
            }
        }
    }
}

void AroundCopy::targetBatch(const QList<Memory>& readable, QList<Memory>& existing)
{
    if (m_targetKeeps != EmbeddingStorage::Apart || existing.isEmpty())
        return;
    QHash<QString, const QList<float>*> sourceHasOne;
    for (const Memory& m : readable) {
        if (m.embedding)
            sourceHasOne.insert(m.id, &*m.embedding);
    }
    const QHash<QString, QList<float>> found = m_target.readEmbeddings(idsOf(existing));
    for (Memory& m : existing) {
        // a copy never removes a vector the target keeps apart, so one the source lacks is no difference
        const auto theirs = sourceHasOne.constFind(m.id);
        if (theirs == sourceHasOne.constEnd())
            continue;
        const auto it = found.constFind(m.id);
        if (it != found.constEnd()) {
            m.embedding = *it;
        } else {
            // rows without their vector: a copy stopped before it wrote the vectors (they come last). The
            // row is no conflict; if it is otherwise equal, its vector is still to be carried.
            m.embedding = **theirs;
            m_vectorMissing.insert(m.id);
        }
    }
}

void AroundCopy::carried(const Memory& memory, bool written)
{
    m_inTarget.insert(memory.id);
    if (m_dropped.contains(memory.id)) {
        ++m_report.embeddingsNotCarried;
    } else if ((written || m_vectorMissing.contains(memory.id)) && memory.embedding) {
        if (m_targetKeeps == EmbeddingStorage::Apart)
            m_pending.insert(memory.id, *memory.embedding);
        else
            ++m_report.embeddingsCarried;
    }
}

void AroundCopy::finish()
{
    if (!m_pending.isEmpty()) {
        const QList<RecordIssue> refused = m_dryRun ? QList<RecordIssue> {} : m_target.writeEmbeddings(m_pending);
        m_report.embeddingsCarried += m_pending.size() - refused.size();
        m_report.embeddingsRefused += refused;
        m_pending.clear();
    }
    if (m_edges.isEmpty())
        return;
    QList<MemoryEdge> toStore;
    for (const MemoryEdge& e : std::as_const(m_edges)) {
        if (!m_target.hasEdgeTable())
            ++m_report.edgesNotCarried;
        else if (m_inTarget.contains(e.fromId) && m_inTarget.contains(e.toId))
            toStore << e;
        else
            ++m_report.edgesDangling;
    }
    if (!m_dryRun)
        m_target.storeEdges(toStore);
    m_report.edgesCarried += toStore.size();
    m_edges.clear();
    m_edgeKeys.clear();
}

} // namespace Inspector
