// SPDX-License-Identifier: MIT
// The SQLite checker: opening the store and its schema, the full-text pass, and the entry point.
#include "sqlitecheck.h"

#include "sqlitecheckinternal.h"

namespace Inspector {

namespace SqliteCheckDetail {

bool Checker::run()
{
    exec("BEGIN"); // one read transaction: every pass sees the same snapshot
    inspectSchema();
    m_integrity.emplace(m_db.path());
    // the files beside index.db are looked up in the id index, which checkDuplicates() frees
    const bool done
        = checkMemories() && checkEdges() && checkVectors() && checkMentions() && checkDuplicates() && checkIntegrity();
    exec("ROLLBACK");
    return done;
}

void Checker::exec(const char* sql)
{
    if (sqlite3_exec(m_db.handle(), sql, nullptr, nullptr, nullptr) != SQLITE_OK)
        m_db.fail(u"cannot read the store"_s);
}

void Checker::inspectSchema()
{
    QSet<QString> tables;
    {
        Statement q(m_db, u"SELECT lower(name) FROM sqlite_master WHERE type = 'table'"_s);
        while (q.step())
            tables.insert(q.text(0));
    }
    if (!tables.contains(u"memories"_s))
        throw StorageError(StorageError::Kind::InvalidInput,
                           m_db.path() + u": not a subcog store: it has no 'memories' table"_s);
    {
        Statement q(m_db, u"SELECT lower(name) FROM pragma_table_info('memories')"_s);
        while (q.step())
            m_columns.insert(q.text(0));
    }
    for (auto required : {"id"_L1, "namespace"_L1, "domain"_L1, "status"_L1, "created_at"_L1, "tags"_L1}) {
        if (!m_columns.contains(required))
            throw StorageError(StorageError::Kind::InvalidInput,
                               m_db.path() + u": not a subcog store: table 'memories' has no column "_s + required);
    }
    m_tombstonedAtColumn = m_columns.contains(u"tombstoned_at"_s);
    m_isSummaryColumn = m_columns.contains(u"is_summary"_s);
    m_hasFts = tables.contains(u"memories_fts"_s);
    m_ftsShadow = tables.contains(u"memories_fts_content"_s);
    m_hasEdges = tables.contains(u"memory_edges"_s);
    if (m_hasEdges) {
        // `memories.id = edge end` is a byte comparison of text when the column has TEXT affinity and the
        // BINARY collation: then the edges pass can find the ends among the ids the memories pass saw
        const char* declared = nullptr;
        const char* collation = nullptr;
        if (sqlite3_table_column_metadata(m_db.handle(), "main", "memories", "id", &declared, &collation, nullptr,
                                          nullptr, nullptr)
            == SQLITE_OK) {
            const QByteArray type = QByteArray(declared ? declared : "").toUpper();
            m_edgesByIndex = !type.contains("INT")
                && (type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT"))
                && qstricmp(collation ? collation : "", "BINARY") == 0;
        }
    }
    if (!m_hasFts && !m_columns.contains(u"content"_s))
        throw StorageError(StorageError::Kind::InvalidInput,
                           m_db.path() + u": not a subcog store: no 'memories_fts' table and no content column"_s);
    for (const QString& name : {u"vectors.idx"_s, u"vectors.meta.json"_s, u"graph.db"_s}) {
        const QString beside = SqliteBackend::fileBesideIndex(m_db.path(), name);
        m_indexAround = m_indexAround || (!beside.isEmpty() && QFileInfo::exists(beside));
    }
}

void Checker::resizeSlots(size_t size)
{
    m_slots.assign(size, 0);
    for (quint32 i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].rows > 0 || m_entries[i].anyMemory) // not the content column's duplicate-memory entries
            slotFor(m_entries[i].idView()) = i + 1;
    }
}

/// Condenses the full-text rows into m_entries, in rowid order (the first row of an id is the one subcog reads).
bool Checker::readFullText()
{
    if (m_ftsShadow) {
        // the highest rowid bounds the row count: size for it at once instead of growing
        Statement q(m_db, u"SELECT max(id) FROM memories_fts_content"_s);
        const qint64 hint = q.step() ? std::clamp<qint64>(q.integer(0), 0, 1 << 21) : 0;
        m_entries.reserve(size_t(hint));
        resizeSlots(std::bit_ceil(size_t(2 * hint + 16)));
    } else {
        resizeSlots(1024);
    }
    Statement q(m_db,
                m_ftsShadow ? u"SELECT CAST(c0 AS TEXT), id, c2, c1 FROM memories_fts_content ORDER BY id"_s
                            : u"SELECT CAST(id AS TEXT), rowid, tags, content FROM memories_fts ORDER BY rowid"_s);
    while (q.step()) {
        if (cancelled())
            return false;
        if (2 * (m_entries.size() + 1) > m_slots.size())
            resizeSlots(2 * m_slots.size());
        const QByteArrayView id = q.view(0);
        // the slot is a random read: fetched while the content is hashed (wasted only on a duplicate row)
        const quint64 idHash = bytesHash(id);
        __builtin_prefetch(&m_slots[idHash & (m_slots.size() - 1)]);
        const quint64 tagsHash = bytesHash(q.view(2));
        const quint64 hash = contentHash(q.view(3));
        quint32& slot = slotFor(id, idHash);
        if (slot != 0) {
            Entry& e = m_entries[slot - 1];
            ++e.rows;
            QList<qint64>& extra = m_extraRowids[slot - 1];
            if (extra.size() < kListedRowids)
                extra << q.integer(1);
            continue;
        }
        Entry e;
        setId(e, id);
        e.rows = 1;
        e.firstRowid = q.integer(1);
        e.tagsHash = tagsHash;
        e.contentHash = hash;
        m_entries.push_back(e);
        slot = quint32(m_entries.size());
    }
    return true;
}

QString Checker::fullTextTags(qint64 rowid)
{
    if (!m_ftsTags)
        m_ftsTags.emplace(m_db,
                          m_ftsShadow ? u"SELECT c2 FROM memories_fts_content WHERE id = ?"_s
                                      : u"SELECT tags FROM memories_fts WHERE rowid = ?"_s);
    m_ftsTags->bind(1, rowid);
    const QString tags = m_ftsTags->step() ? m_ftsTags->text(0) : QString();
    m_ftsTags->reset();
    return tags;
}

void Checker::reportUnreadable(const QString& file, const QString& reason, const QString& fix)
{
    report("integrity"_L1, std::nullopt, file + u" beside the store cannot be read: "_s + reason,
           u"none automatic: "_s + fix);
}

} // namespace SqliteCheckDetail

using namespace SqliteCheckDetail;

bool checkSqliteStore(const QString& path, const FindingSink& sink, const SqliteCheckOptions& options)
{
    Checker checker(path, sink, options);
    return checker.run();
}

} // namespace Inspector
