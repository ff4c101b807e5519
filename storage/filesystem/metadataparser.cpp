// SPDX-License-Identifier: MIT
#include "metadataparser.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>

namespace Inspector {

namespace {

// The keys subcog writes, in its order; a bit each for "seen" (serde refuses a known key twice).
enum Key
{
    Id,
    Content,
    NamespaceKey,
    DomainOrg,
    DomainProject,
    DomainRepo,
    ProjectId,
    Branch,
    FilePath,
    Status,
    CreatedAt,
    UpdatedAt,
    TombstonedAt,
    ExpiresAt,
    Embedding,
    Tags,
    Source,
    IsSummary,
    SourceMemoryIds,
    ConsolidationTimestamp,
    Unknown,
};

constexpr std::string_view kKeys[] = {
    "id",          "content",    "namespace",     "domain_org",        "domain_project",
    "domain_repo", "project_id", "branch",        "file_path",         "status",
    "created_at",  "updated_at", "tombstoned_at", "expires_at",        "embedding",
    "tags",        "source",     "is_summary",    "source_memory_ids", "consolidation_timestamp",
};

constexpr qint64 kExactDoubleLimit = qint64(1) << 53; // seconds beyond it are left to the full reader

bool hex4(const char* p, uint* value)
{
    uint v = 0;
    for (int i = 0; i < 4; ++i) {
        const char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= uint(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= uint(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= uint(c - 'A' + 10);
        else
            return false;
    }
    *value = v;
    return true;
}

/// A cursor over the text that reads only what both serde_json and QJsonDocument read alike.
class Reader
{
public:
    explicit Reader(QByteArrayView text)
        : p(text.data())
        , end(text.data() + text.size())
    {
    }

    void space()
    {
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            ++p;
    }
    bool eat(char c)
    {
        space();
        if (p < end && *p == c) {
            ++p;
            return true;
        }
        return false;
    }
    bool atEnd()
    {
        space();
        return p == end;
    }
    bool literal(std::string_view word)
    {
        space();
        if (end - p < qsizetype(word.size()) || std::memcmp(p, word.data(), word.size()) != 0)
            return false;
        p += word.size();
        return true;
    }
    bool peek(char c)
    {
        space();
        return p < end && *p == c;
    }

    /// A string: no raw control characters, only JSON's escapes, surrogate escapes in pairs. `raw` gets the text
    /// between the quotes, `escaped` whether it holds escapes.
    bool string(QByteArrayView* raw, bool* escaped)
    {
        space();
        if (p >= end || *p != '"')
            return false;
        const char* start = ++p;
        *escaped = false;
        for (;;) {
            // eight plain bytes at a time (no quote, backslash or control character among them)
            while (end - p >= 8) {
                quint64 v;
                std::memcpy(&v, p, 8);
                constexpr quint64 ones = 0x0101010101010101ULL;
                constexpr quint64 highs = 0x8080808080808080ULL;
                const quint64 quote = v ^ (ones * '"');
                const quint64 backslash = v ^ (ones * '\\');
                const quint64 special
                    = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | ((v - ones * 0x20) & ~v);
                if (special & highs)
                    break;
                p += 8;
            }
            if (p >= end)
                return false;
            const uchar c = uchar(*p);
            if (c == '"')
                break;
            if (c < 0x20)
                return false;
            if (c != '\\') {
                ++p;
                continue;
            }
            *escaped = true;
            if (end - p < 2)
                return false;
            const char e = p[1];
            if (e != 'u') {
                if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't')
                    return false;
                p += 2;
                continue;
            }
            uint unit = 0;
            if (end - p < 6 || !hex4(p + 2, &unit))
                return false;
            p += 6;
            if ((unit & 0xFC00) == 0xDC00)
                return false; // a low surrogate alone
            if ((unit & 0xFC00) == 0xD800) {
                uint low = 0;
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, &low) || (low & 0xFC00) != 0xDC00)
                    return false;
                p += 6;
            }
        }
        *raw = QByteArrayView(start, p - start);
        ++p;
        return true;
    }

    bool string(QString* out)
    {
        QByteArrayView raw;
        bool escaped = false;
        if (!string(&raw, &escaped))
            return false;
        if (out)
            *out = escaped ? unescape(raw) : QString::fromUtf8(raw);
        return true;
    }

