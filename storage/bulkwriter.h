// SPDX-License-Identifier: MIT
// How each kind of store writes one guarded batch of a bulk edit (bulkeditrun.cpp drives them). Internal to
// storage/: the backends' own headers are left alone; each writer reaches its concrete backend through
// dynamic_cast and the backend's public calls.
#pragma once

#include "memory.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>

namespace Inspector {

class PersistenceBackend;

/// One memory of a batch: write `desired`'s fields where the store still holds `expected` (fields, content digest).
struct BulkWriteItem
{
    const Memory* expected = nullptr; ///< content and embedding cleared
    const Memory* desired = nullptr; ///< content and embedding cleared
    QByteArray contentDigest;
};

struct BulkWriteResult
{
    enum class Outcome
    {
        Written,
        Skipped, ///< another writer changed or removed it
        AlreadyDone, ///< the store already holds `desired`
        Failed,
    };
    Outcome outcome = Outcome::Failed;
    QString reason;
};

/// Writes guarded batches into one store. Created per apply; lives on the backend's thread.
class BulkWriter
{
public:
    virtual ~BulkWriter();
    /// One result per item, in order. Throws StorageError when the batch could not be written at all (then
    /// nothing of it was, where the store has transactions).
    virtual QList<BulkWriteResult> writeBatch(const QList<BulkWriteItem>& items) = 0;
};

namespace BulkWrite {

/// The digest a plan keeps of a memory's content.
QByteArray contentDigest(const QString& content);
/// A copy without content and embedding (what a plan keeps, and what guards compare).
Memory stripped(const Memory& memory);
/// Compares the store's `current` with an item: Written means it holds `expected` (go ahead and write).
BulkWriteResult classify(const Memory* current, const BulkWriteItem& item);
/// `current` with the fields a bulk edit writes taken from `desired` (content, embedding and the rest kept).
Memory merged(const Memory& current, const Memory& desired);

/// The writer for this backend (looking through a RetryingBackend): SQLite and PostgreSQL batch in one
/// transaction; other stores compare and store memory by memory.
std::unique_ptr<BulkWriter> writerFor(PersistenceBackend& backend);

// each in its backend's folder
std::unique_ptr<BulkWriter> sqliteWriter(PersistenceBackend& backend); ///< nullptr when not a SqliteBackend
std::unique_ptr<BulkWriter> postgresWriter(PersistenceBackend& backend); ///< nullptr when not a PostgresBackend

} // namespace BulkWrite

} // namespace Inspector
