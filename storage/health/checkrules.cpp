// SPDX-License-Identifier: MIT
#include "checkrules.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Inspector::CheckRules {

namespace {
void report(const FindingSink& sink, QLatin1StringView cls, const QString& id, const QString& detail,
            const QString& fix)
{
    sink(Finding {cls, id, detail, fix});
}

QString shownOrNull(const std::optional<QString>& value)
{
    return value ? quoted(*value) : u"NULL"_s;
}
} // namespace

QString quoted(const QString& value)
{
    return u'\'' + value + u'\'';
}

void checkNamespace(const FindingSink& sink, const QString& id, const std::optional<QString>& ns, Reader reader)
{
    const auto parsed = ns ? parseNamespace(*ns) : std::nullopt;
    if (!parsed)
        report(sink, "unknown-namespace"_L1, id, u"namespace "_s + shownOrNull(ns) + u" is read as 'decisions'"_s,
               u"none automatic: choose the namespace"_s);
    else if (namespaceName(*parsed) != *ns)
        report(sink, "noncanonical-namespace"_L1, id,
               u"namespace "_s + quoted(*ns) + (reader == Reader::Folder ? u" means '"_s : u" is read as '"_s)
                   + namespaceName(*parsed)
                   + (reader == Reader::Folder ? u"'; subcog's folder reader reads it as 'decisions'"_s : u"'"_s),
               u"write '"_s + namespaceName(*parsed) + u'\'');
}

MemoryStatus checkStatus(const FindingSink& sink, const QString& id, const std::optional<QString>& status,
                         Reader reader)
{
    const auto parsed = status ? parseStatus(*status) : std::nullopt;
    if (!parsed) {
        report(sink, "unknown-status"_L1, id, u"status "_s + shownOrNull(status) + u" is read as 'active'"_s,
               u"none automatic: choose the status"_s);
        return MemoryStatus::Active;
    }
    if (statusName(*parsed) != *status)
        report(sink, "noncanonical-status"_L1, id,
               u"status "_s + quoted(*status) + (reader == Reader::Folder ? u" means '"_s : u" is read as '"_s)
                   + statusName(*parsed)
                   + (reader == Reader::Folder ? u"'; subcog's folder reader reads it as 'active'"_s : u"'"_s),
               u"write '"_s + statusName(*parsed) + u'\'');
    return *parsed;
}

bool checkLifecycle(const FindingSink& sink, const QString& id, MemoryStatus status, bool tombstonedAtKept,
                    const std::optional<qint64>& tombstonedAt, const std::optional<qint64>& expiresAt, qint64 now)
{
    const bool statusTombstoned = status == MemoryStatus::Tombstoned;
    if (tombstonedAtKept && statusTombstoned != tombstonedAt.has_value())
        report(sink, "half-tombstoned"_L1, id,
               tombstonedAt ? u"tombstoned_at is set but the status is '"_s + statusName(status) + u'\''
                            : u"status 'tombstoned' but tombstoned_at is null"_s,
               tombstonedAt ? u"set status 'tombstoned'"_s : u"set tombstoned_at to the updated time"_s);
    const bool live = !statusTombstoned && !tombstonedAt;
    if (live && expiresAt && *expiresAt < now)
        report(sink, "expired-active"_L1, id, u"expired at "_s + QString::number(*expiresAt) + u" and still recalled"_s,
               u"tombstone it"_s);
    return live;
}

void checkCreatedAt(const FindingSink& sink, const QString& id, const std::optional<qint64>& createdAt,
                    const QString& shown, qint64 now)
{
    if (!createdAt)
        report(sink, "bad-time"_L1, id, u"created_at "_s + shown + u" is not a number of seconds"_s,
               u"none automatic"_s);
    else if (*createdAt <= 0 || *createdAt > now)
        report(sink, "bad-time"_L1, id,
               u"created_at "_s + QString::number(*createdAt)
                   + (*createdAt <= 0 ? u" is not after 1970"_s : u" is in the future"_s),
               u"none automatic"_s);
}

QStringList checkTagList(const FindingSink& sink, const QString& id, const std::optional<QStringList>& tags,
                         const QString& shown)
{
    QStringList result;
    bool messy = !tags;
    for (const QString& tag : tags.value_or(QStringList {})) {
        const QString trimmed = tag.trimmed();
        if (trimmed.isEmpty() || trimmed != tag)
            messy = true;
        if (!trimmed.isEmpty())
            result << trimmed;
    }
    if (messy)
        report(sink, "messy-tags"_L1, id, u"tags "_s + shown, u"trim each tag, drop empty ones, keep the order"_s);
    return result;
}

void checkHashTag(const FindingSink& sink, const QString& id, const QStringList& tags, const QString& content,
                  bool isSummary)
{
    if (isSummary)
        return; // summaries carry their sources' hash tags by design
    const QString hash = contentHashTag(content);
    for (const QString& tag : tags) {
        if (tag.startsWith("hash:sha256:"_L1) && tag != hash) {
            report(sink, "stale-hash-tag"_L1, id, u"tag "_s + quoted(tag) + u", content hashes to "_s + quoted(hash),
                   u"replace the tag"_s);
            return;
        }
    }
}

void reportBadSummary(const FindingSink& sink, const QString& id, const QStringList& problems)
{
    if (!problems.isEmpty())
        report(sink, "bad-summary"_L1, id, problems.join(u"; "_s),
               u"NULL is_summary becomes false, invalid source_memory_ids becomes []; missing sources are listed"_s);
}

void DuplicateHashes::add(const QString& content, qint64 createdAt, quint32 ordinal)
{
    // the tag's 16 hex digits are the first 64 bits of the SHA-256: exactly what subcog compares
    const QString tag = contentHashTag(content);
    m_entries.push_back(Entry {tag.mid(12).toULongLong(nullptr, 16), createdAt, ordinal});
}

std::vector<DuplicateHashes::Duplicate> DuplicateHashes::duplicates()
{
    std::sort(m_entries.begin(), m_entries.end(), [](const Entry& a, const Entry& b) {
        return std::tie(a.hash, a.createdAt, a.ordinal) < std::tie(b.hash, b.createdAt, b.ordinal);
    });
    std::vector<Duplicate> result;
    for (size_t i = 1, first = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].hash != m_entries[first].hash) {
            first = i;
            continue;
        }
        result.push_back(
            Duplicate {m_entries[i].ordinal, m_entries[first].ordinal,
                       u"hash:sha256:"_s + QString::number(m_entries[i].hash, 16).rightJustified(16, u'0')});
    }
    return result;
}

void reportDuplicate(const FindingSink& sink, const QString& id, const QString& keptId, const QString& hashTag)
{
    report(sink, "duplicate-memory"_L1, id,
           u"same content as the older memory "_s + quoted(keptId) + u" ("_s + hashTag + u')',
           u"keep "_s + quoted(keptId) + u", union the tags onto it, tombstone this one"_s);
}

} // namespace Inspector::CheckRules
