// SPDX-License-Identifier: MIT
#include "secrets.h"

#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
/// A stretch of text to remove and the password it holds (empty when only the stretch matters).
struct Span
{
    qsizetype start;
    qsizetype end;
    QString secret;
};

QString percentDecoded(const QString& text)
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(text.toUtf8()));
}

// `scheme://user:password@host…`: the user-info ends at the last '@' before the query or the first '/', so an unencoded
// '@' or '/' in the password is still covered. A user name cannot hold '@' unencoded, which tells `u@h:5432/d@b` apart.
void findUserInfo(const QString& text, QList<Span>& spans)
{
    // any scheme: a mistyped one (`postgress://u:pw@h/db`) is taken for a file name, and its error line must not
    // carry the password either (found by fuzz_connstring)
    static const QRegularExpression scheme(u"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://"_s);
    for (auto it = scheme.globalMatch(text); it.hasNext();) {
        const qsizetype begin = it.next().capturedEnd();
        qsizetype end = begin;
        while (end < text.size() && !text[end].isSpace() && !QStringView(u"?#\"'<>").contains(text[end]))
            ++end;
        // libpq ends the user-info at an '@' before the first '/', so a password may also hold an unencoded ?, #,
        // quote or blank: the later '@' of both readings is taken, erring on the side of cutting too much
        qsizetype slash = begin;
        // a raw line break does not end it either: libpq would take it as part of the password (fuzz_connstring)
        while (slash < text.size() && text[slash] != u'/')
            ++slash;
        const QStringView authority = QStringView(text).mid(begin, qMax(end, slash) - begin);
        const qsizetype at
            = qMax(authority.left(end - begin).lastIndexOf(u'@'), authority.left(slash - begin).lastIndexOf(u'@'));
        const qsizetype colon = authority.indexOf(u':');
        if (at < 0 || colon < 0 || colon > at || authority.left(colon).contains(u'@'))
            continue;
        spans.append({begin + colon, begin + at, authority.mid(colon + 1, at - colon - 1).toString()});
    }
}

// `?password=…`, `&PASSWORD=…`, `pass%77ord=…` in URLs; `password=…` and `password = '…'` in libpq strings.
void findParameters(const QString& text, QList<Span>& spans)
{
    static const QRegularExpression key(u"(?<![A-Za-z0-9%_.-])((?:[A-Za-z_]|%[0-9A-Fa-f]{2})+)\\s*="_s);
    const qsizetype size = text.size();
    for (auto it = key.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        if (percentDecoded(m.captured(1)).toLower() != "password"_L1)
            continue;
        qsizetype start = m.capturedStart(1);
        const QChar before = start > 0 ? text[start - 1] : QChar();
        qsizetype value = m.capturedEnd();
        qsizetype end = value;
        if (before == u'?' || before == u'&') {
            while (end < size && text[end] != u'&' && text[end] != u'#' && !text[end].isSpace())
                ++end;
            const QString secret = text.mid(value, end - value);
            // the separator goes with it: `?a=1&password=x` → `?a=1`, `?password=x&a=1` → `?a=1`
            if (before == u'&')
                --start;
            else if (end < size && text[end] == u'&')
                ++end;
            else
                --start;
            spans.append({start, end, secret});
            continue;
        }
        while (value < size && text[value].isSpace() && text[value] != u'\n')
            ++value;
        QString secret;
        end = value;
        if (end < size && text[end] == u'\'') {
            // libpq's quoting: backslash escapes the next character
            for (++end; end < size && text[end] != u'\''; ++end) {
                if (text[end] == u'\\' && end + 1 < size)
                    ++end;
                secret += text[end];
            }
            end = qMin(end + 1, size);
        } else {
            while (end < size && !text[end].isSpace())
                ++end;
            secret = text.mid(value, end - value);
        }
        while (end < size && text[end] == u' ')
            ++end;
        spans.append({start, end, secret});
    }
}

// libpq quotes the whole value that held a bad escape, which may be the password: `… token: "p%zz"`.
void findEscapeErrors(const QString& text, QList<Span>& spans)
{
    static const QRegularExpression error(
        u"(?:invalid percent-encoded token|forbidden value %00 in percent-encoded value): \"([^\"]*)\""_s);
    for (auto it = error.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        spans.append({m.capturedStart(1), m.capturedEnd(1), QString()});
    }
}

QList<Span> findAll(const QString& text)
{
    QList<Span> spans;
    findUserInfo(text, spans);
    findParameters(text, spans);
    findEscapeErrors(text, spans);
    return spans;
}
} // namespace

namespace {
QString cutOnce(const QString& text, const QStringList& connections);
} // namespace

QString withoutPasswords(const QString& text, const QStringList& connections)
{
    // cutting a `password=` out can join what was around it into a new `user:…@host` (fuzz_connstring): cut again
    // until nothing is left that reads as a password
    QString out = cutOnce(text, connections);
    for (int pass = 0; pass < 4; ++pass) {
        QString again = cutOnce(out, connections);
        if (again == out)
            break;
        out = std::move(again);
    }
    return out;
}

namespace {
QString cutOnce(const QString& text, const QStringList& connections)
{
    QList<Span> spans = findAll(text);
    // only the connections' passwords are searched as free text: a password found in `text` itself is already cut
    // out where it stands, and searching for it elsewhere would take `postgres` out of postgres://postgres@…
    QStringList secrets;
    for (const QString& connection : connections) {
        for (const Span& s : findAll(connection))
            secrets << s.secret << percentDecoded(s.secret);
    }

    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
    QString out;
    out.reserve(text.size());
    qsizetype from = 0;
    for (const Span& s : std::as_const(spans)) {
        if (s.end <= from)
            continue;
        out += QStringView(text).mid(from, qMax<qsizetype>(0, s.start - from));
        from = qMax(from, s.end);
    }
    out += QStringView(text).mid(from);
    if (!spans.isEmpty() && from == text.size()) {
        while (out.endsWith(u' ')) // `host=h password=x` loses the blank before the password too
            out.chop(1);
    }

    // the same passwords elsewhere in the text (a message quoting what libpq could not parse); a very short one
    // would match inside ordinary words, so it is taken out only where it stands quoted
    secrets.removeAll(QString());
    secrets.removeDuplicates();
    std::sort(secrets.begin(), secrets.end(), [](const QString& a, const QString& b) { return a.size() > b.size(); });
    for (const QString& secret : std::as_const(secrets)) {
        if (secret.size() >= 4)
            out.replace(secret, u"***"_s);
        else
            out.replace(u'"' + secret + u'"', u"\"***\""_s);
    }
    return out;
}
} // namespace

} // namespace Inspector
