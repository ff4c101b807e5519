// SPDX-License-Identifier: MIT
#include "duplicatesdialog.h"

#include "appearance.h"
#include "duplicatemerge.h"
#include "mainwindow.h"
#include "memoryfields.h"
#include "memorytablemodel.h"
#include "plaintext.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <utility>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr int kContentShown = 4000; // characters of content a cell shows; the detail pane has all of it
constexpr int kMembersShown = 50; // the oldest members of a bigger group are shown (and merged)

/// The fields compared side by side, in the order shown.
const QList<MemoryColumn>& comparedFields()
{
    static const QList<MemoryColumn> fields {
        MemoryColumn::Namespace, MemoryColumn::Status,   MemoryColumn::Domain,          MemoryColumn::CreatedAt,
        MemoryColumn::UpdatedAt, MemoryColumn::Tags,     MemoryColumn::Source,          MemoryColumn::Project,
        MemoryColumn::Branch,    MemoryColumn::FilePath, MemoryColumn::SourceMemoryIds, MemoryColumn::IsSummary,
        MemoryColumn::ExpiresAt, MemoryColumn::Content,
    };
    return fields;
}
} // namespace

DuplicatesDialog::DuplicatesDialog(MemoryTableModel* model, QWidget* parent)
    : QDialog(parent)
    , m_model(model)
    , m_merger(new DuplicateMerger(model))
    , m_match(new QComboBox(this))
    , m_threshold(new QSpinBox(this))
    , m_find(new QPushButton(tr("Find"), this))
    , m_status(new QLabel(this))
    , m_groups(new QTreeWidget(this))
    , m_compare(new QTableWidget(this))
    , m_keep(new QComboBox(this))
    , m_merge(new QPushButton(tr("Merge"), this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    setObjectName(u"duplicatesDialog"_s);
    setWindowTitle(tr("Find Duplicates"));
    resize(1100, 620);

    m_match->setObjectName(u"duplicateMatch"_s);
    m_match->addItem(tr("Same content (subcog's content hash)"), int(DuplicateMatch::SameContent));
    m_match->addItem(tr("Same words (ignoring case, spacing and punctuation)"), int(DuplicateMatch::SameWords));
    m_match->addItem(tr("Similar words (word-set similarity)"), int(DuplicateMatch::Similar));
    m_match->setToolTip(tr("Same content: the hash:sha256: tag's hash of the trimmed, lower-cased text with "
                           "whitespace runs as one space (spec §3.2).\nSame words: the same words in the same "
                           "order.\nSimilar words: the share of distinct words two memories have in common "
                           "(Jaccard) is at least the threshold."));
    m_threshold->setObjectName(u"duplicateThreshold"_s);
    m_threshold->setRange(50, 100);
    m_threshold->setValue(80);
    m_threshold->setSuffix(tr(" %"));
    m_threshold->setPrefix(tr("at least "));
    m_threshold->setToolTip(tr("Similar words: the least share of distinct words two memories have in common"));
    m_threshold->setEnabled(false);
    connect(m_match, &QComboBox::currentIndexChanged, this, [this] {
        m_threshold->setEnabled(DuplicateMatch(m_match->currentData().toInt()) == DuplicateMatch::Similar);
    });
    m_find->setObjectName(u"findDuplicates"_s);
    connect(m_find, &QPushButton::clicked, this,
            [this] { find(DuplicateMatch(m_match->currentData().toInt()), m_threshold->value() / 100.0); });

    m_status->setObjectName(u"duplicatesStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setText(tr("Find groups of live memories with the same content in any namespace."));

    m_groups->setObjectName(u"duplicateGroups"_s);
    m_groups->setRootIsDecorated(false);
    m_groups->setUniformRowHeights(true);
    m_groups->setAllColumnsShowFocus(true);
    m_groups->setHeaderLabels({tr("Memories"), tr("Namespaces"), tr("Similarity"), tr("First line")});
    m_groups->header()->setStretchLastSection(true);
    m_groups->setColumnWidth(0, 80);
    m_groups->setColumnWidth(1, 150);
    m_groups->setColumnWidth(2, 80);
    connect(m_groups, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item)
            showGroup(m_groups->indexOfTopLevelItem(item));
    });

    m_compare->setObjectName(u"duplicateCompare"_s);
    m_compare->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_compare->setWordWrap(true);
    m_compare->setSelectionMode(QAbstractItemView::SingleSelection);
    m_compare->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_compare->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_compare->horizontalHeader()->setToolTip(tr("Click a memory's header to keep it"));
    connect(m_compare->horizontalHeader(), &QHeaderView::sectionClicked, this, &DuplicatesDialog::setKeeper);
    connect(m_compare, &QTableWidget::cellDoubleClicked, this, [this](int, int column) {
        if (column >= 0 && column < m_shown.size())
            Q_EMIT memoryActivated(m_shown[column].id);
    });

    m_keep->setObjectName(u"duplicateKeeper"_s);
    connect(m_keep, &QComboBox::activated, this, &DuplicatesDialog::setKeeper);
    m_merge->setObjectName(u"mergeDuplicates"_s);
    connect(m_merge, &QPushButton::clicked, this, &DuplicatesDialog::mergeShown);
    connect(m_merger, &DuplicateMerger::finished, this, [this](bool ok, const QString& message) {
        m_status->setText(message);
        if (std::exchange(m_merging, false) && ok && m_scan && m_shownGroup >= 0
            && m_shownGroup < m_scan->groups.size()) {
            // the group is merged: it leaves the list (Edit ▸ Undo brings the memories back, Find lists it again)
            m_scan->groups.removeAt(m_shownGroup);
            m_shownGroup = -1;
            m_shown.clear();
            fillGroups();
            fillCompare();
        }
        updateButtons();
        Q_EMIT finished();
    });

    m_progress->setObjectName(u"duplicatesProgress"_s);
    m_progress->setTextVisible(false);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    connect(m_cancel, &QPushButton::clicked, this, &DuplicatesDialog::cancel);

    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Match:"), this));
    top->addWidget(m_match, 1);
    top->addWidget(m_threshold);
    top->addWidget(m_find);
    layout->addLayout(top);
    layout->addWidget(m_status);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->setChildrenCollapsible(false);
    split->addWidget(m_groups);
    auto* right = new QWidget(split);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_compare, 1);
    auto* keepRow = new QHBoxLayout;
    keepRow->addWidget(new QLabel(tr("Keep:"), right));
    keepRow->addWidget(m_keep, 1);
    keepRow->addWidget(m_merge);
    rightLayout->addLayout(keepRow);
    split->addWidget(right);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 5);
    layout->addWidget(split, 1);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_progress, 1);
    bottom->addWidget(m_cancel);
    bottom->addWidget(buttons);
    layout->addLayout(bottom);
    m_progress->hide();
    m_cancel->hide();

    connect(m_model, &MemoryTableModel::jobFinished, this, &DuplicatesDialog::onJobFinished);
    connect(m_model, &MemoryTableModel::jobProgress, this, [this](RequestId id, qint64 done, qint64 total) {
        if ((id != m_scanJob && id != m_readJob) || total <= 0)
            return;
        m_progress->setRange(0, 1000); // per mille: a million memories fit, and so would more
        m_progress->setValue(int(1000 * double(done) / double(total)));
    });
    connect(m_model, &MemoryTableModel::editingEnabledChanged, this, &DuplicatesDialog::updateButtons);
    connect(m_model, &MemoryTableModel::storeOpened, this, [this] {
        // the old store's answers will not come, and what is listed is of another store
        m_scanJob = m_readJob = 0;
        m_scan.reset();
        m_scanning.reset();
        m_reading.reset();
        m_shownGroup = -1;
        m_shown.clear();
        m_progress->hide();
        m_cancel->hide();
        fillGroups();
        fillCompare();
        m_status->setText(tr("Another store was opened."));
        updateButtons();
    });
    fillCompare();
    updateButtons();
}

