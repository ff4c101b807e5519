// SPDX-License-Identifier: MIT
#include "jsonlbackend.h"

#include "lifecyclefilter.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr qint64 kBlock = 4 * 1024 * 1024;

QString lineName(qint64 line)
{
    return u"line "_s + QString::number(line);
}

/// The line as the decoder reads it: no surrounding white space (a `\r` of CRLF files), no byte order mark.
QByteArrayView trimmedLine(QByteArrayView line, bool first)
{
    if (first && line.startsWith("\xEF\xBB\xBF"))
        line = line.sliced(3);
    return line.trimmed();
}
/// Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF), with an ASCII fast path.
bool isValidUtf8(QByteArrayView bytes)
{
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* const end = p + bytes.size();
    while (p < end) {
        const unsigned c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int n = 0;
        unsigned min = 0;
        unsigned cp = 0;
        if ((c & 0xe0) == 0xc0) {
            n = 1;
            min = 0x80;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            min = 0x800;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            min = 0x10000;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (end - p <= n)
            return false;
        for (int i = 1; i <= n; ++i) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += n + 1;
    }
    return true;
}
} // namespace

JsonlBackend::JsonlBackend(QString path)
    : m_path(std::move(path))
    , m_file(m_path)
{
}

JsonlBackend::~JsonlBackend() = default;

QString JsonlBackend::kind() const
{
    return u"jsonl"_s;
}

std::unique_ptr<JsonlBackend> JsonlBackend::open(const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists())
        throw StorageError(StorageError::Kind::NotFound, path + u": no such file"_s);
    if (info.isDir())
        throw StorageError(StorageError::Kind::InvalidInput, path + u": is a folder, not a JSON Lines file"_s);
    if (!info.isFile())
        // content is read again at its offset when asked for, which a pipe or a device cannot do
        throw StorageError(StorageError::Kind::InvalidInput,
                           path + u": not a regular file (save the JSON Lines to a file first)"_s);
    std::unique_ptr<JsonlBackend> backend(new JsonlBackend(info.absoluteFilePath()));
    if (!backend->m_file.open(QIODevice::ReadOnly))
        throw StorageError(StorageError::Kind::OperationFailed,
                           path + u": cannot read: "_s + backend->m_file.errorString());
    backend->readIndex();
    return backend;
}

JsonlBackend::FileState JsonlBackend::stat() const
{
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(m_path).constData(), &st) != 0)
        return {};
    return {qint64(st.st_size), qint64(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec, quint64(st.st_ino)};
}

void JsonlBackend::checkUnchanged() const
{
    if (stat() != m_state)
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_path
                               + u": the file changed after it was opened (size, modification time or a new file); "
                                 u"open it again to read the new contents"_s);
}

void JsonlBackend::checkInterrupted() const
{
    if (m_interrupted.load(std::memory_order_relaxed))
        throw StorageError(StorageError::Kind::Cancelled, m_path + u": cancelled"_s);
}

