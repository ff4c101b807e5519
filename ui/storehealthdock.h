// SPDX-License-Identifier: MIT
#pragma once

#include "health/repairrules.h"
#include "memorytablemodel.h"

#include <QDockWidget>
#include <QHash>

#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace Inspector {

struct CheckFeed;
struct RepairImages;
struct RepairRestoreOutcome;

/**
 * Tools ▸ Check Store…: runs the checker of the open store's kind as a job on the store's worker (progress and
 * Cancel here), and lists the finding classes with their counts; a class expands to its findings, and clicking
 * one with an id asks the window to select that memory. Findings come over in batches on the job's progress ticks,
 * at most listedPerClass() of them a class (the rest are counted in a "… and N more" row). With editing on, Fix… on
 * a class previews the repair (a dry run on the worker), then runs it there with progress and Cancel and checks
 * again. The whole repair is one step on the model's undo stack: the rows (or files) it changed, before and after,
 * read from its backup and the store on the worker.
 */
class StoreHealthDock : public QDockWidget
{
    Q_OBJECT
public:
    StoreHealthDock(MemoryTableModel* model, QWidget* parent = nullptr);
    ~StoreHealthDock() override;

    /// Another store is open (`spec` with any password; empty: none): the findings of the last one go.
    void setStore(const QString& spec);
    /// The open store's spec (with any password), as setStore() was given it.
    QString spec() const { return m_spec; }
    /// The same store was opened again (e.g. for writing): a job it was running will not answer.
    void storeReopened();
    void startCheck();
    /// Stops the running check or repair.
    void cancel();
    bool isBusy() const { return m_job != 0; }
    /// Findings of the last check that ended (-1: none ended for this store).
    qint64 lastTotal() const { return m_lastTotal; }
    qint64 count(const QString& findingClass) const { return m_counts.value(findingClass); }
    QTreeWidget* tree() const { return m_tree; }
    QPushButton* fixButton() const { return m_fix; }
    QPushButton* cancelButton() const { return m_cancel; }
    QString statusText() const;
    int listedPerClass() const { return m_listedPerClass; }
    void setListedPerClass(int n) { m_listedPerClass = qMax(1, n); }
    /// Fix… for a class: a dry run on the worker, then the preview dialog (previewReady); Run in it repairs.
    void fixClass(const QString& findingClass);
    /// Repairs the class (after the preview); the memory table is read again and the store checked again.
    void runRepair(const QString& findingClass, qint64 now);
    /// The classes Fix… repairs in a store of this kind (none for a JSON Lines backup).
    static QStringList repairableClasses(const QString& spec);
    /// Undo (or redo) of a repair: runs restoreRepairImages() on the worker, then reads the table and checks again.
    void restoreImages(const std::shared_ptr<const RepairImages>& images, bool undo, const QString& what);

Q_SIGNALS:
    void memoryActivated(const QString& id);
    void checkFinished(qint64 findings, bool cancelled, bool failed);
    /// The dry run of fixClass() is done and its preview is open (`dialog`, deleted on close).
    void previewReady(QDialog* dialog);
    void repairFinished(bool cancelled, bool failed, const QString& summary);

private:
    enum class JobKind
    {
        None,
        Check,
        Preview,
        Repair,
    };
    void startJob(JobKind kind, RequestId id, const QString& status);
    void onJobProgress(RequestId id, qint64 done, qint64 total);
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);
    void drain();
    QTreeWidgetItem* classItem(const QString& findingClass);
    void updateClassItem(const QString& findingClass);
    void clearFindings();
    void updateButtons();
    QString currentClass() const;
    struct RepairRun;
    void showPreview(const QString& findingClass, qint64 now, const StoreRepairReport& report);
    /// The repair of one class on the worker, for any store kind; after a real run, the undo step too.
    static void runRepairJob(const QString& spec, const QString& findingClass, qint64 now, bool dryRun, RepairRun& run,
                             const std::function<bool(qint64, qint64)>& progress);
    /// What the preview says about the backup a repair started at `now` writes.
    static QString backupPlace(const QString& spec, const QString& findingClass, qint64 now);
    void restoreFinished(RequestId id, bool failed, const QString& summary);
    void onPreviewDone(bool cancelled, bool failed, const QString& summary);
    void onRepairDone(bool cancelled, bool failed, const QString& summary);

    MemoryTableModel* m_model;
    QLabel* m_status;
    QProgressBar* m_progress;
    QPushButton* m_check;
    QPushButton* m_cancel;
    QPushButton* m_fix;
    QTreeWidget* m_tree;
    QString m_spec;
    int m_listedPerClass = 10000;

    RequestId m_job = 0;
    JobKind m_jobKind = JobKind::None;
    std::shared_ptr<CheckFeed> m_feed;
    std::shared_ptr<RepairRun> m_run; ///< the preview's or repair's, filled on the worker
    /// undo and redo jobs of repairs: what they did, and their name
    QHash<RequestId, std::pair<std::shared_ptr<RepairRestoreOutcome>, QString>> m_restores;
    QString m_fixing; ///< the class being previewed or repaired
    qint64 m_fixNow = 0;
    QHash<QString, qint64> m_counts; ///< findings a class, listed or not
    QHash<QString, QTreeWidgetItem*> m_classItems;
    qint64 m_total = 0;
    qint64 m_lastTotal = -1;
};

} // namespace Inspector
