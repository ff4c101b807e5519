// SPDX-License-Identifier: MIT
// The encoders of a Memory's fields: table cells (display), editor text and edits read back, and every export
// format, record by record. Pure functions: no thread, no store. Runs in UTC (TZ in tests/CMakeLists.txt), so local
// times are fixed.
#include "exporter.h"
#include "memoryfields.h"

#include <QDateTime>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {

// Quotes, a comma and a line break in the content, a pipe in the path: what the tabular formats must escape.
Memory decision()
{
    Memory m;
    m.id = u"m1"_s;
    m.content = u"Use \"ORM\", not raw SQL\nsecond line"_s;
    m.namespaceName = u"decisions"_s;
    m.domain = u"acme/web"_s;
    m.projectId = u"git@x:acme/web"_s;
    m.filePath = u"src/a|b.rs"_s;
    m.status = u"active"_s;
    m.createdAt = 1700000000; // 2023-11-14 22:13:20 UTC
    m.updatedAt = 1700000100;
    m.tags = {u"db"_s, u"orm"_s};
    return m;
}

// A tombstoned summary: a tab and a run of backticks in the content, a legacy empty domain, a namespace in another
// spelling, source ids with a comma between them.
Memory summary()
{
    Memory m;
    m.id = u"m2"_s;
    m.content = u"a\tb ``` c"_s;
    m.namespaceName = u"Decisions"_s;
    m.status = u"tombstoned"_s;
    m.createdAt = 5;
    m.updatedAt = 5;
    m.tombstonedAt = 1700000200;
    m.source = u"cli"_s;
    m.isSummary = true;
    m.sourceMemoryIds = QStringList {u"m1"_s, u"m0"_s};
    m.groupId = u"g"_s;
    return m;
}

Memory byName(const QString& name)
{
    return name == "summary"_L1 ? summary() : decision();
}

const QByteArray kHeader = "id,content,namespace,domain,project_id,branch,file_path,status,created_at,updated_at,"
                           "tombstoned_at,expires_at,tags,source,is_summary,source_memory_ids,consolidation_timestamp,"
                           "group_id";

const QByteArray kDecisionObject
    = "{\"id\":\"m1\",\"content\":\"Use \\\"ORM\\\", not raw SQL\\nsecond "
      "line\",\"namespace\":\"decisions\",\"domain\":\"acme/web\","
      "\"project_id\":\"git@x:acme/web\",\"branch\":null,\"file_path\":\"src/a|b.rs\",\"status\":\"active\","
      "\"created_at\":1700000000,\"updated_at\":1700000100,\"tombstoned_at\":null,\"expires_at\":null,\"tags\":[\"db\","
      "\"orm\"],"
      "\"source\":null,\"is_summary\":false,\"source_memory_ids\":null,\"consolidation_timestamp\":null,\"group_id\":"
      "null}";

} // namespace

