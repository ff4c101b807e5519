// SPDX-License-Identifier: MIT
// subcog's folder stores: formats, encryption, damaged files, ids that cannot escape, crash safety.
#include "exporter.h"
#include "filesystem/encryption.h"
#include "filesystem/filesystembackend.h"
#include "filesystem/memoryfile.h"
#include "filesystem/metadataparser.h"
#include "fixturegenerator.h"
#include "testhelpers.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>
#include <QThread>

#include <cmath>
#include <csignal>
#include <thread>

using namespace Qt::StringLiterals;
using namespace Inspector;
using namespace Inspector::Fixtures;

namespace {
QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// A memory's fields the folder index keeps: everything but content and embedding.
Memory metadataOf(Memory m)
{
    m.content.clear();
    m.embedding.reset();
    return m;
}

/// The fast metadata reader may decline anything, but what it accepts the full reader accepts too, with the same
/// fields (the flags and the domain's parts included). Returns whether the fast reader accepted.
bool checkAgainstFullReader(const QByteArray& text, const QString& what)
{
    Memory fast;
    bool hasEmbedding = false;
    const bool accepted = parseMemoryMetadata(text, &fast, &hasEmbedding);
    QString reason;
    const auto full = parseMemoryFile(text, &reason);
    if (!accepted)
        return false;
    if (!full) {
        qWarning("%s: the fast reader accepted what the full one refuses (%s):\n%s", qPrintable(what),
                 qPrintable(reason), text.constData());
        return false;
    }
    const Memory expected = metadataOf(full->memory);
    const bool same = fast.sameFields(expected) && fast.flags == expected.flags && fast.domain == expected.domain
        && fast.domainParts == expected.domainParts
        && hasEmbedding == (full->memory.embedding && !full->memory.embedding->isEmpty());
    if (!same)
        qWarning("%s: the fast reader read other values:\n%s", qPrintable(what), text.constData());
    return same;
}

ExportReport exportAll(PersistenceBackend& backend, QByteArray* out)
{
    QBuffer buffer(out);
    buffer.open(QIODevice::WriteOnly);
    return Exporter(backend, ExportFormat::JsonLines, 23).run(MemoryFilter {}, buffer);
}
} // namespace

class TestFilesystem : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    /// The fields every folder file needs, for the fuzzer's regression tests.
    static Memory plainMemory(const QString& id, const QString& content)
    {
        Memory m;
        m.id = id;
        m.content = content;
        m.namespaceName = u"decisions"_s;
        m.status = u"active"_s;
        m.createdAt = m.updatedAt = 1767225600;
        return m;
    }

