// SPDX-License-Identifier: MIT
#include "recordtranscoder.h"

#include "jsonl.h"
#include "memory.h"
#include "memoryfields.h"
#include "storageerror.h"

#include <QDateTime>

#include <charconv>
#include <climits>
#include <cstring>
#include <optional>
#include <string_view>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

// The line's keys, in the order appendJsonObject writes them (the order of RecordTranscoder::Field).
constexpr std::string_view kKeys[] = {
    "id",
    "content",
    "namespace",
    "domain",
    "project_id",
    "branch",
    "file_path",
    "status",
    "created_at",
    "updated_at",
    "tombstoned_at",
    "expires_at",
    "tags",
    "source",
    "is_summary",
    "source_memory_ids",
    "consolidation_timestamp",
    "group_id",
};
static_assert(std::size(kKeys) == RecordTranscoder::FieldCount);

using Spill = RecordTranscoder::Spill;

void maybeSpill(QByteArray& out, const Spill& spill)
{
    if (spill && out.size() >= RecordTranscoder::kChunk)
        spill();
}

/// The index just past the string literal that opens at `i`, or -1.
qsizetype stringEnd(QByteArrayView s, qsizetype i)
{
    const char* const b = s.data();
    for (qsizetype j = i + 1;;) {
        const void* q = std::memchr(b + j, '"', size_t(s.size() - j));
        if (!q)
            return -1;
        const qsizetype k = static_cast<const char*>(q) - b;
        qsizetype slashes = 0;
        while (k - 1 - slashes > i && b[k - 1 - slashes] == '\\')
            ++slashes;
        if (slashes % 2 == 0)
            return k + 1;
        j = k + 1;
    }
}

/// The index just past the JSON value that starts at `i` (a string, an array of scalars and strings, a scalar).
qsizetype valueEnd(QByteArrayView s, qsizetype i)
{
    if (i >= s.size())
        return -1;
    if (s[i] == '"')
        return stringEnd(s, i);
    if (s[i] == '[') {
        for (qsizetype j = i + 1; j < s.size();) {
            if (s[j] == '"') {
                j = stringEnd(s, j);
                if (j < 0)
                    return -1;
            } else if (s[j] == ']') {
                return j + 1;
            } else {
                ++j;
            }
        }
        return -1;
    }
    qsizetype j = i;
    while (j < s.size() && s[j] != ',' && s[j] != '}')
        ++j;
    return j;
}

bool hex4(const char* p, char32_t& value)
{
    value = 0;
    for (int k = 0; k < 4; ++k) {
        const char c = p[k];
        const int digit = c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f'             ? c - 'a' + 10
            : c >= 'A' && c <= 'F'             ? c - 'A' + 10
                                               : -1;
        if (digit < 0)
            return false;
        value = value * 16 + char32_t(digit);
    }
    return true;
}

/// One escape of a JSON string decoded to UTF-8.
struct Escape
{
    char bytes[4] = {};
    int size = 1;
    int consumed = 2; ///< bytes of the escape in the literal
};

/// The escape at `s` (`*s == '\\'`). A lone surrogate is '?', as QString::toUtf8 writes it.
Escape decodeEscape(const char* s, const char* end)
{
    Escape e;
    if (s + 1 >= end) {
        e.bytes[0] = '\\';
        e.consumed = 1;
        return e;
    }
    switch (s[1]) {
    case 'n':
        e.bytes[0] = '\n';
        return e;
    case 'r':
        e.bytes[0] = '\r';
        return e;
    case 't':
        e.bytes[0] = '\t';
        return e;
    case 'b':
        e.bytes[0] = '\b';
        return e;
    case 'f':
        e.bytes[0] = '\f';
        return e;
    case 'u':
        break;
    default:
        e.bytes[0] = s[1]; // '"', '\\', '/'
        return e;
    }
    char32_t u = 0;
    if (end - s < 6 || !hex4(s + 2, u)) {
        e.bytes[0] = 'u';
        return e;
    }
    e.consumed = 6;
    char32_t low = 0;
    if (QChar::isHighSurrogate(u) && end - s >= 12 && s[6] == '\\' && s[7] == 'u' && hex4(s + 8, low)
        && QChar::isLowSurrogate(low)) {
        u = QChar::surrogateToUcs4(char16_t(u), char16_t(low));
        e.consumed = 12;
    } else if (QChar::isSurrogate(u)) {
        e.bytes[0] = '?';
        return e;
    }
    if (u < 0x80) {
        e.bytes[0] = char(u);
    } else if (u < 0x800) {
        e.bytes[0] = char(0xc0 | (u >> 6));
        e.bytes[1] = char(0x80 | (u & 0x3f));
        e.size = 2;
    } else if (u < 0x10000) {
        e.bytes[0] = char(0xe0 | (u >> 12));
        e.bytes[1] = char(0x80 | ((u >> 6) & 0x3f));
        e.bytes[2] = char(0x80 | (u & 0x3f));
        e.size = 3;
    } else {
        e.bytes[0] = char(0xf0 | (u >> 18));
        e.bytes[1] = char(0x80 | ((u >> 12) & 0x3f));
        e.bytes[2] = char(0x80 | ((u >> 6) & 0x3f));
        e.bytes[3] = char(0x80 | (u & 0x3f));
        e.size = 4;
    }
    return e;
}

