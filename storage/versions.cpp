// SPDX-License-Identifier: MIT
#include "versions.h"

#include <libpq-fe.h>
#include <pqxx/version>
#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace Inspector {

QString libraryVersions()
{
    const int pq = PQlibVersion(); // e.g. 150018 for 15.18
    return u"Qt "_s + QString::fromLatin1(qVersion()) + u", SQLite "_s + QString::fromLatin1(sqlite3_libversion())
        + u", libpq "_s + QString::number(pq / 10000) + u'.' + QString::number(pq % 10000) + u", libpqxx "_s
        + QString::fromLatin1(PQXX_VERSION);
}

} // namespace Inspector
