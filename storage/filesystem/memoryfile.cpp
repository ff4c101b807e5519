// SPDX-License-Identifier: MIT
#include "memoryfile.h"

#include "jsonl.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>
#include <QStringDecoder>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

constexpr const char* kKnownKeys[] = {
    "id",          "content",    "namespace",     "domain_org",        "domain_project",
    "domain_repo", "project_id", "branch",        "file_path",         "status",
    "created_at",  "updated_at", "tombstoned_at", "expires_at",        "embedding",
    "tags",        "source",     "is_summary",    "source_memory_ids", "consolidation_timestamp",
};

void indent(QByteArray& out, int depth)
{
    out.append('\n');
    out.append(QByteArray(depth * 2, ' '));
}

// serde_json's PrettyFormatter for any JSON value (used for unknown keys).
void appendPretty(QByteArray& out, const QJsonValue& value, int depth)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        break;
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        break;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        // QJsonValue keeps an integer literal exactly up to 64 bits (a future field may hold nanoseconds or a
        // hash); toDouble() would round it beyond 2^53. toInteger() is 0 for what does not fit.
        if (const qint64 i = value.toInteger(); d == std::floor(d) && double(i) == d)
            out.append(QByteArray::number(i));
        else
            out.append(QByteArray::number(d, 'g', QLocale::FloatingPointShortest));
        break;
    }
    case QJsonValue::String:
        appendJsonString(out, value.toString());
        break;
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            out.append("[]");
            break;
        }
        out.append('[');
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i)
                out.append(',');
            indent(out, depth + 1);
            appendPretty(out, array[i], depth + 1);
        }
        indent(out, depth);
        out.append(']');
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        if (object.isEmpty()) {
            out.append("{}");
            break;
        }
        out.append('{');
        bool first = true;
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!first)
                out.append(',');
            first = false;
            indent(out, depth + 1);
            appendJsonString(out, it.key());
            out.append(": ");
            appendPretty(out, it.value(), depth + 1);
        }
        indent(out, depth);
        out.append('}');
        break;
    }
    }
}

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

uint hex4(QByteArrayView digits)
{
    return QString::fromLatin1(digits).toUInt(nullptr, 16);
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool isJsonNumber(QByteArrayView t)
{
    qsizetype i = 0;
    auto digits = [&] {
        const qsizetype start = i;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9')
            ++i;
        return i > start;
    };
    if (i < t.size() && t[i] == '-')
        ++i;
    if (i < t.size() && t[i] == '0')
        ++i;
    else if (!digits())
        return false;
    if (i < t.size() && t[i] == '.' && (++i, !digits()))
        return false;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        if (i < t.size() && (t[i] == '+' || t[i] == '-'))
            ++i;
        if (!digits())
            return false;
    }
    return i == t.size();
}

/**
 * Why serde_json, which subcog reads folder files with, refuses text that QJsonDocument has accepted (so its
 * structure is sound), or an empty string. QJsonDocument also takes a byte-order mark, raw control characters
 * and lone surrogate escapes in strings, `1.` and `.5`, and a repeated key; serde refuses each, and a field of
 * integer seconds written as `1.0` or beyond 64 bits. Such a file is a memory subcog cannot see.
 */
