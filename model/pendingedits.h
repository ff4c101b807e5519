// SPDX-License-Identifier: MIT
#pragma once

#include "backendclient.h"

#include <QHash>

#include <memory>
#include <optional>

namespace Inspector {

/// A guarded write on its way to the store, as it was sent.
struct PendingWrite
{
    QList<WriteOp> ops;
    std::shared_ptr<bool> failed; ///< set by the model when nothing of the write reached the store (may be null)
};

/**
 * The edits on their way: which memories have a write out, what each shows meanwhile, and which write request
 * carried which operations. A memory being written shows its new state (a delete keeps showing the memory) until
 * every write of it has been answered. Pure bookkeeping: no store, no signals.
 */
class PendingEdits
{
public:
    /// `ops` went out as request `id`; the memories they touch now show what they write.
    void add(RequestId id, const QList<WriteOp>& ops, std::shared_ptr<bool> failed = {});
    /// The write answered by request `id`, taken out of the overlay; nullopt if `id` is not a write sent here.
    std::optional<PendingWrite> finish(RequestId id);
    /// The operations of write request `id` (none if it is not one).
    QList<WriteOp> ops(RequestId id) const { return m_writes.value(id).ops; }

    bool isWrite(RequestId id) const { return m_writes.contains(id); }
    /// Writes are on their way.
    bool isWriting() const { return !m_writes.isEmpty(); }
    /// Memory `id` has a write on its way.
    bool contains(const QString& id) const { return m_memories.contains(id); }
    /// What memory `id` shows while its writes are out, or nullptr when it has none.
    const Memory* shown(const QString& id) const;
    void clear();

private:
    struct Overlay
    {
        int writes = 0;
        std::optional<Memory> shown;
    };
    QHash<QString, Overlay> m_memories;
    QHash<RequestId, PendingWrite> m_writes;
};

} // namespace Inspector
