// SPDX-License-Identifier: MIT
// Finding each memory's FTS row (the rowid guesses and their caches), full-text plans, the FTS table's issues.
#include "sqlitebackend.h"

#include "sqliteinternal.h"

#include <QElapsedTimer>
#include <QSqlError>
#include <QSqlQuery>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace SqliteInternal;

QHash<QString, QList<SqliteBackend::ContentRow>> SqliteBackend::fetchContent(const QStringList& ids)
{
    QHash<QString, QList<ContentRow>> result;
    if (!m_hasFts || ids.isEmpty())
        return result;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    auto collect = [&](const QSet<QString>& wanted) {
        while (q.next()) {
            const QString id = q.value(1).toString();
            if (wanted.contains(id)) // the phrase query also matches ids that merely contain the tokens
                result[id].append(ContentRow {q.value(0).toLongLong(), q.value(2).toString(), q.value(3)});
        }
        if (q.lastError().isValid())
            fail(u"reading content failed"_s, q.lastError(), q.lastQuery());
    };
    QStringList tokenless;
    QStringList phrases;
    QSet<QString> wanted;
    auto flush = [&] {
        if (phrases.isEmpty())
            return;
        const QString sql
            = u"SELECT rowid, id, content, tags FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid"_s;
        q.prepare(sql);
        q.addBindValue(phrases.join(u" OR "_s));
        if (!q.exec())
            fail(u"reading content failed"_s, q.lastError(), sql);
        collect(wanted);
        phrases.clear();
        wanted.clear();
    };
    for (const QString& id : ids) {
        if (!hasFullTextToken(id)) {
            tokenless.append(id);
            continue;
        }
        phrases.append(u"id:"_s + ftsPhrase(id));
        wanted.insert(id);
        if (phrases.size() >= kChunk)
            flush();
    }
    flush();
    // An id without any token cannot be found through the index; these few fall back to a scan.
    for (const QString& id : tokenless) {
        const QString sql = u"SELECT rowid, id, content, tags FROM memories_fts WHERE id = ? ORDER BY rowid"_s;
        q.prepare(sql);
        q.addBindValue(id);
        if (!q.exec())
            fail(u"reading content failed"_s, q.lastError(), sql);
        collect({id});
    }
    return result;
}

QHash<QString, QList<SqliteBackend::ContentRow>> SqliteBackend::readContent(const QList<RawRow>& rows)
{
    // subcog writes a memories row and its FTS row in one transaction, so their rowids usually move in step.
    // Reading the FTS row at a guessed rowid costs a b-tree lookup; a candidate counts only when the row there
    // has exactly this id. Candidates come from that offset and, once built, from a compact id-hash → rowid
    // table; what is left goes through the FTS index, which also teaches the offset again.
    QHash<QString, QList<ContentRow>> result;
    QHash<qint64, QString> candidates;
    auto addCandidates = [&](const QString& id, qint64 rowid) {
        if (m_fts->rowidDelta)
            candidates.insert(rowid + *m_fts->rowidDelta, id);
        if (!m_fts->rowids.empty()) {
            const quint64 h = idHash(id);
            auto it = std::lower_bound(m_fts->rowids.begin(), m_fts->rowids.end(), std::pair<quint64, qint64>(h, 0));
            for (; it != m_fts->rowids.end() && it->first == h; ++it)
                candidates.insert(it->second, id);
        }
    };
    for (const RawRow& row : rows) {
        if (!row.values[FId].isNull())
            addCandidates(row.values[FId].toString(), row.rowid);
    }
    auto readCandidates = [&] {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        q.setForwardOnly(true);
        QList<qint64> rowids = candidates.keys();
        std::sort(rowids.begin(), rowids.end());
        for (qsizetype start = 0; start < rowids.size(); start += kChunk) {
            const QList<qint64> chunk = rowids.mid(start, kChunk);
            // integers this code read from the store, written into the SQL: Qt's SQLite driver looks each bound
            // parameter up by name, which makes long IN lists of placeholders cost quadratic time
            QString list;
            for (const qint64 rowid : chunk) {
                if (!list.isEmpty())
                    list += u',';
                list += QString::number(rowid);
            }
            const QString sql
                = (m_ftsContentTable ? u"SELECT id, c0, c1, c2 FROM memories_fts_content WHERE id IN ("_s
                                     : u"SELECT rowid, id, content, tags FROM memories_fts WHERE rowid IN ("_s)
                + list + u')'; // no ORDER BY: FTS5 would answer it with a full scan
            q.prepare(sql);
            if (!q.exec())
                fail(u"reading content failed"_s, q.lastError(), sql);
            while (q.next()) {
                const qint64 rowid = q.value(0).toLongLong();
                const QString id = q.value(1).toString();
                if (candidates.value(rowid) == id) {
                    QList<ContentRow>& found = result[id];
                    if (std::none_of(found.begin(), found.end(),
                                     [&](const ContentRow& r) { return r.rowid == rowid; })) {
                        // keep each id's rows by rowid: the first one is the one subcog shows
                        const ContentRow row {rowid, q.value(2).toString(), q.value(3)};
                        found.insert(std::lower_bound(
                                         found.begin(), found.end(), row,
                                         [](const ContentRow& a, const ContentRow& b) { return a.rowid < b.rowid; }),
                                     row);
                    }
                }
            }
            if (q.lastError().isValid())
                fail(u"reading content failed"_s, q.lastError(), sql);
        }
        candidates.clear();
    };
    auto missing = [&] {
        QStringList ids;
        for (const RawRow& row : rows) {
            if (!row.values[FId].isNull() && !result.contains(row.values[FId].toString()))
                ids.append(row.values[FId].toString());
        }
        return ids;
    };
    readCandidates();
    QStringList misses = missing();
    const bool mostlyMissed = misses.size() >= 16 && misses.size() * 2 >= rows.size();
    m_fts->missedBatches = mostlyMissed ? m_fts->missedBatches + 1 : 0;
    if (mostlyMissed && m_fts->missedBatches >= 3 && !m_fts->rowidsBuilt) {
        // The offset keeps failing for this store: one pass over the FTS ids (about 1.5 s at a million rows)
        // pays for every later page. Not before the third such batch, so a first page is not kept waiting.
        buildFtsRowids();
        for (const QString& id : std::as_const(misses))
            addCandidates(id, 0);
        readCandidates();
        misses = missing();
    }
    if (misses.isEmpty())
        return result;
    const QHash<QString, QList<ContentRow>> found = fetchContent(misses);
    QHash<qint64, int> deltas;
    for (const RawRow& row : rows) {
        const auto it = found.constFind(row.values[FId].toString());
        if (it != found.constEnd() && it->size() == 1)
            ++deltas[it->first().rowid - row.rowid];
    }
    int best = 0;
    for (auto it = deltas.cbegin(); it != deltas.cend(); ++it) {
        if (it.value() > best) {
            best = it.value();
            m_fts->rowidDelta = it.key();
        }
    }
    result.insert(found);
    return result;
}

