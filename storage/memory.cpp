// SPDX-License-Identifier: MIT
#include "memory.h"

#include "filesystem/encryption.h"

#include <array>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
struct NamespaceName
{
    Namespace ns;
    QLatin1StringView name;
};
constexpr std::array kNamespaces {
    NamespaceName {Namespace::Decisions, "decisions"_L1},
    NamespaceName {Namespace::Patterns, "patterns"_L1},
    NamespaceName {Namespace::Learnings, "learnings"_L1},
    NamespaceName {Namespace::Context, "context"_L1},
    NamespaceName {Namespace::TechDebt, "tech-debt"_L1},
    NamespaceName {Namespace::Blockers, "blockers"_L1},
    NamespaceName {Namespace::Progress, "progress"_L1},
    NamespaceName {Namespace::Apis, "apis"_L1},
    NamespaceName {Namespace::Config, "config"_L1},
    NamespaceName {Namespace::Security, "security"_L1},
    NamespaceName {Namespace::Performance, "performance"_L1},
    NamespaceName {Namespace::Testing, "testing"_L1},
    NamespaceName {Namespace::Help, "help"_L1},
    NamespaceName {Namespace::Prompts, "prompts"_L1},
};

struct StatusName
{
    MemoryStatus status;
    QLatin1StringView name;
};
constexpr std::array kStatuses {
    StatusName {MemoryStatus::Active, "active"_L1},
    StatusName {MemoryStatus::Archived, "archived"_L1},
    StatusName {MemoryStatus::Superseded, "superseded"_L1},
    StatusName {MemoryStatus::Pending, "pending"_L1},
    StatusName {MemoryStatus::Deleted, "deleted"_L1},
    StatusName {MemoryStatus::Tombstoned, "tombstoned"_L1},
    StatusName {MemoryStatus::Consolidated, "consolidated"_L1},
};
} // namespace

QString namespaceName(Namespace ns)
{
    for (const auto& entry : kNamespaces) {
        if (entry.ns == ns)
            return entry.name;
    }
    return u"decisions"_s;
}

namespace {
constexpr QLatin1StringView kTechDebtAliases[] = {"techdebt"_L1, "tech_debt"_L1};
} // namespace

std::optional<Namespace> parseNamespace(const QString& text)
{
    const QString lower = text.toLower();
    for (const auto alias : kTechDebtAliases) {
        if (lower == alias)
            return Namespace::TechDebt;
    }
    for (const auto& entry : kNamespaces) {
        if (entry.name == lower)
            return entry.ns;
    }
    return std::nullopt;
}

QList<Namespace> allNamespaces()
{
    QList<Namespace> result;
    for (const auto& entry : kNamespaces)
        result.append(entry.ns);
    return result;
}

QStringList lowerCaseSpellings(const QList<Namespace>& namespaces)
{
    QStringList result;
    for (Namespace ns : namespaces) {
        result << namespaceName(ns);
        if (ns == Namespace::TechDebt) {
            for (const auto alias : kTechDebtAliases)
                result << QString(alias);
        }
    }
    return result;
}

QString statusName(MemoryStatus status)
{
    for (const auto& entry : kStatuses) {
        if (entry.status == status)
            return entry.name;
    }
    return u"active"_s;
}

std::optional<MemoryStatus> parseStatus(const QString& text)
{
    const QString lower = text.toLower();
    for (const auto& entry : kStatuses) {
        if (entry.name == lower)
            return entry.status;
    }
    return std::nullopt;
}

QStringList statusNames(const QList<MemoryStatus>& statuses)
{
    QStringList result;
    for (MemoryStatus st : statuses)
        result << statusName(st);
    return result;
}

QList<MemoryStatus> allStatuses()
{
    QList<MemoryStatus> result;
    for (const auto& entry : kStatuses)
        result.append(entry.status);
    return result;
}

QString Domain::toString() const
{
    if (!organization) {
        if (project)
            return *project; // covers the user scope, whose project is "user"
        return repository ? *repository : u"project"_s;
    }
    QString result = *organization;
    if (project)
        result += u'/' + *project;
    if (repository)
        result += u'/' + *repository;
    return result;
}

Domain Domain::fromSqliteString(const QString& text)
{
    if (text.isEmpty() || text == "project"_L1)
        return {};
    const QStringList parts = text.split(u'/');
    if (parts.size() == 1)
        return Domain {parts[0], std::nullopt, std::nullopt};
    if (parts.size() == 2)
        return Domain {parts[0], std::nullopt, parts[1]};
    return {};
}

Domain Domain::fromDisplayString(const QString& text)
{
    if (text == "user"_L1)
        return Domain {std::nullopt, u"user"_s, std::nullopt};
    const QStringList parts = text.split(u'/');
    if (parts.size() >= 3) // X/P/Y as spec §3.4 prints it; a repository with slashes keeps them
        return Domain {parts[0], parts[1], parts.mid(2).join(u'/')};
    return fromSqliteString(text);
}

QString missingContentReason()
{
    return u"no full-text row: the content is missing (subcog cannot see this memory); left out, as it would be "
           "written with empty content"_s;
}

QString invalidUtf8Reason(const QString& field)
{
    return field + u" is not valid UTF-8: each invalid byte sequence is read, exported and copied as U+FFFD"_s;
}

