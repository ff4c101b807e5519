// SPDX-License-Identifier: MIT
// Tools ▸ Find Duplicates' scan (findDuplicates()) over a whole store, as one process: prints what it read and
// found and how long it took. `--match scan` only streams the live memories with their content, the floor the
// other matches add their hashing (and for `similar` the candidates' second read) to. Run it as a whole process
// (e.g. /usr/bin/time -v) for the peak resident memory; the store is opened read-only.
//   bench_duplicates --store sqlite:/tmp/subcog-inspector-bench/sqlite-1000000.db --match same|words|similar|scan
#include "duplicates.h"
#include "storageerror.h"
#include "storeopener.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>

using namespace Qt::StringLiterals;
using namespace Inspector;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({u"store"_s, u"the store's spec (kind:location)"_s, u"spec"_s});
    parser.addOption({u"match"_s, u"same, words, similar or scan"_s, u"match"_s, u"same"_s});
    parser.addOption({u"threshold"_s, u"similar: the least word-set similarity"_s, u"fraction"_s, u"0.8"_s});
    parser.process(app);
    QTextStream out(stdout);
    try {
        OpenOptions options;
        options.readOnly = true;
        auto store = openStore(parser.value(u"store"_s), options);
        const QString match = parser.value(u"match"_s);
        QElapsedTimer timer;
        timer.start();
        if (match == "scan"_L1) {
            MemoryQuery query;
            query.filter.tombstones = TombstoneFilter::Exclude;
            query.order = Qt::AscendingOrder;
            qint64 read = 0, bytes = 0;
            store->scan(
                query,
                [&](QList<Memory>& memories, QList<RecordIssue>&) {
                    read += memories.size();
                    for (const Memory& m : std::as_const(memories))
                        bytes += m.content.size();
                    return true;
                },
                1000);
            out << "scan: " << read << " memories, " << bytes << " characters, " << timer.elapsed() << " ms\n";
            return 0;
        }
        DuplicateScanOptions o;
        o.match = match == "words"_L1 ? DuplicateMatch::SameWords
            : match == "similar"_L1   ? DuplicateMatch::Similar
                                      : DuplicateMatch::SameContent;
        o.threshold = parser.value(u"threshold"_s).toDouble();
        const DuplicateScan scan = findDuplicates(*store, o, {});
        qint64 members = 0;
        for (const DuplicateGroup& g : scan.groups)
            members += g.ids.size();
        out << match << ": " << scan.scanned << " read, " << scan.live << " live, " << scan.groups.size()
            << " groups of " << members << " memories, " << scan.candidates << " candidate pairs, " << timer.elapsed()
            << " ms\n";
    } catch (const StorageError& e) {
        QTextStream(stderr) << e.message() << '\n';
        return 1;
    }
    return 0;
}
