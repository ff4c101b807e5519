// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Inspector {

/// One piece of damage in a store (spec §15), in terms every backend's checker can fill.
struct Finding
{
    QString findingClass; ///< `missing-content`, `tags-drift`, …: part of the command line's interface
    std::optional<QString> id; ///< the memory concerned; none for store-level findings
    QString detail; ///< what was found, in one line
    QString fix; ///< what a repair would do, or that a person has to decide
};

/// Receives findings as a checker streams them.
using FindingSink = std::function<void(const Finding&)>;
/// Polled between rows: true stops the check.
using CancelRequested = std::function<bool()>;

/// The classes a checker may report, in the order the summary lists them.
QStringList findingClasses();
/// One line saying what a class means, for the summary table.
QString findingMeaning(const QString& findingClass);
/// `{"class":…,"id":… or null,"detail":…,"fix":…}`, one line without its newline.
QByteArray findingJson(const Finding& finding);

} // namespace Inspector
