// SPDX-License-Identifier: MIT
// A store's embedding coverage, and the streamed scan of the ids in vectors.idx / vectors.meta.json that the store
// check shares.
#include "embeddings.h"

#include "embeddingsinternal.h"
#include "health/sqlitecheckinternal.h"
#include "postgresmodule.h"
#include "vectorids.h"
#include "vectorsfile.h"

#include <QFile>

#include <bit>
#include <vector>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace EmbeddingsDetail;

const QList<VectorIdFile>& vectorIdFiles()
{
    static const QList<VectorIdFile> files {
        {u"vectors.idx"_s, "vectors"_L1, {u"dimensions"_s, u"vectors"_s}, false},
        {u"vectors.meta.json"_s, "id_to_key"_L1, {u"id_to_key"_s}, true},
    };
    return files;
}

VectorIdScan scanVectorIds(const QString& path, const VectorIdFile& file,
                           const std::function<bool(const QString& id)>& found)
{
    VectorIdScan result;
    QFile device(path);
    result.exists = device.exists();
    if (!result.exists)
        return result;
    if (!device.open(QIODevice::ReadOnly)) {
        result.problem = device.errorString();
        return result;
    }
    const JsonMemberScan scan
        = scanJsonObjectMembers(device, file.member, [&](const JsonMemberSpan& member) { return found(member.key); });
    result.cancelled = scan.cancelled;
    if (scan.cancelled)
        return result;
    QString problem = scan.error;
    for (const QString& key : file.required) {
        if (problem.isEmpty() && !scan.topLevelKeys.contains(key))
            problem = u"no \""_s + key + u"\" in it"_s;
    }
    if (!problem.isEmpty())
        result.problem = u"not subcog's "_s + file.name + u" JSON "_s + problem;
    return result;
}

namespace {

/// The memory ids of a SQLite store by a 64-bit hash of their bytes (16 bytes a memory; two ids sharing a hash
/// are one chance in 10^7 for a million ids, and would only merge their flags).
class IdTable
{
public:
    static constexpr quint32 Live = 1;
    static constexpr quint32 HasVector = 2;
    explicit IdTable(qint64 expected)
        : m_slots(std::bit_ceil(size_t(2 * qMax<qint64>(expected, 8))))
    {
    }
    void add(QByteArrayView id, bool live)
    {
        Slot& s = slot(id);
        if (s.hash == 0) {
            s.hash = hashOf(id);
            ++m_size;
            if (2 * m_size > m_slots.size())
                grow();
            Slot& again = slot(id);
            again.flags |= live ? Live : 0;
            return;
        }
        s.flags |= live ? Live : 0;
    }
    /// Marks the id as having a vector; false when it is no memory.
    bool markVector(QByteArrayView id)
    {
        Slot& s = slot(id);
        if (s.hash == 0)
            return false;
        s.flags |= HasVector;
        return true;
    }
    template<typename F>
    void forEach(F&& f) const
    {
        for (const Slot& s : m_slots) {
            if (s.hash != 0)
                f(s.flags);
        }
    }

private:
    struct Slot
    {
        quint64 hash = 0; ///< 0: empty
        quint32 flags = 0;
    };
    std::vector<Slot> m_slots;
    size_t m_size = 0;

