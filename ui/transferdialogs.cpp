// SPDX-License-Identifier: MIT
#include "transferdialogs.h"

#include "connectdialog.h"
#include "plaintext.h"
#include "visibletext.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
QGroupBox* scopeBox(int selectedRows, qint64 filteredRows, QRadioButton*& selection, QRadioButton*& filter,
                    QRadioButton*& store, QWidget* parent)
{
    auto* box = new QGroupBox(QObject::tr("Memories"), parent);
    auto* layout = new QVBoxLayout(box);
    selection = new QRadioButton(QObject::tr("Selected rows (%1)").arg(QLocale().toString(selectedRows)), box);
    filter
        = new QRadioButton(QObject::tr("Everything the filter shows (%1)").arg(QLocale().toString(filteredRows)), box);
    store = new QRadioButton(QObject::tr("The whole store"), box);
    selection->setObjectName(u"scopeSelection"_s);
    filter->setObjectName(u"scopeFilter"_s);
    store->setObjectName(u"scopeStore"_s);
    selection->setEnabled(selectedRows > 0);
    // one selected row is usually just the current row, not a choice: several rows are
    (selectedRows > 1 ? selection : filter)->setChecked(true);
    layout->addWidget(selection);
    layout->addWidget(filter);
    layout->addWidget(store);
    return box;
}

TransferScope scopeOf(const QRadioButton* selection, const QRadioButton* filter)
{
    return selection->isChecked() ? TransferScope::Selection
        : filter->isChecked()     ? TransferScope::Filter
                                  : TransferScope::Store;
}
} // namespace

