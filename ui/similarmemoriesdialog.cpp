// SPDX-License-Identifier: MIT
#include "similarmemoriesdialog.h"

#include "memorytablemodel.h"
#include "plaintext.h"
#include "visibletext.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr int kIdRole = Qt::UserRole + 1;
} // namespace

SimilarMemoriesDialog::SimilarMemoriesDialog(MemoryTableModel* model, QWidget* parent)
    : QDialog(parent)
    , m_model(model)
    , m_status(new QLabel(this))
    , m_list(new QTreeWidget(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    setObjectName(u"similarMemoriesDialog"_s);
    setWindowTitle(tr("Similar Memories"));
    resize(760, 380);
    m_status->setObjectName(u"similarStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText); // ids and store messages are data, never markup
    m_list->setObjectName(u"similarList"_s);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAllColumnsShowFocus(true);
    m_list->setHeaderLabels({tr("Similarity"), tr("ID"), tr("Namespace"), tr("Content")});
    m_list->header()->setStretchLastSection(true);
    m_list->setColumnWidth(0, 90);
    m_list->setColumnWidth(1, 180); // room for a summary's id (`summary_<millis>`)
    m_list->setColumnWidth(2, 110);
    m_list->setToolTip(tr("Double-click or press Enter to select the memory in the table"));
    connect(m_list, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        if (item)
            Q_EMIT memoryActivated(item->data(0, kIdRole).toString());
    });
    m_progress->setTextVisible(false);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    connect(m_cancel, &QPushButton::clicked, this, &SimilarMemoriesDialog::cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_list, 1);
    auto* row = new QHBoxLayout;
    row->addWidget(m_progress, 1);
    row->addWidget(m_cancel);
    row->addWidget(buttons);
    layout->addLayout(row);
    m_progress->hide();
    m_cancel->hide();

    connect(m_model, &MemoryTableModel::jobFinished, this, &SimilarMemoriesDialog::onJobFinished);
    connect(m_model, &MemoryTableModel::jobProgress, this, [this](RequestId id, qint64 done, qint64 total) {
        if (id != m_job || total <= 0)
            return;
        m_progress->setRange(0, 1000); // per mille: gigabytes do not fit an int
        m_progress->setValue(int(1000 * double(done) / double(total)));
    });
    connect(m_model, &MemoryTableModel::storeOpened, this, [this] {
        // the search was in the store before: its answer will not come, and the list is of another store
        m_job = 0;
        m_result.reset();
        m_progress->hide();
        m_cancel->hide();
        m_list->clear();
        m_status->setText(tr("Another store was opened."));
    });
}

void SimilarMemoriesDialog::search(const QString& id)
{
    cancel();
    m_id = id;
    m_list->clear();
    if (!m_model->isOpen()) {
        m_status->setText(tr("No store is open."));
        return;
    }
    auto result = std::make_shared<SimilarMemories>();
    m_result = result;
    m_job = m_model->runJob([result, id](PersistenceBackend& store, const auto& progress) -> QString {
        *result = similarMemories(store, id, kCount, progress);
        return {};
    });
    m_status->setText(tr("Comparing %1 with every embedding in the store…").arg(withVisibleControls(id)));
    m_progress->setRange(0, 0);
    m_progress->show();
    m_cancel->show();
}

void SimilarMemoriesDialog::cancel()
{
    if (m_job) {
        m_model->cancelFetch(m_job);
        m_status->setText(tr("Stopped before the search was done."));
    }
    m_job = 0;
    m_result.reset();
    m_progress->hide();
    m_cancel->hide();
}

void SimilarMemoriesDialog::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (id != m_job || id == 0)
        return;
    m_job = 0;
    m_progress->hide();
    m_cancel->hide();
    const auto result = std::move(m_result);
    if (cancelled) {
        m_status->setText(tr("Stopped before the search was done."));
    } else if (failed || !result) {
        m_status->setText(tr("No similar memories for %1: %2").arg(withVisibleControls(m_id), summary));
    } else {
        const QLocale locale;
        for (const SimilarMemory& m : result->nearest) {
            auto* item = new QTreeWidgetItem(
                m_list, {locale.toString(m.similarity, 'f', 4), m.id, m.namespaceName, m.firstLine});
            item->setData(0, kIdRole, m.id);
            item->setToolTip(3, plainToolTip(m.firstLine));
            item->setTextAlignment(0, Qt::AlignRight | Qt::AlignVCenter);
        }
        QString text = tr("The %n memories nearest to %1 by cosine similarity, among %2 vectors in %3.", "",
                          int(result->nearest.size()))
                           .arg(withVisibleControls(m_id), locale.toString(result->compared), result->where);
        if (result->skipped > 0)
            text += u' '
                + tr("%n near vectors of tombstoned memories or of no memory are left out.", "", int(result->skipped));
        if (result->otherDimensions > 0)
            text += u' ' + tr("%n vectors of other dimensions are not compared.", "", int(result->otherDimensions));
        m_status->setText(text);
        if (m_list->topLevelItemCount() > 0)
            m_list->setCurrentItem(m_list->topLevelItem(0));
    }
    Q_EMIT searchFinished();
}

QList<QStringList> SimilarMemoriesDialog::rows() const
{
    QList<QStringList> rows;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = m_list->topLevelItem(i);
        rows.append({item->text(0), item->text(1), item->text(2), item->text(3)});
    }
    return rows;
}

QString SimilarMemoriesDialog::statusText() const
{
    return m_status->text();
}

} // namespace Inspector
