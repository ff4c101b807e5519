// SPDX-License-Identifier: MIT
#include "memoryfields.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
QString optionalText(const std::optional<QString>& value)
{
    return value.value_or(QString());
}

QString optionalTime(const std::optional<qint64>& value)
{
    return value ? MemoryFields::formatTime(*value) : QString();
}

QVariant optionalRaw(const std::optional<qint64>& value)
{
    return value ? QVariant(*value) : QVariant();
}

QVariant optionalRaw(const std::optional<QString>& value)
{
    return value ? QVariant(*value) : QVariant();
}

QString valueText(const QVariant& value)
{
    if (value.metaType().id() == QMetaType::QStringList)
        return value.toStringList().join(u", "_s);
    return value.toString();
}

/// Free-text optional fields: blank means "not set".
std::optional<QString> optionalFromText(const QString& text)
{
    if (text.trimmed().isEmpty())
        return std::nullopt;
    return text;
}
} // namespace

QString MemoryFields::title(MemoryColumn column)
{
    switch (column) {
    case MemoryColumn::Id:
        return tr("ID");
    case MemoryColumn::Namespace:
        return tr("Namespace");
    case MemoryColumn::Content:
        return tr("Content");
    case MemoryColumn::Status:
        return tr("Status");
    case MemoryColumn::Domain:
        return tr("Domain");
    case MemoryColumn::Project:
        return tr("Project");
    case MemoryColumn::Branch:
        return tr("Branch");
    case MemoryColumn::FilePath:
        return tr("File");
    case MemoryColumn::Tags:
        return tr("Tags");
    case MemoryColumn::Source:
        return tr("Source");
    case MemoryColumn::CreatedAt:
        return tr("Created");
    case MemoryColumn::UpdatedAt:
        return tr("Updated");
    case MemoryColumn::ExpiresAt:
        return tr("Expires");
    case MemoryColumn::TombstonedAt:
        return tr("Deleted");
    case MemoryColumn::IsSummary:
        return tr("Summary");
    case MemoryColumn::SourceMemoryIds:
        return tr("Sources");
    case MemoryColumn::ConsolidatedAt:
        return tr("Consolidated");
    case MemoryColumn::GroupId:
        return tr("Group");
    case MemoryColumn::Embedding:
        return tr("Embedding");
    case MemoryColumn::Count:
        break;
    }
    return {};
}

QString MemoryFields::fieldName(MemoryColumn column)
{
    static const char* const names[] = {
        "id",
        "namespace",
        "content",
        "status",
        "domain",
        "project_id",
        "branch",
        "file_path",
        "tags",
        "source",
        "created_at",
        "updated_at",
        "expires_at",
        "tombstoned_at",
        "is_summary",
        "source_memory_ids",
        "consolidation_timestamp",
        "group_id",
        "embedding",
    };
    static_assert(std::size(names) == std::size_t(MemoryColumn::Count));
    const int i = int(column);
    return i >= 0 && i < int(MemoryColumn::Count) ? QString::fromLatin1(names[i]) : QString();
}

QString MemoryFields::description(MemoryColumn column)
{
    switch (column) {
    case MemoryColumn::Id:
        return tr("Unique id of the memory; never changes");
    case MemoryColumn::Namespace:
        return tr("Kind of memory: decisions, patterns, learnings, context, tech-debt, …");
    case MemoryColumn::Content:
        return tr("The text of the memory");
    case MemoryColumn::Status:
        return tr("Lifecycle state: active, archived, superseded, pending, deleted, tombstoned, consolidated");
    case MemoryColumn::Domain:
        return tr("Scope: project, user, org, or organization/repository");
    case MemoryColumn::Project:
        return tr("Project the memory was captured in (usually a git remote)");
    case MemoryColumn::Branch:
        return tr("Git branch at capture time");
    case MemoryColumn::FilePath:
        return tr("File the memory is about, relative to the repository");
    case MemoryColumn::Tags:
        return tr("Tags, comma-separated; capture adds a content-hash tag");
    case MemoryColumn::Source:
        return tr("Where the memory came from: a file, a URL or a capture hook");
    case MemoryColumn::CreatedAt:
        return tr("When the memory was captured");
    case MemoryColumn::UpdatedAt:
        return tr("When the memory was last changed (SQLite stores keep only the creation time)");
    case MemoryColumn::ExpiresAt:
        return tr("After this time subcog treats the memory as expired");
    case MemoryColumn::TombstonedAt:
        return tr("When the memory was soft-deleted (tombstoned); empty while it is live");
    case MemoryColumn::IsSummary:
        return tr("A summary written by consolidation");
    case MemoryColumn::SourceMemoryIds:
        return tr("Memories this summary was made from");
    case MemoryColumn::ConsolidatedAt:
        return tr("When consolidation wrote this summary");
    case MemoryColumn::GroupId:
        return tr("Group scope (only in builds with group support)");
    case MemoryColumn::Embedding:
        return tr("Vector embedding used for semantic search");
    case MemoryColumn::Count:
        break;
    }
    return {};
}

