// SPDX-License-Identifier: MIT
#pragma once

#include "storageerror.h"

#include <QList>
#include <QStringList>
#include <QVariant>

#include <optional>

namespace Inspector {

/// subcog's SQLite files that hold no memories (spec §2.2).
struct SubcogFile
{
    enum class Kind
    {
        Prompts, ///< `~/.config/subcog/memories.db` (or an org's): tables prompts and context_templates (§4.8)
        WebhookAudit, ///< `<data_dir>/webhook_audit.db`: table webhook_deliveries
    };
    Kind kind = Kind::Prompts;
    QString path;
    QString explanation; ///< one line: what the file is, what it holds, where the inspector shows it
};

/// What `path` is when it is one of those files (read on a read-only connection; never written); nullopt when it
/// is not (a memory store, another database, no database at all).
std::optional<SubcogFile> identifySubcogFile(const QString& path);

/// For a SQLite file that did not open as a memory store: a StorageError of Kind::OtherSubcogFile with the
/// explanation when the file is one of subcog's other files, otherwise `error` itself.
StorageError explainSubcogFile(const QString& path, const StorageError& error);

/// One table of such a file, read whole (up to a limit).
struct SubcogTable
{
    QString name; ///< the SQL table
    QString title; ///< for people: "Prompts"
    QStringList columns;
    QList<QVariantList> rows; ///< text as QString, integers as qint64, reals as double, NULL as a null QVariant
    qint64 total = 0; ///< rows in the table (more than `rows` when the limit cut it)
};

/// The tables of one of subcog's other files, on a read-only connection: prompts and context_templates, or
/// webhook_deliveries (newest first). Throws StorageError.
QList<SubcogTable> readSubcogFileTables(const QString& path, int maxRows = 100000);

} // namespace Inspector
