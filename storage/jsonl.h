// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"

#include <QByteArray>

namespace Inspector {

/// Appends `text` as a JSON string literal (UTF-8, non-ASCII raw, control characters escaped).
void appendJsonString(QByteArray& out, QStringView text);

/**
 * The inspector's full-fidelity JSON Lines record: one compact object, every key always present, in the
 * order id, content, namespace, domain, project_id, branch, file_path, status, created_at, updated_at,
 * tombstoned_at, expires_at, tags, source, is_summary, source_memory_ids, consolidation_timestamp, group_id.
 * Appends the object and a newline to `out`.
 */
void appendJsonLine(QByteArray& out, const Memory& memory);

/// The same object without the newline.
void appendJsonObject(QByteArray& out, const Memory& memory);

/// One line of subcog's own `subcog export` NDJSON (spec §11), which `subcog import` reads back.
void appendSubcogExportLine(QByteArray& out, const Memory& memory);

} // namespace Inspector
