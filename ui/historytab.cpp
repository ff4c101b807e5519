// SPDX-License-Identifier: MIT
#include "historytab.h"

#include "auditlogreader.h"
#include "detailpane.h"
#include "memorytablemodel.h"
#include "plaintext.h"
#include "secrets.h"
#include "storelocator.h"
#include "storeopener.h"
#include "visibletext.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStyle>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <limits>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
// who did what and how it ended first: the pane is often narrow
enum Column
{
    TimeColumn,
    ActionColumn,
    ActorColumn,
    OutcomeColumn,
    EventColumn,
    LineColumn,
};

QString chainToolTip()
{
    return HistoryTab::tr(
        "subcog signs each entry with a key the inspector does not have, so it checks the chain's links, not the "
        "signatures: each signed entry's previous_hmac must be \"genesis\" (a subcog process started signing) or "
        "the hmac_signature of an earlier entry (the line before it, when one process writes). A break means lines "
        "were removed, or a signature was edited; other edits cannot be seen without the key.");
}
} // namespace

HistoryTab::HistoryTab(QWidget* parent)
    : QWidget(parent)
    , m_reader(new AuditLogReader(this))
    , m_summary(new QLabel(this))
    , m_choose(new QPushButton(tr("Choose audit.log…"), this))
    , m_events(new QTreeWidget(this))
    , m_metadata(new QPlainTextEdit(this))
{
    setObjectName(u"historyTab"_s);
    m_summary->setObjectName(u"historySummary"_s);
    m_summary->setWordWrap(true);
    // the path and messages are escaped and a chain break is bold: a guess would show `&amp;` for a path's `&`
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_choose->setObjectName(u"historyChoose"_s);
    m_choose->setToolTip(tr("subcog writes audit.log in its data folder when features.audit_log is on; for a "
                            "PostgreSQL store choose the file of the machine that runs subcog."));
    m_choose->setVisible(false);
    m_events->setObjectName(u"historyEvents"_s);
    m_events->setHeaderLabels({tr("Time"), tr("Action"), tr("Actor"), tr("Outcome"), tr("Event"), tr("Line")});
    m_events->setRootIsDecorated(false);
    m_events->setUniformRowHeights(true);
    m_events->setAlternatingRowColors(true);
    m_events->header()->setStretchLastSection(false);
    m_events->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_metadata->setObjectName(u"historyMetadata"_s);
    m_metadata->setReadOnly(true);
    m_metadata->setPlaceholderText(tr("Select an event to see its metadata."));
    m_metadata->setVisible(false);

    auto* top = new QHBoxLayout;
    top->addWidget(m_summary, 1);
    top->addWidget(m_choose, 0, Qt::AlignTop);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_events);
    split->addWidget(m_metadata);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    connect(m_choose, &QPushButton::clicked, this, &HistoryTab::chooseFile);
    connect(m_events, &QTreeWidget::currentItemChanged, this, &HistoryTab::showMetadata);
    connect(m_reader, &AuditLogReader::located, this, [this](const QString& path) {
        m_path = path;
        if (!m_postgres)
            setAvailable(!path.isEmpty());
    });
    connect(m_reader, &AuditLogReader::indexing, this, [this](qint64 done, qint64 total) {
        m_summary->setText(
            tr("Reading %1… %2%")
                .arg(withVisibleControls(m_path).toHtmlEscaped(), QString::number(total > 0 ? done * 100 / total : 0)));
    });
    connect(m_reader, &AuditLogReader::eventsRead, this, &HistoryTab::showEvents);
    connect(m_reader, &AuditLogReader::failed, this, [this](const QString& memoryId, const QString& message) {
        if (memoryId == m_memoryId)
            m_summary->setText(message.toHtmlEscaped());
    });
}

HistoryTab* HistoryTab::install(DetailPane* pane, MemoryTableModel* model)
{
    auto* tab = new HistoryTab(pane);
    pane->addTab(tab, tr("History"));
    pane->setTabShown(tab, false);
    connect(tab, &HistoryTab::availabilityChanged, pane, [pane, tab](bool on) { pane->setTabShown(tab, on); });
    connect(pane, &DetailPane::memoryShown, tab, &HistoryTab::setMemoryId);
    connect(model, &MemoryTableModel::storeOpened, tab,
            [tab, model](const QString&, const QStringList&, bool) { tab->setStore(model->location()); });
    connect(model, &MemoryTableModel::storeFailed, tab, [tab] { tab->setStore({}); });
    return tab;
}

