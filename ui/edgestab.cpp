// SPDX-License-Identifier: MIT
#include "edgestab.h"

#include "appearance.h"
#include "plaintext.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QTreeWidget>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

#include <climits>
#include <utility>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
enum Column
{
    Direction,
    Type,
    Other,
    Created,
    FirstLine, // last: it takes what the pane's width leaves
    ColumnCount,
};
constexpr int kIdRole = Qt::UserRole;

/// "Rebuild edges" as one step on the window's undo stack: undo removes exactly the edges the rebuild inserted
/// (those still there as written), redo inserts them again (those still missing).
class RebuildEdgesCommand : public QUndoCommand
{
public:
    RebuildEdgesCommand(EdgesTab* tab, QList<MemoryEdge> created, const QString& text)
        : QUndoCommand(text)
        , m_tab(tab)
        , m_created(std::move(created))
    {
    }
    void undo() override
    {
        if (m_tab)
            m_tab->applyEdges(m_created, false, EdgesTab::tr("Undo %1").arg(text()));
    }
    void redo() override
    {
        // pushed after the rebuild ran: the first redo is the rebuild itself
        if (std::exchange(m_first, false))
            return;
        if (m_tab)
            m_tab->applyEdges(m_created, true, EdgesTab::tr("Redo %1").arg(text()));
    }

private:
    QPointer<EdgesTab> m_tab;
    QList<MemoryEdge> m_created;
    bool m_first = true;
};

QString when(qint64 seconds)
{
    // as the table shows times, in local time
    return QDateTime::fromSecsSinceEpoch(seconds).toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
}
} // namespace

EdgesTab::EdgesTab(QWidget* parent)
    : QWidget(parent)
    , m_status(new QLabel(this))
    , m_rebuild(new QPushButton(tr("Rebuild Edges"), this))
    , m_list(new QTreeWidget(this))
{
    setObjectName(u"edgesTab"_s);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    auto* top = new QHBoxLayout;
    m_status->setObjectName(u"edgesStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    top->addWidget(m_status, 1);
    m_rebuild->setObjectName(u"rebuildEdges"_s);
    m_rebuild->setToolTip(tr("Re-create this summary's missing source_of / summarized_by edges from "
                             "source_memory_ids (Edit ▸ Undo removes them again)"));
    m_rebuild->hide();
    top->addWidget(m_rebuild, 0, Qt::AlignTop);
    layout->addLayout(top);
    m_list->setObjectName(u"edgesList"_s);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->setHeaderLabels({tr("Direction"), tr("Type"), tr("Memory"), tr("Created"), tr("First line")});
    m_list->headerItem()->setToolTip(Direction, tr("→ this memory is the edge's from_id; ← its to_id"));
    m_list->headerItem()->setToolTip(Created,
                                     tr("The edge's created_at, or where a relation not in memory_edges "
                                        "comes from"));
    m_list->header()->setStretchLastSection(true);
    m_list->setColumnWidth(Direction, 66);
    m_list->setColumnWidth(Type, 110);
    m_list->setColumnWidth(Other, 106);
    m_list->setColumnWidth(Created, 128);
    layout->addWidget(m_list, 1);
    connect(m_list, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const QString id = item->data(Other, kIdRole).toString();
        if (!id.isEmpty())
            Q_EMIT memoryActivated(id);
    });
    connect(m_rebuild, &QPushButton::clicked, this, &EdgesTab::rebuild);
    fill();
}

void EdgesTab::setModel(MemoryTableModel* model)
{
    m_model = model;
    connect(m_model, &MemoryTableModel::jobFinished, this, &EdgesTab::onJobFinished);
    // the store that ran them is gone: their answers never come, and must not wait for one
    connect(m_model, &MemoryTableModel::storeOpened, this, [this] {
        m_writes.clear();
        m_job = 0;
        m_digestJob = 0;
        fill();
    });
    // another store, or the same one read again: what is shown may be gone
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_stale = !m_id.isEmpty();
        if (isVisible())
            send();
    });
}

void EdgesTab::setMemoryId(const QString& id)
{
    if (id == m_id && (m_edges || m_job))
        return; // the same memory refreshed in the table: its edges are read when asked to
    m_id = id;
    m_edges.reset();
    m_error.clear();
    m_note.clear();
    m_summaries.clear();
    m_summaryDigests.clear();
    m_stale = !id.isEmpty();
    if (m_job) {
        m_model->cancelFetch(m_job);
        m_job = 0;
    }
    if (isVisible())
        send();
    fill();
}

