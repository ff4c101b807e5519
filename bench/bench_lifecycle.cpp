// SPDX-License-Identifier: MIT
// A page of a lifecycle filter (expired:, is:summary, has:edges, flag:) on a SQLite store, read-only:
//   bench_lifecycle STORE FILTER [REPEATS]
// prints the first page (200 rows with content, the table's default order), the page after it and the count, in
// milliseconds, for each repeat.
#include "query.h"
#include "sqlite/sqlitebackend.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>

using namespace Qt::StringLiterals;
using namespace Inspector;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        QTextStream(stderr) << "usage: bench_lifecycle STORE FILTER [REPEATS]" << Qt::endl;
        return 2;
    }
    const ParsedFilter parsed = parseFilter(args.at(2));
    if (!parsed.notUnderstood.isEmpty()) {
        QTextStream(stderr) << parsed.notUnderstood.join(u"; "_s) << Qt::endl;
        return 2;
    }
    const int repeats = qMax(1, args.value(3, u"1"_s).toInt());
    auto backend = SqliteBackend::open(args.at(1), SqliteBackend::OpenMode::ReadOnly);
    QTextStream out(stdout);
    for (int r = 0; r < repeats; ++r) {
        QElapsedTimer timer;
        MemoryQuery query;
        query.filter = parsed.filter;
        timer.start();
        const Page first = backend->query(query);
        const qint64 firstMs = timer.elapsed();
        qint64 secondMs = -1;
        if (first.next) {
            query.after = first.next;
            timer.restart();
            backend->query(query);
            secondMs = timer.elapsed();
        }
        timer.restart();
        const qint64 count = backend->count(parsed.filter);
        const qint64 countMs = timer.elapsed();
        out << args.at(2) << "\tfirst page " << firstMs << " ms (" << first.memories.size() << " rows)\tnext page "
            << secondMs << " ms\tcount " << count << " in " << countMs << " ms" << Qt::endl;
    }
    return 0;
}