QString HistoryTab::settingsKey() const
{
    // per store: its URL without the password (which may change), hashed to one settings key
    const QByteArray store = withoutPasswords(m_store).toUtf8();
    return u"auditLogs/"_s + QString::fromLatin1(QCryptographicHash::hash(store, QCryptographicHash::Sha1).toHex());
}

void HistoryTab::setStore(const QString& location)
{
    if (location == m_store)
        return; // reopened for editing: the index of the same file stays
    m_store = location;
    reload();
}

void HistoryTab::reload()
{
    const QString& location = m_store;
    m_postgres = !location.isEmpty() && StoreSpec::parse(location).kind == StoreSpec::Kind::Postgres;
    m_path.clear();
    m_shownFor.clear();
    m_shown.clear();
    m_events->clear();
    m_metadata->setVisible(false);
    m_summary->clear();
    QStringList candidates;
    if (m_postgres) {
        // only the path is kept, under the URL without its password
        const QString chosen = QSettings().value(settingsKey() + u"/path"_s).toString();
        if (!chosen.isEmpty())
            candidates << chosen;
        else
            m_summary->setText(tr("subcog keeps no audit log in PostgreSQL: it writes audit.log in its data folder "
                                  "when features.audit_log is on. Choose that file to see this store's history."));
    } else if (!location.isEmpty()) {
        candidates = auditLogCandidates(location);
    }
    m_choose->setVisible(m_postgres);
    m_reader->setCandidates(candidates);
    // another store's audit.log keeps the tab until the probe says whether this one has one, so the pane's current
    // tab does not jump away and back
    if (m_postgres || candidates.isEmpty())
        setAvailable(m_postgres);
    if (!candidates.isEmpty())
        m_reader->probe();
}

void HistoryTab::useAuditLog(const QString& path)
{
    if (!m_postgres)
        return;
    QSettings settings;
    settings.setValue(settingsKey() + u"/store"_s, withoutPasswords(m_store)); // for people reading the file
    settings.setValue(settingsKey() + u"/path"_s, path);
    reload();
    ask();
}

void HistoryTab::chooseFile()
{
    const QString start = m_path.isEmpty() ? readSubcogConfig().dataDir : m_path;
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose subcog's audit.log"), start,
                                                      tr("Audit logs (*.log);;All files (*)"));
    if (!path.isEmpty())
        useAuditLog(path);
}

void HistoryTab::setAvailable(bool available)
{
    if (available == m_available)
        return;
    m_available = available;
    Q_EMIT availabilityChanged(available);
}

void HistoryTab::setMemoryId(const QString& id)
{
    if (id == m_memoryId)
        return;
    m_memoryId = id;
    if (isVisible())
        ask();
    else if (!m_available && !m_reader->candidates().isEmpty())
        m_reader->probe(); // audit.log may have appeared since (features.audit_log turned on)
}

void HistoryTab::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    ask(); // also picks up what was appended since the last look
}

void HistoryTab::ask()
{
    if (m_memoryId.isEmpty()) {
        m_events->clear();
        m_shown.clear();
        m_shownFor.clear();
        m_metadata->setVisible(false);
        return;
    }
    if (m_reader->candidates().isEmpty())
        return;
    if (m_shownFor != m_memoryId)
        m_summary->setText(
            tr("Reading %1…").arg(m_path.isEmpty() ? u"audit.log"_s : withVisibleControls(m_path).toHtmlEscaped()));
    m_reader->request(m_memoryId);
}

