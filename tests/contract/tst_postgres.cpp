// SPDX-License-Identifier: MIT
// subcog's PostgreSQL layouts read back against the ground truth, connections, faults and a server restart.
#include "backendclient.h"
#include "countingworkers.h"
#include "exporter.h"
#include "fixturegenerator.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "retryingbackend.h"
#include "testhelpers.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>
#include <QUrl>

#include <pqxx/pqxx>

#include <arpa/inet.h>
#include <atomic>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Fixtures;
using namespace Inspector::Testing;

Q_DECLARE_METATYPE(Inspector::Fixtures::PostgresLayout)

namespace {
/**
 * A TCP relay between the backend and the server that cuts the connection once, at the client's COMMIT:
 * either before the server sees it (the write did not happen) or after the server answered it (the write
 * happened, the client cannot know). Or, once armed, it makes the client's next ROLLBACK fail on the server, which
 * then keeps the failed transaction the client takes for ended (as when a cancel arrives as a ROLLBACK begins).
 * Runs on its own thread, since the backend's calls block this one.
 */
class CommitCutter
{
public:
    enum class Cut
    {
        BeforeCommit,
        AfterCommit,
        FailRollback,
    };

    CommitCutter(int serverPort, Cut cut)
        : m_serverPort(serverPort)
        , m_cut(cut)
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int yes = 1;
        ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof address);
        socklen_t length = sizeof address;
        ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length);
        m_port = ntohs(address.sin_port);
        ::listen(m_listener, 8);
        m_thread = std::thread([this] { serve(); });
    }
    ~CommitCutter()
    {
        m_stop = true;
        ::shutdown(m_listener, SHUT_RDWR);
        ::close(m_listener);
        m_thread.join();
    }
    int port() const { return m_port; }
    bool cut() const { return m_done; }
    void arm() { m_armed = true; }

private:
    void serve()
    {
        while (!m_stop) {
            const int client = ::accept(m_listener, nullptr, nullptr);
            if (client < 0)
                return;
            const int server = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in address {};
            address.sin_family = AF_INET;
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            address.sin_port = htons(quint16(m_serverPort));
            if (::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
                ::close(client);
                ::close(server);
                continue;
            }
            relay(client, server);
            ::close(client);
            ::close(server);
        }
    }

    void relay(int client, int server)
    {
        static const QByteArray commit("COMMIT", 7); // the simple-query text with its NUL
        static const QByteArray rollback("ROLLBACK", 9);
        char buffer[65536];
        bool awaitingAnswer = false;
        for (;;) {
            pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
            if (::poll(fds, 2, 200) < 0 || m_stop)
                return;
            if (fds[0].revents) {
                const ssize_t n = ::read(client, buffer, sizeof buffer);
                if (n <= 0)
                    return;
                if (m_cut == Cut::FailRollback) {
                    const qsizetype at = QByteArray::fromRawData(buffer, n).indexOf(rollback);
                    if (m_armed && !m_done && at >= 0) {
                        std::memcpy(buffer + at, "SELECT x", 8); // as long, and an error: no column x
                        m_done = true;
                    }
                    if (::write(server, buffer, size_t(n)) != n)
                        return;
                    continue;
                }
                const bool isCommit = !m_done && QByteArray::fromRawData(buffer, n).contains(commit);
                if (isCommit && m_cut == Cut::BeforeCommit) {
                    m_done = true;
                    return; // the server never sees it
                }
                if (::write(server, buffer, size_t(n)) != n)
                    return;
                awaitingAnswer = awaitingAnswer || isCommit;
            }
            if (fds[1].revents) {
                const ssize_t n = ::read(server, buffer, sizeof buffer);
                if (n <= 0)
                    return;
                if (awaitingAnswer) {
                    m_done = true;
                    return; // committed on the server; the answer is lost
                }
                if (::write(client, buffer, size_t(n)) != n)
                    return;
            }
        }
    }

    int m_serverPort;
    Cut m_cut;
    int m_listener = -1;
    int m_port = 0;
    std::atomic<bool> m_stop {false};
    std::atomic<bool> m_done {false};
    std::atomic<bool> m_armed {false};
    std::thread m_thread;
};
} // namespace

