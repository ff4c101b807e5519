// SPDX-License-Identifier: MIT
// The PostgreSQL half of the storage layer lives in a module of its own (subcog-inspector-postgres.so): libpq and
// libpqxx bring ~25 more libraries (ssl, gssapi, ldap, …) that every launch would otherwise load and bind before
// main(). The rest of the code reaches it only through PostgresModule, loaded the first time it is needed.
#pragma once

#include <QByteArrayView>
#include <QList>
#include <QSet>
#include <QString>
#include <QtGlobal>

#include <functional>
#include <memory>
#include <optional>

namespace Inspector {

class PersistenceBackend;
class BulkWriter;
struct Memory;
struct MemoryEdge;
struct MergeWritten;
struct EmbeddingCoverage;
struct Finding;
struct PostgresCheckOptions;
struct StoreRepairOptions;
struct StoreRepairReport;
struct RepairImages;
struct RepairRestoreOutcome;
struct TrashPreview;
struct TrashOptions;
enum class TrashAction;

/// How a PostgreSQL store is opened (PostgresBackend::Options).
struct PostgresOptions
{
    bool readOnly = false;
    int statementTimeoutMs = 30000;
    int connectTimeoutS = 10;
    bool creating = false; ///< an empty database is fine (createSchema fills it)
};

/// The module's entry points; each is the function of the same name in storage/postgres and storage/health.
class PostgresModule
{
public:
    using VectorSink = std::function<void(QByteArrayView id, const float* values, qsizetype count)>;
    using Progress = std::function<bool(qint64 done, qint64 total)>;

    virtual std::unique_ptr<PersistenceBackend> open(const QString& url, const PostgresOptions& options) const = 0;
    virtual std::unique_ptr<PersistenceBackend> createSchema(const QString& url) const = 0;
    /// "libpq 15.18, libpqxx 6.4.5"
    virtual QString libraryVersions() const = 0;
    virtual QString target(const QString& connection) const = 0;
    virtual std::optional<QString> serverIdentity(PersistenceBackend& store) const = 0;

    // the calls below take the store itself (not a RetryingBackend); nullptr / nullopt / false for another kind
    virtual std::unique_ptr<BulkWriter> bulkWriter(PersistenceBackend& store) const = 0;
    virtual std::optional<MergeWritten> mergeWrite(PersistenceBackend& store, const QList<Memory>& expected,
                                                   const QList<Memory>& desired, const QList<MemoryEdge>& addEdges,
                                                   const QList<MemoryEdge>& removeEdges) const = 0;
    /// Streams memory_vectors; false when the store keeps its vectors elsewhere.
    virtual bool scanVectors(PersistenceBackend& store, const VectorSink& sink, const Progress& progress) const = 0;
    virtual std::optional<EmbeddingCoverage> embeddingCoverage(PersistenceBackend& store,
                                                               const QString& where) const = 0;

    // store check, repair, trash and their undo, by URL
    virtual bool checkStore(const QString& url, const std::function<void(const Finding&)>& sink,
                            const PostgresCheckOptions& options) const = 0;
    virtual StoreRepairReport repairStore(const QString& url, const StoreRepairOptions& options) const = 0;
    virtual TrashPreview previewTrash(const QString& url, TrashAction action, qint64 now, qint64 cutoff) const = 0;
    virtual StoreRepairReport emptyTrash(const QString& url, const TrashPreview& preview,
                                         const TrashOptions& options) const = 0;
    virtual StoreRepairReport tombstoneExpired(const QString& url, const TrashPreview& preview,
                                               const TrashOptions& options) const = 0;
    virtual RepairImages repairImages(const QString& url, const QString& rowsBackupPath,
                                      const QSet<QString>& changed) const = 0;
    virtual RepairRestoreOutcome restore(const RepairImages& images, bool undo) const = 0;

protected:
    ~PostgresModule() = default;
};

/// The module, loaded on the first call (from any thread) from ../lib/subcog-inspector/ beside the program. Throws
/// StorageError (OperationFailed) naming the file and the loader's reason when it cannot be loaded; the next call
/// tries again. A program linked with the PostgreSQL code itself (the tests) uses that and loads nothing.
const PostgresModule& postgresModule();

/// Where postgresModule() looks for the module.
QString postgresModulePath();

/// Whether `store` (looked at as it is, not through a RetryingBackend) is a PostgreSQL store; loads nothing.
bool isPostgresStore(const PersistenceBackend& store);

} // namespace Inspector
