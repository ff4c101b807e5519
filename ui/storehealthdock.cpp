// SPDX-License-Identifier: MIT
#include "storehealthdock.h"

#include "plaintext.h"
#include "storageerror.h"

#include "health/foldercheck.h"
#include "health/postgrescheck.h"
#include "health/sqlitecheck.h"
#include "postgresmodule.h"
#include "storeopener.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMutex>
#include <QProgressBar>
#include <QPushButton>
#include <QTime>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <limits>

using namespace Qt::StringLiterals;

namespace Inspector {

/// Findings on their way from the checker (worker thread) to the view; the view takes them in batches on the
/// job's progress ticks. Only the first `limit` of a class are kept: the rest are counted.
struct CheckFeed
{
    QMutex mutex;
    QList<Finding> pending;
    QHash<QString, qint64> counts;
    qint64 total = 0;
    int limit = 10000;

    void add(const Finding& finding)
    {
        const QMutexLocker lock(&mutex);
        ++total;
        if (++counts[finding.findingClass] <= limit)
            pending.append(finding);
    }
    qint64 found()
    {
        const QMutexLocker lock(&mutex);
        return total;
    }
};

namespace {
constexpr int kIdRole = Qt::UserRole + 1;
constexpr int kClassRole = Qt::UserRole + 2;

enum Column
{
    ClassColumn,
    CountColumn,
    DetailColumn,
    FixColumn,
};

} // namespace

StoreHealthDock::StoreHealthDock(MemoryTableModel* model, QWidget* parent)
    : QDockWidget(tr("Store Health"), parent)
    , m_model(model)
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_check(new QPushButton(tr("&Check"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_fix(new QPushButton(tr("&Fix…"), this))
    , m_tree(new QTreeWidget(this))
{
    setObjectName(u"storeHealthDock"_s);
    m_tree->setObjectName(u"healthTree"_s);
    m_status->setObjectName(u"healthStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText); // store messages quote ids and paths, never markup
    m_check->setToolTip(tr("Look through the whole store for damage (spec §15), on the worker"));
    m_cancel->setToolTip(tr("Stop the running check or repair"));
    m_progress->setMaximumWidth(160);
    m_progress->setTextVisible(false);
    m_tree->setColumnCount(4);
    m_tree->setHeaderLabels({tr("Class / memory"), tr("Count"), tr("What / detail"), tr("Fix")});
    m_tree->setUniformRowHeights(true);
    m_tree->setRootIsDecorated(true);
    m_tree->setAlternatingRowColors(true);
    // the detail takes what is left; the fix column keeps a readable width
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(DetailColumn, QHeaderView::Stretch);
    m_tree->header()->resizeSection(ClassColumn, 220);
    m_tree->header()->resizeSection(CountColumn, 70);
    m_tree->header()->resizeSection(FixColumn, 300);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_check);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_fix);
    buttons->addWidget(m_progress);
    buttons->addWidget(m_status, 1);
    auto* content = new QWidget(this);
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(buttons);
    layout->addWidget(m_tree, 1);
    setWidget(content);

    connect(m_check, &QPushButton::clicked, this, &StoreHealthDock::startCheck);
    connect(m_cancel, &QPushButton::clicked, this, &StoreHealthDock::cancel);
    connect(m_fix, &QPushButton::clicked, this, [this] { fixClass(currentClass()); });
    const auto activate = [this](QTreeWidgetItem* item) {
        const QString id = item ? item->data(ClassColumn, kIdRole).toString() : QString();
        if (!id.isEmpty())
            Q_EMIT memoryActivated(id);
    };
    connect(m_tree, &QTreeWidget::itemClicked, this, activate);
    connect(m_tree, &QTreeWidget::itemActivated, this, activate);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, &StoreHealthDock::updateButtons);
    connect(m_model, &MemoryTableModel::jobProgress, this, &StoreHealthDock::onJobProgress);
    connect(m_model, &MemoryTableModel::jobFinished, this, &StoreHealthDock::onJobFinished);
    connect(m_model, &MemoryTableModel::editingEnabledChanged, this, &StoreHealthDock::updateButtons);
    connect(m_model, &MemoryTableModel::storeOpened, this, &StoreHealthDock::updateButtons);
    m_status->setText(tr("Check lists the damage in the open store by class."));
    updateButtons();
}

// the window disconnects the model from the dock: the model may be gone first
StoreHealthDock::~StoreHealthDock() = default;

void StoreHealthDock::setStore(const QString& spec)
{
    if (m_job)
        m_model->cancelFetch(m_job);
    m_job = 0;
    m_jobKind = JobKind::None;
    // an undo of the last store answers no more: its ids mean nothing to the next store's client
    m_restores.clear();
    m_spec = spec;
    m_lastTotal = -1;
    clearFindings();
    m_status->setText(spec.isEmpty() ? tr("No store is open.")
                                     : tr("Check lists the damage in the open store by class."));
    updateButtons();
}

void StoreHealthDock::storeReopened()
{
    m_restores.clear();
    if (!m_job)
        return;
    m_job = 0;
    m_jobKind = JobKind::None;
    m_status->setText(tr("Stopped: the store was opened again."));
    updateButtons();
}

void StoreHealthDock::clearFindings()
{
    m_tree->clear();
    m_classItems.clear();
    m_counts.clear();
    m_total = 0;
}

QString StoreHealthDock::statusText() const
{
    return m_status->text();
}

void StoreHealthDock::startJob(JobKind kind, RequestId id, const QString& status)
{
    m_job = id;
    m_jobKind = id ? kind : JobKind::None;
    m_progress->setRange(0, 0);
    m_status->setText(id ? status : tr("No store is open."));
    updateButtons();
}

void StoreHealthDock::startCheck()
{
    if (m_spec.isEmpty() || !m_model->isOpen() || m_job)
        return;
    clearFindings();
    m_feed = std::make_shared<CheckFeed>();
    m_feed->limit = m_listedPerClass;
    const auto feed = m_feed;
    const StoreSpec spec = StoreSpec::parse(m_spec);
    const BackendClient::Job job
        = [feed, spec](PersistenceBackend&, const std::function<bool(qint64, qint64)>& progress) -> QString {
        // a total of -1: the checkers do not know how far they are; each poll is a chance to hand findings over
        const CancelRequested cancelled = [&] { return !progress(feed->found(), -1); };
        const FindingSink sink = [&](const Finding& finding) { feed->add(finding); };
        switch (spec.kind) {
        case StoreSpec::Kind::Sqlite:
            checkSqliteStore(spec.location, sink, {.now = std::nullopt, .cancelled = cancelled});
            break;
        case StoreSpec::Kind::Postgres: {
            PostgresCheckOptions options;
            options.cancelled = cancelled;
            postgresModule().checkStore(spec.location, sink, options);
            break;
        }
        case StoreSpec::Kind::Filesystem: {
            FolderCheckOptions options;
            options.cancelled = cancelled;
            checkFolderStore(spec.location, sink, options);
            break;
        }
        case StoreSpec::Kind::Jsonl:
            // a backup: what it holds is checked once it is copied back into a store
            throw StorageError(StorageError::Kind::InvalidInput,
                               spec.location
                                   + QStringLiteral(": a JSON Lines backup is not checked; copy it into a "
                                                    "store and check that"));
        }
        return {};
    };
    startJob(JobKind::Check, m_model->runJob(job), tr("Checking…"));
}

void StoreHealthDock::cancel()
{
    if (m_job)
        m_model->cancelFetch(m_job);
}

void StoreHealthDock::onJobProgress(RequestId id, qint64 done, qint64 total)
{
    if (id != m_job)
        return;
    if (m_jobKind == JobKind::Check) {
        drain();
        m_status->setText(
            tr("Checking… %n findings so far", "", int(qMin<qint64>(m_total, std::numeric_limits<int>::max()))));
    } else if (m_jobKind == JobKind::Repair && total > 0) {
        m_progress->setRange(0, int(qMin<qint64>(total, std::numeric_limits<int>::max())));
        m_progress->setValue(int(qMin<qint64>(done, m_progress->maximum())));
    }
}

void StoreHealthDock::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (m_restores.contains(id)) {
        restoreFinished(id, failed, summary);
        return;
    }
    if (id != m_job)
        return;
    const JobKind kind = m_jobKind;
    m_job = 0;
    m_jobKind = JobKind::None;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    updateButtons();
    switch (kind) {
    case JobKind::None:
        return;
    case JobKind::Check: {
        drain();
        m_feed.reset();
        const int classes = int(m_classItems.size());
        if (failed)
            m_status->setText(tr("The check failed: %1").arg(summary));
        else if (cancelled)
            m_status->setText(tr("Check cancelled: %n findings before it stopped", "",
                                 int(qMin<qint64>(m_total, std::numeric_limits<int>::max()))));
        else if (m_total == 0)
            m_status->setText(
                tr("✓ No damage found (%1)").arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
        else
            m_status->setText(
                tr("%n findings in %1 classes (%2)", "", int(qMin<qint64>(m_total, std::numeric_limits<int>::max())))
                    .arg(classes)
                    .arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
        if (!failed && !cancelled)
            m_lastTotal = m_total;
        Q_EMIT checkFinished(m_total, cancelled, failed);
        return;
    }
    case JobKind::Preview:
        onPreviewDone(cancelled, failed, summary);
        return;
    case JobKind::Repair:
        onRepairDone(cancelled, failed, summary);
        return;
    }
}

QTreeWidgetItem* StoreHealthDock::classItem(const QString& findingClass)
{
    if (QTreeWidgetItem* item = m_classItems.value(findingClass))
        return item;
    const QStringList order = findingClasses();
    const auto rank = [&](const QString& cls) {
        const qsizetype at = order.indexOf(cls);
        return at < 0 ? order.size() : at;
    };
    int at = 0;
    while (at < m_tree->topLevelItemCount()
           && rank(m_tree->topLevelItem(at)->data(ClassColumn, kClassRole).toString()) <= rank(findingClass))
        ++at;
    auto* item = new QTreeWidgetItem;
    item->setText(ClassColumn, findingClass);
    item->setData(ClassColumn, kClassRole, findingClass);
    item->setText(DetailColumn, findingMeaning(findingClass));
    item->setToolTip(DetailColumn, findingMeaning(findingClass));
    item->setTextAlignment(CountColumn, Qt::AlignCenter);
    QFont bold = item->font(ClassColumn);
    bold.setBold(true);
    item->setFont(ClassColumn, bold);
    item->setText(FixColumn,
                  repairableClasses(m_spec).contains(findingClass)    ? tr("Fix… repairs it")
                      : manualFindingClasses().contains(findingClass) ? tr("a person decides")
                                                                      : tr("none automatic in this store kind"));
    m_tree->insertTopLevelItem(at, item);
    m_classItems.insert(findingClass, item);
    return item;
}

void StoreHealthDock::updateClassItem(const QString& findingClass)
{
    QTreeWidgetItem* item = classItem(findingClass);
    const qint64 count = m_counts.value(findingClass);
    item->setText(CountColumn, QLocale().toString(count));
    const int children = item->childCount();
    QTreeWidgetItem* last = children ? item->child(children - 1) : nullptr;
    const bool hasMore = last && last->data(ClassColumn, kClassRole).toString() == "more"_L1;
    const qint64 listed = children - (hasMore ? 1 : 0);
    if (count <= listed)
        return;
    QTreeWidgetItem* more = hasMore ? last : new QTreeWidgetItem(item);
    more->setData(ClassColumn, kClassRole, u"more"_s);
    more->setText(ClassColumn, tr("… and %1 more").arg(QLocale().toString(count - listed)));
    more->setToolTip(ClassColumn,
                     tr("The list keeps the first %1 of a class; `subcog-inspector check STORE --json` "
                        "lists them all.")
                         .arg(QLocale().toString(m_listedPerClass)));
}

void StoreHealthDock::drain()
{
    if (!m_feed)
        return;
    QList<Finding> batch;
    {
        const QMutexLocker lock(&m_feed->mutex);
        batch.swap(m_feed->pending);
        m_counts = m_feed->counts;
        m_total = m_feed->total;
    }
    QHash<QString, QList<QTreeWidgetItem*>> children;
    for (const Finding& finding : std::as_const(batch)) {
        auto* item = new QTreeWidgetItem;
        item->setText(ClassColumn, finding.id ? *finding.id : tr("(the store)"));
        if (finding.id)
            item->setData(ClassColumn, kIdRole, *finding.id);
        item->setToolTip(ClassColumn, finding.id ? tr("Click to select this memory in the table") : QString());
        item->setText(DetailColumn, finding.detail);
        item->setToolTip(DetailColumn, plainToolTip(finding.detail));
        item->setText(FixColumn, finding.fix);
        item->setToolTip(FixColumn, plainToolTip(finding.fix));
        children[finding.findingClass].append(item);
    }
    m_tree->setUpdatesEnabled(false);
    for (auto it = children.begin(); it != children.end(); ++it)
        classItem(it.key())->addChildren(it.value());
    for (auto it = m_counts.cbegin(); it != m_counts.cend(); ++it)
        updateClassItem(it.key());
    m_tree->setUpdatesEnabled(true);
}

QString StoreHealthDock::currentClass() const
{
    QTreeWidgetItem* item = m_tree->currentItem();
    while (item && item->parent())
        item = item->parent();
    return item ? item->data(ClassColumn, kClassRole).toString() : QString();
}

void StoreHealthDock::updateButtons()
{
    const bool open = !m_spec.isEmpty() && m_model->isOpen();
    m_check->setEnabled(open && !m_job);
    m_cancel->setEnabled(m_job != 0);
    m_progress->setVisible(m_job != 0);
    const QString cls = currentClass();
    const bool repairable = repairableClasses(m_spec).contains(cls);
    const bool jsonl = !m_spec.isEmpty() && StoreSpec::parse(m_spec).kind == StoreSpec::Kind::Jsonl;
    m_fix->setEnabled(open && !m_job && repairable && m_model->isEditingEnabled());
    m_fix->setToolTip(jsonl                              ? tr("A JSON Lines backup is read-only: copy it into a store")
                          : cls.isEmpty()                ? tr("Choose a class to fix")
                          : !repairable                  ? tr("No safe automatic fix for %1: a person decides").arg(cls)
                          : !m_model->isEditingEnabled() ? tr("Switch on editing (Edit ▸ Editing) to repair")
                                                         : tr("Preview the repair of %1, then run it").arg(cls));
}

} // namespace Inspector
