// SPDX-License-Identifier: MIT
#pragma once

#include "memoryfields.h"

#include <QHash>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTextBrowser;

namespace Inspector {

class EmbeddingTab;
class EntitiesTab;
class EdgesTab;
class MemoryTableModel;

/**
 * Every field of the current memory with its meaning, the full content as text and as rendered Markdown, and
 * editing: values are checked as they are typed (by the same rules as table edits), Ctrl+S saves, Esc discards.
 */
class DetailPane : public QWidget
{
    Q_OBJECT
public:
    explicit DetailPane(QWidget* parent = nullptr);

    /// Shows a memory (nullopt: nothing selected). Unsaved edits of another memory are dropped.
    void setMemory(const std::optional<Memory>& memory);
    std::optional<Memory> memory() const { return m_memory; }
    void setEditable(bool editable);
    /// The summaries made from the shown memory, as links (they arrive after the memory).
    void setSummarizedBy(const QString& id, const QStringList& summaryIds);
    bool isEditable() const { return m_editable; }
    /// The model whose store the Embedding, Entities and Edges tabs read (they are made when first chosen).
    void setModel(MemoryTableModel* model);
    /// The Embedding tab (made now if it was not yet).
    EmbeddingTab* embeddingTab();
    /// Adds a tab beside Content and Preview (History, …); setTabShown() hides it while it has nothing to show.
    void addTab(QWidget* tab, const QString& title);
    void setTabShown(QWidget* tab, bool shown);
    /// The Entities tab (the graph entities the memory mentions), made now if it was not yet.
    EntitiesTab* entitiesTab();
    /// The Entities tab if it was made (nullptr: never chosen).
    EntitiesTab* builtEntitiesTab() const { return m_entities; }
    /// The Edges tab, made now if it was not yet.
    EdgesTab* edgesTab();
    /// The Edges tab if it was made (nullptr: never chosen).
    EdgesTab* builtEdgesTab() const { return m_edges; }
    /// The Preview tab (the content as rendered Markdown), made now if it was not yet.
    QTextBrowser* preview();
    /// The fields as edited, or nullopt with the first problem in `error`.
    std::optional<Memory> editedMemory(QString* error = nullptr) const;
    bool isDirty() const;
    QString validationMessage() const;

public Q_SLOTS:
    void save();
    void discard();

Q_SIGNALS:
    void saveRequested(const Inspector::Memory& before, const Inspector::Memory& after);
    void memoryLinkActivated(const QString& id);
    /// The id of the memory now shown (empty: none), for the tabs that follow it.
    void memoryShown(const QString& id);
    /// The Embedding tab's "Similar Memories".
    void similarRequested(const QString& id);
    /// An entity chosen in the Entities tab.
    void entityActivated(const QString& entityId);
    /// The Edges tab changed the store's edges (a rebuild, its undo or redo).
    void edgesChanged();

private:
    using Slot = QWidget*; ///< an empty page standing for a tab until it is made
    void revalidate();
    void renderPreview();
    void fill();
    void swapIn(Slot& slot, QWidget* tab);

    std::optional<Memory> m_memory;
    bool m_editable = false;
    QLabel* m_title;
    QHash<int, QLineEdit*> m_edits; ///< editable fields by MemoryColumn
    QHash<int, QLabel*> m_labels; ///< read-only fields by MemoryColumn
    QHash<int, QString> m_shown; ///< the text each editable field showed when filled
    QString m_shownContent; ///< the content as the editor showed it when filled
    QLabel* m_tombstone;
    QLabel* m_expiry;
    QLabel* m_flags;
    QLabel* m_summarizedBy;
    QTabWidget* m_tabs;
    QPlainTextEdit* m_content;
    MemoryTableModel* m_model = nullptr;
    Slot m_previewSlot = nullptr;
    Slot m_embeddingSlot = nullptr;
    Slot m_entitiesSlot = nullptr;
    Slot m_edgesSlot = nullptr;
    bool m_swapping = false;
    QTextBrowser* m_preview = nullptr;
    EmbeddingTab* m_embedding = nullptr;
    EntitiesTab* m_entities = nullptr;
    EdgesTab* m_edges = nullptr;
    std::optional<QStringList> m_summaryIds; ///< the summaries of m_summarizedFor once known, for a later Edges tab
    bool m_previewStale = true;
    QLabel* m_problem;
    QPushButton* m_save;
    QPushButton* m_discard;
    bool m_filling = false;
    QString m_summarizedFor;
};

} // namespace Inspector