QString serdeRefusal(QByteArrayView text, QList<qsizetype>* negativeZeros)
{
    if (text.startsWith("\xEF\xBB\xBF"))
        return u"starts with a byte-order mark"_s;
    static const QSet<QByteArray> integerKeys {"created_at", "updated_at", "tombstoned_at", "expires_at",
                                               "consolidation_timestamp"};
    QSet<QByteArray> seen;
    QByteArray key; // the last top-level key: a number at depth 1 is its value
    int depth = 0;
    qsizetype embeddingIndex = -1; // the next element of the top-level embedding array, while in it
    auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    for (qsizetype i = 0; i < text.size();) {
        const char c = text[i];
        if (c == '{' || c == '[') {
            if (depth == 1 && c == '[' && key == "embedding")
                embeddingIndex = 0;
            ++depth;
            ++i;
        } else if (c == '}' || c == ']') {
            if (--depth == 1)
                embeddingIndex = -1;
            ++i;
        } else if (c == '"') {
            const qsizetype start = i++;
            bool escaped = false;
            while (text[i] != '"') {
                if (uchar(text[i]) < 0x20)
                    return u"a raw control character in a string (byte "_s + QString::number(i) + u')';
                if (text[i] != '\\') {
                    ++i;
                    continue;
                }
                escaped = true;
                if (text[i + 1] != 'u') {
                    i += 2;
                    continue;
                }
                const uint unit = hex4(text.sliced(i + 2, 4));
                i += 6;
                const bool pairFollows = text.size() >= i + 6 && text[i] == '\\' && text[i + 1] == 'u'
                    && std::all_of(text.begin() + i + 2, text.begin() + i + 6, isHex)
                    && (hex4(text.sliced(i + 2, 4)) & 0xFC00) == 0xDC00;
                if ((unit & 0xFC00) == 0xDC00 || ((unit & 0xFC00) == 0xD800 && !pairFollows))
                    return u"a lone surrogate escape in a string (byte "_s + QString::number(i - 6) + u')';
                if (pairFollows && (unit & 0xFC00) == 0xD800)
                    i += 6;
            }
            ++i;
            qsizetype next = i;
            while (next < text.size() && isSpace(text[next]))
                ++next;
            if (depth == 1 && next < text.size() && text[next] == ':') {
                const QByteArrayView raw = text.sliced(start, i - start);
                key = escaped ? QJsonDocument::fromJson("[" + raw.toByteArray() + "]").array().at(0).toString().toUtf8()
                              : raw.sliced(1, raw.size() - 2).toByteArray();
                const bool known = std::any_of(std::begin(kKnownKeys), std::end(kKnownKeys),
                                               [&](const char* k) { return key == k; });
                if (known && seen.contains(key))
                    return QString::fromUtf8(key) + u" appears twice"_s;
                seen.insert(key);
                i = next + 1;
                continue;
            }
        } else if (c == '-' || (c >= '0' && c <= '9') || c == '.') {
            const qsizetype start = i;
            while (i < text.size() && !isSpace(text[i]) && text[i] != ',' && text[i] != ']' && text[i] != '}')
                ++i;
            const QByteArrayView number = text.sliced(start, i - start);
            if (!isJsonNumber(number))
                return u"the number "_s + QString::fromLatin1(number) + u" is not valid JSON"_s;
            if (depth == 2 && embeddingIndex >= 0) {
                // a negative zero: a minus sign and only zeros before any exponent
                const auto exponent
                    = std::find_if(number.begin(), number.end(), [](char d) { return d == 'e' || d == 'E'; });
                if (number.startsWith('-')
                    && std::all_of(number.begin() + 1, exponent, [](char d) { return d == '0' || d == '.'; }))
                    negativeZeros->append(embeddingIndex);
                ++embeddingIndex;
            }
            qint64 value = 0;
            const auto [end, error] = std::from_chars(number.begin(), number.end(), value);
            if (depth == 1 && integerKeys.contains(key) && (error != std::errc() || end != number.end()))
                return QString::fromUtf8(key) + u" is not a whole number of seconds"_s;
        } else {
            ++i;
        }
    }
    return {};
}
} // namespace

void appendSerdeFloat(QByteArray& out, float value)
{
    if (!std::isfinite(value)) {
        out.append("null"); // serde_json writes non-finite floats as null
        return;
    }
    if (value == 0.0f) {
        out.append(std::signbit(value) ? "-0.0" : "0.0");
        return;
    }
    // shortest round-trip digits and exponent, then ryu's layout rules
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    std::string text(buffer, result.ptr);
    std::string sign;
    if (text[0] == '-') {
        sign = "-";
        text.erase(0, 1);
    }
    const size_t e = text.find('e');
    std::string digits = text.substr(0, e);
    digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
    const int exponent = std::stoi(text.substr(e + 1));
    const int length = int(digits.size());
    const int kk = exponent + 1; // 10^(kk-1) <= v < 10^kk
    const int k = kk - length;
    std::string formatted;
    if (k >= 0 && kk <= 21) {
        formatted = digits + std::string(size_t(k), '0') + ".0";
    } else if (kk > 0 && kk <= 21) {
        formatted = digits.substr(0, size_t(kk)) + "." + digits.substr(size_t(kk));
    } else if (kk > -6 && kk <= 0) {
        formatted = "0." + std::string(size_t(-kk), '0') + digits;
    } else if (length == 1) {
        formatted = digits + "e" + std::to_string(kk - 1);
    } else {
        formatted = digits.substr(0, 1) + "." + digits.substr(1) + "e" + std::to_string(kk - 1);
    }
    out.append(sign.c_str()).append(formatted.c_str());
}

