// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace Inspector {

/// A tool tip that shows \a text as typed. QToolTip guesses rich text (Qt::mightBeRichText), so an id, tag or path
/// holding `<b>` or `&lt;` would be rendered as HTML; such a text is escaped into a paragraph instead, and any
/// other is left alone (it keeps the plain tool tip's wrapping).
QString plainToolTip(const QString& text);

/// \a text escaped into a paragraph for a place that may render HTML (QMessageBox's informative text follows
/// Qt::mightBeRichText whatever the box's text format): line breaks become `<br>`.
QString plainAsHtml(const QString& text);

/// \a text (an id, tag or path) as a menu item's text: `&` is not taken for a mnemonic, and control characters and
/// bidirectional overrides are shown (withVisibleControls).
QString plainMenuText(const QString& text);

} // namespace Inspector
