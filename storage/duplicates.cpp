// SPDX-License-Identifier: MIT
#include "duplicates.h"

#include "duplicatemergewrite.h"
#include "postgresmodule.h"
#include "retryingbackend.h"
#include "storageerror.h"

#include "memoryedges.h"

#include <QCryptographicHash>
#include <QHash>
#include <QtEndian>

#include <algorithm>
#include <array>
#include <numeric>
#include <unordered_map>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace MergeRules {

QStringList withFreshHashTag(const QStringList& tags, const QString& content)
{
    const QString hash = contentHashTag(content);
    bool stale = false;
    bool hasHash = false;
    for (const QString& tag : tags) {
        const QString t = tag.trimmed();
        stale = stale || (t.startsWith("hash:sha256:"_L1) && t != hash);
        hasHash = hasHash || t == hash;
    }
    if (!stale)
        return tags;
    QStringList result;
    for (const QString& tag : tags) {
        const QString t = tag.trimmed();
        if (!t.startsWith("hash:sha256:"_L1) || t == hash) {
            result << tag;
        } else if (!hasHash) {
            result << hash;
            hasHash = true;
        }
    }
    return result;
}

void refreshHashTag(Memory& memory)
{
    if (!memory.isSummary)
        memory.tags = withFreshHashTag(memory.tags, memory.content);
}

QStringList appendMissing(QStringList& into, const QStringList& more)
{
    QSet<QString> have;
    for (const QString& s : std::as_const(into))
        have.insert(s.trimmed());
    QStringList added;
    for (const QString& s : more) {
        const QString t = s.trimmed();
        if (t.isEmpty() || have.contains(t))
            continue;
        have.insert(t);
        into << t;
        added << t;
    }
    return added;
}

} // namespace MergeRules

namespace {

// Similar: a MinHash signature of kHashes minima, 16 bits of each kept (b-bit minwise hashing); its rows in kBands
// bands find the candidates (LSH), the share of equal minima estimates their word-set similarity
constexpr int kHashes = 64;
constexpr int kBands = 16;
constexpr int kRows = kHashes / kBands;

quint64 mix(quint64 x)
{
    // splitmix64's finaliser: a cheap, well-spread permutation of 64-bit values
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

quint64 wordHash(QStringView word)
{
    quint64 h = 0xcbf29ce484222325ULL; // FNV-1a over the UTF-16 units: stable across runs, unlike qHash's seed
    for (const QChar c : word) {
        h ^= c.unicode();
        h *= 0x100000001b3ULL;
    }
    return h;
}

/// The sorted, distinct hashes of a text's words.
std::vector<quint64> wordSet(const QString& content)
{
    std::vector<quint64> set;
    for (const QString& w : contentWords(content))
        set.push_back(wordHash(w));
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    return set;
}

double jaccard(const std::vector<quint64>& a, const std::vector<quint64>& b)
{
    if (a.empty() && b.empty())
        return 1.0;
    size_t common = 0;
    for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
        if (a[i] == b[j]) {
            ++common;
            ++i;
            ++j;
        } else if (a[i] < b[j]) {
            ++i;
        } else {
            ++j;
        }
    }
    return double(common) / double(a.size() + b.size() - common);
}

quint64 first64(const QByteArray& bytes)
{
    const QByteArray digest = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
    return qFromBigEndian<quint64>(digest.constData());
}

/// The ids of a scan by position, packed: about the id's UTF-8 length plus four bytes each.
class PackedIds
{
public:
    void add(const QString& id)
    {
        m_chars += id.toUtf8();
        m_ends.push_back(quint32(m_chars.size()));
    }
    QString at(quint32 i) const
    {
        const quint32 begin = i == 0 ? 0 : m_ends[i - 1];
        return QString::fromUtf8(m_chars.constData() + begin, qsizetype(m_ends[i] - begin));
    }
    quint32 size() const { return quint32(m_ends.size()); }

private:
    QByteArray m_chars;
    std::vector<quint32> m_ends;
};

struct UnionFind
{
    std::vector<quint32> parent;
    explicit UnionFind(size_t n)
        : parent(n)
    {
        std::iota(parent.begin(), parent.end(), 0u);
    }
    quint32 find(quint32 x)
    {
        while (parent[x] != x)
            x = parent[x] = parent[parent[x]];
        return x;
    }
    void join(quint32 a, quint32 b)
    {
        a = find(a);
        b = find(b);
        if (a != b)
            parent[std::max(a, b)] = std::min(a, b);
    }
};

/// What the first pass keeps: ids and namespaces by position in created_at order, and per memory its key(s).
struct ScanState
{
    PackedIds ids;
    QStringList namespaceNames;
    QHash<QString, quint16> namespaceIndex;
    std::vector<quint16> namespaces;
    std::vector<std::pair<quint64, quint32>> keys; // (hash, ordinal): SameContent, SameWords
    std::vector<quint16> signatures; // Similar: kHashes a memory, by ordinal
    std::vector<bool> hasWords;

