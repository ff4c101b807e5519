// SPDX-License-Identifier: MIT
// MainWindow's jumps: Go to ID, links between memories, Back and Forward, and the filter state they restore.
#include "mainwindow.h"

#include "messagebar.h"
#include "visibletext.h"

#include <QAction>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QRegularExpression>
#include <QStatusBar>
#include <QTableView>

using namespace Qt::StringLiterals;

namespace Inspector {

void MainWindow::goToId(const QString& id)
{
    if (id.isEmpty() || !m_model->isOpen())
        return;
    if (!mayLeaveMemory())
        return;
    if (m_filterBar->isApplyPending())
        applyFilter(); // typed just before: the row is looked up in the filter the bar shows
    const Place here = currentPlace();
    if (here.id != id) {
        m_back << here;
        if (m_back.size() > 100)
            m_back.removeFirst();
        m_forward.clear();
    }
    jumpTo(id);
    updateActions();
}

std::optional<qint64> MainWindow::rowNumberIn(const QString& text)
{
    // `#N` or `row N`: an id is never read as a row (subcog's ids can be all digits)
    static const QRegularExpression rowNumber(u"^\\s*(?:#|row\\s+)\\s*([0-9][0-9,. ]*)\\s*$"_s,
                                              QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = rowNumber.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    QString digits = m.captured(1);
    digits.remove(QRegularExpression(u"[,. ]"_s)); // thousands separators as the row numbers may show them
    bool ok = false;
    const qint64 n = digits.toLongLong(&ok);
    if (!ok || n < 1)
        return std::nullopt;
    return n - 1;
}

void MainWindow::goToRow(qint64 row)
{
    if (row < 0 || !m_model->isOpen() || !mayLeaveMemory())
        return;
    if (m_filterBar->isApplyPending())
        applyFilter(); // typed just before: the row is counted in the filter the bar shows
    m_back << currentPlace();
    if (m_back.size() > 100)
        m_back.removeFirst();
    m_forward.clear();
    m_locating.clear();
    m_pendingGoTo.clear();
    if (const auto count = m_model->exactCount(); count && row >= *count) {
        if (*count == 0) {
            updateActions();
            return;
        }
        statusBar()->showMessage(tr("There are %Ln rows; showing the last.", nullptr,
                                    int(qMin<qint64>(*count, std::numeric_limits<int>::max()))),
                                 5000);
        row = *count - 1;
    }
    // the view asks for the row's pages; the model finds them from the nearest signpost (a keyset seek)
    m_pendingRow = row;
    selectPendingRow();
    updateActions();
}

void MainWindow::goBack()
{
    if (m_back.isEmpty() || !mayLeaveMemory())
        return;
    m_forward << currentPlace();
    restorePlace(m_back.takeLast());
    updateActions();
}

void MainWindow::goForward()
{
    if (m_forward.isEmpty() || !mayLeaveMemory())
        return;
    m_back << currentPlace();
    restorePlace(m_forward.takeLast());
    updateActions();
}

MainWindow::FilterState MainWindow::filterState() const
{
    return FilterState {m_filterBar->state(), m_trash->isChecked(), m_showTombstoned->isChecked()};
}

void MainWindow::setFilterState(const FilterState& state)
{
    {
        const QSignalBlocker b1(m_trash), b2(m_showTombstoned);
        m_filterBar->setState(state.bar);
        m_trash->setChecked(state.trash);
        m_showTombstoned->setChecked(state.tombstoned);
    }
    m_pendingGoTo.clear();
    m_locating.clear();
    m_pendingRow = -1;
    m_jumpId.clear();
    m_messages->dismiss(m_goToNotice);
    applyFilter();
}

MainWindow::Place MainWindow::currentPlace() const
{
    QString id = !m_locating.isEmpty() ? m_locating : m_pendingGoTo;
    if (id.isEmpty() && m_table->currentIndex().isValid())
        id = m_model->data(m_table->currentIndex(), MemoryTableModel::IdRole).toString();
    return Place {filterState(), id};
}

bool MainWindow::mayLeaveMemory()
{
    // asked before a jump changes the filter or the row, not after: staying must leave everything as it was
    if (m_settling)
        return false;
    m_settling = true;
    const bool leave = settleUnsavedEdits() != Leave::Stay;
    m_settling = false;
    return leave;
}

void MainWindow::restorePlace(const Place& place)
{
    // also when the bar already says so: a jump to an id the bar cannot spell filters without words in it
    setFilterState(place.filter);
    if (!place.id.isEmpty()) {
        jumpTo(place.id, false);
    } else {
        m_table->selectionModel()->clear();
        m_table->scrollToTop();
    }
}

void MainWindow::jumpTo(const QString& id, bool orShowOnly)
{
    m_pendingRow = -1;
    m_locating.clear();
    const int row = m_model->loadedRowOf(id);
    if (row >= 0) {
        m_pendingGoTo.clear();
        const QModelIndex index = m_model->index(row, qMax(0, m_table->currentIndex().column()));
        m_table->selectionModel()->setCurrentIndex(index,
                                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_table->scrollTo(index);
        return;
    }
    // its row in the current order, counted on the sort index by the store
    m_pendingGoTo.clear();
    m_locating = id;
    m_locatingOrShowOnly = orShowOnly;
    m_model->locate(id);
    statusBar()->showMessage(tr("Finding memory %1…").arg(withVisibleControls(id)), 3000);
}

void MainWindow::onLocated(const QString& id, qint64 row)
{
    if (id != m_locating)
        return;
    m_locating.clear();
    if (statusBar()->currentMessage() == tr("Finding memory %1…").arg(withVisibleControls(id)))
        statusBar()->clearMessage(); // found (or not): the search is over
    if (row >= 0) {
        m_pendingGoTo = id;
        m_pendingRow = row;
        selectPendingRow();
    } else if (m_locatingOrShowOnly) {
        showOnly(id);
    } else {
        statusBar()->showMessage(tr("Memory %1 is not among the rows of this filter").arg(withVisibleControls(id)),
                                 5000);
    }
}

void MainWindow::selectPendingRow()
{
    // before the count, the table grows as pages come; the row is selected once it is there
    if (m_pendingRow < 0)
        return;
    if (const auto count = m_model->exactCount(); m_pendingGoTo.isEmpty() && count && m_pendingRow >= *count)
        m_pendingRow = *count - 1; // Go to row past the end of a count that arrived after it
    if (m_pendingRow < 0 || m_pendingRow >= m_model->rowCount())
        return;
    const int row = int(std::exchange(m_pendingRow, -1));
    // the rows around it are asked for before the view moves there and paints them as loading (a screenful each
    // side: near either end the row is not in the middle)
    const int screen = m_table->viewport()->height() / qMax(1, m_table->verticalHeader()->defaultSectionSize()) + 1;
    m_model->prefetchRows(row - screen, row + screen);
    const QModelIndex index = m_model->index(row, qMax(0, m_table->currentIndex().column()));
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

void MainWindow::showOnly(const QString& id)
{
    FilterState state;
    static const QRegularExpression unsafe(u"[\\s,]"_s);
    if (!id.contains(unsafe)) {
        // the filter bar says what is in force: an `id:` word, which clearing the filter removes
        state.bar.text = u"id:"_s + id;
        m_jumpFilter = state.bar.text;
        setFilterState(state);
        m_jumpId = id;
        m_goToNotice = tr("Memory %1 is not among the rows of the filter, so the filter now shows it alone. "
                          "Alt+Left goes back; F5 or clearing the filter shows every memory.")
                           .arg(id);
    } else {
        // an id the filter language cannot spell (spaces, commas) is shown without words in the bar
        setFilterState(state);
        MemoryFilter f;
        f.ids = {id};
        f.tombstones = TombstoneFilter::Include;
        m_jumpFilter.clear();
        m_jumpId = id;
        m_model->setFilter(f);
        m_goToNotice = tr("Showing only memory %1. Clear or edit the filter to see the others.").arg(id);
    }
    m_pendingGoTo = id;
    m_messages->showMessage(MessageBar::Kind::Info, m_goToNotice);
    updateStatus();
}

void MainWindow::refreshOrLeaveJump()
{
    const bool jumped = (!m_jumpFilter.isEmpty() && m_filterBar->text() == m_jumpFilter)
        || (m_model->filter().ids.size() == 1 && m_filterBar->text().isEmpty());
    if (!jumped) {
        m_model->refresh();
        return;
    }
    // the jump's filter goes, the memory stays selected where the whole store has it
    const QString id = currentPlace().id;
    m_jumpFilter.clear();
    FilterState state = filterState();
    state.bar.text.clear();
    setFilterState(state);
    if (!id.isEmpty())
        jumpTo(id, false);
}

} // namespace Inspector