std::optional<QString> subcogReadsDomainOtherwise(const Memory& m, bool fromSqlite, bool intoSqlite)
{
    if (fromSqlite == intoSqlite)
        return std::nullopt; // the same kind of field: subcog reads the copy as it reads the original
    const Domain parts = m.domainForWrite();
    if (m.domain == "user"_L1 || parts.isProjectScope())
        return std::nullopt; // subcog's own values mean the same everywhere
    const Domain sqliteReading = Domain::fromSqliteString(parts.toString());
    if (sqliteReading == parts)
        return std::nullopt;
    auto describe = [](const Domain& d) {
        if (d.isProjectScope())
            return u"the project scope"_s;
        QStringList out;
        if (d.organization)
            out << u"organization '"_s + *d.organization + u'\'';
        if (d.project)
            out << u"project '"_s + *d.project + u'\'';
        if (d.repository)
            out << u"repository '"_s + *d.repository + u'\'';
        return out.join(u", "_s);
    };
    const QString where = fromSqlite ? u"in the SQLite source"_s : u"in the SQLite target"_s;
    return u"domain '"_s + m.domain + u"' ("_s + describe(parts) + u"): subcog reads it "_s + where + u" as "_s
        + describe(sqliteReading) + u"; copied as stored"_s;
}

QStringList describeFlags(MemoryFlags flags)
{
    QStringList lines;
    if (flags & MemoryFlag::UnknownNamespace)
        lines << u"unknown namespace (subcog reads it as decisions)"_s;
    if (flags & MemoryFlag::NonCanonicalNamespace)
        lines << u"namespace in a non-canonical spelling"_s;
    if (flags & MemoryFlag::UnknownStatus)
        lines << u"unknown status (subcog reads it as active)"_s;
    if (flags & MemoryFlag::NonCanonicalStatus)
        lines << u"status in a non-canonical spelling"_s;
    if (flags & MemoryFlag::MissingContent)
        lines << u"no content row: subcog cannot see this memory"_s;
    if (flags & MemoryFlag::DuplicateContent)
        lines << u"several content rows for this id; the first is shown"_s;
    if (flags & MemoryFlag::InvalidSourceMemoryIds)
        lines << u"source_memory_ids is not a JSON array of strings (read as empty)"_s;
    if (flags & MemoryFlag::TagsMismatch)
        lines << u"the full-text row's tags differ from the metadata row's"_s;
    if (flags & MemoryFlag::LegacyDomain)
        lines << u"legacy domain value (NULL, empty or global)"_s;
    if (flags & MemoryFlag::MessyTags)
        lines << u"tags not stored the way subcog writes them (comma-joined, no spaces): NULL, spaces, empty entries "
                 "or another format such as a JSON array"_s;
    if (flags & MemoryFlag::Encrypted)
        lines << u"stored encrypted"_s;
    if (flags & MemoryFlag::Locked)
        lines << u"encrypted, and "_s + Encryption::missingKeyReason();
    return lines;
}

bool Memory::isTombstoned() const
{
    return tombstonedAt.has_value() || effectiveStatus() == MemoryStatus::Tombstoned;
}

Namespace Memory::effectiveNamespace() const
{
    return parseNamespace(namespaceName).value_or(Namespace::Decisions);
}

MemoryStatus Memory::effectiveStatus() const
{
    return parseStatus(status).value_or(MemoryStatus::Active);
}

void Memory::flagEnumStrings()
{
    if (const auto ns = parseNamespace(namespaceName); !ns)
        flags |= MemoryFlag::UnknownNamespace;
    else if (Inspector::namespaceName(*ns) != namespaceName)
        flags |= MemoryFlag::NonCanonicalNamespace;
    if (const auto st = parseStatus(status); !st)
        flags |= MemoryFlag::UnknownStatus;
    else if (statusName(*st) != status)
        flags |= MemoryFlag::NonCanonicalStatus;
}

Domain Memory::domainForWrite() const
{
    if (domainParts && domainParts->toString() == domain)
        return *domainParts;
    return Domain::fromDisplayString(domain);
}

QString Memory::urn() const
{
    return u"subcog://"_s + (domain.isEmpty() ? u"project"_s : domain) + u'/'
        + Inspector::namespaceName(effectiveNamespace()) + u'/' + id;
}

bool Memory::sameFields(const Memory& o) const
{
    return id == o.id && content == o.content && namespaceName == o.namespaceName && domain == o.domain
        && domainForWrite() == o.domainForWrite() && projectId == o.projectId && branch == o.branch
        && filePath == o.filePath && status == o.status && createdAt == o.createdAt && updatedAt == o.updatedAt
        && tombstonedAt == o.tombstonedAt && expiresAt == o.expiresAt && embedding == o.embedding && tags == o.tags
        && groupId == o.groupId && source == o.source && isSummary == o.isSummary
        && sourceMemoryIds == o.sourceMemoryIds && consolidationTimestamp == o.consolidationTimestamp;
}

} // namespace Inspector

#include <QCryptographicHash>

namespace Inspector {
QString contentHashTag(const QString& content)
{
    const QString normalised = content.trimmed().toLower().simplified();
    const QByteArray digest = QCryptographicHash::hash(normalised.toUtf8(), QCryptographicHash::Sha256).toHex();
    return u"hash:sha256:"_s + QString::fromLatin1(digest.left(16));
}
} // namespace Inspector
