// SPDX-License-Identifier: MIT
// A store at a glance: one pass over the metadata columns the filter lets through, grouped in hash tables.
//
// SQLite's GROUP BY sorts whenever no index is in the grouping's order, and subcog's files index neither
// (namespace, week) nor (project_id, branch); seven GROUP BY statements over a million rows take seconds, one
// pass that groups as it reads takes well under one (bench/bench_stats.cpp runs both).
#include "sqlitebackend.h"

#include "sqliteinternal.h"

#include <sqlite3.h>

#include <cstring>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace SqliteInternal;

namespace {

struct ViewHash
{
    using is_transparent = void;
    /// The stored values are short: their length and first and last eight bytes, mixed, tell them apart well enough
    /// (std::hash reads every byte and dominated the pass).
    size_t operator()(std::string_view s) const noexcept
    {
        quint64 a = 0, b = 0;
        if (s.size() >= 8) {
            std::memcpy(&a, s.data(), 8);
            std::memcpy(&b, s.data() + s.size() - 8, 8);
        } else if (!s.empty()) {
            std::memcpy(&a, s.data(), s.size());
        }
        quint64 h = (a ^ (b * 0x9E3779B97F4A7C15ULL) ^ s.size()) * 0xBF58476D1CE4E5B9ULL;
        return size_t(h ^ (h >> 31));
    }
};

/// Counts per stored text, looked up without copying the statement's bytes.
template<typename Value>
using TextMap = std::unordered_map<std::string, Value, ViewHash, std::equal_to<>>;

/// A count per stored text, looked up without copying the statement's bytes.
template<typename Value>
struct Counter
{
    TextMap<Value> map;

    Value& operator[](std::string_view key)
    {
        auto it = map.find(key);
        if (it == map.end())
            it = map.emplace(std::string(key), Value {}).first;
        return it->second;
    }
};

/// The column's text, or nullopt for NULL (one call into SQLite).
std::optional<std::string_view> textOrNull(sqlite3_stmt* st, int column)
{
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, column));
    if (!p)
        return std::nullopt; // NULL (or out of memory, which SQLite reports when the statement steps on)
    return std::string_view(p, size_t(sqlite3_column_bytes(st, column)));
}

std::string_view text(sqlite3_stmt* st, int column)
{
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, column));
    return p ? std::string_view(p, size_t(sqlite3_column_bytes(st, column))) : std::string_view();
}

QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && isAsciiSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isAsciiSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

/// Whether a tag may begin or end with a non-ASCII space (U+0085, U+00A0, U+1680, U+2000..U+205F, U+3000: their
/// UTF-8 starts with C2, E1, E2 or E3); a cheap test before the exact one.
bool mayEdgeOnUnicodeSpace(std::string_view s)
{
    const auto lead = [](char c) {
        const auto u = uchar(c);
        return u == 0xC2 || (u >= 0xE1 && u <= 0xE3);
    };
    const size_t n = s.size();
    return (n > 0 && lead(s.front())) || (n >= 2 && lead(s[n - 2])) || (n >= 3 && lead(s[n - 3]));
}

bool isTombstonedStatus(std::string_view s)
{
    return QByteArrayView(s.data(), qsizetype(s.size())).compare("tombstoned", Qt::CaseInsensitive) == 0;
}

struct NamespaceGroup
{
    qint64 count = 0;
    std::unordered_map<qint64, qint64> weeks; ///< week start → memories
    qint64 lastWeek = std::numeric_limits<qint64>::min(); ///< rows often come in created_at order
    qint64* lastCount = nullptr;

    void addWeek(qint64 week)
    {
        if (week != lastWeek) {
            lastWeek = week;
            lastCount = &weeks[week];
        }
        ++*lastCount;
    }
};

} // namespace

