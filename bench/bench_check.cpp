// SPDX-License-Identifier: MIT
// `subcog-inspector check` of a SQLite store (the 1,000,000-memory one by default), as a whole process, beside the
// sqlite3 CLI reading every row of `memories` and of `memories_fts` (two full scans, added up), alternating.
// Prints wall times, the ratio and the checker's peak resident memory (from wait4's rusage).
#include "benchutil.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

using namespace Qt::StringLiterals;
using namespace Bench;

namespace {

// Every column the checker reads, summed so that each value is really decoded, and the FTS table through FTS5.
const QString kMemoriesScan
    = u"SELECT count(*), sum(length(id)), sum(length(namespace)), sum(length(domain)), sum(length(status)), "
      "sum(created_at), sum(length(tags)), sum(tombstoned_at), sum(expires_at), sum(is_summary), "
      "sum(length(source_memory_ids)) FROM memories;"_s;
const QString kFtsScan
    = u"SELECT count(*), sum(length(id)), sum(length(content)), sum(length(tags)) FROM memories_fts;"_s;

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Check benchmark: `subcog-inspector check` beside two sqlite3 full scans."_s);
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

    QList<double> ours, scans, memories, fts, integrity;
    long peak = 0;
    for (int r = 0; r < rounds; ++r) {
        // exit 3: findings (the generated store plants some)
        const ProcessRun a = runProcess({inspector, u"check"_s, store}, u"/dev/null"_s, {0, 3});
        const ProcessRun m = runProcess({sqlite3, u"-readonly"_s, store, kMemoriesScan});
        const ProcessRun f = runProcess({sqlite3, u"-readonly"_s, store, kFtsScan});
        const ProcessRun q = runProcess({sqlite3, u"-readonly"_s, store, u"PRAGMA quick_check;"_s});
        ours << a.ms;
        scans << m.ms + f.ms;
        memories << m.ms;
        fts << f.ms;
        integrity << q.ms;
        peak = std::max(peak, a.maxRssKiB);
    }
    out() << store << ": median of " << rounds << " rounds, whole processes" << Qt::endl;
    out() << "scans: " << kMemoriesScan << " (" << QString::number(median(memories), 'f', 0) << " ms) + " << kFtsScan
          << " (" << QString::number(median(fts), 'f', 0) << " ms)" << Qt::endl;
    header(u"sqlite3 ×2"_s);
    row(u"check (summary table to /dev/null)"_s, median(ours), median(scans), 3 * median(scans));
    out() << "for reference, PRAGMA quick_check alone in the sqlite3 CLI (part of check): "
          << QString::number(median(integrity), 'f', 0) << " ms" << Qt::endl;
    out() << "peak resident memory of the check: " << QString::number(peak / 1024.0, 'f', 1)
          << " MiB (bound 200 MiB: " << (peak <= 200 * 1024 ? "within" : "OVER") << ")" << Qt::endl;
    return 0;
}
