// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace Inspector {

/// Creates a demo store in subcog's SQLite layout at `path` (parent folders too) unless it exists.
/// Returns true when it was created now. Throws StorageError on failure.
bool ensureDemoStore(const QString& path);

} // namespace Inspector
