// SPDX-License-Identifier: MIT
// The module's implementation of PostgresModule: each call is the function of the same name in this folder or in
// health/, so those keep their own names and the tests that link them in call them directly.
#include "bulkwriter.h"
#include "duplicatemergewrite.h"
#include "health/postgrescheck.h"
#include "health/postgresrepair.h"
#include "health/repairundointernal.h"
#include "health/trash.h"
#include "postgresbackend.h"
#include "postgresembeddings.h"
#include "postgresidentity.h"
#include "postgresmodule.h"

#include <libpq-fe.h>
#include <pqxx/version>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

class Module final : public PostgresModule
{
public:
    std::unique_ptr<PersistenceBackend> open(const QString& url, const PostgresOptions& options) const override
    {
        return PostgresBackend::open(url, options);
    }
    std::unique_ptr<PersistenceBackend> createSchema(const QString& url) const override
    {
        return PostgresBackend::createSchema(url);
    }
    QString libraryVersions() const override
    {
        const int pq = PQlibVersion(); // e.g. 150018 for 15.18
        return u"libpq "_s + QString::number(pq / 10000) + u'.' + QString::number(pq % 10000) + u", libpqxx "_s
            + QString::fromLatin1(PQXX_VERSION);
    }
    QString target(const QString& connection) const override { return postgresTarget(connection); }
    std::optional<QString> serverIdentity(PersistenceBackend& store) const override
    {
        return postgresServerIdentity(store);
    }
    std::unique_ptr<BulkWriter> bulkWriter(PersistenceBackend& store) const override
    {
        return BulkWrite::postgresWriter(store);
    }
    std::optional<MergeWritten> mergeWrite(PersistenceBackend& store, const QList<Memory>& expected,
                                           const QList<Memory>& desired, const QList<MemoryEdge>& addEdges,
                                           const QList<MemoryEdge>& removeEdges) const override
    {
        return MergeWrite::postgres(store, expected, desired, addEdges, removeEdges);
    }
    bool scanVectors(PersistenceBackend& store, const VectorSink& sink, const Progress& progress) const override
    {
        auto* postgres = dynamic_cast<PostgresBackend*>(&store);
        return postgres && postgresScanVectors(*postgres, sink, progress);
    }
    std::optional<EmbeddingCoverage> embeddingCoverage(PersistenceBackend& store, const QString& where) const override
    {
        if (auto* postgres = dynamic_cast<PostgresBackend*>(&store))
            return postgresCoverage(*postgres, where);
        return std::nullopt;
    }
    bool checkStore(const QString& url, const std::function<void(const Finding&)>& sink,
                    const PostgresCheckOptions& options) const override
    {
        return checkPostgresStore(url, sink, options);
    }
    StoreRepairReport repairStore(const QString& url, const StoreRepairOptions& options) const override
    {
        return repairPostgresStore(url, options);
    }
    TrashPreview previewTrash(const QString& url, TrashAction action, qint64 now, qint64 cutoff) const override
    {
        return previewPostgresTrash(url, action, now, cutoff);
    }
    StoreRepairReport emptyTrash(const QString& url, const TrashPreview& preview,
                                 const TrashOptions& options) const override
    {
        return emptyPostgresTrash(url, preview, options);
    }
    StoreRepairReport tombstoneExpired(const QString& url, const TrashPreview& preview,
                                       const TrashOptions& options) const override
    {
        return tombstonePostgresExpired(url, preview, options);
    }
    RepairImages repairImages(const QString& url, const QString& rowsBackupPath,
                              const QSet<QString>& changed) const override
    {
        return postgresRepairImages(url, rowsBackupPath, changed);
    }
    RepairRestoreOutcome restore(const RepairImages& images, bool undo) const override
    {
        return RepairUndo::restorePostgres(images, undo);
    }
};

} // namespace

} // namespace Inspector

extern "C" __attribute__((visibility("default"))) const Inspector::PostgresModule* subcog_inspector_postgres_module()
{
    static const Inspector::Module module;
    return &module;
}
