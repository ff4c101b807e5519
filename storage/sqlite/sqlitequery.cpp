// SPDX-License-Identifier: MIT
// Pages, counts, row positions and lookups by id: statements built from the filter, run through Qt Sql.
#include "sqlitebackend.h"

#include "sqliteinternal.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace SqliteInternal;

QList<Memory> SqliteBackend::getBatch(const QStringList& ids, QList<RecordIssue>* issues)
{
    return readBatch(ids, issues, false);
}

QList<Memory> SqliteBackend::readBatch(const QStringList& ids, QList<RecordIssue>* issues, bool complete)
{
    assertThread();
    QHash<QString, Memory> found;
    for (qsizetype start = 0; start < ids.size(); start += kChunk) {
        const QStringList chunk = ids.mid(start, kChunk);
        const QString sql
            = u"SELECT "_s + selectList() + u" FROM memories m WHERE m.id IN ("_s + placeholders(chunk.size()) + u')';
        QList<RawRow> rows = readRows(sql, QVariantList(chunk.begin(), chunk.end()));
        QList<Memory> decoded;
        attachContent(rows, decoded, issues, true, complete);
        for (Memory& m : decoded)
            found.insert(m.id, std::move(m));
    }
    QList<Memory> result;
    result.reserve(found.size());
    for (const QString& id : ids) {
        auto it = found.find(id);
        if (it != found.end()) {
            result.append(std::move(*it));
            found.erase(it);
        }
    }
    return result;
}

std::optional<Memory> SqliteBackend::get(const QString& id)
{
    QList<RecordIssue> issues;
    // one id: the complete lookup is cheap and also finds duplicate FTS rows
    QList<Memory> result = readBatch({id}, &issues, true);
    if (!issues.isEmpty())
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_path + u": memory "_s + id + u" cannot be read: "_s + issues.first().reason);
    if (result.isEmpty())
        return std::nullopt;
    return result.takeFirst();
}

bool SqliteBackend::exists(const QString& id)
{
    assertThread();
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    const QString sql = u"SELECT 1 FROM memories WHERE id = ? LIMIT 1"_s;
    q.prepare(sql);
    q.addBindValue(id);
    if (!q.exec())
        fail(u"lookup failed"_s, q.lastError(), sql);
    return q.next();
}

qint64 SqliteBackend::count()
{
    return count(MemoryFilter {});
}

qint64 SqliteBackend::count(const MemoryFilter& filter)
{
    assertThread();
    if (m_hasFts && (m_fullTextPlan == FullTextPlan::Auto || m_fullTextPlan == FullTextPlan::Aligned)) {
        const QString match = fullTextQuery(filter.words);
        if (!match.isEmpty()) {
            if (const std::optional<qint64> n = countAligned(filter, match))
                return *n;
        }
    }
    const Fragment where = whereClause(filter, chooseFullTextPlan(filter, nullptr));
    const QString sql = u"SELECT COUNT(*) FROM memories m"_s + where.sql;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        fail(u"cannot prepare a count"_s, q.lastError(), sql);
    for (const QVariant& v : where.binds)
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        fail(u"counting failed"_s, q.lastError(), sql);
    return q.value(0).toLongLong();
}

QStringList SqliteBackend::listIds()
{
    assertThread();
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    const QString sql = u"SELECT id FROM memories ORDER BY created_at DESC, id ASC"_s;
    if (!q.exec(sql))
        fail(u"listing failed"_s, q.lastError(), sql);
    QStringList ids;
    while (q.next())
        ids.append(q.value(0).toString());
    if (q.lastError().isValid())
        fail(u"listing failed"_s, q.lastError(), sql);
    return ids;
}

