// SPDX-License-Identifier: MIT
#pragma once

#include "backendclient.h"

#include <QObject>
#include <QSet>

class QAction;

namespace Inspector {

class BulkEditDialog;
class MainWindow;
class MemoryTableModel;

/**
 * Edit ▸ Bulk Edit… (also in the table's context menu), on only while editing is on: opens the bulk-edit dialog
 * for the selected rows (loaded or not; their ids are read on the worker) or for everything the filter shows. The
 * table is read again after an apply and after each undo or redo of one, whose jobs show in the window's progress
 * strip. The dialog is made on first use and kept.
 */
class BulkEditActions : public QObject
{
    Q_OBJECT
public:
    BulkEditActions(MainWindow* window, MemoryTableModel* model);

    QAction* action() const { return m_action; }
    /// Shows the dialog for the current selection and filter.
    void showDialog();
    /// The dialog, once made (nullptr before).
    BulkEditDialog* dialog() const { return m_dialog; }

private:
    void updateEnabled();

    MainWindow* m_window;
    MemoryTableModel* m_model;
    QAction* m_action;
    BulkEditDialog* m_dialog = nullptr;
    QSet<RequestId> m_undoJobs; ///< undo and redo jobs of bulk edits: the table is read again once each ends
};

} // namespace Inspector
