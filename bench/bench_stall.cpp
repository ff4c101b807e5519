// SPDX-License-Identifier: MIT
// The window on a large store driven as a person drives it (issue 18 point 7): open, Ctrl+End, scrollbar drags,
// Go to ID twice, typing a word letter by letter and clearing it again. Each action is timed from the action to
// "the rows the viewport shows are loaded and painted after that", and the worker's backlog is sampled every few
// milliseconds while the action is in flight. Runs the real MainWindow in-process under X (Xvfb) or offscreen;
// bench/stall runs it on the 1,000,000-memory SQLite and PostgreSQL stores.
#include "benchpostgres.h"
#include "detailpane.h"
#include "mainwindow.h"
#include "stallmeter.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QScrollBar>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

#include <functional>
#include <map>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Bench;

namespace {

// with inspector.model.*.debug: the model's and worker's requests between the actions (see bench/stall)
Q_LOGGING_CATEGORY(lcStall, "inspector.bench.stall", QtWarningMsg)

constexpr double kBoundMs = 1000;
constexpr int kFewPages = 2;

/// Watches the table's viewport: a paint made while the action's goal holds (checked as the paint starts, so
/// the rows it draws are the loaded ones) ends the measurement.
class PaintWatch : public QObject
{
public:
    std::function<bool()> goal;
    bool reached = false;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Paint && !reached && goal && goal())
            reached = true;
        return QObject::eventFilter(watched, event);
    }
};

struct Figures
{
    QList<double> ms;
    int maxQueue = -1;
    int maxQueueAfter = -1; ///< from the final step (the release, the last key) on
    double backlogUntil = 0; ///< ms from the final step to the last sample with more than kFewPages queued
    int timeouts = 0;
    Stall stall; ///< the longest event of the GUI thread from the action's start to its rows painted
};

constexpr double kJumpBoundMs = 20;
constexpr double kStallBoundMs = 16;

TimedApplication* timedApp()
{
    return static_cast<TimedApplication*>(QCoreApplication::instance());
}

QString within(double value, double bound)
{
    return value <= bound ? u"within"_s : u"OVER"_s;
}

