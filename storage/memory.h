// SPDX-License-Identifier: MIT
#pragma once

#include <QFlags>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace Inspector {

/// subcog's memory namespaces (spec §3.3), in declaration order.
enum class Namespace
{
    Decisions,
    Patterns,
    Learnings,
    Context,
    TechDebt,
    Blockers,
    Progress,
    Apis,
    Config,
    Security,
    Performance,
    Testing,
    Help,
    Prompts,
};

/// subcog's memory statuses (spec §3.5).
enum class MemoryStatus
{
    Active,
    Archived,
    Superseded,
    Pending,
    Deleted,
    Tombstoned,
    Consolidated,
};

/// The stored string of a namespace (`tech-debt`, `decisions`, …).
QString namespaceName(Namespace ns);
/// Parses like subcog: case-insensitive, with the tech-debt aliases; nullopt for unknown strings.
std::optional<Namespace> parseNamespace(const QString& text);
/// Every namespace, in declaration order.
QList<Namespace> allNamespaces();
/// Every lower-case string parseNamespace() reads as one of these namespaces (for SQL filters on LOWER()).
QStringList lowerCaseSpellings(const QList<Namespace>& namespaces);

/// The stored string of a status (`active`, `tombstoned`, …).
QString statusName(MemoryStatus status);
/// Parses like subcog's SQLite/PostgreSQL readers (case-insensitive); nullopt for unknown strings.
std::optional<MemoryStatus> parseStatus(const QString& text);
/// Every status, in declaration order.
QList<MemoryStatus> allStatuses();
/// The stored strings of these statuses.
QStringList statusNames(const QList<MemoryStatus>& statuses);

/// subcog's Domain: three optional parts (spec §3.4).
struct Domain
{
    std::optional<QString> organization;
    std::optional<QString> project;
    std::optional<QString> repository;

    /// subcog's Display string: `project`, `user`, `org`, `X/Y`, …
    QString toString() const;
    /// subcog's lossy parse of a SQLite domain string (NULL/empty/`project` → project scope, …).
    static Domain fromSqliteString(const QString& text);
    /// The domain a display string prints (spec §3.4): `user` and `org` are the user and org scopes, `X/Y` is
    /// organization X and repository Y, `X/P/Y` organization X, project P, repository Y.
    static Domain fromDisplayString(const QString& text);
    bool isProjectScope() const { return !organization && !project && !repository; }
    friend bool operator==(const Domain&, const Domain&) = default;
};

/// Anomalies found while decoding a record; the raw values are kept, these only flag them.
enum class MemoryFlag : quint32
{
    UnknownNamespace = 1u << 0, ///< namespace string subcog maps to `decisions`
    NonCanonicalNamespace = 1u << 1, ///< known namespace in another spelling (`Decisions`, `techdebt`)
    UnknownStatus = 1u << 2, ///< status string subcog maps to `active`
    NonCanonicalStatus = 1u << 3, ///< known status in another case (`ARCHIVED`)
    MissingContent = 1u << 4, ///< metadata row without a content row (subcog hides it)
    DuplicateContent = 1u << 5, ///< several content rows for one id; the first is shown (set by get(); batch
                                ///< reads find duplicates only when the id is looked up through the index)
    InvalidSourceMemoryIds = 1u << 6, ///< source_memory_ids is not a JSON array of strings
    TagsMismatch = 1u << 7, ///< the FTS row's tags differ from the metadata row's
    LegacyDomain = 1u << 8, ///< NULL, empty or `global` domain (project scope)
    MessyTags = 1u << 9, ///< tags string with spaces or empty segments, or NULL
    Encrypted = 1u << 10, ///< stored encrypted at rest (folder stores); written back encrypted
    Locked = 1u << 11, ///< encrypted and no key to open it: only the id is known
};
Q_DECLARE_FLAGS(MemoryFlags, MemoryFlag)
Q_DECLARE_OPERATORS_FOR_FLAGS(MemoryFlags)

/// One human-readable line per flag that is set.
QStringList describeFlags(MemoryFlags flags);

/// Every field of subcog's Memory (spec §3). Enum-like fields keep the stored string verbatim.
struct Memory
{
    QString id;
    QString content;
    QString namespaceName; ///< as stored; see parseNamespace()
    QString domain; ///< Display string (`project` for the project scope)
    /// The three parts, when the store keeps them (folders, old PostgreSQL); used on write while they still
    /// display as `domain`, since the display string alone cannot tell X/P from X/Y.
    std::optional<Domain> domainParts;
    std::optional<QString> projectId;
    std::optional<QString> branch;
    std::optional<QString> filePath;
    QString status; ///< as stored; see parseStatus()
    qint64 createdAt = 0; ///< Unix seconds
    qint64 updatedAt = 0; ///< Unix seconds (equal to createdAt in SQLite, which has no column)
    std::optional<qint64> tombstonedAt;
    std::optional<qint64> expiresAt;
    std::optional<QList<float>> embedding;
    QStringList tags;
    std::optional<QString> groupId;
    std::optional<QString> source;
    bool isSummary = false;
    std::optional<QStringList> sourceMemoryIds;
    std::optional<qint64> consolidationTimestamp;

    MemoryFlags flags; ///< decode anomalies; not a stored field

    /// Tombstoned in either of subcog's senses: status `tombstoned` or tombstoned_at set.
    bool isTombstoned() const;
    /// The namespace as subcog reads it (unknown → decisions).
    Namespace effectiveNamespace() const;
    /// The status as subcog reads it (unknown → active).
    MemoryStatus effectiveStatus() const;
    /// The domain's parts: the stored ones while they match `domain`, otherwise parsed from it.
    Domain domainForWrite() const;
    /// `subcog://<domain>/<namespace>/<id>` (spec §3.7).
    QString urn() const;

    /// Sets the flags for a namespace or status string that subcog would not read back as it is.
    void flagEnumStrings();

    /// Field-by-field equality of the stored fields (flags ignored).
    bool sameFields(const Memory& other) const;
};

/// Why a memory whose content row is missing (subcog cannot see it) is left out of exports and copies: written, it
/// would be a memory with empty content.
QString missingContentReason();

/// What a store's text that is not valid UTF-8 becomes: each invalid sequence reads as U+FFFD, and is shown,
/// exported and copied so. The warning names the field.
QString invalidUtf8Reason(const QString& field);

/// A copy between a SQLite store and a store that keeps the domain's three parts: why subcog would read the copy's
/// domain otherwise than the original's (spec §3.4: SQLite's lossy parse), or nothing. The data is kept as stored.
std::optional<QString> subcogReadsDomainOtherwise(const Memory& memory, bool fromSqlite, bool intoSqlite);

/// Why a stored record could not be turned into a Memory, or another problem found in a store.
struct RecordIssue
{
    QString id; ///< record id, or file name for file-based stores
    QString reason;
    bool unreadable = false; ///< a stored memory that could not be read (an export leaves it out), not a warning
};

} // namespace Inspector

Q_DECLARE_METATYPE(Inspector::Memory)
Q_DECLARE_METATYPE(Inspector::RecordIssue)

namespace Inspector {
/// subcog's content-hash tag `hash:sha256:<16 hex>` of trimmed, lower-cased, whitespace-collapsed content.
QString contentHashTag(const QString& content);
} // namespace Inspector
