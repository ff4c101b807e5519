// SPDX-License-Identifier: MIT
#include "auditlog.h"

#include "storeopener.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <cstring>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr qint64 kChunk = 1 << 20;
constexpr int kTailBytes = 64;
constexpr size_t kMaxHeads = 4096; // open chains remembered: far more than subcog processes writing at once
// an audit entry is a few hundred bytes; a longer "line" (a torn write, a hostile file) is not JSON worth holding
constexpr qsizetype kMaxLine = 1 << 20;
constexpr int kMaxDepth = 1024; // as QJsonDocument's parser

/// A validating JSON scanner for the index pass: it checks a line is one JSON object and picks out the raw
/// string values of the three top-level members the index needs, at a fraction of QJsonDocument's cost.
class LineScanner
{
public:
    struct Member
    {
        QByteArrayView raw; ///< between the quotes, escapes undone only if `escaped`
        bool present = false;
        bool escaped = false;
    };
    Member resource, signature, previous;

    explicit LineScanner(QByteArrayView line)
        : m_p(line.data())
        , m_end(line.data() + line.size())
    {
    }

    bool scanObjectLine()
    {
        skipSpace();
        if (m_p == m_end || *m_p != '{')
            return false;
        if (!object(true))
            return false;
        skipSpace();
        return m_p == m_end;
    }

private:
    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\r' || *m_p == '\n'))
            ++m_p;
    }
    static bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
    bool string(Member* into)
    {
        ++m_p; // the opening quote
        const char* start = m_p;
        bool escaped = false;
        while (m_p < m_end) {
            const auto c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                if (into)
                    *into = Member {QByteArrayView(start, m_p - start), true, escaped};
                ++m_p;
                return true;
            }
            if (c < 0x20)
                return false;
            if (c == '\\') {
                escaped = true;
                if (++m_p == m_end)
                    return false;
                if (*m_p == 'u') {
                    if (m_end - m_p < 5)
                        return false;
                    for (int i = 1; i <= 4; ++i) {
                        if (!isHex(m_p[i]))
                            return false;
                    }
                    m_p += 5;
                    continue;
                }
                if (*m_p == '\0' || !std::strchr("\"\\/bfnrt", *m_p))
                    return false;
            }
            ++m_p;
        }
        return false;
    }
    bool digits()
    {
        const char* start = m_p;
        while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        return m_p > start;
    }
    bool number()
    {
        if (*m_p == '-')
            ++m_p;
        if (m_p == m_end)
            return false;
        if (*m_p == '0')
            ++m_p;
        else if (!digits())
            return false;
        if (m_p < m_end && *m_p == '.') {
            ++m_p;
            if (!digits())
                return false;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            if (!digits())
                return false;
        }
        return true;
    }
    bool literal(QByteArrayView word)
    {
        if (m_end - m_p < word.size() || QByteArrayView(m_p, word.size()) != word)
            return false;
        m_p += word.size();
        return true;
    }
    bool value(Member* into)
    {
        skipSpace();
        if (m_p == m_end)
            return false;
        switch (*m_p) {
        case '{':
            return object(false);
        case '[':
            return array();
        case '"':
            return string(into);
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default:
            return number();
        }
    }
    bool array()
    {
        if (++m_depth > kMaxDepth)
            return false;
        ++m_p;
        skipSpace();
        if (m_p < m_end && *m_p == ']') {
            ++m_p;
            --m_depth;
            return true;
        }
        while (true) {
            if (!value(nullptr))
                return false;
            skipSpace();
            if (m_p == m_end)
                return false;
            if (*m_p == ']') {
                ++m_p;
                --m_depth;
                return true;
            }
            if (*m_p++ != ',')
                return false;
        }
    }
    bool object(bool top)
    {
        if (++m_depth > kMaxDepth)
            return false;
        ++m_p;
        skipSpace();
        if (m_p < m_end && *m_p == '}') {
            ++m_p;
            --m_depth;
            return true;
        }
        while (true) {
            skipSpace();
            if (m_p == m_end || *m_p != '"')
                return false;
            Member key;
            if (!string(&key))
                return false;
            skipSpace();
            if (m_p == m_end || *m_p++ != ':')
                return false;
            Member* into = nullptr;
            if (top && !key.escaped) {
                if (key.raw == "resource")
                    into = &resource;
                else if (key.raw == "hmac_signature")
                    into = &signature;
                else if (key.raw == "previous_hmac")
                    into = &previous;
            }
            if (into)
                *into = {}; // a later duplicate wins, as in serde and QJsonDocument; null means absent
            if (!value(into))
                return false;
            skipSpace();
            if (m_p == m_end)
                return false;
            if (*m_p == '}') {
                ++m_p;
                --m_depth;
                return true;
            }
            if (*m_p++ != ',')
                return false;
        }
    }

    const char* m_p;
    const char* m_end;
    int m_depth = 0;
};

