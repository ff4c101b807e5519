// SPDX-License-Identifier: MIT
// A PostgreSQL store whose count tells the parallel workers the counting statement was allowed.
#pragma once

#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "testhelpers.h"

namespace Inspector::Testing {

/// A new database whose `memories` is a view repeating each of its `rows` memories once more for every parallel
/// worker a statement may use (max_parallel_workers_per_gather, read as the statement runs): count() is then
/// rows × (workers + 1), the setting inside the count's own transaction. Returns the store's URL.
inline QString storeCountingParallelWorkers(PostgresServer& server, int rows)
{
    const QString database = server.createDatabase(QStringLiteral("workers"));
    const QString url = server.url(database);
    {
        const auto store = PostgresBackend::createSchema(url);
        for (int i = 0; i < rows; ++i)
            store->store(sampleMemory(QStringLiteral("w%1").arg(i)));
    }
    server.runSql(database,
                  QStringLiteral("ALTER TABLE memories RENAME TO memory_rows; "
                                 "CREATE VIEW memories AS SELECT m.* FROM memory_rows m CROSS JOIN "
                                 "generate_series(0, current_setting('max_parallel_workers_per_gather')::int)"));
    return url;
}

} // namespace Inspector::Testing
