// SPDX-License-Identifier: MIT
// Empty Trash and Tombstone Expired's preview for SQLite stores, on the SQLite repair's planner, backup and writer.
#include "trash.h"

#include "sqliterepairaround.h"
#include "sqliterepairinternal.h"
#include "storageerror.h"

#include <algorithm>

namespace Inspector {

using namespace SqliteRepairDetail;

TrashPreview previewSqliteTrash(const QString& path, TrashAction action, qint64 now, qint64 cutoff)
{
    SqliteRepairOptions readOnly;
    readOnly.dryRun = true;
    Repairer reader(path, readOnly, now);
    const Schema& schema = reader.schema();
    TrashPreview preview;
    preview.action = action;
    preview.now = now;
    preview.cutoff = cutoff;
    // the partial indexes on tombstoned_at / expires_at and the status index find the candidates; each is then
    // read whole (as a repair plans) for its fingerprint and judged as subcog reads it
    QString sql;
    if (action == TrashAction::EmptyTrash) {
        sql = u"SELECT id FROM memories WHERE lower(trim(status)) = 'tombstoned'"_s;
        if (schema.has("tombstoned_at"_L1))
            sql += u" UNION SELECT id FROM memories WHERE tombstoned_at IS NOT NULL"_s;
    } else if (schema.has("expires_at"_L1)) {
        sql = u"SELECT id FROM memories WHERE expires_at IS NOT NULL AND expires_at < ?1"_s;
    } else {
        return preview; // a layout before v0.6 keeps no expiry
    }
    Connection& db = reader.connection();
    QList<QPair<QString, QStringList>> sourceLists;
    db.exec("BEGIN", u"cannot read the store"_s);
    try {
        QStringList ids;
        {
            Statement q(db, sql);
            if (action == TrashAction::TombstoneExpired)
                q.bind(1, Value::number(now));
            while (q.step()) {
                if (!q.value(0).isNull())
                    ids << q.value(0).toText();
            }
        }
        if (action == TrashAction::EmptyTrash && schema.has("source_memory_ids"_L1)) {
            // summaries that keep a trashed memory among their sources (read in the same transaction)
            QList<QPair<QString, QStringList>> lists;
            Statement q(db, u"SELECT id, source_memory_ids FROM memories WHERE source_memory_ids IS NOT NULL"_s);
            while (q.step()) {
                QStringList sources;
                for (const QJsonValue& v : QJsonDocument::fromJson(q.value(1).toText().toUtf8()).array())
                    sources << v.toString();
                if (!sources.isEmpty())
                    lists.append({q.value(0).toText(), sources});
            }
            sourceLists = std::move(lists);
        }
        for (const QString& id : std::as_const(ids)) {
            const MemoryRow row = reader.read(id);
            if (!row.exists)
                continue;
            const Draft d(schema, row);
            TrashEntry entry;
            entry.id = id;
            entry.namespaceName = d.get("namespace"_L1).toText();
            entry.firstLine = trashFirstLine(d.content().value_or(QString()));
            entry.fingerprint = row.fingerprint();
            if (action == TrashAction::EmptyTrash) {
                const Draft::TrashJudgement judged = d.judgeTrash(cutoff, now);
                if (judged.leftOut)
                    preview.leftOut << TrashLeftOut {id, *judged.leftOut, judged.detail};
                if (!judged.take)
                    continue;
                entry.time = judged.time;
                entry.timeSource = judged.createdTime ? TrashTime::CreatedAt : TrashTime::TombstonedAt;
            } else {
                const auto expires = d.get("expires_at"_L1).toInteger();
                if (d.tombstoned() || !expires || *expires >= now)
                    continue;
                entry.time = *expires;
                entry.timeSource = TrashTime::ExpiresAt;
            }
            preview.entries << entry;
        }
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    db.exec("COMMIT", u"cannot read the store"_s);
    std::sort(preview.entries.begin(), preview.entries.end(), [](const TrashEntry& a, const TrashEntry& b) {
        return a.time != b.time ? a.time < b.time : a.id < b.id;
    });
    noteSummariesOfTrash(preview, sourceLists);
    return preview;
}

namespace {

/// What the repairer needs to run one repair class on exactly the previewed memories, each guarded by the
/// fingerprint the preview read (both trash actions share it).
struct TrashPlanInput
{
    TrashPlanInput(const TrashPreview& preview, const TrashOptions& options, const QString& repairClass)
    {
        repair.dryRun = options.dryRun;
        repair.now = preview.now;
        repair.batchSize = options.batchSize;
        repair.cancelled = options.cancelled;
        repair.progress = options.progress;
        for (const TrashEntry& e : preview.entries) {
            if (expected.contains(e.id))
                continue;
            expected.insert(e.id, e.fingerprint);
            order << e.id;
            named.insert(e.id, {repairClass});
        }
    }
    SqliteRepairOptions repair;
    QHash<QString, QByteArray> expected;
    QStringList order;
    QHash<QString, QSet<QString>> named;
};

} // namespace

StoreRepairReport emptySqliteTrash(const QString& path, const TrashPreview& preview, const TrashOptions& options)
{
    const TrashPlanInput in(preview, options, u"empty-trash"_s);
    const SqliteRepairOptions& repair = in.repair;
    const QHash<QString, QByteArray>& expected = in.expected;
    const QStringList& order = in.order;
    const QHash<QString, QSet<QString>>& named = in.named;
    StoreRepairReport report;
    if (order.isEmpty())
        return report;
    Repairer repairer(path, repair, preview.now);
    repairer.setTrash(preview.cutoff, expected);
    repairer.plan(order, named, {});
    // what lives beside index.db (spec §14): the vectors and graph mentions of the memories the plan deletes. The
    // around repair deletes only entries whose memory does not exist; while planning, the doomed ones count as gone,
    // and when it writes (after the memories) a memory that was skipped still exists and keeps its entries.
    const QStringList going = repairer.deletedIds();
    const QSet<QString> goingSet(going.begin(), going.end());
    bool planning = true;
    AroundRepair around(path, repair, preview.now, [&](const QString& id) {
        return !(planning && goingSet.contains(id)) && repairer.memoryExists(id);
    });
    around.plan(going, going);
    planning = false;
    report.skipped << repairer.planSkips();

    SqliteRepairReport sqlite;
    const auto finish = [&] {
        if (!sqlite.backupPath.isEmpty())
            report.backupPaths << sqlite.backupPath;
        report.backupPaths << sqlite.sideBackupPaths;
        // the around repair's entries are the deleted memories' own: named as part of emptying the trash
        for (RepairChange change : std::as_const(sqlite.changes)) {
            if (change.findingClass != "empty-trash"_L1) {
                change.what = change.findingClass == "orphan-vector"_L1
                    ? u"delete its vector from vectors.idx"_s
                    : change.what.replace(u"delete the mention"_s, u"delete its mention"_s);
                change.findingClass = u"empty-trash"_s;
            }
            report.changes << change;
        }
        for (const RepairChange& skip : std::as_const(sqlite.skipped)) {
            if (skip.findingClass == "empty-trash"_L1)
                report.skipped << skip;
        }
        report.memories = 0;
        QSet<QString> counted;
        for (const RepairChange& change : std::as_const(report.changes)) {
            if (!counted.contains(change.id))
                ++report.memories;
            counted.insert(change.id);
        }
        report.cancelled = sqlite.cancelled;
    };
    if (options.dryRun || !repairer.hasWrites()) {
        repairer.reportPlan(sqlite);
        around.reportPlan(sqlite);
        finish();
        return report;
    }
    // every backup before the first change (spec §15)
    sqlite.backupPath = repairer.backup();
    sqlite.sideBackupPaths = around.backup();
    if (options.beforeWrites)
        options.beforeWrites();
    try {
        repairer.write(sqlite);
        if (!sqlite.cancelled)
            around.write(sqlite);
    } catch (const StorageError& e) {
        QStringList backups = sqlite.sideBackupPaths;
        backups.prepend(sqlite.backupPath);
        throw StorageError(e.kind(),
                           e.message() + u"; "_s + QString::number(sqlite.memories)
                               + u" memories were deleted before it; the backup is "_s + backups.join(u" and "_s),
                           e.detail());
    }
    finish();
    return report;
}

StoreRepairReport tombstoneSqliteExpired(const QString& path, const TrashPreview& preview, const TrashOptions& options)
{
    const TrashPlanInput in(preview, options, u"expired-active"_s);
    const SqliteRepairOptions& repair = in.repair;
    const QHash<QString, QByteArray>& expected = in.expected;
    const QStringList& order = in.order;
    const QHash<QString, QSet<QString>>& named = in.named;
    StoreRepairReport report;
    if (order.isEmpty())
        return report;
    // the expired-active repair of exactly the previewed memories, each only while it is what the preview read
    Repairer repairer(path, repair, preview.now);
    repairer.setTrash(preview.cutoff, expected);
    repairer.plan(order, named, {});
    SqliteRepairReport sqlite;
    sqlite.skipped << repairer.planSkips();
    if (options.dryRun || !repairer.hasWrites()) {
        repairer.reportPlan(sqlite);
    } else {
        sqlite.backupPath = repairer.backup();
        if (options.beforeWrites)
            options.beforeWrites();
        try {
            repairer.write(sqlite);
        } catch (const StorageError& e) {
            throw StorageError(e.kind(),
                               e.message() + u"; "_s + QString::number(sqlite.memories)
                                   + u" memories were tombstoned before it; the backup is "_s + sqlite.backupPath,
                               e.detail());
        }
    }
    if (!sqlite.backupPath.isEmpty())
        report.backupPaths << sqlite.backupPath;
    report.changes = sqlite.changes;
    report.skipped = sqlite.skipped;
    report.memories = sqlite.memories;
    report.cancelled = sqlite.cancelled;
    return report;
}

} // namespace Inspector
