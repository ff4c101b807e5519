// SPDX-License-Identifier: MIT
#include "postgresserver.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

using namespace Qt::StringLiterals;

namespace Inspector::Testing {

namespace {

[[noreturn]] void failWith(const QString& message)
{
    throw std::runtime_error(message.toStdString());
}

int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        failWith(u"cannot find a free port"_s);
    const int port = ntohs(address.sin_port);
    ::close(fd);
    return port;
}

void chownTree(const QString& path, uid_t uid, gid_t gid)
{
    if (::chown(QFile::encodeName(path).constData(), uid, gid) != 0)
        failWith(path + u": cannot hand the directory to the postgres user"_s);
}

} // namespace

QString postgresBinDir()
{
    const QString dir = u"/usr/lib/postgresql/15/bin"_s;
    return QFileInfo::exists(dir + u"/initdb"_s) ? dir : QString();
}

QString PostgresServer::runTool(const QString& program, const QStringList& arguments, bool asServerUser) const
{
    QProcess process;
    QStringList args = arguments;
    QString exe = program;
    if (asServerUser && ::geteuid() == 0) {
        // initdb and the server refuse to run as root
        args = QStringList {u"--reuid=postgres"_s, u"--regid=postgres"_s, u"--init-groups"_s, program} + arguments;
        exe = QStandardPaths::findExecutable(u"setpriv"_s);
    }
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(m_base.isEmpty() ? QDir::tempPath() : m_base);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PGPASSWORD"_s, QString::fromLatin1(kPassword));
    env.insert(u"PGCONNECT_TIMEOUT"_s, u"10"_s);
    process.setProcessEnvironment(env);
    process.start(exe, args);
    // three minutes suit the tests' stores; a benchmark loading a million memories on a busy machine sets more
    const int seconds = qEnvironmentVariableIntValue("INSPECTOR_PG_TOOL_TIMEOUT");
    if (!process.waitForFinished(seconds > 0 ? seconds * 1000 : 180000)) {
        process.kill();
        failWith(program + u" did not finish"_s);
    }
    const QString output = QString::fromUtf8(process.readAll());
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        failWith(QFileInfo(program).fileName() + u" failed: "_s + output);
    return output;
}

std::unique_ptr<PostgresServer> PostgresServer::startPrivate(const QString& baseDir)
{
    const QString bin = postgresBinDir();
    if (bin.isEmpty())
        failWith(u"PostgreSQL 15 server binaries are not installed (apt-get install postgresql-15)"_s);
    std::unique_ptr<PostgresServer> server(new PostgresServer);
    server->m_private = true;
    if (baseDir.isEmpty()) {
        server->m_tempDir = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/inspector-pg-XXXXXX"_s);
        server->m_base = server->m_tempDir->path();
    } else {
        QDir().mkpath(baseDir);
        server->m_base = QFileInfo(baseDir).absoluteFilePath();
    }
    const QString base = server->m_base;
    QFile::setPermissions(base,
                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
                              | QFile::ReadOther | QFile::ExeOther);
    QDir().mkpath(base + u"/sock"_s);
    QFile pwfile(base + u"/pwfile"_s);
    if (!pwfile.open(QIODevice::WriteOnly))
        failWith(base + u": cannot write the password file"_s);
    pwfile.write(kPassword);
    pwfile.close();
    if (::geteuid() == 0) {
        const passwd* pw = ::getpwnam("postgres");
        if (!pw)
            failWith(u"running as root needs the 'postgres' user (created by the postgresql-15 package)"_s);
        for (const QString& path : QStringList {base, base + u"/sock"_s, base + u"/pwfile"_s})
            chownTree(path, pw->pw_uid, pw->pw_gid);
    }
    // a directory kept from an earlier run (the benchmarks' --server-dir) already holds a cluster: start it again
    if (!QFileInfo::exists(base + u"/data/PG_VERSION"_s)) {
        server->runTool(bin + u"/initdb"_s,
                        {u"-D"_s, base + u"/data"_s, u"-U"_s, QString::fromLatin1(kUser),
                         u"--pwfile="_s + base + u"/pwfile"_s, u"--auth-local=trust"_s, u"--auth-host=scram-sha-256"_s,
                         u"-E"_s, u"UTF8"_s, u"--locale=C.UTF-8"_s, u"--no-sync"_s},
                        true);
    }
    server->m_port = freePort();
    server->m_baseUrl = u"postgresql://"_s + QString::fromLatin1(kUser) + u':' + QString::fromLatin1(kPassword)
        + u"@127.0.0.1:"_s + QString::number(server->m_port);
    server->start();
    return server;
}