quint64 SqliteBackend::idHash(const QString& id)
{
    return quint64(qHash(id, size_t(0x9E3779B97F4A7C15ULL)));
}

void SqliteBackend::buildFtsRowids()
{
    m_fts->rowidsBuilt = true;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    const QString sql = u"SELECT rowid, id FROM memories_fts"_s;
    if (!q.exec(sql))
        fail(u"reading the full-text ids failed"_s, q.lastError(), sql);
    std::vector<std::pair<quint64, qint64>> table;
    while (q.next())
        table.emplace_back(idHash(q.value(1).toString()), q.value(0).toLongLong());
    if (q.lastError().isValid())
        fail(u"reading the full-text ids failed"_s, q.lastError(), sql);
    std::sort(table.begin(), table.end());
    m_fts->rowids = std::move(table);
}

std::pair<qint64, qint64> SqliteBackend::fullTextMatches(const QString& match)
{
    const std::optional<QByteArray> token = changeToken();
    if (!m_fts->matchCountsAt || m_fts->matchCountsAt != token) {
        m_fts->matchCounts.clear();
        m_fts->unclaimed.clear();
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        const QString sql = u"SELECT max(rowid) FROM memories"_s;
        if (!q.exec(sql) || !q.next())
            fail(u"counting failed"_s, q.lastError(), sql);
        m_fts->maxRowid = q.value(0).toLongLong();
        m_fts->matchCountsAt = token;
    }
    if (match.isEmpty())
        return {0, m_fts->maxRowid};
    auto it = m_fts->matchCounts.constFind(match);
    if (it == m_fts->matchCounts.constEnd()) {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        const QString sql = u"SELECT count(*) FROM memories_fts WHERE memories_fts MATCH ?"_s;
        q.prepare(sql);
        q.addBindValue(match);
        if (!q.exec() || !q.next())
            fail(u"full-text search failed"_s, q.lastError(), sql);
        it = m_fts->matchCounts.insert(match, q.value(0).toLongLong());
    }
    return {*it, m_fts->maxRowid};
}

bool SqliteBackend::leadsAnIndex(const QString& column)
{
    const auto it = m_fts->leadingIndex.constFind(column);
    if (it != m_fts->leadingIndex.constEnd())
        return *it;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    const QString sql = u"SELECT 1 FROM pragma_index_list('memories') l, pragma_index_info(l.name) i "
                        "WHERE i.seqno = 0 AND i.name = ? AND l.partial = 0"_s;
    q.prepare(sql);
    q.addBindValue(column);
    const bool found = q.exec() && q.next();
    m_fts->leadingIndex.insert(column, found);
    return found;
}

