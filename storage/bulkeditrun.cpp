// SPDX-License-Identifier: MIT
// Running a bulk edit: the preview's batched scan, the batched guarded apply (and its undo), and the writer for
// stores without transactions (folders), which compares and stores memory by memory.
#include "bulkedit.h"
#include "bulkwriter.h"

#include "persistencebackend.h"
#include "postgresmodule.h"
#include "retryingbackend.h"
#include "storageerror.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHash>

using namespace Qt::StringLiterals;

namespace Inspector {

BulkWriter::~BulkWriter() = default;

namespace BulkWrite {

QByteArray contentDigest(const QString& content)
{
    return QCryptographicHash::hash(QByteArrayView(reinterpret_cast<const char*>(content.utf16()), content.size() * 2),
                                    QCryptographicHash::Md5);
}

Memory stripped(const Memory& memory)
{
    Memory m = memory;
    m.content.clear();
    m.embedding.reset();
    return m;
}

BulkWriteResult classify(const Memory* current, const BulkWriteItem& item)
{
    const QString id = item.expected->id;
    if (!current)
        return {BulkWriteResult::Outcome::Skipped, u"memory "_s + id + u" was deleted by another writer"_s};
    const bool sameContent = contentDigest(current->content) == item.contentDigest;
    const Memory fields = stripped(*current);
    if (sameContent && fields.sameFields(*item.expected))
        return {BulkWriteResult::Outcome::Written, {}};
    if (sameContent && fields.sameFields(*item.desired))
        return {BulkWriteResult::Outcome::AlreadyDone, {}};
    return {BulkWriteResult::Outcome::Skipped,
            u"memory "_s + id + u" was changed by another writer since it was read"_s};
}

Memory merged(const Memory& current, const Memory& desired)
{
    Memory m = current;
    m.namespaceName = desired.namespaceName;
    m.status = desired.status;
    m.domain = desired.domain;
    m.domainParts = desired.domainParts;
    m.projectId = desired.projectId;
    m.branch = desired.branch;
    m.filePath = desired.filePath;
    m.source = desired.source;
    m.tags = desired.tags;
    m.expiresAt = desired.expiresAt;
    m.tombstonedAt = desired.tombstonedAt;
    m.updatedAt = desired.updatedAt;
    return m;
}

namespace {

/// Folders and other stores without transactions: each memory compared, then stored (a folder file is replaced
/// atomically by the backend), so a failure of one leaves the others written.
class StoreByStoreWriter final : public BulkWriter
{
public:
    explicit StoreByStoreWriter(PersistenceBackend& backend)
        : m_backend(backend)
    {
    }

