// SPDX-License-Identifier: MIT
// Exports and copies while a separate writer process (tests/tools/store-writer) keeps committing: every exported or
// copied memory must be one committed version (content and tags of the same commit), every run of a SQLite or
// PostgreSQL store one snapshot (all memories of the same commit, as the writer rewrites them all in each), and the
// writer's worst commit must stay within its busy timeout. Also what a read-only open leaves on disk.
#include "copier.h"
#include "exporter.h"
#include "filesystem/filesystembackend.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "sqlite/sqlitebackend.h"
#include "testhelpers.h"

#include <QBuffer>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {

constexpr int kMemories = 200;
constexpr int kExports = 16; // per kind, plus kCopies copies: 24 runs
constexpr int kCopies = 8;

Memory seedMemory(int k)
{
    Memory m;
    m.id = u"snap_"_s + QString::number(k).rightJustified(3, u'0');
    m.content = u"v0 of memory "_s + QString::number(k);
    m.namespaceName = u"decisions"_s;
    m.domain = u"project"_s;
    m.status = u"active"_s;
    m.createdAt = 1767000000 + k;
    m.updatedAt = m.createdAt;
    m.tags = {u"snap"_s, u"v0"_s};
    m.source = u"store-writer"_s;
    return m;
}

/// The version a memory's content names ("v12 of memory …"), and the one its tags name ("v12"); -1 when absent.
std::pair<qint64, qint64> versions(const QString& content, const QStringList& tags)
{
    static const QRegularExpression leading(u"^v(\\d+) "_s);
    const auto match = leading.match(content);
    const qint64 fromContent = match.hasMatch() ? match.captured(1).toLongLong() : -1;
    qint64 fromTags = -1;
    for (const QString& tag : tags) {
        if (tag.size() > 1 && tag.startsWith(u'v'))
            fromTags = tag.mid(1).toLongLong();
    }
    return {fromContent, fromTags};
}

/// What one export or copy read.
struct RunResult
{
    int memories = 0;
    int torn = 0; ///< content of one commit, tags of another
    QSet<qint64> versions; ///< the versions the run's memories have
    QMap<QString, qint64> byId; ///< each memory's version, in id order (the writer's order)
    int skipped = 0;
    QStringList problems; ///< why memories were skipped
};

void account(RunResult& r, const QString& id, const QString& content, const QStringList& tags)
{
    ++r.memories;
    const auto [c, t] = versions(content, tags);
    if (c != t || c < 0)
        ++r.torn;
    r.versions.insert(c);
    r.byId.insert(id, c);
}

/// How the writer commits, which says what one snapshot of its store looks like.
enum class Commits
{
    AllAtOnce, ///< every memory in each commit: a snapshot has one version
    OneByOne, ///< one memory a commit, in id order: a snapshot has v for a first part of the ids, v - 1 after
    NoTransactions, ///< a folder: only each file is one version
};

bool isOneSnapshot(const RunResult& r, Commits commits)
{
    if (commits == Commits::AllAtOnce)
        return r.versions.size() == 1;
    if (commits == Commits::NoTransactions || r.versions.isEmpty())
        return true;
    qint64 previous = std::numeric_limits<qint64>::max();
    for (const qint64 v : r.byId) {
        if (v > previous)
            return false;
        previous = v;
    }
    const auto [low, high] = std::minmax_element(r.versions.begin(), r.versions.end());
    return *high - *low <= 1;
}

/// Totals over all runs, for the failure message and the reliability table.
struct Tally
{
    int runs = 0;
    int tornMemories = 0;
    int runsWithTorn = 0;
    int runsMixingCommits = 0;
    int incompleteRuns = 0;
    qint64 slowestRunMs = 0;
    QSet<qint64> versionsSeen;
    QStringList problems;

