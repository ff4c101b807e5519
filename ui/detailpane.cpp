// SPDX-License-Identifier: MIT
#include "detailpane.h"

#include "edgestab.h"
#include "embeddingtab.h"
#include "entitiestab.h"

#include <QApplication>
#include <QCompleter>
#include <QDateTime>
#include <QFormLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QSplitter>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr qsizetype kPreviewLimit = 200 * 1024; // Markdown layout of more than this would stall the window

/// The Markdown preview of a memory's content, which is the store's text, not the user's: it may name any file
/// (`![](/home/me/.ssh/id.png)`, `<img src=...>`, a FIFO that would block the window), and a preview must not read
/// one. An empty answer is not enough: QTextDocument and Qt's image handler then read the file themselves, so an
/// image is answered with an empty picture and every other resource with nothing. Links do nothing either (a
/// QTextBrowser would open a linked local file in place of the memory).
class NoResources : public QTextDocument
{
public:
    using QTextDocument::QTextDocument;

protected:
    QVariant loadResource(int type, const QUrl&) override
    {
        if (type == QTextDocument::ImageResource) {
            QImage none(1, 1, QImage::Format_ARGB32);
            none.fill(Qt::transparent);
            return none;
        }
        return QByteArray();
    }
};

QString relative(qint64 seconds)
{
    const qint64 delta = seconds - QDateTime::currentSecsSinceEpoch();
    const qint64 a = qAbs(delta);
    QString span;
    if (a < 3600)
        span = DetailPane::tr("%1 minutes").arg(qMax<qint64>(1, a / 60));
    else if (a < 2 * 86400)
        span = DetailPane::tr("%1 hours").arg(a / 3600);
    else
        span = DetailPane::tr("%1 days").arg(a / 86400);
    return delta >= 0 ? DetailPane::tr("expires in %1").arg(span) : DetailPane::tr("expired %1 ago").arg(span);
}
} // namespace

