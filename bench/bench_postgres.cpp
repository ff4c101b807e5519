// SPDX-License-Identifier: MIT
// Reads of subcog's PostgreSQL store through the inspector's backend, beside psql doing the same reads in the
// same run. Starts a private PostgreSQL 15 (or uses --url), loads a generated store once, prints figures.
#include "benchpostgres.h"
#include "postgres/postgresbackend.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QRandomGenerator>
#include <QStandardPaths>

#include <sys/resource.h>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Bench;

namespace {
const QString kMetaColumns = u"id, namespace, domain, project_id, branch, file_path, status, tags, created_at, "
                             "updated_at, source, tombstoned_at, expires_at, is_summary, source_memory_ids, "
                             "consolidation_timestamp"_s;
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"PostgreSQL read benchmark: the inspector's backend beside psql."_s);
    parser.addHelpOption();
    QCommandLineOption countOption(u"count"_s, u"Memories in the generated store."_s, u"N"_s, u"100000"_s);
    QCommandLineOption roundsOption(u"rounds"_s, u"Repetitions (median printed)."_s, u"R"_s, u"7"_s);
    QCommandLineOption dirOption(u"server-dir"_s,
                                 u"Keep the private server and its loaded store here, for the next run."_s, u"DIR"_s);
    parser.addOptions({countOption, roundsOption, dirOption});
    parser.process(app);
    const int count = parser.value(countOption).toInt();
    const int rounds = qMax(1, parser.value(roundsOption).toInt());
    const QString psql = QStandardPaths::findExecutable(u"psql"_s);
    if (psql.isEmpty())
        qFatal("psql is needed as the yardstick (apt-get install postgresql-client-15)");

    const QString serverDir = parser.value(dirOption);
    auto server = Testing::PostgresServer::startPrivate(serverDir);
    const QString database = loadGeneratedPostgresStore(*server, count);
    const QString url = server->url(database);
    const QStringList psqlArgs {u"-X"_s, u"-q"_s, u"-A"_s, u"-t"_s, url};

    std::unique_ptr<PostgresBackend> backend;
    QList<double> openTimes;
    for (int r = 0; r < rounds; ++r) {
        backend.reset();
        openTimes << timeMs([&] { backend = PostgresBackend::open(url); });
    }
    QStringList ids;
    const double listMs = timeMs([&] { ids = backend->listIds(); });
    QList<double> estimate;
    qint64 estimated = 0;
    estimate << timeMs([&] { estimated = backend->estimateCount({}); });
    qint64 exact = 0;
    const double countMs = timeMs([&] { exact = backend->count(); });
    out() << "memories: " << exact << " (estimate " << estimated << " in " << QString::number(median(estimate), 'f', 2)
          << " ms, exact count " << QString::number(countMs, 'f', 1)
          << " ms); open (connect + schema): " << QString::number(median(openTimes), 'f', 2)
          << " ms; listIds of all: " << QString::number(listMs, 'f', 1) << " ms" << Qt::endl
          << Qt::endl;

    MemoryQuery tailQuery;
    tailQuery.withContent = false;
    tailQuery.fromEnd = true;
    tailQuery.limit = 201;
    const Memory pivot = backend->query(tailQuery).memories.first();
    const Cursor farCursor {pivot.createdAt, pivot.id};

    QTemporaryDir scripts;
    const QString firstScript = writeScript(
        scripts, u"first.sql"_s,
        u"SELECT "_s + kMetaColumns + u" FROM memories ORDER BY created_at DESC, id COLLATE \"C\" LIMIT 200;\n"_s);
    const QString seekScript = writeScript(
        scripts, u"seek.sql"_s,
        u"SELECT "_s + kMetaColumns + u" FROM memories WHERE created_at <= "_s + QString::number(pivot.createdAt)
            + u" AND (created_at < "_s + QString::number(pivot.createdAt) + u" OR id COLLATE \"C\" > "_s
            + quoted(pivot.id) + u") ORDER BY created_at DESC, id COLLATE \"C\" LIMIT 200;\n"_s);
    const QString lastScript = writeScript(
        scripts, u"last.sql"_s,
        u"SELECT "_s + kMetaColumns + u" FROM memories ORDER BY created_at ASC, id COLLATE \"C\" DESC LIMIT 200;\n"_s);

    QRandomGenerator random(4242);
    QList<double> batchOurs, batchCli, firstOurs, firstCli, seekOurs, seekCli, lastOurs, lastCli;
    for (int r = 0; r < rounds; ++r) {
        QStringList sample;
        QString lookups;
        for (int i = 0; i < 1000; ++i) {
            const QString id = ids[random.bounded(qsizetype(ids.size()))];
            sample << id;
            lookups += u"SELECT "_s + kMetaColumns + u" FROM memories WHERE id = "_s + quoted(id) + u";\n"_s;
        }
        const QString lookupScript = writeScript(scripts, u"lookup.sql"_s, lookups);
        batchOurs << timeMs([&] {
            if (backend->getBatch(sample).isEmpty())
                qFatal("empty batch");
        });
        batchCli << processMs(psql, psqlArgs, lookupScript);
        MemoryQuery first;
        firstOurs << timeMs([&] { backend->query(first); });
        firstCli << processMs(psql, psqlArgs, firstScript);
        MemoryQuery seek;
        seek.after = farCursor;
        seekOurs << timeMs([&] { backend->query(seek); });
        seekCli << processMs(psql, psqlArgs, seekScript);
        MemoryQuery last;
        last.fromEnd = true;
        lastOurs << timeMs([&] { backend->query(last); });
        lastCli << processMs(psql, psqlArgs, lastScript);
    }
    out() << "median of " << rounds << " rounds; ours in-process over TCP, psql as a whole process (metadata only)"
          << Qt::endl;
    header(u"psql"_s);
    row(u"getBatch(1000 random ids) with content"_s, median(batchOurs), median(batchCli));
    row(u"first 200-row page with content"_s, median(firstOurs), median(firstCli));
    row(u"far-end 200-row page (keyset seek) w/ content"_s, median(seekOurs), median(seekCli));
    row(u"last 200-row page (reverse scan) w/ content"_s, median(lastOurs), median(lastCli));
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    out() << "peak resident memory of this process (store generation included): " << usage.ru_maxrss / 1024 << " MiB"
          << Qt::endl;
    return 0;
}