/// The standard output of a program reading `sql` on standard input.
/// The median; of an even number of values, the mean of the two middle ones.
double middle(QList<double> values)
{
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n == 0 ? 0 : n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

QString outputOf(const QString& program, const QStringList& arguments, const QString& sql)
{
    QProcess p;
    p.start(program, arguments);
    p.write(sql.toUtf8());
    p.closeWriteChannel();
    p.waitForFinished(-1);
    if (p.exitCode() != 0)
        qFatal("%s failed: %s", qPrintable(program), p.readAllStandardError().constData());
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

class Driver
{
public:
    Driver(double timeoutMs, std::map<QString, Figures>& figures, QStringList& order)
        : m_timeoutMs(timeoutMs)
        , m_figures(figures)
        , m_order(order)
    {
    }

    void attach(MainWindow* window)
    {
        m_window = window;
        window->table()->viewport()->installEventFilter(&m_watch);
        m_countKnown = -1;
        m_openClock.start();
        QObject::connect(window->model(), &QAbstractItemModel::modelReset, window, [this] { m_resetSeen = true; });
    }

    MemoryTableModel* model() const { return m_window->model(); }
    QTableView* table() const { return m_window->table(); }

    /// Runs the event loop for `ms`, sampling the worker's backlog.
    void pump(int ms)
    {
        QElapsedTimer t;
        t.start();
        do {
            QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 5);
            sample();
        } while (t.elapsed() < ms);
    }

    /// Starts an action: the backlog maximum restarts here (a drag or typing counts from its first move).
    void begin()
    {
        m_queueMax = -1;
        timedApp()->resetActionStall();
        sample();
    }

    /// The action's final step happened at `from`: waits for a paint while `goal` holds and records the time.
    void finish(const QString& name, const QElapsedTimer& from, std::function<bool()> goal)
    {
        qCDebug(lcStall) << "action" << name << "final step" << from.elapsed() << "ms ago";
        m_watch.goal = std::move(goal);
        m_watch.reached = false;
        m_queueAfter = -1;
        m_backlogUntil = 0;
        m_from = &from;
        // nothing may be left to paint when the goal already holds: ask for one paint, as any change would
        table()->viewport()->update();
        bool timedOut = false;
        while (!m_watch.reached) {
            // an empty result, or a count arriving after the rows, changes nothing the view would repaint for
            if (m_watch.goal())
                table()->viewport()->update();
            QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 5);
            sample();
            if (from.elapsed() > m_timeoutMs) {
                timedOut = true;
                break;
            }
        }
        const double ms = double(from.nsecsElapsed()) / 1e6;
        qCDebug(lcStall) << "action" << name << "rows painted after" << ms << "ms";
        m_watch.goal = nullptr;
        if (!m_figures.contains(name))
            m_order << name;
        Figures& f = m_figures[name];
        f.ms << ms;
        f.maxQueue = qMax(f.maxQueue, m_queueMax);
        f.maxQueueAfter = qMax(f.maxQueueAfter, m_queueAfter);
        f.backlogUntil = qMax(f.backlogUntil, m_backlogUntil);
        if (timedApp()->actionStall().ms > f.stall.ms)
            f.stall = timedApp()->actionStall();
        m_from = nullptr;
        if (timedOut) {
            ++f.timeouts;
            out() << "  " << name << ": no loaded rows painted after " << QString::number(ms / 1000, 'f', 1) << " s ("
                  << describe() << ")" << Qt::endl;
        }
    }

    /// Every row the viewport shows is loaded with its content; an empty result counts once it is counted.
    bool visibleLoaded() const
    {
        const int rows = model()->rowCount();
        if (rows == 0)
            return model()->exactCount() == 0;
        const int top = table()->rowAt(0);
        if (top < 0)
            return false;
        int bottom = table()->rowAt(table()->viewport()->height() - 1);
        if (bottom < 0)
            bottom = rows - 1;
        for (int row = top; row <= bottom; ++row) {
            if (!loaded(row))
                return false;
        }
        return true;
    }

    bool loaded(int row) const
    {
        return model()->loadState(row) == MemoryTableModel::LoadState::Loaded
            && !model()->data(model()->index(row, int(MemoryColumn::Content))).toString().isEmpty();
    }

    bool rowVisible(int row) const
    {
        const int top = table()->rowAt(0);
        int bottom = table()->rowAt(table()->viewport()->height() - 1);
        if (bottom < 0)
            bottom = model()->rowCount() - 1;
        return row >= 0 && top >= 0 && row >= top && row <= bottom;
    }

    /// What the window shows, for a report of a stall.
    QString describe() const
    {
        const int top = table()->rowAt(0);
        return u"rows %1, count %2, first visible row %3 %4, queue %5, status \"%6\""_s.arg(model()->rowCount())
            .arg(model()->exactCount() ? QString::number(*model()->exactCount()) : u"not yet"_s)
            .arg(top)
            .arg(top >= 0 ? QVariant::fromValue(model()->loadState(top)).toString() : QString())
            .arg(model()->queuedRequests())
            .arg(m_window->statusText());
    }

    bool m_resetSeen = false;
    qint64 m_countKnown = -1; ///< ms from open to the exact count, once known
    QElapsedTimer m_openClock;

private:
    void sample()
    {
        const int queued = model()->queuedRequests();
        m_queueMax = qMax(m_queueMax, queued);
        m_queueAfter = qMax(m_queueAfter, queued);
        if (m_from && queued > kFewPages)
            m_backlogUntil = double(m_from->nsecsElapsed()) / 1e6;
        if (m_countKnown < 0 && model()->exactCount())
            m_countKnown = m_openClock.elapsed();
    }

    MainWindow* m_window = nullptr;
    PaintWatch m_watch;
    double m_timeoutMs;
    int m_queueMax = -1;
    int m_queueAfter = -1;
    double m_backlogUntil = 0;
    const QElapsedTimer* m_from = nullptr;
    std::map<QString, Figures>& m_figures;
    QStringList& m_order;
};

} // namespace