DetailPane::DetailPane(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_tombstone(new QLabel(this))
    , m_expiry(new QLabel(this))
    , m_flags(new QLabel(this))
    , m_summarizedBy(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_content(new QPlainTextEdit(this))
    , m_problem(new QLabel(this))
    , m_save(new QPushButton(tr("&Save"), this))
    , m_discard(new QPushButton(tr("&Discard"), this))
{
    setObjectName(u"detailPane"_s);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::RichText); // the id is escaped: a guess would show `a &amp; b` for `a & b`
    layout->addWidget(m_title);

    auto* fieldsWidget = new QWidget;
    auto* form = new QFormLayout(fieldsWidget);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    for (int c = 0; c < MemoryFields::columnCount(); ++c) {
        const auto column = MemoryColumn(c);
        if (column == MemoryColumn::Content)
            continue;
        auto* label = new QLabel(MemoryFields::title(column) + u':');
        label->setToolTip(MemoryFields::description(column) + u" ("_s + MemoryFields::fieldName(column) + u')');
        if (MemoryFields::isEditable(column)) {
            auto* edit = new QLineEdit;
            edit->setObjectName(u"field_"_s + MemoryFields::fieldName(column));
            edit->setToolTip(label->toolTip());
            if (column == MemoryColumn::Namespace) {
                QStringList names;
                for (const Namespace ns : allNamespaces())
                    names << namespaceName(ns);
                edit->setCompleter(new QCompleter(names, edit));
            } else if (column == MemoryColumn::Status) {
                QStringList names;
                for (const MemoryStatus st : allStatuses())
                    names << statusName(st);
                edit->setCompleter(new QCompleter(names, edit));
            } else if (column == MemoryColumn::ExpiresAt || column == MemoryColumn::TombstonedAt) {
                edit->setPlaceholderText(tr("YYYY-MM-DD HH:MM:SS, empty for none"));
            }
            connect(edit, &QLineEdit::textEdited, this, &DetailPane::revalidate);
            m_edits.insert(c, edit);
            if (column == MemoryColumn::ExpiresAt || column == MemoryColumn::TombstonedAt) {
                auto* box = new QWidget;
                auto* row = new QVBoxLayout(box);
                row->setContentsMargins(0, 0, 0, 0);
                row->addWidget(edit);
                row->addWidget(column == MemoryColumn::ExpiresAt ? m_expiry : m_tombstone);
                form->addRow(label, box);
            } else {
                form->addRow(label, edit);
            }
        } else {
            auto* value = new QLabel;
            value->setObjectName(u"field_"_s + MemoryFields::fieldName(column));
            value->setTextInteractionFlags(Qt::TextBrowserInteraction);
            value->setWordWrap(true);
            value->setTextFormat(Qt::RichText); // values are escaped, ids are links
            if (column == MemoryColumn::SourceMemoryIds)
                connect(value, &QLabel::linkActivated, this,
                        [this](const QString& link) { Q_EMIT memoryLinkActivated(link.section(u':', 1)); });
            m_labels.insert(c, value);
            form->addRow(label, value);
        }
    }
    m_summarizedBy->setObjectName(u"summarizedBy"_s);
    m_summarizedBy->setWordWrap(true);
    m_summarizedBy->setTextFormat(Qt::RichText);
    m_summarizedBy->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_summarizedBy->setToolTip(tr("Consolidation summaries that include this memory"));
    connect(m_summarizedBy, &QLabel::linkActivated, this,
            [this](const QString& link) { Q_EMIT memoryLinkActivated(link.section(u':', 1)); });
    form->addRow(tr("Summarized by:"), m_summarizedBy);
    m_flags->setWordWrap(true);
    form->addRow(tr("Notes:"), m_flags);
    auto* scroll = new QScrollArea;
    scroll->setWidget(fieldsWidget);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    m_content->setObjectName(u"contentEditor"_s);
    m_content->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_tabs->addTab(m_content, tr("Content"));
    // the other tabs are made when first chosen (or asked for): a window starts showing Content, and each of them
    // is a few hundred microseconds of the launch
    for (Slot* slot : {&m_previewSlot, &m_embeddingSlot, &m_entitiesSlot, &m_edgesSlot})
        *slot = new QWidget(m_tabs);
    m_tabs->addTab(m_previewSlot, tr("Preview"));
    m_tabs->addTab(m_embeddingSlot, tr("Embedding"));
    m_tabs->addTab(m_entitiesSlot, tr("Entities"));
    m_tabs->addTab(m_edgesSlot, tr("Edges"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_swapping)
            return;
        QWidget* current = m_tabs->currentWidget();
        if (current == m_previewSlot)
            preview();
        else if (current == m_embeddingSlot)
            embeddingTab();
        else if (current == m_entitiesSlot)
            entitiesTab();
        else if (current == m_edgesSlot)
            edgesTab();
        renderPreview();
    });
    connect(m_content, &QPlainTextEdit::textChanged, this, [this] {
        m_previewStale = true;
        if (!m_filling)
            revalidate();
    });

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_tabs);
    split->addWidget(scroll);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    m_problem->setObjectName(u"validationMessage"_s);
    m_problem->setWordWrap(true);
    m_problem->setTextFormat(Qt::PlainText); // the problem quotes a typed value, never markup
    QPalette warn = m_problem->palette();
    warn.setColor(QPalette::WindowText, QColor(0xc0, 0x30, 0x30));
    m_problem->setPalette(warn);
    layout->addWidget(m_problem);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    m_discard->setToolTip(tr("Discard the changes (Esc)"));
    m_save->setToolTip(tr("Save the changes to the store (Ctrl+S)"));
    buttons->addWidget(m_discard);
    buttons->addWidget(m_save);
    layout->addLayout(buttons);
    connect(m_save, &QPushButton::clicked, this, &DetailPane::save);
    connect(m_discard, &QPushButton::clicked, this, &DetailPane::discard);
    auto* saveKey = new QShortcut(QKeySequence::Save, this, this, &DetailPane::save);
    saveKey->setContext(Qt::WidgetWithChildrenShortcut);
    auto* discardKey = new QShortcut(QKeySequence(Qt::Key_Escape), this, this, [this] {
        // Esc first closes what is open over the pane (a completer's list); only a bare Esc discards
        if (QWidget* popup = QApplication::activePopupWidget()) {
            popup->close();
            return;
        }
        discard();
    });
    discardKey->setContext(Qt::WidgetWithChildrenShortcut);
    setMemory(std::nullopt);
}

void DetailPane::setMemory(const std::optional<Memory>& memory)
{
    if (memory && m_memory && isDirty() && memory->id == m_memory->id)
        return; // a refresh of the same memory must not throw away what is being typed
    m_memory = memory;
    if (m_edges)
        m_edges->setMemoryId(m_memory ? m_memory->id : QString());
    fill();
    if (m_entities)
        m_entities->setMemoryId(memory ? memory->id : QString());
    Q_EMIT memoryShown(m_memory ? m_memory->id : QString());
}

void DetailPane::addTab(QWidget* tab, const QString& title)
{
    m_tabs->addTab(tab, title);
}

void DetailPane::setModel(MemoryTableModel* model)
{
    m_model = model;
    if (m_embedding)
        m_embedding->setModel(model);
    if (m_entities)
        m_entities->setModel(model);
    if (m_edges)
        m_edges->setModel(model);
}