void SqliteBackend::checkRowidDelta()
{
    // the newest memory first (the default order's first page), the oldest when the newest has no single FTS row
    for (const auto* pick : {"max", "min"}) {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        q.setForwardOnly(true);
        const QString sql = u"SELECT m.rowid, m.id, (SELECT c.c0 FROM memories_fts_content c WHERE c.id = m.rowid + ?) "
                            "= m.id FROM memories m WHERE m.rowid = (SELECT "_s
            + QLatin1StringView(pick) + u"(rowid) FROM memories)"_s;
        q.prepare(sql);
        q.addBindValue(m_fts->rowidDelta.value_or(0));
        if (!q.exec())
            fail(u"reading the rowid offset failed"_s, q.lastError(), sql);
        if (!q.next() || q.value(1).isNull())
            continue;
        if (q.value(2).toLongLong() == 1)
            return;
        const QString id = q.value(1).toString();
        const QList<ContentRow> found = fetchContent({id}).value(id);
        if (found.size() == 1) {
            m_fts->rowidDelta = found.first().rowid - q.value(0).toLongLong();
            return;
        }
    }
}

bool SqliteBackend::idsUnique()
{
    if (!m_fts->idsUnique) {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        m_fts->idsUnique
            = q.exec(u"SELECT 1 FROM pragma_index_list('memories') l WHERE l.\"unique\" = 1 AND l.partial = 0 "
                     "AND (SELECT count(*) FROM pragma_index_info(l.name)) = 1 "
                     "AND (SELECT name FROM pragma_index_info(l.name)) = 'id'"_s)
            && q.next();
    }
    return *m_fts->idsUnique;
}

std::optional<qint64> SqliteBackend::countAligned(const MemoryFilter& f, const QString& match)
{
    if (!m_ftsContentTable || !idsUnique())
        return std::nullopt;
    checkRowidDelta();
    fullTextMatches(QString()); // drops what an older data_version proved
    const qint64 delta = m_fts->rowidDelta.value_or(0);
    const QString key = match + u'\n' + QString::number(delta);
    if (m_fts->unclaimed.value(key, 0) > 0)
        return std::nullopt;
    // One pass over the matching FTS rows. A row whose memory at rowid - offset has its id (ids are unique) counts
    // that memory, once. Any other matching row (orphan, duplicate, shifted) may name a memory counted another way
    // or not at all: then the count is left to the memories-side plans.
    MemoryFilter rest = f;
    rest.words.clear();
    const Fragment where = whereClause(rest);
    const QString sql = u"SELECT count(*) FILTER (WHERE m.id = c.c0"_s
        + (where.sql.isEmpty() ? QString() : u" AND ("_s + where.sql.sliced(7) + u')')
        + u"), count(*) FILTER (WHERE m.id IS NOT c.c0) FROM memories_fts f CROSS JOIN memories_fts_content c "
          "ON c.id = f.rowid LEFT JOIN memories m ON m.rowid = f.rowid - ? WHERE memories_fts MATCH ?"_s;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        fail(u"cannot prepare a count"_s, q.lastError(), sql);
    for (const QVariant& v : where.binds)
        q.addBindValue(v);
    q.addBindValue(delta);
    q.addBindValue(match);
    if (!q.exec() || !q.next())
        fail(u"counting failed"_s, q.lastError(), sql);
    const qint64 unclaimed = q.value(1).toLongLong();
    m_fts->unclaimed.insert(key, unclaimed);
    qCDebug(lcSqlite) << "full-text count from the FTS side:" << unclaimed << "matching rows not their memory's";
    if (unclaimed > 0)
        return std::nullopt;
    return q.value(0).toLongLong();
}

