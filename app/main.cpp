// SPDX-License-Identifier: MIT
#include "commands.h"

#include <QCoreApplication>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("subcog-inspector"));
    QCoreApplication::setOrganizationName(QStringLiteral("subcog"));
    QCoreApplication::setApplicationVersion(QStringLiteral(INSPECTOR_VERSION));
    return Inspector::runCommandLine(QCoreApplication::arguments().mid(1));
}
