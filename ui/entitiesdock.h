// SPDX-License-Identifier: MIT
#pragma once

#include "memorytablemodel.h"

#include <QDockWidget>
#include <QTimer>

#include <memory>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace Inspector {

/**
 * View ▸ Entities: the knowledge graph of the open store (spec §14.1): its entities (type, name, aliases,
 * mention count, confidence), searchable and sorted by the store, at most kLimit at a time so a graph of 100,000
 * entities costs one page; and the selected entity's relationships. Everything is read as jobs on the store's
 * worker, only while the dock is shown. Choosing an entity (double-click, Enter, Show Memories) asks to filter
 * the table to the memories that mention it (filterRequested with its id).
 */
class EntitiesDock : public QDockWidget
{
    Q_OBJECT
public:
    static constexpr int kLimit = 1000;

    explicit EntitiesDock(MemoryTableModel* model, QWidget* parent = nullptr);
    ~EntitiesDock() override;

    /// Reads the entities again (another store, a refresh, another graph file).
    void reload();
    /// Reads the graph from this graph.db from now on (SQLite and folder stores), then reloads.
    void useGraphFile(const QString& path);
    void setSearch(const QString& text);
    /// The entities listed, for tests and the tour.
    const QList<GraphEntity>& entities() const { return m_entities; }
    const QList<GraphRelationship>& relationships() const { return m_relationships; }
    qint64 total() const { return m_total; }
    QString statusText() const;
    bool isBusy() const { return m_listJob != 0 || m_relationsJob != 0; }
    /// Selects the entity at this row of the list (its relationships are read).
    void selectRow(int row);
    /// Chooses the entity at this row: filterRequested.
    void chooseRow(int row);

Q_SIGNALS:
    /// Show the memories that mention this entity.
    void filterRequested(const QString& entityId);
    /// A list or a relationship set arrived (or why it did not).
    void updated();

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct ListResult;
    struct RelationsResult;
    void fetchList();
    void fetchRelations(const QString& entityId);
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);
    void fillList();
    void fillRelations();
    EntityQuery currentQuery() const;

    MemoryTableModel* m_model;
    QLineEdit* m_search;
    QPushButton* m_show;
    QLabel* m_status;
    QTreeWidget* m_list;
    QLabel* m_relationsTitle;
    QTreeWidget* m_relations;
    QTimer m_searchDelay;
    bool m_stale = true;
    QString m_graphFile; ///< chosen graph.db, set on the worker before the next list
    RequestId m_listJob = 0;
    RequestId m_relationsJob = 0;
    std::shared_ptr<ListResult> m_listResult;
    std::shared_ptr<RelationsResult> m_relationsResult;
    QList<GraphEntity> m_entities;
    qint64 m_total = 0;
    QString m_unavailable;
    QString m_relationsFor;
    QList<GraphRelationship> m_relationships;
};

} // namespace Inspector
