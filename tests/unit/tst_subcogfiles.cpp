// SPDX-License-Identifier: MIT
// subcog's SQLite files that hold no memories (spec §2.2, §4.8): its prompt library and its webhook delivery log
// are recognised, explained (library and command line, exit 5) and read without a byte of them changing.
#include "storeopener.h"
#include "subcogfiles.h"
#include "testhelpers.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
void exec(QSqlDatabase& db, const QString& sql)
{
    QSqlQuery q(db);
    QVERIFY2(q.exec(sql), qPrintable(q.lastError().text() + u": "_s + sql));
}

/// Runs SQL on a new SQLite file as subcog would have made it, then closes it.
void makeDatabase(const QString& path, const QStringList& statements)
{
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"make"_s);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        for (const QString& sql : statements)
            exec(db, sql);
    }
    QSqlDatabase::removeDatabase(u"make"_s);
}
} // namespace

/// `~/.config/subcog/memories.db` as src/storage/prompt/sqlite.rs and context_template/sqlite.rs make it (WAL).
QStringList promptLibrary()
{
    return {
        u"PRAGMA journal_mode = WAL"_s,
        u"CREATE TABLE prompts (name TEXT PRIMARY KEY, description TEXT NOT NULL DEFAULT '', content TEXT NOT NULL, "
        "variables TEXT NOT NULL DEFAULT '[]', tags TEXT NOT NULL DEFAULT '[]', author TEXT, usage_count INTEGER NOT "
        "NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)"_s,
        u"CREATE INDEX idx_prompts_tags ON prompts(tags)"_s,
        u"CREATE TABLE context_templates (name TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL "
        "DEFAULT '', content TEXT NOT NULL, variables TEXT NOT NULL DEFAULT '[]', tags TEXT NOT NULL DEFAULT '[]', "
        "output_format TEXT NOT NULL DEFAULT 'markdown', author TEXT, created_at INTEGER NOT NULL, updated_at "
        "INTEGER NOT NULL, PRIMARY KEY (name, version))"_s,
        u"INSERT INTO prompts VALUES ('code-review', 'Review a diff', 'Review {{diff}}\nfor {{focus}}', "
        "'[{\"name\":\"diff\"},{\"name\":\"focus\"}]', '[\"review\"]', 'ana', 7, 1767000000, 1767100000)"_s,
        u"INSERT INTO prompts VALUES ('adr', '', 'Write an ADR about {{topic}}', '[]', '[]', NULL, 0, 1767000500, "
        "1767000500)"_s,
        u"INSERT INTO context_templates VALUES ('onboarding', 1, 'First steps', '# {{project}}', '[]', '[]', "
        "'markdown', NULL, 1767000000, 1767000000)"_s,
    };
}

/// `<data_dir>/webhook_audit.db` as src/webhooks/audit.rs makes it.
QStringList webhookLog()
{
    return {
        u"PRAGMA journal_mode = WAL"_s,
        u"CREATE TABLE webhook_deliveries (id TEXT PRIMARY KEY, webhook_name TEXT NOT NULL, event_type TEXT NOT "
        "NULL, event_id TEXT NOT NULL, domain TEXT NOT NULL, url TEXT NOT NULL, status TEXT NOT NULL, status_code "
        "INTEGER, attempts INTEGER NOT NULL, duration_ms INTEGER NOT NULL, error TEXT, timestamp INTEGER NOT NULL)"_s,
        u"CREATE INDEX idx_webhook_deliveries_timestamp ON webhook_deliveries(timestamp)"_s,
        u"INSERT INTO webhook_deliveries VALUES ('d1', 'slack', 'memory.captured', 'ev1', 'project', "
        "'https://hooks.example/1', 'success', 200, 1, 120, NULL, 1767000000)"_s,
        u"INSERT INTO webhook_deliveries VALUES ('d2', 'slack', 'memory.deleted', 'ev2', 'project', "
        "'https://hooks.example/1', 'failed', 500, 3, 900, 'server error', 1767000100)"_s,
    };
}