SqliteBackend::FullTextPlan SqliteBackend::chooseFullTextPlan(const MemoryFilter& f, const MemoryQuery* query)
{
    if (!m_hasFts || std::none_of(f.words.begin(), f.words.end(), hasFullTextToken))
        return FullTextPlan::Exact;
    if (!m_fts->idTextAffinity) {
        // the duplicate guard binds ids as text and bytes; an id column of another affinity could compare unlike
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        m_fts->idTextAffinity = q.exec(u"SELECT upper(type) FROM pragma_table_info('memories') WHERE name = 'id'"_s)
            && q.next()
            && (q.value(0).toString().contains(u"CHAR"_s) || q.value(0).toString().contains(u"CLOB"_s)
                || q.value(0).toString().contains(u"TEXT"_s))
            && !q.value(0).toString().contains(u"INT"_s);
    }
    const bool setPossible = m_ftsContentTable && *m_fts->idTextAffinity;
    // walking the sort order pays only when an index gives that order and no other condition picks an index
    const bool walkPossible = query
        && ((query->sortKey == SortKey::CreatedAt && leadsAnIndex(u"created_at"_s))
            || (query->sortKey == SortKey::Id && leadsAnIndex(u"id"_s)))
        && f.ids.isEmpty() && f.namespaces.isEmpty() && f.statuses.isEmpty() && f.projects.isEmpty()
        && f.branches.isEmpty() && f.domains.isEmpty();
    FullTextPlan plan = m_fullTextPlan;
    if (plan == FullTextPlan::Auto) {
        const auto [matches, memories] = fullTextMatches(fullTextQuery(f.words));
        // rough costs in µs at a million rows: the exact plan materialises every matching id as text (~6 µs each);
        // the rowid plan checks every row it passes (~1.3 µs) against matching rowids (~0.25 µs each to collect);
        // the walk costs an FTS query per row passed (~160 µs)
        const double n = double(qMax<qint64>(matches, 1));
        const double total = double(qMax<qint64>(memories, 1));
        // rows passed before the page is full, when an index gives the order; otherwise every row is checked
        const double passed
            = walkPossible ? qMin(total, double(query->skip + qMax(query->limit, 1)) * total / n) : total;
        const double exactCost = 6 * n;
        const double setCost = setPossible ? 1.3 * passed + 0.25 * n : HUGE_VAL;
        const double walkCost = walkPossible ? 160 * passed : HUGE_VAL;
        plan = FullTextPlan::Exact;
        if (setCost < exactCost && setCost <= walkCost)
            plan = FullTextPlan::RowidSet;
        else if (walkCost < exactCost)
            plan = FullTextPlan::Walk;
    }
    if (plan == FullTextPlan::Walk && !query)
        plan = FullTextPlan::RowidSet;
    if (plan == FullTextPlan::RowidSet || plan == FullTextPlan::Aligned) {
        if (!setPossible)
            return FullTextPlan::Exact;
        checkRowidDelta();
        if (idsUnique()) {
            fullTextMatches(QString()); // drops what an older data_version proved
            if (m_fts->unclaimed.value(fullTextQuery(f.words) + u'\n' + QString::number(m_fts->rowidDelta.value_or(0)),
                                       -1)
                == 0)
                return FullTextPlan::Aligned;
        }
        plan = FullTextPlan::RowidSet;
    }
    if (plan == FullTextPlan::RowidSet) {
        QElapsedTimer timer;
        timer.start();
        findDuplicateFtsIds();
        if (m_fts->duplicateIds.size() > 100) // too many to bind; such a store is read the exact way
            return FullTextPlan::Exact;
        qCDebug(lcSqlite) << "full-text rowid plan: duplicate FTS ids known after" << timer.elapsed() << "ms";
    }
    qCDebug(lcSqlite) << "full-text plan" << int(plan) << "for" << f.words << (query ? "page" : "count");
    return plan;
}

QList<RecordIssue> SqliteBackend::storeIssues()
{
    assertThread();
    QList<RecordIssue> issues;
    if (!m_hasFts || (m_fts->cleanAt && changeToken() == m_fts->cleanAt))
        return issues;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    // FTS5 columns keep the type they were given: an id written as an integer matches the memories row's text id
    // only as text (the memories row is read by its text too)
    const QString sql
        = u"SELECT fid, COUNT(*) AS n, EXISTS (SELECT 1 FROM memories m WHERE m.id = fid) AS known "
          "FROM (SELECT CAST(id AS TEXT) AS fid FROM memories_fts) GROUP BY fid HAVING n > 1 OR NOT known ORDER BY fid"_s;
    if (!q.exec(sql))
        fail(u"checking the full-text table failed"_s, q.lastError(), sql);
    while (q.next()) {
        const qint64 n = q.value(1).toLongLong();
        const QString rows = QString::number(n) + u" rows"_s;
        if (q.value(2).toLongLong() == 0) {
            issues.append(RecordIssue {q.value(0).toString(),
                                       u"full-text row without a metadata row in 'memories'"_s
                                           + (n > 1 ? u" ("_s + rows + u')' : QString())
                                           + u"; subcog ignores it and the inspector does not show it as a memory"_s});
        } else {
            issues.append(RecordIssue {q.value(0).toString(),
                                       u"several full-text rows ("_s + rows
                                           + u") for one memory; the one with the lowest rowid is used"_s});
        }
    }
    if (q.lastError().isValid())
        fail(u"checking the full-text table failed"_s, q.lastError(), sql);
    return issues;
}

} // namespace Inspector
