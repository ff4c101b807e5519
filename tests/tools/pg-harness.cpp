// SPDX-License-Identifier: MIT
// The CTest fixture's PostgreSQL server: `pg-harness start DIR` leaves a server running and writes its URL to
// DIR/url; `pg-harness stop DIR` stops it and removes DIR (also after failed tests).
#include "postgresserver.h"

#include <QCoreApplication>
#include <QFile>
#include <QTextStream>

#include <exception>

using namespace Qt::StringLiterals;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    QTextStream err(stderr);
    if (args.size() != 2 || (args[0] != "start"_L1 && args[0] != "stop"_L1)) {
        err << "usage: pg-harness start|stop DIR" << Qt::endl;
        return 2;
    }
    try {
        if (args[0] == "stop"_L1) {
            Inspector::Testing::PostgresServer::stopAndRemove(args[1]);
            return 0;
        }
        Inspector::Testing::PostgresServer::stopAndRemove(args[1]); // a leftover of an interrupted run
        auto server = Inspector::Testing::PostgresServer::startPrivate(args[1]);
        QFile url(args[1] + u"/url"_s);
        if (!url.open(QIODevice::WriteOnly))
            throw std::runtime_error("cannot write the url file");
        url.write(server->baseUrl().toUtf8());
        server->detach();
        QTextStream(stdout) << "PostgreSQL 15 listening on 127.0.0.1:" << server->port() << Qt::endl;
        return 0;
    } catch (const std::exception& e) {
        err << "pg-harness: " << e.what() << Qt::endl;
        return 1;
    }
}
