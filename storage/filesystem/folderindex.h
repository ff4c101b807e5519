// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"
#include "query.h"

#include <QHash>
#include <QVarLengthArray>

#include <array>
#include <functional>
#include <mutex>
#include <vector>

namespace Inspector {

/**
 * The folder backend's in-memory index: per memory only what filters, sorts, pages without content, stats and
 * change detection need, in about 200 bytes. Content and embeddings stay in the files and are read when a page,
 * get() or getBatch() asks for them. Every distinct text (namespace, status, domain, project, branch, path,
 * source, tag) is kept once and referred to by number; subcog's content-hash tags (`hash:sha256:` and 16 hex
 * digits, one per memory) are kept as their 64-bit value.
 *
 * make() may be called from several threads at once (the folder is parsed in parallel); everything else belongs
 * to the backend's thread, and is read-only while workers run.
 */
class FolderIndex
{
public:
    struct Entry
    {
        qint64 createdAt = 0;
        qint64 updatedAt = 0;
        qint64 tombstonedAt = 0;
        qint64 expiresAt = 0;
        qint64 consolidatedAt = 0;
        qint64 modified = 0; ///< of the file, nanoseconds
        qint64 size = 0; ///< of the file
        quint64 inode = 0; ///< of the file
        quint32 namespaceName = 0; ///< texts: 0 is absent
        quint32 status = 0;
        quint32 domain = 0;
        quint32 org = 0;
        quint32 project = 0;
        quint32 repo = 0;
        quint32 projectId = 0;
        quint32 branch = 0;
        quint32 filePath = 0;
        quint32 source = 0;
        quint32 tags = 0; ///< lists: offset into the list store
        quint32 sourceIds = 0; ///< 0: none
        quint32 flags = 0; ///< MemoryFlags
        quint8 bits = 0;

        bool hasEmbedding() const { return bits & HasEmbedding; }
        bool isLocked() const { return flags & quint32(MemoryFlag::Locked); }
        bool isEncrypted() const { return flags & quint32(MemoryFlag::Encrypted); }
        /// Whether the file's stat still says what it said when this entry was read.
        bool sameFile(qint64 fileModified, qint64 fileSize, quint64 fileInode) const
        {
            return modified == fileModified && size == fileSize && inode == fileInode;
        }
    };
    enum Bit : quint8
    {
        HasTombstonedAt = 1,
        HasExpiresAt = 2,
        HasConsolidatedAt = 4,
        IsSummary = 8,
        HasEmbedding = 16,
        HasDomainParts = 32,
        Seen = 64, ///< by the listing of the refresh running now
    };

    /// One reading thread's memory of the texts it met, so most are found without the lock or a hash table.
    class Cache
    {
        friend class FolderIndex;
        struct Slot
        {
            QString text;
            quint32 number = 0;
        };
        std::array<Slot, 256> m_slots;
    };

    FolderIndex();

    /// The entry of a memory's fields but content and embedding (thread-safe). The flags of the namespace and
    /// status strings (Memory::flagEnumStrings()) are added, worked out once for each distinct string.
    Entry make(const Memory& memory, bool hasEmbedding, Cache* cache = nullptr);
    /// `memory` gets the entry's fields; no content, no embedding (and no tags unless `withTags`).
    void fill(Memory& memory, const QString& id, const Entry& entry, bool withTags = true) const;
    /// A memory with the entry's fields.
    Memory memory(const QString& id, const Entry& entry) const
    {
        Memory m;
        fill(m, id, entry);
        return m;
    }
    const QString& text(quint32 number) const { return m_texts[number]; }
    /// Whether `a` comes before `b` in the query's order, exactly as MemoryQuery::comesBefore() says (`key` is
    /// the namespace or status when the query sorts by one).
    static bool comesBefore(const MemoryQuery& query, qint64 createdA, const QString& keyA, const QString& idA,
                            qint64 createdB, const QString& keyB, const QString& idB);
    const QString& sortText(const MemoryQuery& query, const Entry& entry) const;

    /// Runs `work(i)` for i in [0, count) on one thread per processor (at most 8), the caller's thread among
    /// them; `stop()` is asked between items. The first exception a call throws is rethrown once all have ended.
    /// `work(i, thread)`: `thread` in [0, threadsFor(count)) tells the threads apart (for a Cache each).
    static void parallelFor(qsizetype count, const std::function<void(qsizetype, int)>& work,
                            const std::function<bool()>& stop);
    static int threadsFor(qsizetype count);

private:
    quint32 intern(const QString& text); // under m_mutex
    /// The text's number, from the cache or (taking the lock) from the store.
    quint32 number(const QString& text, Cache* cache);
    quint32 optionalNumber(const std::optional<QString>& text, Cache* cache) { return text ? number(*text, cache) : 0; }
    using Items = QVarLengthArray<quint32, 16>;
    void listItems(const QStringList& items, Cache* cache, Items& out);
    quint32 storeList(const Items& items); // under m_mutex
    void readList(quint32 at, QStringList& out) const;
    quint32 enumFlags(quint32 namespaceName, quint32 status); // under m_mutex

    std::mutex m_mutex;
    QHash<QString, quint32> m_numbers;
    std::vector<QString> m_texts; ///< [0] is the absent text
    std::vector<quint32> m_lists; ///< count, then the items; a hash tag is a marker and two halves
    QHash<quint64, quint32> m_enumFlags; ///< (namespace, status) → their flags
};

} // namespace Inspector
