// SPDX-License-Identifier: MIT
// The SQLite repair's fixes of spec §15, one memory (or duplicate group) at a time, planned from what it holds now.
#include "sqliterepairinternal.h"

#include "duplicates.h"
#include "memory.h"
#include "memoryedges.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace Inspector::SqliteRepairDetail {

/// Applies the fixes of these classes to a memory, each only if its damage is still there.
void Repairer::fixMemory(Draft& d, const QSet<QString>& classes, Unit& unit)
{
    QList<RepairChange>& changes = unit.changes;
    const Value tagsBefore = d.get("tags"_L1);
    auto wants = [&](QLatin1StringView cls) { return classes.contains(cls); };
    // edges first: the finding names the edge's from_id, which need not be a memory
    if (wants("dangling-edge"_L1))
        planEdges(d.row().id, unit);
    if (wants("empty-trash"_L1)) {
        // spec §10's hard delete, of a memory exactly as the preview showed it (any change: a person looks again)
        const auto expected = m_trashExpected.constFind(d.row().id);
        if (expected == m_trashExpected.constEnd() || *expected != d.row().fingerprint() || !d.exists()
            || !d.judgeTrash(m_trashCutoff, m_now).take) {
            m_planSkips << RepairChange {d.row().id, u"empty-trash"_s,
                                         u"restored or changed since the preview: not deleted"_s};
            return;
        }
        for (int i = 0; i < d.ftsCount(); ++i)
            d.deleteFts(i);
        d.remove();
        changes << RepairChange {d.row().id, u"empty-trash"_s,
                                 m_schema.edges ? u"delete the memory, its full-text row and its edges"_s
                                                : u"delete the memory and its full-text row"_s};
        return;
    }

    if (wants("orphan-content"_L1)) {
        if (d.exists() || d.ftsCount() == 0) {
            stale(d.row().id, u"orphan-content"_s);
        } else {
            // spec §15: context, active, project scope, the full-text row's tags, the time the id encodes
            const Value tags = d.ftsTags(0).isNull() ? Value::text(QString()) : d.ftsTags(0);
            d.insertFromFts({{"id"_L1, Value::text(d.row().id)},
                             {"namespace"_L1, Value::text(u"context"_s)},
                             {"domain"_L1, Value::text(u"project"_s)},
                             {"status"_L1, Value::text(u"active"_s)},
                             {"created_at"_L1, Value::number(creationTimeFromId(d.row().id).value_or(m_now))},
                             {"tags"_L1, tags},
                             {"is_summary"_L1, Value::number(0)},
                             // a file with both a full-text table and b41a806's NOT NULL content column
                             {"content"_L1, d.row().fts[0].content}},
                            changes);
        }
    }
    if (!d.exists()) {
        for (const QString& cls : classes) {
            if (cls != "orphan-content"_L1 && cls != "dangling-edge"_L1)
                stale(d.row().id, cls);
        }
        return;
    }
    if (wants("duplicate-content"_L1)) {
        if (d.ftsCount() < 2 || d.inserted()) {
            stale(d.row().id, u"duplicate-content"_s);
        } else {
            // subcog reads the lowest rowid (spec §15)
            for (int i = 1; i < d.ftsCount(); ++i) {
                d.deleteFts(i);
                changes << RepairChange {d.row().id, u"duplicate-content"_s,
                                         u"delete full-text rowid "_s + QString::number(d.row().fts[i].rowid)
                                             + u" (subcog reads rowid "_s + QString::number(d.row().fts[0].rowid)
                                             + u')'};
            }
        }
    }
    if (wants("noncanonical-namespace"_L1)) {
        const Value ns = d.get("namespace"_L1);
        const auto parsed = ns.isNull() ? std::nullopt : parseNamespace(ns.toText());
        if (!parsed || (namespaceName(*parsed) == ns.toText() && ns.type == SQLITE_TEXT))
            stale(d.row().id, u"noncanonical-namespace"_s);
        else
            d.set("namespace"_L1, Value::text(namespaceName(*parsed)), "noncanonical-namespace"_L1, changes);
    }
    if (wants("noncanonical-status"_L1)) {
        const Value status = d.get("status"_L1);
        const auto parsed = status.isNull() ? std::nullopt : parseStatus(status.toText());
        if (!parsed || (statusName(*parsed) == status.toText() && status.type == SQLITE_TEXT))
            stale(d.row().id, u"noncanonical-status"_s);
        else
            d.set("status"_L1, Value::text(statusName(*parsed)), "noncanonical-status"_L1, changes);
    }
    if (wants("legacy-domain"_L1)) {
        const Value domain = d.get("domain"_L1);
        if (!domain.isNull() && !domain.toText().isEmpty() && domain.toText() != "global"_L1)
            stale(d.row().id, u"legacy-domain"_s);
        else
            d.set("domain"_L1, Value::text(u"project"_s), "legacy-domain"_L1, changes);
    }
    if (wants("messy-tags"_L1)) {
        const Value raw = d.get("tags"_L1);
        const QString clean = d.tags().join(u',');
        if (!raw.isNull() && raw.toText() == clean)
            stale(d.row().id, u"messy-tags"_s);
        else
            d.set("tags"_L1, Value::text(clean), "messy-tags"_L1, changes);
    }
    if (wants("stale-hash-tag"_L1))
        fixHashTag(d, changes);
    if (wants("half-tombstoned"_L1)) {
        const bool statusTombstoned = isTombstonedStatus(d.get("status"_L1));
        const bool hasTime = !d.get("tombstoned_at"_L1).isNull();
        if (!d.has("tombstoned_at"_L1) || statusTombstoned == hasTime)
            stale(d.row().id, u"half-tombstoned"_s);
        else if (hasTime)
            d.set("status"_L1, Value::text(u"tombstoned"_s), "half-tombstoned"_L1, changes);
        else {
            // SQLite keeps no updated_at: the created time is the latest one known (spec §15)
            const auto created = d.get("created_at"_L1).toInteger();
            d.set("tombstoned_at"_L1, Value::number(created && *created > 0 ? *created : m_now), "half-tombstoned"_L1,
                  changes);
        }
    }
    if (wants("expired-active"_L1)) {
        const auto expires = d.get("expires_at"_L1).toInteger();
        const auto previewed = m_trashExpected.constFind(d.row().id);
        if (!m_trashExpected.isEmpty()
            && (previewed == m_trashExpected.constEnd() || *previewed != d.row().fingerprint()))
            // Tombstone Expired (trash.h): another writer changed it since the preview; a person looks again
            m_planSkips << RepairChange {d.row().id, u"expired-active"_s,
                                         u"changed since the preview: not tombstoned"_s};
        else if (d.get("expires_at"_L1).isNull() || !expires || *expires >= m_now || d.tombstoned())
            stale(d.row().id, u"expired-active"_s);
        else
            d.tombstone(m_now, "expired-active"_L1, changes);
    }
    if (wants("missing-content"_L1)) {
        if (!m_schema.fts || d.ftsCount() > 0 || d.tombstoned()) {
            stale(d.row().id, u"missing-content"_s);
        } else if (m_options.hardDelete) {
            d.remove();
            changes << RepairChange {d.row().id, u"missing-content"_s,
                                     u"delete the memories row and its edges (its content was already lost)"_s};
        } else {
            d.tombstone(m_now, "missing-content"_L1, changes);
        }
    }
    if (wants("bad-summary"_L1))
        fixSummary(d, changes);
    if (wants("lost-edge"_L1))
        restoreEdges(d, unit);
    syncFtsTags(d, tagsBefore, wants("tags-drift"_L1), changes);
}

