// SPDX-License-Identifier: MIT
// The pure half of a bulk edit: parsing its parts, what one memory becomes, and what a store cannot hold.
#include "bulkedit.h"

#include "filesystem/filesystembackend.h"
#include "persistencebackend.h"
#include "postgresmodule.h"
#include "retryingbackend.h"
#include "sqlite/sqlitebackend.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

PersistenceBackend& innermost(PersistenceBackend& store)
{
    if (auto* retrying = dynamic_cast<RetryingBackend*>(&store))
        return innermost(retrying->inner());
    return store;
}

std::optional<QString> nonEmpty(const std::optional<QString>& value)
{
    if (!value || value->isEmpty())
        return std::nullopt;
    return value;
}

QString shownOptional(const std::optional<QString>& value)
{
    return value ? *value : u"(none)"_s;
}

QString tagProblem(const QString& tag)
{
    if (tag.isEmpty())
        return u"a tag cannot be empty"_s;
    if (tag.contains(u','))
        return u"tag '"_s + tag + u"' contains a comma; subcog's tags cannot (spec §10)"_s;
    if (tag.trimmed() != tag)
        return u"tag '"_s + tag + u"' has spaces around it, which subcog's SQLite stores drop"_s;
    return {};
}

std::optional<QString>* replaceTarget(Memory& m, ReplaceField field)
{
    switch (field) {
    case ReplaceField::ProjectId:
        return &m.projectId;
    case ReplaceField::Branch:
        return &m.branch;
    case ReplaceField::FilePath:
        return &m.filePath;
    case ReplaceField::Source:
        return &m.source;
    }
    return nullptr;
}

} // namespace

QString replaceFieldName(ReplaceField field)
{
    switch (field) {
    case ReplaceField::ProjectId:
        return u"project_id"_s;
    case ReplaceField::Branch:
        return u"branch"_s;
    case ReplaceField::FilePath:
        return u"file_path"_s;
    case ReplaceField::Source:
        return u"source"_s;
    }
    return {};
}

std::optional<ReplaceField> parseReplaceField(const QString& name)
{
    const QString n = name.trimmed().toLower();
    if (n == "project_id"_L1 || n == "project"_L1)
        return ReplaceField::ProjectId;
    if (n == "branch"_L1)
        return ReplaceField::Branch;
    if (n == "file_path"_L1 || n == "path"_L1 || n == "file"_L1)
        return ReplaceField::FilePath;
    if (n == "source"_L1 || n == "src"_L1)
        return ReplaceField::Source;
    return std::nullopt;
}

bool BulkEdit::isEmpty() const
{
    return !namespaceName && !status && !domain && !projectId && !branch && !expiresAt && addTags.isEmpty()
        && removeTags.isEmpty() && replacements.isEmpty();
}

QStringList BulkEdit::problems() const
{
    QStringList out;
    if (namespaceName && !parseNamespace(*namespaceName))
        out << u"'"_s + *namespaceName + u"' is not one of subcog's namespaces"_s;
    if (status && !parseStatus(*status))
        out << u"'"_s + *status + u"' is not one of subcog's statuses"_s;
    for (const QString& tag : addTags) {
        if (const QString p = tagProblem(tag); !p.isEmpty())
            out << p;
    }
    for (const QString& tag : removeTags) {
        if (tag.isEmpty())
            out << u"a tag to remove cannot be empty"_s;
    }
    for (const Replacement& r : replacements) {
        if (r.from.isEmpty())
            out << replaceFieldName(r.field) + u": the text to replace cannot be empty"_s;
    }
    return out;
}

QStringList BulkEdit::describe() const
{
    QStringList out;
    auto setLine
        = [&](const char* field, const QString& value) { out << QString::fromLatin1(field) + u" = "_s + value; };
    if (namespaceName)
        setLine("namespace",
                parseNamespace(*namespaceName) ? Inspector::namespaceName(*parseNamespace(*namespaceName))
                                               : *namespaceName);
    if (status)
        setLine("status", parseStatus(*status) ? statusName(*parseStatus(*status)) : *status);
    if (domain)
        setLine("domain", domain->isEmpty() ? u"project"_s : *domain);
    if (projectId)
        setLine("project_id", shownOptional(nonEmpty(*projectId)));
    if (branch)
        setLine("branch", shownOptional(nonEmpty(*branch)));
    if (expiresAt)
        setLine("expires_at",
                *expiresAt ? QDateTime::fromSecsSinceEpoch(**expiresAt, Qt::UTC).toString(Qt::ISODate) : u"(never)"_s);
    for (const QString& tag : removeTags)
        out << u"-tag "_s + tag;
    for (const QString& tag : addTags)
        out << u"+tag "_s + tag;
    for (const Replacement& r : replacements)
        out << replaceFieldName(r.field) + u": "_s + r.from + u" → "_s + r.to;
    return out;
}

