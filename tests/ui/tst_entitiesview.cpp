// SPDX-License-Identifier: MIT
// The detail pane's Entities tab and View ▸ Entities under the offscreen platform, on a real SQLite store with
// subcog's graph.db beside it: what they list is what the graph holds, read on the worker, and choosing an entity
// filters the table to the memories that mention it. Opening graph.db itself opens the store beside it.
#include "detailpane.h"
#include "entitiesdock.h"
#include "entitiestab.h"
#include "graphfixture.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "shownastext.h"
#include "sqlite/sqlitebackend.h"
#include "storeopener.h"
#include "translations.h"

#include <QApplication>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
OpenOptions readOnlyOptions()
{
    OpenOptions options;
    options.readOnly = true;
    return options;
}

} // namespace

class TestEntitiesView : public QObject
{
    Q_OBJECT
    QTemporaryDir m_config;
    QTemporaryDir m_dir;
    QString m_index;
    QString m_graph;

    void openModel(MemoryTableModel& model, const QString& spec)
    {
        QSignalSpy opened(&model, &MemoryTableModel::storeOpened);
        model.openStore([spec] { return openStore(spec, readOnlyOptions()); });
        QVERIFY(opened.wait(10000));
    }

private Q_SLOTS:
    void initTestCase()
    {
        installTranslations();
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        qputenv("HOME", m_config.path().toUtf8());
        QDir(m_dir.path()).mkpath(u"data"_s);
        m_index = m_dir.filePath(u"data/index.db"_s);
        m_graph = m_dir.filePath(u"data/graph.db"_s);
        SqliteBackend::create(m_index)->storeBatch(Fixtures::graphMemories());
        Fixtures::writeFixtureGraphDb(m_graph);
    }

