// SPDX-License-Identifier: MIT
#include "filtercompleter.h"

#include "lifecyclefilter.h"
#include "memory.h"

#include <QAbstractItemView>
#include <QLineEdit>
#include <QStringListModel>

using namespace Qt::StringLiterals;

namespace Inspector {

FilterCompleter::FilterCompleter(QLineEdit* edit)
    : QCompleter(words(), edit)
    , m_edit(edit)
{
    setObjectName(u"filterCompleter"_s);
    setCaseSensitivity(Qt::CaseInsensitive);
    setCompletionMode(QCompleter::PopupCompletion);
    setModelSorting(QCompleter::UnsortedModel);
    setFilterMode(Qt::MatchStartsWith);
    setMaxVisibleItems(12);
    // the completer works on one word: it is given the widget, not set on the line edit (which would complete
    // the whole text)
    setWidget(edit);
    connect(edit, &QLineEdit::textEdited, this, &FilterCompleter::update);
    connect(this, qOverload<const QString&>(&QCompleter::activated), this, &FilterCompleter::insert);
}

QStringList FilterCompleter::words()
{
    QStringList out;
    for (const Namespace ns : allNamespaces())
        out << u"ns:"_s + namespaceName(ns);
    for (const MemoryStatus st : allStatuses())
        out << u"status:"_s + statusName(st);
    out << u"tombstoned:only"_s << u"tombstoned:hide"_s << u"tombstoned:show"_s;
    out << u"expired:true"_s << u"expired:false"_s << u"is:summary"_s << u"-is:summary"_s << u"has:edges"_s
        << u"-has:edges"_s;
    for (const QString& name : Lifecycle::anomalyNames())
        out << u"flag:"_s + name;
    for (const QString& name : Lifecycle::anomalyNames())
        out << u"-flag:"_s + name;
    return out;
}

std::pair<int, int> FilterCompleter::currentWord() const
{
    const QString text = m_edit->text();
    int start = m_edit->cursorPosition();
    while (start > 0 && !text.at(start - 1).isSpace())
        --start;
    int end = m_edit->cursorPosition();
    while (end < text.size() && !text.at(end).isSpace())
        ++end;
    return {start, end - start};
}

void FilterCompleter::update()
{
    const auto [start, length] = currentWord();
    const QString word = m_edit->text().mid(start, m_edit->cursorPosition() - start);
    // after a comma a list goes on (flag:a,b): not completed, the popup would replace the whole word
    if (word.size() < 2 || word.contains(u',')) {
        popup()->hide();
        return;
    }
    setCompletionPrefix(word);
    if (completionCount() == 0
        || (completionCount() == 1 && currentCompletion().compare(word, Qt::CaseInsensitive) == 0)) {
        popup()->hide();
        return;
    }
    complete();
}

void FilterCompleter::insert(const QString& word)
{
    const auto [start, length] = currentWord();
    QString text = m_edit->text();
    text.replace(start, length, word);
    m_edit->setText(text);
    m_edit->setCursorPosition(start + int(word.size()));
}

} // namespace Inspector
