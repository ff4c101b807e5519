// SPDX-License-Identifier: MIT
#include "plaintext.h"

#include "visibletext.h"

#include <QTextDocument>

namespace Inspector {

QString plainToolTip(const QString& text)
{
    return Qt::mightBeRichText(text) ? plainAsHtml(text) : text;
}

QString plainAsHtml(const QString& text)
{
    return Qt::convertFromPlainText(text, Qt::WhiteSpaceNormal);
}

QString plainMenuText(const QString& text)
{
    return withVisibleControls(text).replace(u'&', QStringLiteral("&&"));
}

} // namespace Inspector
