// SPDX-License-Identifier: MIT
// `subcog-inspector stats STORE --json` of a SQLite store (the 1,000,000-memory one by default), as a whole process,
// beside the sqlite3 CLI running the GROUP BY statements that give the same figures, alternating. Prints wall and
// CPU times (user + system, from wait4's rusage: the machine may be shared) and the ratio.
#include "benchutil.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

using namespace Qt::StringLiterals;
using namespace Bench;

namespace {

// The figures of `stats` as GROUP BY statements (tags split with json_each: the generated tags hold no quotes).
const QStringList kQueries {
    u"SELECT namespace, (created_at - 345600) / 604800, count(*) FROM memories GROUP BY 1, 2;"_s,
    u"SELECT status, count(*) FROM memories GROUP BY 1;"_s,
    u"SELECT domain, count(*) FROM memories GROUP BY 1;"_s,
    u"SELECT project_id, count(*) FROM memories GROUP BY 1;"_s,
    u"SELECT branch, count(*) FROM memories GROUP BY 1;"_s,
    u"SELECT value, count(*) FROM memories, json_each('[\"' || replace(tags, ',', '\",\"') || '\"]') "
    "WHERE value NOT LIKE 'hash:sha256:%' GROUP BY 1 ORDER BY 2 DESC LIMIT 20;"_s,
    u"SELECT count(*), sum(is_summary <> 0), sum(tombstoned_at IS NOT NULL OR lower(status) = 'tombstoned'), "
    "sum(tombstoned_at IS NULL AND lower(status) <> 'tombstoned' AND expires_at < unixepoch()) FROM memories;"_s,
};

// One pass over the columns stats reads, each value decoded: the engine's floor for any figure that must follow an
// arbitrary filter (the tags have no index).
const QString kScan = u"SELECT count(*), sum(length(namespace)), sum(length(status)), sum(length(domain)), "
                      "sum(length(project_id)), sum(length(branch)), sum(created_at), sum(length(tags)), "
                      "sum(is_summary), sum(tombstoned_at), sum(expires_at) FROM memories;"_s;

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Stats benchmark: `subcog-inspector stats` beside sqlite3's GROUP BYs."_s);
    parser.addHelpOption();
    QCommandLineOption storeOption(u"store"_s, u"The SQLite store (bench_sqlite --count N generates one)."_s, u"PATH"_s,
                                   QDir::tempPath() + u"/subcog-inspector-bench/sqlite-1000000.db"_s);
    QCommandLineOption inspectorOption(u"inspector"_s, u"The subcog-inspector binary."_s, u"PATH"_s);
    QCommandLineOption roundsOption(u"rounds"_s, u"Rounds (median printed)."_s, u"R"_s, u"3"_s);
    parser.addOptions({storeOption, inspectorOption, roundsOption});
    parser.process(app);
    const QString store = parser.value(storeOption);
    const QString inspector = parser.value(inspectorOption);
    const int rounds = qMax(1, parser.value(roundsOption).toInt());
    const QString sqlite3 = QStandardPaths::findExecutable(u"sqlite3"_s);
    if (sqlite3.isEmpty() || inspector.isEmpty() || !QFileInfo::exists(store))
        qFatal("needs sqlite3, --inspector and an existing --store (bench_sqlite generates it)");

    QList<double> ours, oursCpu, filtered, cli, cliCpu, scan, scanCpu;
    for (int r = 0; r < rounds; ++r) {
        const ProcessRun a = runProcess({inspector, u"stats"_s, store, u"--json"_s});
        const ProcessRun f = runProcess({inspector, u"stats"_s, store, u"--json"_s, u"--filter"_s, u"ns:decisions"_s});
        const ProcessRun c = runProcess(QStringList {sqlite3, u"-readonly"_s, store} + kQueries);
        const ProcessRun p = runProcess({sqlite3, u"-readonly"_s, store, kScan});
        ours << a.ms;
        oursCpu << a.cpuMs;
        filtered << f.ms;
        cli << c.ms;
        cliCpu << c.cpuMs;
        scan << p.ms;
        scanCpu << p.cpuMs;
    }
    out() << store << ": median of " << rounds << " rounds, whole processes" << Qt::endl;
    out() << "sqlite3 -readonly STORE with:" << Qt::endl;
    for (const QString& q : kQueries)
        out() << "  " << q << Qt::endl;
    header(u"sqlite3"_s);
    row(u"stats --json (wall)"_s, median(ours), median(cli), 1000);
    row(u"stats --json (CPU, user + system)"_s, median(oursCpu), median(cliCpu), 1000);
    row(u"stats --json --filter ns:decisions (wall)"_s, median(filtered), median(cli), 1000);
    out() << "the engine's floor, one sqlite3 pass over the same columns: " << kScan << Qt::endl;
    header(u"sqlite3 pass"_s);
    row(u"stats --json (wall)"_s, median(ours), median(scan));
    row(u"stats --json (CPU, user + system)"_s, median(oursCpu), median(scanCpu));
    return 0;
}
