// SPDX-License-Identifier: MIT
// MainWindow's table set-up, first-run layout and the view state kept between runs.
#include "mainwindow.h"

#include "celldelegate.h"
#include "detailpane.h"

#include <QHeaderView>
#include <QMenu>
#include <QScreen>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
/// The first-run columns and widths: at 1280×800 (and 1366×768) every visible column, Created included, fits
/// beside the detail pane without scrolling. Domain and project have quick filters and the detail pane.
QList<MemoryColumn> defaultHiddenColumns()
{
    return {MemoryColumn::Domain,          MemoryColumn::Project,        MemoryColumn::Branch,
            MemoryColumn::FilePath,        MemoryColumn::Source,         MemoryColumn::UpdatedAt,
            MemoryColumn::ExpiresAt,       MemoryColumn::TombstonedAt,   MemoryColumn::IsSummary,
            MemoryColumn::SourceMemoryIds, MemoryColumn::ConsolidatedAt, MemoryColumn::GroupId,
            MemoryColumn::Embedding};
}

} // namespace

void MainWindow::setupTable()
{
    m_table->setObjectName(u"memoryTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setWordWrap(false);
    // Tab leaves the table for the detail pane instead of walking its cells
    m_table->setTabKeyNavigation(false);
    // the scrollbar moved far (a drag, a click in its groove, Page Down): the rows it shows are asked for before the
    // view paints them as loading (the view has scrolled already; its own handler of the scrollbar runs first)
    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this, [this] {
        const int top = m_table->rowAt(0);
        if (top < 0)
            return;
        const int bottom = m_table->rowAt(m_table->viewport()->height() - 1);
        m_model->prefetchRows(top, bottom >= 0 ? bottom : m_model->rowCount() - 1);
    });
    m_table->setItemDelegate(new CellDelegate(Qt::ElideRight, m_table));
    // ids are told apart by both ends (`tech-debt_3f0b…4a5b`), so they elide in the middle
    m_table->setItemDelegateForColumn(int(MemoryColumn::Id), new CellDelegate(Qt::ElideMiddle, m_table));
    m_table->setItemDelegateForColumn(int(MemoryColumn::SourceMemoryIds), new CellDelegate(Qt::ElideMiddle, m_table));
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        if (QMenu* menu = contextMenuFor(m_table->indexAt(pos))) {
            menu->setAttribute(Qt::WA_DeleteOnClose);
            menu->popup(m_table->viewport()->mapToGlobal(pos));
        }
    });
    m_table->setAlternatingRowColors(true);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    QHeaderView* header = m_table->horizontalHeader();
    header->setSectionsMovable(true);
    header->setHighlightSections(false);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    header->setSortIndicator(MemoryTableModel::columnForSortKey(SortKey::CreatedAt), Qt::DescendingOrder);
    m_table->setSortingEnabled(true);
    connect(header, &QHeaderView::customContextMenuRequested, this, [this] { chooseColumns(); });
    connect(header, &QHeaderView::sortIndicatorChanged, this, [this, header](int column, Qt::SortOrder) {
        if (!MemoryTableModel::sortKeyForColumn(column)) {
            // sorting happens in the store; only indexed keys are offered
            const QSignalBlocker block(header);
            header->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
            statusBar()->showMessage(tr("Sorting is by Created, ID, Namespace or Status (the store's indexes)"), 5000);
        }
    });
}

void MainWindow::resetLayout()
{
    QHeaderView* header = m_table->horizontalHeader();
    for (int c = 0; c < m_model->columnCount(); ++c) {
        header->moveSection(header->visualIndex(c), c);
        header->setSectionHidden(c, false);
        header->resizeSection(c, 100);
    }
    header->resizeSection(MemoryTableModel::HiddenFromRecallColumn, 160);
    header->setSectionHidden(MemoryTableModel::HiddenFromRecallColumn, true);
    const QFontMetrics fm = m_table->fontMetrics();
    header->resizeSection(int(MemoryColumn::Id), fm.horizontalAdvance(u"0123456789abcd"_s) + 12);
    header->resizeSection(int(MemoryColumn::Namespace), fm.horizontalAdvance(u"performance"_s) + 16);
    header->resizeSection(int(MemoryColumn::Status), fm.horizontalAdvance(u"superseded"_s) + 16);
    header->resizeSection(int(MemoryColumn::CreatedAt), fm.horizontalAdvance(u"2026-12-31 23:59:59"_s) + 16);
    header->resizeSection(int(MemoryColumn::Tags), fm.horizontalAdvance(u"x"_s) * 16 + 16);
    for (const MemoryColumn c : defaultHiddenColumns())
        header->setSectionHidden(int(c), true);
    // the content takes what the table has left once the others are placed
    int others = 0;
    for (int c = 0; c < m_model->columnCount(); ++c) {
        if (c != int(MemoryColumn::Content) && !header->isSectionHidden(c))
            others += header->sectionSize(c);
    }
    const int tableWidth = width() * 62 / 100;
    // the row numbers grow with the store (seven digits at a million rows)
    const int rowNumbers = qMax(m_table->verticalHeader()->sizeHint().width(), fm.horizontalAdvance(u"0000000"_s) + 16);
    const int chrome = rowNumbers + style()->pixelMetric(QStyle::PM_ScrollBarExtent) + 4 * m_table->frameWidth() + 24;
    header->resizeSection(int(MemoryColumn::Content), qMax(160, tableWidth - chrome - others));
    m_splitter->setSizes({tableWidth, width() - tableWidth});
    header->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
}

QSize MainWindow::firstRunSize() const
{
    // 1280×800, or 90 % of a smaller screen's free area (a 1366×768 laptop keeps its panel visible)
    const QRect free = screen() ? screen()->availableGeometry() : QRect(0, 0, 1280, 800);
    return QSize(qMin(1280, free.width() * 9 / 10), qMin(800, free.height() * 9 / 10));
}

void MainWindow::restoreViewState()
{
    QSettings settings;
    // rows kept in memory for scrolling back; pages farther away are read again when needed
    m_model->setCacheCapacityRows(qBound(500, settings.value(u"table/cacheRows"_s, 5000).toInt(), 1000000));
    QHeaderView* header = m_table->horizontalHeader();
    if (!restoreGeometry(settings.value(u"window/geometry"_s).toByteArray()))
        resize(firstRunSize());
    resetLayout();
    restoreState(settings.value(u"window/state"_s).toByteArray());
    m_splitter->restoreState(settings.value(u"window/splitter"_s).toByteArray());
    const QByteArray headerState = settings.value(u"table/header"_s).toByteArray();
    if (!headerState.isEmpty()) {
        header->restoreState(headerState);
        // a state saved before the column existed leaves it as the layout's reset put it: hidden
        header->setSectionHidden(MemoryTableModel::HiddenFromRecallColumn,
                                 !settings.value(u"table/recallColumn"_s, false).toBool());
        // the sort order is the store's, chosen again on open
        header->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
    }
}

void MainWindow::saveViewState()
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, saveState());
    settings.setValue(u"window/splitter"_s, m_splitter->saveState());
    settings.setValue(u"table/header"_s, m_table->horizontalHeader()->saveState());
    settings.setValue(u"table/recallColumn"_s,
                      !m_table->horizontalHeader()->isSectionHidden(MemoryTableModel::HiddenFromRecallColumn));
}

} // namespace Inspector