void EdgesTab::setSummarizedBy(const QString& id, const QStringList& summaryIds)
{
    if (id != m_id || !m_model)
        return;
    m_summaries = summaryIds;
    QStringList unknown;
    for (const QString& s : summaryIds) {
        if (!m_summaryDigests.contains(s))
            unknown.append(s);
    }
    if (!unknown.isEmpty()) {
        if (m_digestJob)
            m_model->cancelFetch(m_digestJob);
        auto result = std::make_shared<QHash<QString, MemoryDigest>>();
        m_digestResult = result;
        m_digestJob = m_model->runJob([result, unknown](PersistenceBackend& store, const auto&) {
            *result = readDigests(store, unknown);
            return QString();
        });
    }
    fill();
}

void EdgesTab::setEditable(bool editable)
{
    m_editable = editable;
    fill();
}

void EdgesTab::reload()
{
    m_stale = !m_id.isEmpty();
    if (isVisible())
        send();
}

void EdgesTab::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale)
        send();
}

void EdgesTab::send()
{
    if (!m_model || !m_model->isOpen() || m_id.isEmpty() || !m_stale)
        return;
    m_stale = false;
    if (m_job)
        m_model->cancelFetch(m_job);
    auto result = std::make_shared<MemoryEdges>();
    m_result = result;
    const QString id = m_id;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    m_job = m_model->runJob([result, id, now](PersistenceBackend& store, const auto&) {
        *result = readMemoryEdges(store, id, now);
        return QString();
    });
    fill();
}

void EdgesTab::rebuild()
{
    if (!m_model || !m_model->isEditingEnabled() || !m_edges || m_edges->missing.isEmpty())
        return;
    Write w;
    w.done = std::make_shared<QList<MemoryEdge>>();
    w.what = tr("Rebuild edges of %1").arg(m_id);
    w.add = true;
    w.rebuild = true;
    const auto done = w.done;
    const QString id = m_id;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    // what is missing is read again on the worker: only edges still missing when it writes are inserted
    const RequestId job = m_model->runJob([done, id, now](PersistenceBackend& store, const auto&) {
        const MemoryEdges current = readMemoryEdges(store, id, now);
        *done = store.addEdges(current.missing);
        return QString();
    });
    if (job)
        m_writes.insert(job, w);
    fill();
}

void EdgesTab::applyEdges(const QList<MemoryEdge>& edges, bool add, const QString& what)
{
    if (!m_model)
        return;
    Write w;
    w.done = std::make_shared<QList<MemoryEdge>>();
    w.asked = std::make_shared<QList<MemoryEdge>>(edges);
    w.what = what;
    w.add = add;
    const auto done = w.done;
    const RequestId job = m_model->runJob([done, edges, add](PersistenceBackend& store, const auto&) {
        *done = add ? store.addEdges(edges) : store.removeEdges(edges);
        return QString();
    });
    if (job)
        m_writes.insert(job, w);
    fill();
}

void EdgesTab::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (id == 0)
        return;
    if (id == m_digestJob) {
        m_digestJob = 0;
        if (!cancelled && !failed)
            m_summaryDigests.insert(*m_digestResult);
        m_digestResult.reset();
        fill();
        return;
    }
    if (id == m_job) {
        m_job = 0;
        if (failed)
            m_error = tr("The edges could not be read: %1").arg(summary);
        else if (!cancelled)
            m_edges = m_result;
        m_result.reset();
        fill();
        Q_EMIT updated();
        return;
    }
    if (!m_writes.contains(id))
        return;
    const Write w = m_writes.take(id);
    if (failed) {
        m_note = tr("%1 failed: %2").arg(w.what, summary);
    } else if (w.rebuild) {
        m_note = w.done->isEmpty() ? tr("No edge was missing any more.")
                                   : tr("%n edges re-created.", "", int(w.done->size()));
        if (!w.done->isEmpty())
            m_model->undoStack()->push(new RebuildEdgesCommand(this, *w.done, w.what));
    } else {
        m_note = (w.add ? tr("%1: %n edges re-created.", "", int(w.done->size()))
                        : tr("%1: %n edges removed.", "", int(w.done->size())))
                     .arg(w.what);
        const qsizetype left = w.asked->size() - w.done->size();
        if (left > 0)
            m_note += u' ' + tr("%n left as they are (another writer changed them since).", "", int(left));
    }
    if (!failed)
        Q_EMIT edgesChanged();
    m_stale = !m_id.isEmpty();
    send();
    fill();
}

QString EdgesTab::statusText() const
{
    return m_status->text();
}

