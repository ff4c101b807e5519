// SPDX-License-Identifier: MIT
// What the three kinds of repair undo share: memories' images grouped, and whole files read and written.
#pragma once

#include "repairundo.h"

#include <QHash>

namespace Inspector::RepairUndo {

/// Images grouped by memory, in the order the memories first appear.
QList<QList<const RepairImage*>> byMemory(const RepairImages& images);

RepairRestoreOutcome restoreSqlite(const RepairImages& images, bool undo);
RepairRestoreOutcome restorePostgres(const RepairImages& images, bool undo);

namespace Folder {
/// A directory entry as it is: `f`, its mode in four octal digits and the bytes of a file; `l` and the target of a
/// link (never followed: a link moved out of a folder store is put back as the link it was); nullopt when there is
/// none.
std::optional<QByteArray> read(const QString& path);
/// The size read() would take for it, without reading it.
qint64 sizeOf(const QString& path);
void write(const QString& path, const QByteArray& state);
RepairRestoreOutcome restore(const RepairImages& images, bool undo);
} // namespace Folder

} // namespace Inspector::RepairUndo
