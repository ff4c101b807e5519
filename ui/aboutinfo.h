// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace Inspector {

/// The application's name, version and the versions of the libraries it runs on, for --version and About.
QString aboutText();

} // namespace Inspector
