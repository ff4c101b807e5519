// SPDX-License-Identifier: MIT
#include "aboutinfo.h"

#include "versions.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace Inspector {

QString aboutText()
{
    return QCoreApplication::translate("About", "Subcog Inspector %1\nBuilt with %2")
        .arg(QStringLiteral(INSPECTOR_VERSION), libraryVersions());
}

} // namespace Inspector
