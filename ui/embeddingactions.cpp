// SPDX-License-Identifier: MIT
#include "embeddingactions.h"

#include "detailpane.h"
#include "embeddingtab.h"
#include "mainwindow.h"
#include "memorytablemodel.h"
#include "similarmemoriesdialog.h"
#include "storeinfodialog.h"

#include <QAction>

using namespace Qt::StringLiterals;

namespace Inspector {

EmbeddingActions::EmbeddingActions(MainWindow* window, MemoryTableModel* model, DetailPane* detail)
    : QObject(window)
    , m_window(window)
    , m_model(model)
    , m_detail(detail)
    , m_similar(new QAction(tr("Similar &Memories"), window))
    , m_storeInfo(new QAction(tr("Store &Info…"), window))
{
    m_similar->setObjectName(u"similarMemoriesAction"_s);
    m_similar->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    m_similar->setToolTip(
        tr("The 10 memories nearest to the selected one by cosine similarity of the embeddings the store holds"));
    m_storeInfo->setObjectName(u"storeInfoAction"_s);
    m_storeInfo->setToolTip(tr("Where the store is, its layout and its embedding coverage"));
    connect(m_similar, &QAction::triggered, this, [this] {
        if (const auto memory = m_detail->memory())
            showSimilar(memory->id);
    });
    connect(m_storeInfo, &QAction::triggered, this, &EmbeddingActions::showStoreInfo);
    connect(m_detail, &DetailPane::similarRequested, this, &EmbeddingActions::showSimilar);
}

void EmbeddingActions::showSimilar(const QString& id)
{
    if (!m_similarDialog) {
        m_similarDialog = new SimilarMemoriesDialog(m_model, m_window);
        connect(m_similarDialog, &SimilarMemoriesDialog::memoryActivated, m_window, &MainWindow::goToId);
    }
    m_similarDialog->show();
    m_similarDialog->raise();
    m_similarDialog->search(id);
}

void EmbeddingActions::showStoreInfo()
{
    if (!m_storeInfoDialog)
        m_storeInfoDialog = new StoreInfoDialog(m_model, m_window);
    m_storeInfoDialog->show();
    m_storeInfoDialog->raise();
    m_storeInfoDialog->refresh();
}

} // namespace Inspector
