// SPDX-License-Identifier: MIT
// subcog's audit.log (spec §14.3) read by AuditLogIndex and AuditLogReader: real files, appended, truncated,
// rotated and tampered with as a person or logrotate would.
#include "auditlog.h"
#include "auditlogreader.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
/// One audit entry as subcog's serde writes it (compact, fields in struct order).
QByteArray entry(const QString& id, const QString& resource, const QString& action, const QString& previous = {},
                 const QString& signature = {}, const QString& outcome = u"success"_s)
{
    QJsonObject o {{u"id"_s, id},
                   {u"timestamp"_s, u"2026-01-05T10:00:00.123456789+00:00"_s},
                   {u"event_type"_s, QString(u"memory."_s + action)},
                   {u"actor"_s, u"system"_s},
                   {u"action"_s, action},
                   {u"outcome"_s, outcome},
                   {u"metadata"_s, QJsonObject {{u"namespace"_s, u"decisions"_s}, {u"line_of"_s, id}}}};
    if (!resource.isEmpty())
        o.insert(u"resource"_s, resource);
    if (!signature.isEmpty()) {
        o.insert(u"hmac_signature"_s, signature);
        o.insert(u"previous_hmac"_s, previous);
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

void write(const QString& path, const QByteArray& bytes, QIODevice::OpenMode mode = QIODevice::WriteOnly)
{
    QFile file(path);
    QVERIFY(file.open(mode));
    QCOMPARE(file.write(bytes), bytes.size());
}

QList<qint64> linesOf(const QList<AuditEvent>& events)
{
    QList<qint64> lines;
    for (const AuditEvent& e : events)
        lines << e.line;
    return lines;
}

QList<qint64> breaksOf(const QList<AuditEvent>& events)
{
    QList<qint64> lines;
    for (const AuditEvent& e : events) {
        if (e.chainBreak)
            lines << e.line;
    }
    return lines;
}

/// The chain of the tests: entries e1..e12 signed s1..s12, each continuing the one before.
QList<QByteArray> chain()
{
    QList<QByteArray> lines;
    const QStringList resources {
        u"subcog://project/decisions/mem-a"_s, // 1
        u"mem-b"_s, // 2
        u"subcog://user/learnings/mem-a"_s, // 3
        QString(), // 4: a recall, no resource
        u"mem-b"_s, // 5
        u"mem-b"_s, // 6
        u"subcog://project/patterns/mem-a"_s, // 7
        u"subcog://org/acme/decisions/mem-c"_s, // 8: an X/Y domain; the id is still after the last '/'
        u"mem-b"_s, // 9
        u"mem-a"_s, // 10
    };
    for (int i = 0; i < resources.size(); ++i) {
        const QString previous = i == 0 ? u"genesis"_s : u"s%1"_s.arg(i);
        lines << entry(u"e%1"_s.arg(i + 1), resources[i], i == 0 ? u"create"_s : u"update"_s, previous,
                       u"s%1"_s.arg(i + 1));
    }
    return lines;
}
} // namespace

class TestAuditLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(u"audit.log"_s);
        QFile::remove(m_path);
    }

    void intactChainWithUrnsAndBareIds()
    {
        write(m_path, chain().join());
        AuditLogIndex index(m_path);
        QCOMPARE(index.update(), AuditLogIndex::Update::Appended);
        const AuditLogSummary& s = index.summary();
        QCOMPARE(s.lines, 10);
        QCOMPARE(s.entries, 10);
        QCOMPARE(s.notJson, 0);
        QCOMPARE(s.signedEntries, 10);
        QCOMPARE(s.chainStarts, 1);
        QCOMPARE(s.chainBreaks, 0);
        qint64 total = 0;
        QList<AuditEvent> a = index.eventsOf(u"mem-a"_s, 100, &total);
        QCOMPARE(total, 4);
        QCOMPARE(linesOf(a), (QList<qint64> {1, 3, 7, 10}));
        QCOMPARE(a.first().action, u"create"_s);
        QCOMPARE(a.first().eventType, u"memory.create"_s);
        QCOMPARE(a.first().actor, u"system"_s);
        QCOMPARE(a.first().outcome, u"success"_s);
        QCOMPARE(a.first().entryId, u"e1"_s);
        QCOMPARE(a.first().resource, u"subcog://project/decisions/mem-a"_s);
        QVERIFY(a.first().isSigned);
        QVERIFY(a.first().metadata.contains("\"line_of\": \"e1\""));
        QCOMPARE(linesOf(index.eventsOf(u"mem-b"_s, 100)), (QList<qint64> {2, 5, 6, 9}));
        QCOMPARE(linesOf(index.eventsOf(u"mem-c"_s, 100)), (QList<qint64> {8}));
        QVERIFY(index.eventsOf(u"nobody"_s, 100).isEmpty());
        // the newest only, oldest first, with the count of all
        QCOMPARE(linesOf(index.eventsOf(u"mem-a"_s, 2, &total)), (QList<qint64> {7, 10}));
        QCOMPARE(total, 4);
    }

    void removedAndEditedLinesBreakTheChain()
    {
        QList<QByteArray> lines = chain();
        lines.removeAt(4); // e5 (mem-b) removed: e6's previous_hmac s5 is nowhere
        // e7's signature edited: e8 continues s7, which no line has any more
        lines[5] = QByteArray(lines[5]).replace("\"hmac_signature\":\"s7\"", "\"hmac_signature\":\"forged\"");
        write(m_path, lines.join());
        AuditLogIndex index(m_path);
        index.update();
        const AuditLogSummary& s = index.summary();
        QCOMPARE(s.entries, 9);
        QCOMPARE(s.chainBreaks, 2);
        QCOMPARE(s.firstBreakLine, 5); // e6, now on line 5
        QCOMPARE(breaksOf(index.eventsOf(u"mem-b"_s, 100)), (QList<qint64> {5}));
        QCOMPARE(breaksOf(index.eventsOf(u"mem-c"_s, 100)), (QList<qint64> {7})); // e8, after the edited e7
        QVERIFY(breaksOf(index.eventsOf(u"mem-a"_s, 100)).isEmpty());

        // an edited previous_hmac breaks the chain at that very line
        lines = chain();
        lines[2] = QByteArray(lines[2]).replace("\"previous_hmac\":\"s2\"", "\"previous_hmac\":\"sX\"");
        write(m_path, lines.join());
        AuditLogIndex edited(m_path);
        edited.update();
        QCOMPARE(edited.summary().chainBreaks, 1);
        QCOMPARE(edited.summary().firstBreakLine, 3);
        QCOMPARE(breaksOf(edited.eventsOf(u"mem-a"_s, 100)), (QList<qint64> {3}));
    }

    void restartsAndInterleavedProcessesAreNoBreaks()
    {
        // a hook process starts its own chain at "genesis" while the MCP server's chain goes on around it
        QByteArray bytes = entry(u"a1"_s, u"m1"_s, u"create"_s, u"genesis"_s, u"A1"_s)
            + entry(u"b1"_s, u"m2"_s, u"create"_s, u"genesis"_s, u"B1"_s)
            + entry(u"a2"_s, u"m1"_s, u"update"_s, u"A1"_s, u"A2"_s)
            + entry(u"b2"_s, u"m2"_s, u"update"_s, u"B1"_s, u"B2"_s)
            + entry(u"u1"_s, u"m1"_s, u"read"_s) // unsigned: subcog without a key
            + entry(u"a3"_s, u"m1"_s, u"update"_s, u"A2"_s, u"A3"_s)
            // two entries continuing the same one: a fork, which one process never writes
            + entry(u"a4"_s, u"m1"_s, u"update"_s, u"A2"_s, u"A4"_s);
        write(m_path, bytes);
        AuditLogIndex index(m_path);
        index.update();
        QCOMPARE(index.summary().signedEntries, 6);
        QCOMPARE(index.summary().chainStarts, 2);
        QCOMPARE(index.summary().chainBreaks, 1);
        QCOMPARE(index.summary().firstBreakLine, 7);
        const QList<AuditEvent> m1 = index.eventsOf(u"m1"_s, 100);
        QCOMPARE(linesOf(m1), (QList<qint64> {1, 3, 5, 6, 7}));
        QVERIFY(!m1[2].isSigned);
    }

    void aLongLivedChainSurvivesAnotherWritersThousands()
    {
        // a hook process writes one entry, the MCP server 9,000, then the hook process goes on from its entry
        QByteArray bytes = entry(u"s1"_s, u"m1"_s, u"create"_s, u"genesis"_s, u"S1"_s);
        bytes += entry(u"b1"_s, u"m2"_s, u"create"_s, u"genesis"_s, u"B1"_s);
        for (int i = 2; i <= 9000; ++i)
            bytes += entry(u"b%1"_s.arg(i), u"m2"_s, u"update"_s, u"B%1"_s.arg(i - 1), u"B%1"_s.arg(i));
        bytes += entry(u"s2"_s, u"m1"_s, u"update"_s, u"S1"_s, u"S2"_s);
        write(m_path, bytes);
        AuditLogIndex index(m_path);
        index.update();
        QCOMPARE(index.summary().signedEntries, 9002);
        QCOMPARE(index.summary().chainBreaks, 0);
    }

    void aLineOverOneMebibyteIsSkipped()
    {
        QList<QByteArray> lines = chain();
        // a torn write: 3 MiB without a newline, then the log goes on
        lines.insert(3, "{\"id\":\"" + QByteArray(3 << 20, 'x') + "\n");
        write(m_path, lines.join());
        AuditLogIndex index(m_path);
        index.update();
        const AuditLogSummary& s = index.summary();
        QCOMPARE(s.lines, 11);
        QCOMPARE(s.entries, 10);
        QCOMPARE(s.notJsonLines, (QList<qint64> {4}));
        QCOMPARE(s.bytes, QFileInfo(m_path).size());
        QCOMPARE(linesOf(index.eventsOf(u"mem-a"_s, 100)), (QList<qint64> {1, 3, 8, 11}));
        // still growing without a newline: nothing of it is counted yet, and the line is not held
        write(m_path, "{\"id\":\"" + QByteArray(2 << 20, 'y'), QIODevice::Append);
        index.update();
        QCOMPARE(index.summary().lines, 11);
        QVERIFY(index.summary().partialLastLine);
    }

    void linesThatAreNotJson()
    {
        QList<QByteArray> lines = chain();
        lines.insert(2, "this is not json\n");
        lines.insert(5, "{\"id\":\"cut\",\"resource\":\"mem-a\",\"action\":\"upd\n"); // a line cut short
        lines.insert(6, "\n"); // blank: neither an entry nor garbage
        lines.insert(7, "[1,2,3]\n"); // JSON, but no entry
        lines.insert(8, QByteArray("\x00\xff\xfe binary", 10) + "\n");
        write(m_path, lines.join());
        AuditLogIndex index(m_path);
        index.update();
        const AuditLogSummary& s = index.summary();
        QCOMPARE(s.lines, 15);
        QCOMPARE(s.entries, 10);
        QCOMPARE(s.notJson, 4);
        QCOMPARE(s.notJsonLines, (QList<qint64> {3, 6, 8, 9}));
        QCOMPARE(s.chainBreaks, 0); // no entry was lost: the garbage sits between intact links
        QCOMPARE(linesOf(index.eventsOf(u"mem-a"_s, 100)), (QList<qint64> {1, 4, 12, 15}));
    }

    /// Lines are JSON as RFC 8259 (and subcog's serde) say; QJsonDocument, which reads a line's event for the tab,
    /// is more lenient (`1.`, `.5`, `"\\x"`, raw tabs), so it must at least read every line the index took.
    void scannerIsStrictJson_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<bool>("entry");
        const QList<std::pair<QByteArray, bool>> lines {
            {"{}", true},
            {"{\"a\":1}", true},
            {" {\"a\" : [1, -2.5e+3, 0, -0.0E-2, true, false, null, {\"b\":\"c\"}, []]} ", true},
            {"{\"resource\":\"x\\u00e9\\n\\\"q\\\"\"}", true},
            {"{\"a\":\"\\/\\b\\f\\n\\r\\t\"}", true},
            {"{\"a\":" + QByteArray(300, '[') + QByteArray(300, ']') + "}", true},
            {"{\"a\":1,}", false},
            {"{,}", false},
            {"{\"a\" 1}", false},
            {"{'a':1}", false},
            {"{\"a\":01}", false},
            {"{\"a\":1.}", false},
            {"{\"a\":.5}", false},
            {"{\"a\":-}", false},
            {"{\"a\":1e}", false},
            {"{\"a\":tru}", false},
            {"{\"a\":nul}", false},
            {"{\"a\":\"\\x\"}", false},
            {"{\"a\":\"\\u12G4\"}", false},
            {"{\"a\":\"\\u12\"}", false},
            {"{\"a\":1}x", false},
            {"{\"a\":1}{\"b\":2}", false},
            {"{\"a\":[1,2}", false},
            {"{\"a\":[1,,2]}", false},
            {"{\"a\":[,]}", false},
            {"\"just a string\"", false},
            {"42", false},
            {"{\"a\":\"tab\tinside\"}", false},
            {QByteArray("{\"a\":\"\\\0\"}", 10), false},
            {QByteArray("{\"a\":\"\0\"}", 8), false},
            {"{\"a\":\"\\", false},
            {"{\"a\":\"", false},
            {"{\"a\"", false},
            {"{", false},
            {QByteArray(300, '[') + QByteArray(300, ']'), false},
            {QByteArray(2000, '[') + QByteArray(2000, ']'), false}, // deeper than any parser here goes
        };
        int i = 0;
        for (const auto& [line, entry] : lines)
            QTest::addRow("%d", i++) << line << entry;
    }
    void scannerIsStrictJson()
    {
        QFETCH(QByteArray, line);
        QFETCH(bool, entry);
        write(m_path, line + '\n');
        AuditLogIndex index(m_path);
        index.update();
        QCOMPARE(index.summary().entries, entry ? 1 : 0);
        QCOMPARE(index.summary().notJson, entry ? 0 : 1);
        if (entry) {
            QJsonParseError error;
            QVERIFY(QJsonDocument::fromJson(line, &error).isObject());
        }
    }

    void escapedResourceIsDecoded()
    {
        write(m_path,
              "{\"id\":\"e\",\"resource\":\"subcog:\\/\\/project\\/decisions\\/m\\u00e9\",\"action\":\"create\"}"
              "\n");
        AuditLogIndex index(m_path);
        index.update();
        QCOMPARE(index.eventsOf(u"mé"_s, 10).size(), 1);
    }

    void appendedLinesAreReadIncrementally()
    {
        QList<QByteArray> lines = chain();
        write(m_path, lines.mid(0, 6).join());
        AuditLogIndex index(m_path);
        QCOMPARE(index.update(), AuditLogIndex::Update::Appended);
        QCOMPARE(linesOf(index.eventsOf(u"mem-a"_s, 100)), (QList<qint64> {1, 3}));
        const qint64 firstPass = index.bytesRead();
        QVERIFY(firstPass >= QFileInfo(m_path).size() && firstPass <= QFileInfo(m_path).size() + 64);
        QCOMPARE(index.update(), AuditLogIndex::Update::Unchanged);

        const QByteArray more = lines.mid(6).join();
        write(m_path, more, QIODevice::Append);
        QCOMPARE(index.update(), AuditLogIndex::Update::Appended);
        QCOMPARE(linesOf(index.eventsOf(u"mem-a"_s, 100)), (QList<qint64> {1, 3, 7, 10}));
        QCOMPARE(index.summary().chainBreaks, 0); // the chain goes on across the two reads
        QCOMPARE(index.summary().reindexed, 0);
        // only the appended bytes were read, and the few before them that tell a rewrite
        QVERIFY2(index.bytesRead() - firstPass <= more.size() + 3 * 64,
                 qPrintable(u"%1 bytes read for %2 appended"_s.arg(index.bytesRead() - firstPass).arg(more.size())));

        // a line being written is indexed once it is complete
        const QByteArray last = entry(u"e11"_s, u"mem-a"_s, u"delete"_s, u"s10"_s, u"s11"_s);
        write(m_path, last.left(20), QIODevice::Append);
        QCOMPARE(index.update(), AuditLogIndex::Update::Unchanged);
        QVERIFY(index.summary().partialLastLine);
        QCOMPARE(index.summary().notJson, 0);
        write(m_path, last.mid(20), QIODevice::Append);
        QCOMPARE(index.update(), AuditLogIndex::Update::Appended);
        QVERIFY(!index.summary().partialLastLine);
        QCOMPARE(index.eventsOf(u"mem-a"_s, 100).last().action, u"delete"_s);
        QCOMPARE(index.summary().chainBreaks, 0);
    }

    void truncationAndRotationAreIndexedAgain()
    {
        const QList<QByteArray> lines = chain();
        write(m_path, lines.join());
        AuditLogIndex index(m_path);
        index.update();
        QCOMPARE(index.eventsOf(u"mem-a"_s, 100).size(), 4);

        // truncated (copytruncate), then a new process writes
        write(m_path, entry(u"n1"_s, u"mem-z"_s, u"create"_s, u"genesis"_s, u"N1"_s));
        QCOMPARE(index.update(), AuditLogIndex::Update::Reindexed);
        QCOMPARE(index.summary().reindexed, 1);
        QCOMPARE(index.summary().lines, 1);
        QVERIFY(index.eventsOf(u"mem-a"_s, 100).isEmpty());
        QCOMPARE(index.eventsOf(u"mem-z"_s, 100).size(), 1);
        QCOMPARE(index.summary().chainBreaks, 0);

        // rotated: renamed away and a new, longer file in its place (another inode)
        QVERIFY(QFile::rename(m_path, m_path + u".1"_s));
        write(m_path, lines.join());
        QCOMPARE(index.update(), AuditLogIndex::Update::Reindexed);
        QCOMPARE(index.summary().reindexed, 2);
        QCOMPARE(index.eventsOf(u"mem-a"_s, 100).size(), 4);
        QVERIFY(index.eventsOf(u"mem-z"_s, 100).isEmpty());

        // rewritten in place, same inode, longer: the indexed bytes changed
        {
            QFile file(m_path);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QByteArray all = file.readAll();
            all.replace("mem-a", "mem-q").replace("2026-01-05", "2026-01-06");
            QVERIFY(file.seek(0));
            file.write(all + entry(u"e11"_s, u"mem-q"_s, u"read"_s));
        }
        QCOMPARE(index.update(), AuditLogIndex::Update::Reindexed);
        QCOMPARE(index.eventsOf(u"mem-q"_s, 100).size(), 5);
        QVERIFY(index.eventsOf(u"mem-a"_s, 100).isEmpty());

        QVERIFY(QFile::remove(m_path));
        QCOMPARE(index.update(), AuditLogIndex::Update::Missing);
        QVERIFY(index.eventsOf(u"mem-q"_s, 100).isEmpty());
    }

    void candidates()
    {
        QCOMPARE(auditLogCandidates(u"/data/subcog/index.db"_s), QStringList {u"/data/subcog/audit.log"_s});
        QCOMPARE(auditLogCandidates(u"sqlite:/data/subcog/org/index.db"_s),
                 (QStringList {u"/data/subcog/org/audit.log"_s, u"/data/subcog/audit.log"_s}));
        QCOMPARE(auditLogCandidates(u"fs:/data/subcog/memories/"_s),
                 (QStringList {u"/data/subcog/memories/audit.log"_s, u"/data/subcog/audit.log"_s}));
        QCOMPARE(auditLogCandidates(u"fs:/data/subcog"_s), QStringList {u"/data/subcog/audit.log"_s});
        QVERIFY(auditLogCandidates(u"postgresql://u@localhost/subcog"_s).isEmpty());
        QVERIFY(auditLogCandidates(u"/data/backup.jsonl"_s).isEmpty());
    }

    void readerIndexesOffTheGuiThread()
    {
        // about 40 MB: the GUI thread's timer keeps ticking while the reader indexes it
        {
            QFile file(m_path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QByteArray block;
            for (int i = 0; i < 1000; ++i)
                block += entry(u"x%1"_s.arg(i), u"subcog://project/decisions/m%1"_s.arg(i % 97), u"read"_s);
            for (int i = 0; i < 160; ++i)
                file.write(block);
            file.write(entry(u"last"_s, u"target"_s, u"delete"_s, u"genesis"_s, u"L1"_s));
        }
        AuditLogReader reader;
        QSignalSpy located(&reader, &AuditLogReader::located);
        QSignalSpy read(&reader, &AuditLogReader::eventsRead);
        reader.setCandidates({m_dir.filePath(u"missing.log"_s), m_path});
        QElapsedTimer sinceTick;
        qint64 longestGap = 0;
        QTimer tick;
        QObject::connect(&tick, &QTimer::timeout, [&] { longestGap = qMax(longestGap, sinceTick.restart()); });
        tick.start(5);
        sinceTick.start();
        QElapsedTimer took;
        took.start();
        reader.request(u"target"_s);
        QVERIFY(read.wait(120000));
        tick.stop();
        QCOMPARE(located.first().first().toString(), m_path);
        QCOMPARE(read.first().at(0).toString(), u"target"_s);
        const auto events = read.first().at(1).value<QList<AuditEvent>>();
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().line, 160001);
        qInfo("indexed %lld bytes in %lld ms; longest GUI gap %lld ms", QFileInfo(m_path).size(), took.elapsed(),
              longestGap);
        QVERIFY2(longestGap < 1000, qPrintable(QString::number(longestGap)));

        // the next request reads only what was appended
        read.clear();
        write(m_path, entry(u"more"_s, u"target"_s, u"update"_s, u"L1"_s, u"L2"_s), QIODevice::Append);
        took.restart();
        reader.request(u"target"_s);
        QVERIFY(read.wait(10000));
        QCOMPARE(read.first().at(1).value<QList<AuditEvent>>().size(), 2);
        QCOMPARE(read.first().at(3).value<AuditLogSummary>().chainBreaks, 0);
        qInfo("appended line picked up in %lld ms", took.elapsed());

        // another file: the old answers go nowhere, the new file is read
        read.clear();
        const QString other = m_dir.filePath(u"other.log"_s);
        write(other, entry(u"o"_s, u"target"_s, u"create"_s));
        reader.request(u"target"_s);
        reader.setCandidates({other});
        reader.request(u"target"_s);
        QTRY_VERIFY(!read.isEmpty());
        QTest::qWait(200);
        QCOMPARE(read.size(), 1);
        QCOMPARE(read.first().at(1).value<QList<AuditEvent>>().first().entryId, u"o"_s);
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
