// SPDX-License-Identifier: MIT
// Whether two PostgreSQL connections reach one database: by the normalised target before connecting, by the
// server's own identity once both are open.
#include "postgresidentity.h"

#include "postgresbackend.h"
#include "retryingbackend.h"

#include <QDir>
#include <QStringList>

#include <libpq-fe.h>
#include <pqxx/pqxx>

#include <memory>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

struct OptionsDeleter
{
    void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using Options = std::unique_ptr<PQconninfoOption, OptionsDeleter>;

QString optionValue(const PQconninfoOption* options, const char* keyword)
{
    for (const PQconninfoOption* o = options; o && o->keyword; ++o) {
        if (qstrcmp(o->keyword, keyword) == 0 && o->val && *o->val)
            return QString::fromUtf8(o->val);
    }
    return {};
}

/// One host as the server is reached there: every loopback spelling as one, a socket directory by its clean path.
QString normalisedHost(QString host)
{
    host = host.trimmed().toLower();
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    if (host.isEmpty())
        return u"socket:default"_s; // libpq's compiled-in socket directory
    if (host.startsWith(u'/') || host.startsWith(u'@'))
        return u"socket:"_s + QDir::cleanPath(host);
    if (host == "localhost"_L1 || host == "localhost."_L1 || host == "::1"_L1 || host == "0:0:0:0:0:0:0:1"_L1
        || host.startsWith("127."_L1))
        return u"loopback"_s;
    return host;
}

} // namespace

QString postgresTarget(const QString& connection)
{
    char* error = nullptr;
    const Options given(PQconninfoParse(connection.toUtf8().constData(), &error));
    PQfreemem(error);
    if (!given)
        return {};
    const Options defaults(PQconndefaults());
    const auto value = [&](const char* keyword) {
        const QString v = optionValue(given.get(), keyword);
        return v.isEmpty() ? optionValue(defaults.get(), keyword) : v;
    };
    const QStringList hosts = value("host").split(u',');
    const QStringList addrs = value("hostaddr").split(u',');
    const QStringList ports = value("port").split(u',');
    QStringList places;
    const qsizetype n = qMax(hosts.size(), addrs.size());
    for (qsizetype i = 0; i < n; ++i) {
        // libpq connects to hostaddr where it is given, without looking the host name up
        const QString addr = addrs.value(i).trimmed();
        QString port = (ports.size() == 1 ? ports.first() : ports.value(i)).trimmed();
        if (port.isEmpty())
            port = u"5432"_s;
        places << normalisedHost(addr.isEmpty() ? hosts.value(i) : addr) + u' ' + port;
    }
    QString database = value("dbname");
    if (database.isEmpty())
        database = value("user"); // libpq's default database is the user's name
    return places.join(u',') + u'/' + database;
}

std::optional<QString> postgresServerIdentity(PersistenceBackend& store)
{
    PersistenceBackend* inner = &store;
    while (auto* retrying = dynamic_cast<RetryingBackend*>(inner))
        inner = &retrying->inner();
    auto* pg = dynamic_cast<PostgresBackend*>(inner);
    if (!pg)
        return std::nullopt;
    std::optional<QString> identity;
    pg->readInSnapshot(u"reading the server's identity"_s, [&](pqxx::transaction_base& tx) {
        // pg_control_system() may be revoked from ordinary roles: asked only where it may be run
        const auto allowed
            = tx.exec1("SELECT has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE')")[0].as<bool>();
        if (!allowed)
            return;
        const auto row
            = tx.exec1("SELECT system_identifier::text, current_database() FROM pg_catalog.pg_control_system()");
        identity = QString::fromStdString(row[0].as<std::string>()) + u'/'
            + QString::fromStdString(row[1].as<std::string>());
    });
    return identity;
}

} // namespace Inspector
