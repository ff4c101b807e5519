// SPDX-License-Identifier: MIT
// Whole-result scans stepped on the driver's raw sqlite3 handle, the FTS row joined at its guessed rowid.
#include "sqlitebackend.h"

#include "sqliteinternal.h"

#include <sqlite3.h>

#include <cstring>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace SqliteInternal;

namespace {
/// A 64-bit hash of an id, eight bytes at a time (ids are short); the length is mixed in, so "a" and "a\0" differ.
quint64 ftsIdHash(QByteArrayView id)
{
    constexpr quint64 kMul = 0x9e3779b97f4a7c15ull;
    quint64 h = quint64(id.size()) * kMul;
    const char* p = id.data();
    qsizetype n = id.size();
    for (; n >= 8; p += 8, n -= 8) {
        quint64 w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * kMul;
        h ^= h >> 29;
    }
    quint64 w = 0;
    if (n > 0)
        std::memcpy(&w, p, size_t(n));
    h = (h ^ w) * kMul;
    h ^= h >> 32;
    return h;
}

/// Sorts by the top 11 bits first, then each bucket (cache-sized) by std::sort: about four times faster than
/// std::sort alone on a million hashes.
void sortHashes(std::vector<quint64>& hashes)
{
    constexpr int kBits = 11;
    constexpr size_t kBuckets = size_t(1) << kBits;
    if (hashes.size() < 4 * kBuckets) {
        std::sort(hashes.begin(), hashes.end());
        return;
    }
    std::vector<size_t> start(kBuckets + 1, 0);
    for (const quint64 h : hashes)
        ++start[(h >> (64 - kBits)) + 1];
    for (size_t b = 0; b < kBuckets; ++b)
        start[b + 1] += start[b];
    std::vector<quint64> sorted(hashes.size());
    std::vector<size_t> at(start.begin(), start.end() - 1);
    for (const quint64 h : hashes)
        sorted[at[h >> (64 - kBits)]++] = h;
    for (size_t b = 0; b < kBuckets; ++b)
        std::sort(sorted.begin() + qsizetype(start[b]), sorted.begin() + qsizetype(start[b + 1]));
    hashes.swap(sorted);
}
} // namespace

void SqliteBackend::findDuplicateFtsIds()
{
    const std::optional<QByteArray> token = changeToken();
    if (m_fts->cleanAt && m_fts->cleanAt == token) {
        m_fts->duplicateIds.clear();
        m_fts->duplicatesAt = token;
    }
    if (m_fts->duplicatesAt && m_fts->duplicatesAt == token)
        return;
    // hashes of every FTS id, sorted: equal neighbours name the few ids to count exactly in a second pass. A plain
    // inline hash, not qHashBits (SipHash in Debian's Qt, most of this pass's time): a collision only adds a suspect.
    auto eachId = [&](auto&& f) {
        RawStatement st;
        const char* sql = "SELECT c0 FROM memories_fts_content";
        if (const int rc = sqlite3_prepare_v2(m_handle, sql, -1, &st.stmt, nullptr); rc != SQLITE_OK)
            failRaw(u"cannot read the full-text ids"_s, rc, QString::fromLatin1(sql));
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
            sqlite3_value* v = sqlite3_column_value(st.stmt, 0);
            const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(v));
            f(QByteArrayView(text, sqlite3_value_bytes(v)));
        }
        if (rc != SQLITE_DONE)
            failRaw(u"cannot read the full-text ids"_s, rc, QString::fromLatin1(sql));
    };
    std::vector<quint64> hashes;
    eachId([&](QByteArrayView id) { hashes.push_back(ftsIdHash(id)); });
    sortHashes(hashes);
    QSet<quint64> suspects;
    for (size_t i = 1; i < hashes.size(); ++i) {
        if (hashes[i] == hashes[i - 1])
            suspects.insert(hashes[i]);
    }
    hashes = {};
    m_fts->duplicateIds.clear();
    if (!suspects.isEmpty()) {
        QHash<QByteArray, int> counts;
        eachId([&](QByteArrayView id) {
            if (suspects.contains(ftsIdHash(id)))
                ++counts[id.toByteArray()];
        });
        for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
            if (it.value() > 1)
                m_fts->duplicateIds.insert(it.key());
        }
    }
    m_fts->duplicatesAt = token;
}

