// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace Inspector {

/// subcog's PostgreSQL migration 1 (spec §5.1) without pgvector's `memory_vectors` table, which the inspector
/// does not need; psql- and libpq-executable.
QString postgresHeadSchemaSql();

/// subcog's `memory_vectors` table and its HNSW index (spec §5.1), with pgvector; for servers that have it.
QString postgresVectorSchemaSql();

/// The older split layout's `memories` table (spec §5.2), for fixtures and tests.
QString postgresSplitSchemaSql();

} // namespace Inspector
