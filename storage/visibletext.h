// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace Inspector {

/// Text from a store, a path or the command line as it may be shown: control characters (C0, DEL, C1) as `\xNN`
/// and the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) as `\uNNNN`, so that a
/// file name or id cannot move a terminal's cursor, or reverse the rest of a line in a title, message or terminal.
/// `keepLineBreaks` leaves `\n` for a multi-line label. Data formats (export, JSON) never go through it.
QString withVisibleControls(const QString& text, bool keepLineBreaks = false);

} // namespace Inspector
