// SPDX-License-Identifier: MIT
#include "plainjsonline.h"

#include "jsonl.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <sqlite3.h>

#include <charconv>
#include <cstring>

namespace Inspector::SqliteInternal {

namespace {
constexpr std::array kTextFields {FNamespace, FDomain, FProjectId, FBranch,          FFilePath,
                                  FStatus,    FTags,   FSource,    FSourceMemoryIds, FGroupId};
constexpr std::array kIntFields {FTombstonedAt, FExpiresAt, FIsSummary, FConsolidationTimestamp};

QByteArrayView utf8(sqlite3_value* v)
{
    return {reinterpret_cast<const char*>(sqlite3_value_text(v)), sqlite3_value_bytes(v)};
}

/// QByteArrayView::isValidUtf8, with the ASCII that most text is passed over eight bytes at a time first.
bool isValidUtf8(QByteArrayView text)
{
    const char* s = text.data();
    const char* const end = s + text.size();
    for (; end - s >= 8; s += 8) {
        quint64 w;
        std::memcpy(&w, s, 8);
        if (w & 0x8080808080808080ull)
            break; // a multi-byte character begins in this word, after ASCII: a character boundary
    }
    return QByteArrayView(s, end - s).isValidUtf8();
}

/// memcpy for the short strings most columns hold, without a call.
void copyBytes(char* to, const char* from, qsizetype n)
{
    if (n > 16) {
        std::memcpy(to, from, size_t(n));
    } else if (n >= 8) {
        quint64 a, b;
        std::memcpy(&a, from, 8);
        std::memcpy(&b, from + n - 8, 8);
        std::memcpy(to, &a, 8);
        std::memcpy(to + n - 8, &b, 8);
    } else if (n >= 4) {
        quint32 a, b;
        std::memcpy(&a, from, 4);
        std::memcpy(&b, from + n - 4, 4);
        std::memcpy(to, &a, 4);
        std::memcpy(to + n - 4, &b, 4);
    } else if (n > 0) {
        to[0] = from[0];
        to[n / 2] = from[n / 2];
        to[n - 1] = from[n - 1];
    }
}
} // namespace

qsizetype PlainCells::textBytes() const
{
    qsizetype n = texts[FId].size() + content.size();
    for (const int f : kTextFields)
        n += texts[f].size();
    return n;
}

bool readPlainCells(sqlite3_stmt* st, const QSet<QByteArray>& duplicateIds, PlainCells& row)
{
    // The row's line is written from its UTF-8 columns only when it needs none of attachContent's judgement: every
    // column of the type subcog writes, valid UTF-8, the FTS row joined. Anything else goes to the general decoder,
    // so both give the same line (tst_sqlitelayouts compares them on every layout and anomaly).
    // Each column's value is fetched once and read through sqlite3_value_*: every sqlite3_column_* call goes
    // through the statement's bookkeeping again, and those calls were a visible share of the time.
    constexpr int c = FieldCount + 1;
    std::array<sqlite3_value*, FieldCount> values;
    for (int f = 0; f < FContent; ++f) {
        values[f] = sqlite3_column_value(st, f + 1);
        row.types[f] = sqlite3_value_type(values[f]);
        if (row.types[f] == SQLITE_TEXT)
            row.texts[f] = utf8(values[f]);
        else
            row.texts[f] = {};
    }
    const auto type = [&](int field) { return row.types[field]; };
    sqlite3_value* const ftsRowid = sqlite3_column_value(st, c);
    sqlite3_value* const ftsId = sqlite3_column_value(st, c + 1);
    if (type(FId) != SQLITE_TEXT || sqlite3_value_type(ftsRowid) != SQLITE_INTEGER
        || sqlite3_value_type(ftsId) != SQLITE_TEXT || type(FCreatedAt) != SQLITE_INTEGER)
        return false;
    const QByteArrayView id = row.texts[FId];
    if (id.isEmpty() || utf8(ftsId) != id || !isValidUtf8(id))
        return false;
    if (!duplicateIds.isEmpty() && duplicateIds.contains(QByteArray::fromRawData(id.data(), id.size())))
        return false;
    sqlite3_value* const contentValue = sqlite3_column_value(st, c + 2);
    const int contentType = sqlite3_value_type(contentValue);
    if (contentType != SQLITE_TEXT && contentType != SQLITE_NULL)
        return false;
    for (const int f : kTextFields) {
        const int t = type(f);
        if (t != SQLITE_TEXT && t != SQLITE_NULL)
            return false;
        if (t == SQLITE_TEXT && !isValidUtf8(row.texts[f]))
            return false;
    }
    for (const int f : kIntFields) {
        const int t = type(f);
        if (t != SQLITE_INTEGER && t != SQLITE_NULL)
            return false;
        row.ints[f] = t == SQLITE_INTEGER ? sqlite3_value_int64(values[f]) : 0;
    }
    row.ints[FCreatedAt] = sqlite3_value_int64(values[FCreatedAt]);
    row.content = contentType == SQLITE_TEXT ? utf8(contentValue) : QByteArrayView("");
    return isValidUtf8(row.content);
}

void appendPlainLine(QByteArray& out, const PlainCells& row)
{
    const auto type = [&](int field) { return row.types[field]; };
    // The parts QString must judge come first (non-ASCII tags, the source id list), then the line is written with
    // a pointer into room for its longest possible form: QByteArray::append's bookkeeping was a visible cost.
    const QByteArrayView tags = row.texts[FTags];
    QByteArray slowParts; // [tags array] and [source ids array], when they need Qt
    qsizetype tagsSlowEnd = -1;
    if (std::any_of(tags.begin(), tags.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; })) {
        // trimming non-ASCII white space is QString's business
        const QStringList list = splitTags(QString::fromUtf8(tags));
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (i)
                slowParts.append(',');
            appendJsonString(slowParts, list[i]);
        }
        tagsSlowEnd = slowParts.size();
    }
    const qsizetype idsStart = slowParts.size();
    if (type(FSourceMemoryIds) != SQLITE_NULL) {
        // a list that is not an array of strings reads as empty, as in attachContent
        const QJsonDocument doc = QJsonDocument::fromJson(row.texts[FSourceMemoryIds].toByteArray());
        const QJsonArray items = doc.array();
        const bool valid = doc.isArray()
            && std::all_of(items.begin(), items.end(), [](const QJsonValue& v) { return v.isString(); });
        slowParts.append('[');
        if (valid) {
            for (qsizetype i = 0; i < items.size(); ++i) {
                if (i)
                    slowParts.append(',');
                appendJsonString(slowParts, items[i].toString());
            }
        }
        slowParts.append(']');
    }

    // 6 bytes per escaped byte; a tag adds at most 3 (quotes, comma); keys, numbers and literals stay under 512
    const qsizetype room = 6 * (row.textBytes() - tags.size() - row.texts[FSourceMemoryIds].size()) + 9 * tags.size()
        + slowParts.size() + 512;
    const qsizetype start = out.size();
    out.resize(start + room);
    char* p = out.data() + start;
    // a literal's length is known here, so the copy is a few moves rather than a call to memcpy
    const auto key = [&]<size_t N>(const char(&literal)[N]) {
        std::memcpy(p, literal, N - 1);
        p += N - 1;
    };
    const auto number = [&](qint64 value) { p = std::to_chars(p, p + 24, value).ptr; };
    const auto text = [&](int f) { p = writeJsonUtf8String(p, row.texts[f]); };
    const auto optionalText = [&](int f) {
        if (type(f) == SQLITE_NULL)
            key("null");
        else
            text(f);
    };
    const auto optionalInt = [&](int f) {
        if (type(f) == SQLITE_NULL)
            key("null");
        else
            number(row.ints[f]);
    };
    key("{\"id\":");
    p = writeJsonUtf8String(p, row.texts[FId]);
    key(",\"content\":");
    p = writeJsonUtf8String(p, row.content);
    key(",\"namespace\":");
    text(FNamespace); // NULL reads as ""
    key(",\"domain\":");
    if (row.texts[FDomain].isEmpty())
        key("\"project\"");
    else
        text(FDomain);
    key(",\"project_id\":");
    optionalText(FProjectId);
    key(",\"branch\":");
    optionalText(FBranch);
    key(",\"file_path\":");
    optionalText(FFilePath);
    key(",\"status\":");
    text(FStatus);
    const qint64 created = row.ints[FCreatedAt];
    key(",\"created_at\":");
    number(created);
    key(",\"updated_at\":");
    number(created); // SQLite has no updated_at column; subcog reads created_at back
    key(",\"tombstoned_at\":");
    optionalInt(FTombstonedAt);
    key(",\"expires_at\":");
    optionalInt(FExpiresAt);
    key(",\"tags\":[");
    if (tagsSlowEnd >= 0) {
        std::memcpy(p, slowParts.constData(), size_t(tagsSlowEnd));
        p += tagsSlowEnd;
    } else {
        bool first = true;
        qsizetype from = 0;
        while (from <= tags.size()) {
            qsizetype to = tags.indexOf(',', from);
            if (to < 0)
                to = tags.size();
            qsizetype b = from;
            qsizetype e = to;
            while (b < e && isAsciiSpace(tags[b]))
                ++b;
            while (e > b && isAsciiSpace(tags[e - 1]))
                --e;
            if (e > b) {
                if (!first)
                    *p++ = ',';
                first = false;
                p = writeJsonUtf8String(p, tags.sliced(b, e - b));
            }
            from = to + 1;
        }
    }
    key("],\"source\":");
    optionalText(FSource);
    key(",\"is_summary\":");
    if (type(FIsSummary) != SQLITE_NULL && row.ints[FIsSummary] != 0)
        key("true");
    else
        key("false");
    key(",\"source_memory_ids\":");
    if (type(FSourceMemoryIds) == SQLITE_NULL) {
        key("null");
    } else {
        std::memcpy(p, slowParts.constData() + idsStart, size_t(slowParts.size() - idsStart));
        p += slowParts.size() - idsStart;
    }
    key(",\"consolidation_timestamp\":");
    optionalInt(FConsolidationTimestamp);
    key(",\"group_id\":");
    optionalText(FGroupId);
    key("}\n");
    Q_ASSERT(p <= out.constData() + start + room);
    out.resize(p - out.constData());
}

