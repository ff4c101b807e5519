// SPDX-License-Identifier: MIT
// subcog's PostgreSQL layouts read back against the ground truth, connections, faults and a server restart.
#include "exporter.h"
#include "fixturegenerator.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "retryingbackend.h"
#include "testhelpers.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTest>
#include <QUrl>

#include <pqxx/pqxx>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Fixtures;
using namespace Inspector::Testing;

Q_DECLARE_METATYPE(Inspector::Fixtures::PostgresLayout)

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
        const ExportReport report = JsonlExporter(*backend, 41).run({}, buffer);
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
        if (layout == PostgresLayout::Split) {
            QVERIFY(backend->describeLayout().join(u' ').contains(u"read-only"_s));
            QVERIFY_THROWS_EXCEPTION(StorageError, backend->store(store.truth.first()));
        } else {
            QVERIFY(backend->get(u"anomaly_domain_plain"_s)->flags.testFlag(MemoryFlag::LegacyDomain));
            QVERIFY(backend->get(u"anomaly_sources_object"_s)->flags.testFlag(MemoryFlag::InvalidSourceMemoryIds));
            QVERIFY(backend->estimateCount({}) > 0);
        }
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
        QCOMPARE(PostgresBackend::redact(u"postgresql://u:pw@h:5/db?sslmode=require&password=pw"_s),
                 u"postgresql://u@h:5/db?sslmode=require"_s);
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
