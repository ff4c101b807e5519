// SPDX-License-Identifier: MIT
#include "filesystembackend.h"

#include "encryption.h"
#include "filesysteminternal.h"
#include "lifecyclefilter.h"
#include "memoryfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSet>

#include <algorithm>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace FolderFiles;

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
        locked += e.isLocked() ? 1 : 0;
        encrypted += e.isEncrypted() ? 1 : 0;
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

void FilesystemBackend::checkInterrupted() const
{
    if (m_interrupted.load(std::memory_order_relaxed))
        throw StorageError(StorageError::Kind::Cancelled, m_folder + u": cancelled"_s);
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

MemoryFilter FilesystemBackend::resolved(const MemoryFilter& filter)
{
    MemoryFilter f = filter.entities.isEmpty()
        ? filter
        : withMentionedIds(filter, m_graph.graph().memoriesMentioning(filter.entities));
    if (f.hasEdges) {
        // no edge table: the edges of the summaries' source lists
        Lifecycle::SourceEdges edges;
        Memory m;
        for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
            if (it->sourceIds) {
                m_index.fill(m, it.key(), it.value(), false);
                edges.add(it.key(), m.sourceMemoryIds);
            }
        }
        f = Lifecycle::withEdgeIds(f, edges.ids());
    }
    return f;
}

const QList<QString>& FilesystemBackend::sortedIds(const MemoryQuery& query)
{
    // the graph can change under the same filter: entity: words are resolved again each time
    if (query.filter.entities.isEmpty() && m_order.generation == m_generation && m_order.filter == query.filter
        && m_order.key == query.sortKey && m_order.order == query.order && m_order.idOrder == query.idOrder)
        return m_order.ids;
    const MemoryFilter filter = resolved(query.filter);
    std::vector<Ref> matching;
    matching.reserve(size_t(m_entries.size()));
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it)
        matching.push_back(Ref {&it.key(), &it.value()});
    if (!filter.words.isEmpty()) {
        // full-text words need the content, which the index does not keep
        const std::vector<char> keep = matchWithContent(filter, matching);
        qsizetype kept = 0;
        for (size_t i = 0; i < matching.size(); ++i) {
            if (keep[i])
                matching[size_t(kept++)] = matching[i];
        }
        matching.resize(size_t(kept));
    } else if (!filter.isEmpty()) {
        Memory m; // one memory filled again for each entry: its lists keep their capacity
        const MemoryFilter& f = filter;
        const bool withTags = !f.tagsAll.isEmpty() || !f.tagsAny.isEmpty() || !f.tagsNone.isEmpty();
        qsizetype looked = 0;
        const auto end = std::remove_if(matching.begin(), matching.end(), [&](const Ref& ref) {
            if ((++looked & 1023) == 0)
                checkInterrupted();
            m_index.fill(m, *ref.id, *ref.entry, withTags);
            return !filter.matches(m);
        });
        matching.erase(end, matching.end());
    }
    quint32 compared = 0;
    const bool byText = query.sortKey == SortKey::Namespace || query.sortKey == SortKey::Status;
    const QString none;
    // a throw out of the sort leaves only `matching` unordered, and it is dropped
    std::sort(matching.begin(), matching.end(), [&](const Ref& a, const Ref& b) {
        if ((++compared & 4095) == 0)
            checkInterrupted();
        return FolderIndex::comesBefore(query, a.entry->createdAt, byText ? m_index.sortText(query, *a.entry) : none,
                                        *a.id, b.entry->createdAt, byText ? m_index.sortText(query, *b.entry) : none,
                                        *b.id);
    });
    m_order.generation = m_generation;
    m_order.filter = query.filter;
    m_order.key = query.sortKey;
    m_order.order = query.order;
    m_order.idOrder = query.idOrder;
    m_order.ids.clear();
    m_order.ids.reserve(qsizetype(matching.size()));
    for (const Ref& ref : matching)
        m_order.ids << *ref.id;
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
            const qint64 created = query.after->key.toLongLong();
            const QString text = query.after->key.toString();
            auto before = [&](const QString& id) {
                const Entry& e = *m_entries.constFind(id);
                return FolderIndex::comesBefore(query, e.createdAt, m_index.sortText(query, e), id, created, text,
                                                query.after->id);
            };
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
    const QStringList rows = ids.mid(first, last - first); // the order is made anew if a read changes the index
    const bool more = query.fromEnd ? first > start : last < end;
    if (more && !rows.isEmpty()) {
        const QString& boundary = query.fromEnd ? rows.first() : rows.last();
        page.next = Cursor::of(m_index.memory(boundary, *m_entries.constFind(boundary)), query.sortKey);
    }
    if (!query.withContent) {
        for (const QString& id : rows)
            page.memories << m_index.memory(id, *m_entries.constFind(id));
        return page;
    }
    // content from the files; one that changed meanwhile is shown as it is now (and the index follows), one that
    // cannot be read any more is reported
    std::vector<ReadResult> reads = readMany(rows);
    for (qsizetype i = 0; i < rows.size(); ++i) {
        ReadResult& r = reads[size_t(i)];
        if (r.read)
            page.memories << std::move(r.read->memory);
        else if (!r.gone)
            page.issues << RecordIssue {rows[i], r.reason, true};
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
    Memory m;
    auto add = [&](const QString& id, const Entry& entry) {
        m_index.fill(m, id, entry);
        builder.addMemory(m, entry.hasEmbedding());
    };
    qint64 seen = 0;
    const MemoryFilter resolvedFilter = resolved(filter);
    if (!resolvedFilter.words.isEmpty()) {
        // full-text words read the content: the filter's rows, as the table has them
        MemoryQuery query;
        query.filter = filter;
        for (const QString& id : sortedIds(query)) {
            if ((++seen & 1023) == 0)
                checkInterrupted();
            add(id, *m_entries.constFind(id));
        }
        return builder.finish();
    }
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if ((++seen & 1023) == 0)
            checkInterrupted();
        m_index.fill(m, it.key(), it.value());
        if (resolvedFilter.matches(m))
            builder.addMemory(m, it->hasEmbedding());
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
    QString reason;
    bool gone = false;
    std::optional<FileRead> read = readFile(name, ReadMode::Full, &reason, &gone);
    const auto it = m_entries.find(id);
    if (!read && gone) {
        if (it != m_entries.end()) {
            m_entries.erase(it);
            ++m_generation;
        }
        return std::nullopt;
    }
    if (!read) {
        m_entries.remove(id);
        m_damaged.insert(name, reason);
        ++m_generation;
        throw StorageError(StorageError::Kind::OperationFailed, m_folder + u'/' + name + u": "_s + reason);
    }
    if (it == m_entries.end() || !it->sameFile(read->modified, read->size, read->inode)) {
        m_damaged.remove(name);
        m_entries.insert(id, entryOf(*read));
        ++m_generation;
    }
    return std::move(read->memory);
}