void HistoryTab::showEvents(const QString& memoryId, const QList<AuditEvent>& events, qint64 total,
                            const AuditLogSummary& summary)
{
    if (memoryId != m_memoryId)
        return;
    const qint64 selectedLine = m_events->currentItem() && m_shownFor == memoryId
        ? m_events->currentItem()->data(LineColumn, Qt::UserRole).toLongLong()
        : 0;
    m_shownFor = memoryId;
    m_shown = events;
    m_events->clear();
    QList<QTreeWidgetItem*> items;
    QTreeWidgetItem* reselect = nullptr;
    const QIcon warning = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (const AuditEvent& e : events) {
        auto* item = new QTreeWidgetItem;
        const QDateTime time = QDateTime::fromString(e.timestamp, Qt::ISODateWithMs);
        if (!e.readable) {
            item->setText(TimeColumn, tr("(line is not JSON any more)"));
        } else {
            item->setText(TimeColumn,
                          time.isValid() ? time.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s) : e.timestamp);
            item->setToolTip(TimeColumn, plainToolTip(e.timestamp));
            item->setText(ActionColumn, e.action);
            item->setText(EventColumn, e.eventType);
            item->setText(ActorColumn, e.actor);
            item->setText(OutcomeColumn, e.outcome);
        }
        item->setText(LineColumn, QString::number(e.line));
        item->setData(LineColumn, Qt::UserRole, e.line);
        item->setTextAlignment(LineColumn, Qt::AlignRight | Qt::AlignVCenter);
        if (e.chainBreak) {
            item->setIcon(TimeColumn, warning);
            const QString why = tr("HMAC chain break before line %1: its previous_hmac continues no earlier entry, "
                                   "so lines before it were removed or edited.")
                                    .arg(e.line);
            for (int c = TimeColumn; c <= LineColumn; ++c)
                item->setToolTip(c, why);
        }
        if (e.outcome == "failure"_L1 || e.outcome == "denied"_L1)
            item->setForeground(OutcomeColumn, palette().brush(QPalette::LinkVisited));
        if (e.line == selectedLine)
            reselect = item;
        items << item;
    }
    m_events->addTopLevelItems(items);
    if (reselect)
        m_events->setCurrentItem(reselect);
    else
        m_metadata->setVisible(false);

    QStringList parts;
    parts
        << (total > events.size()
                ? tr("%1: the newest %2 of %3 events of this memory.")
                      .arg(withVisibleControls(m_path).toHtmlEscaped(), QLocale().toString(events.size()),
                           QLocale().toString(total))
                : tr("%1: %n events of this memory.", "", int(total)).arg(withVisibleControls(m_path).toHtmlEscaped()));
    if (summary.signedEntries == 0) {
        parts << tr("Entries are not signed (subcog had no HMAC key), so there is no chain to check.");
    } else if (summary.chainBreaks == 0) {
        parts << tr("HMAC chain: every link holds (%n signed entries).", "", int(summary.signedEntries));
    } else {
        parts << u"<b>"_s
                + tr("⚠ HMAC chain: %n breaks, the first at line %1.", "", int(summary.chainBreaks))
                      .arg(summary.firstBreakLine)
                + u"</b>"_s;
    }
    if (summary.notJson > 0) {
        QStringList lines;
        for (qint64 line : summary.notJsonLines)
            lines << QString::number(line);
        if (summary.notJson > summary.notJsonLines.size())
            lines << u"…"_s;
        parts << tr("%n lines are not JSON (lines %1).", "",
                    int(qMin<qint64>(summary.notJson, std::numeric_limits<int>::max())))
                     .arg(lines.join(u", "_s));
    }
    if (summary.partialLastLine)
        parts << tr("The last line is still being written.");
    m_summary->setText(parts.join(u' '));
    m_summary->setToolTip(summary.signedEntries > 0 ? chainToolTip() : QString());
}

void HistoryTab::showMetadata()
{
    const QTreeWidgetItem* item = m_events->currentItem();
    const int index = item ? m_events->indexOfTopLevelItem(const_cast<QTreeWidgetItem*>(item)) : -1;
    if (index < 0 || index >= m_shown.size()) {
        m_metadata->setVisible(false);
        return;
    }
    const AuditEvent& e = m_shown.at(index);
    QString text = tr("Line %1 · entry %2 · resource %3\n").arg(e.line).arg(e.entryId, e.resource);
    if (e.chainBreak)
        text += tr("HMAC chain break: lines before this one were removed or edited.\n");
    text += e.metadata.isEmpty() ? tr("(no metadata)") : QString::fromUtf8(e.metadata);
    m_metadata->setPlainText(text);
    m_metadata->setVisible(true);
}

} // namespace Inspector
