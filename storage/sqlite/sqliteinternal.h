// SPDX-License-Identifier: MIT
// What the files of SqliteBackend share, and nothing else includes: the column list, the row types, the helpers
// that turn filters and values into SQL, and the mapping of SQLite's result codes to StorageError.
#pragma once

#include "sqlitebackend.h"

#include <QLoggingCategory>
#include <QSqlQuery>
#include <QVariant>

#include <array>
#include <optional>
#include <utility>
#include <vector>

struct sqlite3_stmt;

Q_DECLARE_LOGGING_CATEGORY(lcSqlite)

namespace Inspector::SqliteInternal {

// Columns of `memories` the inspector knows, in select-list order (after rowid).
enum Field
{
    FId,
    FNamespace,
    FDomain,
    FProjectId,
    FBranch,
    FFilePath,
    FStatus,
    FCreatedAt,
    FTags,
    FSource,
    FTombstonedAt,
    FExpiresAt,
    FIsSummary,
    FSourceMemoryIds,
    FConsolidationTimestamp,
    FGroupId,
    FContent,
    FieldCount
};
inline constexpr std::array<QLatin1StringView, FieldCount> kFieldNames {
    QLatin1StringView("id"),
    QLatin1StringView("namespace"),
    QLatin1StringView("domain"),
    QLatin1StringView("project_id"),
    QLatin1StringView("branch"),
    QLatin1StringView("file_path"),
    QLatin1StringView("status"),
    QLatin1StringView("created_at"),
    QLatin1StringView("tags"),
    QLatin1StringView("source"),
    QLatin1StringView("tombstoned_at"),
    QLatin1StringView("expires_at"),
    QLatin1StringView("is_summary"),
    QLatin1StringView("source_memory_ids"),
    QLatin1StringView("consolidation_timestamp"),
    QLatin1StringView("group_id"),
    QLatin1StringView("content"),
};

inline constexpr int kChunk = 400; // ids per IN list / FTS OR-query; well under SQLite's variable limit

QString quoteIdentifier(QStringView name);
/// Whether decoded text may hide bytes that were not UTF-8: they read as U+FFFD, and Qt's driver (UTF-16 from
/// SQLite) reads a stray continuation byte as U+0080..U+00BF. Only such text is checked against the stored bytes.
bool mayHideInvalidUtf8(const QVariant& value);
/// subcog's reader semantics: split on ',', trim, drop empty parts.
QStringList splitTags(const QString& raw);
/// Whether unicode61 finds a token in the text (else FTS5 cannot find it through the index).
bool hasFullTextToken(const QString& text);
QString ftsPhrase(const QString& text);
/// The FTS5 query of a filter's words (each a phrase in the content column, all required); empty without one.
QString fullTextQuery(const QStringList& words);
QString placeholders(qsizetype n);
/// Qt binds a null QString as SQL NULL; subcog writes '' for empty tags and content.
QString notNull(const QString& text);
bool isInteger(const QVariant& v);
QString sortColumn(SortKey key);

/// A statement on the driver's connection, finalized on every way out.
struct RawStatement
{
    sqlite3_stmt* stmt = nullptr;
    ~RawStatement();
};
QByteArrayView columnUtf8(sqlite3_stmt* st, int column);
bool isAsciiSpace(char c);
/// A column as Qt's driver would give it, without its per-value bookkeeping.
QVariant columnValue(sqlite3_stmt* stmt, int column);
void bindValue(sqlite3_stmt* stmt, int index, const QVariant& value);

/// inspector_flags(namespace, status, domain, tags, source_memory_ids): the MemoryFlags decoding these columns
/// sets; inspector_sources(source_memory_ids): the list as subcog reads it ('[]' when not an array of strings).
void registerLifecycleFunctions(sqlite3* handle);

/// Throws the StorageError for an SQLite result code (primary or extended): the kind from the code, the message
/// naming the store and what failed, the code, SQLite's text and the SQL in the detail.
[[noreturn]] void throwSqliteError(const QString& path, const QString& what, int code, const QString& reason,
                                   const QString& text, const QString& sql);

} // namespace Inspector::SqliteInternal

namespace Inspector {

struct SqliteBackend::ContentRow
{
    qint64 rowid = 0;
    QString content;
    QVariant tags;
};

struct SqliteBackend::Transaction
{
    // One BEGIN IMMEDIATE … COMMIT unit; rolls back unless committed, so a failed write leaves nothing behind.
    explicit Transaction(QSqlDatabase db)
        : db(std::move(db))
    {
    }
    ~Transaction()
    {
        if (open && !committed) {
            QSqlQuery q(db);
            q.exec(QStringLiteral("ROLLBACK"));
        }
    }
    QSqlDatabase db;
    bool open = false;
    bool committed = false;
};

struct SqliteBackend::Fragment
{
    QString sql;
    QVariantList binds;
};

struct SqliteBackend::RawRow
{
    qint64 rowid = 0;
    std::array<QVariant, SqliteInternal::FieldCount> values;
    /// the id's FTS rows, when the read already found them (a scan's join); otherwise attachContent looks
    bool contentKnown = false;
    QList<ContentRow> content;
};

/// What finding FTS rows and choosing full-text plans learnt about one file. Facts marked "as of" hold for one
/// data_version (another connection's commit moves it); this connection's own writes call forgetProofs().
struct SqliteBackend::FullTextCaches
{
    /// (id hash, FTS rowid), sorted; 16 bytes a row, built only when the rowid offset keeps missing
    std::vector<std::pair<quint64, qint64>> rowids;
    bool rowidsBuilt = false;
    int missedBatches = 0; ///< consecutive batches the offset mostly missed
    std::optional<qint64> rowidDelta = 0; ///< FTS rowid minus memories rowid, as last seen (0 until seen)
    /// data_version at which a whole scan found every memory's one FTS row and no other: storeIssues has nothing
    /// to report until the store changes
    std::optional<QByteArray> cleanAt;
    /// Ids (UTF-8) with several FTS rows, as of data_version duplicatesAt: the rowid join could pick the wrong
    /// copy, so their content is looked up completely (subcog reads the first)
    QSet<QByteArray> duplicateIds;
    std::optional<QByteArray> duplicatesAt;
    /// match string → FTS rows it matches, as of data_version matchCountsAt; maxRowid: memories' largest rowid
    QHash<QString, qint64> matchCounts;
    std::optional<QByteArray> matchCountsAt;
    qint64 maxRowid = 0;
    QHash<QString, bool> leadingIndex; ///< column → an index of `memories` starts with it
    std::optional<bool> idTextAffinity; ///< memories.id compares as text (RowidSet's duplicate guard relies on it)
    std::optional<bool> idsUnique;
    /// match string + offset → matching FTS rows not at their memory's rowid + offset (countAligned), same lifetime
    QHash<QString, qint64> unclaimed;

    /// Drops what scans and counts proved for the current data_version, which this connection's writes keep.
    void forgetProofs()
    {
        cleanAt.reset();
        duplicatesAt.reset();
        matchCountsAt.reset();
    }
};

} // namespace Inspector
