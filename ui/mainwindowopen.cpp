// SPDX-License-Identifier: MIT
// Opening a store in the window: the launch's store (asked for before the widgets are made), the default store,
// and any other, with what goes around the open (the docks, the filter, the title).
#include "mainwindow.h"

#include "entitiesdock.h"
#include "memorytablemodel.h"
#include "messagebar.h"
#include "overviewdock.h"
#include "startuptrace.h"
#include "storecontroller.h"
#include "storehealthdock.h"

#include <QAction>
#include <QEvent>
#include <QSettings>
#include <QTableView>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
/// The longest the launch's count waits for the first rows to be painted (a window that is not shown, a store with
/// no rows).
constexpr int kLaunchCountWaitMs = 250;

/// Lets the model's held count go once the table has painted rows, after that paint.
class CountAfterFirstRows : public QObject
{
public:
    CountAfterFirstRows(QWidget* viewport, MemoryTableModel* model)
        : QObject(viewport)
        , m_model(model)
    {
        viewport->installEventFilter(this);
    }
    bool eventFilter(QObject*, QEvent* event) override
    {
        if (event->type() == QEvent::Paint && m_model->rowCount() > 0) {
            QTimer::singleShot(0, m_model, &MemoryTableModel::releaseCount);
            deleteLater();
        }
        return false;
    }

private:
    MemoryTableModel* m_model;
};
} // namespace

std::optional<MainWindow::Launch> MainWindow::beginLaunch(const QString& store)
{
    Launch launch;
    if (store.isEmpty()) {
        std::optional<StoreController::DefaultStore> found = m_store->findDefault();
        if (!found)
            return std::nullopt;
        launch.spec = found->spec;
        launch.origin = found->origin;
        launch.tell = std::move(found->tell);
    } else {
        launch.spec = graphFileStore(store);
        launch.showEntities = launch.spec != store;
    }
    // the filter the window applies once it is made (an empty bar, tombstoned memories hidden, as
    // FilterBar::apply gives it): the page asked for now is then the one the window shows, not one it replaces
    MemoryFilter filter = parseFilter(QString()).filter;
    filter.tombstones = TombstoneFilter::Exclude;
    m_model->setFilter(filter);
    // the count scans the whole store: it waits for the first rows to be on screen (finishLaunch)
    m_model->holdCount(kLaunchCountWaitMs);
    m_store->open(launch.spec, launch.origin);
    startupMark("open asked");
    return launch;
}

void MainWindow::finishLaunch(const Launch& launch)
{
    new CountAfterFirstRows(m_table->viewport(), m_model);
    // what openStore() does around the open, now that the docks are there
    m_health->setStore(launch.spec);
    m_overview->setStore(launch.spec);
    storeOpening(false);
    if (launch.showEntities) {
        m_entities->show();
        m_entities->raise();
    }
    if (launch.tell)
        launch.tell();
}

void MainWindow::openDefaultStore()
{
    m_store->openDefault();
}

void MainWindow::openStore(const QString& spec, const QString& origin)
{
    if (const QString store = storeForGraphFile(spec); store != spec)
        return openStore(store, origin);
    const bool sameStore = spec == m_store->spec();
    // edits in the pane belong to the open store: settled before it goes, or a later Save would write them into
    // another store's memory of the same id; reopening the same store refills the pane, so it asks too
    if (!mayLeaveStore([this, spec, origin] { openStore(spec, origin); }))
        return;
    if (!sameStore) {
        m_store->leave();
        // jumps are between memories of the store they were made in
        m_back.clear();
        m_forward.clear();
        m_jumpFilter.clear();
    }
    m_pendingGoTo.clear();
    m_locating.clear();
    m_pendingRow = -1;
    // the dock lets go of the old store's job before the new store's requests are sent
    if (sameStore)
        m_health->storeReopened();
    else
        m_health->setStore(spec);
    m_overview->setStore(spec);
    m_store->open(spec, origin);
    storeOpening(sameStore);
}

void MainWindow::storeOpening(bool sameStore)
{
    QSettings settings;
    if (!settings.value(u"overview/introduced"_s).toBool()) {
        // the first store ever opened shows what the overview is; closing it is remembered with the layout
        settings.setValue(u"overview/introduced"_s, true);
        m_overview->show();
        // a third of the window: one column of charts, and the table and detail pane keep the rest
        resizeDocks({m_overview}, {width() / 3}, Qt::Horizontal);
    }
    if (!sameStore) {
        // what the last check of this store in this session found: a badge, and a hint if it found damage
        const qint64 found = m_lastFindings.value(m_store->displaySpec(), -1);
        updateHealthBadge(found);
        if (found > 0)
            m_messages->showMessage(MessageBar::Kind::Info,
                                    tr("The last check of this store found %n findings.", "",
                                       int(qMin<qint64>(found, std::numeric_limits<int>::max()))),
                                    tr("Show"), [this] { showHealth(); });
    }
    applyFilter();
    {
        const QSignalBlocker block(m_editing);
        m_editing->setChecked(m_store->wantsEditing());
    }
    updateTitle();
}

} // namespace Inspector
