// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace Inspector {

/**
 * `text` without any password: a store argument, a PostgreSQL URL, a libpq `key=value` string, or a message that
 * quotes one. Removed are the user-info password of `postgres://` and `postgresql://` URLs (`u:pw@` becomes `u@`),
 * every `password=` parameter however its key is spelt (any case, percent-encoded: `pass%77ord`), with its
 * separator, libpq's quoted `password='…'` values, and the value libpq quotes in its percent-escape errors. The
 * passwords of `connections` (the connection texts a driver message may echo) are also removed where they appear
 * as free text, as written and percent-decoded (one shorter than 4 characters only where it stands quoted).
 * Everything else is kept as written.
 *
 * The one function for everything that leaves the process or outlives it: settings, titles, message bars, logs,
 * command-line errors and StorageError messages.
 */
QString withoutPasswords(const QString& text, const QStringList& connections = {});

} // namespace Inspector
