// SPDX-License-Identifier: MIT
#include "storeswindow.h"

#include "crossthread.h"
#include "mergedialog.h"
#include "plaintext.h"
#include "storecontroller.h"
#include "visibletext.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMainWindow>
#include <QPushButton>
#include <QSettings>
#include <QThreadPool>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <mutex>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

const auto kScanFoldersKey = u"stores/scanFolders"_s;

/// A path under the home folder as `~/…`: the tail that tells stores apart stays visible.
QString shortPath(const QString& location)
{
    const QString home = QDir::homePath();
    if (!home.isEmpty() && home != "/"_L1 && location.startsWith(home + u'/'))
        return u"~"_s + location.mid(home.size());
    return location;
}

} // namespace

QString StoresWindow::kindText(FoundStoreKind kind)
{
    switch (kind) {
    case FoundStoreKind::Index:
        return StoresWindow::tr("SQLite index");
    case FoundStoreKind::LegacyProjectIndex:
        return StoresWindow::tr("legacy project index");
    case FoundStoreKind::LegacyRepoIndex:
        return StoresWindow::tr("legacy per-repo index");
    case FoundStoreKind::Consolidation:
        return StoresWindow::tr("consolidation store");
    case FoundStoreKind::OrgIndex:
        return StoresWindow::tr("org index");
    case FoundStoreKind::Folder:
        return StoresWindow::tr("folder");
    case FoundStoreKind::Postgres:
        return StoresWindow::tr("PostgreSQL");
    }
    return {};
}

namespace {

QString useText(StoreUse use)
{
    switch (use) {
    case StoreUse::Now:
        return StoresWindow::tr("yes, in use");
    case StoreUse::InRepositories:
        return StoresWindow::tr("in git repositories");
    case StoreUse::OrgScope:
        return StoresWindow::tr("org scope");
    case StoreUse::Consolidation:
        return StoresWindow::tr("consolidation only");
    case StoreUse::Gc:
        return StoresWindow::tr("subcog gc");
    case StoreUse::Forgotten:
        return StoresWindow::tr("no: left by v0.5 or older");
    }
    return {};
}

QString useTip(StoreUse use)
{
    switch (use) {
    case StoreUse::Now:
        return StoresWindow::tr("subcog captures and recalls memories here.");
    case StoreUse::InRepositories:
        return StoresWindow::tr("[storage.project] in subcog's config.toml: used inside git repositories.");
    case StoreUse::OrgScope:
        return StoresWindow::tr("Memories of the org scope.");
    case StoreUse::Consolidation:
        return StoresWindow::tr("Written by subcog consolidate; capture and recall do not read it.");
    case StoreUse::Gc:
        return StoresWindow::tr("The folder subcog gc reads.");
    case StoreUse::Forgotten:
        return StoresWindow::tr("subcog v0.6 moved the index to its data folder without migrating this one: "
                                "nothing reads it any more. Merge Into… copies its memories where subcog looks.");
    }
    return {};
}

} // namespace

/// The window's side of the background work: cleared when the window goes, so a late answer posts nothing.
struct StoresWindow::Link
{
    std::mutex mutex;
    StoresWindow* window = nullptr;

    void post(const std::function<void(StoresWindow*)>& call)
    {
        std::lock_guard lock(mutex);
        if (StoresWindow* to = window)
            CrossThreadCall::post(to, [to, call] { call(to); });
    }
};

