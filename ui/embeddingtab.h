// SPDX-License-Identifier: MIT
#pragma once

#include "backendclient.h"
#include "embeddings.h"

#include <QWidget>

#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;

namespace Inspector {

class MemoryTableModel;

/**
 * The detail pane's Embedding tab: whether the shown memory has an embedding, its dimensions, L2 norm and first
 * values (embeddingInfo(), read as a job on the store's worker). It reads only while the tab is shown, and a new
 * memory cancels the read of the one before, so browsing with another tab open costs nothing.
 */
class EmbeddingTab : public QWidget
{
    Q_OBJECT
public:
    explicit EmbeddingTab(QWidget* parent = nullptr);

    /// The table model whose store is read; set once.
    void setModel(MemoryTableModel* model);
    /// The memory shown (empty: none).
    void setMemoryId(const QString& id);
    /// What the tab says now, as plain text (for tests and the tour).
    QString text() const;
    /// A read is on its way.
    bool isBusy() const { return m_job != 0; }

    /// How many values are listed.
    static constexpr int kShownValues = 8;

Q_SIGNALS:
    /// "Similar Memories" was clicked for the memory shown.
    void similarRequested(const QString& id);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void fetch();
    void cancelJob();
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);
    void showInfo(const EmbeddingInfo& info);

    MemoryTableModel* m_model = nullptr;
    QString m_id;
    bool m_stale = true;
    RequestId m_job = 0;
    std::shared_ptr<EmbeddingInfo> m_result; ///< filled on the worker, read once the job has answered
    QLabel* m_text;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
    QPushButton* m_similar;
};

} // namespace Inspector