    void add(const RunResult& r, Commits commits)
    {
        ++runs;
        tornMemories += r.torn;
        runsWithTorn += r.torn > 0 ? 1 : 0;
        if (!isOneSnapshot(r, commits))
            ++runsMixingCommits;
        if (r.memories != kMemories || r.skipped > 0) {
            ++incompleteRuns;
            problems << QString::number(r.memories) + u" memories"_s << r.problems.mid(0, 3);
        }
        versionsSeen.unite(r.versions);
    }
    QString text() const
    {
        return QString::number(runs) + u" runs: "_s + QString::number(tornMemories) + u" torn memories in "_s
            + QString::number(runsWithTorn) + u" runs, "_s + QString::number(runsMixingCommits)
            + u" runs not one snapshot, "_s + QString::number(incompleteRuns) + u" incomplete runs, "_s
            + QString::number(versionsSeen.size()) + u" writer versions seen, slowest run "_s
            + QString::number(slowestRunMs) + u" ms"_s
            + (problems.isEmpty() ? QString() : u"; "_s + problems.mid(0, 6).join(u"; "_s));
    }
};

RunResult exportOnce(PersistenceBackend& backend, ExportFormat format)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    // small batches: many statements per export, as in a large store
    const ExportReport report = Exporter(backend, format, 20).run(MemoryFilter {}, buffer);
    RunResult r;
    r.skipped = int(report.skipped.size());
    for (const RecordIssue& issue : report.skipped)
        r.problems << issue.id + u": "_s + issue.reason;
    const QHash<QString, QJsonObject> records = Testing::parseJsonLines(buffer.data());
    for (const QJsonObject& o : records) {
        QStringList tags;
        for (const QJsonValue& v : o.value(u"tags"_s).toArray())
            tags << v.toString();
        account(r, o.value(u"id"_s).toString(), o.value(u"content"_s).toString(), tags);
    }
    return r;
}

RunResult copyOnce(PersistenceBackend& source, const QString& targetPath)
{
    // an SQLite target: a transaction per batch, so a copy is short and a rollback-journal source's writer, which
    // waits for the whole copy, stays well within its busy timeout
    auto target = SqliteBackend::create(targetPath);
    const CopyReport report = Copier(source, *target, 20).run(ExportSource {}, OnConflict::Overwrite, false);
    RunResult r;
    r.skipped = int(report.failed.size());
    for (const RecordIssue& issue : report.failed)
        r.problems << issue.id + u": "_s + issue.reason;
    QStringList ids;
    for (int k = 0; k < kMemories; ++k)
        ids << seedMemory(k).id;
    for (const Memory& m : target->getBatch(ids))
        account(r, m.id, m.content, m.tags);
    return r;
}

} // namespace

