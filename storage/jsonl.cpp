// SPDX-License-Identifier: MIT
#include "jsonl.h"

#include <charconv>
#include <cstring>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
/// Whether an ASCII character goes into a JSON string as it is.
inline bool isPlainAscii(unsigned c)
{
    return c >= 0x20 && c != '"' && c != '\\';
}

/// Writes the escape of an ASCII character that is not plain; returns the end.
char* writeEscape(char* p, unsigned char c)
{
    static constexpr char hex[] = "0123456789abcdef";
    *p++ = '\\';
    switch (c) {
    case '"':
    case '\\':
        *p++ = char(c);
        break;
    case '\n':
        *p++ = 'n';
        break;
    case '\r':
        *p++ = 'r';
        break;
    case '\t':
        *p++ = 't';
        break;
    case '\b':
        *p++ = 'b';
        break;
    case '\f':
        *p++ = 'f';
        break;
    default:
        *p++ = 'u';
        *p++ = '0';
        *p++ = '0';
        *p++ = hex[c >> 4];
        *p++ = hex[c & 0xf];
    }
    return p;
}
} // namespace

void appendJsonString(QByteArray& out, QStringView text)
{
    // Written straight into `out`: a temporary UTF-8 copy per string was a large part of an export's time.
    // Room for the worst case (\u00XX, 6 bytes a code unit), then cut back to what was written.
    const qsizetype start = out.size();
    out.resize(start + text.size() * 6 + 2);
    char* p = out.data() + start;
    *p++ = '"';
    const char16_t* s = text.utf16();
    const char16_t* const end = s + text.size();
    while (s < end) {
        const char16_t c = *s++;
        if (c < 0x80) {
            if (isPlainAscii(c))
                *p++ = char(c);
            else
                p = writeEscape(p, static_cast<unsigned char>(c));
        } else if (c < 0x800) {
            *p++ = char(0xc0 | (c >> 6));
            *p++ = char(0x80 | (c & 0x3f));
        } else if (QChar::isHighSurrogate(c) && s < end && QChar::isLowSurrogate(*s)) {
            const char32_t u = QChar::surrogateToUcs4(c, *s++);
            *p++ = char(0xf0 | (u >> 18));
            *p++ = char(0x80 | ((u >> 12) & 0x3f));
            *p++ = char(0x80 | ((u >> 6) & 0x3f));
            *p++ = char(0x80 | (u & 0x3f));
        } else if (QChar::isSurrogate(c)) {
            // a lone surrogate (only a JSON "\\udXXX" escape can make one): '?', as QString::toUtf8 and so the
            // other formats write it
            *p++ = '?';
        } else {
            *p++ = char(0xe0 | (c >> 12));
            *p++ = char(0x80 | ((c >> 6) & 0x3f));
            *p++ = char(0x80 | (c & 0x3f));
        }
    }
    *p++ = '"';
    out.resize(p - out.constData());
}

char* writeJsonUtf8String(char* p, QByteArrayView utf8)
{
    *p++ = '"';
    const char* s = utf8.data();
    const char* const end = s + utf8.size();
    const auto one = [&p](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        if (isPlainAscii(c)) [[likely]]
            *p++ = ch;
        else
            p = writeEscape(p, c);
    };
    // eight bytes at a time while none of them needs an escape (a control character, '"' or '\\'), as in most
    // text: the byte-by-byte loop was the largest part of a JSON Lines export's own time
    constexpr quint64 kOnes = 0x0101010101010101ull;
    constexpr quint64 kHighs = 0x8080808080808080ull;
    while (end - s >= 8) {
        quint64 w;
        std::memcpy(&w, s, 8);
        const quint64 quote = w ^ (kOnes * '"');
        const quint64 slash = w ^ (kOnes * '\\');
        const quint64 special = ((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash);
        if ((special & kHighs) == 0) [[likely]] {
            std::memcpy(p, s, 8);
            p += 8;
        } else {
            for (int k = 0; k < 8; ++k)
                one(s[k]);
        }
        s += 8;
    }
    while (s < end)
        one(*s++);
    *p++ = '"';
    return p;
}

void appendJsonUtf8String(QByteArray& out, QByteArrayView utf8)
{
    const qsizetype start = out.size();
    out.resize(start + utf8.size() * 6 + 2);
    char* end = writeJsonUtf8String(out.data() + start, utf8);
    out.resize(end - out.constData());
}

void appendJsonNumber(QByteArray& out, qint64 value)
{
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, result.ptr - digits);
}

