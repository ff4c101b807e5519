// SPDX-License-Identifier: MIT
// Bulk edit of many memories: what to change (BulkEdit), what one memory becomes (editedMemory), a preview that
// scans a source in batches (previewBulkEdit), and a guarded, batched apply that also runs backwards for undo
// (applyBulkEdit). Storage-level and synchronous: the window runs these as jobs on the store's worker, the `edit`
// command on its main thread.
#pragma once

#include "memory.h"
#include "query.h"

#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Inspector {

class PersistenceBackend;

/// A text field a bulk edit can find-and-replace in.
enum class ReplaceField
{
    ProjectId,
    Branch,
    FilePath,
    Source,
};

/// The stored column name of a replaceable field (`project_id`, `branch`, `file_path`, `source`).
QString replaceFieldName(ReplaceField field);
/// Parses a column name as above (also `project`, `path`, `file`, `src`); nullopt when it is none of them.
std::optional<ReplaceField> parseReplaceField(const QString& name);

/**
 * What a bulk edit changes. Every part left unset leaves its field alone; a memory the edit does not change is not
 * written at all.
 *
 * Order of application: the `set…` values, then `removeTags`, then `addTags` (appended in order, after the memory's
 * own, no duplicates), then each replacement in turn (every occurrence of `from`, case-sensitive, in a field that
 * has a value; an absent field stays absent, a field that becomes empty is cleared).
 */
struct BulkEdit
{
    std::optional<QString> namespaceName; ///< any spelling parseNamespace() reads; written canonical (`tech-debt`)
    /// written canonical (`archived`). Setting `tombstoned` also sets tombstoned_at (to `now`) where unset, as
    /// subcog's soft delete does; setting another status on a memory whose status is `tombstoned` clears
    /// tombstoned_at (a restore).
    std::optional<QString> status;
    std::optional<QString> domain; ///< a Display string (`project`, `user`, `org`, `X/Y`, `X/P/Y`); empty = project
    std::optional<std::optional<QString>> projectId; ///< set; an inner nullopt (or empty text) clears it
    std::optional<std::optional<QString>> branch; ///< set; an inner nullopt (or empty text) clears it
    std::optional<std::optional<qint64>> expiresAt; ///< Unix seconds; an inner nullopt clears it (never expires)
    QStringList addTags;
    QStringList removeTags;

    struct Replacement
    {
        ReplaceField field = ReplaceField::ProjectId;
        QString from; ///< not empty
        QString to;
        friend bool operator==(const Replacement&, const Replacement&) = default;
    };
    QList<Replacement> replacements;

    /// Nothing to change.
    bool isEmpty() const;
    /// What is wrong with the edit itself, whatever the store (unknown namespace or status, a tag with a comma,
    /// spaces around it or empty, an empty `from`); one line each, empty when it is fine.
    QStringList problems() const;
    /// One line per part, for people (`project_id = github.com/new/name`, `+tag x`, `file_path: old → new`).
    QStringList describe() const;

    /// Parses `FIELD=VALUE` (namespace, status, domain, project_id, branch, expires_at; an empty VALUE clears an
    /// optional field; expires_at takes Unix seconds or an ISO 8601 date/time in UTC) into this edit; returns the
    /// reason when it cannot, else an empty string.
    QString parseSet(const QString& assignment);
    /// Parses `FIELD:OLD=NEW` (project_id, branch, file_path, source) into a replacement; the reason or empty.
    QString parseReplace(const QString& text);

    friend bool operator==(const BulkEdit&, const BulkEdit&) = default;
};

/**
 * What a store can hold, as far as a bulk edit cares (spec §4.3, §4.9, §5.1, §5.2, §6, §10). Read once from the
 * backend (of(), which looks through a RetryingBackend), before a preview.
 */