std::optional<Memory> JsonlBackend::decodeLine(QByteArrayView line, QString* reason, bool* invalidUtf8)
{
    auto fail = [&](const QString& why) {
        *reason = why;
        return std::nullopt;
    };
    QJsonParseError error {};
    QJsonDocument doc;
    if (isValidUtf8(line)) {
        doc = QJsonDocument::fromJson(line.toByteArray(), &error);
    } else {
        // as the other stores read text that is not UTF-8: each invalid sequence becomes U+FFFD (Qt's parser would
        // do so too, but silently)
        doc = QJsonDocument::fromJson(QString::fromUtf8(line).toUtf8(), &error);
        if (invalidUtf8)
            *invalidUtf8 = true;
    }
    if (error.error != QJsonParseError::NoError)
        return fail(u"not JSON: "_s + error.errorString() + u" at byte "_s + QString::number(error.offset));
    if (!doc.isObject())
        return fail(u"not a JSON object"_s);
    const QJsonObject o = doc.object();
    Memory m;
    QString bad;
    auto text = [&](const char* key, QString* out) {
        const QJsonValue v = o.value(QLatin1StringView(key));
        if (v.isUndefined())
            return;
        if (!v.isString())
            bad = u"\""_s + QLatin1StringView(key) + u"\" is not a string"_s;
        else
            *out = v.toString();
    };
    auto optionalText = [&](const char* key, std::optional<QString>* out) {
        const QJsonValue v = o.value(QLatin1StringView(key));
        if (v.isUndefined() || v.isNull())
            return;
        if (!v.isString())
            bad = u"\""_s + QLatin1StringView(key) + u"\" is neither a string nor null"_s;
        else
            *out = v.toString();
    };
    auto integer = [&](const char* key) -> std::optional<qint64> {
        const QJsonValue v = o.value(QLatin1StringView(key));
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        const qint64 n = v.toInteger();
        if (!v.isDouble() || double(n) != v.toDouble()) {
            bad = u"\""_s + QLatin1StringView(key) + u"\" is not a whole number"_s;
            return std::nullopt;
        }
        return n;
    };
    auto strings = [&](const char* key) -> std::optional<QStringList> {
        const QJsonValue v = o.value(QLatin1StringView(key));
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        QStringList list;
        if (!v.isArray()) {
            bad = u"\""_s + QLatin1StringView(key) + u"\" is not an array of strings"_s;
            return std::nullopt;
        }
        for (const QJsonValue item : v.toArray()) {
            if (!item.isString()) {
                bad = u"\""_s + QLatin1StringView(key) + u"\" is not an array of strings"_s;
                return std::nullopt;
            }
            list << item.toString();
        }
        return list;
    };
    const QJsonValue id = o.value("id"_L1);
    if (!id.isString() || id.toString().isEmpty())
        return fail(u"no \"id\" string"_s);
    m.id = id.toString();
    text("content", &m.content);
    text("namespace", &m.namespaceName);
    text("domain", &m.domain);
    optionalText("project_id", &m.projectId);
    optionalText("branch", &m.branch);
    optionalText("file_path", &m.filePath);
    text("status", &m.status);
    m.createdAt = integer("created_at").value_or(0);
    m.updatedAt = integer("updated_at").value_or(m.createdAt);
    m.tombstonedAt = integer("tombstoned_at");
    m.expiresAt = integer("expires_at");
    m.tags = strings("tags").value_or(QStringList {});
    optionalText("source", &m.source);
    const QJsonValue summary = o.value("is_summary"_L1);
    if (!summary.isUndefined() && !summary.isNull() && !summary.isBool())
        bad = u"\"is_summary\" is not true or false"_s;
    m.isSummary = summary.toBool(false);
    m.sourceMemoryIds = strings("source_memory_ids");
    m.consolidationTimestamp = integer("consolidation_timestamp");
    optionalText("group_id", &m.groupId);
    if (!bad.isEmpty())
        return fail(u"memory "_s + m.id + u": "_s + bad);
    m.flagEnumStrings();
    return m;
}

