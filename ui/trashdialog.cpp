// SPDX-License-Identifier: MIT
#include "trashdialog.h"

#include "plaintext.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
/// Tombstone Expired runs of more memories than this are not kept for undo (as repairs: two copies of each).
constexpr qint64 kUndoLimit = 50000;
constexpr qint64 kUndoBytes = 256LL * 1024 * 1024;

QString localTime(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds).toString(u"yyyy-MM-dd HH:mm"_s);
}

QString firstIds(const QList<RepairChange>& changes)
{
    QStringList ids;
    for (const RepairChange& c : changes) {
        if (!ids.contains(c.id))
            ids << c.id;
    }
    const qsizetype all = ids.size();
    ids = ids.mid(0, 5);
    return ids.join(u", "_s) + (all > ids.size() ? u", …"_s : QString());
}
} // namespace

/// What a run did, filled on the worker.
struct TrashDialog::RunResult
{
    StoreRepairReport report;
    std::shared_ptr<const RepairImages> images;
    QString noUndo;
};

TrashDialog::TrashDialog(MemoryTableModel* model, const QString& spec, TrashAction action, QWidget* parent)
    : QDialog(parent)
    , m_model(model)
    , m_spec(spec)
    , m_action(action)
    , m_intro(new QLabel(this))
    , m_list(new QTreeWidget(this))
    , m_backup(new QLabel(this))
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
{
    const bool empty = action == TrashAction::EmptyTrash;
    setObjectName(empty ? u"emptyTrashDialog"_s : u"tombstoneExpiredDialog"_s);
    setWindowTitle(empty ? tr("Empty Trash") : tr("Tombstone Expired Memories"));
    auto* layout = new QVBoxLayout(this);
    if (empty) {
        auto* row = new QHBoxLayout;
        m_days = new QSpinBox(this);
        m_days->setObjectName(u"trashDays"_s);
        m_days->setRange(0, 36500);
        m_days->setValue(30);
        m_days->setSuffix(tr(" days"));
        auto* label = new QLabel(tr("Delete tombstoned memories older than"), this);
        label->setBuddy(m_days);
        row->addWidget(label);
        row->addWidget(m_days);
        row->addStretch(1);
        layout->addLayout(row);
        // a new number asks again once the typing has settled
        auto* settle = new QTimer(this);
        settle->setSingleShot(true);
        settle->setInterval(300);
        connect(m_days, &QSpinBox::valueChanged, settle, qOverload<>(&QTimer::start));
        connect(settle, &QTimer::timeout, this, &TrashDialog::startPreview);
    }
    m_intro->setObjectName(u"trashIntro"_s);
    m_intro->setWordWrap(true);
    m_intro->setTextFormat(Qt::PlainText); // ids, paths and store messages are data, never markup
    layout->addWidget(m_intro);
    m_list->setObjectName(u"trashList"_s);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setHeaderLabels({tr("ID"), tr("Namespace"), empty ? tr("Tombstoned") : tr("Expired"), tr("First line")});
    m_list->header()->resizeSection(0, 170);
    m_list->header()->resizeSection(1, 100);
    m_list->header()->resizeSection(2, 130);
    layout->addWidget(m_list, 1);
    m_backup->setObjectName(u"trashBackup"_s);
    m_backup->setWordWrap(true);
    m_backup->setTextFormat(Qt::PlainText); // ids, paths and store messages are data, never markup
    m_backup->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_backup);
    auto* bottom = new QHBoxLayout;
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_status->setObjectName(u"trashStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText); // ids, paths and store messages are data, never markup
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bottom->addWidget(m_status, 1);
    bottom->addWidget(m_progress);
    layout->addLayout(bottom);
    auto* buttons = new QDialogButtonBox(this);
    m_runButton = buttons->addButton(empty ? tr("&Empty Trash…") : tr("&Tombstone…"), QDialogButtonBox::AcceptRole);
    m_runButton->setObjectName(u"runTrash"_s);
    m_cancelButton = buttons->addButton(tr("&Stop"), QDialogButtonBox::ActionRole);
    m_cancelButton->setObjectName(u"cancelTrash"_s);
    m_closeButton = buttons->addButton(QDialogButtonBox::Close);
    layout->addWidget(buttons);
    connect(m_runButton, &QPushButton::clicked, this, [this] { run(); });
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        if (m_job)
            m_model->cancelFetch(m_job);
    });
    connect(m_closeButton, &QPushButton::clicked, this, &TrashDialog::reject);
    connect(m_model, &MemoryTableModel::jobProgress, this, &TrashDialog::onJobProgress);
    connect(m_model, &MemoryTableModel::jobFinished, this, &TrashDialog::onJobFinished);
    connect(m_model, &MemoryTableModel::editingEnabledChanged, this, &TrashDialog::updateButtons);
    resize(860, 520);
    updateButtons();
}

