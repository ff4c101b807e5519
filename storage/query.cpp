// SPDX-License-Identifier: MIT
#include "query.h"

#include "lifecyclefilter.h"
#include "storageerror.h"

#include <limits>

#include <QRegularExpression>
#include <QTimeZone>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
bool wildcardMatch(const QString& pattern, const QString& text)
{
    // Only '*' is a wildcard in subcog's language, so every other character is escaped.
    QStringList parts = pattern.split(u'*');
    for (QString& part : parts)
        part = QRegularExpression::escape(part);
    const QRegularExpression re(QRegularExpression::anchoredPattern(parts.join(u".*"_s)),
                                QRegularExpression::DotMatchesEverythingOption);
    return re.match(text).hasMatch();
}

QStringList contentTokens(const QString& content)
{
    static const QRegularExpression separators(u"[^\\p{L}\\p{N}]+"_s);
    return content.toCaseFolded().split(separators, Qt::SkipEmptyParts);
}
} // namespace

MemoryFilter MemoryFilter::nothing()
{
    MemoryFilter f;
    f.createdFrom = std::numeric_limits<qint64>::max();
    f.createdTo = std::numeric_limits<qint64>::min();
    return f;
}

bool MemoryFilter::isEmpty() const
{
    return *this == MemoryFilter {};
}

bool MemoryFilter::matches(const Memory& m) const
{
    if (!entities.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput,
                           u"entity: needs subcog's knowledge graph (graph.db or PostgreSQL's graph tables), and this "
                           "store has none"_s);
    if (hasEdges)
        throw StorageError(StorageError::Kind::InvalidInput,
                           u"has:edges needs the store's edges, which this reader does not have"_s);
    if (!ids.isEmpty() && !ids.contains(m.id))
        return false;
    if (!excludedIds.isEmpty() && excludedIds.contains(m.id))
        return false;
    if (expired && Lifecycle::isExpired(m, now) != *expired)
        return false;
    if (summary && m.isSummary != *summary)
        return false;
    for (const QStringList& group : anomaliesAny) {
        if (std::none_of(group.begin(), group.end(),
                         [&](const QString& a) { return Lifecycle::hasAnomaly(m, a, now); }))
            return false;
    }
    for (const QString& a : anomaliesNone) {
        if (Lifecycle::hasAnomaly(m, a, now))
            return false;
    }
    if (!summarizing.isEmpty()
        && (!m.sourceMemoryIds || std::none_of(summarizing.begin(), summarizing.end(), [&](const QString& id) {
               return m.sourceMemoryIds->contains(id);
           })))
        return false;
    if (!namespaces.isEmpty()) {
        const auto ns = parseNamespace(m.namespaceName);
        if (!ns || !namespaces.contains(*ns))
            return false;
    }
    for (const QString& tag : tagsAll) {
        if (!m.tags.contains(tag))
            return false;
    }
    for (const QStringList& group : tagsAny) {
        if (std::none_of(group.begin(), group.end(), [&](const QString& t) { return m.tags.contains(t); }))
            return false;
    }
    for (const QString& tag : tagsNone) {
        if (m.tags.contains(tag))
            return false;
    }
    if (createdFrom && m.createdAt < *createdFrom)
        return false;
    if (createdTo && m.createdAt > *createdTo)
        return false;
    if (!sourcePatterns.isEmpty()
        && (!m.source || std::none_of(sourcePatterns.begin(), sourcePatterns.end(), [&](const QString& p) {
               return wildcardMatch(p, *m.source);
           })))
        return false;
    if (!pathPatterns.isEmpty()
        && (!m.filePath || std::none_of(pathPatterns.begin(), pathPatterns.end(), [&](const QString& p) {
               return wildcardMatch(p, *m.filePath);
           })))
        return false;
    if (!projects.isEmpty() && (!m.projectId || !projects.contains(*m.projectId)))
        return false;
    if (!branches.isEmpty() && (!m.branch || !branches.contains(*m.branch)))
        return false;
    if (!statuses.isEmpty()) {
        const auto st = parseStatus(m.status);
        if (!st || !statuses.contains(*st))
            return false;
    }
    if (!domains.isEmpty() && !domains.contains(m.domain.isEmpty() ? u"project"_s : m.domain))
        return false;
    if (!words.isEmpty()) {
        const QStringList tokens = contentTokens(m.content);
        for (const QString& word : words) {
            const QStringList wanted = contentTokens(word);
            if (wanted.isEmpty())
                continue;
            // a word is a phrase of tokens, as FTS5 treats a quoted string
            bool found = false;
            for (qsizetype i = 0; i + wanted.size() <= tokens.size() && !found; ++i)
                found = std::equal(wanted.begin(), wanted.end(), tokens.begin() + i);
            if (!found)
                return false;
        }
    }
    switch (tombstones) {
    case TombstoneFilter::Include:
        break;
    case TombstoneFilter::Exclude:
        if (m.isTombstoned())
            return false;
        break;
    case TombstoneFilter::Only:
        if (!m.isTombstoned())
            return false;
        break;
    }
    return true;
}