QAction* DuplicatesDialog::createAction(MainWindow* window, MemoryTableModel* model)
{
    auto* action = new QAction(tr("Find &Duplicates…"), window);
    action->setObjectName(u"findDuplicatesAction"_s);
    action->setStatusTip(tr("Group memories with the same or nearly the same content, compare them and merge"));
    auto dialog = std::make_shared<QPointer<DuplicatesDialog>>();
    connect(action, &QAction::triggered, window, [window, model, dialog] {
        if (!*dialog) {
            *dialog = new DuplicatesDialog(model, window);
            connect(*dialog, &DuplicatesDialog::memoryActivated, window, &MainWindow::goToId);
        }
        (*dialog)->show();
        (*dialog)->raise();
        (*dialog)->activateWindow();
    });
    return action;
}

void DuplicatesDialog::find(DuplicateMatch match, double threshold)
{
    cancel();
    if (!m_model->isOpen()) {
        m_status->setText(tr("No store is open."));
        return;
    }
    // a search asked for in code shows its settings too
    m_match->setCurrentIndex(m_match->findData(int(match)));
    m_threshold->setValue(qRound(threshold * 100));
    m_pendingMatch = match;
    DuplicateScanOptions options;
    options.match = match;
    options.threshold = threshold;
    auto result = std::make_shared<DuplicateScan>();
    m_scanning = result;
    const RequestId job = m_model->runJob([result, options](PersistenceBackend& store, const auto& progress) {
        *result = findDuplicates(store, options, progress);
        return QString();
    });
    m_scanJob = job;
    setBusy(job, tr("Reading every live memory and comparing…"));
}

