// SPDX-License-Identifier: MIT
// `stores [--scan DIR]… [--json]`: every store of subcog's on this machine, legacy ones too, with counts.
#include "commandline.h"

#include "storefinder.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Inspector::CommandLine {

int commandStores(Session& s)
{
    const SubcogConfig config = readSubcogConfig();
    if (!config.configError.isEmpty())
        err() << "subcog-inspector: warning: " << shown(config.configPath) << ": " << shown(config.configError)
              << Qt::endl;
    const FoundStores found = findAllStores(config, s.parser.values(s.scan));
    for (const QString& note : found.notes)
        err() << "subcog-inspector: note: " << shown(note) << Qt::endl;
    const bool json = s.parser.isSet(s.json);
    if (!json)
        out() << "kind\tmemories\tlast change (UTC)\tlayout\tused by subcog\tlocation" << Qt::endl;
    bool allMeasured = true;
    for (const FoundStore& store : found.stores) {
        const StoreMeasurement m = measureStore(store);
        allMeasured = allMeasured && m.error.isEmpty();
        const QString era = m.era == StoreMeasurement::Era::Current ? u"current"_s
            : m.era == StoreMeasurement::Era::Legacy                ? u"legacy"_s
                                                                    : QString();
        if (json) {
            QJsonObject object {
                {u"kind"_s, foundStoreKindName(store.kind)},
                {u"location"_s, store.location},
                {u"use"_s, storeUseName(store.use)},
                {u"found_by"_s, store.foundBy},
                {u"memories"_s, m.count ? QJsonValue(*m.count) : QJsonValue()},
                {u"last_change"_s, m.lastChange ? QJsonValue(m.lastChange->toSecsSinceEpoch()) : QJsonValue()},
                {u"era"_s, era.isEmpty() ? QJsonValue() : QJsonValue(era)},
                {u"releases"_s, m.releases.isEmpty() ? QJsonValue() : QJsonValue(m.releases)},
                {u"error"_s, m.error.isEmpty() ? QJsonValue() : QJsonValue(m.error)}};
            out() << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)) << '\n';
            continue;
        }
        const QString count = m.count ? QString::number(*m.count) : u"-"_s;
        const QString changed = m.lastChange         ? m.lastChange->toUTC().toString(u"yyyy-MM-dd HH:mm:ss"_s)
            : store.kind == FoundStoreKind::Postgres ? u"not measured"_s
                                                     : u"-"_s;
        const QString layout = era.isEmpty() ? u"-"_s : (m.releases.isEmpty() ? era : era + u' ' + m.releases);
        out() << foundStoreKindName(store.kind) << '\t' << count << '\t' << changed << '\t' << layout << '\t'
              << storeUseName(store.use) << '\t' << shown(store.location) << Qt::endl;
        if (!m.error.isEmpty())
            err() << "subcog-inspector: " << shown(store.location) << ": " << shown(m.error) << Qt::endl;
    }
    if (found.stores.isEmpty() && !json)
        err() << "subcog-inspector: no subcog store found (data folder " << shown(config.dataDir)
              << "); --scan DIR searches for legacy <repo>/.subcog/index.db files" << Qt::endl;
    return allMeasured ? ExitOk : ExitPartial;
}

} // namespace Inspector::CommandLine
