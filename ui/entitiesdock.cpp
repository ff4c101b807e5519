// SPDX-License-Identifier: MIT
#include "entitiesdock.h"

#include "appearance.h"
#include "plaintext.h"
#include "visibletext.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <limits>
#include <utility>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
enum ListColumn
{
    CType,
    CName,
    CAliases,
    CMentions,
    CConfidence,
};

EntityQuery::Sort sortOf(int column)
{
    switch (column) {
    case CType:
        return EntityQuery::Sort::Type;
    case CName:
    case CAliases:
        return EntityQuery::Sort::Name;
    case CConfidence:
        return EntityQuery::Sort::Confidence;
    default:
        return EntityQuery::Sort::Mentions;
    }
}
} // namespace

struct EntitiesDock::ListResult
{
    EntityQuery query;
    QString graphFile; ///< to choose on the worker first, when set
    QString unavailable;
    QString location;
    EntityPage page;
};

struct EntitiesDock::RelationsResult
{
    QString entityId;
    QList<GraphRelationship> relationships;
};

EntitiesDock::EntitiesDock(MemoryTableModel* model, QWidget* parent)
    : QDockWidget(tr("Entities"), parent)
    , m_model(model)
    , m_search(new QLineEdit)
    , m_show(new QPushButton(tr("Show &Memories")))
    , m_status(new QLabel)
    , m_list(new QTreeWidget)
    , m_relationsTitle(new QLabel)
    , m_relations(new QTreeWidget)
{
    setObjectName(u"entitiesDock"_s);
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* top = new QHBoxLayout;
    m_search->setObjectName(u"entitySearch"_s);
    m_search->setPlaceholderText(tr("Search entities by name, alias or id"));
    Appearance::enableClearButtonWhenUsed(m_search);
    top->addWidget(m_search, 1);
    m_show->setObjectName(u"showEntityMemories"_s);
    m_show->setToolTip(tr("Filter the table to the memories that mention the selected entity (entity:ID)"));
    m_show->setEnabled(false);
    top->addWidget(m_show);
    layout->addLayout(top);
    m_status->setObjectName(u"entitiesStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText); // store messages quote names and paths, never markup
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    m_list->setObjectName(u"entityList"_s);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setHeaderLabels({tr("Type"), tr("Name"), tr("Aliases"), tr("Mentions"), tr("Confidence")});
    m_list->header()->setSectionsClickable(true);
    m_list->header()->setSortIndicatorShown(true);
    m_list->header()->setSortIndicator(CMentions, Qt::DescendingOrder);
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(CName, QHeaderView::Stretch);
    m_list->setColumnWidth(CType, 100);
    m_list->setColumnWidth(CAliases, 140);
    m_list->setColumnWidth(CMentions, 80);
    m_list->setColumnWidth(CConfidence, 90);
    m_list->setToolTip(tr("Double-click or press Enter to show the memories that mention the entity"));

    m_relationsTitle->setObjectName(u"relationshipsTitle"_s);
    m_relationsTitle->setTextFormat(Qt::PlainText); // a store message may quote names, never markup
    m_relations->setObjectName(u"entityRelationships"_s);
    m_relations->setRootIsDecorated(false);
    m_relations->setUniformRowHeights(true);
    m_relations->setHeaderLabels({tr("Relationship"), tr("Other entity"), tr("Type"), tr("Confidence")});
    m_relations->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_relations->header()->setStretchLastSection(false);
    auto* lower = new QWidget;
    auto* lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    lowerLayout->addWidget(m_relationsTitle);
    lowerLayout->addWidget(m_relations, 1);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_list);
    split->addWidget(lower);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);
    setWidget(body);

    m_searchDelay.setSingleShot(true);
    m_searchDelay.setInterval(250);
    connect(&m_searchDelay, &QTimer::timeout, this, &EntitiesDock::fetchList);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_searchDelay.start(); });
    connect(m_list->header(), &QHeaderView::sortIndicatorChanged, this, [this] { fetchList(); });
    connect(m_list, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        m_show->setEnabled(item != nullptr);
        if (item)
            fetchRelations(item->data(0, Qt::UserRole).toString());
    });
    connect(m_list, &QTreeWidget::itemActivated, this,
            [this](QTreeWidgetItem* item) { chooseRow(m_list->indexOfTopLevelItem(item)); });
    connect(m_show, &QPushButton::clicked, this, [this] {
        if (QTreeWidgetItem* item = m_list->currentItem())
            chooseRow(m_list->indexOfTopLevelItem(item));
    });
    connect(m_model, &MemoryTableModel::jobFinished, this, &EntitiesDock::onJobFinished);
    connect(m_model, &MemoryTableModel::storeOpened, this, &EntitiesDock::reload);
    connect(m_model, &MemoryTableModel::refreshed, this, &EntitiesDock::reload);
    fillList();
}

