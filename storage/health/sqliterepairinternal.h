// SPDX-License-Identifier: MIT
// The SQLite repair's insides, shared by its files: what it reads of a memory, the draft it fixes, the plan it
// writes, and the repairer that does it (sqliterepair.cpp: reading and writing; sqliterepairfixes.cpp: the fixes).
#pragma once

#include "memory.h"
#include "repairtargets.h"
#include "sqliteraw.h"
#include "sqliterepair.h"
#include "trash.h"

#include <QCryptographicHash>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <memory>
#include <optional>

namespace Inspector::SqliteRepairDetail {

using namespace SqliteRaw;
using namespace Qt::StringLiterals;

/// What the file holds, by name (spec §4.9: columns differ between layouts).
struct Schema
{
    QStringList columns; ///< memories' columns, lower case, in table order
    bool fts = false;
    bool edges = false;
    bool has(QLatin1StringView column) const { return columns.contains(column); }
};

struct FtsRow
{
    qint64 rowid = 0;
    Value id;
    Value content;
    Value tags;
};

/// A memory as read: its memories row (if any) and its full-text rows, lowest rowid first.
struct MemoryRow
{
    QString id;
    bool exists = false;
    QList<Value> columns; ///< Schema::columns order
    QList<FtsRow> fts;

    /// What a later read is compared with: a digest of every byte of both.
    QByteArray fingerprint() const
    {
        QByteArray data;
        data.append(exists ? '1' : '0');
        for (const Value& v : columns)
            v.appendTo(data);
        for (const FtsRow& row : fts) {
            data.append(reinterpret_cast<const char*>(&row.rowid), sizeof row.rowid);
            row.id.appendTo(data);
            row.content.appendTo(data);
            row.tags.appendTo(data);
        }
        return QCryptographicHash::hash(data, QCryptographicHash::Sha256);
    }
};

struct Edge
{
    Value from;
    Value to;
    Value type;
    Value createdAt;
};

/// The writes that fix one memory, planned from one read of it.
struct MemoryPlan
{
    QString id;
    QByteArray fingerprint;
    bool insertRow = false;
    bool deleteRow = false;
    QList<QPair<QString, Value>> set; ///< changed columns (insert: every column given)
    QList<qint64> deleteFts; ///< full-text rowids
    QList<QPair<qint64, Value>> ftsTags; ///< full-text rowid → new tags
    bool writes() const
    {
        return insertRow || deleteRow || !set.isEmpty() || !deleteFts.isEmpty() || !ftsTags.isEmpty();
    }
};

/// What is written together or not at all: one memory, or a duplicate group (the kept memory first), or edges.
struct Unit
{
    QList<MemoryPlan> memories;
    QList<Edge> deleteEdges; ///< each deleted only if an end is still missing and it is unchanged
    QList<RepairChange> deleteEdgeChanges; ///< one per deleteEdges entry
    QList<Edge> insertEdges;
    QList<RepairChange> changes;
};

inline bool isTombstonedStatus(const Value& status)
{
    return !status.isNull() && parseStatus(status.toText()) == MemoryStatus::Tombstoned;
}

/// A memory being fixed: its values as they would be after the fixes so far.
class Draft
{
public:
    Draft(const Schema& schema, const MemoryRow& row)
        : m_schema(schema)
        , m_row(row)
        , m_exists(row.exists)
        , m_values(row.columns)
    {
        for (const FtsRow& f : row.fts)
            m_ftsTags << f.tags;
        m_ftsDeleted.fill(false, row.fts.size());
    }

    bool exists() const { return m_exists && !m_delete; }
    bool inserted() const { return m_insert; }
    bool deleted() const { return m_delete; }
    const MemoryRow& row() const { return m_row; }
    bool has(QLatin1StringView column) const { return m_schema.has(column); }

    Value get(QLatin1StringView column) const
    {
        const qsizetype i = m_schema.columns.indexOf(column);
        return i < 0 ? Value {} : m_values[i];
    }
    /// Sets a column (ignored when the layout has no such column) and notes the change under a class.
    void set(QLatin1StringView column, const Value& value, QLatin1StringView cls, QList<RepairChange>& changes)
    {
        const qsizetype i = m_schema.columns.indexOf(column);
        if (i < 0 || m_values[i] == value)
            return;
        changes << RepairChange {m_row.id, cls, column + u' ' + m_values[i].shown() + u" → "_s + value.shown()};
        m_values[i] = value;
        if (column == "tags"_L1)
            m_lastTagClass = cls;
    }
    /// The class of the fix that last changed the tags.
    const QString& lastTagClass() const { return m_lastTagClass; }