    /// JSON's number grammar, and a double in range (QJsonDocument and serde disagree at the edges).
    bool number(QByteArrayView* text)
    {
        space();
        const char* start = p;
        auto digits = [&] {
            const char* from = p;
            while (p < end && *p >= '0' && *p <= '9')
                ++p;
            return p > from;
        };
        if (p < end && *p == '-')
            ++p;
        if (p < end && *p == '0')
            ++p;
        else if (!digits())
            return false;
        if (p < end && *p == '.' && (++p, !digits()))
            return false;
        if (p < end && (*p == 'e' || *p == 'E')) {
            ++p;
            if (p < end && (*p == '+' || *p == '-'))
                ++p;
            if (!digits())
                return false;
        }
        double value = 0;
        const auto [stop, error] = std::from_chars(start, p, value);
        if (error != std::errc() || stop != p || !std::isfinite(value))
            return false;
        *text = QByteArrayView(start, p - start);
        return true;
    }

    /// Whole seconds as subcog writes them: digits only, no leading zero, exactly representable as a double.
    bool seconds(qint64* value)
    {
        QByteArrayView text;
        if (!number(&text) || text.startsWith('-') || (text.size() > 1 && text.front() == '0'))
            return false;
        const auto [stop, error] = std::from_chars(text.begin(), text.end(), *value);
        return error == std::errc() && stop == text.end() && *value <= kExactDoubleLimit;
    }

    bool optionalSeconds(std::optional<qint64>* value)
    {
        if (literal("null")) {
            value->reset();
            return true;
        }
        qint64 v = 0;
        if (!seconds(&v))
            return false;
        *value = v;
        return true;
    }

    bool optionalString(std::optional<QString>* value)
    {
        if (literal("null")) {
            value->reset();
            return true;
        }
        QString text;
        if (!string(&text))
            return false;
        *value = std::move(text);
        return true;
    }

    bool strings(QStringList* list)
    {
        if (!eat('['))
            return false;
        list->clear();
        if (eat(']'))
            return true;
        do {
            QString text;
            if (!string(&text))
                return false;
            list->append(std::move(text));
        } while (eat(','));
        return eat(']');
    }

    bool numbers(qsizetype* count)
    {
        if (!eat('['))
            return false;
        *count = 0;
        if (eat(']'))
            return true;
        do {
            QByteArrayView text;
            if (!number(&text))
                return false;
            ++*count;
        } while (eat(','));
        return eat(']');
    }

    /// Any JSON value (an unknown key's), checked and passed over.
    bool skipValue(int depth)
    {
        if (depth > 32)
            return false; // deep nesting is left to the full reader and its limits
        space();
        if (p >= end)
            return false;
        switch (*p) {
        case '"': {
            QByteArrayView raw;
            bool escaped = false;
            return string(&raw, &escaped);
        }
        case '{':
            ++p;
            if (eat('}'))
                return true;
            do {
                QByteArrayView raw;
                bool escaped = false;
                if (!string(&raw, &escaped) || !eat(':') || !skipValue(depth + 1))
                    return false;
            } while (eat(','));
            return eat('}');
        case '[':
            ++p;
            if (eat(']'))
                return true;
            do {
                if (!skipValue(depth + 1))
                    return false;
            } while (eat(','));
            return eat(']');
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default: {
            QByteArrayView text;
            return number(&text);
        }
        }
    }

private:
    static QString unescape(QByteArrayView raw)
    {
        QString out;
        out.reserve(raw.size());
        qsizetype runStart = 0;
        for (qsizetype i = 0; i < raw.size();) {
            if (raw[i] != '\\') {
                ++i;
                continue;
            }
            out.append(QString::fromUtf8(raw.sliced(runStart, i - runStart)));
            const char e = raw[i + 1];
            if (e == 'u') {
                uint unit = 0;
                hex4(raw.data() + i + 2, &unit);
                out.append(QChar(char16_t(unit)));
                i += 6;
            } else {
                switch (e) {
                case 'b':
                    out.append(QChar(u'\b'));
                    break;
                case 'f':
                    out.append(QChar(u'\f'));
                    break;
                case 'n':
                    out.append(QChar(u'\n'));
                    break;
                case 'r':
                    out.append(QChar(u'\r'));
                    break;
                case 't':
                    out.append(QChar(u'\t'));
                    break;
                default: // '"', '\\', '/'
                    out.append(QChar(char16_t(e)));
                }
                i += 2;
            }
            runStart = i;
        }
        out.append(QString::fromUtf8(raw.sliced(runStart)));
        return out;
    }

