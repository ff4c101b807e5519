// SPDX-License-Identifier: MIT
#pragma once

#include "persistencebackend.h"

#include <memory>

namespace Inspector {

/// A parsed STORE argument.
struct StoreSpec
{
    enum class Kind
    {
        Sqlite,
        Postgres,
        Filesystem,
        Jsonl, ///< a JSON Lines export, read-only
    };
    Kind kind = Kind::Sqlite;
    QString location; ///< file path, directory or URL

    /// `sqlite:PATH`, `fs:DIR`, `jsonl:FILE`, `postgresql://…`/`postgres://…`, or a path (a directory means a
    /// folder store, a file ending in `.jsonl` or `.ndjson` a JSON Lines export).
    static StoreSpec parse(const QString& text);
};

struct OpenOptions
{
    bool readOnly = false; ///< open without write access even when the store allows it
    std::optional<QByteArray> encryptionKey; ///< 32-byte key for encrypted folder stores (else SUBCOG_ENCRYPTION_KEY)
    bool create = false; ///< create the store in subcog's layout when it does not exist (a copy's target)
};

/// Opens the store a STORE argument names, wrapped in the retry policy from the environment.
std::unique_ptr<PersistenceBackend> openStore(const QString& spec, const OpenOptions& options = {});

} // namespace Inspector