bool MemoryFields::isEditable(MemoryColumn column)
{
    switch (column) {
    case MemoryColumn::Namespace:
    case MemoryColumn::Content:
    case MemoryColumn::Status:
    case MemoryColumn::Domain:
    case MemoryColumn::Project:
    case MemoryColumn::Branch:
    case MemoryColumn::FilePath:
    case MemoryColumn::Tags:
    case MemoryColumn::Source:
    case MemoryColumn::ExpiresAt:
    case MemoryColumn::TombstonedAt:
        return true;
    default:
        return false;
    }
}

QString MemoryFields::formatTime(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds).toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
}

std::optional<qint64> MemoryFields::parseTime(const QString& input)
{
    const QString text = input.trimmed();
    bool ok = false;
    const qint64 seconds = text.toLongLong(&ok);
    if (ok)
        return seconds >= 0 ? std::optional<qint64>(seconds) : std::nullopt;
    QDateTime when = QDateTime::fromString(text, Qt::ISODate);
    if (!when.isValid())
        when = QDateTime::fromString(text, u"yyyy-MM-dd HH:mm:ss"_s);
    if (!when.isValid())
        when = QDateTime::fromString(text, u"yyyy-MM-dd HH:mm"_s);
    if (!when.isValid()) {
        const QDate date = QDate::fromString(text, Qt::ISODate);
        if (date.isValid())
            when = date.startOfDay();
    }
    if (!when.isValid() || when.toSecsSinceEpoch() < 0)
        return std::nullopt;
    return when.toSecsSinceEpoch();
}

QString MemoryFields::preview(const QString& content, int maxChars)
{
    QString line = content.trimmed();
    const qsizetype newline = line.indexOf(u'\n');
    const bool more = newline >= 0;
    if (more)
        line.truncate(newline);
    line = line.trimmed();
    if (line.size() > maxChars)
        return line.left(maxChars) + u'…';
    return more ? line + u" …"_s : line;
}

QString MemoryFields::displayText(const Memory& m, MemoryColumn column)
{
    switch (column) {
    case MemoryColumn::Content:
        return preview(m.content);
    case MemoryColumn::CreatedAt:
        return formatTime(m.createdAt);
    case MemoryColumn::UpdatedAt:
        return formatTime(m.updatedAt);
    case MemoryColumn::ExpiresAt:
        return optionalTime(m.expiresAt);
    case MemoryColumn::TombstonedAt:
        return optionalTime(m.tombstonedAt);
    case MemoryColumn::ConsolidatedAt:
        return optionalTime(m.consolidationTimestamp);
    case MemoryColumn::IsSummary:
        return m.isSummary ? tr("Yes") : tr("No");
    case MemoryColumn::Embedding:
        return m.embedding ? tr("%1 dimensions").arg(m.embedding->size()) : tr("—");
    default:
        return editText(m, column);
    }
}

QString MemoryFields::editText(const Memory& m, MemoryColumn column)
{
    switch (column) {
    case MemoryColumn::Id:
        return m.id;
    case MemoryColumn::Namespace:
        return m.namespaceName;
    case MemoryColumn::Content:
        return m.content;
    case MemoryColumn::Status:
        return m.status;
    case MemoryColumn::Domain:
        return m.domain.isEmpty() ? u"project"_s : m.domain;
    case MemoryColumn::Project:
        return optionalText(m.projectId);
    case MemoryColumn::Branch:
        return optionalText(m.branch);
    case MemoryColumn::FilePath:
        return optionalText(m.filePath);
    case MemoryColumn::Tags:
        return m.tags.join(u", "_s);
    case MemoryColumn::Source:
        return optionalText(m.source);
    case MemoryColumn::CreatedAt:
        return formatTime(m.createdAt);
    case MemoryColumn::UpdatedAt:
        return formatTime(m.updatedAt);
    case MemoryColumn::ExpiresAt:
        return optionalTime(m.expiresAt);
    case MemoryColumn::TombstonedAt:
        return optionalTime(m.tombstonedAt);
    case MemoryColumn::IsSummary:
        return m.isSummary ? u"true"_s : u"false"_s;
    case MemoryColumn::SourceMemoryIds:
        return m.sourceMemoryIds ? m.sourceMemoryIds->join(u", "_s) : QString();
    case MemoryColumn::ConsolidatedAt:
        return optionalTime(m.consolidationTimestamp);
    case MemoryColumn::GroupId:
        return optionalText(m.groupId);
    case MemoryColumn::Embedding:
        return m.embedding ? QString::number(m.embedding->size()) : QString();
    case MemoryColumn::Count:
        break;
    }
    return {};
}

