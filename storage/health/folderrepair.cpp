// SPDX-License-Identifier: MIT
#include "folderrepair.h"

#include "filesystem/encryption.h"
#include "filesystem/filesystembackend.h"
#include "filesystem/memoryfile.h"
#include "foldercheck.h"
#include "jsonl.h"
#include "storageerror.h"
#include "trash.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>

#include <algorithm>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

using namespace RepairRules;

constexpr QLatin1StringView kRepairable[] = {
    "noncanonical-namespace"_L1, "noncanonical-status"_L1, "messy-tags"_L1,  "half-tombstoned"_L1, "expired-active"_L1,
    "stale-hash-tag"_L1,         "duplicate-memory"_L1,    "bad-summary"_L1, "damaged-file"_L1,    "leftover-temp"_L1,
};
constexpr qint64 kTempAge = 60; // spec §15: temporary files younger than this may be a write in progress

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

QByteArray readBytes(const QString& path, bool* ok)
{
    QFile file(path);
    *ok = file.open(QIODevice::ReadOnly);
    return *ok ? file.readAll() : QByteArray();
}

QJsonValue optionalInt(const std::optional<qint64>& v)
{
    return v ? QJsonValue(*v) : QJsonValue();
}

/// The fields the rules read and write, keyed like the file.
QJsonObject toJson(const Memory& m)
{
    return QJsonObject {
        {u"id"_s, m.id},
        {u"content"_s, m.content},
        {u"namespace"_s, m.namespaceName},
        {u"status"_s, m.status},
        {u"tags"_s, QJsonArray::fromStringList(m.tags)},
        {u"created_at"_s, m.createdAt},
        {u"updated_at"_s, m.updatedAt},
        {u"tombstoned_at"_s, optionalInt(m.tombstonedAt)},
        {u"expires_at"_s, optionalInt(m.expiresAt)},
        {u"is_summary"_s, m.isSummary},
        {u"source_memory_ids"_s,
         m.sourceMemoryIds ? QJsonValue(QJsonArray::fromStringList(*m.sourceMemoryIds)) : QJsonValue()},
    };
}

void applyJson(Memory& m, const QJsonObject& o)
{
    m.namespaceName = o.value("namespace"_L1).toString();
    m.status = o.value("status"_L1).toString();
    m.tags.clear();
    for (const QJsonValue& v : o.value("tags"_L1).toArray())
        m.tags << v.toString();
    m.updatedAt = o.value("updated_at"_L1).toInteger();
    const QJsonValue t = o.value("tombstoned_at"_L1);
    m.tombstonedAt = t.isNull() ? std::nullopt : std::optional<qint64>(t.toInteger());
    m.isSummary = o.value("is_summary"_L1).toBool();
    if (o.value("source_memory_ids"_L1).isArray()) {
        QStringList ids;
        for (const QJsonValue& v : o.value("source_memory_ids"_L1).toArray())
            ids << v.toString();
        m.sourceMemoryIds = ids;
    }
}

struct FilePlan
{
    QString id;
    QByteArray before; ///< the file's bytes at plan time: what the write compares with
    MemoryFile file;
    bool encrypted = false;
    QJsonObject original;
    QJsonObject fixed;
    bool remove = false; ///< Empty Trash: delete the file
    bool writes() const { return remove || fixed != original; }
};

struct Unit
{
    QList<FilePlan> files;
    QList<RepairChange> changes;
};

/// A damaged or temporary file moved into the backup folder.
struct Move
{
    QString name;
    struct stat st;
    RepairChange change;
};

class Repairer
{
public:
    Repairer(const QString& folder, const StoreRepairOptions& options, qint64 now)
        : m_folder(folder)
        , m_options(options)
        , m_now(now)
        , m_key(options.key ? options.key : Encryption::keyFromEnvironment())
    {
    }

