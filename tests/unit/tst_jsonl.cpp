// SPDX-License-Identifier: MIT
#include "fixturegenerator.h"
#include "jsonl.h"
#include "testhelpers.h"
#include "vectorsfile.h"

#include <QJsonArray>
#include <QJsonDocument>
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
};

QTEST_GUILESS_MAIN(TestJsonl)
#include "tst_jsonl.moc"
