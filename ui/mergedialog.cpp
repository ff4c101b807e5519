// SPDX-License-Identifier: MIT
#include "mergedialog.h"

#include "connectdialog.h"
#include "secrets.h"
#include "storeswindow.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr int kOtherStore = -1; ///< the combo's item for a store typed or chosen by path or URL
}

MergeDialog::MergeDialog(const FoundStore& source, const QList<FoundStore>& others, QWidget* parent)
    : QDialog(parent)
    , m_source(source)
    , m_others(others)
    , m_client(new BackendClient(
          [spec = source.spec] {
              OpenOptions options;
              options.readOnly = true; // the source is only read
              return openStore(spec, options);
          },
          this))
    , m_target(new QComboBox(this))
    , m_other(new QLineEdit(this))
    , m_otherRow(new QWidget(this))
    , m_targetNote(new QLabel(this))
    , m_report(new QPlainTextEdit(this))
    , m_conflictBox(new QGroupBox(tr("Ids both stores hold with other values"), this))
    , m_skip(new QRadioButton(tr("&Keep the target's memory (skip)"), m_conflictBox))
    , m_overwrite(new QRadioButton(tr("&Overwrite it with the source's"), m_conflictBox))
    , m_stop(new QRadioButton(tr("&Stop the merge at the first one"), m_conflictBox))
    , m_progress(new QProgressBar(this))
    , m_dryRun(new QPushButton(tr("&Dry Run"), this))
    , m_merge(new QPushButton(tr("&Merge"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    setObjectName(u"mergeDialog"_s);
    setWindowTitle(tr("Merge Into Another Store"));
    auto* sourceLabel = new QLabel(StoresWindow::kindText(source.kind) + u" — "_s + source.location, this);
    sourceLabel->setTextFormat(Qt::PlainText);
    sourceLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_target->setObjectName(u"mergeTarget"_s);
    for (int i = 0; i < m_others.size(); ++i)
        m_target->addItem(StoresWindow::kindText(m_others[i].kind) + u" — "_s + m_others[i].location, i);
    m_target->addItem(tr("Another store (path or URL)…"), kOtherStore);
    m_other->setObjectName(u"mergeOtherTarget"_s);
    m_other->setPlaceholderText(tr("sqlite:/path/index.db, fs:/path/folder or postgresql://…"));
    m_other->setToolTip(tr("Created in subcog's layout if it does not exist. Ids are kept."));
    auto* file = new QPushButton(tr("SQLite…"), m_otherRow);
    auto* folder = new QPushButton(tr("Folder…"), m_otherRow);
    auto* pg = new QPushButton(tr("PostgreSQL…"), m_otherRow);
    connect(file, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("SQLite Store"), {}, tr("SQLite (*.db)"), nullptr,
                                                          QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            m_other->setText(u"sqlite:"_s + path);
    });
    connect(folder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder Store"));
        if (!dir.isEmpty())
            m_other->setText(u"fs:"_s + dir);
    });
    connect(pg, &QPushButton::clicked, this, [this] {
        ConnectDialog dialog(this);
        if (dialog.exec() == QDialog::Accepted)
            setOtherTarget(dialog.url());
    });
    auto* otherLayout = new QHBoxLayout(m_otherRow);
    otherLayout->setContentsMargins(0, 0, 0, 0);
    otherLayout->addWidget(m_other, 1);
    otherLayout->addWidget(file);
    otherLayout->addWidget(folder);
    otherLayout->addWidget(pg);
    m_targetNote->setObjectName(u"mergeTargetNote"_s);
    m_targetNote->setWordWrap(true);
    auto* form = new QFormLayout;
    form->addRow(tr("Source:"), sourceLabel);
    form->addRow(tr("&Target:"), m_target);
    form->addRow(QString(), m_otherRow);
    form->addRow(QString(), m_targetNote);

    m_report->setObjectName(u"mergeReport"_s);
    m_report->setReadOnly(true);
    m_report->setPlaceholderText(tr("Run the dry run first: it reads both stores, writes nothing, and lists the ids "
                                    "the target holds with other values."));
    m_conflictBox->setObjectName(u"mergeConflicts"_s);
    m_skip->setObjectName(u"mergeSkip"_s);
    m_overwrite->setObjectName(u"mergeOverwrite"_s);
    m_stop->setObjectName(u"mergeStop"_s);
    m_skip->setChecked(true);
    m_stop->setToolTip(tr("Batches before the first conflict are written; the batch holding it is not."));
    auto* choice = new QVBoxLayout(m_conflictBox);
    choice->addWidget(m_skip);
    choice->addWidget(m_overwrite);
    choice->addWidget(m_stop);
    m_progress->setObjectName(u"mergeProgress"_s);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_cancel->hide();
    m_dryRun->setObjectName(u"mergeDryRun"_s);
    m_merge->setObjectName(u"mergeRun"_s);
    m_cancel->setObjectName(u"mergeCancel"_s);
    m_dryRun->setDefault(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_dryRun, QDialogButtonBox::ActionRole);
    buttons->addButton(m_merge, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_progress, 1);
    bottom->addWidget(m_cancel);
    bottom->addWidget(buttons);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_report, 1);
    layout->addWidget(m_conflictBox);
    layout->addLayout(bottom);
    resize(760, 520);

    connect(m_target, &QComboBox::currentIndexChanged, this, &MergeDialog::targetChanged);
    connect(m_other, &QLineEdit::textChanged, this, &MergeDialog::targetChanged);
    connect(m_other, &QLineEdit::editingFinished, this, [this] {
        // a URL typed or pasted with its password: the password leaves the field as soon as the typing is done
        const QString typed = m_other->text().trimmed();
        if (withoutPasswords(typed) != typed)
            setOtherTarget(typed);
    });
    connect(m_dryRun, &QPushButton::clicked, this, &MergeDialog::startDryRun);
    connect(m_merge, &QPushButton::clicked, this, &MergeDialog::startMerge);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_job)
            m_client->cancel(m_job);
    });
    connect(m_client, &BackendClient::jobProgress, this, [this](RequestId id, qint64 done, qint64 total) {
        if (id != m_job || total <= 0)
            return;
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(1000 * double(done) / double(total)));
    });
    connect(m_client, &BackendClient::jobFinished, this,
            [this](RequestId id, bool cancelled, const QString&) { onFinished(id, cancelled); });
    connect(m_client, &BackendClient::failed, this,
            [this](RequestId id, quint64, int, const QString& message, const QString&) { onFailed(id, message); });
    m_openId = m_client->open();
    targetChanged();
}