    quint32 add(const Memory& m)
    {
        const quint32 ordinal = ids.size();
        ids.add(m.id);
        auto it = namespaceIndex.constFind(m.namespaceName);
        if (it == namespaceIndex.cend()) {
            it = namespaceIndex.insert(m.namespaceName, quint16(namespaceNames.size()));
            namespaceNames << m.namespaceName;
        }
        namespaces.push_back(*it);
        return ordinal;
    }

    void addSignature(const std::vector<quint64>& words)
    {
        static const std::array<quint64, kHashes> seeds = [] {
            std::array<quint64, kHashes> s {};
            for (int k = 0; k < kHashes; ++k)
                s[size_t(k)] = mix(quint64(k) + 1);
            return s;
        }();
        hasWords.push_back(!words.empty()); // without words nothing is similar to it
        for (int k = 0; k < kHashes; ++k) {
            quint64 least = ~0ULL;
            for (const quint64 w : words)
                least = std::min(least, mix(w ^ seeds[size_t(k)]));
            signatures.push_back(quint16(least));
        }
    }

    /// The share of equal minima: an unbiased estimate of the word sets' Jaccard similarity (less the 2^-16 chance
    /// that 16 bits of two different minima agree).
    double estimate(quint32 a, quint32 b) const
    {
        const quint16* x = signatures.data() + size_t(a) * kHashes;
        const quint16* y = signatures.data() + size_t(b) * kHashes;
        int equal = 0;
        for (int k = 0; k < kHashes; ++k)
            equal += x[k] == y[k];
        constexpr double chance = 1.0 / 65536.0;
        return std::max(0.0, (double(equal) / kHashes - chance) / (1.0 - chance));
    }

    quint64 bandHash(quint32 ordinal, int band) const
    {
        const quint16* x = signatures.data() + size_t(ordinal) * kHashes + size_t(band) * kRows;
        quint64 h = quint64(band) << 56;
        for (int r = 0; r < kRows; ++r)
            h = mix(h ^ x[r]);
        return h;
    }
};

[[noreturn]] void stopped()
{
    throw StorageError(StorageError::Kind::Cancelled, u"the search for duplicates was stopped"_s);
}

/// The groups of ordinals, each sorted, biggest first, then by their oldest member.
void sortGroups(std::vector<std::vector<quint32>>& groups)
{
    for (auto& g : groups)
        std::sort(g.begin(), g.end());
    std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
        return a.size() != b.size() ? a.size() > b.size() : a.front() < b.front();
    });
}

} // namespace

QStringList contentWords(const QString& content)
{
    QStringList words;
    qsizetype start = -1;
    const qsizetype n = content.size();
    for (qsizetype i = 0; i <= n;) {
        char32_t c = U' ';
        qsizetype width = 1;
        if (i < n) {
            c = content.at(i).unicode();
            if (QChar::isHighSurrogate(c) && i + 1 < n && content.at(i + 1).isLowSurrogate()) {
                c = QChar::surrogateToUcs4(content.at(i), content.at(i + 1));
                width = 2;
            }
        }
        const bool wordChar = i < n && (QChar::isLetterOrNumber(c) || QChar::isMark(c));
        if (wordChar && start < 0) {
            start = i;
        } else if (!wordChar && start >= 0) {
            words << content.mid(start, i - start).toCaseFolded();
            start = -1;
        }
        i += width;
    }
    return words;
}