StoresWindow::StoresWindow(QWidget* parent)
    : QDialog(parent)
    , m_link(std::make_shared<Link>())
    , m_list(new QTreeWidget(this))
    , m_status(new QLabel(this))
    , m_folders(new QLabel(this))
    , m_open(new QPushButton(tr("&Open"), this))
    , m_merge(new QPushButton(tr("&Merge Into…"), this))
    , m_clearFolders(new QPushButton(tr("&Forget Folders"), this))
{
    m_link->window = this;
    setObjectName(u"storesWindow"_s);
    setWindowTitle(tr("subcog's Stores"));
    m_list->setObjectName(u"storesList"_s);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->setTextElideMode(Qt::ElideMiddle); // a path's end tells stores apart
    m_list->setColumnCount(ColumnCount);
    m_list->setHeaderLabels(
        {tr("Kind"), tr("Location"), tr("Memories"), tr("Last Change"), tr("Layout"), tr("Used by subcog")});
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(LocationColumn, QHeaderView::Stretch);
    m_list->setColumnWidth(KindColumn, 160);
    m_list->setColumnWidth(CountColumn, 90);
    m_list->setColumnWidth(ChangedColumn, 150);
    m_list->setColumnWidth(LayoutColumn, 210);
    m_list->setColumnWidth(UseColumn, 190);
    m_status->setObjectName(u"storesStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText); // notes quote paths, never markup
    m_folders->setObjectName(u"storesFolders"_s);
    m_folders->setWordWrap(true);
    m_folders->setTextFormat(Qt::PlainText);
    m_open->setObjectName(u"storesOpen"_s);
    m_merge->setObjectName(u"storesMerge"_s);
    m_merge->setToolTip(tr("Copy every memory of the selected store into another store, keeping ids: a dry run "
                           "first, then you choose what happens to ids both stores hold"));
    auto* add = new QPushButton(tr("&Add Folder…"), this);
    add->setObjectName(u"storesAddFolder"_s);
    add->setToolTip(tr("Search a folder (and its subfolders) for the <repo>/.subcog/index.db files of subcog v0.5"));
    auto* refresh = new QPushButton(tr("&Refresh"), this);
    connect(add, &QPushButton::clicked, this, &StoresWindow::addFolder);
    connect(m_clearFolders, &QPushButton::clicked, this, [this] {
        setScanFolders({});
        this->refresh();
    });
    connect(refresh, &QPushButton::clicked, this, &StoresWindow::refresh);
    connect(m_open, &QPushButton::clicked, this, [this] {
        const int row = m_list->indexOfTopLevelItem(m_list->currentItem());
        if (row >= 0 && row < m_stores.size())
            Q_EMIT openRequested(m_stores[row].spec, kindText(m_stores[row].kind));
    });
    connect(m_list, &QTreeWidget::itemActivated, m_open, &QPushButton::click);
    connect(m_merge, &QPushButton::clicked, this, &StoresWindow::mergeSelected);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &StoresWindow::updateButtons);

    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folders, 1);
    folderRow->addWidget(add);
    folderRow->addWidget(m_clearFolders);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_open, QDialogButtonBox::ActionRole);
    buttons->addButton(m_merge, QDialogButtonBox::ActionRole);
    buttons->addButton(refresh, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_status);
    layout->addLayout(folderRow);
    layout->addWidget(buttons);
    resize(1180, 420);
    updateFolders();
    updateButtons();
}

StoresWindow::~StoresWindow()
{
    std::lock_guard lock(m_link->mutex);
    m_link->window = nullptr;
}

bool StoresWindow::event(QEvent* event)
{
    return CrossThreadCall::run(this, event) || QDialog::event(event);
}

QStringList StoresWindow::scanFolders()
{
    return QSettings().value(kScanFoldersKey).toStringList();
}

void StoresWindow::setScanFolders(const QStringList& folders)
{
    QSettings settings;
    if (folders.isEmpty())
        settings.remove(kScanFoldersKey);
    else
        settings.setValue(kScanFoldersKey, folders);
}

void StoresWindow::addFolder()
{
    const QString folder
        = QFileDialog::getExistingDirectory(this, tr("Search a Folder for subcog Stores"), QDir::homePath());
    if (folder.isEmpty())
        return;
    QStringList folders = scanFolders();
    if (!folders.contains(folder))
        folders << folder;
    setScanFolders(folders);
    refresh();
}

void StoresWindow::updateFolders()
{
    const QStringList folders = scanFolders();
    QStringList shownFolders;
    for (const QString& folder : folders)
        shownFolders << shortPath(folder);
    m_clearFolders->setEnabled(!folders.isEmpty());
    m_folders->setText(folders.isEmpty()
                           ? tr("Add a folder to search it for the <repo>/.subcog/index.db files subcog v0.5 kept "
                                "in each repository.")
                           : tr("Searched for <repo>/.subcog/index.db: %1").arg(shownFolders.join(u", "_s)));
}

void StoresWindow::updateButtons()
{
    const int row = m_list->indexOfTopLevelItem(m_list->currentItem());
    const bool selected = row >= 0 && row < m_stores.size();
    m_open->setEnabled(selected);
    m_merge->setEnabled(selected && m_stores.size() > 1);
}

void StoresWindow::refresh()
{
    const quint64 generation = ++m_generation;
    m_list->clear();
    m_stores.clear();
    m_pending = 0;
    updateFolders();
    updateButtons();
    m_status->setText(tr("Looking for stores…"));
    const SubcogConfig config = readSubcogConfig();
    const QStringList folders = scanFolders();
    std::shared_ptr<Link> link = m_link;
    tsanReleased(link.get());
    // a search of a large folder takes a while: never on the GUI thread
    QThreadPool::globalInstance()->start([link, config, folders, generation] {
        tsanAcquired(link.get());
        const FoundStores found = findAllStores(config, folders);
        link->post([found, generation](StoresWindow* w) {
            if (w->m_generation == generation)
                w->showFound(found);
        });
    });
}

