// SPDX-License-Identifier: MIT
// "Similar memories" on a SQLite data folder of 1,000,000 memories with a vectors.idx of 1,000,000 × 384 floats
// (about 4 GB of subcog's JSON): similarMemories() end to end (the memory's own vector found in the stream, every
// vector compared, the 10 nearest read from index.db) as a whole process, alternating with a plain read of the same
// file in 4 MiB pieces (the I/O floor). Prints medians, the ratio and the search's peak resident memory.
//
// The data folder is made once under /tmp/subcog-inspector-bench/: index.db is a copy of the 1,000,000-memory
// SQLite benchmark store (bench_sqlite makes it), vectors.idx is written here from its ids, unit vectors in f32's
// shortest form as subcog writes them. Smaller --count values make a store of their own.
#include "benchutil.h"

#include "embeddings.h"
#include "fixturegenerator.h"
#include "storageerror.h"
#include "storeopener.h"
#include "vectorsfile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <charconv>
#include <cmath>

using namespace Qt::StringLiterals;
using namespace Bench;
using namespace Inspector;

namespace {

OpenOptions readOnlyOptions()
{
    OpenOptions o;
    o.readOnly = true;
    return o;
}

const QString kBenchDir = QDir::tempPath() + u"/subcog-inspector-bench"_s;

QStringList memoryIds(const QString& indexPath, qint64 limit)
{
    QStringList ids;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"ids"_s);
        db.setDatabaseName(indexPath);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        if (!db.open())
            qFatal("cannot open %s", qPrintable(indexPath));
        QSqlQuery q(db);
        q.setForwardOnly(true);
        q.exec(u"SELECT id FROM memories ORDER BY rowid LIMIT "_s + QString::number(limit));
        while (q.next())
            ids << q.value(0).toString();
    }
    QSqlDatabase::removeDatabase(u"ids"_s);
    return ids;
}

/// Writes vectors.idx for these ids in pieces (never the whole text in memory), then renames it into place.
void writeVectors(const QString& path, const QStringList& ids, int dims)
{
    writeFileAtomically(path, [&](const ByteSink& write) {
        QByteArray piece;
        piece.reserve(8 << 20);
        piece.append("{\"dimensions\":").append(QByteArray::number(dims)).append(",\"vectors\":{");
        QRandomGenerator random(2026);
        std::vector<float> v(static_cast<size_t>(dims));
        char number[32];
        for (qsizetype i = 0; i < ids.size(); ++i) {
            double norm = 0;
            for (float& x : v) {
                x = float(random.generateDouble() * 2.0 - 1.0);
                norm += double(x) * double(x);
            }
            norm = std::sqrt(norm);
            if (i)
                piece.append(',');
            piece.append('"').append(ids[i].toUtf8()).append("\":[");
            for (int d = 0; d < dims; ++d) {
                if (d)
                    piece.append(',');
                const float x = float(double(v[size_t(d)]) / norm); // unit length, like all-MiniLM-L6-v2's output
                piece.append(number, std::to_chars(number, number + sizeof number, x).ptr - number);
            }
            piece.append(']');
            if (piece.size() > (7 << 20)) {
                write(piece);
                piece.clear();
            }
        }
        piece.append("}}");
        write(piece);
    });
}

/// The child: one search, its time on standard output.
int measure(const QString& folder, const QString& id)
{
    auto store = openStore(u"sqlite:"_s + folder + u"/index.db"_s, readOnlyOptions());
    QElapsedTimer timer;
    timer.start();
    const SimilarMemories found = similarMemories(*store, id, 10);
    const double ms = double(timer.nsecsElapsed()) / 1e6;
    out() << "similar " << QString::number(ms, 'f', 0) << " ms, " << found.compared << " compared, nearest "
          << found.nearest.value(0).id << " " << QString::number(found.nearest.value(0).similarity, 'f', 4) << ", peak "
          << residentKiB("VmHWM:") << " KiB" << Qt::endl;
    return 0;
}

/// The baseline child: the file's bytes read in 4 MiB pieces, nothing parsed.
int readOnly(const QString& folder)
{
    QFile file(folder + u"/vectors.idx"_s);
    if (!file.open(QIODevice::ReadOnly))
        return 1;
    QByteArray buffer(4 << 20, Qt::Uninitialized);
    qint64 total = 0;
    for (qint64 n; (n = file.read(buffer.data(), buffer.size())) > 0;)
        total += n;
    out() << total << " bytes, peak " << residentKiB("VmHWM:") << " KiB" << Qt::endl;
    return 0;
}

