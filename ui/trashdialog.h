// SPDX-License-Identifier: MIT
#pragma once

#include "health/trash.h"
#include "memorytablemodel.h"

#include <QDialog>

#include <memory>

class QAction;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTreeWidget;

namespace Inspector {

class MainWindow;

/**
 * Tools ▸ Tombstone Expired… and Tools ▸ Empty Trash…: the memories the action would touch, read as a job on the
 * store's worker (previewTrash()), then, after a confirmation that names the backup, the run on exactly those as a
 * job with progress and Cancel (runTrash()), and its outcome. Empty Trash has no undo: the backup is the way back.
 * Tombstone Expired's run also reads its undo step (undoStepReady), which the window puts on the undo stack.
 * Previews work read-only; a run needs editing on.
 */
class TrashDialog : public QDialog
{
    Q_OBJECT
public:
    /// At most this many memories are listed; the rest are counted.
    static constexpr int kListed = 1000;

    TrashDialog(MemoryTableModel* model, const QString& spec, TrashAction action, QWidget* parent = nullptr);
    ~TrashDialog() override;

    TrashAction action() const { return m_action; }
    QSpinBox* daysBox() const { return m_days; }
    QTreeWidget* list() const { return m_list; }
    QPushButton* runButton() const { return m_runButton; }
    QLabel* statusLabel() const { return m_status; }
    /// The preview shown (nullptr before one arrived).
    const TrashPreview* shownPreview() const { return m_shown.get(); }
    /// Reads the preview again (also after the days change).
    void startPreview();
    /// Runs the action on the shown preview's memories; `confirm` false skips the question (tests, the tour).
    void run(bool confirm = true);
    bool isBusy() const { return m_job != 0; }
    /// Close, or while a run writes: stop it (what was written stays) and keep the dialog to say so.
    void reject() override;

Q_SIGNALS:
    void previewShown();
    void runFinished(bool cancelled, bool failed, const QString& text);
    /// Tombstone Expired ran: the rows it changed before and after, as one undo step named `text`.
    void undoStepReady(std::shared_ptr<const RepairImages> images, const QString& text);

private:
    struct RunResult;
    enum class JobKind
    {
        None,
        Preview,
        Run,
    };
    void onJobProgress(RequestId id, qint64 done, qint64 total);
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);
    void showPreview();
    void showResult(bool cancelled, bool failed, const QString& summary);
    void updateButtons();
    QString backupPlace(qint64 now) const;
    QString backupDir() const;

    MemoryTableModel* m_model;
    QString m_spec;
    TrashAction m_action;
    QSpinBox* m_days = nullptr;
    QLabel* m_intro;
    QTreeWidget* m_list;
    QLabel* m_backup;
    QLabel* m_status;
    QProgressBar* m_progress;
    QPushButton* m_runButton;
    QPushButton* m_cancelButton;
    QPushButton* m_closeButton;
    RequestId m_job = 0;
    JobKind m_jobKind = JobKind::None;
    std::shared_ptr<TrashPreview> m_pending; ///< filled on the worker by the preview job
    std::shared_ptr<const TrashPreview> m_shown; ///< the preview listed, which a run touches
    std::shared_ptr<RunResult> m_result;
    bool m_previewAgain = false; ///< the days changed while a preview was out
};

/// The Tools menu's Tombstone Expired… and Empty Trash… for the window (mainwindowtrash.cpp).
QList<QAction*> createTrashActions(MainWindow* window);

} // namespace Inspector
