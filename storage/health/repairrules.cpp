// SPDX-License-Identifier: MIT
#include "repairrules.h"

#include "duplicates.h"
#include "memory.h"
#include "storageerror.h"

#include <QDateTime>
#include <QFileInfo>
#include <QSaveFile>

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Inspector::RepairRules {

namespace {

const QString kProjectJson = u"{\"organization\":null,\"project\":null,\"repository\":null}"_s;

QString idOf(const QJsonObject& m)
{
    return m.value("id"_L1).toString();
}

void stale(const QJsonObject& m, const QString& cls, Outcome& outcome)
{
    outcome.skipped << RepairChange {idOf(m), cls, u"changed since the check: the finding no longer holds"_s};
}

void set(QJsonObject& m, const QString& key, const QJsonValue& value, const QString& cls, Outcome& outcome)
{
    if (!m.contains(key) || m.value(key) == value)
        return;
    outcome.changes << RepairChange {idOf(m), cls, key + u' ' + shown(m.value(key)) + u" → "_s + shown(value)};
    m.insert(key, value);
}

std::optional<qint64> integer(const QJsonValue& v)
{
    return v.isDouble() ? std::optional<qint64>(v.toInteger()) : std::nullopt;
}

std::optional<MemoryStatus> status(const QJsonObject& m)
{
    const QJsonValue v = m.value("status"_L1);
    return v.isString() ? parseStatus(v.toString()) : std::nullopt;
}

bool tombstoned(const QJsonObject& m)
{
    return status(m) == MemoryStatus::Tombstoned || !m.value("tombstoned_at"_L1).isNull();
}

void tombstone(QJsonObject& m, qint64 now, const QString& cls, Outcome& outcome)
{
    set(m, u"status"_s, u"tombstoned"_s, cls, outcome);
    if (m.value("tombstoned_at"_L1).isNull())
        set(m, u"tombstoned_at"_s, now, cls, outcome);
}

/// Tags as subcog compares them: trimmed, blank (and null) entries dropped.
QStringList cleanTags(const QJsonObject& m)
{
    QStringList result;
    for (const QJsonValue& v : m.value("tags"_L1).toArray()) {
        if (const QString t = v.toString().trimmed(); !t.isEmpty())
            result << t;
    }
    return result;
}

/// source_memory_ids when it is a JSON array of strings (null: none); nullopt otherwise.
std::optional<QStringList> sourceIds(const QJsonObject& m)
{
    const QJsonValue v = m.value("source_memory_ids"_L1);
    if (v.isNull() || v.isUndefined())
        return QStringList();
    if (!v.isArray())
        return std::nullopt;
    QStringList ids;
    for (const QJsonValue& item : v.toArray()) {
        if (!item.isString())
            return std::nullopt;
        ids << item.toString();
    }
    return ids;
}

void fixHashTag(QJsonObject& m, Outcome& outcome)
{
    if (m.value("is_summary"_L1).toBool() || !m.value("content"_L1).isString()) {
        stale(m, u"stale-hash-tag"_s, outcome);
        return;
    }
    // the first stale tag becomes the right one, in place; further stale ones go; the rest stays as it is
    QStringList tags;
    for (const QJsonValue& v : m.value("tags"_L1).toArray())
        tags << v.toString();
    const QStringList fresh = MergeRules::withFreshHashTag(tags, m.value("content"_L1).toString());
    if (fresh == tags) {
        stale(m, u"stale-hash-tag"_s, outcome);
        return;
    }
    const QJsonArray result = QJsonArray::fromStringList(fresh);
    set(m, u"tags"_s, result, u"stale-hash-tag"_s, outcome);
}

void fixSummary(QJsonObject& m, const Context& context, Outcome& outcome)
{
    bool found = false;
    if (m.contains("is_summary"_L1) && m.value("is_summary"_L1).isNull()) {
        set(m, u"is_summary"_s, false, u"bad-summary"_s, outcome);
        found = true;
    }
    auto sources = sourceIds(m);
    if (!sources) {
        set(m, u"source_memory_ids"_s, QJsonArray(), u"bad-summary"_s, outcome);
        sources = QStringList();
        found = true;
    }
    if (m.value("is_summary"_L1).toBool()) {
        QStringList missing;
        for (const QString& source : std::as_const(*sources)) {
            if (!context.memoryExists || !context.memoryExists(source))
                missing << source;
        }
        if (sources->isEmpty())
            outcome.skipped << RepairChange {idOf(m), u"bad-summary"_s,
                                             u"a summary without sources: none automatic, a person decides"_s};
        else if (!missing.isEmpty())
            outcome.skipped << RepairChange {idOf(m), u"bad-summary"_s,
                                             u"sources no longer exist: "_s + missing.join(u", "_s)
                                                 + u": none automatic, a person decides"_s};
        found = found || sources->isEmpty() || !missing.isEmpty();
    }
    if (!found)
        stale(m, u"bad-summary"_s, outcome);
}

} // namespace

QString shown(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return u"NULL"_s;
    case QJsonValue::String:
        return u'\'' + value.toString() + u'\'';
    case QJsonValue::Double:
        return QString::number(value.toInteger(qint64(value.toDouble())));
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    }
    return {};
}

