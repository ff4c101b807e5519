// SPDX-License-Identifier: MIT
#include "folderindex.h"

#include <QThread>

#include <atomic>
#include <cstring>
#include <exception>
#include <thread>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr quint32 kHashTag = 0xFFFFFFFFu; // a list item: the next two words are a content-hash tag's value
constexpr auto kHashPrefix = "hash:sha256:"_L1;

/// The value of a content-hash tag as capture writes it (16 lower-case hex digits), or nullopt.
std::optional<quint64> hashTagValue(const QString& tag)
{
    if (tag.size() != kHashPrefix.size() + 16 || !tag.startsWith(kHashPrefix))
        return std::nullopt;
    quint64 value = 0;
    for (qsizetype i = kHashPrefix.size(); i < tag.size(); ++i) {
        const char16_t c = tag.at(i).unicode();
        value <<= 4;
        if (c >= u'0' && c <= u'9')
            value |= c - u'0';
        else if (c >= u'a' && c <= u'f')
            value |= c - u'a' + 10;
        else
            return std::nullopt;
    }
    return value;
}
} // namespace

FolderIndex::FolderIndex()
{
    m_texts.emplace_back();
    m_lists.push_back(0); // offset 0 means "no list"
}

quint32 FolderIndex::intern(const QString& text)
{
    const auto it = m_numbers.constFind(text);
    if (it != m_numbers.constEnd())
        return *it;
    const quint32 number = quint32(m_texts.size());
    m_texts.push_back(text);
    m_numbers.insert(text, number);
    return number;
}

quint32 FolderIndex::number(const QString& text, Cache* cache)
{
    Cache::Slot* slot = nullptr;
    if (cache) {
        const qsizetype n = text.size();
        const QChar* c = text.constData();
        quint32 h = quint32(n);
        if (n > 0)
            h = ((h * 31 + c[0].unicode()) * 31 + c[n - 1].unicode()) * 31 + c[n / 2].unicode();
        slot = &cache->m_slots[h & 255];
        if (slot->number && slot->text.size() == n
            && std::memcmp(slot->text.constData(), c, size_t(n) * sizeof(QChar)) == 0)
            return slot->number;
    }
    quint32 found = 0;
    {
        const std::lock_guard lock(m_mutex);
        found = intern(text);
    }
    if (slot) {
        slot->text = text;
        slot->number = found;
    }
    return found;
}

void FolderIndex::listItems(const QStringList& items, Cache* cache, Items& out)
{
    out.clear();
    out.append(quint32(items.size()));
    for (const QString& item : items) {
        if (const auto hash = hashTagValue(item)) {
            out.append(kHashTag);
            out.append(quint32(*hash >> 32));
            out.append(quint32(*hash));
        } else {
            out.append(number(item, cache));
        }
    }
}

quint32 FolderIndex::storeList(const Items& items)
{
    const quint32 at = quint32(m_lists.size());
    m_lists.insert(m_lists.end(), items.begin(), items.end());
    return at;
}

void FolderIndex::readList(quint32 at, QStringList& out) const
{
    out.clear();
    const quint32 count = m_lists[at];
    out.reserve(count);
    for (quint32 i = 0, pos = at + 1; i < count; ++i) {
        const quint32 item = m_lists[pos++];
        if (item != kHashTag) {
            out.append(m_texts[item]);
            continue;
        }
        const quint64 value = quint64(m_lists[pos]) << 32 | m_lists[pos + 1];
        pos += 2;
        // one allocation: the prefix and 16 lower-case hex digits written in place
        QString tag(kHashPrefix.size() + 16, Qt::Uninitialized);
        QChar* c = tag.data();
        for (qsizetype k = 0; k < kHashPrefix.size(); ++k)
            c[k] = QLatin1Char(kHashPrefix[k]);
        for (int k = 0; k < 16; ++k)
            c[kHashPrefix.size() + k] = QLatin1Char("0123456789abcdef"[(value >> (60 - 4 * k)) & 15]);
        out.append(std::move(tag));
    }
}

quint32 FolderIndex::enumFlags(quint32 namespaceName, quint32 status)
{
    const quint64 key = quint64(namespaceName) << 32 | status;
    const auto it = m_enumFlags.constFind(key);
    if (it != m_enumFlags.constEnd())
        return *it;
    Memory probe;
    probe.namespaceName = m_texts[namespaceName];
    probe.status = m_texts[status];
    probe.flagEnumStrings();
    m_enumFlags.insert(key, probe.flags.toInt());
    return probe.flags.toInt();
}

