// SPDX-License-Identifier: MIT
// Duplicate memories (Tools ▸ Find Duplicates): finding groups of live memories with the same or nearly the same
// content across namespaces, and merging a group as spec §15's duplicate-memory repair does, with the person's
// choice of the memory to keep. Also the content-hash tag rule (spec §3.2) a content edit and the repairs share.
#pragma once

#include "persistencebackend.h"

#include <functional>

namespace Inspector {

namespace MergeRules {

/// spec §3.2 / §15 stale-hash-tag's fix: every `hash:sha256:` tag that is not `content`'s hash (compared trimmed)
/// is replaced, the first one in place by the right hash, further ones dropped; the other entries stay exactly as
/// they are. Unchanged when no hash tag is stale, and a list without a hash tag gets none (subcog adds it on
/// capture only; a legacy memory keeps its tags).
QStringList withFreshHashTag(const QStringList& tags, const QString& content);

/// A content edit's tags: withFreshHashTag() for a non-summary, the tags as they are for a summary (which carries
/// its sources' hash tags by design, spec §3.2).
void refreshHashTag(Memory& memory);

/// Appends the entries of `more` that `into` does not hold yet (compared trimmed, blanks skipped), in their order;
/// returns those appended. Tags and source ids are unioned this way.
QStringList appendMissing(QStringList& into, const QStringList& more);

} // namespace MergeRules

/// What makes memories duplicates of each other.
enum class DuplicateMatch
{
    SameContent, ///< the same spec §3.2 content hash (trimmed, case and whitespace runs ignored): subcog's own dedup
    SameWords, ///< the same words in the same order, ignoring case, whitespace and punctuation
    Similar, ///< word sets whose Jaccard similarity is at least the threshold
};

struct DuplicateScanOptions
{
    DuplicateMatch match = DuplicateMatch::SameContent;
    double threshold = 0.8; ///< Similar: the least Jaccard similarity of two word sets, 0 < t <= 1
    int batchSize = 1000;
};

/// One group of live memories that duplicate each other.
struct DuplicateGroup
{
    QStringList ids; ///< oldest first (created_at, then id)
    QStringList namespaces; ///< the distinct namespaces as stored, in the order of `ids`
    double similarity = 1.0; ///< Similar: the least estimated similarity of the pairs that joined the group
    QString firstLine; ///< the oldest memory's first line
};

struct DuplicateScan
{
    QList<DuplicateGroup> groups; ///< biggest first, then by the oldest member's age
    qint64 scanned = 0; ///< memories read
    qint64 live = 0; ///< of them not tombstoned: the ones compared
    qint64 candidates = 0; ///< Similar: pairs compared by their signatures
    QList<RecordIssue> issues; ///< records that could not be read
};

/// Scans the live memories once in created_at order, never holding the content of more than one batch. It keeps
/// per memory its id (packed), its namespace and a 64-bit hash (SameContent, SameWords: about 30 bytes a memory in
/// all), or for Similar a MinHash signature of its word set (64 minima of 16 bits, 128 bytes): memories whose
/// signatures agree on one of 16 bands of 4 minima are compared by the share of equal minima, an unbiased estimate
/// of their word sets' Jaccard similarity (standard error about 0.05 at 0.8), and joined into a group when it
/// reaches the threshold; a group is what such joins connect. `progress(done, total)` returning false stops the
/// scan (StorageError of Kind::Cancelled). Throws StorageError.
DuplicateScan findDuplicates(PersistenceBackend& store, const DuplicateScanOptions& options,
                             const std::function<bool(qint64 done, qint64 total)>& progress);

/// The words of a text as the Similar and SameWords matches see them: runs of letters, digits and marks, case
/// folded (what FTS5's unicode61 tokenizer indexes).
QStringList contentWords(const QString& content);
/// The Jaccard similarity of two texts' word sets (1 for two texts without words).
double wordSimilarity(const QString& a, const QString& b);

/// The writes of a merge: the memories as read and as they become, and the supersedes edges it adds.
struct MergePlan
{
    QList<Memory> before;
    QList<Memory> after;
    QList<MemoryEdge> edges; ///< keeper → each merged memory (`supersedes`), where the store has an edge table
};

/// Merging `others` into `keeper` (spec §15 duplicate-memory, with the keeper chosen by a person): the keeper gets
/// the union of the tags (its own order first, then each other's new ones, no duplicates) and of source_memory_ids;
/// the others are tombstoned (status `tombstoned`, tombstoned_at `now`). The keeper's hash tag is not touched, and
/// the others' hash tags of another content are not taken over (they would be stale there; a summary keeper takes
/// them all, as summaries carry their sources' tags).
MergePlan planMerge(const Memory& keeper, const QList<Memory>& others, bool edgeTable, qint64 now);

/// What applyMergeWrites() did.
struct MergeWritten
{
    QList<Memory> stored; ///< the memories as the store holds them after the write (for the guard of an undo)
    QList<MemoryEdge> edgesAdded; ///< the edges inserted (those already there are not)
    QList<MemoryEdge> edgesRemoved;
    QStringList conflicts; ///< why nothing was written: memories that are not as expected any more
};

/**
 * One guarded step of a merge, its undo or its redo: when every memory is still as `expected` (read back the same,
 * field by field), removes `removeEdges` (those still there as given), writes `desired` and adds `addEdges`;
 * otherwise writes nothing and lists the conflicts. SQLite and PostgreSQL do the compare and every write in ONE
 * transaction holding the write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT … FOR UPDATE of the rows, whose
 * versions must be the ones compared), so another writer's change is never overwritten and an error leaves nothing
 * written. A folder has no transactions: each file is compared again right before its atomic write, and the files
 * already written go back when a later one changed. Throws StorageError.
 */
MergeWritten applyMergeWrites(PersistenceBackend& store, const QList<Memory>& expected, const QList<Memory>& desired,
                              const QList<MemoryEdge>& addEdges, const QList<MemoryEdge>& removeEdges);

} // namespace Inspector