void JsonlBackend::readIndex()
{
    const FileState before = stat();
    m_state = before;
    QByteArray line; // the line being gathered, up to the limit
    qint64 lineStart = 0;
    qint64 lineLength = 0;
    qint64 offset = 0;
    // a file that is not JSON Lines at all (a database renamed .jsonl) has a bad line every few bytes: the first
    // problems are named, the rest counted
    constexpr qsizetype kIssueLimit = 10000;
    qint64 unlisted = 0;
    bool unlistedUnreadable = false;
    auto report = [&](RecordIssue issue) {
        if (m_issues.size() < kIssueLimit) {
            m_issues << std::move(issue);
        } else {
            ++unlisted;
            unlistedUnreadable = unlistedUnreadable || issue.unreadable;
        }
    };
    QSet<QString> pool;
    constexpr qsizetype kPoolLimit = 100000; // distinct strings shared; past it (unique paths) each keeps its own
    auto finish = [&] {
        ++m_lines;
        const qint64 number = m_lines;
        if (lineLength > kLineLimit) {
            ++m_badLines;
            report(RecordIssue {lineName(number),
                                u"longer than the 64 MiB a line may have ("_s + QString::number(lineLength)
                                    + u" bytes); skipped"_s,
                                true});
            return;
        }
        const QByteArrayView view = trimmedLine(line, number == 1);
        if (view.isEmpty())
            return; // blank lines are no records
        QString reason;
        bool invalidUtf8 = false;
        std::optional<Memory> m = decodeLine(view, &reason, &invalidUtf8);
        if (!m) {
            ++m_badLines;
            report(RecordIssue {lineName(number), reason, true});
            return;
        }
        if (invalidUtf8)
            report(RecordIssue {m->id, invalidUtf8Reason(lineName(number))});
        m->content = QString(); // read again from the file when asked for
        // the same namespace, status, project, branch, tag… in thousands of memories: one shared copy of each
        auto intern = [&](QString& text) {
            if (text.isEmpty())
                return;
            const auto it = pool.constFind(text);
            if (it != pool.constEnd())
                text = *it;
            else if (pool.size() < kPoolLimit)
                pool.insert(text);
        };
        auto internOptional = [&](std::optional<QString>& text) {
            if (text)
                intern(*text);
        };
        intern(m->namespaceName);
        intern(m->domain);
        intern(m->status);
        internOptional(m->projectId);
        internOptional(m->branch);
        internOptional(m->filePath);
        internOptional(m->source);
        internOptional(m->groupId);
        for (QString& tag : m->tags)
            intern(tag);
        Entry entry {std::move(*m), lineStart, lineLength, number};
        const auto it = m_byId.constFind(entry.memory.id);
        if (it != m_byId.constEnd()) {
            ++m_duplicates;
            report(RecordIssue {entry.memory.id,
                                u"on "_s + lineName(m_entries[*it].line) + u" and "_s + lineName(number)
                                    + u": the last line is read"_s});
            m_entries[*it] = std::move(entry);
        } else {
            m_byId.insert(entry.memory.id, qsizetype(m_entries.size()));
            m_entries.push_back(std::move(entry));
        }
    };
    auto take = [&](const char* bytes, qint64 n) {
        if (lineLength + n <= kLineLimit)
            line.append(bytes, n);
        else
            line.clear(); // too long: only its length is kept
        lineLength += n;
    };
    for (;;) {
        checkInterrupted();
        const QByteArray block = m_file.read(kBlock);
        if (block.isEmpty()) {
            if (m_file.error() != QFileDevice::NoError)
                throw StorageError(StorageError::Kind::OperationFailed,
                                   m_path + u": cannot read: "_s + m_file.errorString());
            break;
        }
        const char* p = block.constData();
        const char* const end = p + block.size();
        while (p < end) {
            const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
            take(p, (nl ? nl : end) - p);
            if (!nl)
                break;
            finish();
            lineStart = offset + (nl - block.constData()) + 1;
            lineLength = 0;
            line.clear();
            p = nl + 1;
        }
        offset += block.size();
    }
    if (lineLength > 0)
        finish(); // the last line need not end in a newline
    if (offset != before.size || stat() != before)
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_path
                               + u": the file changed while it was read (another program is writing it); "
                                 u"open it again when it is complete"_s);
    if (unlisted > 0)
        m_issues << RecordIssue {u"lines"_s,
                                 QString::number(unlisted)
                                     + u" more problems (lines that are not memories, repeated ids) not listed"_s,
                                 unlistedUnreadable};
    m_entries.shrink_to_fit();
}

