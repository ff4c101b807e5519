// SPDX-License-Identifier: MIT
// The generated PostgreSQL store the benchmarks read: loaded once per private server directory.
#pragma once

#include "benchutil.h"
#include "fixturegenerator.h"
#include "postgresserver.h"

namespace Bench {

/// Loads `count` generated memories (subcog's HEAD layout, light content) into database `bench_<count>` of
/// `server` unless it is there already, and returns the database's name.
inline QString loadGeneratedPostgresStore(Inspector::Testing::PostgresServer& server, int count)
{
    using namespace Inspector;
    const QString database = QStringLiteral("bench_") + QString::number(count);
    if (server
            .runSql(QStringLiteral("postgres"),
                    QStringLiteral("SELECT count(*) FROM pg_database WHERE datname = '") + database
                        + QStringLiteral("'"))
            .trimmed()
        == QStringLiteral("1"))
        return database;
    QTemporaryDir scratch;
    const QString sql = scratch.filePath(QStringLiteral("store.sql"));
    auto options = Fixtures::GeneratorOptions::benchmark(count);
    out() << "generating and loading " << count << " memories into PostgreSQL …" << Qt::endl;
    const double ms = timeMs([&] {
        Fixtures::writePostgresSql(sql, Fixtures::PostgresLayout::Head, options);
        server.runSql(QStringLiteral("postgres"), QStringLiteral("CREATE DATABASE ") + database);
        server.runSqlFile(database, sql);
        // what autovacuum does on a running server soon after a bulk insert: without it the visibility map is
        // empty and every index scan reads the table as well, so the figures would be of a store no server keeps
        server.runSql(database, QStringLiteral("VACUUM (ANALYZE) memories"));
    });
    out() << "loaded in " << QString::number(ms / 1000, 'f', 1) << " s" << Qt::endl;
    return database;
}

} // namespace Bench
