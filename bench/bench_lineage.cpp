// SPDX-License-Identifier: MIT
// View ▸ Lineage on a SQLite store in subcog's layout with 500,000 memory_edges rows: the time from asking for a
// memory's 2-hop neighbourhood to a laid-out scene (readLineage on the store plus LineageDrawing::draw into a fresh
// QGraphicsScene), median over rounds with a different memory each round, beside the sqlite3 CLI running the same
// hop queries (the same ids, as literal IN lists) as one process, alternating. Bound: 100 ms.
#include "benchutil.h"
#include "fixturegenerator.h"
#include "lineage.h"
#include "lineagescene.h"
#include "sqlite/sqlitebackend.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Bench;

namespace {

const QStringList kTypes {u"related_to"_s, u"supersedes"_s, u"contradicts"_s,
                          u"refines"_s,    u"parent_of"_s,  u"child_of"_s};

/// The generator's memories (with consolidation's summary edges) plus other edges between random memories, as
/// subcog's schema holds them, until the table has `edges` rows.
void generate(const QString& path, int memories, qint64 edges)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile::remove(path);
    Fixtures::GeneratorOptions options = Fixtures::GeneratorOptions::benchmark(memories);
    options.keepTruth = false; // summaries are still kept: their edges are written from them
    Fixtures::writeSqliteStore(path, Fixtures::SqliteLayout::Head, options);
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"generate"_s);
    db.setDatabaseName(path);
    if (!db.open())
        qFatal("cannot open %s", qPrintable(path));
    {
        QSqlQuery q(db);
        QStringList ids;
        q.exec(u"SELECT id FROM memories ORDER BY rowid"_s);
        while (q.next())
            ids << q.value(0).toString();
        q.exec(u"SELECT COUNT(*) FROM memory_edges"_s);
        q.next();
        qint64 have = q.value(0).toLongLong();
        QRandomGenerator rng(20261201);
        q.exec(u"BEGIN"_s);
        QSqlQuery insert(db);
        insert.prepare(u"INSERT OR IGNORE INTO memory_edges (from_id, to_id, edge_type, created_at) "
                       "VALUES (?, ?, ?, ?)"_s);
        while (have < edges) {
            // mostly near each other in time, as related memories are, some far apart
            const int from = int(rng.bounded(ids.size()));
            const int span = rng.bounded(4) == 0 ? int(ids.size()) : 200;
            const int to = (from + 1 + int(rng.bounded(span))) % int(ids.size());
            insert.addBindValue(ids[from]);
            insert.addBindValue(ids[to]);
            insert.addBindValue(kTypes[rng.bounded(int(kTypes.size()))]);
            insert.addBindValue(1767000000 + qint64(rng.bounded(100000)));
            if (!insert.exec())
                qFatal("%s", qPrintable(insert.lastError().text()));
            have += insert.numRowsAffected();
        }
        q.exec(u"COMMIT"_s);
        // subcog HEAD's edge indexes (spec §4.5; the fixture generator writes the table without them)
        for (const QString& index : {u"idx_memory_edges_from_id ON memory_edges(from_id)"_s,
                                     u"idx_memory_edges_to_id ON memory_edges(to_id)"_s,
                                     u"idx_memory_edges_edge_type ON memory_edges(edge_type)"_s,
                                     u"idx_memory_edges_from_type ON memory_edges(from_id, edge_type)"_s,
                                     u"idx_memory_edges_to_type ON memory_edges(to_id, edge_type)"_s}) {
            if (!q.exec(u"CREATE INDEX IF NOT EXISTS "_s + index))
                qFatal("%s", qPrintable(q.lastError().text()));
        }
        q.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
    }
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(u"generate"_s);
}

QString inList(const QStringList& ids)
{
    QStringList quotedIds;
    for (const QString& id : ids)
        quotedIds << quoted(id);
    return u'(' + quotedIds.join(u',') + u')';
}

