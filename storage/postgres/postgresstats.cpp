// SPDX-License-Identifier: MIT
// A store at a glance: GROUP BY statements over the filtered rows, read in one transaction.
#include "postgresbackend.h"

#include "filtersql.h"
#include "postgresinternal.h"

using namespace Qt::StringLiterals;

namespace Inspector {

StoreStats PostgresBackend::stats(const MemoryFilter& filter, qint64 now)
{
    return guarded(u"computing the figures"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c, ReadTransaction::Scope::WholeStore);
        pqxx::transaction_base& tx = *transaction;
        const Sql where = whereClause(filter);
        const FilterColumns columns = FilterColumns::postgres(m_columns);
        const auto has = [&](const char* name) { return m_columns.contains(QLatin1StringView(name)); };
        // each statement: `select` FROM memories `from` WHERE the filter [AND `also`] GROUP BY `group`
        const auto run
            = [&](const QString& select, const QString& group, const QString& from = {}, const QString& also = {}) {
                  Sql sql = where;
                  sql.text = u"SELECT "_s + select + u" FROM memories"_s + from + where.text;
                  if (!also.isEmpty())
                      sql.text += (where.text.isEmpty() ? u" WHERE "_s : u" AND "_s) + also;
                  if (!group.isEmpty())
                      sql.text += u" GROUP BY "_s + group;
                  return sql.exec(tx);
              };
        const auto optionalText
            = [](const pqxx::field& f) { return f.is_null() ? std::optional<QString>() : fromStd(f); };
        StatsBuilder builder(now);

        // weeks start on Mondays (1970-01-05 was one); floor() keeps times before it in their week
        for (const auto& row :
             run(u"namespace, floor((created_at - 345600)::numeric / 604800)::bigint, count(*)"_s, u"1, 2"_s)) {
            const QString ns = fromStd(row[0]);
            const qint64 n = row[2].as<long long>();
            builder.addNamespace(ns, n);
            builder.addWeek(ns, StoreStats::kFirstMonday + row[1].as<long long>() * StoreStats::kWeek, n);
        }
        for (const auto& row : run(u"status, count(*)"_s, u"1"_s))
            builder.addStatus(fromStd(row[0]), row[1].as<long long>());
        if (m_layout == Layout::Split) {
            for (const auto& row : run(u"domain_org, domain_project, domain_repo, count(*)"_s, u"1, 2, 3"_s))
                builder.addDomain(Domain {optionalText(row[0]), optionalText(row[1]), optionalText(row[2])}.toString(),
                                  row[3].as<long long>());
        } else {
            // decoded as reading a row does: subcog's JSON, else the string as it is (legacy and docker layouts)
            for (const auto& row : run(u"domain, count(*)"_s, u"1"_s)) {
                const QString raw = row[0].is_null() ? QString() : fromStd(row[0]);
                const std::optional<Domain> parsed = parseDomainJson(raw);
                builder.addDomain(parsed              ? parsed->toString()
                                      : raw.isEmpty() ? u"project"_s
                                                      : raw,
                                  row[1].as<long long>());
            }
        }
        for (const auto& row : run(columns.projectId + u", count(*)"_s, u"1"_s))
            builder.addProject(optionalText(row[0]), row[1].as<long long>());
        for (const auto& row : run(columns.branch + u", count(*)"_s, u"1"_s))
            builder.addBranch(optionalText(row[0]), row[1].as<long long>());
        // memories per tag (a tag twice in one row counts once); all content-hash tags fall in the NULL group
        qint64 hashTagged = 0;
        for (const auto& row :
             run(u"CASE WHEN t LIKE 'hash:sha256:%' THEN NULL ELSE t END, count(DISTINCT id)"_s, u"1"_s,
                 u" CROSS JOIN LATERAL unnest("_s + columns.tags + u") AS t"_s, u"t IS NOT NULL"_s)) {
            if (row[0].is_null())
                hashTagged = row[1].as<long long>();
            else
                builder.addTag(fromStd(row[0]), row[1].as<long long>());
        }

        const QString tombstoned
            = u"("_s + columns.lowerStatus + u" = 'tombstoned' OR "_s + columns.tombstonedAt + u" IS NOT NULL)"_s;
        const QString summary = has("is_summary") ? u"COALESCE(is_summary::boolean, false)"_s : u"false"_s;
        Sql scalars = where;
        const QString expired = has("expires_at")
            ? u"expires_at < "_s + scalars.add(now) + u"::bigint AND NOT "_s + tombstoned
            : u"false"_s;
        scalars.text = u"SELECT count(*), count(*) FILTER (WHERE "_s + summary + u"), count(*) FILTER (WHERE "_s
            + tombstoned + u"), count(*) FILTER (WHERE "_s + expired + u") FROM memories"_s + where.text;
        const pqxx::row totals = scalars.exec(tx)[0];
        StoreStats& s = builder.stats();
        s.total = totals[0].as<long long>();
        s.summaries = totals[1].as<long long>();
        s.tombstoned = totals[2].as<long long>();
        s.expired = totals[3].as<long long>();
        s.contentHashTagged = hashTagged;
        if (m_hasVectorTable) {
            // memory_vectors has no foreign key: only vectors of memories that pass the filter count
            const pqxx::result r = run(u"count(*)"_s, {}, {}, u"id IN (SELECT id FROM memory_vectors)"_s);
            s.withEmbedding = r[0][0].as<long long>();
        }
        return builder.finish();
    });
}

} // namespace Inspector
