// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace Inspector::Testing {

/**
 * A PostgreSQL 15 server for tests. A private one is created with initdb in a directory of its own (as the
 * `postgres` user when running as root, since initdb refuses root), listens on 127.0.0.1 on a free port with
 * password authentication, and is stopped and removed with the object. An attached one is a server started by
 * the CTest fixture (`pg-harness`), reached through its URL.
 */
class PostgresServer
{
public:
    static constexpr const char* kUser = "inspector";
    static constexpr const char* kPassword = "inspector-test-password";

    /// Creates and starts a private server in `baseDir` (a temporary directory when empty); throws on failure.
    static std::unique_ptr<PostgresServer> startPrivate(const QString& baseDir = {});
    /// A server somebody else runs, by its base URL (postgresql://user:password@host:port).
    static std::unique_ptr<PostgresServer> attach(const QString& baseUrl);
    /// The CTest fixture's server when INSPECTOR_PG_URL_FILE names one, otherwise a private server for this
    /// process (stopped at exit).
    static PostgresServer& shared();

    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    /// postgresql://inspector:…@127.0.0.1:PORT/DATABASE
    QString url(const QString& database = QStringLiteral("postgres")) const;
    QString baseUrl() const { return m_baseUrl; }
    int port() const { return m_port; }

    /// Stops a private server (fast shutdown) / starts it again on the same port.
    void stop();
    void start();
    /// Leaves a private server running when this object goes (the fixture's stop step removes it).
    void detach() { m_detached = true; }
    QString baseDir() const;

    /// Creates a fresh, empty database and returns its name.
    QString createDatabase(const QString& prefix = QStringLiteral("t"));
    void dropDatabase(const QString& name);
    /// Runs psql with ON_ERROR_STOP on a file against a database; throws with psql's output on failure.
    void runSqlFile(const QString& database, const QString& file) const;
    /// Runs SQL with psql and returns its unaligned, tuples-only output.
    QString runSql(const QString& database, const QString& sql) const;

    /// Stops the server whose base directory is `baseDir` and removes the directory (the fixture's stop step).
    static void stopAndRemove(const QString& baseDir);

private:
    PostgresServer() = default;
    QString runTool(const QString& program, const QStringList& arguments, bool asServerUser) const;

    std::unique_ptr<QTemporaryDir> m_tempDir;
    QString m_base;
    QString m_baseUrl;
    int m_port = 0;
    bool m_private = false;
    bool m_running = false;
    bool m_detached = false;
};

/// The directory of Debian's PostgreSQL 15 server binaries, or empty when they are not installed.
QString postgresBinDir();

} // namespace Inspector::Testing
