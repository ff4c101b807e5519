// SPDX-License-Identifier: MIT
#include "pendingedits.h"

namespace Inspector {

void PendingEdits::add(RequestId id, const QList<WriteOp>& ops, std::shared_ptr<bool> failed)
{
    for (const WriteOp& op : ops) {
        Overlay& o = m_memories[op.id];
        ++o.writes;
        // a pending delete keeps showing the memory (marked pending) until the store confirms
        o.shown = op.desired ? op.desired : op.expected;
    }
    m_writes.insert(id, PendingWrite {ops, std::move(failed)});
}

std::optional<PendingWrite> PendingEdits::finish(RequestId id)
{
    const auto it = m_writes.find(id);
    if (it == m_writes.end())
        return std::nullopt;
    PendingWrite write = std::move(*it);
    m_writes.erase(it);
    for (const WriteOp& op : std::as_const(write.ops)) {
        const auto o = m_memories.find(op.id);
        if (o != m_memories.end() && --o->writes <= 0)
            m_memories.erase(o);
    }
    return write;
}

const Memory* PendingEdits::shown(const QString& id) const
{
    const auto it = m_memories.constFind(id);
    return it != m_memories.constEnd() && it->shown ? &*it->shown : nullptr;
}

void PendingEdits::clear()
{
    m_memories.clear();
    m_writes.clear();
}

} // namespace Inspector
