// SPDX-License-Identifier: MIT
#include "appearance.h"
#include "commands.h"
#include "mainwindow.h"
#include "startuptrace.h"
#include "translations.h"

#include <QApplication>
#include <QCoreApplication>
#include <QHash>

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
    Inspector::startupMark("main");
    QStringList arguments;
    QHash<const char*, QString> original; // by argv string, which QApplication may reorder but not copy
    for (int i = 1; i < argc; ++i) {
        arguments << QString::fromLocal8Bit(argv[i]);
        original.insert(argv[i], arguments.last());
    }
    // every user of the machine can read a command line: a password given in a URL leaves it at once
    Inspector::hidePasswordsInArguments(argc, argv);
    // commands run without a display; only the window needs a GUI application
    if (Inspector::isHeadless(arguments)) {
        QCoreApplication app(argc, argv);
        setIdentity();
        Inspector::installTranslations();
        return Inspector::runCommandLine(arguments);
    }
    QApplication app(argc, argv);
    Inspector::startupMark("QApplication");
    setIdentity();
    Inspector::installTranslations();
    QApplication::setApplicationDisplayName(QStringLiteral("Subcog Inspector"));
    QApplication::setDesktopFileName(QStringLiteral("subcog-inspector"));
    Inspector::Appearance::apply(Inspector::Appearance::saved());
    QStringList remaining; // what QApplication left of the arguments, as given
    for (int i = 1; i < argc; ++i)
        remaining << original.value(argv[i], QString::fromLocal8Bit(argv[i]));
    // the store (empty: subcog's default) is asked for as the window starts being made, so the worker opens it and
    // reads the first rows meanwhile
    Inspector::MainWindow window(nullptr, Inspector::windowStoreArgument(remaining));
    Inspector::startupMark("window built");
    window.show();
    Inspector::startupMark("shown");
    return app.exec();
}
