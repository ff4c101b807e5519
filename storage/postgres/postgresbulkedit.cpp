// SPDX-License-Identifier: MIT
// A bulk edit's batches in a PostgreSQL store. Each row's version (xmin) is read, the rows are compared as the
// backend reads them, and then one transaction locks them (SELECT … FOR UPDATE), skips any whose version moved
// since (another writer committed in between), and updates the rest with one statement per set of changed columns
// (unnest of one array per column), so 100,000 rows are a few hundred statements, not 100,000.
#include "bulkwriter.h"

#include "postgresinternal.h"

#include <QHash>

#include <map>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

/// A PostgreSQL array literal of text elements; nullopt elements are NULL.
std::string textArray(const QList<std::optional<QString>>& items)
{
    QString out = u"{"_s;
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i)
            out += u',';
        if (!items[i]) {
            out += u"NULL"_s;
            continue;
        }
        QString item = *items[i];
        item.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s);
        out += u'"' + item + u'"';
    }
    return toStd(out + u'}');
}

std::string idArray(const QStringList& ids)
{
    QList<std::optional<QString>> items;
    for (const QString& id : ids)
        items << id;
    return textArray(items);
}

std::optional<QString> numberText(const std::optional<qint64>& v)
{
    return v ? std::optional(QString::number(*v)) : std::nullopt;
}

QString tagsLiteral(const QStringList& tags)
{
    QString out = u"{"_s;
    for (qsizetype i = 0; i < tags.size(); ++i) {
        QString tag = tags[i];
        tag.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s);
        out += (i ? u",\""_s : u"\""_s) + tag + u'"';
    }
    return out + u'}';
}

/// The columns a bulk edit writes whose value differs between the two, with the new value as text and its cast.
struct ColumnValue
{
    const char* column;
    const char* cast;
    std::optional<QString> value;
};

QList<ColumnValue> changedColumns(const Memory& current, const Memory& desired)
{
    QList<ColumnValue> out;
    auto want = [&](const char* column, const char* cast, bool differs, const std::optional<QString>& value) {
        if (differs)
            out.append(ColumnValue {column, cast, value});
    };
    want("namespace", "", current.namespaceName != desired.namespaceName, desired.namespaceName);
    want("status", "", current.status != desired.status, desired.status);
    want("domain", "",
         current.domain != desired.domain || current.domainForWrite() != desired.domainForWrite()
             || current.flags.testFlag(MemoryFlag::LegacyDomain) != desired.flags.testFlag(MemoryFlag::LegacyDomain),
         // a domain that was not JSON (older writers) goes back as it was on undo
         desired.flags.testFlag(MemoryFlag::LegacyDomain) ? desired.domain : domainJson(desired.domainForWrite()));
    want("project_id", "", current.projectId != desired.projectId, desired.projectId);
    want("branch", "", current.branch != desired.branch, desired.branch);
    want("file_path", "", current.filePath != desired.filePath, desired.filePath);
    want("source", "", current.source != desired.source, desired.source);
    want("tags", "::text[]", current.tags != desired.tags, tagsLiteral(desired.tags));
    want("updated_at", "::bigint", current.updatedAt != desired.updatedAt, QString::number(desired.updatedAt));
    want("tombstoned_at", "::bigint", current.tombstonedAt != desired.tombstonedAt, numberText(desired.tombstonedAt));
    want("expires_at", "::bigint", current.expiresAt != desired.expiresAt, numberText(desired.expiresAt));
    return out;
}

class PostgresBulkWriter final : public BulkWriter
{
public:
    explicit PostgresBulkWriter(PostgresBackend& backend)
        : m_backend(backend)
    {
    }

