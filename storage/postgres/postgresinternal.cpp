// SPDX-License-Identifier: MIT
// Helpers the PostgresBackend files share: text conversions and subcog's domain JSON.
#include "postgresinternal.h"

#include "jsonl.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Inspector::PostgresInternal {

QString fromStd(const pqxx::field& field)
{
    return QString::fromUtf8(field.c_str(), qsizetype(field.size()));
}

std::string toStd(const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    return std::string(utf8.constData(), size_t(utf8.size()));
}

QString oneLine(const std::string& text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size())).simplified();
}

QString domainJson(const Domain& d)
{
    QByteArray out = "{\"organization\":";
    auto part = [&](const std::optional<QString>& value) {
        if (value)
            appendJsonString(out, *value);
        else
            out.append("null");
    };
    part(d.organization);
    out.append(",\"project\":");
    part(d.project);
    out.append(",\"repository\":");
    part(d.repository);
    out.append('}');
    return QString::fromUtf8(out);
}

// Every Domain whose display string is `display` (Domain::toString() is not one-to-one).
QList<Domain> domainsDisplayedAs(const QString& display)
{
    const QStringList s = display.split(u'/');
    QList<Domain> result;
    if (display == "project"_L1)
        result << Domain {};
    else if (display == "user"_L1)
        result << Domain {std::nullopt, u"user"_s, std::nullopt};
    if (s.size() == 1 && display != "project"_L1 && display != "user"_L1)
        result << Domain {s[0], std::nullopt, std::nullopt} << Domain {std::nullopt, s[0], std::nullopt}
               << Domain {std::nullopt, std::nullopt, s[0]};
    else if (s.size() == 2)
        result << Domain {s[0], std::nullopt, s[1]} << Domain {s[0], s[1], std::nullopt};
    else if (s.size() >= 3)
        result << Domain::fromDisplayString(display);
    return result;
}

std::optional<Domain> parseDomainJson(const QString& text)
{
    if (!text.startsWith(u'{'))
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
    if (!doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    auto part = [&](const char* key) {
        const QJsonValue v = o.value(QLatin1StringView(key));
        return v.isString() ? std::optional<QString>(v.toString()) : std::nullopt;
    };
    return Domain {part("organization"), part("project"), part("repository")};
}

} // namespace Inspector::PostgresInternal