QVariant MemoryFields::rawValue(const Memory& m, MemoryColumn column)
{
    switch (column) {
    case MemoryColumn::Id:
        return m.id;
    case MemoryColumn::Namespace:
        return m.namespaceName;
    case MemoryColumn::Content:
        return m.content;
    case MemoryColumn::Status:
        return m.status;
    case MemoryColumn::Domain:
        return m.domain;
    case MemoryColumn::Project:
        return optionalRaw(m.projectId);
    case MemoryColumn::Branch:
        return optionalRaw(m.branch);
    case MemoryColumn::FilePath:
        return optionalRaw(m.filePath);
    case MemoryColumn::Tags:
        return m.tags;
    case MemoryColumn::Source:
        return optionalRaw(m.source);
    case MemoryColumn::CreatedAt:
        return m.createdAt;
    case MemoryColumn::UpdatedAt:
        return m.updatedAt;
    case MemoryColumn::ExpiresAt:
        return optionalRaw(m.expiresAt);
    case MemoryColumn::TombstonedAt:
        return optionalRaw(m.tombstonedAt);
    case MemoryColumn::IsSummary:
        return m.isSummary;
    case MemoryColumn::SourceMemoryIds:
        return m.sourceMemoryIds ? QVariant(*m.sourceMemoryIds) : QVariant();
    case MemoryColumn::ConsolidatedAt:
        return optionalRaw(m.consolidationTimestamp);
    case MemoryColumn::GroupId:
        return optionalRaw(m.groupId);
    case MemoryColumn::Embedding:
        if (!m.embedding)
            return {};
        return QVariant::fromValue(*m.embedding);
    case MemoryColumn::Count:
        break;
    }
    return {};
}

QString MemoryFields::applyEdit(Memory& memory, MemoryColumn column, const QVariant& value)
{
    const QString text = valueText(value);
    Memory m = memory;
    switch (column) {
    case MemoryColumn::Namespace: {
        const auto ns = parseNamespace(text.trimmed());
        if (!ns)
            return tr("'%1' is not a namespace subcog knows").arg(text);
        m.namespaceName = namespaceName(*ns);
        break;
    }
    case MemoryColumn::Content:
        if (text.trimmed().isEmpty())
            return tr("the content cannot be empty");
        m.content = text;
        break;
    case MemoryColumn::Status: {
        const auto status = parseStatus(text.trimmed());
        if (!status)
            return tr("'%1' is not a status subcog knows").arg(text);
        m.status = statusName(*status);
        // keep subcog's two tombstone markers in step, as its delete and restore do
        if (*status == MemoryStatus::Tombstoned && !m.tombstonedAt)
            m.tombstonedAt = QDateTime::currentSecsSinceEpoch();
        else if (*status != MemoryStatus::Tombstoned)
            m.tombstonedAt.reset();
        break;
    }
    case MemoryColumn::Domain: {
        const QString d = text.trimmed();
        static const QRegularExpression part(u"^[^/\\s]+$"_s);
        const QStringList parts = d.split(u'/');
        if (d.isEmpty() || parts.size() > 3
            || std::any_of(parts.begin(), parts.end(), [](const QString& p) { return !part.match(p).hasMatch(); }))
            return tr("'%1' is not a domain: use project, user, org, or organization/repository").arg(text);
        m.domain = Domain::fromDisplayString(d).toString();
        m.domainParts.reset();
        break;
    }
    case MemoryColumn::Project:
        m.projectId = optionalFromText(text);
        break;
    case MemoryColumn::Branch:
        m.branch = optionalFromText(text);
        break;
    case MemoryColumn::FilePath:
        m.filePath = optionalFromText(text);
        break;
    case MemoryColumn::Source:
        m.source = optionalFromText(text);
        break;
    case MemoryColumn::Tags: {
        QStringList tags;
        const QStringList parts
            = value.metaType().id() == QMetaType::QStringList ? value.toStringList() : text.split(u',');
        for (const QString& part : parts) {
            const QString tag = part.trimmed();
            if (tag.contains(u','))
                return tr("tag '%1' contains a comma, which subcog's stores cannot keep").arg(tag);
            if (!tag.isEmpty() && !tags.contains(tag))
                tags << tag;
        }
        m.tags = tags;
        break;
    }
    case MemoryColumn::ExpiresAt:
    case MemoryColumn::TombstonedAt: {
        std::optional<qint64> when;
        if (!text.trimmed().isEmpty()) {
            when = value.metaType().id() == QMetaType::QDateTime ? value.toDateTime().toSecsSinceEpoch()
                                                                 : parseTime(text);
            if (!when || *when < 0)
                return tr("'%1' is not a date: use YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or Unix seconds").arg(text);
        }
        if (column == MemoryColumn::ExpiresAt) {
            m.expiresAt = when;
        } else {
            m.tombstonedAt = when;
            if (when)
                m.status = statusName(MemoryStatus::Tombstoned);
            else if (m.effectiveStatus() == MemoryStatus::Tombstoned)
                m.status = statusName(MemoryStatus::Active);
        }
        break;
    }
    default:
        return tr("the %1 field cannot be edited").arg(fieldName(column));
    }
    memory = m;
    return {};
}

} // namespace Inspector
