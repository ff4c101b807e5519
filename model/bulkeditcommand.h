// SPDX-License-Identifier: MIT
#pragma once

#include "backendclient.h"
#include "bulkedit.h"

#include <QCoreApplication>
#include <QUndoCommand>

#include <functional>
#include <memory>

namespace Inspector {

class MemoryTableModel;

/// The ids of rows of `query`'s order, given as (first, count) ranges, read with metadata-only pages (an OFFSET
/// seek to each range, then keyset pages): how a selection of table rows, loaded or not, becomes a bulk edit's
/// source. Runs on the worker; `progress` returning false stops it (what was read is returned).
QStringList idsOfRows(PersistenceBackend& store, const MemoryQuery& query,
                      const QList<std::pair<qint64, qint64>>& ranges, const BulkEditProgress& progress = {});

/// The fields a bulk edit changes, for people ("project_id, tags").
QString bulkEditFields(const BulkEdit& edit);
/// The undo text of a bulk edit: its fields and how many memories it wrote ("Bulk edit: project_id on 3,000
/// memories").
QString bulkEditText(const BulkEdit& edit, qint64 memories);

/**
 * A whole bulk edit as one step on the model's undo stack. It keeps the plan of what the apply wrote (the memories
 * as they were before, without content: see BulkEditPlan); undo writes them back and redo writes the edit again,
 * both as one job on the store's worker through applyBulkEdit(), guarded, so a memory another writer changed in
 * between is left as it is and named in the job's summary. Pushed after the apply ran: its first redo does nothing.
 */
class BulkEditCommand : public QUndoCommand
{
    Q_DECLARE_TR_FUNCTIONS(Inspector::BulkEditCommand)
public:
    /// Told of each undo's or redo's job (to show its progress; its summary says what it did).
    using Started = std::function<void(RequestId id)>;

    BulkEditCommand(MemoryTableModel* model, std::shared_ptr<const BulkEditPlan> written, const QString& text,
                    Started started);

    void undo() override;
    void redo() override;

    const BulkEditPlan& plan() const { return *m_plan; }

private:
    void run(BulkDirection direction);

    MemoryTableModel* m_model;
    std::shared_ptr<const BulkEditPlan> m_plan;
    Started m_started;
    bool m_first = true;
};

} // namespace Inspector
