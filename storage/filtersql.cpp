// SPDX-License-Identifier: MIT
#include "filtersql.h"

#include "memory.h"

using namespace Qt::StringLiterals;

namespace Inspector {

FilterColumns FilterColumns::sqlite(const QSet<QString>& columns)
{
    const auto column
        = [&](const QString& name) { return columns.contains(name) ? u"m.\""_s + name + u'"' : u"NULL"_s; };
    return FilterColumns {
        u"m.id"_s,           u"LOWER(m.namespace)"_s,   u"LOWER(m.status)"_s,   column(u"tags"_s),
        u"m.created_at"_s,   column(u"source"_s),       column(u"file_path"_s), column(u"project_id"_s),
        column(u"branch"_s), column(u"tombstoned_at"_s)};
}

FilterColumns FilterColumns::postgres(const QSet<QString>& columns)
{
    const auto column = [&](const QString& name) { return columns.contains(name) ? name : u"NULL::text"_s; };
    return FilterColumns {u"id"_s,
                          u"lower(namespace)"_s,
                          u"lower(status)"_s,
                          u"COALESCE(tags, '{}'::text[])"_s,
                          u"created_at"_s,
                          column(u"source"_s),
                          column(u"file_path"_s),
                          column(u"project_id"_s),
                          column(u"branch"_s),
                          columns.contains(u"tombstoned_at"_s) ? u"tombstoned_at"_s : u"NULL::bigint"_s};
}

QString FilterSql::bind(const QVariant& value)
{
    m_binds << value;
    return m_dialect == SqlDialect::Sqlite ? u"?"_s : u'$' + QString::number(m_binds.size());
}

void FilterSql::add(const QString& condition, const QVariantList& values)
{
    Q_ASSERT(values.isEmpty() || m_dialect == SqlDialect::Sqlite);
    m_conditions << condition;
    m_binds << values;
}

void FilterSql::addMetadata(const MemoryFilter& f, const FilterColumns& c)
{
    oneOf(c.id, f.ids);
    oneOf(c.lowerNamespace, lowerCaseSpellings(f.namespaces));
    oneOf(c.lowerStatus, statusNames(f.statuses));
    tags(f, c.tags);
    // PostgreSQL's parameters are text: the cast keeps the comparison numeric
    const QString cast = m_dialect == SqlDialect::Postgres ? u"::bigint"_s : QString();
    if (f.createdFrom) {
        const QString p = bind(*f.createdFrom);
        add(c.createdAt + u" >= "_s + p + cast);
    }
    if (f.createdTo) {
        const QString p = bind(*f.createdTo);
        add(c.createdAt + u" <= "_s + p + cast);
    }
    patterns(c.source, f.sourcePatterns);
    patterns(c.filePath, f.pathPatterns);
    oneOf(c.projectId, f.projects);
    oneOf(c.branch, f.branches);
}

void FilterSql::oneOf(const QString& expr, const QStringList& values)
{
    if (values.isEmpty())
        return;
    if (m_dialect == SqlDialect::Postgres) {
        const QString p = bind(arrayLiteral(values));
        add(expr + u" = ANY("_s + p + u"::text[])"_s);
        return;
    }
    // one `?` a value, comma-joined without spaces, as the statements always had
    QString list;
    list.reserve(values.size() * 2);
    for (const QString& value : values) {
        list += list.isEmpty() ? u"?"_s : u",?"_s;
        m_binds << value;
    }
    m_conditions << expr + u" IN ("_s + list + u')';
}

void FilterSql::tags(const MemoryFilter& f, const QString& expr)
{
    if (m_dialect == SqlDialect::Postgres) {
        for (const QString& tag : f.tagsAll) {
            const QString p = bind(tag);
            add(p + u" = ANY("_s + expr + u')');
        }
        for (const QStringList& group : f.tagsAny) {
            const QString p = bind(arrayLiteral(group));
            add(expr + u" && "_s + p + u"::text[]"_s);
        }
        if (!f.tagsNone.isEmpty()) {
            const QString p = bind(arrayLiteral(f.tagsNone));
            add(u"NOT ("_s + expr + u" && "_s + p + u"::text[])"_s);
        }
        return;
    }
    // subcog's reader semantics on the comma-joined text (split, trim, exact match)
    const QString hasTag = u"inspector_has_tag("_s + expr + u", ?)"_s;
    for (const QString& tag : f.tagsAll)
        add(hasTag, {tag});
    for (const QStringList& group : f.tagsAny) {
        QStringList alternatives;
        for (const QString& tag : group) {
            alternatives << hasTag;
            m_binds << tag;
        }
        m_conditions << u'(' + alternatives.join(u" OR "_s) + u')';
    }
    for (const QString& tag : f.tagsNone)
        add(u"NOT "_s + hasTag, {tag});
}

void FilterSql::patterns(const QString& expr, const QStringList& wildcards)
{
    if (wildcards.isEmpty())
        return;
    const bool sqlite = m_dialect == SqlDialect::Sqlite;
    QStringList alternatives;
    for (const QString& w : wildcards) {
        const QString p = bind(sqlite ? globPattern(w) : likePattern(w));
        alternatives << expr + (sqlite ? u" GLOB "_s : u" LIKE "_s) + p;
    }
    m_conditions << u'(' + alternatives.join(u" OR "_s) + u')';
}

void FilterSql::summarizing(const QString& expr, const QStringList& ids)
{
    if (ids.isEmpty())
        return;
    const bool sqlite = m_dialect == SqlDialect::Sqlite;
    QStringList alternatives;
    for (const QString& id : ids) {
        const QString p = bind(QString(u'"' + id + u'"'));
        alternatives << (sqlite ? u"instr("_s : u"strpos("_s) + expr + u", "_s + p + u") > 0"_s;
    }
    m_conditions << u'(' + alternatives.join(u" OR "_s) + u')';
}

void FilterSql::tombstones(TombstoneFilter which, const QString& lowerStatus, const QString& tombstonedAt)
{
    if (which == TombstoneFilter::Exclude)
        add(u'(' + lowerStatus + u" <> 'tombstoned' AND "_s + tombstonedAt + u" IS NULL)"_s);
    else if (which == TombstoneFilter::Only)
        add(u'(' + lowerStatus + u" = 'tombstoned' OR "_s + tombstonedAt + u" IS NOT NULL)"_s);
}

void FilterSql::lifecycle(const MemoryFilter& f, const FilterColumns& c, const Lifecycle& exprs)
{
    // PostgreSQL's parameters are text: the cast keeps the comparison numeric
    const QString cast = m_dialect == SqlDialect::Postgres ? u"::bigint"_s : QString();
    // an expiry before `now`; the caller has bound nothing yet for this condition
    const auto expiredExpr = [&]() -> QString {
        const QString p = bind(f.now);
        return u'(' + exprs.expiresAt + u" IS NOT NULL AND "_s + exprs.expiresAt + u" < "_s + p + cast + u')';
    };
    // status `tombstoned` (NULL compared as not) and tombstoned_at, as Memory::isTombstoned reads them
    const QString statusTombstoned = u"COALESCE("_s + c.lowerStatus + u" = 'tombstoned', FALSE)"_s;
    const auto anomaly = [&](const QString& name) -> QString {
        if (name == "expired-active"_L1)
            return u'(' + expiredExpr() + u" AND NOT "_s + statusTombstoned + u" AND "_s + c.tombstonedAt
                + u" IS NULL)"_s;
        if (name == "half-tombstoned"_L1)
            return u'(' + statusTombstoned + u" <> ("_s + c.tombstonedAt + u" IS NOT NULL))"_s;
        // never NULL, so that -flag: (NOT) keeps the rows without the anomaly
        return u"COALESCE("_s + exprs.anomaly(*this, name) + u", FALSE)"_s;
    };
    if (f.expired)
        add(*f.expired ? expiredExpr() : QString(u"NOT "_s + expiredExpr()));
    if (f.summary)
        add(QString(*f.summary ? u"("_s : u"NOT ("_s) + exprs.isSummary + u')');
    if (f.hasEdges)
        add(QString(*f.hasEdges ? u"("_s : u"NOT ("_s) + exprs.hasEdges + u')');
    for (const QStringList& group : f.anomaliesAny) {
        QStringList alternatives;
        for (const QString& name : group)
            alternatives << anomaly(name);
        add(u'(' + alternatives.join(u" OR "_s) + u')');
    }
    for (const QString& name : f.anomaliesNone)
        add(u"NOT "_s + anomaly(name));
    if (!f.excludedIds.isEmpty()) {
        if (m_dialect == SqlDialect::Postgres) {
            const QString p = bind(arrayLiteral(f.excludedIds));
            add(u"NOT ("_s + c.id + u" = ANY("_s + p + u"::text[]))"_s);
        } else {
            QStringList marks;
            for (const QString& id : f.excludedIds) {
                marks << u"?"_s;
                m_binds << id;
            }
            m_conditions << c.id + u" NOT IN ("_s + marks.join(u',') + u')';
        }
    }
}

QString FilterSql::where() const
{
    return m_conditions.isEmpty() ? QString() : u" WHERE "_s + m_conditions.join(u" AND "_s);
}

QString FilterSql::globPattern(const QString& wildcard)
{
    QString out;
    for (QChar c : wildcard) {
        if (c == u'?' || c == u'[')
            out += u'[' + QString(c) + u']';
        else
            out += c;
    }
    return out;
}

QString FilterSql::likePattern(const QString& wildcard)
{
    QString out;
    for (QChar c : wildcard) {
        if (c == u'*')
            out += u'%';
        else if (c == u'%' || c == u'_' || c == u'\\')
            out += u'\\' + QString(c);
        else
            out += c;
    }
    return out;
}

QString FilterSql::arrayLiteral(const QStringList& items)
{
    QString out = u"{"_s;
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i)
            out += u',';
        QString item = items[i];
        item.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s);
        out += u'"' + item + u'"';
    }
    return out + u'}';
}

} // namespace Inspector