FolderIndex::Entry FolderIndex::make(const Memory& m, bool hasEmbedding, Cache* cache)
{
    Entry e;
    e.createdAt = m.createdAt;
    e.updatedAt = m.updatedAt;
    e.tombstonedAt = m.tombstonedAt.value_or(0);
    e.expiresAt = m.expiresAt.value_or(0);
    e.consolidatedAt = m.consolidationTimestamp.value_or(0);
    e.flags = m.flags.toInt();
    e.bits = quint8((m.tombstonedAt ? HasTombstonedAt : 0) | (m.expiresAt ? HasExpiresAt : 0)
                    | (m.consolidationTimestamp ? HasConsolidatedAt : 0) | (m.isSummary ? IsSummary : 0)
                    | (hasEmbedding ? HasEmbedding : 0) | (m.domainParts ? HasDomainParts : 0));
    // a locked file's memory has no namespace or status text at all: absent, read back as null like before
    const bool locked = m.flags.testFlag(MemoryFlag::Locked);
    e.namespaceName = locked ? 0 : number(m.namespaceName, cache);
    e.status = locked ? 0 : number(m.status, cache);
    e.domain = m.domain.isNull() ? 0 : number(m.domain, cache);
    if (m.domainParts) {
        e.org = optionalNumber(m.domainParts->organization, cache);
        e.project = optionalNumber(m.domainParts->project, cache);
        e.repo = optionalNumber(m.domainParts->repository, cache);
    }
    e.projectId = optionalNumber(m.projectId, cache);
    e.branch = optionalNumber(m.branch, cache);
    e.filePath = optionalNumber(m.filePath, cache);
    e.source = optionalNumber(m.source, cache);
    Items tags;
    listItems(m.tags, cache, tags);
    Items sources;
    if (m.sourceMemoryIds)
        listItems(*m.sourceMemoryIds, cache, sources);
    const std::lock_guard lock(m_mutex);
    if (!locked)
        e.flags |= enumFlags(e.namespaceName, e.status);
    e.tags = storeList(tags);
    e.sourceIds = m.sourceMemoryIds ? storeList(sources) : 0;
    return e;
}

void FolderIndex::fill(Memory& m, const QString& id, const Entry& e, bool withTags) const
{
    auto optional = [&](quint32 number) { return number ? std::optional<QString>(m_texts[number]) : std::nullopt; };
    m.id = id;
    m.content.clear();
    m.namespaceName = m_texts[e.namespaceName];
    m.domain = m_texts[e.domain];
    if (e.bits & HasDomainParts)
        m.domainParts = Domain {optional(e.org), optional(e.project), optional(e.repo)};
    else
        m.domainParts.reset();
    m.projectId = optional(e.projectId);
    m.branch = optional(e.branch);
    m.filePath = optional(e.filePath);
    m.status = m_texts[e.status];
    m.createdAt = e.createdAt;
    m.updatedAt = e.updatedAt;
    m.tombstonedAt = (e.bits & HasTombstonedAt) ? std::optional<qint64>(e.tombstonedAt) : std::nullopt;
    m.expiresAt = (e.bits & HasExpiresAt) ? std::optional<qint64>(e.expiresAt) : std::nullopt;
    m.embedding.reset();
    if (withTags)
        readList(e.tags, m.tags);
    else
        m.tags.clear();
    m.groupId.reset();
    m.source = optional(e.source);
    m.isSummary = e.bits & IsSummary;
    if (e.sourceIds) {
        if (!m.sourceMemoryIds)
            m.sourceMemoryIds.emplace();
        readList(e.sourceIds, *m.sourceMemoryIds);
    } else {
        m.sourceMemoryIds.reset();
    }
    m.consolidationTimestamp = (e.bits & HasConsolidatedAt) ? std::optional<qint64>(e.consolidatedAt) : std::nullopt;
    m.flags = MemoryFlags::fromInt(e.flags);
}

const QString& FolderIndex::sortText(const MemoryQuery& query, const Entry& entry) const
{
    return m_texts[query.sortKey == SortKey::Status ? entry.status : entry.namespaceName];
}

bool FolderIndex::comesBefore(const MemoryQuery& query, qint64 createdA, const QString& keyA, const QString& idA,
                              qint64 createdB, const QString& keyB, const QString& idB)
{
    // MemoryQuery::comesBefore on the fields it reads
    int c = 0;
    switch (query.sortKey) {
    case SortKey::CreatedAt:
        c = createdA < createdB ? -1 : createdA > createdB ? 1 : 0;
        break;
    case SortKey::Id:
        break;
    case SortKey::Namespace:
    case SortKey::Status:
        c = keyA.compare(keyB);
        break;
    }
    if (c != 0)
        return query.order == Qt::DescendingOrder ? c > 0 : c < 0;
    const bool idDescending = (query.sortKey == SortKey::Id ? query.order : query.idOrder) == Qt::DescendingOrder;
    const int idc = idA.compare(idB);
    return idDescending ? idc > 0 : idc < 0;
}

int FolderIndex::threadsFor(qsizetype count)
{
    // Parsing a file is CPU work once the kernel has it cached (the usual case: the folder was listed a moment
    // ago), so one thread per processor; more would only take turns. Few items are not worth a thread.
    return int(qBound<qsizetype>(1, qMin<qsizetype>(QThread::idealThreadCount(), 8), count / 64 + 1));
}

void FolderIndex::parallelFor(qsizetype count, const std::function<void(qsizetype, int)>& work,
                              const std::function<bool()>& stop)
{
    const int threads = threadsFor(count);
    std::atomic<qsizetype> next {0};
    std::exception_ptr failure;
    std::mutex failureMutex;
    auto run = [&](int thread) {
        try {
            for (qsizetype i = next++; i < count; i = next++) {
                if (stop())
                    return;
                work(i, thread);
            }
        } catch (...) {
            const std::lock_guard lock(failureMutex);
            if (!failure)
                failure = std::current_exception();
            next = count; // the others stop at their next item
        }
    };
    std::vector<std::thread> helpers;
    helpers.reserve(size_t(threads - 1));
    for (int t = 1; t < threads; ++t)
        helpers.emplace_back(run, t);
    run(0);
    for (std::thread& helper : helpers)
        helper.join();
    if (failure)
        std::rethrow_exception(failure);
}

} // namespace Inspector
