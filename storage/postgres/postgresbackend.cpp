// SPDX-License-Identifier: MIT
// PostgresBackend's connection: opening and reconnecting, creating the schema, interrupts, schema facts, snapshots.
#include "postgresbackend.h"

#include "postgresconnect.h"
#include "postgresinternal.h"
#include "postgresschema.h"
#include "secrets.h"

#include <QLoggingCategory>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

#include <pqxx/pqxx>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcPostgres, "inspector.storage.postgres", QtWarningMsg)

namespace Inspector {

PostgresBackend::PostgresBackend(QString connectionString, QString location, const Options& options)
    : m_connectionString(std::move(connectionString))
    , m_location(std::move(location))
    , m_options(options)
    , m_readOnly(options.readOnly)
    , m_creating(options.creating)
    , m_thread(QThread::currentThread())
{
}

PostgresBackend::~PostgresBackend()
{
    std::lock_guard lock(m_connectionMutex);
    m_connection.reset();
}

QString PostgresBackend::kind() const
{
    return u"postgres"_s;
}

QString PostgresBackend::driverText(const std::exception& error) const
{
    // libpq quotes what it could not parse of the connection string, the password included
    return withoutPasswords(oneLine(error.what()), {m_connectionString});
}

std::unique_ptr<PostgresBackend> PostgresBackend::open(const QString& url, const Options& options)
{
    if (!url.startsWith("postgresql://"_L1) && !url.startsWith("postgres://"_L1))
        throw StorageError(StorageError::Kind::InvalidInput,
                           u"a PostgreSQL store is given as a postgresql:// or postgres:// URL"_s);
    QUrl parsed(url);
    QUrlQuery query(parsed);
    if (!query.hasQueryItem(u"connect_timeout"_s))
        query.addQueryItem(u"connect_timeout"_s, QString::number(options.connectTimeoutS));
    if (!query.hasQueryItem(u"application_name"_s))
        query.addQueryItem(u"application_name"_s, u"subcog-inspector"_s);
    // libpq reads the rest (host, port, user, password, database) from PG* variables and ~/.pgpass
    const QString separator = url.contains(u'?') ? u"&"_s : u"?"_s;
    QString extra;
    if (!url.contains(u"connect_timeout="_s))
        extra += separator + u"connect_timeout="_s + QString::number(options.connectTimeoutS);
    if (!url.contains(u"application_name="_s))
        extra += (extra.isEmpty() ? separator : u"&"_s) + u"application_name=subcog-inspector"_s;
    std::unique_ptr<PostgresBackend> backend(new PostgresBackend(url + extra, withoutPasswords(url), options));
    backend->connect();
    backend->inspectSchema();
    if (backend->m_columns.isEmpty() && !backend->m_creating)
        throw StorageError(StorageError::Kind::InvalidInput,
                           backend->m_location + u": not a subcog store: database '"_s + backend->m_database
                               + u"' has no 'memories' table"_s);
    return backend;
}

std::unique_ptr<PostgresBackend> PostgresBackend::createSchema(const QString& url)
{
    Options options;
    options.creating = true;
    auto backend = open(url, options);
    if (!backend->m_columns.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput, backend->m_location + u": already has a memories table"_s);
    backend->guarded(u"creating subcog's tables"_s, [&](pqxx::connection& c) {
        pqxx::work tx(c);
        tx.exec(toStd(postgresHeadSchemaSql()));
        tx.commit();
        return 0;
    });
    // subcog's migration creates memory_vectors with pgvector; where the server has it, so does the inspector
    try {
        backend->guarded(u"creating memory_vectors"_s, [&](pqxx::connection& c) {
            pqxx::work tx(c);
            if (!tx.exec("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").empty()) {
                tx.exec(toStd(postgresVectorSchemaSql()));
                tx.commit();
            }
            return 0;
        });
    } catch (const StorageError& e) {
        qCWarning(lcPostgres) << "memory_vectors not created:" << e.message();
    }
    backend->inspectSchema();
    return backend;
}

void PostgresBackend::resetConnection()
{
    std::lock_guard lock(m_connectionMutex);
    m_connection.reset();
}

void PostgresBackend::interrupt() noexcept
{
    // PQgetCancel only reads the key data the server sent at connect (backend pid, cancel key, address), which no
    // statement changes, so asking from another thread while the backend's thread runs a statement is safe; the
    // mutex only keeps the connection from being closed or replaced meanwhile.
    std::lock_guard lock(m_connectionMutex);
    if (!m_connection)
        return;
    m_cancelRequested.store(true, std::memory_order_relaxed); // before the server can answer the statement
    try {
        m_connection->connection.cancel_query();
    } catch (const std::exception& e) {
        qCDebug(lcPostgres) << "cancel request failed:" << e.what();
    }
}

void PostgresBackend::beginRequest() noexcept
{
    m_cancelRequested.store(false, std::memory_order_relaxed);
    m_inRequest = true;
}

void PostgresBackend::endRequest() noexcept
{
    m_inRequest = false;
    m_cancelRequested.store(false, std::memory_order_relaxed);
}

void PostgresBackend::connect()
{
    resetConnection();
    const std::string conninfo = toStd(m_connectionString);
    // a name that does not resolve fails every attempt: said before trying, and not retried
    if (const auto unknown = unresolvedPostgresHost(conninfo))
        throw StorageError(unknown->kind, m_location + u": cannot connect: "_s + unknown->reason);
    try {
        auto session = std::make_unique<Session>(conninfo);
        pqxx::nontransaction tx(session->connection);
        tx.exec(std::string("SET statement_timeout = ") + std::to_string(qMax(0, m_options.statementTimeoutMs)));
        tx.commit();
        session->wholeStoreWorkers = parallelWorkersLeavingACore(session->connection.sock());
        m_database = QString::fromUtf8(session->connection.dbname());
        std::lock_guard lock(m_connectionMutex);
        m_connection = std::move(session);
    } catch (const pqxx::broken_connection& e) {
        const QString text = driverText(e);
        qCDebug(lcPostgres) << "connect failed:" << text;
        // why, from the socket, libpq's authentication state and the server's catalogue; its message is only shown
        const ConnectFailure why = diagnosePostgresConnect(conninfo, m_options.connectTimeoutS);
        throw StorageError(why.kind, m_location + u": cannot connect: "_s + (why.reason.isEmpty() ? text : why.reason),
                           text);
    } catch (const pqxx::failure& e) {
        throw StorageError(StorageError::Kind::OperationFailed, m_location + u": cannot connect: "_s + driverText(e));
    }
}

PostgresBackend::Session& PostgresBackend::session()
{
    Q_ASSERT_X(QThread::currentThread() == m_thread, "PostgresBackend", "used from a thread that did not open it");
    if (!m_connection || !m_connection->connection.is_open())
        connect();
    return *m_connection;
}

void PostgresBackend::inspectSchema()
{
    m_columns.clear();
    guarded(u"reading the schema"_s, [&](pqxx::connection& c) {
        pqxx::read_transaction tx(c);
        const pqxx::result r
            = tx.exec("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                      "AND table_name = 'memories'");
        for (const auto& row : r)
            m_columns.insert(fromStd(row[0]).toLower());
        return 0;
    });
    guarded(u"reading the schema"_s, [&](pqxx::connection& c) {
        // memory_vectors exists only where pgvector was installed when subcog migrated (or a stand-in was made)
        pqxx::read_transaction tx(c);
        const pqxx::result r = tx.exec(
            "SELECT a.attname, a.atttypmod FROM pg_attribute a WHERE a.attrelid = to_regclass('memory_vectors') "
            "AND a.attnum > 0 AND NOT a.attisdropped AND a.attname IN ('id', 'embedding')");
        m_hasVectorTable = r.size() == 2;
        m_vectorDimensions = 0;
        for (const auto& row : r) {
            if (fromStd(row[0]) == "embedding"_L1)
                m_vectorDimensions = qMax(0, row[1].as<int>(-1)); // pgvector's typmod is vector(N)'s N
        }
        return 0;
    });
    guarded(u"reading the schema"_s, [&](pqxx::connection& c) {
        // subcog's migration creates the graph tables with memories (spec §5.1); older layouts have none
        pqxx::read_transaction tx(c);
        m_graphTables.clear();
        for (const auto& row : tx.exec("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                       "current_schema() AND table_name IN ('graph_entities', 'graph_relationships', "
                                       "'graph_entity_mentions')"))
            m_graphTables.insert(fromStd(row[0]));
        return 0;
    });
    if (m_columns.isEmpty())
        return; // createSchema() fills an empty database; everything else reports it below
    for (const char* required : {"id", "content", "namespace", "status", "created_at"}) {
        if (!m_columns.contains(QLatin1StringView(required)))
            throw StorageError(StorageError::Kind::InvalidInput,
                               m_location + u": not a subcog store: table 'memories' has no column "_s
                                   + QLatin1StringView(required));
    }
    if (m_columns.contains(u"search_vector"_s) && m_columns.contains(u"domain"_s)) {
        m_layout = Layout::Head;
    } else {
        m_layout = m_columns.contains(u"domain_org"_s) ? Layout::Split : Layout::Docker;
        m_readOnly = true;
    }
}

QStringList PostgresBackend::describeLayout() const
{
    QStringList lines;
    lines << u"PostgreSQL database "_s + m_database + (m_readOnly ? u", opened read-only"_s : QString());
    if (m_layout == Layout::Split)
        lines << u"older split layout (subcog before 0254caa): read-only, because subcog HEAD cannot use this "
                 "database and writing it would not make it usable"_s;
    else if (m_layout == Layout::Docker)
        lines << u"layout of subcog's docker/postgres/init.sql, which subcog HEAD cannot use: read-only"_s;
    return lines;
}

std::optional<QByteArray> PostgresBackend::changeToken()
{
    return guarded(u"checking for changes"_s, [&](pqxx::connection& c) -> std::optional<QByteArray> {
        // the next transaction id moves with every write transaction on the server, so it may also move for
        // other tables; a false alarm only costs a refresh of the rows on screen
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        const pqxx::result r = tx.exec("SELECT txid_snapshot_xmax(txid_current_snapshot())::text");
        return QByteArray(r[0][0].c_str());
    });
}

QString PostgresBackend::beginSnapshot()
{
    if (m_snapshotDepth > 0) {
        ++m_snapshotDepth;
        return {};
    }
    guarded(u"starting a read of one snapshot"_s, [&](pqxx::connection& c) {
        auto tx = std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(c);
        tx->exec("SELECT 1"); // the snapshot is taken at the first statement: now, not at the first page
        m_connection->snapshot = std::move(tx);
        return 0;
    });
    m_snapshotDepth = 1;
    return {};
}

void PostgresBackend::endSnapshot() noexcept
{
    if (m_snapshotDepth == 0 || --m_snapshotDepth > 0)
        return;
    if (!m_connection || !m_connection->snapshot)
        return;
    try {
        m_connection->snapshot->commit();
    } catch (...) {
        // nothing was written; a connection that broke here is noticed by the next call
    }
    m_connection->snapshot.reset();
}

void PostgresBackend::readInSnapshot(const QString& what, const std::function<void(pqxx::transaction_base&)>& body)
{
    guarded(what, [&](pqxx::connection& c) {
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(c);
        body(tx);
        tx.commit();
        return 0;
    });
}

void PostgresBackend::writeInTransaction(const QString& what, const std::function<void(pqxx::transaction_base&)>& body)
{
    checkWritable();
    guarded(what, [&](pqxx::connection& c) {
        pqxx::work tx(c);
        body(tx);
        tx.commit();
        return 0;
    });
}

void PostgresBackend::checkWritable() const
{
    if (m_snapshotDepth > 0)
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_location + u": cannot write while this connection reads one snapshot"_s);
    if (m_readOnly)
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_location
                               + (m_layout == Layout::Head ? u": the store is open read-only"_s
                                                           : u": this older PostgreSQL layout is open read-only"_s));
}

} // namespace Inspector
