// SPDX-License-Identifier: MIT
#include "visibletext.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
bool isBidiControl(char16_t c)
{
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

bool isControl(char16_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}
} // namespace

QString withVisibleControls(const QString& text, bool keepLineBreaks)
{
    auto hidden = [keepLineBreaks](QChar c) {
        const char16_t u = c.unicode();
        return (isControl(u) && !(keepLineBreaks && u == u'\n')) || isBidiControl(u);
    };
    if (std::none_of(text.begin(), text.end(), hidden))
        return text;
    QString result;
    result.reserve(text.size() + 16);
    for (const QChar c : text) {
        if (!hidden(c))
            result += c;
        else if (isControl(c.unicode()))
            result += u"\\x"_s + QString::number(c.unicode(), 16).rightJustified(2, u'0');
        else
            result += u"\\u"_s + QString::number(c.unicode(), 16).toUpper().rightJustified(4, u'0');
    }
    return result;
}

} // namespace Inspector
