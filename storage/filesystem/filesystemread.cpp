// SPDX-License-Identifier: MIT
// The folder backend's reading: one file (readFile), the folder into the index (rescan), several files at once
// (readMany, matchWithContent).
#include "encryption.h"
#include "filesystembackend.h"
#include "filesysteminternal.h"
#include "memoryfile.h"
#include "metadataparser.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QThread>

#include <algorithm>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace FolderFiles;

namespace {
constexpr qint64 kRereadBudgetMs = 2000; // how long a file that keeps changing while it is read is read again
constexpr qint64 kRecentWriteMs = 2000; // a file that does not decode and is younger may be mid-write
constexpr unsigned long kSettleMs = 20; // how long to wait before looking at such a file again
constexpr int kSettleLooks = 25; // and how many times, at most: half a second, a loaded machine's writer off the CPU

/// The whole file open as `fd`, read with plain system calls; nullopt and errno set on failure. A file that grows
/// beyond subcog's limit while read is cut there (its stat then differs, and it is read again).
std::optional<QByteArray> readBytes(int fd, qint64 expectedSize)
{
    QByteArray bytes(qMin(expectedSize, kReadLimit) + 1, Qt::Uninitialized);
    qsizetype done = 0;
    for (;;) {
        if (done == bytes.size()) {
            if (bytes.size() > kReadLimit)
                break;
            bytes.resize(qMin<qsizetype>(bytes.size() * 2, kReadLimit + 1));
        }
        const ssize_t n = ::read(fd, bytes.data() + done, size_t(bytes.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return std::nullopt;
        if (n == 0)
            break;
        done += n;
        // a short read of a regular file that gave all its stat promised is its end: no read for the 0
        if (done == expectedSize && done < bytes.size())
            break;
    }
    bytes.truncate(done);
    return bytes;
}

bool looksCut(const QByteArray& bytes)
{
    const QByteArray trimmed = bytes.trimmed();
    return trimmed.isEmpty() || (!trimmed.endsWith('}') && !Encryption::isEncrypted(bytes));
}

QString tooLarge(const struct stat& st)
{
    return u"larger than subcog's 1 MiB read limit ("_s + QString::number(st.st_size) + u" bytes)"_s;
}
} // namespace

FilesystemBackend::FolderFd::~FolderFd()
{
    if (fd >= 0)
        ::close(fd);
}

void FilesystemBackend::openFolder(FolderFd& folder) const
{
    folder.fd = ::open(QFile::encodeName(m_folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder.fd >= 0)
        return;
    if (errno == ENOENT || errno == ENOTDIR)
        throw StorageError(StorageError::Kind::NotFound, m_folder + u": the folder is gone"_s);
    throw StorageError(StorageError::Kind::OperationFailed, m_folder + u": cannot read the folder: "_s + errnoText());
}

std::optional<FilesystemBackend::FileRead> FilesystemBackend::readFile(const QString& fileName, ReadMode mode,
                                                                       QString* reason, bool* gone) const
{
    FolderFd folder;
    openFolder(folder);
    return readFileAt(folder.fd, QFile::encodeName(fileName), fileName.chopped(5), false, mode, reason, gone);
}

std::optional<FilesystemBackend::FileRead> FilesystemBackend::readFileAt(int dirFd, const QByteArray& name,
                                                                         const QString& id, bool regular, ReadMode mode,
                                                                         QString* reason, bool* gone) const
{
    auto fail = [&](const QString& why) {
        *reason = why;
        return std::nullopt;
    };
    if (gone)
        *gone = false;
    if (!isSafeId(id))
        return fail(u"the file name is not a valid memory id (letters, digits, - and _ only)"_s);
    const char* file = name.constData();
    struct stat st
    {
    };
    bool follow = false;
    if (!regular) {
        // not known to be a plain file: look before opening (a link is followed only inside the folder, and a FIFO
        // or device is never opened)
        if (::fstatat(dirFd, file, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (gone)
                *gone = errno == ENOENT;
            return fail(u"cannot read: "_s + errnoText());
        }
        if (S_ISLNK(st.st_mode)) {
            const QString target = QFileInfo(m_folder + u'/' + QFile::decodeName(name)).canonicalFilePath();
            if (target.isEmpty() || !target.startsWith(QFileInfo(m_folder).canonicalFilePath() + u'/'))
                return fail(u"a symbolic link that leads outside the folder; not followed"_s);
            if (::fstatat(dirFd, file, &st, 0) != 0)
                return fail(u"cannot read: "_s + errnoText());
            follow = true;
        }
        if (!S_ISREG(st.st_mode))
            return fail(u"not a regular file"_s);
        if (st.st_size > kReadLimit)
            return fail(tooLarge(st));
    }
    // subcog rewrites a file in place (truncate, then write), so a read can catch it half written, or begin in one
    // version and end in the next: the file is read again while it changed during the read, and a file that does not
    // decode, looks cut off and was written in the last seconds is looked at again for up to 500 ms (old or
    // otherwise damaged files cost nothing extra). A file that never holds still within the time allowed is reported,
    // not guessed at.
    const auto same = [](const struct stat& a, const struct stat& b) {
        return a.st_ino == b.st_ino && a.st_size == b.st_size && modifiedNs(a) == modifiedNs(b);
    };
    QElapsedTimer elapsed;
    elapsed.start();
    for (int attempt = 1;; ++attempt) {
        const int fd = ::openat(dirFd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW));
        if (fd < 0) {
            const int error = errno;
            if (error == ELOOP && !follow) // it became a link: read it the careful way
                return readFileAt(dirFd, name, id, false, mode, reason, gone);
            if (gone)
                *gone = error == ENOENT;
            errno = error;
            return fail(u"cannot read: "_s + errnoText());
        }
        std::optional<QByteArray> bytes;
        struct stat held
        {
        };
        if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= kReadLimit) {
            bytes = readBytes(fd, st.st_size);
            // the version read, if it did not change while read, is whole; one renamed over it meanwhile is the
            // next change the index sees (by the path's stat)
            if (bytes && ::fstat(fd, &held) != 0)
                held = {};
        }
        const int error = errno;
        ::close(fd);
        if (!S_ISREG(st.st_mode))
            return fail(u"not a regular file"_s);
        if (st.st_size > kReadLimit)
            return fail(tooLarge(st));
        QString why;
        bool cut = false;
        std::optional<FileRead> read;
        if (bytes) {
            read = decodeFile(std::move(*bytes), id, st, mode, &why, &cut);
            if (read && same(st, held))
                return read;
        } else {
            errno = error;
            why = u"cannot read: "_s + errnoText();
        }
        struct stat after
        {
        };
        if (::fstatat(dirFd, file, &after, 0) != 0) {
            if (gone)
                *gone = errno == ENOENT;
            return fail(u"cannot read: "_s + errnoText());
        }
        bool changed = !same(st, after);
        if (!changed && !read && cut
            && QDateTime::currentMSecsSinceEpoch() - modifiedNs(after) / 1000000 < kRecentWriteMs) {
            // a writer between truncating and writing, or between two pieces, may be off the CPU for a while
            for (int look = 0; look < kSettleLooks && !changed; ++look) {
                QThread::msleep(kSettleMs);
                changed = ::fstatat(dirFd, file, &after, 0) == 0 && !same(st, after);
            }
        }
        if (!changed)
            return read ? read : fail(why);
        if (elapsed.elapsed() >= kRereadBudgetMs)
            return fail(u"the file kept changing while it was read (another program is writing it)"_s);
        if (attempt >= 3)
            QThread::msleep(1); // a writer that writes in pieces gets time to finish
    }
}

std::optional<FilesystemBackend::FileRead> FilesystemBackend::decodeFile(QByteArray bytes, const QString& id,
                                                                         const struct stat& st, ReadMode mode,
                                                                         QString* reason, bool* cut) const
{
    auto fail = [&](const QString& why) {
        *reason = why;
        return std::nullopt;
    };
    *cut = false;
    FileRead read;
    read.modified = modifiedNs(st);
    read.size = st.st_size;
    read.inode = st.st_ino;
    bool encrypted = false;
    if (Encryption::isEncrypted(bytes)) {
        encrypted = true;
        if (!m_options.key) {
            read.memory.id = id;
            read.memory.flags = MemoryFlag::Encrypted | MemoryFlag::Locked;
            return read;
        }
        const auto plain = Encryption::decrypt(bytes, *m_options.key);
        if (!plain)
            return fail(u"encrypted, and the key does not open it (wrong key, or the file was changed)"_s);
        bytes = *plain;
    }
    // the index's fields by the fast reader (the namespace's and status's flags come from the index); what it is
    // not sure of, and every full read, by the full one
    if (mode == ReadMode::Metadata && parseMemoryMetadata(bytes, &read.memory, &read.hasEmbedding, false)) {
        // decided
    } else {
        QString why;
        auto parsed = parseMemoryFile(bytes, &why);
        if (!parsed) {
            *cut = !encrypted && looksCut(bytes);
            return fail(why);
        }
        read.memory = std::move(parsed->memory);
        read.hasEmbedding = read.memory.embedding && !read.memory.embedding->isEmpty();
        if (mode == ReadMode::Metadata) {
            read.memory.content.clear();
            read.memory.embedding.reset();
        } else {
            read.unknownKeys = std::move(parsed->unknownKeys);
        }
    }
    if (read.memory.id != id)
        return fail(u"the id inside the file ("_s + read.memory.id + u") differs from the file name"_s);
    if (encrypted)
        read.memory.flags |= MemoryFlag::Encrypted;
    return read;
}

FilesystemBackend::Entry FilesystemBackend::entryOf(const FileRead& read, FolderIndex::Cache* cache)
{
    Entry entry = m_index.make(read.memory, read.hasEmbedding, cache);
    entry.modified = read.modified;
    entry.size = read.size;
    entry.inode = read.inode;
    return entry;
}

void FilesystemBackend::rescan(bool full)
{
    FolderFd folder;
    openFolder(folder);
    DIR* dir = ::fdopendir(::dup(folder.fd));
    if (!dir)
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_folder + u": cannot list the folder: "_s + errnoText());
    // what subcog lists (files, and links to files; as QDir::Files | QDir::System would), as the bytes of the names
    struct Listed
    {
        QByteArray name;
        bool regular;
    };
    std::vector<Listed> names;
    while (const dirent* d = ::readdir(dir)) {
        const char* name = d->d_name;
        if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))
            continue;
        if (d->d_type == DT_DIR)
            continue;
        if (d->d_type == DT_LNK || d->d_type == DT_UNKNOWN) {
            struct stat st
            {
            };
            if (::fstatat(folder.fd, name, &st, 0) == 0 && S_ISDIR(st.st_mode))
                continue;
        }
        names.push_back(Listed {QByteArray(name), d->d_type == DT_REG});
    }
    ::closedir(dir);

    // the ids listed: indexed ones are marked in their entry (no set of 100,000 ids for a refresh), the others
    // (new or damaged files) are kept here
    QSet<QString> seenElsewhere;
    if (!full) {
        for (Entry& entry : m_entries)
            entry.bits &= quint8(~FolderIndex::Seen);
    }
    QHash<QString, QString> damaged;
    QStringList leftovers;
    std::vector<Listed> toRead;
    QStringList toReadIds; // for incremental scans; a full one names them on the reading threads
    bool changed = full;
    if (full) {
        m_entries.clear();
        m_entries.reserve(qsizetype(names.size()));
    }
    qsizetype looked = 0;
    for (Listed& listed : names) {
        // stopping between files leaves the index as it was for the files not reached yet: still consistent
        if ((++looked & 255) == 0 && m_interrupted.load(std::memory_order_relaxed))
            checkInterrupted();
        const QByteArray& name = listed.name;
        if (name.endsWith(".tmp") && name.contains(".json.")) {
            leftovers << QFile::decodeName(name);
            continue;
        }
        if (!name.endsWith(".json") || name.size() <= 5)
            continue; // subcog lists only files whose extension is exactly json
        if (!full) {
            const QString id = QFile::decodeName(name.chopped(5));
            struct stat st
            {
            };
            const auto it = m_entries.find(id);
            if (it != m_entries.end()) {
                it->bits |= FolderIndex::Seen;
                if (::fstatat(folder.fd, name.constData(), &st, 0) == 0
                    && it->sameFile(modifiedNs(st), st.st_size, st.st_ino))
                    continue;
            } else {
                seenElsewhere.insert(id);
            }
            toReadIds << id;
        }
        toRead.push_back(std::move(listed));
    }
    names = {}; // the listing's memory back before the index grows
    leftovers.sort();

    std::mutex found;
    std::vector<FolderIndex::Cache> caches(size_t(FolderIndex::threadsFor(qsizetype(toRead.size()))));
    FolderIndex::parallelFor(
        qsizetype(toRead.size()),
        [&](qsizetype i, int thread) {
            const Listed& listed = toRead[size_t(i)];
            const QString id = full ? QFile::decodeName(listed.name.chopped(5)) : toReadIds[i];
            QString reason;
            auto read = readFileAt(folder.fd, listed.name, id, listed.regular, ReadMode::Metadata, &reason, nullptr);
            if (read) {
                Entry entry = entryOf(*read, &caches[size_t(thread)]);
                entry.bits |= FolderIndex::Seen;
                const std::lock_guard lock(found);
                m_entries.insert(id, entry);
            } else {
                const std::lock_guard lock(found);
                if (m_entries.remove(id))
                    seenElsewhere.insert(id);
                damaged.insert(QFile::decodeName(listed.name), reason);
            }
        },
        [&] { return m_interrupted.load(std::memory_order_relaxed); });
    changed = changed || !toRead.empty();
    if (m_interrupted.load(std::memory_order_relaxed)) {
        if (changed)
            ++m_generation; // entries read so far are in the index: cached orders are out of date
        checkInterrupted();
    }
    if (!full) {
        for (auto it = m_entries.begin(); it != m_entries.end();) {
            if (!(it->bits & FolderIndex::Seen)) {
                it = m_entries.erase(it);
                changed = true;
            } else
                ++it;
        }
        // keep earlier reasons for files that did not change and are still damaged
        for (auto it = m_damaged.cbegin(); it != m_damaged.cend(); ++it) {
            if (seenElsewhere.contains(it.key().chopped(5)) && !m_entries.contains(it.key().chopped(5))
                && !damaged.contains(it.key()))
                damaged.insert(it.key(), it.value());
        }
    }
    changed = changed || damaged != m_damaged || leftovers != m_leftovers;
    m_damaged = damaged;
    m_leftovers = leftovers;
    if (changed)
        ++m_generation;
}

