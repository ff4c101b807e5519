// SPDX-License-Identifier: MIT
// The table model as a view drives it (headless, offscreen platform) on a large SQLite or PostgreSQL store:
// open → first page with content, jump to the last row, scroll through every page, peak memory, and the longest
// stall of the GUI thread's event loop during all of it; beside the sqlite3 / psql CLI reading the same pages.
#include "benchutil.h"
#include "fixturegenerator.h"
#include "memorytablemodel.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "sqlite/sqlitebackend.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QStandardPaths>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Bench;

namespace {

/// Largest gap between ticks of a fast timer on the GUI thread, minus its interval: how long the event loop stalled.
class StallMonitor
{
public:
    StallMonitor()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(kIntervalMs);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const double now = double(m_clock.nsecsElapsed()) / 1e6;
            if (m_last >= 0)
                m_worst = std::max(m_worst, now - m_last - kIntervalMs);
            m_last = now;
        });
        m_clock.start();
        m_timer.start();
    }
    double worstMs() const { return std::max(0.0, m_worst); }

private:
    static constexpr int kIntervalMs = 2;
    QTimer m_timer;
    QElapsedTimer m_clock;
    double m_last = -1;
    double m_worst = 0;
};

/// Runs the event loop until `done` holds; the GUI thread never blocks on the store.
template<typename F>
void spinUntil(F&& done)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
        if (timer.elapsed() > 600000)
            qFatal("timed out waiting for the model");
    }
}

/// What a view does for the rows it shows: the cells of every column.
void touchRows(MemoryTableModel& model, int first, int last)
{
    for (int r = first; r <= last; ++r) {
        for (int c = 0; c < model.columnCount(); ++c)
            model.data(model.index(r, c));
    }
}