    QList<BulkWriteResult> writeBatch(const QList<BulkWriteItem>& items) override
    {
        // No transactions here: each memory is read right before its own write, so another writer's change
        // is seen unless it lands between that read and the rename (a batch read up front left seconds).
        QList<BulkWriteResult> results;
        for (const BulkWriteItem& item : items) {
            const std::optional<Memory> current = m_backend.get(item.expected->id);
            BulkWriteResult r = classify(current ? &*current : nullptr, item);
            if (r.outcome == BulkWriteResult::Outcome::Written) {
                try {
                    m_backend.store(merged(*current, *item.desired));
                } catch (const StorageError& e) {
                    if (e.kind() == StorageError::Kind::Cancelled)
                        throw;
                    r = {BulkWriteResult::Outcome::Failed, e.message()};
                }
            }
            results << r;
        }
        return results;
    }

private:
    PersistenceBackend& m_backend;
};

} // namespace

std::unique_ptr<BulkWriter> writerFor(PersistenceBackend& backend)
{
    PersistenceBackend* inner = &backend;
    while (auto* retrying = dynamic_cast<RetryingBackend*>(inner))
        inner = &retrying->inner();
    if (auto writer = sqliteWriter(*inner))
        return writer;
    if (isPostgresStore(*inner))
        return postgresModule().bulkWriter(*inner);
    return std::make_unique<StoreByStoreWriter>(backend);
}

} // namespace BulkWrite

BulkEditPlan previewBulkEdit(PersistenceBackend& backend, const BulkEdit& edit, const BulkEditSource& source,
                             const BulkEditProgress& progress, int sampleSize, int batchSize)
{
    if (const QStringList problems = edit.problems(); !problems.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput, problems.join(u"; "_s));
    if (edit.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput, u"the bulk edit changes nothing"_s);
    BulkEditPlan plan;
    plan.edit = edit;
    plan.limits = BulkEditLimits::of(backend);
    plan.now = QDateTime::currentSecsSinceEpoch();
    batchSize = qMax(1, batchSize);

    auto take = [&](QList<Memory>& batch) {
        for (Memory& m : batch) {
            ++plan.scanned;
            std::optional<Memory> after = editedMemory(edit, m, plan.limits, plan.now);
            if (!after) {
                ++plan.unchanged;
                continue;
            }
            if (const QString refusal = bulkEditRefusal(m, *after, plan.limits); !refusal.isEmpty()) {
                plan.refused << BulkEditRefusal {m.id, refusal};
                continue;
            }
            plan.changes << BulkEditPlan::Entry {BulkWrite::stripped(m), BulkWrite::contentDigest(m.content)};
            if (plan.sample.size() < sampleSize)
                plan.sample << BulkEditChange {std::move(m), std::move(*after)};
        }
        batch.clear();
    };

    if (source.query) {
        MemoryQuery query = *source.query;
        query.after.reset();
        query.skip = 0;
        query.fromEnd = false;
        query.withContent = true; // the content digest guards what the plan does not keep
        const qint64 total = progress ? backend.count(query.filter) : -1;
        if (progress && !progress(0, total)) {
            plan.cancelled = true;
            return plan;
        }
        backend.scan(
            query,
            [&](QList<Memory>& memories, QList<RecordIssue>& issues) {
                take(memories);
                for (RecordIssue& issue : issues) {
                    if (issue.unreadable)
                        plan.unreadable << std::move(issue);
                }
                if (progress && !progress(plan.scanned, total)) {
                    plan.cancelled = true;
                    return false;
                }
                return true;
            },
            batchSize);
        return plan;
    }

    QStringList ids;
    QSet<QString> seen;
    for (const QString& id : source.ids) {
        if (!id.isEmpty() && !seen.contains(id)) {
            seen.insert(id);
            ids << id;
        }
    }
    const qint64 total = ids.size();
    for (qsizetype start = 0; start < ids.size(); start += batchSize) {
        if (progress && !progress(start, total)) {
            plan.cancelled = true;
            return plan;
        }
        const QStringList chunk = ids.mid(start, batchSize);
        QList<RecordIssue> issues;
        QList<Memory> batch = backend.getBatch(chunk, &issues);
        QSet<QString> found;
        for (const Memory& m : std::as_const(batch))
            found.insert(m.id);
        for (const RecordIssue& issue : std::as_const(issues)) {
            found.insert(issue.id);
            if (issue.unreadable)
                plan.unreadable << issue;
        }
        for (const QString& id : chunk) {
            if (!found.contains(id))
                plan.missing << id;
        }
        take(batch);
    }
    if (progress)
        progress(total, total);
    return plan;
}

BulkEditOutcome applyBulkEdit(PersistenceBackend& backend, const BulkEditPlan& plan, BulkDirection direction,
                              const BulkEditProgress& progress, int batchSize)
{
    if (backend.isReadOnly())
        throw StorageError(StorageError::Kind::OperationFailed,
                           backend.location() + u": the store is open read-only"_s);
    BulkEditOutcome out;
    const std::unique_ptr<BulkWriter> writer = BulkWrite::writerFor(backend);
    const qint64 total = plan.changes.size();
    batchSize = qMax(1, batchSize);
    QString stoppedBy;
    for (qsizetype start = 0; start < total; start += batchSize) {
        const qsizetype end = qMin<qsizetype>(total, start + batchSize);
        if (!stoppedBy.isEmpty()) {
            for (qsizetype i = start; i < end; ++i)
                out.failed << BulkEditRefusal {plan.changes[i].before.id, stoppedBy};
            continue;
        }
        if (progress && !progress(start, total)) {
            out.cancelled = true;
            break;
        }
        std::vector<Memory> afters;
        afters.reserve(size_t(end - start));
        QList<BulkWriteItem> items;
        for (qsizetype i = start; i < end; ++i) {
            afters.push_back(plan.after(i));
            const Memory* before = &plan.changes[i].before;
            const Memory* after = &afters.back();
            const bool undo = direction == BulkDirection::Undo;
            items << BulkWriteItem {undo ? after : before, undo ? before : after, plan.changes[i].contentDigest};
        }
        QList<BulkWriteResult> results;
        try {
            results = writer->writeBatch(items);
        } catch (const StorageError& e) {
            if (e.kind() == StorageError::Kind::Cancelled) {
                out.cancelled = true;
                break;
            }
            // the batch was rolled back; a refused batch does not stop the others, a store gone away does
            for (const BulkWriteItem& item : std::as_const(items))
                out.failed << BulkEditRefusal {item.expected->id, e.message()};
            if (e.kind() != StorageError::Kind::InvalidInput)
                stoppedBy = u"not written: the edit stopped after an error: "_s + e.message();
            continue;
        }
        for (qsizetype i = 0; i < items.size(); ++i) {
            const QString& id = items[i].expected->id;
            const BulkWriteResult& r = results.value(i);
            switch (r.outcome) {
            case BulkWriteResult::Outcome::Written:
                out.written << id;
                break;
            case BulkWriteResult::Outcome::AlreadyDone:
                out.alreadyDone << id;
                break;
            case BulkWriteResult::Outcome::Skipped:
                out.skipped << BulkEditRefusal {id, r.reason};
                break;
            case BulkWriteResult::Outcome::Failed:
                out.failed << BulkEditRefusal {id, r.reason};
                break;
            }
        }
    }
    if (progress && !out.cancelled)
        progress(total, total);
    return out;
}

} // namespace Inspector
