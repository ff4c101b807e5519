// SPDX-License-Identifier: MIT
// The filter clauses both SQL backends share, as text and bound values per dialect: no store, no thread.
#include "filtersql.h"
#include "memory.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {

const QSet<QString> kAllColumns {u"id"_s,     u"namespace"_s, u"status"_s,     u"created_at"_s, u"tags"_s,
                                 u"source"_s, u"file_path"_s, u"project_id"_s, u"branch"_s,     u"tombstoned_at"_s};
const QSet<QString> kOldColumns {u"id"_s, u"namespace"_s, u"status"_s, u"created_at"_s};

/// What a backend's statements get from the shared clauses, in the order the backends add them.
FilterSql build(SqlDialect dialect, const MemoryFilter& filter, const QSet<QString>& columnSet)
{
    FilterSql sql(dialect);
    const FilterColumns columns
        = dialect == SqlDialect::Sqlite ? FilterColumns::sqlite(columnSet) : FilterColumns::postgres(columnSet);
    sql.addMetadata(filter, columns);
    sql.summarizing(dialect == SqlDialect::Sqlite ? u"m.\"source_memory_ids\""_s : u"source_memory_ids::text"_s,
                    filter.summarizing);
    sql.tombstones(filter.tombstones, columns.lowerStatus, columns.tombstonedAt);
    return sql;
}

} // namespace

