// SPDX-License-Identifier: MIT
// Every export format written from full-fidelity JSON lines (RecordTranscoder, the path SQLite's direct lines take)
// gives the bytes the Memory encoders give: on hostile memories in a time zone with daylight saving, and on SQLite
// stores of every layout with their anomalies (a whole-store export against the same memories exported by id).
#include "exporter.h"
#include "fixturegenerator.h"
#include "jsonl.h"
#include "storeopener.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {

const ExportFormat kFormats[]
    = {ExportFormat::JsonLines, ExportFormat::Json, ExportFormat::Csv, ExportFormat::Markdown, ExportFormat::Subcog};

/// The memories the encoders find hardest: every character each format escapes, lists, nulls, odd spellings.
QList<Memory> hostileMemories()
{
    QList<Memory> list;
    auto add = [&](const QString& id, const QString& content) -> Memory& {
        Memory m;
        m.id = id;
        m.content = content;
        m.namespaceName = u"decisions"_s;
        m.domain = u"project"_s;
        m.status = u"active"_s;
        m.createdAt = 1700000000 + list.size() * 7919;
        m.updatedAt = m.createdAt;
        list.append(m);
        return list.last();
    };
    add(u"plain"_s, u"just words"_s);
    add(u"comma"_s, u"a, b"_s).tags = {u"x"_s, u"y"_s};
    add(u"quote"_s, u"say \"hi\""_s).source = u"src \"q\""_s;
    add(u"lines"_s, u"one\ntwo\r\nthree\rfour\n"_s).filePath = u"a|b\nc"_s;
    add(u"pipes"_s, u"| a | b |"_s).branch = u"feat|x"_s;
    add(u"ticks"_s, u"```` fence ``` and ` and ``"_s);
    add(u"tickend"_s, u"ends in ``"_s);
    Memory& controls = add(u"controls"_s, u"tab\there\u0001\u001f\b\f\\back\\slash/"_s);
    controls.projectId = u"p,\"q\""_s;
    controls.groupId = u""_s;
    add(u"unicode"_s, u"Grüße 日本語 😀 \u2028"_s).tags = {u"ünï"_s, u"日本"_s};
    add(u"lone"_s, u"lone "_s + QChar(0xd800) + u" surrogate"_s);
    add(u"nul"_s, QString(u"nul\u0000inside"_s));
    add(u"empty"_s, QString());
    Memory& lists = add(u"lists"_s, u"summary"_s);
    lists.isSummary = true;
    lists.sourceMemoryIds = QStringList {u"a1"_s, u"b,2"_s, u"c\"3"_s};
    lists.consolidationTimestamp = 1711846800; // 2024-03-31 01:00 UTC: Berlin's switch to summer time that night
    lists.tags = {u"one"_s};
    Memory& noIds = add(u"noids"_s, u"x"_s);
    noIds.sourceMemoryIds = QStringList();
    Memory& odd = add(u"odd"_s, u"odd spellings"_s);
    odd.namespaceName = u"TechDebt"_s;
    odd.status = u"ARCHIVED"_s;
    odd.domain = QString();
    odd.tombstonedAt = 1729990800; // 2024-10-27 01:00 UTC: back to winter time
    odd.expiresAt = 0;
    Memory& unknown = add(u"unknown"_s, u"unknown spellings"_s);
    unknown.namespaceName = u"no-such"_s;
    unknown.status = QString();
    unknown.domain = u"org/repo"_s;
    unknown.createdAt = 4102444800; // 2100
    unknown.updatedAt = 86399;
    Memory& old = add(u"old"_s, u"before 1970"_s);
    old.createdAt = -86400 * 400;
    old.expiresAt = 253402300799; // 9999-12-31
    add(u"id|with\nbreak"_s, u"odd id"_s);
    // larger than a chunk of the output, with escapes on both sides of the chunk edges
    QString big;
    while (big.size() < 3 * 1024 * 1024)
        big += u"line, with \"quotes\" | and ``` ticks\tand tabs ü\n"_s;
    add(u"big"_s, big).tags = {u"big"_s};
    return list;
}

