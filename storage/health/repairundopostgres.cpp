// SPDX-License-Identifier: MIT
// The undo of a PostgreSQL repair: rows as to_jsonb text, keyed by their primary key.
#include "repairundo.h"

#include "repairundointernal.h"

#include "postgres/postgresbackend.h"
#include "sqlite/sqlitebackend.h"
#include "sqliteraw.h"
#include "storageerror.h"
#include "vectorsfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <pqxx/pqxx>

#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace RepairUndo {

namespace Postgres {

struct Table
{
    QLatin1StringView name;
    QStringList key;
    QLatin1StringView rowJson; ///< the row's text as the repair wrote it to its backup
};

const Table kTables[] = {
    {"memories"_L1, {u"id"_s}, "(to_jsonb(t) - 'search_vector')::text"_L1},
    {"memory_vectors"_L1, {u"id"_s}, "to_jsonb(t)::text"_L1},
    {"graph_entity_mentions"_L1, {u"entity_id"_s, u"memory_id"_s}, "to_jsonb(t)::text"_L1},
    {"graph_entities"_L1, {u"id"_s}, "to_jsonb(t)::text"_L1},
};

const Table* tableNamed(const QString& name)
{
    for (const Table& t : kTables) {
        if (t.name == name)
            return &t;
    }
    return nullptr;
}

std::string toStd(const QString& s)
{
    return s.toUtf8().toStdString();
}

QString quoted(const QString& name)
{
    return u'"' + QString(name).replace(u'"', u"\"\""_s) + u'"';
}

QString whereKey(const Table& t)
{
    QStringList terms;
    for (qsizetype i = 0; i < t.key.size(); ++i)
        terms << u"t."_s + quoted(t.key[i]) + u" = $"_s + QString::number(i + 1);
    return terms.join(u" AND "_s);
}

QStringList keyValues(const QByteArray& key)
{
    QStringList values;
    for (const QJsonValue& v : QJsonDocument::fromJson(key).array())
        values << v.toString();
    return values;
}

/// Runs `sql` with the key's values as $1… and then `extra`, all bound.
pqxx::result execKeyed(pqxx::transaction_base& tx, const QString& sql, const QByteArray& key,
                       const QList<QByteArray>& extra = {})
{
    std::vector<std::string> values;
    for (const QString& v : keyValues(key))
        values.push_back(toStd(v));
    for (const QByteArray& v : extra)
        values.push_back(v.toStdString());
    std::vector<const char*> pointers;
    for (const std::string& v : values)
        pointers.push_back(v.c_str());
    return tx.exec_params(toStd(sql), pqxx::prepare::make_dynamic_params(pointers));
}

std::optional<QByteArray> current(pqxx::transaction_base& tx, const Table& t, const QByteArray& key, bool lock)
{
    const QString sql = u"SELECT "_s + t.rowJson + u" FROM "_s + t.name + u" t WHERE "_s + whereKey(t)
        + (lock ? u" FOR UPDATE"_s : QString());
    const pqxx::result r = execKeyed(tx, sql, key);
    if (r.empty())
        return std::nullopt;
    return QByteArray(r[0][0].c_str(), qsizetype(r[0][0].size()));
}

void put(pqxx::transaction_base& tx, const Table& t, const QByteArray& key, const std::optional<QByteArray>& target,
         const std::optional<QByteArray>& guard)
{
    if (!target) {
        execKeyed(tx, u"DELETE FROM "_s + t.name + u" t WHERE "_s + whereKey(t), key);
        return;
    }
    if (!guard) {
        tx.exec_params(toStd(u"INSERT INTO "_s + t.name + u" SELECT * FROM jsonb_populate_record(NULL::"_s + t.name
                             + u", $1::jsonb)"_s),
                       target->toStdString());
        return;
    }
    // only the columns that differ: jsonb_populate_record turns each JSON value into its column's type, but to_jsonb
    // wrote SQL NULL and JSON null alike, so a column the repair left alone is not written at all
    const QJsonObject to = QJsonDocument::fromJson(*target).object();
    const QJsonObject from = QJsonDocument::fromJson(*guard).object();
    QStringList assignments;
    for (auto it = to.constBegin(); it != to.constEnd(); ++it) {
        if (!t.key.contains(it.key()) && from.value(it.key()) != it.value())
            assignments << quoted(it.key()) + u" = r."_s + quoted(it.key());
    }
    if (assignments.isEmpty())
        return;
    execKeyed(tx,
              u"UPDATE "_s + t.name + u" t SET "_s + assignments.join(u", "_s) + u" FROM jsonb_populate_record(NULL::"_s
                  + t.name + u", $"_s + QString::number(t.key.size() + 1) + u"::jsonb) r WHERE "_s + whereKey(t),
              key, {*target});
}

RepairRestoreOutcome restore(const RepairImages& images, bool undo)
{
    RepairRestoreOutcome outcome;
    const auto backend = PostgresBackend::open(images.location);
    backend->writeInTransaction(u"undoing the repair"_s, [&](pqxx::transaction_base& tx) {
        outcome = {};
        QHash<QString, qint64> lowered; // entity → how far the repair lowered its mention_count
        QHash<QString, qint64> mentionsBack;
        for (const QList<const RepairImage*>& group : byMemory(images)) {
            if (group.first()->table == "graph_entities"_L1) {
                for (const RepairImage* image : group)
                    lowered.insert(QString::fromUtf8(image->key), image->before.value_or(QByteArray()).toLongLong());
                continue;
            }
            bool unchanged = true;
            for (const RepairImage* image : group) {
                const Table* t = tableNamed(image->table);
                unchanged
                    = unchanged && t && current(tx, *t, image->key, true) == (undo ? image->after : image->before);
            }
            if (!unchanged) {
                outcome.skipped << group.first()->memoryId;
                continue;
            }
            // a savepoint a memory: one that cannot be written (a key taken meanwhile) does not stop the others
            tx.exec("SAVEPOINT memory");
            try {
                for (const RepairImage* image : group) {
                    const std::optional<QByteArray>& target = undo ? image->before : image->after;
                    put(tx, *tableNamed(image->table), image->key, target, undo ? image->after : image->before);
                    if (image->table == "graph_entity_mentions"_L1)
                        ++mentionsBack[keyValues(image->key).value(0)];
                }
                tx.exec("RELEASE SAVEPOINT memory");
                outcome.restored << group.first()->memoryId;
            } catch (const pqxx::integrity_constraint_violation& e) {
                tx.exec("ROLLBACK TO SAVEPOINT memory");
                outcome.failed << group.first()->memoryId + u": "_s + QString::fromUtf8(e.what()).trimmed();
            }
        }
        // the repair lowered a count by one a deleted mention (not below 0): undo raises it by those that came back
        for (auto it = mentionsBack.cbegin(); it != mentionsBack.cend(); ++it) {
            const qint64 by = qMin(it.value(), lowered.value(it.key()));
            if (by > 0)
                tx.exec_params(undo ? "UPDATE graph_entities SET mention_count = mention_count + $1 WHERE id = $2"
                                    : "UPDATE graph_entities SET mention_count = GREATEST(mention_count - $1, 0) "
                                      "WHERE id = $2",
                               by, toStd(it.key()));
        }
    });
    return outcome;
}

} // namespace Postgres