void DuplicatesDialog::setBusy(RequestId job, const QString& text)
{
    if (!job) {
        m_status->setText(tr("No store is open."));
        return;
    }
    m_status->setText(text);
    m_progress->setRange(0, 0);
    m_progress->show();
    m_cancel->show();
    updateButtons();
}

void DuplicatesDialog::cancel()
{
    for (RequestId* job : {&m_scanJob, &m_readJob}) {
        if (*job)
            m_model->cancelFetch(*job);
        *job = 0;
    }
    m_scanning.reset();
    m_reading.reset();
    m_progress->hide();
    m_cancel->hide();
    updateButtons();
}

void DuplicatesDialog::showGroup(int index)
{
    if (!m_scan || index < 0 || index >= m_scan->groups.size())
        return;
    if (m_readJob)
        m_model->cancelFetch(m_readJob);
    m_shownGroup = index;
    const QStringList ids = m_scan->groups[index].ids.mid(0, kMembersShown);
    auto result = std::make_shared<QList<Memory>>();
    m_reading = result;
    m_readJob = m_model->runJob([result, ids](PersistenceBackend& store, const auto&) {
        *result = store.getBatch(ids);
        return QString();
    });
    if (m_readJob) {
        m_progress->setRange(0, 0);
        m_progress->show();
        m_cancel->show();
    }
    updateButtons();
}