QByteArray serializeMemoryFile(const Memory& m, const QJsonObject& unknownKeys)
{
    const Domain domain = m.domainForWrite();
    QByteArray out;
    out.reserve(m.content.size() + 1024);
    out.append('{');
    bool first = true;
    auto key = [&](const char* name) {
        if (!first)
            out.append(',');
        first = false;
        indent(out, 1);
        out.append('"').append(name).append("\": ");
    };
    auto text = [&](const std::optional<QString>& v) {
        if (v)
            appendJsonString(out, *v);
        else
            out.append("null");
    };
    auto number = [&](const std::optional<qint64>& v) {
        if (v)
            out.append(QByteArray::number(*v));
        else
            out.append("null");
    };
    auto strings = [&](const QStringList& list) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (i)
                out.append(',');
            indent(out, 2);
            appendJsonString(out, list[i]);
        }
        indent(out, 1);
        out.append(']');
    };
    key("id");
    appendJsonString(out, m.id);
    key("content");
    appendJsonString(out, m.content);
    key("namespace");
    appendJsonString(out, m.namespaceName);
    key("domain_org");
    text(domain.organization);
    key("domain_project");
    text(domain.project);
    key("domain_repo");
    text(domain.repository);
    key("project_id");
    text(m.projectId);
    key("branch");
    text(m.branch);
    key("file_path");
    text(m.filePath);
    key("status");
    appendJsonString(out, m.status);
    key("created_at");
    out.append(QByteArray::number(m.createdAt));
    key("updated_at");
    out.append(QByteArray::number(m.updatedAt));
    key("tombstoned_at");
    number(m.tombstonedAt);
    key("expires_at");
    number(m.expiresAt);
    key("embedding");
    if (!m.embedding) {
        out.append("null");
    } else if (m.embedding->isEmpty()) {
        out.append("[]");
    } else {
        out.append('[');
        for (qsizetype i = 0; i < m.embedding->size(); ++i) {
            if (i)
                out.append(',');
            indent(out, 2);
            appendSerdeFloat(out, m.embedding->at(i));
        }
        indent(out, 1);
        out.append(']');
    }
    key("tags");
    strings(m.tags);
    key("source");
    text(m.source);
    key("is_summary");
    out.append(m.isSummary ? "true" : "false");
    key("source_memory_ids");
    if (m.sourceMemoryIds)
        strings(*m.sourceMemoryIds);
    else
        out.append("null");
    key("consolidation_timestamp");
    number(m.consolidationTimestamp);
    for (auto it = unknownKeys.begin(); it != unknownKeys.end(); ++it) {
        out.append(',');
        indent(out, 1);
        appendJsonString(out, it.key());
        out.append(": ");
        appendPretty(out, it.value(), 1);
    }
    out.append("\n}");
    return out;
}

