// SPDX-License-Identifier: MIT
// One knowledge graph (spec §14.1) written the same way into graph.db and into PostgreSQL's graph tables, with
// the memories it mentions: entities, relationships, and mentions, some of memories that no longer exist.
#pragma once

#include "memory.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QTest>

namespace Inspector::Fixtures {

/// The memories the graph's mentions point at (`gone-1` and `gone-2` are mentioned but not among them).
inline QList<Memory> graphMemories()
{
    QList<Memory> out;
    for (int i = 1; i <= 6; ++i) {
        Memory m;
        m.id = QStringLiteral("m%1").arg(i);
        m.content = QStringLiteral("memory number %1 about databases and people").arg(i);
        m.namespaceName = QStringLiteral("decisions");
        m.domain = QStringLiteral("project");
        m.status = QStringLiteral("active");
        m.createdAt = 1767000000 + i * 60;
        m.updatedAt = m.createdAt;
        m.tags = {QStringLiteral("t%1").arg(i % 2)};
        out << m;
    }
    return out;
}

/// The graph's rows as INSERT statements both SQLite and PostgreSQL run.
inline QStringList graphInserts()
{
    static const char* const rows[] = {
        "INSERT INTO graph_entities (id, entity_type, name, aliases, confidence, transaction_time, properties, "
        "mention_count) VALUES ('ent_18f3a_0badcafe', 'technology', 'PostgreSQL', '[\"postgres\",\"pg\"]', 0.95, "
        "1700000000, '{}', 3)",
        "INSERT INTO graph_entities (id, entity_type, name, aliases, confidence, transaction_time, properties, "
        "mention_count) VALUES ('ent_18f3b_00a11ce0', 'person', 'Alice', '[]', 0.9, 1700000000, '{}', 2)",
        "INSERT INTO graph_entities (id, entity_type, name, aliases, confidence, transaction_time, properties, "
        "mention_count) VALUES ('ent_18f3c_00ac3e00', 'organization', 'Acme Corp', NULL, 0.8, 1700000000, '{}', 0)",
        "INSERT INTO graph_entities (id, entity_type, name, aliases, confidence, transaction_time, properties, "
        "mention_count) VALUES ('ent_18f3d_0000dead', 'concept', 'Ghost', '[]', 0.5, 1700000000, '{}', 1)",
        "INSERT INTO graph_entity_mentions (entity_id, memory_id, confidence, start_offset, end_offset, "
        "matched_text, transaction_time) VALUES ('ent_18f3a_0badcafe', 'm1', 0.75, 27, 36, 'databases', 1700000000)",
        "INSERT INTO graph_entity_mentions (entity_id, memory_id, confidence, start_offset, end_offset, "
        "matched_text, transaction_time) VALUES ('ent_18f3a_0badcafe', 'm3', 0.7, 27, 36, 'databases', 1700000000)",
        "INSERT INTO graph_entity_mentions (entity_id, memory_id, confidence, start_offset, end_offset, "
        "matched_text, transaction_time) VALUES ('ent_18f3a_0badcafe', 'gone-1', 0.6, 0, 8, 'postgres', 1700000000)",
        "INSERT INTO graph_entity_mentions (entity_id, memory_id, confidence, start_offset, end_offset, "
        "matched_text, transaction_time) VALUES ('ent_18f3b_00a11ce0', 'm3', 0.85, 41, 47, 'people', 1700000000)",
        "INSERT INTO graph_entity_mentions (entity_id, memory_id, confidence, start_offset, end_offset, "
        "matched_text, transaction_time) VALUES ('ent_18f3b_00a11ce0', 'm5', NULL, NULL, NULL, NULL, 1700000000)",
        "INSERT INTO graph_entity_mentions (entity_id, memory_id, confidence, start_offset, end_offset, "
        "matched_text, transaction_time) VALUES ('ent_18f3d_0000dead', 'gone-2', 0.5, 0, 5, 'ghost', 1700000000)",
        "INSERT INTO graph_relationships (from_entity_id, to_entity_id, relationship_type, confidence, "
        "transaction_time) VALUES ('ent_18f3b_00a11ce0', 'ent_18f3a_0badcafe', 'uses', 0.9, 1700000000)",
        "INSERT INTO graph_relationships (from_entity_id, to_entity_id, relationship_type, confidence, "
        "transaction_time) VALUES ('ent_18f3b_00a11ce0', 'ent_18f3c_00ac3e00', 'works_at', 0.8, 1700000000)",
    };
    QStringList out;
    for (const char* row : rows)
        out << QString::fromUtf8(row);
    return out;
}

/// The graph tables: `real` is REAL in SQLite, DOUBLE PRECISION in PostgreSQL, `integer` INTEGER or BIGINT.
inline QStringList graphTables(const QString& real, const QString& integer)
{
    static const char* const tables[] = {
        "CREATE TABLE graph_entities (id TEXT PRIMARY KEY, entity_type TEXT NOT NULL, name TEXT NOT NULL, aliases "
        "TEXT, domain_org TEXT, domain_project TEXT, domain_repo TEXT, confidence %1 NOT NULL DEFAULT 1.0, "
        "valid_time_start %2, valid_time_end %2, transaction_time %2 NOT NULL, properties TEXT, mention_count "
        "INTEGER NOT NULL DEFAULT 0)",
        "CREATE TABLE graph_relationships (from_entity_id TEXT NOT NULL REFERENCES graph_entities(id) ON DELETE "
        "CASCADE, to_entity_id TEXT NOT NULL REFERENCES graph_entities(id) ON DELETE CASCADE, relationship_type TEXT "
        "NOT NULL, confidence %1, valid_time_start %2, valid_time_end %2, transaction_time %2 NOT NULL, properties "
        "TEXT, PRIMARY KEY (from_entity_id, to_entity_id, relationship_type))",
        "CREATE TABLE graph_entity_mentions (entity_id TEXT NOT NULL REFERENCES graph_entities(id) ON DELETE "
        "CASCADE, memory_id TEXT NOT NULL, confidence %1, start_offset %2, end_offset %2, matched_text TEXT, "
        "transaction_time %2 NOT NULL, PRIMARY KEY (entity_id, memory_id))",
    };
    QStringList out;
    for (const char* table : tables)
        out << QString::fromUtf8(table).arg(real, integer);
    return out;
}

/// subcog's graph.db (WAL, as subcog keeps it) at `path` with the fixture's graph.
inline void writeFixtureGraphDb(const QString& path)
{
    const QString name = QStringLiteral("fixture-graph-") + path;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode = WAL")));
        for (const QString& sql : graphTables(QStringLiteral("REAL"), QStringLiteral("INTEGER")) + graphInserts())
            QVERIFY2(q.exec(sql), qPrintable(q.lastError().text() + QStringLiteral(": ") + sql));
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

} // namespace Inspector::Fixtures
