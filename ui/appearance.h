// SPDX-License-Identifier: MIT
// Light or dark: what the desktop asks for, what the person chose (View ▸ Appearance), and icons that follow it.
#pragma once

#include <QIcon>
#include <QString>

class QLineEdit;

namespace Inspector::Appearance {

enum class Choice
{
    System, ///< the desktop's preference
    Light,
    Dark,
};

/// The choice kept in the settings (System when none is kept).
Choice saved();
void save(Choice choice);

/**
 * Whether the desktop prefers dark colours: the platform palette Qt started with is dark, or GTK says so
 * (`GTK_THEME=…:dark`, `gtk-application-prefer-dark-theme` or a `…-dark` theme in gtk-3.0/gtk-4.0 settings.ini),
 * or KDE's kdeglobals window background is dark. Files only: no process is started.
 */
bool systemPrefersDark();

/// Applies the choice to the application: a dark one on a light platform palette switches to Fusion with a dark
/// palette; going back restores the style and palette the platform gave.
void apply(Choice choice);

/// Whether the application's palette is dark now.
bool isDark();

/// The desktop theme's icon `name`, else the inspector's own, drawn in the light or dark variant that suits the
/// palette at the time it is painted (so icons follow a change of appearance without being set again).
QIcon icon(const QString& name);

/// Gives `edit` its clear button once it has text or focus. The button is hidden while the text is empty, and
/// making it looks up the style's icon in the desktop theme, which on the first lookup parses the theme's index:
/// time the launch would otherwise spend before the first rows are painted.
void enableClearButtonWhenUsed(QLineEdit* edit);

} // namespace Inspector::Appearance