EntitiesDock::~EntitiesDock() = default;

void EntitiesDock::reload()
{
    m_stale = true;
    if (isVisible())
        fetchList();
}

void EntitiesDock::useGraphFile(const QString& path)
{
    m_graphFile = path;
    m_stale = true;
    fetchList(); // also when hidden: the choice reaches the store with the list's job
}

void EntitiesDock::setSearch(const QString& text)
{
    m_search->setText(text);
    m_searchDelay.stop();
    fetchList();
}

void EntitiesDock::showEvent(QShowEvent* event)
{
    QDockWidget::showEvent(event);
    if (m_stale)
        fetchList();
}

EntityQuery EntitiesDock::currentQuery() const
{
    EntityQuery q;
    q.search = m_search->text();
    q.sort = sortOf(m_list->header()->sortIndicatorSection());
    q.descending = m_list->header()->sortIndicatorOrder() == Qt::DescendingOrder;
    q.limit = kLimit;
    return q;
}

void EntitiesDock::fetchList()
{
    m_searchDelay.stop();
    if (m_listJob)
        m_model->cancelFetch(m_listJob); // a newer search or order replaces it
    m_listJob = 0;
    if (!m_model->isOpen()) {
        m_entities.clear();
        m_total = 0;
        m_unavailable.clear();
        fillList();
        return;
    }
    m_stale = false;
    auto result = std::make_shared<ListResult>();
    result->query = currentQuery();
    result->graphFile = std::exchange(m_graphFile, QString());
    m_listResult = result;
    m_listJob = m_model->runJob([result](PersistenceBackend& store, const auto&) -> QString {
        if (!result->graphFile.isEmpty())
            store.setGraphFile(result->graphFile);
        result->unavailable = store.graphUnavailable();
        result->location = store.graphLocation();
        if (result->unavailable.isEmpty())
            result->page = store.entities(result->query);
        return {};
    });
    fillList();
}

void EntitiesDock::fetchRelations(const QString& entityId)
{
    if (m_relationsJob)
        m_model->cancelFetch(m_relationsJob);
    m_relationsJob = 0;
    m_relationsFor = entityId;
    m_relationships.clear();
    if (!m_model->isOpen() || entityId.isEmpty()) {
        fillRelations();
        return;
    }
    auto result = std::make_shared<RelationsResult>();
    result->entityId = entityId;
    m_relationsResult = result;
    m_relationsJob = m_model->runJob([result](PersistenceBackend& store, const auto&) -> QString {
        result->relationships = store.entityRelationships(result->entityId);
        return {};
    });
    fillRelations();
}

void EntitiesDock::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (id == 0)
        return;
    if (id == m_listJob) {
        m_listJob = 0;
        const std::shared_ptr<ListResult> result = std::move(m_listResult);
        m_entities.clear();
        m_total = 0;
        if (cancelled) {
            m_stale = true;
            m_unavailable = tr("Stopped before the entities were read.");
        } else if (failed) {
            m_unavailable = tr("The entities could not be read: %1").arg(summary);
        } else if (!result->unavailable.isEmpty()) {
            m_unavailable = tr("No knowledge graph: %1").arg(result->unavailable);
        } else {
            m_unavailable.clear();
            m_entities = result->page.entities;
            m_total = result->page.total;
            m_list->setToolTip(plainToolTip(tr("Entities of %1").arg(withVisibleControls(result->location))));
        }
        fillList();
        Q_EMIT updated();
    } else if (id == m_relationsJob) {
        m_relationsJob = 0;
        const std::shared_ptr<RelationsResult> result = std::move(m_relationsResult);
        if (!cancelled && !failed)
            m_relationships = result->relationships;
        fillRelations();
        if (failed)
            m_relationsTitle->setText(tr("The relationships could not be read: %1").arg(summary));
        Q_EMIT updated();
    }
}

