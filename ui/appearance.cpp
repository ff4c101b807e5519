// SPDX-License-Identifier: MIT
#include "appearance.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QIconEngine>
#include <QLineEdit>
#include <QPainter>
#include <QPalette>
#include <QSettings>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>

#include <optional>

using namespace Qt::StringLiterals;

namespace Inspector::Appearance {

namespace {

/// What the platform gave before any choice was applied.
struct Platform
{
    QString style;
    QPalette palette;
};

Platform& platform()
{
    static Platform p = [] {
        Platform taken;
        taken.style = QApplication::style() ? QApplication::style()->name() : QString();
        taken.palette = QGuiApplication::palette();
        return taken;
    }();
    return p;
}

bool darkPalette(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QString configHome()
{
    const QString xdg = qEnvironmentVariable("XDG_CONFIG_HOME");
    return xdg.isEmpty() ? QDir::homePath() + u"/.config"_s : xdg;
}

/// `key=value` of an ini-like file, the last one found (GTK and KDE write them unquoted).
std::optional<QString> iniValue(const QString& path, QStringView section, QStringView key)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text) || file.size() > 1024 * 1024)
        return std::nullopt;
    std::optional<QString> found;
    bool inSection = section.isEmpty();
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.startsWith(u'[')) {
            inSection = line == u'[' + section.toString() + u']';
            continue;
        }
        const qsizetype eq = line.indexOf(u'=');
        if (inSection && eq > 0 && QStringView(line).left(eq).trimmed() == key)
            found = line.mid(eq + 1).trimmed();
    }
    return found;
}

bool gtkPrefersDark()
{
    const QString theme = qEnvironmentVariable("GTK_THEME");
    if (theme.endsWith(":dark"_L1, Qt::CaseInsensitive) || theme.contains("-dark"_L1, Qt::CaseInsensitive))
        return true;
    for (const QString& version : {u"gtk-4.0"_s, u"gtk-3.0"_s}) {
        const QString ini = configHome() + u'/' + version + u"/settings.ini"_s;
        const auto prefer = iniValue(ini, u"Settings", u"gtk-application-prefer-dark-theme");
        if (prefer)
            return *prefer == "1"_L1 || prefer->compare("true"_L1, Qt::CaseInsensitive) == 0;
        const auto name = iniValue(ini, u"Settings", u"gtk-theme-name");
        if (name)
            return name->contains("dark"_L1, Qt::CaseInsensitive);
    }
    return false;
}

bool kdePrefersDark()
{
    const auto background = iniValue(configHome() + u"/kdeglobals"_s, u"Colors:Window", u"BackgroundNormal");
    if (!background)
        return false;
    const QStringList rgb = background->split(u',');
    if (rgb.size() < 3)
        return false;
    return QColor(rgb[0].toInt(), rgb[1].toInt(), rgb[2].toInt()).lightness() < 128;
}

QPalette makeDarkPalette()
{
    const QColor window(0x2d, 0x2f, 0x33);
    const QColor base(0x1f, 0x20, 0x23);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x7f, 0x83, 0x89);
    QPalette p(window);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x28, 0x2a, 0x2e));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8f, 0x96));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x36, 0x39, 0x3e));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x53));
    p.setColor(QPalette::Midlight, QColor(0x3e, 0x41, 0x46));
    p.setColor(QPalette::Mid, QColor(0x26, 0x28, 0x2b));
    p.setColor(QPalette::Dark, QColor(0x1a, 0x1b, 0x1d));
    p.setColor(QPalette::Shadow, QColor(0x0e, 0x0e, 0x10));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7f, 0xc1));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb3, 0x9d, 0xff));
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4a, 0x4d, 0x53));
    return p;
}

/// The inspector's own icon in the variant for the palette it is painted under: the dark variant is the same
/// drawing in light strokes (generated at build time from the light one).
class PaletteIconEngine : public QIconEngine
{
public:
    explicit PaletteIconEngine(const QString& name)
        : m_name(name)
    {
    }
    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode, QIcon::State state) override
    {
        current().paint(painter, rect, Qt::AlignCenter, mode, state);
    }
    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override
    {
        return current().pixmap(size, mode, state);
    }
    QPixmap scaledPixmap(const QSize& size, QIcon::Mode mode, QIcon::State state, qreal scale) override
    {
        return current().pixmap(size, scale, mode, state);
    }
    QSize actualSize(const QSize& size, QIcon::Mode mode, QIcon::State state) override
    {
        return current().actualSize(size, mode, state);
    }
    QIconEngine* clone() const override { return new PaletteIconEngine(m_name); }
    QString key() const override { return u"PaletteIconEngine"_s; }
    QString iconName() override { return m_name; }

