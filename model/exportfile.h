// SPDX-License-Identifier: MIT
#pragma once

#include "storeopener.h"

#include <QFile>
#include <QSaveFile>

#include <memory>
#include <optional>

namespace Inspector {

/// Throws StorageError when `path` would write over the store: its SQLite file or that file's -wal, -shm or
/// -journal, or anything inside a folder store, also when `path` reaches there through symbolic or hard links.
/// Looks at names and inodes only, so it can run before the store is opened.
void refuseExportOntoStore(const QString& path, const StoreSpec& store);
/// The same for an open store (the window's export, and the command line's again once its store is open).
void refuseExportOntoStore(const QString& path, const PersistenceBackend& store);

/// Whether `other` names the store `open` reads: for files and folders the same canonical path or the same inode
/// (symbolic links, hard links, /proc paths), for PostgreSQL the same normalised target (postgresTarget: scheme,
/// loopback host, default port and parameters do not matter).
bool sameStore(const PersistenceBackend& open, const StoreSpec& other);
bool sameStore(const PersistenceBackend& a, const PersistenceBackend& b);
/// Whether two open PostgreSQL stores are connected to one database, by the server's identity (one query on each
/// store's connection): catches spellings no normalisation sees (a socket directory and a TCP address, an alias).
bool sameDatabase(PersistenceBackend& a, PersistenceBackend& b);

/// The reason the last read or write of `file` failed, lower-case to follow "cannot write: " ("no space left on
/// device").
QString fileErrorReason(const QFileDevice& file);

/**
 * The file an export is written to, shared by the command line and the window. A regular file (or a new name) is
 * written to a temporary file that replaces it only on commit(), keeping the replaced file's mode and, where the
 * user may, its owner. A FIFO or a character device is written in place as `cat > path` would, never renamed
 * over; so is a path naming an open descriptor (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N), whatever
 * it leads to, through that descriptor. Anything else (a folder, a socket, a block device) is refused.
 */
class ExportFile
{
public:
    explicit ExportFile(QString path);
    ~ExportFile();
    ExportFile(const ExportFile&) = delete;
    ExportFile& operator=(const ExportFile&) = delete;

    /// Throws StorageError naming the path and why it cannot be written. A FIFO blocks here until it has a reader.
    void open();
    /// The device to write to, after open().
    QFileDevice& device();
    /// Whether the target is replaced on commit (a regular file), rather than written in place.
    bool replaces() const { return m_save != nullptr; }
    /// Makes the export visible; throws StorageError with the reason when that fails.
    void commit();
    /// Leaves a replaced file as it was.
    void cancel();
    /// Why the last write failed, read before cancel() resets the device's error.
    QString failureReason() const;
    const QString& path() const { return m_path; }

private:
    QString m_path;
    std::unique_ptr<QSaveFile> m_save;
    std::unique_ptr<QFile> m_direct;
};

} // namespace Inspector
