// SPDX-License-Identifier: MIT
// Writes subcog stores from the fixture generator's seeded stream, with their ground truth.
#include "fixturegenerator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTextStream>

#include <exception>

using namespace Qt::StringLiterals;
using namespace Inspector::Fixtures;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Writes subcog SQLite stores in every historical layout, with ground truth."_s);
    parser.addHelpOption();
    QCommandLineOption layoutOption(u"layout"_s, u"Layout: head, v0.1, …, or all (OUT is then a folder)."_s, u"NAME"_s,
                                    u"head"_s);
    QCommandLineOption countOption(u"count"_s, u"Memories to write."_s, u"N"_s, u"300"_s);
    QCommandLineOption seedOption(u"seed"_s, u"Seed of the stream."_s, u"SEED"_s, u"1"_s);
    QCommandLineOption plainOption(u"no-anomalies"_s, u"Leave out the broken and legacy rows."_s);
    QCommandLineOption lightOption(u"light"_s, u"Short texts only (benchmark stores)."_s);
    QCommandLineOption truthOption(u"truth"_s, u"Write the ground truth as JSON Lines to FILE."_s, u"FILE"_s);
    parser.addOptions({layoutOption, countOption, seedOption, plainOption, lightOption, truthOption});
    parser.addPositionalArgument(u"OUT"_s, u"The store file (or folder with --layout all)."_s);
    parser.process(app);
    QTextStream err(stderr);
    if (parser.positionalArguments().size() != 1)
        parser.showHelp(2);
    GeneratorOptions options;
    options.count = parser.value(countOption).toInt();
    options.seed = parser.value(seedOption).toULongLong();
    options.anomalies = !parser.isSet(plainOption);
    options.lightContent = parser.isSet(lightOption);
    if (options.lightContent) {
        options.largeMemories = 0;
        options.pendingWal = false;
    }
    const QString out = parser.positionalArguments().first();
    try {
        QList<SqliteLayout> layouts;
        for (SqliteLayout layout : allSqliteLayouts()) {
            if (parser.value(layoutOption) == "all"_L1 || parser.value(layoutOption) == layoutName(layout))
                layouts << layout;
        }
        if (layouts.isEmpty()) {
            err << "unknown layout " << parser.value(layoutOption) << Qt::endl;
            return 2;
        }
        for (SqliteLayout layout : layouts) {
            QElapsedTimer timer;
            timer.start();
            const bool all = layouts.size() > 1;
            const QString path = all ? QDir(out).filePath(layoutName(layout) + u".db"_s) : out;
            const GeneratedStore store = writeSqliteStore(path, layout, options);
            const QString truth = all ? path + u".truth.jsonl"_s : parser.value(truthOption);
            if (!truth.isEmpty())
                writeTruthFile(truth, store.truth);
            err << path << ": " << store.rowCount << " rows, " << store.truth.size() << " memories, "
                << store.undecodableIds.size() << " undecodable, " << store.orphanFtsIds.size() << " orphaned, "
                << timer.elapsed() << " ms" << Qt::endl;
        }
    } catch (const std::exception& e) {
        err << "inspector-fixtures: " << e.what() << Qt::endl;
        return 1;
    }
    return 0;
}
