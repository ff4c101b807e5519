// SPDX-License-Identifier: MIT
#include "sqliteschema.h"

#include "storageerror.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Inspector {

void createSubcogSchema(QSqlDatabase& db)
{
    QSqlQuery q(db);
    auto run = [&](const QString& sql, bool ignoreErrors) {
        if (!q.exec(sql) && !ignoreErrors)
            throw StorageError(StorageError::Kind::OperationFailed,
                               db.databaseName() + u": cannot create subcog's schema: "_s + q.lastError().text(), sql);
    };
    run(u"PRAGMA journal_mode = WAL"_s, false);
    // The statement texts match subcog's, so sqlite_master reads as in a store subcog created itself.
    run(u"CREATE TABLE IF NOT EXISTS memories (\n"
        "                id TEXT PRIMARY KEY,\n"
        "                namespace TEXT NOT NULL,\n"
        "                domain TEXT,\n"
        "                project_id TEXT,\n"
        "                branch TEXT,\n"
        "                file_path TEXT,\n"
        "                status TEXT NOT NULL,\n"
        "                created_at INTEGER NOT NULL,\n"
        "                tags TEXT,\n"
        "                source TEXT\n"
        "            )"_s,
        false);
    for (const auto column : {"source TEXT"_L1, "project_id TEXT"_L1, "branch TEXT"_L1, "file_path TEXT"_L1,
                              "tombstoned_at INTEGER"_L1, "expires_at INTEGER"_L1, "is_summary INTEGER DEFAULT 0"_L1,
                              "source_memory_ids TEXT"_L1, "consolidation_timestamp INTEGER"_L1})
        run(u"ALTER TABLE memories ADD COLUMN "_s + column, true); // "duplicate column" is expected, as in subcog
    run(u"CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts USING fts5(id, content, tags)"_s, false);
    run(u"CREATE TABLE IF NOT EXISTS memory_edges (\n"
        "                from_id TEXT NOT NULL,\n"
        "                to_id TEXT NOT NULL,\n"
        "                edge_type TEXT NOT NULL,\n"
        "                created_at INTEGER NOT NULL,\n"
        "                PRIMARY KEY (from_id, to_id, edge_type),\n"
        "                FOREIGN KEY (from_id) REFERENCES memories(id) ON DELETE CASCADE,\n"
        "                FOREIGN KEY (to_id) REFERENCES memories(id) ON DELETE CASCADE\n"
        "            )"_s,
        false);
    for (const auto index : {
             "idx_memories_namespace ON memories(namespace)"_L1,
             "idx_memories_domain ON memories(domain)"_L1,
             "idx_memories_status ON memories(status)"_L1,
             "idx_memories_created_at ON memories(created_at DESC)"_L1,
             "idx_memories_tombstoned_at ON memories(tombstoned_at) WHERE tombstoned_at IS NOT NULL"_L1,
             "idx_memories_expires_at ON memories(expires_at) WHERE expires_at IS NOT NULL"_L1,
             "idx_memories_namespace_status ON memories(namespace, status)"_L1,
             "idx_memories_namespace_created ON memories(namespace, created_at DESC)"_L1,
             "idx_memories_source_status ON memories(source, status)"_L1,
             "idx_memories_project_id ON memories(project_id)"_L1,
             "idx_memories_project_branch ON memories(project_id, branch)"_L1,
             "idx_memories_file_path ON memories(file_path)"_L1,
             "idx_memories_tombstoned ON memories(tombstoned_at) WHERE tombstoned_at IS NOT NULL"_L1,
             "idx_memory_edges_from_id ON memory_edges(from_id)"_L1,
             "idx_memory_edges_to_id ON memory_edges(to_id)"_L1,
             "idx_memory_edges_edge_type ON memory_edges(edge_type)"_L1,
             "idx_memory_edges_from_type ON memory_edges(from_id, edge_type)"_L1,
             "idx_memory_edges_to_type ON memory_edges(to_id, edge_type)"_L1,
         })
        run(u"CREATE INDEX IF NOT EXISTS "_s + index, true);
}

} // namespace Inspector