void EdgesTab::fill()
{
    const bool dark = Appearance::isDark();
    const QColor grey = palette().color(QPalette::Disabled, QPalette::Text);
    const QColor warn = dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x20, 0x20);
    m_list->clear();
    QStringList lines;
    const bool haveAnswer = m_edges && m_edges->id == m_id;
    if (m_id.isEmpty())
        lines << tr("No memory selected.");
    else if (!m_error.isEmpty())
        lines << m_error;
    else if (!haveAnswer)
        lines << tr("Reading the edges…");

    QSet<QString> summariesShown;
    if (haveAnswer) {
        const MemoryEdges& e = *m_edges;
        if (!e.found)
            lines << tr("The memory is not in the store (any more).");
        if (!e.hasEdgeTable)
            lines << tr("This store has no edge table (PostgreSQL and folder stores keep none, nor SQLite before "
                        "subcog v0.6): the relations below come from source_memory_ids.");
        else
            lines << tr("%n edges in memory_edges.", "", int(qMin<qint64>(e.totalEdges, INT_MAX)))
                    + (e.totalEdges > e.rows.size() ? u' ' + tr("The first %1 are listed.").arg(MemoryEdges::kMaxRows)
                                                    : QString());
        if (!e.lostSources.isEmpty())
            lines << tr("Lost edges: memory_edges lacks this summary's edges to %n of its sources (subcog deletes "
                        "a memory's edges whenever it writes the memory again).",
                        "", int(e.lostSources.size()))
                    + (m_editable ? QString() : u' ' + tr("Switch on editing to rebuild them."));
        for (const EdgeRow& row : e.rows) {
            auto* item = new QTreeWidgetItem(m_list);
            item->setText(Direction, row.outgoing ? tr("→ out") : tr("← in"));
            item->setText(Type, row.edgeType);
            if (!EdgeTypes::isKnown(row.edgeType))
                item->setToolTip(Type, tr("Not one of subcog's edge types; kept as it is"));
            item->setText(Other, row.other.id);
            item->setToolTip(Other, plainToolTip(row.other.id));
            if (row.other.exists)
                item->setData(Other, kIdRole, row.other.id);
            QString first = row.other.firstLine;
            if (!row.other.exists) {
                first = tr("(missing: no memory has this id)");
                for (int c = 0; c < ColumnCount; ++c)
                    item->setForeground(c, warn);
            } else if (row.other.tombstoned) {
                first = tr("(tombstoned) %1").arg(first);
                for (int c = 0; c < ColumnCount; ++c)
                    item->setForeground(c, grey);
            }
            item->setText(FirstLine, first);
            item->setToolTip(FirstLine, plainToolTip(first));
            if (row.createdAt) {
                item->setText(Created, when(*row.createdAt));
                item->setToolTip(Created, tr("%1 (Unix seconds)").arg(*row.createdAt));
            } else if (row.lost) {
                item->setText(Created, tr("lost"));
                item->setToolTip(Created, tr("source_memory_ids names this source, memory_edges has no such edge"));
                item->setForeground(Created, warn);
                item->setForeground(Type, warn);
            } else {
                item->setText(Created, tr("source_memory_ids"));
                item->setToolTip(Created, tr("Not an edge row: the summary's source_memory_ids says so"));
            }
            if ((row.outgoing && row.edgeType == EdgeTypes::kSummarizedBy)
                || (!row.outgoing && row.edgeType == EdgeTypes::kSourceOf))
                summariesShown.insert(row.other.id);
        }
        // summaries whose source_memory_ids name this memory and whose edges to it the table does not hold
        for (const QString& s : std::as_const(m_summaries)) {
            if (summariesShown.contains(s))
                continue;
            const MemoryDigest d = m_summaryDigests.value(s);
            auto* item = new QTreeWidgetItem(m_list);
            item->setText(Direction, tr("→ out"));
            item->setText(Type, EdgeTypes::kSummarizedBy);
            item->setText(Other, s);
            item->setData(Other, kIdRole, s);
            item->setText(FirstLine, d.tombstoned ? tr("(tombstoned) %1").arg(d.firstLine) : d.firstLine);
            if (e.hasEdgeTable) {
                item->setText(Created, tr("lost"));
                item->setToolTip(Created,
                                 tr("The summary's source_memory_ids names this memory, memory_edges has no "
                                    "such edge (rebuild it from the summary)"));
                item->setForeground(Created, warn);
                item->setForeground(Type, warn);
            } else {
                item->setText(Created, tr("source_memory_ids"));
            }
        }
        if (m_list->topLevelItemCount() == 0)
            lines << tr("No edges and no summary relations.");
    }
    if (!m_note.isEmpty())
        lines << m_note;
    if (!m_writes.isEmpty())
        lines << tr("Writing the edges…");
    m_status->setText(lines.join(u'\n'));
    const bool canRebuild = haveAnswer && m_edges->hasEdgeTable && !m_edges->missing.isEmpty() && m_editable && m_model;
    m_rebuild->setVisible(canRebuild);
    m_rebuild->setEnabled(canRebuild && m_writes.isEmpty() && m_model->isEditingEnabled());
}

} // namespace Inspector
