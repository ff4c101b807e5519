// SPDX-License-Identifier: MIT
#include "filesystembackend.h"

#include "encryption.h"
#include "memoryfile.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QThread>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr qint64 kReadLimit = 1024 * 1024; // subcog refuses to read larger files
constexpr qint64 kRereadBudgetMs = 2000; // how long a file that keeps changing while it is read is read again
constexpr qint64 kRecentWriteMs = 2000; // a file that does not decode and is younger may be mid-write
constexpr unsigned long kSettleMs = 20; // how long to wait before looking at such a file again
constexpr int kSettleLooks = 5; // and how many times, at most

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

qint64 modifiedNs(const struct stat& st)
{
    return qint64(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

bool isTemporaryName(const QString& name)
{
    return name.endsWith(u".tmp"_s) && name.contains(u".json."_s);
}
} // namespace

FilesystemBackend::FilesystemBackend(QString folder, const Options& options)
    : m_folder(std::move(folder))
    , m_graph(m_folder + u"/graph.db"_s, {})
    , m_options(options)
{
    if (!m_options.key)
        m_options.key = Encryption::keyFromEnvironment();
}

FilesystemBackend::~FilesystemBackend() = default;

QString FilesystemBackend::kind() const
{
    return u"filesystem"_s;
}

bool FilesystemBackend::isSafeId(const QString& id)
{
    if (id.isEmpty() || id.size() > 255)
        return false;
    for (qsizetype i = 0; i < id.size(); ++i) {
        const uint c = id.at(i).isHighSurrogate() && i + 1 < id.size() ? QChar::surrogateToUcs4(id.at(i), id.at(i + 1))
                                                                       : id.at(i).unicode();
        if (c > 0xffff)
            ++i;
        if (c == '-' || c == '_')
            continue;
        if (!QChar::isLetterOrNumber(char32_t(c)))
            return false;
    }
    return true;
}

std::unique_ptr<FilesystemBackend> FilesystemBackend::open(const QString& folder, const Options& options)
{
    const QFileInfo info(folder);
    if (!info.exists())
        throw StorageError(StorageError::Kind::NotFound, folder + u": no such folder"_s);
    if (!info.isDir())
        throw StorageError(StorageError::Kind::InvalidInput, folder + u": is not a folder"_s);
    if (!info.isReadable() || !info.isExecutable())
        throw StorageError(StorageError::Kind::OperationFailed, folder + u": no permission to read the folder"_s);
    Options effective = options;
    if (!info.isWritable())
        effective.readOnly = true;
    std::unique_ptr<FilesystemBackend> backend(new FilesystemBackend(info.absoluteFilePath(), effective));
    backend->rescan(true);
    return backend;
}

std::unique_ptr<FilesystemBackend> FilesystemBackend::create(const QString& folder, const Options& options)
{
    if (!QDir().mkpath(folder))
        throw StorageError(StorageError::Kind::OperationFailed, folder + u": cannot create the folder"_s);
    return open(folder, options);
}

QStringList FilesystemBackend::describeLayout() const
{
    QStringList lines;
    lines << u"folder store: "_s + QString::number(m_entries.size()) + u" memory files"_s
            + (m_options.readOnly ? u", opened read-only"_s : QString());
    int locked = 0;
    int encrypted = 0;
    for (const Entry& e : m_entries) {
        locked += (e.memory.flags & MemoryFlag::Locked) ? 1 : 0;
        encrypted += (e.memory.flags & MemoryFlag::Encrypted) ? 1 : 0;
    }
    if (encrypted)
        lines << QString::number(encrypted) + u" encrypted files"_s
                + (locked ? u", "_s + QString::number(locked) + u" of them cannot be opened without a key"_s
                          : QString());
    if (!m_damaged.isEmpty())
        lines << QString::number(m_damaged.size()) + u" damaged files (see the issues)"_s;
    if (!m_leftovers.isEmpty())
        lines << QString::number(m_leftovers.size()) + u" temporary files left by an interrupted write"_s;
    return lines;
}

std::optional<FilesystemBackend::Entry> FilesystemBackend::readFile(const QString& fileName, QString* reason) const
{
    auto fail = [&](const QString& why) {
        *reason = why;
        return std::nullopt;
    };
    const QString path = m_folder + u'/' + fileName;
    const QString id = fileName.chopped(5);
    if (!isSafeId(id))
        return fail(u"the file name is not a valid memory id (letters, digits, - and _ only)"_s);
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return fail(u"cannot read: "_s + errnoText());
    if (S_ISLNK(st.st_mode)) {
        const QString target = QFileInfo(path).canonicalFilePath();
        if (target.isEmpty() || !target.startsWith(QFileInfo(m_folder).canonicalFilePath() + u'/'))
            return fail(u"a symbolic link that leads outside the folder; not followed"_s);
        if (::stat(QFile::encodeName(path).constData(), &st) != 0)
            return fail(u"cannot read: "_s + errnoText());
    }
    if (!S_ISREG(st.st_mode))
        return fail(u"not a regular file"_s);
    if (st.st_size > kReadLimit)
        return fail(u"larger than subcog's 1 MiB read limit ("_s + QString::number(st.st_size) + u" bytes)"_s);
    // subcog rewrites a file in place (truncate, then write), so a read can catch it half written, or begin in one
    // version and end in the next: the file is read again while it changed during the read, and a file that does not
    // decode, looks cut off and was written in the last seconds is looked at again for up to 100 ms (old or
    // otherwise damaged files cost nothing extra). A file that never holds still within the time allowed is reported,
    // not guessed at.
    const QByteArray encodedPath = QFile::encodeName(path);
    const auto same = [](const struct stat& a, const struct stat& b) {
        return a.st_ino == b.st_ino && a.st_size == b.st_size && modifiedNs(a) == modifiedNs(b);
    };
    QElapsedTimer elapsed;
    elapsed.start();
    for (int attempt = 1;; ++attempt) {
        QString why;
        bool cut = false;
        std::optional<Entry> entry = decodeFile(path, id, st, &why, &cut);
        struct stat after
        {
        };
        if (::stat(encodedPath.constData(), &after) != 0)
            return fail(u"cannot read: "_s + errnoText());
        bool changed = !same(st, after);
        if (!changed && !entry && cut
            && QDateTime::currentMSecsSinceEpoch() - modifiedNs(after) / 1000000 < kRecentWriteMs) {
            // a writer between truncating and writing, or between two pieces, may be off the CPU for a while
            for (int look = 0; look < kSettleLooks && !changed; ++look) {
                QThread::msleep(kSettleMs);
                changed = ::stat(encodedPath.constData(), &after) == 0 && !same(st, after);
            }
        }
        if (!changed)
            return entry ? entry : fail(why);
        if (elapsed.elapsed() >= kRereadBudgetMs)
            return fail(u"the file kept changing while it was read (another program is writing it)"_s);
        if (attempt >= 3)
            QThread::msleep(1); // a writer that writes in pieces gets time to finish
        st = after;
        if (!S_ISREG(st.st_mode))
            return fail(u"not a regular file"_s);
        if (st.st_size > kReadLimit)
            return fail(u"larger than subcog's 1 MiB read limit ("_s + QString::number(st.st_size) + u" bytes)"_s);
    }
}

std::optional<FilesystemBackend::Entry> FilesystemBackend::decodeFile(const QString& path, const QString& id,
                                                                      const struct stat& st, QString* reason,
                                                                      bool* cut) const
{
    auto fail = [&](const QString& why) {
        *reason = why;
        return std::nullopt;
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(u"cannot read: "_s + file.errorString());
    QByteArray bytes = file.readAll();
    const QByteArray trimmed = bytes.trimmed();
    *cut = trimmed.isEmpty() || (!trimmed.endsWith('}') && !Encryption::isEncrypted(bytes));
    Entry entry;
    entry.modified = modifiedNs(st);
    entry.size = st.st_size;
    bool encrypted = false;
    if (Encryption::isEncrypted(bytes)) {
        encrypted = true;
        if (!m_options.key) {
            entry.memory.id = id;
            entry.memory.flags = MemoryFlag::Encrypted | MemoryFlag::Locked;
            return entry;
        }
        const auto plain = Encryption::decrypt(bytes, *m_options.key);
        if (!plain)
            return fail(u"encrypted, and the key does not open it (wrong key, or the file was changed)"_s);
        bytes = *plain;
    }
    QString why;
    auto parsed = parseMemoryFile(bytes, &why);
    if (!parsed)
        return fail(why);
    if (parsed->memory.id != id)
        return fail(u"the id inside the file ("_s + parsed->memory.id + u") differs from the file name"_s);
    entry.memory = std::move(parsed->memory);
    entry.unknownKeys = std::move(parsed->unknownKeys);
    if (encrypted)
        entry.memory.flags |= MemoryFlag::Encrypted;
    return entry;
}

void FilesystemBackend::checkInterrupted() const
{
    if (m_interrupted.load(std::memory_order_relaxed))
        throw StorageError(StorageError::Kind::Cancelled, m_folder + u": cancelled"_s);
}

void FilesystemBackend::rescan(bool full)
{
    QDir dir(m_folder);
    if (!dir.exists())
        throw StorageError(StorageError::Kind::NotFound, m_folder + u": the folder is gone"_s);
    QSet<QString> seen;
    QHash<QString, QString> damaged;
    QStringList leftovers;
    bool changed = full;
    const QStringList names = dir.entryList(QDir::Files | QDir::System | QDir::Hidden, QDir::Name);
    for (const QString& name : names) {
        // stopping between files leaves the index as it was for the files not reached yet: still consistent
        if (m_interrupted.load(std::memory_order_relaxed)) {
            if (changed)
                ++m_generation; // entries read so far are in the index: cached orders are out of date
            checkInterrupted();
        }
        if (isTemporaryName(name)) {
            leftovers << name;
            continue;
        }
        if (!name.endsWith(u".json"_s) || name.size() <= 5)
            continue; // subcog lists only files whose extension is exactly json
        const QString id = name.chopped(5);
        seen.insert(id);
        if (!full) {
            struct stat st
            {
            };
            const auto it = m_entries.constFind(id);
            if (it != m_entries.constEnd() && ::stat(QFile::encodeName(m_folder + u'/' + name).constData(), &st) == 0
                && modifiedNs(st) == it->modified && st.st_size == it->size)
                continue;
        }
        changed = true;
        QString reason;
        auto entry = readFile(name, &reason);
        if (entry) {
            m_entries.insert(id, std::move(*entry));
        } else {
            m_entries.remove(id);
            damaged.insert(name, reason);
        }
    }
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (!seen.contains(it.key())) {
            it = m_entries.erase(it);
            changed = true;
        } else
            ++it;
    }
    if (!full) {
        // keep earlier reasons for files that did not change and are still damaged
        for (auto it = m_damaged.cbegin(); it != m_damaged.cend(); ++it) {
            if (seen.contains(it.key().chopped(5)) && !m_entries.contains(it.key().chopped(5))
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

std::optional<QByteArray> FilesystemBackend::changeToken()
{
    // the incremental scan costs one stat per file; it is what notices files rewritten in place
    startCall();
    rescan(false);
    return QByteArray::number(m_generation);
}

void FilesystemBackend::refresh()
{
    startCall();
    rescan(false);
}

int FilesystemBackend::removeLeftoverTemporaryFiles()
{
    checkWritable();
    int removed = 0;
    for (const QString& name : std::as_const(m_leftovers))
        removed += QFile::remove(m_folder + u'/' + name) ? 1 : 0;
    m_leftovers.clear();
    return removed;
}

QList<RecordIssue> FilesystemBackend::storeIssues()
{
    QList<RecordIssue> issues;
    QStringList names = m_damaged.keys();
    names.sort();
    for (const QString& name : names)
        issues << RecordIssue {name, m_damaged.value(name), true};
    for (const QString& name : m_leftovers)
        issues << RecordIssue {name, u"temporary file left by an interrupted write; not a memory, safe to delete"_s};
    return issues;
}

QStringList FilesystemBackend::listIds()
{
    MemoryQuery query;
    return sortedIds(query);
}

const QList<QString>& FilesystemBackend::sortedIds(const MemoryQuery& query)
{
    // the graph can change under the same filter: entity: words are resolved again each time
    if (query.filter.entities.isEmpty() && m_order.generation == m_generation && m_order.filter == query.filter
        && m_order.key == query.sortKey && m_order.order == query.order && m_order.idOrder == query.idOrder)
        return m_order.ids;
    const MemoryFilter filter = query.filter.entities.isEmpty()
        ? query.filter
        : withMentionedIds(query.filter, m_graph.graph().memoriesMentioning(query.filter.entities));
    QList<const Memory*> matching;
    qsizetype looked = 0;
    for (const Entry& e : std::as_const(m_entries)) {
        if ((++looked & 1023) == 0)
            checkInterrupted();
        if (filter.matches(e.memory))
            matching << &e.memory;
    }
    quint32 compared = 0;
    // a throw out of the sort leaves only `matching` unordered, and it is dropped
    std::sort(matching.begin(), matching.end(), [&](const Memory* a, const Memory* b) {
        if ((++compared & 4095) == 0)
            checkInterrupted();
        return query.comesBefore(*a, *b);
    });
    m_order.generation = m_generation;
    m_order.filter = query.filter;
    m_order.key = query.sortKey;
    m_order.order = query.order;
    m_order.idOrder = query.idOrder;
    m_order.ids.clear();
    m_order.ids.reserve(matching.size());
    for (const Memory* m : matching)
        m_order.ids << m->id;
    return m_order.ids;
}

Page FilesystemBackend::query(const MemoryQuery& query)
{
    startCall();
    const QList<QString>& ids = sortedIds(query);
    // position just after the cursor's row (or before it, reading from the end)
    qsizetype start = 0;
    qsizetype end = ids.size();
    if (query.after) {
        const qsizetype at = ids.indexOf(query.after->id);
        if (at >= 0) {
            if (query.fromEnd)
                end = at;
            else
                start = at + 1;
        } else {
            // the cursor's row is gone: place the cursor by its key
            const Memory probe = [&] {
                Memory m;
                m.id = query.after->id;
                m.createdAt = query.after->key.toLongLong();
                m.namespaceName = m.status = query.after->key.toString();
                return m;
            }();
            auto before = [&](const QString& id) { return query.comesBefore(m_entries.value(id).memory, probe); };
            const qsizetype split = std::partition_point(ids.begin(), ids.end(), before) - ids.begin();
            if (query.fromEnd)
                end = split;
            else
                start = split;
        }
    }
    if (query.skip > 0) {
        if (query.fromEnd)
            end = qMax(start, end - qsizetype(query.skip));
        else
            start = qMin(end, start + qsizetype(query.skip));
    }
    Page page;
    const qsizetype limit = qMax(query.limit, 0);
    qsizetype first = query.fromEnd ? qMax(start, end - limit) : start;
    qsizetype last = query.fromEnd ? end : qMin(end, start + limit);
    for (qsizetype i = first; i < last; ++i) {
        Memory m = m_entries.value(ids[i]).memory;
        if (!query.withContent)
            m.content.clear();
        page.memories << m;
    }
    const bool more = query.fromEnd ? first > start : last < end;
    if (more && !page.memories.isEmpty()) {
        page.next = Cursor::of(query.fromEnd ? page.memories.first() : page.memories.last(), query.sortKey);
    }
    return page;
}

qint64 FilesystemBackend::count()
{
    return m_entries.size();
}

std::optional<qint64> FilesystemBackend::rowOf(const MemoryQuery& query, const QString& id)
{
    startCall();
    const qsizetype row = sortedIds(query).indexOf(id);
    return row < 0 ? std::nullopt : std::optional<qint64>(row);
}

qint64 FilesystemBackend::count(const MemoryFilter& filter)
{
    startCall();
    if (filter.isEmpty())
        return m_entries.size();
    MemoryQuery query;
    query.filter = filter;
    return sortedIds(query).size();
}

StoreStats FilesystemBackend::stats(const MemoryFilter& filter, qint64 now)
{
    startCall();
    StatsBuilder builder(now);
    builder.stats().withEmbedding = 0; // a field of the files
    qint64 seen = 0;
    const MemoryFilter resolved = filter.entities.isEmpty()
        ? filter
        : withMentionedIds(filter, m_graph.graph().memoriesMentioning(filter.entities));
    for (const Entry& entry : std::as_const(m_entries)) {
        if ((++seen & 1023) == 0)
            checkInterrupted();
        const Memory& m = entry.memory;
        if (resolved.matches(m))
            builder.addMemory(m, m.embedding && !m.embedding->isEmpty());
    }
    return builder.finish();
}

bool FilesystemBackend::exists(const QString& id)
{
    return m_entries.contains(id);
}

std::optional<Memory> FilesystemBackend::get(const QString& id)
{
    if (!isSafeId(id))
        return std::nullopt;
    // a single read looks at the file itself, so a detail view is never stale
    const QString name = id + u".json"_s;
    struct stat st
    {
    };
    const bool onDisk = ::stat(QFile::encodeName(m_folder + u'/' + name).constData(), &st) == 0;
    const auto it = m_entries.find(id);
    if (!onDisk) {
        if (it != m_entries.end()) {
            m_entries.erase(it);
            ++m_generation;
        }
        return std::nullopt;
    }
    if (it == m_entries.end() || it->modified != modifiedNs(st) || it->size != st.st_size) {
        QString reason;
        auto entry = readFile(name, &reason);
        ++m_generation;
        if (!entry) {
            m_entries.remove(id);
            m_damaged.insert(name, reason);
            throw StorageError(StorageError::Kind::OperationFailed, m_folder + u'/' + name + u": "_s + reason);
        }
        m_damaged.remove(name);
        m_entries.insert(id, std::move(*entry));
    }
    return m_entries.value(id).memory;
}

QList<Memory> FilesystemBackend::getBatch(const QStringList& ids, QList<RecordIssue>* issues)
{
    QList<Memory> result;
    QSet<QString> seen;
    for (const QString& id : ids) {
        if (seen.contains(id))
            continue;
        seen.insert(id);
        const auto it = m_entries.constFind(id);
        if (it != m_entries.constEnd())
            result << it->memory;
        else if (issues && m_damaged.contains(id + u".json"_s))
            issues->append(RecordIssue {id, m_damaged.value(id + u".json"_s), true});
    }
    return result;
}

void FilesystemBackend::checkWritable() const
{
    if (m_options.readOnly)
        throw StorageError(StorageError::Kind::OperationFailed, m_folder + u": the store is open read-only"_s);
}

void FilesystemBackend::writeAtomically(const QString& id, const QByteArray& bytes)
{
    writeFileAtomically(m_folder, id, bytes);
}

void FilesystemBackend::writeFileAtomically(const QString& folder, const QString& id, const QByteArray& bytes)
{
    const QString target = folder + u'/' + id + u".json"_s;
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(target).constData(), &st) == 0 && S_ISLNK(st.st_mode))
        throw StorageError(StorageError::Kind::InvalidInput,
                           target + u": is a symbolic link; the inspector does not write through links"_s);
    const mode_t mode = ::lstat(QFile::encodeName(target).constData(), &st) == 0 ? (st.st_mode & 07777) : 0644;
    const QString temporary = target + u'.' + QString::number(QRandomGenerator::global()->generate64(), 36) + u".tmp"_s;
    const QByteArray temporaryPath = QFile::encodeName(temporary);
    const int fd = ::open(temporaryPath.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        throw StorageError(StorageError::Kind::OperationFailed, target + u": cannot write: "_s + errnoText());
    auto failWith = [&](const QString& what) {
        const QString reason = errnoText();
        ::close(fd);
        ::unlink(temporaryPath.constData());
        throw StorageError(errno == ENOSPC ? StorageError::Kind::OperationFailed : StorageError::Kind::OperationFailed,
                           target + u": "_s + what + u": "_s + reason);
    };
    qint64 done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            failWith(u"cannot write"_s);
        }
        done += n;
    }
    if (::fsync(fd) != 0)
        failWith(u"cannot flush to disk"_s);
    if (::close(fd) != 0) {
        ::unlink(temporaryPath.constData());
        throw StorageError(StorageError::Kind::OperationFailed, target + u": cannot write: "_s + errnoText());
    }
    // the rename is the moment the new version appears, whole; before it the old one stays
    if (::rename(temporaryPath.constData(), QFile::encodeName(target).constData()) != 0) {
        const QString reason = errnoText();
        ::unlink(temporaryPath.constData());
        throw StorageError(StorageError::Kind::OperationFailed, target + u": cannot replace: "_s + reason);
    }
    const int dirFd = ::open(QFile::encodeName(folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
}

void FilesystemBackend::store(const Memory& memory)
{
    checkWritable();
    auto invalid = [&](const QString& why) {
        throw StorageError(StorageError::Kind::InvalidInput,
                           m_folder + u": memory "_s + (memory.id.isEmpty() ? u"(no id)"_s : memory.id) + u": "_s
                               + why);
    };
    if (!isSafeId(memory.id))
        invalid(u"a folder store's ids are 1 to 255 letters, digits, - or _ (no dots, slashes or spaces)"_s);
    if (memory.namespaceName.isEmpty())
        invalid(u"the namespace is empty"_s);
    if (memory.status.isEmpty())
        invalid(u"the status is empty"_s);
    if (memory.groupId)
        invalid(u"subcog's folder format has no group_id field to keep the value"_s);
    const auto it = m_entries.constFind(memory.id);
    if (it != m_entries.constEnd() && (it->memory.flags & MemoryFlag::Locked))
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_folder + u"/"_s + memory.id + u".json: encrypted, and no key was given to rewrite it"_s);
    if (it != m_entries.constEnd() && it->memory.sameFields(memory)
        && it->memory.domainForWrite() == memory.domainForWrite())
        return; // nothing changed: the file stays byte for byte as it is
    const QJsonObject unknown = it != m_entries.constEnd() ? it->unknownKeys : QJsonObject {};
    QByteArray bytes = serializeMemoryFile(memory, unknown);
    const bool encrypt
        = it != m_entries.constEnd() ? bool(it->memory.flags & MemoryFlag::Encrypted) : m_options.encryptNewFiles;
    if (encrypt) {
        if (!m_options.key)
            throw StorageError(StorageError::Kind::OperationFailed,
                               m_folder + u": memory "_s + memory.id + u": needs an encryption key"_s);
        bytes = Encryption::encrypt(bytes, *m_options.key);
    }
    if (bytes.size() > kReadLimit)
        invalid(u"the file would be larger than 1 MiB, which subcog refuses to read"_s);
    writeAtomically(memory.id, bytes);
    Entry entry;
    entry.memory = memory;
    entry.memory.flags = encrypt ? MemoryFlags(MemoryFlag::Encrypted) : MemoryFlags {};
    entry.memory.domainParts = memory.domainForWrite();
    entry.memory.embedding = memory.embedding;
    entry.unknownKeys = unknown;
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(m_folder + u'/' + memory.id + u".json"_s).constData(), &st) == 0) {
        entry.modified = modifiedNs(st);
        entry.size = st.st_size;
    }
    m_entries.insert(memory.id, std::move(entry));
    m_damaged.remove(memory.id + u".json"_s);
    ++m_generation;
}

bool FilesystemBackend::remove(const QString& id)
{
    checkWritable();
    if (!isSafeId(id))
        return false;
    const QString path = m_folder + u'/' + id + u".json"_s;
    const bool removed = ::unlink(QFile::encodeName(path).constData()) == 0;
    if (!removed && errno != ENOENT)
        throw StorageError(StorageError::Kind::OperationFailed, path + u": cannot delete: "_s + errnoText());
    if (removed) {
        const int dirFd = ::open(QFile::encodeName(m_folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirFd >= 0) {
            ::fsync(dirFd);
            ::close(dirFd);
        }
    }
    m_entries.remove(id);
    m_damaged.remove(id + u".json"_s);
    ++m_generation;
    return removed;
}

} // namespace Inspector