TrashDialog::~TrashDialog()
{
    if (m_job)
        m_model->cancelFetch(m_job);
}

void TrashDialog::reject()
{
    // a run that is writing finishes its memory and stops; the dialog stays to say what was done
    if (m_jobKind == JobKind::Run) {
        m_model->cancelFetch(m_job);
        return;
    }
    QDialog::reject();
}

QString TrashDialog::backupDir() const
{
    // where the window puts PostgreSQL backups, as the Store Health dock does
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + u"/backups"_s;
    return dir;
}

QString TrashDialog::backupPlace(qint64 now) const
{
    return trashBackupPlace(StoreSpec::parse(m_spec), now, backupDir());
}

void TrashDialog::startPreview()
{
    if (m_jobKind == JobKind::Run)
        return;
    if (m_jobKind == JobKind::Preview) {
        m_previewAgain = true;
        m_model->cancelFetch(m_job);
        return;
    }
    TrashOptions options;
    options.olderThanDays = m_days ? m_days->value() : 0;
    auto pending = std::make_shared<TrashPreview>();
    m_pending = pending;
    const StoreSpec store = StoreSpec::parse(m_spec);
    const TrashAction action = m_action;
    m_job = m_model->runJob([pending, store, action, options](PersistenceBackend&, const auto&) {
        *pending = previewTrash(store, action, options);
        return QString();
    });
    m_jobKind = m_job ? JobKind::Preview : JobKind::None;
    m_status->setText(m_job ? tr("Reading the memories…") : tr("No store is open."));
    m_progress->setRange(0, 0);
    m_progress->setVisible(m_job != 0);
    updateButtons();
}

void TrashDialog::onJobProgress(RequestId id, qint64 done, qint64 total)
{
    if (id != m_job || m_jobKind != JobKind::Run || total <= 0)
        return;
    m_progress->setRange(0, int(qMin<qint64>(total, std::numeric_limits<int>::max())));
    m_progress->setValue(int(qMin<qint64>(done, m_progress->maximum())));
}

void TrashDialog::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (id != m_job)
        return;
    const JobKind kind = m_jobKind;
    m_job = 0;
    m_jobKind = JobKind::None;
    m_progress->hide();
    if (kind == JobKind::Preview) {
        if (std::exchange(m_previewAgain, false)) {
            startPreview();
            return;
        }
        if (failed)
            m_status->setText(tr("The memories could not be read: %1").arg(summary));
        else if (cancelled)
            m_status->setText(tr("Stopped."));
        else {
            m_shown = m_pending;
            showPreview();
        }
        updateButtons();
        return;
    }
    showResult(cancelled, failed, summary);
}