QString BulkEdit::parseSet(const QString& assignment)
{
    const qsizetype eq = assignment.indexOf(u'=');
    if (eq <= 0)
        return u"'"_s + assignment + u"' is not FIELD=VALUE"_s;
    const QString field = assignment.left(eq).trimmed().toLower();
    const QString value = assignment.mid(eq + 1);
    const std::optional<QString> optional = value.isEmpty() ? std::nullopt : std::optional(value);
    if (field == "namespace"_L1 || field == "ns"_L1) {
        if (value.isEmpty())
            return u"namespace cannot be cleared"_s;
        namespaceName = value;
    } else if (field == "status"_L1) {
        if (value.isEmpty())
            return u"status cannot be cleared"_s;
        status = value;
    } else if (field == "domain"_L1) {
        domain = value;
    } else if (field == "project_id"_L1 || field == "project"_L1) {
        projectId = optional;
    } else if (field == "branch"_L1) {
        branch = optional;
    } else if (field == "expires_at"_L1 || field == "expires"_L1) {
        if (value.isEmpty()) {
            expiresAt = std::optional<qint64>();
            return {};
        }
        bool ok = false;
        const qint64 seconds = value.toLongLong(&ok);
        if (ok && seconds >= 0) {
            expiresAt = std::optional<qint64>(seconds);
            return {};
        }
        QDateTime when = QDateTime::fromString(value, Qt::ISODate);
        if (!when.isValid())
            return u"expires_at: '"_s + value + u"' is neither Unix seconds nor an ISO 8601 date/time"_s;
        if (value.size() <= 10) // a date alone: its start, in UTC
            when = QDateTime(when.date(), QTime(0, 0), Qt::UTC);
        else if (when.timeSpec() == Qt::LocalTime)
            when.setTimeSpec(Qt::UTC);
        expiresAt = std::optional<qint64>(when.toSecsSinceEpoch());
    } else {
        return u"'"_s + field + u"' cannot be set (namespace, status, domain, project_id, branch or expires_at can)"_s;
    }
    return {};
}

QString BulkEdit::parseReplace(const QString& text)
{
    const qsizetype colon = text.indexOf(u':');
    const qsizetype eq = colon < 0 ? -1 : text.indexOf(u'=', colon + 1);
    if (colon <= 0 || eq < 0)
        return u"'"_s + text + u"' is not FIELD:OLD=NEW"_s;
    const auto field = parseReplaceField(text.left(colon));
    if (!field)
        return u"'"_s + text.left(colon) + u"' cannot be replaced in (project_id, branch, file_path or source can)"_s;
    Replacement r;
    r.field = *field;
    r.from = text.mid(colon + 1, eq - colon - 1);
    r.to = text.mid(eq + 1);
    if (r.from.isEmpty())
        return u"'"_s + text + u"': the text to replace is empty"_s;
    replacements << r;
    return {};
}

BulkEditLimits BulkEditLimits::of(PersistenceBackend& backend)
{
    PersistenceBackend& inner = innermost(backend);
    BulkEditLimits limits;
    limits.kind = backend.kind();
    limits.location = backend.location();
    limits.readOnly = backend.isReadOnly();
    if (auto* sqlite = dynamic_cast<SqliteBackend*>(&inner)) {
        limits.hasUpdatedAt = false;
        limits.tagsInOneString = true;
        limits.domainAsDisplayString = true;
        for (const char* column : {"expires_at", "project_id", "branch", "file_path", "source", "tombstoned_at"}) {
            if (!sqlite->columns().contains(QString::fromLatin1(column)))
                limits.missingColumns.insert(QString::fromLatin1(column));
        }
    } else if (isPostgresStore(inner)) {
        limits.textMayHoldNul = false;
        limits.keepsDomainParts = true;
    } else if (dynamic_cast<FilesystemBackend*>(&inner)) {
        limits.keepsDomainParts = true;
        // subcog's filesystem reader knows 10 namespaces and no `consolidated` (spec §3.3, §3.5)
        limits.unreadableNamespaces = {u"blockers"_s, u"progress"_s, u"help"_s, u"prompts"_s};
        limits.unreadableStatuses = {u"consolidated"_s};
    }
    return limits;
}

