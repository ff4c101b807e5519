// SPDX-License-Identifier: MIT
#include "storecheck.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
struct ClassMeaning
{
    QLatin1StringView name;
    QLatin1StringView meaning;
};

constexpr ClassMeaning kClasses[] = {
    {"integrity"_L1,
     "SQLite's quick_check found damage, or the vectors.idx or graph.db beside index.db cannot be read; a "
     "PostgreSQL table lacks its trigger or an index"_L1},
    {"damaged-file"_L1,
     "a folder file subcog cannot read (too big, bad JSON, id not the file name, bad encryption)"_L1},
    {"leftover-temp"_L1, "a temporary file left in a folder store by an interrupted write"_L1},
    {"missing-content"_L1, "a memories row without a full-text row: subcog cannot see it"_L1},
    {"orphan-content"_L1, "a full-text row without a memories row: subcog's reindex deletes it"_L1},
    {"duplicate-content"_L1, "several full-text rows for one id: subcog reads the first"_L1},
    {"tags-drift"_L1, "the full-text row's tags differ from the metadata row's"_L1},
    {"messy-tags"_L1, "NULL tags, blank entries or spaces around tags"_L1},
    {"legacy-domain"_L1, "NULL, empty or `global` domain (read as project scope)"_L1},
    {"unreadable-domain"_L1, "a domain subcog reads as another scope"_L1},
    {"noncanonical-namespace"_L1, "a namespace alias or other spelling"_L1},
    {"unknown-namespace"_L1, "a namespace subcog reads as `decisions`"_L1},
    {"noncanonical-status"_L1, "a status in another case"_L1},
    {"unknown-status"_L1, "a status subcog reads as `active`"_L1},
    {"half-tombstoned"_L1, "tombstoned_at without status `tombstoned`, or the reverse"_L1},
    {"expired-active"_L1, "expires_at in the past and not tombstoned (subcog never enforces TTL)"_L1},
    {"bad-summary"_L1, "is_summary NULL, source_memory_ids not a JSON array, or a summary's sources missing"_L1},
    {"bad-time"_L1, "created_at zero, negative, not a number or in the future"_L1},
    {"dangling-edge"_L1, "an edge to a missing memory, or of an unknown type"_L1},
    {"lost-edge"_L1, "a summary whose edges to its sources are missing"_L1},
    {"stale-hash-tag"_L1, "a hash:sha256: tag that does not match the content"_L1},
    {"duplicate-memory"_L1, "several live memories with the same content hash"_L1},
    {"orphan-vector"_L1, "an embedding for a memory that does not exist"_L1},
    {"missing-vector"_L1, "a live memory without an embedding, in a store that keeps them"_L1},
    {"orphan-mention"_L1, "a graph entity mention of a memory that does not exist"_L1},
};

QByteArray jsonString(const QString& text)
{
    // QJsonDocument escapes quotes, backslashes and control characters; strip the array's brackets
    const QByteArray array = QJsonDocument(QJsonArray {text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}
} // namespace

QStringList findingClasses()
{
    QStringList result;
    for (const auto& entry : kClasses)
        result << entry.name;
    return result;
}

QString findingMeaning(const QString& findingClass)
{
    for (const auto& entry : kClasses) {
        if (entry.name == findingClass)
            return entry.meaning;
    }
    return {};
}

QByteArray findingJson(const Finding& finding)
{
    return "{\"class\":" + jsonString(finding.findingClass)
        + ",\"id\":" + (finding.id ? jsonString(*finding.id) : QByteArray("null"))
        + ",\"detail\":" + jsonString(finding.detail) + ",\"fix\":" + jsonString(finding.fix) + '}';
}

} // namespace Inspector
