// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"

#include <QCoreApplication>
#include <QVariant>

namespace Inspector {

/// The table's columns: one per stored field of a memory.
enum class MemoryColumn
{
    Id,
    Namespace,
    Content,
    Status,
    Domain,
    Project,
    Branch,
    FilePath,
    Tags,
    Source,
    CreatedAt,
    UpdatedAt,
    ExpiresAt,
    TombstonedAt,
    IsSummary,
    SourceMemoryIds,
    ConsolidatedAt,
    GroupId,
    Embedding,
    Count
};

/**
 * How each field is shown and edited. Edits are parsed and checked here, so the table, the detail pane and the
 * command line agree on what a valid namespace, status, domain, date or tag list is.
 */
class MemoryFields
{
    Q_DECLARE_TR_FUNCTIONS(MemoryFields)
public:
    static int columnCount() { return int(MemoryColumn::Count); }
    static QString title(MemoryColumn column);
    /// The stored field name (`namespace`, `tombstoned_at`), for tooltips, CSV headers and settings.
    static QString fieldName(MemoryColumn column);
    static QString description(MemoryColumn column);
    static bool isEditable(MemoryColumn column);

    /// One line for a table cell (content is a preview of its first line).
    static QString displayText(const Memory& memory, MemoryColumn column);
    /// The text an editor starts with; parseEdit() reads the same form back.
    static QString editText(const Memory& memory, MemoryColumn column);
    /// The stored value: seconds for dates, a list for tags, nullptr-valued QVariant for absent optionals.
    static QVariant rawValue(const Memory& memory, MemoryColumn column);

    /// Applies an edit of one field to `memory`; on invalid input leaves it alone and returns why.
    static QString applyEdit(Memory& memory, MemoryColumn column, const QVariant& value);

    /// Local date and time for Unix seconds, as shown in the table.
    static QString formatTime(qint64 seconds);
    /// Parses Unix seconds, `YYYY-MM-DD` or an ISO 8601 date-time (local time unless it says otherwise).
    static std::optional<qint64> parseTime(const QString& text);
    /// Content shortened to its first line and `maxChars`.
    static QString preview(const QString& content, int maxChars = 200);
};

} // namespace Inspector
