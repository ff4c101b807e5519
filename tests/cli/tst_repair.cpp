// SPDX-License-Identifier: MIT
// `subcog-inspector repair STORE --fix CLASS` on real SQLite files: every fixable class planted and repaired on a
// copy, then checked three ways (check finds none of it, subcog's own join reads each repaired memory, every other
// row is byte-for-byte as before) and against its backup; dry runs, refusals, --ids, and a memory changed meanwhile.
// The planted store is a data folder's index.db with a vectors.idx and a graph.db beside it (spec §14).
#include "besideindex.h"
#include "fixturegenerator.h"
#include "health/repairundo.h"
#include "health/sqliterepair.h"
#include "plantedstore.h"
#include "storageerror.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Fixtures;

namespace {

struct Result
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Result run(const QStringList& args)
{
    QProcess process;
    process.start(qEnvironmentVariable("INSPECTOR_BINARY"), args);
    Result r;
    if (!process.waitForFinished(120000)) {
        process.kill();
        return r;
    }
    r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    r.out = process.readAllStandardOutput();
    r.err = process.readAllStandardError();
    return r;
}

using FindingList = QList<QPair<QString, QString>>;

/// check --json's (class, id) pairs, sorted; "(null)" for store-level ones.
FindingList check(const QString& path)
{
    const Result r = run({u"check"_s, path, u"--json"_s});
    FindingList result;
    for (const QByteArray& line : r.out.split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        result.append(
            {o.value("class"_L1).toString(), o.value("id"_L1).isNull() ? u"(null)"_s : o.value("id"_L1).toString()});
    }
    std::sort(result.begin(), result.end());
    return result;
}

/// Every row of a store, each column with its SQLite type, for byte-for-byte comparisons.
struct StoreRows
{
    QMap<QString, QString> memories; ///< id → every column as quote(value):typeof(value)
    QMap<qint64, QString> fts; ///< rowid → id, content, tags quoted
    QMap<qint64, QString> ftsIds; ///< rowid → id
    QMap<QString, QString> edges; ///< from|to|type → created_at, all quoted
    bool operator==(const StoreRows&) const = default;
};

StoreRows readRows(const QString& path)
{
    StoreRows rows;
    const QString name = u"rows-"_s + path;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        if (!db.open())
            return rows;
        QSqlQuery q(db);
        QStringList columns;
        q.exec(u"SELECT name FROM pragma_table_info('memories')"_s);
        while (q.next())
            columns << u"quote(\""_s + q.value(0).toString() + u"\") || ':' || typeof(\""_s + q.value(0).toString()
                    + u"\")"_s;
        q.exec(u"SELECT id, "_s + columns.join(u" || '|' || "_s) + u" FROM memories"_s);
        while (q.next())
            rows.memories.insert(q.value(0).toString(), q.value(1).toString());
        q.exec(u"SELECT rowid, quote(id) || '|' || quote(content) || '|' || quote(tags), id FROM memories_fts"_s);
        while (q.next()) {
            rows.fts.insert(q.value(0).toLongLong(), q.value(1).toString());
            rows.ftsIds.insert(q.value(0).toLongLong(), q.value(2).toString());
        }
        q.exec(u"SELECT from_id || '|' || to_id || '|' || edge_type, quote(created_at) FROM memory_edges"_s);
        while (q.next())
            rows.edges.insert(q.value(0).toString(), q.value(1).toString());
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

/// subcog's get_memory (spec §4.6), verbatim: the rows its inner join returns for one id (content, namespace, tags,
/// status, domain, created_at, tombstoned_at).
QList<QStringList> subcogGet(const QString& path, const QString& id)
{
    QList<QStringList> result;
    const QString name = u"subcog-"_s + path;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
        if (!db.open())
            return result;
        QSqlQuery q(db);
        q.prepare(u"SELECT m.id, m.namespace, m.domain, m.project_id, m.branch, m.file_path, m.status, m.created_at, "
                  "m.tombstoned_at, m.expires_at, m.tags, m.source, f.content, m.is_summary, m.source_memory_ids, "
                  "m.consolidation_timestamp FROM memories m JOIN memories_fts f ON m.id = f.id WHERE m.id = ?"_s);
        q.addBindValue(id);
        q.exec();
        while (q.next())
            result << QStringList {q.value(12).toString(), q.value(1).toString(), q.value(10).toString(),
                                   q.value(6).toString(),  q.value(2).toString(), q.value(7).toString(),
                                   q.value(8).toString()};
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return result;
}

QByteArray fileBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QStringList backupsBeside(const QString& path)
{
    const QFileInfo info(path);
    return info.absoluteDir().entryList({info.fileName() + u".backup-*"_s}, QDir::Files);
}

/// The backups of vectors.idx and graph.db in the store's folder.
QStringList sideBackups(const QString& path)
{
    return QFileInfo(path).absoluteDir().entryList({u"vectors.idx.backup-*"_s, u"graph.db.backup-*"_s}, QDir::Files);
}

/// vectors.idx's ids: a vector for every memory but 'mv', and orphans first, in the middle and last (the members
/// around an orphan are rewritten byte for byte whatever its place).
QStringList plantedVectorIds(QStringList memoryIds)
{
    memoryIds.removeAll(u"mv"_s);
    memoryIds.sort();
    memoryIds.prepend(u"gone \"first\" \\ \u00e9"_s);
    memoryIds.insert(memoryIds.size() / 2, u"gone-middle"_s);
    memoryIds.append(u"gone-last"_s);
    return memoryIds;
}

const QList<GraphEntity> kEntities {{u"ent_a"_s, 2}, {u"ent_b"_s, 3}, {u"ent_zero"_s, 0}};
const QList<QPair<QString, QString>> kMentions {
    {u"ent_a"_s, u"fine"_s}, {u"ent_a"_s, u"ghost-mention"_s}, {u"ent_b"_s, u"ghost-mention"_s}, {u"ent_b"_s, u"src"_s},
    {u"ent_b"_s, u"de"_s},   {u"ent_zero"_s, u"ghost-two"_s},
};

/// Every class of spec §15 that repair fixes, planted at least once, plus rows that are fine.
void plant(const QString& path)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    StoreWriter w(path);
    w.add({.id = u"fine"_s, .content = u"nothing wrong here"_s});
    w.add({.id = u"mc"_s, .content = u"lost text"_s, .ftsRows = 0});
    w.add({.id = u"oc"_s, .content = u"text without metadata"_s, .tags = u"a,b"_s, .metadata = false});
    w.add({.id = u"summary_1700000123"_s, .content = u"an orphaned summary"_s, .metadata = false});
    w.add({.id = u"dc"_s, .content = u"written twice"_s, .ftsRows = 2});
    w.add({.id = u"td"_s, .content = u"drifting tags"_s, .ftsTags = u"stale"_s});
    w.add({.id = u"mt"_s, .content = u"messy"_s, .tags = u" a ,,b"_s});
    w.add({.id = u"mtn"_s,
           .content = u"null tags"_s,
           .tags = QVariant(QMetaType::fromType<QString>()),
           .ftsTags = u""_s});
    w.add({.id = u"ld"_s, .content = u"global domain"_s, .domain = u"global"_s});
    // ids FTS5 finds by phrase (quotes inside) and one without a token, found by a scan
    w.add({.id = u"ld \"q\" 'x'; DROP--"_s, .content = u"hostile id"_s, .domain = u""_s});
    w.add({.id = u"#!?"_s, .content = u"no token in the id"_s, .domain = QVariant(QMetaType::fromType<QString>())});
    w.add({.id = u"ud"_s, .content = u"three parts"_s, .domain = u"a/b/c"_s});
    w.add({.id = u"nn"_s, .content = u"alias namespace"_s, .ns = u"tech_debt"_s});
    w.add({.id = u"un"_s, .content = u"unknown namespace"_s, .ns = u"musings"_s});
    w.add({.id = u"ns"_s, .content = u"status in capitals"_s, .status = u"ARCHIVED"_s});
    w.add({.id = u"us"_s, .content = u"unknown status"_s, .status = u"maybe"_s});
    w.add({.id = u"ht"_s, .content = u"half a tombstone"_s, .tombstonedAt = qint64(1700000100)});
    w.add({.id = u"ht2"_s, .content = u"the other half"_s, .status = u"tombstoned"_s});
    w.add({.id = u"ea"_s, .content = u"expired"_s, .expiresAt = qint64(1700000100)});
    w.add({.id = u"bs"_s, .content = u"null is_summary"_s, .isSummary = QVariant()});
    w.add({.id = u"bsj"_s, .content = u"broken source ids"_s, .sourceIds = u"{not json"_s});
    w.add({.id = u"bt"_s, .content = u"from the future"_s, .createdAt = now + 86400});
    w.add({.id = u"de"_s, .content = u"edge to nowhere"_s});
    w.sql(u"INSERT INTO memory_edges VALUES ('de', 'ghost', 'related_to', 1700000000)"_s);
    w.sql(u"INSERT INTO memory_edges VALUES ('ghost2', 'fine', 'refines', 1700000000)"_s);
    w.sql(u"INSERT INTO memory_edges VALUES ('fine', 'de', 'related_to', 1700000000)"_s);
    w.add({.id = u"src"_s, .content = u"a source"_s});
    w.add({.id = u"le"_s,
           .content = u"summary without edges"_s,
           .tags = contentHashTag(u"a source"_s),
           .isSummary = 1,
           .sourceIds = u"[\"src\"]"_s});
    w.add({.id = u"sh"_s, .content = u"edited later"_s, .tags = u"x,hash:sha256:0000000000000000,y"_s});
    w.add({.id = u"dm1"_s,
           .content = u"Same  Text"_s,
           .tags = QString(u"old,"_s + contentHashTag(u"same text"_s)),
           .createdAt = qint64(1600000000)});
    w.add({.id = u"dm2"_s, .content = u"same text"_s, .tags = QString(u"new,"_s + contentHashTag(u"same text"_s))});
    w.add({.id = u"dm3"_s, .content = u"SAME TEXT"_s, .tags = u"third"_s, .ns = u"patterns"_s});
    w.add({.id = u"mv"_s, .content = u"live without a vector"_s});
}

} // namespace

