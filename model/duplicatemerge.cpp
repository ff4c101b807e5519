// SPDX-License-Identifier: MIT
#include "duplicatemerge.h"

#include "memorytablemodel.h"

#include <QDateTime>
#include <QPointer>
#include <QUndoCommand>
#include <QUndoStack>

#include <utility>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
/// A merge as one step on the window's undo stack: undo writes the memories back as they were and removes the
/// edges the merge added, redo merges again; each only while the memories are as the step before left them.
class MergeDuplicatesCommand : public QUndoCommand
{
public:
    MergeDuplicatesCommand(DuplicateMerger* merger, std::shared_ptr<DuplicateMerger::State> state, const QString& text)
        : QUndoCommand(text)
        , m_merger(merger)
        , m_state(std::move(state))
    {
    }
    void undo() override
    {
        if (m_merger)
            m_merger->runStep(m_state, false, DuplicateMerger::tr("Undo %1").arg(text()));
    }
    void redo() override
    {
        // pushed after the merge was written: the first redo is the merge itself
        if (std::exchange(m_first, false))
            return;
        if (m_merger)
            m_merger->runStep(m_state, true, DuplicateMerger::tr("Redo %1").arg(text()));
    }

private:
    QPointer<DuplicateMerger> m_merger;
    std::shared_ptr<DuplicateMerger::State> m_state;
    bool m_first = true;
};
} // namespace

DuplicateMerger::DuplicateMerger(MemoryTableModel* model)
    : QObject(model)
    , m_model(model)
{
    connect(m_model, &MemoryTableModel::jobFinished, this, &DuplicateMerger::onJobFinished);
    // another store: the answers of the old one's jobs never come
    connect(m_model, &MemoryTableModel::storeOpened, this, [this] { m_jobs.clear(); });
}

bool DuplicateMerger::merge(const Memory& keeper, const QList<Memory>& others)
{
    if (!m_model->isEditingEnabled()) {
        Q_EMIT finished(false,
                        m_model->isStoreReadOnly() ? tr("The store is open read-only.")
                                                   : tr("Editing is not switched on for this store."));
        return false;
    }
    if (others.isEmpty()) {
        Q_EMIT finished(false, tr("Nothing to merge: the group has one memory."));
        return false;
    }
    Step step;
    step.state = std::make_shared<State>();
    step.state->plan.before << keeper << others; // planned again on the worker, with the store's edge table
    step.first = true;
    step.what = tr("Merge %n duplicates into %1", "", int(others.size())).arg(keeper.id);
    return send(step) != 0;
}

void DuplicateMerger::runStep(const std::shared_ptr<State>& state, bool forward, const QString& what)
{
    Step step;
    step.state = state;
    step.forward = forward;
    step.what = what;
    send(step);
}

RequestId DuplicateMerger::send(const Step& s)
{
    Step step = s;
    step.result = std::make_shared<MergeWritten>();
    const auto state = step.state;
    const auto result = step.result;
    const bool forward = step.forward;
    const bool first = step.first;
    const QList<Memory> group = first ? state->plan.before : QList<Memory>();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    // The state is read and written on the worker only: steps run there one after another, in the order sent.
    const RequestId id = m_model->runJob([=](PersistenceBackend& store, const auto&) -> QString {
        if (first)
            state->plan = planMerge(group.first(), group.mid(1), store.hasEdgeTable(), now);
        else if (forward == state->merged)
            return {}; // a step whose write was refused before: nothing to take back or do again
        const MergePlan& plan = state->plan;
        *result = forward ? applyMergeWrites(store, first ? plan.before : state->holding, plan.after, plan.edges, {})
                          : applyMergeWrites(store, state->holding, plan.before, {}, state->edges);
        if (result->conflicts.isEmpty()) {
            state->holding = result->stored;
            state->edges = forward ? result->edgesAdded : QList<MemoryEdge>();
            state->merged = forward;
        }
        return {};
    });
    if (id)
        m_jobs.insert(id, step);
    else
        Q_EMIT finished(false, tr("No store is open."));
    return id;
}

void DuplicateMerger::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (id == 0 || !m_jobs.contains(id))
        return;
    const Step step = m_jobs.take(id);
    const MergeWritten& r = *step.result;
    QString message;
    bool ok = false;
    if (cancelled || failed) {
        message = tr("%1 failed: %2").arg(step.what, cancelled ? tr("it was stopped") : summary);
    } else if (!r.conflicts.isEmpty()) {
        message = tr("%1 was not done, nothing was written: %2").arg(step.what, r.conflicts.join(u"; "_s));
    } else {
        ok = true;
        const int merged = int(step.state->plan.after.size()) - 1;
        if (step.first) {
            message
                = tr("%n memories merged into %1 and tombstoned.", "", merged).arg(step.state->plan.after.value(0).id);
            if (!r.edgesAdded.isEmpty())
                message += u' ' + tr("%n supersedes edges added.", "", int(r.edgesAdded.size()));
            m_model->undoStack()->push(new MergeDuplicatesCommand(this, step.state, step.what));
        } else {
            message = tr("%1: done.").arg(step.what);
        }
    }
    m_model->refresh(); // the rows changed, or another writer's change was found
    Q_EMIT finished(ok, message);
}

} // namespace Inspector
