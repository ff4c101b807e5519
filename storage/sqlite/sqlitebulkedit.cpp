// SPDX-License-Identifier: MIT
// A bulk edit's batches in a SQLite store: one BEGIN IMMEDIATE transaction per batch on a connection of its own,
// the compare inside it, then UPDATE of the changed columns only (never INSERT OR REPLACE, which would cascade to
// memory_edges) and, when tags change, the memories_fts row's tags (spec §10: both tables in step).
#include "bulkwriter.h"

#include "health/sqliteraw.h"
#include "sqlitebackend.h"
#include "sqliteinternal.h"

#include <QHash>

#include <map>
#include <memory>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

using SqliteRaw::Value;

Value optionalText(const std::optional<QString>& v)
{
    return v ? Value::text(*v) : Value {};
}

Value optionalNumber(const std::optional<qint64>& v)
{
    return v ? Value::number(*v) : Value {};
}

class SqliteBulkWriter final : public BulkWriter
{
public:
    explicit SqliteBulkWriter(SqliteBackend& backend)
        : m_backend(backend)
        , m_db(backend.location(), false)
    {
        // the same lock wait as subcog's (spec §4.1); the backend's reads go on while a batch holds the write lock
        sqlite3_busy_timeout(m_db.handle(), 5000);
        // subcog's own setting (spec §4.1): in WAL mode a commit then waits for no fsync (checkpoints do), so a
        // batch costs its writes, not a disk flush; a rollback-journal file (v0.1) keeps the safe default
        bool wal = false;
        {
            SqliteRaw::Statement mode(m_db, u"PRAGMA journal_mode"_s);
            wal = mode.step() && mode.value(0).toText().compare(u"wal"_s, Qt::CaseInsensitive) == 0;
        }
        if (wal)
            m_db.exec("PRAGMA synchronous = NORMAL", u"cannot set up the connection"_s);
    }

    QList<BulkWriteResult> writeBatch(const QList<BulkWriteItem>& items) override
    {
        QStringList ids;
        for (const BulkWriteItem& item : items)
            ids << item.expected->id;
        // the write lock first: from here on no other writer can commit, so what the backend's own connection
        // reads next is what this transaction updates
        m_db.exec("BEGIN IMMEDIATE", u"cannot start a bulk edit's batch"_s);
        bool committed = false;
        struct Rollback
        {
            const SqliteRaw::Connection& db;
            const bool& committed;
            ~Rollback()
            {
                if (!committed)
                    sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            }
        } rollback {m_db, committed};

        QHash<QString, Memory> current;
        for (Memory& m : m_backend.getBatch(ids))
            current.insert(m.id, std::move(m));
        QList<BulkWriteResult> results;
        for (const BulkWriteItem& item : items) {
            const auto it = current.constFind(item.expected->id);
            BulkWriteResult r = BulkWrite::classify(it == current.constEnd() ? nullptr : &*it, item);
            if (r.outcome == BulkWriteResult::Outcome::Written)
                write(*it, *item.desired);
            results << r;
        }
        m_db.exec("COMMIT", u"cannot commit a bulk edit's batch"_s);
        committed = true;
        return results;
    }

private:
    void write(const Memory& current, const Memory& desired)
    {
        QList<std::pair<QString, Value>> changes;
        auto want = [&](const char* column, bool differs, const Value& value) {
            if (differs)
                changes.append({QString::fromLatin1(column), value});
        };
        want("namespace", current.namespaceName != desired.namespaceName, Value::text(desired.namespaceName));
        want("status", current.status != desired.status, Value::text(desired.status));
        want("domain", current.domain != desired.domain,
             Value::text(desired.domain.isEmpty() ? u"project"_s : desired.domain));
        want("project_id", current.projectId != desired.projectId, optionalText(desired.projectId));
        want("branch", current.branch != desired.branch, optionalText(desired.branch));
        want("file_path", current.filePath != desired.filePath, optionalText(desired.filePath));
        want("source", current.source != desired.source, optionalText(desired.source));
        const QString tagString = desired.tags.join(u',');
        const bool tagsChange = current.tags != desired.tags;
        want("tags", tagsChange, Value::text(tagString));
        want("tombstoned_at", current.tombstonedAt != desired.tombstonedAt, optionalNumber(desired.tombstonedAt));
        want("expires_at", current.expiresAt != desired.expiresAt, optionalNumber(desired.expiresAt));
        if (changes.isEmpty())
            return;
        QStringList sets;
        for (const auto& change : std::as_const(changes)) {
            if (!m_backend.columns().contains(change.first))
                throw StorageError(StorageError::Kind::InvalidInput,
                                   m_backend.location() + u": memory "_s + desired.id
                                       + u": this store's layout (an older subcog) has no column '"_s + change.first
                                       + u"' to keep the value"_s);
            sets << SqliteInternal::quoteIdentifier(change.first) + u" = ?"_s;
        }
        SqliteRaw::Statement& update = statement(u"UPDATE memories SET "_s + sets.join(u", "_s) + u" WHERE id = ?"_s);
        int index = 1;
        for (const auto& change : std::as_const(changes))
            update.bind(index++, change.second);
        update.bind(index, desired.id);
        update.run();
        if (tagsChange && m_backend.hasFullTextTable()) {
            // through the FTS index by id (a plain `WHERE id = ?` scans the whole table); every row of the id
            if (SqliteInternal::hasFullTextToken(desired.id)) {
                SqliteRaw::Statement& fts
                    = statement(u"UPDATE memories_fts SET tags = ? WHERE memories_fts MATCH ? AND id = ?"_s);
                fts.bind(1, tagString);
                fts.bind(2, u"id:"_s + SqliteInternal::ftsPhrase(desired.id));
                fts.bind(3, desired.id);
                fts.run();
            } else {
                SqliteRaw::Statement& fts = statement(u"UPDATE memories_fts SET tags = ? WHERE id = ?"_s);
                fts.bind(1, tagString);
                fts.bind(2, desired.id);
                fts.run();
            }
        }
    }

    SqliteRaw::Statement& statement(const QString& sql)
    {
        auto it = m_statements.find(sql);
        if (it == m_statements.end())
            it = m_statements.emplace(sql, std::make_unique<SqliteRaw::Statement>(m_db, sql, u"cannot write"_s)).first;
        return *it->second;
    }

    SqliteBackend& m_backend;
    SqliteRaw::Connection m_db;
    std::map<QString, std::unique_ptr<SqliteRaw::Statement>> m_statements; ///< finalized before m_db closes
};

} // namespace

std::unique_ptr<BulkWriter> BulkWrite::sqliteWriter(PersistenceBackend& backend)
{
    auto* sqlite = dynamic_cast<SqliteBackend*>(&backend);
    if (!sqlite)
        return nullptr;
    return std::make_unique<SqliteBulkWriter>(*sqlite);
}

} // namespace Inspector
