// SPDX-License-Identifier: MIT
// `subcog-inspector repair DIR --fix CLASS` on real folder stores: every class repair fixes there planted and
// repaired in a copy, then checked four ways (check finds none of it, each rewritten file reads as subcog reads
// it, every other file is byte for byte as before, the backup folder beside the store holds the originals); dry
// runs, refusals, damaged and temporary files moved aside, and a file changed between the plan and the write.
#include "checkcli.h"
#include "filesystem/encryption.h"
#include "fixturegenerator.h"
#include "health/folderrepair.h"
#include "health/repairundo.h"
#include "memory.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Fixtures;
using namespace Inspector::Testing;

namespace {

const QByteArray kKey(32, 'K');

Memory memory(const QString& id, const QString& content)
{
    Memory m;
    m.id = id;
    m.content = content;
    m.namespaceName = u"decisions"_s;
    m.domainParts = Domain {};
    m.domain = u"project"_s;
    m.status = u"active"_s;
    m.createdAt = 1700000000;
    m.updatedAt = 1700000000;
    m.tags = {contentHashTag(content)};
    return m;
}

void writeFile(const QString& path, const QByteArray& bytes, qint64 ageSeconds = 0)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
    QVERIFY(file.flush()); // before the time is set: a later flush would set it again
    if (ageSeconds > 0)
        QVERIFY(
            file.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-ageSeconds), QFileDevice::FileModificationTime));
}

QProcessEnvironment withKey()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"SUBCOG_ENCRYPTION_KEY"_s, QString::fromLatin1(kKey.toBase64()));
    return env;
}