std::vector<FilesystemBackend::ReadResult> FilesystemBackend::readMany(const QStringList& ids)
{
    std::vector<ReadResult> results(size_t(ids.size()));
    FolderFd folder;
    openFolder(folder);
    FolderIndex::parallelFor(
        ids.size(),
        [&](qsizetype i, int) {
            ReadResult& r = results[size_t(i)];
            r.read = readFileAt(folder.fd, QFile::encodeName(ids[i] + u".json"_s), ids[i], false, ReadMode::Full,
                                &r.reason, &r.gone);
        },
        [&] { return m_interrupted.load(std::memory_order_relaxed); });
    checkInterrupted();
    for (qsizetype i = 0; i < ids.size(); ++i) {
        const ReadResult& r = results[size_t(i)];
        const QString& id = ids[i];
        const auto it = m_entries.find(id);
        if (r.read) {
            // another writer changed the file since it was indexed: the index takes what the file holds now
            if (it == m_entries.end() || !it->sameFile(r.read->modified, r.read->size, r.read->inode)) {
                m_entries.insert(id, entryOf(*r.read));
                m_damaged.remove(id + u".json"_s);
                ++m_generation;
            }
            continue;
        }
        if (it != m_entries.end())
            m_entries.erase(it);
        if (!r.gone)
            m_damaged.insert(id + u".json"_s, r.reason);
        ++m_generation;
    }
    return results;
}

std::vector<char> FilesystemBackend::matchWithContent(const MemoryFilter& filter, const std::vector<Ref>& refs)
{
    std::vector<char> keep(refs.size(), 0);
    FolderFd folder;
    openFolder(folder);
    FolderIndex::parallelFor(
        qsizetype(refs.size()),
        [&](qsizetype i, int) {
            const QString& id = *refs[size_t(i)].id;
            QString reason;
            const auto read = readFileAt(folder.fd, QFile::encodeName(id + u".json"_s), id, false, ReadMode::Full,
                                         &reason, nullptr);
            // a file that cannot be read now matches nothing; the next refresh reports it
            if (read) {
                Memory m;
                m_index.fill(m, id, *refs[size_t(i)].entry);
                m.content = read->memory.content;
                keep[size_t(i)] = filter.matches(m);
            }
        },
        [&] { return m_interrupted.load(std::memory_order_relaxed); });
    checkInterrupted();
    return keep;
}

} // namespace Inspector
