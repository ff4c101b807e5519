// SPDX-License-Identifier: MIT
// Classifies PostgreSQL connection failures from facts: name resolution, the socket, libpq's authentication state
// and the server's catalogue. libpq's message is shown as it is, never searched.
#include "postgresconnect.h"

#include <QCoreApplication>
#include <QStringList>
#include <QThread>

#include <memory>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

struct ConnDeleter
{
    void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

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

/// One place libpq would try: a host name or address and a port, or a Unix socket directory.
struct Endpoint
{
    QString host; ///< name, or a directory for a Unix socket; empty: libpq's default socket
    QString hostaddr; ///< a numeric address given with hostaddr: used without a lookup
    QString port;
    bool unixSocket() const { return hostaddr.isEmpty() && (host.isEmpty() || host.startsWith(u'/')); }
};

/// The hosts and ports of a connection string, with what PG* variables fill in (PQconndefaults), as libpq pairs
/// them: one port for all hosts, or one each.
QList<Endpoint> endpoints(const std::string& conninfo)
{
    char* error = nullptr;
    const Options given(PQconninfoParse(conninfo.c_str(), &error));
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
    QList<Endpoint> result;
    const qsizetype n = qMax(hosts.size(), addrs.size());
    for (qsizetype i = 0; i < n; ++i) {
        Endpoint e;
        e.host = hosts.value(i).trimmed();
        e.hostaddr = addrs.value(i).trimmed();
        e.port = (ports.size() == 1 ? ports.first() : ports.value(i)).trimmed();
        if (e.port.isEmpty())
            e.port = u"5432"_s;
        result << e;
    }
    return result;
}

enum class Reach
{
    Open,
    Refused, ///< ECONNREFUSED, or no socket file: nothing listens there
    NoAnswer, ///< nothing answered within the timeout
    Unknown, ///< another failure (no route, no such name for now, ...)
};

/// Waits for a non-blocking connect(2) to finish.
Reach finishConnect(int fd, const sockaddr* address, socklen_t length, int timeoutS)
{
    if (::connect(fd, address, length) == 0)
        return Reach::Open;
    if (errno == ECONNREFUSED || errno == ENOENT)
        return Reach::Refused;
    if (errno != EINPROGRESS)
        return Reach::Unknown;
    pollfd p {fd, POLLOUT, 0};
    const int ready = ::poll(&p, 1, qMax(1, timeoutS) * 1000);
    if (ready == 0)
        return Reach::NoAnswer;
    int soError = 0;
    socklen_t soLength = sizeof soError;
    if (ready < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &soLength) != 0)
        return Reach::Unknown;
    if (soError == 0)
        return Reach::Open;
    if (soError == ECONNREFUSED)
        return Reach::Refused;
    return soError == ETIMEDOUT ? Reach::NoAnswer : Reach::Unknown;
}

Reach reachSocket(int family, const sockaddr* address, socklen_t length, int timeoutS)
{
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Reach::Unknown;
    const Reach reach = finishConnect(fd, address, length, timeoutS);
    ::close(fd);
    return reach;
}

/// The best any of an endpoint's addresses does: open beats no answer beats refused.
Reach reach(const Endpoint& e, int timeoutS)
{
    if (e.unixSocket()) {
        if (e.host.isEmpty())
            return Reach::Unknown; // libpq's compiled-in socket directory: not known here
        const QByteArray path = (e.host + u"/.s.PGSQL."_s + e.port).toLocal8Bit();
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        if (size_t(path.size()) >= sizeof address.sun_path)
            return Reach::Unknown;
        memcpy(address.sun_path, path.constData(), size_t(path.size()));
        return reachSocket(AF_UNIX, reinterpret_cast<const sockaddr*>(&address), sizeof address, timeoutS);
    }
    addrinfo hints {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = e.hostaddr.isEmpty() ? 0 : AI_NUMERICHOST;
    addrinfo* found = nullptr;
    const QByteArray node = (e.hostaddr.isEmpty() ? e.host : e.hostaddr).toUtf8();
    if (::getaddrinfo(node.constData(), e.port.toUtf8().constData(), &hints, &found) != 0)
        return Reach::Unknown;
    Reach best = Reach::Unknown;
    bool allRefused = found != nullptr;
    for (const addrinfo* a = found; a; a = a->ai_next) {
        const Reach r = reachSocket(a->ai_family, a->ai_addr, a->ai_addrlen, timeoutS);
        if (r == Reach::Open) {
            best = Reach::Open;
            break;
        }
        allRefused = allRefused && r == Reach::Refused;
        if (r == Reach::NoAnswer)
            best = Reach::NoAnswer;
    }
    ::freeaddrinfo(found);
    if (best == Reach::Unknown && allRefused)
        return Reach::Refused;
    return best;
}

/// A blocking libpq connection with the connection string's parameters; `dbname`, when given, replaces its database.
Conn connectWith(const std::string& conninfo, const char* dbname)
{
    const char* keywords[] = {"dbname", dbname ? "dbname" : nullptr, nullptr};
    const char* values[] = {conninfo.c_str(), dbname, nullptr};
    return Conn(PQconnectdbParams(keywords, values, 1));
}

/// Whether the server's catalogue lists the database, asked through a connection that works.
std::optional<bool> databaseExists(PGconn* connection, const char* name)
{
    const char* params[] = {name};
    std::unique_ptr<PGresult, void (*)(PGresult*)> result(PQexecParams(connection,
                                                                       "SELECT 1 FROM pg_database WHERE datname = $1",
                                                                       1, nullptr, params, nullptr, nullptr, 0),
                                                          PQclear);
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK)
        return std::nullopt;
    return PQntuples(result.get()) > 0;
}

} // namespace

