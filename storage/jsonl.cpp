// SPDX-License-Identifier: MIT
#include "jsonl.h"

#include <cstring>

using namespace Qt::StringLiterals;

namespace Inspector {

void appendJsonString(QByteArray& out, QStringView text)
{
    static constexpr char hex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8();
    out.append('"');
    qsizetype plainStart = 0;
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(utf8.constData() + plainStart, i - plainStart);
        plainStart = i + 1;
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        default: {
            const char escape[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
            out.append(escape, sizeof escape);
        }
        }
    }
    out.append(utf8.constData() + plainStart, utf8.size() - plainStart);
    out.append('"');
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
        out.append("null");
}

void appendOptional(QByteArray& out, const std::optional<qint64>& value)
{
    if (value)
        out.append(QByteArray::number(*value));
    else
        out.append("null");
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
    out.append(QByteArray::number(m.createdAt));
    appendKey(out, "updated_at");
    out.append(QByteArray::number(m.updatedAt));
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
    out.append(QByteArray::number(m.createdAt));
    appendKey(out, "updated_at");
    out.append(QByteArray::number(m.updatedAt));
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
