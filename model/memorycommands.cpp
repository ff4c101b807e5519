// SPDX-License-Identifier: MIT
#include "memorycommands.h"

#include "memorytablemodel.h"

namespace Inspector {

MemoryChangeCommand::MemoryChangeCommand(MemoryTableModel* model, QList<Change> changes, const QString& text)
    : QUndoCommand(text)
    , m_model(model)
    , m_changes(std::move(changes))
{
}

void MemoryChangeCommand::redo()
{
    send(true);
}

void MemoryChangeCommand::undo()
{
    send(false);
}

void MemoryChangeCommand::send(bool forward)
{
    if (m_failed && *m_failed) {
        setObsolete(true);
        return;
    }
    QList<WriteOp> ops;
    for (const Change& change : std::as_const(m_changes)) {
        const std::optional<Memory>& before = change.first;
        const std::optional<Memory>& after = change.second;
        const QString id = before ? before->id : after->id;
        ops << (forward ? WriteOp {id, before, after} : WriteOp {id, after, before});
    }
    m_failed = std::make_shared<bool>(false);
    m_model->submitWrites(ops, m_failed);
}

} // namespace Inspector