std::optional<ConnectFailure> unresolvedPostgresHost(const std::string& conninfo)
{
    const QList<Endpoint> places = endpoints(conninfo);
    bool anyName = false;
    for (const Endpoint& e : places) {
        if (e.unixSocket() || !e.hostaddr.isEmpty())
            return std::nullopt; // a place that needs no lookup
        addrinfo hints {};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* found = nullptr;
        const int rc = ::getaddrinfo(e.host.toUtf8().constData(), nullptr, &hints, &found);
        if (found)
            ::freeaddrinfo(found);
        if (rc != EAI_NONAME)
            return std::nullopt; // resolves, or might later (EAI_AGAIN)
        anyName = true;
    }
    if (!anyName)
        return std::nullopt;
    return ConnectFailure {StorageError::Kind::NotFound, u"unknown host (the name does not resolve)"_s};
}

ConnectFailure diagnosePostgresConnect(const std::string& conninfo, int timeoutS)
{
    // the socket first: with nothing listening, libpq's authentication state says nothing
    const QList<Endpoint> places = endpoints(conninfo);
    bool allRefused = !places.isEmpty();
    bool noAnswer = false;
    for (const Endpoint& e : places) {
        const Reach r = reach(e, timeoutS);
        allRefused = allRefused && r == Reach::Refused;
        noAnswer = noAnswer || r == Reach::NoAnswer;
        if (r == Reach::Open) {
            allRefused = noAnswer = false;
            break;
        }
    }
    if (allRefused)
        return {StorageError::Kind::Storage, u"connection refused: no server is listening there (is it running?)"_s};
    if (noAnswer)
        return {StorageError::Kind::Storage, u"no answer within "_s + QString::number(timeoutS) + u" s"_s};

    const Conn target = connectWith(conninfo, nullptr);
    if (PQstatus(target.get()) == CONNECTION_OK)
        return {}; // it connects now: the failure was passing
    if (PQconnectionNeedsPassword(target.get()))
        return {StorageError::Kind::OperationFailed,
                u"the server asks for a password and none was given (URL, PGPASSWORD or ~/.pgpass)"_s};
    // the same server, user and password with its maintenance database: if that works, the database is the problem
    const QByteArray database = PQdb(target.get());
    Conn maintenance = connectWith(conninfo, "postgres");
    if (PQstatus(maintenance.get()) != CONNECTION_OK && database != "template1")
        maintenance = connectWith(conninfo, "template1");
    if (PQstatus(maintenance.get()) == CONNECTION_OK) {
        if (databaseExists(maintenance.get(), database.constData()) == false)
            return {StorageError::Kind::NotFound,
                    u"database '"_s + QString::fromUtf8(database) + u"' does not exist"_s};
        return {}; // the database exists and refuses this user (CONNECT privilege, pg_hba.conf): libpq says how
    }
    if (PQconnectionUsedPassword(target.get()))
        return {StorageError::Kind::OperationFailed, u"wrong password (or wrong user) for this server"_s};
    return {};
}

bool postgresServerOnThisMachine(int socket)
{
    sockaddr_storage peer {};
    sockaddr_storage self {};
    socklen_t peerLength = sizeof peer;
    socklen_t selfLength = sizeof self;
    if (socket < 0 || ::getpeername(socket, reinterpret_cast<sockaddr*>(&peer), &peerLength) != 0
        || ::getsockname(socket, reinterpret_cast<sockaddr*>(&self), &selfLength) != 0)
        return false;
    if (peer.ss_family == AF_UNIX)
        return true;
    if (peer.ss_family == AF_INET && self.ss_family == AF_INET) {
        const in_addr_t a = ntohl(reinterpret_cast<const sockaddr_in&>(peer).sin_addr.s_addr);
        const in_addr_t b = ntohl(reinterpret_cast<const sockaddr_in&>(self).sin_addr.s_addr);
        return (a >> 24) == 127 || a == b;
    }
    if (peer.ss_family == AF_INET6 && self.ss_family == AF_INET6) {
        const in6_addr& a = reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr;
        const in6_addr& b = reinterpret_cast<const sockaddr_in6&>(self).sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(&a) || (IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127)
            || std::memcmp(&a, &b, sizeof a) == 0;
    }
    return false;
}

int parallelWorkersLeavingACore(int socket)
{
    const QCoreApplication* app = QCoreApplication::instance();
    if (!app || !app->inherits("QGuiApplication") || !postgresServerOnThisMachine(socket))
        return -1;
    // the leader runs on a core of its own besides its workers
    return qMax(0, QThread::idealThreadCount() - 2);
}

} // namespace Inspector
