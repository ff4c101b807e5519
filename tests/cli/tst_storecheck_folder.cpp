// SPDX-License-Identifier: MIT
// `subcog-inspector check` on real folder stores: every class that applies to folders planted once, clean and
// generated folders, the legacy variants that are not damage (spec §9), encryption with and without the key.
#include "checkcli.h"
#include "filesystem/encryption.h"
#include "fixturegenerator.h"
#include "health/foldercheck.h"
#include "memory.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Fixtures;
using namespace Inspector::Testing;

namespace {

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

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

QProcessEnvironment withKey(const QByteArray& key)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"SUBCOG_ENCRYPTION_KEY"_s, QString::fromLatin1(key.toBase64()));
    return env;
}

QProcessEnvironment withoutKey()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"SUBCOG_ENCRYPTION_KEY"_s);
    return env;
}

} // namespace

class TestFolderStoreCheck : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    const QByteArray m_key = QByteArray(32, 'K');

    QString folder(const QString& name)
    {
        const QString path = m_dir.filePath(name);
        QDir(path).removeRecursively();
        QDir().mkpath(path);
        return path;
    }

    void put(const QString& dir, const Memory& m, bool encrypted = false)
    {
        const QByteArray bytes = subcogFileBytes(m);
        writeFile(dir + u'/' + m.id + u".json"_s, encrypted ? Encryption::encrypt(bytes, m_key) : bytes);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(QFile::exists(qEnvironmentVariable("INSPECTOR_BINARY"))); }

    void eachPlantedClassOnce()
    {
        const QString dir = folder(u"planted"_s);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        put(dir, memory(u"fine"_s, u"nothing wrong here"_s));
        Memory m = memory(u"mt"_s, u"messy"_s);
        m.tags = {u" a "_s, u""_s, u"b"_s};
        put(dir, m);
        m = memory(u"nn"_s, u"alias namespace"_s);
        m.namespaceName = u"tech_debt"_s;
        put(dir, m);
        m = memory(u"un"_s, u"unknown namespace"_s);
        m.namespaceName = u"musings"_s;
        put(dir, m);
        m = memory(u"ns"_s, u"status in capitals"_s);
        m.status = u"ARCHIVED"_s;
        put(dir, m);
        m = memory(u"us"_s, u"unknown status"_s);
        m.status = u"maybe"_s;
        put(dir, m);
        m = memory(u"ht"_s, u"half a tombstone"_s);
        m.tombstonedAt = 1700000100;
        put(dir, m);
        m = memory(u"ea"_s, u"expired"_s);
        m.expiresAt = 1700000100;
        put(dir, m);
        m = memory(u"bm"_s, u"summary of a lost memory"_s);
        m.tags = {};
        m.isSummary = true;
        m.sourceMemoryIds = QStringList {u"fine"_s, u"lost"_s};
        put(dir, m);
        m = memory(u"bt"_s, u"from the future"_s);
        m.createdAt = now + 86400;
        put(dir, m);
        m = memory(u"sh"_s, u"edited later"_s);
        m.tags = {u"x"_s, u"hash:sha256:0000000000000000"_s};
        put(dir, m);
        m = memory(u"dm1"_s, u"Same  Text"_s);
        m.createdAt = 1600000000;
        put(dir, m);
        put(dir, memory(u"dm2"_s, u"same text"_s));
        // an encrypted file is checked like the others once the key opens it
        m = memory(u"enc"_s, u"encrypted, with an alias"_s);
        m.namespaceName = u"techdebt"_s;
        put(dir, m, true);

        // files subcog cannot read
        Memory big = memory(u"big"_s, QString(u"x"_s).repeated(1100000));
        put(dir, big);
        writeFile(dir + u"/trunc.json"_s, subcogFileBytes(memory(u"trunc"_s, u"cut off"_s)).left(40));
        put(dir, memory(u"someone_else"_s, u"moved by hand"_s));
        QVERIFY(QFile::rename(dir + u"/someone_else.json"_s, dir + u"/idm.json"_s));
        writeFile(dir + u"/fake.json"_s, QByteArray("SUBCOG_ENC_V1\0{}", 16));
        writeFile(dir + u"/wrongkey.json"_s,
                  Encryption::encrypt(subcogFileBytes(memory(u"wrongkey"_s, u"other key"_s)), QByteArray(32, 'o')));
        writeFile(dir + u"/notags.json"_s,
                  subcogFileBytes(memory(u"notags"_s, u"no tags key"_s)).replace("\"tags\": [", "\"labels\": ["));
        put(dir, memory(u"bad name"_s, u"a name subcog refuses"_s));
        // a link out of the folder is reported, not followed (its target would read fine)
        writeFile(m_dir.filePath(u"outside.json"_s), subcogFileBytes(memory(u"link"_s, u"outside the folder"_s)));
        QVERIFY(QFile::link(m_dir.filePath(u"outside.json"_s), dir + u"/link.json"_s));
        // leftovers of interrupted writes (the inspector's pattern and the spec's), and files subcog ignores
        writeFile(dir + u"/fine.json.k3j4h5.tmp"_s, "{\n  \"id\": \"half");
        writeFile(dir + u"/dm1.json.tmp"_s, "");
        writeFile(dir + u"/notes.txt"_s, "not a memory");
        writeFile(dir + u"/.hidden"_s, "nor this");

        const QList<ClassAndId> perMemory {
            {u"messy-tags"_s, u"mt"_s},
            {u"noncanonical-namespace"_s, u"nn"_s},
            {u"unknown-namespace"_s, u"un"_s},
            {u"noncanonical-status"_s, u"ns"_s},
            {u"unknown-status"_s, u"us"_s},
            {u"half-tombstoned"_s, u"ht"_s},
            {u"expired-active"_s, u"ea"_s},
            {u"bad-summary"_s, u"bm"_s},
            {u"bad-time"_s, u"bt"_s},
            {u"stale-hash-tag"_s, u"sh"_s},
            {u"duplicate-memory"_s, u"dm2"_s},
            {u"damaged-file"_s, u"big.json"_s},
            {u"damaged-file"_s, u"trunc.json"_s},
            {u"damaged-file"_s, u"idm.json"_s},
            {u"damaged-file"_s, u"fake.json"_s},
            {u"damaged-file"_s, u"notags.json"_s},
            {u"damaged-file"_s, u"bad name.json"_s},
            {u"damaged-file"_s, u"link.json"_s},
            {u"leftover-temp"_s, u"fine.json.k3j4h5.tmp"_s},
            {u"leftover-temp"_s, u"dm1.json.tmp"_s},
        };
        auto withTheKey = perMemory;
        withTheKey << ClassAndId {u"noncanonical-namespace"_s, u"enc"_s}
                   << ClassAndId {u"damaged-file"_s, u"wrongkey.json"_s};
        expectFindings(dir, withTheKey, {}, withKey(m_key));
        // with the key in a file instead
        const QString keyFile = m_dir.filePath(u"key.txt"_s);
        writeFile(keyFile, m_key.toBase64());
        expectFindings(dir, withTheKey, {u"--key-file"_s, keyFile}, withoutKey());
        // without a key, encrypted files cannot be told from damaged ones and are left alone
        expectFindings(dir, perMemory, {}, withoutKey());

        const CheckRun table = runCheck(dir, false, {}, withKey(m_key));
        QCOMPARE(table.exitCode, 3);
        QVERIFY2(table.out.contains("damaged-file ") && table.out.contains("leftover-temp "), table.out.constData());
        QVERIFY(QFile::exists(dir + u"/fine.json.k3j4h5.tmp"_s)); // nothing was changed
    }

    void toleratedLegacyVariantsAreNoFinding()
    {
        const QString dir = folder(u"tolerated"_s);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        // a v0.1/v0.2 file: only fields 1-6, 10-12, 15-17
        writeFile(dir + u"/old_one.json"_s,
                  "{\n  \"id\": \"old_one\",\n  \"content\": \"from v0.1\",\n  \"namespace\": \"decisions\",\n"
                  "  \"domain_org\": null,\n  \"domain_project\": null,\n  \"domain_repo\": null,\n"
                  "  \"status\": \"active\",\n  \"created_at\": 1600000000,\n  \"updated_at\": 1600000000,\n"
                  "  \"embedding\": null,\n  \"tags\": [],\n  \"source\": null\n}");
        // an unknown key from a newer subcog
        writeFile(dir + u"/newer.json"_s,
                  subcogFileBytes(memory(u"newer"_s, u"from the future format"_s))
                      .replace("\"id\": \"newer\",", "\"id\": \"newer\",\n  \"x_future_field\": \"kept\","));
        // scopes, namespaces the folder reader does not map but subcog writes, consolidated, no hash tag
        Memory m = memory(u"user_scope"_s, u"user scope"_s);
        m.domainParts = Domain {std::nullopt, u"user"_s, std::nullopt};
        m.domain = u"user"_s;
        put(dir, m);
        m = memory(u"blocked"_s, u"a blocker"_s);
        m.namespaceName = u"blockers"_s;
        m.status = u"consolidated"_s;
        put(dir, m);
        m = memory(u"nohash"_s, u"legacy without a hash tag"_s);
        m.tags = {u"one"_s, u"two"_s};
        put(dir, m);
        // a summary with its sources and their tags; a tombstone repeating a live memory; a TTL ahead; encrypted
        put(dir, memory(u"s1"_s, u"first source"_s));
        put(dir, memory(u"s2"_s, u"second source"_s));
        m = memory(u"summary_1700000500"_s, u"a summary of both"_s);
        m.tags = {contentHashTag(u"first source"_s), contentHashTag(u"second source"_s)};
        m.isSummary = true;
        m.sourceMemoryIds = QStringList {u"s1"_s, u"s2"_s};
        put(dir, m);
        m = memory(u"gone"_s, u"first source"_s);
        m.status = u"tombstoned"_s;
        m.tombstonedAt = 1700000900;
        put(dir, m);
        m = memory(u"later"_s, u"expires later"_s);
        m.expiresAt = now + 86400 * 365;
        put(dir, m, true);
        m = memory(u"emb"_s, u"with an embedding"_s);
        m.embedding = QList<float> {0.5f, -1.0f};
        put(dir, m);
        // a link that stays inside the folder is read like the file it leads to
        QVERIFY(QDir().mkpath(dir + u"/store"_s));
        writeFile(dir + u"/store/inner.data"_s, subcogFileBytes(memory(u"inner"_s, u"behind a link"_s)));
        QVERIFY(QFile::link(dir + u"/store/inner.data"_s, dir + u"/inner.json"_s));
        writeFile(dir + u"/README.md"_s, "# not a memory");
        QVERIFY(QDir().mkpath(dir + u"/quarantine"_s));
        writeFile(dir + u"/quarantine/broken.json"_s, "{"); // subcog's folder is flat: subfolders are not its data
        expectFindings(dir, {}, {}, withKey(m_key));
        expectFindings(dir, {}, {}, withoutKey());
    }

    // The generator's clean folder: its lifecycle damage (GC marks, expired TTLs, edited memories' old hash tags)
    // is reported from the truth and nothing else. With anomalies, exactly its damaged and temporary files are too.
    void generatedFolders()
    {
        GeneratorOptions options;
        options.count = 80;
        options.anomalies = false;
        options.largeMemories = 1;
        const QString dir = m_dir.filePath(u"generated"_s);
        const GeneratedFolder generated = writeFolderStore(dir, options);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QList<ClassAndId> expected;
        for (const Memory& m : generated.store.truth) {
            if (m.tombstonedAt.has_value() != (parseStatus(m.status) == MemoryStatus::Tombstoned))
                expected.append({u"half-tombstoned"_s, m.id});
            if (m.expiresAt && *m.expiresAt < now && !m.isTombstoned())
                expected.append({u"expired-active"_s, m.id});
            const QString hash = contentHashTag(m.content);
            if (!m.isSummary && std::any_of(m.tags.begin(), m.tags.end(), [&](const QString& t) {
                    return t.startsWith("hash:sha256:"_L1) && t != hash;
                }))
                expected.append({u"stale-hash-tag"_s, m.id});
        }
        expectFindings(dir, expected, {}, withKey(generated.key));

        options.anomalies = true;
        const GeneratedFolder damaged = writeFolderStore(dir, options);
        const CheckRun r = runCheck(dir, true, {}, withKey(damaged.key));
        QCOMPARE(r.exitCode, 3);
        QString error;
        QList<ClassAndId> files;
        for (const ClassAndId& f : parseFindings(r.out, &error)) {
            if (f.first == "damaged-file"_L1 || f.first == "leftover-temp"_L1)
                files << f;
        }
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QList<ClassAndId> expectedFiles;
        for (const QString& name : damaged.damagedFiles)
            expectedFiles.append({u"damaged-file"_s, name});
        for (const QString& name : damaged.leftoverFiles)
            expectedFiles.append({u"leftover-temp"_s, name});
        std::sort(expectedFiles.begin(), expectedFiles.end());
        QCOMPARE(files, expectedFiles);
    }

    void cancelStopsTheCheck()
    {
        const QString dir = folder(u"cancel"_s);
        for (int i = 0; i < 40; ++i)
            put(dir, memory(u"m"_s + QString::number(i), u"same"_s));
        int polls = 0;
        FolderCheckOptions options;
        options.cancelled = [&] { return ++polls >= 1; };
        QVERIFY(!checkFolderStore(
            dir, [](const Finding&) {}, options));
        int found = 0;
        QVERIFY(checkFolderStore(dir, [&](const Finding&) { ++found; }));
        QCOMPARE(found, 39); // every copy but the oldest (ties: by file name)
    }

    void unreadableFolderExitsOne()
    {
        CheckRun r = runCheck(u"fs:"_s + m_dir.filePath(u"absent"_s), true);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no such folder"), r.err.constData());
        QVERIFY(r.out.isEmpty());
        // an empty folder is a clean, empty store
        expectFindings(folder(u"empty"_s), {});
    }
};

QTEST_GUILESS_MAIN(TestFolderStoreCheck)
#include "tst_storecheck_folder.moc"
