// SPDX-License-Identifier: MIT
#pragma once

class QSqlDatabase;

namespace Inspector {

/// Runs subcog's HEAD initialisation sequence (spec §4.2) on an open, empty database, in WAL mode.
void createSubcogSchema(QSqlDatabase& db);

} // namespace Inspector
