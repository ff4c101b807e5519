// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <optional>

namespace Inspector {

class PersistenceBackend;

/**
 * The server and database a PostgreSQL URL (or libpq key=value string) reaches, normalised so that two spellings
 * of one target compare equal: `postgres://` and `postgresql://`, the host and port as libpq takes them (the
 * `host`, `hostaddr` and `port` parameters, PGHOST/PGPORT, the default port 5432), localhost, ::1 and 127.x.x.x
 * as one loopback, the database as libpq picks it (PGDATABASE, else the user's name). User, password and every
 * other parameter (sslmode, …) are left out: they change how one connects, not what one reaches. Empty when libpq
 * cannot parse the text.
 */
QString postgresTarget(const QString& connection);

/**
 * The identity of the database an open PostgreSQL store is connected to: the cluster's system identifier
 * (pg_control_system()) and current_database(), asked through the store's own connection. Two stores with the
 * same identity are one database however their URLs are spelt. Empty for other kinds of store and where the
 * server does not let the user read the identifier.
 */
std::optional<QString> postgresServerIdentity(PersistenceBackend& store);

} // namespace Inspector
