// SPDX-License-Identifier: MIT
// Embeddings in every store kind that keeps them, on real stores: a SQLite data folder's vectors.idx (and usearch's
// vectors.meta.json), PostgreSQL's memory_vectors on the harness's server (TEXT standing in for pgvector's type,
// which Debian 12 does not package), and folder files' embedding field. One memory's embedding, the store's
// coverage with its gaps, the 10 nearest by cosine against a brute-force computation here, and cancellation.
#include "embeddings.h"
#include "postgresserver.h"
#include "storageerror.h"
#include "storeopener.h"
#include "vectorsfile.h"
#include "vectorstream.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {

OpenOptions readOnlyOptions()
{
    OpenOptions o;
    o.readOnly = true;
    return o;
}

constexpr int kDims = 24;
constexpr int kMemories = 240;

QString idFor(int i)
{
    return u"e%1"_s.arg(i, 3, 10, QChar(u'0'));
}

/// A store's memories and the vectors kept for them (orphans included), built so that every gap is there: live and
/// tombstoned memories without a vector, vectors without a memory, near vectors that must be left out.
struct Scenario
{
    QList<Memory> memories;
    QHash<QString, QList<float>> vectors; ///< by memory id, orphans included
    QString query = idFor(0);
    QStringList orphans;
    qint64 withEmbedding = 0;
    qint64 liveWithout = 0;
};

QList<float> randomVector(QRandomGenerator& random, int dims)
{
    QList<float> v;
    for (int d = 0; d < dims; ++d)
        v << float(random.generateDouble() * 2.0 - 1.0);
    return v;
}

Scenario makeScenario(bool withOrphans, int nearTombstoned = 1)
{
    Scenario s;
    QRandomGenerator random(42);
    QList<float> query = randomVector(random, kDims);
    for (int i = 0; i < kMemories; ++i) {
        Memory m;
        m.id = idFor(i);
        m.content = u"\n  Memory %1 about vectors\nsecond line"_s.arg(i);
        m.namespaceName = i % 2 ? u"patterns"_s : u"decisions"_s;
        m.domain = u"project"_s;
        m.status = u"active"_s;
        m.createdAt = 1767225600 + i;
        m.updatedAt = m.createdAt;
        const bool tombstoned = i % 10 == 3 || (i >= 100 && i < 100 + nearTombstoned - 1);
        if (tombstoned) {
            m.status = u"tombstoned"_s;
            m.tombstonedAt = m.createdAt + 5;
        }
        s.memories << m;
        const bool hasVector = i == 0 || i % 7 != 2;
        if (!hasVector) {
            if (!tombstoned)
                ++s.liveWithout;
            continue;
        }
        ++s.withEmbedding;
        QList<float> v = i == 0 ? query : randomVector(random, kDims);
        // tombstoned memories pointing the same way as the query: the nearest of all, and left out
        if (i == 3 || (i >= 100 && i < 100 + nearTombstoned - 1)) {
            v = query;
            for (float& x : v)
                x *= float(1 + i % 5);
        }
        s.vectors.insert(m.id, v);
    }
    if (withOrphans) {
        for (int k = 0; k < 3; ++k) {
            const QString id = u"orphan-%1"_s.arg(k);
            QList<float> v = k == 0 ? query : randomVector(random, kDims);
            if (k == 0)
                v[0] += 0.001f; // almost the query itself
            s.vectors.insert(id, v);
            s.orphans << id;
        }
    }
    return s;
}

struct Expected
{
    QString id;
    double similarity;
};

/// The nearest `count` by a plain computation: every vector of a live memory but the query's, cosine in double.
QList<Expected> bruteForce(const Scenario& s, int count)
{
    QHash<QString, const Memory*> byId;
    for (const Memory& m : s.memories)
        byId.insert(m.id, &m);
    const QList<float>& q = s.vectors.value(s.query);
    QList<Expected> all;
    for (auto it = s.vectors.begin(); it != s.vectors.end(); ++it) {
        const Memory* m = byId.value(it.key());
        if (it.key() == s.query || !m || m->isTombstoned() || it->size() != q.size())
            continue;
        double dot = 0, qq = 0, vv = 0;
        for (qsizetype i = 0; i < q.size(); ++i) {
            dot += double(q[i]) * double((*it)[i]);
            qq += double(q[i]) * double(q[i]);
            vv += double((*it)[i]) * double((*it)[i]);
        }
        all.append({it.key(), dot / (std::sqrt(qq) * std::sqrt(vv))});
    }
    std::sort(all.begin(), all.end(), [](const Expected& a, const Expected& b) {
        return a.similarity > b.similarity || (a.similarity == b.similarity && a.id < b.id);
    });
    return all.mid(0, count);
}