QString MergeDialog::targetSpec() const
{
    const int index = m_target->currentData().toInt();
    if (index != kOtherStore)
        return m_others.value(index).spec;
    const QString shown = m_other->text().trimmed();
    // the field shows the chosen URL without its password; as long as it is not edited, the URL is the chosen one
    if (!m_otherUrl.isEmpty() && shown == withoutPasswords(m_otherUrl))
        return m_otherUrl;
    return shown;
}

void MergeDialog::setTarget(const QString& spec)
{
    for (int i = 0; i < m_others.size(); ++i) {
        if (m_others[i].spec == spec) {
            m_target->setCurrentIndex(m_target->findData(i));
            return;
        }
    }
    m_target->setCurrentIndex(m_target->findData(kOtherStore));
    setOtherTarget(spec);
}

void MergeDialog::setOtherTarget(const QString& spec)
{
    m_otherUrl = spec;
    m_other->setText(withoutPasswords(spec));
}

OnConflict MergeDialog::onConflict() const
{
    return m_overwrite->isChecked() ? OnConflict::Overwrite : m_stop->isChecked() ? OnConflict::Fail : OnConflict::Skip;
}

void MergeDialog::setOnConflict(OnConflict choice)
{
    (choice == OnConflict::Overwrite ? m_overwrite : choice == OnConflict::Fail ? m_stop : m_skip)->setChecked(true);
}

QString MergeDialog::reportText() const
{
    return m_report->toPlainText();
}

