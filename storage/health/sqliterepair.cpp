// SPDX-License-Identifier: MIT
#include "sqliterepair.h"

#include "memory.h"
#include "repairtargets.h"
#include "sqlite/sqlitebackend.h"
#include "sqlitecheck.h"
#include "sqliteraw.h"
#include "storageerror.h"
#include "vectorsfile.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <sqlite3.h>

#include <cstring>
#include <memory>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

using namespace SqliteRaw;

constexpr QLatin1StringView kRepairable[] = {
    "missing-content"_L1,
    "orphan-content"_L1,
    "duplicate-content"_L1,
    "tags-drift"_L1,
    "messy-tags"_L1,
    "legacy-domain"_L1,
    "noncanonical-namespace"_L1,
    "noncanonical-status"_L1,
    "half-tombstoned"_L1,
    "expired-active"_L1,
    "dangling-edge"_L1,
    "stale-hash-tag"_L1,
    "duplicate-memory"_L1,
    "bad-summary"_L1,
    "lost-edge"_L1,
    "orphan-vector"_L1,
    "orphan-mention"_L1,
};
constexpr QLatin1StringView kManual[]
    = {"integrity"_L1, "unreadable-domain"_L1, "unknown-namespace"_L1, "unknown-status"_L1, "bad-time"_L1};

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