    static quint64 hashOf(QByteArrayView id)
    {
        const quint64 h = quint64(qHashBits(id.data(), size_t(id.size()), 0x9e3779b97f4a7c15ULL));
        return h == 0 ? 1 : h;
    }
    Slot& slot(QByteArrayView id)
    {
        const quint64 h = hashOf(id);
        size_t i = size_t(h) & (m_slots.size() - 1);
        while (m_slots[i].hash != 0 && m_slots[i].hash != h)
            i = (i + 1) & (m_slots.size() - 1);
        return m_slots[i];
    }
    void grow()
    {
        std::vector<Slot> old(m_slots.size() * 2);
        old.swap(m_slots);
        for (const Slot& s : old) {
            if (s.hash == 0)
                continue;
            size_t i = size_t(s.hash) & (m_slots.size() - 1);
            while (m_slots[i].hash != 0)
                i = (i + 1) & (m_slots.size() - 1);
            m_slots[i] = s;
        }
    }
};

std::optional<EmbeddingCoverage> sqliteCoverage(SqliteBackend& store, const EmbeddingProgress& progress,
                                                const QString& where)
{
    using SqliteCheckDetail::Connection;
    using SqliteCheckDetail::Statement;
    EmbeddingCoverage coverage;
    coverage.where = where;
    Connection db(store.location());
    bool tombstonedAt = false;
    {
        Statement q(db, u"SELECT 1 FROM pragma_table_info('memories') WHERE lower(name) = 'tombstoned_at'"_s);
        tombstonedAt = q.step();
    }
    qint64 rows = 0;
    {
        Statement q(db, u"SELECT count(*) FROM memories"_s);
        rows = q.step() ? q.integer(0) : 0;
    }
    IdTable ids(rows);
    {
        // the ids as text, as the check's vector pass looks them up
        Statement q(db,
                    tombstonedAt ? u"SELECT CAST(id AS TEXT), status, tombstoned_at IS NOT NULL FROM memories"_s
                                 : u"SELECT CAST(id AS TEXT), status, 0 FROM memories"_s);
        while (q.step()) {
            ids.add(q.view(0), isLiveStatus(q.view(1), q.integer(2) != 0));
            if (++coverage.memories % 4096 == 0 && progress && !progress(coverage.memories, -1))
                throwCancelled();
        }
    }
    const SqliteVectorFiles files = sqliteVectorFiles(store);
    qint64 orphans = 0;
    qint64 seen = 0;
    QStringList problems;
    for (const VectorIdFile& file : vectorIdFiles()) {
        const QString path = file.usearch ? files.meta : files.idx;
        if (path.isEmpty())
            continue;
        const VectorIdScan scan = scanVectorIds(path, file, [&](const QString& id) {
            if (!ids.markVector(id.toUtf8()))
                ++orphans;
            return ++seen % 4096 != 0 || !progress || progress(coverage.memories + seen, -1);
        });
        if (scan.cancelled)
            throwCancelled();
        if (!scan.problem.isEmpty())
            problems << file.name + u": "_s + scan.problem;
    }
    coverage.orphans = orphans;
    coverage.problem = problems.join(u"; "_s);
    ids.forEach([&](quint32 flags) {
        if (flags & IdTable::HasVector)
            ++coverage.withEmbedding;
        else if (flags & IdTable::Live)
            ++coverage.liveWithout;
    });
    return coverage;
}

EmbeddingCoverage recordsCoverage(PersistenceBackend& store, const EmbeddingProgress& progress, const QString& where)
{
    EmbeddingCoverage coverage;
    coverage.where = where;
    const qint64 total = store.count();
    MemoryQuery all;
    // a folder's index keeps no embeddings: records read whole carry them (the file is read either way)
    all.withContent = true;
    store.scan(all, [&](QList<Memory>& memories, QList<RecordIssue>&) {
        for (const Memory& m : std::as_const(memories)) {
            ++coverage.memories;
            if (m.embedding && !m.embedding->isEmpty())
                ++coverage.withEmbedding;
            else if (!m.isTombstoned())
                ++coverage.liveWithout;
        }
        if (progress && !progress(coverage.memories, total))
            throwCancelled();
        return true;
    });
    return coverage;
}

} // namespace

std::optional<EmbeddingCoverage> embeddingCoverage(PersistenceBackend& outer, const EmbeddingProgress& progress,
                                                   QString* reason)
{
    PersistenceBackend& store = innermost(outer);
    const std::optional<QString> where = embeddingStore(store, reason);
    if (!where)
        return std::nullopt;
    if (auto* sqlite = dynamic_cast<SqliteBackend*>(&store))
        return sqliteCoverage(*sqlite, progress, *where);
    if (isPostgresStore(store))
        return postgresModule().embeddingCoverage(store, *where);
    return recordsCoverage(store, progress, *where);
}

} // namespace Inspector