std::unique_ptr<PostgresServer> PostgresServer::attach(const QString& baseUrl)
{
    std::unique_ptr<PostgresServer> server(new PostgresServer);
    server->m_baseUrl = baseUrl;
    server->m_running = true;
    return server;
}

PostgresServer& PostgresServer::shared()
{
    static std::unique_ptr<PostgresServer> instance;
    if (!instance) {
        const QString file = qEnvironmentVariable("INSPECTOR_PG_URL_FILE");
        QFile f(file);
        if (!file.isEmpty() && f.open(QIODevice::ReadOnly))
            instance = attach(QString::fromUtf8(f.readAll()).trimmed());
        else
            instance = startPrivate();
    }
    return *instance;
}

PostgresServer::~PostgresServer()
{
    if (!m_private || m_detached)
        return;
    try {
        if (m_running)
            runTool(postgresBinDir() + u"/pg_ctl"_s,
                    {u"-D"_s, m_base + u"/data"_s, u"-m"_s, u"immediate"_s, u"-w"_s, u"stop"_s}, true);
    } catch (const std::exception&) {
        // the directory goes anyway; a server that could not be stopped has already gone away
    }
}

QString PostgresServer::baseDir() const
{
    return m_base;
}

QString PostgresServer::url(const QString& database) const
{
    return m_baseUrl + u'/' + database;
}

void PostgresServer::start()
{
    if (!m_private || m_running)
        return;
    const QString options = u"-p "_s + QString::number(m_port) + u" -k "_s + m_base
        + u"/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"_s;
    runTool(postgresBinDir() + u"/pg_ctl"_s,
            {u"-D"_s, m_base + u"/data"_s, u"-l"_s, m_base + u"/server.log"_s, u"-w"_s, u"-t"_s, u"120"_s, u"-o"_s,
             options, u"start"_s},
            true);
    m_running = true;
}

void PostgresServer::stop()
{
    if (!m_private || !m_running)
        return;
    runTool(postgresBinDir() + u"/pg_ctl"_s, {u"-D"_s, m_base + u"/data"_s, u"-m"_s, u"fast"_s, u"-w"_s, u"stop"_s},
            true);
    m_running = false;
}

void PostgresServer::stopAndRemove(const QString& baseDir)
{
    PostgresServer server;
    server.m_base = QFileInfo(baseDir).absoluteFilePath();
    if (QFileInfo::exists(server.m_base + u"/data/postmaster.pid"_s)) {
        try {
            server.runTool(postgresBinDir() + u"/pg_ctl"_s,
                           {u"-D"_s, server.m_base + u"/data"_s, u"-m"_s, u"immediate"_s, u"-w"_s, u"stop"_s}, true);
        } catch (const std::exception&) {
            // already stopped
        }
    }
    QDir(server.m_base).removeRecursively();
}

QString PostgresServer::createDatabase(const QString& prefix)
{
    const QString name = prefix + u'_' + QString::number(QRandomGenerator::global()->generate64() % 1000000000000ULL);
    runSql(u"postgres"_s, u"CREATE DATABASE "_s + name);
    return name;
}

void PostgresServer::dropDatabase(const QString& name)
{
    runSql(u"postgres"_s, u"DROP DATABASE IF EXISTS "_s + name + u" WITH (FORCE)"_s);
}

void PostgresServer::runSqlFile(const QString& database, const QString& file) const
{
    runTool(QStandardPaths::findExecutable(u"psql"_s),
            {u"-q"_s, u"-X"_s, u"-v"_s, u"ON_ERROR_STOP=1"_s, u"-f"_s, file, url(database)}, false);
}

QString PostgresServer::runSql(const QString& database, const QString& sql) const
{
    return runTool(QStandardPaths::findExecutable(u"psql"_s),
                   {u"-q"_s, u"-X"_s, u"-A"_s, u"-t"_s, u"-v"_s, u"ON_ERROR_STOP=1"_s, u"-c"_s, sql, url(database)},
                   false)
        .trimmed();
}

} // namespace Inspector::Testing
