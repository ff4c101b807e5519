// SPDX-License-Identifier: MIT
#pragma once

#include "backendclient.h"
#include "embeddings.h"

#include <QDialog>

#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace Inspector {

class MemoryTableModel;

/**
 * View ▸ Similar Memories: the 10 memories nearest to one by cosine similarity over the vectors its store holds
 * (similarMemories(), a plain scan run as a job on the store's worker with progress and Cancel). Activating a
 * row asks the window to select that memory. One search at a time; a new one replaces the one running.
 */
class SimilarMemoriesDialog : public QDialog
{
    Q_OBJECT
public:
    SimilarMemoriesDialog(MemoryTableModel* model, QWidget* parent = nullptr);

    /// Searches the memories nearest to `id` in the open store.
    void search(const QString& id);
    /// Stops the search running.
    void cancel();
    bool isBusy() const { return m_job != 0; }
    /// The list's rows: similarity (as shown), id, namespace, first line.
    QList<QStringList> rows() const;
    /// The line above the list.
    QString statusText() const;

    static constexpr int kCount = 10;

Q_SIGNALS:
    void memoryActivated(const QString& id);
    /// A search ended (found, failed or cancelled).
    void searchFinished();

private:
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);

    MemoryTableModel* m_model;
    QString m_id;
    RequestId m_job = 0;
    std::shared_ptr<SimilarMemories> m_result; ///< filled on the worker, read once the job has answered
    QLabel* m_status;
    QTreeWidget* m_list;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
};

} // namespace Inspector