/// spec §10: memories and memories_fts hold the same tags string. tags-drift rewrites the full-text tags from
/// the metadata row; a fix that changed the metadata tags carries them over too.
void Repairer::syncFtsTags(Draft& d, const Value& tagsBefore, bool drift, QList<RepairChange>& changes)
{
    const bool changed = d.get("tags"_L1) != tagsBefore;
    // the check compares the first full-text row's tags with the metadata row's, both read as text
    const bool drifted = drift && d.ftsCount() > 0 && d.row().fts[0].tags.toText() != tagsBefore.toText();
    if (drift && !drifted)
        stale(d.row().id, u"tags-drift"_s);
    if (!changed && !drifted)
        return;
    const QString cls = drifted ? u"tags-drift"_s : d.lastTagClass();
    const Value wanted = Value::text(d.get("tags"_L1).toText());
    for (int i = 0; i < d.ftsCount(); ++i) {
        if (d.ftsDeleted(i) || d.ftsTags(i) == wanted)
            continue;
        changes << RepairChange {d.row().id, cls,
                                 u"full-text tags (rowid "_s + QString::number(d.row().fts[i].rowid) + u") "_s
                                     + d.ftsTags(i).shown() + u" → "_s + wanted.shown()};
        d.setFtsTags(i, wanted);
    }
}

void Repairer::fixHashTag(Draft& d, QList<RepairChange>& changes)
{
    const auto content = d.content();
    if (!content || d.isSummary()) {
        stale(d.row().id, u"stale-hash-tag"_s);
        return;
    }
    // the first stale tag becomes the right one, in place; further stale ones go; the rest stays as it is
    const QStringList parts = d.get("tags"_L1).toText().split(u',');
    const QStringList result = MergeRules::withFreshHashTag(parts, *content);
    if (result == parts) {
        stale(d.row().id, u"stale-hash-tag"_s);
        return;
    }
    d.set("tags"_L1, Value::text(result.join(u',')), "stale-hash-tag"_L1, changes);
}

