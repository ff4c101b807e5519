// SPDX-License-Identifier: MIT
// The lifecycle keys of the filter language (expired:, is:summary, has:edges, flag:) as SQL over `memories m`. The
// decode anomalies of the metadata row are computed by an SQL function sharing the decoder's rules, so a filter
// and the flags a page shows cannot disagree; those of the full-text rows are found through the FTS index.
#include "sqlitebackend.h"

#include "filtersql.h"
#include "lifecyclefilter.h"
#include "sqliteinternal.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace SqliteInternal;

namespace {

/// A value as columnValue() gives a column, so toString() reads it as the decoder does.
QVariant valueOf(sqlite3_value* v)
{
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        return QVariant(qint64(sqlite3_value_int64(v)));
    case SQLITE_FLOAT:
        return QVariant(sqlite3_value_double(v));
    case SQLITE_TEXT:
        return QVariant(
            QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_value_text(v)), sqlite3_value_bytes(v)));
    case SQLITE_BLOB:
        return QVariant(QByteArray(static_cast<const char*>(sqlite3_value_blob(v)), sqlite3_value_bytes(v)));
    default:
        return QVariant();
    }
}

/// The source ids as subcog reads them: nullopt for anything but a JSON array of strings (decodeRows' rule).
std::optional<QStringList> validSources(const QVariant& raw)
{
    const QJsonDocument doc = QJsonDocument::fromJson(raw.toString().toUtf8());
    if (!doc.isArray())
        return std::nullopt;
    QStringList ids;
    for (const QJsonValue& item : doc.array()) {
        if (!item.isString())
            return std::nullopt;
        ids << item.toString();
    }
    return ids;
}

/// A text value's bytes, or nothing for another type (which then takes the decoder's path).
std::optional<QByteArrayView> textBytes(sqlite3_value* v)
{
    if (sqlite3_value_type(v) != SQLITE_TEXT)
        return std::nullopt;
    return QByteArrayView(reinterpret_cast<const char*>(sqlite3_value_text(v)), sqlite3_value_bytes(v));
}

bool isCanonical(sqlite3_value* v, const QList<QByteArray>& names)
{
    const auto bytes = textBytes(v);
    return bytes && names.contains(*bytes);
}

/// ASCII tags as subcog writes them (no blank entry, none with spaces around it): what splitTags() would join back
/// to the same text. nullopt when a byte is not ASCII (QString::trimmed knows more spaces than these).
std::optional<bool> asciiTagsCanonical(QByteArrayView tags)
{
    if (tags.isEmpty())
        return true;
    bool canonical = true;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= tags.size(); ++i) {
        if (i < tags.size() && uchar(tags[i]) >= 0x80)
            return std::nullopt;
        if (i < tags.size() && tags[i] != ',')
            continue;
        const QByteArrayView part = tags.sliced(start, i - start);
        if (part.isEmpty() || isAsciiSpace(part.front()) || isAsciiSpace(part.back()))
            canonical = false;
        start = i + 1;
    }
    return canonical;
}

void flagsFunction(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    // most rows are as subcog writes them: their bytes decide without a QString (a million rows a query)
    static const QList<QByteArray> namespaces = [] {
        QList<QByteArray> out;
        for (const Namespace ns : allNamespaces())
            out << namespaceName(ns).toUtf8();
        return out;
    }();
    static const QList<QByteArray> statuses = [] {
        QList<QByteArray> out;
        for (const MemoryStatus st : allStatuses())
            out << statusName(st).toUtf8();
        return out;
    }();
    Memory m;
    if (!isCanonical(argv[0], namespaces) || !isCanonical(argv[1], statuses)) {
        m.namespaceName = valueOf(argv[0]).toString();
        m.status = valueOf(argv[1]).toString();
        m.flagEnumStrings();
    }
    if (const auto domain = textBytes(argv[2])) {
        if (domain->isEmpty() || *domain == "global")
            m.flags |= MemoryFlag::LegacyDomain;
    } else if (const QString text = valueOf(argv[2]).toString(); text.isEmpty() || text == "global"_L1) {
        m.flags |= MemoryFlag::LegacyDomain;
    }
    const auto tagBytes = textBytes(argv[3]);
    const std::optional<bool> quick = tagBytes ? asciiTagsCanonical(*tagBytes) : std::nullopt;
    if (quick) {
        if (!*quick)
            m.flags |= MemoryFlag::MessyTags;
    } else {
        const QVariant tags = valueOf(argv[3]);
        if (tags.isNull() || splitTags(tags.toString()).join(u',') != tags.toString())
            m.flags |= MemoryFlag::MessyTags;
    }
    const QVariant sources = valueOf(argv[4]);
    if (!sources.isNull() && !validSources(sources))
        m.flags |= MemoryFlag::InvalidSourceMemoryIds;
    sqlite3_result_int64(ctx, sqlite3_int64(m.flags.toInt()));
}

