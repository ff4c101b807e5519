// SPDX-License-Identifier: MIT
#include "versions.h"

#include "postgresmodule.h"
#include "storageerror.h"

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace Inspector {

QString libraryVersions()
{
    QString postgres;
    try {
        postgres = postgresModule().libraryVersions(); // libpq and libpqxx are the module's
    } catch (const StorageError& e) {
        postgres = u"libpq and libpqxx: "_s + e.message();
    }
    return u"Qt "_s + QString::fromLatin1(qVersion()) + u", SQLite "_s + QString::fromLatin1(sqlite3_libversion())
        + u", "_s + postgres;
}

} // namespace Inspector
