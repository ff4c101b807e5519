// SPDX-License-Identifier: MIT
#include "entitiestab.h"
#include "plaintext.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Inspector {

struct EntitiesTab::Result
{
    QString memoryId;
    QString unavailable; ///< why the store has no graph
    QList<EntityMention> mentions;
};

EntitiesTab::EntitiesTab(QWidget* parent)
    : QWidget(parent)
    , m_status(new QLabel(this))
    , m_list(new QTreeWidget(this))
{
    setObjectName(u"entitiesTab"_s);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    m_status->setObjectName(u"entitiesStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText); // store messages quote names and paths, never markup
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    m_list->setObjectName(u"entityMentions"_s);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setHeaderLabels({tr("Type"), tr("Name"), tr("Confidence"), tr("Matched text")});
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(true);
    m_list->setToolTip(tr("Double-click or press Enter to show the memories that mention the entity"));
    layout->addWidget(m_list, 1);
    connect(m_list, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        if (item)
            Q_EMIT entityActivated(item->data(0, Qt::UserRole).toString());
    });
    fill();
}

EntitiesTab::~EntitiesTab() = default;

void EntitiesTab::setModel(MemoryTableModel* model)
{
    if (m_model)
        m_model->disconnect(this);
    m_model = model;
    if (m_model) {
        connect(m_model, &MemoryTableModel::jobFinished, this, &EntitiesTab::onJobFinished);
        // another store (or the same one again, or its graph changed): what was read says nothing now
        connect(m_model, &MemoryTableModel::storeOpened, this, &EntitiesTab::reload);
        connect(m_model, &MemoryTableModel::refreshed, this, &EntitiesTab::reload);
    }
}

void EntitiesTab::setMemoryId(const QString& id)
{
    if (id == m_memoryId)
        return;
    m_memoryId = id;
    if (isVisible())
        fetch(); // hidden, the tab asks once it is shown (showEvent)
}

void EntitiesTab::reload()
{
    m_shownFor.clear();
    if (isVisible())
        fetch();
}

void EntitiesTab::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_shownFor != m_memoryId || m_shownFor.isEmpty())
        fetch();
}

void EntitiesTab::fetch()
{
    if (m_job && m_model)
        m_model->cancelFetch(m_job); // only the newest selection's mentions matter
    m_job = 0;
    m_mentions.clear();
    m_shownFor = m_memoryId;
    if (!m_model || !m_model->isOpen() || m_memoryId.isEmpty()) {
        fill();
        return;
    }
    auto result = std::make_shared<Result>();
    result->memoryId = m_memoryId;
    m_result = result;
    m_job = m_model->runJob([result](PersistenceBackend& store, const auto&) -> QString {
        result->unavailable = store.graphUnavailable();
        if (result->unavailable.isEmpty())
            result->mentions = store.entityMentions(result->memoryId);
        return {};
    });
    fill();
}

void EntitiesTab::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (id == 0 || id != m_job)
        return; // another panel's job, or one a newer selection replaced
    m_job = 0;
    const std::shared_ptr<Result> result = std::move(m_result);
    if (cancelled) {
        m_shownFor.clear();
        fill();
        return;
    }
    if (failed) {
        m_status->setText(tr("The entities could not be read: %1").arg(summary));
        m_list->clear();
        Q_EMIT updated();
        return;
    }
    if (!result->unavailable.isEmpty()) {
        m_status->setText(tr("No knowledge graph: %1").arg(result->unavailable));
        m_list->clear();
        Q_EMIT updated();
        return;
    }
    m_mentions = result->mentions;
    fill();
    Q_EMIT updated();
}

QString EntitiesTab::statusText() const
{
    return m_status->text();
}

void EntitiesTab::fill()
{
    m_list->clear();
    if (m_job) {
        m_status->setText(tr("Reading the entities this memory mentions…"));
        return;
    }
    if (m_memoryId.isEmpty()) {
        m_status->setText(tr("No memory is selected."));
        return;
    }
    m_status->setText(m_mentions.isEmpty() ? tr("This memory mentions no entity of the knowledge graph.")
                                           : tr("This memory mentions %n entities.", "", int(m_mentions.size())));
    const QLocale locale;
    for (const EntityMention& m : std::as_const(m_mentions)) {
        auto* item = new QTreeWidgetItem(m_list);
        item->setText(0, m.entityType);
        item->setText(1, m.entityName.isEmpty() ? tr("(entity %1 is gone)").arg(m.entityId) : m.entityName);
        item->setText(2, m.confidence ? locale.toString(*m.confidence, 'f', 2) : tr("—"));
        item->setText(3, m.matchedText);
        item->setData(0, Qt::UserRole, m.entityId);
        item->setToolTip(1, plainToolTip(tr("Entity %1").arg(m.entityId)));
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
    }
}

} // namespace Inspector