void MergeDialog::targetChanged()
{
    const int index = m_target->currentData().toInt();
    m_otherRow->setEnabled(index == kOtherStore);
    QString note;
    if (index != kOtherStore) {
        const FoundStore& target = m_others.value(index);
        if (target.use == StoreUse::Forgotten)
            note = tr("A legacy store: written in its own older layout; a field it has no column for is reported, "
                      "not written.");
        else if (target.use == StoreUse::Now)
            note = tr("The store subcog uses now: merged memories are recalled from the next search on.");
    }
    m_targetNote->setText(note);
    m_targetNote->setVisible(!note.isEmpty());
    if (targetSpec() != m_previewFor) {
        // a dry run answers for one target only
        m_previewFor.clear();
        m_preview.reset();
    }
    setRunning(m_running);
}

void MergeDialog::setRunning(Running running)
{
    m_running = running;
    const bool idle = running == Running::Nothing;
    m_progress->setVisible(!idle);
    m_cancel->setVisible(!idle);
    if (!idle)
        m_progress->setRange(0, 0);
    m_target->setEnabled(idle);
    m_otherRow->setEnabled(idle && m_target->currentData().toInt() == kOtherStore);
    m_dryRun->setEnabled(idle && !m_sourceFailed && !targetSpec().isEmpty());
    const bool previewed = m_preview && !m_previewFor.isEmpty() && m_previewFor == targetSpec()
        && m_preview->outcome.end == CopyOutcome::End::Copied;
    m_merge->setEnabled(idle && previewed);
    m_conflictBox->setEnabled(idle && previewed && m_preview->conflicts.count > 0);
}

void MergeDialog::startDryRun()
{
    const QString target = targetSpec();
    if (m_running != Running::Nothing || target.isEmpty() || m_sourceFailed)
        return;
    auto preview = std::make_shared<MergePreview>();
    m_preview.reset();
    m_previewFor.clear();
    m_report->setPlainText(tr("Dry run: reading %1 and %2…").arg(m_source.location, withoutPasswords(target)));
    m_job = m_client->requestJob([preview, target](PersistenceBackend& store, const auto& progress) {
        *preview = previewMerge(store, target, {}, progress);
        return QString();
    });
    m_pendingPreview = preview;
    m_pendingFor = target;
    setRunning(Running::DryRun);
}

bool MergeDialog::startMerge()
{
    const QString target = targetSpec();
    if (m_running != Running::Nothing || !m_preview || m_previewFor != target)
        return false;
    auto outcome = std::make_shared<CopyOutcome>();
    const OnConflict choice = onConflict();
    m_report->appendPlainText(u"\n"_s + tr("Merging into %1…").arg(withoutPasswords(target)));
    m_job = m_client->requestJob([outcome, target, choice](PersistenceBackend& store, const auto& progress) {
        *outcome = runMerge(store, target, choice, {}, progress);
        return QString();
    });
    m_outcome = outcome;
    setRunning(Running::Merge);
    return true;
}

void MergeDialog::onFailed(RequestId id, const QString& message)
{
    if (id == m_openId) {
        // the source itself could not be opened: nothing can run
        m_sourceFailed = true;
        m_report->setPlainText(tr("%1 cannot be read: %2").arg(m_source.location, withoutPasswords(message)));
        setRunning(m_running);
        return;
    }
    if (id != m_job)
        return;
    const Running was = m_running;
    m_job = 0;
    m_report->appendPlainText(u"\n"_s
                              + (was == Running::Merge ? tr("The merge failed: %1") : tr("The dry run failed: %1"))
                                    .arg(withoutPasswords(message)));
    setRunning(Running::Nothing);
    if (was == Running::Merge)
        Q_EMIT merged();
    else
        Q_EMIT dryRunFinished();
}

void MergeDialog::onFinished(RequestId id, bool cancelled)
{
    if (id != m_job)
        return;
    const Running was = m_running;
    m_job = 0;
    if (was == Running::DryRun) {
        if (cancelled) {
            m_report->setPlainText(tr("Dry run cancelled."));
        } else {
            m_preview = m_pendingPreview;
            m_previewFor = m_pendingFor;
        }
        m_pendingPreview.reset();
        setRunning(Running::Nothing);
        if (m_preview)
            showPreview();
        setRunning(Running::Nothing);
        Q_EMIT dryRunFinished();
        return;
    }
    const CopyOutcome outcome = m_outcome ? *m_outcome : CopyOutcome {};
    m_outcome.reset();
    // a merge changed the target: a new one starts from a new dry run
    m_preview.reset();
    m_previewFor.clear();
    showMerge(outcome, cancelled);
    setRunning(Running::Nothing);
    Q_EMIT merged();
}

