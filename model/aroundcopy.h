// SPDX-License-Identifier: MIT
#pragma once

#include "copier.h"

#include <QSet>

namespace Inspector {

/**
 * Carries what the stores keep around the memories of a copy: embeddings (in folder files, PostgreSQL's
 * memory_vectors, a SQLite data folder's vectors.idx) and SQLite's memory_edges. What the target cannot hold
 * is counted in the CopyReport instead. Embeddings kept apart and edges are written by finish(), once: edges
 * need both their memories in the target, and vectors.idx is rewritten whole on every save.
 */
class AroundCopy
{
public:
    AroundCopy(PersistenceBackend& source, PersistenceBackend& target, CopyReport& report, bool dryRun);

    /// Gives a batch read from the source the embeddings it keeps apart, drops those the target cannot hold,
    /// and collects the batch's edges.
    void sourceBatch(QList<Memory>& readable);
    /// Gives the target's memories the embeddings it keeps apart, so they compare whole with the source's. A
    /// row whose vector is missing (an interrupted copy writes vectors last) takes the source's, and carried()
    /// then writes it.
    void targetBatch(const QList<Memory>& readable, QList<Memory>& existing);
    /// The source's memory is now in the target (written, or already equal).
    void carried(const Memory& memory, bool written);
    /// The target keeps its own memory with this id (skipped): edges may still end there.
    void kept(const QString& id) { m_inTarget.insert(id); }
    /// Writes the embeddings kept apart and the edges whose ends are both in the target; counts the rest.
    void finish();

private:
    PersistenceBackend& m_source;
    PersistenceBackend& m_target;
    CopyReport& m_report;
    bool m_dryRun;
    EmbeddingStorage m_sourceKeeps;
    EmbeddingStorage m_targetKeeps;
    QSet<QString> m_dropped; ///< ids whose embedding the target cannot hold
    QHash<QString, QList<float>> m_pending; ///< embeddings to keep apart in the target
    QSet<QString> m_vectorMissing; ///< target rows equal to the source's but without their vector apart
    QSet<QString> m_inTarget;
    QList<MemoryEdge> m_edges;
    QSet<QString> m_edgeKeys;
};

} // namespace Inspector