namespace {
std::optional<qint64> parseDateBound(const QString& text, bool endOfDay)
{
    bool ok = false;
    const qint64 seconds = text.toLongLong(&ok);
    if (ok)
        return seconds;
    const QDate date = QDate::fromString(text, Qt::ISODate);
    if (date.isValid()) {
        const QDateTime start(date, QTime(0, 0), QTimeZone::utc());
        return endOfDay ? start.addDays(1).toSecsSinceEpoch() - 1 : start.toSecsSinceEpoch();
    }
    const QDateTime dt = QDateTime::fromString(text, Qt::ISODate);
    if (dt.isValid())
        return dt.toSecsSinceEpoch();
    return std::nullopt;
}
} // namespace

ParsedFilter parseFilter(const QString& text, const QDateTime& now)
{
    ParsedFilter result;
    MemoryFilter& f = result.filter;
    static const QRegularExpression whitespace(u"\\s+"_s);
    static const QRegularExpression sinceRe(u"^(\\d+)([dhw]?)$"_s, QRegularExpression::CaseInsensitiveOption);
    const QStringList tokens = text.split(whitespace, Qt::SkipEmptyParts);
    for (const QString& token : tokens) {
        const qsizetype colon = token.indexOf(u':');
        if (colon < 0) {
            // the full-text search finds letters and digits only (FTS5's unicode61 makes no token of an emoji);
            // dropping such a word would silently widen the filter to everything
            if (std::none_of(token.begin(), token.end(), [](QChar c) { return c.isLetterOrNumber(); }))
                result.notUnderstood.append(token
                                            + u": has no letter or digit, and the full-text search finds only words"_s);
            else
                f.words.append(token);
            continue;
        }
        const QString key = token.left(colon).toLower();
        const QString value = token.mid(colon + 1);
        auto reject = [&](const QString& reason) { result.notUnderstood.append(token + u": "_s + reason); };
        // a yes/no word (expired:, is:, has:): words are AND-ed, so its opposite as well would match nothing
        auto setOnce = [&](std::optional<bool>& field, bool value) {
            if (field && *field != value) {
                reject(u"contradicts an earlier word: nothing could match both"_s);
                return false;
            }
            field = value;
            return true;
        };
        if (value.isEmpty()) {
            reject(u"no value after the colon"_s);
            continue;
        }
        const QStringList list = value.split(u',', Qt::SkipEmptyParts);
        if (key == "ns"_L1 || key == "namespace"_L1) {
            const auto ns = parseNamespace(value);
            if (!ns)
                reject(u"unknown namespace"_s);
            else if (!f.namespaces.contains(*ns))
                f.namespaces.append(*ns);
        } else if (key == "tag"_L1 || key == "tags"_L1) {
            if (list.size() == 1)
                f.tagsAll.append(list.first());
            else if (list.isEmpty())
                reject(u"no tag given"_s);
            else
                f.tagsAny.append(list);
        } else if (key == "-tag"_L1 || key == "-tags"_L1) {
            if (list.isEmpty())
                reject(u"no tag given"_s);
            f.tagsNone.append(list);
        } else if (key == "since"_L1) {
            const auto match = sinceRe.match(value);
            if (!match.hasMatch()) {
                reject(u"expected N, Nd, Nh or Nw"_s);
                continue;
            }
            bool fits = false;
            const qint64 n = match.captured(1).toLongLong(&fits);
            const QString unit = match.captured(2).toLower();
            const qint64 unitSeconds = unit == "h"_L1 ? 3600 : unit == "w"_L1 ? 7 * 86400 : 86400;
            qint64 span = 0;
            qint64 from = 0;
            // a span longer than time can hold reaches back past every memory: clamped, not wrapped around
            if (fits && !__builtin_mul_overflow(n, unitSeconds, &span)
                && !__builtin_sub_overflow(now.toSecsSinceEpoch(), span, &from))
                f.createdFrom = from;
            else
                f.createdFrom = std::numeric_limits<qint64>::min();
        } else if (key == "source"_L1 || key == "src"_L1) {
            f.sourcePatterns.append(value);
        } else if (key == "project"_L1 || key == "proj"_L1 || key == "repo"_L1) {
            f.projects.append(value);
        } else if (key == "branch"_L1) {
            f.branches.append(value);
        } else if (key == "path"_L1 || key == "file"_L1 || key == "file_path"_L1) {
            f.pathPatterns.append(value);
        } else if (key == "status"_L1) {
            bool ok = true;
            QList<MemoryStatus> statuses;
            for (const QString& s : list) {
                const auto st = parseStatus(s);
                if (!st)
                    ok = false;
                else
                    statuses.append(*st);
            }
            if (!ok || statuses.isEmpty()) {
                reject(u"unknown status"_s);
                continue;
            }
            for (MemoryStatus st : statuses) {
                if (!f.statuses.contains(st))
                    f.statuses.append(st);
            }
        } else if (key == "domain"_L1) {
            f.domains.append(value);
        } else if (key == "id"_L1 || key == "ids"_L1) {
            // an empty list would leave the word without effect: everything would match
            if (list.isEmpty())
                reject(u"no id given"_s);
            f.ids.append(list);
        } else if (key == "summary-of"_L1) {
            if (list.isEmpty())
                reject(u"no id given"_s);
            f.summarizing.append(list);
        } else if (key == "created"_L1) {
            const qsizetype dots = value.indexOf(u".."_s);
            const QString from = dots < 0 ? value : value.left(dots);
            const QString to = dots < 0 ? value : value.mid(dots + 2);
            const auto fromSecs = from.isEmpty() ? std::optional<qint64> {} : parseDateBound(from, false);
            const auto toSecs = to.isEmpty() ? std::optional<qint64> {} : parseDateBound(to, true);
            if ((!from.isEmpty() && !fromSecs) || (!to.isEmpty() && !toSecs) || (from.isEmpty() && to.isEmpty())) {
                reject(u"expected a date range like 2026-01-01..2026-01-31"_s);
                continue;
            }
            if (fromSecs)
                f.createdFrom = fromSecs;
            if (toSecs)
                f.createdTo = toSecs;
        } else if (key == "tombstoned"_L1 || key == "deleted"_L1) {
            const QString v = value.toLower();
            if (v == "show"_L1 || v == "include"_L1 || v == "yes"_L1)
                f.tombstones = TombstoneFilter::Include;
            else if (v == "hide"_L1 || v == "exclude"_L1 || v == "no"_L1)
                f.tombstones = TombstoneFilter::Exclude;
            else if (v == "only"_L1)
                f.tombstones = TombstoneFilter::Only;
            else
                reject(u"expected show, hide or only"_s);
        } else if (key == "expired"_L1) {
            const QString v = value.toLower();
            const bool yes = v == "true"_L1 || v == "yes"_L1;
            if (!yes && v != "false"_L1 && v != "no"_L1)
                reject(u"expected true or false"_s);
            else if (setOnce(f.expired, yes))
                f.now = now.toSecsSinceEpoch();
        } else if (key == "is"_L1 || key == "-is"_L1) {
            if (value.toLower() != "summary"_L1)
                reject(u"expected summary"_s);
            else
                setOnce(f.summary, key == "is"_L1);
        } else if (key == "has"_L1 || key == "-has"_L1) {
            if (value.toLower() != "edges"_L1)
                reject(u"expected edges"_s);
            else
                setOnce(f.hasEdges, key == "has"_L1);
        } else if (key == "flag"_L1 || key == "flags"_L1 || key == "-flag"_L1 || key == "-flags"_L1) {
            QStringList names;
            QStringList unknown;
            for (const QString& name : list) {
                const QString lower = name.toLower();
                if (Lifecycle::describeAnomaly(lower).isEmpty())
                    unknown << name;
                else if (!names.contains(lower))
                    names << lower;
            }
            if (!unknown.isEmpty() || names.isEmpty()) {
                reject((unknown.isEmpty() ? u"no anomaly given"_s : u"unknown anomaly "_s + unknown.join(u", "_s))
                       + u" (known: "_s + Lifecycle::anomalyNames().join(u", "_s) + u')');
                continue;
            }
            if (key.startsWith(u'-')) {
                for (const QString& name : names) {
                    if (!f.anomaliesNone.contains(name))
                        f.anomaliesNone << name;
                }
            } else {
                f.anomaliesAny << names;
            }
            if (names.contains("expired-active"_L1))
                f.now = now.toSecsSinceEpoch();
        } else if (key == "entity"_L1 || key == "ent"_L1 || key == "entities"_L1) {
            if (list.isEmpty())
                reject(u"no entity given"_s);
            // one token is one group of alternatives; several tokens would AND them, which subcog does not do
            for (const QString& e : list) {
                if (!f.entities.contains(e))
                    f.entities.append(e);
            }
        } else {
            reject(u"unknown filter key"_s);
        }
    }
    return result;
}

