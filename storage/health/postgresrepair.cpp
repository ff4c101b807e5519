// SPDX-License-Identifier: MIT
#include "postgresrepair.h"

#include "jsonl.h"
#include "postgres/postgresbackend.h"
#include "postgrescheck.h"
#include "storageerror.h"
#include "trash.h"

#include <QDateTime>
#include <QDir>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <pqxx/pqxx>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

using namespace RepairRules;

constexpr int kReadBatch = 500; // ids per read statement

std::string toStd(const QString& s)
{
    const QByteArray utf8 = s.toUtf8();
    return std::string(utf8.constData(), size_t(utf8.size()));
}

QString text(const pqxx::field& f)
{
    return QString::fromUtf8(f.c_str(), qsizetype(f.size()));
}

std::string jsonIds(const QStringList& ids)
{
    return QJsonDocument(QJsonArray::fromStringList(ids)).toJson(QJsonDocument::Compact).toStdString();
}

QString quotedIdentifier(const QString& name)
{
    return u'"' + QString(name).replace(u'"', u"\"\""_s) + u'"';
}

// every column but the trigger's search_vector, which follows the others
const char* const kRowJson = "(to_jsonb(m) - 'search_vector')::text";

struct MemoryPlan
{
    QString id;
    QString before; ///< the row's JSON text at plan time: what the write compares with
    QJsonObject original;
    QJsonObject fixed;
    bool remove = false; ///< Empty Trash: delete the row
    bool writes() const { return remove || fixed != original; }
};

struct Vector
{
    QString id;
    QString row; ///< to_jsonb of the vector row
};

struct Mention
{
    QString entityId;
    QString memoryId;
    QString row;
};

/// What is checked and written together: one memory, or a duplicate group (the kept memory first).
struct Unit
{
    QList<MemoryPlan> memories;
    QList<RepairChange> changes;
};

class Repairer
{
public:
    Repairer(PostgresBackend& backend, const StoreRepairOptions& options, qint64 now)
        : m_backend(backend)
        , m_options(options)
        , m_now(now)
    {
    }

