// SPDX-License-Identifier: MIT
// Light and dark: what the desktop's files say, the palette and style each choice gives, icons that follow the
// palette, and View ▸ Appearance in the window (offscreen; the platform palette here is light).
#include "appearance.h"
#include "mainwindow.h"
#include "messagebar.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFocusEvent>
#include <QLineEdit>
#include <QMenu>
#include <QScopeGuard>
#include <QSettings>
#include <QStyle>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {

void writeFile(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

/// The mean lightness of an icon's drawn pixels (its strokes), 0–255.
int strokeLightness(const QIcon& icon)
{
    const QImage image = icon.pixmap(QSize(48, 48)).toImage().convertToFormat(QImage::Format_ARGB32);
    qint64 sum = 0;
    qint64 n = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.alpha() > 200) {
                sum += c.lightness();
                ++n;
            }
        }
    }
    return n ? int(sum / n) : -1;
}

} // namespace

class TestAppearance : public QObject
{
    Q_OBJECT
    QTemporaryDir m_config;
    QString m_platformStyle;

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        qputenv("HOME", m_config.path().toUtf8());
        qunsetenv("GTK_THEME");
        QCoreApplication::setOrganizationName(u"subcog-inspector-tests"_s);
        QCoreApplication::setApplicationName(u"tst_appearance"_s);
        m_platformStyle = QApplication::style()->name();
        QVERIFY2(!Appearance::isDark(), "the offscreen platform palette is light");
    }

    void init()
    {
        QDir(m_config.path()).removeRecursively();
        QDir().mkpath(m_config.path());
        qunsetenv("GTK_THEME");
    }

    void desktopPreferenceFromItsFiles()
    {
        QVERIFY(!Appearance::systemPrefersDark());
        writeFile(m_config.filePath(u"gtk-3.0/settings.ini"_s), "[Settings]\ngtk-theme-name=Adwaita\n");
        QVERIFY(!Appearance::systemPrefersDark());
        writeFile(m_config.filePath(u"gtk-3.0/settings.ini"_s),
                  "[Settings]\ngtk-theme-name=Adwaita\ngtk-application-prefer-dark-theme=1\n");
        QVERIFY(Appearance::systemPrefersDark());
        // gtk-4.0 is read first: its word counts
        writeFile(m_config.filePath(u"gtk-4.0/settings.ini"_s),
                  "[Settings]\ngtk-application-prefer-dark-theme=false\n");
        QVERIFY(!Appearance::systemPrefersDark());
        QDir(m_config.path()).removeRecursively();
        writeFile(m_config.filePath(u"gtk-3.0/settings.ini"_s), "[Settings]\ngtk-theme-name=Yaru-dark\n");
        QVERIFY(Appearance::systemPrefersDark());
        QDir(m_config.path()).removeRecursively();
        qputenv("GTK_THEME", "Adwaita:dark");
        QVERIFY(Appearance::systemPrefersDark());
        qunsetenv("GTK_THEME");
        writeFile(m_config.filePath(u"kdeglobals"_s), "[Colors:Window]\nBackgroundNormal=35,38,41\n");
        QVERIFY(Appearance::systemPrefersDark());
        writeFile(m_config.filePath(u"kdeglobals"_s), "[Colors:Window]\nBackgroundNormal=239,240,241\n");
        QVERIFY(!Appearance::systemPrefersDark());
        // nonsense is no preference
        writeFile(m_config.filePath(u"kdeglobals"_s), "[Colors:Window]\nBackgroundNormal=\x1b[31m\n");
        QVERIFY(!Appearance::systemPrefersDark());
    }

    void eachChoiceGivesItsPaletteAndIcons()
    {
        const QIcon undo = Appearance::icon(u"edit-undo"_s);
        QVERIFY(!undo.isNull());
        const int lightStrokes = strokeLightness(undo);
        QVERIFY2(lightStrokes >= 0 && lightStrokes < 128, qPrintable(QString::number(lightStrokes)));

        Appearance::apply(Appearance::Choice::Dark);
        QVERIFY(Appearance::isDark());
        QCOMPARE(QApplication::style()->name().toLower(), u"fusion"_s);
        QVERIFY(QApplication::palette().color(QPalette::Text).lightness() > 200);
        // the same icon object draws its light strokes now
        const int darkStrokes = strokeLightness(undo);
        QVERIFY2(darkStrokes > 160, qPrintable(QString::number(darkStrokes)));

        // "follow the desktop" with nothing said goes back to what the platform gave
        Appearance::apply(Appearance::Choice::System);
        QVERIFY(!Appearance::isDark());
        QCOMPARE(QApplication::style()->name(), m_platformStyle);
        QCOMPARE(strokeLightness(undo), lightStrokes);

        writeFile(m_config.filePath(u"gtk-3.0/settings.ini"_s), "[Settings]\ngtk-application-prefer-dark-theme=1\n");
        Appearance::apply(Appearance::Choice::System);
        QVERIFY(Appearance::isDark());
        Appearance::apply(Appearance::Choice::Light);
        QVERIFY(!Appearance::isDark());
    }

    void aDesktopThemesIconsComeFirstButNotHicolors()
    {
        // an icon theme with edit-undo drawn in red, once as a desktop's theme and once as hicolor (the fallback
        // theme holds applications' icons: looking an action up there only costs the launch)
        QTemporaryDir icons;
        QImage red(16, 16, QImage::Format_ARGB32);
        red.fill(Qt::red);
        for (const QString& theme : {u"desk"_s, u"hicolor"_s}) {
            writeFile(icons.filePath(theme + u"/index.theme"_s),
                      "[Icon Theme]\nName=" + theme.toUtf8()
                          + "\nDirectories=16x16/actions\n\n[16x16/actions]\nSize=16\nType=Fixed\n");
            QVERIFY(QDir().mkpath(icons.filePath(theme + u"/16x16/actions"_s)));
            QVERIFY(red.save(icons.filePath(theme + u"/16x16/actions/edit-undo.png"_s)));
        }
        const QStringList paths = QIcon::themeSearchPaths();
        const QString theme = QIcon::themeName();
        const auto restore = qScopeGuard([&] {
            QIcon::setThemeSearchPaths(paths);
            QIcon::setThemeName(theme);
        });
        QIcon::setThemeSearchPaths({icons.path()});
        const auto isRed = [](const QIcon& icon) {
            const QImage image = icon.pixmap(QSize(16, 16)).toImage();
            return !image.isNull() && image.pixelColor(8, 8) == QColor(Qt::red);
        };
        QIcon::setThemeName(u"desk"_s);
        QVERIFY(isRed(Appearance::icon(u"edit-undo"_s)));
        QIcon::setThemeName(u"hicolor"_s);
        const QIcon own = Appearance::icon(u"edit-undo"_s);
        QVERIFY(!isRed(own));
        QVERIFY(strokeLightness(own) >= 0); // the inspector's own drawing
    }

    void aClearButtonComesWithTextOrFocus()
    {
        QLineEdit typed;
        Appearance::enableClearButtonWhenUsed(&typed);
        const auto clearAction = [](QLineEdit& edit) { return edit.findChild<QAction*>(u"_q_qlineeditclearaction"_s); };
        QVERIFY(!typed.isClearButtonEnabled());
        QTest::keyClicks(&typed, u"tag:rust"_s);
        QVERIFY(typed.isClearButtonEnabled());
        QVERIFY(clearAction(typed));
        auto* button = typed.findChild<QToolButton*>(); // the line edit's own button for the action
        QVERIFY(button);
        button->click();
        QVERIFY(typed.text().isEmpty());

        QLineEdit focused;
        Appearance::enableClearButtonWhenUsed(&focused);
        QFocusEvent in(QEvent::FocusIn, Qt::TabFocusReason);
        QApplication::sendEvent(&focused, &in);
        QVERIFY(focused.isClearButtonEnabled());

        QLineEdit set;
        Appearance::enableClearButtonWhenUsed(&set);
        set.setText(u"ns:decisions"_s); // the filter restored or set by a jump
        QVERIFY(set.isClearButtonEnabled());
    }

    void theWindowsMenuSwitchesAndRemembers()
    {
        QSettings().remove(u"appearance/colors"_s);
        QCOMPARE(Appearance::saved(), Appearance::Choice::System);
        MainWindow w;
        w.show();
        auto* menu = w.findChild<QMenu*>(u"appearanceMenu"_s);
        QVERIFY(menu);
        QCOMPARE(menu->actions().size(), 3);
        QVERIFY(menu->actions().at(0)->isChecked());
        menu->actions().at(2)->trigger(); // Dark
        QVERIFY(Appearance::isDark());
        QCOMPARE(Appearance::saved(), Appearance::Choice::Dark);
        QTRY_VERIFY(w.palette().color(QPalette::Window).lightness() < 128);
        menu->actions().at(1)->trigger(); // Light
        QVERIFY(!Appearance::isDark());
        QCOMPARE(Appearance::saved(), Appearance::Choice::Light);
        menu->actions().at(0)->trigger();
        QCOMPARE(QSettings().value(u"appearance/colors"_s).toString(), u"system"_s);
    }

    // a message shown before a switch is washed again over the new window colour
    void aShownMessageFollowsTheSwitch()
    {
        Appearance::apply(Appearance::Choice::Light);
        MessageBar bar;
        bar.showMessage(MessageBar::Kind::Info, u"220 memories restored"_s);
        QVERIFY(bar.palette().color(QPalette::Window).lightness() > 128);
        Appearance::apply(Appearance::Choice::Dark);
        QTRY_VERIFY(bar.palette().color(QPalette::Window).lightness() < 128);
        Appearance::apply(Appearance::Choice::Light);
        QTRY_VERIFY(bar.palette().color(QPalette::Window).lightness() > 128);
    }
};

QTEST_MAIN(TestAppearance)
#include "tst_appearance.moc"