/// A format's bytes for `memories` from their JSON lines, cut into chunks as an export cuts them.
QByteArray transcoded(ExportFormat format, const QList<Memory>& memories, int batch)
{
    auto encoder = RecordEncoder::create(format);
    QByteArray written;
    QByteArray out;
    const auto spill = [&] {
        written += out;
        out.clear();
    };
    encoder->begin(out);
    for (qsizetype i = 0; i < memories.size(); i += batch) {
        QByteArray lines;
        for (const Memory& m : memories.mid(i, batch))
            appendJsonLine(lines, m);
        encoder->records(out, lines, spill);
    }
    encoder->end(out);
    return written + out;
}

QByteArray exported(PersistenceBackend& store, ExportFormat format, const ExportSource& source)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    Exporter(store, format, 50).run(source, buffer);
    return buffer.data();
}

} // namespace

class TestExportFormats : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void linesGiveTheMemoryEncodersBytes_data()
    {
        QTest::addColumn<int>("formatIndex");
        for (const ExportFormat f : kFormats)
            QTest::newRow(qPrintable(exportFormatName(f))) << int(f);
    }

    void linesGiveTheMemoryEncodersBytes()
    {
        QVERIFY(qgetenv("TZ") == "Europe/Berlin"); // the offsets change inside the memories' days
        QFETCH(int, formatIndex);
        const auto format = ExportFormat(formatIndex);
        QList<Memory> memories = hostileMemories();
        Fixtures::GeneratorOptions options;
        options.count = 300;
        const Fixtures::GeneratedStore generated = [&] {
            QTemporaryDir dir;
            return Fixtures::writeSqliteStore(dir.filePath(u"t.db"_s), Fixtures::SqliteLayout::Head, options);
        }();
        for (const Memory& m : generated.truth) {
            if (!generated.missingContentIds.contains(m.id))
                memories.append(m);
        }
        const QByteArray expected = encodeMemories(format, memories);
        QVERIFY(expected.size() > 3 * 1024 * 1024);
        for (const int batch : {1, 7, 1000}) {
            const QByteArray actual = transcoded(format, memories, batch);
            if (actual != expected) {
                qsizetype at = 0;
                while (at < actual.size() && at < expected.size() && actual[at] == expected[at])
                    ++at;
                QFAIL(qPrintable(u"batch %1: differs at byte %2: %3 | expected %4"_s.arg(batch).arg(at).arg(
                    QString::fromUtf8(actual.mid(qMax(0, at - 80), 160)),
                    QString::fromUtf8(expected.mid(qMax(0, at - 80), 160)))));
            }
        }
    }

    void wholeStoreExportEqualsTheExportById_data()
    {
        QTest::addColumn<int>("layoutIndex");
        for (const Fixtures::SqliteLayout layout : Fixtures::allSqliteLayouts())
            QTest::newRow(qPrintable(Fixtures::layoutName(layout))) << int(layout);
    }

    void wholeStoreExportEqualsTheExportById()
    {
        // the whole store goes through scanJsonLines and the transcoder; memories by id through the Memory encoders
        QTemporaryDir dir;
        Fixtures::GeneratorOptions options;
        options.count = 200;
        QFETCH(int, layoutIndex);
        const auto layout = Fixtures::SqliteLayout(layoutIndex);
        const Fixtures::GeneratedStore generated
            = Fixtures::writeSqliteStore(dir.filePath(u"store.db"_s), layout, options);
        OpenOptions open;
        open.readOnly = true;
        auto store = openStore(u"sqlite:"_s + generated.path, open);
        ExportSource whole;
        ExportSource byId;
        for (const QByteArray& line : exported(*store, ExportFormat::JsonLines, whole).split('\n')) {
            if (!line.isEmpty())
                byId.ids << QJsonDocument::fromJson(line).object().value(u"id"_s).toString();
        }
        QVERIFY(byId.ids.size() > 200);
        for (const ExportFormat format : kFormats) {
            const QByteArray a = exported(*store, format, whole);
            const QByteArray b = exported(*store, format, byId);
            QVERIFY2(a == b, qPrintable(exportFormatName(format)));
        }
    }
};

QTEST_GUILESS_MAIN(TestExportFormats)
#include "tst_exportformats.moc"