    void plan(const QStringList& order, const QHash<QString, QSet<QString>>& named,
              const QHash<QString, QString>& keptFor, const QStringList& vectorIds, const QStringList& mentionIds)
    {
        m_backend.readInSnapshot(u"planning the repair"_s, [&](pqxx::transaction_base& tx) {
            QStringList wanted = order;
            for (const QString& kept : keptFor)
                wanted << kept;
            wanted.removeDuplicates();
            const QHash<QString, QString> rows = readRows(tx, wanted);
            Context context;
            context.now = m_now;
            context.postgres = true;
            context.memoryExists = [&](const QString& id) {
                return !tx.exec_params("SELECT 1 FROM memories WHERE id = $1", toStd(id)).empty();
            };
            QSet<QString> done;
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
                Unit unit;
                Outcome outcome;
                QList<MemoryPlan> plans;
                plans << start(kept, rows);
                for (const QString& id : groups.value(kept))
                    plans << start(id, rows);
                for (MemoryPlan& p : plans) {
                    QSet<QString> classes = named.value(p.id);
                    classes.remove(u"duplicate-memory"_s);
                    if (!p.original.isEmpty())
                        fixMemory(p.fixed, classes, context, outcome);
                    done.insert(p.id);
                }
                QList<QJsonObject*> duplicates;
                for (qsizetype i = 1; i < plans.size(); ++i)
                    duplicates << &plans[i].fixed;
                mergeDuplicates(plans[0].fixed, duplicates, context, outcome);
                finish(std::move(plans), outcome);
            }
            for (const QString& id : order) {
                if (done.contains(id) || !rows.contains(id))
                    continue;
                if (!m_previewed.isEmpty() && rows.value(id) != m_previewed.value(id)) {
                    // Tombstone Expired (trash.h): another writer changed the row since the preview
                    m_skipped << RepairChange {id, u"expired-active"_s, u"changed since the preview: not tombstoned"_s};
                    done.insert(id);
                    continue;
                }
                Outcome outcome;
                QList<MemoryPlan> plans {start(id, rows)};
                fixMemory(plans[0].fixed, named.value(id), context, outcome);
                finish(std::move(plans), outcome);
            }
            for (const QString& id : order) {
                if (!done.contains(id) && !rows.contains(id) && !vectorIds.contains(id) && !mentionIds.contains(id)) {
                    for (const QString& cls : named.value(id))
                        m_skipped << RepairChange {id, cls, u"changed since the check: the memory is gone"_s};
                }
            }
            planOrphans(tx, vectorIds, mentionIds);
        });
    }

    /// Empty Trash: each memory whose row is still the preview's text is deleted, with its vector and mentions.
    void planTrash(const QStringList& ids, const QHash<QString, QString>& expected)
    {
        m_backend.readInSnapshot(u"planning the emptying of the trash"_s, [&](pqxx::transaction_base& tx) {
            const QHash<QString, QString> rows = readRows(tx, ids);
            QStringList going;
            for (const QString& id : ids) {
                if (!rows.contains(id) || rows.value(id) != expected.value(id)) {
                    m_skipped << RepairChange {id, u"empty-trash"_s,
                                               u"restored or changed since the preview: not deleted"_s};
                    continue;
                }
                Unit unit;
                MemoryPlan p = start(id, rows);
                p.remove = true;
                unit.memories << std::move(p);
                unit.changes << RepairChange {id, u"empty-trash"_s, u"delete the memory"_s};
                m_units << std::move(unit);
                going << id;
            }
            const auto exists = [&](const char* table) {
                return !tx.exec_params("SELECT 1 FROM pg_class WHERE oid = to_regclass($1)", table).empty();
            };
            planOrphans(tx, exists("memory_vectors") ? going : QStringList(),
                        exists("graph_entity_mentions") ? going : QStringList(), true);
        });
    }

    bool hasWrites() const { return !m_units.isEmpty() || !m_vectors.isEmpty() || !m_mentions.isEmpty(); }
    QList<RepairChange> planSkips() const { return m_skipped; }
    /// Tombstone Expired: plan() takes only rows still as the preview read them (their JSON text).
    void setPreviewed(QHash<QString, QString> previewed) { m_previewed = std::move(previewed); }

    void reportPlan(StoreRepairReport& report) const
    {
        for (const Unit& unit : m_units) {
            report.changes << unit.changes;
            for (const MemoryPlan& p : unit.memories)
                report.memories += p.writes() ? 1 : 0;
        }
        report.changes << m_orphanChanges;
        report.memories += m_vectors.size() + m_mentions.size();
    }

    /// The memories as the inspector's JSON Lines, and every row the repair changes or deletes verbatim.
    QStringList backup()
    {
        QStringList ids;
        for (const Unit& unit : std::as_const(m_units)) {
            for (const MemoryPlan& p : unit.memories)
                ids << p.id;
        }
        QByteArray lines;
        for (const Memory& m : m_backend.getBatch(ids))
            appendJsonLine(lines, m);
        QByteArray rows;
        auto addRow = [&](const char* table, const QString& row) {
            rows.append("{\"table\":\"").append(table).append("\",\"row\":").append(row.toUtf8()).append("}\n");
        };
        for (const Unit& unit : std::as_const(m_units)) {
            for (const MemoryPlan& p : unit.memories)
                addRow("memories", p.before);
        }
        for (const Vector& v : std::as_const(m_vectors))
            addRow("memory_vectors", v.row);
        for (const Mention& g : std::as_const(m_mentions))
            addRow("graph_entity_mentions", g.row);
        for (const QString& entity : std::as_const(m_entityRows))
            addRow("graph_entities", entity);

        const QString dir = m_options.backupDir.isEmpty() ? QDir::currentPath() : m_options.backupDir;
        QString database = m_backend.location().section(u'/', -1).section(u'?', 0, 0);
        database.replace(QRegularExpression(u"[^A-Za-z0-9_-]"_s), u"_"_s);
        const QString base
            = QDir(dir).filePath(u"subcog-"_s + (database.isEmpty() ? u"postgres"_s : database) + u".backup-"_s);
        QString path = newBackupPath(base, m_now, u".jsonl"_s);
        QString rowsPath = path.chopped(6) + u".rows.jsonl"_s;
        while (QFileInfo::exists(rowsPath)) {
            path = newBackupPath(base, m_now + 1, u".jsonl"_s);
            rowsPath = path.chopped(6) + u".rows.jsonl"_s;
        }
        writeBackupFile(rowsPath, rows);
        writeBackupFile(path, lines);
        return {path, rowsPath};
    }

    void write(StoreRepairReport& report)
    {
        qsizetype next = 0;
        const qint64 total = m_units.size() + m_orphanChanges.size();
        const auto stop = [&](qint64 done) {
            if (m_options.progress)
                m_options.progress(done, total);
            report.cancelled = m_options.cancelled && m_options.cancelled();
            return report.cancelled;
        };
        while (next < m_units.size()) {
            if (stop(next))
                return;
            StoreRepairReport batch;
            qsizetype end = next;
            int inBatch = 0;
            while (end < m_units.size() && inBatch < qMax(1, m_options.batchSize))
                inBatch += int(m_units[end++].memories.size());
            m_backend.writeInTransaction(u"writing the repair"_s, [&](pqxx::transaction_base& tx) {
                batch = {};
                for (qsizetype i = next; i < end; ++i)
                    writeUnit(tx, m_units[i], batch);
            });
            report.changes << batch.changes;
            report.skipped << batch.skipped;
            report.memories += batch.memories;
            next = end;
        }
        // orphan rows in batches of the same size, after the memories
        const qsizetype orphans = m_orphanChanges.size();
        const qsizetype step = qMax(1, m_options.batchSize);
        for (qsizetype first = 0; first < orphans; first += step) {
            if (stop(m_units.size() + first))
                return;
            StoreRepairReport batch;
            m_backend.writeInTransaction(u"writing the repair"_s, [&](pqxx::transaction_base& tx) {
                batch = {};
                for (qsizetype i = first; i < qMin(orphans, first + step); ++i)
                    writeOrphan(tx, i, batch);
            });
            report.changes << batch.changes;
            report.skipped << batch.skipped;
            report.memories += batch.memories;
        }
    }

