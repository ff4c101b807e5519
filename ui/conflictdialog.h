// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"

#include <QDialog>

namespace Inspector {

/// Both versions of a memory side by side after another writer changed it first; the user picks one.
class ConflictDialog : public QDialog
{
    Q_OBJECT
public:
    ConflictDialog(const Memory& mine, const std::optional<Memory>& theirs, const QString& message,
                   QWidget* parent = nullptr);

Q_SIGNALS:
    /// Write my version over theirs (a new, guarded edit based on their version).
    void applyMine(const Inspector::Memory& theirs, const Inspector::Memory& mine);
};

} // namespace Inspector
