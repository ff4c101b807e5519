// SPDX-License-Identifier: MIT
#include "copier.h"

#include "aroundcopy.h"
#include "filesystem/encryption.h"

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
    if (m_target.kind() == "jsonl"_L1)
        throw StorageError(StorageError::Kind::InvalidInput,
                           m_target.location() + u": a JSON Lines file is a read-only store, never a copy's target"_s);
    if (!dryRun && m_target.isReadOnly())
        throw StorageError(StorageError::Kind::InvalidInput, m_target.location() + u": the target is read-only"_s);
    // every batch from one read transaction of the source: a copied memory never mixes two of its commits
    const ReadSnapshot snapshot(m_source);
    AroundCopy around(m_source, m_target, report, dryRun);
    BatchReader reader(m_source, what, m_batchSize);
    report.expected = reader.expected();
    const bool fromSqlite = m_source.kind() == "sqlite"_L1;
    const bool intoSqlite = m_target.kind() == "sqlite"_L1;
    QList<Memory> batch;
    QList<RecordIssue> issues;
    while (reader.next(&batch, &issues)) {
        for (const RecordIssue& issue : std::as_const(issues))
            (issue.unreadable ? report.failed : report.warnings).append(issue);
        issues.clear();
        QList<Memory> readable;
        for (const Memory& m : std::as_const(batch)) {
            if (m.flags & MemoryFlag::Locked)
                report.failed.append(RecordIssue {m.id, u"encrypted, and "_s + Encryption::missingKeyReason(), true});
            else if (m.flags & MemoryFlag::MissingContent)
                // written, it would be an empty memory that subcog can see: missing is not empty
                report.failed.append(RecordIssue {m.id, missingContentReason(), true});
            else
                readable << m;
        }
        report.read += batch.size();
        around.sourceBatch(readable);
        QStringList ids;
        for (const Memory& m : std::as_const(readable))
            ids << m.id;
        QHash<QString, Memory> existing;
        QList<Memory> current = m_target.getBatch(ids);
        around.targetBatch(readable, current);
        for (const Memory& m : std::as_const(current))
            existing.insert(m.id, m);

        QList<Memory> toWrite;
        qint64 created = 0;
        qint64 overwritten = 0;
        auto domainFinding = [&](const Memory& m) {
            if (const auto finding = subcogReadsDomainOtherwise(m, fromSqlite, intoSqlite))
                report.warnings.append(RecordIssue {m.id, *finding, false});
        };
        for (const Memory& m : std::as_const(readable)) {
            const auto it = existing.constFind(m.id);
            if (it == existing.constEnd()) {
                toWrite << m;
                domainFinding(m);
                ++created;
            } else if (it->sameFields(m)) {
                ++report.unchanged;
                around.carried(m, false);
            } else if (onConflict == OnConflict::Skip) {
                ++report.skipped;
                around.kept(m.id);
            } else if (onConflict == OnConflict::Fail) {
                report.stoppedAt = m.id;
                around.finish(); // for the batches written before
                return report; // nothing of this batch is written
            } else {
                toWrite << m;
                domainFinding(m);
                ++overwritten;
            }
        }
        const qsizetype failedBefore = report.failed.size();
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
        QSet<QString> notWritten;
        for (qsizetype i = failedBefore; i < report.failed.size(); ++i)
            notWritten.insert(report.failed.at(i).id);
        for (const Memory& m : std::as_const(toWrite)) {
            if (!notWritten.contains(m.id))
                around.carried(m, true);
        }
        if (progress && !progress(report)) {
            report.cancelled = true;
            around.finish();
            return report;
        }
    }
    around.finish();
    // a backup's lines that are not memories are memories the restore cannot bring back: named, as export does
    if (m_source.kind() == "jsonl"_L1 && what.ids.isEmpty() && what.ranges.isEmpty()) {
        for (const RecordIssue& issue : m_source.storeIssues())
            (issue.unreadable ? report.failed : report.warnings).append(issue);
    }
    return report;
}

} // namespace Inspector