    bool tombstoned() const
    {
        return isTombstonedStatus(get("status"_L1)) || (has("tombstoned_at"_L1) && !get("tombstoned_at"_L1).isNull());
    }
    /// Empty Trash's judgement (trash.h) of this memory with a cut-off: taken only when its status says tombstoned
    /// (what subcog's list, search and `gc --purge` read as deleted) and its tombstoned_at is at or before the
    /// cut-off; without any tombstone time (SQLite keeps no updated_at) only 0 days (cutoff ≥ now) takes it.
    struct TrashJudgement
    {
        bool take = false;
        std::optional<TrashLeftOutReason> leftOut; ///< looks like trash but is not taken
        QString detail;
        qint64 time = 0;
        bool createdTime = false; ///< `time` is created_at: the store keeps no tombstone time
    };
    TrashJudgement judgeTrash(qint64 cutoff, qint64 now) const
    {
        TrashJudgement j;
        const Value status = get("status"_L1);
        const bool statusSays = isTombstonedStatus(status);
        const Value at = get("tombstoned_at"_L1); // NULL too where the layout has no such column (before v0.3)
        const auto seconds = at.toInteger();
        if (at.isNull()) {
            if (!statusSays)
                return j;
            if (cutoff < now) {
                j.leftOut = TrashLeftOutReason::NoTombstoneTime;
                j.detail = u"status "_s + status.shown()
                    + (has("tombstoned_at"_L1) ? u", tombstoned_at NULL"_s : u", no tombstoned_at column"_s);
                return j;
            }
            j.take = true;
            j.time = get("created_at"_L1).toInteger().value_or(0);
            j.createdTime = true;
        } else if (!statusSays) {
            if (!seconds || *seconds <= cutoff) {
                j.leftOut = TrashLeftOutReason::HalfTombstoned;
                j.detail = u"tombstoned_at "_s + at.shown() + u", status "_s + status.shown();
            }
        } else if (!seconds) {
            j.leftOut = TrashLeftOutReason::UnreadableTime;
            j.detail = u"tombstoned_at "_s + at.shown() + u", status "_s + status.shown();
        } else if (*seconds <= cutoff) {
            j.take = true;
            j.time = *seconds;
        }
        return j;
    }
    void tombstone(qint64 now, QLatin1StringView cls, QList<RepairChange>& changes)
    {
        set("status"_L1, Value::text(u"tombstoned"_s), cls, changes);
        if (get("tombstoned_at"_L1).isNull())
            set("tombstoned_at"_L1, Value::number(now), cls, changes);
    }

    /// The content subcog reads: the first full-text row's, or b41a806's content column.
    std::optional<QString> content() const
    {
        for (int i = 0; i < m_row.fts.size(); ++i) {
            if (!m_ftsDeleted[i])
                return m_row.fts[i].content.toText();
        }
        if (!m_schema.fts && has("content"_L1) && !get("content"_L1).isNull())
            return get("content"_L1).toText();
        return std::nullopt;
    }
    bool isSummary() const
    {
        const Value v = get("is_summary"_L1);
        return !v.isNull() && v.toInteger().value_or(0) != 0;
    }
    /// Tags as subcog reads them: split on commas, trimmed, empty ones dropped.
    QStringList tags() const
    {
        QStringList result;
        for (const QString& part : get("tags"_L1).toText().split(u',')) {
            if (const QString t = part.trimmed(); !t.isEmpty())
                result << t;
        }
        return result;
    }

