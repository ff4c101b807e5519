// SPDX-License-Identifier: MIT
// The window's worst event-loop stall during a bulk edit of a whole store (issue 16: "GUI never stalls more than
// 50 ms meanwhile"): Edit ▸ Bulk Edit… on everything the filter shows, preview, apply, undo and redo, each round
// with another project id, while the table is scrolled to another place every 150 ms as a person would. Every
// outermost GUI event is timed (stallmeter.h); the worst of each phase is printed beside the bound with what it was,
// and beside the same scrolling for 5 s with no edit running, taken in turn with the edits.
#include "bulkeditactions.h"
#include "bulkeditdialog.h"
#include "fixturegenerator.h"
#include "mainwindow.h"
#include "stallmeter.h"

#include <QAction>
#include <QCheckBox>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLineEdit>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Bench;

namespace {
constexpr double kBoundMs = 50;

TimedApplication* timedApp()
{
    return static_cast<TimedApplication*>(QCoreApplication::instance());
}

/// Runs the event loop until `done` or `timeoutMs`; false on timeout.
template<typename F>
bool waitUntil(F&& done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QTest::qWait(5);
    }
    return true;
}

struct Phase
{
    QString name;
    double ms = 0;
};
} // namespace

int main(int argc, char** argv)
{
    TimedApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"bench_bulkstall"_s);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({u"count"_s, u"memories in the generated store"_s, u"n"_s, u"100000"_s});
    parser.addOption({u"store"_s, u"SQLite file (generated when missing)"_s, u"path"_s, u"/tmp/bench-bulkstall.db"_s});
    parser.addOption({u"rounds"_s, u"edit/undo/redo rounds"_s, u"n"_s, u"2"_s});
    parser.addOption({u"timeout"_s, u"seconds to wait for each step"_s, u"s"_s, u"600"_s});
    parser.process(app);
    const int count = parser.value(u"count"_s).toInt();
    const QString path = parser.value(u"store"_s);
    const int rounds = qMax(1, parser.value(u"rounds"_s).toInt());
    const int timeoutMs = parser.value(u"timeout"_s).toInt() * 1000;
    qputenv("XDG_CONFIG_HOME", QByteArray("/tmp/bench-bulkstall-config"));

    if (!QFileInfo::exists(path)) {
        QTextStream(stdout) << "generating " << count << " memories in " << path << Qt::endl;
        Fixtures::writeSqliteStore(path, Fixtures::SqliteLayout::Head, Fixtures::GeneratorOptions::benchmark(count));
    }

    MainWindow window;
    window.model()->setChangeCheckInterval(0);
    window.resize(1366, 768);
    window.show();
    app.setPhase(u"open"_s);
    window.openStore(u"sqlite:"_s + path);
    if (!waitUntil([&] { return window.model()->isOpen() && window.model()->exactCount(); }, timeoutMs))
        qFatal("the store did not open");
    window.setEditing(true);
    if (!waitUntil([&] { return window.model()->isEditingEnabled() && window.model()->exactCount(); }, timeoutMs))
        qFatal("editing did not switch on");
    // tombstoned memories too: the edit covers every memory of the store
    for (QAction* a : window.findChildren<QAction*>()) {
        if (a->text().remove(u'&') == u"Show Tombstoned Memories"_s)
            a->setChecked(true);
    }
    if (!waitUntil([&] { return !window.model()->isBusy() && window.model()->exactCount(); }, timeoutMs))
        qFatal("the filter did not apply");
    const qint64 rows = *window.model()->exactCount();

    // a person scrolling meanwhile: the table asks for pages that wait behind the edit on the worker
    QTimer scroller;
    QRandomGenerator random(7);
    QObject::connect(&scroller, &QTimer::timeout, &window, [&] {
        QScrollBar* bar = window.table()->verticalScrollBar();
        bar->setValue(int(random.bounded(qMax(1, bar->maximum()))));
    });
    scroller.start(150);

    window.bulkEditActions()->action()->trigger();
    BulkEditDialog* dialog = window.bulkEditActions()->dialog();
    for (QCheckBox* c : dialog->findChildren<QCheckBox*>()) {
        if (c->text().remove(u'&') == u"Project"_s)
            c->setChecked(true);
    }
    QUndoStack* stack = window.model()->undoStack();
    QList<Phase> phases;
    const auto timed = [&](const QString& name, const std::function<void()>& start, const std::function<bool()>& done) {
        app.setPhase(name);
        QElapsedTimer t;
        t.start();
        start();
        if (!waitUntil(done, timeoutMs))
            qFatal("%s did not end", qPrintable(name));
        phases.append({name, double(t.nsecsElapsed()) / 1e6});
    };
    for (int round = 1; round <= rounds; ++round) {
        const QString r = QString::number(round);
        // the same scrolling with no edit running, in turn with the edits (A B A B): the stalls the window has anyway
        QElapsedTimer idle;
        timed(
            u"scroll only "_s + r, [&] { idle.start(); }, [&] { return idle.elapsed() >= 5000; });
        // a value no earlier run left in the store (it keeps the last redo's)
        dialog->findChild<QLineEdit*>(u"bulkProject"_s)
            ->setText(u"github.com/bench/bulk-%1-%2"_s.arg(QDateTime::currentMSecsSinceEpoch()).arg(r));
        timed(
            u"preview "_s + r, [&] { dialog->preview(); }, [&] { return !dialog->isBusy(); });
        if (dialog->changeCount() != rows)
            qFatal("the preview found %lld changes of %lld rows: %s", dialog->changeCount(), rows,
                   qPrintable(dialog->statusText()));
        QSignalSpy applied(dialog, &BulkEditDialog::applyFinished);
        timed(
            u"apply "_s + r, [&] { dialog->apply(); }, [&] { return !applied.isEmpty(); });
        if (applied.first().first().toLongLong() != rows)
            qFatal("apply wrote %lld of %lld: %s", applied.first().first().toLongLong(), rows,
                   qPrintable(dialog->statusText()));
        // undo and redo are jobs too; the next one waits for the model to be idle again
        QSignalSpy jobs(window.model(), &MemoryTableModel::jobFinished);
        timed(
            u"undo "_s + r, [&] { stack->undo(); }, [&] { return !jobs.isEmpty(); });
        jobs.clear();
        timed(
            u"redo "_s + r, [&] { stack->redo(); }, [&] { return !jobs.isEmpty(); });
        app.setPhase(u"settle "_s + r);
        waitUntil([&] { return !window.model()->isBusy(); }, timeoutMs);
    }
    scroller.stop();

    QTextStream outStream(stdout);
    outStream << "bulk edit of " << rows << " memories (SQLite), worst GUI event per phase (bound " << kBoundMs
              << " ms):" << Qt::endl;
    double worst = 0;
    for (const Phase& p : std::as_const(phases)) {
        const Stall s = timedApp()->stalls().count(p.name) ? timedApp()->stalls().at(p.name) : Stall {};
        if (!p.name.startsWith(u"scroll"_s))
            worst = qMax(worst, s.ms);
        outStream << QString(u"  %1  took %2 s; worst stall %3 ms (CPU %4 ms) %5: %6"_s)
                         .arg(p.name, -14)
                         .arg(p.ms / 1000, 6, 'f', 2)
                         .arg(s.ms, 6, 'f', 1)
                         .arg(s.cpuMs, 5, 'f', 1)
                         .arg(s.ms <= kBoundMs ? u"within"_s : u"OVER"_s, s.what)
                  << Qt::endl;
    }
    outStream << QString(u"worst stall during the edits: %1 ms (bound %2 ms) %3"_s)
                     .arg(worst, 0, 'f', 1)
                     .arg(kBoundMs)
                     .arg(worst <= kBoundMs ? u"within"_s : u"OVER"_s)
              << Qt::endl;
    return 0;
}
