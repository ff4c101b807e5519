// SPDX-License-Identifier: MIT
#include "duplicates.h"

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

constexpr int kBands = 12; // Similar: MinHash bands of kRows minima each (see findSimilar)
constexpr int kRows = 3;
constexpr qsizetype kAllPairsUpTo = 32; // a bigger bucket is compared as a chain of neighbours

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
    std::array<std::vector<std::pair<quint32, quint32>>, kBands> bands; // Similar: (band hash, ordinal)

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

    void addSignature(const std::vector<quint64>& words, quint32 ordinal)
    {
        if (words.empty())
            return; // no words, nothing to be similar in
        for (int b = 0; b < kBands; ++b) {
            quint64 band = 0;
            for (int r = 0; r < kRows; ++r) {
                const quint64 seed = mix(quint64(b * kRows + r + 1));
                quint64 least = ~0ULL;
                for (const quint64 w : words)
                    least = std::min(least, mix(w ^ seed));
                band = mix(band ^ least);
            }
            bands[size_t(b)].emplace_back(quint32(band), ordinal);
        }
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
                case DuplicateMatch::SameWords:
                    state.keys.emplace_back(first64(contentWords(m.content).join(u' ').toUtf8()), ordinal);
                    break;
                case DuplicateMatch::Similar:
                    state.addSignature(wordSet(m.content), ordinal);
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
        // candidates: memories sharing a whole band of MinHash minima (LSH), compared exactly afterwards
        std::vector<quint64> pairs;
        for (auto& band : state.bands) {
            std::sort(band.begin(), band.end());
            for (size_t i = 0; i < band.size();) {
                size_t j = i + 1;
                while (j < band.size() && band[j].first == band[i].first)
                    ++j;
                const size_t n = j - i;
                for (size_t a = i; n > 1 && a < j; ++a) {
                    // a big bucket is mostly a big family of copies: neighbours chain it together
                    const size_t last = n <= size_t(kAllPairsUpTo) ? j : std::min(j, a + 2);
                    for (size_t b = a + 1; b < last; ++b)
                        pairs.push_back(quint64(band[a].second) << 32 | band[b].second);
                }
                i = j;
            }
            band = {};
        }
        std::sort(pairs.begin(), pairs.end());
        pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
        result.candidates = qint64(pairs.size());

        // the candidates' word sets, read again in batches
        std::vector<quint32> wanted;
        for (const quint64 p : pairs) {
            wanted.push_back(quint32(p >> 32));
            wanted.push_back(quint32(p));
        }
        std::sort(wanted.begin(), wanted.end());
        wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
        std::unordered_map<quint32, std::vector<quint64>> words;
        for (size_t i = 0; i < wanted.size(); i += size_t(batch)) {
            QStringList ids;
            QHash<QString, quint32> ordinalOf;
            for (size_t k = i; k < std::min(wanted.size(), i + size_t(batch)); ++k) {
                const QString id = state.ids.at(wanted[k]);
                ids << id;
                ordinalOf.insert(id, wanted[k]);
            }
            for (const Memory& m : store.getBatch(ids))
                words[ordinalOf.value(m.id)] = wordSet(m.content);
            if (progress && !progress(qint64(std::min(wanted.size(), i + size_t(batch))), qint64(wanted.size())))
                stopped();
        }
        UnionFind sets(state.ids.size());
        std::unordered_map<quint32, double> least; // a set's root → the least similarity that joined it
        std::vector<std::tuple<quint32, quint32, double>> joined;
        for (const quint64 p : pairs) {
            const quint32 a = quint32(p >> 32), b = quint32(p);
            const auto wa = words.find(a), wb = words.find(b);
            if (wa == words.end() || wb == words.end())
                continue; // gone since the first pass
            const double s = jaccard(wa->second, wb->second);
            if (s + 1e-12 >= options.threshold) {
                sets.join(a, b);
                joined.emplace_back(a, b, s);
            }
        }
        std::unordered_map<quint32, size_t> groupOf;
        for (const auto& [a, b, s] : joined) {
            for (const quint32 o : {a, b}) {
                const quint32 root = sets.find(o);
                auto [it, fresh] = groupOf.try_emplace(root, groups.size());
                if (fresh)
                    groups.emplace_back();
                std::vector<quint32>& g = groups[it->second];
                if (std::find(g.begin(), g.end(), o) == g.end())
                    g.push_back(o);
            }
            const quint32 root = sets.find(a);
            least[root] = std::min(least.count(root) ? least[root] : 1.0, s);
        }
        std::vector<std::pair<std::vector<quint32>, double>> tagged;
        for (auto& g : groups) {
            const double s = least[sets.find(g.front())];
            tagged.emplace_back(std::move(g), s);
        }
        std::sort(tagged.begin(), tagged.end(), [](const auto& x, const auto& y) {
            return x.first.size() != y.first.size()
                ? x.first.size() > y.first.size()
                : *std::min_element(x.first.begin(), x.first.end()) < *std::min_element(y.first.begin(), y.first.end());
        });
        groups.clear();
        for (auto& [g, s] : tagged) {
            std::sort(g.begin(), g.end());
            groups.push_back(std::move(g));
            similarity.push_back(s);
        }
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
    for (const Memory& o : others) {
        MergeRules::appendMissing(tags, o.tags);
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

MergeWritten applyMergeWrites(PersistenceBackend& store, const QList<Memory>& expected, const QList<Memory>& desired,
                              const QList<MemoryEdge>& addEdges, const QList<MemoryEdge>& removeEdges)
{
    MergeWritten written;
    QStringList ids;
    for (const Memory& m : expected)
        ids << m.id;
    QHash<QString, Memory> current;
    for (const Memory& m : store.getBatch(ids))
        current.insert(m.id, m);
    for (const Memory& m : expected) {
        const auto it = current.constFind(m.id);
        if (it == current.cend())
            written.conflicts << u"memory "_s + m.id + u" was deleted by another writer"_s;
        else if (!it->sameFields(m))
            written.conflicts << u"memory "_s + m.id + u" was changed by another writer since it was read"_s;
    }
    if (!written.conflicts.isEmpty())
        return written;
    if (!removeEdges.isEmpty())
        written.edgesRemoved = store.removeEdges(removeEdges);
    store.storeBatch(desired);
    try {
        if (!addEdges.isEmpty())
            written.edgesAdded = store.addEdges(addEdges);
    } catch (const StorageError&) {
        // the memories go back as they were, so the store is never left half merged
        store.storeBatch(expected);
        if (!written.edgesRemoved.isEmpty())
            store.addEdges(written.edgesRemoved);
        throw;
    }
    QStringList desiredIds;
    for (const Memory& m : desired)
        desiredIds << m.id;
    written.stored = store.getBatch(desiredIds);
    return written;
}

} // namespace Inspector
