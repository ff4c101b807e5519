// SPDX-License-Identifier: MIT
// Copies between every pair of backends (real SQLite files, a real PostgreSQL 15, real folders), the chain
// SQLite → PostgreSQL → folder → SQLite, conflict policies, dry runs, interrupted copies, and exports that are
// cancelled or hit a full disk.
#include "copier.h"
#include "fixturegenerator.h"
#include "memorytablemodel.h"
#include "postgresserver.h"
#include "storeopener.h"
#include "testhelpers.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSaveFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestCopy : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    Fixtures::GeneratedStore m_source;
    QStringList m_ids;

    QString newPostgres()
    {
        auto& server = Testing::PostgresServer::shared();
        return server.url(server.createDatabase(u"copy"_s));
    }

    std::unique_ptr<PersistenceBackend> open(const QString& spec, bool create = false)
    {
        OpenOptions o;
        o.create = create;
        return openStore(spec, o);
    }

    /// Every memory of the source is in `target` with every field equal.
    void compareWithSource(PersistenceBackend& target, const QString& what)
    {
        const QList<Memory> got = target.getBatch(m_ids);
        QCOMPARE(got.size(), m_source.truth.size());
        QHash<QString, Memory> byId;
        for (const Memory& m : got)
            byId.insert(m.id, m);
        for (const Memory& expected : std::as_const(m_source.truth)) {
            const Memory actual = byId.value(expected.id);
            QVERIFY2(
                actual.sameFields(expected),
                qPrintable(what + u": "_s + expected.id + u" differs: "_s
                           + Testing::diffRecords(Fixtures::toJson(actual), Fixtures::toJson(expected)).join(u"; "_s)));
        }
    }

    /// `from_id to_id edge_type created_at` of every memory_edges row, sorted, read with plain SQL.
    static QStringList edgeRows(const QString& path)
    {
        static int connections = 0;
        const QString name = u"edges-"_s + QString::number(++connections);
        QStringList rows;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(path);
            if (db.open()) {
                QSqlQuery q(db);
                q.exec(u"SELECT from_id, to_id, edge_type, created_at FROM memory_edges ORDER BY 1, 2, 3"_s);
                while (q.next())
                    rows << QStringList {q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                                         q.value(3).toString()}
                                .join(u' ');
            }
        }
        QSqlDatabase::removeDatabase(name);
        return rows;
    }

    /// A 384-dimension embedding of f32 values with known serde_json texts, and those texts.
    static QPair<QList<float>, QList<QByteArray>> sampleEmbedding(int seed)
    {
        const auto samples = Fixtures::serdeFloatSamples();
        QPair<QList<float>, QList<QByteArray>> result;
        for (int k = 0; k < 384; ++k) {
            const auto& sample = samples.at((seed + k * 5) % samples.size());
            result.first << sample.first;
            result.second << sample.second;
        }
        return result;
    }

    /// A new database with subcog's tables and a memory_vectors whose embedding column is TEXT, standing in for
    /// pgvector's vector(384) (pgvector is not packaged for Debian 12); read and written in the same text form.
    QString newPostgresWithVectors()
    {
        auto& server = Testing::PostgresServer::shared();
        const QString database = server.createDatabase(u"vectors"_s);
        open(server.url(database), true);
        server.runSql(database,
                      u"CREATE TABLE memory_vectors (id TEXT PRIMARY KEY, embedding TEXT, created_at BIGINT NOT NULL "
                      "DEFAULT EXTRACT(EPOCH FROM NOW())::BIGINT)"_s);
        return server.url(database);
    }