private:
    PostgresBackend& m_backend;
    const StoreRepairOptions& m_options;
    qint64 m_now;
    QList<Unit> m_units;
    QList<RepairChange> m_skipped;
    QHash<QString, QString> m_previewed;
    QList<Vector> m_vectors;
    QList<Mention> m_mentions;
    QStringList m_entityRows;
    QList<RepairChange> m_orphanChanges; ///< one per vector, then one per mention

    static QHash<QString, QString> readRows(pqxx::transaction_base& tx, const QStringList& ids, bool lock = false)
    {
        QHash<QString, QString> rows;
        const std::string sql = std::string("SELECT m.id, ") + kRowJson
            + " FROM memories m WHERE m.id IN (SELECT jsonb_array_elements_text($1::jsonb))"
            + (lock ? " ORDER BY m.id FOR UPDATE" : "");
        for (qsizetype i = 0; i < ids.size(); i += kReadBatch) {
            for (const auto& row : tx.exec_params(sql, jsonIds(ids.mid(i, kReadBatch))))
                rows.insert(text(row[0]), text(row[1]));
        }
        return rows;
    }

    static MemoryPlan start(const QString& id, const QHash<QString, QString>& rows)
    {
        MemoryPlan p;
        p.id = id;
        p.before = rows.value(id);
        p.original = QJsonDocument::fromJson(p.before.toUtf8()).object();
        p.fixed = p.original;
        return p;
    }

    void finish(QList<MemoryPlan> plans, Outcome& outcome)
    {
        m_skipped << outcome.skipped;
        Unit unit;
        bool writes = false;
        for (MemoryPlan& p : plans) {
            touch(p.fixed, p.original, m_now);
            writes = writes || p.writes();
            // a group's unchanged memories are compared too: the fix was planned from them
            if (!p.original.isEmpty())
                unit.memories << std::move(p);
        }
        unit.changes = outcome.changes;
        if (writes)
            m_units << std::move(unit);
    }

    /// `trash`: the entries of memories the plan deletes, not (yet) orphans; each is deleted, like an orphan's, only
    /// once its memory no longer exists.
    void planOrphans(pqxx::transaction_base& tx, const QStringList& vectorIds, const QStringList& mentionIds,
                     bool trash = false)
    {
        const std::string orphanOnly = trash ? "" : " AND NOT EXISTS (SELECT 1 FROM memories m WHERE m.id = v.id)";
        const std::string orphanMention
            = trash ? "" : " AND NOT EXISTS (SELECT 1 FROM memories m WHERE m.id = g.memory_id)";
        for (qsizetype i = 0; i < vectorIds.size(); i += kReadBatch) {
            const pqxx::result r = tx.exec_params("SELECT v.id, to_jsonb(v)::text FROM memory_vectors v WHERE v.id IN "
                                                  "(SELECT jsonb_array_elements_text($1::jsonb))"
                                                      + orphanOnly + " ORDER BY v.id",
                                                  jsonIds(vectorIds.mid(i, kReadBatch)));
            for (const auto& row : r) {
                m_vectors << Vector {text(row[0]), text(row[1])};
                m_orphanChanges << (trash ? RepairChange {text(row[0]), u"empty-trash"_s,
                                                          u"delete its vector from memory_vectors"_s}
                                          : RepairChange {text(row[0]), u"orphan-vector"_s,
                                                          u"delete its vector (the memory does not exist)"_s});
            }
        }
        QSet<QString> entities;
        for (qsizetype i = 0; i < mentionIds.size(); i += kReadBatch) {
            const pqxx::result r = tx.exec_params(
                "SELECT g.entity_id, g.memory_id, to_jsonb(g)::text FROM graph_entity_mentions g WHERE g.memory_id IN "
                "(SELECT jsonb_array_elements_text($1::jsonb))"
                    + orphanMention + " ORDER BY g.entity_id, g.memory_id",
                jsonIds(mentionIds.mid(i, kReadBatch)));
            for (const auto& row : r) {
                m_mentions << Mention {text(row[0]), text(row[1]), text(row[2])};
                m_orphanChanges << RepairChange {
                    text(row[1]), trash ? u"empty-trash"_s : u"orphan-mention"_s,
                    (trash ? u"delete its mention by entity '"_s : u"delete the mention by entity '"_s) + text(row[0])
                        + u"' and decrement its mention_count"_s};
                entities.insert(text(row[0]));
            }
        }
        for (const QString& entity : std::as_const(entities)) {
            const pqxx::result r
                = tx.exec_params("SELECT to_jsonb(e)::text FROM graph_entities e WHERE e.id = $1", toStd(entity));
            if (!r.empty())
                m_entityRows << text(r[0][0]);
        }
    }

    void writeUnit(pqxx::transaction_base& tx, const Unit& unit, StoreRepairReport& report)
    {
        QStringList ids;
        for (const MemoryPlan& p : unit.memories)
            ids << p.id;
        // locked until the commit: nobody changes them between this comparison and the update
        const QHash<QString, QString> now = readRows(tx, ids, true);
        for (const MemoryPlan& p : unit.memories) {
            if (now.value(p.id) != p.before) {
                for (const RepairChange& c : unit.changes)
                    report.skipped << RepairChange {c.id, c.findingClass,
                                                    u"changed since the check, not repaired: "_s + c.what};
                return;
            }
        }
        for (const MemoryPlan& p : unit.memories) {
            if (!p.writes())
                continue;
            if (p.remove) {
                // spec §10's hard delete; the vector and mentions follow once the memory is gone (writeOrphan)
                tx.exec_params("DELETE FROM memories WHERE id = $1", toStd(p.id));
                ++report.memories;
                continue;
            }
            QJsonObject changed;
            QStringList assignments;
            for (auto it = p.fixed.constBegin(); it != p.fixed.constEnd(); ++it) {
                if (p.original.value(it.key()) == it.value())
                    continue;
                changed.insert(it.key(), it.value());
                assignments << quotedIdentifier(it.key()) + u" = r."_s + quotedIdentifier(it.key());
            }
            // jsonb_populate_record turns each JSON value into its column's type (TEXT[], JSONB, BIGINT, …)
            const QString sql = u"UPDATE memories m SET "_s + assignments.join(u", "_s)
                + u" FROM jsonb_populate_record(NULL::memories, $2::jsonb) r WHERE m.id = $1"_s;
            tx.exec_params(toStd(sql), toStd(p.id),
                           QJsonDocument(changed).toJson(QJsonDocument::Compact).toStdString());
            ++report.memories;
        }
        report.changes << unit.changes;
    }

    /// Orphan `i` of the vectors then the mentions (m_orphanChanges' order), deleted only while still orphaned
    /// and unchanged.
    void writeOrphan(pqxx::transaction_base& tx, qsizetype i, StoreRepairReport& report)
    {
        bool done = false;
        if (i < m_vectors.size()) {
            const Vector& v = m_vectors[i];
            const pqxx::result r
                = tx.exec_params("DELETE FROM memory_vectors v WHERE v.id = $1 AND to_jsonb(v)::text = $2 "
                                 "AND NOT EXISTS (SELECT 1 FROM memories m WHERE m.id = $1)",
                                 toStd(v.id), toStd(v.row));
            done = r.affected_rows() == 1;
        } else {
            const Mention& g = m_mentions[i - m_vectors.size()];
            const pqxx::result r
                = tx.exec_params("DELETE FROM graph_entity_mentions g WHERE g.entity_id = $1 AND g.memory_id = $2 "
                                 "AND to_jsonb(g)::text = $3 AND NOT EXISTS (SELECT 1 FROM memories m WHERE m.id = $2)",
                                 toStd(g.entityId), toStd(g.memoryId), toStd(g.row));
            done = r.affected_rows() == 1;
            if (done)
                tx.exec_params("UPDATE graph_entities SET mention_count = GREATEST(mention_count - 1, 0) "
                               "WHERE id = $1",
                               toStd(g.entityId));
        }
        const RepairChange& c = m_orphanChanges[i];
        if (done) {
            report.changes << c;
            ++report.memories;
        } else {
            report.skipped << RepairChange {c.id, c.findingClass,
                                            u"changed since the check, not repaired: "_s + c.what};
        }
    }
};

} // namespace

