// SPDX-License-Identifier: MIT
// The window on a large SQLite store, under X (Xvfb): bench/window-vs-sqlitebrowser runs it.
//
// 1. Launch to first rows on screen, the inspector beside DB Browser for SQLite (`sqlitebrowser -t memories`),
//    alternating A B A B. Both are timed the same way from outside: the process is started and the X screen is
//    grabbed in a loop until the table area holds rows of text (a window is up and the first columns have text).
// 2. Inside the inspector's window (same program, same display): Ctrl+End to the last row until it is loaded and
//    painted, and the resident memory afterwards.
#include "benchutil.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QPixmap>
#include <QScreen>
#include <QScrollBar>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QThread>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Bench;

namespace {

/// Whether the screen shows a table with rows: the region of the first columns is mostly light (a window is up)
/// and holds many dark text pixels.
bool rowsOnScreen(QScreen* screen)
{
    const QRect area = screen->geometry();
    const QRect region(area.width() * 2 / 100, area.height() * 25 / 100, area.width() * 28 / 100,
                       area.height() * 40 / 100);
    const QImage image = screen->grabWindow(0, region.x(), region.y(), region.width(), region.height())
                             .toImage()
                             .convertToFormat(QImage::Format_RGB32);
    qint64 light = 0;
    qint64 dark = 0;
    for (int y = 0; y < image.height(); y += 2) {
        const QRgb* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        for (int x = 0; x < image.width(); x += 2) {
            const int luma = qGray(line[x]);
            light += luma > 200;
            dark += luma < 110;
        }
    }
    const qint64 samples = qint64(image.width() / 2) * (image.height() / 2);
    return light > samples / 2 && dark > samples / 60;
}

bool screenIsBlank(QScreen* screen)
{
    const QImage image = screen->grabWindow(0, 0, 0, 200, 200).toImage();
    return qGray(image.pixel(100, 100)) < 10;
}

/// Launch → rows on screen, in ms; the process is stopped afterwards. `pollMs` between grabs (0: grab without a
/// pause, which keeps one core and the X server busy while the program starts).
double launchToRows(QScreen* screen, const QString& program, const QStringList& arguments,
                    const QProcessEnvironment& env, double pollMs)
{
    QElapsedTimer wait;
    wait.start();
    while (!screenIsBlank(screen) && wait.elapsed() < 10000)
        QThread::msleep(20);
    QProcess process;
    process.setProcessEnvironment(env);
    process.setStandardOutputFile(QProcess::nullDevice());
    process.setStandardErrorFile(QProcess::nullDevice());
    QElapsedTimer timer;
    timer.start();
    process.start(program, arguments);
    double ms = -1;
    while (timer.elapsed() < 60000) {
        if (rowsOnScreen(screen)) {
            ms = double(timer.nsecsElapsed()) / 1e6;
            break;
        }
        if (process.state() == QProcess::NotRunning)
            qFatal("%s exited early", qPrintable(program));
        if (pollMs > 0)
            QThread::usleep(ulong(pollMs * 1000));
    }
    process.terminate();
    if (!process.waitForFinished(5000)) {
        process.kill();
        process.waitForFinished(5000);
    }
    if (ms < 0)
        qFatal("%s never showed rows", qPrintable(program));
    return ms;
}

/// Counts paints of a widget, so a measurement ends when the rows are on screen, not only in the model.
class PaintCounter : public QObject
{
public:
    int paints = 0;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Paint)
            ++paints;
        return QObject::eventFilter(watched, event);
    }
};

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"subcog"_s);
    QCoreApplication::setApplicationName(u"subcog-inspector-bench"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"The window beside DB Browser for SQLite; run under X (Xvfb)."_s);
    parser.addHelpOption();
    QCommandLineOption storeOption(u"store"_s, u"The SQLite store."_s, u"PATH"_s);
    QCommandLineOption inspectorOption(u"inspector"_s, u"The subcog-inspector binary."_s, u"PATH"_s);
    QCommandLineOption roundsOption(u"rounds"_s, u"A/B rounds."_s, u"R"_s, u"5"_s);
    QCommandLineOption aloneOption(u"no-yardstick"_s, u"Launch the inspector alone (no sqlitebrowser at hand)."_s);
    QCommandLineOption versusOption(u"versus"_s,
                                    u"A second program launched like the inspector, alternating with it (an older "
                                    "build, or a minimal Qt table as a floor)."_s,
                                    u"PATH"_s);
    QCommandLineOption pollOption(
        u"poll-ms"_s,
        u"Pause between screen grabs while waiting for rows (default 0: grab without a pause, "
        "which keeps a core busy)."_s,
        u"MS"_s, u"0"_s);
    QCommandLineOption launchOnlyOption(u"launch-only"_s,
                                        u"Only the launch figures (not the jump inside the window)."_s);
    parser.addOptions(
        {storeOption, inspectorOption, roundsOption, aloneOption, versusOption, pollOption, launchOnlyOption});
    parser.process(app);
    const QString store = QFileInfo(parser.value(storeOption)).absoluteFilePath();
    const QString inspector = parser.value(inspectorOption);
    const int rounds = qMax(1, parser.value(roundsOption).toInt());
    const bool alone = parser.isSet(aloneOption);
    const QString versus = parser.value(versusOption);
    const bool launchOnly = parser.isSet(launchOnlyOption);
    const double pollMs = qMax(0.0, parser.value(pollOption).toDouble());
    const QString browser = QStandardPaths::findExecutable(u"sqlitebrowser"_s);
    if (!QFileInfo::exists(store) || inspector.isEmpty())
        qFatal("--store and --inspector are needed");
    if (browser.isEmpty() && !alone)
        qFatal("sqlitebrowser is needed as the yardstick (apt-get install sqlitebrowser)");
    QScreen* screen = QGuiApplication::primaryScreen();

    // each program gets a settings home of its own, kept across rounds (as a user's would be)
    QTemporaryDir homes;
    auto envWithHome = [&](const QString& name) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const QString home = homes.filePath(name);
        QDir().mkpath(home);
        env.insert(u"HOME"_s, home);
        env.insert(u"XDG_CONFIG_HOME"_s, home + u"/.config"_s);
        return env;
    };
    const QProcessEnvironment inspectorEnv = envWithHome(u"inspector"_s);
    const QProcessEnvironment browserEnv = envWithHome(u"browser"_s);
    const QStringList inspectorArgs {u"sqlite:"_s + store};
    const QStringList browserArgs {u"-R"_s, u"-t"_s, u"memories"_s, store};

    // a first launch of each, not counted: caches, first-run settings
    const QProcessEnvironment versusEnv = envWithHome(u"versus"_s);
    launchToRows(screen, inspector, inspectorArgs, inspectorEnv, pollMs);
    if (!alone)
        launchToRows(screen, browser, browserArgs, browserEnv, pollMs);
    if (!versus.isEmpty())
        launchToRows(screen, versus, inspectorArgs, versusEnv, pollMs);
    QList<double> ours, theirs, second;
    for (int r = 0; r < rounds; ++r) {
        ours << launchToRows(screen, inspector, inspectorArgs, inspectorEnv, pollMs);
        if (!alone)
            theirs << launchToRows(screen, browser, browserArgs, browserEnv, pollMs);
        if (!versus.isEmpty())
            second << launchToRows(screen, versus, inspectorArgs, versusEnv, pollMs);
    }

    // inside the window: the jump to the last row, then memory
    double inWindowFirst = 0;
    QList<double> jumps;
    qint64 rss = 0;
    qint64 peak = 0;
    qint64 rowsInStore = 0;
    if (!launchOnly) {
        QTemporaryDir settingsHome;
        qputenv("XDG_CONFIG_HOME", settingsHome.path().toUtf8());
        MainWindow window;
        window.model()->setChangeCheckInterval(0);
        window.resize(screen->geometry().size() * 9 / 10);
        window.show();
        PaintCounter painted;
        window.table()->viewport()->installEventFilter(&painted);
        QElapsedTimer timer;
        timer.start();
        window.openStore(u"sqlite:"_s + store);
        auto spinUntil = [](auto&& done) {
            QElapsedTimer t;
            t.start();
            while (!done()) {
                QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 5);
                if (t.elapsed() > 120000)
                    qFatal("timed out");
            }
        };
        auto loaded = [&](int row) {
            return window.model()->loadState(row) == MemoryTableModel::LoadState::Loaded
                && !window.model()->data(window.model()->index(row, int(MemoryColumn::Content))).toString().isEmpty();
        };
        int before = painted.paints;
        spinUntil([&] { return loaded(0) && painted.paints > before; });
        inWindowFirst = double(timer.nsecsElapsed()) / 1e6;
        spinUntil([&] { return window.model()->exactCount().has_value(); });
        QTest::qWait(200);
        for (int r = 0; r < rounds; ++r) {
            window.table()->setFocus();
            QTest::keyClick(window.table(), Qt::Key_Home, Qt::ControlModifier);
            spinUntil([&] { return loaded(window.table()->rowAt(0)); });
            QTest::qWait(100);
            // a fresh window would have nothing at the end; drop the far pages so every round reads them again
            window.model()->setCacheCapacityRows(window.model()->pageSize());
            window.model()->setCacheCapacityRows(5000);
            const int last = window.model()->rowCount() - 1;
            before = painted.paints;
            timer.restart();
            QTest::keyClick(window.table(), Qt::Key_End, Qt::ControlModifier);
            spinUntil([&] {
                return window.table()->rowAt(window.table()->viewport()->height() - 2) == last && loaded(last)
                    && painted.paints > before + 1;
            });
            jumps << double(timer.nsecsElapsed()) / 1e6;
            QTest::qWait(100);
        }
        rss = residentKiB("VmRSS:");
        peak = residentKiB("VmHWM:");
        rowsInStore = window.model()->rowCount();
    }

    const double ourMedian = median(ours);
    const double theirMedian = median(theirs);
    auto listed = [](const QList<double>& values) {
        QStringList s;
        for (double v : values)
            s << QString::number(v, 'f', 0);
        return s.join(u' ');
    };
    // the number of memories is read by the window, which --launch-only does not open
    out() << store << (launchOnly ? QString() : u" (%1 memories)"_s.arg(rowsInStore)) << ", " << rounds
          << " rounds, alternating" << Qt::endl
          << "launch → first rows on screen (timed from outside by grabbing the X screen, "
          << (pollMs > 0 ? u"%1 ms between grabs"_s.arg(pollMs) : u"no pause between grabs"_s) << "):" << Qt::endl
          << "  subcog-inspector (content column filled): " << QString::number(ourMedian, 'f', 0) << " ms  ["
          << listed(ours) << "]" << Qt::endl;
    if (!versus.isEmpty())
        out() << "  " << versus << ": " << QString::number(median(second), 'f', 0) << " ms  [" << listed(second) << "]"
              << Qt::endl;
    out() << "  sqlitebrowser -t memories:                " << QString::number(theirMedian, 'f', 0) << " ms  ["
          << listed(theirs) << "]" << Qt::endl
          << "  ratio " << (alone ? u"-"_s : QString::number(ourMedian / theirMedian, 'f', 2)) << " (bound 0.65: "
          << (alone                                 ? "not run"
                  : ourMedian <= 0.65 * theirMedian ? "within"
                                                    : "OVER")
          << ")" << Qt::endl
          << "  launch → rows with content: median " << QString::number(ourMedian, 'f', 0) << " ms, worst "
          << QString::number(*std::max_element(ours.begin(), ours.end()), 'f', 0)
          << " ms (issue 17 bound 100 ms: " << (ourMedian <= 100 ? "within" : "OVER") << ")" << Qt::endl;
    if (launchOnly)
        return 0;
    out() << "inside the window: open → first rows painted " << QString::number(inWindowFirst, 'f', 1)
          << " ms; Ctrl+End → last row loaded and painted " << QString::number(median(jumps), 'f', 1)
          << " ms median (bound 100 ms: " << (median(jumps) <= 100 ? "within" : "OVER") << ")" << Qt::endl
          << "resident memory after: " << QString::number(rss / 1024.0, 'f', 1) << " MiB, peak "
          << QString::number(peak / 1024.0, 'f', 1)
          << " MiB (bound 100 MiB: " << (peak <= 100 * 1024 ? "within" : "OVER") << ")" << Qt::endl;
    return 0;
}
