// SPDX-License-Identifier: MIT
// Where a launch spends its time: QT_LOGGING_RULES="inspector.startup.debug=true" prints each step's time since
// main() began and the GUI thread's CPU time so far (which includes the dynamic loader's work before main).
#pragma once

#include <QLoggingCategory>

class QAbstractItemModel;
class QWidget;

namespace Inspector {

Q_DECLARE_LOGGING_CATEGORY(lcStartup)

/// Logs that the launch reached `what` (nothing unless the category's debug output is on).
void startupMark(const char* what);

/// Marks the first paint of the table's viewport, and the first that has rows.
void traceFirstPaints(QWidget* viewport, QAbstractItemModel* model);

} // namespace Inspector
