// SPDX-License-Identifier: MIT
// `subcog-inspector export` of the 1,000,000-memory SQLite store in every format, as whole processes, beside the
// sqlite3 CLI reading every row of `memories` and of `memories_fts` (two full scans, added up), alternating: each
// round runs the two scans, then each format, so every figure meets the same load. Prints wall times (median of the
// rounds) and each export's peak resident memory (from wait4's rusage).
// --big-memory builds a store with one 50 MB memory among ordinary ones and prints each format's peak memory
// against the bound of issue 17 (twice the largest memory plus 64 MiB).
#include "benchutil.h"
#include "fixturegenerator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

using namespace Qt::StringLiterals;
using namespace Bench;

namespace {

const QStringList kFormats {u"jsonl"_s, u"csv"_s, u"subcog"_s, u"md"_s, u"json"_s};

/// About `bytes` of text with what every format must escape: line breaks, commas, quotes, pipes, backticks,
/// tabs and non-ASCII letters.
QByteArray bigContent(qsizetype bytes)
{
    static const char* const words[] = {"memory", "decision,", "\"quoted\"", "pipe|bar", "``code``", "tab\there",
                                        "Grüße",  "日本語",    "retry",      "backoff",  "a\\b",     "line\r\nbreak"};
    QByteArray text;
    text.reserve(bytes + 64);
    QRandomGenerator random(17);
    while (text.size() < bytes) {
        text.append(words[random.bounded(int(std::size(words)))]);
        text.append(random.bounded(12) == 0 ? '\n' : ' ');
    }
    return text;
}

/// A subcog HEAD store of `ordinary` short memories plus one of `bigBytes` bytes of content.
void writeBigMemoryStore(const QString& path, int ordinary, qsizetype bigBytes)
{
    using namespace Inspector::Fixtures;
    GeneratorOptions options = GeneratorOptions::benchmark(ordinary);
    options.pendingWal = false;
    writeSqliteStore(path, SqliteLayout::Head, options);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"big"_s);
        db.setDatabaseName(path);
        if (!db.open())
            qFatal("cannot open %s", qPrintable(path));
        QSqlQuery q(db);
        const QString id = u"b16b16b16b16"_s;
        q.prepare(u"INSERT INTO memories (id, namespace, domain, status, created_at, tags, is_summary) "
                  "VALUES (?, 'learnings', 'project', 'active', 1760000000, 'big,memory', 0)"_s);
        q.addBindValue(id);
        if (!q.exec())
            qFatal("%s", qPrintable(q.lastError().text()));
        q.prepare(u"INSERT INTO memories_fts (id, content, tags) VALUES (?, ?, 'big,memory')"_s);
        q.addBindValue(id);
        q.addBindValue(QString::fromUtf8(bigContent(bigBytes)));
        if (!q.exec())
            qFatal("%s", qPrintable(q.lastError().text()));
        q.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
    }
    QSqlDatabase::removeDatabase(u"big"_s);
}

