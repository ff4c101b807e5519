// SPDX-License-Identifier: MIT
// How each kind of store writes one guarded step of a merge (applyMergeWrites drives them). Internal to storage/:
// the backends' headers are left alone; each writer reaches its backend through dynamic_cast and its public calls.
#pragma once

#include "duplicates.h"

#include <optional>

namespace Inspector::MergeWrite {

/// Why each of `expected` is not what the store holds now (`current`, as the backend reads them); empty: all are.
QStringList conflicts(const QList<Memory>& expected, const QList<Memory>& current);

/// SQLite: one BEGIN IMMEDIATE transaction on a connection of its own, the compare inside it, then the memories,
/// their FTS rows and the edges; nullopt when `backend` is not a SqliteBackend.
std::optional<MergeWritten> sqlite(PersistenceBackend& backend, const QList<Memory>& expected,
                                   const QList<Memory>& desired, const QList<MemoryEdge>& addEdges,
                                   const QList<MemoryEdge>& removeEdges);
/// PostgreSQL: one transaction locking the rows (SELECT … FOR UPDATE) whose versions must be the ones compared;
/// nullopt when `backend` is not a PostgresBackend.
std::optional<MergeWritten> postgres(PersistenceBackend& backend, const QList<Memory>& expected,
                                     const QList<Memory>& desired, const QList<MemoryEdge>& addEdges,
                                     const QList<MemoryEdge>& removeEdges);

} // namespace Inspector::MergeWrite
