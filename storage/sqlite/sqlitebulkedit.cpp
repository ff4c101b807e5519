// SPDX-License-Identifier: MIT
// A bulk edit's batches in a SQLite store: one BEGIN IMMEDIATE transaction per batch on a connection of its own,
// the compare inside it, then UPDATE of the changed columns only (never INSERT OR REPLACE, which would cascade to
// memory_edges) and, when tags change, the memories_fts row's tags (spec §10: both tables in step).
#include "bulkwriter.h"

#include "health/sqliteraw.h"
#include "sqlitebackend.h"
#include "sqliteinternal.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <array>

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
        // the batches' look-ups walk the whole id index and text table once: pages read once, mapped, not copied
        m_db.exec("PRAGMA cache_size = -65536", u"cannot set up the connection"_s);
        m_db.exec("PRAGMA mmap_size = 1073741824", u"cannot set up the connection"_s);
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

        // Each memory is compared as stored, in this transaction: its row and full-text row encoded from the
        // version expected. Anything that does not match byte for byte (another writer's change, or a row the
        // backend decodes leniently: NULL tags, a legacy domain, duplicate text rows) is decided by the backend's
        // own decoding instead, read through its connection, which sees what this transaction sees.
        const QHash<QString, StoredRow> stored = readStored(ids);
        QList<BulkWriteResult> results(items.size());
        QList<const Memory*> currents(items.size(), nullptr);
        QStringList unsure;
        for (qsizetype i = 0; i < items.size(); ++i) {
            const auto it = stored.constFind(ids[i]);
            if (it != stored.constEnd() && it->contentDigest == items[i].contentDigest) {
                if (it->values == encode(*items[i].expected)) {
                    results[i] = {BulkWriteResult::Outcome::Written, {}};
                    currents[i] = items[i].expected;
                    continue;
                }
                if (it->values == encode(*items[i].desired)) {
                    results[i] = {BulkWriteResult::Outcome::AlreadyDone, {}};
                    continue;
                }
            }
            unsure << ids[i];
        }
        QHash<QString, Memory> decoded;
        const QSet<QString> unsureSet(unsure.begin(), unsure.end());
        if (!unsure.isEmpty()) {
            for (Memory& m : m_backend.getBatch(unsure))
                decoded.insert(m.id, std::move(m));
            for (qsizetype i = 0; i < items.size(); ++i) {
                if (!unsureSet.contains(ids[i]))
                    continue;
                const auto it = decoded.constFind(ids[i]);
                results[i] = BulkWrite::classify(it == decoded.constEnd() ? nullptr : &*it, items[i]);
                if (results[i].outcome == BulkWriteResult::Outcome::Written)
                    currents[i] = &*it;
            }
        }
        for (qsizetype i = 0; i < items.size(); ++i) {
            if (currents[i])
                write(*currents[i], *items[i].desired);
        }
        m_db.exec("COMMIT", u"cannot commit a bulk edit's batch"_s);
        committed = true;
        return results;
    }

