// SPDX-License-Identifier: MIT
// Walks the inspector window through its main views on a generated store and takes a screenshot of the whole
// X screen (imagemagick's `import -window root`) at each step, for review. Run under Xvfb: scripts/screenshots.
#include "bulkeditactions.h"
#include "bulkeditdialog.h"
#include "connectdialog.h"
#include "detailpane.h"
#include "duplicatesdialog.h"
#include "edgestab.h"
#include "embeddingactions.h"
#include "embeddingtab.h"
#include "entitiesdock.h"
#include "entitiestab.h"
#include "fixturegenerator.h"
#include "graphfixture.h"
#include "historytab.h"
#include "lineagedock.h"
#include "mainwindow.h"
#include "mergedialog.h"
#include "messagebar.h"
#include "overviewdock.h"
#include "similarmemoriesdialog.h"
#include "sqlite/sqlitebackend.h"
#include "storehealthdock.h"
#include "storeinfodialog.h"
#include "storeswindow.h"
#include "subcogfilewindow.h"
#include "translations.h"
#include "trashdialog.h"
#include "vectorsfile.h"

#include <QAction>
#include <QApplication>
#include <QChartView>
#include <QCheckBox>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QHelpEvent>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QScrollBar>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QTimeZone>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>

#include <QUndoStack>
#include <QUuid>