enum class Mode
{
    Plain, ///< the text as it is
    Csv, ///< quotes doubled (the caller writes the surrounding quotes)
};

/// Output written through a pointer into room made beforehand (a record of ordinary size): QByteArray's own
/// appends were most of the transcoder's time.
struct RoomOut
{
    char* p;
    void put(const char* s, qsizetype n)
    {
        std::memcpy(p, s, size_t(n));
        p += n;
    }
    void put(QByteArrayView v) { put(v.data(), v.size()); }
    void put(char c) { *p++ = c; }
    void spillPoint() { }
};

/// Output appended to the export's buffer and spilled in chunks (a record larger than a chunk).
struct SpillOut
{
    QByteArray& out;
    const Spill& spill;
    void put(const char* s, qsizetype n) { out.append(s, n); }
    void put(QByteArrayView v) { out.append(v); }
    void put(char c) { out.append(c); }
    void spillPoint() { maybeSpill(out, spill); }
};

/// Writes the text of a JSON string literal's inside (without its quotes), unescaped, in runs copied whole (a
/// chunk at a time). Returns the last byte written, or -1.
template<typename Out>
int putDecoded(Out& out, QByteArrayView inside, Mode mode)
{
    const char* s = inside.data();
    const char* const end = s + inside.size();
    int last = -1;
    while (s < end) {
        const void* found = std::memchr(s, '\\', size_t(end - s));
        const char* const stop = found ? static_cast<const char*>(found) : end;
        if (stop > s)
            last = static_cast<unsigned char>(stop[-1]);
        while (s < stop) {
            const qsizetype n = std::min<qsizetype>(stop - s, RecordTranscoder::kChunk);
            out.put(s, n);
            s += n;
            out.spillPoint();
        }
        if (s == end)
            break;
        const Escape e = decodeEscape(s, end);
        s += e.consumed;
        if (mode == Mode::Csv && e.size == 1 && e.bytes[0] == '"')
            out.put("\"\"", 2);
        else
            out.put(e.bytes, e.size);
        last = static_cast<unsigned char>(e.bytes[e.size - 1]);
    }
    return last;
}

/// Whether a JSON string's text holds a comma, a quote or a line break (RFC 4180 then quotes the field).
bool csvNeedsQuotes(QByteArrayView inside)
{
    if (std::memchr(inside.data(), ',', size_t(inside.size())))
        return true;
    const char* s = inside.data();
    const char* const end = s + inside.size();
    while (const void* found = std::memchr(s, '\\', size_t(end - s))) {
        s = static_cast<const char*>(found);
        const Escape e = decodeEscape(s, end);
        if (e.size == 1 && (e.bytes[0] == '"' || e.bytes[0] == '\n' || e.bytes[0] == '\r'))
            return true;
        s += e.consumed;
    }
    return false;
}

/// Writes UTF-8 text as one CSV field.
template<typename Out>
void putCsvText(Out& out, QByteArrayView text)
{
    const bool quote
        = std::any_of(text.begin(), text.end(), [](char c) { return c == ',' || c == '"' || c == '\n' || c == '\r'; });
    if (!quote) {
        out.put(text);
        return;
    }
    out.put('"');
    for (const char c : text) {
        if (c == '"')
            out.put('"');
        out.put(c);
    }
    out.put('"');
}

/// Writes a Markdown table cell: pipes escaped, line breaks as spaces.
template<typename Out>
void putMarkdownCell(Out& out, QByteArrayView text)
{
    for (const char c : text) {
        if (c == '|')
            out.put("\\|", 2);
        else if (c == '\r' || c == '\n')
            out.put(' ');
        else
            out.put(c);
    }
}