    const char* p;
    const char* end;
};

Key keyOf(QByteArrayView name)
{
    for (int k = 0; k < int(Unknown); ++k) {
        if (std::string_view(name.data(), size_t(name.size())) == kKeys[k])
            return Key(k);
    }
    return Unknown;
}

} // namespace

bool parseMemoryMetadata(QByteArrayView text, Memory* memory, bool* hasEmbedding, bool flagEnums)
{
    if (text.isEmpty())
        return false;
    // QJsonDocument treats U+FEFF specially and serde refuses one at the start: the full reader handles both
    for (const char *at = text.data(), *end = text.data() + text.size();
         (at = static_cast<const char*>(std::memchr(at, '\xEF', size_t(end - at)))) != nullptr; ++at) {
        if (end - at >= 3 && at[1] == '\xBB' && at[2] == '\xBF')
            return false;
    }
    if (!text.isValidUtf8())
        return false;
    Memory& m = *memory;
    m = Memory {};
    *hasEmbedding = false;
    std::optional<QString> org, project, repo;
    quint32 seen = 0;
    Reader r(text);
    if (!r.eat('{') || r.peek('}'))
        return false;
    do {
        QByteArrayView name;
        bool escaped = false;
        if (!r.string(&name, &escaped) || escaped || !r.eat(':'))
            return false;
        const Key key = keyOf(name);
        if (key != Unknown) {
            if (seen & (1u << key))
                return false;
            seen |= 1u << key;
        }
        bool ok = false;
        switch (key) {
        case Id:
            ok = r.string(&m.id);
            break;
        case Content:
            ok = r.string(nullptr);
            break;
        case NamespaceKey:
            ok = r.string(&m.namespaceName);
            break;
        case DomainOrg:
            ok = r.optionalString(&org);
            break;
        case DomainProject:
            ok = r.optionalString(&project);
            break;
        case DomainRepo:
            ok = r.optionalString(&repo);
            break;
        case ProjectId:
            ok = r.optionalString(&m.projectId);
            break;
        case Branch:
            ok = r.optionalString(&m.branch);
            break;
        case FilePath:
            ok = r.optionalString(&m.filePath);
            break;
        case Status:
            ok = r.string(&m.status);
            break;
        case CreatedAt:
            ok = r.seconds(&m.createdAt);
            break;
        case UpdatedAt:
            ok = r.seconds(&m.updatedAt);
            break;
        case TombstonedAt:
            ok = r.optionalSeconds(&m.tombstonedAt);
            break;
        case ExpiresAt:
            ok = r.optionalSeconds(&m.expiresAt);
            break;
        case Embedding: {
            qsizetype values = 0;
            ok = r.literal("null") || r.numbers(&values);
            *hasEmbedding = values > 0;
            break;
        }
        case Tags:
            ok = r.strings(&m.tags);
            break;
        case Source:
            ok = r.optionalString(&m.source);
            break;
        case IsSummary:
            m.isSummary = r.literal("true");
            ok = m.isSummary || r.literal("false") || r.literal("null");
            break;
        case SourceMemoryIds:
            if (r.literal("null")) {
                ok = true;
            } else {
                QStringList ids;
                ok = r.strings(&ids);
                m.sourceMemoryIds = std::move(ids);
            }
            break;
        case ConsolidationTimestamp:
            ok = r.optionalSeconds(&m.consolidationTimestamp);
            break;
        case Unknown:
            ok = r.skipValue(1);
            break;
        }
        if (!ok)
            return false;
    } while (r.eat(','));
    if (!r.eat('}') || !r.atEnd())
        return false;
    constexpr quint32 required = (1u << Id) | (1u << Content) | (1u << NamespaceKey) | (1u << Status)
        | (1u << CreatedAt) | (1u << UpdatedAt) | (1u << Tags);
    if ((seen & required) != required)
        return false;
    m.domainParts = Domain {org, project, repo};
    m.domain = m.domainParts->toString();
    if (flagEnums)
        m.flagEnumStrings();
    return true;
}

} // namespace Inspector