void TrashDialog::showPreview()
{
    const TrashPreview& preview = *m_shown;
    const bool empty = m_action == TrashAction::EmptyTrash;
    const int count = int(qMin<qsizetype>(preview.entries.size(), std::numeric_limits<int>::max()));
    if (empty)
        m_intro->setText(
            count == 0 ? tr("No memory was tombstoned on or before %1.").arg(localTime(preview.cutoff))
                       : tr("%n tombstoned memories (tombstoned on or before %1) would be deleted for good: their "
                            "rows, full-text rows, edges, vectors and graph mentions.",
                            "", count)
                             .arg(localTime(preview.cutoff)));
    else
        m_intro->setText(count == 0 ? tr("No live memory has expired.")
                                    : tr("%n live memories have expired and would be tombstoned (status "
                                         "tombstoned, tombstoned_at now), as Delete does.",
                                         "", count));
    const auto sources = std::count_if(preview.entries.begin(), preview.entries.end(),
                                       [](const TrashEntry& e) { return !e.summaries.isEmpty(); });
    if (sources > 0)
        m_intro->setText(m_intro->text() + u' '
                         + tr("%n of them are sources of summaries that stay, which will then name a missing source "
                              "(marked ⚠; check's bad-summary).",
                              "", int(sources)));
    // what looks like trash but is not taken, and why
    const auto leftOut = [&](TrashLeftOutReason reason) {
        return int(qMin<qsizetype>(preview.leftOutCount(reason), std::numeric_limits<int>::max()));
    };
    QStringList notes;
    if (const int n = leftOut(TrashLeftOutReason::HalfTombstoned))
        notes << tr("%n half-tombstoned memories are left out: tombstoned_at is set but the status is not "
                    "tombstoned, so subcog still lists them as live. Repair half-tombstoned first.",
                    "", n);
    if (const int n = leftOut(TrashLeftOutReason::NoTombstoneTime))
        notes << tr("%n tombstoned memories have no tombstone time and are left out: only 0 days removes them.", "", n);
    if (const int n = leftOut(TrashLeftOutReason::UnreadableTime)) {
        QStringList unreadable;
        for (const TrashLeftOut& l : preview.leftOut) {
            if (l.reason == TrashLeftOutReason::UnreadableTime)
                unreadable << l.id + u" ("_s + l.detail + u')';
        }
        notes << tr("%n tombstoned memories are left out because their tombstoned_at is not a time: %1.", "", n)
                     .arg(unreadable.mid(0, 20).join(u", "_s) + (n > 20 ? u", …"_s : QString()));
    }
    if (!notes.isEmpty())
        m_intro->setText(m_intro->text() + u' ' + notes.join(u' '));
    m_list->clear();
    QList<QTreeWidgetItem*> rows;
    for (const TrashEntry& e : preview.entries.mid(0, kListed)) {
        auto* row = new QTreeWidgetItem({e.id, e.namespaceName, localTime(e.time), e.firstLine});
        row->setToolTip(3, plainToolTip(e.firstLine));
        if (!e.summaries.isEmpty()) {
            row->setText(0, u"⚠ "_s + e.id);
            row->setToolTip(0, plainToolTip(tr("A source of %1, which stays").arg(e.summaries.join(u", "_s))));
        }
        if (e.timeSource == TrashTime::CreatedAt || e.timeSource == TrashTime::UpdatedAt)
            row->setToolTip(2,
                            e.timeSource == TrashTime::CreatedAt
                                ? tr("Only the status says tombstoned and no tombstone time is kept: the time is when "
                                     "it was created")
                                : tr("Only the status says tombstoned: the time is its last update"));
        rows << row;
    }
    if (preview.entries.size() > kListed)
        rows << new QTreeWidgetItem({tr("… and %1 more").arg(preview.entries.size() - kListed)});
    m_list->addTopLevelItems(rows);
    const QString backup = backupPlace(preview.now);
    m_backup->setText(count == 0 ? QString()
                          : empty
                          ? tr("Before the first delete the backup is written to:\n%1\nEmpty Trash cannot be undone: "
                               "this backup is the only way back.")
                                .arg(backup)
                          : tr("Before the first change the backup is written to:\n%1\nEdit ▸ Undo puts the "
                               "memories back.")
                                .arg(backup));
    m_status->setText(m_model->isEditingEnabled() || count == 0
                          ? QString()
                          : tr("The store is open read-only: Edit ▸ Allow Editing to change it."));
    updateButtons();
    Q_EMIT previewShown();
}

void TrashDialog::updateButtons()
{
    const bool idle = m_jobKind == JobKind::None;
    m_runButton->setEnabled(idle && m_shown && !m_shown->entries.isEmpty() && m_model->isEditingEnabled());
    m_cancelButton->setVisible(m_jobKind == JobKind::Run);
    m_closeButton->setEnabled(m_jobKind != JobKind::Run);
    if (m_days)
        m_days->setEnabled(m_jobKind != JobKind::Run);
}