/// The source ids of a valid source_memory_ids, or nullopt when it is not a JSON array of strings.
std::optional<QStringList> Repairer::validSourceIds(const Value& v)
{
    if (v.isNull())
        return QStringList();
    const QJsonDocument doc = QJsonDocument::fromJson(v.toText().toUtf8());
    if (!doc.isArray())
        return std::nullopt;
    QStringList ids;
    for (const QJsonValue& item : doc.array()) {
        if (!item.isString())
            return std::nullopt;
        ids << item.toString();
    }
    return ids;
}

/// bad-summary (spec §15): NULL is_summary becomes 0, invalid source_memory_ids `[]`; a summary without sources
/// or with sources that are gone is listed for a person.
void Repairer::fixSummary(Draft& d, QList<RepairChange>& changes)
{
    bool found = false;
    if (d.has("is_summary"_L1) && d.get("is_summary"_L1).isNull()) {
        d.set("is_summary"_L1, Value::number(0), "bad-summary"_L1, changes);
        found = true;
    }
    auto sources = validSourceIds(d.get("source_memory_ids"_L1));
    if (!sources) {
        d.set("source_memory_ids"_L1, Value::text(u"[]"_s), "bad-summary"_L1, changes);
        sources = QStringList();
        found = true;
    }
    if (d.isSummary()) {
        QStringList missing;
        for (const QString& source : std::as_const(*sources)) {
            if (!memoryExists(source))
                missing << source;
        }
        if (sources->isEmpty())
            m_planSkips << RepairChange {d.row().id, u"bad-summary"_s,
                                         u"a summary without sources: none automatic, a person decides"_s};
        else if (!missing.isEmpty())
            m_planSkips << RepairChange {d.row().id, u"bad-summary"_s,
                                         u"sources no longer exist: "_s + missing.join(u", "_s)
                                             + u": none automatic, a person decides"_s};
        found = found || sources->isEmpty() || !missing.isEmpty();
    }
    if (!found)
        stale(d.row().id, u"bad-summary"_s);
}

/// lost-edge (spec §15): both edges per existing source, from source_memory_ids, dated like the consolidation.
void Repairer::restoreEdges(Draft& d, Unit& unit)
{
    const auto sources = validSourceIds(d.get("source_memory_ids"_L1));
    if (!m_schema.edges || !d.isSummary() || !sources) {
        stale(d.row().id, u"lost-edge"_s);
        return;
    }
    if (!m_edgeExists)
        m_edgeExists = std::make_unique<Statement>(
            m_db, u"SELECT 1 FROM memory_edges WHERE from_id = ?1 AND to_id = ?2 AND edge_type = ?3"_s);
    // the time and the edges are the Edges tab's and the check's (memoryedges.h)
    const qint64 when
        = rebuiltEdgeTime(d.get("consolidation_timestamp"_L1).toInteger(), d.get("created_at"_L1).toInteger(), m_now);
    const QString id = d.row().id;
    QStringList present;
    for (const QString& source : std::as_const(*sources)) {
        if (memoryExists(source))
            present.append(source);
    }
    const QList<MemoryEdge> lost = lostSummaryEdges(id, present, when, [&](const MemoryEdge& e) {
        m_edgeExists->bind(1, e.fromId);
        m_edgeExists->bind(2, e.toId);
        m_edgeExists->bind(3, e.edgeType);
        const bool exists = m_edgeExists->step();
        m_edgeExists->reset();
        return exists;
    });
    const bool any = !lost.isEmpty();
    for (const MemoryEdge& e : lost) {
        unit.insertEdges << Edge {Value::text(e.fromId), Value::text(e.toId), Value::text(e.edgeType),
                                  Value::number(e.createdAt)};
        unit.changes << RepairChange {id, u"lost-edge"_s,
                                      u"add edge '"_s + e.fromId + u"' → '"_s + e.toId + u"' ("_s + e.edgeType + u')'};
    }
    if (!any)
        stale(id, u"lost-edge"_s);
}

