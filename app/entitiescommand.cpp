// SPDX-License-Identifier: MIT
// `entities STORE [--json]`: the knowledge graph's entities (spec §14.1), most mentioned first.
#include "commandline.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <limits>

namespace Inspector::CommandLine {

int commandEntities(Session& s, const QString& store)
{
    try {
        auto backend = openStore(store, openOptions(s));
        const QString why = backend->graphUnavailable();
        if (!why.isEmpty())
            throw StorageError(StorageError::Kind::InvalidInput,
                               backend->location() + u": no knowledge graph: "_s + why);
        EntityQuery query;
        query.limit = std::numeric_limits<int>::max();
        const EntityPage page = backend->entities(query);
        const bool json = s.parser.isSet(s.json);
        if (!json)
            out() << "mentions\tconfidence\ttype\tname\tid\taliases" << Qt::endl;
        for (const GraphEntity& e : page.entities) {
            if (json) {
                const QJsonObject object {{u"id"_s, e.id},
                                          {u"type"_s, e.type},
                                          {u"name"_s, e.name},
                                          {u"aliases"_s, QJsonArray::fromStringList(e.aliases)},
                                          {u"confidence"_s, e.confidence},
                                          {u"mention_count"_s, e.mentionCount}};
                out() << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)) << '\n';
            } else {
                out() << e.mentionCount << '\t' << e.confidence << '\t' << shown(e.type) << '\t' << shown(e.name)
                      << '\t' << shown(e.id) << '\t' << shown(e.aliases.join(u", "_s)) << '\n';
            }
        }
        return ExitOk;
    } catch (const StorageError& error) {
        reportError(error);
        return ExitError;
    }
}

} // namespace Inspector::CommandLine
