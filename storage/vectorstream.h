// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>
#include <QString>

#include <functional>

class QIODevice;

namespace Inspector {

/// What streamVectorsFile() hands over for each member of vectors.idx's "vectors": the id's UTF-8 bytes and its
/// values, both valid only during the call (no allocation per vector). Returning false stops the scan.
using VectorVisitor = std::function<bool(QByteArrayView id, const float* values, qsizetype count)>;
/// Decides whether a member's values are parsed at all (false: they are skipped as fast as the bytes can be
/// searched); nullptr parses every member.
using VectorWanted = std::function<bool(QByteArrayView id)>;
/// Told how many bytes are read so far now and then; returning false stops the scan (cancelled).
using BytesProgress = std::function<bool(qint64 bytesRead)>;

/// The end of streamVectorsFile().
struct VectorStreamResult
{
    int dimensions = 0; ///< the file's "dimensions" (0 when absent)
    qint64 vectors = 0; ///< members seen, parsed or skipped
    bool cancelled = false; ///< the visitor or the progress callback stopped it
    QString error; ///< why the file is not subcog's vectors.idx, with the byte offset; empty when it is
};

/**
 * Reads subcog's vectors.idx (`{"dimensions":384,"vectors":{"<id>":[f32,…],…}}`, spec §14.2) from `device` in
 * pieces of a few MiB and hands each vector to `visit`, its floats parsed straight to f32 into one reused buffer.
 * Memory stays bounded whatever the file's size (a million 384-float vectors are about 3.5 GB of text). Other
 * top-level members than "dimensions" and "vectors" are an error (subcog writes none).
 */
VectorStreamResult streamVectorsFile(QIODevice& device, const VectorVisitor& visit,
                                     const VectorWanted& wanted = nullptr, const BytesProgress& progress = nullptr);

/**
 * Parses one JSON number at `p` (not past `end`) into the nearest f32, exactly as std::from_chars does, and returns
 * the end of its text (nullptr when there is no number). The common shape of an embedding's values (digits that
 * make at most 2^53, read eight at a time, and a power of ten within ±22) takes Clinger's fast path: one correctly
 * rounded double operation, whose result rounds to the same f32 unless it lies exactly halfway between two f32 (then
 * from_chars decides). Here about 15 % less CPU than GCC 12's from_chars (26 against 30 ns a value of an
 * embedding); parsing is still three quarters of a similarity scan.
 */
const char* parseF32(const char* p, const char* end, float* out);

} // namespace Inspector
