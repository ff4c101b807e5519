// SPDX-License-Identifier: MIT
#include "bulkeditdialog.h"

#include "bulkeditcommand.h"
#include "memorytablemodel.h"
#include "plaintext.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QTreeWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include <limits>

using namespace Qt::StringLiterals;

namespace Inspector {

/// A preview and then its apply, filled on the worker and read on the GUI thread once the job has answered.
struct BulkEditRun
{
    BulkEdit edit;
    BulkEditPlan plan;
    BulkEditOutcome outcome;
    std::shared_ptr<const BulkEditPlan> written; ///< the undo record: the plan of what the apply wrote
    qint64 writtenBytes = 0; ///< what keeping `written` costs (counted on the worker: it walks every change)
};

namespace {
/// An undo step that would hold more than this is not kept (the edit itself is still written).
constexpr qint64 kUndoBytes = 512LL * 1024 * 1024;

/// The fields a preview compares, in the table's order (updated_at is left out: every change sets it).
constexpr MemoryColumn kShownColumns[] = {
    MemoryColumn::Namespace, MemoryColumn::Status,       MemoryColumn::Domain, MemoryColumn::Project,
    MemoryColumn::Branch,    MemoryColumn::FilePath,     MemoryColumn::Tags,   MemoryColumn::Source,
    MemoryColumn::ExpiresAt, MemoryColumn::TombstonedAt,
};

QStringList tagList(const QString& text)
{
    QStringList tags;
    for (const QString& part : text.split(u',', Qt::SkipEmptyParts)) {
        const QString tag = part.trimmed();
        if (!tag.isEmpty() && !tags.contains(tag))
            tags << tag;
    }
    return tags;
}

} // namespace

BulkEditDialog::BulkEditDialog(MemoryTableModel* model, QWidget* parent)
    : QDialog(parent)
    , m_model(model)
    , m_scopeSelection(new QRadioButton(this))
    , m_scopeFilter(new QRadioButton(this))
    , m_setNamespace(new QCheckBox(tr("&Namespace"), this))
    , m_namespace(new QComboBox(this))
    , m_setStatus(new QCheckBox(tr("S&tatus"), this))
    , m_status(new QComboBox(this))
    , m_setDomain(new QCheckBox(tr("&Domain"), this))
    , m_domain(new QLineEdit(this))
    , m_setProject(new QCheckBox(tr("&Project"), this))
    , m_project(new QLineEdit(this))
    , m_setBranch(new QCheckBox(tr("&Branch"), this))
    , m_branch(new QLineEdit(this))
    , m_setExpiry(new QCheckBox(tr("E&xpires"), this))
    , m_expiry(new QDateTimeEdit(this))
    , m_clearExpiry(new QCheckBox(tr("Never (clear the expiry)"), this))
    , m_addTags(new QLineEdit(this))
    , m_removeTags(new QLineEdit(this))
    , m_replaceField(new QComboBox(this))
    , m_find(new QLineEdit(this))
    , m_replace(new QLineEdit(this))
    , m_message(new QLabel(this))
    , m_list(new QTreeWidget(this))
    , m_problemsTitle(new QLabel(this))
    , m_problems(new QTreeWidget(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_previewButton(new QPushButton(tr("Pre&view"), this))
    , m_applyButton(new QPushButton(tr("&Apply"), this))
{
    setObjectName(u"bulkEditDialog"_s);
    setWindowTitle(tr("Bulk Edit"));
    resize(900, 600);
    buildForm();

    connect(m_model, &MemoryTableModel::jobProgress, this, &BulkEditDialog::onJobProgress);
    connect(m_model, &MemoryTableModel::jobFinished, this, &BulkEditDialog::onJobFinished);
    connect(m_model, &MemoryTableModel::storeOpened, this, [this] {
        // another store (or the same one reopened for writing): what was read belongs to the one before
        if (m_job)
            m_model->cancelFetch(m_job);
        m_job = 0;
        m_run.reset();
        m_list->clear();
        m_problems->clear();
        setBusy(false);
        m_message->setText(tr("The store was opened again: preview again."));
        formChanged();
    });
}

// nothing to stop here: the dialog goes with the window, after the model (its first child), whose store closes
// and stops the job running
BulkEditDialog::~BulkEditDialog() = default;

void BulkEditDialog::buildForm()
{
    auto* scope = new QGroupBox(tr("Memories"), this);
    auto* scopeLayout = new QVBoxLayout(scope);
    m_scopeSelection->setObjectName(u"bulkScopeSelection"_s);
    m_scopeFilter->setObjectName(u"bulkScopeFilter"_s);
    scopeLayout->addWidget(m_scopeSelection);
    scopeLayout->addWidget(m_scopeFilter);

    auto* changes = new QGroupBox(tr("Changes"), this);
    auto* form = new QFormLayout(changes);
    for (const Namespace ns : allNamespaces())
        m_namespace->addItem(namespaceName(ns));
    for (const MemoryStatus s : allStatuses())
        m_status->addItem(statusName(s));
    m_domain->setPlaceholderText(tr("project, user, org, or organization/repository"));
    m_project->setPlaceholderText(tr("empty: clear the project"));
    m_branch->setPlaceholderText(tr("empty: clear the branch"));
    m_expiry->setCalendarPopup(true);
    m_expiry->setDateTime(QDateTime::currentDateTime().addDays(30));
    m_expiry->setDisplayFormat(u"yyyy-MM-dd HH:mm"_s);
    m_addTags->setPlaceholderText(tr("comma-separated tags to add"));
    m_removeTags->setPlaceholderText(tr("comma-separated tags to remove"));
    for (const ReplaceField f :
         {ReplaceField::ProjectId, ReplaceField::Branch, ReplaceField::FilePath, ReplaceField::Source})
        m_replaceField->addItem(replaceFieldName(f), int(f));
    m_find->setPlaceholderText(tr("find (exact text, case-sensitive)"));
    m_replace->setPlaceholderText(tr("replace with"));
    const QList<std::pair<QCheckBox*, QWidget*>> sets {{m_setNamespace, m_namespace},
                                                       {m_setStatus, m_status},
                                                       {m_setDomain, m_domain},
                                                       {m_setProject, m_project},
                                                       {m_setBranch, m_branch}};
    for (const auto& [check, editor] : sets) {
        editor->setEnabled(false);
        connect(check, &QCheckBox::toggled, editor, &QWidget::setEnabled);
        form->addRow(check, editor);
    }
    auto* expiryRow = new QHBoxLayout;
    expiryRow->addWidget(m_expiry, 1);
    expiryRow->addWidget(m_clearExpiry);
    m_expiry->setEnabled(false);
    m_clearExpiry->setEnabled(false);
    connect(m_setExpiry, &QCheckBox::toggled, this, [this](bool on) {
        m_clearExpiry->setEnabled(on);
        m_expiry->setEnabled(on && !m_clearExpiry->isChecked());
    });
    connect(m_clearExpiry, &QCheckBox::toggled, this,
            [this](bool on) { m_expiry->setEnabled(m_setExpiry->isChecked() && !on); });
    form->addRow(m_setExpiry, expiryRow);
    form->addRow(tr("Add tags"), m_addTags);
    form->addRow(tr("Remove tags"), m_removeTags);
    auto* replaceRow = new QHBoxLayout;
    replaceRow->addWidget(m_replaceField);
    replaceRow->addWidget(m_find, 1);
    replaceRow->addWidget(new QLabel(tr("→"), this));
    replaceRow->addWidget(m_replace, 1);
    form->addRow(tr("Find and replace in"), replaceRow);

    m_namespace->setObjectName(u"bulkNamespace"_s);
    m_status->setObjectName(u"bulkStatus"_s);
    m_domain->setObjectName(u"bulkDomain"_s);
    m_project->setObjectName(u"bulkProject"_s);
    m_branch->setObjectName(u"bulkBranch"_s);
    m_expiry->setObjectName(u"bulkExpiry"_s);
    m_addTags->setObjectName(u"bulkAddTags"_s);
    m_removeTags->setObjectName(u"bulkRemoveTags"_s);
    m_replaceField->setObjectName(u"bulkReplaceField"_s);
    m_find->setObjectName(u"bulkFind"_s);
    m_replace->setObjectName(u"bulkReplace"_s);
    m_message->setObjectName(u"bulkStatusText"_s);
    m_list->setObjectName(u"bulkPreviewList"_s);
    m_problems->setObjectName(u"bulkProblemList"_s);
    m_previewButton->setObjectName(u"bulkPreviewButton"_s);
    m_applyButton->setObjectName(u"bulkApplyButton"_s);

    // any change of the form or scope makes a preview stale: Apply writes only what was previewed
    for (QCheckBox* c :
         {m_setNamespace, m_setStatus, m_setDomain, m_setProject, m_setBranch, m_setExpiry, m_clearExpiry})
        connect(c, &QCheckBox::toggled, this, &BulkEditDialog::formChanged);
    for (QComboBox* c : {m_namespace, m_status, m_replaceField})
        connect(c, &QComboBox::currentIndexChanged, this, &BulkEditDialog::formChanged);
    for (QLineEdit* e : {m_domain, m_project, m_branch, m_addTags, m_removeTags, m_find, m_replace})
        connect(e, &QLineEdit::textChanged, this, &BulkEditDialog::formChanged);
    connect(m_expiry, &QDateTimeEdit::dateTimeChanged, this, &BulkEditDialog::formChanged);
    connect(m_scopeSelection, &QRadioButton::toggled, this, &BulkEditDialog::formChanged);

    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText); // errors quote ids and typed values, never markup
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAllColumnsShowFocus(true);
    m_list->setHeaderLabels({tr("Memory"), tr("Field"), tr("Before"), tr("After")});
    m_list->setColumnWidth(0, 200);
    m_list->setColumnWidth(1, 110);
    m_list->setColumnWidth(2, 240);
    m_problems->setRootIsDecorated(false);
    m_problems->setUniformRowHeights(true);
    m_problems->setHeaderLabels({tr("Memory"), tr("Why")});
    m_problems->setColumnWidth(0, 200);
    m_problems->setMaximumHeight(140);
    m_problemsTitle->hide();
    m_problems->hide();

    m_progress->setTextVisible(false);
    m_progress->hide();
    m_cancel->hide();
    m_applyButton->setEnabled(false);
    m_applyButton->setToolTip(tr("Writes the previewed changes; a memory another writer changed since the preview "
                                 "is skipped and listed"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    // Enter in a field previews (it would otherwise close the dialog); Apply is always a deliberate click
    m_previewButton->setDefault(true);
    m_applyButton->setAutoDefault(false);
    buttons->button(QDialogButtonBox::Close)->setAutoDefault(false);
    buttons->addButton(m_previewButton, QDialogButtonBox::ActionRole);
    buttons->addButton(m_applyButton, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    connect(m_previewButton, &QPushButton::clicked, this, &BulkEditDialog::preview);
    connect(m_applyButton, &QPushButton::clicked, this, &BulkEditDialog::apply);
    connect(m_cancel, &QPushButton::clicked, this, &BulkEditDialog::cancel);

    auto* top = new QHBoxLayout;
    top->addWidget(changes, 3);
    top->addWidget(scope, 2, Qt::AlignTop);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_message);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_problemsTitle);
    layout->addWidget(m_problems);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_progress, 1);
    bottom->addWidget(m_cancel);
    bottom->addWidget(buttons);
    layout->addLayout(bottom);
}

void BulkEditDialog::setScopes(const ExportSource& selection, qint64 selected, const ExportSource& filter,
                               qint64 filtered)
{
    m_selection = selection;
    m_selected = selection.ranges.isEmpty() ? 0 : selected;
    m_filter = filter;
    m_filtered = filtered;
    m_scopeSelection->setText(
        tr("The %Ln selected memories", "", int(qMin<qint64>(m_selected, std::numeric_limits<int>::max()))));
    m_scopeFilter->setText(filtered < 0 ? tr("Everything the filter shows")
                                        : tr("Everything the filter shows (%Ln memories)", "",
                                             int(qMin<qint64>(filtered, std::numeric_limits<int>::max()))));
    m_scopeSelection->setEnabled(m_selected > 0);
    if (m_selected > 0)
        m_scopeSelection->setChecked(true);
    else
        m_scopeFilter->setChecked(true);
    formChanged();
}

void BulkEditDialog::formChanged()
{
    ++m_formVersion;
    m_applyButton->setEnabled(canApply());
}

bool BulkEditDialog::canApply() const
{
    return !m_job && m_run && m_previewedVersion == m_formVersion && !m_run->plan.cancelled
        && m_run->plan.changeCount() > 0 && m_run->outcome.written.isEmpty() && m_model->isEditingEnabled()
        && !m_run->plan.limits.readOnly;
}

bool BulkEditDialog::readForm(BulkEdit* into, QString* error) const
{
    BulkEdit& edit = *into;
    if (m_setNamespace->isChecked())
        edit.namespaceName = m_namespace->currentText();
    if (m_setStatus->isChecked())
        edit.status = m_status->currentText();
    if (m_setDomain->isChecked())
        edit.domain = m_domain->text().trimmed();
    const auto optionalText = [](const QLineEdit* e) -> std::optional<QString> {
        const QString text = e->text().trimmed();
        return text.isEmpty() ? std::nullopt : std::optional<QString>(text);
    };
    if (m_setProject->isChecked())
        edit.projectId = optionalText(m_project);
    if (m_setBranch->isChecked())
        edit.branch = optionalText(m_branch);
    if (m_setExpiry->isChecked())
        edit.expiresAt = m_clearExpiry->isChecked() ? std::optional<qint64>()
                                                    : std::optional<qint64>(m_expiry->dateTime().toSecsSinceEpoch());
    edit.addTags = tagList(m_addTags->text());
    edit.removeTags = tagList(m_removeTags->text());
    if (!m_find->text().isEmpty())
        edit.replacements << BulkEdit::Replacement {ReplaceField(m_replaceField->currentData().toInt()), m_find->text(),
                                                    m_replace->text()};
    else if (!m_replace->text().isEmpty()) {
        *error = tr("Say what to find for the replacement.");
        return false;
    }
    if (edit.isEmpty()) {
        *error = tr("Choose at least one change.");
        return false;
    }
    const QStringList problems = edit.problems();
    if (!problems.isEmpty()) {
        *error = problems.join(u'\n');
        return false;
    }
    return true;
}

void BulkEditDialog::preview()
{
    if (m_job)
        return;
    BulkEdit edit;
    QString error;
    if (!m_model->isOpen()) {
        m_message->setText(tr("No store is open."));
        return;
    }
    if (!readForm(&edit, &error)) {
        m_message->setText(error);
        return;
    }
    const bool selection = m_scopeSelection->isChecked() && m_selected > 0;
    const ExportSource source = selection ? m_selection : m_filter;
    auto run = std::make_shared<BulkEditRun>();
    run->edit = edit;
    m_run = run;
    m_previewedVersion = m_formVersion;
    m_list->clear();
    m_problems->clear();
    m_problems->hide();
    m_problemsTitle->hide();
    m_job = m_model->runJob([run, source, selection](PersistenceBackend& store, const BulkEditProgress& progress) {
        // a selection is rows of the table's order: their ids are read first, then previewed like any ids
        const BulkEditSource from = selection
            ? BulkEditSource::ofIds(idsOfRows(store, source.query, source.ranges, progress))
            : BulkEditSource::ofQuery(source.query);
        run->plan = previewBulkEdit(store, run->edit, from, progress, kShown);
        return QString();
    });
    m_applying = false;
    m_message->setText(tr("Reading the memories and working out the changes…"));
    setBusy(true);
}

void BulkEditDialog::apply()
{
    if (!canApply()) {
        if (m_run && !m_model->isEditingEnabled())
            m_message->setText(m_model->isStoreReadOnly()
                                   ? tr("The store is open read-only: nothing was written.")
                                   : tr("Editing is not switched on for this store: nothing was written."));
        return;
    }
    const auto run = m_run;
    m_job = m_model->runJob([run](PersistenceBackend& store, const BulkEditProgress& progress) {
        run->outcome = applyBulkEdit(store, run->plan, BulkDirection::Apply, progress);
        // the undo record is made here, off the GUI thread: it is as large as the edit
        if (!run->outcome.written.isEmpty())
            run->written = std::make_shared<const BulkEditPlan>(run->plan.writtenOnly(run->outcome.written));
        if (run->written)
            run->writtenBytes = run->written->bytes();
        return QString();
    });
    m_applying = true;
    m_message->setText(tr("Writing %Ln memories…", "", int(run->plan.changeCount())));
    setBusy(true);
}

void BulkEditDialog::cancel()
{
    if (m_job)
        m_model->cancelFetch(m_job); // the job answers: a preview says stopped, an apply what it wrote
}

void BulkEditDialog::setBusy(bool busy)
{
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    m_previewButton->setEnabled(!busy);
    if (busy) {
        m_progress->setRange(0, 0);
        m_applyButton->setEnabled(false);
    } else {
        m_applyButton->setEnabled(canApply());
    }
    for (QWidget* w : findChildren<QGroupBox*>())
        w->setEnabled(!busy);
}

void BulkEditDialog::onJobProgress(RequestId id, qint64 done, qint64 total)
{
    if (id != m_job || id == 0 || total <= 0)
        return;
    m_progress->setRange(0, 1000);
    m_progress->setValue(int(1000 * double(qMin(done, total)) / double(total)));
}

void BulkEditDialog::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (id != m_job || id == 0)
        return;
    m_job = 0;
    const bool applying = std::exchange(m_applying, false);
    if (failed) {
        m_message->setText(applying ? tr("The edit failed: %1").arg(summary)
                                    : tr("The preview failed: %1").arg(summary));
        if (!applying)
            m_run.reset();
        setBusy(false);
        if (applying) {
            Q_EMIT storeChanged();
            Q_EMIT applyFinished(0);
        } else {
            Q_EMIT previewFinished();
        }
        return;
    }
    if (applying) {
        showApplied(cancelled);
    } else {
        if (cancelled)
            m_run->plan.cancelled = true;
        showPreview();
    }
    setBusy(false);
}

void BulkEditDialog::showPreview()
{
    const BulkEditPlan& plan = m_run->plan;
    const QLocale locale;
    QFont bold = m_list->font();
    bold.setBold(true);
    const QColor changed = palette().color(QPalette::Highlight);
    QColor tint = changed;
    tint.setAlpha(60);
    // the rows of every other memory are shaded, so a memory's fields read as one group
    const QBrush groupShade = palette().brush(QPalette::AlternateBase);
    const QString none = tr("(none)");
    bool shaded = false;
    for (const BulkEditChange& change : plan.sample) {
        bool first = true;
        for (const MemoryColumn column : kShownColumns) {
            if (MemoryFields::rawValue(change.before, column) == MemoryFields::rawValue(change.after, column))
                continue;
            const QString before = MemoryFields::displayText(change.before, column);
            const QString after = MemoryFields::displayText(change.after, column);
            auto* item = new QTreeWidgetItem(m_list,
                                             {first ? change.before.id : QString(), MemoryFields::fieldName(column),
                                              before.isEmpty() ? none : before, after.isEmpty() ? none : after});
            item->setFont(3, bold);
            item->setBackground(3, tint);
            for (int c = 0; c < 3 && shaded; ++c)
                item->setBackground(c, groupShade);
            item->setToolTip(2, plainToolTip(before));
            item->setToolTip(3, plainToolTip(after));
            first = false;
        }
        shaded = !shaded;
    }
    QString text;
    if (plan.cancelled)
        text = tr("Preview stopped after %Ln memories were read; preview again to apply.", "",
                  int(qMin<qint64>(plan.scanned, std::numeric_limits<int>::max())));
    else if (plan.changeCount() == 0)
        text = tr("Nothing to change: the edit leaves all %Ln memories as they are.", "",
                  int(qMin<qint64>(plan.scanned, std::numeric_limits<int>::max())));
    else
        text = tr("%Ln memories will change", "", int(plan.changeCount()))
            + (plan.changeCount() > plan.sample.size() ? tr(" (the first %1 are listed)").arg(plan.sample.size())
                                                       : QString())
            + tr(": %1.").arg(bulkEditFields(m_run->edit)) + u' '
            + tr("%Ln read, %1 left as they are.", "", int(qMin<qint64>(plan.scanned, std::numeric_limits<int>::max())))
                  .arg(locale.toString(plan.unchanged));
    if (!plan.refused.isEmpty())
        text += u' '
            + tr("%Ln refused: the store cannot hold them as changed (listed below).", "", int(plan.refused.size()));
    if (plan.limits.readOnly)
        text += u' ' + tr("The store is read-only: Apply is off.");
    m_message->setText(text);
    for (const BulkEditRefusal& r : plan.refused)
        new QTreeWidgetItem(m_problems, {r.id, r.reason});
    for (const RecordIssue& issue : plan.unreadable)
        new QTreeWidgetItem(m_problems, {issue.id, tr("could not be read: %1").arg(issue.reason)});
    for (const QString& id : plan.missing)
        new QTreeWidgetItem(m_problems, {id, tr("no longer in the store")});
    m_problemsTitle->setText(tr("Refused or not read — left as they are:"));
    m_problemsTitle->setVisible(m_problems->topLevelItemCount() > 0);
    m_problems->setVisible(m_problems->topLevelItemCount() > 0);
    Q_EMIT previewFinished();
}

void BulkEditDialog::showApplied(bool cancelled)
{
    const BulkEditOutcome& outcome = m_run->outcome;
    const auto written = int(outcome.written.size());
    QString text = cancelled || outcome.cancelled
        ? tr("Stopped: %Ln memories were written, in whole batches; the rest are as they were.", "", written)
        : tr("Written: %Ln memories.", "", written);
    if (!outcome.alreadyDone.isEmpty())
        text += u' ' + tr("%Ln already held the change.", "", int(outcome.alreadyDone.size()));
    if (!outcome.skipped.isEmpty())
        text += u' '
            + tr("Skipped %Ln that another writer changed since the preview (listed below; not overwritten).", "",
                 int(outcome.skipped.size()));
    if (!outcome.failed.isEmpty())
        text += u' ' + tr("%Ln could not be written (listed below).", "", int(outcome.failed.size()));
    m_problems->clear();
    for (const BulkEditRefusal& r : outcome.skipped)
        new QTreeWidgetItem(m_problems, {r.id, tr("skipped: %1").arg(r.reason)});
    for (const BulkEditRefusal& r : outcome.failed)
        new QTreeWidgetItem(m_problems, {r.id, tr("failed: %1").arg(r.reason)});
    m_problemsTitle->setText(tr("Not written:"));
    m_problemsTitle->setVisible(m_problems->topLevelItemCount() > 0);
    m_problems->setVisible(m_problems->topLevelItemCount() > 0);
    // the whole edit is one undo step, of exactly what was written
    if (m_run->written) {
        if (m_run->writtenBytes > kUndoBytes) {
            text += u' ' + tr("Too large to keep for Edit ▸ Undo (more than %1 MiB).").arg(kUndoBytes >> 20);
        } else {
            m_model->undoStack()->push(
                new BulkEditCommand(m_model, m_run->written, bulkEditText(m_run->edit, written), m_undoJobStarted));
            text += u' ' + tr("Edit ▸ Undo puts them back in one step.");
        }
    }
    m_message->setText(text);
    Q_EMIT storeChanged();
    Q_EMIT applyFinished(written);
}

QList<QStringList> BulkEditDialog::previewRows() const
{
    QList<QStringList> rows;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = m_list->topLevelItem(i);
        rows.append({item->text(0), item->text(1), item->text(2), item->text(3)});
    }
    return rows;
}

QList<QStringList> BulkEditDialog::problemRows() const
{
    QList<QStringList> rows;
    for (int i = 0; i < m_problems->topLevelItemCount(); ++i)
        rows.append({m_problems->topLevelItem(i)->text(0), m_problems->topLevelItem(i)->text(1)});
    return rows;
}

qint64 BulkEditDialog::changeCount() const
{
    return m_run && !m_job ? m_run->plan.changeCount() : -1;
}

QString BulkEditDialog::statusText() const
{
    return m_message->text();
}

} // namespace Inspector