QByteArray decoded(const LineScanner::Member& m)
{
    if (!m.escaped)
        return m.raw.toByteArray();
    // rare: let Qt undo the escapes of this one string
    const QJsonDocument doc = QJsonDocument::fromJson("[\"" + m.raw.toByteArray() + "\"]");
    return doc.array().at(0).toString().toUtf8();
}

QString text(const QJsonObject& o, QLatin1StringView key)
{
    const QJsonValue v = o.value(key);
    if (v.isString())
        return v.toString();
    if (v.isUndefined() || v.isNull())
        return {};
    return QString::fromUtf8(QJsonDocument(QJsonArray {v}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}
} // namespace

AuditLogIndex::AuditLogIndex(QString path)
    : m_path(std::move(path))
{
}

QString AuditLogIndex::memoryIdOf(const QString& resource)
{
    if (resource.startsWith("subcog://"_L1))
        return resource.mid(resource.lastIndexOf(u'/') + 1);
    return resource;
}

std::optional<AuditEvent> AuditLogIndex::parseLine(QByteArrayView line)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    AuditEvent e;
    e.entryId = text(o, "id"_L1);
    e.timestamp = text(o, "timestamp"_L1);
    e.eventType = text(o, "event_type"_L1);
    e.action = text(o, "action"_L1);
    e.actor = text(o, "actor"_L1);
    e.outcome = text(o, "outcome"_L1);
    e.resource = text(o, "resource"_L1);
    const QJsonValue metadata = o.value("metadata"_L1);
    if (metadata.isObject())
        e.metadata = QJsonDocument(metadata.toObject()).toJson(QJsonDocument::Indented);
    else if (metadata.isArray())
        e.metadata = QJsonDocument(metadata.toArray()).toJson(QJsonDocument::Indented);
    else if (!metadata.isNull() && !metadata.isUndefined())
        e.metadata = text(o, "metadata"_L1).toUtf8();
    e.isSigned = o.value("hmac_signature"_L1).isString() && o.value("previous_hmac"_L1).isString();
    return e;
}

void AuditLogIndex::reset()
{
    const qint64 reindexed = m_summary.reindexed;
    m_summary = {};
    m_summary.reindexed = reindexed;
    m_tail.clear();
    m_byMemory.clear();
    m_breakLines.clear();
    m_heads.clear();
    m_headOrder.clear();
    m_device = m_inode = 0;
}

