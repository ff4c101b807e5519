// SPDX-License-Identifier: MIT
// What the files of PostgresBackend share, and nothing else includes: the select-list positions, the connection
// and transaction types, SQL with positional parameters, and libpqxx's errors as StorageError (guarded()).
#pragma once

#include "postgresbackend.h"

#include <QLoggingCategory>

#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

Q_DECLARE_LOGGING_CATEGORY(lcPostgres)

namespace Inspector::PostgresInternal {

// Select-list positions.
enum Column
{
    CId,
    CContent,
    CNamespace,
    CDomain,
    CDomainOrg,
    CDomainProject,
    CDomainRepo,
    CProjectId,
    CBranch,
    CFilePath,
    CStatus,
    CTags,
    CCreatedAt,
    CUpdatedAt,
    CSource,
    CTombstonedAt,
    CExpiresAt,
    CIsSummary,
    CSourceMemoryIds,
    CConsolidationTimestamp,
    ColumnCount
};

QString fromStd(const pqxx::field& field);
std::string toStd(const QString& text);
/// A driver message on one line (libpq's end in newlines and indent their context lines).
QString oneLine(const std::string& text);
/// A domain as the JSON text subcog stores in the domain column.
QString domainJson(const Domain& d);
/// Every domain whose Domain::toString() is `display`.
QList<Domain> domainsDisplayedAs(const QString& display);
/// A domain column's JSON text read back; nullopt when it is not one.
std::optional<Domain> parseDomainJson(const QString& text);

} // namespace Inspector::PostgresInternal

namespace Inspector {

using namespace PostgresInternal;

struct PostgresBackend::Session
{
    explicit Session(const std::string& options)
        : connection(options)
    {
    }
    pqxx::connection connection;
    /// One REPEATABLE READ READ ONLY transaction every read uses while a snapshot is open; gone with the connection.
    std::unique_ptr<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>> snapshot;
    /// The parallel workers a whole-store read may use, -1 for the server's setting (parallelWorkersLeavingACore).
    int wholeStoreWorkers = -1;
};

class PostgresBackend::ReadTransaction
{
public:
    enum class Scope
    {
        Rows, ///< pages, look-ups, a row's position: what a person waits for
        WholeStore, ///< the count and the Overview's figures, which read every row in the background
    };

    ReadTransaction(PostgresBackend& backend, pqxx::connection& c, Scope scope = Scope::Rows)
    {
        using namespace Qt::StringLiterals;
        if (backend.m_snapshotDepth == 0) {
            m_own.emplace(c);
            m_tx = &*m_own;
            // A whole-store scan on a server of this machine leaves the window a core to paint with: slower
            // (up to twice as long on two cores), but in the background, where nobody waits on it. A lower setting
            // of the server, its role or its database stays. SET LOCAL: gone with this transaction.
            if (const int workers = backend.m_connection->wholeStoreWorkers; scope == Scope::WholeStore && workers >= 0)
                m_own->exec("SELECT set_config('max_parallel_workers_per_gather', "
                            "LEAST(current_setting('max_parallel_workers_per_gather')::int, "
                            + std::to_string(workers) + ")::text, true)");
            return;
        }
        if (!backend.m_connection || !backend.m_connection->snapshot)
            throw StorageError(StorageError::Kind::OperationFailed,
                               backend.m_location
                                   + u": the connection was lost while reading one snapshot of the store; "
                                     "start the export or copy again"_s);
        m_tx = backend.m_connection->snapshot.get();
    }
    pqxx::transaction_base& operator*() { return *m_tx; }

private:
    std::optional<pqxx::read_transaction> m_own;
    pqxx::transaction_base* m_tx = nullptr;
};

/// SQL text with positional parameters ($1, $2, …); NULL parameters are empty optionals.
struct PostgresBackend::Sql
{
    QString text;
    std::vector<std::optional<std::string>> params;

