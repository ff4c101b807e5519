// SPDX-License-Identifier: MIT
#include "progressstrip.h"

#include "appearance.h"

#include <QHBoxLayout>
#include <QIcon>
#include <QProgressBar>
#include <QToolButton>

#include <limits>

using namespace Qt::StringLiterals;

namespace Inspector {

ProgressStrip::ProgressStrip(MemoryTableModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_progress(new QProgressBar(this))
    , m_cancel(new QToolButton(this))
{
    setObjectName(u"progressStrip"_s);
    m_progress->setMaximumWidth(200);
    m_cancel->setText(tr("Cancel"));
    m_cancel->setIcon(Appearance::icon(u"process-stop"_s));
    m_cancel->setToolTip(tr("Stop the running operation"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);
    hide();
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        if (m_bulk)
            m_model->cancelFetch(m_bulk);
        if (m_job)
            m_model->cancelFetch(m_job);
    });
    connect(m_model, &MemoryTableModel::fetchProgress, this, &ProgressStrip::onFetchProgress);
    connect(m_model, &MemoryTableModel::fetchFinished, this, &ProgressStrip::onFetchFinished);
    connect(m_model, &MemoryTableModel::jobProgress, this, [this](RequestId id, qint64 done, qint64 total) {
        if (id != m_job)
            return;
        m_progress->setMaximum(int(qMin<qint64>(qMax<qint64>(total, 1), std::numeric_limits<int>::max())));
        m_progress->setValue(int(qMin<qint64>(done, m_progress->maximum())));
    });
    connect(m_model, &MemoryTableModel::jobFinished, this,
            [this](RequestId id, bool cancelled, bool failed, const QString& summary) {
                if (id != m_job)
                    return;
                m_job = 0;
                hide();
                Q_EMIT jobFinished(cancelled, failed, summary);
            });
}

void ProgressStrip::fetchRows(const QList<std::pair<qint64, qint64>>& ranges, int wanted, RowsAction action)
{
    m_bulkAction = std::move(action);
    m_bulkMemories.clear();
    m_bulk = m_model->fetchRows(ranges);
    m_progress->setRange(0, wanted);
    m_progress->setValue(0);
    show();
}

void ProgressStrip::trackJob(RequestId id)
{
    m_job = id;
    m_progress->setRange(0, 0);
    show();
}

void ProgressStrip::onFetchProgress(RequestId id, const QList<Memory>& memories, qint64 done, qint64 total)
{
    if (!m_bulkAction || id != m_bulk)
        return;
    m_bulkMemories << memories;
    m_progress->setMaximum(int(qMin<qint64>(total, std::numeric_limits<int>::max())));
    m_progress->setValue(int(done));
}

void ProgressStrip::onFetchFinished(RequestId id, bool cancelled, const QList<RecordIssue>& issues)
{
    if (!m_bulkAction || id != m_bulk)
        return;
    m_bulk = 0;
    hide();
    auto action = std::move(m_bulkAction);
    m_bulkAction = nullptr;
    const QList<Memory> memories = std::move(m_bulkMemories);
    m_bulkMemories.clear();
    if (cancelled) {
        Q_EMIT fetchCancelled();
        return;
    }
    if (!issues.isEmpty())
        Q_EMIT unreadable(issues);
    action(memories);
}

} // namespace Inspector