struct BulkEditLimits
{
    QString kind; ///< `sqlite`, `postgres`, `filesystem`, or another backend's kind
    QString location;
    bool readOnly = false;
    bool hasUpdatedAt = true; ///< a real updated_at (not SQLite's): the edit sets it to `now`
    /// columns the layout lacks among those a bulk edit writes (`expires_at`, `project_id`, `branch`,
    /// `file_path`, `source`, `tombstoned_at`), e.g. an old SQLite file (§4.9)
    QSet<QString> missingColumns;
    bool textMayHoldNul = true; ///< false for PostgreSQL (text cannot hold U+0000)
    bool tagsInOneString = false; ///< SQLite: tags comma-joined, so no empty tags or spaces around them
    /// Namespaces / statuses subcog's reader of this store does not map (folders: §3.3, §3.5); written, subcog
    /// would read them as `decisions` / `active`.
    QSet<QString> unreadableNamespaces;
    QSet<QString> unreadableStatuses;
    /// SQLite's Display-string domain column: a domain of three or more parts reads back as the project scope.
    bool domainAsDisplayString = false;
    /// The stores whose domain is kept as three parts (folders, PostgreSQL) take the parts; others the string.
    bool keepsDomainParts = false;

    static BulkEditLimits of(PersistenceBackend& backend);
};

/**
 * The memory `before` becomes under `edit` (content, embedding and every field the edit does not name kept as they
 * are), or nullopt when the edit changes nothing in it. `now` (Unix seconds) is written to updated_at where the
 * store has one, and to tombstoned_at by a `tombstoned` status. Tags keep their order, without duplicates.
 * Pure: the same arguments give the same answer.
 */
std::optional<Memory> editedMemory(const BulkEdit& edit, const Memory& before, const BulkEditLimits& limits,
                                   qint64 now);

/// Why this store cannot hold `after` (the edit of `before`), for people; empty when it can. Only what the edit
/// changed is checked: a value the store already held is not the edit's to refuse.
QString bulkEditRefusal(const Memory& before, const Memory& after, const BulkEditLimits& limits);

/// One `field: old → new` line per field that differs between `before` and `after` (the fields a bulk edit writes,
/// updated_at and tombstoned_at included), for previews.
QStringList bulkEditDifferences(const Memory& before, const Memory& after);

/// Which memories a bulk edit covers: those a query's filter passes (in the query's order), or a list of ids.
struct BulkEditSource
{
    std::optional<MemoryQuery> query; ///< the filter and order (cursor, limit, skip and withContent are ignored)
    QStringList ids; ///< used when `query` is unset; ids the store lacks are counted in BulkEditPlan::missing

    static BulkEditSource ofQuery(const MemoryQuery& query);
    static BulkEditSource ofFilter(const MemoryFilter& filter);
    static BulkEditSource ofIds(const QStringList& ids);
};

/// One memory a preview would change, whole, before and after (for showing).
struct BulkEditChange
{
    Memory before;
    Memory after;
};

/// A memory the edit would change but the store cannot hold as changed (not written), or one skipped on apply.
struct BulkEditRefusal
{
    QString id;
    QString reason;
};

/**
 * The result of a preview and everything apply and undo need: the edit, the moment it was previewed, and each
 * memory it changes as read then — its fields without content and embedding, plus a digest of the content (a
 * memory's content never changes in a bulk edit), so 100,000 changes cost tens of megabytes, not two copies of
 * every text. The memory after the edit is computed again from it when needed (after()).
 *
 * This is also the undo record: keep the plan (restricted to what apply wrote, see writtenOnly()) and run
 * applyBulkEdit(backend, plan, BulkDirection::Undo, …) to put every `before` back, guarded by `after`.
 */
struct BulkEditPlan
{
    BulkEdit edit;
    BulkEditLimits limits;
    qint64 now = 0; ///< Unix seconds: updated_at / tombstoned_at of every changed memory

    struct Entry
    {
        Memory before; ///< as read by the preview, content and embedding cleared
        QByteArray contentDigest; ///< of the content as read (guards it without keeping it)
    };
    QList<Entry> changes; ///< every memory the edit changes and the store can hold, in the source's order