    void plan(const QStringList& order, const QHash<QString, QSet<QString>>& named,
              const QHash<QString, QString>& keptFor)
    {
        Context context;
        context.now = m_now;
        context.memoryExists = [&](const QString& id) {
            struct stat st
            {
            };
            return FilesystemBackend::isSafeId(id) && ::lstat(QFile::encodeName(pathOf(id)).constData(), &st) == 0;
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
            Outcome outcome;
            QList<FilePlan> plans;
            for (const QString& id : QStringList {kept} + groups.value(kept)) {
                plans << read(id, outcome, u"duplicate-memory"_s);
                QSet<QString> classes = named.value(id);
                classes.remove(u"duplicate-memory"_s);
                if (!plans.last().original.isEmpty())
                    fixMemory(plans.last().fixed, classes, context, outcome);
                done.insert(id);
            }
            QList<QJsonObject*> duplicates;
            for (qsizetype i = 1; i < plans.size(); ++i)
                duplicates << &plans[i].fixed;
            mergeDuplicates(plans[0].fixed, duplicates, context, outcome);
            finish(std::move(plans), outcome);
        }
        for (const QString& id : order) {
            if (done.contains(id))
                continue;
            const QSet<QString> classes = named.value(id);
            if (classes.contains(u"damaged-file"_s) || classes.contains(u"leftover-temp"_s)) {
                planMove(id, classes.contains(u"leftover-temp"_s) ? u"leftover-temp"_s : u"damaged-file"_s);
                continue;
            }
            Outcome outcome;
            QList<FilePlan> plans {read(id, outcome, *classes.begin())};
            if (!m_previewed.isEmpty()
                && QCryptographicHash::hash(plans[0].before, QCryptographicHash::Sha256) != m_previewed.value(id)) {
                // Tombstone Expired (trash.h): another writer changed the file since the preview
                m_skipped << RepairChange {id, *classes.begin(), u"changed since the preview: not tombstoned"_s};
                continue;
            }
            if (!plans[0].original.isEmpty())
                fixMemory(plans[0].fixed, classes, context, outcome);
            finish(std::move(plans), outcome);
        }
    }

    /// Empty Trash: each file still holding the bytes the preview read (`expected`: their SHA-256) is deleted.
    void planTrash(const QStringList& ids, const QHash<QString, QByteArray>& expected)
    {
        for (const QString& id : ids) {
            Outcome outcome;
            FilePlan p = read(id, outcome, u"empty-trash"_s);
            if (p.original.isEmpty()
                || QCryptographicHash::hash(p.before, QCryptographicHash::Sha256) != expected.value(id)) {
                m_skipped << RepairChange {id, u"empty-trash"_s,
                                           u"restored or changed since the preview: not deleted"_s};
                continue;
            }
            p.remove = true;
            Unit unit;
            unit.files << std::move(p);
            unit.changes << RepairChange {id, u"empty-trash"_s, u"delete the file (its embedding with it)"_s};
            m_units << std::move(unit);
        }
    }

    bool hasWrites() const { return !m_units.isEmpty() || !m_moves.isEmpty(); }
    QList<RepairChange> planSkips() const { return m_skipped; }
    /// Tombstone Expired: plan() takes only files still holding the bytes the preview read (their SHA-256).
    void setPreviewed(QHash<QString, QByteArray> previewed) { m_previewed = std::move(previewed); }

    void reportPlan(StoreRepairReport& report) const
    {
        for (const Unit& unit : m_units) {
            report.changes << unit.changes;
            for (const FilePlan& p : unit.files)
                report.memories += p.writes() ? 1 : 0;
        }
        for (const Move& m : m_moves)
            report.changes << m.change;
        report.memories += m_moves.size();
    }

    /// `<folder>.backup-DATE/`: a copy of every file to be rewritten, and the clear-text ones as JSON Lines.
    QString backup()
    {
        m_backupDir = newBackupPath(m_folder + u".backup-"_s, m_now, QString());
        if (::mkdir(QFile::encodeName(m_backupDir).constData(), 0700) != 0)
            throw StorageError(StorageError::Kind::OperationFailed,
                               u"cannot write the backup "_s + m_backupDir + u": "_s + errnoText());
        QByteArray lines;
        for (const Unit& unit : std::as_const(m_units)) {
            for (const FilePlan& p : unit.files) {
                writeBackupFile(m_backupDir + u'/' + p.id + u".json"_s, p.before);
                // an encrypted file stays encrypted: its copy is the backup, not clear text beside it
                if (!p.encrypted)
                    appendJsonLine(lines, p.file.memory);
            }
        }
        writeBackupFile(m_backupDir + u"/memories.jsonl"_s, lines);
        return m_backupDir;
    }