/// The queries readLineage runs, hop by hop, with the ids it found: edges touching each hop, the memories of each
/// new hop with their content.
QString cliScript(const Lineage& lineage)
{
    QList<QStringList> byHop(lineage.hops + 1);
    for (const LineageNode& n : lineage.nodes)
        byHop[n.hop].append(n.memory.id);
    QString sql;
    for (const QStringList& ids : std::as_const(byHop)) {
        if (ids.isEmpty())
            continue;
        sql += u"SELECT from_id, to_id, edge_type, created_at FROM memory_edges WHERE from_id IN "_s + inList(ids)
            + u" OR to_id IN "_s + inList(ids) + u";\n"_s;
        sql += u"SELECT * FROM memories WHERE id IN "_s + inList(ids) + u";\n"_s;
        // the content by the spec's indexed look-up (§4.6), one id at a time
        for (const QString& id : ids)
            sql += u"SELECT rowid, content FROM memories_fts WHERE memories_fts MATCH "_s
                + quoted(u"id:\""_s + QString(id).replace(u'"', u"\"\""_s) + u'"') + u" AND id = "_s + quoted(id)
                + u";\n"_s;
    }
    return sql;
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Lineage benchmark: a 2-hop neighbourhood on a store with 500,000 edges."_s);
    parser.addHelpOption();
    QCommandLineOption storeOption(u"store"_s, u"The SQLite store (generated when missing)."_s, u"PATH"_s,
                                   QDir::tempPath() + u"/subcog-inspector-bench/lineage-500000.db"_s);
    QCommandLineOption memoriesOption(u"memories"_s, u"Memories in a generated store."_s, u"N"_s, u"200000"_s);
    QCommandLineOption edgesOption(u"edges"_s, u"memory_edges rows in a generated store."_s, u"N"_s, u"500000"_s);
    QCommandLineOption roundsOption(u"rounds"_s, u"Rounds (median printed)."_s, u"R"_s, u"21"_s);
    QCommandLineOption hopsOption(u"hops"_s, u"Hops of the neighbourhood."_s, u"H"_s, u"2"_s);
    parser.addOptions({storeOption, memoriesOption, edgesOption, roundsOption, hopsOption});
    parser.process(app);
    const QString store = parser.value(storeOption);
    const int rounds = qMax(1, parser.value(roundsOption).toInt());
    if (!QFileInfo::exists(store)) {
        out() << "generating " << store << " …" << Qt::endl;
        const double ms = timeMs(
            [&] { generate(store, parser.value(memoriesOption).toInt(), parser.value(edgesOption).toLongLong()); });
        out() << "generated in " << QString::number(ms / 1000, 'f', 1) << " s" << Qt::endl;
    }
    const QString sqlite3 = QStandardPaths::findExecutable(u"sqlite3"_s);

    auto backend = SqliteBackend::open(store, SqliteBackend::OpenMode::ReadOnly);
    qint64 edgeCount = 0;
    // memories with edges, spread over the table, a different one each round
    QStringList centres;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"pick"_s);
        db.setDatabaseName(store);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        db.open();
        QSqlQuery q(db);
        q.exec(u"SELECT COUNT(*), MAX(rowid) FROM memory_edges"_s);
        q.next();
        edgeCount = q.value(0).toLongLong();
        const qint64 maxRowid = q.value(1).toLongLong();
        for (int r = 0; r <= rounds; ++r) {
            q.prepare(u"SELECT from_id FROM memory_edges WHERE rowid >= ? LIMIT 1"_s);
            q.addBindValue(maxRowid * (r + 1) / (rounds + 2));
            q.exec();
            if (q.next())
                centres << q.value(0).toString();
        }
        q = QSqlQuery();
        db.close();
    }
    QSqlDatabase::removeDatabase(u"pick"_s);
    LineageOptions options;
    options.hops = parser.value(hopsOption).toInt();

    // the first call also builds the store's one-time map of full-text ids (the window has it after the first page)
    const double first = timeMs([&] { (void)readLineage(*backend, centres.first(), options); });

    QTemporaryDir dir;
    QList<double> ours, queries, layouts, cli;
    QList<double> nodes, relations;
    for (int r = 1; r < centres.size(); ++r) {
        Lineage lineage;
        const double q = timeMs([&] { lineage = readLineage(*backend, centres[r], options); });
        const double l = timeMs([&] {
            QGraphicsScene scene;
            LineageDrawing::draw(scene, lineage, false);
        });
        ours << q + l;
        queries << q;
        layouts << l;
        nodes << double(lineage.nodes.size());
        relations << double(lineage.edges.size());
        if (!sqlite3.isEmpty()) {
            const QString script = writeScript(dir, u"hops.sql"_s, cliScript(lineage));
            cli << processMs(sqlite3, {u"-readonly"_s, store}, script);
        }
    }
    out() << store << ": " << edgeCount << " edges, " << backend->count() << " memories; " << options.hops
          << "-hop neighbourhoods of " << ours.size() << " memories (median " << QString::number(median(nodes), 'f', 0)
          << " memories, " << QString::number(median(relations), 'f', 0) << " relations)" << Qt::endl;
    out() << "first call (with the one-time full-text id map): " << QString::number(first, 'f', 1) << " ms" << Qt::endl;
    out() << "of ours: queries " << QString::number(median(queries), 'f', 2) << " ms, scene layout "
          << QString::number(median(layouts), 'f', 2) << " ms (medians)" << Qt::endl;
    if (sqlite3.isEmpty()) {
        out() << "open a neighbourhood (query + layout): " << QString::number(median(ours), 'f', 2)
              << " ms (bound 100 ms: " << (median(ours) <= 100 ? "within" : "OVER") << "); no sqlite3 CLI to compare"
              << Qt::endl;
        return 0;
    }
    header(u"sqlite3 CLI"_s);
    row(u"open a neighbourhood (query + layout)"_s, median(ours), median(cli), 100);
    out() << "(the CLI figure is a whole process: start, open, the same hop queries with the ids ours found)"
          << Qt::endl;
    return 0;
}
