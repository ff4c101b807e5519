// SPDX-License-Identifier: MIT
// The SQLite repair of what subcog keeps beside index.db (spec §14, §15): orphan vectors in vectors.idx, orphan
// mentions in graph.db.
#pragma once

#include "sqliterepairinternal.h"

#include "sqlite/sqlitebackend.h"
#include "vectorsfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sys/stat.h>

namespace Inspector::SqliteRepairDetail {

/// Which version of a file is there: the same identity, size and modification time mean the same bytes.
struct FileStamp
{
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    qint64 modifiedNs = 0;
    bool operator==(const FileStamp&) const = default;
};

inline std::optional<FileStamp> stampOf(const QString& path)
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

} // namespace Inspector::SqliteRepairDetail