void AuditLogIndex::link(qint64 line, QByteArrayView previous, QByteArrayView signature)
{
    ++m_summary.signedEntries;
    bool linked = false;
    if (previous == "genesis") {
        ++m_summary.chainStarts;
        linked = true;
    } else if (!previous.isEmpty()) {
        linked = m_heads.remove(previous.toByteArray()) > 0;
    }
    if (!linked) {
        ++m_summary.chainBreaks;
        if (m_summary.firstBreakLine == 0)
            m_summary.firstBreakLine = line;
        m_breakLines.insert(line);
    }
    if (signature.isEmpty())
        return;
    m_heads.insert(signature.toByteArray(), line);
    m_headOrder.push_back(signature.toByteArray());
    if (m_headOrder.size() > 2 * kMaxHeads) {
        // heads already continued leave the queue; the open ones keep their order (a long-lived writer's chain
        // must not be given up because another wrote thousands of entries meanwhile)
        std::deque<QByteArray> open;
        for (QByteArray& head : m_headOrder) {
            if (m_heads.contains(head))
                open.push_back(std::move(head));
        }
        m_headOrder.swap(open);
    }
    while (m_heads.size() > qsizetype(kMaxHeads) && !m_headOrder.empty()) {
        // only more open chains than kMaxHeads give up the oldest (its continuation is then reported as a break)
        m_heads.remove(m_headOrder.front());
        m_headOrder.pop_front();
    }
}

void AuditLogIndex::indexLine(qint64 offset, QByteArrayView line)
{
    const qint64 number = ++m_summary.lines;
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.trimmed().isEmpty())
        return;
    LineScanner scan(line);
    if (!scan.scanObjectLine()) {
        ++m_summary.notJson;
        if (m_summary.notJsonLines.size() < AuditLogSummary::kListed)
            m_summary.notJsonLines << number;
        return;
    }
    ++m_summary.entries;
    if (scan.signature.present || scan.previous.present)
        link(number, decoded(scan.previous), decoded(scan.signature));
    if (scan.resource.present) {
        const QString id = memoryIdOf(QString::fromUtf8(decoded(scan.resource)));
        if (!id.isEmpty())
            m_byMemory[id].push_back(LineRef {offset, number});
    }
}

AuditLogIndex::Update AuditLogIndex::update(const std::function<bool(qint64, qint64)>& progress)
{
    m_error.clear();
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (file.exists())
            m_error = file.errorString();
        const bool had = m_summary.bytes > 0 || m_summary.lines > 0;
        reset();
        if (had)
            ++m_summary.reindexed;
        return Update::Missing;
    }
    struct stat st
    {
    };
    if (::fstat(file.handle(), &st) != 0) {
        m_error = u"cannot read its size"_s;
        return Update::Missing;
    }
    bool reindexed = false;
    const bool known = m_device != 0 || m_inode != 0;
    bool replaced = known && (quint64(st.st_dev) != m_device || quint64(st.st_ino) != m_inode);
    if (!replaced && st.st_size < m_summary.bytes)
        replaced = true; // truncated, or rotated by copy-and-truncate
    if (!replaced && !m_tail.isEmpty()) {
        file.seek(m_summary.bytes - m_tail.size());
        replaced = file.read(m_tail.size()) != m_tail; // rewritten in place
        m_bytesRead += m_tail.size();
    }
    if (replaced) {
        reset();
        ++m_summary.reindexed;
        reindexed = true;
    }
    m_device = quint64(st.st_dev);
    m_inode = quint64(st.st_ino);
    const qint64 size = st.st_size;
    if (size == m_summary.bytes) {
        m_summary.partialLastLine = false;
        return reindexed ? Update::Reindexed : Update::Unchanged;
    }
    if (!file.seek(m_summary.bytes)) {
        m_error = file.errorString();
        return Update::Missing;
    }
    const qint64 startLines = m_summary.lines;
    QByteArray carry; // the start of a line the previous chunk ended in
    qint64 overlong = -1; // bytes of a line longer than kMaxLine seen so far (its start kept in carry), or -1
    qint64 carryOffset = m_summary.bytes;
    qint64 position = m_summary.bytes;
    bool stopped = false;
    while (position < size) {
        const QByteArray chunk = file.read(qMin(kChunk, size - position));
        if (chunk.isEmpty())
            break; // shorter than it said: the next update notices
        position += chunk.size();
        m_bytesRead += chunk.size();
        qsizetype from = 0;
        while (true) {
            const qsizetype newline = chunk.indexOf('\n', from);
            if (newline < 0)
                break;
            if (overlong >= 0) {
                // counted as a line that is not JSON, from its start only
                indexLine(carryOffset, carry);
                carryOffset += overlong + (newline - from) + 1;
                carry.clear();
                overlong = -1;
            } else if (carry.isEmpty()) {
                indexLine(carryOffset, QByteArrayView(chunk).sliced(from, newline - from));
                carryOffset += newline - from + 1;
            } else {
                carry.append(QByteArrayView(chunk).sliced(from, newline - from));
                indexLine(carryOffset, carry);
                carryOffset += carry.size() + 1;
                carry.clear();
            }
            from = newline + 1;
        }
        if (overlong >= 0) {
            overlong += chunk.size() - from;
        } else {
            carry.append(QByteArrayView(chunk).sliced(from));
            if (carry.size() > kMaxLine) {
                overlong = carry.size();
                carry.truncate(64); // enough to be no JSON object; the rest is skipped up to the newline
            }
        }
        m_summary.bytes = carryOffset;
        if (progress && !progress(position, size)) {
            stopped = true;
            break;
        }
    }
    m_summary.partialLastLine = !stopped && !carry.isEmpty();
    if (m_summary.bytes > 0) {
        const qint64 tail = qMin<qint64>(kTailBytes, m_summary.bytes);
        file.seek(m_summary.bytes - tail);
        m_tail = file.read(tail);
        m_bytesRead += m_tail.size();
    }
    if (stopped)
        return Update::Stopped;
    if (reindexed)
        return Update::Reindexed;
    return m_summary.lines > startLines ? Update::Appended : Update::Unchanged;
}

