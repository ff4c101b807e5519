// SPDX-License-Identifier: MIT
// memory_vectors for embeddings.cpp and embeddingcoverage.cpp, which reach it through PostgresModule.
#include "postgresembeddings.h"

#include "embeddingsinternal.h"
#include "postgresbackend.h"

#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <vector>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace EmbeddingsDetail;

bool postgresScanVectors(PostgresBackend& store, const PostgresModule::VectorSink& sink,
                         const PostgresModule::Progress& progress)
{
    if (store.embeddingStorage() != EmbeddingStorage::Apart)
        return false;
    // one snapshot, keyset batches on the primary key: the same text form for pgvector's vector and a TEXT
    // stand-in, so the scan needs neither pgvector nor its operators (see README: not `<=>`)
    store.readInSnapshot(u"reading memory_vectors"_s, [&](pqxx::transaction_base& tx) {
        const qint64 total = tx.exec("SELECT count(*) FROM memory_vectors")[0][0].as<qint64>();
        const std::string first = "SELECT id, embedding::text FROM memory_vectors WHERE embedding IS NOT NULL "
                                  "ORDER BY id LIMIT $1";
        const std::string next = "SELECT id, embedding::text FROM memory_vectors WHERE embedding IS NOT NULL "
                                 "AND id > $2 ORDER BY id LIMIT $1";
        constexpr int kBatch = 2000;
        std::optional<std::string> after;
        std::vector<float> values;
        qint64 done = 0;
        for (;;) {
            if (progress && !progress(done, total))
                throwCancelled();
            const pqxx::result r = after ? tx.exec_params(next, kBatch, *after) : tx.exec_params(first, kBatch);
            for (const auto& row : r) {
                const char* text = row[1].c_str();
                if (parseVectorInto(text, text + row[1].size(), values))
                    sink(QByteArrayView(row[0].c_str(), qsizetype(row[0].size())), values.data(),
                         qsizetype(values.size()));
            }
            done += qint64(r.size());
            if (r.size() < size_t(kBatch))
                break;
            after = std::string(r[int(r.size()) - 1][0].c_str(), r[int(r.size()) - 1][0].size());
        }
    });
    return true;
}

EmbeddingCoverage postgresCoverage(PostgresBackend& store, const QString& where)
{
    EmbeddingCoverage coverage;
    coverage.where = where;
    store.readInSnapshot(u"counting embeddings"_s, [&](pqxx::transaction_base& tx) {
        const bool tombstonedAt = !tx.exec("SELECT 1 FROM information_schema.columns WHERE table_schema = "
                                           "current_schema() AND table_name = 'memories' AND column_name = "
                                           "'tombstoned_at'")
                                       .empty();
        // the store check's predicates: a memory_vectors row for the id (missing-vector), a row without a memory
        // (orphan-vector)
        const std::string live
            = std::string("lower(m.status) <> 'tombstoned'") + (tombstonedAt ? " AND m.tombstoned_at IS NULL" : "");
        const pqxx::row counts
            = tx.exec1("SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM memory_vectors v WHERE v.id = "
                       "m.id)), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM memory_vectors v WHERE v.id = m.id) "
                       "AND "
                       + live + ") FROM memories m");
        coverage.memories = counts[0].as<qint64>();
        coverage.withEmbedding = counts[1].as<qint64>();
        coverage.liveWithout = counts[2].as<qint64>();
        coverage.orphans = tx.exec1("SELECT count(*) FROM memory_vectors v WHERE NOT EXISTS (SELECT 1 FROM "
                                    "memories m WHERE m.id = v.id)")[0]
                               .as<qint64>();
    });
    return coverage;
}

} // namespace Inspector