    void write(StoreRepairReport& report)
    {
        const qint64 total = m_units.size() + m_moves.size();
        qint64 done = 0;
        const auto stop = [&] {
            if (m_options.progress)
                m_options.progress(done, total);
            report.cancelled = m_options.cancelled && m_options.cancelled();
            return report.cancelled;
        };
        for (const Unit& unit : std::as_const(m_units)) {
            if (stop())
                return;
            writeUnit(unit, report);
            ++done;
        }
        for (const Move& m : std::as_const(m_moves)) {
            if (stop())
                return;
            ++done;
            const QString from = m_folder + u'/' + m.name;
            struct stat st
            {
            };
            if (::lstat(QFile::encodeName(from).constData(), &st) != 0 || st.st_ino != m.st.st_ino
                || st.st_size != m.st.st_size || st.st_mtim.tv_sec != m.st.st_mtim.tv_sec
                || st.st_mtim.tv_nsec != m.st.st_mtim.tv_nsec) {
                report.skipped << RepairChange {m.change.id, m.change.findingClass,
                                                u"changed since the check, not repaired: "_s + m.change.what};
                continue;
            }
            const QString to = m_backupDir + u'/' + m.name;
            // the backup folder is beside the store, so on the same file system: a rename moves the bytes whole
            if (::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) != 0)
                throw StorageError(StorageError::Kind::OperationFailed,
                                   from + u": cannot move it into the backup folder: "_s + errnoText());
            report.changes << m.change;
            ++report.memories;
        }
    }