std::optional<MemoryFile> parseMemoryFile(const QByteArray& text, QString* reason)
{
    auto fail = [&](const QString& why) {
        if (reason)
            *reason = why;
        return std::nullopt;
    };
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = decoder(text);
    if (decoder.hasError())
        return fail(u"not valid UTF-8"_s);
    Q_UNUSED(decoded);
    // QJsonDocument drops a raw U+FEFF that starts a string, as if it were a byte-order mark; serde keeps it. Its
    // escape is the same character and survives. (A file that starts with one is refused below, as by serde.)
    const QByteArray bom("\xEF\xBB\xBF");
    const QByteArray json
        = text.contains(bom) && !text.startsWith(bom) ? QByteArray(text).replace(bom, "\\ufeff") : text;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return fail(u"invalid JSON at byte "_s + QString::number(error.offset) + u" ("_s + error.errorString()
                    + (error.error == QJsonParseError::UnterminatedObject
                               || error.error == QJsonParseError::UnterminatedString
                               || error.error == QJsonParseError::UnterminatedArray
                           ? u"; the file looks truncated)"_s
                           : u")"_s));
    if (!doc.isObject())
        return fail(u"the JSON is not an object"_s);
    QList<qsizetype> negativeZeros; // embedding values written -0.0, which QJsonDocument reads as 0
    if (const QString refusal = serdeRefusal(json, &negativeZeros); !refusal.isEmpty())
        return fail(u"subcog's JSON reader refuses it: "_s + refusal);
    const QJsonObject o = doc.object();
    MemoryFile file;
    Memory& m = file.memory;
    QStringList problems;
    auto requiredString = [&](const char* name, QString& target) {
        const QJsonValue v = o.value(QLatin1StringView(name));
        if (!v.isString())
            problems << QString::fromLatin1(name) + (v.isUndefined() ? u" is missing"_s : u" is not a string"_s);
        else
            target = v.toString();
    };
    auto optionalString = [&](const char* name, std::optional<QString>& target) {
        const QJsonValue v = o.value(QLatin1StringView(name));
        if (v.isString())
            target = v.toString();
        else if (!v.isNull() && !v.isUndefined())
            problems << QString::fromLatin1(name) + u" is not a string"_s;
    };
    auto integer = [&](const QJsonValue& v, const char* name, qint64& target) {
        const double d = v.toDouble();
        if (!v.isDouble() || d != std::floor(d) || d < 0) {
            problems << QString::fromLatin1(name) + u" is not a whole number of seconds"_s;
            return false;
        }
        target = v.toInteger();
        return true;
    };
    auto requiredInt = [&](const char* name, qint64& target) {
        const QJsonValue v = o.value(QLatin1StringView(name));
        if (v.isUndefined())
            problems << QString::fromLatin1(name) + u" is missing"_s;
        else
            integer(v, name, target);
    };
    auto optionalInt = [&](const char* name, std::optional<qint64>& target) {
        const QJsonValue v = o.value(QLatin1StringView(name));
        qint64 value = 0;
        if (!v.isNull() && !v.isUndefined() && integer(v, name, value))
            target = value;
    };
    auto stringList = [&](const QJsonValue& v, const char* name, QStringList& target) {
        if (!v.isArray()) {
            problems << QString::fromLatin1(name) + u" is not a list of strings"_s;
            return;
        }
        for (const QJsonValue& item : v.toArray()) {
            if (!item.isString()) {
                problems << QString::fromLatin1(name) + u" is not a list of strings"_s;
                return;
            }
            target.append(item.toString());
        }
    };
    requiredString("id", m.id);
    requiredString("content", m.content);
    requiredString("namespace", m.namespaceName);
    std::optional<QString> org, project, repo;
    optionalString("domain_org", org);
    optionalString("domain_project", project);
    optionalString("domain_repo", repo);
    m.domainParts = Domain {org, project, repo};
    m.domain = m.domainParts->toString();
    optionalString("project_id", m.projectId);
    optionalString("branch", m.branch);
    optionalString("file_path", m.filePath);
    requiredString("status", m.status);
    requiredInt("created_at", m.createdAt);
    requiredInt("updated_at", m.updatedAt);
    optionalInt("tombstoned_at", m.tombstonedAt);
    optionalInt("expires_at", m.expiresAt);
    const QJsonValue embedding = o.value(u"embedding"_s);
    if (embedding.isArray()) {
        QList<float> values;
        for (const QJsonValue& v : embedding.toArray()) {
            if (!v.isDouble()) {
                problems << u"embedding is not a list of numbers"_s;
                break;
            }
            // serde reads a number beyond f32's range as infinity, writes that as null and then cannot read the
            // file: the largest f32 of the same sign keeps a file we write back readable by both.
            constexpr double kMax = std::numeric_limits<float>::max();
            values.append(float(std::clamp(v.toDouble(), -kMax, kMax)));
        }
        for (qsizetype at : negativeZeros) {
            if (at < values.size())
                values[at] = -0.0f;
        }
        m.embedding = values;
    } else if (!embedding.isNull() && !embedding.isUndefined()) {
        problems << u"embedding is not a list of numbers"_s;
    }
    const QJsonValue tags = o.value(u"tags"_s);
    if (tags.isUndefined())
        problems << u"tags is missing"_s;
    else
        stringList(tags, "tags", m.tags);
    optionalString("source", m.source);
    const QJsonValue summary = o.value(u"is_summary"_s);
    if (summary.isBool())
        m.isSummary = summary.toBool();
    else if (!summary.isUndefined() && !summary.isNull())
        problems << u"is_summary is not true or false"_s;
    const QJsonValue sources = o.value(u"source_memory_ids"_s);
    if (!sources.isNull() && !sources.isUndefined()) {
        QStringList ids;
        stringList(sources, "source_memory_ids", ids);
        m.sourceMemoryIds = ids;
    }
    optionalInt("consolidation_timestamp", m.consolidationTimestamp);
    if (!problems.isEmpty())
        return fail(problems.join(u"; "_s));
    m.flagEnumStrings();
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QByteArray key = it.key().toUtf8();
        if (std::none_of(std::begin(kKnownKeys), std::end(kKnownKeys), [&](const char* k) { return key == k; }))
            file.unknownKeys.insert(it.key(), it.value());
    }
    return file;
}

} // namespace Inspector