class TestFilterSql : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void clauses_data()
    {
        QTest::addColumn<MemoryFilter>("filter");
        QTest::addColumn<bool>("oldLayout");
        QTest::addColumn<QString>("sqlite");
        QTest::addColumn<QVariantList>("sqliteBinds");
        QTest::addColumn<QString>("postgres");
        QTest::addColumn<QVariantList>("postgresBinds");

        QTest::newRow("empty") << MemoryFilter {} << false << QString() << QVariantList {} << QString()
                               << QVariantList {};
        {
            MemoryFilter f;
            f.ids = {u"a"_s, u"b\"c"_s};
            QTest::newRow("ids") << f << false << u" WHERE m.id IN (?,?)"_s << QVariantList {u"a"_s, u"b\"c"_s}
                                 << u" WHERE id = ANY($1::text[])"_s << QVariantList {u"{\"a\",\"b\\\"c\"}"_s};
        }
        {
            MemoryFilter f;
            f.namespaces = {Namespace::Decisions};
            f.statuses = {MemoryStatus::Active};
            QTest::newRow("namespace and status")
                << f << false << u" WHERE LOWER(m.namespace) IN (?) AND LOWER(m.status) IN (?)"_s
                << QVariantList {lowerCaseSpellings(f.namespaces).first(), statusNames(f.statuses).first()}
                << u" WHERE lower(namespace) = ANY($1::text[]) AND lower(status) = ANY($2::text[])"_s
                << QVariantList {QString(u"{\""_s + lowerCaseSpellings(f.namespaces).first() + u"\"}"_s),
                                 QString(u"{\""_s + statusNames(f.statuses).first() + u"\"}"_s)};
        }
        {
            MemoryFilter f;
            f.tagsAll = {u"x"_s};
            f.tagsAny = {{u"p"_s, u"q"_s}};
            f.tagsNone = {u"n"_s, u"m"_s};
            QTest::newRow("tags")
                << f << false
                << u" WHERE inspector_has_tag(m.\"tags\", ?) AND (inspector_has_tag(m.\"tags\", ?) OR "
                   "inspector_has_tag(m.\"tags\", ?)) AND NOT inspector_has_tag(m.\"tags\", ?) AND NOT "
                   "inspector_has_tag(m.\"tags\", ?)"_s
                << QVariantList {u"x"_s, u"p"_s, u"q"_s, u"n"_s, u"m"_s}
                << u" WHERE $1 = ANY(COALESCE(tags, '{}'::text[])) AND COALESCE(tags, '{}'::text[]) && $2::text[] "
                   "AND NOT (COALESCE(tags, '{}'::text[]) && $3::text[])"_s
                << QVariantList {u"x"_s, u"{\"p\",\"q\"}"_s, u"{\"n\",\"m\"}"_s};
        }
        {
            MemoryFilter f;
            f.createdFrom = 100;
            f.createdTo = 200;
            QTest::newRow("created range") << f << false << u" WHERE m.created_at >= ? AND m.created_at <= ?"_s
                                           << QVariantList {qint64(100), qint64(200)}
                                           << u" WHERE created_at >= $1::bigint AND created_at <= $2::bigint"_s
                                           << QVariantList {qint64(100), qint64(200)};
        }
        {
            MemoryFilter f;
            f.sourcePatterns = {u"src/*.rs"_s, u"a?[b]%_"_s};
            f.pathPatterns = {u"*"_s};
            QTest::newRow("patterns")
                << f << false << u" WHERE (m.\"source\" GLOB ? OR m.\"source\" GLOB ?) AND (m.\"file_path\" GLOB ?)"_s
                << QVariantList {u"src/*.rs"_s, u"a[?][[]b]%_"_s, u"*"_s}
                << u" WHERE (source LIKE $1 OR source LIKE $2) AND (file_path LIKE $3)"_s
                << QVariantList {u"src/%.rs"_s, u"a?[b]\\%\\_"_s, u"%"_s};
        }
        {
            MemoryFilter f;
            f.projects = {u"p1"_s};
            f.branches = {u"main"_s, u"dev"_s};
            QTest::newRow("projects and branches, current layout")
                << f << false << u" WHERE m.\"project_id\" IN (?) AND m.\"branch\" IN (?,?)"_s
                << QVariantList {u"p1"_s, u"main"_s, u"dev"_s}
                << u" WHERE project_id = ANY($1::text[]) AND branch = ANY($2::text[])"_s
                << QVariantList {u"{\"p1\"}"_s, u"{\"main\",\"dev\"}"_s};
            QTest::newRow("projects and branches, old layout")
                << f << true << u" WHERE NULL IN (?) AND NULL IN (?,?)"_s << QVariantList {u"p1"_s, u"main"_s, u"dev"_s}
                << u" WHERE NULL::text = ANY($1::text[]) AND NULL::text = ANY($2::text[])"_s
                << QVariantList {u"{\"p1\"}"_s, u"{\"main\",\"dev\"}"_s};
        }
        {
            MemoryFilter f;
            f.summarizing = {u"m1"_s, u"m2"_s};
            QTest::newRow("summarizing")
                << f << false
                << u" WHERE (instr(m.\"source_memory_ids\", ?) > 0 OR instr(m.\"source_memory_ids\", ?) > 0)"_s
                << QVariantList {u"\"m1\""_s, u"\"m2\""_s}
                << u" WHERE (strpos(source_memory_ids::text, $1) > 0 OR strpos(source_memory_ids::text, $2) > 0)"_s
                << QVariantList {u"\"m1\""_s, u"\"m2\""_s};
        }
        {
            MemoryFilter f;
            f.tombstones = TombstoneFilter::Exclude;
            QTest::newRow("tombstones excluded")
                << f << false << u" WHERE (LOWER(m.status) <> 'tombstoned' AND m.\"tombstoned_at\" IS NULL)"_s
                << QVariantList {} << u" WHERE (lower(status) <> 'tombstoned' AND tombstoned_at IS NULL)"_s
                << QVariantList {};
            f.tombstones = TombstoneFilter::Only;
            QTest::newRow("tombstones only, old layout")
                << f << true << u" WHERE (LOWER(m.status) = 'tombstoned' OR NULL IS NOT NULL)"_s << QVariantList {}
                << u" WHERE (lower(status) = 'tombstoned' OR NULL::bigint IS NOT NULL)"_s << QVariantList {};
        }
        {
            MemoryFilter f;
            f.ids = {u"i"_s};
            f.tagsAll = {u"t"_s};
            f.createdFrom = 5;
            f.branches = {u"b"_s};
            f.tombstones = TombstoneFilter::Exclude;
            QTest::newRow("combined, placeholders numbered in order")
                << f << false
                << u" WHERE m.id IN (?) AND inspector_has_tag(m.\"tags\", ?) AND m.created_at >= ? AND m.\"branch\" "
                   "IN (?) AND (LOWER(m.status) <> 'tombstoned' AND m.\"tombstoned_at\" IS NULL)"_s
                << QVariantList {u"i"_s, u"t"_s, qint64(5), u"b"_s}
                << u" WHERE id = ANY($1::text[]) AND $2 = ANY(COALESCE(tags, '{}'::text[])) AND created_at >= "
                   "$3::bigint AND branch = ANY($4::text[]) AND (lower(status) <> 'tombstoned' AND tombstoned_at IS "
                   "NULL)"_s
                << QVariantList {u"{\"i\"}"_s, u"t"_s, qint64(5), u"{\"b\"}"_s};
        }
    }

    void clauses()
    {
        QFETCH(MemoryFilter, filter);
        QFETCH(bool, oldLayout);
        QFETCH(QString, sqlite);
        QFETCH(QVariantList, sqliteBinds);
        QFETCH(QString, postgres);
        QFETCH(QVariantList, postgresBinds);
        const QSet<QString>& columns = oldLayout ? kOldColumns : kAllColumns;

        const FilterSql s = build(SqlDialect::Sqlite, filter, columns);
        QCOMPARE(s.where(), sqlite);
        QCOMPARE(s.binds(), sqliteBinds);
        QCOMPARE(s.where().count(u'?'), s.binds().size());

        const FilterSql p = build(SqlDialect::Postgres, filter, columns);
        QCOMPARE(p.where(), postgres);
        QCOMPARE(p.binds(), postgresBinds);
    }

    void ownClausesKeepTheNumbering()
    {
        // a backend's own clause between shared ones: bind() numbers on, add() keeps the order
        FilterSql p(SqlDialect::Postgres);
        p.oneOf(u"id"_s, {u"a"_s});
        const QString q = p.bind(u"word"_s);
        p.add(u"to_tsvector('english', content) @@ "_s + q);
        p.oneOf(u"branch"_s, {u"b"_s});
        QCOMPARE(p.where(),
                 u" WHERE id = ANY($1::text[]) AND to_tsvector('english', content) @@ $2 AND branch = "
                 "ANY($3::text[])"_s);
        QCOMPARE(p.binds(), (QVariantList {u"{\"a\"}"_s, u"word"_s, u"{\"b\"}"_s}));

        FilterSql s(SqlDialect::Sqlite);
        s.add(u"m.rowid + ? IN (SELECT rowid FROM memories_fts WHERE memories_fts MATCH ?)"_s, {qint64(2), u"m"_s});
        s.oneOf(u"m.id"_s, {});
        QCOMPARE(s.conditions().size(), 1);
        QCOMPARE(s.binds(), (QVariantList {qint64(2), u"m"_s}));
    }

    void emptyListsAddNothing()
    {
        for (const SqlDialect d : {SqlDialect::Sqlite, SqlDialect::Postgres}) {
            FilterSql sql(d);
            sql.oneOf(u"x"_s, {});
            sql.summarizing(u"x"_s, {});
            sql.tombstones(TombstoneFilter::Include, u"s"_s, u"t"_s);
            QVERIFY(sql.isEmpty());
            QCOMPARE(sql.where(), QString());
        }
    }
};

QTEST_GUILESS_MAIN(TestFilterSql)
#include "tst_filtersql.moc"