private:
    QString m_folder;
    const StoreRepairOptions& m_options;
    qint64 m_now;
    std::optional<QByteArray> m_key;
    QString m_backupDir;
    QList<Unit> m_units;
    QList<Move> m_moves;
    QList<RepairChange> m_skipped;
    QHash<QString, QByteArray> m_previewed;

    QString pathOf(const QString& id) const { return m_folder + u'/' + id + u".json"_s; }

    /// The file as it is now; an empty plan (and a skip) when it cannot be read and decoded.
    FilePlan read(const QString& id, Outcome& outcome, const QString& cls)
    {
        FilePlan p;
        p.id = id;
        auto skip = [&](const QString& why) {
            outcome.skipped << RepairChange {id, cls, why};
            return p;
        };
        struct stat st
        {
        };
        if (!FilesystemBackend::isSafeId(id) || ::lstat(QFile::encodeName(pathOf(id)).constData(), &st) != 0)
            return skip(u"changed since the check: the file is gone"_s);
        if (!S_ISREG(st.st_mode))
            return skip(u"not a regular file (a link is never written through): none automatic"_s);
        bool ok = false;
        p.before = readBytes(pathOf(id), &ok);
        if (!ok)
            return skip(u"cannot read the file"_s);
        QByteArray json = p.before;
        if (Encryption::isEncrypted(json)) {
            p.encrypted = true;
            const auto plain = m_key ? Encryption::decrypt(json, *m_key) : std::nullopt;
            if (!plain)
                return skip(u"encrypted, and no key given opens it"_s);
            json = *plain;
        }
        QString why;
        auto parsed = parseMemoryFile(json, &why);
        if (!parsed || parsed->memory.id != id)
            return skip(u"changed since the check: the file no longer decodes"_s);
        p.file = *parsed;
        p.original = toJson(p.file.memory);
        p.fixed = p.original;
        return p;
    }

    void finish(QList<FilePlan> plans, Outcome& outcome)
    {
        m_skipped << outcome.skipped;
        Unit unit;
        bool writes = false;
        for (FilePlan& p : plans) {
            touch(p.fixed, p.original, m_now);
            writes = writes || p.writes();
            if (!p.original.isEmpty())
                unit.files << std::move(p);
        }
        unit.changes = outcome.changes;
        if (writes)
            m_units << std::move(unit);
    }

    void planMove(const QString& name, const QString& cls)
    {
        Move m;
        m.name = name;
        if (name.contains(u'/') || name == "."_L1 || name == ".."_L1
            || ::lstat(QFile::encodeName(m_folder + u'/' + name).constData(), &m.st) != 0) {
            m_skipped << RepairChange {name, cls, u"changed since the check: the file is gone"_s};
            return;
        }
        if (cls == "leftover-temp"_L1 && m_now - m.st.st_mtim.tv_sec < kTempAge) {
            m_skipped << RepairChange {name, cls, u"younger than a minute: it may be a write in progress"_s};
            return;
        }
        m.change = RepairChange {name, cls, u"moved into the backup folder"_s};
        m_moves << m;
    }

    void writeUnit(const Unit& unit, StoreRepairReport& report)
    {
        auto skipAll = [&] {
            for (const RepairChange& c : unit.changes)
                report.skipped << RepairChange {c.id, c.findingClass,
                                                u"changed since the check, not repaired: "_s + c.what};
        };
        // every file of the unit must still be what its plan was made from, read again just before the writes
        for (const FilePlan& p : unit.files) {
            bool ok = false;
            if (readBytes(pathOf(p.id), &ok) != p.before || !ok)
                return skipAll();
        }
        for (const FilePlan& p : unit.files) {
            if (!p.writes())
                continue;
            if (p.remove) {
                // spec §6.3's delete; the backup folder holds the file as it was
                if (::unlink(QFile::encodeName(pathOf(p.id)).constData()) != 0)
                    throw StorageError(StorageError::Kind::OperationFailed,
                                       pathOf(p.id) + u": cannot delete it: "_s + errnoText());
                ++report.memories;
                continue;
            }
            Memory m = p.file.memory;
            applyJson(m, p.fixed);
            QByteArray bytes = serializeMemoryFile(m, p.file.unknownKeys);
            if (p.encrypted)
                bytes = Encryption::encrypt(bytes, *m_key);
            bool ok = false;
            if (readBytes(pathOf(p.id), &ok) != p.before || !ok) {
                report.skipped << RepairChange {p.id, unit.changes.value(0).findingClass,
                                                u"changed since the check, not repaired"_s};
                continue;
            }
            FilesystemBackend::writeFileAtomically(m_folder, p.id, bytes);
            ++report.memories;
        }
        report.changes << unit.changes;
    }
};

} // namespace

QStringList folderRepairableClasses()
{
    return findingClassesAmong(kRepairable);
}

StoreRepairReport repairFolderStore(const QString& folderArgument, const StoreRepairOptions& options)
{
    const QStringList repairable = folderRepairableClasses();
    for (const QString& cls : options.classes) {
        if (!repairable.contains(cls))
            throw StorageError(StorageError::Kind::InvalidInput,
                               u"no automatic repair for "_s + cls + u" in a folder store"_s);
    }
    const qint64 now = options.now.value_or(QDateTime::currentSecsSinceEpoch());
    const QSet<QString> wanted(options.classes.begin(), options.classes.end());
    // the backup goes beside the folder: its name comes from the folder's own, without a trailing slash
    const QString folder = QFileInfo(QDir::cleanPath(QFileInfo(folderArgument).absoluteFilePath())).absoluteFilePath();

    RepairTargets targets;
    auto& [order, named, keptFor] = targets;
    StoreRepairReport report;
    FolderCheckOptions checkOptions;
    checkOptions.now = now;
    checkOptions.key = options.key;
    checkOptions.cancelled = options.cancelled;
    const bool checked = checkFolderStore(
        folder,
        [&](const Finding& f) {
            if (!RepairTargets::wanted(f, wanted, options.ids))
                return;
            targets.add(f, report.skipped);
        },
        checkOptions);
    report.cancelled = !checked;
    if (named.isEmpty() || report.cancelled)
        return report;

    Repairer repairer(folder, options, now);
    repairer.plan(order, named, keptFor);
    report.skipped << repairer.planSkips();
    if (options.dryRun || !repairer.hasWrites()) {
        repairer.reportPlan(report);
        return report;
    }
    report.backupPaths << repairer.backup();
    if (options.beforeWrites)
        options.beforeWrites();
    try {
        repairer.write(report);
    } catch (const StorageError& e) {
        throw StorageError(e.kind(),
                           e.message() + u"; "_s + QString::number(report.memories)
                               + u" files were repaired before it; the backup is "_s + report.backupPaths.join(u", "_s),
                           e.detail());
    }
    return report;
}

