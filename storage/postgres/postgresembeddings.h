// SPDX-License-Identifier: MIT
#pragma once

#include "embeddings.h"
#include "postgresmodule.h"

namespace Inspector {

class PostgresBackend;

/// Streams memory_vectors in keyset batches in one snapshot; false when the store keeps no vectors apart.
bool postgresScanVectors(PostgresBackend& store, const PostgresModule::VectorSink& sink,
                         const PostgresModule::Progress& progress);
/// The store check's counts of missing and orphan vectors, in one snapshot.
EmbeddingCoverage postgresCoverage(PostgresBackend& store, const QString& where);

} // namespace Inspector
