// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"

#include <QByteArray>

namespace Inspector {

/// Appends `text` as a JSON string literal (UTF-8, non-ASCII raw, control characters escaped).
void appendJsonString(QByteArray& out, QStringView text);
/// The same for text that is already valid UTF-8 (the caller checks): bytes copied, the same characters escaped.
void appendJsonUtf8String(QByteArray& out, QByteArrayView utf8);
/// Writes `utf8` as a JSON string literal at `p`, which has room for 6 * utf8.size() + 2 bytes; returns the end.
char* writeJsonUtf8String(char* p, QByteArrayView utf8);
/// Appends a decimal integer.
void appendJsonNumber(QByteArray& out, qint64 value);

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