private Q_SLOTS:
    void serdeFloats()
    {
        for (const auto& [value, text] : serdeFloatSamples()) {
            QByteArray out;
            appendSerdeFloat(out, value);
            QCOMPARE(out, text);
        }
    }

    void interruptStopsTheRunningCallOnly()
    {
        GeneratorOptions options;
        options.count = 3000;
        options.anomalies = false;
        options.largeMemories = 0;
        options.lightContent = true;
        const GeneratedFolder folder = writeFolderStore(m_dir.filePath(u"interrupt"_s), options);
        FilesystemBackend::Options fs;
        fs.key = folder.key;
        auto backend = FilesystemBackend::open(folder.store.path, fs);
        const qint64 all = backend->count();
        MemoryFilter filter;
        filter.tombstones = TombstoneFilter::Exclude;
        qint64 expected = 0;
        for (const Memory& m : folder.store.truth)
            expected += filter.matches(m) ? 1 : 0;
        // another thread keeps asking to stop while the filter walks the index: some calls stop with Cancelled,
        // the others answer right
        std::atomic<bool> done {false};
        std::atomic<int> asked {0};
        std::thread interrupter([&] {
            while (!done) {
                backend->interrupt();
                ++asked;
                QThread::yieldCurrentThread();
            }
        });
        while (asked == 0)
            QThread::yieldCurrentThread();
        int stopped = 0;
        for (int round = 0; round < 50; ++round) {
            try {
                QCOMPARE(backend->count(filter), expected);
                filter.createdFrom = -round; // another filter each round: nothing cached
            } catch (const StorageError& e) {
                QCOMPARE(e.kind(), StorageError::Kind::Cancelled);
                QVERIFY2(e.message().endsWith(u": cancelled"_s), qPrintable(e.message()));
                ++stopped;
                filter.createdFrom = -round;
            }
        }
        done = true;
        interrupter.join();
        QVERIFY(stopped > 0);
        // the flag of the last interrupt does not reach later calls
        QCOMPARE(backend->count(filter), expected);
        QCOMPARE(backend->count(), all);
    }

    void exportEqualsTruth()
    {
        GeneratorOptions options;
        options.count = 200;
        const GeneratedFolder folder = writeFolderStore(m_dir.filePath(u"export"_s), options);
        FilesystemBackend::Options fs;
        fs.key = folder.key;
        auto backend = FilesystemBackend::open(folder.store.path, fs);
        QCOMPARE(backend->count(), qint64(folder.store.truth.size()));
        QByteArray exported;
        const ExportReport report = exportAll(*backend, &exported);
        const auto records = Testing::parseJsonLines(exported);
        QCOMPARE(records.size(), folder.store.truth.size());
        for (const Memory& truth : folder.store.truth) {
            const QStringList diffs = Testing::diffRecords(records.value(truth.id), toJson(truth));
            QVERIFY2(diffs.isEmpty(), qPrintable(truth.id + u": "_s + diffs.join(u"; "_s)));
        }
        QStringList damaged;
        for (const RecordIssue& issue : report.skipped) {
            damaged << issue.id;
            QVERIFY(!issue.reason.isEmpty());
        }
        QStringList expected = folder.damagedFiles;
        damaged.sort();
        expected.sort();
        QCOMPARE(damaged, expected);
        QCOMPARE(report.storeIssues.size(), folder.leftoverFiles.size());
        QCOMPARE(report.storeIssues.first().id, folder.leftoverFiles.first());
        for (const RecordIssue& issue : report.skipped) {
            if (issue.id == "damaged_truncated.json"_L1)
                QVERIFY2(issue.reason.contains(u"truncated"_s), qPrintable(issue.reason));
            if (issue.id == "damaged_big.json"_L1)
                QVERIFY2(issue.reason.contains(u"1 MiB"_s), qPrintable(issue.reason));
            if (issue.id == "damaged_idmismatch.json"_L1)
                QVERIFY2(issue.reason.contains(u"differs from the file name"_s), qPrintable(issue.reason));
            if (issue.id == "damaged_utf8.json"_L1)
                QVERIFY2(issue.reason.contains(u"UTF-8"_s), qPrintable(issue.reason));
        }
    }

    void withoutKeyEncryptedRowsAreLocked()
    {
        GeneratorOptions options;
        options.count = 80;
        const GeneratedFolder folder = writeFolderStore(m_dir.filePath(u"nokey"_s), options);
        qunsetenv("SUBCOG_ENCRYPTION_KEY");
        auto backend = FilesystemBackend::open(folder.store.path);
        // shown as rows, not errors (the file sealed with another key cannot be told apart without a key)
        QCOMPARE(backend->count(), qint64(folder.store.truth.size()) + 1);
        const auto locked = backend->get(folder.encryptedIds.first());
        QVERIFY(locked && locked->flags.testFlag(MemoryFlag::Locked));
        QByteArray exported;
        const ExportReport report = exportAll(*backend, &exported);
        QCOMPARE(report.skipped.size(), folder.encryptedIds.size() + 1 + folder.damagedFiles.size() - 1);
        QCOMPARE(Testing::parseJsonLines(exported).size(), folder.store.truth.size() - folder.encryptedIds.size());
        QVERIFY_THROWS_EXCEPTION(StorageError, backend->store(*locked));
        // the key from the environment opens them
        qputenv("SUBCOG_ENCRYPTION_KEY", folder.key.toBase64());
        auto withKey = FilesystemBackend::open(folder.store.path);
        QVERIFY(!withKey->get(folder.encryptedIds.first())->flags.testFlag(MemoryFlag::Locked));
        qunsetenv("SUBCOG_ENCRYPTION_KEY");
    }

    void byteIdenticalRoundTrip()
    {
        GeneratorOptions options;
        options.count = 150;
        const GeneratedFolder folder = writeFolderStore(m_dir.filePath(u"roundtrip"_s), options);
        QHash<QString, QByteArray> before;
        for (const Memory& m : folder.store.truth)
            before.insert(m.id, readAll(folder.store.path + u'/' + m.id + u".json"_s));
        FilesystemBackend::Options fs;
        fs.key = folder.key;
        auto backend = FilesystemBackend::open(folder.store.path, fs);
        auto copy = FilesystemBackend::create(m_dir.filePath(u"roundtrip-copy"_s));
        for (const Memory& truth : folder.store.truth) {
            const Memory m = *backend->get(truth.id);
            backend->store(m); // read and stored back unchanged
            QCOMPARE(readAll(folder.store.path + u'/' + m.id + u".json"_s), before.value(m.id));
            if (!folder.currentFormatIds.contains(m.id))
                continue;
            // our writer produces subcog's bytes exactly
            QByteArray original = before.value(m.id);
            if (Encryption::isEncrypted(original))
                original = *Encryption::decrypt(original, folder.key);
            const QByteArray ours = serializeMemoryFile(m);
            if (ours != original) {
                qsizetype at = 0;
                while (at < ours.size() && at < original.size() && ours[at] == original[at])
                    ++at;
                QFAIL(qPrintable(m.id + u": differs at byte "_s + QString::number(at) + u": ours «"_s
                                 + QString::fromUtf8(ours.mid(qMax<qsizetype>(0, at - 40), 80)) + u"» subcog's «"_s
                                 + QString::fromUtf8(original.mid(qMax<qsizetype>(0, at - 40), 80)) + u"»"_s));
            }
            if (!folder.encryptedIds.contains(m.id)) {
                copy->store(m);
                QCOMPARE(readAll(copy->location() + u'/' + m.id + u".json"_s), original);
            }
        }
        // unknown keys survive an edit, and an encrypted file stays encrypted
        for (const Memory& truth : folder.store.truth) {
            Memory m = *backend->get(truth.id);
            m.content += u" (edited)"_s;
            backend->store(m);
            const QByteArray after = readAll(folder.store.path + u'/' + m.id + u".json"_s);
            QCOMPARE(Encryption::isEncrypted(after), folder.encryptedIds.contains(m.id));
            if (before.value(m.id).contains("x_future_field"))
                QVERIFY(after.contains("\"x_future_field\": \"kept\""));
            QCOMPARE(FilesystemBackend::open(folder.store.path, fs)->get(m.id)->content, m.content);
        }
    }

    void commandLine()
    {
        GeneratorOptions options;
        options.count = 60;
        const GeneratedFolder folder = writeFolderStore(m_dir.filePath(u"cli"_s), options);
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"SUBCOG_ENCRYPTION_KEY"_s, QString::fromLatin1(folder.key.toBase64()));
        process.setProcessEnvironment(env);
        for (const QString& store : QStringList {folder.store.path, u"fs:"_s + folder.store.path}) {
            process.start(qEnvironmentVariable("INSPECTOR_BINARY"), {u"count"_s, store});
            QVERIFY(process.waitForFinished(60000));
            QCOMPARE(process.exitCode(), 0);
            QCOMPARE(process.readAllStandardOutput().trimmed().toLongLong(), qint64(folder.store.truth.size()));
        }
        process.start(qEnvironmentVariable("INSPECTOR_BINARY"),
                      {u"export"_s, folder.store.path, u"--format"_s, u"jsonl"_s});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 3); // damaged files were left out
        const QByteArray err = process.readAllStandardError();
        for (const QString& name : folder.damagedFiles)
            QVERIFY2(err.contains(name.toUtf8()), qPrintable(name));
        const auto records = Testing::parseJsonLines(process.readAllStandardOutput());
        QCOMPARE(records.size(), folder.store.truth.size());
        for (const Memory& truth : folder.store.truth)
            QVERIFY2(Testing::diffRecords(records.value(truth.id), toJson(truth)).isEmpty(), qPrintable(truth.id));

        // a key the user gives in a file instead of the environment
        const QString keyFile = m_dir.filePath(u"key.b64"_s);
        QFile key(keyFile);
        QVERIFY(key.open(QIODevice::WriteOnly));
        key.write(folder.key.toBase64() + '\n');
        key.close();
        process.setProcessEnvironment(QProcessEnvironment::systemEnvironment());
        process.start(qEnvironmentVariable("INSPECTOR_BINARY"),
                      {u"export"_s, folder.store.path, u"--key-file"_s, keyFile});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(Testing::parseJsonLines(process.readAllStandardOutput()).size(), folder.store.truth.size());
        process.start(qEnvironmentVariable("INSPECTOR_BINARY"), {u"export"_s, folder.store.path});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 3);
        QCOMPARE(Testing::parseJsonLines(process.readAllStandardOutput()).size(),
                 folder.store.truth.size() - folder.encryptedIds.size());
    }

    // Found by fuzz_memoryfile: a number beyond f32's range read as infinity, was written back as null, and the
    // memory could no longer be read by subcog or by us after an edit.
    void embeddingBeyondF32StaysReadable()
    {
        const QString dir = m_dir.filePath(u"bigfloat"_s);
        QVERIFY(QDir().mkpath(dir));
        Memory m = plainMemory(u"mem_big"_s, u"vector"_s);
        m.embedding = QList<float> {0.5f, 0.25f, 1.0f};
        QByteArray text = serializeMemoryFile(m);
        text.replace("0.5,", "3.5e38,").replace("0.25,", "-1e300,");
        QFile file(dir + u"/mem_big.json"_s);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
        file.close();
        auto backend = FilesystemBackend::open(dir);
        Memory read = backend->get(m.id).value();
        constexpr float kMax = std::numeric_limits<float>::max();
        QCOMPARE(read.embedding, (QList<float> {kMax, -kMax, 1.0f}));
        read.content += u" (edited)"_s;
        backend->store(read);
        const auto reread = FilesystemBackend::open(dir)->get(m.id);
        QVERIFY(reread);
        QCOMPARE(reread->content, read.content);
        QCOMPARE(reread->embedding, read.embedding);
    }

    // Found by fuzz_memoryfile: QJsonDocument reads -0.0 as 0, so an embedding's negative zero (serde writes
    // -0.0) lost its sign and a file stored back unchanged was no longer the same bytes.
    void negativeZeroInEmbeddingKept()
    {
        const QString dir = m_dir.filePath(u"negzero"_s);
        QVERIFY(QDir().mkpath(dir));
        Memory m = plainMemory(u"mem_negzero"_s, u"vector"_s);
        m.embedding = QList<float> {-0.0f, 0.0f, -0.5f, -0.0f};
        const QByteArray text = serializeMemoryFile(m);
        QVERIFY(text.contains("-0.0,"));
        QFile file(dir + u"/mem_negzero.json"_s);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
        file.close();
        auto backend = FilesystemBackend::open(dir);
        const Memory read = backend->get(m.id).value();
        QCOMPARE(read.embedding->size(), 4);
        QVERIFY(std::signbit(read.embedding->at(0)));
        QVERIFY(!std::signbit(read.embedding->at(1)));
        QVERIFY(std::signbit(read.embedding->at(3)));
        backend->store(read);
        QCOMPARE(readAll(dir + u"/mem_negzero.json"_s), text);
    }

    // Found by fuzz_memoryfile: an unknown key's integer beyond 2^53 was rounded when the file was written back.
    void unknownKeyIntegersKeepAllDigits()
    {
        const QString dir = m_dir.filePath(u"bigint"_s);
        QVERIFY(QDir().mkpath(dir));
        Memory m = plainMemory(u"mem_bigint"_s, u"future"_s);
        QJsonObject unknown;
        unknown.insert(u"x_future_ns"_s, QJsonValue(qint64(1767225600123456789)));
        unknown.insert(u"x_list"_s, QJsonArray {QJsonValue(qint64(66666666666666666)), 0.5, 1e300});
        QFile file(dir + u"/mem_bigint.json"_s);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(serializeMemoryFile(m, unknown));
        file.close();
        auto backend = FilesystemBackend::open(dir);
        Memory read = backend->get(m.id).value();
        read.content += u" (edited)"_s;
        backend->store(read);
        const QByteArray after = readAll(dir + u"/mem_bigint.json"_s);
        QVERIFY2(after.contains("\"x_future_ns\": 1767225600123456789"), after.constData());
        QVERIFY2(after.contains("66666666666666666,"), after.constData());
        QVERIFY2(after.contains("1e+300"), after.constData());
    }

    // Found by fuzz_memoryfile: QJsonDocument dropped a raw U+FEFF at the start of a string (content, a tag, an
    // unknown key's text), so the memory read differed from the file and an edit removed the character.
    void zeroWidthNoBreakSpaceKept()
    {
        const QString dir = m_dir.filePath(u"feff"_s);
        QVERIFY(QDir().mkpath(dir));
        const QString feff(QChar(0xFEFF));
        Memory m = plainMemory(u"mem_feff"_s, feff + u"starts with U+FEFF, and "_s + feff + u" holds one"_s);
        m.tags = QStringList {feff, feff + u"tag"_s};
        const QByteArray text = serializeMemoryFile(m, QJsonObject {{u"x_note"_s, feff}});
        QVERIFY(text.contains("\"\xEF\xBB\xBFstarts")); // raw UTF-8, as serde writes it
        QFile file(dir + u"/mem_feff.json"_s);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
        file.close();
        auto backend = FilesystemBackend::open(dir);
        Memory read = backend->get(m.id).value();
        QCOMPARE(read.content, m.content);
        QCOMPARE(read.tags, m.tags);
        backend->store(read); // stored back unchanged: the same bytes
        QCOMPARE(readAll(dir + u"/mem_feff.json"_s), text);
    }

    // serde_json (subcog's reader) is stricter than QJsonDocument: a file it refuses is a memory subcog cannot
    // see, so it must show as damaged here too, not as a healthy memory.
    void strictAsSubcog_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<bool>("refused");
        QTest::newRow("as written") << QByteArray() << QByteArray() << false;
        QTest::newRow("byte-order mark") << QByteArray("{") << QByteArray("\xEF\xBB\xBF{") << true;
        QTest::newRow("raw control character") << QByteArray("\"text\"") << QByteArray("\"te\x01xt\"") << true;
        QTest::newRow("escaped control character") << QByteArray("\"text\"") << QByteArray("\"te\\u0001xt\"") << false;
        QTest::newRow("lone high surrogate") << QByteArray("\"text\"") << QByteArray("\"te\\ud83dxt\"") << true;
        QTest::newRow("lone low surrogate") << QByteArray("\"text\"") << QByteArray("\"te\\ude00xt\"") << true;
        QTest::newRow("surrogate pair") << QByteArray("\"text\"") << QByteArray("\"te\\ud83d\\ude00xt\"") << false;
        QTest::newRow("number 1.") << QByteArray("\"embedding\": null") << QByteArray("\"embedding\": [1.]") << true;
        QTest::newRow("number .5") << QByteArray("\"embedding\": null") << QByteArray("\"embedding\": [.5]") << true;
        QTest::newRow("number 5e-1") << QByteArray("\"embedding\": null") << QByteArray("\"embedding\": [5e-1]")
                                     << false;
        QTest::newRow("repeated key") << QByteArray("{\n") << QByteArray("{\n  \"status\": \"active\",\n") << true;
        QTest::newRow("repeated unknown key")
            << QByteArray("{\n") << QByteArray("{\n  \"x\": 1,\n  \"x\": 2.5e3,\n") << false;
        QTest::newRow("seconds as 1.0") << QByteArray("1767225600,") << QByteArray("1767225600.0,") << true;
        QTest::newRow("seconds as 1e9") << QByteArray("1767225600,") << QByteArray("1e9,") << true;
        QTest::newRow("seconds beyond 64 bits")
            << QByteArray("1767225600,") << QByteArray("99999999999999999999,") << true;
    }
    void strictAsSubcog()
    {
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QFETCH(bool, refused);
        Memory m = plainMemory(u"mem_strict"_s, u"text"_s);
        QByteArray text = serializeMemoryFile(m);
        if (!from.isEmpty()) {
            QVERIFY(text.contains(from));
            text.replace(text.indexOf(from), from.size(), to);
        }
        QString why;
        const auto parsed = parseMemoryFile(text, &why);
        QCOMPARE(!parsed, refused);
        if (refused)
            QVERIFY2(why.startsWith(u"subcog's JSON reader refuses it: "_s), qPrintable(why));
    }

    // The index reads files with a fast reader of its own; it must read every file subcog writes (or opening a
    // folder is slow again) and never accept what the full reader refuses or read other values.
    void metadataReaderAgreesWithFullReader()
    {
        GeneratorOptions options;
        options.count = 400;
        const GeneratedFolder folder = writeFolderStore(m_dir.filePath(u"metadata"_s), options);
        QList<QByteArray> serdeFiles;
        for (const Memory& m : folder.store.truth) {
            QByteArray text = readAll(folder.store.path + u'/' + m.id + u".json"_s);
            if (Encryption::isEncrypted(text))
                text = *Encryption::decrypt(text, folder.key);
            QVERIFY2(parseMemoryFile(text, nullptr), qPrintable(m.id));
            QVERIFY2(checkAgainstFullReader(text, m.id), qPrintable(m.id + u": not read by the fast reader"_s));
            serdeFiles << text;
        }
        for (const QString& name : folder.damagedFiles) {
            const QByteArray text = readAll(folder.store.path + u'/' + name);
            Memory m;
            bool hasEmbedding = false;
            if (!Encryption::isEncrypted(text) && text.size() <= 1024 * 1024)
                QVERIFY2(!parseMemoryMetadata(text, &m, &hasEmbedding) || name == "damaged_idmismatch.json"_L1
                             || name == "bad name.json"_L1,
                         qPrintable(name));
        }
        // texts subcog may meet: escapes everywhere, a surrogate pair, nested unknown values, old field sets
        Memory sample = Testing::sampleMemory(u"mem_escapes"_s);
        sample.groupId.reset();
        sample.namespaceName = u"Tech_Debt"_s;
        sample.status = u"ARCHIVED"_s;
        sample.branch = u"feature/\u00e9\"quoted\"\t\U0001F600"_s;
        sample.tags = {u"tab\there"_s, QString::fromUtf8("emoji \xF0\x9F\x98\x80"), u"hash:sha256:ABCDEF0123456789"_s,
                       u"hash:sha256:0123456789abcdef"_s};
        sample.embedding = QList<float> {0.5f, -0.0f, 1e-7f};
        QByteArray escaped = serializeMemoryFile(
            sample,
            QJsonObject {{u"x_nested"_s, QJsonObject {{u"a"_s, QJsonArray {1, u"two"_s, true, QJsonValue()}}}},
                         {u"x_big"_s, QJsonValue(qint64(1767225600123456789))}});
        QVERIFY(checkAgainstFullReader(escaped, u"escapes"_s));
        escaped.replace("\"feature/", "\"\\u0066eature/").replace("\xF0\x9F\x98\x80", "\\ud83d\\ude00");
        QVERIFY(escaped.contains("\\ud83d\\ude00"));
        QVERIFY(checkAgainstFullReader(escaped, u"escapes written as \\u"_s));
        // and damaged or unusual texts: never accepted unless the full reader agrees
        QList<QByteArray> odd;
        const QByteArray base = serdeFiles.first();
        for (const char* from : {"\"tags\": [", "\"created_at\": ", "\"is_summary\": ", "{\n"}) {
            for (const char* to :
                 {"\"tags\": 5, \"x\": [", "\"created_at\": 1.5, \"y\": ", "\"is_summary\": null, \"z\": ",
                  "{\n  \"id\": \"x\",\n", "{\n  \"\\u0069d\": \"x\",\n",
                  "\"created_at\": 9007199254740993, \"w\": ", "\"created_at\": -0, \"v\": "}) {
                QByteArray text = base;
                odd << text.replace(text.indexOf(from), qstrlen(from), to);
            }
        }
        odd << QByteArray("{}") << QByteArray("[]") << QByteArray() << base + "}" << base + " \n"
            << base.left(base.size() - 1) << QByteArray(base).replace("1767", "01767")
            << QByteArray(base).replace("\"id\"", "\"i\\d\"");
        QRandomGenerator random(17);
        const QByteArray alphabet("{}[]\",:\\u0123456789.eE+-ntf \n\x01\xC3\xA9\xFF");
        for (int i = 0; i < 3000; ++i) {
            QByteArray text = serdeFiles[random.bounded(qsizetype(serdeFiles.size()))];
            for (int edits = 1 + random.bounded(3); edits > 0; --edits) {
                const qsizetype at = random.bounded(text.size());
                switch (random.bounded(3)) {
                case 0:
                    text.remove(at, 1);
                    break;
                case 1:
                    text.insert(at, alphabet[random.bounded(alphabet.size())]);
                    break;
                default:
                    text[at] = alphabet[random.bounded(alphabet.size())];
                }
            }
            odd << text;
        }
        int accepted = 0;
        for (qsizetype i = 0; i < odd.size(); ++i) {
            Memory m;
            bool hasEmbedding = false;
            if (!parseMemoryMetadata(odd[i], &m, &hasEmbedding))
                continue;
            ++accepted;
            QVERIFY2(checkAgainstFullReader(odd[i], u"odd text "_s + QString::number(i)),
                     qPrintable(QString::number(i)));
        }
        QVERIFY(accepted > 0); // mutations that stay valid (a digit for a digit) are read
    }

    // The index keeps no content: a page with content, get() and getBatch() read the files. A file another program
    // changed since the folder was indexed is shown as it is now, never the indexed version and never another
    // memory's text under this id; one that became unreadable is reported; the change token moves either way.
    void pagesReadFilesAsTheyAreNow()
    {
        const QString dir = m_dir.filePath(u"asnow"_s);
        auto writer = FilesystemBackend::create(dir);
        for (int i = 0; i < 6; ++i) {
            Memory m = Testing::sampleMemory(u"mem_"_s + QString::number(i), 1767225600 + i);
            m.groupId.reset();
            m.content = u"original text "_s + QString::number(i);
            writer->store(m);
        }
        auto backend = FilesystemBackend::open(dir);
        const QByteArray token = *backend->changeToken();
        auto rewrite = [&](const QString& id, const QByteArray& bytes) {
            QFile f(dir + u'/' + id + u".json"_s);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(bytes);
        };
        Memory changed = *writer->get(u"mem_5"_s);
        changed.content = u"changed by another program, longer than before"_s;
        rewrite(u"mem_5"_s, serializeMemoryFile(changed));
        Memory other = *writer->get(u"mem_3"_s);
        rewrite(u"mem_4"_s, serializeMemoryFile(other)); // mem_3's file under mem_4's name
        rewrite(u"mem_2"_s, "{\n  \"id\": \"mem_2\",\n  \"content\": \"cut of");
        QVERIFY(QFile::remove(dir + u"/mem_1.json"_s));

        const Page page = backend->query(MemoryQuery {});
        QStringList ids;
        for (const Memory& m : page.memories) {
            ids << m.id;
            QVERIFY2(m.content == (m.id == "mem_5"_L1 ? changed.content : u"original text "_s + m.id.right(1)),
                     qPrintable(m.id + u": "_s + m.content));
        }
        QCOMPARE(ids, (QStringList {u"mem_5"_s, u"mem_3"_s, u"mem_0"_s}));
        QStringList reported;
        for (const RecordIssue& issue : page.issues)
            reported << issue.id;
        QCOMPARE(reported, (QStringList {u"mem_4"_s, u"mem_2"_s}));
        QVERIFY(page.issues.first().reason.contains(u"differs from the file name"_s));
        QVERIFY(page.issues.last().reason.contains(u"truncated"_s));
        QVERIFY(*backend->changeToken() != token);
        QCOMPARE(backend->count(), qint64(3));
        QCOMPARE(backend->storeIssues().size(), 2);
        // pages without content come from the index, which now says what the files say
        MemoryQuery metadata;
        metadata.withContent = false;
        QCOMPARE(backend->query(metadata).memories.size(), 3);
        // get() and getBatch() read the file as well
        changed.content = u"changed again"_s;
        rewrite(u"mem_5"_s, serializeMemoryFile(changed));
        QCOMPARE(backend->get(u"mem_5"_s)->content, changed.content);
        changed.content = u"and once more, by yet another write"_s;
        rewrite(u"mem_5"_s, serializeMemoryFile(changed));
        QList<RecordIssue> issues;
        const QList<Memory> batch = backend->getBatch({u"mem_5"_s, u"mem_4"_s, u"mem_0"_s}, &issues);
        QCOMPARE(batch.size(), 2);
        QCOMPARE(batch.first().content, changed.content);
        QCOMPARE(issues.size(), 1);
        QCOMPARE(issues.first().id, u"mem_4"_s);
    }

    void idsCannotEscape_data()
    {
        QTest::addColumn<QString>("id");
        QTest::newRow("parent") << u"../escape"_s;
        QTest::newRow("slash") << u"a/b"_s;
        QTest::newRow("backslash") << u"a\\b"_s;
        QTest::newRow("dot") << u"a.b"_s;
        QTest::newRow("dots") << u".."_s;
        QTest::newRow("space") << u"with space"_s;
        QTest::newRow("empty") << QString();
        QTest::newRow("NUL") << QString(u"a"_s + QChar(0) + u"b"_s);
        QTest::newRow("too long") << QString(256, u'a');
        QTest::newRow("absolute") << u"/tmp/x"_s;
    }
    void idsCannotEscape()
    {
        QFETCH(QString, id);
        QTemporaryDir parent;
        auto backend = FilesystemBackend::create(parent.filePath(u"store"_s));
        Memory m = Testing::sampleMemory(u"x"_s);
        m.id = id;
        try {
            backend->store(m);
            QFAIL("an unsafe id was accepted");
        } catch (const StorageError& e) {
            QCOMPARE(e.kind(), StorageError::Kind::InvalidInput);
        }
        QVERIFY(!backend->get(id));
        QVERIFY(!backend->remove(id));
        QCOMPARE(QDir(parent.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList {u"store"_s});
        QVERIFY(QDir(parent.filePath(u"store"_s)).isEmpty());
        QVERIFY(FilesystemBackend::isSafeId(u"Ünï-ćødé_ID_123"_s));
    }

    void symlinksAreNotFollowed()
    {
        QTemporaryDir parent;
        const QString store = parent.filePath(u"store"_s);
        auto backend = FilesystemBackend::create(store);
        const QString outside = parent.filePath(u"outside.json"_s);
        QFile f(outside);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(serializeMemoryFile(Testing::sampleMemory(u"evil"_s)));
        f.close();
        QVERIFY(QFile::link(outside, store + u"/evil.json"_s));
        backend = FilesystemBackend::open(store);
        QVERIFY(!backend->exists(u"evil"_s));
        QCOMPARE(backend->storeIssues().size(), 1);
        QVERIFY(backend->storeIssues().first().reason.contains(u"outside the folder"_s));
        const QByteArray before = readAll(outside);
        QVERIFY_THROWS_EXCEPTION(StorageError, backend->store(Testing::sampleMemory(u"evil"_s)));
        QCOMPARE(readAll(outside), before);
    }

    void leftoversAndRefresh()
    {
        GeneratorOptions options;
        options.count = 30;
        const GeneratedFolder folder = writeFolderStore(m_dir.filePath(u"refresh"_s), options);
        FilesystemBackend::Options fs;
        fs.key = folder.key;
        auto backend = FilesystemBackend::open(folder.store.path, fs);
        QCOMPARE(backend->leftoverTemporaryFiles(), folder.leftoverFiles);
        QCOMPARE(backend->removeLeftoverTemporaryFiles(), 1);
        QVERIFY(!QFile::exists(folder.store.path + u'/' + folder.leftoverFiles.first()));
        // another writer adds, changes and deletes files
        Memory added = Testing::sampleMemory(u"added_outside"_s);
        added.groupId.reset();
        QFile f(folder.store.path + u"/added_outside.json"_s);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(serializeMemoryFile(added));
        f.close();
        const QString gone = folder.store.truth.first().id;
        QVERIFY(QFile::remove(folder.store.path + u'/' + gone + u".json"_s));
        backend->refresh();
        QVERIFY(backend->exists(u"added_outside"_s));
        QVERIFY(!backend->exists(gone));
        QCOMPARE(backend->count(), qint64(folder.store.truth.size()));
    }

    void crashSafeWrites()
    {
        // A writer killed with SIGKILL at random moments leaves every file in its old or its new complete version.
        const QString store = m_dir.filePath(u"crash"_s);
        auto backend = FilesystemBackend::create(store);
        backend.reset();
        const QString writer = qEnvironmentVariable("INSPECTOR_FS_WRITER");
        QVERIFY(QFile::exists(writer));
        static const QRegularExpression versionRe(u"^version (\\d+) "_s);
        QRandomGenerator random(QRandomGenerator::global()->generate());
        int killedMidRun = 0;
        for (int round = 0; round < 200; ++round) {
            QProcess process;
            process.start(writer, {store});
            QVERIFY(process.waitForStarted());
            QThread::usleep(1000 + random.bounded(25000));
            ::kill(pid_t(process.processId()), SIGKILL);
            QVERIFY(process.waitForFinished(10000));
            killedMidRun += process.exitStatus() == QProcess::CrashExit ? 1 : 0;
            auto check = FilesystemBackend::open(store);
            QVERIFY2(check->storeIssues().size() == check->leftoverTemporaryFiles().size(),
                     qPrintable(u"round "_s + QString::number(round) + u": a damaged file"_s));
            for (const QString& id : check->listIds()) {
                const Memory m = *check->get(id);
                const auto match = versionRe.match(m.content);
                QVERIFY2(match.hasMatch(), qPrintable(id));
                const qint64 version = match.captured(1).toLongLong();
                QCOMPARE(m.content,
                         u"version "_s + QString::number(version) + u' '
                             + QString(u"0123456789abcdef"_s).repeated(int(version % 40 + 1) * 150));
                QCOMPARE(m.tags, QStringList {u"v"_s + QString::number(version)});
            }
            check->removeLeftoverTemporaryFiles();
        }
        QVERIFY(killedMidRun == 200);
    }
};

QTEST_GUILESS_MAIN(TestFilesystem)
#include "tst_filesystem.moc"
