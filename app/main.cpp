// SPDX-License-Identifier: MIT
#include "commands.h"
#include "mainwindow.h"
#include "translations.h"

#include <QApplication>
#include <QCoreApplication>

#include <memory>

namespace {
void setIdentity()
{
    QCoreApplication::setApplicationName(QStringLiteral("subcog-inspector"));
    QCoreApplication::setOrganizationName(QStringLiteral("subcog"));
    QCoreApplication::setApplicationVersion(QStringLiteral(INSPECTOR_VERSION));
}
} // namespace

int main(int argc, char** argv)
{
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    // commands run without a display; only the window needs a GUI application
    if (Inspector::isHeadless(arguments)) {
        QCoreApplication app(argc, argv);
        setIdentity();
        Inspector::installTranslations();
        return Inspector::runCommandLine(QCoreApplication::arguments().mid(1));
    }
    QApplication app(argc, argv);
    setIdentity();
    Inspector::installTranslations();
    QApplication::setApplicationDisplayName(QStringLiteral("Subcog Inspector"));
    QApplication::setDesktopFileName(QStringLiteral("subcog-inspector"));
    Inspector::MainWindow window;
    window.show();
    const QString store = Inspector::windowStoreArgument(QCoreApplication::arguments().mid(1));
    if (store.isEmpty())
        window.openDefaultStore();
    else
        window.openStore(store);
    return app.exec();
}