void SqliteBackend::stepScan(const MemoryQuery& query, const std::function<ScanStep(sqlite3_stmt*, bool)>& onRow,
                             const std::function<bool()>& onEnd, ScanOrder order, sqlite3_value* onlyKey)
{
    assertThread();
    // One statement stepped from start to end on the driver's own sqlite3 handle: QSqlQuery would turn every value
    // into a QVariant through UTF-16 twice over, which was most of an export's time. The FTS row is joined at the
    // rowid the metadata row suggests (subcog writes both in one transaction) and used only when its id matches;
    // rows it misses go through attachContent's lookups.
    const Fragment where = whereClause(query.filter);
    const QString key = sortColumn(query.sortKey);
    const auto dir = [](Qt::SortOrder o) { return o == Qt::AscendingOrder ? u"ASC"_s : u"DESC"_s; };
    const bool join = query.withContent && m_hasFts && m_ftsContentTable;
    if (join)
        findDuplicateFtsIds();
    QString sql = u"SELECT "_s + selectList();
    if (join) {
        // the offset is an integer this code computed, not user data
        sql += u", c.id, c.c0, c.c1, c.c2 FROM memories m LEFT JOIN memories_fts_content c ON c.id = m.rowid + "_s
            + QString::number(m_fts->rowidDelta.value_or(0));
    } else {
        sql += u" FROM memories m"_s;
    }
    sql += where.sql;
    if (onlyKey)
        sql += (where.sql.isEmpty() ? u" WHERE "_s : u" AND "_s) + key + u" IS ?"_s;
    sql += u" ORDER BY "_s + key + u' ' + dir(query.order);
    if (query.sortKey != SortKey::Id && order == ScanOrder::Exact)
        sql += u", m.id "_s + dir(query.idOrder);
    auto rawFail = [&](const QString& what, int rc) { failRaw(what, rc, sql); };
    RawStatement st;
    const QByteArray sqlUtf8 = sql.toUtf8();
    if (const int rc = sqlite3_prepare_v2(m_handle, sqlUtf8.constData(), int(sqlUtf8.size()), &st.stmt, nullptr);
        rc != SQLITE_OK)
        rawFail(u"cannot prepare a read"_s, rc);
    for (int i = 0; i < where.binds.size(); ++i)
        bindValue(st.stmt, i + 1, where.binds[i]);
    if (onlyKey)
        sqlite3_bind_value(st.stmt, int(where.binds.size()) + 1, onlyKey);

    // A whole-store scan whose join found one FTS row for every memory, in a table with no other rows, has
    // proved what storeIssues' GROUP BY over the FTS table (seconds at a million rows) would look for.
    const bool whole = join && where.sql.isEmpty() && !onlyKey;
    const std::optional<QByteArray> tokenBefore = whole ? changeToken() : std::nullopt;
    qint64 seen = 0;
    qint64 joined = 0;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
        ++seen;
        switch (onRow(st.stmt, join)) {
        case ScanStep::Stop:
            return;
        case ScanStep::Joined:
            ++joined;
            break;
        case ScanStep::Read:
            break;
        }
    }
    if (rc != SQLITE_DONE)
        rawFail(u"read failed"_s, rc);
    if (!onEnd())
        return;
    if (whole && joined == seen) {
        RawStatement count;
        if (sqlite3_prepare_v2(m_handle, "SELECT count(*) FROM memories_fts_content", -1, &count.stmt, nullptr)
                == SQLITE_OK
            && sqlite3_step(count.stmt) == SQLITE_ROW && sqlite3_column_int64(count.stmt, 0) == seen
            && changeToken() == tokenBefore)
            m_fts->cleanAt = tokenBefore;
    }
}

void SqliteBackend::scan(const MemoryQuery& query, const ScanSink& sink, int batchSize)
{
    QList<RawRow> rows;
    rows.reserve(batchSize);
    auto flush = [&] {
        QList<Memory> memories;
        QList<RecordIssue> issues;
        attachContent(rows, memories, &issues, query.withContent, false);
        rows.clear();
        return sink(memories, issues);
    };
    stepScan(
        query,
        [&](sqlite3_stmt* st, bool join) {
            rows.append(readRawRow(st, join));
            const bool joined = rows.last().contentKnown;
            if (rows.size() >= qMax(1, batchSize) && !flush())
                return ScanStep::Stop;
            return joined ? ScanStep::Joined : ScanStep::Read;
        },
        [&] { return rows.isEmpty() || flush(); });
}

} // namespace Inspector