void DuplicatesDialog::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (id == 0 || (id != m_scanJob && id != m_readJob))
        return;
    const bool scanDone = id == m_scanJob;
    (scanDone ? m_scanJob : m_readJob) = 0;
    if (!m_scanJob && !m_readJob) {
        m_progress->hide();
        m_cancel->hide();
    }
    if (scanDone) {
        const auto result = std::move(m_scanning);
        if (cancelled) {
            m_status->setText(tr("Stopped before the search was done."));
        } else if (failed || !result) {
            m_status->setText(tr("The search for duplicates failed: %1").arg(summary));
        } else {
            m_scan = result;
            m_scanMatch = m_pendingMatch;
            m_shownGroup = -1;
            m_shown.clear();
            qint64 inGroups = 0;
            for (const DuplicateGroup& g : std::as_const(result->groups))
                inGroups += g.ids.size();
            const QLocale locale;
            QString text = tr("%n groups of duplicates", "", int(result->groups.size()));
            text += u' '
                + tr("(%1 memories) among %2 live memories.")
                      .arg(locale.toString(inGroups), locale.toString(result->live));
            if (!result->issues.isEmpty())
                text += u' ' + tr("%n records could not be read.", "", int(result->issues.size()));
            m_status->setText(text);
            fillGroups();
            fillCompare();
            if (m_groups->topLevelItemCount() > 0)
                m_groups->setCurrentItem(m_groups->topLevelItem(0));
        }
    } else {
        const auto result = std::move(m_reading);
        if (failed)
            m_status->setText(tr("The group's memories could not be read: %1").arg(summary));
        if (!cancelled && !failed && result) {
            // memories merged or deleted since the search are no duplicates any more
            m_shown.clear();
            for (const Memory& m : std::as_const(*result)) {
                if (!m.isTombstoned())
                    m_shown << m;
            }
            if (m_shown.size() < 2) {
                m_shown.clear();
                m_status->setText(tr("This group has no duplicates left: its memories were merged or deleted since "
                                     "the search."));
            }
            m_keeper = 0; // the oldest, as the store-health repair keeps
            if (m_shown.size() > 1)
                m_status->setText(tr("%1 memories side by side, the oldest kept unless you choose another; the fields "
                                     "that differ from the one kept are marked.")
                                      .arg(m_shown.size()));
            const qsizetype total = m_scan && m_shownGroup >= 0 && m_shownGroup < m_scan->groups.size()
                ? m_scan->groups[m_shownGroup].ids.size()
                : 0;
            if (!m_shown.isEmpty() && total > kMembersShown)
                m_status->setText(tr("The group has %1 memories: the %2 oldest are shown, and Merge merges those.")
                                      .arg(QLocale().toString(total))
                                      .arg(m_shown.size()));
            fillCompare();
        }
    }
    updateButtons();
    Q_EMIT finished();
}