bool isTombstonedStatus(const Value& status)
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
        Statement vacuum(m_db, u"VACUUM INTO ?1"_s, u"cannot write the backup "_s + path);
        vacuum.bind(1, path);
        vacuum.run();
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
    void fixMemory(Draft& d, const QSet<QString>& classes, Unit& unit)
    {
        QList<RepairChange>& changes = unit.changes;
        const Value tagsBefore = d.get("tags"_L1);
        auto wants = [&](QLatin1StringView cls) { return classes.contains(cls); };
        // edges first: the finding names the edge's from_id, which need not be a memory
        if (wants("dangling-edge"_L1))
            planEdges(d.row().id, unit);

        if (wants("orphan-content"_L1)) {
            if (d.exists() || d.ftsCount() == 0) {
                stale(d.row().id, u"orphan-content"_s);
            } else {
                // spec §15: context, active, project scope, the full-text row's tags, the time the id encodes
                const Value tags = d.ftsTags(0).isNull() ? Value::text(QString()) : d.ftsTags(0);
                d.insertFromFts({{"id"_L1, Value::text(d.row().id)},
                                 {"namespace"_L1, Value::text(u"context"_s)},
                                 {"domain"_L1, Value::text(u"project"_s)},
                                 {"status"_L1, Value::text(u"active"_s)},
                                 {"created_at"_L1, Value::number(creationTimeFromId(d.row().id).value_or(m_now))},
                                 {"tags"_L1, tags},
                                 {"is_summary"_L1, Value::number(0)},
                                 // a file with both a full-text table and b41a806's NOT NULL content column
                                 {"content"_L1, d.row().fts[0].content}},
                                changes);
            }
        }
        if (!d.exists()) {
            for (const QString& cls : classes) {
                if (cls != "orphan-content"_L1 && cls != "dangling-edge"_L1)
                    stale(d.row().id, cls);
            }
            return;
        }
        if (wants("duplicate-content"_L1)) {
            if (d.ftsCount() < 2 || d.inserted()) {
                stale(d.row().id, u"duplicate-content"_s);
            } else {
                // subcog reads the lowest rowid (spec §15)
                for (int i = 1; i < d.ftsCount(); ++i) {
                    d.deleteFts(i);
                    changes << RepairChange {d.row().id, u"duplicate-content"_s,
                                             u"delete full-text rowid "_s + QString::number(d.row().fts[i].rowid)
                                                 + u" (subcog reads rowid "_s + QString::number(d.row().fts[0].rowid)
                                                 + u')'};
                }
            }
        }
        if (wants("noncanonical-namespace"_L1)) {
            const Value ns = d.get("namespace"_L1);
            const auto parsed = ns.isNull() ? std::nullopt : parseNamespace(ns.toText());
            if (!parsed || (namespaceName(*parsed) == ns.toText() && ns.type == SQLITE_TEXT))
                stale(d.row().id, u"noncanonical-namespace"_s);
            else
                d.set("namespace"_L1, Value::text(namespaceName(*parsed)), "noncanonical-namespace"_L1, changes);
        }
        if (wants("noncanonical-status"_L1)) {
            const Value status = d.get("status"_L1);
            const auto parsed = status.isNull() ? std::nullopt : parseStatus(status.toText());
            if (!parsed || (statusName(*parsed) == status.toText() && status.type == SQLITE_TEXT))
                stale(d.row().id, u"noncanonical-status"_s);
            else
                d.set("status"_L1, Value::text(statusName(*parsed)), "noncanonical-status"_L1, changes);
        }
        if (wants("legacy-domain"_L1)) {
            const Value domain = d.get("domain"_L1);
            if (!domain.isNull() && !domain.toText().isEmpty() && domain.toText() != "global"_L1)
                stale(d.row().id, u"legacy-domain"_s);
            else
                d.set("domain"_L1, Value::text(u"project"_s), "legacy-domain"_L1, changes);
        }
        if (wants("messy-tags"_L1)) {
            const Value raw = d.get("tags"_L1);
            const QString clean = d.tags().join(u',');
            if (!raw.isNull() && raw.toText() == clean)
                stale(d.row().id, u"messy-tags"_s);
            else
                d.set("tags"_L1, Value::text(clean), "messy-tags"_L1, changes);
        }
        if (wants("stale-hash-tag"_L1))
            fixHashTag(d, changes);
        if (wants("half-tombstoned"_L1)) {
            const bool statusTombstoned = isTombstonedStatus(d.get("status"_L1));
            const bool hasTime = !d.get("tombstoned_at"_L1).isNull();
            if (!d.has("tombstoned_at"_L1) || statusTombstoned == hasTime)
                stale(d.row().id, u"half-tombstoned"_s);
            else if (hasTime)
                d.set("status"_L1, Value::text(u"tombstoned"_s), "half-tombstoned"_L1, changes);
            else {
                // SQLite keeps no updated_at: the created time is the latest one known (spec §15)
                const auto created = d.get("created_at"_L1).toInteger();
                d.set("tombstoned_at"_L1, Value::number(created && *created > 0 ? *created : m_now),
                      "half-tombstoned"_L1, changes);
            }
        }
        if (wants("expired-active"_L1)) {
            const auto expires = d.get("expires_at"_L1).toInteger();
            if (d.get("expires_at"_L1).isNull() || !expires || *expires >= m_now || d.tombstoned())
                stale(d.row().id, u"expired-active"_s);
            else
                d.tombstone(m_now, "expired-active"_L1, changes);
        }
        if (wants("missing-content"_L1)) {
            if (!m_schema.fts || d.ftsCount() > 0 || d.tombstoned()) {
                stale(d.row().id, u"missing-content"_s);
            } else if (m_options.hardDelete) {
                d.remove();
                changes << RepairChange {d.row().id, u"missing-content"_s,
                                         u"delete the memories row and its edges (its content was already lost)"_s};
            } else {
                d.tombstone(m_now, "missing-content"_L1, changes);
            }
        }
        if (wants("bad-summary"_L1))
            fixSummary(d, changes);
        if (wants("lost-edge"_L1))
            restoreEdges(d, unit);
        syncFtsTags(d, tagsBefore, wants("tags-drift"_L1), changes);
    }

    /// spec §10: memories and memories_fts hold the same tags string. tags-drift rewrites the full-text tags from
    /// the metadata row; a fix that changed the metadata tags carries them over too.
    void syncFtsTags(Draft& d, const Value& tagsBefore, bool drift, QList<RepairChange>& changes)
    {
        const bool changed = d.get("tags"_L1) != tagsBefore;
        // the check compares the first full-text row's tags with the metadata row's, both read as text
        const bool drifted = drift && d.ftsCount() > 0 && d.row().fts[0].tags.toText() != tagsBefore.toText();
        if (drift && !drifted)
            stale(d.row().id, u"tags-drift"_s);
        if (!changed && !drifted)
            return;
        const QString cls = drifted ? u"tags-drift"_s : d.lastTagClass();
        const Value wanted = Value::text(d.get("tags"_L1).toText());
        for (int i = 0; i < d.ftsCount(); ++i) {
            if (d.ftsDeleted(i) || d.ftsTags(i) == wanted)
                continue;
            changes << RepairChange {d.row().id, cls,
                                     u"full-text tags (rowid "_s + QString::number(d.row().fts[i].rowid) + u") "_s
                                         + d.ftsTags(i).shown() + u" → "_s + wanted.shown()};
            d.setFtsTags(i, wanted);
        }
    }

    void fixHashTag(Draft& d, QList<RepairChange>& changes)
    {
        const auto content = d.content();
        if (!content || d.isSummary()) {
            stale(d.row().id, u"stale-hash-tag"_s);
            return;
        }
        const QString hash = contentHashTag(*content);
        const QStringList parts = d.get("tags"_L1).toText().split(u',');
        bool stalePart = false;
        bool hasHash = false;
        for (const QString& part : parts) {
            const QString t = part.trimmed();
            stalePart = stalePart || (t.startsWith("hash:sha256:"_L1) && t != hash);
            hasHash = hasHash || t == hash;
        }
        if (!stalePart) {
            stale(d.row().id, u"stale-hash-tag"_s);
            return;
        }
        // the first stale tag becomes the right one, in place; further stale ones go; the rest stays as it is
        QStringList result;
        for (const QString& part : parts) {
            const QString t = part.trimmed();
            if (!t.startsWith("hash:sha256:"_L1) || t == hash) {
                result << part;
            } else if (!hasHash) {
                result << hash;
                hasHash = true;
            }
        }
        d.set("tags"_L1, Value::text(result.join(u',')), "stale-hash-tag"_L1, changes);
    }

    /// The source ids of a valid source_memory_ids, or nullopt when it is not a JSON array of strings.
    static std::optional<QStringList> validSourceIds(const Value& v)
    {
        if (v.isNull())
            return QStringList();
        const QJsonDocument doc = QJsonDocument::fromJson(v.toText().toUtf8());
        if (!doc.isArray())
            return std::nullopt;
        QStringList ids;
        for (const QJsonValue& item : doc.array()) {
            if (!item.isString())
                return std::nullopt;
            ids << item.toString();
        }
        return ids;
    }

    /// bad-summary (spec §15): NULL is_summary becomes 0, invalid source_memory_ids `[]`; a summary without sources
    /// or with sources that are gone is listed for a person.
    void fixSummary(Draft& d, QList<RepairChange>& changes)
    {
        bool found = false;
        if (d.has("is_summary"_L1) && d.get("is_summary"_L1).isNull()) {
            d.set("is_summary"_L1, Value::number(0), "bad-summary"_L1, changes);
            found = true;
        }
        auto sources = validSourceIds(d.get("source_memory_ids"_L1));
        if (!sources) {
            d.set("source_memory_ids"_L1, Value::text(u"[]"_s), "bad-summary"_L1, changes);
            sources = QStringList();
            found = true;
        }
        if (d.isSummary()) {
            QStringList missing;
            for (const QString& source : std::as_const(*sources)) {
                if (!memoryExists(source))
                    missing << source;
            }
            if (sources->isEmpty())
                m_planSkips << RepairChange {d.row().id, u"bad-summary"_s,
                                             u"a summary without sources: none automatic, a person decides"_s};
            else if (!missing.isEmpty())
                m_planSkips << RepairChange {d.row().id, u"bad-summary"_s,
                                             u"sources no longer exist: "_s + missing.join(u", "_s)
                                                 + u": none automatic, a person decides"_s};
            found = found || sources->isEmpty() || !missing.isEmpty();
        }
        if (!found)
            stale(d.row().id, u"bad-summary"_s);
    }

    /// lost-edge (spec §15): both edges per existing source, from source_memory_ids, dated like the consolidation.
    void restoreEdges(Draft& d, Unit& unit)
    {
        const auto sources = validSourceIds(d.get("source_memory_ids"_L1));
        if (!m_schema.edges || !d.isSummary() || !sources) {
            stale(d.row().id, u"lost-edge"_s);
            return;
        }
        if (!m_edgeExists)
            m_edgeExists = std::make_unique<Statement>(
                m_db, u"SELECT 1 FROM memory_edges WHERE from_id = ?1 AND to_id = ?2 AND edge_type = ?3"_s);
        const Value consolidated = d.get("consolidation_timestamp"_L1);
        const Value created = d.get("created_at"_L1);
        const Value when = consolidated.toInteger() ? Value::number(*consolidated.toInteger())
                                                    : Value::number(created.toInteger().value_or(m_now));
        const QString id = d.row().id;
        bool any = false;
        for (const QString& source : std::as_const(*sources)) {
            if (!memoryExists(source))
                continue;
            for (const auto& [from, to, type] :
                 {std::tuple {source, id, u"summarized_by"_s}, std::tuple {id, source, u"source_of"_s}}) {
                m_edgeExists->bind(1, from);
                m_edgeExists->bind(2, to);
                m_edgeExists->bind(3, type);
                const bool exists = m_edgeExists->step();
                m_edgeExists->reset();
                if (exists)
                    continue;
                unit.insertEdges << Edge {Value::text(from), Value::text(to), Value::text(type), when};
                unit.changes << RepairChange {id, u"lost-edge"_s,
                                              u"add edge '"_s + from + u"' → '"_s + to + u"' ("_s + type + u')'};
                any = true;
            }
        }
        if (!any)
            stale(id, u"lost-edge"_s);
    }

    void planGroup(const QString& keptId, const QStringList& duplicates, const QHash<QString, QSet<QString>>& named)
    {
        Unit unit;
        Draft kept(m_schema, readMemory(keptId));
        QSet<QString> keptClasses = named.value(keptId);
        fixMemory(kept, keptClasses, unit);
        std::list<Draft> drafts; // stable addresses
        QList<Draft*> accepted;
        const auto keptContent = kept.content();
        const auto keptCreated = kept.get("created_at"_L1).toInteger().value_or(0);
        for (const QString& id : duplicates) {
            Draft& d = drafts.emplace_back(m_schema, readMemory(id));
            QSet<QString> classes = named.value(id);
            classes.remove(u"duplicate-memory"_s);
            const auto content = d.content();
            const auto created = d.get("created_at"_L1).toInteger().value_or(0);
            // still live duplicates of a live, not newer memory? (checked before this memory's own fixes)
            const bool holds = kept.exists() && !kept.tombstoned() && keptContent && d.exists() && !d.tombstoned()
                && content && contentHashTag(*content) == contentHashTag(*keptContent)
                && (keptCreated < created || (keptCreated == created && keptId < id));
            fixMemory(d, classes, unit);
            if (!holds) {
                stale(id, u"duplicate-memory"_s);
                continue;
            }
            accepted << &d;
        }
        // union the tags (in first-seen order) and the source ids onto the kept memory, then tombstone the others
        const Value tagsBefore = kept.get("tags"_L1);
        QStringList tags = kept.tags();
        QStringList added;
        QStringList sources = sourceIds(kept);
        const QStringList sourcesBefore = sources;
        for (Draft* d : std::as_const(accepted)) {
            for (const QString& t : d->tags()) {
                if (!tags.contains(t)) {
                    tags << t;
                    added << t;
                }
            }
            for (const QString& s : sourceIds(*d)) {
                if (!sources.contains(s))
                    sources << s;
            }
        }
        if (!added.isEmpty()) {
            const QString raw = kept.get("tags"_L1).toText();
            kept.set("tags"_L1, Value::text(raw.isEmpty() ? added.join(u',') : raw + u',' + added.join(u',')),
                     "duplicate-memory"_L1, unit.changes);
        }
        if (sources != sourcesBefore)
            kept.set("source_memory_ids"_L1,
                     Value::text(QString::fromUtf8(
                         QJsonDocument(QJsonArray::fromStringList(sources)).toJson(QJsonDocument::Compact))),
                     "duplicate-memory"_L1, unit.changes);
        syncFtsTags(kept, tagsBefore, false, unit.changes);
        for (Draft* d : std::as_const(accepted)) {
            unit.changes << RepairChange {d->row().id, u"duplicate-memory"_s,
                                          u"same content as '"_s + keptId + u"': tombstoned, its tags kept there"_s};
            d->tombstone(m_now, "duplicate-memory"_L1, unit.changes);
            if (m_schema.edges) {
                unit.insertEdges << Edge {Value::text(keptId), Value::text(d->row().id), Value::text(u"supersedes"_s),
                                          Value::number(m_now)};
                unit.changes << RepairChange {d->row().id, u"duplicate-memory"_s,
                                              u"add edge '"_s + keptId + u"' → '"_s + d->row().id
                                                  + u"' (supersedes)"_s};
            }
        }
        unit.memories << kept.plan();
        for (const Draft& d : drafts)
            unit.memories << d.plan();
        addUnit(std::move(unit));
    }

    static QStringList sourceIds(const Draft& d)
    {
        QStringList result;
        const Value v = d.get("source_memory_ids"_L1);
        if (v.isNull())
            return result;
        for (const QJsonValue& item : QJsonDocument::fromJson(v.toText().toUtf8()).array()) {
            if (item.isString())
                result << item.toString();
        }
        return result;
    }

    /// dangling-edge: the edges from this id with an end that is not a memory (unknown types are left to a person).
    void planEdges(const QString& id, Unit& unit)
    {
        if (!m_schema.edges) {
            stale(id, u"dangling-edge"_s);
            return;
        }
        Statement q(
            m_db,
            u"SELECT from_id, to_id, edge_type, created_at, "
            "NOT EXISTS (SELECT 1 FROM memories WHERE id = e.from_id) "
            "OR NOT EXISTS (SELECT 1 FROM memories WHERE id = e.to_id) FROM memory_edges e WHERE from_id = ?1"_s);
        q.bind(1, id);
        bool any = false;
        while (q.step()) {
            const Edge edge {q.value(0), q.value(1), q.value(2), q.value(3)};
            const QString shownEdge
                = u"edge "_s + edge.from.shown() + u" → "_s + edge.to.shown() + u" ("_s + edge.type.toText() + u')';
            if (q.value(4).integer != 0) {
                unit.deleteEdges << edge;
                unit.deleteEdgeChanges << RepairChange {id, u"dangling-edge"_s, u"delete "_s + shownEdge};
                any = true;
            } else if (!QSet<QString> {u"summarized_by"_s, u"source_of"_s, u"contradicts"_s, u"supersedes"_s,
                                       u"related_to"_s, u"refines"_s, u"parent_of"_s, u"child_of"_s}
                            .contains(edge.type.toText())) {
                m_planSkips << RepairChange {id, u"dangling-edge"_s,
                                             shownEdge + u": unknown edge type, none automatic: a person decides"_s};
                any = true;
            }
        }
        if (!any)
            stale(id, u"dangling-edge"_s);
    }

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

