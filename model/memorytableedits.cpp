// SPDX-License-Identifier: MIT
// MemoryTableModel, continued: edits, deletes and restores as undoable commands of guarded writes, and their
// answers.
#include "memorytablemodel.h"

#include "duplicates.h"
#include "memorycommands.h"

#include <QDateTime>
#include <QUndoStack>

using namespace Qt::StringLiterals;

namespace Inspector {

bool MemoryTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::EditRole || !index.isValid()
        || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    const Memory* shown = shownRow(index.row());
    if (!shown)
        return false;
    const Memory before = *shown;
    const MemoryColumn column = MemoryColumn(index.column());
    if (!isEditingEnabled()) {
        Q_EMIT editRejected(before.id,
                            isStoreReadOnly() ? tr("the store is open read-only")
                                              : tr("editing is not switched on for this store"));
        return false;
    }
    Memory after = before;
    const QString error = MemoryFields::applyEdit(after, column, value);
    if (!error.isEmpty()) {
        Q_EMIT editRejected(before.id, tr("memory %1: %2").arg(before.id, error));
        return false;
    }
    if (column == MemoryColumn::Content)
        MergeRules::refreshHashTag(after); // spec §3.2: the content-hash tag follows the content
    if (after.sameFields(before))
        return true;
    after.updatedAt = qMax(QDateTime::currentSecsSinceEpoch(), after.createdAt);
    pushChange({{before, after}}, tr("Edit %1 of %2").arg(MemoryFields::title(column).toLower(), before.id));
    return true;
}

bool MemoryTableModel::updateMemories(const QList<Memory>& edited, const QString& text, QString* error)
{
    auto reject = [&](const QString& id, const QString& why) {
        if (error)
            *error = why;
        Q_EMIT editRejected(id, why);
        return false;
    };
    if (!isEditingEnabled())
        return reject(QString(),
                      isStoreReadOnly() ? tr("the store is open read-only")
                                        : tr("editing is not switched on for this store"));
    QList<std::pair<std::optional<Memory>, std::optional<Memory>>> changes;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (const Memory& e : edited) {
        const int row = loadedRowOf(e.id);
        const Memory* before = row >= 0 ? shownRow(row) : nullptr;
        if (!before)
            return reject(e.id, tr("memory %1 is not loaded").arg(e.id));
        // the edit goes through the same checks as a cell edit, field by field
        Memory after = *before;
        for (int c = 0; c < MemoryFields::columnCount(); ++c) {
            const auto column = MemoryColumn(c);
            if (!MemoryFields::isEditable(column) || column == MemoryColumn::TombstonedAt)
                continue;
            const QVariant wanted = MemoryFields::rawValue(e, column);
            if (wanted == MemoryFields::rawValue(after, column))
                continue;
            const QVariant input = column == MemoryColumn::Tags ? QVariant(e.tags)
                : column == MemoryColumn::ExpiresAt             ? QVariant(MemoryFields::editText(e, column))
                                                                : QVariant(MemoryFields::editText(e, column));
            const QString why = MemoryFields::applyEdit(after, column, input);
            if (!why.isEmpty())
                return reject(e.id, tr("memory %1: %2").arg(e.id, why));
            if (column == MemoryColumn::ExpiresAt)
                after.expiresAt = e.expiresAt; // exact seconds, not the minute-rounded text
        }
        if (e.tombstonedAt != after.tombstonedAt)
            after.tombstonedAt = e.tombstonedAt;
        // spec §3.2: a new content gets its hash tag (after the tags' own edit, which must not bring the old back)
        if (after.content != before->content)
            MergeRules::refreshHashTag(after);
        if (after.sameFields(*before))
            continue;
        after.updatedAt = qMax(now, after.createdAt);
        changes.append({*before, after});
    }
    if (!changes.isEmpty())
        pushChange(changes, text);
    return true;
}

void MemoryTableModel::setTombstoned(const QList<Memory>& memories, bool tombstoned)
{
    // subcog's soft delete and restore: the status and tombstoned_at move together
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QList<std::pair<std::optional<Memory>, std::optional<Memory>>> changes;
    for (const Memory& m : memories) {
        if (m.isTombstoned() == tombstoned)
            continue;
        Memory after = m;
        after.status = statusName(tombstoned ? MemoryStatus::Tombstoned : MemoryStatus::Active);
        after.tombstonedAt = tombstoned ? std::optional<qint64>(now) : std::nullopt;
        after.updatedAt = qMax(now, m.createdAt);
        changes.append({m, after});
    }
    if (changes.isEmpty())
        return;
    const int n = int(changes.size());
    if (tombstoned)
        pushChange(changes, n == 1 ? tr("Delete 1 memory") : tr("Delete %1 memories").arg(n));
    else
        pushChange(changes, n == 1 ? tr("Restore 1 memory") : tr("Restore %1 memories").arg(n));
}