namespace {
// A capture: for each field before FContent its type byte, then an INTEGER's 8 bytes or a TEXT's 4-byte length
// and bytes; then the content's length and bytes.
template<typename T>
void put(char*& p, T value)
{
    std::memcpy(p, &value, sizeof value);
    p += sizeof value;
}
template<typename T>
T take(const char*& p)
{
    T value;
    std::memcpy(&value, p, sizeof value);
    p += sizeof value;
    return value;
}
} // namespace

void capturePlainCells(QByteArray& arena, const PlainCells& row)
{
    // room for the largest form (a type byte and 8 bytes a field), resized to what was written
    const qsizetype start = arena.size();
    arena.resize(start + 9 * FContent + 4 + row.textBytes());
    char* p = arena.data() + start;
    for (int f = 0; f < FContent; ++f) {
        put<qint8>(p, qint8(row.types[f]));
        if (row.types[f] == SQLITE_INTEGER) {
            put<qint64>(p, row.ints[f]);
        } else if (row.types[f] == SQLITE_TEXT) {
            put<qint32>(p, qint32(row.texts[f].size()));
            copyBytes(p, row.texts[f].data(), row.texts[f].size());
            p += row.texts[f].size();
        }
    }
    put<qint32>(p, qint32(row.content.size()));
    copyBytes(p, row.content.data(), row.content.size());
    p += row.content.size();
    arena.resize(p - arena.constData());
}

PlainCells restorePlainCells(const char* at)
{
    PlainCells row;
    for (int f = 0; f < FContent; ++f) {
        row.types[f] = take<qint8>(at);
        if (row.types[f] == SQLITE_INTEGER) {
            row.ints[f] = take<qint64>(at);
        } else if (row.types[f] == SQLITE_TEXT) {
            const qint32 n = take<qint32>(at);
            row.texts[f] = QByteArrayView(at, n);
            at += n;
        }
    }
    const qint32 n = take<qint32>(at);
    row.content = QByteArrayView(at, n);
    return row;
}

} // namespace Inspector::SqliteInternal
