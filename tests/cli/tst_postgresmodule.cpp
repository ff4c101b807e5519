// SPDX-License-Identifier: MIT
// PostgreSQL support as a module (storage/postgresmodule.h): the program does not load libpq and its ~25 libraries
// at launch, loads the module from ../lib/subcog-inspector/ when a store needs it, and says clearly when it is
// missing while SQLite stores keep working.
#include "fixturegenerator.h"
#include "postgresserver.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Testing;
using namespace Inspector::Fixtures;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run run(const QString& program, const QStringList& arguments)
{
    QProcess process;
    process.start(program, arguments);
    Run r;
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
        return r;
    }
    r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    r.out = QString::fromUtf8(process.readAllStandardOutput());
    r.err = QString::fromUtf8(process.readAllStandardError());
    return r;
}

/// The shared libraries the dynamic loader loads for `file` before main(), every level (ldd).
QString loadedAtLaunch(const QString& file)
{
    const Run r = run(u"ldd"_s, {file});
    if (r.exitCode != 0)
        return {};
    return r.out;
}

} // namespace

class TestPostgresModule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_binary = qEnvironmentVariable("INSPECTOR_BINARY");
        QVERIFY2(QFileInfo(m_binary).isExecutable(), "INSPECTOR_BINARY must name subcog-inspector");
        m_module = QDir::cleanPath(QFileInfo(m_binary).absolutePath()
                                   + u"/../lib/subcog-inspector/subcog-inspector-postgres.so"_s);
        QVERIFY2(QFileInfo::exists(m_module), qPrintable(m_module));

        GeneratorOptions options;
        options.count = 40;
        options.anomalies = false;
        options.largeMemories = 0;
        const QString sql = m_dir.filePath(u"store.sql"_s);
        m_expected = writePostgresSql(sql, PostgresLayout::Head, options).truth.size();
        m_server = &PostgresServer::shared();
        const QString db = m_server->createDatabase(u"module"_s);
        m_server->runSqlFile(db, sql);
        m_url = m_server->url(db);
        m_sqlite = m_dir.filePath(u"index.db"_s);
        QCOMPARE(writeSqliteStore(m_sqlite, SqliteLayout::Head, options).truth.size(), m_expected);
    }

    // libpq pulls ssl, gssapi/krb5, ldap, sasl, …: none of them is loaded before main() any more
    void programLoadsNoPostgresLibraries()
    {
        const QString program = loadedAtLaunch(m_binary);
        QVERIFY2(program.contains("libQt6Core"_L1), qPrintable(program)); // ldd did list the program's libraries
        for (const char* library : {"libpq.so", "libpqxx", "libssl.so", "libgssapi", "libldap", "libkrb5"})
            QVERIFY2(!program.contains(QLatin1StringView(library)), library);
        // while the module does need libpq and libpqxx (so dpkg-shlibdeps still declares them)
        const QString module = loadedAtLaunch(m_module);
        QVERIFY2(module.contains("libpq.so"_L1) && module.contains("libpqxx"_L1), qPrintable(module));
    }

    void programOpensPostgres()
    {
        const Run r = run(m_binary, {u"count"_s, m_url});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out.trimmed(), QString::number(m_expected));
        const Run version = run(m_binary, {u"--version"_s});
        QCOMPARE(version.exitCode, 0);
        QVERIFY2(version.out.contains("libpq 1"_L1) && version.out.contains("libpqxx 6."_L1), qPrintable(version.out));
    }

    // A copy of the program without the module: PostgreSQL fails with a clear message, SQLite works
    void withoutTheModule()
    {
        QTemporaryDir install;
        QVERIFY(install.isValid());
        QVERIFY(QDir(install.path()).mkpath(u"bin"_s));
        const QString copy = install.filePath(u"bin/subcog-inspector"_s);
        QVERIFY(QFile::copy(m_binary, copy));

        const Run pg = run(copy, {u"count"_s, m_url});
        QVERIFY2(pg.exitCode != 0 && pg.exitCode != -1, qPrintable(pg.out));
        QVERIFY2(pg.err.contains("PostgreSQL support is not installed"_L1), qPrintable(pg.err));
        QVERIFY2(pg.err.contains(install.filePath(u"lib/subcog-inspector/subcog-inspector-postgres.so"_s)),
                 qPrintable(pg.err));
        QVERIFY2(!pg.err.contains(QString::fromLatin1(PostgresServer::kPassword)), qPrintable(pg.err));

        const Run sqlite = run(copy, {u"count"_s, m_sqlite});
        QVERIFY2(sqlite.exitCode == 0, qPrintable(sqlite.err));
        QCOMPARE(sqlite.out.trimmed(), QString::number(m_expected));

        const Run version = run(copy, {u"--version"_s});
        QCOMPARE(version.exitCode, 0);
        QVERIFY2(version.out.contains("SQLite 3"_L1), qPrintable(version.out));
        QVERIFY2(version.out.contains("libpq and libpqxx: PostgreSQL support is not installed"_L1),
                 qPrintable(version.out));
    }

private:
    QTemporaryDir m_dir;
    QString m_binary;
    QString m_module;
    PostgresServer* m_server = nullptr;
    QString m_url;
    QString m_sqlite;
    qint64 m_expected = 0;
};

QTEST_GUILESS_MAIN(TestPostgresModule)
#include "tst_postgresmodule.moc"