bool loaded(MemoryTableModel& model, int row)
{
    return model.loadState(row) == MemoryTableModel::LoadState::Loaded
        && !model.data(model.index(row, int(MemoryColumn::Content))).toString().isEmpty();
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Table model benchmark: what a view sees, beside the sqlite3 / psql CLI."_s);
    parser.addHelpOption();
    QCommandLineOption backendOption(u"backend"_s, u"sqlite or postgres."_s, u"KIND"_s, u"sqlite"_s);
    QCommandLineOption countOption(u"count"_s, u"Memories in the generated store."_s, u"N"_s, u"1000000"_s);
    QCommandLineOption storeOption(u"store"_s, u"SQLite store file (generated when missing)."_s, u"PATH"_s);
    QCommandLineOption dirOption(u"server-dir"_s, u"Keep the private PostgreSQL server here between runs."_s, u"DIR"_s);
    QCommandLineOption roundsOption(u"rounds"_s, u"Repetitions of the open and jump measurements."_s, u"R"_s, u"5"_s);
    QCommandLineOption pageOption(u"page"_s, u"Rows per page."_s, u"ROWS"_s, u"200"_s);
    parser.addOptions({backendOption, countOption, storeOption, dirOption, roundsOption, pageOption});
    parser.process(app);
    const bool postgres = parser.value(backendOption) == "postgres"_L1;
    const int count = parser.value(countOption).toInt();
    const int rounds = qMax(1, parser.value(roundsOption).toInt());
    const int pageSize = parser.value(pageOption).toInt();

    QString cli;
    QStringList cliArgs;
    BackendClient::Factory factory;
    std::unique_ptr<Testing::PostgresServer> server;
    QString orderBy = u"created_at DESC, id ASC"_s;
    QString reverseOrderBy = u"created_at ASC, id DESC"_s;
    QString metaColumns = u"id, namespace, domain, project_id, branch, file_path, status, created_at, tags, source, "
                          "tombstoned_at, expires_at, is_summary, source_memory_ids, consolidation_timestamp"_s;
    auto options = Fixtures::GeneratorOptions::benchmark(count);
    if (!postgres) {
        cli = QStandardPaths::findExecutable(u"sqlite3"_s);
        if (cli.isEmpty())
            qFatal("the sqlite3 CLI is needed as the yardstick (apt-get install sqlite3)");
        QString path = parser.value(storeOption);
        if (path.isEmpty())
            path = QDir::tempPath() + u"/subcog-inspector-bench/sqlite-"_s + QString::number(count) + u".db"_s;
        if (!QFileInfo::exists(path)) {
            QDir().mkpath(QFileInfo(path).absolutePath());
            out() << "generating " << count << " memories into " << path << " …" << Qt::endl;
            options.pendingWal = false;
            Fixtures::writeSqliteStore(path, Fixtures::SqliteLayout::Head, options);
        }
        out() << "store: " << path << " (" << QFileInfo(path).size() / (1024 * 1024) << " MiB)" << Qt::endl;
        cliArgs = {u"-readonly"_s, path};
        factory = [path] {
            return std::unique_ptr<PersistenceBackend>(SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly));
        };
    } else {
        cli = QStandardPaths::findExecutable(u"psql"_s);
        if (cli.isEmpty())
            qFatal("psql is needed as the yardstick (apt-get install postgresql-client-15)");
        server = Testing::PostgresServer::startPrivate(parser.value(dirOption));
        const QString database = u"bench_"_s + QString::number(count);
        if (server->runSql(u"postgres"_s, u"SELECT count(*) FROM pg_database WHERE datname = '"_s + database + u"'"_s)
                .trimmed()
            != "1"_L1) {
            QTemporaryDir scratch;
            const QString sql = scratch.filePath(u"store.sql"_s);
            out() << "generating and loading " << count << " memories into PostgreSQL …" << Qt::endl;
            Fixtures::writePostgresSql(sql, Fixtures::PostgresLayout::Head, options);
            server->runSql(u"postgres"_s, u"CREATE DATABASE "_s + database);
            server->runSqlFile(database, sql);
        }
        const QString url = server->url(database);
        cliArgs = {u"-X"_s, u"-q"_s, u"-A"_s, u"-t"_s, url};
        orderBy = u"created_at DESC, id COLLATE \"C\" ASC"_s;
        reverseOrderBy = u"created_at ASC, id COLLATE \"C\" DESC"_s;
        metaColumns = u"id, namespace, domain, project_id, branch, file_path, status, tags, created_at, updated_at, "
                      "source, tombstoned_at, expires_at, is_summary, source_memory_ids, consolidation_timestamp"_s;
        factory = [url] {
            PostgresBackend::Options o;
            o.readOnly = true;
            return std::unique_ptr<PersistenceBackend>(PostgresBackend::open(url, o));
        };
    }

    StallMonitor stalls;
    QList<double> firstPage, lastRow;
    qint64 total = 0;
    for (int r = 0; r < rounds; ++r) {
        MemoryTableModel model;
        model.setChangeCheckInterval(0);
        model.setPageSize(pageSize);
        firstPage << timeMs([&] {
            model.openStore(factory);
            spinUntil([&] { return model.rowCount() > 0 && loaded(model, 0); });
        });
        // the count reaches the rows in steps (MemoryTableModel::setRowsPerStep): the last row exists once all came
        spinUntil([&] { return model.exactCount().has_value() && model.rowCount() == *model.exactCount(); });
        total = *model.exactCount();
        const int last = int(total - 1);
        lastRow << timeMs([&] {
            model.data(model.index(last, int(MemoryColumn::Content)));
            spinUntil([&] { return loaded(model, last); });
        });
        touchRows(model, qMax(0, last - 40), last);
    }

    // every page in order, as a view scrolled to the bottom would ask for them
    MemoryTableModel model;
    model.setChangeCheckInterval(0);
    model.setPageSize(pageSize);
    model.openStore(factory);
    spinUntil(
        [&] { return model.exactCount().has_value() && model.rowCount() == *model.exactCount() && loaded(model, 0); });
    const double scroll = timeMs([&] {
        for (qint64 first = 0; first < total; first += pageSize) {
            const int row = int(first);
            model.data(model.index(row, int(MemoryColumn::Content)));
            spinUntil([&] { return loaded(model, row); });
            touchRows(model, row, int(qMin<qint64>(total - 1, first + 40)));
        }
    });
    const qint64 peakKiB = residentKiB("VmHWM:");
    const qint64 nowKiB = residentKiB("VmRSS:");
    const qsizetype cached = model.cachedRows();

    // the raw engine, whole process, for the same pages of metadata
    QTemporaryDir scripts;
    const QString firstScript = writeScript(scripts, u"first.sql"_s,
                                            u"SELECT "_s + metaColumns + u" FROM memories ORDER BY "_s + orderBy
                                                + u" LIMIT "_s + QString::number(pageSize) + u";\n"_s);
    const QString lastScript = writeScript(scripts, u"last.sql"_s,
                                           u"SELECT "_s + metaColumns + u" FROM memories ORDER BY "_s + reverseOrderBy
                                               + u" LIMIT "_s + QString::number(pageSize) + u";\n"_s);
    const QString allScript = writeScript(
        scripts, u"all.sql"_s, u"SELECT "_s + metaColumns + u" FROM memories ORDER BY "_s + orderBy + u";\n"_s);
    QList<double> firstCli, lastCli;
    for (int r = 0; r < rounds; ++r) {
        firstCli << processMs(cli, cliArgs, firstScript);
        lastCli << processMs(cli, cliArgs, lastScript);
    }
    const double allCli = processMs(cli, cliArgs, allScript);

    const QString name = postgres ? u"psql"_s : u"sqlite3"_s;
    out() << Qt::endl
          << total << " memories, " << pageSize << "-row pages; median of " << rounds
          << " rounds; ours from openStore() in the GUI thread's event loop, " << name
          << " as a whole process (metadata only)" << Qt::endl;
    header(name);
    row(u"open → first page with content in the model"_s, median(firstPage), median(firstCli), 10 * median(firstCli));
    row(u"jump to the last row, loaded (CLI: far-end page)"_s, median(lastRow), median(lastCli), 10 * median(lastCli));
    row(u"scroll through every page (CLI: one ordered read)"_s, scroll, allCli);
    out() << Qt::endl
          << "peak resident memory after the full scroll: " << QString::number(peakKiB / 1024.0, 'f', 1) << " MiB (now "
          << QString::number(nowKiB / 1024.0, 'f', 1) << " MiB, " << cached
          << " rows cached; bound 100 MiB: " << (peakKiB <= 100 * 1024 ? "within" : "OVER") << ")" << Qt::endl
          << "longest stall of the GUI event loop during all of it: " << QString::number(stalls.worstMs(), 'f', 1)
          << " ms (bound 50 ms: " << (stalls.worstMs() <= 50 ? "within" : "OVER") << ")" << Qt::endl;
    return 0;
}