std::optional<Memory> editedMemory(const BulkEdit& edit, const Memory& before, const BulkEditLimits& limits, qint64 now)
{
    Memory after = before;
    if (edit.namespaceName) {
        if (const auto ns = parseNamespace(*edit.namespaceName))
            after.namespaceName = namespaceName(*ns);
    }
    if (edit.status) {
        if (const auto st = parseStatus(*edit.status)) {
            after.status = statusName(*st);
            const bool tombstoning = *st == MemoryStatus::Tombstoned;
            const bool wasTombstoned = parseStatus(before.status) == MemoryStatus::Tombstoned;
            if (!limits.missingColumns.contains(u"tombstoned_at"_s)) {
                if (tombstoning && !after.tombstonedAt)
                    after.tombstonedAt = now; // subcog's soft delete sets both (spec §10)
                else if (!tombstoning && wasTombstoned)
                    after.tombstonedAt.reset(); // and its restore clears both
            }
        }
    }
    if (edit.domain) {
        const Domain parts = Domain::fromDisplayString(edit.domain->isEmpty() ? u"project"_s : *edit.domain);
        const QString display = parts.toString();
        if (display != before.domain || (limits.keepsDomainParts && before.domainForWrite() != parts)) {
            after.domain = display;
            after.domainParts = limits.keepsDomainParts ? std::optional(parts) : std::nullopt;
            after.flags &= ~MemoryFlags(MemoryFlag::LegacyDomain);
        }
    }
    if (edit.projectId)
        after.projectId = nonEmpty(*edit.projectId);
    if (edit.branch)
        after.branch = nonEmpty(*edit.branch);
    if (edit.expiresAt)
        after.expiresAt = *edit.expiresAt;
    if (!edit.addTags.isEmpty() || !edit.removeTags.isEmpty()) {
        QStringList tags;
        for (const QString& tag : std::as_const(before.tags)) {
            if (!edit.removeTags.contains(tag) && !tags.contains(tag))
                tags << tag;
        }
        for (const QString& tag : edit.addTags) {
            if (!tags.contains(tag))
                tags << tag;
        }
        after.tags = tags;
    }
    for (const BulkEdit::Replacement& r : edit.replacements) {
        std::optional<QString>* field = replaceTarget(after, r.field);
        if (field && *field && !r.from.isEmpty() && (*field)->contains(r.from))
            *field = nonEmpty(QString(**field).replace(r.from, r.to));
    }
    if (after.sameFields(before))
        return std::nullopt;
    if (limits.hasUpdatedAt)
        after.updatedAt = now;
    return after;
}

QString bulkEditRefusal(const Memory& before, const Memory& after, const BulkEditLimits& limits)
{
    QStringList reasons;
    auto missing = [&](const char* column, bool changed) {
        if (changed && limits.missingColumns.contains(QString::fromLatin1(column)))
            reasons << u"this store's layout (an older subcog) has no "_s + QString::fromLatin1(column)
                    + u" column to keep the value"_s;
    };
    missing("expires_at", after.expiresAt != before.expiresAt);
    missing("project_id", after.projectId != before.projectId);
    missing("branch", after.branch != before.branch);
    missing("file_path", after.filePath != before.filePath);
    missing("source", after.source != before.source);
    if (after.namespaceName != before.namespaceName && limits.unreadableNamespaces.contains(after.namespaceName))
        reasons << u"subcog's reader of this store does not know namespace '"_s + after.namespaceName
                + u"' and would read it as decisions"_s;
    if (after.status != before.status && limits.unreadableStatuses.contains(after.status))
        reasons << u"subcog's reader of this store does not know status '"_s + after.status
                + u"' and would read it as active"_s;
    if (limits.domainAsDisplayString && after.domain != before.domain && after.domain.count(u'/') >= 2)
        reasons << u"subcog reads a SQLite domain of three parts ('"_s + after.domain + u"') as the project scope"_s;
    if (!limits.textMayHoldNul) {
        auto nul = [&](const char* field, const std::optional<QString>& a, const std::optional<QString>& b) {
            if (a != b && a && a->contains(QChar(0)))
                reasons << QString::fromLatin1(field)
                        + u" would contain a NUL character, which this store cannot hold"_s;
        };
        nul("project_id", after.projectId, before.projectId);
        nul("branch", after.branch, before.branch);
        nul("file_path", after.filePath, before.filePath);
        nul("source", after.source, before.source);
        nul("domain", after.domain, before.domain);
        if (after.tags != before.tags
            && std::any_of(after.tags.begin(), after.tags.end(), [](const QString& t) { return t.contains(QChar(0)); }))
            reasons << u"a tag would contain a NUL character, which this store cannot hold"_s;
    }
    if (after.tags != before.tags) {
        for (const QString& tag : after.tags) {
            if (before.tags.contains(tag))
                continue;
            const QString p = tagProblem(tag);
            if (!p.isEmpty() && (limits.tagsInOneString || tag.contains(u',') || tag.isEmpty()))
                reasons << p;
        }
    }
    return reasons.join(u"; "_s);
}

