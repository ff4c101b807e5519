// SPDX-License-Identifier: MIT
#pragma once

#include "backendclient.h"
#include "exporter.h"

#include <QDialog>

#include <memory>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QTreeWidget;

namespace Inspector {

class MemoryTableModel;
struct BulkEdit;
struct BulkEditRun;

/**
 * Edit ▸ Bulk Edit…: one change (namespace, status, domain, project, branch, expiry, tags added or removed, a
 * find-and-replace in project_id / branch / file_path / source) for the selected rows or for everything the filter
 * shows. Preview and Apply run as jobs on the store's worker with progress and Cancel, reading the rows in batches
 * there; the preview shows the first changes field by field, their count and what the store refuses, and Apply
 * writes exactly the previewed changes, guarded (a memory another writer changed since is skipped and listed). The
 * whole edit is then one step on the model's undo stack.
 */
class BulkEditDialog : public QDialog
{
    Q_OBJECT
public:
    BulkEditDialog(MemoryTableModel* model, QWidget* parent = nullptr);
    ~BulkEditDialog() override;

    /// What the edit may cover: the table's selected rows (`selected` of them; an empty source: nothing selected)
    /// and the whole filter (`filtered` rows, -1 while not counted). Forgets any preview.
    void setScopes(const ExportSource& selection, qint64 selected, const ExportSource& filter, qint64 filtered);
    /// Reads the rows on the worker and computes the changes (previewFinished).
    void preview();
    /// Writes the previewed changes on the worker (applyFinished), then pushes the undo step.
    void apply();
    /// Stops the preview or apply running; an apply keeps the batches it wrote, which stay undoable.
    void cancel();
    bool isBusy() const { return m_job != 0; }
    /// A preview is there and still matches the form: Apply writes it.
    bool canApply() const;
    /// The preview's count of memories that would change (-1 before a preview).
    qint64 changeCount() const;
    /// The preview list's rows: id, field, before, after.
    QList<QStringList> previewRows() const;
    /// The second list's rows (refused, or after Apply: not written): id, reason.
    QList<QStringList> problemRows() const;
    QString statusText() const;
    /// Told of the undo step's undo and redo jobs (the window shows their progress and summary).
    void setUndoJobTracker(std::function<void(RequestId)> tracker) { m_undoJobStarted = std::move(tracker); }

    /// How many changed memories the preview lists.
    static constexpr int kShown = 200;

Q_SIGNALS:
    void previewFinished();
    /// `written` memories were written (0 when it failed or nothing was to change).
    void applyFinished(qint64 written);
    /// The store changed under the table (an apply wrote): the window reads it again.
    void storeChanged();

private:
    void buildForm();
    void formChanged();
    void startJob(bool applying);
    void onJobProgress(RequestId id, qint64 done, qint64 total);
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);
    void showPreview();
    void showApplied(bool cancelled);
    void setBusy(bool busy);
    /// The form as an edit; empty `error` and no change: nothing asked.
    bool readForm(BulkEdit* edit, QString* error) const;

    MemoryTableModel* m_model;
    ExportSource m_selection;
    ExportSource m_filter;
    qint64 m_selected = 0;
    qint64 m_filtered = -1;
    RequestId m_job = 0;
    bool m_applying = false;
    std::shared_ptr<BulkEditRun> m_run; ///< the preview (then the apply) filled on the worker, read once it answers
    quint64 m_formVersion = 0; ///< bumped by every change of the form or scope: a preview of an older one is stale
    quint64 m_previewedVersion = 0;
    std::function<void(RequestId)> m_undoJobStarted;

    QRadioButton* m_scopeSelection;
    QRadioButton* m_scopeFilter;
    QCheckBox* m_setNamespace;
    QComboBox* m_namespace;
    QCheckBox* m_setStatus;
    QComboBox* m_status;
    QCheckBox* m_setDomain;
    QLineEdit* m_domain;
    QCheckBox* m_setProject;
    QLineEdit* m_project;
    QCheckBox* m_setBranch;
    QLineEdit* m_branch;
    QCheckBox* m_setExpiry;
    QDateTimeEdit* m_expiry;
    QCheckBox* m_clearExpiry;
    QLineEdit* m_addTags;
    QLineEdit* m_removeTags;
    QComboBox* m_replaceField;
    QLineEdit* m_find;
    QLineEdit* m_replace;
    QLabel* m_message;
    QTreeWidget* m_list;
    QLabel* m_problemsTitle;
    QTreeWidget* m_problems;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
    QPushButton* m_previewButton;
    QPushButton* m_applyButton;
};

} // namespace Inspector