StoreRepairReport repairPostgresStore(const QString& url, const StoreRepairOptions& options)
{
    const QStringList repairable = postgresRepairableClasses();
    for (const QString& cls : options.classes) {
        if (!repairable.contains(cls))
            throw StorageError(StorageError::Kind::InvalidInput,
                               u"no automatic repair for "_s + cls + u" in a PostgreSQL store"_s);
    }
    const qint64 now = options.now.value_or(QDateTime::currentSecsSinceEpoch());
    const QSet<QString> wanted(options.classes.begin(), options.classes.end());

    RepairTargets targets;
    auto& [order, named, keptFor] = targets;
    QStringList vectorIds;
    QStringList mentionIds;
    StoreRepairReport report;
    PostgresCheckOptions checkOptions;
    checkOptions.now = now;
    checkOptions.cancelled = options.cancelled;
    const bool checked = checkPostgresStore(
        url,
        [&](const Finding& f) {
            if (!RepairTargets::wanted(f, wanted, options.ids))
                return;
            if (f.findingClass == "orphan-vector"_L1) {
                vectorIds << *f.id;
                return;
            }
            if (f.findingClass == "orphan-mention"_L1) {
                if (!mentionIds.contains(*f.id))
                    mentionIds << *f.id;
                return;
            }
            targets.add(f, report.skipped);
        },
        checkOptions);
    report.cancelled = !checked;
    if ((named.isEmpty() && vectorIds.isEmpty() && mentionIds.isEmpty()) || report.cancelled)
        return report;

    PostgresBackend::Options open;
    open.readOnly = options.dryRun;
    const auto backend = PostgresBackend::open(url, open);
    Repairer repairer(*backend, options, now);
    repairer.plan(order, named, keptFor, vectorIds, mentionIds);
    report.skipped << repairer.planSkips();
    if (options.dryRun || !repairer.hasWrites()) {
        repairer.reportPlan(report);
        return report;
    }
    if (backend->isReadOnly())
        throw StorageError(StorageError::Kind::OperationFailed,
                           backend->location() + u": this older PostgreSQL layout is read-only; subcog migrates it"_s);
    report.backupPaths = repairer.backup();
    if (options.beforeWrites)
        options.beforeWrites();
    try {
        repairer.write(report);
    } catch (const StorageError& e) {
        throw StorageError(e.kind(),
                           e.message() + u"; "_s + QString::number(report.memories)
                               + u" memories were repaired before it; the backup is "_s
                               + report.backupPaths.join(u" and "_s),
                           e.detail());
    }
    return report;
}

