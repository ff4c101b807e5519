// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace Inspector {

/// "Qt 6.4.2, SQLite 3.40.1, libpq 15.18, libpqxx 6.4.5": the libraries this build runs on. Loads the PostgreSQL
/// module for the last two; without it, that part says why ("libpq and libpqxx: PostgreSQL support is not …").
QString libraryVersions();

} // namespace Inspector