double mib(long kib)
{
    return kib / 1024.0;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Export benchmark: the inspector's exports beside two sqlite3 scans."_s);
    parser.addHelpOption();
    QCommandLineOption storeOption(u"store"_s, u"The SQLite store."_s, u"PATH"_s,
                                   QDir::tempPath() + u"/subcog-inspector-bench/sqlite-1000000.db"_s);
    QCommandLineOption inspectorOption(u"inspector"_s, u"The subcog-inspector binary."_s, u"PATH"_s);
    QCommandLineOption roundsOption(u"rounds"_s, u"Rounds (median printed)."_s, u"R"_s, u"3"_s);
    QCommandLineOption formatsOption(u"formats"_s, u"Formats, comma-separated (default: all)."_s, u"LIST"_s,
                                     kFormats.join(u','));
    QCommandLineOption fileOption(u"to-file"_s, u"Also export jsonl to a new file each round (atomic write)."_s);
    QCommandLineOption bigOption(u"big-memory"_s,
                                 u"Peak memory of each format on a store with one 50 MB memory (built in /tmp)."_s);
    QCommandLineOption bigSizeOption(u"big-size"_s, u"Size of the big memory in MB."_s, u"MB"_s, u"50"_s);
    QCommandLineOption bigStoreOption(u"big-store"_s, u"Where --big-memory keeps its store (reused if it exists)."_s,
                                      u"PATH"_s);
    parser.addOptions({storeOption, inspectorOption, roundsOption, formatsOption, fileOption, bigOption, bigSizeOption,
                       bigStoreOption});
    QCommandLineOption writeBigOption(u"write-big-store"_s, u"Only write the --big-memory store to PATH."_s, u"PATH"_s);
    parser.addOption(writeBigOption);
    parser.process(app);
    if (parser.isSet(writeBigOption)) {
        writeBigMemoryStore(parser.value(writeBigOption), 10000,
                            parser.value(bigSizeOption).toLongLong() * 1000 * 1000);
        return 0;
    }
    const QString inspector = parser.value(inspectorOption);
    const int rounds = qMax(1, parser.value(roundsOption).toInt());
    const QStringList formats = parser.value(formatsOption).split(u',', Qt::SkipEmptyParts);
    const QString sqlite3 = QStandardPaths::findExecutable(u"sqlite3"_s);
    if (inspector.isEmpty())
        qFatal("needs --inspector");
    QTemporaryDir scratch;

    if (parser.isSet(bigOption)) {
        const qsizetype bigBytes = parser.value(bigSizeOption).toLongLong() * 1000 * 1000;
        const QString store
            = parser.isSet(bigStoreOption) ? parser.value(bigStoreOption) : scratch.filePath(u"big.db"_s);
        // written by a child process: wait4's peak of a spawned child starts from this process's own peak (the
        // child shares its memory until exec), which building 50 MB of text would raise
        if (!QFileInfo::exists(store))
            runProcess({QCoreApplication::applicationFilePath(), u"--write-big-store"_s, store, u"--big-size"_s,
                        parser.value(bigSizeOption)});
        const double bound = 2 * bigBytes / 1048576.0 + 64;
        out() << store << ": 10,000 memories and one of " << bigBytes << " bytes; bound "
              << QString::number(bound, 'f', 1) << " MiB (2x the largest memory + 64 MiB); peak of " << rounds
              << " rounds" << Qt::endl;
        for (const QString& format : formats) {
            long peak = 0;
            double ms = 0;
            for (int r = 0; r < rounds; ++r) {
                const ProcessRun run = runProcess({inspector, u"export"_s, store, u"--format"_s, format});
                peak = std::max(peak, run.maxRssKiB);
                ms = run.ms;
            }
            out() << qSetFieldWidth(10) << Qt::left << format << qSetFieldWidth(0)
                  << QString::number(mib(peak), 'f', 1).rightJustified(8) << " MiB peak  "
                  << QString::number(ms, 'f', 0).rightJustified(6) << " ms  ("
                  << (mib(peak) <= bound ? "within" : "OVER") << ")" << Qt::endl;
        }
        return 0;
    }

    const QString store = parser.value(storeOption);
    if (sqlite3.isEmpty() || !QFileInfo::exists(store))
        qFatal("needs sqlite3 and an existing --store (bench_sqlite generates it)");
    const QString exportFile = scratch.filePath(u"export.jsonl"_s);
    QHash<QString, QList<double>> ours, oursCpu;
    QList<double> scansCpu;
    QHash<QString, long> peaks;
    QList<double> toFile, scans;
    for (int r = 0; r < rounds; ++r) {
        for (const QString& format : formats) {
            const ProcessRun m
                = runProcess({sqlite3, u"-readonly"_s, store, u"SELECT * FROM memories;"_s}, u"/dev/null"_s);
            const ProcessRun f
                = runProcess({sqlite3, u"-readonly"_s, store, u"SELECT * FROM memories_fts;"_s}, u"/dev/null"_s);
            scans << m.ms + f.ms;
            scansCpu << m.cpuMs + f.cpuMs;
            const ProcessRun a = runProcess({inspector, u"export"_s, store, u"--format"_s, format}, u"/dev/null"_s);
            ours[format] << a.ms;
            oursCpu[format] << a.cpuMs;
            peaks[format] = std::max(peaks.value(format), a.maxRssKiB);
        }
        if (parser.isSet(fileOption)) {
            // a new file each round: replacing the last round's 500 MB would add its deletion (a discard on some disks)
            QFile::remove(exportFile);
            const ProcessRun file = runProcess(
                {inspector, u"export"_s, store, u"--format"_s, u"jsonl"_s, u"-o"_s, exportFile}, u"/dev/null"_s);
            toFile << file.ms;
            peaks[u"jsonl"_s] = std::max(peaks.value(u"jsonl"_s), file.maxRssKiB);
        }
    }
    out() << store << ": median of " << rounds << " rounds, whole processes, alternating with the two scans"
          << Qt::endl;
    header(u"sqlite3 ×2"_s);
    const double scan = median(scans);
    for (const QString& format : formats) {
        const double bound = format == "jsonl"_L1 ? 1.2 : 2.0;
        row(u"export --format "_s + format + u" (to /dev/null)"_s, median(ours[format]), scan, bound * scan);
    }
    if (!toFile.isEmpty())
        row(u"export --format jsonl -o FILE (atomic write)"_s, median(toFile), scan, 1.2 * scan);
    // CPU time (user + system, every thread) says what the machine's load hides
    out() << "CPU time, median: sqlite3 x2 " << QString::number(median(scansCpu), 'f', 0) << " ms;";
    for (const QString& format : formats)
        out() << " " << format << " " << QString::number(median(oursCpu[format]), 'f', 0) << " ms ("
              << QString::number(median(oursCpu[format]) / median(scansCpu), 'f', 2) << "x)";
    out() << Qt::endl;
    out() << "peak resident memory:";
    for (const QString& format : formats)
        out() << " " << format << " " << QString::number(mib(peaks[format]), 'f', 1) << " MiB";
    out() << Qt::endl;
    return 0;
}