void MergeDialog::showPreview()
{
    const MergePreview& p = *m_preview;
    if (p.outcome.end == CopyOutcome::End::SameStore) {
        m_report->setPlainText(tr("The target is the source itself (the same file, folder or database): choose "
                                  "another store."));
        return;
    }
    const CopyReport& r = p.outcome.report;
    QStringList lines;
    lines << tr("Dry run, nothing written. Of %n memories in the source:", "", int(r.expected));
    if (!p.targetExists)
        lines << u"  "_s + tr("the target does not exist yet: it would be created in subcog's layout");
    lines << u"  "_s + tr("%n would be copied (new in the target)", "", int(r.created));
    lines << u"  "_s + tr("%n already in the target with the same values", "", int(r.unchanged));
    lines << u"  "_s + tr("%n in the target with other values (conflicts: choose below)", "", int(p.conflicts.count));
    if (!r.failed.isEmpty())
        lines << u"  "_s + tr("%n cannot be copied:", "", int(r.failed.size()));
    for (const RecordIssue& issue : r.failed.mid(0, 50))
        lines << u"    "_s + issue.id + u": "_s + issue.reason;
    if (!r.warnings.isEmpty())
        lines << u"  "_s + tr("%n warnings:", "", int(r.warnings.size()));
    for (const RecordIssue& issue : r.warnings.mid(0, 50))
        lines << u"    "_s + issue.id + u": "_s + issue.reason;
    if (r.embeddingsCarried + r.embeddingsNotCarried > 0)
        lines << u"  "_s
                + tr("embeddings: %1 would be carried, %2 not (%3)")
                      .arg(r.embeddingsCarried)
                      .arg(r.embeddingsNotCarried)
                      .arg(r.embeddingsNotCarriedReason.isEmpty() ? tr("none") : r.embeddingsNotCarriedReason);
    if (r.edgesCarried + r.edgesNotCarried > 0)
        lines << u"  "_s + tr("edges: %1 would be carried, %2 not").arg(r.edgesCarried).arg(r.edgesNotCarried);
    if (p.conflicts.count > 0) {
        lines << QString() << tr("Conflicting ids:");
        for (const QString& id : p.conflicts.ids)
            lines << u"  "_s + id;
        if (p.conflicts.count > p.conflicts.ids.size())
            lines << u"  "_s + tr("… and %n more", "", int(p.conflicts.count - p.conflicts.ids.size()));
    }
    m_report->setPlainText(lines.join(u'\n'));
}

void MergeDialog::showMerge(const CopyOutcome& outcome, bool cancelled)
{
    if (outcome.end == CopyOutcome::End::SameStore) {
        m_report->appendPlainText(tr("Not merged: the target is the source itself."));
        return;
    }
    const CopyReport& r = outcome.report;
    QStringList lines;
    lines << (cancelled || r.cancelled ? tr("Merge cancelled; the batches written before stay (a merge can simply "
                                            "be run again).")
                                       : tr("Merged."));
    lines << u"  "_s + tr("%n copied", "", int(r.created)) << u"  "_s + tr("%n overwritten", "", int(r.overwritten))
          << u"  "_s + tr("%n already equal", "", int(r.unchanged))
          << u"  "_s + tr("%n kept as the target had them", "", int(r.skipped));
    if (!r.failed.isEmpty())
        lines << u"  "_s + tr("%n not copied:", "", int(r.failed.size()));
    for (const RecordIssue& issue : r.failed.mid(0, 50))
        lines << u"    "_s + issue.id + u": "_s + issue.reason;
    if (!r.stoppedAt.isEmpty())
        lines << tr("Stopped at %1, which the target holds with other values; its batch was not written.")
                     .arg(r.stoppedAt);
    m_report->appendPlainText(lines.join(u'\n'));
}

} // namespace Inspector