    QList<BulkWriteResult> writeBatch(const QList<BulkWriteItem>& items) override
    {
        QStringList ids;
        for (const BulkWriteItem& item : items)
            ids << item.expected->id;
        QHash<QString, std::string> versions = readVersions(ids, false, nullptr);
        QHash<QString, Memory> current;
        for (Memory& m : m_backend.getBatch(ids))
            current.insert(m.id, std::move(m));

        QList<BulkWriteResult> results;
        QList<qsizetype> toWrite;
        for (qsizetype i = 0; i < items.size(); ++i) {
            const auto it = current.constFind(ids[i]);
            results << BulkWrite::classify(it == current.constEnd() ? nullptr : &*it, items[i]);
            if (results.last().outcome == BulkWriteResult::Outcome::Written)
                toWrite << i;
        }
        if (toWrite.isEmpty())
            return results;

        m_backend.writeInTransaction(
            u"writing "_s + QString::number(toWrite.size()) + u" memories of a bulk edit"_s,
            [&](pqxx::transaction_base& tx) {
                QStringList writeIds;
                for (qsizetype i : std::as_const(toWrite))
                    writeIds << ids[i];
                const QHash<QString, std::string> locked = readVersions(writeIds, true, &tx);
                // one UPDATE per set of changed columns
                std::map<QString, QList<qsizetype>> groups;
                QHash<qsizetype, QList<ColumnValue>> columns;
                for (qsizetype i : std::as_const(toWrite)) {
                    if (locked.value(ids[i]) != versions.value(ids[i]) || !locked.contains(ids[i])) {
                        results[i] = {BulkWriteResult::Outcome::Skipped,
                                      u"memory "_s + ids[i] + u" was changed by another writer just now"_s};
                        continue;
                    }
                    columns[i] = changedColumns(current.value(ids[i]), *items[i].desired);
                    QString key;
                    for (const ColumnValue& c : std::as_const(columns[i]))
                        key += QString::fromLatin1(c.column) + u',';
                    if (!key.isEmpty())
                        groups[key] << i;
                }
                for (const auto& [key, members] : groups)
                    update(tx, ids, members, columns);
            });
        return results;
    }

private:
    /// Each row's xmin (its version: any UPDATE makes a new one); locked: FOR UPDATE, inside `tx`.
    QHash<QString, std::string> readVersions(const QStringList& ids, bool lock, pqxx::transaction_base* tx)
    {
        QHash<QString, std::string> out;
        auto read = [&](pqxx::transaction_base& t) {
            const pqxx::result r
                = t.exec_params(lock ? "SELECT id, xmin::text FROM memories WHERE id = ANY($1::text[]) "
                                       "FOR UPDATE"
                                     : "SELECT id, xmin::text FROM memories WHERE id = ANY($1::text[])",
                                idArray(ids));
            for (const auto& row : r)
                out.insert(fromStd(row[0]), row[1].as<std::string>());
        };
        if (tx)
            read(*tx);
        else
            m_backend.readInSnapshot(u"reading the versions of "_s + QString::number(ids.size()) + u" memories"_s,
                                     read);
        return out;
    }

    static void update(pqxx::transaction_base& tx, const QStringList& ids, const QList<qsizetype>& members,
                       const QHash<qsizetype, QList<ColumnValue>>& columns)
    {
        const QList<ColumnValue>& first = columns.value(members.first());
        QStringList idColumn;
        std::vector<QList<std::optional<QString>>> values(size_t(first.size()));
        for (qsizetype i : members) {
            idColumn << ids[i];
            const QList<ColumnValue>& cs = columns.value(i);
            for (qsizetype c = 0; c < cs.size(); ++c)
                values[size_t(c)] << cs[c].value;
        }
        QStringList sets;
        QStringList arrays {u"$1::text[]"_s};
        QStringList names {u"id"_s};
        for (qsizetype c = 0; c < first.size(); ++c) {
            const QString name = QString::fromLatin1(first[c].column);
            sets << name + u" = v.c"_s + QString::number(c) + QString::fromLatin1(first[c].cast);
            arrays << u'$' + QString::number(c + 2) + u"::text[]"_s;
            names << u'c' + QString::number(c);
        }
        const QString sql = u"UPDATE memories AS m SET "_s + sets.join(u", "_s) + u" FROM unnest("_s
            + arrays.join(u", "_s) + u") AS v("_s + names.join(u", "_s) + u") WHERE m.id = v.id"_s;
        std::vector<std::string> params {idArray(idColumn)};
        for (const auto& column : values)
            params.push_back(textArray(column));
        std::vector<const char*> pointers;
        for (const std::string& p : params)
            pointers.push_back(p.c_str());
        tx.exec_params(toStd(sql), pqxx::prepare::make_dynamic_params(pointers));
    }

    PostgresBackend& m_backend;
};

} // namespace

std::unique_ptr<BulkWriter> BulkWrite::postgresWriter(PersistenceBackend& backend)
{
    auto* postgres = dynamic_cast<PostgresBackend*>(&backend);
    if (!postgres)
        return nullptr;
    return std::make_unique<PostgresBulkWriter>(*postgres);
}

} // namespace Inspector