void DetailPane::swapIn(Slot& slot, QWidget* tab)
{
    const int index = m_tabs->indexOf(slot);
    const bool current = m_tabs->currentIndex() == index;
    const QString title = m_tabs->tabText(index);
    m_swapping = true;
    m_tabs->insertTab(index, tab, title);
    m_tabs->removeTab(index + 1);
    if (current)
        m_tabs->setCurrentIndex(index);
    m_swapping = false;
    slot->deleteLater();
    slot = nullptr;
}

QTextBrowser* DetailPane::preview()
{
    if (!m_preview) {
        m_preview = new QTextBrowser(this);
        m_preview->setDocument(new NoResources(m_preview));
        m_preview->setObjectName(u"contentPreview"_s);
        m_preview->setOpenLinks(false);
        swapIn(m_previewSlot, m_preview);
        m_previewStale = true;
    }
    return m_preview;
}

EmbeddingTab* DetailPane::embeddingTab()
{
    if (!m_embedding) {
        m_embedding = new EmbeddingTab(this);
        connect(m_embedding, &EmbeddingTab::similarRequested, this, &DetailPane::similarRequested);
        if (m_model)
            m_embedding->setModel(m_model);
        m_embedding->setMemoryId(m_memory ? m_memory->id : QString());
        swapIn(m_embeddingSlot, m_embedding);
    }
    return m_embedding;
}

EntitiesTab* DetailPane::entitiesTab()
{
    if (!m_entities) {
        m_entities = new EntitiesTab(this);
        connect(m_entities, &EntitiesTab::entityActivated, this, &DetailPane::entityActivated);
        if (m_model)
            m_entities->setModel(m_model);
        m_entities->setMemoryId(m_memory ? m_memory->id : QString());
        swapIn(m_entitiesSlot, m_entities);
    }
    return m_entities;
}

EdgesTab* DetailPane::edgesTab()
{
    if (!m_edges) {
        m_edges = new EdgesTab(this);
        connect(m_edges, &EdgesTab::memoryActivated, this, &DetailPane::memoryLinkActivated);
        connect(m_edges, &EdgesTab::edgesChanged, this, &DetailPane::edgesChanged);
        if (m_model)
            m_edges->setModel(m_model);
        m_edges->setEditable(m_editable);
        const QString id = m_memory ? m_memory->id : QString();
        m_edges->setMemoryId(id);
        if (!id.isEmpty() && id == m_summarizedFor && m_summaryIds)
            m_edges->setSummarizedBy(id, *m_summaryIds);
        swapIn(m_edgesSlot, m_edges);
    }
    return m_edges;
}

void DetailPane::setTabShown(QWidget* tab, bool shown)
{
    m_tabs->setTabVisible(m_tabs->indexOf(tab), shown);
}

void DetailPane::setSummarizedBy(const QString& id, const QStringList& summaryIds)
{
    if (!m_memory || m_memory->id != id)
        return;
    m_summaryIds = summaryIds;
    if (m_edges)
        m_edges->setSummarizedBy(id, summaryIds);
    QStringList links;
    for (const QString& s : summaryIds)
        links << u"<a href=\"memory:%1\">%1</a>"_s.arg(s.toHtmlEscaped());
    m_summarizedBy->setText(links.join(u", "_s));
}

void DetailPane::setEditable(bool editable)
{
    m_editable = editable;
    if (m_edges)
        m_edges->setEditable(editable);
    fill();
}

