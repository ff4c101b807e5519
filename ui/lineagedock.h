// SPDX-License-Identifier: MIT
#pragma once

#include "lineage.h"
#include "memorytablemodel.h"

#include <QDockWidget>

#include <memory>

class QGraphicsScene;
class QGraphicsView;
class QLabel;
class QSpinBox;

namespace Inspector {

/**
 * View ▸ Lineage: the selected memory's neighbourhood (summaries, sources, supersedes/contradicts/… edges, 1–3
 * hops) drawn with Qt's graphics view. A dock rather than a window of its own: it follows the table's selection
 * like the detail pane and is laid out and remembered with the other panes, and it floats as a window of its own
 * when the person wants a bigger picture. The neighbourhood is read on the store's worker (readLineage) only
 * while the dock is shown; a click on a memory selects it in the table (and centres the picture on it).
 */
class LineageDock : public QDockWidget
{
    Q_OBJECT
public:
    explicit LineageDock(MemoryTableModel* model, QWidget* parent = nullptr);

    /// The memory to centre on (empty: none).
    void setMemoryId(const QString& id);
    QString memoryId() const { return m_id; }
    void setHops(int hops);
    int hops() const;
    /// Reads the neighbourhood again (the store's edges changed).
    void reload();

    /// The neighbourhood drawn (nullptr before the first answer).
    const Lineage* lineage() const { return m_lineage.get(); }
    bool isBusy() const { return m_job != 0; }
    QGraphicsView* view() const { return m_view; }
    QGraphicsScene* scene() const { return m_scene; }
    QString statusText() const;

    /// Writes the picture as PNG (twice the screen's pixels) or SVG, replacing `path` atomically; false with the
    /// reason in `error`.
    bool exportPng(const QString& path, QString* error = nullptr) const;
    bool exportSvg(const QString& path, QString* error = nullptr) const;

Q_SIGNALS:
    void memoryActivated(const QString& id);
    /// A neighbourhood arrived and is drawn.
    void updated();

protected:
    void showEvent(QShowEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void send();
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);
    void redraw();
    void fitPicture();
    void askExport(bool svg);

    MemoryTableModel* m_model;
    QString m_id;
    bool m_stale = false;
    RequestId m_job = 0;
    std::shared_ptr<Lineage> m_result;
    std::shared_ptr<Lineage> m_lineage;
    QString m_error;
    QPoint m_pressAt; ///< a release this far from the press is the end of a drag, not a click
    QSpinBox* m_hops;
    QLabel* m_status;
    QGraphicsScene* m_scene;
    QGraphicsView* m_view;
};

} // namespace Inspector
