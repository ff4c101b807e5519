// SPDX-License-Identifier: MIT
#pragma once

#include "exporter.h"

namespace Inspector {

/// What a copy does with ids the target already has.
enum class OnConflict
{
    Skip, ///< keep the target's memory
    Overwrite, ///< replace it with the source's
    Fail, ///< stop before writing the batch that holds it
};

std::optional<OnConflict> onConflictFromName(const QString& name);

/// What a copy did (or, in a dry run, would do).
struct CopyReport
{
    qint64 expected = 0; ///< memories the source named
    qint64 read = 0;
    qint64 created = 0;
    qint64 overwritten = 0;
    qint64 unchanged = 0; ///< already in the target with every field equal
    qint64 skipped = 0; ///< in the target already, left alone (OnConflict::Skip)
    QList<RecordIssue> failed; ///< could not be read from the source or written to the target
    /// copied as stored, with a finding: text the source could not decode exactly, a domain subcog reads otherwise
    QList<RecordIssue> warnings;
    QString stoppedAt; ///< OnConflict::Fail: the id that stopped the copy
    bool cancelled = false;
    bool dryRun = false;

    // around the memories (model/aroundcopy.cpp)
    qint64 embeddingsCarried = 0; ///< written with the memories copied (in a dry run: would be)
    qint64 embeddingsNotCarried = 0; ///< of memories copied or already equal: the target has no place for them
    QString embeddingsNotCarriedReason;
    qint64 embeddingsUnreadable = 0; ///< the source keeps them where the inspector cannot read them
    QString embeddingsUnreadableReason;
    QList<RecordIssue> embeddingsRefused; ///< the target keeps embeddings but refused these
    qint64 edgesCarried = 0; ///< memory_edges rows written (in a dry run: would be)
    qint64 edgesNotCarried = 0; ///< the target has no edge table
    qint64 edgesDangling = 0; ///< an end of the edge is not among the memories this copy put in the target
};

/**
 * Copies memories between stores of any kinds, keeping ids, in the target's own layout. The source is read from one
 * snapshot (ReadSnapshot), so no copied memory mixes two of its commits. Each batch is one
 * storeBatch (one transaction where the target has them), so an interrupted copy can be run again. A batch the
 * target refuses is retried memory by memory, so one memory it cannot hold does not stop the rest.
 */
class Copier
{
public:
    using Progress = std::function<bool(const CopyReport& soFar)>;

    Copier(PersistenceBackend& source, PersistenceBackend& target, int batchSize = 500);

    /// Throws StorageError when a store fails as a whole (not for single memories).
    CopyReport run(const ExportSource& what, OnConflict onConflict, bool dryRun, const Progress& progress = {});

private:
    PersistenceBackend& m_source;
    PersistenceBackend& m_target;
    int m_batchSize;
};

} // namespace Inspector
