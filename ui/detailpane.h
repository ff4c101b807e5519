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
    /// The Embedding tab (the window gives it the model whose store it reads).
    EmbeddingTab* embeddingTab() const { return m_embedding; }
    /// Adds a tab beside Content and Preview (History, …); setTabShown() hides it while it has nothing to show.
    void addTab(QWidget* tab, const QString& title);
    void setTabShown(QWidget* tab, bool shown);
    /// The Entities tab (the graph entities the memory mentions), which the window connects to the store.
    EntitiesTab* entitiesTab() const { return m_entities; }
    /// The Edges tab (the window gives it the model it reads through).
    EdgesTab* edgesTab() const { return m_edges; }
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

private:
    void revalidate();
    void renderPreview();
    void fill();

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
    QTextBrowser* m_preview;
    EmbeddingTab* m_embedding;
    EntitiesTab* m_entities;
    EdgesTab* m_edges;
    bool m_previewStale = true;
    QLabel* m_problem;
    QPushButton* m_save;
    QPushButton* m_discard;
    bool m_filling = false;
    QString m_summarizedFor;
};

} // namespace Inspector
