// SPDX-License-Identifier: MIT
// Copies between every pair of backends (real SQLite files, a real PostgreSQL 15, real folders), the chain
// SQLite → PostgreSQL → folder → SQLite, conflict policies, dry runs, interrupted copies, and exports that are
// cancelled or hit a full disk.
#include "copier.h"
#include "fixturegenerator.h"
#include "postgresserver.h"
#include "storeopener.h"
#include "testhelpers.h"

#include <QDir>
#include <QProcess>
#include <QSaveFile>
#include <QTest>

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
        QVERIFY(readable);
        QCOMPARE(content, QByteArray("the previous backup\n")); // untouched: QSaveFile never replaced it
        QCOMPARE(left, QStringList {u"backup.jsonl"_s}); // and no half-written temporary file is left
    }
};

QTEST_GUILESS_MAIN(TestCopy)
#include "tst_copy.moc"