QStringList JsonlBackend::describeLayout() const
{
    QStringList lines;
    lines << u"JSON Lines backup (read-only): "_s + QString::number(qint64(m_entries.size())) + u" memories in "_s
            + QString::number(m_lines) + u" lines"_s;
    if (m_badLines) {
        lines << QString::number(m_badLines) + u" lines are not memories and are skipped:"_s;
        // the first few, so `info` tells where to look; export and copy name every one
        constexpr int kShown = 5;
        int shown = 0;
        for (const RecordIssue& issue : m_issues) {
            if (!issue.unreadable)
                continue;
            if (shown++ == kShown) {
                lines << u"  … and "_s + QString::number(m_badLines - kShown) + u" more"_s;
                break;
            }
            lines << u"  "_s + issue.id + u": "_s + issue.reason;
        }
    }
    if (m_duplicates)
        lines << QString::number(m_duplicates) + u" ids occur on more than one line: the last line of each is read"_s;
    return lines;
}

void JsonlBackend::refuseWrite() const
{
    throw StorageError(StorageError::Kind::InvalidInput,
                       m_path + u": a JSON Lines file is a read-only store (restore from it with copy FILE STORE)"_s);
}

void JsonlBackend::store(const Memory&)
{
    refuseWrite();
}

void JsonlBackend::storeBatch(const QList<Memory>&)
{
    refuseWrite();
}

bool JsonlBackend::remove(const QString&)
{
    refuseWrite();
}

void JsonlBackend::storeEdges(const QList<MemoryEdge>& edges)
{
    if (!edges.isEmpty())
        refuseWrite();
}

QString JsonlBackend::embeddingsUnavailable() const
{
    return u"a JSON Lines export holds no embeddings"_s;
}

Memory JsonlBackend::withContent(const Entry& entry)
{
    checkUnchanged();
    auto changed = [&] {
        return StorageError(StorageError::Kind::OperationFailed,
                            m_path + u": "_s + lineName(entry.line)
                                + u" is not what it was when the file was opened; open it again"_s);
    };
    if (!m_file.seek(entry.offset))
        throw changed();
    const QByteArray bytes = m_file.read(entry.length);
    if (bytes.size() != entry.length)
        throw changed();
    QString reason;
    std::optional<Memory> m = decodeLine(trimmedLine(bytes, entry.line == 1), &reason);
    if (!m || m->id != entry.memory.id)
        throw changed();
    Memory result = entry.memory;
    result.content = std::move(m->content);
    return result;
}

const QList<qsizetype>& JsonlBackend::sorted(const MemoryQuery& query)
{
    if (m_order.valid && m_order.filter == query.filter && m_order.key == query.sortKey && m_order.order == query.order
        && m_order.idOrder == query.idOrder)
        return m_order.rows;
    m_order.valid = false;
    QList<qsizetype> rows;
    const bool needsContent = !query.filter.words.isEmpty();
    MemoryFilter filter = query.filter;
    if (filter.hasEdges) {
        // no edge table: the edges of the summaries' source lists
        Lifecycle::SourceEdges edges;
        for (const Entry& entry : m_entries)
            edges.add(entry.memory.id, entry.memory.sourceMemoryIds);
        filter = Lifecycle::withEdgeIds(filter, edges.ids());
    }
    for (qsizetype i = 0; i < qsizetype(m_entries.size()); ++i) {
        if ((i & 1023) == 0)
            checkInterrupted();
        // full-text words need the content: read from the file, the rest from the index
        if (needsContent ? filter.matches(withContent(m_entries[i])) : filter.matches(m_entries[i].memory))
            rows << i;
    }
    quint32 compared = 0;
    std::sort(rows.begin(), rows.end(), [&](qsizetype a, qsizetype b) {
        if ((++compared & 4095) == 0)
            checkInterrupted();
        return query.comesBefore(m_entries[a].memory, m_entries[b].memory);
    });
    m_order.filter = query.filter;
    m_order.key = query.sortKey;
    m_order.order = query.order;
    m_order.idOrder = query.idOrder;
    m_order.rows = std::move(rows);
    m_order.valid = true;
    return m_order.rows;
}