void DetailPane::fill()
{
    m_filling = true;
    const bool has = m_memory.has_value();
    const bool locked = has && (m_memory->flags & MemoryFlag::Locked);
    const bool editing = m_editable && has && !locked;
    m_title->setText(
        has ? u"<b>%1</b><br><small>%2</small>"_s.arg(m_memory->id.toHtmlEscaped(), m_memory->urn().toHtmlEscaped())
            : tr("No memory selected"));
    for (auto it = m_edits.begin(); it != m_edits.end(); ++it) {
        (*it)->setText(has ? MemoryFields::editText(*m_memory, MemoryColumn(it.key())) : QString());
        (*it)->setCursorPosition(0); // long values show their start
        // what the field shows, which for a value with a line break is not the value itself: only typing changes it
        m_shown.insert(it.key(), (*it)->text());
        (*it)->setReadOnly(!editing);
        (*it)->setFrame(editing); // a read-only value should not look like a field to type in
        (*it)->setEnabled(has);
        if (has) {
            const QVariant raw = MemoryFields::rawValue(*m_memory, MemoryColumn(it.key()));
            if (raw.metaType().id() == QMetaType::LongLong)
                (*it)->setToolTip(tr("%1 (Unix seconds)").arg(raw.toLongLong()));
        }
    }
    for (auto it = m_labels.begin(); it != m_labels.end(); ++it) {
        const auto column = MemoryColumn(it.key());
        QString text = has ? MemoryFields::displayText(*m_memory, column).toHtmlEscaped() : QString();
        QString tip;
        if (has && column == MemoryColumn::SourceMemoryIds && m_memory->sourceMemoryIds) {
            QStringList links;
            for (const QString& id : *m_memory->sourceMemoryIds)
                links << u"<a href=\"memory:%1\">%1</a>"_s.arg(id.toHtmlEscaped());
            text = links.join(u", "_s);
        }
        if (has) {
            const QVariant raw = MemoryFields::rawValue(*m_memory, column);
            if (raw.metaType().id() == QMetaType::LongLong && column != MemoryColumn::IsSummary)
                tip = tr("%1 (Unix seconds)").arg(raw.toLongLong());
        }
        (*it)->setText(text);
        (*it)->setToolTip(tip);
    }
    m_expiry->setText(has && m_memory->expiresAt ? relative(*m_memory->expiresAt) : QString());
    m_tombstone->setText(!has                           ? QString()
                             : m_memory->isTombstoned() ? tr("Tombstoned (soft-deleted): restore it from the Trash")
                                                        : tr("Live"));
    QStringList notes = has ? describeFlags(m_memory->flags) : QStringList();
    m_flags->setText(notes.join(u'\n'));
    if (!has || m_summarizedFor != m_memory->id) {
        m_summarizedBy->clear();
        m_summaryIds.reset();
    }
    m_summarizedFor = has ? m_memory->id : QString();
    m_content->setReadOnly(!editing);
    m_content->setPlainText(has ? m_memory->content : QString());
    // the editor turns CRLF and other separators into its own: compare edits with what it showed, so that an
    // untouched memory is not "changed" (and a save elsewhere does not rewrite its line ends)
    m_shownContent = m_content->toPlainText();
    m_content->setEnabled(has);
    m_previewStale = true;
    renderPreview();
    if (m_embedding)
        m_embedding->setMemoryId(has ? m_memory->id : QString());
    m_filling = false;
    revalidate();
}

void DetailPane::renderPreview()
{
    if (!m_previewStale || !m_preview || m_tabs->currentWidget() != m_preview)
        return;
    m_previewStale = false;
    QString text = m_content->toPlainText();
    if (text.size() > kPreviewLimit)
        text = text.left(kPreviewLimit) + u"\n\n---\n\n"_s
            + tr("*Preview shows the first %1 KB; the editor has all of it.*").arg(kPreviewLimit / 1024);
    m_preview->setMarkdown(text);
}

std::optional<Memory> DetailPane::editedMemory(QString* error) const
{
    if (!m_memory)
        return std::nullopt;
    Memory edited = *m_memory;
    for (auto it = m_edits.cbegin(); it != m_edits.cend(); ++it) {
        const auto column = MemoryColumn(it.key());
        const QString text = (*it)->text();
        if (text == m_shown.value(it.key()) || text == MemoryFields::editText(*m_memory, column))
            continue;
        const QString why = MemoryFields::applyEdit(edited, column, text);
        if (!why.isEmpty()) {
            if (error)
                *error = MemoryFields::title(column) + u": "_s + why;
            return std::nullopt;
        }
    }
    const QString content = m_content->toPlainText();
    if (content != m_shownContent && content != m_memory->content) {
        const QString why = MemoryFields::applyEdit(edited, MemoryColumn::Content, content);
        if (!why.isEmpty()) {
            if (error)
                *error = MemoryFields::title(MemoryColumn::Content) + u": "_s + why;
            return std::nullopt;
        }
    }
    return edited;
}

bool DetailPane::isDirty() const
{
    if (!m_memory)
        return false;
    if (m_content->toPlainText() != m_shownContent)
        return true;
    for (auto it = m_edits.cbegin(); it != m_edits.cend(); ++it) {
        if ((*it)->text() != m_shown.value(it.key()))
            return true;
    }
    return false;
}

QString DetailPane::validationMessage() const
{
    return m_problem->text();
}

void DetailPane::revalidate()
{
    if (m_filling)
        return;
    QString error;
    const auto edited = editedMemory(&error);
    const bool dirty = isDirty();
    m_problem->setText(error);
    m_problem->setVisible(!error.isEmpty());
    m_save->setEnabled(m_editable && dirty && edited.has_value());
    m_discard->setEnabled(dirty);
    m_save->setVisible(m_editable);
    m_discard->setVisible(m_editable);
}

void DetailPane::save()
{
    QString error;
    const auto edited = editedMemory(&error);
    if (!m_editable || !m_memory || !isDirty() || !edited)
        return;
    const Memory before = *m_memory;
    // shown as saved at once; a refused write comes back through the table and replaces it
    m_memory = *edited;
    fill();
    Q_EMIT saveRequested(before, *edited);
}

void DetailPane::discard()
{
    fill();
}

} // namespace Inspector