int main(int argc, char** argv)
{
    TimedApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"subcog"_s);
    QCoreApplication::setApplicationName(u"subcog-inspector-bench"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"The window driven like a person on a large store: time to rows painted."_s);
    parser.addHelpOption();
    QCommandLineOption storeOption(u"store"_s, u"The store, sqlite:PATH (generated with --count when missing)."_s,
                                   u"SPEC"_s);
    QCommandLineOption postgresOption(u"postgres"_s, u"A private PostgreSQL server with a generated store."_s);
    QCommandLineOption dirOption(u"server-dir"_s, u"Keep the private server and its loaded store here."_s, u"DIR"_s);
    QCommandLineOption countOption(u"count"_s, u"Memories in a generated store."_s, u"N"_s, u"1000000"_s);
    QCommandLineOption roundsOption(u"rounds"_s, u"Repetitions (median and max printed)."_s, u"R"_s, u"3"_s);
    QCommandLineOption timeoutOption(u"timeout"_s, u"Give up on an action after this many seconds."_s, u"S"_s, u"60"_s);
    QCommandLineOption wordOption(u"word"_s, u"A common word of the content."_s, u"WORD"_s, u"measure"_s);
    QCommandLineOption pageOption(u"page-size"_s, u"Rows per page the window reads (0: the window's own)."_s, u"N"_s,
                                  u"0"_s);
    parser.addOptions(
        {storeOption, postgresOption, dirOption, countOption, roundsOption, timeoutOption, wordOption, pageOption});
    parser.process(app);
    const int rounds = qMax(1, parser.value(roundsOption).toInt());
    const int pageSize = parser.value(pageOption).toInt();
    const int count = parser.value(countOption).toInt();
    const double timeoutMs = parser.value(timeoutOption).toDouble() * 1000;
    const QString commonWord = parser.value(wordOption);

    // the store, the two far ids (rows 30 % and 70 % of the default order) and the raw engine's figures
    std::unique_ptr<Testing::PostgresServer> server;
    QString spec;
    QString engine;
    QString program;
    QStringList arguments;
    if (parser.isSet(postgresOption)) {
        program = QStandardPaths::findExecutable(u"psql"_s);
        if (program.isEmpty())
            qFatal("psql is needed as the yardstick (apt-get install postgresql-client-15)");
        server = Testing::PostgresServer::startPrivate(parser.value(dirOption));
        spec = server->url(loadGeneratedPostgresStore(*server, count));
        arguments = {u"-X"_s, u"-q"_s, u"-A"_s, u"-t"_s, spec};
        engine = u"psql"_s;
    } else {
        QString path = parser.value(storeOption);
        if (path.startsWith(u"sqlite:"_s))
            path = path.mid(7);
        if (path.isEmpty())
            qFatal("--store sqlite:PATH or --postgres is needed");
        path = QFileInfo(path).absoluteFilePath();
        if (!QFileInfo::exists(path)) {
            auto options = Fixtures::GeneratorOptions::benchmark(count);
            options.pendingWal = false;
            Fixtures::writeSqliteStore(path, Fixtures::SqliteLayout::Head, options);
        }
        program = QStandardPaths::findExecutable(u"sqlite3"_s);
        if (program.isEmpty())
            qFatal("the sqlite3 CLI is needed as the yardstick (apt-get install sqlite3)");
        spec = u"sqlite:"_s + path;
        arguments = {u"-readonly"_s, path};
        engine = u"sqlite3"_s;
    }
    const bool postgres = server != nullptr;
    const QString order
        = postgres ? u"ORDER BY created_at DESC, id COLLATE \"C\""_s : u"ORDER BY created_at DESC, id"_s;
    const qint64 total = outputOf(program, arguments, u"SELECT count(*) FROM memories;\n"_s).toLongLong();
    auto idAt = [&](qint64 row) {
        return outputOf(program, arguments,
                        u"SELECT id FROM memories WHERE tombstoned_at IS NULL AND status <> 'tombstoned' "_s + order
                            + u" LIMIT 1 OFFSET "_s + QString::number(row) + u";\n"_s);
    };
    const QStringList farIds {idAt(total * 3 / 10), idAt(total * 7 / 10)};
    const QString rareWord = QString::number(total * 42 / 100 + 1); // "Memory N about …": one memory
    QTemporaryDir scripts;
    const QString offsetScript = writeScript(scripts, u"offset.sql"_s,
                                             u"SELECT * FROM memories "_s + order + u" LIMIT 200 OFFSET "_s
                                                 + QString::number(total / 2) + u";\n"_s);
    // SQLite: the first page of the common word's matches in the default order (PostgreSQL's to_tsvector scan
    // without subcog's index says little)
    const QString wordScript
        = writeScript(scripts, u"word.sql"_s,
                      u"SELECT * FROM memories WHERE id IN (SELECT id FROM memories_fts WHERE memories_fts MATCH "_s
                          + quoted(commonWord) + u") "_s + order + u" LIMIT 200;\n"_s);
    const QString countScript = writeScript(scripts, u"count.sql"_s, u"SELECT count(*) FROM memories;\n"_s);

    QTemporaryDir settingsHome;
    qputenv("XDG_CONFIG_HOME", settingsHome.path().toUtf8());
    std::map<QString, Figures> figures;
    QStringList names;
    QList<double> countKnown, offsetCli, countCli, wordCli, signpostsDone;
    Driver driver(timeoutMs, figures, names);
    QElapsedTimer clock;
    for (int r = 0; r < rounds; ++r) {
        offsetCli << processMs(program, arguments, offsetScript);
        countCli << processMs(program, arguments, countScript);
        if (!postgres)
            wordCli << processMs(program, arguments, wordScript);

        auto window = std::make_unique<MainWindow>();
        window->model()->setChangeCheckInterval(0);
        if (pageSize > 0)
            window->model()->setPageSize(pageSize);
        window->resize(1260, 810);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get()))
            qFatal("the window was never shown");
        driver.attach(window.get());
        QTableView* table = window->table();
        QScrollBar* bar = table->verticalScrollBar();

        // 1. open: the stall counts until everything the open set off is done (count, signposts), at most 60 s
        app.setPhase(u"opening"_s);
        driver.begin();
        clock.start();
        driver.m_openClock.start();
        window->openStore(spec);
        driver.finish(u"open → first rows painted"_s, clock, [&] { return driver.visibleLoaded(); });
        QElapsedTimer settle;
        settle.start();
        while ((!window->model()->exactCount() || !window->model()->anchorsWalked()) && settle.elapsed() < 60000)
            driver.pump(5);
        signpostsDone << double(driver.m_openClock.elapsed());
        driver.pump(300);
        app.setPhase(u"browsing"_s);

        // 1b. jumps far from anything loaded: Go to row (Ctrl+G with #N) and the scrollbar moved there in one
        // step, each from the request to the rows around the target painted with their content
        table->setFocus();
        const qint64 rows = window->model()->rowCount();
        const double fractions[] {0.5, 0.3, 0.7, 0.1234, 0.8765, 0.5005};
        // Drops every loaded page, then lets the view read the rows it shows again, as a person's window has the
        // rows they look at: the jump then reads only the far rows, not also the ones it leaves.
        auto dropFarPages = [&] {
            window->model()->dropLoadedPages();
            QElapsedTimer reread;
            reread.start();
            do
                driver.pump(5);
            while ((!driver.visibleLoaded() || window->model()->isBusy()) && reread.elapsed() < 5000);
            driver.pump(100);
        };
        for (const double fraction : fractions) {
            // a fresh part of the store each time: no loaded page near it
            dropFarPages();
            const qint64 row = qint64(fraction * double(rows - 1));
            driver.begin();
            clock.start();
            window->goToRow(row);
            driver.finish(u"Ctrl+G go to row (far rows)"_s, clock, [&] {
                return table->currentIndex().row() == row && driver.rowVisible(int(row)) && driver.visibleLoaded();
            });
            driver.pump(100);
        }
        for (const double fraction : fractions) {
            dropFarPages();
            const int target = int(fraction * bar->maximum());
            driver.begin();
            bar->setSliderDown(true);
            clock.start();
            bar->setSliderPosition(target);
            driver.finish(u"scrollbar dragged far in one move"_s, clock, [&] { return driver.visibleLoaded(); });
            bar->setSliderDown(false);
            driver.pump(100);
        }

        // 2. Ctrl+End; a table without a current cell takes the first key to select its first cell, so Ctrl+Home
        // first (as bench_window does)
        table->setFocus();
        QTest::keyClick(table, Qt::Key_Home, Qt::ControlModifier);
        driver.pump(100);
        driver.begin();
        clock.start();
        QTest::keyClick(table, Qt::Key_End, Qt::ControlModifier);
        driver.finish(u"Ctrl+End"_s, clock, [&] { return bar->value() == bar->maximum() && driver.visibleLoaded(); });
        driver.pump(300);

        // 3. scrollbar drags: pressed, moved in 25 steps over 0.5 s with the events between, released
        const std::pair<double, QString> drags[] {
            {0.5, u"drag to the middle"_s},
            {0.25, u"drag to 25 %"_s},
            {0.75, u"drag to 75 %"_s},
            {0.0, u"drag to the top"_s},
        };
        for (const auto& [fraction, name] : drags) {
            driver.begin();
            const int from = bar->value();
            bar->setSliderDown(true);
            for (int step = 1; step <= 25; ++step) {
                const int to = int(fraction * bar->maximum());
                bar->setSliderPosition(from + qint64(to - from) * step / 25);
                driver.pump(20);
            }
            clock.start();
            bar->setSliderDown(false);
            driver.finish(name + u" (from release)"_s, clock, [&] { return driver.visibleLoaded(); });
            driver.pump(300);
        }

        // 4. Go to ID twice, ids far from the loaded rows
        for (int i = 0; i < farIds.size(); ++i) {
            const QString id = farIds[i];
            driver.begin();
            clock.start();
            window->goToId(id);
            driver.finish(u"Go to ID #%1 (row %2 %)"_s.arg(i + 1).arg(i == 0 ? 30 : 70), clock, [&] {
                const int row = table->currentIndex().row();
                const auto current = window->model()->memoryAt(row);
                const auto shown = window->detailPane()->memory();
                return current && current->id == id && shown && shown->id == id && driver.rowVisible(row)
                    && driver.visibleLoaded();
            });
            driver.pump(300);
        }

        // 5. a word typed letter by letter (120 ms apart), then cleared; timed from the last key
        QLineEdit* edit = window->filterEdit();
        auto typeWord = [&](const QString& word, const QString& name) {
            edit->setFocus();
            driver.begin();
            for (int i = 0; i + 1 < word.size(); ++i) {
                QTest::keyClick(edit, word[i].toLatin1());
                driver.pump(120);
            }
            driver.m_resetSeen = false;
            clock.start();
            QTest::keyClick(edit, word.back().toLatin1());
            driver.finish(name, clock, [&] { return driver.m_resetSeen && driver.visibleLoaded(); });
            driver.pump(300);
            driver.begin();
            QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
            driver.pump(60);
            driver.m_resetSeen = false;
            clock.start();
            QTest::keyClick(edit, Qt::Key_Backspace);
            driver.finish(u"clear the filter (Backspace)"_s, clock,
                          [&] { return driver.m_resetSeen && driver.visibleLoaded(); });
            driver.pump(300);
        };
        typeWord(commonWord, u"type \"%1\" (common word)"_s.arg(commonWord));
        typeWord(rareWord, u"type \"%1\" (one memory)"_s.arg(rareWord));
        typeWord(u"a"_s, u"type \"a\""_s);
        countKnown << double(driver.m_countKnown);
    }

    out() << spec.section(u'@', -1) << ": " << total << " memories, " << rounds << " rounds, window 1260x810, "
          << "far ids " << farIds.join(u", "_s) << Qt::endl
          << "action → rows the viewport shows loaded and painted; max queue = the worker's backlog sampled every "
             "≤5 ms while the action was in flight, drag or typing included"
          << Qt::endl
          << "(after) = the same from the release or the last key on; -1: not available; backlog>2 = ms from the "
             "release or last key until the backlog was 2 or less (max over rounds)"
          << Qt::endl;
    out() << qSetFieldWidth(44) << Qt::left << "action" << qSetFieldWidth(0)
          << "   median ms      max ms  max queue (after)  backlog>2   stall ms (CPU)" << Qt::endl;
    bool allWithin = true;
    for (const QString& name : std::as_const(names)) {
        const Figures& f = figures[name];
        const double max = *std::max_element(f.ms.begin(), f.ms.end());
        allWithin = allWithin && max <= kBoundMs;
        out() << qSetFieldWidth(44) << Qt::left << name << qSetFieldWidth(0)
              << QString::number(middle(f.ms), 'f', 1).rightJustified(12)
              << QString::number(max, 'f', 1).rightJustified(12) << QString::number(f.maxQueue).rightJustified(11)
              << " (" << QString::number(f.maxQueueAfter).rightJustified(3) << ")"
              << QString::number(f.backlogUntil, 'f', 0).rightJustified(11)
              << QString::number(f.stall.ms, 'f', 1).rightJustified(11) << " ("
              << QString::number(f.stall.cpuMs, 'f', 1).rightJustified(4) << ")"
              << "   (bound 1000 ms: " << (max <= kBoundMs ? "within" : "OVER") << ")";
        if (f.timeouts > 0)
            out() << " " << f.timeouts << " timed out at " << timeoutMs / 1000 << " s";
        if (f.ms.size() > 1) {
            QStringList all;
            for (double v : f.ms)
                all << QString::number(v, 'f', 0);
            out() << " [" << all.join(u' ') << "]";
        }
        out() << Qt::endl;
    }
    // the rows of issue 17's table, each beside its bound
    out() << "issue 17 bounds (all rounds):" << Qt::endl;
    for (const QString& name : {u"Ctrl+G go to row (far rows)"_s, u"scrollbar dragged far in one move"_s}) {
        const Figures& f = figures[name];
        if (f.ms.isEmpty())
            continue;
        const double max = *std::max_element(f.ms.begin(), f.ms.end());
        out() << "  jump to a far row, " << name << ": median " << QString::number(middle(f.ms), 'f', 1)
              << " ms, worst " << QString::number(max, 'f', 1) << " ms of " << f.ms.size() << " to rows painted (bound "
              << kJumpBoundMs << " ms: " << within(max, kJumpBoundMs) << ")" << Qt::endl;
    }
    for (const auto& [phase, stall] : app.stalls()) {
        if (phase == u"start"_s)
            continue;
        out() << "  worst event-loop stall while " << phase << ": " << QString::number(stall.ms, 'f', 1)
              << " ms (GUI thread CPU " << QString::number(stall.cpuMs, 'f', 1) << " ms, waiting for a core "
              << QString::number(stall.waitMs, 'f', 1) << " ms), " << stall.what << " (bound " << kStallBoundMs
              << " ms: " << within(stall.ms, kStallBoundMs) << ")" << Qt::endl;
        for (const Stall& kind : app.slowKinds(phase, 6))
            out() << "      " << QString::number(kind.ms, 'f', 1).rightJustified(7) << " ms (CPU "
                  << QString::number(kind.cpuMs, 'f', 1) << ", core wait " << QString::number(kind.waitMs, 'f', 1)
                  << ") " << kind.what << Qt::endl;
    }
    out() << "open → anchors walked through the whole order: " << QString::number(middle(signpostsDone), 'f', 0)
          << " ms median" << Qt::endl;
    out() << "open → exact count known (\"Counting…\" gone): " << QString::number(middle(countKnown), 'f', 0)
          << " ms median (-1: not within the run)" << Qt::endl
          << "raw engine, " << engine << " as a whole process: 200 rows at OFFSET " << total / 2 << " "
          << QString::number(middle(offsetCli), 'f', 1) << " ms, count(*) " << QString::number(middle(countCli), 'f', 1)
          << " ms";
    if (!postgres)
        out() << ", first 200 rows matching \"" << commonWord << "\" " << QString::number(middle(wordCli), 'f', 1)
              << " ms";
    out() << " (medians)" << Qt::endl
          << (allWithin ? "all actions within 1000 ms" : "some actions OVER 1000 ms") << Qt::endl;
    return 0;
}
