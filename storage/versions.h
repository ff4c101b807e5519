// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace Inspector {

/// "Qt 6.4.2, SQLite 3.40.1, libpq 15.18, libpqxx 6.4.5": the libraries this build runs on.
QString libraryVersions();

} // namespace Inspector
