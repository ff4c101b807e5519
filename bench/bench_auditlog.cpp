// SPDX-License-Identifier: MIT
// subcog's audit.log read as the History tab reads it: the first streaming pass over a large file (1 GiB by
// default, written once with 10,000 memories' events and an HMAC chain), a memory's events, then a line appended
// and picked up. Prints wall times, the pass's throughput and the process's peak resident memory.
#include "auditlog.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <sys/resource.h>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
QByteArray entry(qint64 n, qint64 memory)
{
    // subcog's serde field order; ~330 bytes a line, as subcog's own lines are
    return "{\"id\":\"0b7c" + QByteArray::number(n, 16).rightJustified(12, '0')
        + "-4c1e-9a57-2f0d3c1e8b44\",\"timestamp\":\"2026-11-20T09:14:07.123456789Z\",\"event_type\":\"memory."
          "retrieved\",\"actor\":\"mcp\",\"resource\":\"subcog://project/decisions/mem"
        + QByteArray::number(memory) + "\",\"action\":\"read\",\"outcome\":\"success\",\"metadata\":{\"score\":0.8"
        + QByteArray::number(n % 10) + "},\"hmac_signature\":\"s" + QByteArray::number(n) + "\",\"previous_hmac\":\""
        + (n == 0 ? QByteArray("genesis") : "s" + QByteArray::number(n - 1)) + "\"}\n";
}

long peakRssMiB()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption file(u"file"_s, u"The audit.log to read (written first when missing)."_s, u"PATH"_s,
                            u"/tmp/subcog-inspector-bench/audit.log"_s);
    QCommandLineOption size(u"size-mb"_s, u"Size of the file written when missing."_s, u"MB"_s, u"1024"_s);
    parser.addOptions({file, size});
    parser.process(app);
    QTextStream out(stdout);
    const QString path = parser.value(file);
    qint64 lines = 0;
    if (!QFileInfo::exists(path)) {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        const qint64 target = parser.value(size).toLongLong() << 20;
        QByteArray block;
        while (f.size() + block.size() < target) {
            block += entry(lines, lines % 10000);
            ++lines;
            if (block.size() > (1 << 20)) {
                f.write(block);
                block.clear();
            }
        }
        f.write(block);
        out << "wrote " << path << ": " << f.size() << " bytes, " << lines << " lines" << Qt::endl;
    }
    AuditLogIndex index(path);
    QElapsedTimer t;
    t.start();
    index.update();
    const qint64 pass = t.elapsed();
    const qint64 bytes = index.summary().bytes;
    out << "first pass: " << index.summary().lines << " lines, " << bytes << " bytes in " << pass << " ms ("
        << (pass > 0 ? bytes / 1024 / 1024 * 1000 / pass : 0) << " MiB/s); chain breaks " << index.summary().chainBreaks
        << Qt::endl;
    t.restart();
    qint64 total = 0;
    const auto events = index.eventsOf(u"mem42"_s, 5000, &total);
    out << "events of one memory: " << events.size() << " of " << total << " read in " << t.elapsed() << " ms"
        << Qt::endl;
    {
        QFile f(path);
        f.open(QIODevice::Append);
        f.write(entry(index.summary().lines, 42));
    }
    t.restart();
    index.update();
    const qint64 appended = t.elapsed();
    index.eventsOf(u"mem42"_s, 5000, &total);
    out << "one appended line picked up in " << appended << " ms (" << t.elapsed() << " ms with the events); " << total
        << " events now" << Qt::endl;
    out << "peak resident memory: " << peakRssMiB() << " MiB" << Qt::endl;
    return 0;
}
