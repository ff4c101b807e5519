// SPDX-License-Identifier: MIT
#include "fixturegenerator.h"
#include "jsonl.h"
#include "testhelpers.h"
#include "vectorsfile.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestJsonl : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void escaping()
    {
        QByteArray out;
        appendJsonString(out, u"a\"b\\c\nd\re\tf\bg\fh\u0001i\u001fj ü 数 👩‍💻"_s);
        const QByteArray expected
            = QByteArray(R"("a\"b\\c\nd\re\tf\bg\fh\u0001i\u001fj )") + QString(u"ü 数 👩‍💻"_s).toUtf8() + '"';
        QCOMPARE(out, expected);
    }
    void everyKeyInOrder()
    {
        Memory m;
        m.id = u"x"_s;
        m.namespaceName = u"decisions"_s;
        m.domain = u"project"_s;
        m.status = u"active"_s;
        QByteArray out;
        appendJsonLine(out, m);
        QVERIFY(out.endsWith('\n'));
        QCOMPARE(out.count('\n'), 1);
        const QJsonObject o = QJsonDocument::fromJson(out).object();
        QCOMPARE(o.keys().size(), 18);
        const QList<QByteArray> order {"id",
                                       "content",
                                       "namespace",
                                       "domain",
                                       "project_id",
                                       "branch",
                                       "file_path",
                                       "status",
                                       "created_at",
                                       "updated_at",
                                       "tombstoned_at",
                                       "expires_at",
                                       "tags",
                                       "source",
                                       "is_summary",
                                       "source_memory_ids",
                                       "consolidation_timestamp",
                                       "group_id"};
        qsizetype at = 0;
        for (const QByteArray& key : order) {
            const qsizetype pos = out.indexOf(QByteArray("\"" + key + "\":"), at);
            QVERIFY2(pos >= at, key.constData());
            at = pos;
        }
        QVERIFY(o.value(u"project_id"_s).isNull());
        QCOMPARE(o.value(u"tags"_s).toArray().size(), 0);
        QCOMPARE(o.value(u"is_summary"_s), QJsonValue(false));
    }
    void encodesLikeQt()
    {
        // every kind of UTF-16 code unit, lone surrogates included, comes out as QString::toUtf8 would write it
        const char16_t units[] = {0x0000, 0x007f, 0x0080, 0x07ff, 0x0800, 0xd7ff, 0xd83d, 0xdc69, 0xdc69,
                                  0xd83d, 0x0041, 0xe000, 0xfffd, 0xffff, 0xdbff, 0xdfff, 0xd800};
        const QString text = QString::fromUtf16(units, std::size(units));
        QByteArray out("prefix");
        appendJsonString(out, text);
        QByteArray expected = text.toUtf8().replace(QByteArray(1, '\0'), "\\u0000");
        QCOMPARE(out, "prefix\"" + expected + '"');
        const QJsonDocument doc = QJsonDocument::fromJson("[" + out.mid(6) + "]");
        QVERIFY(doc.isArray());
        // an empty string and a long one that needs the buffer to grow
        out.clear();
        appendJsonString(out, QString());
        QCOMPARE(out, QByteArray("\"\""));
        const QString big(300000, u'\u0001');
        out.clear();
        appendJsonString(out, big);
        QCOMPARE(out.size(), 300000 * 6 + 2);
    }
    void agreesWithQtJson()
    {
        // the independent writer of the fixtures and ours must describe the same record
        Fixtures::MemoryStream stream(7);
        for (int i = 0; i < 200; ++i) {
            const Memory m = stream.next();
            QByteArray line;
            appendJsonLine(line, m);
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            QVERIFY2(doc.isObject(), qPrintable(error.errorString()));
            const QStringList diffs = Testing::diffRecords(doc.object(), Fixtures::toJson(m));
            QVERIFY2(diffs.isEmpty(), qPrintable(m.id + u": "_s + diffs.join(u"; "_s)));
        }
        Memory big = Testing::sampleMemory(u"big"_s);
        big.createdAt = 9007199254740993LL; // beyond double precision
        QByteArray line;
        appendJsonLine(line, big);
        QVERIFY(line.contains("\"created_at\":9007199254740993,"));
    }

    void vectorsFilesAndVectorText()
    {
        // subcog's vectors.idx (compact serde_json), ids with escapes, an unknown key, whitespace anywhere
        const QByteArray text
            = "{ \"dimensions\" : 3, \"extra\": {\"a\": [1, true, null]},\n"
              "  \"vectors\": {\"m\\u00fc\\\"1\": [0.1, 1e-7 ,-2.5e-7], \"m2\": [3.4028235e38,0.0,-0.5]}}";
        QString reason;
        const auto file = parseVectorsFile(text, &reason);
        QVERIFY2(file, qPrintable(reason));
        QCOMPARE(file->dimensions, 3);
        QCOMPARE(file->vectors.size(), 2);
        QCOMPARE(file->vectors.value(u"m\u00fc\"1"_s), (QList<float> {0.1f, 1e-7f, -2.5e-7f}));
        QCOMPARE(file->vectors.value(u"m2"_s), (QList<float> {3.4028235e38f, 0.0f, -0.5f}));
        // written back compact, f32 in serde's shortest form, ids sorted
        QCOMPARE(serializeVectorsFile(*file),
                 QByteArray("{\"dimensions\":3,\"vectors\":{\"m2\":[3.4028235e38,0.0,-0.5],")
                     + QString(u"\"m\u00fc\\\"1\""_s).toUtf8() + ":[0.1,1e-7,-2.5e-7]}}");
        for (const QByteArray& bad :
             {QByteArray("{\"vectors\":{}}"), QByteArray("{\"dimensions\":384,\"vectors\":{\"a\":[1,]}}"),
              QByteArray("{\"dimensions\":384,\"vectors\":{\"a\":[1e99]}}"), QByteArray("[]")}) {
            QVERIFY2(!parseVectorsFile(bad, &reason), bad.constData());
            QVERIFY(!reason.isEmpty());
        }
        // pgvector's embedding::text (and a JSONB array's text) read the same way
        QCOMPARE(parseVectorText("[0.1,1e-07,-2.5e-07]"),
                 (std::optional<QList<float>>(QList<float> {0.1f, 1e-7f, -2.5e-7f})));
        QCOMPARE(parseVectorText("[0.5, 2]"), (std::optional<QList<float>>(QList<float> {0.5f, 2.0f})));
        QVERIFY(!parseVectorText("[0.5,"));
        QVERIFY(!parseVectorText("0.5"));
        QCOMPARE(vectorText({1.0f, 1e21f, 0.033333335f}), QByteArray("[1.0,1e21,0.033333335]"));
        QVERIFY(vectorProblem({1.0f, 2.0f}, 2).isEmpty());
        QVERIFY(!vectorProblem({1.0f}, 2).isEmpty());
        QVERIFY(!vectorProblem({1.0f, std::numeric_limits<float>::quiet_NaN()}, 2).isEmpty());
    }

    // the check's scan of vectors.idx and vectors.meta.json: the ids and where each member lies, read in pieces
    void scanningForIds()
    {
        auto scan = [](const QByteArray& text, QLatin1StringView name, QList<JsonMemberSpan>* members) {
            QBuffer buffer;
            buffer.setData(text);
            buffer.open(QIODevice::ReadOnly);
            return scanJsonObjectMembers(buffer, name, [&](const JsonMemberSpan& m) {
                members->append(m);
                return true;
            });
        };
        const QByteArray small
            = "{ \"dimensions\" : 3, \"extra\": {\"a\": [1, true, null, \"]}\"]},\n"
              "  \"vectors\": {\"m\\u00fc\\\"1\": [0.1, 1e-7 ,-2.5e-7], \"m2\": [3.4028235e38,0.0,-0.5]}}";
        QList<JsonMemberSpan> members;
        JsonMemberScan result = scan(small, "vectors"_L1, &members);
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QCOMPARE(result.topLevelKeys, (QStringList {u"dimensions"_s, u"extra"_s, u"vectors"_s}));
        QCOMPARE(members.size(), 2);
        QCOMPARE(members[0].key, u"m\u00fc\"1"_s);
        QCOMPARE(small.mid(members[0].start, members[0].end - members[0].start),
                 QByteArray("\"m\\u00fc\\\"1\": [0.1, 1e-7 ,-2.5e-7]"));
        QCOMPARE(small.mid(members[1].start, members[1].end - members[1].start),
                 QByteArray("\"m2\": [3.4028235e38,0.0,-0.5]"));
        QCOMPARE(small.at(result.innerEnd), '}');
        QCOMPARE(result.innerEnd, small.size() - 2);

        // a file of several pieces, ids with escapes: the same ids as the full parser, every span a member's text
        QRandomGenerator random(7);
        QByteArray big = "{\"dimensions\":384,\"vectors\":{";
        for (int i = 0; i < 800; ++i) {
            if (i)
                big += i % 3 ? "," : " ,\n ";
            big += "\"id" + QByteArray::number(i) + (i % 5 ? "" : "\\\"\\u00e9\\\\") + "\":[";
            for (int d = 0; d < 384; ++d)
                big += (d ? "," : "") + QByteArray::number(random.bounded(2.0) - 1.0, 'g', 9);
            big += ']';
        }
        big += "}}";
        QVERIFY(big.size() > 2 * (1 << 20));
        members.clear();
        result = scan(big, "vectors"_L1, &members);
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QString reason;
        const auto parsed = parseVectorsFile(big, &reason);
        QVERIFY2(parsed, qPrintable(reason));
        QStringList scanned;
        for (const JsonMemberSpan& m : std::as_const(members)) {
            scanned << m.key;
            QVERIFY(big.at(m.start) == '"' && big.at(m.end - 1) == ']');
            QVERIFY(big.at(m.end) == ',' || big.at(m.end) == ' ' || big.at(m.end) == '}');
        }
        QStringList keys = parsed->vectors.keys();
        keys.sort();
        scanned.sort();
        QCOMPARE(scanned, keys);
        QCOMPARE(big.at(result.innerEnd), '}');

        // usearch's meta file: the keys of id_to_key
        members.clear();
        result = scan("{\"dimensions\":384,\"id_to_key\":{\"a\":1,\"b\":2},\"key_to_id\":{\"1\":\"a\"},\"next_key\":3}",
                      "id_to_key"_L1, &members);
        QVERIFY(result.error.isEmpty());
        QCOMPARE(members.size(), 2);
        QCOMPARE(members[1].key, u"b"_s);

        // damage: an error with the byte, never a crash; a cut anywhere is damage
        for (const QByteArray& bad :
             {QByteArray("{\"dimensions\":384,\"vectors\":{\"a\":[1,]}}"), QByteArray("[]"), QByteArray(""),
              QByteArray("{\"vectors\":{\"a\":[1]}} x"), QByteArray("{\"vectors\":{\"a\" [1]}}"),
              QByteArray("{\"vectors\":{\"a\\q\":[1]}}"), QByteArray("{\"vectors\":[1]}"),
              QByteArray("{\"vectors\":{\"a\":[1]}, \"x\": tru}")}) {
            members.clear();
            QVERIFY2(!scan(bad, "vectors"_L1, &members).error.isEmpty(), bad.constData());
        }
        for (qsizetype cut = 0; cut < small.size() - 1; ++cut) {
            members.clear();
            QVERIFY2(!scan(small.left(cut), "vectors"_L1, &members).error.isEmpty(), small.left(cut).constData());
        }
        // the callback stops the scan
        int calls = 0;
        QBuffer buffer;
        buffer.setData(big);
        buffer.open(QIODevice::ReadOnly);
        result = scanJsonObjectMembers(buffer, "vectors"_L1, [&](const JsonMemberSpan&) { return ++calls < 3; });
        QVERIFY(result.cancelled);
        QCOMPARE(calls, 3);
    }
};

QTEST_GUILESS_MAIN(TestJsonl)
#include "tst_jsonl.moc"
