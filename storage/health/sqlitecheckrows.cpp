// SPDX-License-Identifier: MIT
// The SQLite checker's pass over the memories rows (spec §15: every per-memory class).
#include "sqlitecheckinternal.h"

#include "memoryedges.h"

namespace Inspector::SqliteCheckDetail {

bool Checker::checkMemories()
{
    static constexpr const char* kNames[FieldCount]
        = {"id",         "namespace",         "domain", "status", "created_at", "tags", "tombstoned_at", "expires_at",
           "is_summary", "source_memory_ids", "content"};
    QString select = u"SELECT "_s;
    for (int f = 0; f < FieldCount; ++f) {
        const QString name = QString::fromLatin1(kNames[f]);
        select += (f ? u", "_s : QString()) + (m_columns.contains(name) ? u"m."_s + name : u"NULL"_s);
    }
    Statement memories(m_db, select + u" FROM memories m"_s);
    if (m_hasFts && !readFullText())
        return false;

    Statement memoryExists(m_db, u"SELECT 1 FROM memories WHERE id = ?"_s);
    std::optional<Statement> edgeExists;
    if (m_hasEdges)
        edgeExists.emplace(m_db, u"SELECT 1 FROM memory_edges WHERE from_id = ? AND to_id = ? AND edge_type = ?"_s);

    if ((m_edgesByIndex || m_indexAround) && m_slots.empty())
        resizeSlots(1024);
    size_t nextGuess = 0;
    while (memories.step()) {
        if (cancelled())
            return false;
        const bool textId = memories.type(FId) == SQLITE_TEXT;
        const RowId id(memories.view(FId));
        // the first memories row with an id takes its full-text rows; another with the same id has none
        Entry* first = nullptr;
        quint32 entryIndex = 0;
        std::optional<quint32> found;
        if (m_hasFts) {
            // subcog writes both rows of a memory together, so the entry after the last one found is
            // usually this row's: tried first, it spares the random reads of a look-up
            if (nextGuess < m_entries.size() && m_entries[nextGuess].idView() == id.bytes())
                found = nextGuess;
            else if (const quint32 slot = slotFor(id.bytes()); slot != 0)
                found = slot - 1;
            if (found) {
                nextGuess = *found + 1;
                if (!m_entries[*found].matched) {
                    entryIndex = *found;
                    first = &m_entries[entryIndex];
                    first->matched = true;
                }
            }
        }
        Entry* self = first; // this memory's entry, if it has one
        const bool indexed = (m_edgesByIndex && textId) || m_indexAround;
        if (indexed) {
            if (!m_hasFts) {
                if (const quint32 slot = slotFor(id.bytes()); slot != 0)
                    found = slot - 1;
            }
            if (!found) {
                if (2 * (m_entries.size() + 1) > m_slots.size())
                    resizeSlots(2 * m_slots.size());
                Entry e;
                setId(e, id.bytes());
                m_entries.push_back(e);
                slotFor(id.bytes()) = quint32(m_entries.size());
                found = quint32(m_entries.size() - 1);
                first = nullptr; // (none: it was not found) the vector may have moved
            }
            self = &m_entries[*found];
            self->isMemory = self->isMemory || textId;
            self->anyMemory = true;
        }

        std::optional<quint64> content;
        if (first)
            content = first->contentHash;
        else if (!m_hasFts && !memories.isNull(FContent))
            content = contentHash(memories.view(FContent));
        if (m_hasFts && !first) {
            // a tombstone needs no content: it is how a repair settles this finding (spec §15)
            const bool tombstoned = parseStatus(memories.text(FStatus)) == MemoryStatus::Tombstoned
                || (m_tombstonedAtColumn && !memories.isNull(FTombstonedAt));
            if (!tombstoned)
                report("missing-content"_L1, id(), u"no full-text row: subcog's reads and search do not see it"_s,
                       u"tombstone it (or delete on request); its content cannot be recovered"_s);
        }
        if (first && first->rows > 1) {
            const QList<qint64> extraRowids = m_extraRowids.value(entryIndex);
            QStringList rowids;
            for (qint64 r : extraRowids)
                rowids << QString::number(r);
            report("duplicate-content"_L1, id(),
                   QString::number(first->rows) + u" full-text rows; subcog reads rowid "_s
                       + QString::number(first->firstRowid) + u", the others are rowid "_s + rowids.join(u", "_s)
                       + (first->rows - 1 > quint32(extraRowids.size()) ? u", …"_s : QString()),
                   u"keep the first full-text row, delete the others"_s);
        }
        const bool tagsNull = memories.isNull(FTags);
        const QByteArrayView rawTags = memories.view(FTags);
        if (first && bytesHash(rawTags) != first->tagsHash) {
            // the bytes differ; compared as text, as subcog's reader sees them
            const QString ftsTags = fullTextTags(first->firstRowid);
            if (ftsTags != QString::fromUtf8(rawTags))
                report("tags-drift"_L1, id(),
                       u"full-text tags "_s + quoted(ftsTags) + u", metadata tags "_s + shownValue(memories, FTags),
                       u"rewrite the full-text tags from the metadata row"_s);
        }
        const bool live = checkRow(memories, id, rawTags, tagsNull, content, self, memoryExists, edgeExists);
        if (indexed && live)
            m_entries[*found].liveMemory = true;
    }
    // full-text ids that no memories row took
    for (const Entry& e : m_entries) {
        if (cancelled())
            return false;
        if (e.matched || e.rows == 0)
            continue;
        report("orphan-content"_L1, QString::fromUtf8(e.idView()),
               (e.rows > 1 ? QString::number(e.rows) + u" full-text rows"_s : u"a full-text row"_s)
                   + u" without a memories row: search drops it, subcog's reindex deletes it"_s,
               u"rebuild the metadata row (context, active, domain project, tags from the full-text row)"_s);
    }
    return true;
}

/// The per-row findings; returns whether the memory is live (tombstoned in neither sense).
bool Checker::checkRow(const Statement& m, const RowId& id, QByteArrayView rawTags, bool tagsNull,
                       std::optional<quint64> content, Entry* self, Statement& memoryExists,
                       std::optional<Statement>& edgeExists)
{
    // tags: written as `a,b` with no spaces; '' is an empty list. ASCII is split here, anything else as text.
    const bool asciiTags = isAscii(rawTags);
    QStringList tags;
    bool messy = tagsNull;
    if (!rawTags.isEmpty()) {
        if (asciiTags) {
            forEachPart(rawTags, [&](QByteArrayView part) {
                const QByteArrayView trimmed = trimmedAscii(part);
                if (trimmed.isEmpty() || trimmed.size() != part.size())
                    messy = true;
            });
        } else {
            for (const QString& part : QString::fromUtf8(rawTags).split(u',')) {
                const QString trimmed = part.trimmed();
                if (trimmed.isEmpty() || trimmed != part)
                    messy = true;
                if (!trimmed.isEmpty())
                    tags << trimmed;
            }
        }
    }
    if (messy)
        report("messy-tags"_L1, id(), u"tags "_s + shownValue(m, FTags),
               u"trim each tag, drop empty ones, keep the order"_s);

    // domain (spec §3.4); '/' is never part of another character's UTF-8
    const bool domainNull = m.isNull(FDomain);
    const QByteArrayView domain = m.view(FDomain);
    if (domainNull || domain.isEmpty() || domain == "global")
        report("legacy-domain"_L1, id(), u"domain "_s + shownValue(m, FDomain) + u" (read as project scope)"_s,
               u"write 'project'"_s);
    else if (std::count(domain.begin(), domain.end(), '/') >= 2)
        report("unreadable-domain"_L1, id(),
               u"domain "_s + quoted(QString::fromUtf8(domain))
                   + u" has three or more parts: subcog reads it as project scope"_s,
               u"none automatic: decide which scope it should have"_s);

    // namespace and status (spec §3.3, §3.5)
    const bool nsNull = m.isNull(FNamespace);
    if (const auto [parsed, canonical] = m_namespaces(m.view(FNamespace)); !parsed || nsNull)
        report("unknown-namespace"_L1, id(), u"namespace "_s + shownValue(m, FNamespace) + u" is read as 'decisions'"_s,
               u"none automatic: choose the namespace"_s);
    else if (!canonical)
        report("noncanonical-namespace"_L1, id(),
               u"namespace "_s + quoted(m.text(FNamespace)) + u" is read as '"_s + namespaceName(*parsed) + u'\'',
               u"write '"_s + namespaceName(*parsed) + u'\'');
    const bool statusNull = m.isNull(FStatus);
    const auto [spelledStatus, canonicalStatus] = m_statuses(m.view(FStatus));
    const auto parsedStatus = statusNull ? std::nullopt : spelledStatus;
    if (!parsedStatus)
        report("unknown-status"_L1, id(), u"status "_s + shownValue(m, FStatus) + u" is read as 'active'"_s,
               u"none automatic: choose the status"_s);
    else if (!canonicalStatus)
        report("noncanonical-status"_L1, id(),
               u"status "_s + quoted(m.text(FStatus)) + u" is read as '"_s + statusName(*parsedStatus) + u'\'',
               u"write '"_s + statusName(*parsedStatus) + u'\'');

    // tombstones and TTL
    const bool statusTombstoned = parsedStatus == MemoryStatus::Tombstoned;
    const bool hasTombstonedAt = m_tombstonedAtColumn && !m.isNull(FTombstonedAt);
    if (m_tombstonedAtColumn && statusTombstoned != hasTombstonedAt)
        report("half-tombstoned"_L1, id(),
               hasTombstonedAt ? QString(u"tombstoned_at is set but the status is "_s + shownValue(m, FStatus))
                               : QString(u"status "_s + quoted(m.text(FStatus)) + u" but tombstoned_at is NULL"_s),
               hasTombstonedAt ? u"set status 'tombstoned'"_s : u"set tombstoned_at to the created time"_s);
    const bool live = !statusTombstoned && !hasTombstonedAt;
    if (live && !m.isNull(FExpiresAt) && m.integer(FExpiresAt) < m_now)
        report("expired-active"_L1, id(),
               u"expired at "_s + QString::number(m.integer(FExpiresAt)) + u" and still recalled"_s, u"tombstone it"_s);

    // created_at: Unix seconds, positive, not in the future
    if (m.type(FCreatedAt) != SQLITE_INTEGER)
        report("bad-time"_L1, id(), u"created_at "_s + shownValue(m, FCreatedAt) + u" is not a number of seconds"_s,
               u"none automatic"_s);
    else if (const qint64 created = m.integer(FCreatedAt); created <= 0 || created > m_now)
        report("bad-time"_L1, id(),
               u"created_at "_s + QString::number(created)
                   + (created <= 0 ? u" is not after 1970"_s : u" is in the future"_s),
               u"none automatic"_s);

    // summaries
    const bool summaryColumn = m_isSummaryColumn;
    const bool isSummary = summaryColumn && !m.isNull(FIsSummary) && m.integer(FIsSummary) != 0;
    QStringList problems;
    if (summaryColumn && m.isNull(FIsSummary))
        problems << u"is_summary is NULL"_s;
    QStringList sources;
    bool sourcesValid = true;
    if (!m.isNull(FSourceIds)) {
        const QJsonDocument doc = QJsonDocument::fromJson(m.bytes(FSourceIds));
        sourcesValid = doc.isArray();
        for (const QJsonValue& item : doc.array()) {
            if (!item.isString())
                sourcesValid = false;
            else
                sources << item.toString();
        }
        if (!sourcesValid)
            problems << u"source_memory_ids "_s + quoted(m.text(FSourceIds)) + u" is not a JSON array of ids"_s;
    }
    QStringList missingSources;
    QStringList presentSources;
    if (isSummary && sourcesValid) {
        if (sources.isEmpty())
            problems << u"a summary without sources"_s;
        for (const QString& source : std::as_const(sources)) {
            memoryExists.bind(1, source);
            (memoryExists.exists() ? presentSources : missingSources) << source;
        }
        if (!missingSources.isEmpty())
            problems << u"sources no longer exist: "_s + missingSources.join(u", "_s);
    }
    if (!problems.isEmpty())
        report("bad-summary"_L1, id(), problems.join(u"; "_s),
               u"NULL is_summary becomes 0, invalid source_memory_ids becomes []; missing sources are listed"_s);
    if (isSummary && edgeExists) {
        // the rule the Edges tab and the repair share (memoryedges.h)
        const QStringList lost = lostSources(id(), lostSummaryEdges(id(), presentSources, 0, [&](const MemoryEdge& e) {
                                                 edgeExists->bind(1, e.fromId);
                                                 edgeExists->bind(2, e.toId);
                                                 edgeExists->bind(3, e.edgeType);
                                                 return edgeExists->exists();
                                             }));
        if (!lost.isEmpty())
            report("lost-edge"_L1, id(), u"summary edges missing for sources "_s + lost.join(u", "_s),
                   u"re-create both edges per source from source_memory_ids"_s);
    }

    // content hash (spec §3.2): summaries carry their sources' hash tags by design
    if (!content)
        return live;
    if (!isSummary) {
        constexpr QByteArrayView kPrefix = "hash:sha256:";
        std::optional<QString> stale;
        if (asciiTags) {
            char expected[28];
            std::memcpy(expected, kPrefix.data(), 12);
            for (int i = 0; i < 16; ++i)
                expected[12 + i] = "0123456789abcdef"[(*content >> (60 - 4 * i)) & 0xf];
            if (!rawTags.isEmpty()) {
                forEachPart(rawTags, [&](QByteArrayView part) {
                    const QByteArrayView tag = trimmedAscii(part);
                    if (!stale && tag.startsWith(kPrefix) && tag != QByteArrayView(expected, 28))
                        stale = QString::fromLatin1(tag);
                });
            }
        } else {
            const QString hash = hashTag(*content);
            for (const QString& tag : std::as_const(tags)) {
                if (tag.startsWith("hash:sha256:"_L1) && tag != hash) {
                    stale = tag;
                    break;
                }
            }
        }
        if (stale)
            report("stale-hash-tag"_L1, id(),
                   u"tag "_s + quoted(*stale) + u", content hashes to "_s + quoted(hashTag(*content)),
                   u"replace the tag"_s);
    }
    if (live) {
        if (!self) { // the content column's layout: an entry of its own, for duplicate-memory only
            m_entries.emplace_back();
            self = &m_entries.back();
            setId(*self, id.bytes());
        }
        self->contentHash = *content;
        self->live = true;
        self->createdAt = m.integer(FCreatedAt);
    }
    return live;
}

} // namespace Inspector::SqliteCheckDetail
