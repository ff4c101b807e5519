// SPDX-License-Identifier: MIT
// The SQLite checker's passes after the rows: edges, vectors.idx / vectors.meta.json and graph.db beside
// index.db, duplicate memories, and SQLite's own integrity check.
#include "sqlitecheckinternal.h"

#include "vectorids.h"

namespace Inspector::SqliteCheckDetail {

bool Checker::checkEdges()
{
    if (!m_hasEdges)
        return true;
    // a text end is looked up among the memory ids (NULL tells the loop so), any other end by SQL as before
    Statement q(m_db,
                m_edgesByIndex ? u"SELECT e.from_id, e.to_id, e.edge_type, CASE WHEN typeof(e.from_id) = 'text' THEN "
                                 "NULL ELSE EXISTS (SELECT 1 FROM memories WHERE id = e.from_id) END, CASE WHEN "
                                 "typeof(e.to_id) = 'text' THEN NULL ELSE EXISTS (SELECT 1 FROM memories WHERE id = "
                                 "e.to_id) END FROM memory_edges e"_s
                               : u"SELECT e.from_id, e.to_id, e.edge_type, "
                                 "EXISTS (SELECT 1 FROM memories WHERE id = e.from_id), "
                                 "EXISTS (SELECT 1 FROM memories WHERE id = e.to_id) FROM memory_edges e"_s);
    auto isMemory = [&](int end, int exists) {
        if (!q.isNull(exists))
            return q.integer(exists) != 0;
        const quint32 slot = slotFor(q.view(end));
        return slot != 0 && m_entries[slot - 1].isMemory;
    };
    while (q.step()) {
        if (cancelled())
            return false;
        const bool fromExists = isMemory(0, 3);
        const bool toExists = isMemory(1, 4);
        const QByteArrayView typeBytes = q.view(2);
        const bool knownType
            = std::find(std::begin(kEdgeTypes), std::end(kEdgeTypes), typeBytes) != std::end(kEdgeTypes);
        if (fromExists && toExists && knownType)
            continue;
        const QString from = q.text(0);
        const QString to = q.text(1);
        const QString type = q.text(2);
        QStringList problems;
        if (!fromExists)
            problems << u"from "_s + quoted(from) + u" is not a memory"_s;
        if (!toExists)
            problems << u"to "_s + quoted(to) + u" is not a memory"_s;
        if (!knownType)
            problems << u"unknown edge type "_s + quoted(type);
        report("dangling-edge"_L1, from,
               u"edge "_s + quoted(from) + u" -> "_s + quoted(to) + u" ("_s + type + u"): "_s + problems.join(u"; "_s),
               !fromExists || !toExists ? u"delete the edge"_s : u"none automatic (unknown types are reported only)"_s);
    }
    return true;
}

/// orphan-vector and missing-vector: vectors.idx (spec §14.2) and usearch's vectors.meta.json, each scanned for its
/// ids only, in pieces (a vectors.idx can be gigabytes), and matched with the memory ids of the memories pass.
bool Checker::checkVectors()
{
    if (!m_indexAround)
        return true;
    struct VectorFileWords
    {
        QString detail;
        QString fix;
        QString unreadableFix;
    };
    // in the order of vectorIdFiles(): vectors.idx, then usearch's vectors.meta.json
    const VectorFileWords words[] = {
        {u"an embedding in vectors.idx for a memory that does not exist"_s, u"delete the vector"_s,
         u"subcog cannot load it either; restore it from a backup, or move it aside and let subcog's `migrate "
         "embeddings` re-embed the memories"_s},
        {u"an embedding in usearch's vectors.usearch (listed in vectors.meta.json) for a memory that does not "
         "exist"_s,
         u"none automatic: usearch's binary vectors.usearch cannot be edited without the usearch library; subcog's "
         "vector search drops the hit"_s,
         u"subcog cannot map its usearch index to memories; restore it from a backup"_s},
    };
    bool keepsVectors = false; // some file holds an embedding: then every live memory should have one
    bool everyFileRead = true; // a damaged file hides which memories have one
    QStringList kept; // the files that hold embeddings
    const QList<VectorIdFile>& files = vectorIdFiles();
    for (qsizetype i = 0; i < files.size(); ++i) {
        const VectorIdFile& file = files[i];
        const QString path = SqliteBackend::fileBesideIndex(m_db.path(), file.name);
        if (!QFileInfo::exists(path))
            continue;
        kept << (file.usearch ? u"usearch's "_s + file.name : file.name);
        const VectorIdScan scan = scanVectorIds(path, file, [&](const QString& id) {
            if (cancelled())
                return false;
            keepsVectors = true;
            if (Entry* e = memoryEntry(id.toUtf8()))
                e->hasVector = true;
            else
                report("orphan-vector"_L1, id, words[i].detail, words[i].fix);
            return true;
        });
        if (scan.cancelled)
            return false;
        if (!scan.problem.isEmpty()) {
            everyFileRead = false;
            reportUnreadable(file.name, scan.problem, words[i].unreadableFix);
        }
    }
    if (!keepsVectors || !everyFileRead)
        return true;
    const QString missing = u"a live memory without an embedding in "_s + kept.join(u" or "_s);
    for (const Entry& e : m_entries) {
        if (cancelled())
            return false;
        if (e.anyMemory && e.liveMemory && !e.hasVector)
            report("missing-vector"_L1, QString::fromUtf8(e.idView()), missing,
                   u"none automatic: subcog's `migrate embeddings` re-embeds it"_s);
    }
    return true;
}

/// orphan-mention: graph.db's graph_entity_mentions rows (spec §14.1) whose memory_id is no memory.
bool Checker::checkMentions()
{
    if (!m_indexAround)
        return true;
    const QString path = SqliteBackend::fileBesideIndex(m_db.path(), u"graph.db"_s);
    if (!QFileInfo::exists(path))
        return true;
    const QString fix = u"copy graph.db elsewhere and try sqlite3's .recover; subcog rebuilds no graph by itself"_s;
    try {
        Connection graph(path);
        QSet<QString> columns;
        {
            Statement q(graph, u"SELECT lower(name) FROM pragma_table_info('graph_entity_mentions')"_s);
            while (q.step())
                columns.insert(q.text(0));
        }
        if (columns.isEmpty()) // subcog creates the tables when the graph is first used
            return true;
        if (!columns.contains(u"entity_id"_s) || !columns.contains(u"memory_id"_s)) {
            reportUnreadable(u"graph.db"_s, u"table 'graph_entity_mentions' has no entity_id or memory_id"_s, fix);
            return true;
        }
        Statement q(graph, u"SELECT entity_id, memory_id FROM graph_entity_mentions"_s);
        while (q.step()) {
            if (cancelled())
                return false;
            if (memoryEntry(q.view(1)))
                continue;
            report("orphan-mention"_L1, q.text(1),
                   u"graph entity "_s + quoted(q.text(0)) + u" mentions a memory that does not exist"_s,
                   u"delete the mention and decrement the entity's mention_count"_s);
        }
    } catch (const StorageError& e) {
        reportUnreadable(u"graph.db"_s, e.message(), fix);
    }
    return true;
}

bool Checker::checkDuplicates()
{
    // groups of live memories sharing a content hash, in hash order, each oldest first (then by id): the oldest
    // is the one a repair keeps
    std::vector<quint32>().swap(m_slots); // no more look-ups: its memory goes before the pairs come
    std::vector<std::pair<quint64, quint32>> live; // hash, entry index: 16 bytes a live memory
    live.reserve(size_t(std::count_if(m_entries.begin(), m_entries.end(), [](const Entry& e) { return e.live; })));
    for (quint32 i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].live)
            live.emplace_back(m_entries[i].contentHash, i);
    }
    std::sort(live.begin(), live.end());
    std::vector<quint32> group;
    for (size_t begin = 0, end = 0; begin < live.size(); begin = end) {
        for (end = begin + 1; end < live.size() && live[end].first == live[begin].first;)
            ++end;
        if (end - begin < 2)
            continue;
        group.clear();
        for (size_t i = begin; i < end; ++i)
            group.push_back(live[i].second);
        std::sort(group.begin(), group.end(), [&](quint32 a, quint32 b) {
            const Entry& x = m_entries[a];
            const Entry& y = m_entries[b];
            if (x.createdAt != y.createdAt)
                return x.createdAt < y.createdAt;
            return compareIds(x.idView(), y.idView()) < 0;
        });
        const QString hash = hashTag(live[begin].first);
        const QString kept = QString::fromUtf8(m_entries[group.front()].idView());
        for (size_t i = 1; i < group.size(); ++i) {
            if (cancelled())
                return false;
            report("duplicate-memory"_L1, QString::fromUtf8(m_entries[group[i]].idView()),
                   u"same content as the older memory "_s + quoted(kept) + u" ("_s + hash + u')',
                   u"keep "_s + quoted(kept) + u", union the tags onto it, tombstone this one"_s);
        }
    }
    return true;
}

bool Checker::checkIntegrity()
{
    const std::optional<QStringList> lines = m_integrity->wait(m_options.cancelled);
    if (!lines)
        return false;
    for (const QString& line : *lines)
        report("integrity"_L1, std::nullopt, line,
               u"none automatic: copy the store elsewhere and try sqlite3's .recover"_s);
    return true;
}

} // namespace Inspector::SqliteCheckDetail