private Q_SLOTS:
    void initTestCase()
    {
        Fixtures::GeneratorOptions options;
        options.count = 700;
        options.anomalies = false;
        options.largeMemories = 1;
        options.pendingWal = false;
        m_source = Fixtures::writeSqliteStore(m_dir.filePath(u"source.db"_s), Fixtures::SqliteLayout::Head, options);
        for (const Memory& m : std::as_const(m_source.truth))
            m_ids << m.id;
    }

    void sqliteToPostgresToFolderToSqlite()
    {
        auto source = open(u"sqlite:"_s + m_source.path);
        const QString pg = newPostgres();
        const QString folder = m_dir.filePath(u"chain-folder"_s);
        const QString back = m_dir.filePath(u"chain-back.db"_s);
        struct Step
        {
            QString from;
            QString to;
        };
        const QList<Step> steps {
            {u"sqlite:"_s + m_source.path, pg}, {pg, u"fs:"_s + folder}, {u"fs:"_s + folder, u"sqlite:"_s + back}};
        for (const Step& step : steps) {
            auto from = open(step.from);
            auto to = open(step.to, true);
            const CopyReport report = Copier(*from, *to, 128).run({}, OnConflict::Fail, false);
            QCOMPARE(report.created, qint64(m_ids.size()));
            QVERIFY(report.failed.isEmpty());
            compareWithSource(*to, step.to);
        }
        // the folder's files are what subcog itself writes, byte for byte
        for (const Memory& m : std::as_const(m_source.truth)) {
            QFile file(folder + u'/' + m.id + u".json"_s);
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(file.readAll(), Fixtures::subcogFileBytes(m));
        }
    }

    void copyRefusesOnePostgresDatabaseSpeltAnotherWay()
    {
        const QString pg = newPostgres();
        {
            auto source = open(u"sqlite:"_s + m_source.path);
            auto target = open(pg, true);
            QCOMPARE(Copier(*source, *target).run({}, OnConflict::Fail, false).created, qint64(m_ids.size()));
        }
        const QString binary = qEnvironmentVariable("INSPECTOR_BINARY");
        QVERIFY(!binary.isEmpty());
        const QUrl url(pg);
        const QString database = url.path().mid(1);
        const QString rest = u":"_s + QString::number(url.port()) + u'/' + database;
        const QString auth = url.userName() + u':' + url.password() + u'@';
        const QStringList spellings {u"postgresql://"_s + auth + u"localhost"_s + rest,
                                     u"postgres://"_s + auth + u"127.0.0.1"_s + rest,
                                     u"postgresql://"_s + auth + u"127.0.0.1"_s + rest + u"?sslmode=disable"_s};
        for (const QString& target : spellings) {
            QProcess p;
            p.start(binary, {u"copy"_s, pg, target, u"--on-conflict"_s, u"overwrite"_s});
            QVERIFY(p.waitForFinished(120000));
            const QByteArray err = p.readAllStandardError();
            QVERIFY2(p.exitCode() == 2, qPrintable(target + u": exit "_s + QString::number(p.exitCode())));
            QVERIFY2(err.contains("SOURCE and TARGET are the same store"), err.constData());
            QVERIFY2(!err.contains(url.password().toUtf8()), err.constData());
        }
        QCOMPARE(open(pg)->count(), qint64(m_ids.size()));
    }

    void everyPairOfBackends()
    {
        const QString pgA = newPostgres();
        const QString folderA = u"fs:"_s + m_dir.filePath(u"pair-folder-a"_s);
        const QString sqliteA = u"sqlite:"_s + m_dir.filePath(u"pair-a.db"_s);
        {
            auto source = open(u"sqlite:"_s + m_source.path);
            for (const QString& seed : {pgA, folderA, sqliteA}) {
                auto to = open(seed, true);
                Copier(*source, *to).run({}, OnConflict::Fail, false);
            }
        }
        const QStringList kinds {sqliteA, pgA, folderA};
        int n = 0;
        for (const QString& from : kinds) {
            for (const QString& toKind : kinds) {
                if (from == toKind)
                    continue;
                QString target;
                if (toKind.startsWith(u"sqlite:"_s))
                    target = u"sqlite:"_s + m_dir.filePath(u"pair-%1.db"_s.arg(++n));
                else if (toKind.startsWith(u"fs:"_s))
                    target = u"fs:"_s + m_dir.filePath(u"pair-folder-%1"_s.arg(++n));
                else
                    target = (++n, newPostgres());
                auto source = open(from);
                auto to = open(target, true);
                const CopyReport report = Copier(*source, *to, 200).run({}, OnConflict::Fail, false);
                QCOMPARE(report.created, qint64(m_ids.size()));
                compareWithSource(*to, from + u" → "_s + target);
            }
        }
        QCOMPARE(n, 6);
    }

    void conflictsDryRunsAndInterruptedCopies()
    {
        auto source = open(u"sqlite:"_s + m_source.path);
        auto target = open(u"fs:"_s + m_dir.filePath(u"conflicts"_s), true);

        // an interrupted copy, run again, finishes the job
        const CopyReport partial
            = Copier(*source, *target, 100).run({}, OnConflict::Fail, false, [](const CopyReport& r) {
                  return r.read < 300;
              });
        QVERIFY(partial.cancelled);
        QCOMPARE(target->count(), qint64(300));
        const CopyReport rest = Copier(*source, *target, 100).run({}, OnConflict::Fail, false);
        QCOMPARE(rest.unchanged, qint64(300));
        QCOMPARE(rest.created, qint64(m_ids.size() - 300));
        compareWithSource(*target, u"after the second run"_s);

        // the target changed one memory: fail stops before its batch, skip keeps it, overwrite replaces it
        const QString id = m_ids.at(5);
        Memory changed = *target->get(id);
        changed.content = u"changed in the target"_s;
        target->store(changed);
        ExportSource some;
        some.query.filter.ids = m_ids.mid(0, 50);
        const CopyReport failed = Copier(*source, *target).run(some, OnConflict::Fail, false);
        QCOMPARE(failed.stoppedAt, id);
        QCOMPARE(target->get(id)->content, u"changed in the target"_s);
        const CopyReport dry = Copier(*source, *target).run(some, OnConflict::Overwrite, true);
        QCOMPARE(dry.overwritten, qint64(1));
        QCOMPARE(dry.unchanged, qint64(49));
        QCOMPARE(target->get(id)->content, u"changed in the target"_s); // a dry run writes nothing
        const CopyReport skipped = Copier(*source, *target).run(some, OnConflict::Skip, false);
        QCOMPARE(skipped.skipped, qint64(1));
        QCOMPARE(target->get(id)->content, u"changed in the target"_s);
        const CopyReport overwritten = Copier(*source, *target).run(some, OnConflict::Overwrite, false);
        QCOMPARE(overwritten.overwritten, qint64(1));
        QVERIFY(target->get(id)->sameFields(*source->get(id)));
    }

    void aKilledCopyCanAlwaysBeRunAgain()
    {
        // SIGKILL a real copy process at growing delays until kills have landed while it was creating the target
        // and after; whatever a kill left, the target is a store or absent, and a second run completes the copy
        const QString binary = qEnvironmentVariable("INSPECTOR_BINARY");
        QVERIFY(!binary.isEmpty());
        Fixtures::GeneratorOptions options;
        options.count = 150; // small: every kill is followed by a whole second run
        options.anomalies = false;
        const auto source
            = Fixtures::writeSqliteStore(m_dir.filePath(u"kill-source.db"_s), Fixtures::SqliteLayout::Head, options);
        enum class Kind
        {
            Sqlite,
            Folder,
            Postgres,
        };
        for (const Kind kind : {Kind::Sqlite, Kind::Folder, Kind::Postgres}) {
            const char* name = kind == Kind::Sqlite ? "sqlite" : kind == Kind::Folder ? "folder" : "postgres";
            int beforeTarget = 0;
            int duringCreation = 0;
            int afterCreation = 0;
            auto enough
                = [&] { return (kind == Kind::Sqlite ? duringCreation : beforeTarget) >= 2 && afterCreation >= 2; };
            // the SQLite target's creation lasts a few ms: once a kill lands after it with none during it (a loaded
            // machine shifts the window), the delays between the last kill before and the first after are tried
            // again one millisecond apart
            int lastBefore = 0;
            int firstAfter = -1;
            int fine = 0;
            for (int delay = 0, runs = 0; runs < 90 && !enough(); ++runs) {
                QTemporaryDir dir;
                const QString path = dir.filePath(kind == Kind::Folder ? u"target"_s : u"target.db"_s);
                const QString spec = kind == Kind::Sqlite ? u"sqlite:"_s + path
                    : kind == Kind::Folder                ? u"fs:"_s + path
                                                          : newPostgres();
                QProcess copy;
                copy.start(binary, {u"copy"_s, source.path, spec});
                QVERIFY(copy.waitForStarted());
                QTest::qSleep(delay);
                copy.kill();
                QVERIFY(copy.waitForFinished(60000));
                const bool killed = copy.exitStatus() == QProcess::CrashExit;
                const bool building
                    = !QDir(dir.path()).entryList({u".target.db.creating-*"_s}, QDir::Files | QDir::Hidden).isEmpty();
                // what the kill left is a store or nothing: a file or folder that opens, or a database whose
                // schema transaction never committed
                bool exists = kind == Kind::Postgres ? false : QFileInfo::exists(path);
                try {
                    if (exists || kind == Kind::Postgres) {
                        open(spec)->count();
                        exists = true;
                    }
                } catch (const StorageError& e) {
                    if (exists || !e.message().contains(u"has no 'memories' table"_s))
                        QFAIL(qPrintable(
                            u"%1 killed after %2 ms, the target is no store: "_s.arg(QLatin1StringView(name)).arg(delay)
                            + e.message()));
                }
                if (killed && building) {
                    ++duringCreation;
                } else if (killed && !exists) {
                    ++beforeTarget;
                    lastBefore = qMax(lastBefore, delay);
                } else if (killed) {
                    ++afterCreation;
                    if (firstAfter < 0 || delay < firstAfter)
                        firstAfter = delay;
                }
                QProcess again;
                again.start(binary, {u"copy"_s, source.path, spec});
                QVERIFY(again.waitForFinished(120000));
                QVERIFY2(again.exitStatus() == QProcess::NormalExit && again.exitCode() == 0,
                         qPrintable(
                             u"%1 killed after %2 ms, the second run failed: "_s.arg(QLatin1StringView(name)).arg(delay)
                             + QString::fromUtf8(again.readAllStandardError())));
                auto target = open(spec);
                QCOMPARE(target->count(), qint64(source.truth.size()));
                QCOMPARE(QDir(dir.path()).entryList({u".target.db.creating-*"_s}, QDir::Files | QDir::Hidden),
                         QStringList {});
                for (const Memory& m : source.truth) {
                    const auto copied = target->get(m.id);
                    QVERIFY2(copied && copied->sameFields(m), qPrintable(m.id));
                }
                if (kind == Kind::Sqlite && duringCreation == 0 && firstAfter > lastBefore)
                    delay = lastBefore + 1 + fine++ % qMax(1, firstAfter - lastBefore);
                else
                    delay += kind == Kind::Sqlite ? 6 : 10;
            }
            qInfo("%s: %d kills before the target existed, %d while it was created, %d after", name, beforeTarget,
                  duringCreation, afterCreation);
            QVERIFY(afterCreation >= 2);
            if (kind == Kind::Sqlite)
                QVERIFY2(duringCreation >= 1, "no kill landed while the SQLite target was being created");
        }
    }

    void edgesTravelBetweenSqliteStores()
    {
        // the fixture writes consolidation's edges from the truth, some to summarised ids that are not stored
        QSet<QString> stored(m_ids.begin(), m_ids.end());
        const QStringList all = edgeRows(m_source.path);
        QStringList whole;
        for (const QString& row : all) {
            const QStringList parts = row.split(u' ');
            if (stored.contains(parts[0]) && stored.contains(parts[1]))
                whole << row;
        }
        QVERIFY(whole.size() > 20);
        auto source = open(u"sqlite:"_s + m_source.path);
        const QString copyPath = m_dir.filePath(u"edges-copy.db"_s);
        {
            auto target = open(u"sqlite:"_s + copyPath, true);
            const CopyReport report = Copier(*source, *target, 128).run({}, OnConflict::Fail, false);
            QCOMPARE(report.edgesCarried, qint64(whole.size()));
            QCOMPARE(report.edgesDangling, qint64(all.size() - whole.size()));
            QCOMPARE(report.edgesNotCarried, qint64(0));
            compareWithSource(*target, u"edges copy"_s);
        }
        QCOMPARE(edgeRows(copyPath), whole);

        // a copy of some memories carries the edges between them and counts those that leave the selection
        QSet<QString> leftOut; // the summaries of some edges stay behind
        for (qsizetype i = 0; i < whole.size(); i += 8)
            leftOut.insert(whole[i].section(u' ', 0, 0));
        QStringList someIds;
        for (const QString& id : std::as_const(m_ids)) {
            if (!leftOut.contains(id))
                someIds << id;
        }
        const QSet<QString> some(someIds.begin(), someIds.end());
        QStringList inside;
        qint64 touching = 0;
        for (const QString& row : all) {
            const QStringList parts = row.split(u' ');
            if (some.contains(parts[0]) || some.contains(parts[1]))
                ++touching;
            if (some.contains(parts[0]) && some.contains(parts[1]))
                inside << row;
        }
        QVERIFY2(!inside.isEmpty() && touching > inside.size(),
                 qPrintable(u"%1 inside, %2 touching"_s.arg(inside.size()).arg(touching)));
        const QString partPath = m_dir.filePath(u"edges-part.db"_s);
        {
            auto target = open(u"sqlite:"_s + partPath, true);
            ExportSource what;
            what.query.filter.ids = someIds;
            const CopyReport dry = Copier(*source, *target, 100).run(what, OnConflict::Fail, true);
            QCOMPARE(dry.edgesCarried, qint64(inside.size()));
            const CopyReport report = Copier(*source, *target, 100).run(what, OnConflict::Fail, false);
            QCOMPARE(report.edgesCarried, qint64(inside.size()));
            QCOMPARE(report.edgesDangling, touching - inside.size());
        }
        QCOMPARE(edgeRows(partPath), inside);

        // PostgreSQL has no memory_edges table (spec §5.1): every edge is counted, none dropped without a word
        auto pg = open(newPostgres(), true);
        const CopyReport toPg = Copier(*source, *pg, 200).run({}, OnConflict::Fail, false);
        QCOMPARE(toPg.edgesCarried, qint64(0));
        QCOMPARE(toPg.edgesNotCarried + toPg.edgesDangling, qint64(all.size()));
        QCOMPARE(toPg.edgesNotCarried, qint64(all.size()));
    }

    void embeddingsBetweenFolderAndPostgres()
    {
        // a folder store whose files hold embeddings, as subcog writes them
        QList<Memory> memories = m_source.truth.mid(0, 40);
        QHash<QString, QList<QByteArray>> texts;
        for (int i = 0; i < memories.size(); i += 2) {
            const auto [values, text] = sampleEmbedding(i);
            memories[i].embedding = values;
            texts.insert(memories[i].id, text);
        }
        const QString folder = u"fs:"_s + m_dir.filePath(u"vectors-folder"_s);
        open(folder, true)->storeBatch(memories);

        const QString pg = newPostgresWithVectors();
        {
            auto from = open(folder);
            auto to = open(pg);
            const CopyReport report = Copier(*from, *to, 16).run({}, OnConflict::Fail, false);
            QCOMPARE(report.created, qint64(40));
            QCOMPARE(report.embeddingsCarried, qint64(20));
            QCOMPARE(report.embeddingsNotCarried, qint64(0));
            QVERIFY(report.embeddingsRefused.isEmpty());
            // pgvector's text form, which a vector(384) column parses the same way
            const QString id = memories[0].id;
            const QString stored = Testing::PostgresServer::shared().runSql(
                QUrl(pg).path().mid(1), u"SELECT embedding FROM memory_vectors WHERE id = '"_s + id + u"'"_s);
            QVERIFY2(stored.trimmed() == QString::fromLatin1("[" + texts.value(id).join(',') + "]"),
                     qPrintable(stored.left(200)));
            // run again: everything is equal, embeddings included
            const CopyReport again = Copier(*from, *to, 16).run({}, OnConflict::Fail, false);
            QCOMPARE(again.unchanged, qint64(40));
            QCOMPARE(again.embeddingsCarried, qint64(0));
        }
        // out of PostgreSQL into a folder: subcog's own files, byte for byte, embeddings included
        const QString back = m_dir.filePath(u"vectors-folder-back"_s);
        {
            auto from = open(pg);
            auto to = open(u"fs:"_s + back, true);
            const CopyReport report = Copier(*from, *to, 16).run({}, OnConflict::Fail, false);
            QCOMPARE(report.created, qint64(40));
            QCOMPARE(report.embeddingsCarried, qint64(20));
        }
        for (const Memory& m : std::as_const(memories)) {
            QFile file(back + u'/' + m.id + u".json"_s);
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(file.readAll(),
                     m.embedding ? Fixtures::subcogFileBytes(m, texts.value(m.id)) : Fixtures::subcogFileBytes(m));
        }
        // a database without memory_vectors cannot hold them: the copy says how many stayed behind
        auto from = open(folder);
        auto bare = open(newPostgres(), true);
        const CopyReport report = Copier(*from, *bare).run({}, OnConflict::Fail, false);
        QCOMPARE(report.created, qint64(40));
        QCOMPARE(report.embeddingsCarried, qint64(0));
        QCOMPARE(report.embeddingsNotCarried, qint64(20));
        QVERIFY2(report.embeddingsNotCarriedReason.contains(u"memory_vectors"_s),
                 qPrintable(report.embeddingsNotCarriedReason));
    }

    void vectorsIdxSurvivesSqliteToPostgresToSqlite()
    {
        // a data folder: index.db and subcog's vectors.idx beside it (with one orphan vector, as old stores have)
        const QString srcDir = m_dir.filePath(u"vsrc"_s);
        QDir().mkpath(srcDir);
        const QStringList ids = m_ids.mid(100, 60);
        {
            auto source = open(u"sqlite:"_s + m_source.path);
            auto index = open(u"sqlite:"_s + srcDir + u"/index.db"_s, true);
            ExportSource what;
            what.query.filter.ids = ids;
            QCOMPARE(Copier(*source, *index).run(what, OnConflict::Fail, false).created, qint64(60));
        }
        QHash<QString, QList<float>> expected;
        QByteArray idx = "{\"dimensions\":384,\"vectors\":{";
        for (int i = 0; i < 30; ++i) {
            const auto [values, text] = sampleEmbedding(i);
            const QString id = i == 29 ? u"orphan-vector"_s : ids[i * 2];
            if (i != 29)
                expected.insert(id, values);
            idx += (i ? "," : "") + QJsonDocument(QJsonArray {id}).toJson(QJsonDocument::Compact).mid(1).chopped(1)
                + ":[" + text.join(',') + "]";
        }
        idx += "}}";
        QFile file(srcDir + u"/vectors.idx"_s);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(idx);
        file.close();

        const QString pg = newPostgresWithVectors();
        {
            auto from = open(u"sqlite:"_s + srcDir + u"/index.db"_s);
            auto to = open(pg);
            const CopyReport report = Copier(*from, *to, 16).run({}, OnConflict::Fail, false);
            QCOMPARE(report.created, qint64(60));
            QCOMPARE(report.embeddingsCarried, qint64(29));
        }
        // the target's data folder already has a vector of another memory: it is kept
        const QString backDir = m_dir.filePath(u"vback"_s);
        QDir().mkpath(backDir);
        const auto kept = sampleEmbedding(99);
        QFile existing(backDir + u"/vectors.idx"_s);
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write("{\"dimensions\":384,\"vectors\":{\"keep-me\":[" + kept.second.join(',') + "]}}");
        existing.close();
        {
            auto from = open(pg);
            auto to = open(u"sqlite:"_s + backDir + u"/index.db"_s, true);
            const CopyReport report = Copier(*from, *to, 16).run({}, OnConflict::Fail, false);
            QCOMPARE(report.created, qint64(60));
            QCOMPARE(report.embeddingsCarried, qint64(29));
            QVERIFY(report.embeddingsRefused.isEmpty());
            // every field of every memory
            const QList<Memory> got = to->getBatch(ids);
            QCOMPARE(got.size(), 60);
            for (const Memory& m : got) {
                const auto truth = std::find_if(m_source.truth.begin(), m_source.truth.end(),
                                                [&](const Memory& t) { return t.id == m.id; });
                QVERIFY(truth != m_source.truth.end() && truth->sameFields(m));
            }
            const CopyReport again = Copier(*from, *to, 16).run({}, OnConflict::Fail, false);
            QCOMPARE(again.unchanged, qint64(60));
            QCOMPARE(again.embeddingsCarried, qint64(0));
        }
        // read with Qt's JSON, not the inspector's reader
        QFile written(backDir + u"/vectors.idx"_s);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(written.readAll()).object();
        QCOMPARE(root.value(u"dimensions"_s).toInt(), 384);
        const QJsonObject vectors = root.value(u"vectors"_s).toObject();
        QCOMPARE(vectors.size(), 30);
        QVERIFY(vectors.contains(u"keep-me"_s));
        for (auto it = expected.constBegin(); it != expected.constEnd(); ++it) {
            const QJsonArray values = vectors.value(it.key()).toArray();
            QCOMPARE(values.size(), 384);
            for (int k = 0; k < 384; ++k)
                QCOMPARE(float(values[k].toDouble()), it.value()[k]);
        }
        QCOMPARE(QDir(backDir).entryList({u"*.tmp"_s}, QDir::Files | QDir::Hidden).size(), 0);

        // stores that cannot hold them say how many stayed behind
        auto from = open(u"sqlite:"_s + srcDir + u"/index.db"_s);
        for (const QString& target :
             QStringList {newPostgres(), u"sqlite:"_s + m_dir.filePath(u"vectors-other.db"_s)}) {
            auto to = open(target, true);
            const CopyReport report = Copier(*from, *to).run({}, OnConflict::Fail, false);
            QCOMPARE(report.created, qint64(60));
            QCOMPARE(report.embeddingsNotCarried, qint64(29));
        }
        QVERIFY(!QFileInfo::exists(m_dir.filePath(u"vectors.idx"_s)));
    }

    void rerunAfterInterruptedCopyCarriesVectors()
    {
        // a data folder whose vectors.idx holds a vector for every other memory
        const QString srcDir = m_dir.filePath(u"rerun-src"_s);
        QDir().mkpath(srcDir);
        const QStringList ids = m_ids.mid(300, 60);
        auto plain = open(u"sqlite:"_s + m_source.path);
        {
            auto index = open(u"sqlite:"_s + srcDir + u"/index.db"_s, true);
            ExportSource what;
            what.query.filter.ids = ids;
            QCOMPARE(Copier(*plain, *index).run(what, OnConflict::Fail, false).created, qint64(60));
        }
        QHash<QString, QList<float>> expected;
        QByteArray idx = "{\"dimensions\":384,\"vectors\":{";
        for (int i = 0; i < 30; ++i) {
            const auto [values, text] = sampleEmbedding(i);
            expected.insert(ids[i * 2], values);
            idx += (i ? "," : "") + ids[i * 2].toUtf8().prepend('"').append('"') + ":[" + text.join(',') + "]";
        }
        idx += "}}";
        QFile file(srcDir + u"/vectors.idx"_s);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(idx);
        file.close();

        const QString backDir = m_dir.filePath(u"rerun-back"_s);
        QDir().mkpath(backDir);
        for (const QString& target : QStringList {u"sqlite:"_s + backDir + u"/index.db"_s, newPostgresWithVectors()}) {
            // a copy killed before its end has written the rows of its first batches but none of the vectors,
            // which come last: the same rows, copied without their vectors, stand for it
            {
                auto to = open(target, true);
                ExportSource firstPart;
                firstPart.query.filter.ids = ids.mid(0, 35);
                QCOMPARE(Copier(*plain, *to).run(firstPart, OnConflict::Fail, false).created, qint64(35));
                QVERIFY(to->readEmbeddings(ids).isEmpty());
            }
            // run again to completion: those rows are no conflict, and their vectors are written too
            auto from = open(u"sqlite:"_s + srcDir + u"/index.db"_s);
            auto to = open(target);
            const CopyReport report = Copier(*from, *to, 16).run({}, OnConflict::Fail, false);
            QVERIFY2(report.stoppedAt.isEmpty(), qPrintable(target + u" stopped at "_s + report.stoppedAt));
            QCOMPARE(report.created, qint64(25));
            QCOMPARE(report.unchanged, qint64(35));
            QCOMPARE(report.embeddingsCarried, qint64(30));
            QCOMPARE(to->getBatch(ids).size(), 60);
            const QHash<QString, QList<float>> vectors = to->readEmbeddings(ids);
            QCOMPARE(vectors.size(), 30);
            for (auto it = expected.constBegin(); it != expected.constEnd(); ++it)
                QCOMPARE(vectors.value(it.key()), it.value());
            // and once more: everything equal, nothing left to carry
            const CopyReport again = Copier(*from, *to, 16).run({}, OnConflict::Fail, false);
            QCOMPARE(again.unchanged, qint64(60));
            QCOMPARE(again.embeddingsCarried, qint64(0));
        }
    }

    void usearchVectorsAreCountedNotLost()
    {
        // a data folder of a subcog built with usearch-hnsw: binary vectors.usearch plus vectors.meta.json
        const QString dataDir = m_dir.filePath(u"usearch"_s);
        QDir().mkpath(dataDir);
        const QStringList ids = m_ids.mid(200, 20);
        auto source = open(u"sqlite:"_s + m_source.path);
        {
            auto index = open(u"sqlite:"_s + dataDir + u"/index.db"_s, true);
            ExportSource what;
            what.query.filter.ids = ids;
            Copier(*source, *index).run(what, OnConflict::Fail, false);
            QCOMPARE(index->embeddingStorage(), EmbeddingStorage::Apart);
        }
        QJsonObject idToKey;
        for (int i = 0; i < 7; ++i)
            idToKey.insert(ids[i * 2], i + 1);
        idToKey.insert(u"orphan"_s, 99);
        QFile meta(dataDir + u"/vectors.meta.json"_s);
        QVERIFY(meta.open(QIODevice::WriteOnly));
        meta.write(QJsonDocument(QJsonObject {{u"dimensions"_s, 384},
                                              {u"id_to_key"_s, idToKey},
                                              {u"key_to_id"_s, QJsonObject {}},
                                              {u"next_key"_s, 100}})
                       .toJson(QJsonDocument::Compact));
        meta.close();
        QFile binary(dataDir + u"/vectors.usearch"_s);
        QVERIFY(binary.open(QIODevice::WriteOnly));
        binary.write(QByteArray(64, '\x01'));
        binary.close();

        auto index = open(u"sqlite:"_s + dataDir + u"/index.db"_s);
        auto folder = open(u"fs:"_s + m_dir.filePath(u"usearch-folder"_s), true);
        const CopyReport report = Copier(*index, *folder, 8).run({}, OnConflict::Fail, false);
        QCOMPARE(report.created, qint64(20));
        QCOMPARE(report.embeddingsUnreadable, qint64(7));
        QVERIFY(report.embeddingsUnreadableReason.contains(u"vectors.usearch"_s));
        // and such a data folder cannot take vectors.idx embeddings: subcog would not read them
        QCOMPARE(index->embeddingStorage(), EmbeddingStorage::None);
    }

    void aMemoryTheTargetCannotHoldDoesNotStopTheRest()
    {
        // group_id exists only in subcog builds with group scope; PostgreSQL's layout has no column for it
        Fixtures::GeneratorOptions options;
        options.count = 30;
        options.anomalies = false;
        options.largeMemories = 0;
        options.pendingWal = false;
        const auto grouped = Fixtures::writeSqliteStore(m_dir.filePath(u"grouped.db"_s),
                                                        Fixtures::SqliteLayout::HeadGroupScope, options);
        QStringList withGroup;
        for (const Memory& m : grouped.truth) {
            if (m.groupId)
                withGroup << m.id;
        }
        QVERIFY(!withGroup.isEmpty() && withGroup.size() < grouped.truth.size());
        auto source = open(u"sqlite:"_s + grouped.path);
        auto target = open(newPostgres(), true);
        const CopyReport report = Copier(*source, *target).run({}, OnConflict::Fail, false);
        QCOMPARE(report.created, qint64(grouped.truth.size() - withGroup.size()));
        QCOMPARE(report.failed.size(), withGroup.size());
        for (const RecordIssue& issue : report.failed) {
            QVERIFY(withGroup.contains(issue.id));
            QVERIFY2(issue.reason.contains(u"group_id"_s), qPrintable(issue.reason));
        }
        QCOMPARE(target->count(), qint64(grouped.truth.size() - withGroup.size()));
    }

    void threePartDomainsKeepTheirParts()
    {
        // spec §3.4: `acme/platform/api` is organization acme, project platform, repository api. Copies keep the
        // stored parts; where subcog reads a copy otherwise than its original, that is reported, not changed.
        const QString sqlitePath = m_dir.filePath(u"domains.db"_s);
        const QStringList domains {u"acme/platform/api"_s, u"acme/widgets"_s, u"user"_s, u"org"_s,
                                   u"project"_s,           u"a/b/c/d"_s};
        QList<Memory> originals;
        {
            auto store = open(u"sqlite:"_s + sqlitePath, true);
            for (qsizetype i = 0; i < domains.size(); ++i) {
                Memory m = Testing::sampleMemory(u"dom"_s + QString::number(i), 1767000000 + i);
                m.domain = domains[i];
                store->store(m);
                originals << m;
            }
        }
        const QString pg = newPostgres();
        const QString binary = qEnvironmentVariable("INSPECTOR_BINARY");
        QVERIFY(!binary.isEmpty());
        auto copyCommand = [&](const QString& from, const QString& to) {
            QProcess p;
            p.start(binary, {u"copy"_s, from, to});
            p.waitForFinished(120000);
            return std::tuple {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
        };
        auto [code, out, err] = copyCommand(u"sqlite:"_s + sqlitePath, pg);
        QCOMPARE(code, 0);
        QVERIFY2(out.contains("6 created") && out.contains("0 failed"), out.constData());
        // subcog reads the SQLite original as the project scope, the copy with its three parts: a finding
        QVERIFY2(err.contains("warning: dom0: domain 'acme/platform/api'") && err.contains("project scope"),
                 err.constData());
        QVERIFY2(!err.contains("dom1") && !err.contains("dom2") && !err.contains("dom3"), err.constData());
        auto pgStore = open(pg);
        QCOMPARE(Testing::sqlOnStore(*pgStore, u"SELECT domain FROM memories WHERE id = 'dom0'"_s),
                 u"{\"organization\":\"acme\",\"project\":\"platform\",\"repository\":\"api\"}"_s);
        QCOMPARE(Testing::sqlOnStore(*pgStore, u"SELECT domain FROM memories WHERE id = 'dom1'"_s),
                 u"{\"organization\":\"acme\",\"project\":null,\"repository\":\"widgets\"}"_s);
        QCOMPARE(Testing::sqlOnStore(*pgStore, u"SELECT domain FROM memories WHERE id = 'dom2'"_s),
                 u"{\"organization\":null,\"project\":\"user\",\"repository\":null}"_s);
        QCOMPARE(Testing::sqlOnStore(*pgStore, u"SELECT domain FROM memories WHERE id = 'dom5'"_s),
                 u"{\"organization\":\"a\",\"project\":\"b\",\"repository\":\"c/d\"}"_s);
        // run again: everything is already there, nothing stops
        std::tie(code, out, err) = copyCommand(u"sqlite:"_s + sqlitePath, pg);
        QCOMPARE(code, 0);
        QVERIFY2(out.contains("6 already equal"), out.constData());

        // PostgreSQL → folder: subcog's own files, byte for byte, domains included
        const QString folder = m_dir.filePath(u"domains-folder"_s);
        std::tie(code, out, err) = copyCommand(pg, u"fs:"_s + folder);
        QCOMPARE(code, 0);
        QVERIFY2(err.isEmpty(), err.constData());
        for (const Memory& m : std::as_const(originals)) {
            QFile file(folder + u'/' + m.id + u".json"_s);
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(file.readAll(), Fixtures::subcogFileBytes(m));
        }
        QFile three(folder + u"/dom0.json"_s);
        QVERIFY(three.open(QIODevice::ReadOnly));
        QVERIFY(three.readAll().contains(
            "\"domain_org\": \"acme\",\n  \"domain_project\": \"platform\",\n  \"domain_repo\": \"api\""));

        // an organization with a project and no repository, as PostgreSQL and folders can hold it
        Memory orgProject = Testing::sampleMemory(u"orgproject"_s);
        orgProject.domain = u"x/p"_s;
        orgProject.domainParts = Domain {u"x"_s, u"p"_s, std::nullopt};
        pgStore->store(orgProject);
        QCOMPARE(Testing::sqlOnStore(*pgStore, u"SELECT domain FROM memories WHERE id = 'orgproject'"_s),
                 u"{\"organization\":\"x\",\"project\":\"p\",\"repository\":null}"_s);
        {
            auto to = open(u"fs:"_s + folder);
            const CopyReport report = Copier(*pgStore, *to).run({}, OnConflict::Fail, false);
            QCOMPARE(report.created, qint64(1));
            QCOMPARE(report.unchanged, qint64(6));
            QVERIFY(report.warnings.isEmpty());
            QCOMPARE(to->get(u"orgproject"_s)->domainForWrite(), *orgProject.domainParts);
        }
        QFile twoParts(folder + u"/orgproject.json"_s);
        QVERIFY(twoParts.open(QIODevice::ReadOnly));
        QVERIFY(twoParts.readAll().contains(
            "\"domain_org\": \"x\",\n  \"domain_project\": \"p\",\n  \"domain_repo\": null"));
        // folder → a new PostgreSQL store: the parts as stored
        const QString pg2 = newPostgres();
        {
            auto from = open(u"fs:"_s + folder);
            auto to = open(pg2, true);
            const CopyReport report = Copier(*from, *to).run({}, OnConflict::Fail, false);
            QCOMPARE(report.created, qint64(7));
            QVERIFY(report.warnings.isEmpty());
            QCOMPARE(Testing::sqlOnStore(*to, u"SELECT domain FROM memories WHERE id = 'orgproject'"_s),
                     u"{\"organization\":\"x\",\"project\":\"p\",\"repository\":null}"_s);
            QCOMPARE(Testing::sqlOnStore(*to, u"SELECT domain FROM memories WHERE id = 'dom0'"_s),
                     u"{\"organization\":\"acme\",\"project\":\"platform\",\"repository\":\"api\"}"_s);
        }
        // PostgreSQL → SQLite: the display string, which subcog reads otherwise for `x/p` and three parts
        {
            auto to = open(u"sqlite:"_s + m_dir.filePath(u"domains-back.db"_s), true);
            const CopyReport report = Copier(*pgStore, *to).run({}, OnConflict::Fail, false);
            QCOMPARE(report.created, qint64(7));
            QStringList warned;
            for (const RecordIssue& issue : report.warnings)
                warned << issue.id;
            warned.sort();
            QCOMPARE(warned, (QStringList {u"dom0"_s, u"dom5"_s, u"orgproject"_s}));
            QCOMPARE(to->get(u"orgproject"_s)->domain, u"x/p"_s);
            QCOMPARE(to->get(u"dom0"_s)->domain, u"acme/platform/api"_s);
        }
    }

    void sqliteToPostgresToSqliteKeepsEveryField()
    {
        // every memory of a store with the anomalies of spec §9 (and every domain shape) comes back field by field;
        // what cannot be copied is named, never written in another form
        Fixtures::GeneratorOptions options;
        options.count = 200;
        options.largeMemories = 1;
        options.pendingWal = false;
        options.seed = 4242;
        const auto store
            = Fixtures::writeSqliteStore(m_dir.filePath(u"roundtrip.db"_s), Fixtures::SqliteLayout::Head, options);
        {
            auto writer = open(u"sqlite:"_s + store.path);
            int i = 0;
            for (const QString& domain : {u"acme/platform/api"_s, u"a/b/c/d"_s, u"x/y"_s, u"solo"_s}) {
                Memory m = Testing::sampleMemory(u"rt_domain_"_s + QString::number(i), 1767000000 + i);
                ++i;
                m.domain = domain;
                writer->store(m);
            }
        }
        auto source = open(u"sqlite:"_s + store.path);
        const QString pg = newPostgres();
        const QString back = u"sqlite:"_s + m_dir.filePath(u"roundtrip-back.db"_s);
        const QString first = u"sqlite:"_s + store.path;
        for (const auto& [from, to] : {std::pair {first, pg}, std::pair {pg, back}}) {
            auto a = open(from);
            auto b = open(to, true);
            const CopyReport report = Copier(*a, *b, 64).run({}, OnConflict::Fail, false);
            QStringList failed;
            for (const RecordIssue& issue : report.failed)
                failed << issue.id;
            failed.sort();
            QStringList expected = from == pg ? QStringList {} : store.undecodableIds + store.missingContentIds;
            expected.sort();
            QCOMPARE(failed, expected);
        }
        auto result = open(back);
        QStringList ids;
        MemoryQuery all;
        all.limit = 100000;
        for (const Memory& m : source->query(all).memories)
            ids << m.id;
        QList<Memory> originals;
        for (const QString& id : std::as_const(ids))
            originals << *source->get(id); // get() finds duplicate FTS rows and reads the first, as subcog does
        QHash<QString, Memory> copied;
        for (const Memory& m : result->getBatch(ids))
            copied.insert(m.id, m);
        int compared = 0;
        for (const Memory& original : originals) {
            if (store.missingContentIds.contains(original.id)) {
                QVERIFY2(!copied.contains(original.id), qPrintable(original.id)); // missing is not empty
                continue;
            }
            QVERIFY2(copied.contains(original.id), qPrintable(u"not copied: "_s + original.id));
            const Memory& copy = copied[original.id];
            QVERIFY2(
                copy.sameFields(original),
                qPrintable(original.id + u": "_s
                           + Testing::diffRecords(Fixtures::toJson(copy), Fixtures::toJson(original)).join(u"; "_s)));
            ++compared;
        }
        QVERIFY(compared > 200);
    }

    void aCancelledExportLeavesNoFile()
    {
        auto source = open(u"sqlite:"_s + m_source.path);
        const QString path = m_dir.filePath(u"cancelled.jsonl"_s);
        for (const ExportFormat format : {ExportFormat::JsonLines, ExportFormat::Csv}) {
            QSaveFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            const ExportReport report
                = Exporter(*source, format, 100).run(MemoryFilter {}, file, [](qint64 written, qint64) {
                      return written < 200;
                  });
            QVERIFY(report.cancelled);
            file.cancelWriting();
            QVERIFY(!file.commit());
            QVERIFY(!QFileInfo::exists(path));
            QCOMPARE(QDir(m_dir.path()).entryList({u"cancelled*"_s}, QDir::Files | QDir::Hidden).size(), 0);
        }
    }

    void theWindowsExportGuardsTheStoreAndDevices()
    {
        // the window's export goes through the same guards as the command line's -o
        const QString path = m_dir.filePath(u"window.db"_s);
        QVERIFY(QFile::copy(m_source.path, path));
        MemoryTableModel model;
        QSignalSpy opened(&model, &MemoryTableModel::storeOpened);
        model.openStore([path] { return openStore(u"sqlite:"_s + path); });
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 30000);
        QSignalSpy finished(&model, &MemoryTableModel::jobFinished);
        auto exportTo = [&](const QString& target) {
            finished.clear();
            ExportSource all;
            model.exportTo(all, ExportFormat::JsonLines, target);
            [&] { QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000); }();
            return std::pair(finished.first().at(2).toBool(), finished.first().at(3).toString());
        };
        const QByteArray before = Testing::fileHash(path);
        QVERIFY(QFile::link(path, m_dir.filePath(u"window-link.jsonl"_s)));
        for (const QString& target : QStringList {path, path + u"-wal"_s, m_dir.filePath(u"window-link.jsonl"_s)}) {
            const auto [failed, summary] = exportTo(target);
            QVERIFY2(failed, qPrintable(summary));
            QVERIFY2(summary.contains(u"would overwrite the store"_s), qPrintable(summary));
        }
        QCOMPARE(Testing::fileHash(path), before);
        // /dev/null stays a character device with its mode
        auto [failed, summary] = exportTo(u"/dev/null"_s);
        QVERIFY2(!failed, qPrintable(summary));
        struct stat st;
        QCOMPARE(::stat("/dev/null", &st), 0);
        QVERIFY(S_ISCHR(st.st_mode));
        QCOMPARE(int(st.st_mode & 0777), 0666);
        // an existing file keeps its mode
        const QString existing = m_dir.filePath(u"window-export.jsonl"_s);
        QFile old(existing);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.close();
        QCOMPARE(::chmod(QFile::encodeName(existing).constData(), 0640), 0);
        std::tie(failed, summary) = exportTo(existing);
        QVERIFY2(!failed, qPrintable(summary));
        QCOMPARE(::stat(QFile::encodeName(existing).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 07777), 0640);
        QCOMPARE(QFileInfo(existing).size() > 0, true);
    }

    void anExportToAFullDiskFailsCleanly()
    {
        const QString binary = qEnvironmentVariable("INSPECTOR_BINARY");
        QVERIFY(!binary.isEmpty());
        const QString mountPoint = m_dir.filePath(u"small-disk"_s);
        QDir().mkpath(mountPoint);
        // a real full file system: a 256 KiB tmpfs (root can mount); the old file must survive a failed export
        const bool mounted
            = QProcess::execute(u"mount"_s, {u"-t"_s, u"tmpfs"_s, u"-o"_s, u"size=256k"_s, u"tmpfs"_s, mountPoint})
            == 0;
        const QString target = mountPoint + u"/backup.jsonl"_s;
        QFile old(target);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("the previous backup\n");
        old.close();
        QProcess p;
        if (mounted) {
            p.start(binary, {u"export"_s, m_source.path, u"--format"_s, u"jsonl"_s, u"-o"_s, target});
        } else {
            // without the right to mount, a file size limit makes the write fail the same way (EFBIG)
            qWarning("mount not permitted here; limiting the file size with ulimit instead");
            p.start(u"sh"_s,
                    {u"-c"_s, u"ulimit -f 256; exec \"$0\" export \"$1\" --format jsonl -o \"$2\""_s, binary,
                     m_source.path, target});
        }
        QVERIFY(p.waitForFinished(120000));
        const QByteArray errors = p.readAllStandardError();
        QFile kept(target);
        const bool readable = kept.open(QIODevice::ReadOnly);
        const QByteArray content = kept.readAll();
        kept.close();
        const QStringList left = QDir(mountPoint).entryList(QDir::Files | QDir::Hidden);
        if (mounted)
            QProcess::execute(u"umount"_s, {mountPoint});
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(errors.contains("backup.jsonl"), errors.constData());
        // the real reason, not what QSaveFile says once the write is cancelled
        if (mounted)
            QVERIFY2(errors.contains("no space left on device"), errors.constData());
        QVERIFY2(!errors.contains("canceled"), errors.constData());
        QVERIFY(readable);
        QCOMPARE(content, QByteArray("the previous backup\n")); // untouched: QSaveFile never replaced it
        QCOMPARE(left, QStringList {u"backup.jsonl"_s}); // and no half-written temporary file is left
    }
};

QTEST_GUILESS_MAIN(TestCopy)
#include "tst_copy.moc"