void Repairer::planGroup(const QString& keptId, const QStringList& duplicates,
                         const QHash<QString, QSet<QString>>& named)
{
    Unit unit;
    Draft kept(m_schema, readMemory(keptId));
    QSet<QString> keptClasses = named.value(keptId);
    fixMemory(kept, keptClasses, unit);
    std::list<Draft> drafts; // stable addresses
    QList<Draft*> accepted;
    const auto keptContent = kept.content();
    const auto keptCreated = kept.get("created_at"_L1).toInteger().value_or(0);
    for (const QString& id : duplicates) {
        Draft& d = drafts.emplace_back(m_schema, readMemory(id));
        QSet<QString> classes = named.value(id);
        classes.remove(u"duplicate-memory"_s);
        const auto content = d.content();
        const auto created = d.get("created_at"_L1).toInteger().value_or(0);
        // still live duplicates of a live, not newer memory? (checked before this memory's own fixes)
        const bool holds = kept.exists() && !kept.tombstoned() && keptContent && d.exists() && !d.tombstoned()
            && content && contentHashTag(*content) == contentHashTag(*keptContent)
            && (keptCreated < created || (keptCreated == created && keptId < id));
        fixMemory(d, classes, unit);
        if (!holds) {
            stale(id, u"duplicate-memory"_s);
            continue;
        }
        accepted << &d;
    }
    // union the tags (in first-seen order) and the source ids onto the kept memory, then tombstone the others
    const Value tagsBefore = kept.get("tags"_L1);
    QStringList tags = kept.tags();
    QStringList added;
    QStringList sources = sourceIds(kept);
    const QStringList sourcesBefore = sources;
    for (Draft* d : std::as_const(accepted)) {
        added << MergeRules::appendMissing(tags, d->tags());
        MergeRules::appendMissing(sources, sourceIds(*d));
    }
    if (!added.isEmpty()) {
        const QString raw = kept.get("tags"_L1).toText();
        kept.set("tags"_L1, Value::text(raw.isEmpty() ? added.join(u',') : raw + u',' + added.join(u',')),
                 "duplicate-memory"_L1, unit.changes);
    }
    if (sources != sourcesBefore)
        kept.set("source_memory_ids"_L1,
                 Value::text(QString::fromUtf8(
                     QJsonDocument(QJsonArray::fromStringList(sources)).toJson(QJsonDocument::Compact))),
                 "duplicate-memory"_L1, unit.changes);
    syncFtsTags(kept, tagsBefore, false, unit.changes);
    for (Draft* d : std::as_const(accepted)) {
        unit.changes << RepairChange {d->row().id, u"duplicate-memory"_s,
                                      u"same content as '"_s + keptId + u"': tombstoned, its tags kept there"_s};
        d->tombstone(m_now, "duplicate-memory"_L1, unit.changes);
        if (m_schema.edges) {
            unit.insertEdges << Edge {Value::text(keptId), Value::text(d->row().id), Value::text(u"supersedes"_s),
                                      Value::number(m_now)};
            unit.changes << RepairChange {d->row().id, u"duplicate-memory"_s,
                                          u"add edge '"_s + keptId + u"' → '"_s + d->row().id + u"' (supersedes)"_s};
        }
    }
    unit.memories << kept.plan();
    for (const Draft& d : drafts)
        unit.memories << d.plan();
    addUnit(std::move(unit));
}

QStringList Repairer::sourceIds(const Draft& d)
{
    QStringList result;
    const Value v = d.get("source_memory_ids"_L1);
    if (v.isNull())
        return result;
    for (const QJsonValue& item : QJsonDocument::fromJson(v.toText().toUtf8()).array()) {
        if (item.isString())
            result << item.toString();
    }
    return result;
}

/// dangling-edge: the edges from this id with an end that is not a memory (unknown types are left to a person).
void Repairer::planEdges(const QString& id, Unit& unit)
{
    if (!m_schema.edges) {
        stale(id, u"dangling-edge"_s);
        return;
    }
    Statement q(m_db,
                u"SELECT from_id, to_id, edge_type, created_at, "
                "NOT EXISTS (SELECT 1 FROM memories WHERE id = e.from_id) "
                "OR NOT EXISTS (SELECT 1 FROM memories WHERE id = e.to_id) FROM memory_edges e WHERE from_id = ?1"_s);
    q.bind(1, id);
    bool any = false;
    while (q.step()) {
        const Edge edge {q.value(0), q.value(1), q.value(2), q.value(3)};
        const QString shownEdge
            = u"edge "_s + edge.from.shown() + u" → "_s + edge.to.shown() + u" ("_s + edge.type.toText() + u')';
        if (q.value(4).integer != 0) {
            unit.deleteEdges << edge;
            unit.deleteEdgeChanges << RepairChange {id, u"dangling-edge"_s, u"delete "_s + shownEdge};
            any = true;
        } else if (!QSet<QString> {u"summarized_by"_s, u"source_of"_s, u"contradicts"_s, u"supersedes"_s,
                                   u"related_to"_s, u"refines"_s, u"parent_of"_s, u"child_of"_s}
                        .contains(edge.type.toText())) {
            m_planSkips << RepairChange {id, u"dangling-edge"_s,
                                         shownEdge + u": unknown edge type, none automatic: a person decides"_s};
            any = true;
        }
    }
    if (!any)
        stale(id, u"dangling-edge"_s);
}

} // namespace Inspector::SqliteRepairDetail
