// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

class QAction;

namespace Inspector {

class DetailPane;
class MainWindow;
class MemoryTableModel;
class SimilarMemoriesDialog;
class StoreInfoDialog;

/**
 * The window's embedding actions: View ▸ Similar Memories (also in the table's context menu and on the detail
 * pane's Embedding tab) for the memory the detail pane shows, and File ▸ Store Info with the store's embedding
 * coverage. Their dialogs are made on first use and kept.
 */
class EmbeddingActions : public QObject
{
    Q_OBJECT
public:
    EmbeddingActions(MainWindow* window, MemoryTableModel* model, DetailPane* detail);

    QAction* similarAction() const { return m_similar; }
    QAction* storeInfoAction() const { return m_storeInfo; }
    /// Shows the dialog and searches the memories nearest to `id`.
    void showSimilar(const QString& id);
    void showStoreInfo();
    /// The dialogs, once made (nullptr before).
    SimilarMemoriesDialog* similarDialog() const { return m_similarDialog; }
    StoreInfoDialog* storeInfoDialog() const { return m_storeInfoDialog; }

private:
    MainWindow* m_window;
    MemoryTableModel* m_model;
    DetailPane* m_detail;
    QAction* m_similar;
    QAction* m_storeInfo;
    SimilarMemoriesDialog* m_similarDialog = nullptr;
    StoreInfoDialog* m_storeInfoDialog = nullptr;
};

} // namespace Inspector
