// SPDX-License-Identifier: MIT
#include "subcogfilewindow.h"

#include "crossthread.h"
#include "visibletext.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QThreadPool>
#include <QVBoxLayout>

#include <algorithm>
#include <mutex>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr qsizetype kCellText = 120; // a cell shows the first line up to this; the row below shows it whole

bool isTimeColumn(const QString& name)
{
    return name == "created_at"_L1 || name == "updated_at"_L1 || name == "timestamp"_L1;
}

QString valueText(const QString& column, const QVariant& value)
{
    if (value.isNull())
        return {};
    if (isTimeColumn(column) && value.typeId() == QMetaType::LongLong)
        return QDateTime::fromSecsSinceEpoch(value.toLongLong()).toString(u"yyyy-MM-dd HH:mm:ss"_s);
    return value.toString();
}
} // namespace

SubcogTableModel::SubcogTableModel(SubcogTable table, QObject* parent)
    : QAbstractTableModel(parent)
    , m_table(std::move(table))
{
}

int SubcogTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_table.rows.size());
}

int SubcogTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_table.columns.size());
}

QVariant SubcogTableModel::data(const QModelIndex& index, int role) const
{
    if (!hasIndex(index.row(), index.column(), index.parent()))
        return {};
    const QString& column = m_table.columns.at(index.column());
    const QVariant& value = m_table.rows.at(index.row()).value(index.column());
    switch (role) {
    case Qt::DisplayRole: {
        if (value.isNull())
            return tr("NULL");
        const QString text = valueText(column, value);
        const qsizetype newline = text.indexOf(u'\n');
        QString shown = newline >= 0 ? text.left(newline) + u" …"_s : text;
        if (shown.size() > kCellText)
            shown = shown.left(kCellText) + u'…';
        return shown;
    }
    case Qt::ToolTipRole:
        if (isTimeColumn(column) && !value.isNull())
            return value.toString(); // the raw seconds
        return {};
    case Qt::TextAlignmentRole:
        if (value.typeId() == QMetaType::LongLong || value.typeId() == QMetaType::Double)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant SubcogTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || section < 0)
        return {};
    if (orientation == Qt::Horizontal)
        return section < m_table.columns.size() ? QVariant(m_table.columns.at(section)) : QVariant();
    return section < m_table.rows.size() ? QVariant(section + 1) : QVariant();
}

QString SubcogTableModel::rowText(int row) const
{
    if (row < 0 || row >= m_table.rows.size())
        return {};
    QStringList lines;
    for (int c = 0; c < m_table.columns.size(); ++c) {
        const QString& column = m_table.columns.at(c);
        const QVariant value = m_table.rows.at(row).value(c);
        QString text = value.isNull() ? u"NULL"_s : valueText(column, value);
        if (text.contains(u'\n'))
            text = u"\n  "_s + QString(text).replace(u"\n"_s, u"\n  "_s);
        lines << column + u": "_s + text;
    }
    return lines.join(u'\n');
}

/// The window's side of the read: cleared when the window goes, so a late read posts nothing.
struct SubcogFileWindow::Link
{
    std::mutex mutex;
    SubcogFileWindow* window = nullptr;
};

SubcogFileWindow* SubcogFileWindow::showFile(const QString& path, QWidget* parent)
{
    auto* window = new SubcogFileWindow(path, parent);
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->QDialog::show();
    std::shared_ptr<Link> link = window->m_link;
    tsanReleased(link.get());
    QThreadPool::globalInstance()->start([link, path] {
        tsanAcquired(link.get());
        QList<SubcogTable> tables;
        QString error;
        try {
            tables = readSubcogFileTables(path);
        } catch (const StorageError& e) {
            error = e.message();
        }
        std::lock_guard lock(link->mutex);
        if (SubcogFileWindow* to = link->window)
            CrossThreadCall::post(to, [to, tables, error] { to->showTables(tables, error); });
    });
    return window;
}

SubcogFileWindow::SubcogFileWindow(const QString& path, QWidget* parent)
    : QDialog(parent)
    , m_link(std::make_shared<Link>())
    , m_path(path)
    , m_header(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_row(new QPlainTextEdit(this))
{
    m_link->window = this;
    setObjectName(u"subcogFileWindow"_s);
    // a file name's bidirectional override must not reverse the rest of the title or the header
    setWindowTitle(tr("%1 (read-only)").arg(withVisibleControls(path)));
    m_header->setObjectName(u"subcogFileHeader"_s);
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::PlainText); // a file name or error is data, never markup
    m_header->setText(tr("Reading %1…").arg(withVisibleControls(path)));
    m_tabs->setObjectName(u"subcogFileTabs"_s);
    m_row->setObjectName(u"subcogFileRow"_s);
    m_row->setReadOnly(true);
    m_row->setPlaceholderText(tr("Select a row to see all of it."));
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_tabs);
    split->addWidget(m_row);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({420, 140}); // the rows first; the selected one in full below
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);
    resize(980, 600);
}

SubcogFileWindow::~SubcogFileWindow()
{
    std::lock_guard lock(m_link->mutex);
    m_link->window = nullptr;
}

bool SubcogFileWindow::event(QEvent* event)
{
    return CrossThreadCall::run(this, event) || QDialog::event(event);
}

void SubcogFileWindow::showTables(const QList<SubcogTable>& tables, const QString& error)
{
    m_loaded = true;
    if (!error.isEmpty()) {
        m_header->setText(withVisibleControls(error, true));
        Q_EMIT loaded();
        return;
    }
    QStringList held;
    for (const SubcogTable& table : tables) {
        auto* model = new SubcogTableModel(table, this);
        auto* view = new QTableView;
        view->setObjectName(table.name);
        view->setModel(model);
        view->setSelectionBehavior(QAbstractItemView::SelectRows);
        view->setSelectionMode(QAbstractItemView::SingleSelection);
        view->setEditTriggers(QAbstractItemView::NoEditTriggers);
        view->setWordWrap(false);
        view->setAlternatingRowColors(true);
        view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
        view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
        view->resizeColumnsToContents();
        for (int c = 0; c < model->columnCount(); ++c)
            view->setColumnWidth(c, qMin(view->columnWidth(c), 320));
        connect(view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
                [this, model](const QModelIndex& current) { m_row->setPlainText(model->rowText(current.row())); });
        m_tabs->addTab(view, tr("%1 (%2)").arg(table.title).arg(table.total));
        held << tr("%1: %2").arg(table.title).arg(table.total);
        if (table.total > table.rows.size())
            held.last() += tr(" (the first %1 shown)").arg(table.rows.size());
    }
    const bool prompts = std::any_of(tables.begin(), tables.end(), [](const SubcogTable& t) {
        return t.name == "prompts"_L1 || t.name == "context_templates"_L1;
    });
    m_header->setText((prompts ? tr("%1 is subcog's prompt library, not a memory store. %2. Read-only: the inspector "
                                    "never writes it.")
                               : tr("%1 is subcog's webhook delivery log, not a memory store. %2. Read-only: the "
                                    "inspector never writes it."))
                          .arg(withVisibleControls(m_path), held.join(u", "_s)));
    Q_EMIT loaded();
}

} // namespace Inspector
