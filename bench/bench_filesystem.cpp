// SPDX-License-Identifier: MIT
// Reads of a subcog folder store of many files through the inspector's backend: opening (the index is built
// then), listing, pages and getBatch(1000). Beside it, `cat` of the same 1,000 files as the raw-read yardstick.
// First the figures issue 17 bounds: open → first rows (the open, then the first 200-row page with content, as the
// window asks for it) and the process's peak resident memory by then. `--open-only` stops after them, so a
// whole-process timer can pair two builds run after run.
#include "benchutil.h"
#include "filesystem/filesystembackend.h"
#include "fixturegenerator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStandardPaths>

#include <sys/resource.h>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Bench;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Folder store read benchmark."_s);
    parser.addHelpOption();
    QCommandLineOption countOption(u"count"_s, u"Memory files in the generated folder."_s, u"N"_s, u"100000"_s);
    QCommandLineOption roundsOption(u"rounds"_s, u"Repetitions (median printed)."_s, u"R"_s, u"7"_s);
    QCommandLineOption folderOption(u"folder"_s, u"Folder (generated when missing)."_s, u"DIR"_s);
    QCommandLineOption openOnlyOption(u"open-only"_s, u"Only open → first rows and the peak memory, once."_s);
    parser.addOptions({countOption, roundsOption, folderOption, openOnlyOption});
    parser.process(app);
    const int count = parser.value(countOption).toInt();
    const int rounds = qMax(1, parser.value(roundsOption).toInt());
    QString folder = parser.value(folderOption);
    if (folder.isEmpty())
        folder = QDir::tempPath() + u"/subcog-inspector-bench/folder-"_s + QString::number(count);
    if (!QFileInfo::exists(folder)) {
        out() << "generating " << count << " memory files into " << folder << " …" << Qt::endl;
        Fixtures::GeneratorOptions options;
        options.count = count;
        options.anomalies = false;
        options.lightContent = true;
        options.keepTruth = false;
        const double ms = timeMs([&] { Fixtures::writeFolderStore(folder, options); });
        out() << "generated in " << QString::number(ms / 1000, 'f', 1) << " s" << Qt::endl;
    }
    std::unique_ptr<FilesystemBackend> backend;
    // issue 17's bounds for a folder of 100,000 files
    constexpr double kOpenBoundMs = 1000;
    constexpr double kPeakBoundMiB = 80;
    QList<double> firstRowsTimes;
    qint64 peakKiB = -1;
    for (int r = 0; r < (parser.isSet(openOnlyOption) ? 1 : qMin(rounds, 3)); ++r) {
        backend.reset();
        firstRowsTimes << timeMs([&] {
            backend = FilesystemBackend::open(folder);
            MemoryQuery first; // the window's first page: 200 rows with content, newest first
            if (backend->query(first).memories.isEmpty() && backend->count() > 0)
                qFatal("no first rows");
        });
        if (r == 0)
            peakKiB = residentKiB("VmHWM:");
    }
    const double peakMiB = double(peakKiB) / 1024;
    out() << "open → first rows (200 with content): " << QString::number(median(firstRowsTimes), 'f', 1)
          << " ms (bound " << kOpenBoundMs << " ms: " << (median(firstRowsTimes) <= kOpenBoundMs ? "within" : "OVER")
          << "); peak resident memory by then: " << QString::number(peakMiB, 'f', 1) << " MiB (bound " << kPeakBoundMiB
          << " MiB: " << (peakMiB <= kPeakBoundMiB ? "within" : "OVER") << ")" << Qt::endl;
    if (parser.isSet(openOnlyOption))
        return 0;
    QList<double> openTimes;
    for (int r = 0; r < qMin(rounds, 3); ++r) {
        backend.reset();
        openTimes << timeMs([&] { backend = FilesystemBackend::open(folder); });
    }
    QStringList ids;
    QList<double> listTimes;
    for (int r = 0; r < rounds; ++r)
        listTimes << timeMs([&] { ids = backend->listIds(); });
    QList<double> refreshTimes;
    for (int r = 0; r < rounds; ++r)
        refreshTimes << timeMs([&] { backend->refresh(); });
    out() << "files: " << ids.size()
          << "; open (scan and index every file): " << QString::number(median(openTimes), 'f', 1)
          << " ms; refresh with nothing changed: " << QString::number(median(refreshTimes), 'f', 1) << " ms" << Qt::endl
          << Qt::endl;

    const QString cat = QStandardPaths::findExecutable(u"cat"_s);
    QTemporaryDir scratch;
    QRandomGenerator random(99);
    QList<double> batchOurs, batchCat, firstOurs, lastOurs, filterOurs, sortOurs;
    for (int r = 0; r < rounds; ++r) {
        QStringList sample;
        QStringList files;
        for (int i = 0; i < 1000; ++i) {
            const QString id = ids[random.bounded(qsizetype(ids.size()))];
            sample << id;
            files << folder + u'/' + id + u".json"_s;
        }
        batchOurs << timeMs([&] { backend->getBatch(sample); });
        batchCat << processMs(cat, files, writeScript(scratch, u"empty"_s, QString()));
        MemoryQuery first;
        firstOurs << timeMs([&] { backend->query(first); });
        MemoryQuery last;
        last.fromEnd = true;
        lastOurs << timeMs([&] { backend->query(last); });
        MemoryQuery filtered; // a new filter: the order is computed again
        filtered.filter.namespaces = {Namespace(r % 14)};
        filterOurs << timeMs([&] { backend->query(filtered); });
        MemoryQuery sorted;
        sorted.sortKey = r % 2 ? SortKey::Namespace : SortKey::Status;
        sorted.order = r % 3 ? Qt::AscendingOrder : Qt::DescendingOrder;
        sortOurs << timeMs([&] { backend->query(sorted); });
    }
    out() << "median of " << rounds << " rounds" << Qt::endl;
    header(u"cat"_s);
    row(u"getBatch(1000 random ids) vs cat of the 1000 files"_s, median(batchOurs), median(batchCat));
    out() << "list all ids (natural order): " << QString::number(median(listTimes), 'f', 2) << " ms" << Qt::endl;
    out() << "first 200-row page: " << QString::number(median(firstOurs), 'f', 2)
          << " ms; last page: " << QString::number(median(lastOurs), 'f', 2) << " ms" << Qt::endl;
    out() << "first page of a new namespace filter: " << QString::number(median(filterOurs), 'f', 2)
          << " ms; first page of a new sort: " << QString::number(median(sortOurs), 'f', 2) << " ms" << Qt::endl;
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    out() << "peak resident memory of this process: " << usage.ru_maxrss / 1024 << " MiB" << Qt::endl;
    return 0;
}