void writeVectorsIdx(const QString& path, const QHash<QString, QList<float>>& vectors, int dims = kDims)
{
    VectorsFile file;
    file.dimensions = dims;
    file.vectors = vectors;
    writeFileAtomically(path, serializeVectorsFile(file));
}

} // namespace

class TestEmbeddings : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_serial = 0;
    QString m_lastSpec; ///< the spec of the store storeFor() made last (with the password: location() has none)

    QString newFolder()
    {
        const QString path = m_dir.filePath(u"s%1"_s.arg(++m_serial));
        QDir().mkpath(path);
        return path;
    }

    /// The scenario in a store of `kind`, reopened read-only as the window opens it.
    std::unique_ptr<PersistenceBackend> storeFor(const QString& kind, const Scenario& s)
    {
        OpenOptions create;
        create.create = true;
        if (kind == "sqlite"_L1) {
            const QString folder = newFolder();
            const QString spec = u"sqlite:"_s + folder + u"/index.db"_s;
            openStore(spec, create)->storeBatch(s.memories);
            writeVectorsIdx(folder + u"/vectors.idx"_s, s.vectors);
            m_lastSpec = spec;
            return openStore(spec, readOnlyOptions());
        }
        if (kind == "postgres"_L1) {
            auto& server = Testing::PostgresServer::shared();
            const QString database = server.createDatabase(u"emb"_s);
            const QString url = server.url(database);
            openStore(url, create)->storeBatch(s.memories);
            // as subcog's migration makes it, with TEXT standing in for vector(384) (no pgvector here)
            server.runSql(database,
                          u"CREATE TABLE memory_vectors (id TEXT PRIMARY KEY, embedding TEXT, created_at BIGINT NOT "
                          "NULL DEFAULT EXTRACT(EPOCH FROM NOW())::BIGINT)"_s);
            const auto writer = openStore(url);
            [&] { QVERIFY(writer->writeEmbeddings(s.vectors).isEmpty()); }();
            m_lastSpec = url;
            return openStore(url, readOnlyOptions());
        }
        const QString folder = newFolder();
        const QString spec = u"fs:"_s + folder;
        QList<Memory> memories = s.memories;
        for (Memory& m : memories) {
            if (s.vectors.contains(m.id))
                m.embedding = s.vectors.value(m.id);
        }
        openStore(spec, create)->storeBatch(memories);
        m_lastSpec = spec;
        return openStore(spec, readOnlyOptions());
    }

