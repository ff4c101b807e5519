// SPDX-License-Identifier: MIT
// A small store with edges in both directions, a dangling edge, a lost summary edge pair and a tombstoned memory,
// written through a backend (and, for SQLite, memory_edges rows as subcog's consolidation writes them).
#pragma once

#include "persistencebackend.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <stdexcept>

namespace Inspector::EdgeFixture {

using namespace Qt::StringLiterals;

inline constexpr qint64 kBase = 1767000000;
inline constexpr qint64 kConsolidated = kBase + 500; ///< sum1's consolidation_timestamp

inline Memory memory(const QString& id, const QString& ns, const QString& content, qint64 t)
{
    Memory m;
    m.id = id;
    m.content = content;
    m.namespaceName = ns;
    m.domain = u"project"_s;
    m.status = u"active"_s;
    m.createdAt = t;
    m.updatedAt = t;
    m.tags = {u"edges"_s};
    return m;
}

/**
 * s1, s2, s3: originals. sum1: a summary of s1, s2 and `gone` (no such memory); sum2: a summary of s3.
 * a supersedes b (tombstoned), a related_to `ghost` (no such memory: a dangling edge), b refines c.
 * In SQLite, consolidation's edges exist for s1 ↔ sum1 and s3 ↔ sum2; those of s2 ↔ sum1 were lost.
 */
inline QList<Memory> memories()
{
    QList<Memory> list;
    list << memory(u"s1"_s, u"decisions"_s, u"\nUse WAL mode for the index\nbecause readers"_s, kBase + 1);
    list << memory(u"s2"_s, u"learnings"_s, u"Retries need backoff"_s, kBase + 2);
    list << memory(u"s3"_s, u"patterns"_s, u"Keyset pages, never OFFSET"_s, kBase + 3);
    Memory sum1 = memory(u"sum1"_s, u"context"_s, u"Summary: storage choices"_s, kBase + 10);
    sum1.isSummary = true;
    sum1.source = u"consolidation"_s;
    sum1.sourceMemoryIds = QStringList {u"s1"_s, u"s2"_s, u"gone"_s};
    sum1.consolidationTimestamp = kConsolidated;
    list << sum1;
    Memory sum2 = memory(u"sum2"_s, u"context"_s, u"Summary: paging"_s, kBase + 11);
    sum2.isSummary = true;
    sum2.source = u"consolidation"_s;
    sum2.sourceMemoryIds = QStringList {u"s3"_s};
    sum2.consolidationTimestamp = kBase + 600;
    list << sum2;
    list << memory(u"a"_s, u"decisions"_s, u"Use PostgreSQL 15"_s, kBase + 20);
    Memory b = memory(u"b"_s, u"decisions"_s, u"Use PostgreSQL 12"_s, kBase + 21);
    b.status = u"tombstoned"_s;
    b.tombstonedAt = kBase + 30;
    list << b;
    list << memory(u"c"_s, u"tech-debt"_s, u"Old driver pinned"_s, kBase + 22);
    return list;
}

/// The memory_edges rows of the SQLite store (from_id, to_id, edge_type, created_at).
inline QList<MemoryEdge> tableEdges()
{
    return {
        {u"s1"_s, u"sum1"_s, u"summarized_by"_s, kConsolidated},
        {u"sum1"_s, u"s1"_s, u"source_of"_s, kConsolidated},
        {u"s3"_s, u"sum2"_s, u"summarized_by"_s, kBase + 600},
        {u"sum2"_s, u"s3"_s, u"source_of"_s, kBase + 600},
        {u"a"_s, u"b"_s, u"supersedes"_s, kBase + 40},
        {u"a"_s, u"ghost"_s, u"related_to"_s, kBase + 41},
        {u"b"_s, u"c"_s, u"refines"_s, kBase + 42},
    };
}

/// Runs SQL on a SQLite file through a connection of its own (foreign keys off, as an old writer had them).
inline void sqliteExec(const QString& path, const QString& sql, const QVariantList& values = {})
{
    const QString name = u"edgefixture-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
        if (!db.open())
            throw std::runtime_error(db.lastError().text().toStdString());
        QSqlQuery q(db);
        q.prepare(sql);
        for (const QVariant& v : values)
            q.addBindValue(v);
        if (!q.exec())
            throw std::runtime_error(q.lastError().text().toStdString());
    }
    QSqlDatabase::removeDatabase(name);
}

/// SELECT COUNT(*) of one edge in a SQLite file (created_at given: that one only).
inline int sqliteEdgeCount(const QString& path, const MemoryEdge& e, bool matchTime = true)
{
    const QString name = u"edgefixture-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    int n = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(path);
        if (!db.open())
            throw std::runtime_error(db.lastError().text().toStdString());
        QSqlQuery q(db);
        q.prepare(u"SELECT COUNT(*) FROM memory_edges WHERE from_id = ? AND to_id = ? AND edge_type = ?"_s
                  + (matchTime ? u" AND created_at = ?"_s : QString()));
        q.addBindValue(e.fromId);
        q.addBindValue(e.toId);
        q.addBindValue(e.edgeType);
        if (matchTime)
            q.addBindValue(e.createdAt);
        if (q.exec() && q.next())
            n = q.value(0).toInt();
    }
    QSqlDatabase::removeDatabase(name);
    return n;
}

/// Writes the memories, and in a SQLite file the edges.
inline void plant(PersistenceBackend& store)
{
    store.storeBatch(memories());
    if (store.kind() == "sqlite"_L1) {
        for (const MemoryEdge& e : tableEdges())
            sqliteExec(store.location(),
                       u"INSERT INTO memory_edges (from_id, to_id, edge_type, created_at) VALUES (?, ?, ?, ?)"_s,
                       {e.fromId, e.toId, e.edgeType, e.createdAt});
    }
}

} // namespace Inspector::EdgeFixture