void MemoryTableModel::softDelete(const QList<Memory>& memories)
{
    setTombstoned(memories, true);
}

void MemoryTableModel::restore(const QList<Memory>& memories)
{
    setTombstoned(memories, false);
}

void MemoryTableModel::hardDelete(const QList<Memory>& memories)
{
    QList<std::pair<std::optional<Memory>, std::optional<Memory>>> changes;
    for (const Memory& m : memories)
        changes.append({m, std::nullopt});
    if (changes.isEmpty())
        return;
    const int n = int(changes.size());
    pushChange(changes, n == 1 ? tr("Permanently delete 1 memory") : tr("Permanently delete %1 memories").arg(n));
}

void MemoryTableModel::pushChange(const QList<std::pair<std::optional<Memory>, std::optional<Memory>>>& changes,
                                  const QString& text)
{
    if (!isEditingEnabled()) {
        Q_EMIT editRejected(QString(),
                            isStoreReadOnly() ? tr("the store is open read-only")
                                              : tr("editing is not switched on for this store"));
        return;
    }
    m_undoStack->push(new MemoryChangeCommand(this, changes, text));
}

void MemoryTableModel::submitWrites(const QList<WriteOp>& ops, std::shared_ptr<bool> failed)
{
    if (!m_session->isOpen() || ops.isEmpty()) {
        if (failed)
            *failed = true;
        return;
    }
    StoreSession::Handler h;
    h.written = [this](RequestId id, const QList<WriteResult>& results) { onWrite(id, results); };
    h.failed = [this](RequestId id, quint64, const StorageError& error) {
        QList<WriteResult> results;
        for (const WriteOp& op : m_edits.ops(id))
            results << WriteResult {op.id, WriteResult::Outcome::Failed, std::nullopt, error.message()};
        // the store state is unknown, so the rows are read again rather than taken from the reply
        onWrite(id, results);
    };
    m_edits.add(m_session->write(ops, std::move(h)), ops, std::move(failed));
    for (const WriteOp& op : ops)
        emitRowChanged(op.id);
}

void MemoryTableModel::onWrite(RequestId id, const QList<WriteResult>& results)
{
    const std::optional<PendingWrite> request = m_edits.finish(id);
    if (!request)
        return;
    int written = 0;
    bool anyLanded = false;
    for (qsizetype i = 0; i < results.size(); ++i) {
        const WriteResult& r = results[i];
        const WriteOp& op = request->ops.value(i);
        switch (r.outcome) {
        case WriteResult::Outcome::Written:
            ++written;
            anyLanded = true;
            updateCached(r.id, r.current);
            break;
        case WriteResult::Outcome::Unchanged:
            anyLanded = true;
            updateCached(r.id, r.current);
            break;
        case WriteResult::Outcome::Conflict:
            updateCached(r.id, r.current); // the rows now show what the store holds
            Q_EMIT writeConflict(op.desired.value_or(op.expected.value_or(Memory {})), r.current.value_or(Memory {}),
                                 r.current.has_value(), r.message);
            break;
        case WriteResult::Outcome::Failed:
            Q_EMIT writeFailed(r.id, tr("memory %1: %2").arg(r.id, r.message));
            break;
        }
        emitRowChanged(r.id);
    }
    if (!anyLanded && request->failed)
        *request->failed = true; // its undo/redo becomes a no-op and the stack drops it
    if (written > 0) {
        Q_EMIT writesApplied(written);
        refresh(); // the rows may have left the filter or moved in the sort order
    }
    checkIdle();
}

void MemoryTableModel::updateCached(const QString& id, const std::optional<Memory>& memory)
{
    if (!memory)
        return; // a deleted row disappears with the refresh that follows
    for (const qsizetype page : m_cache.pagesByRecency()) {
        QList<Memory>* rows = m_cache.peek(page);
        for (Memory& m : *rows) {
            if (m.id == id)
                m = *memory;
        }
    }
}

void MemoryTableModel::emitRowChanged(const QString& id)
{
    const int row = loadedRowOf(id);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
}

} // namespace Inspector
