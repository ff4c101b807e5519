// SPDX-License-Identifier: MIT
#include "filterbar.h"

#include "appearance.h"

#include "filtercompleter.h"

#include <QAction>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Inspector {

FilterBar::FilterBar(QWidget* parent)
    : QWidget(parent)
    , m_edit(new QLineEdit(this))
    , m_namespace(new QComboBox(this))
    , m_status(new QComboBox(this))
    , m_domain(new QComboBox(this))
    , m_problems(new QLabel(this))
    , m_delay(new QTimer(this))
{
    setObjectName(u"filterBar"_s);
    m_edit->setObjectName(u"filterEdit"_s);
    Appearance::enableClearButtonWhenUsed(m_edit);
    m_edit->setPlaceholderText(tr("Filter: words, ns:decisions, tag:rust, -tag:old, since:7d, project:…, "
                                  "branch:…, path:src/*, source:…, status:active"));
    m_edit->setToolTip(tr("subcog's filter language. Free words are searched in the content; "
                          "ns: tag: -tag: since: source: project: branch: path: status: restrict the fields; "
                          "expired: is:summary has:edges flag: pick memories by their lifecycle and anomalies."));
    new FilterCompleter(m_edit);
    m_namespace->setObjectName(u"namespaceFilter"_s);
    m_namespace->addItem(tr("All namespaces"));
    for (const Namespace ns : allNamespaces())
        m_namespace->addItem(namespaceName(ns), int(ns));
    m_status->setObjectName(u"statusFilter"_s);
    m_status->addItem(tr("All statuses"));
    for (const MemoryStatus st : allStatuses())
        m_status->addItem(statusName(st), int(st));
    m_domain->setObjectName(u"domainFilter"_s);
    m_domain->setEditable(true);
    m_domain->setInsertPolicy(QComboBox::NoInsert);
    m_domain->addItems({QString(), u"project"_s, u"user"_s, u"org"_s});
    m_domain->lineEdit()->setPlaceholderText(tr("All domains"));
    // wide enough for its placeholder, which a combo box does not measure
    m_domain->setMinimumWidth(m_domain->fontMetrics().horizontalAdvance(tr("All domains")) + 48);
    m_domain->setToolTip(tr("Domain: project, user, org, or organization/repository"));
    m_problems->setObjectName(u"filterProblems"_s);
    m_problems->setWordWrap(true);
    m_problems->setTextFormat(Qt::PlainText); // quotes the typed filter, never markup
    m_problems->hide();

    // typing is applied after a short pause; a quick filter at once
    m_delay->setSingleShot(true);
    m_delay->setInterval(250);
    connect(m_delay, &QTimer::timeout, this, &FilterBar::changed);
    connect(m_edit, &QLineEdit::textChanged, this, [this] {
        Q_EMIT textEdited();
        m_delay->start();
    });
    connect(m_edit, &QLineEdit::returnPressed, this, [this] {
        Q_EMIT changed();
        Q_EMIT leaveToResults();
    });
    m_edit->installEventFilter(this);
    connect(m_namespace, &QComboBox::currentIndexChanged, this, &FilterBar::changed);
    connect(m_status, &QComboBox::currentIndexChanged, this, &FilterBar::changed);
    connect(m_domain, &QComboBox::currentTextChanged, this, [this] { m_delay->start(); });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto* row = new QHBoxLayout;
    row->addWidget(m_edit, 1);
    row->addWidget(m_namespace);
    row->addWidget(m_status);
    row->addWidget(m_domain);
    layout->addLayout(row);
    layout->addWidget(m_problems);
}

