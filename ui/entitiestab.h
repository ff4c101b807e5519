// SPDX-License-Identifier: MIT
#pragma once

#include "memorytablemodel.h"

#include <QWidget>

#include <memory>

class QLabel;
class QTreeWidget;

namespace Inspector {

/**
 * The detail pane's Entities tab: the knowledge-graph entities the shown memory mentions (type, name, confidence,
 * matched text; spec §14.1), read with PersistenceBackend::entityMentions as a job on the store's worker, only while
 * the tab is shown. Activating an entity asks to filter the table to it (entityActivated).
 */
class EntitiesTab : public QWidget
{
    Q_OBJECT
public:
    explicit EntitiesTab(QWidget* parent = nullptr);
    ~EntitiesTab() override;

    /// The model whose store is asked (none: the tab stays empty).
    void setModel(MemoryTableModel* model);
    /// The memory shown (empty: none); its mentions are read when the tab is visible.
    void setMemoryId(const QString& id);
    /// The mentions shown, for tests (empty while reading or without a graph).
    const QList<EntityMention>& mentions() const { return m_mentions; }
    /// What the tab says above the list (reading, no graph, the count).
    QString statusText() const;
    /// True while a read is on its way.
    bool isBusy() const { return m_job != 0; }
    /// Asks for the mentions again (the store changed, or its graph did).
    void reload();

Q_SIGNALS:
    /// Filter the table to the memories that mention this entity.
    void entityActivated(const QString& entityId);
    /// The mentions of the current memory arrived (or why they did not).
    void updated();

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct Result;
    void fetch();
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);
    void fill();

    MemoryTableModel* m_model = nullptr;
    QString m_memoryId;
    QString m_shownFor; ///< the memory whose mentions are shown (or asked for)
    RequestId m_job = 0;
    std::shared_ptr<Result> m_result;
    QList<EntityMention> m_mentions;
    QLabel* m_status;
    QTreeWidget* m_list;
};

} // namespace Inspector
