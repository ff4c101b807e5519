// SPDX-License-Identifier: MIT
#pragma once

#include "memoryedges.h"
#include "memorytablemodel.h"

#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace Inspector {

/**
 * The detail pane's Edges tab: the shown memory's memory_edges rows in both directions (read on the store's
 * worker), the summary relations source_memory_ids states, and a summary's lost edges (spec §15 lost-edge, the
 * rule `check` applies), which "Rebuild edges" re-creates as one step on the window's undo stack.
 */
class EdgesTab : public QWidget
{
    Q_OBJECT
public:
    explicit EdgesTab(QWidget* parent = nullptr);

    /// The window's model: its store's worker runs the reads and writes, its undo stack takes the rebuild.
    void setModel(MemoryTableModel* model);
    /// The memory to show (empty: none). Read when the tab is visible; the same id again is not read again.
    void setMemoryId(const QString& id);
    /// The summaries made from the shown memory (the detail pane's summariesFound look-up).
    void setSummarizedBy(const QString& id, const QStringList& summaryIds);
    void setEditable(bool editable);
    /// Reads the shown memory's edges again.
    void reload();
    /// Re-creates the shown summary's lost edges (editing on, a store with an edge table).
    void rebuild();

    /// The last answer for the shown memory (nullptr while none).
    const MemoryEdges* edges() const { return m_edges.get(); }
    /// A read, a rebuild or an undo of one is with the worker.
    bool isBusy() const { return m_job != 0 || m_digestJob != 0 || !m_writes.isEmpty(); }
    QTreeWidget* list() const { return m_list; }
    QPushButton* rebuildButton() const { return m_rebuild; }
    QString statusText() const;

    /// The undo stack's way in: adds (redo) or removes (undo) exactly these edges, guarded.
    void applyEdges(const QList<MemoryEdge>& edges, bool add, const QString& what);

Q_SIGNALS:
    void memoryActivated(const QString& id);
    /// The store's edges were changed from here (a rebuild, its undo or redo).
    void edgesChanged();
    /// An answer arrived and is shown.
    void updated();

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct Write
    {
        std::shared_ptr<QList<MemoryEdge>> done;
        std::shared_ptr<QList<MemoryEdge>> asked;
        QString what;
        bool add = false;
        bool rebuild = false;
    };
    void send();
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);
    void fill();

    MemoryTableModel* m_model = nullptr;
    QString m_id;
    bool m_stale = false;
    bool m_editable = false;
    RequestId m_job = 0;
    std::shared_ptr<MemoryEdges> m_result;
    std::shared_ptr<MemoryEdges> m_edges;
    QString m_error;
    QString m_note; ///< what the last rebuild or undo did
    QStringList m_summaries; ///< found from the source side for m_id
    RequestId m_digestJob = 0;
    std::shared_ptr<QHash<QString, MemoryDigest>> m_digestResult;
    QHash<QString, MemoryDigest> m_summaryDigests;
    QHash<RequestId, Write> m_writes;
    QLabel* m_status;
    QPushButton* m_rebuild;
    QTreeWidget* m_list;
};

} // namespace Inspector
