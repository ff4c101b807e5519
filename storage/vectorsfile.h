// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

class QIODevice;

namespace Inspector {

/// subcog's `vectors.idx` (spec §7, §14.2): `{"dimensions":384,"vectors":{"<memory id>":[f32,…]}}`.
struct VectorsFile
{
    /// subcog's default (all-MiniLM-L6-v2); subcog refuses to load a file with other dimensions than it uses
    static constexpr int kDefaultDimensions = 384;
    int dimensions = kDefaultDimensions;
    QHash<QString, QList<float>> vectors;
};

/// Parses a vectors.idx text; nullopt and the reason when it is not one. Floats are read as f32 directly.
std::optional<VectorsFile> parseVectorsFile(QByteArrayView text, QString* reason);

/// What subcog's serde_json::to_string writes (compact, f32 in ryu's shortest form); ids in sorted order,
/// where subcog's HashMap has none.
QByteArray serializeVectorsFile(const VectorsFile& file);

/// Why subcog could not keep this vector in a file of `dimensions`, or an empty string when it can.
QString vectorProblem(const QList<float>& vector, int dimensions);

/// Parses a vector's text `[f,f,…]`: pgvector's `embedding::text`, or a JSON array of numbers.
std::optional<QList<float>> parseVectorText(QByteArrayView text);

/// The same text form, as subcog's pgvector writer and pgvector's parser use it (`[0.1,-2.5e-7]`).
QByteArray vectorText(const QList<float>& vector);

/// The ids of usearch's `vectors.meta.json` (`id_to_key`); nullopt when it cannot be read.
std::optional<QSet<QString>> readUsearchMetaIds(const QString& path);

/// A member of the object scanJsonObjectMembers() looks into: its key, and where its text lies in the file.
struct JsonMemberSpan
{
    QString key;
    qint64 start = 0; ///< offset of the key's opening quote
    qint64 end = 0; ///< offset just after the value
};

/// What scanJsonObjectMembers() found besides the members it handed over.
struct JsonMemberScan
{
    QString error; ///< why the text is not such an object, with the byte offset; empty when it is
    QStringList topLevelKeys; ///< the outer object's keys, in file order
    qint64 innerEnd = -1; ///< offset of the inner object's closing brace; -1 when there is none
    bool cancelled = false; ///< `found` returned false
};

/**
 * Reads the JSON object in `device` in pieces of 1 MiB and hands each member of its member `name` (an object:
 * `vectors` in vectors.idx, `id_to_key` in usearch's vectors.meta.json) to `found`, skipping the values without
 * keeping them: memory stays bounded whatever the file's size (a vectors.idx of a million memories is about 4 GB).
 * Values are checked for their structure (brackets, strings, literals, number characters), not converted.
 * `found` returning false stops the scan.
 */
JsonMemberScan scanJsonObjectMembers(QIODevice& device, QLatin1StringView name,
                                     const std::function<bool(const JsonMemberSpan&)>& found);

/// Replaces `path` whole: a temporary file beside it, fsync, rename, fsync of the folder. Throws StorageError.
void writeFileAtomically(const QString& path, const QByteArray& bytes);

/// Appends bytes to the file being written; throws StorageError when they cannot be written.
using ByteSink = std::function<void(QByteArrayView)>;

/// writeFileAtomically() for a file made in pieces, so a file larger than memory can be rewritten: `produce` hands
/// every byte to the sink. An exception from it removes the temporary file and leaves `path` as it was.
void writeFileAtomically(const QString& path, const std::function<void(const ByteSink&)>& produce);

} // namespace Inspector