double wordSimilarity(const QString& a, const QString& b)
{
    return jaccard(wordSet(a), wordSet(b));
}

DuplicateScan findDuplicates(PersistenceBackend& store, const DuplicateScanOptions& options,
                             const std::function<bool(qint64 done, qint64 total)>& progress)
{
    if (options.match == DuplicateMatch::Similar && !(options.threshold > 0.0 && options.threshold <= 1.0))
        throw StorageError(StorageError::Kind::InvalidInput,
                           u"the similarity threshold must be above 0 and at most 1"_s);
    DuplicateScan result;
    ScanState state;
    MemoryQuery query;
    query.filter.tombstones = TombstoneFilter::Exclude;
    query.sortKey = SortKey::CreatedAt;
    query.order = Qt::AscendingOrder;
    query.idOrder = Qt::AscendingOrder;
    query.withContent = true;
    const qint64 total = store.count(query.filter);
    bool cancelled = false;
    const int batch = qMax(1, options.batchSize);
    store.scan(
        query,
        [&](QList<Memory>& memories, QList<RecordIssue>& issues) {
            result.issues << issues;
            for (const Memory& m : std::as_const(memories)) {
                ++result.scanned;
                if (m.isTombstoned() || (m.flags & (MemoryFlag::MissingContent | MemoryFlag::Locked)))
                    continue;
                ++result.live;
                const quint32 ordinal = state.add(m);
                switch (options.match) {
                case DuplicateMatch::SameContent:
                    // the tag's 16 hex digits are the SHA-256's first 64 bits: what subcog and the check compare
                    state.keys.emplace_back(contentHashTag(m.content).mid(12).toULongLong(nullptr, 16), ordinal);
                    break;
                case DuplicateMatch::SameWords: {
                    // a text without words (emoji only) has no words to be the same in
                    const QStringList words = contentWords(m.content);
                    if (!words.isEmpty())
                        state.keys.emplace_back(first64(words.join(u' ').toUtf8()), ordinal);
                    break;
                }
                case DuplicateMatch::Similar:
                    state.addSignature(wordSet(m.content));
                    break;
                }
            }
            if (progress && !progress(result.scanned, qMax(total, result.scanned))) {
                cancelled = true;
                return false;
            }
            return true;
        },
        batch);
    if (cancelled)
        stopped();

    std::vector<std::vector<quint32>> groups;
    std::vector<double> similarity;
    if (options.match != DuplicateMatch::Similar) {
        std::sort(state.keys.begin(), state.keys.end());
        for (size_t i = 0; i < state.keys.size();) {
            size_t j = i + 1;
            while (j < state.keys.size() && state.keys[j].first == state.keys[i].first)
                ++j;
            if (j - i > 1) {
                std::vector<quint32> g;
                for (size_t k = i; k < j; ++k)
                    g.push_back(state.keys[k].second);
                groups.push_back(std::move(g));
            }
            i = j;
        }
        state.keys = {};
        sortGroups(groups);
        similarity.assign(groups.size(), 1.0);
    } else {
        // candidates share a whole band of minima; each is compared with its bucket's first and its neighbour in
        // it by the signatures' estimate, and joins their group when that reaches the threshold
        const quint32 n = state.ids.size();
        UnionFind sets(n);
        std::vector<float> least(n, 2.0f); // a group's root → the least similarity that joined it
        const auto join = [&](quint32 a, quint32 b) {
            ++result.candidates;
            const double e = state.estimate(a, b);
            if (e + 1e-9 < options.threshold)
                return;
            const quint32 ra = sets.find(a), rb = sets.find(b);
            const float l = std::min({least[ra], least[rb], float(e)});
            sets.join(ra, rb);
            least[sets.find(a)] = l;
        };
        std::vector<std::pair<quint64, quint32>> band;
        for (int b = 0; b < kBands; ++b) {
            band.clear();
            for (quint32 o = 0; o < n; ++o) {
                if (state.hasWords[o])
                    band.emplace_back(state.bandHash(o, b), o);
            }
            std::sort(band.begin(), band.end());
            for (size_t i = 0; i < band.size();) {
                size_t j = i + 1;
                while (j < band.size() && band[j].first == band[i].first)
                    ++j;
                for (size_t k = i + 1; k < j; ++k) {
                    join(band[i].second, band[k].second);
                    if (k > i + 1)
                        join(band[k - 1].second, band[k].second);
                }
                i = j;
            }
            if (progress && !progress(b + 1, kBands))
                stopped();
        }
        band = {};
        state.signatures = {};
        std::vector<quint32> size(n, 0);
        for (quint32 o = 0; o < n; ++o)
            ++size[sets.find(o)];
        std::unordered_map<quint32, size_t> groupOf;
        for (quint32 o = 0; o < n; ++o) {
            const quint32 root = sets.find(o);
            if (size[root] < 2)
                continue;
            const auto [it, fresh] = groupOf.try_emplace(root, groups.size());
            if (fresh) {
                groups.emplace_back();
                similarity.push_back(std::min(1.0, double(least[root])));
            }
            groups[it->second].push_back(o); // in ordinal order: oldest first
        }
        std::vector<size_t> order(groups.size());
        std::iota(order.begin(), order.end(), size_t(0));
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t x, size_t y) { return groups[x].size() > groups[y].size(); });
        std::vector<std::vector<quint32>> sorted;
        std::vector<double> sortedSimilarity;
        for (const size_t i : order) {
            sorted.push_back(std::move(groups[i]));
            sortedSimilarity.push_back(similarity[i]);
        }
        groups = std::move(sorted);
        similarity = std::move(sortedSimilarity);
    }

    for (size_t i = 0; i < groups.size(); ++i) {
        DuplicateGroup g;
        g.similarity = similarity[i];
        for (const quint32 o : groups[i]) {
            g.ids << state.ids.at(o);
            const QString& ns = state.namespaceNames.at(state.namespaces[o]);
            if (!g.namespaces.contains(ns))
                g.namespaces << ns;
        }
        result.groups << g;
    }
    // each group's first line, from its oldest memory, read in batches
    for (qsizetype i = 0; i < result.groups.size(); i += batch) {
        QStringList ids;
        for (qsizetype k = i; k < std::min(result.groups.size(), i + batch); ++k)
            ids << result.groups[k].ids.first();
        QHash<QString, QString> lines;
        for (const Memory& m : store.getBatch(ids))
            lines.insert(m.id, firstLineOf(m.content));
        for (qsizetype k = i; k < std::min(result.groups.size(), i + batch); ++k)
            result.groups[k].firstLine = lines.value(result.groups[k].ids.first());
        if (progress && !progress(std::min(result.groups.size(), i + batch), result.groups.size()))
            stopped();
    }
    return result;
}

