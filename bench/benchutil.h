// SPDX-License-Identifier: MIT
// Small helpers shared by the benchmark programs: timing, medians, whole-process timing, the figure table.
#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>

namespace Bench {

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