QString EntitiesDock::statusText() const
{
    return m_status->text();
}

void EntitiesDock::fillList()
{
    const QString keep = m_list->currentItem() ? m_list->currentItem()->data(0, Qt::UserRole).toString() : QString();
    {
        const QSignalBlocker block(m_list);
        m_list->clear();
        const QLocale locale;
        QTreeWidgetItem* current = nullptr;
        for (const GraphEntity& e : std::as_const(m_entities)) {
            auto* item = new QTreeWidgetItem(m_list);
            item->setText(CType, e.type);
            item->setText(CName, e.name);
            item->setText(CAliases, e.aliases.join(u", "_s));
            item->setText(CMentions, locale.toString(e.mentionCount));
            item->setText(CConfidence, locale.toString(e.confidence, 'f', 2));
            item->setTextAlignment(CMentions, Qt::AlignRight | Qt::AlignVCenter);
            item->setTextAlignment(CConfidence, Qt::AlignRight | Qt::AlignVCenter);
            item->setData(0, Qt::UserRole, e.id);
            item->setToolTip(CName, plainToolTip(tr("Entity %1").arg(e.id)));
            if (e.id == keep)
                current = item;
        }
        if (current)
            m_list->setCurrentItem(current);
    }
    m_show->setEnabled(m_list->currentItem() != nullptr);
    if (!m_list->currentItem() && !m_relationsFor.isEmpty()) {
        m_relationsFor.clear();
        m_relationships.clear();
        fillRelations();
    }
    if (m_listJob)
        m_status->setText(tr("Reading the entities…"));
    else if (!m_model->isOpen())
        m_status->setText(tr("No store is open."));
    else if (!m_unavailable.isEmpty())
        m_status->setText(m_unavailable);
    else if (m_total > m_entities.size())
        m_status->setText(tr("%1 of %2 entities shown; search to find the others.")
                              .arg(QLocale().toString(m_entities.size()), QLocale().toString(m_total)));
    else
        m_status->setText(tr("%n entities.", "", int(qMin<qint64>(m_total, std::numeric_limits<int>::max()))));
    if (m_relationsFor.isEmpty())
        fillRelations();
}

void EntitiesDock::fillRelations()
{
    m_relations->clear();
    if (m_relationsFor.isEmpty()) {
        m_relationsTitle->setText(tr("Select an entity to see its relationships."));
        return;
    }
    if (m_relationsJob) {
        m_relationsTitle->setText(tr("Reading the relationships…"));
        return;
    }
    m_relationsTitle->setText(tr("%n relationships:", "", int(m_relationships.size())));
    const QLocale locale;
    for (const GraphRelationship& r : std::as_const(m_relationships)) {
        auto* item = new QTreeWidgetItem(m_relations);
        // the arrow says which way the relationship points: → this entity is its subject
        item->setText(0, (r.outgoing ? u"→ "_s : u"← "_s) + r.type);
        item->setText(1, r.otherName.isEmpty() ? tr("(entity %1 is gone)").arg(r.otherId) : r.otherName);
        item->setText(2, r.otherType);
        item->setText(3, r.confidence ? locale.toString(*r.confidence, 'f', 2) : tr("—"));
        item->setToolTip(1, plainToolTip(tr("Entity %1").arg(r.otherId)));
    }
}

void EntitiesDock::selectRow(int row)
{
    if (QTreeWidgetItem* item = m_list->topLevelItem(row))
        m_list->setCurrentItem(item);
}

void EntitiesDock::chooseRow(int row)
{
    if (QTreeWidgetItem* item = m_list->topLevelItem(row))
        Q_EMIT filterRequested(item->data(0, Qt::UserRole).toString());
}

} // namespace Inspector