    QString add(const QString& value)
    {
        params.emplace_back(toStd(value));
        return u'$' + QString::number(params.size());
    }
    QString addNull()
    {
        params.emplace_back(std::nullopt);
        return u'$' + QString::number(params.size());
    }
    QString add(qint64 value) { return add(QString::number(value)); }

    pqxx::result exec(pqxx::transaction_base& tx) const
    {
        std::vector<const char*> pointers;
        pointers.reserve(params.size());
        for (const auto& p : params)
            pointers.push_back(p ? p->c_str() : nullptr);
        return tx.exec_params(toStd(text), pqxx::prepare::make_dynamic_params(pointers));
    }
};

template<typename F>
auto PostgresBackend::guarded(const QString& what, F&& body)
{
    using namespace Qt::StringLiterals;
    const QString prefix = m_location + u": "_s + what + u": "_s;
    if (!m_inRequest) {
        // a cancel asked for from here on is this call's; one asked for before it found an earlier statement ended
        m_cancelRequested.store(false, std::memory_order_relaxed);
    } else if (m_cancelRequested.load(std::memory_order_relaxed)) {
        // the request was cancelled before this call's statement reached the server, which would not see it
        throw StorageError(StorageError::Kind::Cancelled, m_location + u": cancelled"_s);
    }
    try {
        return body(session().connection);
    } catch (const StorageError&) {
        throw;
    } catch (const pqxx::broken_connection& e) {
        resetConnection(); // the next call reconnects
        throw StorageError(StorageError::Kind::Storage, prefix + u"the connection to the server was lost"_s,
                           driverText(e));
    } catch (const pqxx::in_doubt_error& e) {
        resetConnection();
        throw StorageError(StorageError::Kind::InDoubt,
                           prefix + u"the connection was lost during commit; the outcome is unknown"_s, driverText(e));
    } catch (const pqxx::sql_error& e) {
        const std::string state = e.sqlstate();
        const QString detail = u"SQLSTATE "_s + QString::fromStdString(state) + u"; "_s + driverText(e);
        const QString message = driverText(e).section(u"ERROR: "_s, -1).section(u" LINE "_s, 0, 0);
        if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03") {
            resetConnection();
            throw StorageError(StorageError::Kind::Storage, prefix + u"the server went away ("_s + message + u')',
                               detail);
        }
        if (state == "57014") {
            // query_canceled: by interrupt() (not retried) or else by statement_timeout (transient, retried)
            if (m_cancelRequested.exchange(false, std::memory_order_relaxed))
                throw StorageError(StorageError::Kind::Cancelled, m_location + u": cancelled"_s, detail);
            throw StorageError(StorageError::Kind::Storage, prefix + u"the statement timed out ("_s + message + u')',
                               detail);
        }
        if (state == "25P02") {
            // the server still holds a failed transaction that libpqxx takes for ended: a cancel (interrupt())
            // that arrived as its ROLLBACK began failed the ROLLBACK. Every later statement would fail the same way
            // until the connection is made anew, so it is, and the call is retried on the new one.
            resetConnection();
            throw StorageError(StorageError::Kind::Storage, prefix + message, detail);
        }
        if (state == "40001" || state == "40P01")
            throw StorageError(StorageError::Kind::Storage, prefix + message, detail);
        if (state.rfind("23", 0) == 0 || state.rfind("22", 0) == 0)
            throw StorageError(StorageError::Kind::InvalidInput, prefix + message, detail);
        throw StorageError(StorageError::Kind::OperationFailed, prefix + message, detail);
    } catch (const pqxx::failure& e) {
        // libpq reports a dead socket in several ways; the connection state tells
        const bool lost = !m_connection || !m_connection->connection.is_open();
        if (lost)
            resetConnection();
        throw StorageError(lost ? StorageError::Kind::Storage : StorageError::Kind::OperationFailed,
                           prefix + driverText(e));
    }
}

} // namespace Inspector