private Q_SLOTS:
    void perStore_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("vectors.idx") << u"sqlite"_s;
        QTest::newRow("memory_vectors") << u"postgres"_s;
        QTest::newRow("folder files") << u"filesystem"_s;
    }

    void perStore()
    {
        QFETCH(QString, kind);
        const bool orphansPossible = kind != "filesystem"_L1;
        const Scenario s = makeScenario(orphansPossible);
        auto store = storeFor(kind, s);
        QVERIFY(store);

        // one memory's embedding, and one without
        EmbeddingInfo info = embeddingInfo(*store, idFor(5));
        QCOMPARE(int(info.state), int(EmbeddingInfo::State::Present));
        QCOMPARE(info.values, s.vectors.value(idFor(5)));
        info = embeddingInfo(*store, idFor(2));
        QCOMPARE(int(info.state), int(EmbeddingInfo::State::Missing));
        QVERIFY2(!info.where.isEmpty(), qPrintable(kind));

        // coverage: the gaps as built
        QString reason;
        const auto coverage = embeddingCoverage(*store, {}, &reason);
        QVERIFY2(coverage, qPrintable(reason));
        QCOMPARE(coverage->memories, qint64(kMemories));
        QCOMPARE(coverage->withEmbedding, s.withEmbedding);
        QCOMPARE(coverage->liveWithout, s.liveWithout);
        QVERIFY(coverage->liveWithout > 0);
        if (orphansPossible)
            QCOMPARE(coverage->orphans, std::optional<qint64>(s.orphans.size()));
        else
            QVERIFY(!coverage->orphans);
        QVERIFY2(coverage->problem.isEmpty(), qPrintable(coverage->problem));

        // the nearest 10, against the brute force
        const QList<Expected> expected = bruteForce(s, 10);
        const SimilarMemories found = similarMemories(*store, s.query, 10);
        QCOMPARE(found.nearest.size(), expected.size());
        for (qsizetype i = 0; i < expected.size(); ++i) {
            QCOMPARE(found.nearest[i].id, expected[i].id);
            QVERIFY2(std::abs(found.nearest[i].similarity - expected[i].similarity) < 1e-9,
                     qPrintable(u"%1: %2 != %3"_s.arg(expected[i].id)
                                    .arg(found.nearest[i].similarity)
                                    .arg(expected[i].similarity)));
            const auto memory = std::find_if(s.memories.begin(), s.memories.end(),
                                             [&](const Memory& m) { return m.id == expected[i].id; });
            QCOMPARE(found.nearest[i].namespaceName, memory->namespaceName);
            QCOMPARE(found.nearest[i].firstLine, memory->content.split(u'\n').at(1).trimmed());
        }
        // the tombstoned memory and the orphan pointing the query's way are the nearest of all, and left out
        QVERIFY(found.skipped >= (orphansPossible ? 2 : 0));
        QCOMPARE(found.compared, qint64(s.withEmbedding + s.orphans.size()));
        for (const SimilarMemory& m : found.nearest)
            QVERIFY(m.id != s.query && m.id != idFor(3) && !m.id.startsWith(u"orphan"_s));

        // without an embedding there is nothing to compare
        QVERIFY_THROWS_EXCEPTION(StorageError, similarMemories(*store, idFor(2), 10));

        // cancelled on the first progress report
        bool asked = false;
        try {
            similarMemories(*store, s.query, 10, [&](qint64, qint64) {
                asked = true;
                return false;
            });
            QFAIL("not cancelled");
        } catch (const StorageError& e) {
            QCOMPARE(int(e.kind()), int(StorageError::Kind::Cancelled));
        }
        QVERIFY(asked);
    }

    void infoCommand_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("vectors.idx") << u"sqlite"_s;
        QTest::newRow("memory_vectors") << u"postgres"_s;
        QTest::newRow("folder files") << u"filesystem"_s;
    }

    void infoCommand()
    {
        // `info` prints the coverage with the gaps, for every store kind that keeps embeddings
        QFETCH(QString, kind);
        const Scenario s = makeScenario(kind != "filesystem"_L1);
        QVERIFY(storeFor(kind, s));
        const QString spec = m_lastSpec;
        QProcess p;
        p.start(qEnvironmentVariable("INSPECTOR_BINARY"), {u"info"_s, spec});
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QVERIFY2(out.contains(u"memories with an embedding: %1\n"_s.arg(s.withEmbedding)), qPrintable(out));
        QVERIFY2(out.contains(u"live memories without one: %1\n"_s.arg(s.liveWithout)), qPrintable(out));
        QVERIFY2(out.contains(kind == "filesystem"_L1 ? u"vectors without a memory: none can exist"_s
                                                      : u"vectors without a memory: %1\n"_s.arg(s.orphans.size())),
                 qPrintable(out));
    }

    void infoWithoutEmbeddings()
    {
        const QString folder = newFolder();
        OpenOptions create;
        create.create = true;
        openStore(u"sqlite:"_s + folder + u"/index.db"_s, create)->storeBatch(makeScenario(false).memories.mid(0, 3));
        QProcess p;
        p.start(qEnvironmentVariable("INSPECTOR_BINARY"), {u"info"_s, u"sqlite:"_s + folder + u"/index.db"_s});
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(out.contains(u"Embeddings: none (its data folder has no vectors.idx"_s), qPrintable(out));
    }

    void manyNearTombstoned()
    {
        // more near vectors of tombstoned memories than the first pass keeps beside the 10: a second pass without them
        const Scenario s = makeScenario(true, 60);
        auto store = storeFor(u"sqlite"_s, s);
        const QList<Expected> expected = bruteForce(s, 10);
        const SimilarMemories found = similarMemories(*store, s.query, 10);
        QStringList ids, wanted;
        for (const SimilarMemory& m : found.nearest)
            ids << m.id;
        for (const Expected& e : expected)
            wanted << e.id;
        QCOMPARE(ids, wanted);
        QVERIFY2(found.skipped >= 45, qPrintable(QString::number(found.skipped)));
    }

    void sqliteCancelMidScan()
    {
        // over 4096 vectors: the scan reports progress (and sees the cancel) while reading the file
        Scenario s;
        QRandomGenerator random(7);
        for (int i = 0; i < 9000; ++i) {
            Memory m;
            m.id = u"c%1"_s.arg(i);
            m.content = u"c"_s;
            m.namespaceName = u"decisions"_s;
            m.domain = u"project"_s;
            m.status = u"active"_s;
            m.createdAt = m.updatedAt = 1767225600;
            s.memories << m;
            s.vectors.insert(m.id, randomVector(random, 8));
        }
        s.query = u"c0"_s;
        auto store = storeFor(u"sqlite"_s, s);
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(StorageError, similarMemories(*store, s.query, 10, [&](qint64 done, qint64 total) {
                                     ++calls;
                                     return done < total / 2;
                                 }));
        QVERIFY(calls > 0);
        // the coverage stops the same way
        QVERIFY_THROWS_EXCEPTION(StorageError, embeddingCoverage(*store, [](qint64, qint64) { return false; }));
    }

    void sqliteWithoutVectors()
    {
        const QString folder = newFolder();
        OpenOptions create;
        create.create = true;
        const Scenario s = makeScenario(false);
        openStore(u"sqlite:"_s + folder + u"/index.db"_s, create)->storeBatch(s.memories.mid(0, 5));
        auto store = openStore(u"sqlite:"_s + folder + u"/index.db"_s, readOnlyOptions());
        const EmbeddingInfo info = embeddingInfo(*store, idFor(0));
        QCOMPARE(int(info.state), int(EmbeddingInfo::State::NotKept));
        QVERIFY2(info.reason.contains(u"vectors.idx"_s), qPrintable(info.reason));
        QString reason;
        QVERIFY(!embeddingCoverage(*store, {}, &reason));
        QVERIFY(reason.contains(u"vectors.idx"_s));
        QVERIFY_THROWS_EXCEPTION(StorageError, similarMemories(*store, idFor(0)));
    }

    void usearchMeta()
    {
        // usearch's binary index with its meta file: which memories have a vector is known, their values are not
        const QString folder = newFolder();
        OpenOptions create;
        create.create = true;
        const Scenario s = makeScenario(false);
        openStore(u"sqlite:"_s + folder + u"/index.db"_s, create)->storeBatch(s.memories.mid(0, 5));
        QFile meta(folder + u"/vectors.meta.json"_s);
        QVERIFY(meta.open(QIODevice::WriteOnly));
        meta.write(R"({"dimensions":384,"id_to_key":{"e001":1,"e004":2,"gone":3},"key_to_id":{"1":"e001","2":"e004",)"
                   R"("3":"gone"},"next_key":4})");
        meta.close();
        QFile binary(folder + u"/vectors.usearch"_s);
        QVERIFY(binary.open(QIODevice::WriteOnly)); // its bytes are never read
        auto store = openStore(u"sqlite:"_s + folder + u"/index.db"_s, readOnlyOptions());
        QCOMPARE(int(embeddingInfo(*store, idFor(1)).state), int(EmbeddingInfo::State::Opaque));
        QCOMPARE(int(embeddingInfo(*store, idFor(2)).state), int(EmbeddingInfo::State::Missing));
        const auto coverage = embeddingCoverage(*store);
        QVERIFY(coverage);
        QCOMPARE(coverage->withEmbedding, qint64(2));
        QCOMPARE(coverage->orphans, std::optional<qint64>(1));
        // e000..e004: e003 is tombstoned; e000 and e002 are live without a vector
        QCOMPARE(coverage->liveWithout, qint64(2));
        try {
            similarMemories(*store, idFor(1));
            QFAIL("compared without values");
        } catch (const StorageError& e) {
            QVERIFY2(e.message().contains(u"usearch"_s), qPrintable(e.message()));
        }
    }

    void fastFloatsAreExact()
    {
        // parseF32 against std::from_chars, bit for bit: random f32 of every magnitude in their shortest form (as
        // subcog's serde writes them) and in 9 significant digits, exact halfway points between two f32 written
        // short enough for the fast path (where rounding twice would go wrong), and shapes around it
        QRandomGenerator random(99);
        QList<QByteArray> texts {"16777217",
                                 "16777219",
                                 "-16777217",
                                 "0.5",
                                 "-0",
                                 "0",
                                 "1e22",
                                 "1e23",
                                 "1e-22",
                                 "1.5e-23",
                                 "3.4028235e38",
                                 "3.4028236e38",
                                 "1e-45",
                                 "7e-46",
                                 "123456789012345",
                                 "1234567890123456",
                                 "0.000000000000000000001",
                                 "1E5",
                                 "2.5E-3",
                                 "9007199254740993"};
        char buffer[64];
        for (int i = 0; i < 300000; ++i) {
            float f = std::bit_cast<float>(random.generate());
            if (!std::isfinite(f))
                continue;
            if (i % 2)
                f = float(random.generateDouble() * 0.4 - 0.2); // the range of embedding values
            texts << QByteArray(buffer, std::to_chars(buffer, buffer + sizeof buffer, f).ptr - buffer);
            texts << QByteArray(buffer, std::snprintf(buffer, sizeof buffer, "%.9g", double(f)));
        }
        for (const QByteArray& text : std::as_const(texts)) {
            float expected = 0;
            const auto [end, ec] = std::from_chars(text.constData(), text.constData() + text.size(), expected);
            float got = 0;
            const char* parsed = parseF32(text.constData(), text.constData() + text.size(), &got);
            if (ec != std::errc()) {
                QVERIFY2(!parsed, text.constData());
                continue;
            }
            QVERIFY2(parsed == end, text.constData());
            QVERIFY2(std::bit_cast<quint32>(got) == std::bit_cast<quint32>(expected), text.constData());
        }
    }

    void streamMatchesFullParser()
    {
        // more than one 4 MiB piece, so members straddle the pieces; ids with escapes; the file's own floats
        QHash<QString, QList<float>> vectors;
        QRandomGenerator random(3);
        for (int i = 0; i < 1500; ++i)
            vectors.insert(u"id-%1"_s.arg(i), randomVector(random, 384));
        vectors.insert(u"quote\"back\\slash é"_s, {1.5f, -2.25e-7f, 3.0f});
        vectors.insert(u"empty"_s, {});
        VectorsFile file;
        file.vectors = vectors;
        const QByteArray compact = serializeVectorsFile(file);
        QVERIFY(compact.size() > 5 << 20);
        // pretty-printed by Qt: whitespace everywhere subcog writes none (values printed from the same f32)
        QJsonObject object;
        object.insert(u"dimensions"_s, 384);
        QJsonObject members;
        for (auto it = vectors.begin(); it != vectors.end(); ++it) {
            QJsonArray values;
            for (float v : *it)
                values.append(double(v));
            members.insert(it.key(), values);
        }
        object.insert(u"vectors"_s, members);
        const QByteArray pretty = QJsonDocument(object).toJson(QJsonDocument::Indented);
        for (const QByteArray& text : {compact, pretty}) {
            QBuffer buffer;
            buffer.setData(text);
            QVERIFY(buffer.open(QIODevice::ReadOnly));
            QHash<QString, QList<float>> streamed;
            const VectorStreamResult r
                = streamVectorsFile(buffer, [&](QByteArrayView id, const float* values, qsizetype count) {
                      streamed.insert(QString::fromUtf8(id), QList<float>(values, values + count));
                      return true;
                  });
            QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
            QCOMPARE(r.dimensions, 384);
            QCOMPARE(r.vectors, qint64(vectors.size()));
            QString why;
            const auto full = parseVectorsFile(text, &why);
            QVERIFY2(full, qPrintable(why));
            QCOMPARE(streamed.size(), full->vectors.size());
            for (auto it = full->vectors.begin(); it != full->vectors.end(); ++it)
                QCOMPARE(streamed.value(it.key()), *it);
        }
        // damage is named with its offset, and nothing after it is handed over
        for (const QByteArray& bad :
             {compact.left(compact.size() / 2), QByteArray(R"({"dimensions":3,"x":1})"),
              QByteArray(R"({"dimensions":3,"vectors":{"a":[1,,2]}})"),
              QByteArray(R"({"dimensions":3,"vectors":{"a":[1,2]}} trailing)"),
              // not JSON numbers (from_chars takes them): a NaN cosine breaks the ranking
              QByteArray(R"({"dimensions":2,"vectors":{"a":[nan,1]}})"),
              QByteArray(R"({"dimensions":2,"vectors":{"a":[1,-inf]}})"),
              QByteArray(R"({"dimensions":2,"vectors":{"a":[1,1e99]}})"),
              // an unterminated vector: the window stops growing at 64 MiB
              QByteArray(QByteArray(R"({"dimensions":2,"vectors":{"a":[)") + QByteArray(70 << 20, ' '))}) {
            QBuffer buffer;
            buffer.setData(bad);
            QVERIFY(buffer.open(QIODevice::ReadOnly));
            const VectorStreamResult r
                = streamVectorsFile(buffer, [](QByteArrayView, const float*, qsizetype) { return true; });
            QVERIFY2(r.error.startsWith(u"at byte "_s), qPrintable(r.error));
        }
    }
};

QTEST_GUILESS_MAIN(TestEmbeddings)
#include "tst_embeddings.moc"