private:
    /// A memory's row as stored: the columns of kColumns this layout has, and a digest of its one text row.
    struct StoredRow
    {
        QList<Value> values;
        QByteArray contentDigest; ///< empty when there is not exactly one text row
    };

    static constexpr std::array<const char*, 15> kColumns {"namespace",
                                                           "domain",
                                                           "project_id",
                                                           "branch",
                                                           "file_path",
                                                           "status",
                                                           "created_at",
                                                           "tags",
                                                           "source",
                                                           "tombstoned_at",
                                                           "expires_at",
                                                           "is_summary",
                                                           "source_memory_ids",
                                                           "consolidation_timestamp",
                                                           "group_id"};

    /// The columns this file has, in kColumns order.
    const QStringList& columns()
    {
        if (m_columns.isEmpty()) {
            for (const char* column : kColumns) {
                if (m_backend.columns().contains(QString::fromLatin1(column)))
                    m_columns << QString::fromLatin1(column);
            }
        }
        return m_columns;
    }

    /// The values the backend writes for `m` in columns(); a value this layout has no column for makes the list
    /// empty (never equal to a stored row, so the backend decides).
    QList<Value> encode(const Memory& m)
    {
        QList<Value> out;
        if (m.updatedAt != m.createdAt)
            return {};
        auto put = [&](const char* column, const Value& value, bool isDefault) {
            if (m_backend.columns().contains(QString::fromLatin1(column)))
                out << value;
            else if (!isDefault)
                return false;
            return true;
        };
        QString sourceIds;
        if (m.sourceMemoryIds)
            sourceIds = QString::fromUtf8(
                QJsonDocument(QJsonArray::fromStringList(*m.sourceMemoryIds)).toJson(QJsonDocument::Compact));
        const bool ok = put("namespace", Value::text(m.namespaceName), false)
            && put("domain", Value::text(m.domain), false) && put("project_id", optionalText(m.projectId), !m.projectId)
            && put("branch", optionalText(m.branch), !m.branch)
            && put("file_path", optionalText(m.filePath), !m.filePath) && put("status", Value::text(m.status), false)
            && put("created_at", Value::number(m.createdAt), false)
            && put("tags", Value::text(m.tags.join(u',')), false) && put("source", optionalText(m.source), !m.source)
            && put("tombstoned_at", optionalNumber(m.tombstonedAt), !m.tombstonedAt)
            && put("expires_at", optionalNumber(m.expiresAt), !m.expiresAt)
            && put("is_summary", Value::number(m.isSummary ? 1 : 0), !m.isSummary)
            && put("source_memory_ids", m.sourceMemoryIds ? Value::text(sourceIds) : Value {}, !m.sourceMemoryIds)
            && put("consolidation_timestamp", optionalNumber(m.consolidationTimestamp), !m.consolidationTimestamp)
            && put("group_id", optionalText(m.groupId), !m.groupId);
        return ok ? out : QList<Value> {};
    }

    /// The stored rows of these ids, read in this transaction; ids with no row or several are left out.
    QHash<QString, StoredRow> readStored(const QStringList& ids)
    {
        QHash<QString, StoredRow> out;
        QSet<QString> doubled;
        QStringList quoted;
        for (const QString& column : columns())
            quoted << SqliteInternal::quoteIdentifier(column);
        const QString columnList = quoted.join(u", "_s);
        for (qsizetype start = 0; start < ids.size(); start += SqliteInternal::kChunk) {
            const QStringList chunk = ids.mid(start, SqliteInternal::kChunk);
            const QSet<QString> inChunk(chunk.begin(), chunk.end());
            const bool contentColumn = !m_backend.hasFullTextTable();
            SqliteRaw::Statement& rows
                = statement(u"SELECT id, "_s + (contentColumn ? u"content, "_s : QString()) + columnList
                            + u" FROM memories WHERE id IN ("_s + SqliteInternal::placeholders(chunk.size()) + u')');
            for (qsizetype i = 0; i < chunk.size(); ++i)
                rows.bind(int(i + 1), chunk[i]);
            while (rows.step()) {
                const QString id = rows.value(0).toText();
                if (out.contains(id))
                    doubled.insert(id);
                StoredRow row;
                const int first = contentColumn ? 2 : 1;
                for (int c = 0; c < columns().size(); ++c)
                    row.values << rows.value(first + c);
                if (contentColumn)
                    row.contentDigest = BulkWrite::contentDigest(rows.value(1).toText());
                out.insert(id, row);
            }
            rows.reset();
            if (contentColumn)
                continue;
            // the text rows, through the FTS index by id (a plain `WHERE id IN` scans the whole table)
            QStringList phrases;
            for (const QString& id : chunk) {
                if (SqliteInternal::hasFullTextToken(id))
                    phrases << u"id:"_s + SqliteInternal::ftsPhrase(id);
            }
            QHash<QString, int> textRows;
            if (!phrases.isEmpty()) {
                SqliteRaw::Statement& text
                    = statement(u"SELECT id, content FROM memories_fts WHERE memories_fts MATCH ?"_s);
                text.bind(1, phrases.join(u" OR "_s));
                while (text.step()) {
                    const QString id = text.value(0).toText();
                    auto it = out.find(id);
                    if (it == out.end() || !inChunk.contains(id))
                        continue;
                    if (++textRows[id] == 1)
                        it->contentDigest = BulkWrite::contentDigest(text.value(1).toText());
                    else
                        it->contentDigest.clear();
                }
                text.reset();
            }
        }
        for (const QString& id : std::as_const(doubled))
            out.remove(id);
        return out;
    }

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
    QStringList m_columns;
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