QList<Memory> FilesystemBackend::getBatch(const QStringList& ids, QList<RecordIssue>* issues)
{
    startCall();
    QStringList indexed;
    QSet<QString> seen;
    for (const QString& id : ids) {
        if (seen.contains(id))
            continue;
        seen.insert(id);
        if (m_entries.contains(id))
            indexed << id;
        else if (issues && m_damaged.contains(id + u".json"_s))
            issues->append(RecordIssue {id, m_damaged.value(id + u".json"_s), true});
    }
    QList<Memory> result;
    std::vector<ReadResult> reads = readMany(indexed);
    for (qsizetype i = 0; i < indexed.size(); ++i) {
        ReadResult& r = reads[size_t(i)];
        if (r.read)
            result << std::move(r.read->memory);
        else if (issues && !r.gone)
            issues->append(RecordIssue {indexed[i], r.reason, true});
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
    const QString name = memory.id + u".json"_s;
    const auto it = m_entries.constFind(memory.id);
    // the file as it is now: its unknown keys are kept, and an unchanged memory is not written
    std::optional<FileRead> current;
    if (it != m_entries.constEnd()) {
        QString reason;
        current = readFile(name, ReadMode::Full, &reason);
    }
    const bool locked
        = current ? current->memory.flags.testFlag(MemoryFlag::Locked) : it != m_entries.constEnd() && it->isLocked();
    if (locked)
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_folder + u"/"_s + name + u": encrypted, and no key was given to rewrite it"_s);
    if (current && current->memory.sameFields(memory) && current->memory.domainForWrite() == memory.domainForWrite())
        return; // nothing changed: the file stays byte for byte as it is
    const QJsonObject unknown = current ? current->unknownKeys : QJsonObject {};
    QByteArray bytes = serializeMemoryFile(memory, unknown);
    const bool encrypt = current     ? current->memory.flags.testFlag(MemoryFlag::Encrypted)
        : it != m_entries.constEnd() ? it->isEncrypted()
                                     : m_options.encryptNewFiles;
    if (encrypt) {
        if (!m_options.key)
            throw StorageError(StorageError::Kind::OperationFailed,
                               m_folder + u": memory "_s + memory.id + u": needs an encryption key"_s);
        bytes = Encryption::encrypt(bytes, *m_options.key);
    }
    if (bytes.size() > kReadLimit)
        invalid(u"the file would be larger than 1 MiB, which subcog refuses to read"_s);
    writeAtomically(memory.id, bytes);
    // the index holds what the file now says, as a read of it would
    FileRead written;
    written.memory = memory;
    written.memory.content.clear();
    written.memory.embedding.reset();
    written.memory.flags = encrypt ? MemoryFlags(MemoryFlag::Encrypted) : MemoryFlags {};
    written.memory.domainParts = memory.domainForWrite();
    written.memory.domain = written.memory.domainParts->toString();
    written.memory.flagEnumStrings();
    written.hasEmbedding = memory.embedding && !memory.embedding->isEmpty();
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(m_folder + u'/' + name).constData(), &st) == 0) {
        written.modified = modifiedNs(st);
        written.size = st.st_size;
        written.inode = st.st_ino;
    }
    m_entries.insert(memory.id, entryOf(written));
    m_damaged.remove(name);
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