void DuplicatesDialog::fillGroups()
{
    m_groups->clear();
    if (!m_scan)
        return;
    const QLocale locale;
    for (const DuplicateGroup& g : std::as_const(m_scan->groups)) {
        const QString similarity = m_scanMatch == DuplicateMatch::SameContent ? tr("same hash")
            : m_scanMatch == DuplicateMatch::SameWords                        ? tr("same words")
                                                       : tr("≈ %1 %").arg(locale.toString(g.similarity * 100, 'f', 0));
        auto* item = new QTreeWidgetItem(
            m_groups, {locale.toString(g.ids.size()), g.namespaces.join(u", "_s), similarity, g.firstLine});
        item->setTextAlignment(0, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
        item->setToolTip(3, plainToolTip(g.ids.join(u", "_s)));
    }
}

void DuplicatesDialog::setKeeper(int column)
{
    if (column < 0 || column >= m_shown.size())
        return;
    m_keeper = column;
    fillCompare();
}

QString DuplicatesDialog::keeperId() const
{
    return m_keeper >= 0 && m_keeper < m_shown.size() ? m_shown[m_keeper].id : QString();
}

void DuplicatesDialog::fillCompare()
{
    const QList<MemoryColumn>& fields = comparedFields();
    m_compare->clear();
    m_compare->setColumnCount(int(m_shown.size()));
    // the first row: the exact share of distinct words each has in common with the memory kept
    m_compare->setRowCount(int(fields.size()) + 1);
    QStringList rows {tr("Words shared")};
    for (const MemoryColumn f : fields)
        rows << MemoryFields::title(f);
    m_compare->setVerticalHeaderLabels(rows);
    m_compare->verticalHeaderItem(0)->setToolTip(
        tr("The share of distinct words this memory and the one kept have in common (Jaccard similarity)"));
    m_keep->clear();
    const bool dark = Appearance::isDark();
    const QColor differs = dark ? QColor(0x6b, 0x4f, 0x10) : QColor(0xff, 0xe8, 0xa3);
    for (int c = 0; c < m_shown.size(); ++c) {
        const Memory& m = m_shown[c];
        const bool kept = c == m_keeper;
        m_keep->addItem(c == 0 ? tr("%1 (oldest)").arg(m.id) : m.id);
        auto* header = new QTableWidgetItem(kept ? tr("✓ %1 (kept)").arg(m.id) : m.id);
        header->setToolTip(kept ? tr("Kept: gets the tags and source ids of the others")
                                : tr("Tombstoned by the merge; click to keep this one instead"));
        m_compare->setHorizontalHeaderItem(c, header);
        const double shared = kept ? 1.0 : wordSimilarity(m.content, m_shown[m_keeper].content);
        auto* sharedItem = new QTableWidgetItem(kept ? tr("kept") : QLocale().toString(shared * 100, 'f', 1) + u" %"_s);
        if (shared < 1.0)
            sharedItem->setBackground(differs);
        m_compare->setItem(0, c, sharedItem);
        for (int r = 0; r < fields.size(); ++r) {
            const MemoryColumn f = fields[r];
            QString text = MemoryFields::displayText(m, f);
            if (f == MemoryColumn::Content) {
                text = m.content.size() > kContentShown ? m.content.left(kContentShown) + u'…' : m.content;
            }
            auto* item = new QTableWidgetItem(text);
            item->setTextAlignment(Qt::AlignLeft | Qt::AlignTop);
            const bool same = MemoryFields::rawValue(m, f) == MemoryFields::rawValue(m_shown[m_keeper], f);
            if (!same && !kept) {
                item->setBackground(differs);
                item->setToolTip(tr("Differs from the memory kept"));
            }
            if (kept) {
                QFont font = item->font();
                font.setBold(true);
                item->setFont(font);
            }
            m_compare->setItem(r + 1, c, item);
        }
    }
    if (!m_shown.isEmpty())
        m_keep->setCurrentIndex(m_keeper);
    // a few memories share the width; more keep a readable width and scroll
    const int width = m_shown.isEmpty() ? 0 : qMax(240, m_compare->viewport()->width() / int(m_shown.size()));
    for (int c = 0; c < m_shown.size(); ++c)
        m_compare->setColumnWidth(c, width);
    m_compare->resizeRowsToContents();
    const int contentRow = int(fields.indexOf(MemoryColumn::Content)) + 1;
    m_compare->setRowHeight(contentRow, qBound(60, m_compare->rowHeight(contentRow), 260));
    updateButtons();
}

void DuplicatesDialog::updateButtons()
{
    const bool editing = m_model->isEditingEnabled();
    const bool busy = isBusy();
    m_find->setEnabled(m_model->isOpen() && !m_scanJob);
    m_merge->setEnabled(editing && !busy && m_shown.size() > 1);
    m_merge->setToolTip(editing ? tr("Keep the chosen memory, give it the tags and source ids of the others, "
                                     "tombstone the others (Edit ▸ Undo takes it back)")
                                : tr("Switch editing on to merge: stores open read-only"));
    m_keep->setEnabled(m_shown.size() > 1);
}

bool DuplicatesDialog::isBusy() const
{
    return m_scanJob != 0 || m_readJob != 0 || m_merger->isBusy();
}

void DuplicatesDialog::mergeShown()
{
    if (m_shown.size() < 2 || m_keeper < 0 || m_keeper >= m_shown.size())
        return;
    QList<Memory> others = m_shown;
    const Memory keeper = others.takeAt(m_keeper);
    m_status->setText(tr("Merging %n memories into %1…", "", int(others.size())).arg(keeper.id));
    m_merging = m_merger->merge(keeper, others);
    updateButtons();
}

QString DuplicatesDialog::statusText() const
{
    return m_status->text();
}

} // namespace Inspector