/// The longest run of backticks in a JSON string's text.
int longestBacktickRun(QByteArrayView inside)
{
    const char* s = inside.data();
    const char* const end = s + inside.size();
    int longest = 0;
    int run = 0;
    while (s < end) {
        char c = *s;
        if (c == '\\') {
            const Escape e = decodeEscape(s, end);
            s += e.consumed;
            c = e.size == 1 ? e.bytes[0] : 0;
        } else {
            ++s;
        }
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return longest;
}

QByteArrayView insideOf(QByteArrayView literal)
{
    return literal.size() >= 2 ? literal.sliced(1, literal.size() - 2) : QByteArrayView();
}

bool isNull(QByteArrayView value)
{
    return value == "null";
}

std::optional<qint64> integerOf(QByteArrayView value)
{
    qint64 n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size())
        return std::nullopt;
    return n;
}

template<typename Out>
void putText(Out& out, std::string_view text)
{
    out.put(text.data(), qsizetype(text.size()));
}

/// Writes one record through `write(out)`: into room made for `room` bytes when that is small, else appended and
/// spilled in chunks.
template<typename F>
void writeRecord(QByteArray& out, qsizetype room, const Spill& spill, F&& write)
{
    if (room <= 256 * 1024) {
        const qsizetype at = out.size();
        out.resize(at + room);
        RoomOut o {out.data() + at};
        write(o);
        out.truncate(o.p - out.constData());
    } else {
        SpillOut o {out, spill};
        write(o);
    }
    maybeSpill(out, spill);
}

} // namespace

bool RecordTranscoder::split(QByteArrayView line, Values& values)
{
    values.fill(QByteArrayView());
    if (line.isEmpty() || line[0] != '{')
        return false;
    int expected = 0;
    for (qsizetype i = 1; i < line.size();) {
        if (line[i] == '}')
            break;
        if (line[i] == ',')
            ++i;
        if (i >= line.size() || line[i] != '"')
            return false;
        const void* close = std::memchr(line.data() + i + 1, '"', size_t(line.size() - i - 1));
        if (!close)
            return false;
        const qsizetype keyEnd = static_cast<const char*>(close) - line.data();
        const std::string_view key(line.data() + i + 1, size_t(keyEnd - i - 1));
        i = keyEnd + 1;
        if (i >= line.size() || line[i] != ':')
            return false;
        ++i;
        const qsizetype end = valueEnd(line, i);
        if (end < 0)
            return false;
        int field = expected < FieldCount && kKeys[expected] == key ? expected : -1;
        for (int f = 0; field < 0 && f < FieldCount; ++f) {
            if (kKeys[f] == key)
                field = f;
        }
        if (field >= 0) {
            values[field] = line.sliced(i, end - i);
            expected = field + 1;
        }
        i = end;
    }
    return std::all_of(values.begin(), values.end(), [](QByteArrayView v) { return !v.isEmpty(); });
}

template<typename F>
void RecordTranscoder::eachLine(QByteArrayView jsonLines, F&& record)
{
    Values values;
    while (!jsonLines.isEmpty()) {
        qsizetype end = jsonLines.indexOf('\n');
        if (end < 0)
            end = jsonLines.size();
        const QByteArrayView line = jsonLines.first(end);
        jsonLines = jsonLines.sliced(std::min(end + 1, jsonLines.size()));
        if (line.isEmpty())
            continue;
        if (!split(line, values))
            throw StorageError(StorageError::Kind::OperationFailed,
                               u"an exported record could not be converted (not a full-fidelity JSON line)"_s);
        record(line, values);
    }
}

void RecordTranscoder::cellText(const Values& v, int field)
{
    // decoded text is never longer than its literal; "project" for an empty domain is the one addition
    const QByteArrayView value = v[field];
    m_cell.resize(value.size() + 8);
    RoomOut out {m_cell.data()};
    if (value.startsWith('"')) {
        if (field == Domain && value.size() == 2)
            putText(out, "project");
        else
            putDecoded(out, insideOf(value), Mode::Plain);
    } else if (value.startsWith('[')) {
        // a list joined by commas, as QStringList::join(',')
        const QByteArrayView items = value.sliced(1, value.size() - 2);
        bool first = true;
        for (qsizetype i = 0; i < items.size();) {
            if (items[i] != '"') {
                ++i;
                continue;
            }
            const qsizetype end = stringEnd(items, i);
            if (end < 0)
                break;
            if (!first)
                out.put(',');
            first = false;
            putDecoded(out, items.sliced(i + 1, end - i - 2), Mode::Plain);
            i = end;
        }
    } else if (!isNull(value)) {
        out.put(value); // a number, true or false
    }
    m_cell.truncate(out.p - m_cell.constData());
}