namespace {
QString absoluteFolder(const QString& folderArgument)
{
    return QFileInfo(QDir::cleanPath(QFileInfo(folderArgument).absoluteFilePath())).absoluteFilePath();
}
} // namespace

TrashPreview previewFolderTrash(const QString& folderArgument, TrashAction action, qint64 now, qint64 cutoff,
                                const std::optional<QByteArray>& keyArgument)
{
    const QString folder = absoluteFolder(folderArgument);
    const std::optional<QByteArray> key = keyArgument ? keyArgument : Encryption::keyFromEnvironment();
    TrashPreview preview;
    preview.action = action;
    preview.now = now;
    preview.cutoff = cutoff;
    if (!QFileInfo(folder).isDir())
        throw StorageError(StorageError::Kind::NotFound, folder + u": no such folder"_s);
    // subcog lists every `<id>.json` (spec §6.1); a file that is no memory is check's damaged-file, not trash
    const QStringList names = QDir(folder).entryList({u"*.json"_s}, QDir::Files | QDir::Hidden, QDir::Name);
    QList<QPair<QString, QStringList>> sourceLists;
    for (const QString& name : names) {
        const QString id = name.chopped(5);
        struct stat st
        {
        };
        if (!FilesystemBackend::isSafeId(id) || ::lstat(QFile::encodeName(folder + u'/' + name).constData(), &st) != 0
            || !S_ISREG(st.st_mode))
            continue;
        bool ok = false;
        const QByteArray bytes = readBytes(folder + u'/' + name, &ok);
        if (!ok)
            continue;
        QByteArray json = bytes;
        if (Encryption::isEncrypted(json)) {
            const auto plain = key ? Encryption::decrypt(json, *key) : std::nullopt;
            if (!plain)
                continue;
            json = *plain;
        }
        QString why;
        const auto parsed = parseMemoryFile(json, &why);
        if (!parsed || parsed->memory.id != id)
            continue;
        const Memory& m = parsed->memory;
        if (m.sourceMemoryIds && !m.sourceMemoryIds->isEmpty())
            sourceLists.append({id, *m.sourceMemoryIds});
        TrashEntry entry;
        entry.id = id;
        entry.namespaceName = m.namespaceName;
        entry.firstLine = trashFirstLine(m.content);
        entry.fingerprint = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
        if (action == TrashAction::EmptyTrash) {
            // subcog's folder reader and `gc --purge` take only the exact status 'tombstoned' (spec §3.5, §6.3)
            const bool statusTombstoned = m.status == "tombstoned"_L1;
            if (m.tombstonedAt && !statusTombstoned) {
                // a garbage collector's tombstone: live to subcog (check's half-tombstoned), not trash
                if (*m.tombstonedAt <= cutoff)
                    preview.leftOut << TrashLeftOut {id, TrashLeftOutReason::HalfTombstoned,
                                                     u"tombstoned_at "_s + QString::number(*m.tombstonedAt)
                                                         + u", status '"_s + m.status + u'\''};
                continue;
            }
            if (!statusTombstoned)
                continue;
            // where only the status says tombstoned, updated_at stands in: subcog's soft delete sets it with the
            // status (spec §6.3); 0 is no time, and only 0 days takes such a memory
            const std::optional<qint64> at = m.tombstonedAt ? m.tombstonedAt
                : m.updatedAt > 0                           ? std::optional<qint64>(m.updatedAt)
                                                            : std::nullopt;
            if (!at && cutoff < now) {
                preview.leftOut << TrashLeftOut {id, TrashLeftOutReason::NoTombstoneTime,
                                                 u"status 'tombstoned', tombstoned_at unset, updated_at 0"_s};
                continue;
            }
            if (at && *at > cutoff)
                continue;
            entry.time = at ? *at : m.createdAt;
            entry.timeSource = m.tombstonedAt ? TrashTime::TombstonedAt
                : at                          ? TrashTime::UpdatedAt
                                              : TrashTime::CreatedAt;
        } else {
            if (m.isTombstoned() || !m.expiresAt || *m.expiresAt >= now)
                continue;
            entry.time = *m.expiresAt;
            entry.timeSource = TrashTime::ExpiresAt;
        }
        preview.entries << entry;
    }
    std::sort(preview.entries.begin(), preview.entries.end(), [](const TrashEntry& a, const TrashEntry& b) {
        return a.time != b.time ? a.time < b.time : a.id < b.id;
    });
    noteSummariesOfTrash(preview, sourceLists);
    return preview;
}