Cursor Cursor::of(const Memory& memory, SortKey key)
{
    switch (key) {
    case SortKey::CreatedAt:
        return Cursor {memory.createdAt, memory.id};
    case SortKey::Id:
        return Cursor {memory.id, memory.id};
    case SortKey::Namespace:
        return Cursor {memory.namespaceName, memory.id};
    case SortKey::Status:
        return Cursor {memory.status, memory.id};
    }
    return Cursor {QVariant(), memory.id};
}

namespace {
Qt::SortOrder reversed(Qt::SortOrder order)
{
    return order == Qt::AscendingOrder ? Qt::DescendingOrder : Qt::AscendingOrder;
}
} // namespace

bool MemoryQuery::comesBefore(const Memory& a, const Memory& b) const
{
    int c = 0;
    switch (sortKey) {
    case SortKey::CreatedAt:
        c = a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
        break;
    case SortKey::Id:
        break;
    case SortKey::Namespace:
        c = a.namespaceName.compare(b.namespaceName);
        break;
    case SortKey::Status:
        c = a.status.compare(b.status);
        break;
    }
    if (c != 0)
        return order == Qt::DescendingOrder ? c > 0 : c < 0;
    const bool idDescending = (sortKey == SortKey::Id ? order : idOrder) == Qt::DescendingOrder;
    const int idc = a.id.compare(b.id);
    return idDescending ? idc > 0 : idc < 0;
}

Qt::SortOrder MemoryQuery::scanKeyOrder() const
{
    return fromEnd ? reversed(order) : order;
}

Qt::SortOrder MemoryQuery::scanIdOrder() const
{
    if (sortKey == SortKey::Id)
        return scanKeyOrder();
    return fromEnd ? reversed(idOrder) : idOrder;
}

} // namespace Inspector
