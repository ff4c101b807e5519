// SPDX-License-Identifier: MIT
// View ▸ Recall Context…: the project and branch the "Hidden from recall" column judges memories against,
// remembered per store (a store usually serves one repository, and recall runs in one checkout at a time).
#include "mainwindow.h"

#include "filterbar.h"
#include "memorytablemodel.h"

#include <QAction>
#include <QCryptographicHash>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QTableView>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
/// The settings key of a store's recall context (hashed: a location holds slashes and may be long).
QString recallKey(const QString& location)
{
    return u"recallContext/"_s
        + QString::fromLatin1(QCryptographicHash::hash(location.toUtf8(), QCryptographicHash::Sha1).toHex());
}
} // namespace

void MainWindow::setupRecall()
{
    m_recallContext = new QAction(tr("Recall &Context…"), this);
    m_recallContext->setObjectName(u"recallContextAction"_s);
    m_recallContext->setStatusTip(tr("The project and branch subcog's recall runs in, for the Hidden from recall "
                                     "column's \"other project or branch\""));
    connect(m_recallContext, &QAction::triggered, this, &MainWindow::chooseRecallContext);
    connect(m_model, &MemoryTableModel::storeOpened, this, [this](const QString& location) {
        const QStringList saved = QSettings().value(recallKey(location)).toStringList();
        m_model->setRecallContext(RecallContext {saved.value(0), saved.value(1)});
    });
}

void MainWindow::chooseRecallContext()
{
    RecallContext context = m_model->recallContext();
    if (context.isEmpty()) {
        // a first choice starts from what the filter says, if it names one project or branch
        const MemoryFilter f = parseFilter(filterEdit()->text()).filter;
        if (f.projects.size() == 1)
            context.project = f.projects.first();
        if (f.branches.size() == 1)
            context.branch = f.branches.first();
    }
    QDialog dialog(this);
    dialog.setObjectName(u"recallContextDialog"_s);
    dialog.setWindowTitle(tr("Recall Context"));
    auto* form = new QFormLayout(&dialog);
    auto* intro = new QLabel(tr("The Hidden from recall column marks memories of another project or branch than "
                                "these. Leave a field empty not to judge it. Remembered for this store."),
                             &dialog);
    intro->setWordWrap(true);
    form->addRow(intro);
    auto* project = new QLineEdit(context.project, &dialog);
    project->setObjectName(u"recallProject"_s);
    project->setPlaceholderText(tr("github.com/org/repo"));
    form->addRow(tr("&Project:"), project);
    auto* branch = new QLineEdit(context.branch, &dialog);
    branch->setObjectName(u"recallBranch"_s);
    branch->setPlaceholderText(tr("main"));
    form->addRow(tr("&Branch:"), branch);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const RecallContext chosen {project->text().trimmed(), branch->text().trimmed()};
    m_model->setRecallContext(chosen);
    if (m_model->isOpen())
        QSettings().setValue(recallKey(m_model->location()), QStringList {chosen.project, chosen.branch});
    // the person asked about recall: the column that answers is shown
    m_table->horizontalHeader()->setSectionHidden(MemoryTableModel::HiddenFromRecallColumn, false);
}

} // namespace Inspector