QList<AuditEvent> AuditLogIndex::eventsOf(const QString& memoryId, int limit, qint64* total) const
{
    const auto it = m_byMemory.constFind(memoryId);
    const qsizetype count = it == m_byMemory.cend() ? 0 : qsizetype(it->size());
    if (total)
        *total = count;
    QList<AuditEvent> events;
    if (count == 0)
        return events;
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return events;
    const qsizetype first = qMax<qsizetype>(0, count - limit);
    events.reserve(count - first);
    for (qsizetype i = first; i < count; ++i) {
        const LineRef& ref = (*it)[size_t(i)];
        QByteArray line;
        if (file.seek(ref.offset))
            line = file.readLine(kMaxLine + 2);
        if (line.endsWith('\n'))
            line.chop(1);
        std::optional<AuditEvent> event = parseLine(line);
        if (!event || memoryIdOf(event->resource) != memoryId) {
            event = AuditEvent {};
            event->readable = false;
        }
        event->line = ref.line;
        event->chainBreak = m_breakLines.contains(ref.line);
        events << *event;
    }
    return events;
}

} // namespace Inspector

namespace Inspector {

QStringList auditLogCandidates(const QString& location)
{
    const StoreSpec spec = StoreSpec::parse(location);
    const QFileInfo info(QDir::cleanPath(spec.location));
    switch (spec.kind) {
    case StoreSpec::Kind::Sqlite: {
        const QDir folder = info.absoluteDir();
        QStringList candidates {folder.filePath(u"audit.log"_s)};
        if (folder.dirName() == "org"_L1)
            candidates << QFileInfo(folder.absolutePath()).absolutePath() + u"/audit.log"_s;
        return candidates;
    }
    case StoreSpec::Kind::Filesystem: {
        const QString folder = info.absoluteFilePath();
        QStringList candidates {folder + u"/audit.log"_s};
        if (info.fileName() == "memories"_L1)
            candidates << info.absolutePath() + u"/audit.log"_s;
        return candidates;
    }
    case StoreSpec::Kind::Postgres:
    case StoreSpec::Kind::Jsonl:
        break;
    }
    return {};
}

} // namespace Inspector
