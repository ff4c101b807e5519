// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace Inspector {

/// Exit codes of the command line, documented in --help and the README.
enum ExitCode
{
    ExitOk = 0,
    ExitError = 1, ///< the store could not be opened or read, or the output could not be written
    ExitUsage = 2, ///< wrong arguments or a filter with words the inspector did not understand
    ExitPartial = 3, ///< done, but some records could not be decoded, found or written (listed on stderr)
    ExitConflict = 4, ///< copy stopped at an id the target holds with other values (--on-conflict fail)
    ExitOtherFile = 5, ///< STORE is one of subcog's files that hold no memories (prompt library, webhook log)
};

/// Removes passwords from the process's own argv strings (what ps and /proc/PID/cmdline show), in place.
/// Read the arguments first: afterwards argv, and QCoreApplication::arguments() with it, hold the hidden text.
void hidePasswordsInArguments(int argc, char** argv);

/// Runs the command line (arguments without the program name) and returns the exit code.
int runCommandLine(const QStringList& arguments);

/// Whether these arguments ask for a headless command (count, export, --help, --version, a bad option) rather
/// than the window; decided before any application object exists, so no display is needed for commands.
bool isHeadless(const QStringList& arguments);

/// The STORE the window should open (empty: the default store), from arguments isHeadless() sent to the window.
QString windowStoreArgument(const QStringList& arguments);

} // namespace Inspector