/// Which version of a file is there: the same identity, size and modification time mean the same bytes.
struct FileStamp
{
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    qint64 modifiedNs = 0;
    bool operator==(const FileStamp&) const = default;
};

std::optional<FileStamp> stampOf(const QString& path)
{
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return std::nullopt;
    return FileStamp {st.st_dev, st.st_ino, st.st_size, qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

/// The fixes of what subcog keeps beside index.db (spec §14, §15): orphan-vector in vectors.idx, orphan-mention in
/// graph.db. Each is planned from one read, backed up before its first change, and deleted only while its memory
/// still does not exist.
class AroundRepair
{
public:
    AroundRepair(const QString& storePath, const SqliteRepairOptions& options, qint64 now,
                 std::function<bool(const QString&)> memoryExists)
        : m_vectorsPath(SqliteBackend::fileBesideIndex(storePath, u"vectors.idx"_s))
        , m_metaPath(SqliteBackend::fileBesideIndex(storePath, u"vectors.meta.json"_s))
        , m_graphPath(SqliteBackend::fileBesideIndex(storePath, u"graph.db"_s))
        , m_options(options)
        , m_now(now)
        , m_memoryExists(std::move(memoryExists))
    {
    }

    /// The ids of the check's orphan-vector and orphan-mention findings, in the order found.
    void plan(const QStringList& vectorIds, const QStringList& mentionIds)
    {
        if (!vectorIds.isEmpty())
            planVectors(vectorIds);
        if (!mentionIds.isEmpty())
            planMentions(mentionIds);
    }

    bool hasWrites() const { return !m_drops.isEmpty() || !m_mentions.isEmpty(); }
    QList<RepairChange> planSkips() const { return m_skipped; }

    void reportPlan(SqliteRepairReport& report) const
    {
        for (const Drop& d : m_drops)
            report.changes << vectorChange(d.id);
        for (const Mention& m : m_mentions)
            report.changes << m.change;
        report.memories += m_drops.size() + m_mentions.size();
    }

    /// A copy of vectors.idx and a VACUUM INTO copy of graph.db, each a new file beside it, for what will change.
    QStringList backup()
    {
        QStringList paths;
        if (!m_drops.isEmpty()) {
            const QString path = newBackupPath(m_vectorsPath + u".backup-"_s, m_now, u".idx"_s);
            // the bytes the plan was made from: a vectors.idx rewritten since is refused before anything is copied
            requireUnchanged();
            QFile source(m_vectorsPath);
            if (!source.open(QIODevice::ReadOnly))
                throw StorageError(StorageError::Kind::OperationFailed,
                                   m_vectorsPath + u": cannot read: "_s + source.errorString());
            writeFileAtomically(path, [&](const ByteSink& write) { copyRanges(source, {}, write); });
            requireUnchanged();
            m_vectorsBackup = path;
            paths << path;
        }
        if (!m_mentions.isEmpty()) {
            const QString path = newBackupPath(m_graphPath + u".backup-"_s, m_now, u".db"_s);
            Connection graph(m_graphPath, true);
            Statement vacuum(graph, u"VACUUM INTO ?1"_s, u"cannot write the backup "_s + path);
            vacuum.bind(1, path);
            vacuum.run();
            paths << path;
        }
        return paths;
    }

    void write(SqliteRepairReport& report)
    {
        if (!m_drops.isEmpty() && !stop(report))
            writeVectors(report);
        if (!m_mentions.isEmpty() && !stop(report))
            writeMentions(report);
    }

private:
    /// A vectors.idx member to delete, with where it and its neighbours lie in the file.
    struct Drop
    {
        QString id;
        qint64 index = 0; ///< among the members of "vectors"
        qint64 previousEnd = -1; ///< end of the member before it; -1 for the first
        qint64 start = 0;
        qint64 end = 0;
        qint64 nextStart = -1; ///< start of the member after it; -1 for the last
    };
    struct Mention
    {
        Value entityId;
        Value memoryId;
        QByteArray fingerprint; ///< every column as planned
        RepairChange change;
    };

    QString m_vectorsPath;
    QString m_metaPath;
    QString m_graphPath;
    const SqliteRepairOptions& m_options;
    qint64 m_now;
    std::function<bool(const QString&)> m_memoryExists;
    QList<Drop> m_drops;
    std::optional<FileStamp> m_vectorsStamp; ///< vectors.idx as planned
    QString m_vectorsBackup;
    QList<Mention> m_mentions;
    QList<RepairChange> m_skipped;

    static RepairChange vectorChange(const QString& id)
    {
        return RepairChange {id, u"orphan-vector"_s,
                             u"delete its vector from vectors.idx (the memory does not exist)"_s};
    }
    static RepairChange changedMeanwhile(const RepairChange& c)
    {
        return RepairChange {c.id, c.findingClass, u"changed since the check, not repaired: "_s + c.what};
    }
    bool stop(SqliteRepairReport& report) const
    {
        if (m_options.cancelled && m_options.cancelled())
            report.cancelled = true;
        return report.cancelled;
    }

    /// Scans `file` for the members of `member` among `ids` (the check found them there); throws when it cannot.
    static QList<JsonMemberSpan> membersAmong(const QString& path, QLatin1StringView member, const QSet<QString>& ids,
                                              const std::function<void(const JsonMemberSpan&)>& each = {})
    {
        QList<JsonMemberSpan> found;
        if (path.isEmpty() || !QFileInfo::exists(path))
            return found;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            throw StorageError(StorageError::Kind::OperationFailed, path + u": cannot read: "_s + file.errorString());
        const JsonMemberScan scan = scanJsonObjectMembers(file, member, [&](const JsonMemberSpan& m) {
            if (each)
                each(m);
            if (ids.contains(m.key))
                found << m;
            return true;
        });
        if (!scan.error.isEmpty())
            throw StorageError(StorageError::Kind::InvalidInput,
                               path + u": not subcog's JSON "_s + scan.error + u"; nothing was changed in it"_s);
        return found;
    }

    void planVectors(const QStringList& vectorIds)
    {
        const QSet<QString> ids(vectorIds.begin(), vectorIds.end());
        m_vectorsStamp = m_vectorsPath.isEmpty() ? std::nullopt : stampOf(m_vectorsPath);
        QSet<QString> inFile;
        qint64 index = 0;
        JsonMemberSpan previous;
        membersAmong(m_vectorsPath, "vectors"_L1, ids, [&](const JsonMemberSpan& m) {
            if (!m_drops.isEmpty() && m_drops.back().index == index - 1)
                m_drops.back().nextStart = m.start;
            if (ids.contains(m.key)) {
                inFile.insert(m.key);
                if (m_memoryExists(m.key))
                    m_skipped << RepairChange {m.key, u"orphan-vector"_s,
                                               u"changed since the check: the memory exists now"_s};
                else
                    m_drops << Drop {m.key, index, index > 0 ? previous.end : -1, m.start, m.end, -1};
            }
            previous = m;
            ++index;
        });
        QSet<QString> inUsearch;
        for (const JsonMemberSpan& m : membersAmong(m_metaPath, "id_to_key"_L1, ids))
            inUsearch.insert(m.key);
        QSet<QString> seen;
        for (const QString& id : vectorIds) {
            if (inFile.contains(id) || seen.contains(id))
                continue;
            seen.insert(id);
            m_skipped << RepairChange {id, u"orphan-vector"_s,
                                       inUsearch.contains(id)
                                           ? u"its vector is in usearch's binary vectors.usearch: none automatic, the "
                                             "index cannot be edited without the usearch library"_s
                                           : u"changed since the check: the vector is gone"_s};
        }
    }

    void requireUnchanged() const
    {
        if (stampOf(m_vectorsPath) != m_vectorsStamp)
            throw StorageError(StorageError::Kind::OperationFailed,
                               m_vectorsPath
                                   + u": changed since the check (subcog saved it?); nothing was changed "
                                     "in it, run the repair again"_s);
    }

    /// Writes `source` without the byte ranges `skip` (sorted, disjoint), in pieces.
    static void copyRanges(QFile& source, const QList<QPair<qint64, qint64>>& skip, const ByteSink& write)
    {
        constexpr qint64 kPiece = 1 << 20;
        QByteArray buffer(kPiece, Qt::Uninitialized);
        qint64 at = 0;
        qsizetype next = 0;
        for (;;) {
            const qint64 n = source.read(buffer.data(), kPiece);
            if (n < 0)
                throw StorageError(StorageError::Kind::OperationFailed,
                                   source.fileName() + u": cannot read: "_s + source.errorString());
            if (n == 0)
                return;
            // the parts of [at, at + n) outside the ranges
            qint64 from = at;
            while (from < at + n) {
                while (next < skip.size() && skip[next].second <= from)
                    ++next;
                const qint64 keepUntil = next < skip.size() ? qMin(at + n, skip[next].first) : at + n;
                if (keepUntil > from)
                    write(QByteArrayView(buffer.constData() + (from - at), keepUntil - from));
                from = qMax(keepUntil, next < skip.size() ? qMin(at + n, skip[next].second) : at + n);
            }
            at += n;
        }
    }

    void writeVectors(SqliteRepairReport& report)
    {
        // the guard: a memory that exists by now keeps its vector
        QList<Drop> drops;
        for (const Drop& d : std::as_const(m_drops)) {
            if (m_memoryExists(d.id))
                report.skipped << changedMeanwhile(vectorChange(d.id));
            else
                drops << d;
        }
        if (drops.isEmpty())
            return;
        // what goes: a member and the comma before it, or, with no member kept before it, the member and the
        // separator after it; the members kept stay byte for byte
        QList<QPair<qint64, qint64>> skip;
        qint64 droppedBefore = 0;
        for (const Drop& d : std::as_const(drops)) {
            const bool keptBefore = d.index != droppedBefore++;
            if (keptBefore)
                skip << qMakePair(d.previousEnd, d.end);
            else
                skip << qMakePair(d.start, d.nextStart >= 0 ? d.nextStart : d.end);
        }
        QFile source(m_vectorsBackup); // the same bytes, and a file no one else writes
        if (!source.open(QIODevice::ReadOnly))
            throw StorageError(StorageError::Kind::OperationFailed,
                               m_vectorsBackup + u": cannot read: "_s + source.errorString());
        requireUnchanged();
        writeFileAtomically(m_vectorsPath, [&](const ByteSink& write) {
            copyRanges(source, skip, write);
            requireUnchanged(); // not replacing what subcog saved meanwhile: the temporary file goes instead
        });
        for (const Drop& d : std::as_const(drops))
            report.changes << vectorChange(d.id);
        report.memories += drops.size();
    }

    static QByteArray rowFingerprint(const Statement& q)
    {
        QByteArray data;
        for (int i = 0; i < q.columnCount(); ++i)
            q.value(i).appendTo(data);
        return data;
    }

    void planMentions(const QStringList& mentionIds)
    {
        const QSet<QString> ids(mentionIds.begin(), mentionIds.end());
        QSet<QString> planned;
        if (!m_graphPath.isEmpty() && QFileInfo::exists(m_graphPath)) {
            Connection graph(m_graphPath, true);
            Statement q(graph, u"SELECT * FROM graph_entity_mentions"_s, u"cannot read graph.db"_s);
            const int entityColumn = q.columnIndex("entity_id");
            const int memoryColumn = q.columnIndex("memory_id");
            if (entityColumn < 0 || memoryColumn < 0)
                throw StorageError(StorageError::Kind::InvalidInput,
                                   m_graphPath + u": graph_entity_mentions has no entity_id or memory_id"_s);
            while (q.step()) {
                const Value memory = q.value(memoryColumn);
                const QString memoryId = memory.toText();
                if (!ids.contains(memoryId) || m_memoryExists(memoryId))
                    continue;
                const Value entity = q.value(entityColumn);
                planned.insert(memoryId);
                m_mentions << Mention {entity, memory, rowFingerprint(q),
                                       RepairChange {memoryId, u"orphan-mention"_s,
                                                     u"delete the mention by entity '"_s + entity.toText()
                                                         + u"' and decrement its mention_count"_s}};
            }
        }
        QSet<QString> seen;
        for (const QString& id : mentionIds) {
            if (!planned.contains(id) && !seen.contains(id))
                m_skipped << RepairChange {id, u"orphan-mention"_s,
                                           u"changed since the check: no mention of it is orphaned any more"_s};
            seen.insert(id);
        }
    }

    void writeMentions(SqliteRepairReport& report)
    {
        Connection graph(m_graphPath, false);
        const bool counts = [&] {
            Statement q(graph,
                        u"SELECT 1 FROM pragma_table_info('graph_entities') WHERE lower(name) = 'mention_count'"_s,
                        u"cannot read graph.db"_s);
            return q.step();
        }();
        graph.exec("BEGIN IMMEDIATE", u"cannot write graph.db"_s);
        QList<RepairChange> done;
        QList<RepairChange> skipped;
        try {
            Statement read(graph, u"SELECT * FROM graph_entity_mentions WHERE entity_id = ?1 AND memory_id = ?2"_s,
                           u"cannot read graph.db"_s);
            Statement remove(graph, u"DELETE FROM graph_entity_mentions WHERE entity_id = ?1 AND memory_id = ?2"_s,
                             u"cannot write graph.db"_s);
            std::optional<Statement> decrement;
            if (counts)
                decrement.emplace(graph,
                                  u"UPDATE graph_entities SET mention_count = mention_count - 1 WHERE id = ?1 "
                                  "AND mention_count > 0"_s,
                                  u"cannot write graph.db"_s);
            for (const Mention& m : std::as_const(m_mentions)) {
                // still there, unchanged, and its memory still does not exist
                read.bind(1, m.entityId);
                read.bind(2, m.memoryId);
                const bool same = read.step() && rowFingerprint(read) == m.fingerprint;
                read.reset();
                if (!same || m_memoryExists(m.memoryId.toText())) {
                    skipped << changedMeanwhile(m.change);
                    continue;
                }
                remove.bind(1, m.entityId);
                remove.bind(2, m.memoryId);
                remove.run();
                if (decrement) {
                    decrement->bind(1, m.entityId);
                    decrement->run();
                }
                done << m.change;
            }
        } catch (...) {
            sqlite3_exec(graph.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
        if (sqlite3_exec(graph.handle(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
            const QString why = QString::fromUtf8(sqlite3_errmsg(graph.handle()));
            sqlite3_exec(graph.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw StorageError(StorageError::Kind::OperationFailed, m_graphPath + u": cannot write graph.db: "_s + why);
        }
        report.changes << done;
        report.skipped << skipped;
        report.memories += done.size();
    }
};

} // namespace

QStringList sqliteRepairableClasses()
{
    return findingClassesAmong(kRepairable);
}

QStringList manualFindingClasses()
{
    return findingClassesAmong(kManual);
}

std::optional<qint64> creationTimeFromId(const QString& id)
{
    static const QRegularExpression summary(u"^summary_([0-9]{1,12})$"_s);
    static const QRegularExpression nanos(u"^(?:[A-Za-z_-]+-)?([0-9]{19})$"_s);
    if (const auto m = summary.match(id); m.hasMatch())
        return m.captured(1).toLongLong();
    if (const auto m = nanos.match(id); m.hasMatch())
        return m.captured(1).toLongLong() / 1000000000;
    return std::nullopt;
}

QString sqliteRepairBackupPath(const QString& path, qint64 now)
{
    const QFileInfo store(path);
    return newBackupPath(store.absoluteDir().filePath(store.fileName() + u".backup-"_s), now, u".db"_s);
}

SqliteRepairReport repairSqliteStore(const QString& path, const SqliteRepairOptions& options)
{
    const QStringList repairable = sqliteRepairableClasses();
    for (const QString& cls : options.classes) {
        if (!repairable.contains(cls))
            throw StorageError(StorageError::Kind::InvalidInput, u"no automatic repair for "_s + cls);
    }
    const qint64 now = options.now.value_or(QDateTime::currentSecsSinceEpoch());
    const QSet<QString> wanted(options.classes.begin(), options.classes.end());

    RepairTargets targets;
    auto& [order, named, keptFor] = targets;
    QStringList vectorIds; // orphan-vector and orphan-mention name files beside the store, not memories
    QStringList mentionIds;
    SqliteRepairReport report;
    SqliteCheckOptions checkOptions;
    checkOptions.now = now;
    checkOptions.cancelled = options.cancelled;
    const bool checked = checkSqliteStore(
        path,
        [&](const Finding& f) {
            if (!RepairTargets::wanted(f, wanted, options.ids))
                return;
            if (f.findingClass == "orphan-vector"_L1 || f.findingClass == "orphan-mention"_L1) {
                QStringList& ids = f.findingClass == "orphan-vector"_L1 ? vectorIds : mentionIds;
                if (ids.isEmpty() || ids.back() != *f.id)
                    ids << *f.id;
                return;
            }
            targets.add(f, report.skipped);
        },
        checkOptions);
    if (!checked) {
        report.cancelled = true;
        return report;
    }
    if (named.isEmpty() && vectorIds.isEmpty() && mentionIds.isEmpty())
        return report;

    Repairer repairer(path, options, now);
    repairer.plan(order, named, keptFor);
    AroundRepair around(path, options, now, [&](const QString& id) { return repairer.memoryExists(id); });
    around.plan(vectorIds, mentionIds);
    report.skipped << repairer.planSkips() << around.planSkips();
    if (options.dryRun || (!repairer.hasWrites() && !around.hasWrites())) {
        repairer.reportPlan(report);
        around.reportPlan(report);
        return report;
    }
    // every backup before the first change: one that cannot be written stops the repair with nothing changed
    if (repairer.hasWrites())
        report.backupPath = repairer.backup();
    report.sideBackupPaths = around.backup();
    if (options.beforeWrites)
        options.beforeWrites();
    try {
        repairer.write(report);
        // after the memories: a memory an orphan-content fix rebuilt keeps its vector and mentions
        if (!report.cancelled)
            around.write(report);
    } catch (const StorageError& e) {
        // the batches before this one are committed: say where the way back is
        QStringList backups = report.sideBackupPaths;
        if (!report.backupPath.isEmpty())
            backups.prepend(report.backupPath);
        throw StorageError(e.kind(),
                           e.message() + u"; "_s + QString::number(report.memories)
                               + u" memories were repaired before it; the backup is "_s + backups.join(u" and "_s),
                           e.detail());
    }
    return report;
}

} // namespace Inspector
