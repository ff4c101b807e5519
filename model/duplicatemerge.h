// SPDX-License-Identifier: MIT
#pragma once

#include "backendclient.h"
#include "duplicates.h"

#include <QHash>
#include <QObject>

#include <memory>

namespace Inspector {

class MemoryTableModel;

/**
 * Merges a group of duplicate memories (Tools ▸ Find Duplicates) as one step on the model's undo stack. The merge,
 * its undo and its redo each run as one job on the store's worker (applyMergeWrites): the memories are written
 * only while every one of them is still as it was read (another writer's change is reported, nothing is
 * overwritten), and in a store with an edge table the `supersedes` edges the merge added are removed by its undo.
 */
class DuplicateMerger : public QObject
{
    Q_OBJECT
public:
    explicit DuplicateMerger(MemoryTableModel* model);

    /// Keeps `keeper` and merges `others` into it (planMerge), as the memories were read; false when editing is
    /// not on for the store (then `finished` says why). Answered by finished().
    bool merge(const Memory& keeper, const QList<Memory>& others);
    /// A merge, undo or redo is on its way.
    bool isBusy() const { return !m_jobs.isEmpty(); }

    /// The state one undo command shares with the jobs it starts (they may outlive it).
    struct State
    {
        MergePlan plan;
        QList<Memory> holding; ///< what the store holds now, as read back after the last step
        QList<MemoryEdge> edges; ///< the edges the last merge or redo added
        bool merged = false;
    };
    /// Runs one step of a command: forward (merge, redo) or back (undo).
    void runStep(const std::shared_ptr<State>& state, bool forward, const QString& what);

Q_SIGNALS:
    /// A merge, undo or redo ended: `ok` when it was written, else `message` says why not.
    void finished(bool ok, const QString& message);

private:
    struct Step
    {
        std::shared_ptr<State> state;
        std::shared_ptr<MergeWritten> result;
        bool forward = true;
        bool first = false; ///< the merge itself: on success its command is pushed
        QString what;
    };
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);
    RequestId send(const Step& step);

    MemoryTableModel* m_model;
    QHash<RequestId, Step> m_jobs;
};

} // namespace Inspector