RepairRestoreOutcome restorePostgres(const RepairImages& images, bool undo)
{
    return Postgres::restore(images, undo);
}

} // namespace RepairUndo

using namespace RepairUndo;

RepairImages postgresRepairImages(const QString& url, const QString& rowsBackupPath, const QSet<QString>& changed)
{
    using namespace Postgres;
    RepairImages result;
    result.kind = RepairImages::Kind::Postgres;
    result.location = url;
    QFile file(rowsBackupPath);
    if (!file.open(QIODevice::ReadOnly))
        throw StorageError(StorageError::Kind::Storage,
                           rowsBackupPath + u": cannot read the repair's backup: "_s + file.errorString());
    // each line as the repair wrote it: {"table":"<name>","row":<to_jsonb text>}
    static const QByteArray kPrefix = "{\"table\":\"";
    static const QByteArray kMiddle = "\",\"row\":";
    while (!file.atEnd()) {
        QByteArray line = file.readLine();
        if (line.endsWith('\n'))
            line.chop(1);
        if (line.isEmpty())
            continue;
        const qsizetype middle = line.indexOf(kMiddle);
        if (!line.startsWith(kPrefix) || middle < 0 || !line.endsWith('}'))
            throw StorageError(StorageError::Kind::InvalidInput,
                               rowsBackupPath + u": not a row backup the inspector wrote"_s);
        const QString table = QString::fromUtf8(line.mid(kPrefix.size(), middle - kPrefix.size()));
        const QByteArray row = line.mid(middle + kMiddle.size(), line.size() - middle - kMiddle.size() - 1);
        const Table* t = tableNamed(table);
        const QJsonObject object = QJsonDocument::fromJson(row).object();
        if (!t || object.isEmpty())
            throw StorageError(StorageError::Kind::InvalidInput,
                               rowsBackupPath + u": not a row backup the inspector wrote"_s);
        QJsonArray key;
        for (const QString& column : t->key)
            key << object.value(column);
        RepairImage image;
        image.table = table;
        image.key = QJsonDocument(key).toJson(QJsonDocument::Compact);
        image.memoryId = object
                             .value(table == "graph_entities"_L1              ? u"id"_s
                                        : table == "graph_entity_mentions"_L1 ? u"memory_id"_s
                                                                              : u"id"_s)
                             .toString();
        if (table == "graph_entities"_L1)
            image.memoryId = u"entity "_s + image.memoryId;
        image.before = row;
        result.images << image;
    }
    // a skipped memory's rows were backed up but not changed; an entity counts the mentions that went
    QHash<QString, qint64> deleted;
    result.images.removeIf([&](const RepairImage& image) {
        if (image.table == "graph_entities"_L1)
            return false;
        if (!changed.contains(image.memoryId))
            return true;
        if (image.table == "graph_entity_mentions"_L1)
            ++deleted[QJsonDocument::fromJson(*image.before).object().value(u"entity_id"_s).toString()];
        return false;
    });
    // an entity's image is how far the repair lowered its mention_count: one a mention, not below what it was
    result.images.removeIf([&](const RepairImage& image) {
        return image.table == "graph_entities"_L1 && !deleted.contains(image.memoryId.mid(7));
    });
    for (RepairImage& image : result.images) {
        if (image.table != "graph_entities"_L1)
            continue;
        const qint64 was = QJsonDocument::fromJson(*image.before).object().value(u"mention_count"_s).toInteger();
        image.before = QByteArray::number(qMin(deleted.value(image.memoryId.mid(7)), was));
        image.key = QJsonDocument::fromJson(image.key).array().at(0).toString().toUtf8();
    }
    const auto backend = PostgresBackend::open(url);
    backend->readInSnapshot(u"reading the repaired rows"_s, [&](pqxx::transaction_base& tx) {
        for (RepairImage& image : result.images) {
            if (image.table != "graph_entities"_L1)
                image.after = current(tx, *tableNamed(image.table), image.key, false);
        }
    });
    result.images.removeIf(
        [](const RepairImage& image) { return image.table != "graph_entities"_L1 && image.before == image.after; });
    return result;
}

} // namespace Inspector