MergePlan planMerge(const Memory& keeper, const QList<Memory>& others, bool edgeTable, qint64 now)
{
    MergePlan plan;
    Memory kept = keeper;
    QStringList tags = keeper.tags;
    std::optional<QStringList> sources = keeper.sourceMemoryIds;
    const QString keptHash = contentHashTag(keeper.content);
    for (const Memory& o : others) {
        QStringList theirs;
        for (const QString& t : o.tags) {
            // another content's hash tag would be a stale one on the kept memory (a summary carries them all)
            if (keeper.isSummary || !t.trimmed().startsWith("hash:sha256:"_L1) || t.trimmed() == keptHash)
                theirs << t;
        }
        MergeRules::appendMissing(tags, theirs);
        if (o.sourceMemoryIds && !o.sourceMemoryIds->isEmpty()) {
            if (!sources)
                sources = QStringList();
            MergeRules::appendMissing(*sources, *o.sourceMemoryIds);
        }
    }
    if (tags != keeper.tags || sources != keeper.sourceMemoryIds) {
        kept.tags = tags;
        kept.sourceMemoryIds = sources;
        kept.updatedAt = qMax(now, kept.createdAt);
    }
    plan.before << keeper;
    plan.after << kept;
    for (const Memory& o : others) {
        Memory gone = o;
        gone.status = statusName(MemoryStatus::Tombstoned);
        gone.tombstonedAt = now;
        gone.updatedAt = qMax(now, gone.createdAt);
        plan.before << o;
        plan.after << gone;
        if (edgeTable)
            plan.edges << MemoryEdge {keeper.id, o.id, u"supersedes"_s, now};
    }
    return plan;
}