/// Every entry of a folder, name → bytes (a link's own target path).
QMap<QString, QByteArray> snapshot(const QString& dir)
{
    QMap<QString, QByteArray> result;
    for (const QFileInfo& info : QDir(dir).entryInfoList(QDir::Files | QDir::System | QDir::Hidden)) {
        if (info.isSymLink()) {
            result.insert(info.fileName(), "link to " + info.symLinkTarget().toUtf8());
            continue;
        }
        QFile file(info.filePath());
        result.insert(info.fileName(), file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(unreadable)"));
    }
    return result;
}

struct Result
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Result run(const QStringList& args)
{
    QProcess process;
    process.setProcessEnvironment(withKey());
    process.start(qEnvironmentVariable("INSPECTOR_BINARY"), args);
    Result r;
    if (!process.waitForFinished(120000)) {
        process.kill();
        return r;
    }
    r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    r.out = process.readAllStandardOutput();
    r.err = process.readAllStandardError();
    return r;
}

QList<ClassAndId> findings(const QString& dir)
{
    QString error;
    const auto result = parseFindings(runCheck(dir, true, {}, withKey()).out, &error);
    if (!error.isEmpty())
        qWarning() << error;
    return result;
}

/// The JSON object of a file, decrypted when encrypted.
QJsonObject rawRead(const QByteArray& stored)
{
    const QByteArray bytes
        = Encryption::isEncrypted(stored) ? Encryption::decrypt(stored, kKey).value_or(QByteArray()) : stored;
    return QJsonDocument::fromJson(bytes).object();
}

/// A file read as subcog's folder reader reads it (spec §6.2): decrypted when encrypted, a JSON object with the
/// required keys of their types, a namespace and status it knows as written. Empty when it would not read it.
QJsonObject subcogRead(const QByteArray& stored)
{
    QByteArray bytes = stored;
    if (Encryption::isEncrypted(bytes))
        bytes = Encryption::decrypt(bytes, kKey).value_or(QByteArray());
    const QJsonObject o = QJsonDocument::fromJson(bytes).object();
    static const QStringList namespaces {u"decisions"_s,   u"patterns"_s, u"learnings"_s, u"context"_s,
                                         u"tech-debt"_s,   u"apis"_s,     u"config"_s,    u"security"_s,
                                         u"performance"_s, u"testing"_s};
    static const QStringList statuses {u"active"_s,  u"archived"_s, u"superseded"_s,
                                       u"pending"_s, u"deleted"_s,  u"tombstoned"_s};
    if (!o.value("id"_L1).isString() || !o.value("content"_L1).isString() || !o.value("tags"_L1).isArray()
        || !o.value("created_at"_L1).isDouble() || !o.value("updated_at"_L1).isDouble()
        || !namespaces.contains(o.value("namespace"_L1).toString())
        || !statuses.contains(o.value("status"_L1).toString()) || bytes.endsWith('\n')
        || !bytes.startsWith("{\n  \"id\": "))
        return {};
    return o;
}

QStringList tags(const QJsonObject& o)
{
    QStringList result;
    for (const QJsonValue& v : o.value("tags"_L1).toArray())
        result << v.toString();
    return result;
}

void copyFolder(const QString& from, const QString& to)
{
    QDir(to).removeRecursively();
    QDir().mkpath(to);
    for (const QFileInfo& info : QDir(from).entryInfoList(QDir::Files | QDir::System | QDir::Hidden)) {
        if (info.isSymLink()) {
            QVERIFY(QFile::link(info.symLinkTarget(), to + u'/' + info.fileName()));
            continue;
        }
        QFile file(info.filePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        writeFile(to + u'/' + info.fileName(), file.readAll(),
                  info.fileName().endsWith(u".tmp"_s) ? 3600 : 0); // temporary files an hour old
    }
}

} // namespace

class TestRepairFolder : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_planted;

    void put(const Memory& m, bool encrypted = false, const QByteArray& extraKey = {})
    {
        QByteArray bytes = subcogFileBytes(m);
        if (!extraKey.isEmpty())
            bytes = bytes.chopped(2) + ",\n  " + extraKey + "\n}";
        writeFile(m_planted + u'/' + m.id + u".json"_s, encrypted ? Encryption::encrypt(bytes, kKey) : bytes);
    }

    /// A copy of the planted folder, in a parent of its own so backups beside it can be counted.
    QString copyOfPlanted(const QString& name)
    {
        const QString dir = m_dir.filePath(name + u"/store"_s);
        copyFolder(m_planted, dir);
        return dir;
    }

    static QStringList backupsBeside(const QString& dir)
    {
        return QFileInfo(dir).absoluteDir().entryList({u"store.backup-*"_s}, QDir::Dirs);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QFile::exists(qEnvironmentVariable("INSPECTOR_BINARY")));
        m_planted = m_dir.filePath(u"planted"_s);
        QDir().mkpath(m_planted);
        put(memory(u"fine"_s, u"nothing wrong here"_s));
        Memory m = memory(u"mt"_s, u"messy"_s);
        m.tags = {u" a "_s, u""_s, u"b"_s};
        put(m);
        m = memory(u"nn"_s, u"alias namespace, and a key subcog does not know"_s);
        m.namespaceName = u"tech_debt"_s;
        put(m, false, "\"from_the_future\": {\"x\": [1, 2]}");
        m = memory(u"un"_s, u"unknown namespace"_s);
        m.namespaceName = u"musings"_s;
        put(m);
        m = memory(u"ns"_s, u"status in capitals"_s);
        m.status = u"ARCHIVED"_s;
        put(m);
        m = memory(u"ht"_s, u"half a tombstone"_s);
        m.tombstonedAt = 1700000100;
        put(m);
        m = memory(u"ht2"_s, u"the other half"_s);
        m.status = u"tombstoned"_s;
        m.updatedAt = 1700000200;
        put(m);
        m = memory(u"ea"_s, u"expired"_s);
        m.expiresAt = 1700000100;
        put(m);
        m = memory(u"sh"_s, u"edited later"_s);
        m.tags = {u"x"_s, u"hash:sha256:0000000000000000"_s, u"y"_s};
        put(m);
        m = memory(u"dm1"_s, u"Same  Text"_s);
        m.createdAt = 1600000000;
        m.tags = {u"old"_s, contentHashTag(u"same text"_s)};
        put(m);
        m = memory(u"dm2"_s, u"same text"_s);
        m.tags = {u"new"_s, contentHashTag(u"same text"_s)};
        put(m);
        m = memory(u"enc"_s, u"encrypted, with an alias"_s);
        m.namespaceName = u"techdebt"_s;
        put(m, true);
        writeFile(m_planted + u"/trunc.json"_s, subcogFileBytes(memory(u"trunc"_s, u"cut off"_s)).left(40));
        writeFile(m_planted + u"/fine.json.k3j4h5.tmp"_s, "{\n  \"id\": \"half");
        writeFile(m_planted + u"/notes.txt"_s, "not a memory");
        // a link out of the folder is damage: the link itself is moved aside, its target left alone
        writeFile(m_dir.filePath(u"outside.json"_s), subcogFileBytes(memory(u"link"_s, u"outside"_s)));
        QVERIFY(QFile::link(m_dir.filePath(u"outside.json"_s), m_planted + u"/link.json"_s));
        QVERIFY(findings(m_planted).size() > 10);
    }

    void fixEachClass_data()
    {
        QTest::addColumn<QString>("cls");
        for (const QString& cls : folderRepairableClasses()) {
            if (cls != "bad-summary"_L1) // only cases a person decides: leftForAPerson
                QTest::newRow(qPrintable(cls)) << cls;
        }
    }

    void fixEachClass()
    {
        QFETCH(QString, cls);
        const QString dir = copyOfPlanted(cls);
        const QMap<QString, QByteArray> before = snapshot(dir);
        const QList<ClassAndId> planted = findings(dir);
        QSet<QString> named;
        QList<ClassAndId> expectedAfter;
        for (const auto& f : planted) {
            if (f.first == cls)
                named.insert(f.second);
            else
                expectedAfter << f;
        }
        QVERIFY2(!named.isEmpty(), "the class is planted");
        const bool files = cls == "damaged-file"_L1 || cls == "leftover-temp"_L1;
        QSet<QString> namedFiles;
        for (const QString& id : std::as_const(named))
            namedFiles.insert(files ? id : id + u".json"_s);
        if (cls == "duplicate-memory"_L1)
            namedFiles.insert(u"dm1.json"_s);

        const Result r = run({u"repair"_s, dir, u"--fix"_s, cls});
        QVERIFY2(r.err.isEmpty(), r.err.constData());
        QCOMPARE(r.exitCode, 0);

        // 1. check: none of the class, every other finding as before
        QCOMPARE(findings(dir), expectedAfter);

        // 2. each rewritten file reads as subcog reads it; moved files are gone from the store
        const QMap<QString, QByteArray> after = snapshot(dir);
        for (const QString& name : std::as_const(namedFiles)) {
            if (files) {
                QVERIFY2(!after.contains(name), qPrintable(name));
                continue;
            }
            const QJsonObject o = subcogRead(after.value(name));
            QVERIFY2(!o.isEmpty(), after.value(name).constData());
            QCOMPARE(o.value("content"_L1), rawRead(before.value(name)).value("content"_L1));
        }

        // 3. every other file byte for byte
        for (auto it = before.cbegin(); it != before.cend(); ++it) {
            if (!namedFiles.contains(it.key()))
                QCOMPARE(after.value(it.key()), it.value());
        }
        QCOMPARE(after.size(), before.size() - (files ? namedFiles.size() : 0));

        // 4. the backup folder beside the store holds every file the repair changed or moved, as it was
        const auto m
            = QRegularExpression(u"^backup: (.*/store\\.backup-\\d{8}-\\d{6})$"_s, QRegularExpression::MultilineOption)
                  .match(QString::fromUtf8(r.out));
        QVERIFY2(m.hasMatch(), r.out.constData());
        QCOMPARE(QFileInfo(m.captured(1)).absolutePath(), QFileInfo(dir).absolutePath());
        const QMap<QString, QByteArray> backup = snapshot(m.captured(1));
        for (const QString& name : std::as_const(namedFiles)) {
            if (after.value(name) != before.value(name))
                QCOMPARE(backup.value(name), before.value(name));
        }
        // the clear-text memories as the inspector's JSON Lines (an encrypted file's copy stays encrypted)
        QSet<QString> lines;
        for (const QByteArray& line : backup.value(u"memories.jsonl"_s).split('\n')) {
            if (!line.isEmpty())
                lines.insert(QJsonDocument::fromJson(line).object().value("id"_L1).toString() + u".json"_s);
        }
        for (const QString& name : std::as_const(namedFiles)) {
            if (!files && !Encryption::isEncrypted(before.value(name)))
                QVERIFY2(lines.contains(name), qPrintable(name));
        }

        // what each fix wrote
        auto read = [&](const QString& id) { return subcogRead(after.value(id + u".json"_s)); };
        if (cls == "messy-tags"_L1) {
            QCOMPARE(tags(read(u"mt"_s)), (QStringList {u"a"_s, u"b"_s}));
        } else if (cls == "noncanonical-namespace"_L1) {
            QCOMPARE(read(u"nn"_s).value("namespace"_L1).toString(), u"tech-debt"_s);
            QCOMPARE(read(u"nn"_s).value("from_the_future"_L1).toObject().value("x"_L1).toArray().size(), 2);
            QCOMPARE(read(u"enc"_s).value("namespace"_L1).toString(), u"tech-debt"_s);
            QVERIFY(Encryption::isEncrypted(after.value(u"enc.json"_s)));
        } else if (cls == "noncanonical-status"_L1) {
            QCOMPARE(read(u"ns"_s).value("status"_L1).toString(), u"archived"_s);
        } else if (cls == "half-tombstoned"_L1) {
            QCOMPARE(read(u"ht"_s).value("status"_L1).toString(), u"tombstoned"_s);
            QCOMPARE(read(u"ht2"_s).value("tombstoned_at"_L1).toInteger(), 1700000200); // its updated time
        } else if (cls == "expired-active"_L1) {
            QCOMPARE(read(u"ea"_s).value("status"_L1).toString(), u"tombstoned"_s);
        } else if (cls == "stale-hash-tag"_L1) {
            QCOMPARE(tags(read(u"sh"_s)), (QStringList {u"x"_s, contentHashTag(u"edited later"_s), u"y"_s}));
        } else if (cls == "duplicate-memory"_L1) {
            QCOMPARE(tags(read(u"dm1"_s)), (QStringList {u"old"_s, contentHashTag(u"same text"_s), u"new"_s}));
            QCOMPARE(read(u"dm2"_s).value("status"_L1).toString(), u"tombstoned"_s);
        } else if (files) {
            for (const QString& name : std::as_const(namedFiles))
                QCOMPARE(backup.value(name), before.value(name));
            if (cls == "damaged-file"_L1) {
                QVERIFY(namedFiles.contains(u"link.json"_s));
                QCOMPARE(QFileInfo(m.captured(1) + u"/link.json"_s).symLinkTarget(),
                         QFileInfo(m_dir.filePath(u"outside.json"_s)).absoluteFilePath());
                QVERIFY(QFile::exists(m_dir.filePath(u"outside.json"_s)));
            }
        }
    }

    // the window's undo step on a folder: undo puts every file back (links as links), redo what the repair wrote
    void undoPutsTheFilesBack_data() { fixEachClass_data(); }
    void undoPutsTheFilesBack()
    {
        QFETCH(QString, cls);
        const QString dir = copyOfPlanted(u"undo-"_s + cls);
        const QMap<QString, QByteArray> before = snapshot(dir);
        StoreRepairOptions options;
        options.classes = {cls};
        const StoreRepairReport report = repairFolderStore(dir, options);
        QVERIFY(!report.changes.isEmpty());
        QCOMPARE(report.backupPaths.size(), 1);
        QSet<QString> changed;
        for (const RepairChange& c : report.changes)
            changed.insert(c.id);
        const QMap<QString, QByteArray> after = snapshot(dir);
        QVERIFY(after != before);
        const RepairImages images = folderRepairImages(dir, report.backupPaths.first(), changed);
        QVERIFY(!images.images.isEmpty());
        const RepairRestoreOutcome undone = restoreRepairImages(images, true);
        QVERIFY2(undone.skipped.isEmpty(), qPrintable(undone.skipped.join(u',')));
        QCOMPARE(snapshot(dir), before);
        // (a temporary file put back is new again: leftover-temp counts only those older than a minute)
        if (cls != "leftover-temp"_L1)
            QCOMPARE(findings(dir), findings(m_planted));
        const RepairRestoreOutcome redone = restoreRepairImages(images, false);
        QVERIFY2(redone.skipped.isEmpty(), qPrintable(redone.skipped.join(u',')));
        QCOMPARE(snapshot(dir), after);
    }

    // Cancel between files: those written stay, the rest are left as they were; before the check ends: nothing
    void cancelStopsARepairBetweenFiles()
    {
        const QString dir = copyOfPlanted(u"cancel"_s);
        const QMap<QString, QByteArray> before = snapshot(dir);
        StoreRepairOptions options;
        options.classes = {u"messy-tags"_s, u"noncanonical-namespace"_s, u"noncanonical-status"_s, u"expired-active"_s};
        qint64 written = 0;
        options.progress = [&](qint64 done, qint64) { written = done; };
        options.cancelled = [&] { return written >= 1; };
        const StoreRepairReport report = repairFolderStore(dir, options);
        QVERIFY(report.cancelled);
        QCOMPARE(report.backupPaths.size(), 1);
        QVERIFY(report.memories >= 1);
        const QMap<QString, QByteArray> after = snapshot(dir);
        qint64 changedFiles = 0;
        for (auto it = before.cbegin(); it != before.cend(); ++it)
            changedFiles += after.value(it.key()) != it.value() ? 1 : 0;
        QCOMPARE(changedFiles, report.memories);
        QVERIFY(!findings(dir).isEmpty());

        StoreRepairOptions early = options;
        early.cancelled = [] { return true; };
        const QString untouched = copyOfPlanted(u"cancel-early"_s);
        const StoreRepairReport none = repairFolderStore(untouched, early);
        QVERIFY(none.cancelled);
        QVERIFY(none.backupPaths.isEmpty());
        QCOMPARE(snapshot(untouched), before);
    }

    void dryRunWritesNothing()
    {
        const QString dir = copyOfPlanted(u"dry"_s);
        const QMap<QString, QByteArray> before = snapshot(dir);
        const Result r = run({u"repair"_s, dir, u"--fix"_s, u"all"_s, u"--dry-run"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.startsWith("dry run: nothing written, no backup\n"), r.out.constData());
        for (const QByteArray& line : {QByteArray("nn: noncanonical-namespace: namespace 'tech_debt' → 'tech-debt'"),
                                       QByteArray("trunc.json: damaged-file: moved into the backup folder"),
                                       QByteArray("fine.json.k3j4h5.tmp: leftover-temp: moved into the backup")})
            QVERIFY2(r.out.contains(line), r.out.constData());
        QCOMPARE(snapshot(dir), before);
        QVERIFY(backupsBeside(dir).isEmpty());

        // --fix all leaves what a person decides; a second run finds nothing and writes no second backup
        QCOMPARE(run({u"repair"_s, dir, u"--fix"_s, u"all"_s}).exitCode, 0);
        QCOMPARE(findings(dir), (QList<ClassAndId> {{u"unknown-namespace"_s, u"un"_s}}));
        const Result again = run({u"repair"_s, dir, u"--fix"_s, u"all"_s});
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.out.contains("nothing to repair"), again.out.constData());
        QCOMPARE(backupsBeside(dir).size(), 1);
    }

    // --ids names memories by id and damaged or temporary files by file name; nothing else is touched
    void idsLimitTheRepair()
    {
        const QString dir = copyOfPlanted(u"ids"_s);
        const QMap<QString, QByteArray> before = snapshot(dir);
        const Result r = run(
            {u"repair"_s, dir, u"--fix"_s, u"damaged-file,noncanonical-namespace"_s, u"--ids"_s, u"trunc.json,nn"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QMap<QString, QByteArray> after = snapshot(dir);
        QVERIFY(!after.contains(u"trunc.json"_s));
        QCOMPARE(after.value(u"link.json"_s), before.value(u"link.json"_s));
        QCOMPARE(after.value(u"enc.json"_s), before.value(u"enc.json"_s));
        QCOMPARE(subcogRead(after.value(u"nn.json"_s)).value("namespace"_L1).toString(), u"tech-debt"_s);
        QCOMPARE(after.size(), before.size() - 1);
    }

    void leftForAPerson()
    {
        const QString dir = copyOfPlanted(u"person"_s);
        Memory m = memory(u"bm"_s, u"summary of a lost memory"_s);
        m.tags = {};
        m.isSummary = true;
        m.sourceMemoryIds = QStringList {u"fine"_s, u"lost"_s};
        writeFile(dir + u"/bm.json"_s, subcogFileBytes(m));
        // a temporary file younger than a minute may be a write in progress
        writeFile(dir + u"/ht.json.young.tmp"_s, "{");
        const QMap<QString, QByteArray> before = snapshot(dir);
        const Result r = run({u"repair"_s, dir, u"--fix"_s, u"bad-summary,leftover-temp"_s});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("skipped bm: bad-summary: sources no longer exist: lost: none automatic"),
                 r.err.constData());
        QVERIFY2(r.err.contains("skipped ht.json.young.tmp: leftover-temp: younger than a minute"), r.err.constData());
        const QMap<QString, QByteArray> after = snapshot(dir);
        QCOMPARE(after.value(u"bm.json"_s), before.value(u"bm.json"_s));
        QVERIFY(after.contains(u"ht.json.young.tmp"_s));
        QVERIFY(!after.contains(u"fine.json.k3j4h5.tmp"_s));
    }

    void refusedClasses_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("legacy-domain") << QStringList {u"--fix"_s, u"legacy-domain"_s}
                                       << QByteArray("legacy-domain cannot occur in a folder store");
        QTest::newRow("bad-time") << QStringList {u"--fix"_s, u"messy-tags,bad-time"_s}
                                  << QByteArray("no safe automatic fix for bad-time");
        QTest::newRow("--backup-dir") << QStringList {u"--fix"_s, u"messy-tags"_s, u"--backup-dir"_s, u"/tmp"_s}
                                      << QByteArray("--backup-dir applies to PostgreSQL stores only");
    }

    void refusedClasses()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, message);
        const QString dir = copyOfPlanted(u"refused"_s);
        const QMap<QString, QByteArray> before = snapshot(dir);
        const Result r = run(QStringList {u"repair"_s, dir} + args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), r.err.constData());
        QCOMPARE(snapshot(dir), before);
        QVERIFY(backupsBeside(dir).isEmpty());
    }

    // a file another writer changed between the plan and the write is skipped and listed, not overwritten
    void changedMeanwhileIsSkipped()
    {
        const QString dir = copyOfPlanted(u"meanwhile"_s);
        Memory edited = memory(u"nn"_s, u"alias namespace, and a key subcog does not know"_s);
        edited.namespaceName = u"tech_debt"_s;
        edited.branch = u"edited meanwhile"_s;
        StoreRepairOptions options;
        options.classes = {u"noncanonical-namespace"_s, u"noncanonical-status"_s, u"duplicate-memory"_s};
        options.key = kKey;
        options.beforeWrites = [&] {
            writeFile(dir + u"/nn.json"_s, subcogFileBytes(edited));
            writeFile(dir + u"/dm1.json"_s, subcogFileBytes(memory(u"dm1"_s, u"now something else"_s)));
        };
        const StoreRepairReport report = repairFolderStore(dir, options);
        QSet<QString> skipped;
        for (const RepairChange& c : report.skipped)
            skipped.insert(c.id);
        QCOMPARE(skipped, (QSet<QString> {u"nn"_s, u"dm1"_s, u"dm2"_s}));
        const QMap<QString, QByteArray> after = snapshot(dir);
        QCOMPARE(after.value(u"nn.json"_s), subcogFileBytes(edited));
        QCOMPARE(subcogRead(after.value(u"dm2.json"_s)).value("status"_L1).toString(), u"active"_s);
        QCOMPARE(subcogRead(after.value(u"ns.json"_s)).value("status"_L1).toString(), u"archived"_s);
        QCOMPARE(subcogRead(after.value(u"enc.json"_s)).value("namespace"_L1).toString(), u"tech-debt"_s);
        QCOMPARE(report.backupPaths.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestRepairFolder)
#include "tst_repair_folder.moc"