Page SqliteBackend::query(const MemoryQuery& query)
{
    assertThread();
    Fragment where = whereClause(query.filter, chooseFullTextPlan(query.filter, &query));
    const QString key = sortColumn(query.sortKey);
    // Reading from the far end walks the same order backwards.
    const Qt::SortOrder keyOrder = query.scanKeyOrder();
    const Qt::SortOrder idOrder = query.scanIdOrder();
    const QString keyOp = keyOrder == Qt::AscendingOrder ? u">"_s : u"<"_s;
    const QString idOp = idOrder == Qt::AscendingOrder ? u">"_s : u"<"_s;
    QString sql = u"SELECT "_s + selectList() + u" FROM memories m"_s + where.sql;
    if (query.after) {
        QString cond;
        if (query.sortKey == SortKey::Id) {
            cond = u"m.id "_s + keyOp + u" ?"_s;
            where.binds << query.after->id;
        } else {
            // written so that the key's index serves the range: K op= x AND (K op x OR id op y)
            cond = key + u' ' + keyOp + u"= ? AND ("_s + key + u' ' + keyOp + u" ? OR m.id "_s + idOp + u" ?)"_s;
            where.binds << query.after->key << query.after->key << query.after->id;
        }
        sql += (where.sql.isEmpty() ? u" WHERE "_s : u" AND "_s) + cond;
    }
    const auto dir = [](Qt::SortOrder o) { return o == Qt::AscendingOrder ? u"ASC"_s : u"DESC"_s; };
    sql += u" ORDER BY "_s + key + u' ' + dir(keyOrder);
    if (query.sortKey != SortKey::Id)
        sql += u", m.id "_s + dir(idOrder);
    sql += u" LIMIT ?"_s;
    where.binds << qMax(query.limit, 0);
    if (query.skip > 0) {
        sql += u" OFFSET ?"_s;
        where.binds << query.skip;
    }

    QList<RawRow> rows = readRows(sql, where.binds);
    Page page;
    if (!rows.isEmpty() && rows.size() >= query.limit) {
        const RawRow& last = rows.last();
        QVariant lastKey;
        switch (query.sortKey) {
        case SortKey::CreatedAt:
            lastKey = last.values[FCreatedAt];
            break;
        case SortKey::Id:
            lastKey = last.values[FId];
            break;
        case SortKey::Namespace:
            lastKey = last.values[FNamespace];
            break;
        case SortKey::Status:
            lastKey = last.values[FStatus];
            break;
        }
        page.next = Cursor {lastKey, last.values[FId].toString()};
    }
    attachContent(rows, page.memories, &page.issues, query.withContent, false);
    if (query.fromEnd)
        std::reverse(page.memories.begin(), page.memories.end());
    return page;
}

std::optional<qint64> SqliteBackend::rowOf(const MemoryQuery& query, const QString& id)
{
    assertThread();
    if (!query.filter.ids.isEmpty() && !query.filter.ids.contains(id))
        return std::nullopt;
    MemoryFilter only = query.filter;
    only.ids = {id};
    const QString key = sortColumn(query.sortKey);
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QVariant targetKey;
    {
        // whether it passes the filter, and its sort key
        const Fragment where = whereClause(only);
        const QString sql = u"SELECT "_s + key + u" FROM memories m"_s + where.sql + u" LIMIT 1"_s;
        QSqlQuery q(db);
        q.setForwardOnly(true);
        if (!q.prepare(sql))
            fail(u"cannot prepare a lookup"_s, q.lastError(), sql);
        for (const QVariant& v : where.binds)
            q.addBindValue(v);
        if (!q.exec())
            fail(u"lookup failed"_s, q.lastError(), sql);
        if (!q.next()) {
            if (q.lastError().isValid())
                fail(u"lookup failed"_s, q.lastError(), sql);
            return std::nullopt;
        }
        targetKey = q.value(0);
    }
    // the rows before it in the query's order: those with a key before its key, plus its ties with an id before
    // its id. Two counts in one statement, so the first is a range of the key's index alone (covering, when no
    // filter needs the rows) instead of a row lookup per key for the id test of the cursor's single range.
    const Fragment where = whereClause(query.filter);
    const QString keyOp = query.order == Qt::AscendingOrder ? u"<"_s : u">"_s;
    const QString idOp = query.idOrder == Qt::AscendingOrder ? u"<"_s : u">"_s;
    const QString and_ = where.sql.isEmpty() ? u" WHERE "_s : u" AND "_s;
    QVariantList binds;
    QString sql;
    if (query.sortKey == SortKey::Id) {
        sql = u"SELECT COUNT(*) FROM memories m"_s + where.sql + and_ + u"m.id "_s + keyOp + u" ?"_s;
        binds << where.binds << id;
    } else {
        sql = u"SELECT (SELECT COUNT(*) FROM memories m"_s + where.sql + and_ + key + u' ' + keyOp
            + u" ?) + (SELECT COUNT(*) FROM memories m"_s + where.sql + and_ + key + u" = ? AND m.id "_s + idOp
            + u" ?)"_s;
        binds << where.binds << targetKey << where.binds << targetKey << id;
    }
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        fail(u"cannot prepare a count"_s, q.lastError(), sql);
    for (const QVariant& v : std::as_const(binds))
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        fail(u"counting failed"_s, q.lastError(), sql);
    return q.value(0).toLongLong();
}

} // namespace Inspector