void sourcesFunction(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    const QVariant raw = valueOf(argv[0]);
    const std::optional<QStringList> ids = raw.isNull() ? std::nullopt : validSources(raw);
    const QByteArray json
        = ids ? QJsonDocument(QJsonArray::fromStringList(*ids)).toJson(QJsonDocument::Compact) : QByteArray("[]");
    sqlite3_result_text(ctx, json.constData(), int(json.size()), SQLITE_TRANSIENT);
}

} // namespace

void SqliteInternal::registerLifecycleFunctions(sqlite3* handle)
{
    constexpr int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    sqlite3_create_function_v2(handle, "inspector_flags", 5, flags, nullptr, flagsFunction, nullptr, nullptr, nullptr);
    sqlite3_create_function_v2(handle, "inspector_sources", 1, flags, nullptr, sourcesFunction, nullptr, nullptr,
                               nullptr);
}

namespace {
/// `select` over the FTS rows of m.id, found through the FTS index by the id phrase (every row with this id matches
/// it, equal ids tokenizing alike); an id without an ASCII letter or digit may have no token and scans the table.
QString ftsRowsOf(const QString& select, const QString& tail)
{
    return u"CASE WHEN m.id GLOB '*[0-9A-Za-z]*' THEN (SELECT "_s + select
        + u" FROM memories_fts f WHERE memories_fts MATCH ('id:\"' || replace(m.id, '\"', '\"\"') || '\"') "
          "AND f.id = m.id"_s
        + tail + u") ELSE (SELECT "_s + select + u" FROM memories_fts f WHERE f.id = m.id"_s + tail + u") END"_s;
}
} // namespace

bool SqliteBackend::edgeEndIndexed(const QString& column)
{
    const QString key = u"memory_edges."_s + column;
    const auto it = m_fts->leadingIndex.constFind(key);
    if (it != m_fts->leadingIndex.constEnd())
        return *it;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.prepare(u"SELECT 1 FROM pragma_index_list('memory_edges') l, pragma_index_info(l.name) i "
              "WHERE i.seqno = 0 AND i.name = ? AND l.partial = 0"_s);
    q.addBindValue(column);
    const bool found = q.exec() && q.next();
    m_fts->leadingIndex.insert(key, found);
    return found;
}

