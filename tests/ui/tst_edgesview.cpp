// SPDX-License-Identifier: MIT
// The detail pane's Edges tab and View ▸ Lineage in the window, offscreen, on real stores: a SQLite file with
// edges both ways, a dangling one and a lost summary pair (rebuilt, undone and redone through the window's undo
// stack), and a folder and a PostgreSQL database (of the test harness) where only source_memory_ids tells the
// relations. The lineage picture is clicked and saved as PNG and SVG.
#include "detailpane.h"
#include "edgefixture.h"
#include "edgestab.h"
#include "filesystem/filesystembackend.h"
#include "lineagedock.h"
#include "lineagescene.h"
#include "mainwindow.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "sqlite/sqlitebackend.h"
#include "translations.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsView>
#include <QImage>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSvgRenderer>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using namespace Inspector;
namespace EF = Inspector::EdgeFixture;

class TestEdgesView : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QTemporaryDir m_config;

    std::unique_ptr<MainWindow> openWindow(const QString& spec, bool editing = false)
    {
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->resize(1280, 800);
        w->show();
        w->openStore(spec);
        waitIdle(*w);
        // the Trash's memories too: b is tombstoned
        for (QAction* a : w->findChildren<QAction*>()) {
            if (a->text().remove(u'&') == "Show Tombstoned Memories"_L1 && !a->isChecked())
                a->trigger();
        }
        waitIdle(*w);
        if (editing) {
            w->setEditing(true);
            [&] { QTRY_VERIFY_WITH_TIMEOUT(w->isEditing(), 30000); }();
            waitIdle(*w);
        }
        auto* tabs = w->detailPane()->findChild<QTabWidget*>();
        tabs->setCurrentWidget(w->detailPane()->edgesTab());
        return w;
    }

    static void waitIdle(MainWindow& w)
    {
        QTRY_VERIFY_WITH_TIMEOUT(w.model()->isOpen() && !w.model()->isBusy() && w.model()->exactCount(), 30000);
        QTest::qWait(1);
        QTRY_VERIFY_WITH_TIMEOUT(!w.model()->isBusy(), 30000);
    }

    /// Selects the memory and waits for the Edges tab's answer about it.
    static EdgesTab* showEdges(MainWindow& w, const QString& id)
    {
        w.goToId(id);
        EdgesTab* tab = w.detailPane()->edgesTab();
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(w.detailPane()->memory() && w.detailPane()->memory()->id == id, 30000);
            QTRY_VERIFY_WITH_TIMEOUT(tab->edges() && tab->edges()->id == id && !tab->isBusy(), 30000);
        }();
        return tab;
    }

    /// The rows of the tab as "direction type id created" (the first line is the last column).
    static QStringList rows(EdgesTab* tab)
    {
        QStringList out;
        for (int i = 0; i < tab->list()->topLevelItemCount(); ++i) {
            const QTreeWidgetItem* item = tab->list()->topLevelItem(i);
            out << item->text(0) + u' ' + item->text(1) + u' ' + item->text(2) + u' ' + item->text(3);
        }
        return out;
    }

    QString sqliteStore()
    {
        const QString path = m_dir.filePath(QUuid::createUuid().toString(QUuid::Id128) + u".db"_s);
        auto store = SqliteBackend::create(path);
        EF::plant(*store);
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        qputenv("XDG_DATA_HOME", m_config.filePath(u"data"_s).toUtf8());
    }

    void edgesTabBothDirections()
    {
        const QString path = sqliteStore();
        auto w = openWindow(u"sqlite:"_s + path);
        EdgesTab* tab = showEdges(*w, u"a"_s);
        const QStringList a = rows(tab);
        QCOMPARE(a.size(), 2);
        QVERIFY2(a[0].startsWith(u"→ out"_s + u" related_to ghost"_s), qPrintable(a[0]));
        QVERIFY2(a[1].startsWith(u"→ out"_s + u" supersedes b"_s), qPrintable(a[1]));
        // the dangling edge's other end is shown as missing, the tombstoned one as such
        QVERIFY(tab->list()->topLevelItem(0)->text(4).contains(u"missing"_s));
        QVERIFY(tab->list()->topLevelItem(1)->text(4).contains(u"tombstoned"_s));
        QVERIFY(tab->statusText().contains(u"2 edges"_s));

        tab = showEdges(*w, u"b"_s);
        const QStringList b = rows(tab);
        QCOMPARE(b.size(), 2);
        QVERIFY2(b[1].startsWith(u"← in"_s + u" supersedes a"_s), qPrintable(b[1]));

        // activating a row selects that memory in the table and the pane
        tab->list()->setFocus();
        tab->list()->setCurrentItem(tab->list()->topLevelItem(1));
        QTest::keyClick(tab->list(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(w->detailPane()->memory() && w->detailPane()->memory()->id == "a"_L1, 30000);
        QCOMPARE(w->model()->memoryAt(w->table()->currentIndex().row())->id, u"a"_s);
        // a missing memory is not a link
        tab = showEdges(*w, u"a"_s);
        tab->list()->setCurrentItem(tab->list()->topLevelItem(0));
        QTest::keyClick(tab->list(), Qt::Key_Return);
        QTest::qWait(200);
        QCOMPARE(w->detailPane()->memory()->id, u"a"_s);
    }

    void lostEdgesRebuildUndoRedo()
    {
        const QString path = sqliteStore();
        {
            // read-only: flagged, no button
            auto w = openWindow(u"sqlite:"_s + path);
            EdgesTab* tab = showEdges(*w, u"sum1"_s);
            QVERIFY2(tab->statusText().contains(u"Lost edges"_s), qPrintable(tab->statusText()));
            QVERIFY(tab->statusText().contains(u"Switch on editing"_s));
            QVERIFY(!tab->rebuildButton()->isVisible());
            QVERIFY(rows(tab).contains(u"→ out"_s + u" source_of s2 "_s + u"lost"_s));
        }
        auto w = openWindow(u"sqlite:"_s + path, true);
        EdgesTab* tab = showEdges(*w, u"sum1"_s);
        QTRY_VERIFY(tab->rebuildButton()->isVisible() && tab->rebuildButton()->isEnabled());
        const QList<MemoryEdge> pair = summaryEdgePair(u"sum1"_s, u"s2"_s, EF::kConsolidated);
        const int before = w->model()->undoStack()->count();
        QTest::mouseClick(tab->rebuildButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!tab->isBusy() && tab->edges() && tab->edges()->missing.isEmpty(), 30000);
        // exactly the missing pair, dated when consolidation wrote the others
        for (const MemoryEdge& e : pair)
            QCOMPARE(EF::sqliteEdgeCount(path, e), 1);
        QCOMPARE(EF::sqliteEdgeCount(path, {u"sum1"_s, u"gone"_s, u"source_of"_s, EF::kConsolidated}, false), 0);
        QCOMPARE(w->model()->undoStack()->count(), before + 1);
        QVERIFY(!tab->rebuildButton()->isVisible());
        QVERIFY(!tab->statusText().contains(u"Lost edges"_s));

        w->model()->undoStack()->undo();
        QTRY_VERIFY_WITH_TIMEOUT(!tab->isBusy() && tab->edges() && !tab->edges()->missing.isEmpty(), 30000);
        for (const MemoryEdge& e : pair)
            QCOMPARE(EF::sqliteEdgeCount(path, e, false), 0);
        QCOMPARE(EF::sqliteEdgeCount(path, EF::tableEdges().first()), 1); // the edges that were there stay

        w->model()->undoStack()->redo();
        QTRY_VERIFY_WITH_TIMEOUT(!tab->isBusy() && tab->edges() && tab->edges()->missing.isEmpty(), 30000);
        for (const MemoryEdge& e : pair)
            QCOMPARE(EF::sqliteEdgeCount(path, e), 1);

        // another writer re-dates one of them: undo leaves that one alone and says so
        EF::sqliteExec(path, u"UPDATE memory_edges SET created_at = 7 WHERE from_id = 's2' AND to_id = 'sum1'"_s);
        w->model()->undoStack()->undo();
        QTRY_VERIFY_WITH_TIMEOUT(!tab->isBusy() && tab->statusText().contains(u"1 left as it is"_s), 30000);
        QCOMPARE(EF::sqliteEdgeCount(path, pair[0], false), 1);
        QCOMPARE(EF::sqliteEdgeCount(path, pair[1], false), 0);
    }

    void noEdgeTable_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("filesystem") << u"filesystem"_s;
        QTest::newRow("postgres") << u"postgres"_s;
    }
    void noEdgeTable()
    {
        QFETCH(QString, kind);
        QString spec;
        if (kind == "filesystem"_L1) {
            const QString folder = m_dir.filePath(QUuid::createUuid().toString(QUuid::Id128));
            EF::plant(*FilesystemBackend::create(folder));
            spec = u"fs:"_s + folder;
        } else {
            Testing::PostgresServer& server = Testing::PostgresServer::shared();
            spec = server.url(server.createDatabase(u"edgesview"_s));
            EF::plant(*PostgresBackend::createSchema(spec));
        }
        auto w = openWindow(spec, true);
        EdgesTab* tab = showEdges(*w, u"sum1"_s);
        QVERIFY2(tab->statusText().contains(u"no edge table"_s), qPrintable(tab->statusText()));
        QCOMPARE(rows(tab).size(), 3);
        QVERIFY(!tab->rebuildButton()->isVisible());
        // a source shows the summaries made from it (the look-up the pane's links use)
        tab = showEdges(*w, u"s1"_s);
        QTRY_VERIFY_WITH_TIMEOUT(rows(tab).size() == 1, 30000);
        QVERIFY2(rows(tab).first().contains(u"summarized_by sum1"_s), qPrintable(rows(tab).first()));

        w->lineageDock()->show();
        w->lineageDock()->setHops(2);
        QTRY_VERIFY_WITH_TIMEOUT(w->lineageDock()->lineage() && w->lineageDock()->lineage()->centre == "s1"_L1
                                     && !w->lineageDock()->isBusy() && w->lineageDock()->lineage()->hops == 2,
                                 30000);
        QCOMPARE(w->lineageDock()->lineage()->nodes.size(), 4);
    }

    void lineageView()
    {
        const QString path = sqliteStore();
        auto w = openWindow(u"sqlite:"_s + path);
        LineageDock* dock = w->lineageDock();
        QVERIFY(!dock->isVisible());
        QAction* toggle = dock->toggleViewAction();
        QCOMPARE(toggle->text().remove(u'&'), u"Lineage"_s);
        toggle->trigger();
        QVERIFY(dock->isVisible());
        w->goToId(u"a"_s);
        dock->setHops(1);
        const auto waitFor = [&](int hops) {
            QTRY_VERIFY_WITH_TIMEOUT(dock->lineage() && dock->lineage()->centre == "a"_L1 && !dock->isBusy()
                                         && dock->lineage()->hops == hops,
                                     30000);
        };
        waitFor(1);
        QCOMPARE(dock->lineage()->nodes.size(), 3);
        dock->setHops(2);
        waitFor(2);
        QCOMPARE(dock->lineage()->nodes.size(), 4);
        QCOMPARE(dock->lineage()->edges.size(), 3);
        QVERIFY(dock->statusText().contains(u"4 memories"_s));

        // every memory is a node, the missing one marked, and labelled edges
        QHash<QString, QGraphicsItem*> nodes;
        int labels = 0;
        for (QGraphicsItem* item : dock->scene()->items()) {
            bool exists = false;
            const QString id = LineageDrawing::nodeId(item, &exists);
            if (!id.isEmpty() && !item->parentItem())
                nodes.insert(id, item);
            if (auto* text = dynamic_cast<QGraphicsSimpleTextItem*>(item); text && !item->parentItem())
                labels += text->text().startsWith(u"supersedes"_s) || text->text().startsWith(u"refines"_s)
                    || text->text().startsWith(u"related_to"_s);
        }
        QCOMPARE(QSet<QString>(nodes.keyBegin(), nodes.keyEnd()), (QSet<QString> {u"a"_s, u"b"_s, u"c"_s, u"ghost"_s}));
        QVERIFY(!nodes.value(u"ghost"_s)->data(LineageDrawing::kExistsKey).toBool());
        QCOMPARE(labels, 3);

        // a click on a memory selects it in the table (and centres the picture on it)
        dock->view()->ensureVisible(nodes.value(u"c"_s));
        QTest::qWait(50);
        const QPoint at = dock->view()->mapFromScene(nodes.value(u"c"_s)->sceneBoundingRect().center());
        QTest::mouseClick(dock->view()->viewport(), Qt::LeftButton, {}, at);
        QTRY_VERIFY_WITH_TIMEOUT(w->detailPane()->memory() && w->detailPane()->memory()->id == "c"_L1, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(dock->lineage() && dock->lineage()->centre == "c"_L1 && !dock->isBusy(), 30000);

        // PNG and SVG
        const QString png = m_dir.filePath(u"lineage.png"_s);
        const QString svg = m_dir.filePath(u"lineage.svg"_s);
        QString error;
        QVERIFY2(dock->exportPng(png, &error), qPrintable(error));
        QVERIFY2(dock->exportSvg(svg, &error), qPrintable(error));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 2 * 200 && image.height() > 50);
        QSvgRenderer renderer(svg);
        QVERIFY(renderer.isValid());
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains("<svg") && text.contains("refines"));
        // an unwritable place fails with a reason and leaves nothing
        QVERIFY(!dock->exportPng(m_dir.filePath(u"no/such/dir/x.png"_s), &error));
        QVERIFY(!error.isEmpty());
    }
};

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"subcog"_s);
    QCoreApplication::setApplicationName(u"subcog-inspector-test-edges"_s);
    installTranslations(); // the English plural forms
    TestEdgesView test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_edgesview.moc"
