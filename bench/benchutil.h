// SPDX-License-Identifier: MIT
// Small helpers shared by the benchmark programs: timing, medians, whole-process timing, the figure table.
#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace Bench {

/// A program run as a whole process: its wall time, CPU time (user + system) and peak resident memory.
struct ProcessRun
{
    double ms = 0;
    double cpuMs = 0;
    long maxRssKiB = 0;
};

/// Runs `argv` with standard output to `outPath` (created or truncated), and measures it with wait4's rusage;
/// an exit code not in `okExitCodes` stops the benchmark.
inline ProcessRun runProcess(const QStringList& argv, const QString& outPath = QStringLiteral("/dev/null"),
                             const QList<int>& okExitCodes = {0})
{
    QList<QByteArray> storage;
    std::vector<char*> args;
    for (const QString& a : argv)
        storage << a.toLocal8Bit();
    for (QByteArray& a : storage)
        args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const QByteArray out = outPath.toLocal8Bit();
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    QElapsedTimer timer;
    timer.start();
    pid_t pid = 0;
    if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0)
        qFatal("cannot start %s", args[0]);
    int status = 0;
    rusage usage {};
    wait4(pid, &status, 0, &usage);
    ProcessRun run;
    run.ms = double(timer.nsecsElapsed()) / 1e6;
    const auto ms = [](const timeval& t) { return double(t.tv_sec) * 1e3 + double(t.tv_usec) / 1e3; };
    run.cpuMs = ms(usage.ru_utime) + ms(usage.ru_stime);
    run.maxRssKiB = usage.ru_maxrss;
    posix_spawn_file_actions_destroy(&actions);
    if (!WIFEXITED(status) || !okExitCodes.contains(WEXITSTATUS(status)))
        qFatal("%s failed", args[0]);
    return run;
}

inline QTextStream& out()
{
    static QTextStream stream(stdout);
    return stream;
}

inline double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values[values.size() / 2];
}

template<typename F>
double timeMs(F&& f)
{
    QElapsedTimer timer;
    timer.start();
    f();
    return double(timer.nsecsElapsed()) / 1e6;
}

/// Wall time of a whole process reading `script` on standard input, output discarded.
inline double processMs(const QString& program, const QStringList& arguments, const QString& script)
{
    QProcess p;
    p.setStandardInputFile(script);
    p.setStandardOutputFile(QProcess::nullDevice());
    QElapsedTimer timer;
    timer.start();
    p.start(program, arguments);
    p.waitForFinished(-1);
    const double ms = double(timer.nsecsElapsed()) / 1e6;
    if (p.exitCode() != 0)
        qFatal("%s failed: %s", qPrintable(program), p.readAllStandardError().constData());
    return ms;
}

/// A field of /proc/self/status in KiB (`VmRSS:`, `VmHWM:`), or -1.
inline qint64 residentKiB(const char* field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qstrlen(field)).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

inline QString writeScript(QTemporaryDir& dir, const QString& name, const QString& text)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(text.toUtf8());
    return path;
}

inline QString quoted(const QString& s)
{
    return QLatin1Char('\'') + QString(s).replace(QLatin1Char('\''), QStringLiteral("''")) + QLatin1Char('\'');
}

/// One line of the figure table: ours, the CLI's, the ratio, and the bound the issue sets.
inline void row(const QString& what, double ours, double cli, double bound = -1)
{
    out() << qSetFieldWidth(48) << Qt::left << what << qSetFieldWidth(0)
          << QString::number(ours, 'f', 2).rightJustified(10) << " ms"
          << QString::number(cli, 'f', 2).rightJustified(10) << " ms"
          << QString::number(ours / cli, 'f', 2).rightJustified(8) << "x";
    if (bound >= 0)
        out() << "   (bound " << QString::number(bound, 'f', 1) << " ms: " << (ours <= bound ? "within" : "OVER")
              << ")";
    out() << Qt::endl;
}

inline void header(const QString& cli)
{
    out() << qSetFieldWidth(48) << Qt::left << "read" << qSetFieldWidth(0) << "      ours"
          << QString(u"   " + cli).rightJustified(14) << "   ratio" << Qt::endl;
}

} // namespace Bench
