// SPDX-License-Identifier: MIT
#pragma once

#include "query.h"

#include <QSet>
#include <QStringList>
#include <QVariantList>

#include <functional>

namespace Inspector {

/// The SQL dialects whose backends build their filter clauses with FilterSql.
enum class SqlDialect
{
    Sqlite, ///< `?` placeholders, one per value; tags comma-joined text read by inspector_has_tag(); GLOB
    Postgres, ///< `$n` placeholders, lists bound as one text[] literal; tags a text[] column; LIKE
};

/// The expressions a dialect's statement reads each filtered column through (NULL for a column a layout lacks).
struct FilterColumns
{
    QString id;
    QString lowerNamespace;
    QString lowerStatus;
    QString tags;
    QString createdAt;
    QString source;
    QString filePath;
    QString projectId;
    QString branch;
    QString tombstonedAt;

    /// SQLite's `memories m`, with the columns this file has (lower case).
    static FilterColumns sqlite(const QSet<QString>& columns);
    /// PostgreSQL's `memories`, with the columns this table has (lower case).
    static FilterColumns postgres(const QSet<QString>& columns);
};

/**
 * A WHERE clause under construction: conditions joined by AND, with their values in binding order. The clauses
 * both SQL backends write alike are methods here, written per dialect; a backend adds its own (full text,
 * domains) with bind() and add() in the order its statements always had.
 */
class FilterSql
{
public:
    explicit FilterSql(SqlDialect dialect)
        : m_dialect(dialect)
    {
    }

    SqlDialect dialect() const { return m_dialect; }
    /// Binds `value` and returns its placeholder. One call per full expression: operands of `+` are unsequenced.
    QString bind(const QVariant& value);
    /// A condition whose placeholders were made by bind(), or, in SQLite, `?`s for `values` in order.
    void add(const QString& condition, const QVariantList& values = {});

    /// ids, namespaces, statuses, tags, the created_at range, source and path patterns, projects and branches:
    /// the clauses both backends write first and in this order.
    void addMetadata(const MemoryFilter& filter, const FilterColumns& columns);
    /// `expr` is one of `values` (nothing when there are none).
    void oneOf(const QString& expr, const QStringList& values);
    /// The source_memory_ids text (`expr`) names one of the ids: a substring test, never a JSON parse (one
    /// malformed value would fail the whole query).
    void summarizing(const QString& expr, const QStringList& ids);
    /// The tombstone condition over LOWER(status) and tombstoned_at.
    void tombstones(TombstoneFilter which, const QString& lowerStatus, const QString& tombstonedAt);

    /// The expressions the lifecycle keys read, as a dialect writes them (storage/lifecyclefilter.h).
    struct Lifecycle
    {
        QString expiresAt; ///< the expires_at column (NULL when the layout lacks it)
        QString isSummary; ///< a condition: is_summary is true
        QString hasEdges; ///< a condition: the memory has an edge
        /// A condition: the record carries this decode anomaly (expired-active and half-tombstoned are written
        /// here). It binds its values with bind(), in the order they appear in its text.
        std::function<QString(FilterSql&, const QString& anomaly)> anomaly;
    };
    /// expired:, is:summary, has:edges and flag: (`columns` gives status and tombstoned_at).
    void lifecycle(const MemoryFilter& filter, const FilterColumns& columns, const Lifecycle& exprs);

    bool isEmpty() const { return m_conditions.isEmpty(); }
    const QStringList& conditions() const { return m_conditions; }
    /// " WHERE a AND b…", or an empty string without conditions.
    QString where() const;
    const QVariantList& binds() const { return m_binds; }

    /// subcog's `*` wildcard as a GLOB pattern (GLOB's other specials made literal).
    static QString globPattern(const QString& wildcard);
    /// subcog's `*` wildcard as a LIKE pattern (backslash escapes).
    static QString likePattern(const QString& wildcard);
    /// A PostgreSQL text[] literal of these strings (libpqxx 6.4 cannot bind a std::vector, so arrays travel as text).
    static QString arrayLiteral(const QStringList& items);

private:
    void tags(const MemoryFilter& filter, const QString& expr);
    void patterns(const QString& expr, const QStringList& wildcards);

    SqlDialect m_dialect;
    QStringList m_conditions;
    QVariantList m_binds;
};

} // namespace Inspector
