// SPDX-License-Identifier: MIT
// The headless command line, run as a separate process the way scripts use it.
#include "fixturegenerator.h"
#include "storestats.h"
#include "testhelpers.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Fixtures;

namespace {
struct Result
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    bool crashed = false;
};
} // namespace

class TestCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QTemporaryDir m_home;
    GeneratedStore m_store;

    Result run(const QStringList& args, const QProcessEnvironment& extraEnv = {}, const QString& stdoutPath = {})
    {
        QProcess process;
        if (!stdoutPath.isEmpty())
            process.setStandardOutputFile(stdoutPath);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, m_home.path());
        env.remove(u"XDG_DATA_HOME"_s);
        env.remove(u"SUBCOG_CONFIG_PATH"_s);
        env.remove(u"DISPLAY"_s);
        env.remove(u"QT_QPA_PLATFORM"_s); // the headless commands need no display at all
        for (const QString& key : extraEnv.keys())
            env.insert(key, extraEnv.value(key));
        process.setProcessEnvironment(env);
        process.start(qEnvironmentVariable("INSPECTOR_BINARY"), args);
        Result r;
        if (!process.waitForFinished(120000)) {
            process.kill();
            return r;
        }
        r.crashed = process.exitStatus() != QProcess::NormalExit;
        r.exitCode = process.exitCode();
        r.out = process.readAllStandardOutput();
        r.err = process.readAllStandardError();
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QFile::exists(qEnvironmentVariable("INSPECTOR_BINARY")));
        GeneratorOptions options;
        options.count = 200;
        m_store = writeSqliteStore(m_dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
    }

    void helpAndVersion()
    {
        Result r = run({u"--help"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Exit codes"));
        QVERIFY(r.out.contains("export"));
        r = run({u"--version"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("SQLite"));
        QVERIFY(r.out.contains("libpqxx"));
    }

    void count()
    {
        Result r = run({u"count"_s, m_store.path});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed().toLongLong(), m_store.rowCount);
        r = run({u"count"_s, u"sqlite:"_s + m_store.path, u"--filter"_s, u"ns:decisions tombstoned:hide"_s});
        QCOMPARE(r.exitCode, 0);
        qint64 expected = 0;
        const ParsedFilter f = parseFilter(u"ns:decisions tombstoned:hide"_s);
        for (const Memory& m : m_store.truth)
            expected += f.filter.matches(m) ? 1 : 0;
        QCOMPARE(r.out.trimmed().toLongLong(), expected);
    }

    // `stats --json`: one object with every figure, following the filter; exit 1 unreadable, 2 usage or filter
    void statsJson()
    {
        Result r = run({u"stats"_s, m_store.path, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), r.out.constData());
        QCOMPARE(r.out.count('\n'), 1); // one line
        const QJsonObject o = doc.object();
        for (const char* key : {"total", "now", "summaries", "originals", "tombstoned", "expired", "withoutProject",
                                "withoutBranch", "contentHashTagged"})
            QVERIFY2(o.value(QLatin1StringView(key)).isDouble(), key);
        for (const char* key : {"namespaces", "unknownNamespaces", "statuses", "unknownStatuses", "domains", "scopes"})
            QVERIFY2(o.value(QLatin1StringView(key)).isObject(), key);
        for (const char* key : {"weeks", "topTags", "topProjects", "topBranches"})
            QVERIFY2(o.value(QLatin1StringView(key)).isArray(), key);
        QVERIFY(o.contains(u"withEmbedding"_s));
        QCOMPARE(o[u"total"_s].toInteger(), m_store.rowCount);
        qint64 sum = 0;
        for (const QJsonValue v : o[u"namespaces"_s].toObject())
            sum += v.toInteger();
        QCOMPARE(sum, m_store.rowCount);
        sum = 0;
        for (const QJsonValue v : o[u"weeks"_s].toArray()) {
            const QJsonObject week = v.toObject();
            QCOMPARE(StoreStats::weekStart(week[u"weekStart"_s].toInteger()), week[u"weekStart"_s].toInteger());
            sum += week[u"total"_s].toInteger();
        }
        QCOMPARE(sum, m_store.rowCount);
        QVERIFY(o[u"topTags"_s].toArray().size() <= 20);
        for (const QJsonValue v : o[u"topTags"_s].toArray())
            QVERIFY(v.toObject()[u"value"_s].isString() && v.toObject()[u"count"_s].isDouble());

        r = run({u"stats"_s, m_store.path, u"--json"_s, u"--filter"_s, u"ns:decisions tombstoned:hide"_s});
        QCOMPARE(r.exitCode, 0);
        const QByteArray counted
            = run({u"count"_s, m_store.path, u"--filter"_s, u"ns:decisions tombstoned:hide"_s}).out.trimmed();
        QCOMPARE(QJsonDocument::fromJson(r.out).object()[u"total"_s].toInteger(), counted.toLongLong());
        QCOMPARE(QJsonDocument::fromJson(r.out).object()[u"tombstoned"_s].toInteger(), 0);

        r = run({u"stats"_s, m_store.path});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Namespaces") && r.out.contains("Captures per week"));

        const QString garbage = m_dir.filePath(u"garbage.db"_s);
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        r = run({u"stats"_s, u"sqlite:"_s + garbage, u"--json"_s});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(run({u"stats"_s, m_dir.filePath(u"missing.db"_s)}).exitCode, 1);
        QCOMPARE(run({u"stats"_s, m_store.path, u"--filter"_s, u"colour:red"_s}).exitCode, 2);
        QCOMPARE(run({u"stats"_s}).exitCode, 2);
        QCOMPARE(run({u"stats"_s, m_store.path, m_store.path}).exitCode, 2);
    }

    // a data folder's vectors.idx: withEmbedding counts the memories passing the filter that have a vector there
    void statsCountsEmbeddingsOfADataFolder()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 20;
        const auto store = writeSqliteStore(dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
        const QString a = store.truth[0].id, b = store.truth[1].id;
        QFile idx(dir.filePath(u"vectors.idx"_s));
        QVERIFY(idx.open(QIODevice::WriteOnly));
        idx.write(QJsonDocument(QJsonObject {{u"dimensions"_s, 2},
                                             {u"vectors"_s,
                                              QJsonObject {{a, QJsonArray {1, 2}},
                                                           {b, QJsonArray {3, 4}},
                                                           {u"orphan"_s, QJsonArray {5, 6}}}}})
                      .toJson());
        idx.close();
        Result r = run({u"stats"_s, store.path, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out).object()[u"withEmbedding"_s].toInteger(), 2);
        r = run({u"stats"_s, store.path, u"--json"_s, u"--ids"_s, a + u","_s + store.truth[2].id});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out).object()[u"withEmbedding"_s].toInteger(), 1);
        QCOMPARE(QJsonDocument::fromJson(r.out).object()[u"total"_s].toInteger(), 2);
        QVERIFY(run({u"stats"_s, store.path}).out.contains("With an embedding"));
        // without vectors.idx there is no figure
        QVERIFY(QFile::remove(idx.fileName()));
        r = run({u"stats"_s, store.path, u"--json"_s});
        QVERIFY(QJsonDocument::fromJson(r.out).object()[u"withEmbedding"_s].isNull());
    }

    void exportJsonl()
    {
        const QString target = m_dir.filePath(u"out.jsonl"_s);
        const QByteArray before = Testing::fileHash(m_store.path);
        Result r = run({u"export"_s, m_store.path, u"--format"_s, u"jsonl"_s, u"-o"_s, target});
        QCOMPARE(r.exitCode, 3); // the fixture has undecodable rows: exported with a partial exit code
        QVERIFY(!r.crashed);
        // a memory without its full-text row is named and left out: missing content is not empty content
        QVERIFY(!m_store.missingContentIds.isEmpty());
        for (const QString& id : m_store.undecodableIds + m_store.missingContentIds)
            QVERIFY2(r.err.contains(QString(u"skipped "_s + id).toUtf8()), r.err.constData());
        for (const QString& id : m_store.orphanFtsIds)
            QVERIFY(r.err.contains(id.toUtf8()));
        QFile file(target);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QString error;
        const auto records = Testing::parseJsonLines(file.readAll(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(records.size(), m_store.truth.size() - m_store.missingContentIds.size());
        for (const Memory& m : m_store.truth) {
            if (m_store.missingContentIds.contains(m.id)) {
                QVERIFY(!records.contains(m.id));
                continue;
            }
            const QStringList diffs = Testing::diffRecords(records.value(m.id), toJson(m));
            QVERIFY2(diffs.isEmpty(), qPrintable(m.id + u": "_s + diffs.join(u"; "_s)));
        }
        QCOMPARE(Testing::fileHash(m_store.path), before);

        // to standard output, filtered
        r = run({u"export"_s, m_store.path, u"--format"_s, u"jsonl"_s, u"--filter"_s, u"ns:apis"_s});
        QCOMPARE(r.exitCode, 0);
        const auto apis = Testing::parseJsonLines(r.out, &error);
        QVERIFY(!apis.isEmpty());
        for (const QJsonObject& o : apis)
            QCOMPARE(o.value(u"namespace"_s).toString(), u"apis"_s);
        r = run({u"export"_s, m_store.path, u"--ids"_s, m_store.truth[3].id + u","_s + m_store.truth[5].id});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(Testing::parseJsonLines(r.out).size(), 2);
    }

    void everyFormatReadBackByPython()
    {
        // Python's json and csv modules are the independent readers; the JSON Lines export is the reference
        const QString python = QStandardPaths::findExecutable(u"python3"_s);
        QVERIFY2(!python.isEmpty(), "python3 is needed to read the exports back (scripts/dev installs it)");
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 250;
        options.anomalies = false;
        options.largeMemories = 1;
        const auto store = writeSqliteStore(dir.filePath(u"formats.db"_s), SqliteLayout::Head, options);
        const QString reference = dir.filePath(u"reference.jsonl"_s);
        QCOMPARE(run({u"export"_s, store.path, u"-o"_s, reference}).exitCode, 0);
        for (const QString& format : {u"json"_s, u"csv"_s, u"md"_s, u"subcog"_s}) {
            const QString target = dir.filePath(u"out."_s + format);
            const Result r = run({u"export"_s, store.path, u"--format"_s, format, u"-o"_s, target});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QProcess check;
            // from CTest's environment: QFINDTESTDATA needs __FILE__, which a compiler cache may make relative
            QString script = qEnvironmentVariable("INSPECTOR_CHECK_EXPORT");
            if (script.isEmpty())
                script = QFINDTESTDATA("../tools/check_export.py");
            check.start(python, {script, format, target, reference});
            QVERIFY(check.waitForFinished(120000));
            QVERIFY2(check.exitCode() == 0, check.readAllStandardError().constData());
        }
        QVERIFY(run({u"export"_s, store.path, u"--format"_s, u"yaml"_s}).exitCode == 2);
    }

    void getPrintsMemoriesById()
    {
        const Result r = run({u"get"_s, m_store.path, m_store.truth[2].id, u"no-such-id"_s, m_store.truth[0].id});
        QCOMPARE(r.exitCode, 3);
        QVERIFY(r.err.contains("no-such-id: no memory with this id"));
        const auto records = Testing::parseJsonLines(r.out);
        QCOMPARE(records.size(), 2);
        QVERIFY(Testing::diffRecords(records.value(m_store.truth[2].id), toJson(m_store.truth[2])).isEmpty());
        QCOMPARE(run({u"get"_s, m_store.path}).exitCode, 2);
    }

    void getNamesAMemoryWithoutContent()
    {
        // missing content is not empty content: named and left out, as export does
        const QString id = m_store.missingContentIds.value(0);
        QVERIFY(!id.isEmpty());
        const Result r = run({u"get"_s, m_store.path, id, m_store.truth[0].id});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(QString(id + u": "_s + missingContentReason()).toUtf8()), r.err.constData());
        const auto records = Testing::parseJsonLines(r.out);
        QCOMPARE(records.size(), 1);
        QVERIFY(records.contains(m_store.truth[0].id));
    }

    void copyOnTheCommandLine()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 120;
        options.anomalies = false;
        const auto store = writeSqliteStore(dir.filePath(u"src.db"_s), SqliteLayout::Head, options);
        const QString folder = u"fs:"_s + dir.filePath(u"copy"_s);
        Result r = run({u"copy"_s, store.path, folder, u"--dry-run"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("120 would be created"), r.out.constData());
        QVERIFY(!QFileInfo::exists(dir.filePath(u"copy"_s)));
        r = run({u"copy"_s, store.path, folder, u"--filter"_s, u"ns:decisions"_s});
        QCOMPARE(r.exitCode, 0);
        const QByteArray decisions = run({u"count"_s, store.path, u"--filter"_s, u"ns:decisions"_s}).out.trimmed();
        QCOMPARE(run({u"count"_s, folder}).out.trimmed(), decisions);
        r = run({u"copy"_s, store.path, folder});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QByteArray(decisions + " already equal")), r.out.constData());
        QCOMPARE(run({u"count"_s, folder}).out.trimmed(), QByteArray("120"));
        // a memory changed in the target stops a copy by default, and is replaced with --on-conflict overwrite
        QFile file(dir.filePath(u"copy/"_s + store.truth[0].id + u".json"_s));
        QVERIFY(file.open(QIODevice::ReadWrite));
        QByteArray bytes = file.readAll();
        bytes.replace("\"content\": \"", "\"content\": \"edited ");
        file.resize(0);
        file.write(bytes);
        file.close();
        r = run({u"copy"_s, store.path, folder});
        QCOMPARE(r.exitCode, 4);
        QVERIFY2(r.err.contains(store.truth[0].id.toUtf8()), r.err.constData());
        r = run({u"copy"_s, store.path, folder, u"--on-conflict"_s, u"overwrite"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("1 overwritten"), r.out.constData());
        QCOMPARE(run({u"copy"_s, store.path, u"sqlite:"_s + store.path}).exitCode, 2);
    }

    void copyCarriesEdgesAndEmbeddingsOrSaysWhatStaysBehind()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 200;
        options.anomalies = false;
        const auto store = writeSqliteStore(dir.filePath(u"src.db"_s), SqliteLayout::Head, options);
        auto countEdges = [](const QString& path, const QString& where) {
            qint64 n = -1;
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"edges"_s);
                db.setDatabaseName(path);
                QSqlQuery q(db);
                if (db.open() && q.exec(u"SELECT count(*) FROM memory_edges e"_s + where) && q.next())
                    n = q.value(0).toLongLong();
            }
            QSqlDatabase::removeDatabase(u"edges"_s);
            return n;
        };
        const qint64 all = countEdges(store.path, {});
        const qint64 whole = countEdges(store.path,
                                        u" WHERE e.from_id IN (SELECT id FROM memories) AND e.to_id IN (SELECT id "
                                        "FROM memories)"_s);
        QVERIFY(whole > 0);
        const QString copy = dir.filePath(u"dst.db"_s);
        Result r = run({u"copy"_s, store.path, u"sqlite:"_s + copy});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QByteArray("edges: " + QByteArray::number(whole) + " carried, "
                                           + QByteArray::number(all - whole) + " not carried")),
                 r.out.constData());
        QCOMPARE(countEdges(copy, {}), whole);
        // a folder has no edge table: said, and not a failure of the copy
        r = run({u"copy"_s, store.path, u"fs:"_s + dir.filePath(u"folder"_s)});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains(QByteArray("warning: " + QByteArray::number(all)
                                           + " edges not carried (target has no "
                                             "memory_edges table)")),
                 r.err.constData());

        // folder files with embeddings of 8 dimensions: a data folder's vectors.idx holds 384 (spec §14.2)
        GeneratorOptions folderOptions;
        folderOptions.count = 60;
        folderOptions.anomalies = false;
        const auto folder = writeFolderStore(dir.filePath(u"vectors"_s), folderOptions);
        QStringList withEmbedding;
        for (const Memory& m : folder.store.truth) {
            if (m.embedding)
                withEmbedding << m.id;
        }
        QVERIFY(!withEmbedding.isEmpty());
        const QByteArray n = QByteArray::number(withEmbedding.size());
        r = run({u"copy"_s, u"fs:"_s + folder.store.path, u"sqlite:"_s + dir.filePath(u"other.db"_s)});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains(QByteArray("warning: " + n + " embeddings not carried (target cannot hold them")),
                 r.err.constData());
        QVERIFY2(r.out.contains(QByteArray("embeddings: 0 carried, " + n + " not carried")), r.out.constData());
        QDir().mkpath(dir.filePath(u"data"_s));
        r = run({u"copy"_s, u"fs:"_s + folder.store.path, u"sqlite:"_s + dir.filePath(u"data/index.db"_s)});
        QCOMPARE(r.exitCode, 3); // the target keeps embeddings, and refused these
        QVERIFY2(r.err.contains(QByteArray("embedding not carried: " + withEmbedding[0].toUtf8()
                                           + ": it has 8 dimensions, the vector store 384")),
                 r.err.constData());
    }

    void refusedEmbeddingsNameTheirIdsEscaped()
    {
        // an id is store data: a control character in it reaches the terminal escaped, as on every other line
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 10;
        options.anomalies = false;
        options.largeMemories = 0;
        options.pendingWal = false;
        QDir().mkpath(dir.filePath(u"src"_s));
        const auto store = writeSqliteStore(dir.filePath(u"src/index.db"_s), SqliteLayout::Head, options);
        const QString id = u"evil\x1b[2Jid"_s;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"rename"_s);
            db.setDatabaseName(store.path);
            QVERIFY(db.open());
            for (const QString& table : {u"memories"_s, u"memories_fts"_s}) {
                QSqlQuery q(db);
                q.prepare(u"UPDATE "_s + table + u" SET id = ? WHERE id = ?"_s);
                q.addBindValue(id);
                q.addBindValue(store.truth[0].id);
                QVERIFY2(q.exec() && q.numRowsAffected() == 1, qPrintable(q.lastError().text()));
            }
        }
        QSqlDatabase::removeDatabase(u"rename"_s);
        // a vector of 8 dimensions beside it; the target's data folder keeps 384
        QFile idx(dir.filePath(u"src/vectors.idx"_s));
        QVERIFY(idx.open(QIODevice::WriteOnly));
        idx.write("{\"dimensions\":8,\"vectors\":{\"evil\\u001b[2Jid\":[1,2,3,4,5,6,7,8]}}");
        idx.close();
        QDir().mkpath(dir.filePath(u"data"_s));
        const Result r = run({u"copy"_s, u"sqlite:"_s + store.path, u"sqlite:"_s + dir.filePath(u"data/index.db"_s)});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("embedding not carried: evil\\x1b[2Jid: it has 8 dimensions"), r.err.constData());
        QVERIFY(!r.err.contains('\x1b'));
    }

    void copyKeepsDomainsAndNeverEmptiesMissingContent()
    {
        // a three-part SQLite domain reaches a folder as its three parts (spec §3.4), and a memory without its
        // full-text row is named and not copied, rather than written as an empty memory subcog could see
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 40;
        const auto store = writeSqliteStore(dir.filePath(u"src.db"_s), SqliteLayout::Head, options);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"cli-domains"_s);
            db.setDatabaseName(store.path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
                           "VALUES ('three_parts', 'decisions', 'acme/platform/api', 'active', 1767000100, 'a')"_s));
            QVERIFY(q.exec(u"INSERT INTO memories_fts (id, content, tags) VALUES ('three_parts', 'text', 'a')"_s));
        }
        QSqlDatabase::removeDatabase(u"cli-domains"_s);
        QVERIFY(!store.missingContentIds.isEmpty());
        const QString folder = dir.filePath(u"copy"_s);
        Result r = run({u"copy"_s, store.path, u"fs:"_s + folder});
        QCOMPARE(r.exitCode, 3);
        for (const QString& id : store.missingContentIds) {
            QVERIFY2(r.err.contains(QString(u"not copied: "_s + id + u": no full-text row"_s).toUtf8()),
                     r.err.constData());
            QVERIFY(!QFileInfo::exists(folder + u'/' + id + u".json"_s));
        }
        for (const QString& id : store.undecodableIds)
            QVERIFY2(r.err.contains(QString(u"not copied: "_s + id).toUtf8()), r.err.constData());
        QVERIFY2(r.err.contains("warning: three_parts: domain 'acme/platform/api'"), r.err.constData());
        QFile file(folder + u"/three_parts.json"_s);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY2(file.readAll().contains(
                     "\"domain_org\": \"acme\",\n  \"domain_project\": \"platform\",\n  \"domain_repo\": \"api\""),
                 "the three parts");
        // a second run finds every copied memory equal (the domain included) and again names what it left out
        r = run({u"copy"_s, store.path, u"fs:"_s + folder});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.out.contains(" 0 created"), r.out.constData());
        // export: named and left out, never written with empty content
        r = run({u"export"_s, store.path, u"--ids"_s, store.missingContentIds.first()});
        QCOMPARE(r.exitCode, 3);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains("no full-text row"), r.err.constData());
    }

    void exportNamesInvalidUtf8()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 10;
        options.anomalies = false;
        const auto store = writeSqliteStore(dir.filePath(u"bytes.db"_s), SqliteLayout::Head, options);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"cli-bytes"_s);
            db.setDatabaseName(store.path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(
                q.exec(u"INSERT INTO memories (id, namespace, domain, status, created_at, tags, source) VALUES "
                       "('bad_source', 'decisions', 'project', 'active', 1767000100, 'a', CAST(X'73FE' AS TEXT))"_s));
            QVERIFY(q.exec(u"INSERT INTO memories_fts (id, content, tags) VALUES ('bad_source', 'text', 'a')"_s));
        }
        QSqlDatabase::removeDatabase(u"cli-bytes"_s);
        const Result r = run({u"export"_s, store.path, u"--format"_s, u"jsonl"_s});
        QCOMPARE(r.exitCode, 0); // written, with U+FFFD, and named
        QVERIFY2(r.err.contains("warning: bad_source: source is not valid UTF-8"), r.err.constData());
        QCOMPARE(Testing::parseJsonLines(r.out).value(u"bad_source"_s).value(u"source"_s).toString(), u"s\uFFFD"_s);
    }

    void cleanStoreExitsZero()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 30;
        options.anomalies = false;
        const auto store = writeSqliteStore(dir.filePath(u"clean.db"_s), SqliteLayout::V0_1, options);
        const Result r = run({u"export"_s, store.path, u"--format"_s, u"jsonl"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.err.isEmpty());
        QCOMPARE(Testing::parseJsonLines(r.out).size(), 30);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("unknown format") << QStringList {u"export"_s, u"x.db"_s, u"--format"_s, u"xml"_s};
        QTest::newRow("missing store") << QStringList {u"count"_s};
        QTest::newRow("unknown command") << QStringList {u"frobnicate"_s, u"x.db"_s};
        QTest::newRow("bad filter") << QStringList {u"count"_s, u"x.db"_s, u"--filter"_s, u"colour:red"_s};
        QTest::newRow("unknown option") << QStringList {u"count"_s, u"x.db"_s, u"--bogus"_s};
        // a word the search cannot find is refused rather than dropped, which would copy the whole store
        QTest::newRow("emoji filter") << QStringList {u"copy"_s, u"x.db"_s, u"fs:y"_s, u"--filter"_s, u"∞"_s};
        QTest::newRow("emoji word") << QStringList {u"count"_s, u"x.db"_s, u"--filter"_s, u"ns:decisions 🚀"_s};
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        const Result r = run(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(!r.err.isEmpty());
    }

    void badStores_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing file") << u"missing"_s << u"no such file"_s;
        QTest::newRow("random bytes") << u"garbage"_s << u"not an SQLite database"_s;
        QTest::newRow("text file") << u"text"_s << u"not an SQLite database"_s;
        QTest::newRow("empty file") << u"empty"_s << u"not a subcog store"_s;
        QTest::newRow("other sqlite") << u"other"_s << u"not a subcog store"_s;
        QTest::newRow("corrupt pages") << u"corrupt"_s << u"corrupt"_s;
        QTest::newRow("truncated") << u"truncated"_s << u""_s;
        QTest::newRow("missing folder") << u"nofolder"_s << u"no such folder"_s;
        QTest::newRow("postgres url, nobody listening") << u"postgres"_s << u"connection refused"_s;
    }
    void badStores()
    {
        QFETCH(QString, kind);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        QString path = dir.filePath(u"store.db"_s);
        if (kind == "garbage"_L1 || kind == "text"_L1 || kind == "empty"_L1) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            if (kind == "garbage"_L1) {
                QByteArray bytes;
                for (int i = 0; i < 8192; ++i)
                    bytes.append(char((i * 7919) & 0xff));
                f.write(bytes);
            } else if (kind == "text"_L1) {
                f.write("id,content\n1,hello\n");
            }
        } else if (kind == "other"_L1) {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"other"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery(db).exec(u"CREATE TABLE prompts (name TEXT PRIMARY KEY, content TEXT)"_s);
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(u"other"_s);
        } else if (kind == "corrupt"_L1 || kind == "truncated"_L1) {
            GeneratorOptions options;
            options.count = 400;
            options.anomalies = false;
            options.pendingWal = false;
            writeSqliteStore(path, SqliteLayout::V0_1, options);
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadWrite));
            if (kind == "corrupt"_L1) {
                // overwrite every page after the schema page with garbage, keeping the header valid
                const qint64 size = f.size();
                for (qint64 at = 4096 * 2; at < size; at += 4096) {
                    f.seek(at);
                    f.write(QByteArray(4096, '\xa5'));
                }
            } else {
                f.resize(f.size() / 3);
            }
        } else if (kind == "nofolder"_L1) {
            path = u"fs:"_s + dir.filePath(u"absent"_s);
        } else if (kind == "postgres"_L1) {
            path = u"postgresql://localhost:1/none"_s;
        }
        const QByteArray before = Testing::fileHash(path);
        for (const QString& command : {u"count"_s, u"export"_s}) {
            const Result r = run({command, path, u"--format"_s, u"jsonl"_s});
            QVERIFY2(!r.crashed, "crashed");
            QVERIFY2(r.exitCode == 1, qPrintable(command + u" exit "_s + QString::number(r.exitCode)));
            const QList<QByteArray> lines = r.err.trimmed().split('\n');
            QVERIFY2(lines.size() == 1, r.err.constData());
            QVERIFY2(lines.first().contains(reason.toUtf8()), r.err.constData());
            if (kind != "postgres"_L1 && kind != "nofolder"_L1)
                QVERIFY2(lines.first().contains(path.toUtf8()), r.err.constData());
        }
        QCOMPARE(Testing::fileHash(path), before);
        if (kind == "missing"_L1)
            QVERIFY(!QFile::exists(path)); // never created by a read
    }

    void passwordsNeverEchoed_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        // libpq quotes a value with a bad %-escape in its error message
        QTest::newRow("bad escape in user-info")
            << QStringList {u"count"_s, u"postgresql://u:p%zzS3cretQ@127.0.0.1:1/db"_s} << 1;
        QTest::newRow("bad escape in parameter")
            << QStringList {u"count"_s, u"postgres://127.0.0.1:1/db?password=p%zzS3cretQ"_s} << 1;
        QTest::newRow("%00 in parameter")
            << QStringList {u"export"_s, u"postgresql://127.0.0.1:1/db?PASSWORD=a%00S3cretQ"_s} << 1;
        QTest::newRow("copy target") << QStringList {u"copy"_s, m_store.path,
                                                     u"postgresql://u:p%zzS3cretQ@127.0.0.1:1/db"_s}
                                     << 1;
        QTest::newRow("unknown command") << QStringList {u"postgresql://u:S3cretQ@127.0.0.1:1/db"_s, u"more"_s} << 2;
        QTest::newRow("libpq string as a path") << QStringList {u"count"_s, u"host=h password=S3cretQ"_s} << 1;
        // libpq takes these unencoded in the user-info
        for (const QString& c : {u"#"_s, u"?"_s, u"\""_s, u"'"_s, u" "_s}) {
            QTest::addRow("%s in the password", qPrintable(c))
                << QStringList {u"info"_s, u"postgresql://u:S3cretQ"_s + c + u"V@127.0.0.1:1/db"_s} << 1;
        }
    }
    void passwordsNeverEchoed()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        const Result r = run(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY(!r.err.isEmpty());
        QVERIFY2(!r.err.contains("S3cretQ") && !r.out.contains("S3cretQ"), r.err.constData());
    }

    void passwordLeavesTheCommandLine_data()
    {
        QTest::addColumn<QString>("userInfo");
        QTest::newRow("plain") << u"ana:S3cretQ"_s;
        QTest::newRow("# in the password") << u"ana:S3cretQ#V"_s;
        QTest::newRow("? and blank in the password") << u"ana:S3cretQ? V"_s;
    }
    void passwordLeavesTheCommandLine()
    {
        QFETCH(QString, userInfo);
        // a server that accepts connections and never answers keeps the command connecting
        const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QCOMPARE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        socklen_t length = sizeof address;
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
        QCOMPARE(::listen(listener, 8), 0);
        const QString port = QString::number(ntohs(address.sin_port));
        const QString url
            = u"postgresql://"_s + userInfo + u"@127.0.0.1:"_s + port + u"/db?sslmode=disable&password=S3cretQ2"_s;
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, m_home.path());
        process.setProcessEnvironment(env);
        process.start(qEnvironmentVariable("INSPECTOR_BINARY"), {u"count"_s, url});
        QVERIFY(process.waitForStarted());
        // the connection arrives long after main() began, so the command line has been dealt with
        pollfd fd {listener, POLLIN, 0};
        QCOMPARE(::poll(&fd, 1, 30000), 1);
        QFile cmdline(u"/proc/"_s + QString::number(process.processId()) + u"/cmdline"_s);
        QVERIFY(cmdline.open(QIODevice::ReadOnly));
        const QByteArray seen = cmdline.readAll();
        process.kill();
        process.waitForFinished();
        ::close(listener);
        QVERIFY2(seen.contains(QByteArray("127.0.0.1:" + port.toLatin1() + "/db")), seen.constData());
        QVERIFY2(!seen.contains("S3cretQ"), seen.constData());
    }

    void helpRecommendsPgpass()
    {
        const Result r = run({u"--help"_s});
        QVERIFY(r.out.contains("PGPASSWORD"));
        QVERIFY(r.out.contains("~/.pgpass rather than in the URL"));
    }

    void readOnlyFile()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 20;
        options.anomalies = false;
        const auto store = writeSqliteStore(dir.filePath(u"ro.db"_s), SqliteLayout::Head, options);
        QFile::setPermissions(store.path, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther);
        const QByteArray before = Testing::fileHash(store.path);
        const Result r = run({u"export"_s, store.path});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(Testing::parseJsonLines(r.out).size(), 20);
        QCOMPARE(Testing::fileHash(store.path), before);
    }

    void storeOfAnotherUser()
    {
        // A store in a folder this user cannot write, as when reading someone else's subcog data:
        // SQLite cannot create the -shm file a WAL store needs, yet every row, the -wal ones too, must be read.
        QTemporaryDir dir;
        QVERIFY(QFile::setPermissions(dir.path(),
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
                                          | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther));
        GeneratorOptions options;
        options.count = 60;
        options.anomalies = false;
        const auto store = writeSqliteStore(dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
        QVERIFY(QFileInfo::exists(store.path + u"-wal"_s));
        const auto readable = QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther;
        QFile::setPermissions(store.path, readable);
        QFile::setPermissions(store.path + u"-wal"_s, readable);
        const QByteArray before = Testing::fileHash(store.path);
        QStringList command;
        if (geteuid() == 0) {
            // root may write anywhere, so run as nobody; the binary is copied where nobody can reach it
            const QString setpriv = QStandardPaths::findExecutable(u"setpriv"_s);
            if (setpriv.isEmpty())
                QSKIP("setpriv (util-linux) is needed to drop root");
            const QString binary = dir.filePath(u"subcog-inspector"_s);
            QVERIFY(QFile::copy(qEnvironmentVariable("INSPECTOR_BINARY"), binary));
            command = {setpriv, u"--reuid=65534"_s, u"--regid=65534"_s, u"--clear-groups"_s, binary};
        } else {
            QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner);
            command = {qEnvironmentVariable("INSPECTOR_BINARY")};
        }
        QProcess process;
        process.setProgram(command.takeFirst());
        process.setArguments(command + QStringList {u"export"_s, store.path, u"--format"_s, u"jsonl"_s});
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, dir.path());
        process.setProcessEnvironment(env);
        process.start();
        QVERIFY(process.waitForFinished(60000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        const auto records = Testing::parseJsonLines(process.readAllStandardOutput());
        QCOMPARE(records.size(), store.truth.size());
        QVERIFY(records.contains(store.truth.last().id)); // a row that is only in the -wal file
        QCOMPARE(Testing::fileHash(store.path), before);
        QVERIFY(!QFileInfo::exists(store.path + u"-shm"_s));
        QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    void exportOntoTheStoreIsRefused()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 40;
        options.anomalies = false;
        const auto store = writeSqliteStore(dir.filePath(u"index.db"_s), SqliteLayout::Head, options);
        QVERIFY(QFileInfo::exists(store.path + u"-wal"_s));
        QVERIFY(QFile::link(store.path, dir.filePath(u"link.jsonl"_s)));
        QVERIFY(QFile::link(store.path + u"-wal"_s, dir.filePath(u"wal-link"_s)));
        const QByteArray db = Testing::fileHash(store.path);
        const QByteArray wal = Testing::fileHash(store.path + u"-wal"_s);
        const QStringList targets {store.path,
                                   store.path + u"-wal"_s,
                                   store.path + u"-shm"_s,
                                   dir.filePath(u"link.jsonl"_s),
                                   dir.filePath(u"wal-link"_s),
                                   dir.path() + u"/./sub/../index.db"_s};
        QDir(dir.path()).mkdir(u"sub"_s);
        for (const QString& target : targets) {
            const Result r = run({u"export"_s, u"sqlite:"_s + store.path, u"-o"_s, target});
            QVERIFY2(r.exitCode == 1, qPrintable(target + u": exit "_s + QString::number(r.exitCode)));
            QVERIFY2(r.err.contains("would overwrite the store"), r.err.constData());
            QCOMPARE(r.err.count('\n'), 1);
            QCOMPARE(Testing::fileHash(store.path), db);
            QCOMPARE(Testing::fileHash(store.path + u"-wal"_s), wal);
            QVERIFY(QFileInfo(dir.filePath(u"link.jsonl"_s)).isSymLink());
        }
        // a file inside a folder store, directly or through a link to the folder
        const GeneratedFolder folder = writeFolderStore(dir.filePath(u"folder"_s), options);
        const QString memoryFile = dir.filePath(u"folder/"_s + folder.store.truth.first().id + u".json"_s);
        QVERIFY(QFileInfo::exists(memoryFile));
        QVERIFY(QFile::link(dir.filePath(u"folder"_s), dir.filePath(u"folder-link"_s)));
        const QByteArray memoryBytes = Testing::fileHash(memoryFile);
        for (const QString& target :
             {memoryFile, dir.filePath(u"folder-link/"_s + folder.store.truth.first().id + u".json"_s),
              dir.filePath(u"folder/new.jsonl"_s)}) {
            const Result r = run({u"export"_s, u"fs:"_s + folder.store.path, u"-o"_s, target});
            QVERIFY2(r.exitCode == 1, qPrintable(target + u": exit "_s + QString::number(r.exitCode)));
            QVERIFY2(r.err.contains("inside the folder store"), r.err.constData());
        }
        QCOMPARE(Testing::fileHash(memoryFile), memoryBytes);
        QVERIFY(!QFileInfo::exists(dir.filePath(u"folder/new.jsonl"_s)));
        // next to the store is fine
        const Result r = run({u"export"_s, store.path, u"-o"_s, dir.filePath(u"index.db.jsonl"_s)});
        QCOMPARE(r.exitCode, 0);
    }

    void exportOntoTheStoreThroughDescriptorsAndLinks()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 40;
        options.anomalies = false;
        const auto store = writeSqliteStore(dir.filePath(u"s.db"_s), SqliteLayout::Head, options);
        QVERIFY(QFileInfo::exists(store.path + u"-wal"_s));
        const QByteArray db = Testing::fileHash(store.path);
        const QByteArray wal = Testing::fileHash(store.path + u"-wal"_s);
        // /proc/self/fd/N does not exist before the store is open and is the database (or its WAL) after
        int refused = 0;
        for (int fd = 3; fd <= 8; ++fd) {
            const QString n = QString::number(fd);
            for (const QString& target : QStringList {u"/proc/self/fd/"_s + n, u"/dev/fd/"_s + n}) {
                const Result r = run({u"export"_s, store.path, u"-o"_s, target});
                QVERIFY(!r.crashed);
                if (r.err.contains("would overwrite the store"))
                    ++refused;
                QCOMPARE(Testing::fileHash(store.path), db);
                QCOMPARE(Testing::fileHash(store.path + u"-wal"_s), wal);
            }
        }
        QVERIFY(refused >= 2);
        // a store named through a link has its WAL beside the link's target, not beside the link
        const QString link = dir.filePath(u"link.db"_s);
        QVERIFY(QFile::link(store.path, link));
        for (const QString& target : QStringList {store.path + u"-wal"_s, store.path + u"-shm"_s}) {
            const Result r = run({u"export"_s, link, u"-o"_s, target});
            QVERIFY2(r.exitCode == 1, qPrintable(target + u": exit "_s + QString::number(r.exitCode)));
            QVERIFY2(r.err.contains("would overwrite the store"), r.err.constData());
            QCOMPARE(Testing::fileHash(store.path + u"-wal"_s), wal);
        }
        QCOMPARE(run({u"count"_s, store.path}).out.trimmed(), QByteArray("40"));
    }

    void exportToOpenDescriptorWritesIntoIt()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 25;
        options.anomalies = false;
        const auto store = writeSqliteStore(dir.filePath(u"s.db"_s), SqliteLayout::Head, options);
        for (const QString& target : {u"/dev/stdout"_s, u"/dev/fd/1"_s, u"/proc/self/fd/1"_s}) {
            const QString log = dir.filePath(u"log.txt"_s);
            QFile file(log);
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write("KEEP\n");
            file.close();
            QProcess process;
            process.setStandardOutputFile(log, QIODevice::Append); // `>> log.txt`
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(u"HOME"_s, m_home.path());
            process.setProcessEnvironment(env);
            process.start(qEnvironmentVariable("INSPECTOR_BINARY"), {u"export"_s, store.path, u"-o"_s, target});
            QVERIFY(process.waitForFinished(120000));
            QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray text = file.readAll();
            QVERIFY2(text.startsWith("KEEP\n"), qPrintable(target));
            QCOMPARE(Testing::parseJsonLines(text.mid(5)).size(), 25);
        }
    }

    void keyFileThatIsAPipe()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 20;
        options.anomalies = false;
        const auto store = writeSqliteStore(dir.filePath(u"s.db"_s), SqliteLayout::Head, options);
        QFile key(dir.filePath(u"good.key"_s));
        QVERIFY(key.open(QIODevice::WriteOnly));
        key.write(QByteArray(32, 'k').toBase64() + '\n');
        key.close();
        // bash's process substitution: /dev/fd/63 is a pipe that can be read once
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, m_home.path());
        process.setProcessEnvironment(env);
        process.start(u"bash"_s,
                      {u"-c"_s, u"\"$0\" copy \"$1\" \"$2\" --key-file <(cat \"$3\")"_s,
                       qEnvironmentVariable("INSPECTOR_BINARY"), store.path, u"fs:"_s + dir.filePath(u"copy"_s),
                       key.fileName()});
        QVERIFY(process.waitForFinished(120000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        QCOMPARE(run({u"count"_s, u"fs:"_s + dir.filePath(u"copy"_s)}).out.trimmed(), QByteArray("20"));
    }

    void copyOntoTheSameStoreUnderAnotherName()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 20;
        options.anomalies = false;
        const auto store = writeSqliteStore(dir.filePath(u"s.db"_s), SqliteLayout::Head, options);
        QVERIFY(QFile::link(store.path, dir.filePath(u"link.db"_s)));
        QCOMPARE(::link(QFile::encodeName(store.path).constData(),
                        QFile::encodeName(dir.filePath(u"hard.db"_s)).constData()),
                 0);
        const QByteArray db = Testing::fileHash(store.path);
        const QStringList targets {dir.filePath(u"link.db"_s), dir.filePath(u"hard.db"_s),
                                   u"sqlite:/proc/self/cwd/"_s + QDir::current().relativeFilePath(store.path)};
        for (const QString& target : targets) {
            const Result r = run({u"copy"_s, store.path, target});
            QVERIFY2(r.exitCode == 2, qPrintable(target + u": exit "_s + QString::number(r.exitCode)));
            QVERIFY2(r.err.contains("SOURCE and TARGET are the same store"), r.err.constData());
            QCOMPARE(Testing::fileHash(store.path), db);
        }
    }

    void exportToFifoDeviceAndExistingFile()
    {
        QTemporaryDir dir;
        // a FIFO is written in place, as `cat > fifo` would, and stays a FIFO
        const QString fifo = dir.filePath(u"pipe"_s);
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        const QString received = dir.filePath(u"received.jsonl"_s);
        QProcess reader; // into a file: a pipe to this process would fill up while run() waits
        reader.start(u"sh"_s, {u"-c"_s, u"cat \"$0\" > \"$1\""_s, fifo, received});
        QVERIFY(reader.waitForStarted());
        Result r = run({u"export"_s, m_store.path, u"-o"_s, fifo});
        QVERIFY(reader.waitForFinished(60000));
        QCOMPARE(r.exitCode, 3); // the fixture's undecodable rows
        QFile receivedFile(received);
        QVERIFY(receivedFile.open(QIODevice::ReadOnly));
        QCOMPARE(Testing::parseJsonLines(receivedFile.readAll()).size(),
                 m_store.truth.size() - m_store.missingContentIds.size());
        struct stat st;
        QCOMPARE(::stat(QFile::encodeName(fifo).constData(), &st), 0);
        QVERIFY(S_ISFIFO(st.st_mode));
        // a character device is written to, never replaced (as root the old export replaced /dev/null)
        r = run({u"export"_s, m_store.path, u"-o"_s, u"/dev/null"_s});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(::stat("/dev/null", &st), 0);
        QVERIFY(S_ISCHR(st.st_mode));
        QCOMPARE(int(st.st_mode & 0777), 0666);
        // an existing file keeps its mode and, where the user may give it, its owner
        const QString existing = dir.filePath(u"backup.jsonl"_s);
        QFile old(existing);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("old\n");
        old.close();
        QCOMPARE(::chmod(QFile::encodeName(existing).constData(), 0640), 0);
        const bool root = geteuid() == 0;
        if (root)
            QCOMPARE(::chown(QFile::encodeName(existing).constData(), 65534, 65534), 0);
        r = run({u"export"_s, m_store.path, u"-o"_s, existing});
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(::stat(QFile::encodeName(existing).constData(), &st), 0);
        QVERIFY(S_ISREG(st.st_mode));
        QCOMPARE(int(st.st_mode & 07777), 0640);
        if (root) {
            QCOMPARE(int(st.st_uid), 65534);
            QCOMPARE(int(st.st_gid), 65534);
        }
        QFile written(existing);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(Testing::parseJsonLines(written.readAll()).size(),
                 m_store.truth.size() - m_store.missingContentIds.size());
        // a folder is refused with a line that says so
        r = run({u"export"_s, m_store.path, u"-o"_s, dir.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("is a folder"), r.err.constData());
    }

    void standardOutputThatCannotBeWritten_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("count") << QStringList {u"count"_s, u"STORE"_s};
        QTest::newRow("info") << QStringList {u"info"_s, u"STORE"_s};
        QTest::newRow("get") << QStringList {u"get"_s, u"STORE"_s, u"ID"_s};
        QTest::newRow("export") << QStringList {u"export"_s, u"STORE"_s};
        QTest::newRow("export csv") << QStringList {u"export"_s, u"STORE"_s, u"--format"_s, u"csv"_s};
        QTest::newRow("copy") << QStringList {u"copy"_s, u"STORE"_s, u"TARGET"_s};
        QTest::newRow("help") << QStringList {u"--help"_s};
    }
    void standardOutputThatCannotBeWritten()
    {
        QFETCH(QStringList, args);
        QTemporaryDir dir;
        for (QString& a : args) {
            if (a == "STORE"_L1)
                a = m_store.path;
            else if (a == "ID"_L1)
                a = m_store.truth.first().id;
            else if (a == "TARGET"_L1)
                a = u"fs:"_s + dir.filePath(u"copy"_s);
        }
        const Result r = run(args, {}, u"/dev/full"_s);
        QVERIFY(!r.crashed);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no space left on device"), r.err.constData());
        QVERIFY2(r.err.contains("standard output"), r.err.constData());
    }

    void controlCharactersAreEscapedOnTheTerminal()
    {
        QTemporaryDir dir;
        GeneratorOptions options;
        options.count = 10;
        options.anomalies = false;
        // the file name and an id carry terminal escape sequences
        const QString path = dir.filePath(u"evil\x1b]0;title\x07.db"_s);
        const auto store = writeSqliteStore(path, SqliteLayout::Head, options);
        const QString evilId = u"id\x1b[2J\x1b[H\x9b"
                               "31m"_s;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"evil"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.prepare(u"INSERT INTO memories (id, namespace, domain, status, created_at, tags) "
                              "VALUES (?, 'decisions', 'project', 'active', 1700000000, '')"_s));
            q.addBindValue(evilId);
            QVERIFY(q.exec());
            QVERIFY(q.prepare(u"INSERT INTO memories_fts (id, content, tags) VALUES (?, ?, '')"_s));
            q.addBindValue(evilId);
            q.addBindValue(u"content with \x1b[31m red"_s);
            QVERIFY(q.exec());
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(u"evil"_s);
        }
        auto noRawEscape = [](const QByteArray& text) {
            return !text.contains('\x1b') && !text.contains('\x07') && !text.contains("\xc2\x9b");
        };
        Result r = run({u"info"_s, path});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(noRawEscape(r.out), r.out.constData());
        QVERIFY2(r.out.contains("evil\\x1b]0;title\\x07.db"), r.out.constData());
        r = run({u"count"_s, path + u"\x1b[2Jmissing"_s});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(noRawEscape(r.err), r.err.constData());
        QVERIFY2(r.err.contains("\\x1b[2Jmissing"), r.err.constData());
        r = run({u"get"_s, path, evilId, u"nope\x1b[H"_s});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(noRawEscape(r.err), r.err.constData());
        QVERIFY2(r.err.contains("nope\\x1b[H"), r.err.constData());
        // get's JSON is data: exact (JSON escapes the control characters itself)
        QCOMPARE(Testing::parseJsonLines(r.out).value(evilId).value(u"id"_s).toString(), evilId);
        // the id cannot be a folder store's file name: the "not copied" line names it escaped
        r = run({u"copy"_s, path, u"fs:"_s + dir.filePath(u"copy"_s)});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(noRawEscape(r.err) && noRawEscape(r.out), r.err.constData());
        QVERIFY2(r.err.contains("id\\x1b[2J\\x1b[H\\x9b31m"), r.err.constData());
        // exports stay exact: CSV holds the raw bytes
        r = run({u"export"_s, path, u"--format"_s, u"csv"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(evilId.toUtf8()));
        QVERIFY(r.out.contains("content with \x1b[31m red"));
    }

    void keyFileAndKeyVariableThatAreNotKeys()
    {
        // /dev/zero is refused after a few KiB instead of being read until memory runs out
        Result r = run({u"count"_s, m_store.path, u"--key-file"_s, u"/dev/zero"_s});
        QVERIFY(!r.crashed);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("/dev/zero: not a key file"), r.err.constData());
        QTemporaryDir dir;
        QFile shortKey(dir.filePath(u"short.key"_s));
        QVERIFY(shortKey.open(QIODevice::WriteOnly));
        shortKey.write(QByteArray(16, 'k').toBase64() + '\n');
        shortKey.close();
        r = run({u"count"_s, m_store.path, u"--key-file"_s, shortKey.fileName()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("not a valid key: 16 bytes, a key has 32"), r.err.constData());
        // an invalid SUBCOG_ENCRYPTION_KEY is named as the reason encrypted memories cannot be read
        GeneratorOptions options;
        options.count = 30;
        const GeneratedFolder folder = writeFolderStore(dir.filePath(u"folder"_s), options);
        QVERIFY(!folder.encryptedIds.isEmpty());
        const QList<std::pair<QByteArray, QByteArray>> cases {
            {QByteArray(16, 'k').toBase64(), "SUBCOG_ENCRYPTION_KEY is not a valid key: 16 bytes, a key has 32"},
            {"not*base64!", "SUBCOG_ENCRYPTION_KEY is not a valid key: not base64"},
        };
        for (const auto& [value, expected] : cases) {
            QProcessEnvironment env;
            env.insert(u"SUBCOG_ENCRYPTION_KEY"_s, QString::fromLatin1(value));
            r = run({u"export"_s, folder.store.path}, env);
            QCOMPARE(r.exitCode, 3);
            QVERIFY2(r.err.contains(expected), r.err.constData());
            QVERIFY2(!r.err.contains("no key was given"), r.err.constData());
            r = run({u"get"_s, folder.store.path, folder.encryptedIds.first()}, env);
            QCOMPARE(r.exitCode, 3);
            QVERIFY2(r.err.contains(expected), r.err.constData());
        }
    }

    void defaultStore()
    {
        // no subcog store: a demo store is created and opened
        Result r = run({u"info"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("demo store"), r.out.constData());
        QVERIFY(r.out.contains("Memories: 204"));
        // a subcog index in the data directory named by config.toml wins
        QDir().mkpath(m_home.filePath(u".config/subcog"_s));
        QFile config(m_home.filePath(u".config/subcog/config.toml"_s));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(QString(u"data_dir = \""_s + m_dir.path() + u"\"\n"_s).toUtf8());
        config.close();
        r = run({u"info"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(m_store.path.toUtf8()), r.out.constData());
        QVERIFY(r.out.contains(QByteArray("Memories: " + QByteArray::number(m_store.rowCount))));
        QFile::remove(config.fileName());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
