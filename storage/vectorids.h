// SPDX-License-Identifier: MIT
#pragma once

#include <QLatin1StringView>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace Inspector {

/// A file beside a SQLite store's index.db that lists which memories have an embedding (spec §14.2).
struct VectorIdFile
{
    QString name; ///< `vectors.idx`, `vectors.meta.json`
    QLatin1StringView member; ///< the object whose keys are the memory ids
    QStringList required; ///< top-level keys subcog's loader needs
    bool usearch = false; ///< the values are in usearch's binary vectors.usearch, not here
};

/// vectors.idx, then usearch's vectors.meta.json.
const QList<VectorIdFile>& vectorIdFiles();

/// The end of scanVectorIds().
struct VectorIdScan
{
    bool exists = false; ///< the file is there
    bool cancelled = false; ///< `found` returned false
    QString problem; ///< why it cannot be read (as far as it was read, its ids were handed over); empty when read
};

/// Hands every id the file at `path` lists to `found`, reading it in pieces (a vectors.idx can be gigabytes): the
/// scan the store check's orphan-vector / missing-vector and the store's embedding coverage share.
VectorIdScan scanVectorIds(const QString& path, const VectorIdFile& file,
                           const std::function<bool(const QString& id)>& found);

} // namespace Inspector
