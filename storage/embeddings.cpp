// SPDX-License-Identifier: MIT
// One memory's embedding and the memories nearest to it, for every store kind that keeps embeddings.
#include "embeddings.h"

#include "embeddingsinternal.h"
#include "postgresmodule.h"
#include "vectorids.h"
#include "vectorsfile.h"
#include "vectorstream.h"

#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace EmbeddingsDetail;

namespace EmbeddingsDetail {

SqliteVectorFiles sqliteVectorFiles(const SqliteBackend& store)
{
    SqliteVectorFiles files;
    const QString idx = SqliteBackend::fileBesideIndex(store.location(), u"vectors.idx"_s);
    const QString meta = SqliteBackend::fileBesideIndex(store.location(), u"vectors.meta.json"_s);
    if (!idx.isEmpty() && QFileInfo::exists(idx))
        files.idx = idx;
    if (!meta.isEmpty() && QFileInfo::exists(meta))
        files.meta = meta;
    return files;
}

bool isLiveStatus(QByteArrayView status, bool tombstonedAtSet)
{
    return !tombstonedAtSet && QByteArrayView("tombstoned").compare(status, Qt::CaseInsensitive) != 0;
}

bool parseVectorInto(const char* p, const char* end, std::vector<float>& out)
{
    out.clear();
    while (p < end && *p == ' ')
        ++p;
    if (p == end || *p != '[')
        return false;
    ++p;
    while (end > p && end[-1] == ' ')
        --end;
    if (end == p || end[-1] != ']')
        return false;
    --end;
    while (p < end) {
        float value = 0;
        const char* ptr = parseF32(p, end, &value);
        if (!ptr)
            return false;
        out.push_back(value);
        p = ptr;
        if (p < end && *p++ != ',')
            return false;
    }
    return true;
}

} // namespace EmbeddingsDetail

namespace {

/// Every kept vector, handed over with its id's UTF-8 bytes (both valid during the call only).
using VectorSink = std::function<void(QByteArrayView id, const float* values, qsizetype count)>;

QString vectorsIdxError(const QString& path, const QString& error)
{
    return path + u": not subcog's vectors.idx JSON "_s + error;
}

/// Streams every vector the store keeps the values of; false when it keeps none the inspector can read.
bool scanVectors(PersistenceBackend& outer, const VectorSink& sink, const EmbeddingProgress& progress)
{
    PersistenceBackend& store = innermost(outer);
    if (auto* sqlite = dynamic_cast<SqliteBackend*>(&store)) {
        const QString path = sqliteVectorFiles(*sqlite).idx;
        if (path.isEmpty())
            return false;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            throw StorageError(StorageError::Kind::OperationFailed, path + u": cannot read: "_s + file.errorString());
        const qint64 size = file.size();
        const VectorStreamResult result = streamVectorsFile(
            file,
            [&](QByteArrayView id, const float* values, qsizetype count) {
                sink(id, values, count);
                return true;
            },
            nullptr, [&](qint64 read) { return !progress || progress(read, size); });
        if (result.cancelled)
            throwCancelled();
        if (!result.error.isEmpty())
            throw StorageError(StorageError::Kind::InvalidInput, vectorsIdxError(path, result.error));
        return true;
    }
    if (isPostgresStore(store))
        return postgresModule().scanVectors(store, sink, progress);
    if (store.embeddingStorage() == EmbeddingStorage::InRecords) {
        const qint64 total = store.count();
        qint64 done = 0;
        MemoryQuery all;
        all.withContent = true; // a folder's index keeps no embeddings: the records read whole carry them
        QByteArray id;
        store.scan(all, [&](QList<Memory>& memories, QList<RecordIssue>&) {
            for (const Memory& m : std::as_const(memories)) {
                if (m.embedding && !m.embedding->isEmpty()) {
                    id = m.id.toUtf8();
                    sink(id, m.embedding->constData(), m.embedding->size());
                }
            }
            done += memories.size();
            if (progress && !progress(done, total))
                throwCancelled();
            return true;
        });
        return true;
    }
    return false;
}

} // namespace

std::optional<QString> embeddingStore(PersistenceBackend& outer, QString* reason)
{
    PersistenceBackend& store = innermost(outer);
    if (auto* sqlite = dynamic_cast<SqliteBackend*>(&store)) {
        const SqliteVectorFiles files = sqliteVectorFiles(*sqlite);
        QStringList where;
        if (!files.idx.isEmpty())
            where << u"vectors.idx"_s;
        if (!files.meta.isEmpty())
            where << u"usearch's vectors.usearch"_s;
        if (!where.isEmpty())
            return where.join(u" and "_s);
        if (reason)
            *reason = SqliteBackend::fileBesideIndex(sqlite->location(), u"vectors.idx"_s).isEmpty()
                ? store.embeddingsUnavailable()
                : u"its data folder has no vectors.idx and no vectors.meta.json (subcog writes them once it "
                  "embeds a memory)"_s;
        return std::nullopt;
    }
    switch (store.embeddingStorage()) {
    case EmbeddingStorage::Apart:
        return isPostgresStore(store) ? u"memory_vectors"_s : u"its vector store"_s;
    case EmbeddingStorage::InRecords:
        return store.kind() == "filesystem"_L1 ? u"the memory files' embedding field"_s : u"the records"_s;
    case EmbeddingStorage::None:
        break;
    }
    if (reason)
        *reason = store.embeddingsUnavailable();
    return std::nullopt;
}

