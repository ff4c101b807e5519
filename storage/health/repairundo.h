// SPDX-License-Identifier: MIT
// The way back from a repair: what each row or file held before it and after it, and putting either side back.
#pragma once

#include <QByteArray>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace Inspector {

/// One row (or folder file) a repair changed, as it was before the repair and after it (nullopt: absent).
struct RepairImage
{
    QString table; ///< the SQLite or PostgreSQL table; empty for a folder file
    /// SQLite: `r<rowid>`, or `v` and the row itself for a table without rowids; PostgreSQL: the primary key as a
    /// JSON array; folder: the file name
    QByteArray key;
    QString memoryId; ///< whose row it is: the images of one memory are put back together or not at all
    std::optional<QByteArray> before;
    std::optional<QByteArray> after;
};

/// What a finished repair changed, to undo it (put `before` back) and redo it (put `after` back).
struct RepairImages
{
    enum class Kind
    {
        Sqlite,
        Postgres,
        Folder
    };
    Kind kind = Kind::Sqlite;
    QString location; ///< the SQLite file, the PostgreSQL URL or the folder
    QList<RepairImage> images;
    QString incomplete; ///< why part of what the repair changed is not here (then it cannot be undone whole)
    QStringList ids; ///< SQLite: the memories asked for, in the order their rows were read (whose rows are whose)

    /// The bytes the images hold (what keeping them on an undo stack costs).
    qint64 bytes() const;
    /// The memories they belong to, in order.
    QStringList memories() const;
};

struct RepairRestoreOutcome
{
    QStringList restored; ///< memories put back
    QStringList skipped; ///< memories left as they are: another writer changed them since
    QStringList failed; ///< memories whose writes failed (left as they were), with the reason
};

/**
 * The rows of `ids` a SQLite repair changed, from each of its backups (`backupPaths`: the report's backupPath and
 * sideBackupPaths) and the store now: `memories`, `memories_fts` and `memory_edges` rows (edges from or to them) of
 * index.db; graph.db's mentions of them and the entities those name; vectors.idx whole, when neither copy is over
 * `maxFileBytes` (else `incomplete` says so). Every row of those memories is kept, changed or not: on undo, a memory
 * is put back only while all of them are as the repair left them. Rows of tables a repair of `classes` does not
 * write (empty: any) are kept as they are now on both sides, so an edge another writer added meanwhile stays.
 * Throws StorageError.
 */
RepairImages sqliteRepairImages(const QString& path, const QStringList& backupPaths, const QStringList& ids,
                                const QStringList& classes = {}, qint64 maxFileBytes = 256LL * 1024 * 1024);

/// The rows a PostgreSQL repair changed for the memories `changed` (its report's changes): as its `.rows.jsonl`
/// backup holds them, and as the store holds them now. Rows it backed up but skipped are left out.
RepairImages postgresRepairImages(const QString& url, const QString& rowsBackupPath, const QSet<QString>& changed);

/// The files a folder repair changed or moved for `changed` (memory ids, or file names of moved files): as its
/// backup folder holds them, and as the folder holds them now.
RepairImages folderRepairImages(const QString& folder, const QString& backupFolder, const QSet<QString>& changed,
                                qint64 maxBytes = 256LL * 1024 * 1024);

/**
 * Puts each image's `before` (undo) or `after` (redo) back where the store still holds the other side. A memory
 * one of whose images no longer matches was changed by another writer since: it is skipped whole and listed.
 * SQLite and PostgreSQL write in one transaction (all or nothing); a folder replaces each file atomically.
 * Throws StorageError when the store cannot be read or written.
 */
RepairRestoreOutcome restoreRepairImages(const RepairImages& images, bool undo);

} // namespace Inspector
