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

/**
 * Whether the server at the other end of a connected socket runs on this machine: a Unix-domain socket, a loopback
 * address, or this machine's own address (both ends of the socket then have it). The socket cannot tell a tunnel or
 * a forwarded port from the server itself: those count as this machine.
 */
bool postgresServerOnThisMachine(int socket);

/**
 * How many parallel workers a whole-store read (a count, the Overview's GROUP BYs) may use on the server at the other
 * end of `socket`, or -1 for the server's setting. A program with a window (a QGuiApplication) that reaches a server
 * on this machine leaves one core to the window: the read's leader and its workers take at most all cores but one
 * (no workers on two cores). Otherwise they hold every core for up to seconds and the window's paints wait for a
 * core behind them. The command line, and any server elsewhere, keep the server's setting.
 */
int parallelWorkersLeavingACore(int socket);

} // namespace Inspector
