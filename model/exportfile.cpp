// SPDX-License-Identifier: MIT
#include "exportfile.h"

#include "postgresmodule.h"
#include "storageerror.h"

#include <QDir>
#include <QFileInfo>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

/// The path a write to `path` lands on: symbolic links followed as QSaveFile follows them, then made canonical
/// as far as it exists (the last name may not exist yet).
QString landingPath(const QString& path)
{
    QFileInfo info(path);
    for (int depth = 0; depth < 128 && info.isSymLink(); ++depth)
        info.setFile(info.symLinkTarget());
    if (info.exists())
        return info.canonicalFilePath();
    const QString dir = QFileInfo(info.absolutePath()).canonicalFilePath();
    return dir.isEmpty() ? info.absoluteFilePath() : QDir(dir).filePath(info.fileName());
}

std::optional<struct stat> statOf(const QString& path)
{
    struct stat st;
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return std::nullopt;
    return st;
}

bool sameInode(const std::optional<struct stat>& a, const std::optional<struct stat>& b)
{
    return a && b && a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/// The open descriptor a path names (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N), else -1.
int descriptorNamedBy(const QString& path)
{
    const QString clean = QDir::cleanPath(path);
    if (clean == "/dev/stdout"_L1)
        return STDOUT_FILENO;
    if (clean == "/dev/stderr"_L1)
        return STDERR_FILENO;
    for (const auto dir : {"/dev/fd/"_L1, "/proc/self/fd/"_L1}) {
        if (!clean.startsWith(dir))
            continue;
        bool ok = false;
        const int fd = clean.mid(dir.size()).toInt(&ok);
        return ok && fd >= 0 ? fd : -1;
    }
    return -1;
}

std::optional<StoreSpec> specOf(const PersistenceBackend& store)
{
    if (store.kind() == "sqlite"_L1)
        return StoreSpec {StoreSpec::Kind::Sqlite, store.location()};
    if (store.kind() == "filesystem"_L1)
        return StoreSpec {StoreSpec::Kind::Filesystem, store.location()};
    if (store.kind() == "jsonl"_L1)
        return StoreSpec {StoreSpec::Kind::Jsonl, store.location()};
    return std::nullopt;
}

} // namespace

void refuseExportOntoStore(const QString& path, const StoreSpec& store)
{
    if (store.kind == StoreSpec::Kind::Postgres || store.location.isEmpty())
        return;
    const QString target = landingPath(path);
    const auto targetStat = statOf(target);
    auto refuse = [&](const QString& what) {
        throw StorageError(StorageError::Kind::InvalidInput,
                           path + u": this is "_s + what
                               + u"; the export would overwrite the store it reads (choose another file)"_s);
    };
    if (store.kind == StoreSpec::Kind::Sqlite) {
        // SQLite puts -wal, -shm and -journal beside the file a linked name leads to, not beside the link
        for (const QString& base : {store.location, landingPath(store.location)}) {
            for (const auto suffix : {""_L1, "-wal"_L1, "-shm"_L1, "-journal"_L1}) {
                const QString file = base + suffix;
                if (landingPath(file) == target || sameInode(statOf(file), targetStat))
                    refuse(suffix.isEmpty() ? u"the store's database file"_s : u"the store's "_s + suffix + u" file"_s);
            }
        }
        return;
    }
    if (store.kind == StoreSpec::Kind::Jsonl) {
        if (landingPath(store.location) == target || sameInode(statOf(store.location), targetStat))
            refuse(u"the JSON Lines file the store is read from"_s);
        return;
    }
    // a folder store: the target or one of the folders holding it is the store's folder
    const QString folder = landingPath(store.location);
    const auto folderStat = statOf(folder);
    for (QString dir = target;;) {
        if (dir == folder || sameInode(statOf(dir), folderStat))
            refuse(u"inside the folder store "_s + store.location);
        const QString parent = QFileInfo(dir).absolutePath();
        if (parent == dir)
            break;
        dir = parent;
    }
}

void refuseExportOntoStore(const QString& path, const PersistenceBackend& store)
{
    if (const auto spec = specOf(store))
        refuseExportOntoStore(path, *spec);
}

bool sameStore(const PersistenceBackend& open, const StoreSpec& other)
{
    const auto spec = specOf(open);
    if (!spec) {
        if (open.kind() != "postgres"_L1 || other.kind != StoreSpec::Kind::Postgres)
            return false;
        // one database however it is spelt: scheme, loopback host, default port, parameters such as sslmode
        // the open store came from the module, so it is loaded
        const PostgresModule& module = postgresModule();
        const QString target = module.target(other.location);
        return open.location() == other.location || (!target.isEmpty() && target == module.target(open.location()));
    }
    if (spec->kind != other.kind || other.location.isEmpty())
        return false;
    return landingPath(spec->location) == landingPath(other.location)
        || sameInode(statOf(spec->location), statOf(other.location));
}

