// SPDX-License-Identifier: MIT
// The per-memory rules of spec §15 that PostgreSQL and folder stores share (SQLite's checker has its own, tuned
// to its comma-joined strings): each reports to the sink in the same words, with the same fixes.
#pragma once

#include "memory.h"
#include "storecheck.h"

#include <vector>

namespace Inspector::CheckRules {

/// `'text'` for a detail line.
QString quoted(const QString& value);

/// Whose reading a detail line describes: the SQL readers map case and aliases; the folder reader matches exactly
/// (and knows fewer values), so there every other spelling reads as `decisions` / `active` (spec §3.3, §3.5).
enum class Reader
{
    Sql,
    Folder,
};

/// noncanonical-namespace / unknown-namespace; nullopt is a NULL column.
void checkNamespace(const FindingSink& sink, const QString& id, const std::optional<QString>& ns,
                    Reader reader = Reader::Sql);
/// noncanonical-status / unknown-status; returns the status the inspector reads (unknown → active).
MemoryStatus checkStatus(const FindingSink& sink, const QString& id, const std::optional<QString>& status,
                         Reader reader = Reader::Sql);
/// half-tombstoned (where the store keeps tombstoned_at) and expired-active; returns whether the memory is live
/// (tombstoned in neither sense).
bool checkLifecycle(const FindingSink& sink, const QString& id, MemoryStatus status, bool tombstonedAtKept,
                    const std::optional<qint64>& tombstonedAt, const std::optional<qint64>& expiresAt, qint64 now);
/// bad-time: created_at missing (nullopt), not after 1970, or after `now`.
void checkCreatedAt(const FindingSink& sink, const QString& id, const std::optional<qint64>& createdAt,
                    const QString& shown, qint64 now);
/// messy-tags for stores that keep tags as a list: a NULL list (nullopt), blank entries, spaces around a tag.
/// Returns the tags as subcog reads them (trimmed entries are not its doing, but hash tags are compared trimmed).
QStringList checkTagList(const FindingSink& sink, const QString& id, const std::optional<QStringList>& tags,
                         const QString& shown);
/// stale-hash-tag: a non-summary whose `hash:sha256:` tag is not its content's hash (spec §3.2).
void checkHashTag(const FindingSink& sink, const QString& id, const QStringList& tags, const QString& content,
                  bool isSummary);
/// bad-summary from the problems a checker collected (empty: nothing reported).
void reportBadSummary(const FindingSink& sink, const QString& id, const QStringList& problems);

/// Live memories' content hashes by position in the scan (24 bytes each, no ids kept), to find duplicate-memory
/// groups after the scan without holding the store.
class DuplicateHashes
{
public:
    void add(const QString& content, qint64 createdAt, quint32 ordinal);
    struct Duplicate
    {
        quint32 ordinal; ///< the younger memory a repair tombstones
        quint32 keptOrdinal; ///< the oldest of its group, which a repair keeps
        QString hashTag;
    };
    /// Every memory of a group but its oldest (ties broken by scan order), grouped by hash.
    std::vector<Duplicate> duplicates();

private:
    struct Entry
    {
        quint64 hash;
        qint64 createdAt;
        quint32 ordinal;
    };
    std::vector<Entry> m_entries;
};

void reportDuplicate(const FindingSink& sink, const QString& id, const QString& keptId, const QString& hashTag);

} // namespace Inspector::CheckRules
