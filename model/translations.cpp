// SPDX-License-Identifier: MIT
#include "translations.h"

#include <QCoreApplication>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace Inspector {

void installTranslations()
{
    QCoreApplication* app = QCoreApplication::instance();
    if (!app || app->findChild<QTranslator*>(u"inspectorTranslations"_s))
        return;
    auto* translator = new QTranslator(app);
    translator->setObjectName(u"inspectorTranslations"_s);
    // English is the source language; its .qm only adds the singular forms that tr("%n …") cannot guess
    if (translator->load(u":/i18n/subcog-inspector_en.qm"_s))
        QCoreApplication::installTranslator(translator);
    else
        delete translator;
}

} // namespace Inspector