class TestSnapshot : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_copies = 0;

    /// The writer process, started on `location`; returns once its first commit is in.
    struct Writer
    {
        QProcess process;
        QString stopFile;
        qint64 commits = 0;
        qint64 worstMs = -1;
        qint64 failed = -1;
    };

    void startWriter(Writer& w, const QString& kind, const QString& location, bool oneByOne = false)
    {
        w.stopFile = m_dir.filePath(u"stop-"_s + kind);
        QFile::remove(w.stopFile);
        QStringList args {kind, location, QString::number(kMemories), w.stopFile};
        if (oneByOne)
            args << u"each"_s;
        w.process.start(qEnvironmentVariable("INSPECTOR_STORE_WRITER"), args);
        QVERIFY2(w.process.waitForStarted(), qPrintable(w.process.errorString()));
        QVERIFY2(w.process.waitForReadyRead(30000), w.process.readAllStandardError().constData());
        QCOMPARE(w.process.readLine().trimmed(), QByteArray("ready"));
    }

    void stopWriter(Writer& w)
    {
        QFile stop(w.stopFile);
        QVERIFY(stop.open(QIODevice::WriteOnly));
        stop.close();
        QVERIFY(w.process.waitForFinished(60000));
        const QString last = QString::fromUtf8(w.process.readAllStandardOutput()).trimmed();
        const QStringList parts = last.split(u' ');
        QCOMPARE(parts.size(), 6);
        w.commits = parts[1].toLongLong();
        w.worstMs = parts[3].toLongLong();
        w.failed = parts[5].toLongLong();
        qInfo().noquote() << "writer:" << last << w.process.readAllStandardError();
    }

    /// Exports and copies of a store the writer keeps changing; `open` gives a fresh connection for each run.
    void runAgainstWriter(const QString& kind, const QString& location,
                          const std::function<std::unique_ptr<PersistenceBackend>()>& open, Commits commits)
    {
        Writer writer;
        startWriter(writer, kind, location, commits == Commits::OneByOne);
        if (QTest::currentTestFailed())
            return;
        Tally tally;
        QString error;
        for (int i = 0; i < kExports + kCopies; ++i) {
            QElapsedTimer timer;
            timer.start();
            RunResult r;
            try {
                const auto backend = open();
                if (i < kExports)
                    r = exportOnce(*backend, i % 2 ? ExportFormat::JsonLines : ExportFormat::Subcog);
                else
                    r = copyOnce(*backend, m_dir.filePath(u"copy-"_s + QString::number(++m_copies) + u".db"_s));
            } catch (const StorageError& e) {
                error = e.message(); // the writer is stopped first
            }
            if (!error.isEmpty())
                break;
            tally.add(r, commits);
            tally.slowestRunMs = qMax(tally.slowestRunMs, timer.elapsed());
        }
        stopWriter(writer);
        qInfo().noquote() << kind << tally.text();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(tally.runs >= 20, qPrintable(tally.text()));
        QVERIFY2(tally.tornMemories == 0, qPrintable(tally.text()));
        QVERIFY2(tally.runsMixingCommits == 0, qPrintable(tally.text()));
        QVERIFY2(tally.incompleteRuns == 0, qPrintable(tally.text()));
        // the writer did commit while the runs read
        QVERIFY2(tally.versionsSeen.size() > 1, qPrintable(tally.text()));
        QCOMPARE(writer.failed, 0);
        QVERIFY2(writer.worstMs < 5000, qPrintable(u"worst commit "_s + QString::number(writer.worstMs) + u" ms"_s));
    }

    QString seededSqlite(const QString& name, bool wal)
    {
        const QString path = m_dir.filePath(name);
        {
            auto backend = SqliteBackend::create(path);
            QList<Memory> seed;
            for (int k = 0; k < kMemories; ++k)
                seed << seedMemory(k);
            backend->storeBatch(seed);
        }
        if (!wal) {
            const QString connection = u"snapshot-journal"_s;
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connection);
                db.setDatabaseName(path);
                if (db.open()) {
                    QSqlQuery q(db);
                    q.exec(u"PRAGMA journal_mode = DELETE"_s);
                }
                db.close();
            }
            QSqlDatabase::removeDatabase(connection);
        }
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFileInfo(qEnvironmentVariable("INSPECTOR_STORE_WRITER")).isExecutable(),
                 "INSPECTOR_STORE_WRITER names the store-writer tool");
    }

    void sqliteWalAgainstWriter()
    {
        const QString path = seededSqlite(u"wal.db"_s, true);
        runAgainstWriter(
            u"sqlite"_s, path, [&] { return SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly); },
            Commits::AllAtOnce);
    }

    void sqliteWalAgainstOneByOneWriter()
    {
        // subcog's `index`: one memory a transaction, hundreds a second
        const QString path = seededSqlite(u"each.db"_s, true);
        runAgainstWriter(
            u"sqlite"_s, path, [&] { return SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly); },
            Commits::OneByOne);
    }

    void sqliteRollbackJournalAgainstWriter()
    {
        // the read holds a SHARED lock, so the writer's commits wait while a run reads: within its busy timeout
        const QString path = seededSqlite(u"journal.db"_s, false);
        {
            auto backend = SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly);
            QCOMPARE(backend->describeLayout().first().contains(u"journal mode delete"_s), true);
            const ReadSnapshot snapshot(*backend);
            QVERIFY(snapshot.notice().contains(u"rollback journal"_s));
        }
        runAgainstWriter(
            u"sqlite-journal"_s, path, [&] { return SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly); },
            Commits::AllAtOnce);
    }

    void postgresAgainstWriter()
    {
        auto& server = Testing::PostgresServer::shared();
        const QString url = server.url(server.createDatabase(u"snapshot"_s));
        {
            auto backend = PostgresBackend::createSchema(url);
            QList<Memory> seed;
            for (int k = 0; k < kMemories; ++k)
                seed << seedMemory(k);
            backend->storeBatch(seed);
        }
        PostgresBackend::Options readOnly;
        readOnly.readOnly = true;
        runAgainstWriter(
            u"postgres"_s, url, [&] { return PostgresBackend::open(url, readOnly); }, Commits::AllAtOnce);
    }

    void folderAgainstWriter()
    {
        // no transactions in a folder: each file must be one version, none may be lost to a half-written file
        const QString folder = m_dir.filePath(u"folder"_s);
        {
            auto backend = FilesystemBackend::create(folder);
            for (int k = 0; k < kMemories; ++k)
                backend->store(seedMemory(k));
        }
        FilesystemBackend::Options readOnly;
        readOnly.readOnly = true;
        runAgainstWriter(
            u"folder"_s, folder, [&] { return FilesystemBackend::open(folder, readOnly); }, Commits::NoTransactions);
    }

    void snapshotBlocksWritesOnItsConnection()
    {
        const QString path = seededSqlite(u"nested.db"_s, true);
        auto backend = SqliteBackend::open(path, SqliteBackend::OpenMode::ReadWrite);
        {
            const ReadSnapshot outer(*backend);
            const ReadSnapshot inner(*backend);
            QVERIFY(outer.notice().isEmpty());
            QVERIFY_THROWS_EXCEPTION(StorageError, backend->store(seedMemory(1)));
        }
        // both ended: the connection writes again
        Memory m = seedMemory(1);
        m.content = u"v1 edited"_s;
        m.tags = {u"v1"_s};
        backend->store(m);
        QCOMPARE(backend->get(m.id)->content, m.content);
    }

    void readOnlyOpenLeavesIndexDbAlone()
    {
        // spec §4.1: a WAL store is read with WAL support; index.db itself is never written by a read-only open
        const QString path = seededSqlite(u"readonly.db"_s, true);
        QVERIFY(!QFileInfo::exists(path + u"-wal"_s));
        const QByteArray hash = Testing::fileHash(path);
        const QDateTime modified = QFileInfo(path).lastModified();
        {
            auto backend = SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly);
            QCOMPARE(backend->count(), qint64(kMemories));
            QBuffer buffer;
            buffer.open(QIODevice::WriteOnly);
            QCOMPARE(Exporter(*backend).run(MemoryFilter {}, buffer).written, qint64(kMemories));
        }
        QCOMPARE(Testing::fileHash(path), hash);
        QCOMPARE(QFileInfo(path).lastModified(), modified);
        // what SQLite itself does (the README says so): a read-only connection to a WAL store whose -wal and
        // -shm are gone may create them (SQLite 3.40: an empty -wal, a 32 KiB -shm) and leave them; never data
        QVERIFY(!QFileInfo::exists(path + u"-wal"_s) || QFileInfo(path + u"-wal"_s).size() == 0);

        // with a writer's data still in the -wal: seen, and neither file changed by the read. An idle connection
        // stays open so that the writer, not the last to close, leaves its -wal as a running subcog does.
        QSqlDatabase idle = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"snapshot-idle"_s);
        idle.setDatabaseName(path);
        QVERIFY(idle.open());
        QSqlQuery(idle).exec(u"SELECT count(*) FROM memories"_s);
        Writer writer;
        startWriter(writer, u"sqlite"_s, path);
        stopWriter(writer);
        QVERIFY(QFileInfo(path + u"-wal"_s).size() > 0 || Testing::fileHash(path) != hash);
        const QByteArray dbHash = Testing::fileHash(path);
        const QByteArray walHash = Testing::fileHash(path + u"-wal"_s);
        {
            auto backend = SqliteBackend::open(path, SqliteBackend::OpenMode::ReadOnly);
            const auto m = backend->get(seedMemory(0).id);
            QVERIFY(m);
            QVERIFY(!m->content.startsWith(u"v0 "_s));
        }
        QCOMPARE(Testing::fileHash(path), dbHash);
        QCOMPARE(Testing::fileHash(path + u"-wal"_s), walHash);
        idle.close();
        idle = QSqlDatabase();
        QSqlDatabase::removeDatabase(u"snapshot-idle"_s);
    }
};

QTEST_GUILESS_MAIN(TestSnapshot)
#include "tst_snapshot.moc"
