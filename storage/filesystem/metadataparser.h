// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"

#include <QByteArrayView>

namespace Inspector {

/**
 * A fast reading of a folder file's JSON text (spec §6.2) for the folder index: every field but `content` and
 * `embedding`, whose text is checked but not decoded (`hasEmbedding`: the embedding is a list with values), and
 * without the unknown keys (checked, not kept).
 *
 * It answers true only when parseMemoryFile() would accept the same text and read the same values (everything
 * subcog's serde writes); for anything else (a damaged file, a byte-order mark, an escaped key, a number at the
 * edge of a double, seconds beyond 2^53, …) it answers false, having decided nothing: the caller then asks
 * parseMemoryFile(), whose verdict and reason stand.
 */
/// `flagEnums`: set the flags of the namespace and status strings (Memory::flagEnumStrings()); the index, which
/// knows them for each distinct string, does without.
bool parseMemoryMetadata(QByteArrayView text, Memory* memory, bool* hasEmbedding, bool flagEnums = true);

} // namespace Inspector
