// SPDX-License-Identifier: MIT
#include "pagecache.h"

namespace Inspector {

PageCache::PageCache(qsizetype capacityRows)
    : m_capacity(qMax<qsizetype>(1, capacityRows))
{
}

void PageCache::setCapacityRows(qsizetype rows)
{
    m_capacity = qMax<qsizetype>(1, rows);
    evict();
}

void PageCache::insert(qsizetype page, QList<Memory> rows)
{
    remove(page);
    m_use.push_front(page);
    m_rows += rows.size();
    m_pages.insert(page, Slot {std::move(rows), m_use.begin()});
    evict();
}

const QList<Memory>* PageCache::find(qsizetype page)
{
    const auto it = m_pages.find(page);
    if (it == m_pages.end())
        return nullptr;
    m_use.splice(m_use.begin(), m_use, it->use);
    return &it->rows;
}

QList<Memory>* PageCache::peek(qsizetype page)
{
    const auto it = m_pages.find(page);
    return it == m_pages.end() ? nullptr : &it->rows;
}

void PageCache::remove(qsizetype page)
{
    const auto it = m_pages.find(page);
    if (it == m_pages.end())
        return;
    m_rows -= it->rows.size();
    m_use.erase(it->use);
    m_pages.erase(it);
}

void PageCache::clear()
{
    m_pages.clear();
    m_use.clear();
    m_rows = 0;
}

void PageCache::evict()
{
    // the page just inserted stays even when it alone is over the bound
    while (m_rows > m_capacity && m_pages.size() > 1)
        remove(m_use.back());
}

} // namespace Inspector
