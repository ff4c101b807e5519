// SPDX-License-Identifier: MIT
#include "foldercheck.h"

#include "checkrules.h"
#include "filesystem/encryption.h"
#include "filesystem/filesystembackend.h"
#include "filesystem/memoryfile.h"
#include "storageerror.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

using namespace CheckRules;

constexpr qint64 kReadLimit = 1024 * 1024; // subcog refuses to read larger files (spec §6.3)
constexpr qint64 kEncryptedMinimum = 14 + 12 + 16; // magic, nonce, GCM tag (spec §6.4)
constexpr int kReadAttempts = 3; // a file that changes while it is read is read again this often
constexpr int kPollEvery = 16; // files between two polls of the cancel callback

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

/// The inspector's own `<id>.json.<random>.tmp` and the spec's `<id>.json.tmp` (spec §6.3).
bool isTemporaryName(const QString& name)
{
    return name.endsWith(u".tmp"_s) && name.contains(u".json."_s);
}

bool sameFile(const struct stat& a, const struct stat& b)
{
    return a.st_ino == b.st_ino && a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec
        && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

class Checker
{
public:
    Checker(const QString& folder, const FindingSink& sink, const FolderCheckOptions& options)
        : m_folder(folder)
        , m_canonicalFolder(QFileInfo(folder).canonicalFilePath())
        , m_sink(sink)
        , m_options(options)
        , m_now(options.now.value_or(QDateTime::currentSecsSinceEpoch()))
        , m_key(options.key ? options.key : Encryption::keyFromEnvironment())
    {
    }

    bool run()
    {
        const QStringList names = QDir(m_folder).entryList(QDir::Files | QDir::System | QDir::Hidden, QDir::Name);
        for (quint32 ordinal = 0; ordinal < quint32(names.size()); ++ordinal) {
            if (ordinal % kPollEvery == kPollEvery - 1 && m_options.cancelled && m_options.cancelled())
                return false;
            checkEntry(names[int(ordinal)], ordinal);
        }
        for (const auto& d : m_hashes.duplicates())
            reportDuplicate(m_sink, names[int(d.ordinal)].chopped(5), names[int(d.keptOrdinal)].chopped(5), d.hashTag);
        return true;
    }

private:
    QString m_folder;
    QString m_canonicalFolder;
    const FindingSink& m_sink;
    const FolderCheckOptions& m_options;
    qint64 m_now;
    std::optional<QByteArray> m_key;
    DuplicateHashes m_hashes;

    void damaged(const QString& name, const QString& why)
    {
        m_sink(Finding {u"damaged-file"_s, name, why, u"move the file to a quarantine subfolder"_s});
    }

    void checkEntry(const QString& name, quint32 ordinal)
    {
        if (isTemporaryName(name)) {
            QFileInfo info(m_folder + u'/' + name);
            const qint64 age = info.lastModified().secsTo(QDateTime::fromSecsSinceEpoch(m_now));
            m_sink(Finding {u"leftover-temp"_s, name,
                            u"a temporary file an interrupted write left behind ("_s + QString::number(info.size())
                                + u" bytes, "_s + QString::number(qMax<qint64>(0, age)) + u" s old)"_s,
                            u"delete it once it is older than a minute"_s});
            return;
        }
        if (!name.endsWith(u".json"_s) || name.size() <= 5)
            return; // subcog lists only files whose extension is exactly json; other files are not its data
        const QString id = name.chopped(5);
        if (!FilesystemBackend::isSafeId(id))
            return damaged(name, u"the file name is not a valid memory id (letters, digits, - and _ only)"_s);
        QString why;
        const std::optional<QByteArray> bytes = readFile(name, &why);
        if (!bytes)
            return damaged(name, why);
        QByteArray json = *bytes;
        if (Encryption::isEncrypted(json)) {
            if (json.size() < kEncryptedMinimum)
                return damaged(name,
                               u"starts with subcog's encryption header but is too short to be an encrypted "
                               "file ("_s
                                   + QString::number(json.size()) + u" bytes)"_s);
            if (!m_key)
                return; // cannot be told from a real one without the key
            const auto plain = Encryption::decrypt(json, *m_key);
            if (!plain)
                return damaged(name, u"encrypted, and the key does not open it (wrong key, or the file was changed)"_s);
            json = *plain;
        }
        auto parsed = parseMemoryFile(json, &why);
        if (!parsed)
            return damaged(name, why);
        const Memory& m = parsed->memory;
        if (m.id != id)
            return damaged(name, u"the id inside the file ("_s + m.id + u") differs from the file name"_s);
        checkMemory(m, ordinal);
    }

    /// The file's bytes, read without following a link out of the folder; nullopt and the reason when it cannot be.
    std::optional<QByteArray> readFile(const QString& name, QString* why)
    {
        QString path = m_folder + u'/' + name;
        struct stat st
        {
        };
        if (::lstat(QFile::encodeName(path).constData(), &st) != 0) {
            *why = u"cannot read: "_s + errnoText();
            return std::nullopt;
        }
        if (S_ISLNK(st.st_mode)) {
            const QString target = QFileInfo(path).canonicalFilePath();
            if (target.isEmpty() || !target.startsWith(m_canonicalFolder + u'/')) {
                *why = u"a symbolic link that leads outside the folder (or nowhere); not followed"_s;
                return std::nullopt;
            }
            path = target;
        }
        // O_NOFOLLOW: a link swapped in since is refused; O_NONBLOCK: a FIFO does not hang the check
        const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            *why = u"cannot read: "_s + errnoText();
            return std::nullopt;
        }
        QByteArray data;
        for (int attempt = 1;; ++attempt) {
            struct stat before
            {
            };
            struct stat after
            {
            };
            if (::fstat(fd, &before) != 0 || !S_ISREG(before.st_mode)) {
                ::close(fd);
                *why = u"not a regular file"_s;
                return std::nullopt;
            }
            if (before.st_size > kReadLimit) {
                ::close(fd);
                *why = u"larger than subcog's 1 MiB read limit ("_s + QString::number(before.st_size) + u" bytes)"_s;
                return std::nullopt;
            }
            data.resize(kReadLimit + 1);
            qint64 done = 0;
            while (done < data.size()) {
                const ssize_t n = ::pread(fd, data.data() + done, size_t(data.size() - done), done);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n < 0) {
                    ::close(fd);
                    *why = u"cannot read: "_s + errnoText();
                    return std::nullopt;
                }
                if (n == 0)
                    break;
                done += n;
            }
            data.resize(done);
            // a file rewritten in place while read (subcog truncates, then writes) is read again
            if (::fstat(fd, &after) == 0 && sameFile(before, after) && done == before.st_size)
                break;
            if (attempt == kReadAttempts)
                break; // what was read is judged; a real half-written file is damage either way
            ::usleep(20000);
        }
        ::close(fd);
        if (data.size() > kReadLimit) {
            *why = u"larger than subcog's 1 MiB read limit"_s;
            return std::nullopt;
        }
        return data;
    }

    void checkMemory(const Memory& m, quint32 ordinal)
    {
        checkNamespace(m_sink, m.id, m.namespaceName, Reader::Folder);
        const MemoryStatus status = checkStatus(m_sink, m.id, m.status, Reader::Folder);
        const QString shownTags
            = QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(m.tags)).toJson(QJsonDocument::Compact));
        const QStringList tags = checkTagList(m_sink, m.id, m.tags, shownTags);
        checkCreatedAt(m_sink, m.id, m.createdAt, {}, m_now);
        const bool live = checkLifecycle(m_sink, m.id, status, true, m.tombstonedAt, m.expiresAt, m_now);
        if (m.isSummary) {
            QStringList problems;
            const QStringList sources = m.sourceMemoryIds.value_or(QStringList {});
            if (sources.isEmpty())
                problems << u"a summary without sources"_s;
            QStringList missing;
            for (const QString& source : sources) {
                struct stat st
                {
                };
                if (!FilesystemBackend::isSafeId(source)
                    || ::lstat(QFile::encodeName(m_folder + u'/' + source + u".json"_s).constData(), &st) != 0)
                    missing << source;
            }
            if (!missing.isEmpty())
                problems << u"sources no longer exist: "_s + missing.join(u", "_s);
            reportBadSummary(m_sink, m.id, problems);
        }
        checkHashTag(m_sink, m.id, tags, m.content, m.isSummary);
        if (live)
            m_hashes.add(m.content, m.createdAt, ordinal);
    }
};

} // namespace

bool checkFolderStore(const QString& folder, const FindingSink& sink, const FolderCheckOptions& options)
{
    const QFileInfo info(folder);
    if (!info.exists())
        throw StorageError(StorageError::Kind::NotFound, folder + u": no such folder"_s);
    if (!info.isDir())
        throw StorageError(StorageError::Kind::InvalidInput, folder + u": is not a folder"_s);
    if (!info.isReadable() || !info.isExecutable())
        throw StorageError(StorageError::Kind::OperationFailed, folder + u": no permission to read the folder"_s);
    Checker checker(info.absoluteFilePath(), sink, options);
    return checker.run();
}

} // namespace Inspector
