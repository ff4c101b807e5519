// SPDX-License-Identifier: MIT
#pragma once

#include "backendclient.h"
#include "embeddings.h"

#include <QDialog>

#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;

namespace Inspector {

class MemoryTableModel;

/**
 * File ▸ Store Info: where the open store is, what its layout says, and its embedding coverage (memories with an
 * embedding, live memories without one, vectors without a memory: embeddingCoverage(), computed as a job on the
 * store's worker with progress and Cancel, each time the dialog is shown).
 */
class StoreInfoDialog : public QDialog
{
    Q_OBJECT
public:
    StoreInfoDialog(MemoryTableModel* model, QWidget* parent = nullptr);

    /// Describes the open store and computes its coverage again.
    void refresh();
    void cancel();
    bool isBusy() const { return m_job != 0; }
    /// What the dialog says, as plain text.
    QString text() const;

Q_SIGNALS:
    void coverageFinished();

private:
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);
    void render();

    MemoryTableModel* m_model;
    RequestId m_job = 0;
    std::shared_ptr<std::optional<EmbeddingCoverage>> m_result;
    std::shared_ptr<QString> m_reason;
    QString m_coverageHtml;
    QLabel* m_text;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
};

} // namespace Inspector