void SqliteBackend::addLifecycle(FilterSql& sql, const MemoryFilter& f)
{
    if (!f.expired && !f.summary && !f.hasEdges && f.anomaliesAny.isEmpty() && f.anomaliesNone.isEmpty()
        && f.excludedIds.isEmpty())
        return;
    const auto wants = [&](const QString& name) {
        return f.anomaliesNone.contains(name)
            || std::any_of(f.anomaliesAny.begin(), f.anomaliesAny.end(),
                           [&](const QStringList& group) { return group.contains(name); });
    };
    // the duplicate ids are known only from a pass over the FTS ids; up to date as of this data_version
    const bool duplicatesKnown = m_hasFts && m_ftsContentTable;
    if (duplicatesKnown && (wants(u"duplicate-content"_s) || wants(u"tags-drift"_s)))
        findDuplicateFtsIds();
    // the guessed rowid is what makes the full-text anomalies cheap: learnt again if the ends moved
    if (duplicatesKnown && (wants(u"missing-content"_s) || wants(u"tags-drift"_s)))
        checkRowidDelta();
    QStringList duplicates;
    for (const QByteArray& id : std::as_const(m_fts->duplicateIds))
        duplicates << QString::fromUtf8(id);
    const QString duplicatesJson
        = QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(duplicates)).toJson(QJsonDocument::Compact));
    const qint64 delta = m_fts->rowidDelta.value_or(0);
    const QString tags = columnExpr(u"tags"_s);

    FilterSql::Lifecycle exprs;
    exprs.expiresAt = columnExpr(u"expires_at"_s);
    exprs.isSummary = u"COALESCE(CAST("_s + columnExpr(u"is_summary"_s) + u" AS INTEGER), 0) <> 0"_s;
    if (m_hasEdges) {
        // an end with an index (subcog makes both, spec §4.5) is looked up per row; without one the column's ids
        // are gathered once for the statement instead of a scan of the table per row
        QStringList ends;
        for (const QString& end : {u"from_id"_s, u"to_id"_s})
            ends << (edgeEndIndexed(end) ? u"EXISTS (SELECT 1 FROM memory_edges e WHERE e."_s + end + u" = m.id)"_s
                                         : u"m.id IN (SELECT "_s + end + u" FROM memory_edges)"_s);
        exprs.hasEdges = ends.join(u" OR "_s);
    } else if (m_columns.contains(u"source_memory_ids"_s))
        // no edge table: the edges consolidation would have written, from the summaries' source lists
        exprs.hasEdges = u"json_array_length(inspector_sources(m.source_memory_ids)) > 0 OR m.id IN (SELECT j.value "
                         "FROM memories s, json_each(inspector_sources(s.source_memory_ids)) j WHERE "
                         "s.source_memory_ids IS NOT NULL)"_s;
    else
        exprs.hasEdges = u"0"_s;
    exprs.anomaly = [&](FilterSql& out, const QString& name) -> QString {
        if (const MemoryFlags flag = Lifecycle::flagOf(name); flag
            & (MemoryFlag::UnknownNamespace | MemoryFlag::NonCanonicalNamespace | MemoryFlag::UnknownStatus
               | MemoryFlag::NonCanonicalStatus | MemoryFlag::LegacyDomain | MemoryFlag::MessyTags
               | MemoryFlag::InvalidSourceMemoryIds)) {
            return u"(inspector_flags(m.namespace, m.status, "_s + columnExpr(u"domain"_s) + u", "_s + tags + u", "_s
                + columnExpr(u"source_memory_ids"_s) + u") & "_s + out.bind(qint64(flag.toInt())) + u") <> 0"_s;
        }
        const QString contentColumnNull = m_contentColumn ? u"m.content IS NULL"_s : u"1"_s;
        if (name == "missing-content"_L1) {
            if (!m_hasFts)
                return contentColumnNull;
            // The FTS row at the guessed rowid proves it cheaply for rows written as subcog writes them; the others
            // look their id up in every FTS id, gathered once for the statement when a row first needs them
            // (COALESCE evaluates its second argument only then; OR would gather them for every statement)
            const QString inFts = u"m.id IN (SELECT "_s
                + (m_ftsContentTable ? u"c0 FROM memories_fts_content WHERE c0 IS NOT NULL)"_s
                                     : u"id FROM memories_fts WHERE id IS NOT NULL)"_s);
            if (!m_ftsContentTable)
                return u"NOT "_s + inFts + u" AND "_s + contentColumnNull;
            const QString p = out.bind(delta);
            return u"COALESCE((SELECT 0 FROM memories_fts_content c WHERE c.id = m.rowid + "_s + p
                + u" AND c.c0 = m.id), NOT "_s + inFts + u") AND "_s + contentColumnNull;
        }
        if (name == "duplicate-content"_L1) {
            if (!m_hasFts)
                return u"0"_s;
            if (duplicatesKnown)
                return u"m.id IN (SELECT value FROM json_each("_s + out.bind(duplicatesJson) + u"))"_s;
            return ftsRowsOf(u"count(*)"_s, QString()) + u" > 1"_s;
        }
        if (name == "tags-drift"_L1) {
            if (!m_hasFts)
                return u"0"_s;
            // the first FTS row's tags (the one subcog reads) against the metadata row's, NULL read as empty
            const QString metadata = u"IFNULL(CAST("_s + tags + u" AS TEXT), '')"_s;
            if (!duplicatesKnown)
                return ftsRowsOf(u"IFNULL(CAST(f.tags AS TEXT), '')"_s, u" ORDER BY f.rowid LIMIT 1"_s) + u" <> "_s
                    + metadata;
            // rows off the guessed rowid: (id, tags) against each id's first FTS row, gathered once for the statement
            const QString exact = u"m.id IN (SELECT c0 FROM memories_fts_content WHERE c0 IS NOT NULL) AND (m.id, "_s
                + metadata
                + u") NOT IN (SELECT c.c0, IFNULL(CAST(c.c2 AS TEXT), '') FROM memories_fts_content c WHERE c.id IN "
                  "(SELECT min(id) FROM memories_fts_content WHERE c0 IS NOT NULL GROUP BY c0))"_s;
            // the FTS row at the guessed rowid decides when it is this memory's only one (NULL otherwise: then
            // COALESCE takes the exact test)
            const QString notDuplicate = duplicates.isEmpty()
                ? QString()
                : QString(u" AND m.id NOT IN (SELECT value FROM json_each("_s + out.bind(duplicatesJson) + u"))"_s);
            const QString p = out.bind(delta);
            return u"COALESCE((SELECT CASE WHEN c.c0 = m.id"_s + notDuplicate
                + u" THEN IFNULL(CAST(c.c2 AS TEXT), '') <> "_s + metadata
                + u" END FROM memories_fts_content c WHERE c.id = m.rowid + "_s + p + u"), "_s + exact + u')';
        }
        return u"0"_s; // encrypted, locked: folder files only
    };
    sql.lifecycle(f, FilterColumns::sqlite(m_columns), exprs);
}

} // namespace Inspector