class TestRepair : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_planted;
    StoreRows m_plantedRows;
    FindingList m_plantedFindings;
    QStringList m_vectorIds;
    QByteArray m_plantedVectors;
    QStringList m_plantedGraph;

    /// index.db, vectors.idx and graph.db of the planted store in a folder of their own.
    QString copyOfPlanted(const QString& name)
    {
        const QString dir = m_dir.filePath(name);
        QDir().mkpath(dir);
        const QString from = QFileInfo(m_planted).absolutePath();
        for (const QString& file : {u"index.db"_s, u"graph.db"_s, u"vectors.idx"_s}) {
            removeSqliteFile(dir + u'/' + file);
            if (!QFile::copy(from + u'/' + file, dir + u'/' + file))
                return {};
        }
        return dir + u"/index.db"_s;
    }

    /// vectors.idx of the planted store without the members of these ids, every other byte as it was.
    QByteArray plantedVectorsWithout(const QSet<QString>& ids) const
    {
        QByteArrayList members;
        for (qsizetype i = 0; i < m_vectorIds.size(); ++i) {
            if (!ids.contains(m_vectorIds[i]))
                members << vectorsIdxMember(m_vectorIds[i], i);
        }
        return vectorsIdxOf(members);
    }

    /// graph.db of the planted store once its orphan mentions are gone.
    QStringList graphWithoutOrphans() const
    {
        QStringList rows;
        for (QString row : m_plantedGraph) {
            if (row.contains(u"'ghost-"_s))
                continue;
            // ent_a lost one mention, ent_b one, ent_zero's count stays 0
            rows << row.replace(u"ent_a' mentions 2"_s, u"ent_a' mentions 1"_s)
                        .replace(u"ent_b' mentions 3"_s, u"ent_b' mentions 2"_s);
        }
        return rows;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QFile::exists(qEnvironmentVariable("INSPECTOR_BINARY")));
        const QString dir = m_dir.filePath(u"planted"_s);
        QVERIFY(QDir().mkpath(dir));
        m_planted = dir + u"/index.db"_s;
        plant(m_planted);
        QVERIFY(!QFile::exists(m_planted + u"-wal"_s)); // every row is in the file that is copied
        m_plantedRows = readRows(m_planted);
        m_vectorIds = plantedVectorIds(m_plantedRows.memories.keys());
        m_plantedVectors = vectorsIdx(m_vectorIds);
        writeBytes(dir + u"/vectors.idx"_s, m_plantedVectors);
        writeGraphDb(dir + u"/graph.db"_s, kEntities, kMentions);
        QVERIFY(!QFile::exists(dir + u"/graph.db-wal"_s));
        m_plantedGraph = graphRows(dir + u"/graph.db"_s);
        QCOMPARE(m_plantedGraph.size(), 9);
        m_plantedFindings = check(m_planted);
        QVERIFY(m_plantedFindings.size() > 20);
        for (const auto& f : {qMakePair(u"orphan-vector"_s, u"gone-middle"_s), qMakePair(u"missing-vector"_s, u"mv"_s),
                              qMakePair(u"orphan-mention"_s, u"ghost-two"_s)})
            QVERIFY(m_plantedFindings.contains(f));
    }

    void idsEncodingTime()
    {
        QCOMPARE(creationTimeFromId(u"summary_1777955235"_s), std::optional<qint64>(1777955235));
        QCOMPARE(creationTimeFromId(u"decisions-1767029430957505000"_s), std::optional<qint64>(1767029430));
        QCOMPARE(creationTimeFromId(u"1767031535646420000"_s), std::optional<qint64>(1767031535));
        QCOMPARE(creationTimeFromId(u"9f2c61a0b7de"_s), std::nullopt);
        QCOMPARE(creationTimeFromId(u"0123456789abcdef0123456789abcdef01234567"_s), std::nullopt);
        QCOMPARE(creationTimeFromId(u"tech-debt_3f0b7d9e-2a4c-4e1f-9b8a-0c1d2e3f4a5b"_s), std::nullopt);
    }

    void fixEachClass_data()
    {
        QTest::addColumn<QString>("cls");
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QStringList>("alsoNamed"); ///< memories a fix changes besides the findings' own
        // the oldest of duplicate memories takes their tags
        for (const QString& cls : sqliteRepairableClasses())
            QTest::newRow(qPrintable(cls))
                << cls << QStringList() << (cls == "duplicate-memory"_L1 ? QStringList {u"dm1"_s} : QStringList());
        QTest::newRow("missing-content --delete")
            << u"missing-content"_s << QStringList {u"--delete"_s} << QStringList();
    }

    // For each fixable class, on a copy of the planted store: exit 0, check finds none of the class and every other
    // finding as before, subcog's join reads each repaired memory, everything else is byte-for-byte as it was, and
    // the backup holds the store as it was before.
    void fixEachClass()
    {
        QFETCH(QString, cls);
        QFETCH(QStringList, extra);
        QFETCH(QStringList, alsoNamed);
        const QString path = copyOfPlanted(QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'_'));
        QVERIFY(!path.isEmpty());

        QSet<QString> named(alsoNamed.begin(), alsoNamed.end());
        FindingList expectedAfter;
        for (const auto& f : std::as_const(m_plantedFindings)) {
            if (f.first == cls)
                named.insert(f.second);
            else
                expectedAfter << f;
        }
        QVERIFY2(!named.isEmpty(), "the class is planted");
        // orphan-vector and orphan-mention change the files beside index.db, not the memories
        const bool around = cls == "orphan-vector"_L1 || cls == "orphan-mention"_L1;
        // what a fix of the memories does to the files beside them: a rebuilt memory has no embedding yet, a
        // deleted one leaves its vector behind
        if (cls == "orphan-content"_L1)
            expectedAfter << qMakePair(u"missing-vector"_s, u"oc"_s)
                          << qMakePair(u"missing-vector"_s, u"summary_1700000123"_s);
        if (extra.contains(u"--delete"_s))
            expectedAfter << qMakePair(u"orphan-vector"_s, u"mc"_s);
        std::sort(expectedAfter.begin(), expectedAfter.end());
        const QString dir = QFileInfo(path).absolutePath();
        const QByteArray indexBefore = fileBytes(path);

        const Result r = run(QStringList {u"repair"_s, path, u"--fix"_s, cls} + extra);
        QVERIFY2(r.err.isEmpty(), r.err.constData());
        QCOMPARE(r.exitCode, 0);

        // 1. check: none of the fixed findings, every other one as before
        QCOMPARE(check(path), expectedAfter);

        // the files beside index.db: changed only by their own class, every other vector, mention and entity as it
        // was; backed up beside themselves, and index.db not touched at all
        QCOMPARE(fileBytes(dir + u"/vectors.idx"_s),
                 cls == "orphan-vector"_L1 ? plantedVectorsWithout(named) : m_plantedVectors);
        QCOMPARE(graphRows(dir + u"/graph.db"_s), cls == "orphan-mention"_L1 ? graphWithoutOrphans() : m_plantedGraph);
        if (around) {
            QCOMPARE(fileBytes(path), indexBefore);
            QVERIFY(backupsBeside(path).isEmpty());
            const QRegularExpression sideLine(cls == "orphan-vector"_L1
                                                  ? u"^backup: (.*/vectors\\.idx\\.backup-\\d{8}-\\d{6}\\.idx)$"_s
                                                  : u"^backup: (.*/graph\\.db\\.backup-\\d{8}-\\d{6}\\.db)$"_s,
                                              QRegularExpression::MultilineOption);
            const auto m = sideLine.match(QString::fromUtf8(r.out));
            QVERIFY2(m.hasMatch(), r.out.constData());
            QCOMPARE(QFileInfo(m.captured(1)).absolutePath(), dir);
            if (cls == "orphan-vector"_L1)
                QCOMPARE(fileBytes(m.captured(1)), m_plantedVectors);
            else
                QCOMPARE(graphRows(m.captured(1)), m_plantedGraph);
            QCOMPARE(sideBackups(path).size(), 1);
            for (const QString& id : std::as_const(named))
                QVERIFY2(r.out.contains((id + u": "_s + cls + u": delete "_s).toUtf8()), r.out.constData());
            QVERIFY2(r.out.contains(cls == "orphan-vector"_L1
                                        ? "gone-middle: orphan-vector: delete its vector from vectors.idx (the "
                                          "memory does not exist)\n"
                                        : "ghost-two: orphan-mention: delete the mention by entity 'ent_zero' and "
                                          "decrement its mention_count\n"),
                     r.out.constData());

            // the window's undo step: the file or rows beside index.db as they were, and redo as repaired
            const QByteArray vectorsAfter = fileBytes(dir + u"/vectors.idx"_s);
            const auto graphAfter = graphRows(dir + u"/graph.db"_s);
            const RepairImages images
                = sqliteRepairImages(path, {m.captured(1)}, QStringList(named.begin(), named.end()));
            QVERIFY(!images.images.isEmpty());
            QVERIFY(images.incomplete.isEmpty());
            const RepairRestoreOutcome undone = restoreRepairImages(images, true);
            QVERIFY2(undone.skipped.isEmpty(), qPrintable(undone.skipped.join(u',')));
            QCOMPARE(fileBytes(dir + u"/vectors.idx"_s), m_plantedVectors);
            QCOMPARE(graphRows(dir + u"/graph.db"_s), m_plantedGraph);
            QCOMPARE(fileBytes(path), indexBefore);
            QVERIFY(restoreRepairImages(images, false).skipped.isEmpty());
            QCOMPARE(fileBytes(dir + u"/vectors.idx"_s), vectorsAfter);
            QCOMPARE(graphRows(dir + u"/graph.db"_s), graphAfter);
            // a vectors.idx over the size kept for undo: the images say the undo would be incomplete
            if (cls == "orphan-vector"_L1)
                QVERIFY(!sqliteRepairImages(path, {m.captured(1)}, QStringList(named.begin(), named.end()), {cls}, 16)
                             .incomplete.isEmpty());
            return;
        }
        QVERIFY(sideBackups(path).isEmpty());

        // 2. subcog reads each repaired memory (spec §4.6's join); missing content stays unreadable by design
        const StoreRows after = readRows(path);
        if (cls != "dangling-edge"_L1) {
            for (const QString& id : std::as_const(named)) {
                const QList<QStringList> got = subcogGet(path, id);
                if (cls == "missing-content"_L1) {
                    QVERIFY(got.isEmpty());
                    if (extra.contains(u"--delete"_s))
                        QVERIFY2(!after.memories.contains(id), qPrintable(id));
                    else
                        QVERIFY2(after.memories.value(id).contains(u"'tombstoned'"_s), qPrintable(id));
                    continue;
                }
                QCOMPARE(got.size(), 1);
                QVERIFY2(!got[0][0].isEmpty(), qPrintable(id)); // content
            }
        }

        // 3. the rest byte for byte: memories, full-text rows and edges no fix named
        for (auto it = m_plantedRows.memories.cbegin(); it != m_plantedRows.memories.cend(); ++it) {
            if (!named.contains(it.key()) || cls == "dangling-edge"_L1)
                QCOMPARE(after.memories.value(it.key()), it.value());
        }
        for (auto it = m_plantedRows.fts.cbegin(); it != m_plantedRows.fts.cend(); ++it) {
            if (!named.contains(m_plantedRows.ftsIds.value(it.key())))
                QCOMPARE(after.fts.value(it.key()), it.value());
        }
        for (auto it = m_plantedRows.edges.cbegin(); it != m_plantedRows.edges.cend(); ++it) {
            const QStringList ends = it.key().split(u'|');
            if (!named.contains(ends[0]) && !named.contains(ends[1]))
                QCOMPARE(after.edges.value(it.key()), it.value());
        }
        QCOMPARE(after.memories.size() + (extra.contains(u"--delete"_s) ? 1 : 0) - (cls == "orphan-content"_L1 ? 2 : 0),
                 m_plantedRows.memories.size());

        // 4. the backup, named on stdout, beside the store, holds every row as it was
        const QRegularExpression backupLine(u"^backup: (.*index\\.db\\.backup-\\d{8}-\\d{6}\\.db)$"_s,
                                            QRegularExpression::MultilineOption);
        const auto m = backupLine.match(QString::fromUtf8(r.out));
        QVERIFY2(m.hasMatch(), r.out.constData());
        QCOMPARE(QFileInfo(m.captured(1)).absolutePath(), QFileInfo(path).absolutePath());
        QCOMPARE(readRows(m.captured(1)), m_plantedRows);

        // 5. the window's undo step: undo puts every row back as it was (full-text rowids too), redo the repair's
        const RepairImages images = sqliteRepairImages(path, {m.captured(1)}, QStringList(named.begin(), named.end()));
        QVERIFY(!images.images.isEmpty());
        const RepairRestoreOutcome undone = restoreRepairImages(images, true);
        QVERIFY2(undone.skipped.isEmpty(), qPrintable(undone.skipped.join(u',')));
        QCOMPARE(readRows(path), m_plantedRows);
        QCOMPARE(check(path), m_plantedFindings);
        const RepairRestoreOutcome redone = restoreRepairImages(images, false);
        QVERIFY2(redone.skipped.isEmpty(), qPrintable(redone.skipped.join(u',')));
        QCOMPARE(readRows(path), after);
        // a second undo finds the rows as undo left them: nothing matches what the repair wrote, nothing is written
        restoreRepairImages(images, true);
        QCOMPARE(restoreRepairImages(images, true).restored, QStringList());
        QCOMPARE(readRows(path), m_plantedRows);
        restoreRepairImages(images, false);

        // what each fix wrote
        auto row = [&](const QString& id) { return after.memories.value(id); };
        if (cls == "orphan-content"_L1) {
            const QList<QStringList> oc = subcogGet(path, u"oc"_s);
            QCOMPARE(oc[0].mid(0, 5),
                     (QStringList {u"text without metadata"_s, u"context"_s, u"a,b"_s, u"active"_s, u"project"_s}));
            QVERIFY(qAbs(oc[0][5].toLongLong() - QDateTime::currentSecsSinceEpoch()) < 120);
            QCOMPARE(subcogGet(path, u"summary_1700000123"_s)[0][5], u"1700000123"_s);
        } else if (cls == "duplicate-content"_L1) {
            // the row subcog read, the lowest rowid, is the one kept
            QCOMPARE(after.ftsIds.keys(u"dc"_s), QList<qint64> {m_plantedRows.ftsIds.keys(u"dc"_s).first()});
        } else if (cls == "messy-tags"_L1) {
            QCOMPARE(subcogGet(path, u"mt"_s)[0][2], u"a,b"_s);
            QVERIFY(row(u"mtn"_s).contains(u"''"_s));
        } else if (cls == "tags-drift"_L1) {
            QVERIFY(
                after.fts.values().contains(u"'td'|'drifting tags'|'"_s + contentHashTag(u"drifting tags"_s) + u'\''));
        } else if (cls == "legacy-domain"_L1) {
            QCOMPARE(subcogGet(path, u"ld"_s)[0][4], u"project"_s);
        } else if (cls == "noncanonical-namespace"_L1) {
            QCOMPARE(subcogGet(path, u"nn"_s)[0][1], u"tech-debt"_s);
        } else if (cls == "noncanonical-status"_L1) {
            QCOMPARE(subcogGet(path, u"ns"_s)[0][3], u"archived"_s);
        } else if (cls == "half-tombstoned"_L1) {
            QCOMPARE(subcogGet(path, u"ht"_s)[0][3], u"tombstoned"_s);
            QCOMPARE(subcogGet(path, u"ht2"_s)[0][6], u"1700000000"_s); // its created time
        } else if (cls == "expired-active"_L1) {
            QCOMPARE(subcogGet(path, u"ea"_s)[0][3], u"tombstoned"_s);
        } else if (cls == "stale-hash-tag"_L1) {
            QCOMPARE(subcogGet(path, u"sh"_s)[0][2], u"x,"_s + contentHashTag(u"edited later"_s) + u",y"_s);
        } else if (cls == "dangling-edge"_L1) {
            QCOMPARE(after.edges.keys(), QStringList {u"fine|de|related_to"_s});
        } else if (cls == "bad-summary"_L1) {
            QVERIFY2(row(u"bs"_s).contains(u"|0:integer|"_s), qPrintable(row(u"bs"_s)));
            QVERIFY2(row(u"bsj"_s).contains(u"'[]':text"_s), qPrintable(row(u"bsj"_s)));
        } else if (cls == "lost-edge"_L1) {
            QCOMPARE(after.edges.value(u"src|le|summarized_by"_s), u"1700000000"_s);
            QCOMPARE(after.edges.value(u"le|src|source_of"_s), u"1700000000"_s);
        } else if (cls == "duplicate-memory"_L1) {
            const QString hash = contentHashTag(u"same text"_s);
            QCOMPARE(subcogGet(path, u"dm1"_s)[0][2], u"old,"_s + hash + u",new,third"_s);
            QCOMPARE(subcogGet(path, u"dm1"_s)[0][3], u"active"_s);
            QCOMPARE(subcogGet(path, u"dm2"_s)[0][3], u"tombstoned"_s);
            QCOMPARE(subcogGet(path, u"dm3"_s)[0][3], u"tombstoned"_s);
            QVERIFY(after.edges.contains(u"dm1|dm2|supersedes"_s));
        }
    }

    // --fix all: everything fixable at once; what remains is for a person (and the classes repair does not do yet)
    void fixAll()
    {
        const QString path = copyOfPlanted(u"all"_s);
        const Result r = run({u"repair"_s, path, u"--fix"_s, u"all"_s});
        QVERIFY2(r.err.isEmpty(), r.err.constData());
        QCOMPARE(r.exitCode, 0);
        const QStringList fixable = sqliteRepairableClasses();
        FindingList expected {{u"missing-vector"_s, u"oc"_s}, {u"missing-vector"_s, u"summary_1700000123"_s}};
        for (const auto& f : std::as_const(m_plantedFindings)) {
            if (!fixable.contains(f.first))
                expected << f;
        }
        std::sort(expected.begin(), expected.end());
        QCOMPARE(check(path), expected);
        const QString dir = QFileInfo(path).absolutePath();
        QCOMPARE(graphRows(dir + u"/graph.db"_s), graphWithoutOrphans());
        QCOMPARE(sideBackups(path).size(), 2);
        // running it again finds nothing to do and writes no second backup
        const QByteArray bytes = fileBytes(path);
        const QByteArray vectors = fileBytes(dir + u"/vectors.idx"_s);
        const QByteArray graph = fileBytes(dir + u"/graph.db"_s);
        const Result again = run({u"repair"_s, path, u"--fix"_s, u"all"_s});
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.out.contains("nothing to repair"), again.out.constData());
        QCOMPARE(backupsBeside(path).size(), 1);
        QCOMPARE(sideBackups(path).size(), 2);
        QCOMPARE(fileBytes(path), bytes);
        QCOMPARE(fileBytes(dir + u"/vectors.idx"_s), vectors);
        QCOMPARE(fileBytes(dir + u"/graph.db"_s), graph);
    }

    void dryRunWritesNothing()
    {
        const QString path = copyOfPlanted(u"dry"_s);
        const QByteArray bytes = fileBytes(path);
        const QString dir = QFileInfo(path).absolutePath();
        const QByteArray graph = fileBytes(dir + u"/graph.db"_s);
        const Result r = run({u"repair"_s, path, u"--fix"_s, u"all"_s, u"--dry-run"_s});
        QVERIFY2(r.err.isEmpty(), r.err.constData());
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(fileBytes(path), bytes);
        QCOMPARE(fileBytes(dir + u"/vectors.idx"_s), m_plantedVectors);
        QCOMPARE(fileBytes(dir + u"/graph.db"_s), graph);
        QVERIFY(backupsBeside(path).isEmpty());
        QVERIFY(sideBackups(path).isEmpty());
        QVERIFY(QDir(dir).entryList({u"*.tmp"_s}, QDir::Files).isEmpty());
        QVERIFY(!r.out.contains("backup:"));
        QVERIFY2(r.out.startsWith("dry run: nothing written, no backup\n"), r.out.constData());
        for (const QByteArray& line : {QByteArray("ld: legacy-domain: domain 'global' → 'project'"),
                                       QByteArray("nn: noncanonical-namespace: namespace 'tech_debt' → 'tech-debt'"),
                                       QByteArray("mc: missing-content: status 'active' → 'tombstoned'"),
                                       QByteArray("de: dangling-edge: delete edge 'de' → 'ghost' (related_to)"),
                                       QByteArray("gone-last: orphan-vector: delete its vector from vectors.idx"),
                                       QByteArray("ghost-mention: orphan-mention: delete the mention by entity "
                                                  "'ent_b' and decrement its mention_count"),
                                       QByteArray("oc: orphan-content: rebuild the memories row: namespace 'context'")})
            QVERIFY2(r.out.contains(line), r.out.constData());
        QCOMPARE(check(path), m_plantedFindings);
    }

    // classes a person has to decide are refused before anything is read or written
    void refusedClasses_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("message");
        for (const QString& cls : manualFindingClasses())
            QTest::newRow(qPrintable(cls)) << QStringList {u"--fix"_s, u"legacy-domain,"_s + cls}
                                           << QByteArray("no safe automatic fix for ").append(cls.toUtf8());
        QTest::newRow("unknown class") << QStringList {u"--fix"_s, u"everything"_s}
                                       << QByteArray("'everything' is not a class repair fixes");
        QTest::newRow("no --fix") << QStringList() << QByteArray("repair needs --fix");
        QTest::newRow("--delete without missing-content") << QStringList {u"--fix"_s, u"legacy-domain"_s, u"--delete"_s}
                                                          << QByteArray("--delete applies to missing-content only");
    }

    void refusedClasses()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, message);
        const QString path = copyOfPlanted(u"refused"_s);
        const QByteArray bytes = fileBytes(path);
        const Result r = run(QStringList {u"repair"_s, path} + args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), r.err.constData());
        QCOMPARE(fileBytes(path), bytes);
        QVERIFY(backupsBeside(path).isEmpty());
    }

    void idsLimitTheRepair()
    {
        const QString path = copyOfPlanted(u"ids"_s);
        const Result r
            = run({u"repair"_s, path, u"--fix"_s, u"legacy-domain,noncanonical-namespace"_s, u"--ids"_s, u"ld,fine"_s});
        QCOMPARE(r.exitCode, 0);
        const StoreRows after = readRows(path);
        QVERIFY(after.memories.value(u"ld"_s) != m_plantedRows.memories.value(u"ld"_s));
        QCOMPARE(after.memories.value(u"nn"_s), m_plantedRows.memories.value(u"nn"_s));
        QVERIFY(check(path).contains({u"noncanonical-namespace"_s, u"nn"_s}));
        QVERIFY(!check(path).contains({u"legacy-domain"_s, u"ld"_s}));
    }

    void unreadableStoreExitsOne()
    {
        const QString dir = m_dir.filePath(u"garbage"_s);
        QDir().mkpath(dir);
        const QString garbage = dir + u"/index.db"_s;
        {
            QFile file(garbage);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray(8192, 'x'));
        }
        const Result r = run({u"repair"_s, garbage, u"--fix"_s, u"all"_s});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("not a database"), r.err.constData());
        QVERIFY(backupsBeside(garbage).isEmpty());
    }

    // stores of every layout subcog wrote, with spec §9's anomalies and rows left in the -wal file: after --fix all
    // check finds nothing fixable but what was listed for a person, the backup holds the rows as they were, and
    // every memory the repair did not report changing is byte-for-byte as before
    void everyLayout_data()
    {
        QTest::addColumn<SqliteLayout>("layout");
        for (SqliteLayout layout : allSqliteLayouts())
            QTest::newRow(qPrintable(layoutName(layout))) << layout;
    }

    void everyLayout()
    {
        QFETCH(SqliteLayout, layout);
        GeneratorOptions options;
        options.count = 60;
        options.largeMemories = 0;
        const QString dir = m_dir.filePath(u"layout-"_s + layoutName(layout));
        QDir().mkpath(dir);
        const QString path = dir + u"/index.db"_s;
        writeSqliteStore(path, layout, options);
        const StoreRows before = readRows(path);
        QVERIFY(!before.memories.isEmpty());

        const Result r = run({u"repair"_s, path, u"--fix"_s, u"all"_s});
        QVERIFY2(r.exitCode == 0 || r.exitCode == 3, r.err.constData());
        QSet<QString> changed;
        for (const QString& line : QString::fromUtf8(r.out).split(u'\n')) {
            if (line.contains(u": "_s) && !line.startsWith(u"backup: "_s))
                changed.insert(line.section(u": "_s, 0, 0));
        }
        QSet<QString> leftForAPerson;
        for (const QString& line : QString::fromUtf8(r.err).split(u'\n', Qt::SkipEmptyParts)) {
            QVERIFY2(line.contains(u"none automatic"_s), qPrintable(line));
            leftForAPerson.insert(line.section(u' ', 2, 2).chopped(1));
        }
        const QStringList fixable = sqliteRepairableClasses();
        for (const auto& [cls, id] : check(path))
            QVERIFY2(!fixable.contains(cls) || leftForAPerson.contains(id), qPrintable(cls + u' ' + id));

        const StoreRows after = readRows(path);
        for (auto it = before.memories.cbegin(); it != before.memories.cend(); ++it) {
            if (!changed.contains(it.key()))
                QCOMPARE(after.memories.value(it.key()), it.value());
        }
        const auto m = QRegularExpression(u"^backup: (.*)$"_s, QRegularExpression::MultilineOption)
                           .match(QString::fromUtf8(r.out));
        QVERIFY2(m.hasMatch(), r.out.constData());
        QCOMPARE(readRows(m.captured(1)), before);
    }

    // what has no automatic fix is listed on stderr and makes the exit code 3; the rest is repaired
    void leftForAPerson()
    {
        const QString path = copyOfPlanted(u"person"_s);
        {
            StoreWriter w(path);
            w.add({.id = u"bsm"_s,
                   .content = u"summary of a gone memory"_s,
                   .tags = u""_s,
                   .isSummary = 1,
                   .sourceIds = u"[\"gone\"]"_s});
        }
        const Result r = run({u"repair"_s, path, u"--fix"_s, u"bad-summary"_s});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("skipped bsm: bad-summary: sources no longer exist: gone: none automatic"),
                 r.err.constData());
        QVERIFY2(r.out.contains("bs: bad-summary: is_summary NULL → 0"), r.out.constData());
        const FindingList after = check(path);
        QVERIFY(after.contains({u"bad-summary"_s, u"bsm"_s}));
        QVERIFY(!after.contains({u"bad-summary"_s, u"bs"_s}));
    }

    // a write the store refuses (here a trigger) rolls its batch back; exit 1 names the backup
    void failedWriteRollsBackItsBatch()
    {
        const QString path = copyOfPlanted(u"trigger"_s);
        {
            StoreWriter w(path);
            w.sql(u"CREATE TRIGGER refuse BEFORE UPDATE ON memories WHEN NEW.id = 'nn' "
                  "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"_s);
        }
        const StoreRows before = readRows(path);
        const Result r = run({u"repair"_s, path, u"--fix"_s, u"legacy-domain,noncanonical-namespace"_s});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("refused by a trigger; 0 memories were repaired before it; the backup is "),
                 r.err.constData());
        QCOMPARE(readRows(path), before);
        QCOMPARE(backupsBeside(path).size(), 1);

        // one memory a transaction: the batches before the refused one stay written ('#!?', 'ld', 'ld "q"…' sort
        // before 'nn')
        SqliteRepairOptions options;
        options.classes = {u"legacy-domain"_s, u"noncanonical-namespace"_s};
        options.batchSize = 1;
        QString message;
        try {
            repairSqliteStore(path, options);
        } catch (const StorageError& e) {
            message = e.message();
        }
        QVERIFY2(message.contains(u"refused by a trigger; 3 memories were repaired before it"_s), qPrintable(message));
        QCOMPARE(subcogGet(path, u"ld"_s)[0][4], u"project"_s);
        QCOMPARE(subcogGet(path, u"nn"_s)[0][1], u"tech_debt"_s);
    }

    // a backup that cannot be written (here: its name would be longer than the file system allows) stops the
    // repair before any change
    void backupFailureWritesNothing()
    {
        const QString dir = m_dir.filePath(u"longname"_s);
        QDir().mkpath(dir);
        const QString path = dir + u'/' + QString(240, u'x') + u".db"_s;
        QVERIFY(QFile::copy(m_planted, path));
        const QByteArray bytes = fileBytes(path);
        const Result r = run({u"repair"_s, path, u"--fix"_s, u"all"_s});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("cannot write the backup"), r.err.constData());
        QVERIFY(!r.out.contains("backup:"));
        QCOMPARE(fileBytes(path), bytes);
    }

    // a memory written by someone else between the plan and the write is skipped and reported, not overwritten;
    // the others are repaired, one transaction per batch
    void changedMeanwhileIsSkipped()
    {
        const QString path = copyOfPlanted(u"meanwhile"_s);
        SqliteRepairOptions options;
        options.classes = {u"legacy-domain"_s, u"expired-active"_s, u"noncanonical-status"_s};
        options.ids = {u"ld"_s, u"ea"_s, u"ns"_s};
        options.batchSize = 1;
        options.beforeWrites = [&] {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"other-writer"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"UPDATE memories SET branch = 'edited meanwhile' WHERE id = 'ld'"_s));
            QVERIFY(q.exec(u"UPDATE memories_fts SET content = 'edited too' WHERE id = 'ns'"_s));
            q.finish();
            db.close();
        };
        const SqliteRepairReport report = repairSqliteStore(path, options);
        QSqlDatabase::removeDatabase(u"other-writer"_s);
        QStringList skipped;
        for (const RepairChange& c : report.skipped)
            skipped << c.id;
        skipped.sort();
        QCOMPARE(skipped, (QStringList {u"ld"_s, u"ns"_s}));
        QCOMPARE(report.memories, 1);
        QCOMPARE(subcogGet(path, u"ld"_s)[0][4], u"global"_s);
        QCOMPARE(subcogGet(path, u"ns"_s)[0][3], u"ARCHIVED"_s);
        QCOMPARE(subcogGet(path, u"ea"_s)[0][3], u"tombstoned"_s);
        QVERIFY(QFile::exists(report.backupPath));

        // the command line exits 3 when something is skipped, e.g. an edge of an unknown type left for a person
        const QString cli = copyOfPlanted(u"meanwhile-cli"_s);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"edge"_s);
            db.setDatabaseName(cli);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec(u"INSERT INTO memory_edges VALUES ('fine', 'src', 'inspires', 1)"_s));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"edge"_s);
        const Result r = run({u"repair"_s, cli, u"--fix"_s, u"dangling-edge"_s});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("skipped fine: dangling-edge: edge 'fine' → 'src' (inspires): unknown edge type"),
                 r.err.constData());
    }

    // a backup never replaces a file: the same second's name gets a suffix
    void backupNeverOverwrites()
    {
        const QString path = copyOfPlanted(u"backup"_s);
        SqliteRepairOptions options;
        options.classes = {u"legacy-domain"_s};
        options.now = 1800000000; // 2027-01-15 08:00:00 UTC
        const QString taken = path + u".backup-20270115-080000.db"_s;
        {
            QFile file(taken);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("someone's file");
        }
        const SqliteRepairReport report = repairSqliteStore(path, options);
        QCOMPARE(report.backupPath, path + u".backup-20270115-080000-2.db"_s);
        QCOMPARE(fileBytes(taken), QByteArray("someone's file"));
        QCOMPARE(readRows(report.backupPath), m_plantedRows);
    }

    // undo of a repair leaves a memory another process changed since: that one is listed, the rest go back
    void undoLeavesWhatAnotherWriterChanged()
    {
        const QString path = copyOfPlanted(u"undo-meanwhile"_s);
        SqliteRepairOptions options;
        options.classes = {u"legacy-domain"_s, u"expired-active"_s};
        options.ids = {u"ld"_s, u"ea"_s};
        const SqliteRepairReport report = repairSqliteStore(path, options);
        QCOMPARE(report.memories, 2);
        QStringList ids;
        for (const RepairChange& c : report.changes)
            ids << c.id;
        const RepairImages images = sqliteRepairImages(path, {report.backupPath}, ids);
        QCOMPARE(images.memories().size(), 2);

        // a separate writer process, as subcog would be
        QProcess writer;
        writer.start(u"sqlite3"_s, {path, u"UPDATE memories SET branch = 'theirs' WHERE id = 'ea'"_s});
        QVERIFY(writer.waitForFinished(30000));
        QCOMPARE(writer.exitCode(), 0);

        const RepairRestoreOutcome undone = restoreRepairImages(images, true);
        QCOMPARE(undone.skipped, QStringList {u"ea"_s});
        QCOMPARE(undone.restored, QStringList {u"ld"_s});
        const StoreRows rows = readRows(path);
        QCOMPARE(rows.memories.value(u"ld"_s), m_plantedRows.memories.value(u"ld"_s));
        QVERIFY2(rows.memories.value(u"ea"_s).contains(u"'theirs'"_s), qPrintable(rows.memories.value(u"ea"_s)));
        QCOMPARE(subcogGet(path, u"ea"_s)[0][3], u"tombstoned"_s);
    }

    // Cancel after the backup: what was written stays (whole memories), the rest is left, the report says so
    void cancelStopsARepairBetweenMemories()
    {
        const QString path = copyOfPlanted(u"cancel"_s);
        SqliteRepairOptions options;
        options.classes = {u"messy-tags"_s, u"legacy-domain"_s, u"noncanonical-namespace"_s, u"expired-active"_s};
        options.batchSize = 1;
        qint64 written = 0;
        options.progress = [&](qint64 done, qint64) { written = done; };
        options.cancelled = [&] { return written >= 2; };
        const SqliteRepairReport report = repairSqliteStore(path, options);
        QVERIFY(report.cancelled);
        QVERIFY(QFile::exists(report.backupPath));
        QCOMPARE(report.memories, 2);
        // what check still finds of those classes is exactly what was not written
        qint64 left = 0;
        for (const auto& f : check(path))
            left += options.classes.contains(f.first) ? 1 : 0;
        qint64 planted = 0;
        for (const auto& f : std::as_const(m_plantedFindings))
            planted += options.classes.contains(f.first) ? 1 : 0;
        QVERIFY2(left > 0 && left < planted, qPrintable(u"%1 of %2"_s.arg(left).arg(planted)));
        QCOMPARE(readRows(report.backupPath), m_plantedRows);
    }

    // a vector or mention whose memory appears between the plan and the write is kept and reported; a vectors.idx
    // that subcog saved meanwhile is not replaced
    void aroundChangedMeanwhile()
    {
        const QString path = copyOfPlanted(u"around-meanwhile"_s);
        const QString dir = QFileInfo(path).absolutePath();
        SqliteRepairOptions options;
        options.classes = {u"orphan-vector"_s, u"orphan-mention"_s};
        options.beforeWrites = [&] {
            StoreWriter w(path);
            w.add({.id = u"gone-middle"_s, .content = u"written by subcog meanwhile"_s});
            w.add({.id = u"ghost-mention"_s, .content = u"this one too"_s});
        };
        const SqliteRepairReport report = repairSqliteStore(path, options);
        QStringList skipped;
        for (const RepairChange& c : report.skipped) {
            QVERIFY2(c.what.startsWith(u"changed since the check, not repaired: "_s), qPrintable(c.what));
            skipped << c.findingClass + u' ' + c.id;
        }
        skipped.sort();
        QCOMPARE(skipped,
                 (QStringList {u"orphan-mention ghost-mention"_s, u"orphan-mention ghost-mention"_s,
                               u"orphan-vector gone-middle"_s}));
        QCOMPARE(report.changes.size(), 3); // two vectors, one mention
        QCOMPARE(report.memories, 3);
        QVERIFY(report.backupPath.isEmpty());
        QCOMPARE(report.sideBackupPaths.size(), 2);
        QCOMPARE(fileBytes(dir + u"/vectors.idx"_s),
                 plantedVectorsWithout({u"gone \"first\" \\ \u00e9"_s, u"gone-last"_s}));
        QStringList graph = m_plantedGraph;
        graph.removeIf([](const QString& row) { return row.contains(u"'ghost-two'"_s); });
        QCOMPARE(graphRows(dir + u"/graph.db"_s), graph);

        const QString saved = copyOfPlanted(u"around-saved"_s);
        const QString savedDir = QFileInfo(saved).absolutePath();
        const QByteArray bySubcog = vectorsIdx({u"fine"_s, u"gone-last"_s});
        options.classes = {u"orphan-vector"_s};
        options.beforeWrites = [&] { writeBytes(savedDir + u"/vectors.idx"_s, bySubcog); };
        QString message;
        try {
            repairSqliteStore(saved, options);
        } catch (const StorageError& e) {
            message = e.message();
        }
        QVERIFY2(message.contains(u"vectors.idx: changed since the check"_s) && message.contains(u"the backup is "_s),
                 qPrintable(message));
        QCOMPARE(fileBytes(savedDir + u"/vectors.idx"_s), bySubcog);
        QVERIFY(QDir(savedDir).entryList({u"*.tmp"_s}, QDir::Files).isEmpty());
    }

    // usearch's binary index cannot be edited without the library: its orphans are listed for a person
    void usearchOrphansAreLeftForAPerson()
    {
        const QString path = copyOfPlanted(u"usearch"_s);
        const QString dir = QFileInfo(path).absolutePath();
        QVERIFY(QFile::remove(dir + u"/vectors.idx"_s));
        QStringList ids = m_plantedRows.memories.keys();
        ids << u"ghost-u"_s;
        const QByteArray meta = usearchMeta(ids);
        writeBytes(dir + u"/vectors.meta.json"_s, meta);
        writeBytes(dir + u"/vectors.usearch"_s, QByteArray(4096, '\x02'));
        QVERIFY(check(path).contains({u"orphan-vector"_s, u"ghost-u"_s}));
        const Result r = run({u"repair"_s, path, u"--fix"_s, u"orphan-vector"_s});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("skipped ghost-u: orphan-vector: its vector is in usearch's binary vectors.usearch: "
                                "none automatic"),
                 r.err.constData());
        QVERIFY2(r.out.contains("nothing to repair"), r.out.constData());
        QCOMPARE(fileBytes(dir + u"/vectors.meta.json"_s), meta);
        QCOMPARE(fileBytes(dir + u"/vectors.usearch"_s), QByteArray(4096, '\x02'));
        QVERIFY(sideBackups(path).isEmpty());
        QVERIFY(backupsBeside(path).isEmpty());
    }

    // the memories are repaired first: a vector whose memory orphan-content rebuilds is no orphan any more
    void rebuiltMemoryKeepsItsVector()
    {
        const QString path = copyOfPlanted(u"rebuilt"_s);
        const QString dir = QFileInfo(path).absolutePath();
        writeBytes(dir + u"/vectors.idx"_s, vectorsIdx(m_vectorIds + QStringList {u"oc"_s}));
        QVERIFY(check(path).contains({u"orphan-vector"_s, u"oc"_s}));
        const Result r = run({u"repair"_s, path, u"--fix"_s, u"orphan-content,orphan-vector"_s});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("skipped oc: orphan-vector: changed since the check, not repaired: delete its vector "
                                "from vectors.idx"),
                 r.err.constData());
        const FindingList after = check(path);
        QVERIFY(!after.contains({u"orphan-vector"_s, u"oc"_s}));
        QVERIFY(!after.contains({u"missing-vector"_s, u"oc"_s}));
        QVERIFY(after.contains({u"missing-vector"_s, u"summary_1700000123"_s}));
        QVERIFY(fileBytes(dir + u"/vectors.idx"_s).contains("\"oc\":["));
    }

    // a vectors.idx the repair cannot read is a clear error before anything is written
    void damagedVectorsFileWritesNothing()
    {
        const QString path = copyOfPlanted(u"damaged-vectors"_s);
        const QString dir = QFileInfo(path).absolutePath();
        const QByteArray cut = m_plantedVectors.chopped(9);
        writeBytes(dir + u"/vectors.idx"_s, cut);
        const QByteArray bytes = fileBytes(path);
        const Result r = run({u"repair"_s, path, u"--fix"_s, u"orphan-vector,legacy-domain"_s});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("vectors.idx: not subcog's JSON at byte "), r.err.constData());
        QCOMPARE(fileBytes(dir + u"/vectors.idx"_s), cut);
        QCOMPARE(fileBytes(path), bytes);
        QVERIFY(backupsBeside(path).isEmpty());
        QVERIFY(sideBackups(path).isEmpty());
    }

    // another process rewrites a repaired memory's content after the repair (as subcog does: its full-text row
    // deleted and inserted anew): undo of duplicate-content leaves it, and the old duplicate does not come back
    void undoLeavesAMemoryAnotherWriterRewrote()
    {
        const QString path = copyOfPlanted(u"undo-rewritten"_s);
        SqliteRepairOptions options;
        options.classes = {u"duplicate-content"_s};
        const SqliteRepairReport report = repairSqliteStore(path, options);
        QVERIFY(report.memories >= 1);
        const RepairImages images = sqliteRepairImages(path, {report.backupPath}, {u"dc"_s}, options.classes);
        QProcess writer;
        writer.start(u"sqlite3"_s,
                     {path,
                      u"DELETE FROM memories_fts WHERE id = 'dc'; INSERT INTO memories_fts "
                      "(id, content, tags) VALUES ('dc', 'NEW content', '')"_s});
        QVERIFY(writer.waitForFinished(30000));
        QCOMPARE(writer.exitCode(), 0);
        const RepairRestoreOutcome undone = restoreRepairImages(images, true);
        QCOMPARE(undone.skipped, QStringList {u"dc"_s});
        QCOMPARE(subcogGet(path, u"dc"_s).value(0).value(0), u"NEW content"_s);
        QCOMPARE(readRows(path).ftsIds.keys(u"dc"_s).size(), 1);
    }

    // an edge another process adds while a namespace is repaired is not the repair's: undo keeps it
    void undoKeepsWhatAnotherWriterAddedDuringTheRepair()
    {
        const QString path = copyOfPlanted(u"undo-during"_s);
        SqliteRepairOptions options;
        options.classes = {u"noncanonical-namespace"_s};
        options.beforeWrites = [&] {
            QProcess writer;
            writer.start(u"sqlite3"_s,
                         {path, u"INSERT INTO memory_edges VALUES ('fine', 'nn', 'related_to', 1700000001)"_s});
            QVERIFY(writer.waitForFinished(30000));
            QCOMPARE(writer.exitCode(), 0);
        };
        const SqliteRepairReport report = repairSqliteStore(path, options);
        QCOMPARE(report.memories, 1);
        const RepairImages images = sqliteRepairImages(path, {report.backupPath}, {u"nn"_s}, options.classes);
        const RepairRestoreOutcome undone = restoreRepairImages(images, true);
        QCOMPARE(undone.restored, QStringList {u"nn"_s});
        QCOMPARE(subcogGet(path, u"nn"_s)[0][1], u"tech_debt"_s);
        QVERIFY(readRows(path).edges.contains(u"fine|nn|related_to"_s));
    }
};

QTEST_GUILESS_MAIN(TestRepair)
#include "tst_repair.moc"
