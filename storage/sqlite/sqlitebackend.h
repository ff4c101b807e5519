// SPDX-License-Identifier: MIT
#pragma once

#include "graph/sqlitegraph.h"
#include "persistencebackend.h"

#include <QSet>
#include <QSqlDatabase>

#include <memory>
#include <mutex>
#include <vector>

class QThread;
class QTemporaryDir;
class QSqlQuery;
struct sqlite3;
struct sqlite3_stmt;
struct sqlite3_value;

namespace Inspector {

/**
 * subcog's SQLite store (spec §4) through Qt Sql: metadata in `memories`, text in the FTS5 table
 * `memories_fts`, every historical column layout read by name, the content-in-`memories` variant too.
 *
 * Lookups by id go through the FTS index (`id:"…"` phrase queries, exact match checked afterwards)
 * instead of subcog's join, which scans the whole FTS table. Writes are one `BEGIN IMMEDIATE`
 * transaction that keeps both tables in step and updates only the changed columns.
 * The connection belongs to the thread that opened the store.
 */
class SqliteBackend final : public PersistenceBackend
{
public:
    /// How a full-text filter becomes SQL; every plan gives exactly the rows of Exact (tests force each one).
    enum class FullTextPlan
    {
        Auto, ///< chosen per query from the word's match count
        Exact, ///< `m.id IN (SELECT id … MATCH)`: fast for rare words, materialises every matching id
        RowidSet, ///< the FTS row at the guessed rowid, checked to be this memory's, against the matching rowids
        Walk, ///< each row in sort order checked through the FTS index by its id: first pages of common words
        /// matching rowids only, once a pass over the matching FTS rows found each at its memory's rowid + offset
        /// with its id (count() makes that pass, counting as it goes); RowidSet until then
        Aligned,
    };

    enum class OpenMode
    {
        Auto, ///< read-write when the file is writable, read-only otherwise
        ReadOnly,
        ReadWrite,
    };

    /// Opens an existing subcog store; throws StorageError naming the file and the reason.
    static std::unique_ptr<SqliteBackend> open(const QString& path, OpenMode mode = OpenMode::Auto);
    /// Creates a new, empty store with subcog's current (HEAD) schema; fails if the file exists.
    static std::unique_ptr<SqliteBackend> create(const QString& path);
    /// `name` (vectors.idx, vectors.meta.json, graph.db) in the folder of the store at `path` when that store is a
    /// data folder's index.db, which subcog keeps them beside (spec §2.2); otherwise an empty string.
    static QString fileBesideIndex(const QString& path, const QString& name);

    ~SqliteBackend() override;

    QString kind() const override;
    QString location() const override { return m_path; }
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
    /// One pass over the filtered rows' metadata columns, grouped as it reads (sqlitestats.cpp).
    StoreStats stats(const MemoryFilter& filter, qint64 now) override;
    QList<RecordIssue> storeIssues() override;
    std::optional<QByteArray> changeToken() override;
    void storeBatch(const QList<Memory>& memories) override;
    void scan(const MemoryQuery& query, const ScanSink& sink, int batchSize = 1000) override;
    bool scanJsonLines(const MemoryQuery& query, const JsonLinesSink& sink, int batchSize = 1000) override;
    QString beginSnapshot() override;
    void endSnapshot() noexcept override;
    std::optional<qint64> rowOf(const MemoryQuery& query, const QString& id) override;
    /// sqlite3_interrupt on the connection: the running statement fails with SQLITE_INTERRUPT (Kind::Cancelled).
    void interrupt() noexcept override;

    /// How long a statement waits for another process's lock before failing with a Storage error (default 5 s).
    void setBusyTimeout(int milliseconds);

    /// Rows of one created_at value scanJsonLines holds to put them in id order before it leaves that value to
    /// SQLite's sort instead (default 20,000; tests lower it).
    void setTieGroupLimit(qsizetype rows) { m_tieGroupLimit = qMax<qsizetype>(1, rows); }
    /// Forces one plan for full-text filters (tests and benchmarks); Auto by default.
    void setFullTextPlan(FullTextPlan plan) { m_fullTextPlan = plan; }

    /// The columns `memories` has in this file (lower case).
    const QSet<QString>& columns() const { return m_columns; }
    /// Whether the file has the FTS table (false for the content-in-`memories` variant).
    bool hasFullTextTable() const { return m_hasFts; }