ExportDialog::ExportDialog(int selectedRows, qint64 filteredRows, QWidget* parent)
    : QDialog(parent)
    , m_format(new QComboBox(this))
    , m_path(new QLineEdit(this))
{
    setObjectName(u"exportDialog"_s);
    setWindowTitle(tr("Export Memories"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(scopeBox(selectedRows, filteredRows, m_selection, m_filter, m_store, this));
    m_format->setObjectName(u"format"_s);
    m_format->addItem(tr("JSON Lines — every field, one memory per line (.jsonl)"), int(ExportFormat::JsonLines));
    m_format->addItem(tr("JSON array (.json)"), int(ExportFormat::Json));
    m_format->addItem(tr("CSV — spreadsheets (.csv)"), int(ExportFormat::Csv));
    m_format->addItem(tr("Markdown — one section per memory (.md)"), int(ExportFormat::Markdown));
    m_format->addItem(tr("subcog export — for subcog import (.ndjson)"), int(ExportFormat::Subcog));
    m_path->setObjectName(u"path"_s);
    // the last export's format, scope and folder
    const QSettings settings;
    const int lastFormat = m_format->findData(settings.value(u"export/format"_s, int(ExportFormat::JsonLines)).toInt());
    m_format->setCurrentIndex(qMax(0, lastFormat));
    const QString folder = settings.value(u"export/folder"_s).toString();
    m_path->setText(QDir(folder.isEmpty() || !QFileInfo(folder).isDir() ? QDir::homePath() : folder)
                        .filePath(u"memories."_s + exportFormatSuffix(format())));
    if (selectedRows <= 1 && settings.value(u"export/scope"_s).toString() == "store"_L1)
        m_store->setChecked(true);
    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    auto* form = new QFormLayout;
    form->addRow(tr("&Format:"), m_format);
    form->addRow(tr("File:"), pathRow);
    layout->addLayout(form);
    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        // keep the file name, change its suffix to the format's
        QFileInfo info(m_path->text());
        m_path->setText(info.dir().filePath(info.completeBaseName() + u'.' + exportFormatSuffix(format())));
    });
    connect(browse, &QPushButton::clicked, this, [this] {
        // the question about replacing a file comes once, when Export is pressed
        const QString path = QFileDialog::getSaveFileName(this, tr("Export To"), m_path->text(), {}, nullptr,
                                                          QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            m_path->setText(path);
    });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

void ExportDialog::accept()
{
    const QFileInfo target(path());
    if (path().isEmpty())
        return;
    if (target.exists() && target.isFile()) {
        if (!confirmReplace(this, target.fileName(), tr("Replace it with the export? Its contents are lost.")))
            return;
    } else if (target.exists() && target.isDir()) {
        QMessageBox::warning(this, tr("Export"),
                             plainAsHtml(tr("%1 is a folder; choose a file name.").arg(withVisibleControls(path()))));
        return;
    }
    QSettings settings;
    settings.setValue(u"export/format"_s, int(format()));
    settings.setValue(u"export/scope"_s,
                      scope() == TransferScope::Store        ? u"store"_s
                          : scope() == TransferScope::Filter ? u"filter"_s
                                                             : u"selection"_s);
    settings.setValue(u"export/folder"_s, target.absolutePath());
    QDialog::accept();
}

TransferScope ExportDialog::scope() const
{
    return scopeOf(m_selection, m_filter);
}

ExportFormat ExportDialog::format() const
{
    return ExportFormat(m_format->currentData().toInt());
}

QString ExportDialog::path() const
{
    return m_path->text().trimmed();
}

CopyDialog::CopyDialog(int selectedRows, qint64 filteredRows, QWidget* parent)
    : QDialog(parent)
    , m_target(new QLineEdit(this))
    , m_conflict(new QComboBox(this))
    , m_dryRun(new QCheckBox(tr("&Dry run: only report what would happen"), this))
{
    setObjectName(u"copyDialog"_s);
    setWindowTitle(tr("Copy Memories to Another Store"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(scopeBox(selectedRows, filteredRows, m_selection, m_filter, m_store, this));
    m_target->setObjectName(u"target"_s);
    m_target->setPlaceholderText(tr("sqlite:/path/index.db, fs:/path/folder or postgresql://…"));
    m_target->setToolTip(tr("Created in subcog's layout if it does not exist. Ids are kept."));
    auto* file = new QPushButton(tr("SQLite…"), this);
    auto* folder = new QPushButton(tr("Folder…"), this);
    auto* pg = new QPushButton(tr("PostgreSQL…"), this);
    connect(file, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("SQLite Store"), {}, tr("SQLite (*.db)"), nullptr,
                                                          QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            m_target->setText(u"sqlite:"_s + path);
    });
    connect(folder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder Store"));
        if (!dir.isEmpty())
            m_target->setText(u"fs:"_s + dir);
    });
    connect(pg, &QPushButton::clicked, this, [this] {
        ConnectDialog dialog(this);
        if (dialog.exec() == QDialog::Accepted)
            m_target->setText(dialog.url());
    });
    auto* targetRow = new QHBoxLayout;
    targetRow->addWidget(m_target, 1);
    targetRow->addWidget(file);
    targetRow->addWidget(folder);
    targetRow->addWidget(pg);
    m_conflict->setObjectName(u"onConflict"_s);
    m_conflict->addItem(tr("Stop the copy"), int(OnConflict::Fail));
    m_conflict->addItem(tr("Keep the target's memory"), int(OnConflict::Skip));
    m_conflict->addItem(tr("Overwrite it"), int(OnConflict::Overwrite));
    m_dryRun->setObjectName(u"dryRun"_s);
    auto* form = new QFormLayout;
    form->addRow(tr("Target store:"), targetRow);
    form->addRow(tr("When the target has an id with &other values:"), m_conflict);
    form->addRow(QString(), m_dryRun);
    layout->addLayout(form);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Copy"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

TransferScope CopyDialog::scope() const
{
    return scopeOf(m_selection, m_filter);
}

QString CopyDialog::target() const
{
    return m_target->text().trimmed();
}

OnConflict CopyDialog::onConflict() const
{
    return OnConflict(m_conflict->currentData().toInt());
}

bool CopyDialog::dryRun() const
{
    return m_dryRun->isChecked();
}

bool confirmReplace(QWidget* parent, const QString& fileName, const QString& informative)
{
    QMessageBox ask(QMessageBox::Warning, QMessageBox::tr("Replace File?"),
                    QMessageBox::tr("%1 already exists.").arg(withVisibleControls(fileName)), QMessageBox::NoButton,
                    parent);
    ask.setObjectName(u"replaceFileBox"_s);
    ask.setTextFormat(Qt::PlainText); // a file name is data, never markup
    ask.setInformativeText(informative);
    QPushButton* replace = ask.addButton(QMessageBox::tr("&Replace"), QMessageBox::DestructiveRole);
    ask.addButton(QMessageBox::Cancel);
    ask.setDefaultButton(QMessageBox::Cancel);
    ask.exec();
    return ask.clickedButton() == replace;
}

} // namespace Inspector
