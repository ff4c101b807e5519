// SPDX-License-Identifier: MIT
// What the inspector shows of a store's embeddings (spec §5.1, §6.2, §7, §14.2): one memory's vector, the store's
// coverage, and the memories nearest to one by cosine similarity over the vectors the store holds.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Inspector {

class PersistenceBackend;

/// Told how far a long read is (`total` -1 when unknown); returning false stops it (a Kind::Cancelled error).
using EmbeddingProgress = std::function<bool(qint64 done, qint64 total)>;

/// One memory's embedding, as the store keeps it.
struct EmbeddingInfo
{
    enum class State
    {
        NotKept, ///< the store keeps no embeddings: `reason` says why
        Missing, ///< the store keeps them, this memory has none
        Present, ///< `values` holds it
        Opaque, ///< usearch's vectors.meta.json lists it; the values are in the binary vectors.usearch
    };
    State state = State::NotKept;
    QList<float> values;
    QString where; ///< `vectors.idx`, `memory_vectors`, `its file`, `usearch's vectors.usearch`
    QString reason; ///< why NotKept
    int storeDimensions = 0; ///< the vector store's declared dimensions, 0 when it does not say
};

/// How many memories have an embedding, for a store that keeps them.
struct EmbeddingCoverage
{
    QString where; ///< the vector store(s), as in EmbeddingInfo::where
    qint64 memories = 0; ///< memories in the store, tombstoned ones included
    qint64 withEmbedding = 0; ///< memories (any state) with an embedding
    qint64 liveWithout = 0; ///< live memories (tombstoned in neither sense) without one
    /// vectors whose memory does not exist; nullopt where a vector cannot outlive its memory (folder files)
    std::optional<qint64> orphans;
    QString problem; ///< a vector file that cannot be read (the figures then cover what was read)
};

/// A memory near another, with what the list shows of it.
struct SimilarMemory
{
    QString id;
    double similarity = 0; ///< cosine similarity, -1 to 1
    QString namespaceName;
    QString firstLine; ///< the content's first non-empty line
};

/// The answer of similarMemories().
struct SimilarMemories
{
    QList<SimilarMemory> nearest; ///< most similar first; ties in id order
    qint64 compared = 0; ///< vectors of the memory's dimensions that were compared (itself included)
    qint64 otherDimensions = 0; ///< vectors left out because their length differs
    qint64 skipped = 0; ///< near vectors left out: tombstoned memories, or vectors without a memory
    QString where;
};

/// Whether and where the store keeps embeddings the inspector can read or list; nullopt and the reason when not.
std::optional<QString> embeddingStore(PersistenceBackend& store, QString* reason = nullptr);

/// Memory `id`'s embedding. A vectors.idx is searched in a stream (seconds for gigabytes, never loaded whole).
EmbeddingInfo embeddingInfo(PersistenceBackend& store, const QString& id, const EmbeddingProgress& progress = {});

/// The store's coverage; nullopt (and the reason) when it keeps no embeddings. Streams: a vectors.idx of gigabytes
/// is read in pieces, its ids matched against a table of the memory ids' hashes (16 bytes a memory). The same
/// scan of vectors.idx and vectors.meta.json as the store check's orphan-vector / missing-vector (spec §15).
std::optional<EmbeddingCoverage> embeddingCoverage(PersistenceBackend& store, const EmbeddingProgress& progress = {},
                                                   QString* reason = nullptr);

/**
 * The `count` memories nearest to memory `id` by cosine similarity over every vector the store holds (a plain
 * scan: vectors.idx streamed, memory_vectors in keyset batches, the folder's files), not by any model. The memory
 * itself, tombstoned memories and vectors without a memory are left out. Throws StorageError (InvalidInput when
 * `id` has no readable embedding; Cancelled when `progress` returns false).
 */
SimilarMemories similarMemories(PersistenceBackend& store, const QString& id, int count = 10,
                                const EmbeddingProgress& progress = {});

/// Cosine similarity of two vectors of `n` values (0 when either is all zeros).
double cosineSimilarity(const float* a, const float* b, qsizetype n);

/// The first non-empty line of a text, at most `limit` characters.
QString firstLineOf(const QString& text, qsizetype limit = 200);

} // namespace Inspector