    void insertFromFts(const QList<QPair<QLatin1StringView, Value>>& values, QList<RepairChange>& changes)
    {
        m_insert = true;
        m_exists = true;
        QStringList shown;
        for (const auto& [column, value] : values) {
            const qsizetype i = m_schema.columns.indexOf(column);
            if (i < 0)
                continue;
            m_values[i] = value;
            if (column != "id"_L1 && column != "content"_L1)
                shown << column + u' ' + value.shown();
        }
        changes << RepairChange {m_row.id, "orphan-content"_L1, u"rebuild the memories row: "_s + shown.join(u", "_s)};
        m_lastTagClass = u"orphan-content"_s;
    }
    void remove() { m_delete = true; }

    int ftsCount() const { return int(m_row.fts.size()); }
    bool ftsDeleted(int i) const { return m_ftsDeleted[i]; }
    void deleteFts(int i) { m_ftsDeleted[i] = true; }
    const Value& ftsTags(int i) const { return m_ftsTags[i]; }
    void setFtsTags(int i, const Value& tags) { m_ftsTags[i] = tags; }

    MemoryPlan plan() const
    {
        MemoryPlan p;
        p.id = m_row.id;
        p.fingerprint = m_row.fingerprint();
        p.insertRow = m_insert;
        p.deleteRow = m_delete;
        for (qsizetype i = 0; i < m_values.size(); ++i) {
            if (m_insert ? !m_values[i].isNull() : m_values[i] != m_row.columns.value(i))
                p.set << qMakePair(m_schema.columns[i], m_values[i]);
        }
        for (int i = 0; i < m_row.fts.size(); ++i) {
            if (m_ftsDeleted[i])
                p.deleteFts << m_row.fts[i].rowid;
            else if (m_ftsTags[i] != m_row.fts[i].tags)
                p.ftsTags << qMakePair(m_row.fts[i].rowid, m_ftsTags[i]);
        }
        return p;
    }

private:
    const Schema& m_schema;
    MemoryRow m_row;
    bool m_exists = false;
    bool m_insert = false;
    bool m_delete = false;
    QList<Value> m_values;
    QList<Value> m_ftsTags;
    QList<bool> m_ftsDeleted;
    QString m_lastTagClass;
};

class Repairer
{
public:
    Repairer(const QString& path, const SqliteRepairOptions& options, qint64 now)
        : m_db(path, options.dryRun)
        , m_options(options)
        , m_now(now)
    {
        readSchema();
    }

    /// Plans every unit from one read transaction; findings: id → classes named for it, in check order.
    void plan(const QList<QString>& order, const QHash<QString, QSet<QString>>& named,
              const QHash<QString, QString>& keptFor)
    {
        m_db.exec("BEGIN", u"cannot read the store"_s);
        QSet<QString> done;
        // duplicate groups first: the kept memory and its duplicates are one unit
        QHash<QString, QStringList> groups;
        QStringList keptOrder;
        for (const QString& id : order) {
            if (!named.value(id).contains(u"duplicate-memory"_s))
                continue;
            const QString kept = keptFor.value(id);
            if (!groups.contains(kept))
                keptOrder << kept;
            groups[kept] << id;
        }
        for (const QString& kept : std::as_const(keptOrder)) {
            planGroup(kept, groups.value(kept), named);
            done.insert(kept);
            for (const QString& id : groups.value(kept))
                done.insert(id);
        }
        for (const QString& id : order) {
            if (done.contains(id))
                continue;
            Unit unit;
            Draft draft(m_schema, readMemory(id));
            fixMemory(draft, named.value(id), unit);
            unit.memories << draft.plan();
            addUnit(std::move(unit));
        }
        m_db.exec("COMMIT", u"cannot read the store"_s);
    }

    bool hasWrites() const { return !m_units.isEmpty(); }

    /// VACUUM INTO a new file beside the store, never over an existing one; returns its path.
    QString backup()
    {
        const QString path = sqliteRepairBackupPath(m_db.path(), m_now);
        const bool existed = QFile::exists(path);
        try {
            Statement vacuum(m_db, u"VACUUM INTO ?1"_s, u"cannot write the backup "_s + path);
            vacuum.bind(1, path);
            vacuum.run();
        } catch (...) {
            // a full disk leaves a partial file, which is no backup: nothing was changed, so it goes
            if (!existed)
                QFile::remove(path);
            throw;
        }
        return path;
    }

