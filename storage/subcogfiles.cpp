// SPDX-License-Identifier: MIT
#include "subcogfiles.h"

#include "health/sqliteraw.h"

#include <QFileInfo>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
QSet<QString> tablesOf(const SqliteRaw::Connection& db)
{
    SqliteRaw::Statement q(db, u"SELECT lower(name) FROM sqlite_master WHERE type = 'table'"_s);
    QSet<QString> tables;
    while (q.step())
        tables.insert(q.value(0).toText());
    return tables;
}

/// Whether `table` has every one of `columns` (subcog's own, spec §4.8): a table of that name in some other program's
/// database is not subcog's.
bool hasColumns(const SqliteRaw::Connection& db, const QString& table, const QStringList& columns)
{
    SqliteRaw::Statement q(db, u"SELECT lower(name) FROM pragma_table_info(?1)"_s);
    q.bind(1, table);
    QSet<QString> found;
    while (q.step())
        found.insert(q.value(0).toText());
    return std::all_of(columns.begin(), columns.end(), [&](const QString& c) { return found.contains(c); });
}

/// `tables` without the subcog table names whose columns are not subcog's.
QSet<QString> withSubcogColumns(const SqliteRaw::Connection& db, QSet<QString> tables)
{
    const QStringList common {u"name"_s, u"content"_s, u"variables"_s, u"tags"_s, u"created_at"_s};
    if (tables.contains(u"prompts"_s) && !hasColumns(db, u"prompts"_s, common + QStringList {u"usage_count"_s}))
        tables.remove(u"prompts"_s);
    if (tables.contains(u"context_templates"_s)
        && !hasColumns(db, u"context_templates"_s, common + QStringList {u"version"_s}))
        tables.remove(u"context_templates"_s);
    if (tables.contains(u"webhook_deliveries"_s)
        && !hasColumns(db, u"webhook_deliveries"_s,
                       {u"webhook_name"_s, u"event_type"_s, u"url"_s, u"status"_s, u"timestamp"_s}))
        tables.remove(u"webhook_deliveries"_s);
    return tables;
}

qint64 rowsOf(const SqliteRaw::Connection& db, const QString& table)
{
    SqliteRaw::Statement q(db, u"SELECT count(*) FROM "_s + SqliteRaw::quotedIdentifier(table));
    return q.step() ? q.value(0).toInteger().value_or(0) : 0;
}

QString plural(qint64 n, const QString& one, const QString& many)
{
    return QString::number(n) + u' ' + (n == 1 ? one : many);
}
} // namespace

std::optional<SubcogFile> identifySubcogFile(const QString& path)
{
    if (!QFileInfo(path).isFile())
        return std::nullopt;
    try {
        const SqliteRaw::Connection db(path, true);
        QSet<QString> tables = tablesOf(db);
        if (tables.contains(u"memories"_s))
            return std::nullopt; // a memory store, whatever else it holds
        tables = withSubcogColumns(db, tables);
        const QString name = QFileInfo(path).fileName();
        if (tables.contains(u"prompts"_s) || tables.contains(u"context_templates"_s)) {
            QStringList held;
            if (tables.contains(u"prompts"_s))
                held << plural(rowsOf(db, u"prompts"_s), u"prompt"_s, u"prompts"_s);
            if (tables.contains(u"context_templates"_s))
                held << plural(rowsOf(db, u"context_templates"_s), u"context template"_s, u"context templates"_s);
            return SubcogFile {SubcogFile::Kind::Prompts, path,
                               path + u": not a memory store: this is subcog's prompt library ("_s
                                   + held.join(u" and "_s) + u"; subcog keeps it in ~/.config/subcog/"_s + name
                                   + u"); the window shows it read-only"_s};
        }
        if (tables.contains(u"webhook_deliveries"_s)) {
            return SubcogFile {SubcogFile::Kind::WebhookAudit, path,
                               path + u": not a memory store: this is subcog's webhook delivery log ("_s
                                   + plural(rowsOf(db, u"webhook_deliveries"_s), u"delivery"_s, u"deliveries"_s)
                                   + u"; subcog keeps it as webhook_audit.db in its data folder); the window shows "
                                     u"it read-only"_s};
        }
    } catch (const StorageError&) {
        // not a database, or unreadable: the memory store's own error says why
    }
    return std::nullopt;
}

StorageError explainSubcogFile(const QString& path, const StorageError& error)
{
    if (error.kind() != StorageError::Kind::InvalidInput)
        return error;
    if (const auto file = identifySubcogFile(path))
        return StorageError(StorageError::Kind::OtherSubcogFile, file->explanation, error.message());
    return error;
}

QList<SubcogTable> readSubcogFileTables(const QString& path, int maxRows)
{
    const SqliteRaw::Connection db(path, true);
    const QSet<QString> tables = withSubcogColumns(db, tablesOf(db));
    struct Known
    {
        QString name;
        QString title;
        QString order;
    };
    const QList<Known> known {
        {u"prompts"_s, u"Prompts"_s, u"name"_s},
        {u"context_templates"_s, u"Context Templates"_s, u"name, version"_s},
        {u"webhook_deliveries"_s, u"Webhook Deliveries"_s, u"timestamp DESC, id"_s},
    };
    QList<SubcogTable> result;
    for (const Known& k : known) {
        if (!tables.contains(k.name))
            continue;
        SubcogTable table;
        table.name = k.name;
        table.title = k.title;
        table.total = rowsOf(db, k.name);
        // every column as the file has it: older or newer subcog versions may have others
        SqliteRaw::Statement q(db, u"SELECT * FROM "_s + k.name + u" ORDER BY "_s + k.order + u" LIMIT ?1"_s,
                               u"cannot read the table "_s + k.name);
        q.bind(1, qint64(maxRows));
        for (int c = 0; c < q.columnCount(); ++c)
            table.columns << q.columnName(c);
        while (q.step()) {
            QVariantList row;
            row.reserve(q.columnCount());
            for (int c = 0; c < q.columnCount(); ++c) {
                const SqliteRaw::Value v = q.value(c);
                switch (v.type) {
                case SQLITE_INTEGER:
                    row << QVariant(v.integer);
                    break;
                case SQLITE_FLOAT:
                    row << QVariant(v.real);
                    break;
                case SQLITE_NULL:
                    row << QVariant();
                    break;
                default:
                    row << QVariant(v.toText());
                }
            }
            table.rows << row;
        }
        result << table;
    }
    if (result.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput,
                           path + u": neither a prompt library nor a webhook delivery log"_s);
    return result;
}

} // namespace Inspector