    // sqlitearound.cpp: the data folder's vectors.idx beside an index.db (spec §7, §14.2), and memory_edges
    EmbeddingStorage embeddingStorage() const override;
    QString embeddingsUnavailable() const override;
    QHash<QString, QList<float>> readEmbeddings(const QStringList& ids) override;
    qint64 countUnreadableEmbeddings(const QStringList& ids) override;
    QString unreadableEmbeddingsReason() const override;
    QList<RecordIssue> writeEmbeddings(const QHash<QString, QList<float>>& embeddings) override;
    bool hasEdgeTable() const override { return m_hasEdges; }
    QList<MemoryEdge> edgesTouching(const QStringList& ids) override;
    void storeEdges(const QList<MemoryEdge>& edges) override;
    QList<MemoryEdge> addEdges(const QList<MemoryEdge>& edges) override;
    QList<MemoryEdge> removeEdges(const QList<MemoryEdge>& edges) override;

    // sqlitebackendgraph.cpp: graph.db beside a data folder's index.db (spec §2.2, §14.1), or one chosen
    QString graphUnavailable() override;
    QString graphLocation() const override;
    void setGraphFile(const QString& path) override;
    QList<EntityMention> entityMentions(const QString& memoryId) override;
    EntityPage entities(const EntityQuery& query) override;
    QList<GraphRelationship> entityRelationships(const QString& entityId) override;

private:
    SqliteBackend(QString path, QString connectionName, bool readOnly);
    struct ContentRow;
    struct Fragment;
    struct RawRow;
    struct Transaction;
    struct FullTextCaches;

    enum class ScanStep
    {
        Stop,
        Read, ///< a row whose FTS row the join did not find
        Joined, ///< a row whose FTS row the join found
    };

    enum class ScanOrder
    {
        Exact, ///< the query's order, ids breaking ties
        KeyOnly, ///< the sort key's order only (its index, no sorting); the caller orders ties
    };

