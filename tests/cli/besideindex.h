// SPDX-License-Identifier: MIT
// What subcog keeps beside index.db in its data folder (spec §2.2, §14), written as subcog writes it, for the
// health tests: vectors.idx, usearch's vectors.meta.json, graph.db.
#pragma once

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QTest>
#include <QVariant>

namespace Inspector::Fixtures {

/// A JSON string as serde_json writes it (quotes, backslashes and control characters escaped).
inline QByteArray jsonKey(const QString& text)
{
    QByteArray out = "\"";
    for (const char c : text.toUtf8()) {
        if (c == '"' || c == '\\')
            out.append('\\').append(c);
        else if (uchar(c) < 0x20)
            out.append("\\u00").append(QByteArray::number(uchar(c), 16).rightJustified(2, '0'));
        else
            out.append(c);
    }
    return out.append('"');
}

/// The `"id":[…]` member of vectors.idx for the id at position `i`: three f32, different for each position.
inline QByteArray vectorsIdxMember(const QString& id, qsizetype i)
{
    return jsonKey(id) + ":[" + QByteArray::number(i) + ".5,-0.125,1e-7]";
}

/// subcog's vectors.idx of these members (compact, as serde_json writes it).
inline QByteArray vectorsIdxOf(const QByteArrayList& members)
{
    return "{\"dimensions\":3,\"vectors\":{" + members.join(',') + "}}";
}

/// subcog's vectors.idx with a vector for each id, in this order.
inline QByteArray vectorsIdx(const QStringList& ids)
{
    QByteArrayList members;
    for (qsizetype i = 0; i < ids.size(); ++i)
        members << vectorsIdxMember(ids[i], i);
    return vectorsIdxOf(members);
}

/// usearch's vectors.meta.json listing these ids (spec §14.2).
inline QByteArray usearchMeta(const QStringList& ids)
{
    QByteArray idToKey;
    QByteArray keyToId;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        const QByteArray key = QByteArray::number(i + 1);
        idToKey.append(i ? "," : "").append(jsonKey(ids[i])).append(':').append(key);
        keyToId.append(i ? "," : "").append('"').append(key).append("\":").append(jsonKey(ids[i]));
    }
    return "{\"dimensions\":384,\"id_to_key\":{" + idToKey + "},\"key_to_id\":{" + keyToId
        + "},\"next_key\":" + QByteArray::number(ids.size() + 1) + '}';
}

inline void writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    QCOMPARE(file.write(bytes), bytes.size());
}

/// Removes a SQLite file with its -wal and -shm files (a stale -wal must never meet a new file of the same name).
inline bool removeSqliteFile(const QString& path)
{
    QFile::remove(path + QStringLiteral("-wal"));
    QFile::remove(path + QStringLiteral("-shm"));
    return QFile::remove(path);
}

struct GraphEntity
{
    QString id;
    int mentionCount = 0;
};

/// subcog's graph.db (spec §14.1, WAL like subcog's) with these entities and (entity id, memory id) mentions.
inline void writeGraphDb(const QString& path, const QList<GraphEntity>& entities,
                         const QList<QPair<QString, QString>>& mentions)
{
    const QString name = QStringLiteral("graph-") + path;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        for (const char* sql :
             {"PRAGMA journal_mode = WAL",
              "CREATE TABLE IF NOT EXISTS graph_entities (id TEXT PRIMARY KEY, entity_type TEXT NOT NULL, name TEXT "
              "NOT NULL, aliases TEXT, domain_org TEXT, domain_project TEXT, domain_repo TEXT, confidence REAL NOT "
              "NULL DEFAULT 1.0, valid_time_start INTEGER, valid_time_end INTEGER, transaction_time INTEGER NOT NULL, "
              "properties TEXT, mention_count INTEGER NOT NULL DEFAULT 0)",
              "CREATE TABLE IF NOT EXISTS graph_relationships (from_entity_id TEXT NOT NULL, to_entity_id TEXT NOT "
              "NULL, relationship_type TEXT NOT NULL, confidence REAL, valid_time_start INTEGER, valid_time_end "
              "INTEGER, transaction_time INTEGER NOT NULL, properties TEXT, PRIMARY KEY (from_entity_id, "
              "to_entity_id, relationship_type), FOREIGN KEY (from_entity_id) REFERENCES graph_entities(id) ON "
              "DELETE CASCADE, FOREIGN KEY (to_entity_id) REFERENCES graph_entities(id) ON DELETE CASCADE)",
              "CREATE TABLE IF NOT EXISTS graph_entity_mentions (entity_id TEXT NOT NULL, memory_id TEXT NOT NULL, "
              "confidence REAL, start_offset INTEGER, end_offset INTEGER, matched_text TEXT, transaction_time "
              "INTEGER NOT NULL, PRIMARY KEY (entity_id, memory_id), FOREIGN KEY (entity_id) REFERENCES "
              "graph_entities(id) ON DELETE CASCADE)"})
            QVERIFY2(q.exec(QString::fromLatin1(sql)), qPrintable(q.lastError().text()));
        for (const GraphEntity& e : entities) {
            q.prepare(QStringLiteral("INSERT INTO graph_entities (id, entity_type, name, aliases, transaction_time, "
                                     "properties, mention_count) VALUES (?, 'concept', ?, '[]', 1700000000, '{}', ?)"));
            q.addBindValue(e.id);
            q.addBindValue(QString(QStringLiteral("name of ") + e.id));
            q.addBindValue(e.mentionCount);
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        int offset = 0;
        for (const auto& [entity, memory] : mentions) {
            q.prepare(QStringLiteral("INSERT INTO graph_entity_mentions (entity_id, memory_id, confidence, "
                                     "start_offset, end_offset, matched_text, transaction_time) "
                                     "VALUES (?, ?, 0.75, ?, ?, ?, 1700000000)"));
            q.addBindValue(entity);
            q.addBindValue(memory);
            q.addBindValue(offset);
            q.addBindValue(offset + 4);
            q.addBindValue(QString(QStringLiteral("text ") + QString::number(offset)));
            offset += 10;
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

/// Every row of graph.db's entities and mentions, each column quoted, sorted.
inline QStringList graphRows(const QString& path)
{
    QStringList rows;
    const QString name = QStringLiteral("graph-rows-") + path;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (!db.open())
            return rows;
        QSqlQuery q(db);
        q.exec(QStringLiteral("SELECT 'entity ' || quote(id) || ' ' || quote(name) || ' mentions ' || "
                              "quote(mention_count) FROM graph_entities"));
        while (q.next())
            rows << q.value(0).toString();
        q.exec(QStringLiteral("SELECT 'mention ' || quote(entity_id) || ' ' || quote(memory_id) || ' ' || "
                              "quote(confidence) || ' ' || quote(start_offset) || ' ' || quote(matched_text) "
                              "FROM graph_entity_mentions"));
        while (q.next())
            rows << q.value(0).toString();
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    rows.sort();
    return rows;
}

} // namespace Inspector::Fixtures
