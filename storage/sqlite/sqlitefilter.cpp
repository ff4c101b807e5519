// SPDX-License-Identifier: MIT
// A MemoryFilter as the WHERE clause of a statement over `memories m`.
#include "sqlitebackend.h"

#include "sqliteinternal.h"

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

SqliteBackend::Fragment SqliteBackend::whereClause(const MemoryFilter& f, FullTextPlan plan) const
{
    QStringList parts;
    QVariantList binds;
    auto inList = [&](const QString& expr, const QStringList& values) {
        parts << expr + u" IN ("_s + placeholders(values.size()) + u')';
        for (const QString& value : values)
            binds << value;
    };
    if (!f.ids.isEmpty())
        inList(u"m.id"_s, f.ids);
    if (!f.namespaces.isEmpty())
        inList(u"LOWER(m.namespace)"_s, lowerCaseSpellings(f.namespaces));
    if (!f.statuses.isEmpty())
        inList(u"LOWER(m.status)"_s, statusNames(f.statuses));
    const QString tagsExpr = columnExpr(u"tags"_s);
    for (const QString& tag : f.tagsAll) {
        parts << u"inspector_has_tag("_s + tagsExpr + u", ?)"_s;
        binds << tag;
    }
    for (const QStringList& group : f.tagsAny) {
        QStringList alternatives;
        for (const QString& tag : group) {
            alternatives << u"inspector_has_tag("_s + tagsExpr + u", ?)"_s;
            binds << tag;
        }
        parts << u'(' + alternatives.join(u" OR "_s) + u')';
    }
    for (const QString& tag : f.tagsNone) {
        parts << u"NOT inspector_has_tag("_s + tagsExpr + u", ?)"_s;
        binds << tag;
    }
    if (f.createdFrom) {
        parts << u"m.created_at >= ?"_s;
        binds << *f.createdFrom;
    }
    if (f.createdTo) {
        parts << u"m.created_at <= ?"_s;
        binds << *f.createdTo;
    }
    auto patterns = [&](const QString& column, const QStringList& list) {
        if (list.isEmpty())
            return;
        QStringList alternatives;
        for (const QString& p : list) {
            alternatives << columnExpr(column) + u" GLOB ?"_s;
            binds << globPattern(p);
        }
        parts << u'(' + alternatives.join(u" OR "_s) + u')';
    };
    patterns(u"source"_s, f.sourcePatterns);
    patterns(u"file_path"_s, f.pathPatterns);
    if (!f.projects.isEmpty())
        inList(columnExpr(u"project_id"_s), f.projects);
    if (!f.branches.isEmpty())
        inList(columnExpr(u"branch"_s), f.branches);
    if (!f.domains.isEmpty())
        inList(u"COALESCE(NULLIF("_s + columnExpr(u"domain"_s) + u", ''), 'project')"_s, f.domains);
    if (!f.summarizing.isEmpty()) {
        // a substring test of the JSON text: json_each would fail the whole query on one malformed value
        QStringList alternatives;
        for (const QString& id : f.summarizing) {
            alternatives << u"instr("_s + columnExpr(u"source_memory_ids"_s) + u", ?) > 0"_s;
            binds << QString(u'"' + id + u'"');
        }
        parts << u'(' + alternatives.join(u" OR "_s) + u')';
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
                parts << u"m.rowid + ? IN (SELECT rowid FROM memories_fts WHERE memories_fts MATCH ?)"_s;
                binds << m_rowidDelta.value_or(0) << match;
            } else if (plan == FullTextPlan::RowidSet) {
                // Exact when the FTS row at the guessed rowid holds this id (compared as the IN does) and no other
                // FTS row does: then that row alone decides. Anything else takes the exact test.
                const qint64 delta = m_rowidDelta.value_or(0);
                QString guard = u"(SELECT c.c0 FROM memories_fts_content c WHERE c.id = m.rowid + ?) = m.id"_s;
                binds << delta;
                if (!m_duplicateFtsIds.isEmpty()) {
                    // each duplicated id as its stored bytes, and as text, so the column's affinity finds either
                    QStringList list;
                    for (const QByteArray& id : m_duplicateFtsIds) {
                        list << u"?, CAST(? AS TEXT)"_s;
                        binds << id << id;
                    }
                    guard += u" AND m.id NOT IN ("_s + list.join(u", "_s) + u')';
                }
                parts << u"CASE WHEN "_s + guard
                        + u" THEN m.rowid + ? IN (SELECT rowid FROM memories_fts WHERE memories_fts MATCH ?) ELSE "_s
                        + exact + u" END"_s;
                binds << delta << match << match;
            } else if (plan == FullTextPlan::Walk) {
                // Every FTS row with this id is found by the id phrase (equal ids tokenize alike), so the EXISTS is
                // exact; an id without an ASCII letter or digit may have no token and takes the exact test.
                parts << u"CASE WHEN m.id GLOB '*[0-9A-Za-z]*' THEN EXISTS (SELECT 1 FROM memories_fts f WHERE "
                         "memories_fts MATCH ('(' || ? || ') AND id:\"' || replace(m.id, '\"', '\"\"') || '\"') "
                         "AND f.id = m.id) ELSE "_s
                        + exact + u" END"_s;
                binds << match << match;
            } else {
                parts << exact;
                binds << match;
            }
        } else {
            for (const QString& word : words) {
                parts << u"m.content LIKE ? ESCAPE '\\'"_s;
                QString escaped = word;
                escaped.replace(u"\\"_s, u"\\\\"_s).replace(u"%"_s, u"\\%"_s).replace(u"_"_s, u"\\_"_s);
                binds << QString(u'%' + escaped + u'%');
            }
        }
    }
    const QString tombstonedAt = columnExpr(u"tombstoned_at"_s);
    if (f.tombstones == TombstoneFilter::Exclude)
        parts << u"(LOWER(m.status) <> 'tombstoned' AND "_s + tombstonedAt + u" IS NULL)"_s;
    else if (f.tombstones == TombstoneFilter::Only)
        parts << u"(LOWER(m.status) = 'tombstoned' OR "_s + tombstonedAt + u" IS NOT NULL)"_s;
    return Fragment {parts.isEmpty() ? QString() : u" WHERE "_s + parts.join(u" AND "_s), binds};
}

} // namespace Inspector