void TrashDialog::run(bool confirm)
{
    if (m_jobKind != JobKind::None || !m_shown || m_shown->entries.isEmpty() || !m_model->isEditingEnabled())
        return;
    const std::shared_ptr<const TrashPreview> preview = m_shown;
    const bool empty = m_action == TrashAction::EmptyTrash;
    const int count = int(qMin<qsizetype>(preview->entries.size(), std::numeric_limits<int>::max()));
    if (confirm && empty) {
        QMessageBox question(QMessageBox::Warning, tr("Empty Trash"), tr("Delete %n memories for good?", "", count),
                             QMessageBox::Cancel, this);
        question.setInformativeText(
            tr("This cannot be undone. Before the first delete the store's backup is written to\n%1\nwhich is the "
               "only way back. A memory restored or changed since the preview is kept.")
                .arg(backupPlace(preview->now)));
        QPushButton* yes = question.addButton(tr("&Delete for Good"), QMessageBox::DestructiveRole);
        question.setDefaultButton(QMessageBox::Cancel);
        question.exec();
        if (question.clickedButton() != yes)
            return;
    }
    auto result = std::make_shared<RunResult>();
    m_result = result;
    const StoreSpec store = StoreSpec::parse(m_spec);
    TrashOptions options;
    options.backupDir = backupDir();
    const TrashAction action = m_action;
    m_job = m_model->runJob([result, store, preview, options,
                             action](PersistenceBackend&, const std::function<bool(qint64, qint64)>& progress) mutable {
        qint64 done = 0;
        qint64 total = -1;
        options.cancelled = [&] { return !progress(done, total); };
        options.progress = [&](qint64 d, qint64 t) {
            done = d;
            total = t;
            progress(d, t);
        };
        if (store.kind == StoreSpec::Kind::Postgres)
            QDir().mkpath(options.backupDir);
        result->report = runTrash(store, *preview, options);
        if (action == TrashAction::EmptyTrash || result->report.changes.isEmpty())
            return QString();
        // Tombstone Expired is a repair: one undo step, when it is small enough to keep
        if (result->report.memories > kUndoLimit) {
            result->noUndo = tr("More than %1 memories changed: too many to keep for Edit ▸ Undo.").arg(kUndoLimit);
            return QString();
        }
        try {
            auto images = std::make_shared<RepairImages>(trashUndoImages(store, result->report, kUndoBytes));
            if (!images->incomplete.isEmpty())
                result->noUndo = tr("Edit ▸ Undo is not offered: %1.").arg(images->incomplete);
            else if (images->bytes() > kUndoBytes)
                result->noUndo = tr("The changed rows take more than %1 MiB: too much to keep for Edit ▸ Undo.")
                                     .arg(kUndoBytes >> 20);
            else if (!images->images.isEmpty())
                result->images = std::move(images);
        } catch (const StorageError& e) {
            result->noUndo = tr("Edit ▸ Undo is not offered: %1").arg(e.message());
        }
        return QString();
    });
    m_jobKind = m_job ? JobKind::Run : JobKind::None;
    m_status->setText(empty ? tr("Emptying the trash…") : tr("Tombstoning expired memories…"));
    m_progress->setRange(0, 0);
    m_progress->setVisible(m_job != 0);
    updateButtons();
}

void TrashDialog::showResult(bool cancelled, bool failed, const QString& summary)
{
    const StoreRepairReport report = m_result ? m_result->report : StoreRepairReport {};
    const bool empty = m_action == TrashAction::EmptyTrash;
    const int done = int(qMin<qint64>(report.memories, std::numeric_limits<int>::max()));
    QString text;
    if (failed) {
        text = (empty ? tr("Empty Trash failed: %1") : tr("Tombstone Expired failed: %1")).arg(summary);
    } else {
        cancelled = cancelled || report.cancelled;
        if (empty)
            text = cancelled ? tr("Stopped: %n memories were deleted before it stopped.", "", done)
                             : tr("Deleted %n memories for good.", "", done);
        else
            text = cancelled ? tr("Stopped: %n memories were tombstoned before it stopped.", "", done)
                             : tr("Tombstoned %n expired memories.", "", done);
        if (!report.backupPaths.isEmpty())
            text += u' ' + tr("Backup: %1").arg(report.backupPaths.join(u", "_s));
        if (!report.skipped.isEmpty()) {
            const int skipped = int(qMin<qsizetype>(report.skipped.size(), std::numeric_limits<int>::max()));
            text += u' '
                + tr("%n skipped (restored or changed since the preview): %1", "", skipped)
                      .arg(firstIds(report.skipped));
        }
        if (!empty && m_result && m_result->images)
            Q_EMIT undoStepReady(m_result->images, tr("Tombstone %n expired memories", "", done));
        else if (!empty && m_result && !m_result->noUndo.isEmpty())
            text += u' ' + m_result->noUndo;
    }
    m_result.reset();
    m_status->setText(text);
    // the store changed under the table, and what is left to preview too
    m_model->refresh();
    m_shown.reset();
    m_list->clear();
    m_backup->clear();
    m_intro->clear();
    updateButtons();
    Q_EMIT runFinished(cancelled, failed, text);
}

} // namespace Inspector
