// SPDX-License-Identifier: MIT
// A MemoryFilter as the WHERE clause of a statement over `memories m`.
#include "sqlitebackend.h"

#include "filtersql.h"
#include "sqliteinternal.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace SqliteInternal;

QString SqliteBackend::columnExpr(const QString& column) const
{
    return m_columns.contains(column) ? u"m."_s + quoteIdentifier(column) : u"NULL"_s;
}

QString SqliteBackend::selectList() const
{
    QString list = u"m.rowid"_s;
    for (int f = 0; f < FieldCount; ++f)
        list += u", "_s + columnExpr(kFieldNames[f]);
    return list;
}

SqliteBackend::Fragment SqliteBackend::whereClause(const MemoryFilter& f, FullTextPlan plan)
{
    FilterSql sql(SqlDialect::Sqlite);
    const FilterColumns columns = FilterColumns::sqlite(m_columns);
    sql.addMetadata(f, columns);
    sql.oneOf(u"COALESCE(NULLIF("_s + columnExpr(u"domain"_s) + u", ''), 'project')"_s, f.domains);
    sql.summarizing(columnExpr(u"source_memory_ids"_s), f.summarizing);
    if (!f.entities.isEmpty()) {
        // the ids are read from graph.db first and bound as one JSON array: no ATTACH, which would enlist graph.db
        // in every BEGIN IMMEDIATE, and no limit on the number of ids
        const QStringList ids = m_graph.graph().memoriesMentioning(f.entities);
        sql.add(u"m.id IN (SELECT value FROM json_each(?))"_s,
                {QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(ids)).toJson(QJsonDocument::Compact))});
    }
    QStringList words;
    for (const QString& word : f.words) {
        if (hasFullTextToken(word))
            words << word;
    }
    if (!words.isEmpty()) {
        if (m_hasFts) {
            QStringList terms;
            for (const QString& word : words)
                terms << u"content:"_s + ftsPhrase(word);
            const QString match = terms.join(u" AND "_s);
            // SQLite materialises an IN subquery the first time a row needs it, so the fallbacks below cost nothing
            // until some row is not in the state the cheap test relies on
            const QString exact = u"m.id IN (SELECT id FROM memories_fts WHERE memories_fts MATCH ?)"_s;
            if (plan == FullTextPlan::Aligned) {
                // proven for this match string and offset by countAligned: each matching FTS row is its memory's
                sql.add(u"m.rowid + ? IN (SELECT rowid FROM memories_fts WHERE memories_fts MATCH ?)"_s,
                        {m_fts->rowidDelta.value_or(0), match});
            } else if (plan == FullTextPlan::RowidSet) {
                // Exact when the FTS row at the guessed rowid holds this id (compared as the IN does) and no other
                // FTS row does: then that row alone decides. Anything else takes the exact test.
                const qint64 delta = m_fts->rowidDelta.value_or(0);
                QString guard = u"(SELECT c.c0 FROM memories_fts_content c WHERE c.id = m.rowid + ?) = m.id"_s;
                QVariantList values {delta};
                if (!m_fts->duplicateIds.isEmpty()) {
                    // each duplicated id as its stored bytes, and as text, so the column's affinity finds either
                    QStringList list;
                    for (const QByteArray& id : m_fts->duplicateIds) {
                        list << u"?, CAST(? AS TEXT)"_s;
                        values << id << id;
                    }
                    guard += u" AND m.id NOT IN ("_s + list.join(u", "_s) + u')';
                }
                values << delta << match << match;
                sql.add(
                    u"CASE WHEN "_s + guard
                        + u" THEN m.rowid + ? IN (SELECT rowid FROM memories_fts WHERE memories_fts MATCH ?) ELSE "_s
                        + exact + u" END"_s,
                    values);
            } else if (plan == FullTextPlan::Walk) {
                // Every FTS row with this id is found by the id phrase (equal ids tokenize alike), so the EXISTS is
                // exact; an id without an ASCII letter or digit may have no token and takes the exact test.
                sql.add(u"CASE WHEN m.id GLOB '*[0-9A-Za-z]*' THEN EXISTS (SELECT 1 FROM memories_fts f WHERE "
                        "memories_fts MATCH ('(' || ? || ') AND id:\"' || replace(m.id, '\"', '\"\"') || '\"') "
                        "AND f.id = m.id) ELSE "_s
                            + exact + u" END"_s,
                        {match, match});
            } else {
                sql.add(exact, {match});
            }
        } else {
            for (const QString& word : words) {
                QString escaped = word;
                escaped.replace(u"\\"_s, u"\\\\"_s).replace(u"%"_s, u"\\%"_s).replace(u"_"_s, u"\\_"_s);
                sql.add(u"m.content LIKE ? ESCAPE '\\'"_s, {QString(u'%' + escaped + u'%')});
            }
        }
    }
    sql.tombstones(f.tombstones, columns.lowerStatus, columns.tombstonedAt);
    addLifecycle(sql, f);
    return Fragment {sql.where(), sql.binds()};
}

} // namespace Inspector