    void inspectSchema();
    /// Steps the query's statement (with the FTS join when content is wanted) and hands each row to `onRow`;
    /// `onEnd` after the last one, returning false when the consumer stopped. `onlyKey`: only the rows whose sort
    /// key IS this value.
    void stepScan(const MemoryQuery& query, const std::function<ScanStep(sqlite3_stmt*, bool join)>& onRow,
                  const std::function<bool()>& onEnd, ScanOrder order = ScanOrder::Exact,
                  sqlite3_value* onlyKey = nullptr);
    RawRow readRawRow(sqlite3_stmt* st, bool join) const;
    /// Appends a joined row's JSON line when it needs no decoding decisions; false (nothing appended) otherwise.
    bool appendPlainJsonLine(QByteArray& out, sqlite3_stmt* st) const;
    /// Brings m_duplicateFtsIds up to date (one pass over the FTS ids, about 0.4 s at a million rows).
    void findDuplicateFtsIds();
    QString columnExpr(const QString& column) const;
    QString selectList() const;
    /// Not const: a flag: on the full-text rows brings the duplicate FTS ids up to date first.
    Fragment whereClause(const MemoryFilter& filter, FullTextPlan plan = FullTextPlan::Exact);
    /// sqlitelifecycle.cpp: the conditions of expired:, is:summary, has:edges and flag: (after the others).
    void addLifecycle(class FilterSql& sql, const MemoryFilter& filter);
    /// Whether an index of memory_edges starts with this column (cached like leadsAnIndex).
    bool edgeEndIndexed(const QString& column);
    /// The cheapest exact plan for this filter's words; `query` is null for a count. Brings what the plan's SQL
    /// relies on (rowid offset, duplicate FTS ids) up to date.
    FullTextPlan chooseFullTextPlan(const MemoryFilter& filter, const MemoryQuery* query);
    /// FTS rows matching `match` (cached per data_version; an empty one only drops older caches) and the largest
    /// memories rowid.
    std::pair<qint64, qint64> fullTextMatches(const QString& match);
    /// Whether an index of `memories` starts with this column (a walk in its order needs no sort).
    bool leadsAnIndex(const QString& column);
    /// Checks the rowid offset on the first and last memories and learns it again through the FTS index if wrong.
    void checkRowidDelta();
    /// Counts from the matching FTS rows, each joined to the memory at its rowid - offset; nullopt (and RowidSet
    /// for later pages) when a matching FTS row is not its memory's (orphan, duplicate, shifted).
    std::optional<qint64> countAligned(const MemoryFilter& filter, const QString& match);
    /// Whether memories.id has a unique index of its own (a FTS row's id then names one memory).
    bool idsUnique();
    /// Every FTS row of these ids, found through the FTS index (complete; used before writes).
    QHash<QString, QList<ContentRow>> fetchContent(const QStringList& ids);
    /// The FTS row of each row's id, by rowid guess first (see the .cpp), then through the index.
    QHash<QString, QList<ContentRow>> readContent(const QList<RawRow>& rows);
    /// Reads every FTS (id hash, rowid) pair once, for stores whose FTS rowids do not follow the metadata rows.
    void buildFtsRowids();
    static quint64 idHash(const QString& id);
    /// Whether a stored text value is valid UTF-8 (its decoded form cannot tell: invalid bytes read as U+FFFD).
    bool storedTextIsUtf8(const QString& table, const QString& column, qint64 rowid);
    QList<RawRow> readRows(const QString& sql, const QVariantList& binds);
    void attachContent(QList<RawRow>& rows, QList<Memory>& out, QList<RecordIssue>* issues, bool withContent,
                       bool complete);
    QList<Memory> readBatch(const QStringList& ids, QList<RecordIssue>* issues, bool complete);
    void checkWritable() const;
    /// sqliteedges.cpp: addEdges (add) or removeEdges, one transaction.
    QList<MemoryEdge> changeEdges(const QList<MemoryEdge>& edges, bool add);
    void assertThread() const;
    /// BEGIN IMMEDIATE for a write, which also drops what scans proved about the FTS table.
    void beginWrite(Transaction& tx, QSqlQuery& q, const QString& what);
    /// One memory's INSERT/UPDATE and FTS row, inside the caller's transaction.
    void writeRow(const Memory& memory);
    /// `name` in the folder of this store when the store is a data folder's index.db, else an empty string.
    QString besideIndex(const QString& name) const;
    struct VectorsCache;
    /// vectors.idx as last read (reloaded when the file changes); nullptr when there is none.
    const VectorsCache* loadVectors();
    /// vectors.idx's vectors by id where the store keeps embeddings there, else nullptr.
    const QHash<QString, QList<float>>* vectorsById();
    /// The ids vectors.idx lists where the store keeps embeddings there, else nullptr: read in pieces, so stats()
    /// never holds a file of gigabytes (reloaded when the file changes).
    const QSet<QString>* vectorIds();
    /// A QSqlQuery's error as a StorageError (through SqliteInternal::throwSqliteError).
    [[noreturn]] void fail(const QString& what, const class QSqlError& error, const QString& sql = {}) const;
    /// An error of a statement on the raw handle, `rc` its result code, as a StorageError.
    [[noreturn]] void failRaw(const QString& what, int rc, const QString& sql) const;

    QString m_path;
    QString m_connectionName;
    bool m_readOnly = false;
    QThread* m_thread = nullptr;
    QSet<QString> m_columns;
    bool m_hasFts = false;
    bool m_ftsContentTable = false; ///< memories_fts_content (FTS5's shadow table) can be read by rowid
    bool m_hasEdges = false;
    bool m_contentColumn = false;
    QString m_journalMode;
    std::unique_ptr<QTemporaryDir> m_snapshot; ///< private copy, when the store had to be read that way
    sqlite3* m_handle = nullptr; ///< the Qt driver's connection, for the SQL function and streamed scans
    /// Guards m_handle's lifetime against interrupt() from another thread (set when opened, cleared before close).
    std::mutex m_handleMutex;
    qsizetype m_tieGroupLimit = 20000;
    std::shared_ptr<VectorsCache> m_vectors; ///< shared_ptr: the type is complete only in sqlitearound.cpp
    std::shared_ptr<VectorsCache> m_usearch; ///< the usearch meta file's ids
    std::shared_ptr<VectorsCache> m_vectorIds; ///< vectors.idx's ids only (usearchIds holds them)
    int m_snapshotDepth = 0; ///< nested beginSnapshot calls; the read transaction is open while > 0
    FullTextPlan m_fullTextPlan = FullTextPlan::Auto;
    /// What reading content and choosing full-text plans learnt about this file (sqliteinternal.h): rowid
    /// offsets, duplicate FTS ids, match counts, index facts, each valid as of a data_version or forever
    std::unique_ptr<FullTextCaches> m_fts;
    GraphFileChoice m_graph; ///< the knowledge graph's graph.db, read for entity: filters and the entity calls
};

} // namespace Inspector