class TestMemoryFields : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QCOMPARE(MemoryFields::formatTime(0), u"1970-01-01 00:00:00"_s); }

    void displayText_data()
    {
        QTest::addColumn<QString>("memory");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("expected");
        const auto row = [](const char* name, const char* memory, MemoryColumn column, const QString& expected) {
            QTest::newRow(name) << QString::fromLatin1(memory) << int(column) << expected;
        };
        row("content: first line, more marked", "decision", MemoryColumn::Content, u"Use \"ORM\", not raw SQL …"_s);
        row("content: one line as it is", "summary", MemoryColumn::Content, u"a\tb ``` c"_s);
        row("created: local time", "decision", MemoryColumn::CreatedAt, u"2023-11-14 22:13:20"_s);
        row("expires: unset is blank", "decision", MemoryColumn::ExpiresAt, QString());
        row("tombstoned", "summary", MemoryColumn::TombstonedAt, u"2023-11-14 22:16:40"_s);
        row("summary yes", "summary", MemoryColumn::IsSummary, u"Yes"_s);
        row("summary no", "decision", MemoryColumn::IsSummary, u"No"_s);
        row("no embedding", "decision", MemoryColumn::Embedding, u"—"_s);
        row("legacy empty domain is project", "summary", MemoryColumn::Domain, u"project"_s);
        row("domain", "decision", MemoryColumn::Domain, u"acme/web"_s);
        row("tags", "decision", MemoryColumn::Tags, u"db, orm"_s);
        row("no tags", "summary", MemoryColumn::Tags, QString());
        row("source ids", "summary", MemoryColumn::SourceMemoryIds, u"m1, m0"_s);
        row("no source ids", "decision", MemoryColumn::SourceMemoryIds, QString());
        row("unset optional", "decision", MemoryColumn::Branch, QString());
        row("namespace as stored", "summary", MemoryColumn::Namespace, u"Decisions"_s);
        row("path with a pipe", "decision", MemoryColumn::FilePath, u"src/a|b.rs"_s);
    }
    void displayText()
    {
        QFETCH(QString, memory);
        QFETCH(int, column);
        QFETCH(QString, expected);
        QCOMPARE(MemoryFields::displayText(byName(memory), MemoryColumn(column)), expected);
    }

    void embeddingDimensions()
    {
        Memory m = decision();
        m.embedding = QList<float> {0.5f, -1.0f, 2.0f};
        QCOMPARE(MemoryFields::displayText(m, MemoryColumn::Embedding), u"3 dimensions"_s);
        QCOMPARE(MemoryFields::editText(m, MemoryColumn::Embedding), u"3"_s);
    }

    void rawValue_data()
    {
        QTest::addColumn<QString>("memory");
        QTest::addColumn<int>("column");
        QTest::addColumn<QVariant>("expected");
        QTest::newRow("seconds, not local time")
            << u"decision"_s << int(MemoryColumn::CreatedAt) << QVariant(qint64(1700000000));
        QTest::newRow("unset time is null") << u"decision"_s << int(MemoryColumn::ExpiresAt) << QVariant();
        QTest::newRow("unset text is null") << u"decision"_s << int(MemoryColumn::Branch) << QVariant();
        QTest::newRow("tags as a list") << u"decision"_s << int(MemoryColumn::Tags)
                                        << QVariant(QStringList {u"db"_s, u"orm"_s});
        QTest::newRow("domain as stored") << u"summary"_s << int(MemoryColumn::Domain) << QVariant(QString());
        QTest::newRow("flag") << u"summary"_s << int(MemoryColumn::IsSummary) << QVariant(true);
    }
    void rawValue()
    {
        QFETCH(QString, memory);
        QFETCH(int, column);
        QFETCH(QVariant, expected);
        const QVariant raw = MemoryFields::rawValue(byName(memory), MemoryColumn(column));
        QCOMPARE(raw.isNull(), expected.isNull());
        if (!expected.isNull()) {
            QCOMPARE(raw.metaType(), expected.metaType());
            QCOMPARE(raw, expected);
        }
    }

    // An edit in the editor's own form, read back: what the field then shows in the editor, or why it was refused.
    void applyEdit_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<QVariant>("input");
        QTest::addColumn<QString>("expected"); // editText after the edit
        QTest::addColumn<bool>("refused");
        const auto ok = [](const char* name, MemoryColumn column, const QVariant& input, const QString& expected) {
            QTest::newRow(name) << int(column) << input << expected << false;
        };
        const auto refused = [](const char* name, MemoryColumn column, const QVariant& input) {
            QTest::newRow(name) << int(column) << input << QString() << true;
        };
        ok("namespace trimmed", MemoryColumn::Namespace, u"  patterns "_s, u"patterns"_s);
        ok("namespace canonical spelling", MemoryColumn::Namespace, u"TECH_DEBT"_s, u"tech-debt"_s);
        refused("namespace unknown", MemoryColumn::Namespace, u"nope"_s);
        ok("content", MemoryColumn::Content, u" kept as typed \n"_s, u" kept as typed \n"_s);
        refused("content blank", MemoryColumn::Content, u" \n "_s);
        ok("status canonical", MemoryColumn::Status, u"ARCHIVED"_s, u"archived"_s);
        refused("status unknown", MemoryColumn::Status, u"gone"_s);
        ok("domain user", MemoryColumn::Domain, u"user"_s, u"user"_s);
        ok("domain org/repo", MemoryColumn::Domain, u" other/repo "_s, u"other/repo"_s);
        refused("domain with a space", MemoryColumn::Domain, u"a b"_s);
        refused("domain of four parts", MemoryColumn::Domain, u"a/b/c/d"_s);
        refused("domain blank", MemoryColumn::Domain, u" "_s);
        ok("project blank unsets", MemoryColumn::Project, u"   "_s, QString());
        ok("branch", MemoryColumn::Branch, u"main"_s, u"main"_s);
        ok("source", MemoryColumn::Source, u"hook"_s, u"hook"_s);
        ok("tags trimmed, blank and doubled dropped", MemoryColumn::Tags, u"b, a,, b , "_s, u"b, a"_s);
        ok("tags as a list", MemoryColumn::Tags, QStringList {u" x "_s, u"y"_s}, u"x, y"_s);
        ok("tags cleared", MemoryColumn::Tags, QString(), QString());
        refused("tag with a comma", MemoryColumn::Tags, QStringList {u"x,y"_s});
        ok("expires: a date is its local midnight", MemoryColumn::ExpiresAt, u"2024-01-02"_s, u"2024-01-02 00:00:00"_s);
        ok("expires: Unix seconds", MemoryColumn::ExpiresAt, u"1700000000"_s, u"2023-11-14 22:13:20"_s);
        ok("expires: date and minutes", MemoryColumn::ExpiresAt, u"2024-01-02 03:04"_s, u"2024-01-02 03:04:00"_s);
        ok("expires: a date-time", MemoryColumn::ExpiresAt,
           QDateTime(QDate(2024, 1, 2), QTime(3, 4, 5), QTimeZone::utc()), u"2024-01-02 03:04:05"_s);
        ok("expires: blank unsets", MemoryColumn::ExpiresAt, u" "_s, QString());
        refused("expires: words", MemoryColumn::ExpiresAt, u"soon"_s);
        refused("expires: before 1970", MemoryColumn::ExpiresAt, u"-5"_s);
        refused("id", MemoryColumn::Id, u"other"_s);
        refused("created", MemoryColumn::CreatedAt, u"2024-01-02"_s);
        refused("summary flag", MemoryColumn::IsSummary, u"true"_s);
    }
    void applyEdit()
    {
        QFETCH(int, column);
        QFETCH(QVariant, input);
        QFETCH(QString, expected);
        QFETCH(bool, refused);
        Memory m = decision();
        const QString why = MemoryFields::applyEdit(m, MemoryColumn(column), input);
        QCOMPARE(!why.isEmpty(), refused);
        if (refused) {
            QVERIFY(m.sameFields(decision())); // a refused edit changes nothing
            return;
        }
        QCOMPARE(MemoryFields::editText(m, MemoryColumn(column)), expected);
        // the editor's text reads back to the same memory
        Memory again = m;
        QCOMPARE(MemoryFields::applyEdit(again, MemoryColumn(column), MemoryFields::editText(m, MemoryColumn(column))),
                 QString());
        QVERIFY(again.sameFields(m));
    }

    // subcog's two tombstone markers move together, as its delete and restore do
    void tombstoneMarkers()
    {
        Memory m = decision();
        QCOMPARE(MemoryFields::applyEdit(m, MemoryColumn::Status, u"tombstoned"_s), QString());
        QVERIFY(m.tombstonedAt);
        QCOMPARE(MemoryFields::applyEdit(m, MemoryColumn::Status, u"active"_s), QString());
        QVERIFY(!m.tombstonedAt);
        QCOMPARE(MemoryFields::applyEdit(m, MemoryColumn::TombstonedAt, u"1700000000"_s), QString());
        QCOMPARE(m.status, u"tombstoned"_s);
        QCOMPARE(MemoryFields::applyEdit(m, MemoryColumn::TombstonedAt, QString()), QString());
        QCOMPARE(m.status, u"active"_s);
        QVERIFY(!m.tombstonedAt);
    }

    void parseTime_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expected"); // -1: not a time
        QTest::newRow("seconds") << u"1700000000"_s << qint64(1700000000);
        QTest::newRow("seconds, spaces") << u" 42 "_s << qint64(42);
        QTest::newRow("negative seconds") << u"-1"_s << qint64(-1);
        QTest::newRow("date") << u"2024-01-02"_s << qint64(1704153600);
        QTest::newRow("ISO with zone") << u"2024-01-02T03:04:05+01:00"_s << qint64(1704161045);
        QTest::newRow("ISO UTC") << u"2024-01-02T03:04:05Z"_s << qint64(1704164645);
        QTest::newRow("table form") << u"2024-01-02 03:04:05"_s << qint64(1704164645);
        QTest::newRow("minutes") << u"2024-01-02 03:04"_s << qint64(1704164640);
        QTest::newRow("before 1970") << u"1969-12-31"_s << qint64(-1);
        QTest::newRow("words") << u"tomorrow"_s << qint64(-1);
        QTest::newRow("blank") << QString() << qint64(-1);
    }
    void parseTime()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expected);
        const auto parsed = MemoryFields::parseTime(text);
        QCOMPARE(parsed.has_value(), expected >= 0);
        if (parsed)
            QCOMPARE(*parsed, expected);
    }

    void preview_data()
    {
        QTest::addColumn<QString>("content");
        QTest::addColumn<int>("maxChars");
        QTest::addColumn<QString>("expected");
        QTest::newRow("one line") << u"  hello  "_s << 200 << u"hello"_s;
        QTest::newRow("more lines") << u"first \nsecond"_s << 200 << u"first …"_s;
        QTest::newRow("leading blank lines") << u"\n\n  first\nsecond"_s << 200 << u"first …"_s;
        QTest::newRow("too long") << u"abcdef"_s << 3 << u"abc…"_s;
        QTest::newRow("exactly long enough") << u"abc"_s << 3 << u"abc"_s;
        QTest::newRow("empty") << QString() << 200 << QString();
    }
    void preview()
    {
        QFETCH(QString, content);
        QFETCH(int, maxChars);
        QFETCH(QString, expected);
        QCOMPARE(MemoryFields::preview(content, maxChars), expected);
    }

    // One record in each export format, byte for byte.
    void exportFormats_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("memory");
        QTest::addColumn<QByteArray>("expected");
        const auto row = [](const char* name, ExportFormat format, const char* memory, const QByteArray& expected) {
            QTest::newRow(name) << int(format) << QString::fromLatin1(memory) << expected;
        };
        row("jsonl", ExportFormat::JsonLines, "decision", kDecisionObject + '\n');
        row("jsonl keeps stored spellings", ExportFormat::JsonLines, "summary",
            "{\"id\":\"m2\",\"content\":\"a\\tb ``` "
            "c\",\"namespace\":\"Decisions\",\"domain\":\"\",\"project_id\":null,"
            "\"branch\":null,\"file_path\":null,\"status\":\"tombstoned\",\"created_at\":5,\"updated_at\":5,"
            "\"tombstoned_at\":1700000200,\"expires_at\":null,\"tags\":[],\"source\":\"cli\",\"is_summary\":true,"
            "\"source_memory_ids\":[\"m1\",\"m0\"],\"consolidation_timestamp\":null,\"group_id\":\"g\"}"
            "\n");
        row("json", ExportFormat::Json, "decision", "[\n" + kDecisionObject + "\n]\n");
        row("subcog", ExportFormat::Subcog, "decision",
            "{\"id\":\"m1\",\"content\":\"Use \\\"ORM\\\", not raw SQL\\nsecond line\",\"namespace\":\"decisions\","
            "\"domain\":\"acme/web\",\"project_id\":\"git@x:acme/web\",\"branch\":null,\"file_path\":\"src/a|b.rs\","
            "\"status\":\"active\",\"created_at\":1700000000,\"updated_at\":1700000100,\"tags\":[\"db\",\"orm\"]}"
            "\n");
        row("subcog: canonical strings, absent path left out", ExportFormat::Subcog, "summary",
            "{\"id\":\"m2\",\"content\":\"a\\tb ``` "
            "c\",\"namespace\":\"decisions\",\"domain\":\"project\",\"project_id\":null,"
            "\"branch\":null,\"status\":\"tombstoned\",\"created_at\":5,\"updated_at\":5,\"tags\":[],\"source\":"
            "\"cli\"}"
            "\n");
        row("csv: quoted where RFC 4180 says", ExportFormat::Csv, "decision",
            kHeader + "\r\n"
                + "m1,\"Use \"\"ORM\"\", not raw SQL\nsecond line\",decisions,acme/web,git@x:acme/web,,src/a|b.rs,"
                  "active,1700000000,1700000100,,,\"db,orm\",,false,,,\r\n");
        row("csv: a tab is plain, source ids joined", ExportFormat::Csv, "summary",
            kHeader + "\r\n"
                + "m2,a\tb ``` c,Decisions,project,,,,tombstoned,5,5,1700000200,,,cli,true,\"m1,m0\",,g\r\n");
        row("tsv: tabs and line breaks escaped", ExportFormat::Tsv, "decision",
            QByteArray(kHeader).replace(',', '\t') + "\n"
                + "m1\tUse \"ORM\", not raw SQL\\nsecond line\tdecisions\tacme/web\tgit@x:acme/web\t\tsrc/a|b.rs\t"
                  "active\t1700000000\t1700000100\t\t\tdb,orm\t\tfalse\t\t\t\n");
        row("tsv: a tab in a cell", ExportFormat::Tsv, "summary",
            QByteArray(kHeader).replace(',', '\t') + "\n"
                + "m2\ta\\tb ``` "
                  "c\tDecisions\tproject\t\t\t\ttombstoned\t5\t5\t1700000200\t\t\tcli\ttrue\tm1,m0\t\tg\n");
        row("markdown: set fields, times both ways, pipes escaped", ExportFormat::Markdown, "decision",
            "## m1\n\n| Field | Value |\n| --- | --- |\n"
            "| namespace | decisions |\n"
            "| domain | acme/web |\n"
            "| project_id | git@x:acme/web |\n"
            "| file_path | src/a\\|b.rs |\n"
            "| status | active |\n"
            "| created_at | 2023-11-14 22:13:20 (`1700000000`) |\n"
            "| updated_at | 2023-11-14 22:15:00 (`1700000100`) |\n"
            "| tags | db,orm |\n"
            "| is_summary | false |\n"
            "\n```markdown\nUse \"ORM\", not raw SQL\nsecond line\n```\n\n");
        row("markdown: a fence longer than the content's backticks", ExportFormat::Markdown, "summary",
            "## m2\n\n| Field | Value |\n| --- | --- |\n"
            "| namespace | Decisions |\n"
            "| domain | project |\n"
            "| status | tombstoned |\n"
            "| created_at | 1970-01-01 00:00:05 (`5`) |\n"
            "| updated_at | 1970-01-01 00:00:05 (`5`) |\n"
            "| tombstoned_at | 2023-11-14 22:16:40 (`1700000200`) |\n"
            "| source | cli |\n"
            "| is_summary | true |\n"
            "| source_memory_ids | m1,m0 |\n"
            "| group_id | g |\n"
            "\n````markdown\na\tb ``` c\n````\n\n");
    }
    void exportFormats()
    {
        QFETCH(int, format);
        QFETCH(QString, memory);
        QFETCH(QByteArray, expected);
        QCOMPARE(encodeMemories(ExportFormat(format), {byName(memory)}), expected);
    }

    // A memory whose content row is missing is left out, not written with empty content.
    void missingContentLeftOut_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("jsonl") << int(ExportFormat::JsonLines) << QByteArray();
        QTest::newRow("json") << int(ExportFormat::Json) << QByteArray("[]\n");
        QTest::newRow("csv") << int(ExportFormat::Csv) << kHeader + "\r\n";
        QTest::newRow("md") << int(ExportFormat::Markdown) << QByteArray();
    }
    void missingContentLeftOut()
    {
        QFETCH(int, format);
        QFETCH(QByteArray, expected);
        Memory m = decision();
        m.content.clear();
        m.flags |= MemoryFlag::MissingContent;
        QStringList leftOut;
        QCOMPARE(encodeMemories(ExportFormat(format), {m}, &leftOut), expected);
        QCOMPARE(leftOut, QStringList {u"m1"_s});
    }

    void formatNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("format"); // -1: not a format
        QTest::addColumn<QString>("suffix");
        QTest::newRow("jsonl") << u"jsonl"_s << int(ExportFormat::JsonLines) << u"jsonl"_s;
        QTest::newRow("JSON, any case") << u"JSON"_s << int(ExportFormat::Json) << u"json"_s;
        QTest::newRow("markdown alias") << u"markdown"_s << int(ExportFormat::Markdown) << u"md"_s;
        QTest::newRow("subcog is NDJSON") << u"subcog"_s << int(ExportFormat::Subcog) << u"ndjson"_s;
        QTest::newRow("ndjson alias") << u"ndjson"_s << int(ExportFormat::Subcog) << u"ndjson"_s;
        QTest::newRow("xml") << u"xml"_s << -1 << QString();
    }
    void formatNames()
    {
        QFETCH(QString, name);
        QFETCH(int, format);
        QFETCH(QString, suffix);
        const auto parsed = exportFormatFromName(name);
        QCOMPARE(parsed.has_value(), format >= 0);
        if (parsed) {
            QCOMPARE(int(*parsed), format);
            QCOMPARE(exportFormatSuffix(*parsed), suffix);
        }
    }
};

QTEST_GUILESS_MAIN(TestMemoryFields)
#include "tst_memoryfields.moc"