StoreRepairReport emptyPostgresTrash(const QString& url, const TrashPreview& preview, const TrashOptions& options)
{
    StoreRepairOptions repair;
    repair.dryRun = options.dryRun;
    repair.now = preview.now;
    repair.batchSize = options.batchSize;
    repair.backupDir = options.backupDir;
    repair.cancelled = options.cancelled;
    repair.progress = options.progress;
    QStringList ids;
    QHash<QString, QString> expected;
    for (const TrashEntry& e : preview.entries) {
        if (!expected.contains(e.id))
            ids << e.id;
        expected.insert(e.id, QString::fromUtf8(e.fingerprint));
    }
    StoreRepairReport report;
    if (ids.isEmpty())
        return report;
    PostgresBackend::Options open;
    open.readOnly = options.dryRun;
    const auto backend = PostgresBackend::open(url, open);
    Repairer repairer(*backend, repair, preview.now);
    repairer.planTrash(ids, expected);
    report.skipped << repairer.planSkips();
    const auto countMemories = [&] {
        QSet<QString> counted;
        for (const RepairChange& change : std::as_const(report.changes))
            counted.insert(change.id);
        report.memories = counted.size();
    };
    if (options.dryRun || !repairer.hasWrites()) {
        repairer.reportPlan(report);
        countMemories();
        return report;
    }
    if (backend->isReadOnly())
        throw StorageError(StorageError::Kind::OperationFailed,
                           backend->location() + u": this older PostgreSQL layout is read-only; subcog migrates it"_s);
    report.backupPaths = repairer.backup();
    if (options.beforeWrites)
        options.beforeWrites();
    try {
        repairer.write(report);
    } catch (const StorageError& e) {
        throw StorageError(e.kind(),
                           e.message() + u"; the memories listed before it were deleted; the backup is "_s
                               + report.backupPaths.join(u" and "_s),
                           e.detail());
    }
    countMemories();
    return report;
}

