// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"

#include <QByteArray>
#include <QJsonObject>

namespace Inspector {

/// A decoded `<id>.json` file of subcog's filesystem backend (spec §6.2).
struct MemoryFile
{
    Memory memory;
    QJsonObject unknownKeys; ///< keys subcog does not know; written back after the known ones
};

/// Appends an f32 the way serde_json writes it (ryu's shortest round-trip form: `1.0`, `0.25`, `1e-7`).
void appendSerdeFloat(QByteArray& out, float value);

/// The file text subcog's `serde_json::to_string_pretty` writes for a memory: every field in subcog's order,
/// two-space indentation, raw UTF-8, no trailing newline. Unknown keys follow the known ones.
QByteArray serializeMemoryFile(const Memory& memory, const QJsonObject& unknownKeys = {});

/// Decodes a file's JSON text (clear text, not encrypted). Returns the reason on failure.
std::optional<MemoryFile> parseMemoryFile(const QByteArray& text, QString* reason);

} // namespace Inspector
