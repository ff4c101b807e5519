// SPDX-License-Identifier: MIT
// `subcog-inspector export --format jsonl` of the 1,000,000-memory SQLite store, as a whole process, beside the
// sqlite3 CLI reading every row of `memories` and of `memories_fts` (two full scans, added up), alternating.
// Prints wall times and the exporter's peak resident memory (from wait4's rusage).
#include "benchutil.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

using namespace Qt::StringLiterals;
using namespace Bench;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Export benchmark: the inspector's JSONL export beside two sqlite3 scans."_s);
    parser.addHelpOption();
    QCommandLineOption storeOption(u"store"_s, u"The SQLite store."_s, u"PATH"_s,
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

    QTemporaryDir scratch;
    const QString exportFile = scratch.filePath(u"export.jsonl"_s);
    QList<double> ours, toFile, scans;
    long peak = 0;
    for (int r = 0; r < rounds; ++r) {
        const ProcessRun a = runProcess({inspector, u"export"_s, store, u"--format"_s, u"jsonl"_s}, u"/dev/null"_s);
        const ProcessRun m = runProcess({sqlite3, u"-readonly"_s, store, u"SELECT * FROM memories;"_s}, u"/dev/null"_s);
        const ProcessRun f
            = runProcess({sqlite3, u"-readonly"_s, store, u"SELECT * FROM memories_fts;"_s}, u"/dev/null"_s);
        // a new file each round: replacing the last round's 500 MB would add its deletion (a discard on some disks)
        QFile::remove(exportFile);
        const ProcessRun file = runProcess(
            {inspector, u"export"_s, store, u"--format"_s, u"jsonl"_s, u"-o"_s, exportFile}, u"/dev/null"_s);
        ours << a.ms;
        toFile << file.ms;
        scans << m.ms + f.ms;
        peak = std::max({peak, a.maxRssKiB, file.maxRssKiB});
    }
    const qint64 lines = [&] {
        QFile f(exportFile);
        f.open(QIODevice::ReadOnly);
        qint64 n = 0;
        while (!f.atEnd())
            n += f.readLine().endsWith('\n') ? 1 : 0;
        return n;
    }();
    out() << store << ": " << lines << " memories exported; median of " << rounds << " rounds, whole processes"
          << Qt::endl;
    header(u"sqlite3 ×2"_s);
    row(u"export --format jsonl (to /dev/null)"_s, median(ours), median(scans), 2 * median(scans));
    row(u"export --format jsonl -o FILE (atomic write)"_s, median(toFile), median(scans), 2 * median(scans));
    out() << "peak resident memory of the export: " << QString::number(peak / 1024.0, 'f', 1)
          << " MiB (bound 200 MiB: " << (peak <= 200 * 1024 ? "within" : "OVER") << ")" << Qt::endl;
    return 0;
}
