// SPDX-License-Identifier: MIT
#include "copier.h"

using namespace Qt::StringLiterals;

namespace Inspector {

std::optional<OnConflict> onConflictFromName(const QString& name)
{
    if (name == "skip"_L1)
        return OnConflict::Skip;
    if (name == "overwrite"_L1)
        return OnConflict::Overwrite;
    if (name == "fail"_L1 || name == "stop"_L1)
        return OnConflict::Fail;
    return std::nullopt;
}

Copier::Copier(PersistenceBackend& source, PersistenceBackend& target, int batchSize)
    : m_source(source)
    , m_target(target)
    , m_batchSize(batchSize)
{
}

CopyReport Copier::run(const ExportSource& what, OnConflict onConflict, bool dryRun, const Progress& progress)
{
    CopyReport report;
    report.dryRun = dryRun;
    if (!dryRun && m_target.isReadOnly())
        throw StorageError(StorageError::Kind::InvalidInput, m_target.location() + u": the target is read-only"_s);
    // every batch from one read transaction of the source: a copied memory never mixes two of its commits
    const ReadSnapshot snapshot(m_source);
    BatchReader reader(m_source, what, m_batchSize);
    report.expected = reader.expected();
    QList<Memory> batch;
    QList<RecordIssue> issues;
    while (reader.next(&batch, &issues)) {
        for (const RecordIssue& issue : std::as_const(issues)) {
            if (issue.unreadable)
                report.failed.append(issue);
        }
        issues.clear();
        QList<Memory> readable;
        for (const Memory& m : std::as_const(batch)) {
            if (m.flags & MemoryFlag::Locked)
                report.failed.append(RecordIssue {m.id, u"encrypted, and no key was given to read it"_s, true});
            else
                readable << m;
        }
        report.read += batch.size();
        QStringList ids;
        for (const Memory& m : std::as_const(readable))
            ids << m.id;
        QHash<QString, Memory> existing;
        for (const Memory& m : m_target.getBatch(ids))
            existing.insert(m.id, m);

        QList<Memory> toWrite;
        qint64 created = 0;
        qint64 overwritten = 0;
        for (const Memory& m : std::as_const(readable)) {
            const auto it = existing.constFind(m.id);
            if (it == existing.constEnd()) {
                toWrite << m;
                ++created;
            } else if (it->sameFields(m)) {
                ++report.unchanged;
            } else if (onConflict == OnConflict::Skip) {
                ++report.skipped;
            } else if (onConflict == OnConflict::Fail) {
                report.stoppedAt = m.id;
                return report; // nothing of this batch is written
            } else {
                toWrite << m;
                ++overwritten;
            }
        }
        if (!dryRun && !toWrite.isEmpty()) {
            try {
                m_target.storeBatch(toWrite);
            } catch (const StorageError& batchError) {
                if (batchError.kind() != StorageError::Kind::InvalidInput)
                    throw;
                // find the memories the target cannot hold; the others are written one by one
                for (const Memory& m : std::as_const(toWrite)) {
                    try {
                        m_target.store(m);
                    } catch (const StorageError& e) {
                        if (e.kind() != StorageError::Kind::InvalidInput)
                            throw;
                        report.failed.append(RecordIssue {m.id, e.message(), false});
                        if (existing.contains(m.id))
                            --overwritten;
                        else
                            --created;
                    }
                }
            }
        }
        report.created += created;
        report.overwritten += overwritten;
        if (progress && !progress(report)) {
            report.cancelled = true;
            return report;
        }
    }
    return report;
}

} // namespace Inspector