EmbeddingInfo embeddingInfo(PersistenceBackend& outer, const QString& id, const EmbeddingProgress& progress)
{
    PersistenceBackend& store = innermost(outer);
    EmbeddingInfo info;
    const std::optional<QString> where = embeddingStore(store, &info.reason);
    if (!where)
        return info;
    info.where = *where;
    info.state = EmbeddingInfo::State::Missing;
    if (auto* sqlite = dynamic_cast<SqliteBackend*>(&store)) {
        const SqliteVectorFiles files = sqliteVectorFiles(*sqlite);
        const QByteArray wanted = id.toUtf8();
        if (!files.idx.isEmpty()) {
            info.where = u"vectors.idx"_s;
            QFile file(files.idx);
            if (!file.open(QIODevice::ReadOnly))
                throw StorageError(StorageError::Kind::OperationFailed,
                                   files.idx + u": cannot read: "_s + file.errorString());
            const qint64 size = file.size();
            bool found = false;
            const VectorStreamResult result = streamVectorsFile(
                file,
                [&](QByteArrayView, const float* values, qsizetype count) {
                    info.values = QList<float>(values, values + count);
                    found = true;
                    return false; // the first one is subcog's: serde_json keeps the last of duplicate keys, but
                                  // subcog never writes any
                },
                [&](QByteArrayView key) { return key == wanted; },
                [&](qint64 read) { return !progress || progress(read, size); });
            info.storeDimensions = result.dimensions;
            if (found) {
                info.state = EmbeddingInfo::State::Present;
                return info;
            }
            if (result.cancelled)
                throwCancelled();
            if (!result.error.isEmpty())
                throw StorageError(StorageError::Kind::InvalidInput, vectorsIdxError(files.idx, result.error));
        }
        if (!files.meta.isEmpty()) {
            bool listed = false;
            const VectorIdScan scan = scanVectorIds(files.meta, vectorIdFiles().at(1), [&](const QString& key) {
                listed = key == id;
                return !listed;
            });
            if (listed) {
                info.state = EmbeddingInfo::State::Opaque;
                info.where = u"usearch's vectors.usearch"_s;
            } else if (!scan.problem.isEmpty()) {
                throw StorageError(StorageError::Kind::InvalidInput, files.meta + u": "_s + scan.problem);
            }
        }
        return info;
    }
    if (store.embeddingStorage() == EmbeddingStorage::InRecords) {
        const std::optional<Memory> m = store.get(id);
        if (m && m->embedding && !m->embedding->isEmpty()) {
            info.state = EmbeddingInfo::State::Present;
            info.values = *m->embedding;
        }
        return info;
    }
    const QHash<QString, QList<float>> found = store.readEmbeddings({id});
    if (const auto it = found.constFind(id); it != found.constEnd()) {
        info.state = EmbeddingInfo::State::Present;
        info.values = *it;
    }
    return info;
}

double cosineSimilarity(const float* a, const float* b, qsizetype n)
{
    double dot = 0;
    double aa = 0;
    double bb = 0;
    for (qsizetype i = 0; i < n; ++i) {
        dot += double(a[i]) * double(b[i]);
        aa += double(a[i]) * double(a[i]);
        bb += double(b[i]) * double(b[i]);
    }
    return aa > 0 && bb > 0 ? dot / (std::sqrt(aa) * std::sqrt(bb)) : 0.0;
}

QString firstLineOf(const QString& text, qsizetype limit)
{
    for (QStringView line : QStringView(text).split(u'\n')) {
        const QStringView trimmed = line.trimmed();
        if (!trimmed.isEmpty())
            return trimmed.size() > limit ? trimmed.left(limit).toString() + u'…' : trimmed.toString();
    }
    return {};
}