StoreRepairReport emptyFolderTrash(const QString& folderArgument, const TrashPreview& preview,
                                   const TrashOptions& options)
{
    const QString folder = absoluteFolder(folderArgument);
    StoreRepairOptions repair;
    repair.dryRun = options.dryRun;
    repair.now = preview.now;
    repair.key = options.key;
    repair.cancelled = options.cancelled;
    repair.progress = options.progress;
    QStringList ids;
    QHash<QString, QByteArray> expected;
    for (const TrashEntry& e : preview.entries) {
        if (!expected.contains(e.id))
            ids << e.id;
        expected.insert(e.id, e.fingerprint);
    }
    StoreRepairReport report;
    if (ids.isEmpty())
        return report;
    Repairer repairer(folder, repair, preview.now);
    repairer.planTrash(ids, expected);
    report.skipped << repairer.planSkips();
    if (options.dryRun || !repairer.hasWrites()) {
        repairer.reportPlan(report);
        return report;
    }
    report.backupPaths << repairer.backup();
    if (options.beforeWrites)
        options.beforeWrites();
    try {
        repairer.write(report);
    } catch (const StorageError& e) {
        throw StorageError(e.kind(),
                           e.message() + u"; "_s + QString::number(report.memories)
                               + u" files were deleted before it; the backup is "_s + report.backupPaths.join(u", "_s),
                           e.detail());
    }
    return report;
}

StoreRepairReport tombstoneFolderExpired(const QString& folderArgument, const TrashPreview& preview,
                                         const TrashOptions& options)
{
    StoreRepairOptions repair;
    repair.dryRun = options.dryRun;
    repair.now = preview.now;
    repair.key = options.key;
    repair.cancelled = options.cancelled;
    repair.progress = options.progress;
    QStringList ids;
    QHash<QString, QByteArray> expected;
    QHash<QString, QSet<QString>> named;
    for (const TrashEntry& e : preview.entries) {
        if (!expected.contains(e.id))
            ids << e.id;
        expected.insert(e.id, e.fingerprint);
        named.insert(e.id, {u"expired-active"_s});
    }
    StoreRepairReport report;
    if (ids.isEmpty())
        return report;
    // the expired-active repair of exactly the previewed files, each only while it is what the preview read
    Repairer repairer(absoluteFolder(folderArgument), repair, preview.now);
    repairer.setPreviewed(expected);
    repairer.plan(ids, named, {});
    report.skipped << repairer.planSkips();
    if (options.dryRun || !repairer.hasWrites()) {
        repairer.reportPlan(report);
        return report;
    }
    report.backupPaths << repairer.backup();
    if (options.beforeWrites)
        options.beforeWrites();
    try {
        repairer.write(report);
    } catch (const StorageError& e) {
        throw StorageError(e.kind(),
                           e.message() + u"; "_s + QString::number(report.memories)
                               + u" files were tombstoned before it; the backup is "_s
                               + report.backupPaths.join(u", "_s),
                           e.detail());
    }
    return report;
}

} // namespace Inspector
