// SPDX-License-Identifier: MIT
// The direct JSON line of a memories row whose columns need no decoding decisions: read and checked from the
// statement, copied compactly (so another thread can write the line after the statement has moved on), written.
#pragma once

#include "sqliteinternal.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QSet>

#include <array>

struct sqlite3_stmt;

namespace Inspector::SqliteInternal {

/// A plain row's columns: views into SQLite's values (valid until the next step) or into a capture.
struct PlainCells
{
    std::array<int, FieldCount> types {}; ///< SQLITE_TEXT, SQLITE_INTEGER or SQLITE_NULL (FContent unused)
    std::array<QByteArrayView, FieldCount> texts;
    std::array<qint64, FieldCount> ints {};
    QByteArrayView content; ///< the FTS row's content ("" when NULL)

    /// The bytes of text the line is made of (to tell a large memory).
    qsizetype textBytes() const;
};

/// Reads a joined row (the scan's select list plus the FTS columns) when every column has the type subcog writes,
/// the text is valid UTF-8, the FTS row is the memory's and its id is not one of `duplicateIds`; false otherwise,
/// for the general decoder.
bool readPlainCells(sqlite3_stmt* st, const QSet<QByteArray>& duplicateIds, PlainCells& row);
/// Appends the row's full-fidelity JSON line, the bytes appendJsonLine writes for its memory.
void appendPlainLine(QByteArray& out, const PlainCells& row);
/// Appends a copy of the row's cells to `arena`.
void capturePlainCells(QByteArray& arena, const PlainCells& row);
/// The cells captured at `at` (views into the arena's bytes).
PlainCells restorePlainCells(const char* at);

} // namespace Inspector::SqliteInternal