StoreRepairReport tombstonePostgresExpired(const QString& url, const TrashPreview& preview, const TrashOptions& options)
{
    StoreRepairOptions repair;
    repair.dryRun = options.dryRun;
    repair.now = preview.now;
    repair.batchSize = options.batchSize;
    repair.backupDir = options.backupDir;
    repair.cancelled = options.cancelled;
    repair.progress = options.progress;
    QStringList ids;
    QHash<QString, QString> expected;
    QHash<QString, QSet<QString>> named;
    for (const TrashEntry& e : preview.entries) {
        if (!expected.contains(e.id))
            ids << e.id;
        expected.insert(e.id, QString::fromUtf8(e.fingerprint));
        named.insert(e.id, {u"expired-active"_s});
    }
    StoreRepairReport report;
    if (ids.isEmpty())
        return report;
    PostgresBackend::Options open;
    open.readOnly = options.dryRun;
    const auto backend = PostgresBackend::open(url, open);
    // the expired-active repair of exactly the previewed rows, each only while it is what the preview read
    Repairer repairer(*backend, repair, preview.now);
    repairer.setPreviewed(expected);
    repairer.plan(ids, named, {}, {}, {});
    report.skipped << repairer.planSkips();
    if (options.dryRun || !repairer.hasWrites()) {
        repairer.reportPlan(report);
        return report;
    }
    if (backend->isReadOnly())
        throw StorageError(StorageError::Kind::OperationFailed,
                           backend->location() + u": this older PostgreSQL layout is read-only; subcog migrates it"_s);
    report.backupPaths = repairer.backup();
    if (options.beforeWrites)
        options.beforeWrites();
    try {
        repairer.write(report);
    } catch (const StorageError& e) {
        throw StorageError(e.kind(),
                           e.message() + u"; the memories listed before it were tombstoned; the backup is "_s
                               + report.backupPaths.join(u" and "_s),
                           e.detail());
    }
    return report;
}

} // namespace Inspector