class TestPostgres : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QString loadStore(PostgresLayout layout, const GeneratorOptions& options, GeneratedStore* store)
    {
        PostgresServer& server = PostgresServer::shared();
        const QString database = server.createDatabase(u"layout"_s);
        const QString sql = m_dir.filePath(database + u".sql"_s);
        *store = writePostgresSql(sql, layout, options);
        server.runSqlFile(database, sql);
        return server.url(database);
    }

    static void expectError(const QString& url, const QString& reason)
    {
        try {
            PostgresBackend::Options options;
            options.connectTimeoutS = 3;
            PostgresBackend::open(url, options);
            QFAIL("expected an error");
        } catch (const StorageError& e) {
            QVERIFY2(e.message().contains(reason), qPrintable(e.message()));
            QVERIFY2(!e.message().contains(QString::fromLatin1(PostgresServer::kPassword)), "password in a message");
            QVERIFY2(!e.detail().contains(QString::fromLatin1(PostgresServer::kPassword)), "password in a detail");
            QVERIFY2(!e.message().contains(u'\n'), "more than one line");
        }
    }

private Q_SLOTS:
    void exportEqualsTruth_data()
    {
        QTest::addColumn<PostgresLayout>("layout");
        QTest::newRow("head") << PostgresLayout::Head;
        QTest::newRow("split (ea5e9a7)") << PostgresLayout::Split;
    }
    void exportEqualsTruth()
    {
        QFETCH(PostgresLayout, layout);
        GeneratorOptions options;
        options.count = 250;
        GeneratedStore store;
        const QString url = loadStore(layout, options, &store);
        auto backend = PostgresBackend::open(url);
        QCOMPARE(backend->isReadOnly(), layout == PostgresLayout::Split);
        QCOMPARE(backend->count(), store.rowCount);
        QByteArray exported;
        QBuffer buffer(&exported);
        buffer.open(QIODevice::WriteOnly);
        const ExportReport report = Exporter(*backend, ExportFormat::JsonLines, 41).run(MemoryFilter {}, buffer);
        QVERIFY(report.skipped.isEmpty());
        QString error;
        const auto records = parseJsonLines(exported, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(records.size(), store.truth.size());
        for (const Memory& truth : store.truth) {
            const QStringList diffs = diffRecords(records.value(truth.id), toJson(truth));
            QVERIFY2(diffs.isEmpty(), qPrintable(truth.id + u": "_s + diffs.join(u"; "_s)));
        }
        // a batch with ids an array literal must quote
        QStringList ids;
        for (const Memory& m : store.truth)
            ids << m.id;
        QCOMPARE(backend->getBatch(ids).size(), ids.size());
        // stats() in this layout (legacy strings, plain and split domains) gives the figures of the memories read
        // back, also through a RetryingBackend
        const QList<Memory> read = backend->getBatch(ids);
        RetryingBackend retrying(PostgresBackend::open(url), RetryPolicy {});
        const qint64 now = 1767000000 + 100 * 86400;
        for (const QString& text : {u""_s, u"ns:tech-debt"_s, u"tombstoned:only"_s, u"tag:rust"_s}) {
            const MemoryFilter filter = parseFilter(text).filter;
            StatsBuilder reference(now);
            reference.stats().withEmbedding
                = backend->embeddingStorage() == EmbeddingStorage::Apart ? std::optional<qint64>(0) : std::nullopt;
            for (const Memory& m : read) {
                if (filter.matches(m))
                    reference.addMemory(m);
            }
            const StoreStats expected = reference.finish();
            QVERIFY2(backend->stats(filter, now) == expected,
                     qPrintable(text + u": "_s
                                + QString::fromUtf8(QJsonDocument(backend->stats(filter, now).toJson()).toJson())
                                + u" vs "_s + QString::fromUtf8(QJsonDocument(expected.toJson()).toJson())));
            QVERIFY(retrying.stats(filter, now) == expected);
        }
        if (layout == PostgresLayout::Split) {
            QVERIFY(backend->describeLayout().join(u' ').contains(u"read-only"_s));
            QVERIFY_THROWS_EXCEPTION(StorageError, backend->store(store.truth.first()));
        } else {
            QVERIFY(backend->get(u"anomaly_domain_plain"_s)->flags.testFlag(MemoryFlag::LegacyDomain));
            QVERIFY(backend->get(u"anomaly_sources_object"_s)->flags.testFlag(MemoryFlag::InvalidSourceMemoryIds));
            QVERIFY(backend->estimateCount({}) > 0);
        }
    }

    void invalidUtf8InASqlAsciiDatabase()
    {
        // a SQL_ASCII database stores any bytes; text that is not UTF-8 reads as U+FFFD and is named with its field
        PostgresServer& server = PostgresServer::shared();
        const QString database = server.createDatabase(u"utf8probe"_s) + u"_ascii"_s;
        server.runSql(u"postgres"_s,
                      u"CREATE DATABASE "_s + database
                          + u" ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"_s);
        GeneratorOptions options;
        options.count = 10;
        options.anomalies = false;
        const QString sql = m_dir.filePath(database + u".sql"_s);
        writePostgresSql(sql, PostgresLayout::Head, options);
        server.runSqlFile(database, sql);
        server.runSql(database,
                      u"INSERT INTO memories (id, content, namespace, domain, status, tags, created_at, updated_at, "
                      "branch) VALUES ('bad_content', E'a\\xffb', 'decisions', "
                      "'{\"organization\":null,\"project\":null,\"repository\":null}', 'active', '{a}', 1767000100, "
                      "1767000100, 'main'), ('bad_branch', 'text', 'decisions', "
                      "'{\"organization\":null,\"project\":null,\"repository\":null}', 'active', '{a}', 1767000100, "
                      "1767000100, E'm\\xc0')"_s);
        auto backend = PostgresBackend::open(server.url(database));
        auto named = [](const QList<RecordIssue>& issues) {
            QStringList out;
            for (const RecordIssue& issue : issues) {
                if (issue.reason.contains(u"not valid UTF-8"_s) && !issue.unreadable)
                    out << issue.id + u": "_s + issue.reason.section(u' ', 0, 0);
            }
            out.sort();
            return out;
        };
        const QStringList expected {u"bad_branch: branch"_s, u"bad_content: content"_s};
        QByteArray exported;
        QBuffer buffer(&exported);
        buffer.open(QIODevice::WriteOnly);
        const ExportReport report = Exporter(*backend, ExportFormat::JsonLines).run(MemoryFilter {}, buffer);
        QCOMPARE(report.written, qint64(12));
        QCOMPARE(named(report.warnings), expected);
        QCOMPARE(parseJsonLines(exported).value(u"bad_content"_s).value(u"content"_s).toString(), u"a\uFFFDb"_s);
        QList<RecordIssue> issues;
        backend->getBatch({u"bad_content"_s, u"bad_branch"_s}, &issues);
        QCOMPARE(named(issues), expected);
        backend.reset();
        server.dropDatabase(database);
    }

    void commandLine()
    {
        GeneratorOptions options;
        options.count = 120;
        GeneratedStore store;
        const QString url = loadStore(PostgresLayout::Head, options, &store);
        QProcess process;
        process.start(qEnvironmentVariable("INSPECTOR_BINARY"), {u"count"_s, url});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 0);
        QCOMPARE(process.readAllStandardOutput().trimmed().toLongLong(), store.rowCount);
        const QString target = m_dir.filePath(u"pg.jsonl"_s);
        process.start(qEnvironmentVariable("INSPECTOR_BINARY"),
                      {u"export"_s, url, u"--format"_s, u"jsonl"_s, u"-o"_s, target});
        QVERIFY(process.waitForFinished(60000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        QFile file(target);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto records = parseJsonLines(file.readAll());
        QCOMPARE(records.size(), store.truth.size());
        for (const Memory& truth : store.truth)
            QVERIFY2(diffRecords(records.value(truth.id), toJson(truth)).isEmpty(), qPrintable(truth.id));
    }

    // Each way a connection fails gets its kind and its explanation from facts (the name, the socket, libpq's
    // authentication state, the server's catalogue), not from the wording of libpq's message.
    void connectionFailures_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("reason");
        PostgresServer& server = PostgresServer::shared();
        const QString password = QString::fromLatin1(PostgresServer::kPassword);
        QString wrong = server.url(u"postgres"_s);
        wrong.replace(password, u"not-the-password"_s);
        QString unknownUser = server.url(u"postgres"_s);
        unknownUser.replace(QString::fromLatin1(PostgresServer::kUser) + u':', u"nobody_here:"_s);
        // no password in the URL, none in a password file (PGPASSWORD is cleared by the test)
        QString none = server.url(u"postgres"_s) + u"?passfile=/nonexistent"_s;
        none.replace(u':' + password + u'@', u"@"_s);
        QTest::newRow("wrong password") << wrong << int(StorageError::Kind::OperationFailed)
                                        << u"wrong password (or wrong user) for this server"_s;
        QTest::newRow("unknown user") << unknownUser << int(StorageError::Kind::OperationFailed)
                                      << u"wrong password (or wrong user) for this server"_s;
        QTest::newRow("no password")
            << none << int(StorageError::Kind::OperationFailed)
            << u"the server asks for a password and none was given (URL, PGPASSWORD or ~/.pgpass)"_s;
        QTest::newRow("unknown host") << u"postgresql://inspector:secret@no-such-host.invalid:5432/x"_s
                                      << int(StorageError::Kind::NotFound)
                                      << u"unknown host (the name does not resolve)"_s;
        QTest::newRow("refused port") << u"postgresql://inspector:secret@127.0.0.1:1/x"_s
                                      << int(StorageError::Kind::Storage)
                                      << u"connection refused: no server is listening there (is it running?)"_s;
        QTest::newRow("no such database") << server.url(u"no_such_database"_s) << int(StorageError::Kind::NotFound)
                                          << u"database 'no_such_database' does not exist"_s;
    }
    void connectionFailures()
    {
        QFETCH(QString, url);
        QFETCH(int, kind);
        QFETCH(QString, reason);
        const QByteArray savedPassword = qgetenv("PGPASSWORD");
        qunsetenv("PGPASSWORD");
        const auto restore = qScopeGuard([&] {
            if (!savedPassword.isNull())
                qputenv("PGPASSWORD", savedPassword);
        });
        try {
            PostgresBackend::Options options;
            options.connectTimeoutS = 3;
            PostgresBackend::open(url, options);
            QFAIL("expected an error");
        } catch (const StorageError& e) {
            QCOMPARE(StorageError::kindName(e.kind()), StorageError::kindName(StorageError::Kind(kind)));
            QVERIFY2(e.message().endsWith(u": cannot connect: "_s + reason), qPrintable(e.message()));
            QVERIFY2(!e.message().contains(QString::fromLatin1(PostgresServer::kPassword)), "password in a message");
            QVERIFY2(!e.detail().contains(QString::fromLatin1(PostgresServer::kPassword)), "password in a detail");
        }
    }

    void connectionErrors()
    {
        PostgresServer& server = PostgresServer::shared();
        QString wrong = server.url(u"postgres"_s);
        wrong.replace(QString::fromLatin1(PostgresServer::kPassword), u"not-the-password"_s);
        expectError(wrong, u"wrong password"_s);
        expectError(server.url(u"no_such_database"_s), u"database 'no_such_database' does not exist"_s);
        expectError(u"postgresql://inspector:secret@no-such-host.invalid:5432/x"_s, u"unknown host"_s);
        expectError(u"postgresql://inspector:secret@127.0.0.1:1/x"_s, u"connection refused"_s);
        const QString empty = server.createDatabase(u"empty"_s);
        expectError(server.url(empty), u"has no 'memories' table"_s);
        expectError(u"mysql://x"_s, u"postgresql://"_s);
        // libpq quotes a value with a bad %-escape in its message; a password there is taken out
        for (const QString& url : {u"postgresql://inspector:p%zzS3cretQ@127.0.0.1:1/x"_s,
                                   u"postgresql://127.0.0.1:1/x?password=p%zzS3cretQ"_s,
                                   u"postgresql://127.0.0.1:1/x?PassWord=p%00S3cretQ"_s}) {
            try {
                PostgresBackend::open(url);
                QFAIL("expected an error");
            } catch (const StorageError& e) {
                QVERIFY2(!e.message().contains(u"S3cretQ"_s), qPrintable(e.message()));
                QVERIFY2(!e.detail().contains(u"S3cretQ"_s), qPrintable(e.detail()));
                QVERIFY2(!QByteArray(e.what()).contains("S3cretQ"), e.what());
            }
        }
    }

    void libpqEnvironment()
    {
        // everything the URL leaves out comes from libpq's variables and ~/.pgpass
        PostgresServer& server = PostgresServer::shared();
        const QString database = server.createDatabase(u"env"_s);
        PostgresBackend::createSchema(server.url(database))->store(sampleMemory(u"env1"_s));
        const QUrl base(server.url(database));
        qputenv("PGHOST", base.host().toUtf8());
        qputenv("PGPORT", QByteArray::number(base.port()));
        qputenv("PGUSER", base.userName().toUtf8());
        qputenv("PGDATABASE", database.toUtf8());
        qputenv("PGPASSWORD", PostgresServer::kPassword);
        QCOMPARE(PostgresBackend::open(u"postgresql://"_s)->count(), qint64(1));
        qunsetenv("PGPASSWORD");
        QTemporaryDir home;
        QFile pgpass(home.filePath(u".pgpass"_s));
        QVERIFY(pgpass.open(QIODevice::WriteOnly));
        pgpass.write(base.host().toUtf8() + ':' + QByteArray::number(base.port()) + ":*:" + base.userName().toUtf8()
                     + ':' + PostgresServer::kPassword + '\n');
        pgpass.close();
        pgpass.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        qputenv("PGPASSFILE", pgpass.fileName().toUtf8());
        QCOMPARE(PostgresBackend::open(u"postgres://"_s + base.host() + u':' + QString::number(base.port()) + u'/'
                                       + database)
                     ->count(),
                 qint64(1));
        for (const char* name : {"PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSFILE"})
            qunsetenv(name);
    }

    void statementTimeout()
    {
        PostgresServer& server = PostgresServer::shared();
        const QString database = server.createDatabase(u"timeout"_s);
        PostgresBackend::createSchema(server.url(database));
        // another session holds the table, as a hung server or a long migration would
        pqxx::connection other(server.url(database).toStdString());
        pqxx::work lock(other);
        lock.exec("LOCK TABLE memories IN ACCESS EXCLUSIVE MODE");
        PostgresBackend::Options options;
        options.statementTimeoutMs = 300;
        auto backend = PostgresBackend::open(server.url(database), options);
        QElapsedTimer timer;
        timer.start();
        try {
            backend->count();
            QFAIL("the count should have timed out");
        } catch (const StorageError& e) {
            QCOMPARE(e.kind(), StorageError::Kind::Storage);
            QVERIFY2(e.message().contains(u"timed out"_s), qPrintable(e.message()));
        }
        QVERIFY(timer.elapsed() < 10000);
        lock.abort();
        QCOMPARE(backend->count(), qint64(0)); // and the same backend goes on
    }

    void cancelInterruptsARunningRequest()
    {
        PostgresServer& server = PostgresServer::shared();
        const QString database = server.createDatabase(u"cancel"_s);
        const QString url = server.url(database);
        PostgresBackend::createSchema(url);
        server.runSql(database,
                      u"INSERT INTO memories (id, content, namespace, domain, status, created_at, updated_at, source) "
                      "SELECT 'm' || lpad(x::text, 8, '0'), 'text', 'decisions', 'project', 'active', "
                      "1700000000 + x, 1700000000 + x, 'src/some/longer/path/to/a/source/file/' || x || '.rs' "
                      "FROM generate_series(1, 100000) AS x"_s);
        // through the retrying wrapper the window uses: it forwards interrupt() and does not retry a cancel
        BackendClient client([url] {
            return std::unique_ptr<PersistenceBackend>(
                std::make_unique<RetryingBackend>(PostgresBackend::open(url), RetryPolicy {}));
        });
        client.open();
        QSignalSpy counted(&client, &BackendClient::countAvailable);
        QSignalSpy failed(&client, &BackendClient::failed);
        MemoryFilter slow; // hundreds of LIKEs on every row, none matching: seconds of work on the server
        for (int i = 0; i < 400; ++i)
            slow.sourcePatterns << u"*no-such-part-%1*"_s.arg(i);
        QElapsedTimer timer;
        timer.start();
        client.requestCount(1, slow);
        QTRY_COMPARE_WITH_TIMEOUT(counted.size(), 1, 60000);
        const qint64 whole = timer.elapsed();
        QVERIFY2(whole > 1000, qPrintable(u"the count took only %1 ms"_s.arg(whole)));

        const RequestId id = client.requestCount(2, slow);
        QTRY_COMPARE(client.queuedRequests(), 0);
        QTest::qWait(300);
        timer.restart();
        client.cancel(id);
        QVERIFY(timer.elapsed() < 50);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        const qint64 stopped = timer.elapsed();
        qInfo("whole count %lld ms, stopped %lld ms after the cancel", whole, stopped);
        QCOMPARE(failed.first().at(0).value<RequestId>(), id);
        QCOMPARE(failed.first().at(2).toInt(), int(StorageError::Kind::Cancelled));
        QVERIFY2(stopped < 300, qPrintable(QString::number(stopped)));
        const RequestId after = client.requestCount(3, {});
        QTRY_COMPARE(counted.size(), 2);
        QCOMPARE(counted.last().at(0).value<RequestId>(), after);
        QCOMPARE(counted.last().at(2).value<qint64>(), qint64(100000));

        // a statement waiting for a lock is stopped the same way
        pqxx::connection other(url.toStdString());
        pqxx::work lock(other);
        lock.exec("LOCK TABLE memories IN ACCESS EXCLUSIVE MODE");
        const RequestId waiting = client.requestPage(4, MemoryQuery {});
        QTRY_COMPARE(client.queuedRequests(), 0);
        QTest::qWait(200);
        timer.restart();
        client.cancel(waiting);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 2, 10000);
        QVERIFY2(timer.elapsed() < 300, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(failed.last().at(0).value<RequestId>(), waiting);
        QCOMPARE(failed.last().at(2).toInt(), int(StorageError::Kind::Cancelled));
        lock.abort();
    }

    void lateInterruptIsHarmless()
    {
        PostgresServer& server = PostgresServer::shared();
        const QString database = server.createDatabase(u"late"_s);
        auto backend = PostgresBackend::createSchema(server.url(database));
        backend->store(sampleMemory(u"one"_s));
        for (int i = 0; i < 3; ++i) {
            backend->interrupt(); // nothing runs: the server drops the cancel
            QTest::qWait(50);
            QCOMPARE(backend->count(), qint64(1));
            QVERIFY(backend->get(u"one"_s));
        }
    }

    void connectionCutAtCommit_data()
    {
        QTest::addColumn<bool>("afterCommit");
        QTest::newRow("before the server saw COMMIT") << false;
        QTest::newRow("after the server committed") << true;
    }
    void connectionCutAtCommit()
    {
        // The write is retried after the cut; whichever side of COMMIT the cut fell, the memory ends up stored
        // exactly once with the new values.
        QFETCH(bool, afterCommit);
        PostgresServer& server = PostgresServer::shared();
        const QString database = server.createDatabase(u"cut"_s);
        PostgresBackend::createSchema(server.url(database))->store(sampleMemory(u"m1"_s));
        QUrl url(server.url(database));
        CommitCutter cutter(url.port(), afterCommit ? CommitCutter::Cut::AfterCommit : CommitCutter::Cut::BeforeCommit);
        url.setPort(cutter.port());
        RetryPolicy policy;
        policy.baseDelay = std::chrono::milliseconds(10);
        RetryingBackend backend(PostgresBackend::open(url.toString()), policy);
        Memory edited = *backend.get(u"m1"_s);
        edited.content = u"edited through a cut connection"_s;
        edited.updatedAt += 60;
        backend.store(edited);
        QVERIFY(cutter.cut());
        QVERIFY(backend.get(u"m1"_s)->sameFields(edited));
        QCOMPARE(server.runSql(database, u"SELECT count(*) FROM memories"_s), u"1"_s);
        Memory added = sampleMemory(u"m2"_s);
        backend.store(added);
        QCOMPARE(server.runSql(database, u"SELECT count(*) FROM memories"_s), u"2"_s);
    }

    void failedRollbackLeavesNoStuckConnection()
    {
        // A read's transaction ends with a ROLLBACK; when that fails (a cancel arriving as it begins), the server
        // keeps a failed transaction libpqxx takes for ended, and every statement after it fails with 25P02
        // until the connection is made anew.
        PostgresServer& server = PostgresServer::shared();
        const QString database = server.createDatabase(u"rollback"_s);
        PostgresBackend::createSchema(server.url(database))->store(sampleMemory(u"m1"_s));
        QUrl url(server.url(database));
        CommitCutter relay(url.port(), CommitCutter::Cut::FailRollback);
        url.setPort(relay.port());
        RetryPolicy policy;
        policy.baseDelay = std::chrono::milliseconds(10);
        RetryingBackend backend(PostgresBackend::open(url.toString()), policy);
        relay.arm();
        QCOMPARE(backend.count(), qint64(1));
        QVERIFY(relay.cut());
        QCOMPARE(backend.count(), qint64(1));
        QVERIFY(backend.get(u"m1"_s));
    }

    void commandLineKeepsTheServersParallelWorkers()
    {
        // no window in this program: a whole-store count on this machine's server plans as the server says
        PostgresServer& server = PostgresServer::shared();
        const QString url = storeCountingParallelWorkers(server, 3);
        const int workers = server.runSql(u"postgres"_s, u"SHOW max_parallel_workers_per_gather"_s).toInt();
        QVERIFY(workers > 0);
        QCOMPARE(PostgresBackend::open(url)->count(), qint64(3 * (workers + 1)));
    }

    void serverRestartMidSession()
    {
        auto server = PostgresServer::startPrivate();
        const QString database = server->createDatabase(u"restart"_s);
        auto inner = PostgresBackend::createSchema(server->url(database));
        for (int i = 0; i < 20; ++i)
            inner->store(sampleMemory(u"before-"_s + QString::number(i), 1767000000 + i));
        int sleeps = 0;
        RetryPolicy policy;
        policy.maxRetries = 10;
        policy.baseDelay = std::chrono::milliseconds(50);
        RetryingBackend backend(std::move(inner), policy, [&](std::chrono::milliseconds) {
            // the server comes back while the write is still being retried
            if (++sleeps == 2)
                server->start();
        });
        QCOMPARE(backend.count(), qint64(20));

        server->stop();
        Memory pending = sampleMemory(u"pending-write"_s, 1767000100);
        backend.store(pending);
        QVERIFY(sleeps >= 2);

        QCOMPARE(backend.count(), qint64(21));
        QVERIFY(backend.get(u"pending-write"_s)->sameFields(pending));
        QCOMPARE(server->runSql(database, u"SELECT count(*) FROM memories WHERE id = 'pending-write'"_s), u"1"_s);

        // a read pending across a restart
        sleeps = 0;
        server->stop();
        QCOMPARE(backend.listIds().size(), 21);
        QCOMPARE(backend.getBatch({u"before-3"_s, u"pending-write"_s}).size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestPostgres)
#include "tst_postgres.moc"
