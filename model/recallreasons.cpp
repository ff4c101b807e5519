// SPDX-License-Identifier: MIT
#include "recallreasons.h"

#include "memoryfields.h"

using namespace Qt::StringLiterals;

namespace Inspector {

QList<RecallReason> RecallReasons::of(const Memory& m, const RecallContext& context, qint64 now)
{
    QList<RecallReason> reasons;
    // spec §1.8 and §15: status `tombstoned` (user delete, lazy tombstoning) or tombstoned_at (garbage collectors)
    if (m.effectiveStatus() == MemoryStatus::Tombstoned)
        reasons << RecallReason {tr("tombstoned"),
                                 tr("Status is 'tombstoned': subcog's recall and list leave it out.")};
    else if (m.tombstonedAt)
        reasons << RecallReason {tr("tombstoned"),
                                 tr("tombstoned_at is set (%1): tombstoned by a garbage collector; recall treats it as "
                                    "deleted.")
                                     .arg(MemoryFields::formatTime(*m.tombstonedAt))};
    if (m.flags & MemoryFlag::MissingContent)
        reasons << RecallReason {tr("no full-text row"),
                                 tr("The SQLite full-text table has no row for this id: subcog reads every memory "
                                    "through a join on it, so recall never sees this one.")};
    const auto shown = [](const std::optional<QString>& value) -> QString {
        return value ? QString(u"'"_s + *value + u"'"_s) : tr("none");
    };
    if (!context.project.isEmpty() && m.projectId != context.project)
        reasons << RecallReason {tr("other project"),
                                 tr("project_id is %1; recall in %2 returns that project's memories only.")
                                     .arg(shown(m.projectId), shown(context.project))};
    if (!context.branch.isEmpty() && m.branch != context.branch)
        reasons << RecallReason {tr("other branch"),
                                 tr("branch is %1; recall on branch %2 returns that branch's memories only.")
                                     .arg(shown(m.branch), shown(context.branch))};
    if (m.expiresAt && *m.expiresAt < now)
        reasons << RecallReason {tr("expired"),
                                 tr("expires_at (%1) has passed. subcog does not enforce expiry today, so its recall "
                                    "may still return it (spec §15 expired-active); Tombstone it to hide it.")
                                     .arg(MemoryFields::formatTime(*m.expiresAt))};
    return reasons;
}

QString RecallReasons::text(const QList<RecallReason>& reasons)
{
    QStringList labels;
    for (const RecallReason& r : reasons)
        labels << r.label;
    return labels.join(u", "_s);
}

QString RecallReasons::tooltip(const QList<RecallReason>& reasons)
{
    if (reasons.isEmpty())
        return tr("Recall would return this memory.");
    QStringList lines;
    for (const RecallReason& r : reasons)
        lines << r.explanation;
    return lines.join(u'\n');
}

QString RecallReasons::title()
{
    return tr("Hidden from recall");
}

QString RecallReasons::description(const RecallContext& context)
{
    QString text = tr("Why subcog's recall would not return the memory: tombstoned, no full-text row, other project "
                      "or branch, expired. Not a stored field; cannot be sorted by (filter with tombstoned:, "
                      "flag:missing-content, project:, branch: or expired: instead).");
    if (context.isEmpty())
        text += u'\n'
            + tr("Set the project and branch recall runs in with View ▸ Recall Context… to judge other "
                 "projects and branches.");
    else
        text += u'\n'
            + tr("Recall context: project %1, branch %2 (View ▸ Recall Context…).")
                  .arg(context.project.isEmpty() ? tr("any") : context.project,
                       context.branch.isEmpty() ? tr("any") : context.branch);
    return text;
}

} // namespace Inspector