QStringList MergeWrite::conflicts(const QList<Memory>& expected, const QList<Memory>& current)
{
    QHash<QString, const Memory*> byId;
    for (const Memory& m : current)
        byId.insert(m.id, &m);
    QStringList out;
    for (const Memory& m : expected) {
        const Memory* now = byId.value(m.id);
        if (!now)
            out << u"memory "_s + m.id + u" was deleted by another writer"_s;
        else if (!now->sameFields(m))
            out << u"memory "_s + m.id + u" was changed by another writer since it was read"_s;
    }
    return out;
}

MergeWritten applyMergeWrites(PersistenceBackend& store, const QList<Memory>& expected, const QList<Memory>& desired,
                              const QList<MemoryEdge>& addEdges, const QList<MemoryEdge>& removeEdges)
{
    PersistenceBackend* inner = &store;
    while (auto* retrying = dynamic_cast<RetryingBackend*>(inner))
        inner = &retrying->inner();
    // SQLite and PostgreSQL: the compare and every write in one transaction
    if (auto written = MergeWrite::sqlite(*inner, expected, desired, addEdges, removeEdges))
        return *written;
    if (isPostgresStore(*inner)) {
        if (auto written = postgresModule().mergeWrite(*inner, expected, desired, addEdges, removeEdges))
            return *written;
    }

    // A folder has no transactions: every memory is compared first, then each file again right before its atomic
    // (temp + rename) write; one changed in between stops the merge, and the files already written go back as
    // they were (each compared again too). Between a file's compare and its rename another writer can still slip
    // in: a folder cannot close that window.
    MergeWritten written;
    if (!addEdges.isEmpty() || !removeEdges.isEmpty()) {
        if (!store.hasEdgeTable())
            throw StorageError(StorageError::Kind::InvalidInput,
                               store.location() + u": the store has no edge table to keep a merge's edges in"_s);
    }
    QStringList ids;
    for (const Memory& m : expected)
        ids << m.id;
    written.conflicts = MergeWrite::conflicts(expected, store.getBatch(ids));
    if (!written.conflicts.isEmpty())
        return written;
    QHash<QString, const Memory*> wanted;
    for (const Memory& m : desired)
        wanted.insert(m.id, &m);
    QList<const Memory*> done; // the expected side of each memory written
    const auto guardedStore = [&](const Memory& was, const Memory& to) {
        const QStringList why = MergeWrite::conflicts({was}, store.getBatch({was.id}));
        if (why.isEmpty())
            store.store(to);
        return why;
    };
    for (const Memory& m : expected) {
        const Memory* to = wanted.value(m.id);
        if (!to)
            continue;
        written.conflicts = guardedStore(m, *to);
        if (!written.conflicts.isEmpty()) {
            for (const Memory* was : std::as_const(done))
                written.conflicts << guardedStore(*wanted.value(was->id), *was);
            return written;
        }
        done << &m;
    }
    if (!removeEdges.isEmpty())
        written.edgesRemoved = store.removeEdges(removeEdges);
    if (!addEdges.isEmpty())
        written.edgesAdded = store.addEdges(addEdges);
    QStringList desiredIds;
    for (const Memory& m : desired)
        desiredIds << m.id;
    written.stored = store.getBatch(desiredIds);
    return written;
}

} // namespace Inspector
