// SPDX-License-Identifier: MIT
#pragma once

#include "memorytablemodel.h"

#include <QWidget>

#include <functional>

class QProgressBar;
class QToolButton;

namespace Inspector {

/**
 * The status bar's one strip for long work: streaming the selected rows that are not loaded, and export or copy
 * jobs; a progress bar and Cancel, shown only while something runs.
 */
class ProgressStrip : public QWidget
{
    Q_OBJECT
public:
    using RowsAction = std::function<void(const QList<Memory>&)>;

    explicit ProgressStrip(MemoryTableModel* model, QWidget* parent = nullptr);

    /// Streams the rows (first, count) from the store in one request, then runs `action` on them (not when
    /// cancelled). `wanted`: how many rows that is.
    void fetchRows(const QList<std::pair<qint64, qint64>>& ranges, int wanted, RowsAction action);
    /// Shows an export or copy job until it ends.
    void trackJob(RequestId id);

Q_SIGNALS:
    void fetchCancelled();
    /// Some of the rows could not be read; the action runs on the others.
    void unreadable(const QList<RecordIssue>& issues);
    void jobFinished(bool cancelled, bool failed, const QString& summary);

private:
    void onFetchProgress(RequestId id, const QList<Memory>& memories, qint64 done, qint64 total);
    void onFetchFinished(RequestId id, bool cancelled, const QList<RecordIssue>& issues);

    MemoryTableModel* m_model;
    QProgressBar* m_progress;
    QToolButton* m_cancel;
    RequestId m_bulk = 0;
    QList<Memory> m_bulkMemories;
    RowsAction m_bulkAction;
    RequestId m_job = 0;
};

} // namespace Inspector
