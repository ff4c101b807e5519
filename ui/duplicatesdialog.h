// SPDX-License-Identifier: MIT
#pragma once

#include "backendclient.h"
#include "duplicates.h"

#include <QDialog>

#include <memory>

class QAction;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTreeWidget;

namespace Inspector {

class DuplicateMerger;
class MainWindow;
class MemoryTableModel;

/**
 * Tools ▸ Find Duplicates: groups of live memories with the same content across namespaces (findDuplicates(), a
 * job on the store's worker with progress and Cancel), one group's memories side by side with the fields that
 * differ from the one kept marked, and Merge (DuplicateMerger: one undo step).
 */
class DuplicatesDialog : public QDialog
{
    Q_OBJECT
public:
    DuplicatesDialog(MemoryTableModel* model, QWidget* parent = nullptr);

    /// The Tools menu's action: shows the window's dialog, made on first use.
    static QAction* createAction(MainWindow* window, MemoryTableModel* model);

    /// Searches the open store for groups of `match` (`threshold` for Similar, 0–1).
    void find(DuplicateMatch match, double threshold = 0.8);
    /// Stops the search or read running.
    void cancel();
    /// Shows group `index` of the list side by side (read as a job).
    void showGroup(int index);
    /// Keeps the memory of column `column` of the group shown.
    void setKeeper(int column);
    /// Merges the group shown into the memory chosen to keep.
    void mergeShown();

    bool isBusy() const;
    /// The last search's answer, or nullptr.
    const DuplicateScan* scan() const { return m_scan.get(); }
    /// The memories of the group shown, oldest first, as read.
    const QList<Memory>& shownMemories() const { return m_shown; }
    QString keeperId() const;
    QString statusText() const;
    QTreeWidget* groupsList() const { return m_groups; }
    QTableWidget* compareTable() const { return m_compare; }
    QPushButton* mergeButton() const { return m_merge; }
    DuplicateMerger* merger() const { return m_merger; }

Q_SIGNALS:
    void memoryActivated(const QString& id);
    /// A search, a group's read or a merge (or its undo, redo) ended.
    void finished();

private:
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);
    void fillGroups();
    void fillCompare();
    void updateButtons();
    void setBusy(RequestId job, const QString& text);

    MemoryTableModel* m_model;
    DuplicateMerger* m_merger;
    RequestId m_scanJob = 0;
    RequestId m_readJob = 0;
    std::shared_ptr<DuplicateScan> m_scan;
    std::shared_ptr<DuplicateScan> m_scanning; ///< filled on the worker, read once the job has answered
    std::shared_ptr<QList<Memory>> m_reading;
    DuplicateMatch m_pendingMatch = DuplicateMatch::SameContent; ///< of the search running
    DuplicateMatch m_scanMatch = DuplicateMatch::SameContent; ///< of m_scan
    int m_shownGroup = -1;
    QList<Memory> m_shown;
    int m_keeper = 0;
    bool m_merging = false; ///< the merge itself is on its way (not an undo or redo)
    QComboBox* m_match;
    QSpinBox* m_threshold;
    QPushButton* m_find;
    QLabel* m_status;
    QTreeWidget* m_groups;
    QTableWidget* m_compare;
    QComboBox* m_keep;
    QPushButton* m_merge;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
};

} // namespace Inspector