qsizetype RecordTranscoder::localTime(char* text, qint64 seconds)
{
    // MemoryFields::formatTime's text, without a QDateTime for every value: the UTC offset is looked up once a UTC
    // day and used where the whole day has one offset (days with a change take formatTime itself)
    constexpr qint64 kDay = 86400;
    constexpr int kMixed = INT_MIN;
    constexpr qint64 kLast = 253402300800 - 2 * kDay; // before 10000-01-01 whatever the offset
    if (seconds >= kDay && seconds < kLast) {
        const qint64 day = seconds / kDay;
        auto it = m_dayOffsets.constFind(day);
        if (it == m_dayOffsets.cend()) {
            if (m_dayOffsets.size() > 100000)
                m_dayOffsets.clear();
            const int first = QDateTime::fromSecsSinceEpoch(day * kDay).offsetFromUtc();
            const int last = QDateTime::fromSecsSinceEpoch(day * kDay + kDay - 1).offsetFromUtc();
            it = m_dayOffsets.insert(day, first == last ? first : kMixed);
        }
        if (*it != kMixed && seconds + *it >= 0) {
            const qint64 local = seconds + *it;
            // days to a civil date (H. Hinnant's algorithm)
            const qint64 z = local / kDay + 719468;
            const qint64 era = z / 146097;
            const qint64 doe = z - era * 146097;
            const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            const qint64 mp = (5 * doy + 2) / 153;
            const int dayOfMonth = int(doy - (153 * mp + 2) / 5 + 1);
            const int month = int(mp < 10 ? mp + 3 : mp - 9);
            const int year = int(yoe + era * 400 + (month <= 2 ? 1 : 0));
            const int secondOfDay = int(local % kDay);
            const auto put = [&](int at, int value, int digits) {
                for (int k = digits - 1; k >= 0; --k, value /= 10)
                    text[at + k] = char('0' + value % 10);
            };
            put(0, year, 4);
            text[4] = '-';
            put(5, month, 2);
            text[7] = '-';
            put(8, dayOfMonth, 2);
            text[10] = ' ';
            put(11, secondOfDay / 3600, 2);
            text[13] = ':';
            put(14, secondOfDay / 60 % 60, 2);
            text[16] = ':';
            put(17, secondOfDay % 60, 2);
            return 19;
        }
    }
    const QByteArray formatted = MemoryFields::formatTime(seconds).toUtf8().left(kTimeRoom);
    std::memcpy(text, formatted.constData(), size_t(formatted.size()));
    return formatted.size();
}

void RecordTranscoder::csv(QByteArray& out, QByteArrayView jsonLines, const Spill& spill)
{
    eachLine(jsonLines, [&](QByteArrayView line, const Values& v) {
        // every field at most as long as in the line (a doubled quote was an escaped one), quotes included
        writeRecord(out, line.size() + 64, spill, [&](auto& o) { csvRecord(o, v); });
    });
}

void RecordTranscoder::markdown(QByteArray& out, QByteArrayView jsonLines, const Spill& spill)
{
    eachLine(jsonLines, [&](QByteArrayView line, const Values& v) {
        // table cells at most twice their literal (escaped pipes), times and keys, the content and two fences
        const qsizetype room = 2 * line.size() + 2 * v[Content].size() + FieldCount * (kTimeRoom + 64) + 256;
        writeRecord(out, room, spill, [&](auto& o) { markdownRecord(o, v); });
    });
}

void RecordTranscoder::subcog(QByteArray& out, QByteArrayView jsonLines, const Spill& spill)
{
    eachLine(jsonLines, [&](QByteArrayView line, const Values& v) {
        writeRecord(out, line.size() + 256, spill, [&](auto& o) { subcogRecord(o, v); });
    });
}

template<typename Out>
void RecordTranscoder::csvRecord(Out& out, const Values& v)
{
    for (int f = 0; f < FieldCount; ++f) {
        if (f)
            out.put(',');
        const QByteArrayView value = v[f];
        if (value.startsWith('"') && !(f == Domain && value.size() == 2)) {
            // the common case, content included: unescaped straight into the output
            const QByteArrayView inside = insideOf(value);
            if (csvNeedsQuotes(inside)) {
                out.put('"');
                putDecoded(out, inside, Mode::Csv);
                out.put('"');
            } else {
                putDecoded(out, inside, Mode::Plain);
            }
        } else if (value.startsWith('"') || value.startsWith('[')) {
            cellText(v, f);
            putCsvText(out, m_cell);
        } else if (!isNull(value)) {
            out.put(value);
        }
    }
    out.put("\r\n", 2);
}