class TestSubcogFiles : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_prompts;
    QString m_webhooks;
    QString m_other;
    QString m_index;

    struct Run
    {
        int code = -1;
        QByteArray out;
        QByteArray err;
    };
    static Run cli(const QStringList& args)
    {
        QProcess process;
        process.start(qEnvironmentVariable("INSPECTOR_BINARY"), args);
        Run r;
        if (!process.waitForFinished(60000))
            return r;
        r.code = process.exitCode();
        r.out = process.readAllStandardOutput();
        r.err = process.readAllStandardError();
        return r;
    }

    /// Every file of the folder with its bytes' hash: what a read must leave as it was (a -wal or -shm a read-only
    /// open of a WAL file may add is listed, to be checked apart).
    QMap<QString, QByteArray> snapshot() const
    {
        QMap<QString, QByteArray> files;
        for (const QString& name : QDir(m_dir.path()).entryList(QDir::Files))
            files.insert(name, Testing::fileHash(m_dir.filePath(name)));
        return files;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QFile::exists(qEnvironmentVariable("INSPECTOR_BINARY")));
        m_prompts = m_dir.filePath(u"memories.db"_s);
        m_webhooks = m_dir.filePath(u"webhook_audit.db"_s);
        m_other = m_dir.filePath(u"other.db"_s);
        makeDatabase(m_prompts, promptLibrary());
        makeDatabase(m_webhooks, webhookLog());
        // another program's tables that happen to share subcog's names
        makeDatabase(m_other,
                     {u"CREATE TABLE prompts (name TEXT PRIMARY KEY, content TEXT)"_s,
                      u"CREATE TABLE webhook_deliveries (id TEXT, url TEXT)"_s});
        m_index = m_dir.filePath(u"index.db"_s);
        Fixtures::GeneratorOptions options;
        options.count = 5;
        Fixtures::writeSqliteStore(m_index, Fixtures::SqliteLayout::Head, options);
        // the closed files keep no -wal: a read that creates one would show below
        QVERIFY(!QFile::exists(m_prompts + u"-wal"_s));
    }

    void identifies()
    {
        const auto prompts = identifySubcogFile(m_prompts);
        QVERIFY(prompts);
        QCOMPARE(prompts->kind, SubcogFile::Kind::Prompts);
        QVERIFY2(prompts->explanation.contains(u"prompt library (2 prompts and 1 context template"_s),
                 qPrintable(prompts->explanation));
        const auto webhooks = identifySubcogFile(m_webhooks);
        QVERIFY(webhooks);
        QCOMPARE(webhooks->kind, SubcogFile::Kind::WebhookAudit);
        QVERIFY2(webhooks->explanation.contains(u"webhook delivery log (2 deliveries"_s),
                 qPrintable(webhooks->explanation));
        QVERIFY(!identifySubcogFile(m_index)); // a memory store
        QVERIFY(!identifySubcogFile(m_other));
        QVERIFY(!identifySubcogFile(m_dir.filePath(u"missing.db"_s)));
        const QString text = m_dir.filePath(u"text.db"_s);
        QFile file(text);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a database at all, just some text that is long enough to have a header\n");
        file.close();
        QVERIFY(!identifySubcogFile(text));
    }

    void openStoreExplains_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("says");
        QTest::addColumn<bool>("readOnly");
        QTest::newRow("prompts") << u"memories.db"_s << u"subcog's prompt library"_s << true;
        QTest::newRow("prompts, writable open") << u"memories.db"_s << u"subcog's prompt library"_s << false;
        QTest::newRow("webhooks") << u"webhook_audit.db"_s << u"subcog's webhook delivery log"_s << true;
    }
    void openStoreExplains()
    {
        QFETCH(QString, name);
        QFETCH(QString, says);
        QFETCH(bool, readOnly);
        const auto before = snapshot();
        OpenOptions options;
        options.readOnly = readOnly;
        try {
            openStore(m_dir.filePath(name), options);
            QFAIL("opened as a memory store");
        } catch (const StorageError& e) {
            QCOMPARE(e.kind(), StorageError::Kind::OtherSubcogFile);
            QVERIFY2(e.message().contains(says), qPrintable(e.message()));
            QVERIFY2(!e.message().contains(u"not a subcog store"_s), qPrintable(e.message()));
            QVERIFY(e.message().startsWith(m_dir.filePath(name)));
        }
        QCOMPARE(snapshot(), before);
        // other files keep their own error
        try {
            openStore(m_other, options);
            QFAIL("opened");
        } catch (const StorageError& e) {
            QCOMPARE(e.kind(), StorageError::Kind::InvalidInput);
            QVERIFY(e.message().contains(u"not a subcog store"_s));
        }
    }

    void readsTablesReadOnly()
    {
        const auto before = snapshot();
        const QList<SubcogTable> tables = readSubcogFileTables(m_prompts);
        QCOMPARE(tables.size(), 2);
        QCOMPARE(tables[0].name, u"prompts"_s);
        QCOMPARE(tables[0].total, 2);
        QCOMPARE(tables[0].columns,
                 (QStringList {u"name"_s, u"description"_s, u"content"_s, u"variables"_s, u"tags"_s, u"author"_s,
                               u"usage_count"_s, u"created_at"_s, u"updated_at"_s}));
        QCOMPARE(tables[0].rows.size(), 2);
        QCOMPARE(tables[0].rows[0][0].toString(), u"adr"_s); // by name
        QVERIFY(tables[0].rows[0][5].isNull());
        QCOMPARE(tables[0].rows[1][2].toString(), u"Review {{diff}}\nfor {{focus}}"_s);
        QCOMPARE(tables[0].rows[1][6].toLongLong(), 7);
        QCOMPARE(tables[1].name, u"context_templates"_s);
        QCOMPARE(tables[1].rows.size(), 1);
        QCOMPARE(tables[1].rows[0][0].toString(), u"onboarding"_s);

        const QList<SubcogTable> webhooks = readSubcogFileTables(m_webhooks);
        QCOMPARE(webhooks.size(), 1);
        QCOMPARE(webhooks[0].rows.size(), 2);
        QCOMPARE(webhooks[0].rows[0][0].toString(), u"d2"_s); // newest first
        QCOMPARE(snapshot(), before);
        QVERIFY_THROWS_EXCEPTION(StorageError, readSubcogFileTables(m_other));
    }

    void commandLineExplainsInOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("says");
        const QString prompts = u"subcog's prompt library"_s;
        const QString webhooks = u"subcog's webhook delivery log"_s;
        QTest::newRow("info prompts") << QStringList {u"info"_s, u"memories.db"_s} << prompts;
        QTest::newRow("count webhooks") << QStringList {u"count"_s, u"webhook_audit.db"_s} << webhooks;
        QTest::newRow("export prompts") << QStringList {u"export"_s, u"sqlite:memories.db"_s} << prompts;
        QTest::newRow("stats webhooks") << QStringList {u"stats"_s, u"webhook_audit.db"_s} << webhooks;
        QTest::newRow("check prompts") << QStringList {u"check"_s, u"memories.db"_s} << prompts;
        QTest::newRow("get prompts") << QStringList {u"get"_s, u"memories.db"_s, u"x"_s} << prompts;
        QTest::newRow("copy from prompts") << QStringList {u"copy"_s, u"memories.db"_s, u"copy.db"_s} << prompts;
    }
    void commandLineExplainsInOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, says);
        const auto before = snapshot();
        for (QString& arg : args) {
            if (arg.endsWith(u".db"_s))
                arg = arg.startsWith(u"sqlite:"_s) ? u"sqlite:"_s + m_dir.filePath(arg.mid(7)) : m_dir.filePath(arg);
        }
        const Run r = cli(args);
        QCOMPARE(r.code, 5);
        const QString err = QString::fromUtf8(r.err);
        QCOMPARE(err.count(u'\n'), 1);
        QVERIFY2(err.contains(says), qPrintable(err));
        QVERIFY2(err.contains(u"not a memory store"_s), qPrintable(err));
        QVERIFY(r.out.isEmpty());
        QVERIFY(!QFile::exists(m_dir.filePath(u"copy.db"_s)));
        QCOMPARE(snapshot(), before);
    }

    void commandLineKeepsOtherErrors()
    {
        const Run r = cli({u"info"_s, m_other});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("not a subcog store"));
        const Run help = cli({u"--help"_s});
        QVERIFY(help.out.contains("  5  STORE is one of subcog's files that hold no memories"));
    }
};

QTEST_GUILESS_MAIN(TestSubcogFiles)
#include "tst_subcogfiles.moc"