QStringList JsonlBackend::listIds()
{
    startCall();
    QStringList ids;
    for (const qsizetype row : sorted(MemoryQuery {}))
        ids << m_entries[row].memory.id;
    return ids;
}

Page JsonlBackend::query(const MemoryQuery& query)
{
    startCall();
    checkUnchanged();
    const QList<qsizetype>& rows = sorted(query);
    qsizetype start = 0;
    qsizetype end = rows.size();
    if (query.after) {
        // the cursor's row, or where it would be: the file does not change, but a cursor may come from another store
        Memory probe;
        probe.id = query.after->id;
        probe.createdAt = query.after->key.toLongLong();
        probe.namespaceName = probe.status = query.after->key.toString();
        const auto it = m_byId.constFind(probe.id);
        if (it != m_byId.constEnd())
            probe = m_entries[*it].memory;
        const qsizetype split = std::partition_point(rows.begin(), rows.end(),
                                                     [&](qsizetype row) {
                                                         const Memory& m = m_entries[row].memory;
                                                         return query.comesBefore(m, probe) || m.id == probe.id;
                                                     })
            - rows.begin();
        if (query.fromEnd)
            end = it != m_byId.constEnd() && split > 0 && m_entries[rows[split - 1]].memory.id == probe.id ? split - 1
                                                                                                           : split;
        else
            start = split;
    }
    if (query.skip > 0) {
        if (query.fromEnd)
            end = qMax(start, end - qsizetype(query.skip));
        else
            start = qMin(end, start + qsizetype(query.skip));
    }
    Page page;
    const qsizetype limit = qMax(query.limit, 0);
    const qsizetype first = query.fromEnd ? qMax(start, end - limit) : start;
    const qsizetype last = query.fromEnd ? end : qMin(end, start + limit);
    for (qsizetype i = first; i < last; ++i)
        page.memories << (query.withContent ? withContent(m_entries[rows[i]]) : m_entries[rows[i]].memory);
    const bool more = query.fromEnd ? first > start : last < end;
    if (more && !page.memories.isEmpty())
        page.next = Cursor::of(query.fromEnd ? page.memories.first() : page.memories.last(), query.sortKey);
    return page;
}

qint64 JsonlBackend::count()
{
    return qint64(m_entries.size());
}

qint64 JsonlBackend::count(const MemoryFilter& filter)
{
    startCall();
    if (filter.isEmpty())
        return qint64(m_entries.size());
    MemoryQuery query;
    query.filter = filter;
    return sorted(query).size();
}

std::optional<qint64> JsonlBackend::rowOf(const MemoryQuery& query, const QString& id)
{
    startCall();
    const auto it = m_byId.constFind(id);
    if (it == m_byId.constEnd())
        return std::nullopt;
    const qsizetype row = sorted(query).indexOf(*it);
    return row < 0 ? std::nullopt : std::optional<qint64>(row);
}

bool JsonlBackend::exists(const QString& id)
{
    return m_byId.contains(id);
}

std::optional<Memory> JsonlBackend::get(const QString& id)
{
    const auto it = m_byId.constFind(id);
    if (it == m_byId.constEnd())
        return std::nullopt;
    return withContent(m_entries[*it]);
}

QList<Memory> JsonlBackend::getBatch(const QStringList& ids, QList<RecordIssue>*)
{
    startCall();
    QList<Memory> result;
    QSet<QString> seen;
    for (const QString& id : ids) {
        if (seen.contains(id))
            continue;
        seen.insert(id);
        const auto it = m_byId.constFind(id);
        if (it != m_byId.constEnd())
            result << withContent(m_entries[*it]);
    }
    return result;
}

} // namespace Inspector