    /// Writes the units in transactions of batchSize memories; report gets a batch's changes once it is committed.
    void write(SqliteRepairReport& report)
    {
        SqliteRepairReport batch;
        int inBatch = 0;
        auto flush = [&] {
            commit();
            report.changes << batch.changes;
            report.skipped << batch.skipped;
            report.memories += batch.memories;
            batch = {};
            inBatch = 0;
        };
        const qint64 total = m_units.size();
        qint64 done = 0;
        for (const Unit& unit : std::as_const(m_units)) {
            if (m_options.cancelled && m_options.cancelled()) {
                report.cancelled = true;
                break;
            }
            if (inBatch == 0)
                m_db.exec("BEGIN IMMEDIATE", u"cannot write the store"_s);
            try {
                writeUnit(unit, batch);
            } catch (...) {
                sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
                throw;
            }
            inBatch += std::max(1, int(unit.memories.size()));
            if (inBatch >= m_options.batchSize)
                flush();
            if (m_options.progress)
                m_options.progress(++done, total);
        }
        if (inBatch > 0)
            flush();
    }

    void reportPlan(SqliteRepairReport& report) const
    {
        for (const Unit& unit : m_units) {
            report.changes << unit.changes << unit.deleteEdgeChanges;
            for (const MemoryPlan& p : unit.memories)
                report.memories += p.writes() ? 1 : 0;
        }
    }

    QList<RepairChange> planSkips() const { return m_planSkips; }

    /// Empty Trash (trash.h): the `empty-trash` class deletes a memory only while it is tombstoned at or before
    /// `cutoff` and still what its preview read (`expected`: id → MemoryRow::fingerprint()).
    void setTrash(qint64 cutoff, QHash<QString, QByteArray> expected)
    {
        m_trashCutoff = cutoff;
        m_trashExpected = std::move(expected);
    }
    /// The memories the plan deletes, in plan order.
    QStringList deletedIds() const
    {
        QStringList ids;
        for (const Unit& unit : m_units) {
            for (const MemoryPlan& p : unit.memories) {
                if (p.deleteRow)
                    ids << p.id;
            }
        }
        return ids;
    }
    const Schema& schema() const { return m_schema; }
    Connection& connection() { return m_db; }
    /// A memory as a plan reads it (inside a transaction of the caller's for a consistent set).
    MemoryRow read(const QString& id) { return readMemory(id); }

    bool memoryExists(const QString& id)
    {
        if (!m_memoryExists)
            m_memoryExists = std::make_unique<Statement>(m_db, u"SELECT 1 FROM memories WHERE id = ?1"_s);
        m_memoryExists->bind(1, id);
        const bool found = m_memoryExists->step();
        m_memoryExists->reset();
        return found;
    }

private:
    Connection m_db;
    const SqliteRepairOptions& m_options;
    qint64 m_now;
    Schema m_schema;
    QList<Unit> m_units;
    QList<RepairChange> m_planSkips;
    qint64 m_trashCutoff = 0;
    QHash<QString, QByteArray> m_trashExpected;
    std::unique_ptr<Statement> m_readRow;
    std::unique_ptr<Statement> m_ftsByMatch;
    std::unique_ptr<Statement> m_ftsByScan;
    std::unique_ptr<Statement> m_memoryExists;
    std::unique_ptr<Statement> m_edgeExists;
    QHash<QString, std::shared_ptr<Statement>> m_writes;

    void readSchema()
    {
        {
            Statement q(m_db, u"SELECT lower(name) FROM sqlite_master WHERE type = 'table'"_s);
            QSet<QString> tables;
            while (q.step())
                tables.insert(q.value(0).toText());
            m_schema.fts = tables.contains(u"memories_fts"_s);
            m_schema.edges = tables.contains(u"memory_edges"_s);
        }
        Statement q(m_db, u"SELECT lower(name) FROM pragma_table_info('memories')"_s);
        while (q.step())
            m_schema.columns << q.value(0).toText();
        QStringList selected;
        for (const QString& c : std::as_const(m_schema.columns))
            selected << quotedIdentifier(c);
        m_readRow = std::make_unique<Statement>(
            m_db, u"SELECT "_s + selected.join(u", "_s) + u" FROM memories WHERE id = ?1"_s);
        if (m_schema.fts) {
            // FTS5's index finds an id's rows at once (spec §4.6); the equality drops other ids with the same tokens
            m_ftsByMatch = std::make_unique<Statement>(
                m_db,
                u"SELECT rowid, id, content, tags FROM memories_fts WHERE memories_fts MATCH ?1 "
                "AND CAST(id AS TEXT) = ?2 ORDER BY rowid"_s);
            m_ftsByScan = std::make_unique<Statement>(
                m_db,
                u"SELECT rowid, id, content, tags FROM memories_fts WHERE CAST(id AS TEXT) = ?1 ORDER BY rowid"_s);
        }
    }

