// SPDX-License-Identifier: MIT
// The window's knowledge graph (spec §14.1): View ▸ Entities, the detail pane's Entities tab, File ▸ Open
// Knowledge Graph…, and subcog's graph.db opened as if it were a store.
#include "mainwindow.h"

#include "detailpane.h"
#include "entitiesdock.h"
#include "entitiestab.h"
#include "graph/sqlitegraph.h"
#include "messagebar.h"
#include "storecontroller.h"
#include "storeopener.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Inspector {

void MainWindow::setupEntities()
{
    m_entities = new EntitiesDock(m_model, this);
    addDockWidget(Qt::RightDockWidgetArea, m_entities);
    m_entities->hide();
    QAction* toggle = m_entities->toggleViewAction();
    toggle->setText(tr("&Entities"));
    toggle->setStatusTip(tr("The knowledge graph's entities with their mentions and relationships; choosing one "
                            "filters the table to its memories"));
    connect(m_entities, &EntitiesDock::filterRequested, this, &MainWindow::showEntityMemories);
    connect(m_detail, &DetailPane::entityActivated, this, &MainWindow::showEntityMemories);
    m_openGraph = new QAction(tr("Open &Knowledge Graph…"), this);
    m_openGraph->setStatusTip(tr("Read the entities from a graph.db other than the one beside the store"));
    connect(m_openGraph, &QAction::triggered, this, &MainWindow::chooseGraphFile);
}

void MainWindow::showEntityMemories(const QString& entityId)
{
    if (entityId.isEmpty())
        return;
    // the entity replaces any entity words already there: choosing another one shows its memories, not both
    static const QRegularExpression whitespace(u"\\s+"_s);
    static const QRegularExpression entityWord(u"^(entity|ent|entities):"_s, QRegularExpression::CaseInsensitiveOption);
    QStringList words = filterEdit()->text().split(whitespace, Qt::SkipEmptyParts);
    words.removeIf([](const QString& w) { return entityWord.match(w).hasMatch(); });
    filterEdit()->setText(words.join(u' '));
    addFilterWords({u"entity:"_s + entityId});
}

void MainWindow::chooseGraphFile()
{
    if (!m_model->isOpen()) {
        m_messages->showMessage(MessageBar::Kind::Info, tr("Open a store first: the knowledge graph is read with it."));
        return;
    }
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Knowledge Graph"), QFileInfo(m_model->location()).absolutePath(),
        tr("subcog knowledge graph (graph.db);;SQLite files (*.db *.sqlite);;All files (*)"));
    if (path.isEmpty())
        return;
    m_entities->useGraphFile(path);
    m_entities->show();
    m_entities->raise();
    if (EntitiesTab* mentions = m_detail->builtEntitiesTab())
        mentions->reload();
    // an entity: filter now reads the chosen graph: the rows are asked for again (after the worker switched)
    applyFilter();
    m_model->refresh();
}

QString MainWindow::graphFileStore(const QString& spec)
{
    const StoreSpec parsed = StoreSpec::parse(spec);
    if (parsed.kind != StoreSpec::Kind::Sqlite)
        return spec;
    const QString index = storeOfGraphFile(parsed.location);
    // without the store beside it, opening goes on and the store says what the file is
    if (index.isEmpty() || !QFileInfo(parsed.location).isFile() || !QFileInfo::exists(index))
        return spec;
    return index;
}

QString MainWindow::storeForGraphFile(const QString& spec)
{
    const QString store = graphFileStore(spec);
    if (store != spec) {
        // the store's own graph is this file (SqliteBackend reads graph.db beside index.db): its entities are shown
        m_entities->show();
        m_entities->raise();
    }
    return store;
}

} // namespace Inspector
