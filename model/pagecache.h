// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"

#include <QHash>

#include <list>

namespace Inspector {

/**
 * Pages of rows kept for a view, bounded by a row count: inserting past the bound evicts the least recently
 * used pages, which are simply requested again when the view comes back to them.
 */
class PageCache
{
public:
    explicit PageCache(qsizetype capacityRows = 5000);

    qsizetype capacityRows() const { return m_capacity; }
    /// Changes the bound; evicts at once when the cache holds more.
    void setCapacityRows(qsizetype rows);

    /// Stores a page (replacing an older copy) and marks it most recently used.
    void insert(qsizetype page, QList<Memory> rows);
    /// The page's rows, marked most recently used; nullptr when not cached.
    const QList<Memory>* find(qsizetype page);
    bool contains(qsizetype page) const { return m_pages.contains(page); }
    /// The page's rows for an in-place update (an edit landed), without changing its recency.
    QList<Memory>* peek(qsizetype page);
    /// Cached page numbers, most recently used first.
    QList<qsizetype> pagesByRecency() const { return QList<qsizetype>(m_use.begin(), m_use.end()); }
    /// Drops one page, e.g. after an edit changed it.
    void remove(qsizetype page);
    void clear();

    qsizetype rowCount() const { return m_rows; }
    qsizetype pageCount() const { return m_pages.size(); }

private:
    struct Slot
    {
        QList<Memory> rows;
        std::list<qsizetype>::iterator use;
    };
    void evict();

    qsizetype m_capacity;
    qsizetype m_rows = 0;
    QHash<qsizetype, Slot> m_pages;
    std::list<qsizetype> m_use; ///< most recently used first
};

} // namespace Inspector