    MemoryRow readMemory(const QString& id)
    {
        MemoryRow row;
        row.id = id;
        m_readRow->bind(1, id);
        if (m_readRow->step()) {
            row.exists = true;
            for (int i = 0; i < m_schema.columns.size(); ++i)
                row.columns << m_readRow->value(i);
        } else {
            row.columns.resize(m_schema.columns.size());
        }
        m_readRow->reset();
        if (!m_schema.fts)
            return row;
        // an id without a letter or digit has no unicode61 token, so no phrase can find it: scan instead
        const bool tokens = std::any_of(id.begin(), id.end(), [](QChar c) { return c.isLetterOrNumber(); });
        Statement& q = tokens ? *m_ftsByMatch : *m_ftsByScan;
        if (tokens) {
            q.bind(1, u"id:\""_s + QString(id).replace(u'"', u"\"\""_s) + u'"');
            q.bind(2, id);
        } else {
            q.bind(1, id);
        }
        while (q.step())
            row.fts << FtsRow {q.value(0).integer, q.value(1), q.value(2), q.value(3)};
        q.reset();
        return row;
    }

    void addUnit(Unit unit)
    {
        bool writes = !unit.deleteEdges.isEmpty() || !unit.insertEdges.isEmpty();
        for (const MemoryPlan& p : unit.memories)
            writes = writes || p.writes();
        if (writes)
            m_units << std::move(unit);
    }

    void stale(const QString& id, const QString& cls)
    {
        m_planSkips << RepairChange {id, cls, u"changed since the check: the finding no longer holds"_s};
    }

    /// Applies the fixes of these classes to a memory, each only if its damage is still there.
    void fixMemory(Draft& d, const QSet<QString>& classes, Unit& unit);

    /// spec §10: memories and memories_fts hold the same tags string. tags-drift rewrites the full-text tags from
    /// the metadata row; a fix that changed the metadata tags carries them over too.
    void syncFtsTags(Draft& d, const Value& tagsBefore, bool drift, QList<RepairChange>& changes);

    void fixHashTag(Draft& d, QList<RepairChange>& changes);

    /// The source ids of a valid source_memory_ids, or nullopt when it is not a JSON array of strings.
    static std::optional<QStringList> validSourceIds(const Value& v);

    /// bad-summary (spec §15): NULL is_summary becomes 0, invalid source_memory_ids `[]`; a summary without sources
    /// or with sources that are gone is listed for a person.
    void fixSummary(Draft& d, QList<RepairChange>& changes);

    /// lost-edge (spec §15): both edges per existing source, from source_memory_ids, dated like the consolidation.
    void restoreEdges(Draft& d, Unit& unit);

    void planGroup(const QString& keptId, const QStringList& duplicates, const QHash<QString, QSet<QString>>& named);

    static QStringList sourceIds(const Draft& d);

    /// dangling-edge: the edges from this id with an end that is not a memory (unknown types are left to a person).
    void planEdges(const QString& id, Unit& unit);

    Statement& writeStatement(const QString& sql)
    {
        auto& slot = m_writes[sql];
        if (!slot)
            slot = std::make_shared<Statement>(m_db, sql, u"cannot write the store"_s);
        return *slot;
    }