StoreStats SqliteBackend::stats(const MemoryFilter& filter, qint64 now)
{
    assertThread();
    const QSet<QString>* vectors = vectorIds();
    const Fragment where = whereClause(filter, chooseFullTextPlan(filter, nullptr));
    enum
    {
        CNamespace,
        CStatus,
        CDomain,
        CProject,
        CBranch,
        CCreated,
        CTags,
        CSummary,
        CTombstonedAt,
        CExpiresAt,
        CId,
    };
    QStringList list;
    for (const char* name : {"namespace", "status", "domain", "project_id", "branch", "created_at", "tags",
                             "is_summary", "tombstoned_at", "expires_at", "id"})
        list << columnExpr(QString::fromLatin1(name));
    const QString sql = u"SELECT "_s + list.join(u", "_s) + u" FROM memories m"_s + where.sql;
    RawStatement st;
    const QByteArray sqlUtf8 = sql.toUtf8();
    if (const int rc = sqlite3_prepare_v2(m_handle, sqlUtf8.constData(), int(sqlUtf8.size()), &st.stmt, nullptr);
        rc != SQLITE_OK)
        failRaw(u"cannot prepare the figures"_s, rc, sql);
    for (int i = 0; i < where.binds.size(); ++i)
        bindValue(st.stmt, i + 1, where.binds[i]);

    Counter<NamespaceGroup> namespaces;
    Counter<qint64> statuses;
    Counter<qint64> domains;
    Counter<qint64> projects;
    Counter<qint64> branches;
    Counter<qint64> tags;
    qint64 total = 0, summaries = 0, tombstoned = 0, expired = 0, hashTagged = 0, withoutProject = 0, withoutBranch = 0,
           embedded = 0;
    std::vector<std::string_view> rowTags;
    std::deque<std::string> rowOwned; // tags trimmed of Unicode spaces; a deque keeps them where they are
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
        ++total;
        NamespaceGroup& ns = namespaces[text(st.stmt, CNamespace)];
        ++ns.count;
        ns.addWeek(StoreStats::weekStart(sqlite3_column_int64(st.stmt, CCreated)));
        const std::string_view status = text(st.stmt, CStatus);
        ++statuses[status];
        ++domains[text(st.stmt, CDomain)]; // NULL and '' both read as `project`
        if (const auto project = textOrNull(st.stmt, CProject))
            ++projects[*project];
        else
            ++withoutProject;
        if (const auto branch = textOrNull(st.stmt, CBranch))
            ++branches[*branch];
        else
            ++withoutBranch;
        // subcog's reader: split on ',', trim, drop empty parts; a tag counts once per memory
        rowTags.clear();
        rowOwned.clear();
        bool hashTag = false;
        std::string_view rest = text(st.stmt, CTags);
        while (!rest.empty()) {
            const size_t comma = rest.find(',');
            std::string_view tag = trimmed(rest.substr(0, comma));
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            if (mayEdgeOnUnicodeSpace(tag)) {
                // the reader trims Unicode spaces too (an ideographic space, a no-break space)
                const QByteArray t = qs(tag).trimmed().toUtf8();
                if (t.size() != qsizetype(tag.size()))
                    tag = rowOwned.emplace_back(t.constData(), size_t(t.size()));
            }
            if (tag.empty())
                continue;
            if (tag.starts_with("hash:sha256:")) {
                hashTag = true;
                continue;
            }
            if (std::find(rowTags.begin(), rowTags.end(), tag) == rowTags.end()) {
                rowTags.push_back(tag);
                ++tags[tag];
            }
        }
        hashTagged += hashTag;
        summaries += sqlite3_column_int64(st.stmt, CSummary) != 0;
        if (sqlite3_column_type(st.stmt, CTombstonedAt) != SQLITE_NULL || isTombstonedStatus(status))
            ++tombstoned;
        else if (sqlite3_column_type(st.stmt, CExpiresAt) != SQLITE_NULL
                 && sqlite3_column_int64(st.stmt, CExpiresAt) < now)
            ++expired;
        if (vectors && vectors->contains(qs(text(st.stmt, CId))))
            ++embedded;
    }
    if (rc != SQLITE_DONE)
        failRaw(u"reading the figures failed"_s, rc, sql);

    StatsBuilder builder(now);
    for (const auto& [name, group] : namespaces.map) {
        const QString stored = qs(name);
        builder.addNamespace(stored, group.count);
        for (const auto& [week, n] : group.weeks)
            builder.addWeek(stored, week, n);
    }
    for (const auto& [name, n] : statuses.map)
        builder.addStatus(qs(name), n);
    for (const auto& [name, n] : domains.map)
        builder.addDomain(name.empty() ? u"project"_s : qs(name), n);
    for (const auto& [name, n] : projects.map)
        builder.addProject(qs(name), n);
    builder.addProject(std::nullopt, withoutProject);
    for (const auto& [name, n] : branches.map)
        builder.addBranch(qs(name), n);
    builder.addBranch(std::nullopt, withoutBranch);
    for (const auto& [name, n] : tags.map)
        builder.addTag(qs(name), n);
    StoreStats& s = builder.stats();
    s.total = total;
    s.summaries = summaries;
    s.tombstoned = tombstoned;
    s.expired = expired;
    s.contentHashTagged = hashTagged;
    if (vectors)
        s.withEmbedding = embedded;
    return builder.finish();
}

} // namespace Inspector