    void tabListsTheMentions()
    {
        MemoryTableModel model;
        openModel(model, m_index);
        EntitiesTab tab;
        tab.setModel(&model);
        QSignalSpy updated(&tab, &EntitiesTab::updated);
        tab.setMemoryId(u"m3"_s);
        QCOMPARE(updated.count(), 0); // hidden: nothing is read
        tab.show();
        QVERIFY(updated.wait(10000));
        QCOMPARE(tab.mentions().size(), 2);
        auto* list = tab.findChild<QTreeWidget*>(u"entityMentions"_s);
        QCOMPARE(list->topLevelItemCount(), 2);
        QCOMPARE(list->topLevelItem(0)->text(0), u"technology"_s);
        QCOMPARE(list->topLevelItem(0)->text(1), u"PostgreSQL"_s);
        QCOMPARE(list->topLevelItem(0)->text(3), u"databases"_s);
        QCOMPARE(list->topLevelItem(1)->text(1), u"Alice"_s);
        QVERIFY(tab.statusText().contains(u"2"_s));
        // activating one asks for its memories
        QSignalSpy activated(&tab, &EntitiesTab::entityActivated);
        list->setCurrentItem(list->topLevelItem(1));
        QTest::keyClick(list, Qt::Key_Return);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.first().first().toString(), u"ent_18f3b_00a11ce0"_s);
        // another memory while shown: read at once
        tab.setMemoryId(u"m2"_s);
        QVERIFY(updated.wait(10000));
        QVERIFY(tab.mentions().isEmpty());
        QVERIFY(tab.statusText().contains(u"no entity"_s));
    }

    void tabSaysWhenThereIsNoGraph()
    {
        const QString other = m_dir.filePath(u"plain.db"_s);
        SqliteBackend::create(other)->storeBatch(Fixtures::graphMemories());
        MemoryTableModel model;
        openModel(model, other);
        EntitiesTab tab;
        tab.setModel(&model);
        tab.show();
        QSignalSpy updated(&tab, &EntitiesTab::updated);
        tab.setMemoryId(u"m3"_s);
        QVERIFY(updated.wait(10000));
        QVERIFY2(tab.statusText().startsWith(u"No knowledge graph"_s), qPrintable(tab.statusText()));
    }

    void dockListsSearchesAndRelates()
    {
        MemoryTableModel model;
        openModel(model, m_index);
        EntitiesDock dock(&model);
        QSignalSpy updated(&dock, &EntitiesDock::updated);
        dock.show();
        QVERIFY(updated.wait(10000));
        QCOMPARE(dock.total(), 4);
        QCOMPARE(dock.entities().size(), 4);
        QCOMPARE(dock.entities().first().name, u"PostgreSQL"_s);
        auto* list = dock.findChild<QTreeWidget*>(u"entityList"_s);
        QCOMPARE(list->topLevelItem(0)->text(2), u"postgres, pg"_s);
        QCOMPARE(list->topLevelItem(0)->text(3), u"3"_s);
        // the header sorts in the store
        list->header()->setSortIndicator(1, Qt::AscendingOrder);
        QVERIFY(updated.wait(10000));
        QCOMPARE(dock.entities().first().name, u"Acme Corp"_s);
        // search
        dock.setSearch(u"ALI"_s);
        QVERIFY(updated.wait(10000));
        QCOMPARE(dock.total(), 1);
        dock.selectRow(0);
        QVERIFY(updated.wait(10000));
        QCOMPARE(dock.relationships().size(), 2);
        auto* relations = dock.findChild<QTreeWidget*>(u"entityRelationships"_s);
        QCOMPARE(relations->topLevelItemCount(), 2);
        QSignalSpy chosen(&dock, &EntitiesDock::filterRequested);
        dock.chooseRow(0);
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.first().first().toString(), u"ent_18f3b_00a11ce0"_s);
    }

    void storeTextWithMarkupShowsAsWritten()
    {
        // entity ids and a store's folder are data: `<b>e</b>` shows as written in tool tips and the status
        using Testing::shownText;
        const QString folder = m_dir.filePath(u"<i>marked"_s);
        QDir().mkpath(folder);
        SqliteBackend::create(folder + u"/index.db"_s)->storeBatch(Fixtures::graphMemories());
        Fixtures::writeFixtureGraphDb(folder + u"/graph.db"_s);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"markedGraph"_s);
            db.setDatabaseName(folder + u"/graph.db"_s);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"INSERT INTO graph_entities (id, entity_type, name, aliases, confidence, transaction_time, "
                           "properties, mention_count) VALUES ('<b>e</b>', 'concept', '<img src=\"/etc/passwd\">', "
                           "'[]', 0.5, 1700000000, '{}', 1)"_s));
            QVERIFY(q.exec(u"INSERT INTO graph_entity_mentions (entity_id, memory_id, confidence, start_offset, "
                           "end_offset, matched_text, transaction_time) VALUES ('<b>e</b>', 'm2', 0.5, 0, 1, 'm', "
                           "1700000000)"_s));
        }
        QSqlDatabase::removeDatabase(u"markedGraph"_s);
        MemoryTableModel model;
        openModel(model, folder + u"/index.db"_s);
        EntitiesTab tab;
        tab.setModel(&model);
        tab.show();
        QSignalSpy updated(&tab, &EntitiesTab::updated);
        tab.setMemoryId(u"m2"_s);
        QVERIFY(updated.wait(10000));
        auto* mentions = tab.findChild<QTreeWidget*>(u"entityMentions"_s);
        QCOMPARE(mentions->topLevelItemCount(), 1);
        QCOMPARE(mentions->topLevelItem(0)->text(1), u"<img src=\"/etc/passwd\">"_s);
        QCOMPARE(shownText(mentions->topLevelItem(0)->toolTip(1)), u"Entity <b>e</b>"_s);

        EntitiesDock dock(&model);
        QSignalSpy dockUpdated(&dock, &EntitiesDock::updated);
        dock.show();
        QVERIFY(dockUpdated.wait(10000));
        auto* list = dock.findChild<QTreeWidget*>(u"entityList"_s);
        QVERIFY2(shownText(list->toolTip()).contains(u"<i>marked"_s), qPrintable(list->toolTip()));
        QTreeWidgetItem* marked = nullptr;
        for (int i = 0; i < list->topLevelItemCount(); ++i) {
            if (list->topLevelItem(i)->data(0, Qt::UserRole).toString() == "<b>e</b>"_L1)
                marked = list->topLevelItem(i);
        }
        QVERIFY(marked);
        QCOMPARE(shownText(marked->toolTip(1)), u"Entity <b>e</b>"_s);

        // no graph beside the store: the status says so as written
        const QString plain = m_dir.filePath(u"<i>plain"_s);
        QDir().mkpath(plain);
        SqliteBackend::create(plain + u"/index.db"_s)->storeBatch(Fixtures::graphMemories());
        MemoryTableModel other;
        openModel(other, plain + u"/index.db"_s);
        EntitiesTab none;
        none.setModel(&other);
        none.show();
        QSignalSpy noneUpdated(&none, &EntitiesTab::updated);
        none.setMemoryId(u"m3"_s);
        QVERIFY(noneUpdated.wait(10000));
        QCOMPARE(shownText(none.findChild<QLabel*>(u"entitiesStatus"_s)), none.statusText());
    }

    void windowFiltersToAnEntityAndOpensGraphDb()
    {
        MainWindow window;
        window.show();
        window.openStore(m_graph); // graph.db itself
        QTRY_VERIFY_WITH_TIMEOUT(window.model()->exactCount().has_value(), 10000);
        QCOMPARE(window.model()->location(), m_index);
        QVERIFY(window.entitiesDock()->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(window.entitiesDock()->entities().size(), 4, 10000);
        window.showEntityMemories(u"ent_18f3a_0badcafe"_s);
        QCOMPARE(window.filterEdit()->text(), u"entity:ent_18f3a_0badcafe"_s);
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->exactCount().value_or(-1), 2, 10000);
        // another entity replaces it, other words stay
        window.filterEdit()->setText(u"tag:t1 entity:ent_18f3a_0badcafe"_s);
        window.showEntityMemories(u"ent_18f3b_00a11ce0"_s);
        QCOMPARE(window.filterEdit()->text(), u"tag:t1 entity:ent_18f3b_00a11ce0"_s);
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->exactCount().value_or(-1), 2, 10000);
        // the detail pane's tab on the selected memory
        window.goToId(u"m3"_s);
        auto* tabs = window.detailPane()->findChild<QTabWidget*>();
        tabs->setCurrentWidget(window.detailPane()->entitiesTab());
        QTRY_COMPARE_WITH_TIMEOUT(window.detailPane()->entitiesTab()->mentions().size(), 2, 10000);

        // a graph.db alone is explained, not "not a subcog store"
        QDir(m_dir.path()).mkpath(u"lonely"_s);
        QFile::copy(m_graph, m_dir.filePath(u"lonely/graph.db"_s));
        window.openStore(m_dir.filePath(u"lonely/graph.db"_s));
        QTRY_VERIFY_WITH_TIMEOUT(window.messageBar()->isVisible(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.messageBar()->text().contains(u"knowledge graph"_s), 10000);
    }
};

QTEST_MAIN(TestEntitiesView)
#include "tst_entitiesview.moc"
