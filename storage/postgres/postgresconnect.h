// SPDX-License-Identifier: MIT
#pragma once

#include "storageerror.h"

#include <optional>
#include <string>

namespace Inspector {

/// Why a connection to a PostgreSQL server fails: the error's kind and the explanation a person reads.
struct ConnectFailure
{
    StorageError::Kind kind = StorageError::Kind::Storage;
    QString reason; ///< empty when the facts do not tell: the caller shows libpq's own text
};

/**
 * Before connecting: the hosts of `conninfo` (a libpq URL or key=value string; PG* variables fill in what it leaves
 * out) that libpq would have to look up by name, and none of them resolves (getaddrinfo: no such name). A lookup
 * that only failed for now (no DNS answer) is not reported: the connection is tried, and retried.
 */
std::optional<ConnectFailure> unresolvedPostgresHost(const std::string& conninfo);

/**
 * After libpq failed to connect: why, from facts rather than from the wording of libpq's message. Each host's socket
 * is tried (refused, or no answer within `timeoutS`), then libpq itself: whether the server asked for a password that
 * was not given (PQconnectionNeedsPassword) or refused the one given (PQconnectionUsedPassword), and, through the
 * same server's `postgres` database, whether the database named exists (pg_database).
 */
ConnectFailure diagnosePostgresConnect(const std::string& conninfo, int timeoutS);

} // namespace Inspector