    void writeUnit(const Unit& unit, SqliteRepairReport& report)
    {
        // every memory of the unit must still be what its plan was made from
        for (const MemoryPlan& p : unit.memories) {
            if (readMemory(p.id).fingerprint() != p.fingerprint) {
                for (const RepairChange& c : unit.changes + unit.deleteEdgeChanges)
                    report.skipped << RepairChange {c.id, c.findingClass,
                                                    u"changed since the check, not repaired: "_s + c.what};
                return;
            }
        }
        for (const MemoryPlan& p : unit.memories)
            writeMemory(p, report);
        report.changes << unit.changes;
        for (qsizetype i = 0; i < unit.deleteEdges.size(); ++i) {
            const Edge& e = unit.deleteEdges[i];
            Statement& q = writeStatement(
                u"DELETE FROM memory_edges WHERE from_id = ?1 AND to_id = ?2 AND edge_type = ?3 AND created_at IS ?4 "
                "AND (NOT EXISTS (SELECT 1 FROM memories WHERE id = ?1) "
                "OR NOT EXISTS (SELECT 1 FROM memories WHERE id = ?2))"_s);
            q.bind(1, e.from);
            q.bind(2, e.to);
            q.bind(3, e.type);
            q.bind(4, e.createdAt);
            const RepairChange& c = unit.deleteEdgeChanges[i];
            if (q.run() == 1)
                report.changes << c;
            else
                report.skipped << RepairChange {c.id, c.findingClass,
                                                u"changed since the check, not repaired: "_s + c.what};
        }
        for (const Edge& e : unit.insertEdges) {
            // only between memories that still exist: a plain insert would dangle if one went meanwhile
            Statement& q = writeStatement(u"INSERT OR IGNORE INTO memory_edges (from_id, to_id, edge_type, "
                                          "created_at) SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM memories "
                                          "WHERE id = ?1) AND EXISTS (SELECT 1 FROM memories WHERE id = ?2)"_s);
            q.bind(1, e.from);
            q.bind(2, e.to);
            q.bind(3, e.type);
            q.bind(4, e.createdAt);
            q.run();
        }
    }

    void writeMemory(const MemoryPlan& p, SqliteRepairReport& report)
    {
        if (!p.writes())
            return;
        ++report.memories;
        for (qint64 rowid : p.deleteFts) {
            Statement& q = writeStatement(u"DELETE FROM memories_fts WHERE rowid = ?1"_s);
            q.bind(1, rowid);
            q.run();
        }
        for (const auto& [rowid, tags] : p.ftsTags) {
            Statement& q = writeStatement(u"UPDATE memories_fts SET tags = ?1 WHERE rowid = ?2"_s);
            q.bind(1, tags);
            q.bind(2, rowid);
            q.run();
        }
        if (p.deleteRow) {
            // subcog's hard delete: the edges go with it (spec §4.7, its foreign keys cascade)
            if (m_schema.edges) {
                Statement& edges = writeStatement(u"DELETE FROM memory_edges WHERE from_id = ?1 OR to_id = ?1"_s);
                edges.bind(1, p.id);
                edges.run();
            }
            Statement& q = writeStatement(u"DELETE FROM memories WHERE id = ?1"_s);
            q.bind(1, p.id);
            q.run();
            return;
        }
        if (p.set.isEmpty())
            return;
        QStringList names;
        for (const auto& entry : p.set)
            names << quotedIdentifier(entry.first);
        QString sql;
        if (p.insertRow) {
            QStringList marks;
            for (int i = 1; i <= p.set.size(); ++i)
                marks << u'?' + QString::number(i);
            sql = u"INSERT INTO memories ("_s + names.join(u", "_s) + u") VALUES ("_s + marks.join(u", "_s) + u')';
        } else {
            QStringList assignments;
            for (int i = 0; i < names.size(); ++i)
                assignments << names[i] + u" = ?"_s + QString::number(i + 1);
            sql = u"UPDATE memories SET "_s + assignments.join(u", "_s) + u" WHERE id = ?"_s
                + QString::number(p.set.size() + 1);
        }
        Statement& q = writeStatement(sql);
        for (int i = 0; i < p.set.size(); ++i)
            q.bind(i + 1, p.set[i].second);
        if (!p.insertRow)
            q.bind(int(p.set.size()) + 1, p.id);
        q.run();
    }

    void commit()
    {
        if (sqlite3_exec(m_db.handle(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
            const QString why = QString::fromUtf8(sqlite3_errmsg(m_db.handle()));
            sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw StorageError(StorageError::Kind::OperationFailed,
                               m_db.path() + u": cannot write the store: "_s + why);
        }
    }
};

} // namespace Inspector::SqliteRepairDetail