void fixMemory(QJsonObject& m, const QSet<QString>& classes, const Context& context, Outcome& outcome)
{
    auto wants = [&](QLatin1StringView cls) { return classes.contains(cls); };
    if (wants("noncanonical-namespace"_L1)) {
        const QJsonValue ns = m.value("namespace"_L1);
        const auto parsed = ns.isString() ? parseNamespace(ns.toString()) : std::nullopt;
        if (!parsed || namespaceName(*parsed) == ns.toString())
            stale(m, u"noncanonical-namespace"_s, outcome);
        else
            set(m, u"namespace"_s, namespaceName(*parsed), u"noncanonical-namespace"_s, outcome);
    }
    if (wants("noncanonical-status"_L1)) {
        const auto parsed = status(m);
        if (!parsed || statusName(*parsed) == m.value("status"_L1).toString())
            stale(m, u"noncanonical-status"_s, outcome);
        else
            set(m, u"status"_s, statusName(*parsed), u"noncanonical-status"_s, outcome);
    }
    if (wants("legacy-domain"_L1)) {
        // PostgreSQL's domain column holds the Domain struct's JSON (spec §5.1): the project scope's is written
        const QJsonValue domain = m.value("domain"_L1);
        const QString text = domain.toString();
        if (!context.postgres || !m.contains("domain"_L1)
            || !(domain.isNull() || text.isEmpty() || text == "global"_L1 || text == "project"_L1))
            stale(m, u"legacy-domain"_s, outcome);
        else
            set(m, u"domain"_s, kProjectJson, u"legacy-domain"_s, outcome);
    }
    if (wants("messy-tags"_L1)) {
        const QJsonArray clean = QJsonArray::fromStringList(cleanTags(m));
        if (m.value("tags"_L1).isArray() && m.value("tags"_L1).toArray() == clean)
            stale(m, u"messy-tags"_s, outcome);
        else
            set(m, u"tags"_s, clean, u"messy-tags"_s, outcome);
    }
    if (wants("stale-hash-tag"_L1))
        fixHashTag(m, outcome);
    if (wants("half-tombstoned"_L1)) {
        const bool statusTombstoned = status(m) == MemoryStatus::Tombstoned;
        const bool hasTime = !m.value("tombstoned_at"_L1).isNull();
        if (!m.contains("tombstoned_at"_L1) || statusTombstoned == hasTime) {
            stale(m, u"half-tombstoned"_s, outcome);
        } else if (hasTime) {
            set(m, u"status"_s, u"tombstoned"_s, u"half-tombstoned"_s, outcome);
        } else {
            // spec §15: the updated time, else the created time, is the latest one known
            const auto updated = integer(m.value("updated_at"_L1));
            const auto created = integer(m.value("created_at"_L1));
            const qint64 when = updated && *updated > 0 ? *updated : created && *created > 0 ? *created : context.now;
            set(m, u"tombstoned_at"_s, when, u"half-tombstoned"_s, outcome);
        }
    }
    if (wants("expired-active"_L1)) {
        const auto expires = integer(m.value("expires_at"_L1));
        if (!expires || *expires >= context.now || tombstoned(m))
            stale(m, u"expired-active"_s, outcome);
        else
            tombstone(m, context.now, u"expired-active"_s, outcome);
    }
    if (wants("bad-summary"_L1))
        fixSummary(m, context, outcome);
}

void mergeDuplicates(QJsonObject& kept, const QList<QJsonObject*>& duplicates, const Context& context, Outcome& outcome)
{
    const QString keptId = idOf(kept);
    const QString keptHash = contentHashTag(kept.value("content"_L1).toString());
    const qint64 keptCreated = integer(kept.value("created_at"_L1)).value_or(0);
    QList<QJsonObject*> accepted;
    for (QJsonObject* d : duplicates) {
        const qint64 created = integer(d->value("created_at"_L1)).value_or(0);
        const QString id = idOf(*d);
        const bool holds = !kept.isEmpty() && !tombstoned(kept) && !d->isEmpty() && !tombstoned(*d)
            && contentHashTag(d->value("content"_L1).toString()) == keptHash
            && (keptCreated < created || (keptCreated == created && keptId < id));
        if (holds)
            accepted << d;
        else
            outcome.skipped << RepairChange {id, u"duplicate-memory"_s,
                                             u"changed since the check: the finding no longer holds"_s};
    }
    if (accepted.isEmpty())
        return;
    // union the tags (first seen order) and the source ids onto the kept memory, then tombstone the others
    QJsonArray tags = kept.value("tags"_L1).toArray();
    QStringList have = cleanTags(kept);
    auto sources = sourceIds(kept);
    const auto sourcesBefore = sources;
    for (const QJsonObject* d : std::as_const(accepted)) {
        for (const QString& t : MergeRules::appendMissing(have, cleanTags(*d)))
            tags << t;
        if (sources)
            MergeRules::appendMissing(*sources, sourceIds(*d).value_or(QStringList {}));
    }
    if (kept.contains("tags"_L1) && tags != kept.value("tags"_L1).toArray())
        set(kept, u"tags"_s, tags, u"duplicate-memory"_s, outcome);
    if (sources && sources != sourcesBefore)
        set(kept, u"source_memory_ids"_s, QJsonArray::fromStringList(*sources), u"duplicate-memory"_s, outcome);
    for (QJsonObject* d : std::as_const(accepted)) {
        outcome.changes << RepairChange {idOf(*d), u"duplicate-memory"_s,
                                         u"same content as '"_s + keptId + u"': tombstoned, its tags kept there"_s};
        tombstone(*d, context.now, u"duplicate-memory"_s, outcome);
    }
}

void touch(QJsonObject& memory, const QJsonObject& before, qint64 now)
{
    if (memory != before && memory.contains("updated_at"_L1))
        memory.insert("updated_at"_L1, now);
}

void writeBackupFile(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    // unbuffered: a buffered QSaveFile here let a full disk's failed write pass and committed an empty backup
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered) || file.write(bytes) != bytes.size()
        || file.error() != QFileDevice::NoError || !file.commit())
        throw StorageError(StorageError::Kind::OperationFailed,
                           u"cannot write the backup "_s + path + u": "_s + file.errorString());
}

} // namespace Inspector::RepairRules