private:
    // made when first painted: most icons are in menus never opened, and each file icon costs an SVG engine
    const QIcon& current()
    {
        if (isDark()) {
            if (!m_dark)
                m_dark = QIcon(u":/icons-dark/"_s + m_name + u".svg"_s);
            if (!m_dark->isNull())
                return *m_dark;
        }
        if (!m_light)
            m_light = QIcon(u":/icons/"_s + m_name + u".svg"_s);
        return *m_light;
    }

    QString m_name;
    std::optional<QIcon> m_light;
    std::optional<QIcon> m_dark;
};

/// Whether the desktop has an icon theme of its own: hicolor is the freedesktop fallback every theme inherits,
/// which holds applications' icons, not actions'. Looking a name up in it parses its index.theme (3,800 lines on
/// Debian), a tenth of the launch, to find nothing (Qt's generic platform, and desktops without a theme, name it).
bool hasDesktopIconTheme()
{
    const QString theme = QIcon::themeName();
    return !theme.isEmpty() && theme != "hicolor"_L1;
}

} // namespace

Choice saved()
{
    const QString value = QSettings().value(u"appearance/colors"_s).toString();
    if (value == "light"_L1)
        return Choice::Light;
    if (value == "dark"_L1)
        return Choice::Dark;
    return Choice::System;
}

void save(Choice choice)
{
    QSettings().setValue(u"appearance/colors"_s,
                         choice == Choice::Light      ? u"light"_s
                             : choice == Choice::Dark ? u"dark"_s
                                                      : u"system"_s);
}

bool systemPrefersDark()
{
    return darkPalette(platform().palette) || gtkPrefersDark() || kdePrefersDark();
}

void apply(Choice choice)
{
    const Platform& given = platform();
    const bool wantDark = choice == Choice::Dark || (choice == Choice::System && systemPrefersDark());
    if (wantDark == darkPalette(given.palette)) {
        // the platform's own colours already are what is wanted
        if (QApplication::style()->name() != given.style && !given.style.isEmpty())
            QApplication::setStyle(QStyleFactory::create(given.style));
        QApplication::setPalette(given.palette);
        return;
    }
    // Fusion draws every control from the palette, so a palette of the other kind looks whole
    if (QApplication::style()->name().compare("fusion"_L1, Qt::CaseInsensitive) != 0)
        QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));
    QApplication::setPalette(wantDark ? makeDarkPalette() : QApplication::style()->standardPalette());
}

bool isDark()
{
    return darkPalette(QGuiApplication::palette());
}

QIcon icon(const QString& name)
{
    if (hasDesktopIconTheme() && QIcon::hasThemeIcon(name))
        return QIcon::fromTheme(name);
    return QIcon(new PaletteIconEngine(name));
}

namespace {

class ClearButtonOnFocus : public QObject
{
public:
    explicit ClearButtonOnFocus(QLineEdit* edit)
        : QObject(edit)
        , m_edit(edit)
    {
        edit->installEventFilter(this);
        connect(edit, &QLineEdit::textChanged, this, [this](const QString& text) {
            if (!text.isEmpty())
                enable();
        });
    }
    bool eventFilter(QObject*, QEvent* event) override
    {
        if (event->type() == QEvent::FocusIn)
            enable();
        return false;
    }

private:
    void enable()
    {
        m_edit->removeEventFilter(this);
        m_edit->setClearButtonEnabled(true);
        deleteLater();
    }

    QLineEdit* m_edit;
};

} // namespace

void enableClearButtonWhenUsed(QLineEdit* edit)
{
    if (!edit->text().isEmpty() || edit->hasFocus())
        edit->setClearButtonEnabled(true);
    else
        new ClearButtonOnFocus(edit);
}

} // namespace Inspector::Appearance
