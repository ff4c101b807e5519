// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"

#include <QUndoCommand>

#include <memory>

namespace Inspector {

class MemoryTableModel;

/**
 * One undoable change of memories: each entry is a memory before and after (nullopt: does not exist). Redo
 * writes the afters guarded by the befores, undo the befores guarded by the afters, so neither overwrites a
 * change another writer made in between. A command none of whose writes reached the store becomes a no-op and
 * leaves the stack at its next undo or redo.
 */
class MemoryChangeCommand : public QUndoCommand
{
public:
    using Change = std::pair<std::optional<Memory>, std::optional<Memory>>;

    MemoryChangeCommand(MemoryTableModel* model, QList<Change> changes, const QString& text);

    void undo() override;
    void redo() override;

    const QList<Change>& changes() const { return m_changes; }

private:
    void send(bool forward);

    MemoryTableModel* m_model;
    QList<Change> m_changes;
    std::shared_ptr<bool> m_failed;
};

} // namespace Inspector