bool sameStore(const PersistenceBackend& a, const PersistenceBackend& b)
{
    if (a.kind() == b.kind() && a.location() == b.location())
        return true;
    if (b.kind() == "postgres"_L1)
        return sameStore(a, StoreSpec {StoreSpec::Kind::Postgres, b.location()});
    const auto spec = specOf(b);
    return spec && sameStore(a, *spec);
}

bool sameDatabase(PersistenceBackend& a, PersistenceBackend& b)
{
    if (a.kind() != "postgres"_L1 || b.kind() != "postgres"_L1)
        return false;
    const auto identity = postgresModule().serverIdentity(a);
    return identity && identity == postgresModule().serverIdentity(b);
}

QString fileErrorReason(const QFileDevice& file)
{
    QString reason = file.errorString();
    if (reason.isEmpty() || file.error() == QFileDevice::NoError)
        reason = file.error() == QFileDevice::ResourceError ? u"no space left on device"_s : u"unknown error"_s;
    // "No space left on device" continues a sentence; an acronym at the start stays as it is
    if (reason.size() > 1 && reason[0].isUpper() && reason[1].isLower())
        reason[0] = reason[0].toLower();
    return reason;
}

ExportFile::ExportFile(QString path)
    : m_path(std::move(path))
{
}

ExportFile::~ExportFile() = default;

void ExportFile::open()
{
    auto fail
        = [&](const QString& why) { throw StorageError(StorageError::Kind::OperationFailed, m_path + u": "_s + why); };
    if (const int fd = descriptorNamedBy(m_path); fd >= 0) {
        // a descriptor already open (`-o /dev/stdout >> log`): written where it stands, with its own O_APPEND,
        // as `cat > /dev/stdout` would; reopening or renaming would truncate or replace the file behind it
        const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (copy < 0)
            fail(u"cannot write: not an open descriptor"_s);
        struct stat st;
        if (::fstat(copy, &st) == 0 && S_ISDIR(st.st_mode)) {
            ::close(copy);
            fail(u"is a folder"_s);
        }
        m_direct = std::make_unique<QFile>();
        if (!m_direct->open(copy, QIODevice::WriteOnly | QIODevice::Unbuffered, QFileDevice::AutoCloseHandle)) {
            ::close(copy);
            fail(u"cannot write: "_s + fileErrorReason(*m_direct));
        }
        return;
    }
    const auto existing = statOf(m_path); // follows links, as the write does
    if (existing && (S_ISFIFO(existing->st_mode) || S_ISCHR(existing->st_mode))) {
        // renaming a file over a device or FIFO would replace the node itself: written in place instead
        m_direct = std::make_unique<QFile>(m_path);
        if (!m_direct->open(QIODevice::WriteOnly | QIODevice::Unbuffered))
            fail(u"cannot write: "_s + fileErrorReason(*m_direct));
        return;
    }
    if (existing && S_ISDIR(existing->st_mode))
        fail(u"is a folder"_s);
    if (existing && !S_ISREG(existing->st_mode))
        fail(u"is not a regular file, a FIFO or a character device; not written"_s);
    m_save = std::make_unique<QSaveFile>(m_path);
    if (!m_save->open(QIODevice::WriteOnly))
        fail(u"cannot write: "_s + fileErrorReason(*m_save));
    if (existing) {
        // the replacement keeps the file's owner where the user may give it (root; a group the user is in) and
        // then its mode (chown clears set-id bits); neither failure stops the export
        const int fd = m_save->handle();
        if (::fchown(fd, existing->st_uid, existing->st_gid) != 0 && ::fchown(fd, uid_t(-1), existing->st_gid) != 0) {
            // the user's own group stays
        }
        if (::fchmod(fd, existing->st_mode & 07777) != 0) {
            // QSaveFile already copied the permission bits
        }
    }
}

QFileDevice& ExportFile::device()
{
    if (m_save)
        return *m_save;
    return *m_direct;
}

void ExportFile::commit()
{
    if (m_save) {
        if (!m_save->commit())
            throw StorageError(StorageError::Kind::OperationFailed,
                               m_path + u": cannot write the export: "_s + fileErrorReason(*m_save)
                                   + u"; the file was left as it was"_s);
        return;
    }
    if (m_direct && (!m_direct->flush() || m_direct->error() != QFileDevice::NoError))
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_path + u": cannot write the export: "_s + fileErrorReason(*m_direct));
    if (m_direct)
        m_direct->close();
}

void ExportFile::cancel()
{
    if (m_save)
        m_save->cancelWriting();
}

QString ExportFile::failureReason() const
{
    if (m_save)
        return fileErrorReason(*m_save);
    return m_direct ? fileErrorReason(*m_direct) : QString();
}

} // namespace Inspector
