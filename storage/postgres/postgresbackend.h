// SPDX-License-Identifier: MIT
#pragma once

#include "persistencebackend.h"
#include "postgresmodule.h"

#include <QSet>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

class QThread;

namespace pqxx {
class result;
class transaction_base;
} // namespace pqxx

namespace Inspector {

/**
 * subcog's PostgreSQL store (spec §5) through libpqxx: the HEAD layout read and written (content in the row,
 * `tags TEXT[]`, `domain` as compact JSON, `source_memory_ids` JSONB, seconds in BIGINT, `search_vector` left
 * to subcog's trigger). The older split layout and the docker layout are read-only.
 *
 * A lost connection is a Storage error and the next call reconnects, so a RetryingBackend carries work across
 * a server restart. Statements time out (default 30 s). The password is never part of a message or location().
 * The connection belongs to the thread that opened the store.
 */
class PostgresBackend final : public PersistenceBackend
{
public:
    using Options = PostgresOptions;

    /// Connects with a postgresql:// or postgres:// URL, or libpq's environment for what the URL leaves out.
    static std::unique_ptr<PostgresBackend> open(const QString& url, const Options& options);
    static std::unique_ptr<PostgresBackend> open(const QString& url) { return open(url, Options {}); }
    /// Creates subcog's HEAD tables (migration 1, without pgvector's table) in an empty database and opens it.
    static std::unique_ptr<PostgresBackend> createSchema(const QString& url);

    ~PostgresBackend() override;

    QString kind() const override;
    QString location() const override { return m_location; }
    bool isReadOnly() const override { return m_readOnly; }
    QStringList describeLayout() const override;

    void store(const Memory& memory) override;
    std::optional<Memory> get(const QString& id) override;
    bool remove(const QString& id) override;
    QStringList listIds() override;
    QList<Memory> getBatch(const QStringList& ids, QList<RecordIssue>* issues = nullptr) override;
    bool exists(const QString& id) override;
    qint64 count() override;
    Page query(const MemoryQuery& query) override;
    qint64 count(const MemoryFilter& filter) override;
    /// GROUP BY statements over the filtered rows, in one transaction (postgresstats.cpp).
    StoreStats stats(const MemoryFilter& filter, qint64 now) override;
    std::optional<QByteArray> changeToken() override;
    void storeBatch(const QList<Memory>& memories) override;
    QString beginSnapshot() override;
    void endSnapshot() noexcept override;
    std::optional<qint64> rowOf(const MemoryQuery& query, const QString& id) override;
    /// Asks the server to cancel the statement running now (libpq's cancel request); it fails with SQLSTATE
    /// 57014, a Kind::Cancelled error. Asynchronous: a cancel that arrives late can hit the next statement.
    void interrupt() noexcept override;
    void beginRequest() noexcept override;
    void endRequest() noexcept override;

    // memory_vectors (spec §5.1): pgvector's `vector(384)` read as `embedding::text` and written in the same text
    // form, so a TEXT column can stand in for it where pgvector is not installed
    EmbeddingStorage embeddingStorage() const override;
    QString embeddingsUnavailable() const override;
    QHash<QString, QList<float>> readEmbeddings(const QStringList& ids) override;
    QList<RecordIssue> writeEmbeddings(const QHash<QString, QList<float>>& embeddings) override;

    // postgresgraph.cpp: the graph tables in the same database (spec §5.1, §14.1)
    QString graphUnavailable() override;
    QString graphLocation() const override;
    QList<EntityMention> entityMentions(const QString& memoryId) override;
    EntityPage entities(const EntityQuery& query) override;
    QList<GraphRelationship> entityRelationships(const QString& entityId) override;

    /// The planner's estimate of count(filter): instant, for showing a number before the exact count.
    qint64 estimateCount(const MemoryFilter& filter);

    /// Runs `body` in one REPEATABLE READ READ ONLY transaction of its own (one snapshot for a whole pass, as the
    /// store check needs), with libpqxx's errors turned into StorageError as for every other call.
    void readInSnapshot(const QString& what, const std::function<void(pqxx::transaction_base&)>& body);
    /// Runs `body` in one READ COMMITTED read-write transaction and commits it (a repair's batch); throws for a
    /// read-only store like every write does, and turns libpqxx's errors into StorageError.
    void writeInTransaction(const QString& what, const std::function<void(pqxx::transaction_base&)>& body);

private:
    /// An exception's text on one line, without the connection's password.
    QString driverText(const std::exception& error) const;
    void validateForWrite(const Memory& memory) const;
    /// One memory's INSERT or UPDATE of the changed columns, inside the caller's transaction.
    void writeRow(pqxx::transaction_base& tx, const Memory& memory);
    enum class Layout
    {
        Head,
        Split, ///< ea5e9a7: domain_org/_project/_repo, no search_vector
        Docker, ///< docker/postgres/init.sql: Display domain, no search_vector
    };
    struct Sql;
    struct Session; ///< the libpqxx connection, kept out of this header
    class ReadTransaction; ///< a read's transaction: the snapshot's, or one of its own

    PostgresBackend(QString connectionString, QString location, const Options& options);
    Session& session();
    void connect();
    /// Drops the connection (the next call reconnects), under m_connectionMutex.
    void resetConnection();
    void inspectSchema();
    template<typename F>
    auto guarded(const QString& what, F&& body);
    Sql whereClause(const MemoryFilter& filter) const;
    /// postgresquery.cpp: the conditions of expired:, is:summary, has:edges and flag:.
    void addLifecycle(class FilterSql& sql, const MemoryFilter& filter, const struct FilterColumns& columns) const;
    QString selectList() const;
    /// Typed columns leave nothing undecodable, so there are no issues to report here.
    /// Invalid UTF-8 text (SQL_ASCII databases) is read as U+FFFD and named in `issues`.
    QList<Memory> decodeRows(const pqxx::result& result, QList<RecordIssue>* issues = nullptr) const;
    void checkWritable() const;

    QString m_connectionString;
    QString m_location;
    Options m_options;
    bool m_readOnly = false;
    bool m_creating = false;
    Layout m_layout = Layout::Head;
    QSet<QString> m_columns;
    bool m_hasVectorTable = false; ///< memory_vectors with id and embedding columns
    QSet<QString> m_graphTables; ///< graph_entities, graph_relationships, graph_entity_mentions where they exist
    int m_vectorDimensions = 0; ///< the embedding column's vector(N), 0 when it does not say (a TEXT stand-in)
    QString m_database;
    QThread* m_thread = nullptr;
    std::unique_ptr<Session> m_connection;
    /// Guards m_connection's lifetime (set and dropped on the backend's thread) against interrupt() from another.
    std::mutex m_connectionMutex;
    /// interrupt() was asked during the current guarded() call: its 57014 is a cancel, not a statement timeout
    std::atomic<bool> m_cancelRequested {false};
    bool m_inRequest = false; ///< between beginRequest() and endRequest(); the backend's thread only
    int m_snapshotDepth = 0; ///< nested beginSnapshot calls; Session::snapshot is open while > 0
};

} // namespace Inspector