    QList<BulkEditChange> sample; ///< the first `sampleSize` of `changes`, whole (content included), for showing
    QList<BulkEditRefusal> refused; ///< would change, but the store cannot hold the result; never written
    QList<RecordIssue> unreadable; ///< records the scan could not decode (left alone)
    qint64 scanned = 0; ///< memories read
    qint64 unchanged = 0; ///< read, and the edit leaves them as they are
    QStringList missing; ///< ids asked for (BulkEditSource::ids) that the store does not hold
    bool cancelled = false; ///< the preview was stopped: the plan covers only what was read by then

    qint64 changeCount() const { return changes.size(); }
    /// The memory `changes[index]` becomes (content and embedding cleared, like `before`).
    Memory after(qsizetype index) const;
    /// The same plan with only the changes of these ids (an apply's `written`: the undo record).
    BulkEditPlan writtenOnly(const QStringList& ids) const;
    /// About how many bytes the plan holds (what keeping it on an undo stack costs).
    qint64 bytes() const;
};

/// Receives progress (`done` of `total` memories; total -1 when unknown) and returns false to stop soon. The same
/// shape as BackendClient::Job's progress callback.
using BulkEditProgress = std::function<bool(qint64 done, qint64 total)>;

/**
 * Reads the source in batches of `batchSize` through the backend (`scan`, or `getBatch` for ids) and works out
 * what the edit changes. Memory stays bounded: each batch is dropped once its changes are recorded. Throws
 * StorageError when the store cannot be read, and InvalidInput when the edit has problems(). A progress callback
 * that returns false stops the scan: the plan is marked `cancelled`.
 */
BulkEditPlan previewBulkEdit(PersistenceBackend& backend, const BulkEdit& edit, const BulkEditSource& source,
                             const BulkEditProgress& progress = {}, int sampleSize = 200, int batchSize = 1000);

enum class BulkDirection
{
    Apply, ///< write each `after` where the store still holds `before`
    Undo, ///< write each `before` back where the store still holds `after`
};

/// What became of the changes of a plan.
struct BulkEditOutcome
{
    QStringList written; ///< ids written (in plan order); for Apply, the undo record is plan.writtenOnly(written)
    /// changed by another writer since the preview (or since the apply, for Undo), or gone: left as they are
    QList<BulkEditRefusal> skipped;
    QList<BulkEditRefusal> failed; ///< the store refused the write (its batch was rolled back where it has them)
    bool cancelled = false; ///< stopped between two batches; the batches before were written (and are listed)
    /// Already as wanted when looked at (e.g. a redo after another writer made the same change): not written.
    QStringList alreadyDone;
};

/**
 * Writes a plan's changes in batches of `batchSize` (a SQLite batch holds the write lock for a fraction of a second),
 * each batch guarded: a memory is written only while the store still holds exactly the version the plan expects (fields
 * and content digest), otherwise it is skipped and listed, never overwritten. Only the fields the edit changes are
 * written (SQLite: UPDATE of those columns and, when tags change, the memories_fts row's tags, in one BEGIN IMMEDIATE
 * transaction per batch with the compare inside it; PostgreSQL: rows compared, then locked with SELECT … FOR UPDATE in
 * the batch's transaction, where one whose row version (xmin) moved since is skipped; folders: each file compared, then
 * replaced atomically). Progress is reported per batch; returning false stops before the next batch (`cancelled`).
 * Throws StorageError when the store cannot be reached at all (a read-only store included); a batch the store refuses
 * is rolled back and listed in `failed`.
 */
BulkEditOutcome applyBulkEdit(PersistenceBackend& backend, const BulkEditPlan& plan,
                              BulkDirection direction = BulkDirection::Apply, const BulkEditProgress& progress = {},
                              int batchSize = 2000);

} // namespace Inspector
