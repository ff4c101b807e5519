// SPDX-License-Identifier: MIT
#pragma once
// What a label or tool tip shows to the eye: its text as written, or what its HTML renders to where Qt takes it for
// rich text (Qt::RichText, or Qt::AutoText when Qt::mightBeRichText guesses so, as QToolTip and QMessageBox do).

#include <QLabel>
#include <QTextDocument>
#include <QTextDocumentFragment>

namespace Inspector::Testing {

inline QString shownText(const QString& text, Qt::TextFormat format = Qt::AutoText)
{
    const bool rich = format == Qt::RichText || (format == Qt::AutoText && Qt::mightBeRichText(text));
    if (!rich)
        return text;
    QString shown = QTextDocumentFragment::fromHtml(text).toPlainText();
    // a `<br>` is a line break, and a paragraph's end too
    shown.replace(QChar::LineSeparator, u'\n').replace(QChar::ParagraphSeparator, u'\n');
    return shown;
}

inline QString shownText(const QLabel* label)
{
    return label ? shownText(label->text(), label->textFormat()) : QString();
}

} // namespace Inspector::Testing
