// SPDX-License-Identifier: MIT
#include "storeopener.h"

#include "filesystem/filesystembackend.h"
#include "jsonl/jsonlbackend.h"
#include "postgresmodule.h"
#include "retryingbackend.h"
#include "sqlite/sqlitebackend.h"
#include "subcogfiles.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace Inspector {

StoreSpec StoreSpec::parse(const QString& text)
{
    if (text.startsWith("sqlite:"_L1))
        return {Kind::Sqlite, text.mid(7)};
    if (text.startsWith("fs:"_L1))
        return {Kind::Filesystem, text.mid(3)};
    if (text.startsWith("jsonl:"_L1))
        return {Kind::Jsonl, text.mid(6)};
    if (text.startsWith("postgresql://"_L1) || text.startsWith("postgres://"_L1))
        return {Kind::Postgres, text};
    if (QFileInfo(text).isDir() || text.endsWith(u'/'))
        return {Kind::Filesystem, text};
    if (text.endsWith(".jsonl"_L1, Qt::CaseInsensitive) || text.endsWith(".ndjson"_L1, Qt::CaseInsensitive))
        return {Kind::Jsonl, text};
    return {Kind::Sqlite, text};
}

std::unique_ptr<PersistenceBackend> openStore(const QString& text, const OpenOptions& options)
{
    if (text.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput, u"no store given"_s);
    const StoreSpec spec = StoreSpec::parse(text);
    std::unique_ptr<PersistenceBackend> backend;
    switch (spec.kind) {
    case StoreSpec::Kind::Sqlite:
        if (spec.location.isEmpty())
            throw StorageError(StorageError::Kind::InvalidInput, u"sqlite: needs a file path"_s);
        if (options.create && !options.readOnly && !QFileInfo::exists(spec.location)) {
            backend = SqliteBackend::create(spec.location);
        } else if (const QString index = storeOfGraphFile(spec.location);
                   !index.isEmpty() && QFileInfo::exists(spec.location) && holdsOnlyAGraph(spec.location)) {
            // by its tables, not its name: a memory store that happens to be called graph.db opens as itself
            // subcog's graph.db opens the store it belongs to, beside it, which reads it as its graph
            if (!QFileInfo::exists(index))
                throw StorageError(StorageError::Kind::InvalidInput, graphFileExplanation(spec.location));
            backend = SqliteBackend::open(
                index, options.readOnly ? SqliteBackend::OpenMode::ReadOnly : SqliteBackend::OpenMode::Auto);
        } else {
            try {
                backend = SqliteBackend::open(spec.location,
                                              options.readOnly ? SqliteBackend::OpenMode::ReadOnly
                                                               : SqliteBackend::OpenMode::Auto);
            } catch (const StorageError& e) {
                if (e.kind() == StorageError::Kind::InvalidInput && holdsOnlyAGraph(spec.location))
                    throw StorageError(StorageError::Kind::InvalidInput, graphFileExplanation(spec.location));
                throw explainSubcogFile(spec.location, e); // subcog's prompt library, its webhook log
            }
        }
        break;
    case StoreSpec::Kind::Postgres: {
        const PostgresModule& module = postgresModule();
        PostgresOptions pg;
        pg.readOnly = options.readOnly;
        if (options.create && !options.readOnly) {
            try {
                backend = module.createSchema(spec.location);
                break;
            } catch (const StorageError& e) {
                if (e.kind() != StorageError::Kind::InvalidInput)
                    throw; // "already has a memories table" falls through to a plain open
            }
        }
        backend = module.open(spec.location, pg);
        break;
    }
    case StoreSpec::Kind::Filesystem: {
        FilesystemBackend::Options fs;
        fs.readOnly = options.readOnly;
        fs.key = options.encryptionKey;
        backend = options.create && !options.readOnly ? FilesystemBackend::create(spec.location, fs)
                                                      : FilesystemBackend::open(spec.location, fs);
        break;
    }
    case StoreSpec::Kind::Jsonl:
        if (spec.location.isEmpty())
            throw StorageError(StorageError::Kind::InvalidInput, u"jsonl: needs a file path"_s);
        if (options.create)
            // a copy's target: the file is a backup to restore from, never written as a store
            throw StorageError(StorageError::Kind::InvalidInput,
                               spec.location
                                   + u": a JSON Lines file is a read-only store and cannot be a copy's TARGET; "
                                     u"write one with export --format jsonl -o FILE"_s);
        backend = JsonlBackend::open(spec.location);
        break;
    }
    return std::make_unique<RetryingBackend>(std::move(backend), RetryPolicy::fromEnvironment());
}

} // namespace Inspector
