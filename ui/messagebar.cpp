// SPDX-License-Identifier: MIT
#include "messagebar.h"

#include <QApplication>
#include <QEvent>

#include "secrets.h"
#include "visibletext.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace Inspector {

MessageBar::MessageBar(QWidget* parent)
    : QWidget(parent)
    , m_icon(new QLabel(this))
    , m_label(new QLabel(this))
    , m_action(new QToolButton(this))
    , m_close(new QToolButton(this))
{
    qApp->installEventFilter(this);
    setObjectName(u"messageBar"_s);
    setAutoFillBackground(true);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_icon);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_action);
    layout->addWidget(m_close);
    m_action->setObjectName(u"messageAction"_s);
    m_action->hide();
    connect(m_action, &QToolButton::clicked, this, [this] {
        auto run = m_run;
        clear();
        if (run)
            run();
    });
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_label->setTextFormat(Qt::PlainText); // messages quote ids and file names, never markup
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Close this message"));
    connect(m_close, &QToolButton::clicked, this, &MessageBar::clear);
    hide();
}

void MessageBar::clear()
{
    hide();
    m_last.clear();
    m_repeats = 0;
    m_run = nullptr;
    m_action->hide();
}

void MessageBar::showMessage(Kind kind, const QString& text, const QString& actionText, std::function<void()> action)
{
    showMessage(kind, text);
    m_run = std::move(action);
    m_action->setText(actionText);
    m_action->setVisible(bool(m_run));
}

void MessageBar::showMessage(Kind kind, const QString& shown)
{
    // every message can be selected and copied: none may carry a password, whoever wrote it; and a file name's
    // bidirectional override must not reverse the rest of the message
    const QString text = withVisibleControls(withoutPasswords(shown), true);
    if (text == m_last && kind == m_kind && isVisible()) {
        ++m_repeats;
        m_label->setText(text + u"  "_s + tr("(%1 times)").arg(m_repeats + 1));
        return;
    }
    m_last = text;
    m_repeats = 0;
    m_kind = kind;
    m_run = nullptr;
    m_action->hide();
    m_label->setText(text);
    QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
    QColor tint = palette().color(QPalette::Highlight);
    switch (kind) {
    case Kind::Info:
        break;
    case Kind::Warning:
        icon = QStyle::SP_MessageBoxWarning;
        tint = QColor(0xe0, 0xa0, 0x00);
        break;
    case Kind::Error:
        icon = QStyle::SP_MessageBoxCritical;
        tint = QColor(0xd0, 0x30, 0x30);
        break;
    }
    m_icon->setPixmap(style()->standardIcon(icon).pixmap(20, 20));
    m_tint = tint;
    applyTint();
    show();
}

void MessageBar::applyTint()
{
    // a light wash of the kind's colour over the window colour works on light and dark palettes alike
    QPalette p = QApplication::palette(this);
    const QColor base = p.color(QPalette::Window);
    const auto mix = [&](int a, int b) { return (a * 3 + b) / 4; };
    p.setColor(
        QPalette::Window,
        QColor(mix(base.red(), m_tint.red()), mix(base.green(), m_tint.green()), mix(base.blue(), m_tint.blue())));
    setPalette(p);
}

bool MessageBar::eventFilter(QObject* watched, QEvent* event)
{
    // light to dark or back: the wash is made again over the new window colour (a widget with a palette of its own
    // is not told of the application's new one)
    if (watched == qApp && event->type() == QEvent::ApplicationPaletteChange && m_tint.isValid())
        applyTint();
    return QWidget::eventFilter(watched, event);
}

void MessageBar::dismiss(const QString& text)
{
    if (isVisible() && text == m_last)
        clear();
}

QString MessageBar::text() const
{
    return isVisible() ? m_last : QString();
}

} // namespace Inspector