QString loadAverage()
{
    QFile f(u"/proc/loadavg"_s);
    return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll()).section(u' ', 0, 2) : QString();
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Similar memories over a vectors.idx of N × 384 floats."_s);
    parser.addHelpOption();
    QCommandLineOption countOption(u"count"_s, u"Memories and vectors."_s, u"N"_s, u"1000000"_s);
    QCommandLineOption dimsOption(u"dims"_s, u"Dimensions."_s, u"D"_s, u"384"_s);
    QCommandLineOption roundsOption(u"rounds"_s, u"Rounds (median printed)."_s, u"R"_s, u"3"_s);
    QCommandLineOption folderOption(u"folder"_s, u"The data folder (made on first use)."_s, u"DIR"_s);
    QCommandLineOption measureOption(u"measure"_s, u"(internal) one search for this id."_s, u"ID"_s);
    QCommandLineOption readOption(u"read-only"_s, u"(internal) the baseline: read the file."_s);
    parser.addOptions({countOption, dimsOption, roundsOption, folderOption, measureOption, readOption});
    parser.process(app);
    const int count = qMax(100, parser.value(countOption).toInt());
    const int dims = qMax(1, parser.value(dimsOption).toInt());
    const QString folder = parser.isSet(folderOption) ? parser.value(folderOption)
                                                      : kBenchDir + u"/similar-%1x%2"_s.arg(count).arg(dims);
    if (parser.isSet(measureOption))
        return measure(folder, parser.value(measureOption));
    if (parser.isSet(readOption))
        return readOnly(folder);

    QDir().mkpath(folder);
    const QString index = folder + u"/index.db"_s;
    if (!QFileInfo::exists(index)) {
        const QString shared = kBenchDir + u"/sqlite-1000000.db"_s;
        if (count == 1000000 && QFileInfo::exists(shared)) {
            // a copy of its own beside the vectors (the shared store stays as it is): one file, its WAL folded in
            out() << "copying " << shared << " to " << index << Qt::endl;
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"copy"_s);
                db.setDatabaseName(shared);
                db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
                if (!db.open() || !QSqlQuery(db).exec(u"VACUUM INTO "_s + quoted(index)))
                    qFatal("cannot copy %s", qPrintable(shared));
            }
            QSqlDatabase::removeDatabase(u"copy"_s);
        } else {
            out() << "writing " << count << " memories to " << index << Qt::endl;
            Fixtures::writeSqliteStore(index, Fixtures::SqliteLayout::Head,
                                       Fixtures::GeneratorOptions::benchmark(count));
        }
    }
    const QString vectors = folder + u"/vectors.idx"_s;
    const QStringList ids = memoryIds(index, count);
    if (ids.size() < 2)
        qFatal("%s has too few memories", qPrintable(index));
    if (!QFileInfo::exists(vectors)) {
        out() << "writing " << ids.size() << " × " << dims << " vectors to " << vectors << Qt::endl;
        const double ms = timeMs([&] { writeVectors(vectors, ids, dims); });
        out() << "  written in " << QString::number(ms / 1000, 'f', 1) << " s" << Qt::endl;
    }
    const QString query = ids.at(ids.size() / 2); // its own vector is found halfway through the file
    out() << vectors << ": " << QString::number(double(QFileInfo(vectors).size()) / (1 << 30), 'f', 2) << " GiB, "
          << ids.size() << " vectors of " << dims << "; query " << query << " (halfway through the file)" << Qt::endl;
    out() << "load average before: " << loadAverage() << Qt::endl;

    const QString self = QCoreApplication::applicationFilePath();
    const int rounds = qMax(1, parser.value(roundsOption).toInt());
    QList<double> similar, reads, similarCpu, readCpu;
    qint64 peak = 0;
    qint64 readPeak = 0;
    const QString log = folder + u"/last-run.txt"_s;
    const QString readLog = folder + u"/last-read.txt"_s;
    // the children's own high-water mark (wait4's ru_maxrss of a spawned child starts from this process's, which
    // holds a million ids)
    const auto reportedPeak = [](const QString& path) -> qint64 {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return 0;
        const QByteArray text = f.readAll();
        const qsizetype at = text.lastIndexOf("peak ");
        return at < 0 ? 0 : text.mid(at + 5).split(' ').value(0).toLongLong();
    };
    for (int r = 0; r < rounds; ++r) {
        // A B A B: the search, then the plain read, so both see the same machine
        const ProcessRun a = runProcess({self, u"--folder"_s, folder, u"--measure"_s, query}, log);
        const ProcessRun b = runProcess({self, u"--folder"_s, folder, u"--read-only"_s}, readLog);
        similar << a.ms;
        reads << b.ms;
        similarCpu << a.cpuMs;
        readCpu << b.cpuMs;
        peak = std::max(peak, reportedPeak(log));
        readPeak = std::max(readPeak, reportedPeak(readLog));
    }
    QFile result(log);
    if (result.open(QIODevice::ReadOnly))
        out() << "last search: " << result.readAll().trimmed() << Qt::endl;
    out() << "median of " << rounds << " rounds, whole processes (start-up and opening the store included)" << Qt::endl;
    header(u"read file"_s);
    row(u"similar memories (10 nearest, cosine)"_s, median(similar), median(reads));
    out() << "CPU time (user + system), medians: search " << QString::number(median(similarCpu), 'f', 0)
          << " ms, plain read " << QString::number(median(readCpu), 'f', 0) << " ms" << Qt::endl;
    out() << "peak resident memory: search " << QString::number(peak / 1024.0, 'f', 1) << " MiB, plain read "
          << QString::number(readPeak / 1024.0, 'f', 1) << " MiB" << Qt::endl;
    out() << "load average after: " << loadAverage() << Qt::endl;
    return 0;
}
