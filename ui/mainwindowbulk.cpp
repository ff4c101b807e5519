// SPDX-License-Identifier: MIT
// Edit ▸ Bulk Edit…: the action, its scopes from the window's selection and filter, and the table's refresh after
// an apply, undo or redo.
#include "bulkeditactions.h"

#include "bulkeditcommand.h"
#include "bulkeditdialog.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "progressstrip.h"

#include <QAction>
#include <QItemSelectionModel>
#include <QTableView>
#include <QUndoStack>

using namespace Qt::StringLiterals;

namespace Inspector {

BulkEditActions::BulkEditActions(MainWindow* window, MemoryTableModel* model)
    : QObject(window)
    , m_window(window)
    , m_model(model)
    , m_action(new QAction(tr("&Bulk Edit…"), window))
{
    m_action->setObjectName(u"bulkEditAction"_s);
    m_action->setToolTip(tr("Change namespace, status, domain, project, branch, expiry or tags of the selected "
                            "memories or of everything the filter shows, with a preview"));
    connect(m_action, &QAction::triggered, this, &BulkEditActions::showDialog);
    connect(m_model, &MemoryTableModel::editingEnabledChanged, this, &BulkEditActions::updateEnabled);
    connect(m_model, &MemoryTableModel::storeOpened, this, &BulkEditActions::updateEnabled);
    connect(m_model, &MemoryTableModel::jobFinished, this, [this](RequestId id) {
        if (m_undoJobs.remove(id))
            m_model->refresh();
    });
    updateEnabled();
}

void BulkEditActions::updateEnabled()
{
    m_action->setEnabled(m_model->isEditingEnabled());
}

void BulkEditActions::showDialog()
{
    if (!m_model->isEditingEnabled())
        return;
    if (!m_dialog) {
        m_dialog = new BulkEditDialog(m_model, m_window);
        connect(m_dialog, &BulkEditDialog::storeChanged, m_model, &MemoryTableModel::refresh);
        connect(m_dialog, &BulkEditDialog::applyFinished, this, [this](qint64 written) {
            if (written <= 0)
                return;
            // the edited rows may have left the filter or moved: a selection kept by row would now name other
            // memories, so nothing stays selected (as after a delete)
            QTableView* table = m_window->table();
            const QModelIndex current = table->currentIndex();
            table->selectionModel()->clearSelection();
            if (current.isValid())
                table->selectionModel()->setCurrentIndex(current, QItemSelectionModel::NoUpdate);
            QUndoStack* stack = m_model->undoStack();
            const QUndoCommand* top = stack->index() > 0 ? stack->command(stack->index() - 1) : nullptr;
            if (!dynamic_cast<const BulkEditCommand*>(top)) {
                m_window->messageBar()->showMessage(MessageBar::Kind::Info, m_dialog->statusText());
                return;
            }
            m_window->messageBar()->showMessage(MessageBar::Kind::Info, m_dialog->statusText(), tr("Undo"), [this] {
                if (m_model->undoStack()->canUndo())
                    m_model->undoStack()->undo();
            });
        });
        m_dialog->setUndoJobTracker([this](RequestId id) {
            m_undoJobs.insert(id);
            if (auto* strip = m_window->findChild<ProgressStrip*>())
                strip->trackJob(id);
        });
    }
    // the selected rows as (first, count) ranges of the table's order, each row once
    QList<std::pair<qint64, qint64>> rows;
    for (const QItemSelectionRange& range : m_window->table()->selectionModel()->selection())
        rows.append({range.top(), range.bottom() + 1});
    std::sort(rows.begin(), rows.end());
    QList<std::pair<qint64, qint64>> ranges;
    qint64 selected = 0;
    for (const auto& [from, to] : std::as_const(rows)) {
        if (!ranges.isEmpty() && from <= ranges.last().first + ranges.last().second) {
            auto& last = ranges.last();
            last.second = qMax(last.second, to - last.first);
        } else {
            ranges.append({from, to - from});
        }
    }
    for (const auto& range : std::as_const(ranges))
        selected += range.second;
    m_dialog->setScopes(m_model->rowsSource(ranges), selected, m_model->rowsSource({}),
                        m_model->exactCount().value_or(-1));
    m_dialog->show();
    m_dialog->raise();
    m_dialog->activateWindow();
}

} // namespace Inspector
