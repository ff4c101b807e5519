// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <optional>

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

/// Replaces `path` whole: a temporary file beside it, fsync, rename, fsync of the folder. Throws StorageError.
void writeFileAtomically(const QString& path, const QByteArray& bytes);

} // namespace Inspector
