// SPDX-License-Identifier: MIT
// Reads of subcog's SQLite store through the inspector's backend, beside the sqlite3 CLI doing the same reads
// in the same run. Prints figures; judges nothing.
#include "benchutil.h"
#include "fixturegenerator.h"
#include "sqlite/sqlitebackend.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextStream>

#include <sys/resource.h>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {

using namespace Bench;

double cliMs(const QString& sqlite3, const QString& db, const QString& script)
{
    return processMs(sqlite3, {u"-readonly"_s, db}, script);
}

const QString kMetaColumns = u"id, namespace, domain, project_id, branch, file_path, status, created_at, tags, source, "
                             "tombstoned_at, expires_at, is_summary, source_memory_ids, consolidation_timestamp"_s;

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"SQLite read benchmark: the inspector's backend beside the sqlite3 CLI."_s);
    parser.addHelpOption();
    QCommandLineOption countOption(u"count"_s, u"Memories in the generated store."_s, u"N"_s, u"1000000"_s);
    QCommandLineOption storeOption(u"store"_s, u"Store file (generated when missing)."_s, u"PATH"_s);
    QCommandLineOption roundsOption(u"rounds"_s, u"Repetitions of each measurement (median printed)."_s, u"R"_s,
                                    u"7"_s);
    QCommandLineOption shuffledOption(u"shuffled"_s,
                                      u"Generate the FTS rows in another order than the memories rows (the rowid "
                                      "offset then never holds)."_s);
    parser.addOptions({countOption, storeOption, roundsOption, shuffledOption});
    parser.process(app);
    const int count = parser.value(countOption).toInt();
    const int rounds = qMax(1, parser.value(roundsOption).toInt());
    QString path = parser.value(storeOption);
    if (path.isEmpty())
        path = QDir::tempPath() + u"/subcog-inspector-bench/sqlite-"_s + QString::number(count)
            + (parser.isSet(shuffledOption) ? u"-shuffled"_s : QString()) + u".db"_s;
    const QString sqlite3 = QStandardPaths::findExecutable(u"sqlite3"_s);
    if (sqlite3.isEmpty())
        qFatal("the sqlite3 CLI is needed as the yardstick (apt-get install sqlite3)");

    if (!QFileInfo::exists(path)) {
        out() << "generating " << count << " memories into " << path << " …" << Qt::endl;
        auto options = Fixtures::GeneratorOptions::benchmark(count);
        options.shuffledFullText = parser.isSet(shuffledOption);
        options.pendingWal = false;
        const double ms = timeMs([&] { Fixtures::writeSqliteStore(path, Fixtures::SqliteLayout::Head, options); });
        out() << "generated in " << QString::number(ms / 1000, 'f', 1) << " s" << Qt::endl;
    }
    out() << "store: " << path << " (" << QFileInfo(path).size() / (1024 * 1024) << " MiB)" << Qt::endl;

    std::unique_ptr<SqliteBackend> backend;
    QList<double> openTimes;
    for (int r = 0; r < rounds; ++r) {
        backend.reset();
        openTimes << timeMs([&] { backend = SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly); });
    }
    // from opening to the first page with content, as a viewer would see it (one cold run)
    backend.reset();
    const double openToFirstPage = timeMs([&] {
        backend = SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly);
        backend->query(MemoryQuery {});
    });
    // the first batch after opening: pays for the id table when FTS rowids do not follow the memories rowids
    QStringList probe;
    {
        MemoryQuery spread;
        spread.withContent = false;
        spread.limit = 1000;
        spread.sortKey = SortKey::Id;
        for (const Memory& m : backend->query(spread).memories)
            probe << m.id;
    }
    const double firstBatch = timeMs([&] { backend->getBatch(probe); });
    const qint64 total = backend->count();
    QStringList ids;
    const double listMs = timeMs([&] { ids = backend->listIds(); });
    out() << "memories: " << total
          << "; open (nothing is built at open): " << QString::number(median(openTimes), 'f', 2)
          << " ms; listIds of all: " << QString::number(listMs, 'f', 1) << " ms" << Qt::endl;
    out() << "open + first 200-row page with content (cold): " << QString::number(openToFirstPage, 'f', 2)
          << " ms; first getBatch(1000) after opening, id table included when it is needed: "
          << QString::number(firstBatch, 'f', 1) << " ms" << Qt::endl
          << Qt::endl;

    QTemporaryDir scripts;
    QRandomGenerator random(12345);
    QList<double> batchOurs, batchCli, firstOurs, firstCli, lastOurs, lastCli, seekOurs, seekCli;

    // The cursor of the row 200 places before the end, for a keyset seek to the far end.
    MemoryQuery tailQuery;
    tailQuery.withContent = false;
    tailQuery.fromEnd = true;
    tailQuery.limit = 201;
    const Page tail = backend->query(tailQuery);
    const Memory& pivot = tail.memories.first();
    const Cursor farCursor {pivot.createdAt, pivot.id};

    const QString firstScript
        = writeScript(scripts, u"first.sql"_s,
                      u"SELECT "_s + kMetaColumns + u" FROM memories ORDER BY created_at DESC, id ASC LIMIT 200;\n"_s);
    const QString seekScript = writeScript(scripts, u"seek.sql"_s,
                                           u"SELECT "_s + kMetaColumns + u" FROM memories WHERE created_at <= "_s
                                               + QString::number(pivot.createdAt) + u" AND (created_at < "_s
                                               + QString::number(pivot.createdAt) + u" OR id > "_s + quoted(pivot.id)
                                               + u") ORDER BY created_at DESC, id ASC LIMIT 200;\n"_s);
    const QString lastScript = writeScript(
        scripts, u"last.sql"_s,
        u"SELECT * FROM (SELECT "_s + kMetaColumns
            + u" FROM memories ORDER BY created_at ASC, id DESC LIMIT 200) ORDER BY created_at DESC, id ASC;\n"_s);

    for (int r = 0; r < rounds; ++r) {
        QStringList sample;
        QString lookups;
        for (int i = 0; i < 1000; ++i) {
            const QString id = ids[random.bounded(qsizetype(ids.size()))];
            sample << id;
            lookups += u"SELECT "_s + kMetaColumns + u" FROM memories WHERE id = "_s + quoted(id) + u";\n"_s;
        }
        const QString lookupScript = writeScript(scripts, u"lookup.sql"_s, lookups);
        QList<Memory> batch;
        batchOurs << timeMs([&] { batch = backend->getBatch(sample); });
        if (batch.isEmpty() || batch.first().content.isEmpty())
            qFatal("getBatch returned no content");
        batchCli << cliMs(sqlite3, path, lookupScript);

        MemoryQuery first;
        first.limit = 200;
        firstOurs << timeMs([&] {
            if (backend->query(first).memories.size() != 200)
                qFatal("short first page");
        });
        firstCli << cliMs(sqlite3, path, firstScript);

        MemoryQuery seek;
        seek.limit = 200;
        seek.after = farCursor;
        seekOurs << timeMs([&] {
            if (backend->query(seek).memories.size() != 200)
                qFatal("short far page");
        });
        seekCli << cliMs(sqlite3, path, seekScript);

        MemoryQuery last;
        last.limit = 200;
        last.fromEnd = true;
        lastOurs << timeMs([&] {
            if (backend->query(last).memories.size() != 200)
                qFatal("short last page");
        });
        lastCli << cliMs(sqlite3, path, lastScript);
    }

    out() << "median of " << rounds << " rounds; ours in-process, sqlite3 CLI as a whole process (metadata only)"
          << Qt::endl;
    out() << qSetFieldWidth(46) << Qt::left << "read" << qSetFieldWidth(0) << "      ours"
          << "          sqlite3"
          << "   ratio" << Qt::endl;
    const double b = median(batchCli);
    row(u"getBatch(1000 random ids) with content"_s, median(batchOurs), b, 5 * b);
    const double f = median(firstCli);
    row(u"first 200-row page with content"_s, median(firstOurs), f, qMax(5 * f, 10.0));
    const double s = median(seekCli);
    row(u"far-end 200-row page (keyset seek) w/ content"_s, median(seekOurs), s, qMax(5 * s, 10.0));
    const double l = median(lastCli);
    row(u"last 200-row page (reverse scan) w/ content"_s, median(lastOurs), l, qMax(5 * l, 10.0));

    // A full-text filter on a common word (in every memory of the generated store) and on a rare one (one memory),
    // beside the sqlite3 CLI running the plan the backend used before (`m.id IN (SELECT id … MATCH)`). The first
    // round includes what the backend learns once per data_version (match counts, duplicate FTS ids).
    if (total >= 500200) {
        const QString tombstones = u" AND (LOWER(m.status) <> 'tombstoned' AND m.tombstoned_at IS NULL)"_s;
        auto ftsScript = [&](const QString& word, const QString& tail, bool count) {
            const QString where = u" FROM memories m WHERE m.id IN (SELECT id FROM memories_fts WHERE memories_fts "
                                  "MATCH 'content:\""
                + word + u"\"')"_s + tombstones;
            QStringList columns = kMetaColumns.split(u", "_s);
            for (QString& column : columns)
                column.prepend(u"m."_s);
            const QString sql = count ? QString(u"SELECT count(*)"_s + where)
                                      : QString(u"SELECT "_s + columns.join(u", "_s) + where
                                                + u" ORDER BY m.created_at DESC, m.id ASC LIMIT 200"_s + tail);
            return writeScript(scripts, u"fts.sql"_s, sql + u";\n"_s);
        };
        struct FtsCase
        {
            QString label;
            QString word;
            qint64 skip; ///< -1: count
            double bound; ///< the issue's bound in ms; -1: as fast as the old plan in the CLI
        };
        const QList<FtsCase> cases {
            {u"FTS dense word (\"the\"): first page"_s, u"the"_s, 0, 300},
            {u"FTS dense word: count"_s, u"the"_s, -1, 1500},
            {u"FTS dense word: page at OFFSET 500,000"_s, u"the"_s, 500000, 2000},
            {u"FTS rare word (\"499999\"): first page"_s, u"499999"_s, 0, -1},
            {u"FTS rare word: count"_s, u"499999"_s, -1, -1},
        };
        out() << Qt::endl
              << "full-text filter, ours (plan chosen per query) vs the sqlite3 CLI on the old IN plan" << Qt::endl;
        for (const FtsCase& c : cases) {
            MemoryFilter filter;
            filter.words = {c.word};
            QList<double> ours, cli;
            for (int r = 0; r < rounds; ++r) {
                ours << timeMs([&] {
                    if (c.skip < 0) {
                        if (backend->count(filter) <= 0)
                            qFatal("no full-text match");
                        return;
                    }
                    MemoryQuery q;
                    q.filter = filter;
                    q.limit = 200;
                    q.skip = c.skip;
                    if (backend->query(q).memories.isEmpty())
                        qFatal("empty full-text page");
                });
                cli << cliMs(
                    sqlite3, path,
                    ftsScript(c.word, c.skip > 0 ? u" OFFSET "_s + QString::number(c.skip) : QString(), c.skip < 0));
            }
            row(c.label, median(ours), median(cli), c.bound >= 0 ? c.bound : qMax(median(cli), 10.0));
        }
    }

    // subcog's own lookup joins on the FTS id column, which scans the whole FTS table
    const QString joinScript
        = writeScript(scripts, u"join.sql"_s,
                      u"SELECT m.id, f.content FROM memories m JOIN memories_fts f ON m.id = f.id WHERE m.id = "_s
                          + quoted(ids[ids.size() / 2]) + u";\n"_s);
    const double join = cliMs(sqlite3, path, joinScript);
    out() << Qt::endl
          << "for reference, subcog's join for ONE id in the sqlite3 CLI: " << QString::number(join, 'f', 1)
          << " ms (x1000 = " << QString::number(join, 'f', 0) << " s-ish for a batch)" << Qt::endl;
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    out() << "peak resident memory of this process (store generation included): " << usage.ru_maxrss / 1024 << " MiB"
          << Qt::endl;
    return 0;
}