bool FilterBar::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_edit) {
        if (event->type() == QEvent::ShortcutOverride) {
            // the line edit claims Ctrl+E (end of line) and the like; the window's actions come first
            const auto* key = static_cast<QKeyEvent*>(event);
            const QKeySequence pressed(key->keyCombination());
            // text editing keys stay with the line edit
            for (const auto k :
                 {QKeySequence::Undo, QKeySequence::Redo, QKeySequence::Cut, QKeySequence::Copy, QKeySequence::Paste,
                  QKeySequence::SelectAll, QKeySequence::Delete, QKeySequence::Backspace,
                  QKeySequence::DeleteStartOfWord, QKeySequence::DeleteEndOfWord}) {
                if (QKeySequence::keyBindings(k).contains(pressed))
                    return QWidget::eventFilter(watched, event);
            }
            for (QAction* a : window()->findChildren<QAction*>()) {
                if (a->isEnabled() && a->shortcuts().contains(pressed)) {
                    event->ignore();
                    return true;
                }
            }
        } else if (event->type() == QEvent::KeyPress) {
            const auto* key = static_cast<QKeyEvent*>(event);
            if (key->key() == Qt::Key_Down && key->modifiers() == Qt::NoModifier) {
                Q_EMIT leaveToResults();
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

QString FilterBar::text() const
{
    return m_edit->text();
}

FilterBar::State FilterBar::state() const
{
    return State {m_edit->text(), m_namespace->currentIndex(), m_status->currentIndex(), m_domain->currentText()};
}

void FilterBar::setState(const State& state)
{
    const QSignalBlocker b1(m_edit), b2(m_namespace), b3(m_status), b4(m_domain);
    m_edit->setText(state.text);
    m_edit->setCursorPosition(0);
    m_namespace->setCurrentIndex(state.namespaceIndex);
    m_status->setCurrentIndex(state.statusIndex);
    m_domain->setCurrentText(state.domain);
}

void FilterBar::setDomain(const QString& domain)
{
    m_domain->setCurrentText(domain);
}

bool FilterBar::isApplyPending() const
{
    return m_delay->isActive();
}

MemoryFilter FilterBar::apply(TombstoneFilter tombstones)
{
    m_delay->stop();
    ParsedFilter parsed = parseFilter(m_edit->text());
    MemoryFilter& f = parsed.filter;
    if (m_namespace->currentIndex() > 0) {
        const auto ns = Namespace(m_namespace->currentData().toInt());
        if (f.namespaces.isEmpty() || f.namespaces.contains(ns))
            f.namespaces = {ns};
        else
            parsed.notUnderstood << tr("ns: the quick filter says %1, the text says otherwise: nothing can match")
                                        .arg(namespaceName(ns));
    }
    if (m_status->currentIndex() > 0) {
        const auto st = MemoryStatus(m_status->currentData().toInt());
        if (f.statuses.isEmpty() || f.statuses.contains(st))
            f.statuses = {st};
        else
            parsed.notUnderstood << tr("status: the quick filter says %1, the text says otherwise: nothing can match")
                                        .arg(statusName(st));
    }
    const QString domain = m_domain->currentText().trimmed();
    if (!domain.isEmpty())
        f.domains = {domain};
    f.tombstones = tombstones;
    if (tombstones == TombstoneFilter::Exclude && f.statuses.contains(MemoryStatus::Tombstoned))
        f.tombstones = TombstoneFilter::Include;
    if (!f.ids.isEmpty() && f.tombstones == TombstoneFilter::Exclude)
        f.tombstones = TombstoneFilter::Include; // a memory asked for by its id shows whatever its state
    m_problems->setProperty("hint", false);
    const bool invalid = !parsed.notUnderstood.isEmpty();
    if (!invalid) {
        m_problems->hide();
    } else {
        // matching everything instead would let a Delete or Export that follows cover the whole store
        m_problems->setText(tr("Nothing is shown until the filter is fixed. Not understood: %1")
                                .arg(parsed.notUnderstood.join(u"; "_s)));
        m_problems->show();
        const TombstoneFilter kept = f.tombstones;
        f = MemoryFilter::nothing();
        f.tombstones = kept;
    }
    m_edit->setProperty("invalid", invalid);
    QPalette p = palette();
    if (invalid) {
        const QColor base = p.color(QPalette::Base);
        const QColor red(0xd0, 0x30, 0x30);
        p.setColor(QPalette::Base,
                   QColor((base.red() * 3 + red.red()) / 4, (base.green() * 3 + red.green()) / 4,
                          (base.blue() * 3 + red.blue()) / 4));
    }
    m_edit->setPalette(invalid ? p : QPalette());
    return f;
}

bool FilterBar::isExplaining() const
{
    return !m_problems->isHidden();
}

bool FilterBar::isHintShown() const
{
    return m_problems->property("hint").toBool();
}

void FilterBar::showHint(const QString& text)
{
    m_problems->setText(text);
    m_problems->setProperty("hint", true);
    m_problems->show();
}

void FilterBar::hideHint()
{
    m_problems->hide();
    m_problems->setProperty("hint", false);
}

} // namespace Inspector
