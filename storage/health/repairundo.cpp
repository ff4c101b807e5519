// SPDX-License-Identifier: MIT
#include "repairundo.h"

#include "repairundointernal.h"

#include "postgresmodule.h"
#include "sqlite/sqlitebackend.h"
#include "sqliteraw.h"
#include "storageerror.h"
#include "vectorsfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector {

qint64 RepairImages::bytes() const
{
    qint64 total = 0;
    for (const RepairImage& image : images)
        total += image.key.size() + (image.before ? image.before->size() : 0) + (image.after ? image.after->size() : 0);
    return total;
}

QStringList RepairImages::memories() const
{
    QStringList ids;
    QSet<QString> seen;
    for (const RepairImage& image : images) {
        if (!seen.contains(image.memoryId)) {
            seen.insert(image.memoryId);
            ids << image.memoryId;
        }
    }
    return ids;
}

namespace RepairUndo {

QList<QList<const RepairImage*>> byMemory(const RepairImages& images)
{
    QList<QList<const RepairImage*>> groups;
    QHash<QString, qsizetype> at;
    for (const RepairImage& image : images.images) {
        auto it = at.constFind(image.memoryId);
        if (it == at.constEnd()) {
            it = at.insert(image.memoryId, groups.size());
            groups.append(QList<const RepairImage*>());
        }
        groups[*it] << &image;
    }
    return groups;
}

// ---- SQLite: rows with their storage classes, keyed by rowid

namespace Folder {

/// A directory entry as it is: `f`, its mode in four octal digits and the bytes of a file; `l` and the target of a
/// link (never followed: a link moved out of a folder store is put back as the link it was); nullopt when there is
/// none.
std::optional<QByteArray> read(const QString& path)
{
    const QByteArray name = QFile::encodeName(path);
    struct stat st
    {
    };
    if (::lstat(name.constData(), &st) != 0)
        return std::nullopt;
    if (S_ISLNK(st.st_mode)) {
        QByteArray target(qsizetype(st.st_size) + 1, Qt::Uninitialized);
        const ssize_t n = ::readlink(name.constData(), target.data(), size_t(target.size()));
        if (n < 0)
            throw StorageError(StorageError::Kind::Storage, path + u": cannot read the link"_s);
        return 'l' + target.left(n);
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw StorageError(StorageError::Kind::Storage, path + u": cannot read it: "_s + file.errorString());
    return 'f' + QByteArray::number(st.st_mode & 07777, 8).rightJustified(4, '0') + file.readAll();
}

/// The size read() would take for it, without reading it.
qint64 sizeOf(const QString& path)
{
    struct stat st
    {
    };
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0 ? qint64(st.st_size) : 0;
}

void write(const QString& path, const QByteArray& state)
{
    if (state.startsWith('l')) {
        const QByteArray name = QFile::encodeName(path);
        ::unlink(name.constData());
        if (::symlink(state.constData() + 1, name.constData()) != 0)
            throw StorageError(StorageError::Kind::Storage, path + u": cannot put the link back"_s);
        return;
    }
    writeFileAtomically(path, state.mid(5));
    // a file put back where none is now: its own mode again (a replaced one kept it already)
    ::chmod(QFile::encodeName(path).constData(), mode_t(state.mid(1, 4).toUInt(nullptr, 8)));
}

RepairRestoreOutcome restore(const RepairImages& images, bool undo)
{
    RepairRestoreOutcome outcome;
    for (const RepairImage& image : images.images) {
        const QString path = QDir(images.location).filePath(QString::fromUtf8(image.key));
        // just before each replacement: a file another writer changed since is left as it is
        if (read(path) != (undo ? image.after : image.before)) {
            outcome.skipped << image.memoryId;
            continue;
        }
        const std::optional<QByteArray>& target = undo ? image.before : image.after;
        try {
            if (!target) {
                if (!QFile::remove(path))
                    throw StorageError(StorageError::Kind::Storage, path + u": cannot remove it"_s);
            } else {
                write(path, *target);
            }
        } catch (const StorageError& e) {
            // files are put back one by one: the ones before stay put back, and this one is named
            outcome.failed << image.memoryId + u": "_s + e.message();
            continue;
        }
        outcome.restored << image.memoryId;
    }
    return outcome;
}

} // namespace Folder

} // namespace RepairUndo

using namespace RepairUndo;

RepairImages folderRepairImages(const QString& folder, const QString& backupFolder, const QSet<QString>& changed,
                                qint64 maxBytes)
{
    qint64 total = 0;
    RepairImages result;
    result.kind = RepairImages::Kind::Folder;
    result.location = folder;
    const QFileInfoList entries
        = QDir(backupFolder)
              .entryInfoList(QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo& entry : entries) {
        // the clear-text copy beside the files is the inspector's, not the store's
        if (entry.fileName() == "memories.jsonl"_L1)
            continue;
        RepairImage image;
        image.key = entry.fileName().toUtf8();
        image.memoryId = entry.fileName().endsWith(".json"_L1) ? entry.fileName().chopped(5) : entry.fileName();
        if (!changed.contains(image.memoryId) && !changed.contains(entry.fileName()))
            continue; // backed up, then skipped: changed by another writer since the check
        // whole files are kept: not past the size an undo step may take
        total += Folder::sizeOf(entry.filePath()) + Folder::sizeOf(QDir(folder).filePath(entry.fileName()));
        if (total > maxBytes) {
            result.incomplete = u"the changed files are too large to keep for undo"_s;
            result.images.clear();
            return result;
        }
        image.before = Folder::read(entry.filePath());
        image.after = Folder::read(QDir(folder).filePath(entry.fileName()));
        if (image.before != image.after)
            result.images << image;
    }
    return result;
}
RepairRestoreOutcome restoreRepairImages(const RepairImages& images, bool undo)
{
    switch (images.kind) {
    case RepairImages::Kind::Sqlite:
        return RepairUndo::restoreSqlite(images, undo);
    case RepairImages::Kind::Postgres:
        return postgresModule().restore(images, undo);
    case RepairImages::Kind::Folder:
        return RepairUndo::Folder::restore(images, undo);
    }
    return {};
}

} // namespace Inspector