QStringList bulkEditDifferences(const Memory& before, const Memory& after)
{
    QStringList out;
    auto line = [&](const char* field, const QString& a, const QString& b) {
        if (a != b)
            out << QString::fromLatin1(field) + u": "_s + a + u" → "_s + b;
    };
    auto time = [](const std::optional<qint64>& t) {
        return t ? QDateTime::fromSecsSinceEpoch(*t, Qt::UTC).toString(Qt::ISODate) : u"(none)"_s;
    };
    line("namespace", before.namespaceName, after.namespaceName);
    line("status", before.status, after.status);
    line("domain", before.domain, after.domain);
    line("project_id", shownOptional(before.projectId), shownOptional(after.projectId));
    line("branch", shownOptional(before.branch), shownOptional(after.branch));
    line("file_path", shownOptional(before.filePath), shownOptional(after.filePath));
    line("source", shownOptional(before.source), shownOptional(after.source));
    if (before.tags != after.tags)
        out << u"tags: "_s + before.tags.join(u',') + u" → "_s + after.tags.join(u',');
    line("expires_at", time(before.expiresAt), time(after.expiresAt));
    line("tombstoned_at", time(before.tombstonedAt), time(after.tombstonedAt));
    if (before.updatedAt != after.updatedAt)
        line("updated_at", time(before.updatedAt), time(after.updatedAt));
    return out;
}

BulkEditSource BulkEditSource::ofQuery(const MemoryQuery& query)
{
    BulkEditSource s;
    s.query = query;
    return s;
}

BulkEditSource BulkEditSource::ofFilter(const MemoryFilter& filter)
{
    MemoryQuery q;
    q.filter = filter;
    return ofQuery(q);
}

BulkEditSource BulkEditSource::ofIds(const QStringList& ids)
{
    BulkEditSource s;
    s.ids = ids;
    return s;
}

Memory BulkEditPlan::after(qsizetype index) const
{
    const Memory& before = changes.at(index).before;
    return editedMemory(edit, before, limits, now).value_or(before);
}

BulkEditPlan BulkEditPlan::writtenOnly(const QStringList& ids) const
{
    const QSet<QString> keep(ids.begin(), ids.end());
    BulkEditPlan plan;
    plan.edit = edit;
    plan.limits = limits;
    plan.now = now;
    for (const Entry& e : changes) {
        if (keep.contains(e.before.id))
            plan.changes << e;
    }
    for (const BulkEditChange& c : sample) {
        if (keep.contains(c.before.id))
            plan.sample << c;
    }
    plan.scanned = plan.changes.size();
    return plan;
}

qint64 BulkEditPlan::bytes() const
{
    auto text = [](const std::optional<QString>& s) { return s ? s->size() * 2 + 32 : 0; };
    qint64 total = 0;
    for (const Entry& e : changes) {
        const Memory& m = e.before;
        total += 256 + m.id.size() * 2 + m.namespaceName.size() * 2 + m.domain.size() * 2 + m.status.size() * 2
            + text(m.projectId) + text(m.branch) + text(m.filePath) + text(m.source) + text(m.groupId)
            + e.contentDigest.size();
        for (const QString& t : m.tags)
            total += t.size() * 2 + 32;
        for (const QString& s : m.sourceMemoryIds.value_or(QStringList {}))
            total += s.size() * 2 + 32;
    }
    for (const BulkEditChange& c : sample)
        total += 2 * (c.before.content.size() * 2 + 512);
    return total;
}

} // namespace Inspector
