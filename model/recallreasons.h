// SPDX-License-Identifier: MIT
// Why subcog's recall would not return a memory: the table's "Hidden from recall" column.
#pragma once

#include "memory.h"

#include <QCoreApplication>

namespace Inspector {

/// The project and branch subcog's recall runs in (a git remote as project_id holds it, and a branch name). Empty
/// parts are not judged: with neither set, no memory is "other project or branch".
struct RecallContext
{
    QString project;
    QString branch;
    bool isEmpty() const { return project.isEmpty() && branch.isEmpty(); }
    friend bool operator==(const RecallContext&, const RecallContext&) = default;
};

/// One reason, as the column lists it, and the sentence its tooltip gives.
struct RecallReason
{
    QString label;
    QString explanation;
};

class RecallReasons
{
    Q_DECLARE_TR_FUNCTIONS(RecallReasons)
public:
    /// Why recall in `context` at `now` (Unix seconds) would not return `memory`, in a fixed order: tombstoned (either
    /// sense), no full-text row, other project, other branch, expired. Empty when it would be returned.
    static QList<RecallReason> of(const Memory& memory, const RecallContext& context, qint64 now);
    /// The cell: the labels, comma-separated.
    static QString text(const QList<RecallReason>& reasons);
    /// The cell's tooltip: one explanation a line.
    static QString tooltip(const QList<RecallReason>& reasons);
    static QString title();
    /// The header's tooltip; says where the context comes from.
    static QString description(const RecallContext& context);
};

} // namespace Inspector
