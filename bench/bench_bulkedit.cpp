// SPDX-License-Identifier: MIT
// Bulk edit benchmark: `subcog-inspector edit STORE --set project_id=…` on every memory of a generated store
// (100,000 by default) beside the same change made with one UPDATE in the sqlite3 CLI / psql, on SQLite and
// PostgreSQL, in turn (A B A B …) on fresh copies of the store. Each is timed as a whole process (wall, CPU, peak
// resident memory); the inspector's preview and apply are also timed in this process, with the peak RSS they add.
//
//   bench_bulkedit [--count N] [--rounds R] [--inspector PATH] [--dir DIR] [--server-dir DIR] [--no-postgres]
#include "benchpostgres.h"
#include "benchutil.h"

#include "bulkedit.h"
#include "fixturegenerator.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "sqlite/sqlitebackend.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <malloc.h>

using namespace Inspector;
using namespace Bench;
using namespace Qt::StringLiterals;

namespace {

const QString kNewProject = u"github.com/new/name"_s;

struct Figures
{
    QList<double> ms;
    QList<double> cpuMs;
    long rssKiB = 0;
    void add(const ProcessRun& r)
    {
        ms << r.ms;
        cpuMs << r.cpuMs;
        rssKiB = qMax(rssKiB, r.maxRssKiB);
    }
};

void printRow(const QString& name, const Figures& f)
{
    out() << "  " << name.leftJustified(44) << QString::number(median(f.ms), 'f', 0).rightJustified(8) << " ms wall"
          << QString::number(median(f.cpuMs), 'f', 0).rightJustified(8) << " ms cpu"
          << QString::number(f.rssKiB / 1024.0, 'f', 1).rightJustified(8) << " MiB peak RSS" << Qt::endl;
}

void copyFile(const QString& from, const QString& to)
{
    QFile::remove(to);
    if (QFile::exists(from) && !QFile::copy(from, to))
        qFatal("cannot copy %s", qPrintable(from));
}

/// The preview and apply inside this process, for the split of the inspector's time; the RSS they add.
void inProcess(PersistenceBackend& backend, QList<double>& previewMs, QList<double>& applyMs, qint64& addedKiB,
               qint64 expected)
{
    BulkEdit edit;
    edit.projectId = std::optional<QString>(kNewProject);
    {
        QFile clear(u"/proc/self/clear_refs"_s); // "5" resets the peak (VmHWM) to the resident set now
        if (clear.open(QIODevice::WriteOnly))
            clear.write("5");
    }
    const qint64 rssBefore = residentKiB("VmRSS:");
    BulkEditPlan plan;
    previewMs << timeMs([&] { plan = previewBulkEdit(backend, edit, BulkEditSource::ofFilter({})); });
    if (plan.changeCount() != expected)
        out() << "  (the preview found " << plan.changeCount() << " changes of " << expected << ")" << Qt::endl;
    addedKiB = qMax(addedKiB, residentKiB("VmHWM:") - rssBefore);
    BulkEditOutcome outcome;
    applyMs << timeMs([&] { outcome = applyBulkEdit(backend, plan); });
    if (outcome.written.size() != plan.changeCount())
        qFatal("the apply wrote %lld of %lld", qlonglong(outcome.written.size()), qlonglong(plan.changeCount()));
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Bulk edit: the inspector's edit command beside one UPDATE in sqlite3/psql."_s);
    parser.addHelpOption();
    QCommandLineOption countOption(u"count"_s, u"Memories in the generated stores."_s, u"N"_s, u"100000"_s);
    QCommandLineOption roundsOption(u"rounds"_s, u"A B pairs per store (median printed)."_s, u"R"_s, u"3"_s);
    QCommandLineOption inspectorOption(u"inspector"_s, u"The subcog-inspector binary."_s, u"PATH"_s,
                                       u"build/release/app/subcog-inspector"_s);
    QCommandLineOption dirOption(u"dir"_s, u"Where the SQLite stores go."_s, u"DIR"_s,
                                 u"/tmp/subcog-inspector-bench/bulkedit"_s);
    QCommandLineOption serverDirOption(u"server-dir"_s, u"Keep the private PostgreSQL server here."_s, u"DIR"_s);
    QCommandLineOption noPostgresOption(u"no-postgres"_s, u"SQLite only."_s);
    parser.addOptions({countOption, roundsOption, inspectorOption, dirOption, serverDirOption, noPostgresOption});
    parser.process(app);
    const int count = parser.value(countOption).toInt();
    const int rounds = qMax(1, parser.value(roundsOption).toInt());
    const QString inspector = QFileInfo(parser.value(inspectorOption)).absoluteFilePath();
    const QString sqlite3 = QStandardPaths::findExecutable(u"sqlite3"_s);
    if (!QFileInfo(inspector).isExecutable() || sqlite3.isEmpty())
        qFatal("needs the inspector (--inspector) and sqlite3");

    // SQLite: a generated HEAD store, copied afresh before every run
    QDir().mkpath(parser.value(dirOption));
    const QString base = parser.value(dirOption) + u"/base-"_s + QString::number(count) + u".db"_s;
    if (!QFile::exists(base)) {
        out() << "generating " << count << " memories …" << Qt::endl;
        auto options = Fixtures::GeneratorOptions::benchmark(count);
        options.pendingWal = false;
        Fixtures::writeSqliteStore(base, Fixtures::SqliteLayout::Head, options);
    }
    const QString work = parser.value(dirOption) + u"/work.db"_s;
    auto fresh = [&] {
        copyFile(base, work);
        copyFile(base + u"-wal"_s, work + u"-wal"_s);
        QFile::remove(work + u"-shm"_s);
    };
    const QString update = u"UPDATE memories SET project_id = '"_s + kNewProject + u"';"_s;
    Figures inspectorSqlite, cliSqlite;
    for (int r = 0; r < rounds; ++r) {
        fresh();
        inspectorSqlite.add(runProcess({inspector, u"edit"_s, work, u"--set"_s, u"project_id="_s + kNewProject}));
        fresh();
        cliSqlite.add(runProcess({sqlite3, work, u".timeout 5000"_s, update}));
    }
    out() << Qt::endl
          << "SQLite, " << count << " memories, project_id set on all (" << rounds << " rounds, A B):" << Qt::endl;
    printRow(u"subcog-inspector edit (whole process)"_s, inspectorSqlite);
    printRow(u"sqlite3 CLI, one UPDATE (whole process)"_s, cliSqlite);
    // in this process last: a spawned child's peak RSS counts this process's until its exec
    auto sqliteInProcess = [&] {
        QList<double> previewMs, applyMs;
        qint64 addedKiB = 0;
        for (int r = 0; r < rounds; ++r) {
            fresh();
            auto backend = SqliteBackend::open(work);
            inProcess(*backend, previewMs, applyMs, addedKiB, count);
        }
        out() << "SQLite inside the inspector: preview " << QString::number(median(previewMs), 'f', 0) << " ms, apply "
              << QString::number(median(applyMs), 'f', 0) << " ms; the preview's plan and batches added at most "
              << QString::number(addedKiB / 1024.0, 'f', 1) << " MiB RSS" << Qt::endl;
    };
    if (parser.isSet(noPostgresOption)) {
        sqliteInProcess();
        return 0;
    }
    const QString psql = QStandardPaths::findExecutable(u"psql"_s);
    if (psql.isEmpty())
        qFatal("psql is needed as the yardstick (apt-get install postgresql-client-15)");
    auto server = Testing::PostgresServer::startPrivate(parser.value(serverDirOption));
    const QString database = loadGeneratedPostgresStore(*server, count);
    malloc_trim(0);
    out() << "(this process: " << residentKiB("VmRSS:") / 1024 << " MiB resident before the PostgreSQL runs)"
          << Qt::endl;
    const QString copy = database + u"_edit"_s;
    auto freshDb = [&] {
        server->runSql(u"postgres"_s, u"DROP DATABASE IF EXISTS "_s + copy);
        server->runSql(u"postgres"_s, u"CREATE DATABASE "_s + copy + u" TEMPLATE "_s + database);
        server->runSql(copy, u"VACUUM (ANALYZE) memories"_s);
    };
    const QString url = server->url(copy);
    Figures inspectorPg, cliPg;
    for (int r = 0; r < rounds; ++r) {
        freshDb();
        inspectorPg.add(runProcess({inspector, u"edit"_s, url, u"--set"_s, u"project_id="_s + kNewProject}));
        freshDb();
        cliPg.add(runProcess({psql, u"-X"_s, u"-q"_s, url, u"-c"_s, update}));
    }
    out() << Qt::endl
          << "PostgreSQL, " << count << " memories, project_id set on all (" << rounds << " rounds, A B):" << Qt::endl;
    printRow(u"subcog-inspector edit (whole process)"_s, inspectorPg);
    printRow(u"psql, one UPDATE (whole process)"_s, cliPg);
    out() << Qt::endl;
    sqliteInProcess();
    QList<double> previewMs, applyMs;
    qint64 addedKiB = 0;
    for (int r = 0; r < rounds; ++r) {
        freshDb();
        auto backend = PostgresBackend::open(url);
        inProcess(*backend, previewMs, applyMs, addedKiB, count);
    }
    server->runSql(u"postgres"_s, u"DROP DATABASE IF EXISTS "_s + copy);
    out() << "PostgreSQL inside the inspector: preview " << QString::number(median(previewMs), 'f', 0) << " ms, apply "
          << QString::number(median(applyMs), 'f', 0) << " ms; the preview's plan and batches added at most "
          << QString::number(addedKiB / 1024.0, 'f', 1) << " MiB RSS" << Qt::endl;
    return 0;
}
