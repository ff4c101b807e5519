// SPDX-License-Identifier: MIT
#include "bulkeditcommand.h"

#include "memorytablemodel.h"
#include "persistencebackend.h"

#include <limits>

using namespace Qt::StringLiterals;

namespace Inspector {

QStringList idsOfRows(PersistenceBackend& store, const MemoryQuery& query,
                      const QList<std::pair<qint64, qint64>>& ranges, const BulkEditProgress& progress)
{
    constexpr int kPage = 1000;
    qint64 total = 0;
    for (const auto& range : ranges)
        total += range.second;
    QStringList ids;
    for (const auto& [first, count] : ranges) {
        MemoryQuery q = query;
        q.after.reset();
        q.fromEnd = false;
        q.withContent = false;
        q.skip = first;
        qint64 left = count;
        while (left > 0) {
            if (progress && !progress(ids.size(), total))
                return ids;
            q.limit = int(qMin<qint64>(kPage, left));
            const Page page = store.query(q);
            for (const Memory& m : page.memories)
                ids << m.id;
            left = page.next && !page.memories.isEmpty() ? left - page.memories.size() : 0;
            q.after = page.next;
            q.skip = 0;
        }
    }
    return ids;
}

QString bulkEditFields(const BulkEdit& edit)
{
    QStringList fields;
    const auto add = [&](const QString& field) {
        if (!fields.contains(field))
            fields << field;
    };
    if (edit.namespaceName)
        add(u"namespace"_s);
    if (edit.status)
        add(u"status"_s);
    if (edit.domain)
        add(u"domain"_s);
    if (edit.projectId)
        add(u"project_id"_s);
    if (edit.branch)
        add(u"branch"_s);
    if (edit.expiresAt)
        add(u"expires_at"_s);
    if (!edit.addTags.isEmpty() || !edit.removeTags.isEmpty())
        add(u"tags"_s);
    for (const BulkEdit::Replacement& r : edit.replacements)
        add(replaceFieldName(r.field));
    return fields.join(u", "_s);
}

QString bulkEditText(const BulkEdit& edit, qint64 memories)
{
    return BulkEditCommand::tr("Bulk edit: %1 on %Ln memories", "",
                               int(qMin<qint64>(memories, std::numeric_limits<int>::max())))
        .arg(bulkEditFields(edit));
}

BulkEditCommand::BulkEditCommand(MemoryTableModel* model, std::shared_ptr<const BulkEditPlan> written,
                                 const QString& text, Started started)
    : QUndoCommand(text)
    , m_model(model)
    , m_plan(std::move(written))
    , m_started(std::move(started))
{
}

void BulkEditCommand::undo()
{
    run(BulkDirection::Undo);
}

void BulkEditCommand::redo()
{
    // pushed after the apply ran: the first redo is the apply itself
    if (std::exchange(m_first, false))
        return;
    run(BulkDirection::Apply);
}

void BulkEditCommand::run(BulkDirection direction)
{
    const bool undo = direction == BulkDirection::Undo;
    const QString what = (undo ? tr("Undo %1") : tr("Redo %1")).arg(text());
    const BackendClient::Job job
        = [plan = m_plan, direction, what](PersistenceBackend& store, const BulkEditProgress& progress) {
              const BulkEditOutcome outcome = applyBulkEdit(store, *plan, direction, progress);
              const bool back = direction == BulkDirection::Undo;
              const auto shown = [](QStringList ids) {
                  if (ids.size() > 5)
                      ids = ids.mid(0, 5) << tr("…");
                  return ids.join(u", "_s);
              };
              QString summary = (back ? tr("%1: %Ln memories put back.", "", int(outcome.written.size()))
                                      : tr("%1: %Ln memories written again.", "", int(outcome.written.size())))
                                    .arg(what);
              if (!outcome.alreadyDone.isEmpty())
                  summary += u' ' + tr("%Ln were already so.", "", int(outcome.alreadyDone.size()));
              if (!outcome.skipped.isEmpty()) {
                  QStringList ids;
                  for (const BulkEditRefusal& r : outcome.skipped)
                      ids << r.id;
                  summary += u' '
                      + tr("%Ln left as they are (another writer changed them since): %1", "", int(ids.size()))
                            .arg(shown(ids));
              }
              if (!outcome.failed.isEmpty()) {
                  QStringList ids;
                  for (const BulkEditRefusal& r : outcome.failed)
                      ids << r.id;
                  summary += u' '
                      + tr("%Ln could not be written and are as they were: %1 (%2)", "", int(ids.size()))
                            .arg(shown(ids), outcome.failed.first().reason);
              }
              if (outcome.cancelled)
                  summary += u' ' + tr("Stopped before the end: the rest is as it was.");
              return summary;
          };
    const RequestId id = m_model->runJob(job);
    if (id && m_started)
        m_started(id);
}

} // namespace Inspector
