// SPDX-License-Identifier: MIT
// Walks the inspector window through its main views on a generated store and takes a screenshot of the whole
// X screen (imagemagick's `import -window root`) at each step, for review. Run under Xvfb: scripts/screenshots.
#include "connectdialog.h"
#include "detailpane.h"
#include "edgestab.h"
#include "fixturegenerator.h"
#include "lineagedock.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "overviewdock.h"
#include "sqlite/sqlitebackend.h"
#include "storehealthdock.h"
#include "translations.h"

#include <QAction>
#include <QApplication>
#include <QChartView>
#include <QDir>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QUndoStack>

#include <algorithm>
#include <tuple>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
void settle(int ms = 400)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

template<typename F>
void waitFor(F&& done)
{
    QElapsedTimer timer;
    timer.start();
    while (!done() && timer.elapsed() < 30000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

void shoot(const QString& dir, const QString& name)
{
    settle();
    const QString path = QDir(dir).filePath(name + u".png"_s);
    if (QProcess::execute(u"import"_s, {u"-window"_s, u"root"_s, path}) != 0)
        qFatal("import failed (install imagemagick and run under Xvfb)");
    QTextStream(stdout) << path << Qt::endl;
}

QAction* action(QWidget& w, const QString& text)
{
    for (QAction* a : w.findChildren<QAction*>()) {
        if (a->text().remove(u'&') == text)
            return a;
    }
    qFatal("no action %s", qPrintable(text));
}
} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"subcog"_s);
    QCoreApplication::setApplicationName(u"subcog-inspector-tour"_s);
    installTranslations();
    const QString out = app.arguments().value(1, u"screenshots"_s);
    QDir().mkpath(out);
    QTemporaryDir scratch;
    qputenv("XDG_CONFIG_HOME", scratch.filePath(u"config"_s).toUtf8());

    Fixtures::GeneratorOptions options;
    options.count = 2000;
    options.anomalies = true;
    options.largeMemories = 1;
    const QString store = scratch.filePath(u"index.db"_s);
    const auto generated = Fixtures::writeSqliteStore(store, Fixtures::SqliteLayout::Head, options);
    {
        // a few memories in the Trash, and one with Markdown worth previewing
        auto backend = SqliteBackend::open(store);
        for (int i = 5; i < 9; ++i) {
            if (auto m = backend->get(generated.truth.at(i).id)) {
                m->status = u"tombstoned"_s;
                m->tombstonedAt = m->createdAt + 3600;
                backend->store(*m);
            }
        }
    }

    {
        // captures spread over most of a year, as in a store in use (the generator dates them all in one week), so
        // the Store Overview's weekly chart has weeks to show; the newest keep their time
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"spread"_s);
        db.setDatabaseName(store);
        if (db.open())
            QSqlQuery(db).exec(u"UPDATE memories SET created_at = created_at - (rowid * 7919 % 330) * 86400 "
                               "WHERE created_at > 1000000000"_s);
    }
    QSqlDatabase::removeDatabase(u"spread"_s);
    // a summary whose edges to its first source were lost (subcog rewrote the source), which supersedes another
    // memory and has a related_to edge to a memory that is gone: the Edges tab and the lineage have all of it
    QString summaryId;
    for (const Memory& m : generated.truth) {
        if (m.isSummary && m.sourceMemoryIds && m.sourceMemoryIds->size() >= 2 && !m.isTombstoned()) {
            summaryId = m.id;
            break;
        }
    }
    if (!summaryId.isEmpty()) {
        const Memory summary = *std::find_if(generated.truth.begin(), generated.truth.end(),
                                             [&](const Memory& m) { return m.id == summaryId; });
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"edges"_s);
        db.setDatabaseName(store);
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(u"DELETE FROM memory_edges WHERE (from_id = ? AND to_id = ?) OR (from_id = ? AND to_id = ?)"_s);
            const QString lost = summary.sourceMemoryIds->first();
            q.addBindValue(lost);
            q.addBindValue(summaryId);
            q.addBindValue(summaryId);
            q.addBindValue(lost);
            q.exec();
            const QString older = generated.truth.at(40).id;
            q.prepare(
                u"INSERT OR IGNORE INTO memory_edges (from_id, to_id, edge_type, created_at) VALUES (?, ?, ?, ?)"_s);
            for (const auto& [from, to, type] : {std::tuple {summaryId, older, u"supersedes"_s},
                                                 std::tuple {summaryId, u"mem_gone_0001"_s, u"related_to"_s},
                                                 std::tuple {generated.truth.at(41).id, older, u"contradicts"_s}}) {
                q.addBindValue(from);
                q.addBindValue(to);
                q.addBindValue(type);
                q.addBindValue(summary.createdAt + 60);
                q.exec();
            }
        }
    }
    QSqlDatabase::removeDatabase(u"edges"_s);

    MainWindow window;
    window.resize(1280, 800);
    window.move(0, 0);
    window.show();
    window.resetLayout(); // the first-run layout, at the size most laptops offer
    window.openStore(u"sqlite:"_s + store);
    waitFor([&] { return window.model()->exactCount() && !window.model()->isBusy(); });
    // the overview opens with the first store; the views before it are shot without it (it has its own below)
    window.overviewDock()->hide();
    window.table()->selectionModel()->setCurrentIndex(window.model()->index(2, 0),
                                                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    shoot(out, u"01-main-window"_s);

    // the detail pane on a long Markdown memory, rendered
    QString longId;
    for (const Memory& m : generated.truth) {
        if (m.content.size() > 50000) {
            longId = m.id;
            break;
        }
    }
    if (!longId.isEmpty())
        window.goToId(longId);
    waitFor([&] { return window.detailPane()->memory() && window.detailPane()->memory()->id == longId; });
    window.detailPane()->findChild<QTabWidget*>()->setCurrentIndex(1);
    shoot(out, u"02-detail-pane-markdown"_s);
    window.detailPane()->findChild<QTabWidget*>()->setCurrentIndex(0);

    // the Edges tab of a summary with lost edges, a dangling one and a supersedes edge; then View ▸ Lineage
    if (!summaryId.isEmpty()) {
        window.goToId(summaryId);
        waitFor([&] { return window.detailPane()->memory() && window.detailPane()->memory()->id == summaryId; });
        EdgesTab* edges = window.detailPane()->edgesTab();
        window.detailPane()->findChild<QTabWidget*>()->setCurrentWidget(edges);
        waitFor([&] { return edges->edges() && edges->edges()->id == summaryId && !edges->isBusy(); });
        shoot(out, u"20-detail-pane-edges"_s);
        LineageDock* lineage = window.lineageDock();
        lineage->show();
        window.resizeDocks({lineage}, {window.width() / 2}, Qt::Horizontal);
        waitFor([&] { return lineage->lineage() && lineage->lineage()->centre == summaryId && !lineage->isBusy(); });
        shoot(out, u"21-lineage"_s);
        lineage->hide();
        window.detailPane()->findChild<QTabWidget*>()->setCurrentIndex(0);
        window.goBack(); // the jump's id: filter goes
        waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });
    }

    // filtering with a word the language does not know
    window.filterEdit()->setText(u"ns:decisions tag:rust colour:blue"_s);
    waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });
    settle(600);
    shoot(out, u"03-filter-bar"_s);
    window.filterEdit()->clear();

    // a context menu on a cell (of a row that is loaded: under load the filter's rows come late)
    waitFor([&] { return !window.model()->isBusy() && window.model()->memoryAt(3).has_value(); });
    window.table()->selectionModel()->setCurrentIndex(window.model()->index(3, 1),
                                                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    settle(300);
    if (QMenu* menu = window.contextMenuFor(window.model()->index(3, 1))) {
        const QRect cell = window.table()->visualRect(window.model()->index(3, 1));
        menu->popup(window.table()->viewport()->mapToGlobal(cell.center()));
        settle(400);
        shoot(out, u"08-context-menu"_s);
        menu->close();
        delete menu;
    }

    // Go to ID on a memory the filter leaves out: the jump is an id: word in the filter bar
    window.filterEdit()->setText(u"ns:decisions"_s);
    settle(400);
    waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });
    QString outside;
    for (const Memory& m : generated.truth) {
        if (m.effectiveNamespace() != Namespace::Decisions && !m.isTombstoned() && m.content.size() < 2000) {
            outside = m.id;
            break;
        }
    }
    window.goToId(outside);
    waitFor([&] { return window.detailPane()->memory() && window.detailPane()->memory()->id == outside; });
    shoot(out, u"11-jump-in-filter-bar"_s);
    window.goBack();
    waitFor([&] { return !window.model()->isBusy(); });

    // a time filter that matches nothing says how old the newest memory is
    window.filterEdit()->setText(u"ns:decisions since:1h"_s);
    settle(400);
    waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });
    settle(600);
    shoot(out, u"12-empty-since-hint"_s);
    window.filterEdit()->clear();
    waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });

    // editing on, the Trash
    window.setEditing(true);
    // the store is opened again for writing: its rows come back before one can be chosen
    waitFor([&] {
        return window.isEditing() && !window.model()->isBusy() && window.model()->rowCount() > 5
            && window.model()->memoryAt(1);
    });

    // leaving a memory with unsaved changes
    window.table()->selectionModel()->setCurrentIndex(window.model()->index(1, 0),
                                                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    settle(300);
    if (auto* branch = window.detailPane()->findChild<QLineEdit*>(u"field_branch"_s)) {
        branch->setFocus();
        branch->selectAll();
        QTest::keyClicks(branch, u"feature/renamed"_s); // typed, as a person does: the pane sees an edit
        QTimer::singleShot(800, &window, [&] {
            shoot(out, u"09-unsaved-changes-prompt"_s);
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget()))
                box->button(QMessageBox::Discard)->click();
        });
        window.table()->selectionModel()->setCurrentIndex(
            window.model()->index(2, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    settle(300);

    // a delete leaves nothing selected and offers Undo
    window.table()->selectionModel()->select(QItemSelection(window.model()->index(3, 0), window.model()->index(4, 0)),
                                             QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    window.deleteSelection(false);
    waitFor([&] { return !window.model()->isBusy(); });
    settle(400);
    shoot(out, u"10-deleted-with-undo"_s);
    window.model()->undoStack()->undo();
    waitFor([&] { return !window.model()->isBusy(); });
    action(window, u"Trash"_s)->trigger();
    waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });
    window.table()->selectAll();
    shoot(out, u"04-trash-view"_s);
    window.restoreSelection();
    waitFor([&] { return !window.model()->isBusy(); });
    action(window, u"Trash"_s)->trigger();
    waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });
    window.table()->selectionModel()->setCurrentIndex(window.model()->index(0, 0),
                                                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    shoot(out, u"05-editing-after-restore-undo-named"_s);

    // Tools ▸ Check Store…: the health dock with findings, a fix preview, and the badge in the status bar
    {
        StoreHealthDock* dock = window.healthDock();
        action(window, u"Check Store…"_s)->trigger();
        waitFor([&] { return dock->lastTotal() >= 0; });
        QTreeWidget* tree = dock->tree();
        QTreeWidgetItem* repairable = nullptr;
        // expired-active has many findings here (a preview of its first 100) and is an undo step
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            const QString cls = tree->topLevelItem(i)->text(0);
            if (cls == "expired-active"_L1 || (!repairable && sqliteRepairableClasses().contains(cls)))
                repairable = tree->topLevelItem(i);
        }
        if (repairable) {
            repairable->setExpanded(true);
            tree->setCurrentItem(repairable);
            tree->scrollToItem(repairable, QAbstractItemView::PositionAtTop);
        }
        shoot(out, u"13-check-store"_s);
        if (repairable) {
            QDialog* preview = nullptr;
            QObject::connect(dock, &StoreHealthDock::previewReady, &window, [&](QDialog* d) { preview = d; });
            dock->fixButton()->click();
            waitFor([&] { return preview != nullptr; });
            settle(300);
            shoot(out, u"14-fix-preview"_s);
            if (preview)
                preview->reject();
        }
        dock->hide();
        shoot(out, u"15-health-badge"_s);
    }

    // View ▸ Store Overview beside the table, then filtered to one namespace in a dark palette
    {
        OverviewDock* overview = window.overviewDock();
        overview->show();
        window.resizeDocks({overview}, {window.width() / 3}, Qt::Horizontal);
        waitFor([&] { return overview->stats() && !overview->isBusy(); });
        shoot(out, u"16-store-overview"_s);
        // further down: captures per week and the top tags
        if (QChartView* weeks = overview->chartView(u"weeks"_s)) {
            overview->findChild<QScrollArea*>()->ensureWidgetVisible(weeks, 0, 40);
            overview->findChild<QScrollArea*>()->verticalScrollBar()->setValue(weeks->parentWidget()->pos().y());
        }
        shoot(out, u"18-store-overview-weeks"_s);
        QScrollBar* scroll = overview->findChild<QScrollArea*>()->verticalScrollBar();
        scroll->setValue(scroll->maximum());
        shoot(out, u"19-store-overview-bottom"_s);
        scroll->setValue(0);
        const QPalette light = QApplication::palette();
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x2d, 0x2d, 0x30));
        dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
        dark.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2a, 0x2a));
        dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
        dark.setColor(QPalette::Button, QColor(0x3a, 0x3a, 0x3d));
        dark.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
        dark.setColor(QPalette::Highlight, QColor(0x3d, 0x6a, 0x9e));
        dark.setColor(QPalette::HighlightedText, Qt::white);
        dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
        dark.setColor(QPalette::Mid, QColor(0x55, 0x55, 0x58));
        QApplication::setPalette(dark);
        window.filterEdit()->setText(u"ns:decisions"_s);
        QTest::keyClick(window.filterEdit(), Qt::Key_Return);
        settle(300);
        waitFor([&] {
            return !window.model()->isBusy() && !overview->isBusy()
                && overview->statsFilter() == window.model()->filter();
        });
        shoot(out, u"17-store-overview-dark-filtered"_s);
        QApplication::setPalette(light);
        window.filterEdit()->clear();
        QTest::keyClick(window.filterEdit(), Qt::Key_Return);
        waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });
        overview->hide();
    }

    // the PostgreSQL dialog
    ConnectDialog dialog(&window);
    dialog.setFromUrl(u"postgresql://ana@db.example:5432/subcog?sslmode=require"_s);
    dialog.show();
    dialog.move(420, 220);
    shoot(out, u"06-postgres-dialog"_s);
    dialog.close();

    // an error in the message bar: a file that is not a store
    QFile junk(scratch.filePath(u"not-a-store.db"_s));
    junk.open(QIODevice::WriteOnly);
    junk.write(QByteArray(4096, 'x'));
    junk.close();
    window.openStore(u"sqlite:"_s + junk.fileName());
    waitFor([&] { return window.messageBar()->isVisible() && window.messageBar()->kind() == MessageBar::Kind::Error; });
    shoot(out, u"07-error-bar"_s);
    return 0;
}