SimilarMemories similarMemories(PersistenceBackend& store, const QString& id, int count,
                                const EmbeddingProgress& progress)
{
    const EmbeddingInfo self = embeddingInfo(store, id, progress);
    switch (self.state) {
    case EmbeddingInfo::State::NotKept:
        throw StorageError(StorageError::Kind::InvalidInput, u"the store keeps no embeddings: "_s + self.reason);
    case EmbeddingInfo::State::Missing:
        throw StorageError(StorageError::Kind::InvalidInput,
                           u"memory "_s + id + u" has no embedding in "_s + self.where);
    case EmbeddingInfo::State::Opaque:
        throw StorageError(StorageError::Kind::InvalidInput,
                           u"the embedding of "_s + id
                               + u" is in usearch's binary vectors.usearch, which the "
                                 "inspector cannot read"_s);
    case EmbeddingInfo::State::Present:
        break;
    }
    const std::vector<float> query(self.values.begin(), self.values.end());
    double queryNorm = 0;
    for (float v : query)
        queryNorm += double(v) * double(v);
    queryNorm = std::sqrt(queryNorm);
    if (queryNorm == 0 || query.empty())
        throw StorageError(StorageError::Kind::InvalidInput,
                           u"the embedding of "_s + id + u" is all zeros: no direction to compare"_s);

    struct Candidate
    {
        double similarity;
        QByteArray id;
    };
    // the better of two: more similar, ties by id (so the order is the same on every run and store kind)
    const auto better = [](const Candidate& a, const Candidate& b) {
        return a.similarity > b.similarity || (a.similarity == b.similarity && a.id < b.id);
    };
    QSet<QByteArray> excluded {id.toUtf8()}; // the memory itself, and what a pass found tombstoned or orphaned
    const qsizetype n = qsizetype(query.size());
    SimilarMemories answer;
    answer.where = self.where;
    qsizetype slack = 32; // near vectors that may turn out tombstoned or orphaned, before a pass is repeated
    for (;;) {
        const size_t keep = size_t(count) + size_t(slack);
        std::vector<Candidate> heap; // the best `keep` so far, the worst at the front
        heap.reserve(keep + 1);
        qint64 compared = 0;
        qint64 otherDimensions = 0;
        const VectorSink sink = [&](QByteArrayView vid, const float* values, qsizetype size) {
            if (size != n) {
                ++otherDimensions;
                return;
            }
            ++compared;
            // four partial sums: the additions of one do not wait for the one before (no -ffast-math here)
            double dot[4] = {0, 0, 0, 0};
            double squares[4] = {0, 0, 0, 0};
            qsizetype i = 0;
            for (; i + 4 <= n; i += 4) {
                for (int k = 0; k < 4; ++k) {
                    const double v = values[i + k];
                    dot[k] += double(query[size_t(i + k)]) * v;
                    squares[k] += v * v;
                }
            }
            for (; i < n; ++i) {
                dot[0] += double(query[size_t(i)]) * double(values[i]);
                squares[0] += double(values[i]) * double(values[i]);
            }
            const double product = (dot[0] + dot[1]) + (dot[2] + dot[3]);
            const double norm = (squares[0] + squares[1]) + (squares[2] + squares[3]);
            const double similarity = norm > 0 ? product / (queryNorm * std::sqrt(norm)) : 0.0;
            if (heap.size() == keep) {
                const Candidate& worst = heap.front();
                if (similarity < worst.similarity
                    || (similarity == worst.similarity && vid >= QByteArrayView(worst.id)))
                    return; // the common case: nothing allocated
            }
            const QByteArray key = vid.toByteArray();
            if (excluded.contains(key))
                return;
            heap.push_back(Candidate {similarity, key});
            std::push_heap(heap.begin(), heap.end(), better);
            if (heap.size() > keep) {
                std::pop_heap(heap.begin(), heap.end(), better);
                heap.pop_back();
            }
        };
        if (!scanVectors(store, sink, progress))
            throw StorageError(StorageError::Kind::InvalidInput, u"the store keeps no embeddings it can read"_s);
        std::sort(heap.begin(), heap.end(), better);
        QStringList ids;
        for (const Candidate& c : heap)
            ids << QString::fromUtf8(c.id);
        QHash<QString, Memory> memories;
        for (Memory& m : store.getBatch(ids))
            memories.insert(m.id, std::move(m));
        QList<SimilarMemory> nearest;
        qsizetype dropped = 0;
        for (const Candidate& c : heap) {
            const QString cid = QString::fromUtf8(c.id);
            const auto it = memories.constFind(cid);
            if (it == memories.constEnd() || it->isTombstoned()) {
                excluded.insert(c.id);
                ++dropped;
                continue;
            }
            if (nearest.size() < count)
                nearest.append(SimilarMemory {cid, c.similarity, it->namespaceName, firstLineOf(it->content)});
        }
        answer.skipped += dropped;
        // the heap was not full: every vector was seen; or enough survived
        if (nearest.size() >= count || heap.size() < keep) {
            answer.nearest = nearest;
            answer.compared = compared;
            answer.otherDimensions = otherDimensions;
            return answer;
        }
        slack *= 4; // many of the nearest are tombstoned or orphans: look further, without them
    }
}

} // namespace Inspector