template<typename Out>
void RecordTranscoder::markdownRecord(Out& out, const Values& v)
{
    putText(out, "## ");
    putDecoded(out, insideOf(v[Id]), Mode::Plain);
    putText(out, "\n\n| Field | Value |\n| --- | --- |\n");
    for (int f = Namespace; f < FieldCount; ++f) {
        cellText(v, f);
        if (m_cell.isEmpty())
            continue;
        putText(out, "| ");
        putText(out, kKeys[f]);
        putText(out, " | ");
        const bool time
            = f == CreatedAt || f == UpdatedAt || f == TombstonedAt || f == ExpiresAt || f == ConsolidationTimestamp;
        const std::optional<qint64> seconds = time ? integerOf(m_cell) : std::nullopt;
        if (seconds) {
            // "local time (`seconds`)", as MemoryFields::formatTime writes it
            char text[kTimeRoom];
            out.put(text, localTime(text, *seconds));
            putText(out, " (`");
            out.put(m_cell);
            putText(out, "`)");
        } else {
            putMarkdownCell(out, m_cell);
        }
        putText(out, " |\n");
    }
    // the content verbatim in a fence longer than any run of backticks inside it
    const QByteArrayView content = insideOf(v[Content]);
    const qsizetype fence = std::max(3, longestBacktickRun(content) + 1);
    const auto putFence = [&] {
        for (qsizetype i = 0; i < fence; ++i)
            out.put('`');
    };
    out.put('\n');
    putFence();
    putText(out, "markdown\n");
    if (putDecoded(out, content, Mode::Plain) != '\n')
        out.put('\n');
    putFence();
    putText(out, "\n\n");
}

const QByteArray& RecordTranscoder::canonical(Canonical& cache, const Values& v, int field)
{
    // a handful of spellings in any store: a short list searched in order beats hashing every record's value
    const QByteArrayView raw = v[field];
    for (const auto& [stored, json] : cache) {
        if (stored == raw)
            return json;
    }
    QByteArray text(raw.size(), Qt::Uninitialized);
    RoomOut o {text.data()};
    putDecoded(o, insideOf(raw), Mode::Plain);
    text.truncate(o.p - text.constData());
    const QString stored = QString::fromUtf8(text);
    const QString name = field == Namespace
        ? namespaceName(parseNamespace(stored).value_or(Inspector::Namespace::Decisions))
        : statusName(parseStatus(stored).value_or(MemoryStatus::Active));
    QByteArray json;
    appendJsonString(json, name);
    if (cache.size() >= 64)
        cache.erase(cache.begin()); // a store of endless spellings: bounded, correct either way
    cache.emplace_back(raw.toByteArray(), json);
    return cache.back().second;
}

template<typename Out>
void RecordTranscoder::subcogRecord(Out& out, const Values& v)
{
    // appendSubcogExportLine's record: the line's own JSON values copied, namespace and status made canonical
    putText(out, "{\"id\":");
    out.put(v[Id]);
    putText(out, ",\"content\":");
    const QByteArrayView content = v[Content];
    for (qsizetype at = 0; at < content.size(); at += kChunk) {
        out.put(content.sliced(at, std::min(kChunk, content.size() - at)));
        out.spillPoint();
    }
    putText(out, ",\"namespace\":");
    out.put(canonical(m_namespaces, v, Namespace));
    putText(out, ",\"domain\":");
    if (v[Domain].size() == 2)
        putText(out, "\"project\"");
    else
        out.put(v[Domain]);
    putText(out, ",\"project_id\":");
    out.put(v[ProjectId]);
    putText(out, ",\"branch\":");
    out.put(v[Branch]);
    if (!isNull(v[FilePath])) {
        putText(out, ",\"file_path\":");
        out.put(v[FilePath]);
    }
    putText(out, ",\"status\":");
    out.put(canonical(m_statuses, v, Status));
    putText(out, ",\"created_at\":");
    out.put(v[CreatedAt]);
    putText(out, ",\"updated_at\":");
    out.put(v[UpdatedAt]);
    putText(out, ",\"tags\":");
    out.put(v[Tags]);
    if (!isNull(v[Source])) {
        putText(out, ",\"source\":");
        out.put(v[Source]);
    }
    putText(out, "}\n");
}

} // namespace Inspector