namespace {
void appendKey(QByteArray& out, const char* key, bool first = false)
{
    if (!first)
        out.append(',');
    out.append('"');
    out.append(key, qsizetype(std::strlen(key)));
    out.append("\":", 2);
}

void appendOptional(QByteArray& out, const std::optional<QString>& value)
{
    if (value)
        appendJsonString(out, *value);
    else
        out.append("null", 4);
}

void appendOptional(QByteArray& out, const std::optional<qint64>& value)
{
    if (value)
        appendJsonNumber(out, *value);
    else
        out.append("null", 4);
}

void appendArray(QByteArray& out, const QStringList& items)
{
    out.append('[');
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i)
            out.append(',');
        appendJsonString(out, items[i]);
    }
    out.append(']');
}
} // namespace

void appendJsonLine(QByteArray& out, const Memory& m)
{
    appendJsonObject(out, m);
    out.append('\n');
}

void appendSubcogExportLine(QByteArray& out, const Memory& m)
{
    // subcog's own export record (src/io/formats/json.rs): canonical enum strings, file_path and source omitted
    // when absent
    out.append('{');
    appendKey(out, "id", true);
    appendJsonString(out, m.id);
    appendKey(out, "content");
    appendJsonString(out, m.content);
    appendKey(out, "namespace");
    appendJsonString(out, namespaceName(m.effectiveNamespace()));
    appendKey(out, "domain");
    appendJsonString(out, m.domain.isEmpty() ? u"project"_s : m.domain);
    appendKey(out, "project_id");
    appendOptional(out, m.projectId);
    appendKey(out, "branch");
    appendOptional(out, m.branch);
    if (m.filePath) {
        appendKey(out, "file_path");
        appendJsonString(out, *m.filePath);
    }
    appendKey(out, "status");
    appendJsonString(out, statusName(m.effectiveStatus()));
    appendKey(out, "created_at");
    appendJsonNumber(out, m.createdAt);
    appendKey(out, "updated_at");
    appendJsonNumber(out, m.updatedAt);
    appendKey(out, "tags");
    appendArray(out, m.tags);
    if (m.source) {
        appendKey(out, "source");
        appendJsonString(out, *m.source);
    }
    out.append("}\n");
}

void appendJsonObject(QByteArray& out, const Memory& m)
{
    out.append('{');
    appendKey(out, "id", true);
    appendJsonString(out, m.id);
    appendKey(out, "content");
    appendJsonString(out, m.content);
    appendKey(out, "namespace");
    appendJsonString(out, m.namespaceName);
    appendKey(out, "domain");
    appendJsonString(out, m.domain);
    appendKey(out, "project_id");
    appendOptional(out, m.projectId);
    appendKey(out, "branch");
    appendOptional(out, m.branch);
    appendKey(out, "file_path");
    appendOptional(out, m.filePath);
    appendKey(out, "status");
    appendJsonString(out, m.status);
    appendKey(out, "created_at");
    appendJsonNumber(out, m.createdAt);
    appendKey(out, "updated_at");
    appendJsonNumber(out, m.updatedAt);
    appendKey(out, "tombstoned_at");
    appendOptional(out, m.tombstonedAt);
    appendKey(out, "expires_at");
    appendOptional(out, m.expiresAt);
    appendKey(out, "tags");
    appendArray(out, m.tags);
    appendKey(out, "source");
    appendOptional(out, m.source);
    appendKey(out, "is_summary");
    out.append(m.isSummary ? "true" : "false");
    appendKey(out, "source_memory_ids");
    if (m.sourceMemoryIds)
        appendArray(out, *m.sourceMemoryIds);
    else
        out.append("null");
    appendKey(out, "consolidation_timestamp");
    appendOptional(out, m.consolidationTimestamp);
    appendKey(out, "group_id");
    appendOptional(out, m.groupId);
    out.append('}');
}

} // namespace Inspector