void StoresWindow::showFound(const FoundStores& found)
{
    m_stores = found.stores;
    m_notes = found.notes;
    m_pending = int(m_stores.size());
    const quint64 generation = m_generation;
    for (int row = 0; row < m_stores.size(); ++row) {
        const FoundStore& store = m_stores[row];
        auto* item = new QTreeWidgetItem(m_list);
        item->setText(KindColumn, kindText(store.kind));
        // a found file's name is shown as written: a bidirectional override in it does not disguise the path
        item->setText(LocationColumn, withVisibleControls(shortPath(store.location)));
        item->setToolTip(LocationColumn,
                         plainToolTip(tr("%1\nFound by: %2").arg(withVisibleControls(store.location), store.foundBy)));
        item->setText(CountColumn, tr("counting…"));
        item->setTextAlignment(CountColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setText(UseColumn, useText(store.use));
        item->setToolTip(UseColumn, useTip(store.use));
        if (store.use == StoreUse::Now) {
            QFont bold = item->font(KindColumn);
            bold.setBold(true);
            for (int c = 0; c < ColumnCount; ++c)
                item->setFont(c, bold);
        }
        // one task a store: a locked or slow store delays only its own row
        std::shared_ptr<Link> link = m_link;
        tsanReleased(link.get());
        QThreadPool::globalInstance()->start([link, store, row, generation] {
            tsanAcquired(link.get());
            const StoreMeasurement m = measureStore(store);
            link->post([m, row, generation](StoresWindow* w) {
                if (w->m_generation == generation)
                    w->showMeasured(row, m);
            });
        });
    }
    if (m_stores.isEmpty())
        m_status->setText(tr("No subcog store was found on this machine.") + u' ' + m_notes.join(u' '));
    else
        m_status->setText(tr("Counting the memories of %n stores…", "", int(m_stores.size())));
    if (m_list->topLevelItemCount() > 0)
        m_list->setCurrentItem(m_list->topLevelItem(0));
    updateButtons();
    if (m_stores.isEmpty())
        Q_EMIT refreshed();
}

void StoresWindow::showMeasured(int row, const StoreMeasurement& m)
{
    QTreeWidgetItem* item = m_list->topLevelItem(row);
    if (!item)
        return;
    const QLocale locale;
    item->setText(CountColumn, m.count ? locale.toString(*m.count) : tr("unreadable"));
    if (m.lastChange)
        item->setText(ChangedColumn, locale.toString(m.lastChange->toLocalTime(), QLocale::ShortFormat));
    else
        item->setText(ChangedColumn, m_stores[row].kind == FoundStoreKind::Postgres ? tr("not measured") : tr("—"));
    QString layout;
    if (m.era == StoreMeasurement::Era::Current)
        layout = tr("current (%1)").arg(m.releases.isEmpty() ? tr("subcog HEAD") : m.releases);
    else if (m.era == StoreMeasurement::Era::Legacy)
        layout = m.releases.isEmpty() ? tr("legacy") : tr("legacy (%1)").arg(m.releases);
    else if (m_stores[row].kind == FoundStoreKind::Folder && m.error.isEmpty())
        layout = tr("JSON files");
    if (!m.error.isEmpty()) {
        // the row names the store already: the reason is what the cell has room for
        const QString prefix = m_stores[row].location + u": "_s;
        layout = m.error.startsWith(prefix) ? m.error.mid(prefix.size()) : m.error;
        for (int c : {CountColumn, LayoutColumn})
            item->setForeground(c, QColor(0xc0, 0x20, 0x20));
        item->setToolTip(CountColumn, plainToolTip(m.error));
    }
    item->setText(LayoutColumn, layout);
    item->setToolTip(LayoutColumn, plainToolTip(m.error.isEmpty() ? m.layout.join(u'\n') : m.error));
    if (--m_pending == 0) {
        QString status = tr("%n stores found.", "", int(m_stores.size()));
        if (!m_notes.isEmpty())
            status += u' ' + m_notes.join(u' ');
        m_status->setText(status);
        Q_EMIT refreshed();
    }
}

MergeDialog* StoresWindow::mergeSelected()
{
    const int row = m_list->indexOfTopLevelItem(m_list->currentItem());
    if (row < 0 || row >= m_stores.size())
        return nullptr;
    QList<FoundStore> others = m_stores;
    others.removeAt(row);
    auto* dialog = new MergeDialog(m_stores[row], others, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &MergeDialog::merged, this, &StoresWindow::refresh);
    dialog->show();
    return dialog;
}

QAction* storesWindowAction(QMainWindow* window, StoreController* controller)
{
    auto* action = new QAction(StoresWindow::tr("su&bcog's Stores…"), window);
    action->setObjectName(u"storesWindowAction"_s);
    action->setStatusTip(StoresWindow::tr("Every store of subcog's on this machine, the forgotten ones of subcog "
                                          "v0.5 too, with counts; open one or merge it into another"));
    QObject::connect(action, &QAction::triggered, window, [window, controller] {
        auto* stores = window->findChild<StoresWindow*>(u"storesWindow"_s, Qt::FindDirectChildrenOnly);
        if (!stores) {
            stores = new StoresWindow(window);
            QObject::connect(stores, &StoresWindow::openRequested, controller, &StoreController::openRequested);
        }
        stores->show();
        stores->raise();
        stores->activateWindow();
        stores->refresh();
    });
    return action;
}

} // namespace Inspector
