// SPDX-License-Identifier: MIT
// One step of a merge (or its undo or redo) in a PostgreSQL store. Each row's version (xmin) is read, then the
// memories as the backend decodes them, and they are compared; then one transaction locks the rows
// (SELECT … FOR UPDATE) and writes only when every version is still the one compared (any UPDATE by another writer
// makes a new one), so nothing that changed since it was checked is overwritten (spec §15). subcog's PostgreSQL
// layout has no edge table, so a merge there writes memories only.
#include "duplicatemergewrite.h"

#include "filtersql.h"
#include "jsonl.h"
#include "postgresbackend.h"
#include "postgresinternal.h"
#include "storageerror.h"

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

/// SQL text with positional parameters; NULL ones are empty optionals.
struct Params
{
    std::vector<std::optional<std::string>> values;

    QString add(const std::optional<QString>& value, const char* cast = "")
    {
        values.emplace_back(value ? std::optional(toStd(*value)) : std::nullopt);
        return u'$' + QString::number(values.size()) + QString::fromLatin1(cast);
    }
    pqxx::result exec(pqxx::transaction_base& tx, const QString& sql) const
    {
        std::vector<const char*> pointers;
        for (const auto& v : values)
            pointers.push_back(v ? v->c_str() : nullptr);
        return tx.exec_params(toStd(sql), pqxx::prepare::make_dynamic_params(pointers));
    }
};

std::optional<QString> numberText(const std::optional<qint64>& v)
{
    return v ? std::optional(QString::number(*v)) : std::nullopt;
}

void writeMemory(pqxx::transaction_base& tx, const QString& location, const Memory& current, const Memory& desired)
{
    if (current.content != desired.content)
        throw StorageError(StorageError::Kind::InvalidInput,
                           location + u": memory "_s + desired.id + u": a merge does not change a memory's content"_s);
    Params p;
    QStringList sets;
    const auto want
        = [&](const char* column, bool differs, const std::optional<QString>& value, const char* cast = "") {
              if (differs)
                  sets << QString::fromLatin1(column) + u" = "_s + p.add(value, cast);
          };
    want("namespace", current.namespaceName != desired.namespaceName, desired.namespaceName);
    want("status", current.status != desired.status, desired.status);
    want("domain",
         current.domain != desired.domain || current.domainForWrite() != desired.domainForWrite()
             || current.flags.testFlag(MemoryFlag::LegacyDomain) != desired.flags.testFlag(MemoryFlag::LegacyDomain),
         desired.flags.testFlag(MemoryFlag::LegacyDomain) ? desired.domain : domainJson(desired.domainForWrite()));
    want("project_id", current.projectId != desired.projectId, desired.projectId);
    want("branch", current.branch != desired.branch, desired.branch);
    want("file_path", current.filePath != desired.filePath, desired.filePath);
    want("source", current.source != desired.source, desired.source);
    want("tags", current.tags != desired.tags, FilterSql::arrayLiteral(desired.tags), "::text[]");
    want("updated_at", current.updatedAt != desired.updatedAt, QString::number(desired.updatedAt), "::bigint");
    want("tombstoned_at", current.tombstonedAt != desired.tombstonedAt, numberText(desired.tombstonedAt), "::bigint");
    want("expires_at", current.expiresAt != desired.expiresAt, numberText(desired.expiresAt), "::bigint");
    std::optional<QString> sourceIds;
    if (desired.sourceMemoryIds) {
        QByteArray json = "[";
        for (qsizetype i = 0; i < desired.sourceMemoryIds->size(); ++i) {
            if (i)
                json.append(',');
            appendJsonString(json, desired.sourceMemoryIds->at(i));
        }
        sourceIds = QString::fromUtf8(json.append(']'));
    }
    want("source_memory_ids", current.sourceMemoryIds != desired.sourceMemoryIds, sourceIds, "::jsonb");
    if (sets.isEmpty())
        return;
    const QString sql = u"UPDATE memories SET "_s + sets.join(u", "_s) + u" WHERE id = "_s + p.add(desired.id);
    p.exec(tx, sql);
}

std::string idArray(const QStringList& ids)
{
    QString out = u"{"_s;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        QString id = ids[i];
        id.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s);
        out += (i ? u",\""_s : u"\""_s) + id + u'"';
    }
    return toStd(out + u'}');
}

QHash<QString, std::string> versions(pqxx::transaction_base& tx, const QStringList& ids, bool lock)
{
    QHash<QString, std::string> out;
    const pqxx::result r = tx.exec_params(lock ? "SELECT id, xmin::text FROM memories WHERE id = ANY($1::text[]) "
                                                 "ORDER BY id FOR UPDATE"
                                               : "SELECT id, xmin::text FROM memories WHERE id = ANY($1::text[])",
                                          idArray(ids));
    for (const auto& row : r)
        out.insert(fromStd(row[0]), row[1].as<std::string>());
    return out;
}

} // namespace

std::optional<MergeWritten> MergeWrite::postgres(PersistenceBackend& backend, const QList<Memory>& expected,
                                                 const QList<Memory>& desired, const QList<MemoryEdge>& addEdges,
                                                 const QList<MemoryEdge>& removeEdges)
{
    auto* store = dynamic_cast<PostgresBackend*>(&backend);
    if (!store)
        return std::nullopt;
    if ((!addEdges.isEmpty() || !removeEdges.isEmpty()) && !store->hasEdgeTable())
        throw StorageError(StorageError::Kind::InvalidInput,
                           store->location() + u": the database has no edge table to keep a merge's edges in"_s);
    QStringList ids;
    for (const Memory& m : expected)
        ids << m.id;
    QStringList desiredIds;
    for (const Memory& m : desired)
        desiredIds << m.id;

    MergeWritten written;
    // the versions first: a write after this read moves one, whether the memories below show it or not
    QHash<QString, std::string> seen;
    store->readInSnapshot(u"reading the versions of the memories to merge"_s,
                          [&](pqxx::transaction_base& tx) { seen = versions(tx, ids, false); });
    const QList<Memory> current = store->getBatch(ids);
    written.conflicts = conflicts(expected, current);
    if (!written.conflicts.isEmpty())
        return written;
    QHash<QString, const Memory*> byId;
    for (const Memory& m : current)
        byId.insert(m.id, &m);
    store->writeInTransaction(
        u"merging "_s + QString::number(ids.size()) + u" memories"_s, [&](pqxx::transaction_base& tx) {
            written.conflicts.clear();
            const QHash<QString, std::string> locked = versions(tx, ids, true);
            for (const QString& id : std::as_const(ids)) {
                if (!locked.contains(id))
                    written.conflicts << u"memory "_s + id + u" was deleted by another writer"_s;
                else if (locked.value(id) != seen.value(id))
                    written.conflicts << u"memory "_s + id + u" was changed by another writer just now"_s;
            }
            if (!written.conflicts.isEmpty())
                return; // nothing written; the commit only ends the locks
            for (const Memory& m : desired) {
                const Memory* now = byId.value(m.id);
                if (!now)
                    throw StorageError(StorageError::Kind::InvalidInput,
                                       store->location() + u": memory "_s + m.id + u" is not one the merge checked"_s);
                writeMemory(tx, store->location(), *now, m);
            }
        });
    if (!written.conflicts.isEmpty())
        return written;
    written.stored = store->getBatch(desiredIds);
    return written;
}

} // namespace Inspector