#include <cmath>
#include <tuple>

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

    {
        // embeddings in the vectors.idx beside index.db, as subcog keeps them: 384 floats of unit length around a few
        // topics (so that near memories exist), every ninth memory without one, two vectors of deleted memories
        QRandomGenerator random(9);
        QList<QList<float>> topics(8);
        for (QList<float>& t : topics) {
            for (int d = 0; d < 384; ++d)
                t << float(random.generateDouble() * 2 - 1);
        }
        VectorsFile file;
        for (qsizetype i = 0; i < generated.truth.size(); ++i) {
            if (i % 9 == 4)
                continue;
            QList<float> v = topics.at(i % topics.size());
            double norm = 0;
            for (float& x : v) {
                x += float(random.generateDouble() * 1.2 - 0.6);
                norm += double(x) * double(x);
            }
            for (float& x : v)
                x = float(double(x) / std::sqrt(norm));
            file.vectors.insert(generated.truth.at(i).id, v);
        }
        file.vectors.insert(u"deleted-memory-1"_s, topics.at(0));
        file.vectors.insert(u"deleted-memory-2"_s, topics.at(1));
        writeFileAtomically(scratch.filePath(u"vectors.idx"_s), serializeVectorsFile(file));
    }

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

    // the detail pane's Embedding tab, Similar Memories and Store Info
    {
        QString embedded;
        for (qsizetype i = 0; i < generated.truth.size(); ++i) {
            const Memory& m = generated.truth.at(i);
            if (i % 9 != 4 && !m.isTombstoned() && m.content.size() < 400 && i > 20) {
                embedded = m.id;
                break;
            }
        }
        // the long memory's jump left an id: word in the filter bar; the whole table again
        window.filterEdit()->clear();
        QTest::keyClick(window.filterEdit(), Qt::Key_Return);
        waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });
        window.goToId(embedded);
        waitFor([&] { return window.detailPane()->memory() && window.detailPane()->memory()->id == embedded; });
        EmbeddingTab* tab = window.detailPane()->embeddingTab();
        window.detailPane()->findChild<QTabWidget*>()->setCurrentWidget(tab);
        waitFor([&] { return !tab->isBusy() && tab->text().contains(u"L2 norm"_s); });
        shoot(out, u"20-detail-embedding"_s);
        window.embeddingActions()->showSimilar(embedded);
        SimilarMemoriesDialog* similar = window.embeddingActions()->similarDialog();
        similar->move(300, 200);
        waitFor([&] { return !similar->isBusy(); });
        shoot(out, u"21-similar-memories"_s);
        similar->close();
        window.embeddingActions()->showStoreInfo();
        StoreInfoDialog* info = window.embeddingActions()->storeInfoDialog();
        info->move(360, 220);
        waitFor([&] { return !info->isBusy(); });
        shoot(out, u"22-store-info"_s);
        info->close();
        window.detailPane()->findChild<QTabWidget*>()->setCurrentIndex(0);
    }

    // the Edges tab of a summary with lost edges, a dangling one and a supersedes edge; then View ▸ Lineage
    if (!summaryId.isEmpty()) {
        window.goToId(summaryId);
        waitFor([&] { return window.detailPane()->memory() && window.detailPane()->memory()->id == summaryId; });
        EdgesTab* edges = window.detailPane()->edgesTab();
        window.detailPane()->findChild<QTabWidget*>()->setCurrentWidget(edges);
        waitFor([&] { return edges->edges() && edges->edges()->id == summaryId && !edges->isBusy(); });
        shoot(out, u"23-detail-pane-edges"_s);
        LineageDock* lineage = window.lineageDock();
        lineage->show();
        window.resizeDocks({lineage}, {window.width() / 2}, Qt::Horizontal);
        waitFor([&] { return lineage->lineage() && lineage->lineage()->centre == summaryId && !lineage->isBusy(); });
        shoot(out, u"24-lineage"_s);
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

    // lifecycle words, and the column that says why recall would not return a memory
    {
        window.model()->setRecallContext(RecallContext {u"github.com/acme/widgets"_s, u"main"_s});
        QHeaderView* header = window.table()->horizontalHeader();
        header->setSectionHidden(MemoryTableModel::HiddenFromRecallColumn, false);
        header->resizeSection(MemoryTableModel::HiddenFromRecallColumn, 260);
        header->moveSection(header->visualIndex(MemoryTableModel::HiddenFromRecallColumn), 2);
        window.filterEdit()->setText(u"flag:expired-active,half-tombstoned,missing-content"_s);
        waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });
        settle(600);
        shoot(out, u"32-hidden-from-recall"_s);
        // completion of the word under the cursor
        window.filterEdit()->clear();
        window.filterEdit()->setFocus();
        settle(200);
        QTest::keyClicks(window.filterEdit(), u"is:summary flag:t"_s);
        settle(400);
        shoot(out, u"33-filter-completion"_s);
        QTest::keyClick(window.filterEdit(), Qt::Key_Escape);
        window.filterEdit()->clear();
        header->setSectionHidden(MemoryTableModel::HiddenFromRecallColumn, true);
        waitFor([&] { return !window.model()->isBusy(); });
    }

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

    // Go to ID or Row (Ctrl+G) with a row number: the dialog, then the row in the middle of the view
    window.filterEdit()->clear();
    waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });
    for (QAction* a : window.findChildren<QAction*>()) {
        if (a->shortcut() != QKeySequence(Qt::CTRL | Qt::Key_G))
            continue;
        QTimer::singleShot(800, &window, [&] {
            auto* dialog = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            dialog->setTextValue(u"#150"_s);
            settle(200);
            shoot(out, u"25-go-to-row-dialog"_s);
            dialog->accept();
        });
        a->trigger();
    }
    waitFor([&] {
        const int row = window.table()->currentIndex().row();
        return row == 149 && window.model()->memoryAt(row) && window.detailPane()->memory();
    });
    settle(300);
    shoot(out, u"26-go-to-row"_s);

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

    // Edit ▸ Bulk Edit… on 40 selected rows: a new project id and a tag, previewed (not applied)
    {
        window.table()->selectionModel()->select(
            QItemSelection(window.model()->index(0, 0), window.model()->index(39, 0)),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        window.bulkEditActions()->action()->trigger();
        BulkEditDialog* bulk = window.bulkEditActions()->dialog();
        for (QCheckBox* c : bulk->findChildren<QCheckBox*>()) {
            if (c->text().remove(u'&') == u"Project"_s)
                c->setChecked(true);
        }
        bulk->findChild<QLineEdit*>(u"bulkProject"_s)->setText(u"github.com/acme/renamed"_s);
        bulk->findChild<QLineEdit*>(u"bulkAddTags"_s)->setText(u"renamed"_s);
        bulk->move(230, 70);
        bulk->preview();
        waitFor([&] { return !bulk->isBusy(); });
        shoot(out, u"40-bulk-edit-preview"_s);
        bulk->close();
        window.table()->selectionModel()->setCurrentIndex(
            window.model()->index(0, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }

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

    // Tools ▸ Empty Trash…: the memories it would delete for good, the days, and where the backup goes
    {
        {
            // the tour restored its Trash above: subcog tombstones a few long ago meanwhile
            auto backend = SqliteBackend::open(store);
            for (int i = 20; i < 32; ++i) {
                if (auto m = backend->get(generated.truth.at(i).id); m && !m->isTombstoned()) {
                    m->status = u"tombstoned"_s;
                    m->tombstonedAt = m->createdAt + 86400;
                    backend->store(*m);
                }
            }
        }
        action(window, u"Empty Trash…"_s)->trigger();
        TrashDialog* trash = nullptr;
        waitFor([&] {
            trash = window.findChild<TrashDialog*>();
            return trash && trash->shownPreview() && !trash->isBusy();
        });
        shoot(out, u"34-empty-trash-preview"_s);
        if (trash)
            trash->reject();
    }

    // Tools ▸ Find Duplicates…: the groups, and the first one side by side with the differences marked
    {
        action(window, u"Find Duplicates…"_s)->trigger();
        auto* duplicates = window.findChild<DuplicatesDialog*>();
        duplicates->move(90, 60);
        duplicates->resize(1180, 680);
        duplicates->find(DuplicateMatch::Similar, 0.8);
        waitFor([&] { return !duplicates->isBusy() && duplicates->scan(); });
        if (!duplicates->scan()->groups.isEmpty()) {
            // a group of three or so reads best side by side: the smallest of at least three
            QTreeWidget* groups = duplicates->groupsList();
            waitFor([&] { return !duplicates->isBusy(); });
            for (int i = groups->topLevelItemCount() - 1; i >= 0; --i) {
                if (duplicates->scan()->groups[i].ids.size() >= 3 || i == 0) {
                    groups->setCurrentItem(groups->topLevelItem(i));
                    groups->scrollToItem(groups->topLevelItem(i));
                    break;
                }
            }
            waitFor([&] { return !duplicates->isBusy() && duplicates->shownMemories().size() > 1; });
            duplicates->setKeeper(1); // the differences are marked against the memory kept
        }
        shoot(out, u"35-find-duplicates"_s);
        duplicates->close();
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

    {
        // subcog's knowledge graph beside the store (spec §14.1): entities mentioned by the first memories
        const QString graph = scratch.filePath(u"graph.db"_s);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"graph"_s);
            db.setDatabaseName(graph);
            db.open();
            QSqlQuery q(db);
            for (const QString& sql : Fixtures::graphTables(u"REAL"_s, u"INTEGER"_s))
                q.exec(sql);
            const QList<std::pair<QString, QString>> entities {
                {u"technology"_s, u"PostgreSQL"_s},     {u"technology"_s, u"SQLite"_s},
                {u"technology"_s, u"Rust"_s},           {u"technology"_s, u"Tokio"_s},
                {u"person"_s, u"Alice Chen"_s},         {u"person"_s, u"Bob Martin"_s},
                {u"organization"_s, u"Acme Corp"_s},    {u"concept"_s, u"Retry with backoff"_s},
                {u"concept"_s, u"Keyset pagination"_s}, {u"file"_s, u"src/storage/index/sqlite.rs"_s},
                {u"technology"_s, u"pgvector"_s},       {u"person"_s, u"Dana Ruiz"_s}};
            for (int e = 0; e < entities.size(); ++e) {
                q.prepare(u"INSERT INTO graph_entities (id, entity_type, name, aliases, confidence, transaction_time, "
                          "properties, mention_count) VALUES (?, ?, ?, ?, ?, 1767000000, '{}', ?)"_s);
                q.addBindValue(u"ent_18f3%1_0badcafe"_s.arg(e, 2, 16, QChar(u'0')));
                q.addBindValue(entities[e].first);
                q.addBindValue(entities[e].second);
                q.addBindValue(e == 0 ? u"[\"postgres\",\"pg\"]"_s : e == 2 ? u"[\"rust-lang\"]"_s : u"[]"_s);
                q.addBindValue(1.0 - e * 0.03);
                q.addBindValue(40 - e * 3);
                q.exec();
            }
            for (int i = 0; i < 40; ++i) {
                for (int e = 0; e < entities.size(); ++e) {
                    if ((i + e) % 4 != 0 || e * 3 > 40 - i)
                        continue;
                    q.prepare(u"INSERT INTO graph_entity_mentions (entity_id, memory_id, confidence, start_offset, "
                              "end_offset, matched_text, transaction_time) VALUES (?, ?, ?, ?, ?, ?, 1767000000)"_s);
                    q.addBindValue(u"ent_18f3%1_0badcafe"_s.arg(e, 2, 16, QChar(u'0')));
                    q.addBindValue(generated.truth.at(i).id);
                    q.addBindValue(0.95 - e * 0.04);
                    q.addBindValue(e * 7);
                    q.addBindValue(e * 7 + entities[e].second.size());
                    q.addBindValue(entities[e].second.toLower());
                    q.exec();
                }
            }
            for (const auto& [from, to, type] :
                 {std::tuple {4, 6, "works_at"}, std::tuple {4, 0, "uses"}, std::tuple {5, 6, "works_at"},
                  std::tuple {5, 2, "uses"}, std::tuple {7, 3, "implements"}, std::tuple {6, 0, "uses"}}) {
                q.prepare(u"INSERT INTO graph_relationships (from_entity_id, to_entity_id, relationship_type, "
                          "confidence, transaction_time) VALUES (?, ?, ?, 0.8, 1767000000)"_s);
                q.addBindValue(u"ent_18f3%1_0badcafe"_s.arg(from, 2, 16, QChar(u'0')));
                q.addBindValue(u"ent_18f3%1_0badcafe"_s.arg(to, 2, 16, QChar(u'0')));
                q.addBindValue(QString::fromLatin1(type));
                q.exec();
            }
        }
        QSqlDatabase::removeDatabase(u"graph"_s);

        // the detail pane's Entities tab on a memory that mentions several
        window.goToId(generated.truth.at(0).id);
        waitFor([&] { return !window.model()->isBusy(); });
        auto* tabs = window.detailPane()->findChild<QTabWidget*>();
        tabs->setCurrentWidget(window.detailPane()->entitiesTab());
        waitFor([&] { return !window.detailPane()->entitiesTab()->isBusy(); });
        shoot(out, u"27-detail-entities"_s);
        tabs->setCurrentIndex(0);

        // View ▸ Entities with the selected entity's relationships
        EntitiesDock* entities = window.entitiesDock();
        entities->show();
        window.resizeDocks({entities}, {560}, Qt::Horizontal);
        waitFor([&] { return !entities->isBusy() && !entities->entities().isEmpty(); });
        entities->selectRow(4);
        waitFor([&] { return !entities->isBusy(); });
        shoot(out, u"28-entities-view"_s);
        // choosing it filters the table to its memories
        entities->chooseRow(4);
        waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });
        shoot(out, u"29-entity-filter"_s);
        window.filterEdit()->clear();
        QTest::keyClick(window.filterEdit(), Qt::Key_Return);
        waitFor([&] { return !window.model()->isBusy() && window.model()->exactCount(); });
        entities->hide();
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

    // the History tab: subcog's audit.log beside index.db, with a line removed (a chain break) and one not JSON
    {
        const QString memoryId = generated.truth.at(12).id;
        const QString urn = u"subcog://project/decisions/"_s + memoryId;
        struct Event
        {
            const char* type;
            const char* action;
            const char* actor;
            const char* outcome;
            const char* metadata;
            bool aboutIt;
        };
        const QList<Event> events {
            {"memory.captured", "create", "mcp", "success", "{\"namespace\":\"decisions\",\"content_length\":412}",
             true},
            {"memory.recall", "search", "mcp", "success", "{\"query_length\":18,\"result_count\":4}", false},
            {"memory.retrieved", "read", "mcp", "success", "{\"score\":0.83}", true},
            {"memory.updated", "update", "cli", "success", "{\"modified_fields\":[\"tags\",\"content\"]}", true},
            {"memory.retrieved", "read", "hook:session-start", "success", "{\"score\":0.71}", true},
            {"memory.deleted", "delete", "mcp", "denied", "{\"reason\":\"read-only scope\"}", true},
            {"memory.retrieved", "read", "mcp", "success", "{\"score\":0.92}", true},
            {"memory.archived", "archive", "cli", "success", "{\"reason\":\"superseded by a summary\"}", true},
        };
        QByteArray log;
        QString previous = u"genesis"_s;
        for (int i = 0; i < events.size(); ++i) {
            const Event& e = events[i];
            const QString signature = QString::fromLatin1(
                QCryptographicHash::hash(QByteArray::number(i), QCryptographicHash::Sha256).toHex());
            QJsonObject o {
                {u"id"_s, QUuid::createUuid().toString(QUuid::WithoutBraces)},
                {u"timestamp"_s,
                 QDateTime(QDate(2026, 11, 20 + i), QTime(9 + i, 14, 7), QTimeZone::utc()).toString(Qt::ISODateWithMs)},
                {u"event_type"_s, QString::fromLatin1(e.type)},
                {u"actor"_s, QString::fromLatin1(e.actor)},
                {u"action"_s, QString::fromLatin1(e.action)},
                {u"outcome"_s, QString::fromLatin1(e.outcome)},
                {u"metadata"_s, QJsonDocument::fromJson(e.metadata).object()},
                {u"hmac_signature"_s, signature},
                {u"previous_hmac"_s, previous}};
            if (e.aboutIt)
                o.insert(u"resource"_s, i % 2 ? memoryId : urn);
            previous = signature;
            if (i == 5)
                continue; // removed by someone: the next entry's previous_hmac points nowhere
            log += QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
            if (i == 2)
                log += "{\"id\":\"6a1f\",\"timestamp\":\"2026-11-22T11:1\n"; // cut short by a crash
        }
        QFile audit(scratch.filePath(u"audit.log"_s));
        audit.open(QIODevice::WriteOnly);
        audit.write(log);
        audit.close();
        window.messageBar()->clear();
        window.openStore(u"sqlite:"_s + store);
        waitFor([&] { return window.model()->exactCount() && !window.model()->isBusy(); });
        window.goToId(memoryId);
        waitFor([&] { return window.detailPane()->memory() && window.detailPane()->memory()->id == memoryId; });
        auto* tabs = window.detailPane()->findChild<QTabWidget*>();
        auto* history = window.detailPane()->findChild<HistoryTab*>();
        waitFor([&] { return tabs->isTabVisible(tabs->indexOf(history)); });
        tabs->setCurrentWidget(history);
        auto* tree = history->findChild<QTreeWidget*>(u"historyEvents"_s);
        waitFor([&] { return tree->topLevelItemCount() == 6; });
        tree->setCurrentItem(tree->topLevelItem(4)); // the entry after the removed line, metadata shown
        shoot(out, u"30-history-tab"_s);
        tabs->setCurrentIndex(0);
    }

    // subcog's prompt library chosen as a store: explained, and its prompts in a read-only table
    {
        const QString prompts = scratch.filePath(u"memories.db"_s);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"prompts"_s);
            db.setDatabaseName(prompts);
            if (db.open()) {
                QSqlQuery q(db);
                q.exec(u"PRAGMA journal_mode = WAL"_s);
                q.exec(u"CREATE TABLE prompts (name TEXT PRIMARY KEY, description TEXT NOT NULL DEFAULT '', content "
                       "TEXT NOT NULL, variables TEXT NOT NULL DEFAULT '[]', tags TEXT NOT NULL DEFAULT '[]', author "
                       "TEXT, usage_count INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER "
                       "NOT NULL)"_s);
                q.exec(u"CREATE TABLE context_templates (name TEXT NOT NULL, version INTEGER NOT NULL, description "
                       "TEXT NOT NULL DEFAULT '', content TEXT NOT NULL, variables TEXT NOT NULL DEFAULT '[]', tags "
                       "TEXT NOT NULL DEFAULT '[]', output_format TEXT NOT NULL DEFAULT 'markdown', author TEXT, "
                       "created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (name, version))"_s);
                const QList<QStringList> rows {
                    {u"code-review"_s, u"Review a diff for correctness and style"_s,
                     u"Review the following diff:\n{{diff}}\nFocus on {{focus}}."_s,
                     u"[{\"name\":\"diff\",\"required\":true},{\"name\":\"focus\",\"default\":\"bugs\"}]"_s,
                     u"[\"review\",\"git\"]"_s, u"ana"_s, u"42"_s},
                    {u"adr-draft"_s, u"Draft an architecture decision record"_s,
                     u"Write an ADR titled {{title}} with context, decision and consequences."_s,
                     u"[{\"name\":\"title\",\"required\":true}]"_s, u"[\"adr\",\"docs\"]"_s, u"bo"_s, u"7"_s},
                    {u"standup"_s, u"Daily standup notes"_s, u"Yesterday: {{done}}\nToday: {{plan}}\nBlockers: none"_s,
                     u"[{\"name\":\"done\"},{\"name\":\"plan\"}]"_s, u"[\"daily\"]"_s, QString(), u"118"_s},
                    {u"test-plan"_s, u"Test plan for a feature"_s, u"List the cases for {{feature}}."_s,
                     u"[{\"name\":\"feature\"}]"_s, u"[\"testing\"]"_s, u"ana"_s, u"3"_s},
                };
                QSqlQuery insert(db);
                insert.prepare(u"INSERT INTO prompts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
                qint64 when = 1764000000;
                for (const QStringList& row : rows) {
                    for (int c = 0; c < 6; ++c)
                        insert.addBindValue(c == 5 && row[c].isEmpty() ? QVariant() : QVariant(row[c]));
                    insert.addBindValue(row[6].toLongLong());
                    insert.addBindValue(when);
                    insert.addBindValue(when + 86400 * 3);
                    insert.exec();
                    when += 86400 * 5;
                }
                q.exec(u"INSERT INTO context_templates VALUES ('onboarding', 2, 'A new teammate''s first day', "
                       "'# {{project}}\n\n{{memories}}', '[]', '[\"team\"]', 'markdown', 'ana', 1764000000, "
                       "1764500000)"_s);
            }
        }
        QSqlDatabase::removeDatabase(u"prompts"_s);
        window.openStore(prompts);
        SubcogFileWindow* files = nullptr;
        waitFor([&] { return (files = window.findChild<SubcogFileWindow*>()) && files->isLoaded(); });
        if (files) {
            files->move(180, 140);
            if (auto* view = files->findChild<QTableView*>(u"prompts"_s))
                view->selectRow(0);
        }
        shoot(out, u"31-prompt-library"_s);
    }
    // File ▸ subcog's Stores on a machine with a few stores: the index in use, legacy ones subcog v0.6 left behind
    // (per-repo and in repositories under an added folder), subcog gc's folder, a PostgreSQL store from the config
    // that does not answer, and a file that is no database; then Merge Into… after its dry run
    {
        const QString home = scratch.filePath(u"home"_s);
        const QString data = home + u"/.local/share/subcog"_s;
        const QString code = home + u"/src"_s;
        qputenv("HOME", home.toUtf8());
        qunsetenv("XDG_DATA_HOME");
        qunsetenv("SUBCOG_CONFIG_PATH");
        auto generate = [](const QString& path, Fixtures::SqliteLayout layout, int count, quint64 seed) {
            QDir().mkpath(QFileInfo(path).absolutePath());
            Fixtures::GeneratorOptions o;
            o.count = count;
            o.seed = seed;
            o.anomalies = false;
            o.largeMemories = 0;
            return Fixtures::writeSqliteStore(path, layout, o);
        };
        generate(data + u"/index.db"_s, Fixtures::SqliteLayout::Head, 1240, 40);
        generate(data + u"/repos/5f0c2a9e41d7b38c/index.db"_s, Fixtures::SqliteLayout::V0_5, 37, 42);
        generate(data + u"/repos/9a1e77c0d2f4e615/index.db"_s, Fixtures::SqliteLayout::V0_3, 12, 43);
        const QString webapp = code + u"/webapp/.subcog/index.db"_s;
        const auto legacy = generate(webapp, Fixtures::SqliteLayout::V0_5, 23, 41);
        generate(code + u"/cli-tool/.subcog/index.db"_s, Fixtures::SqliteLayout::V0_2, 8, 44);
        QDir().mkpath(code + u"/notes/.subcog"_s);
        QFile broken(code + u"/notes/.subcog/index.db"_s);
        broken.open(QIODevice::WriteOnly);
        broken.write(QByteArray(4096, 'x'));
        broken.close();
        QDir().mkpath(data + u"/memories"_s);
        for (int i = 0; i < 3; ++i) {
            Memory m = generated.truth.at(100 + i);
            m.id = u"gc00000000"_s + QString::number(i);
            QFile file(data + u"/memories/"_s + m.id + u".json"_s);
            file.open(QIODevice::WriteOnly);
            file.write(Fixtures::subcogFileBytes(m));
        }
        QDir().mkpath(home + u"/.config/subcog"_s);
        QFile config(home + u"/.config/subcog/config.toml"_s);
        config.open(QIODevice::WriteOnly);
        config.write("[storage.project]\nbackend = \"postgresql\"\n"
                     "connection_string = \"postgresql://team:hunter2@127.0.0.1:1/subcog\"\n");
        config.close();
        {
            // the index already holds a few of the webapp's memories, two of them edited since
            auto index = SqliteBackend::open(data + u"/index.db"_s);
            auto source = SqliteBackend::open(webapp, SqliteBackend::OpenMode::ReadOnly);
            const QList<Memory> some = source->getBatch(source->listIds().mid(0, 5));
            for (qsizetype i = 0; i < some.size(); ++i) {
                Memory m = some.at(i);
                if (i < 2)
                    m.content += u"\n\n(edited later in the new index)"_s;
                index->store(m);
            }
        }
        Q_UNUSED(legacy);
        StoresWindow::setScanFolders({code});
        for (SubcogFileWindow* files : window.findChildren<SubcogFileWindow*>())
            files->close();
        window.messageBar()->clear();
        // through the menu, as a person opens it; the list arrives later
        action(window, u"subcog's Stores…"_s)->trigger();
        auto* stores = window.findChild<StoresWindow*>();
        if (!stores)
            qFatal("File ▸ subcog's Stores… opened no window");
        stores->move(90, 120);
        bool listed = false;
        QObject::connect(stores, &StoresWindow::refreshed, stores, [&listed] { listed = true; });
        waitFor([&] { return listed; });
        shoot(out, u"32-stores-list"_s);

        for (int row = 0; row < stores->stores().size(); ++row) {
            if (stores->stores().at(row).location == webapp)
                stores->list()->setCurrentItem(stores->list()->topLevelItem(row));
        }
        if (MergeDialog* merge = stores->mergeSelected()) {
            merge->move(300, 150);
            merge->setTarget(u"sqlite:"_s + data + u"/index.db"_s);
            bool done = false;
            QObject::connect(merge, &MergeDialog::dryRunFinished, merge, [&done] { done = true; });
            merge->startDryRun();
            waitFor([&] { return done; });
            shoot(out, u"33-stores-merge-dry-run"_s);
            merge->close();
        }
        stores->close();
    }
    {
        // store text holding markup shows as written: an id `<b>x</b>`, a tag `<img src="/etc/passwd">`, `R&D`, a
        // file named `<i>marked.db` (title, count label's tool tip), and a cell's tool tip
        const QString marked = scratch.filePath(u"<i>marked.db"_s);
        {
            auto markedStore = SqliteBackend::create(marked);
            Memory bold = generated.truth.at(0);
            bold.id = u"<b>x</b>"_s;
            bold.tags = {u"R&D"_s, u"<img src=\"/etc/passwd\">"_s};
            bold.content = u"# Markup in the id\n\nThe id, the tags and the file name hold markup: shown as written."_s;
            Memory amp = generated.truth.at(1);
            amp.id = u"R&D"_s;
            markedStore->storeBatch({bold, amp});
        }
        window.openStore(u"sqlite:"_s + marked);
        waitFor([&] { return window.model()->isOpen() && !window.model()->isBusy() && window.model()->exactCount(); });
        window.goToId(u"<b>x</b>"_s);
        waitFor([&] { return window.detailPane()->memory() && window.detailPane()->memory()->id == "<b>x</b>"_L1; });
        settle();
        const QModelIndex cell = window.table()->currentIndex().siblingAtColumn(int(MemoryColumn::Id));
        const QPoint at = window.table()->visualRect(cell).center();
        QHelpEvent help(QEvent::ToolTip, at, window.table()->viewport()->mapToGlobal(at));
        QApplication::sendEvent(window.table()->viewport(), &help);
        shoot(out, u"36-markup-shown-as-written"_s);
    }
    return 0;
}
