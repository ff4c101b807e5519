// SPDX-License-Identifier: MIT
#pragma once

namespace Inspector {

/// Installs the translations built into the program (for now the English plural forms of counted strings), once per
/// application object. Call it after the Q(Core)Application exists.
void installTranslations();

} // namespace Inspector
