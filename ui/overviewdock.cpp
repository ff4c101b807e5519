// SPDX-License-Identifier: MIT
#include "overviewdock.h"

#include "appearance.h"
#include "transferdialogs.h"

#include "exportfile.h"
#include "messagebar.h"
#include "storageerror.h"

#include <QAction>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QDateTime>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QImage>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPieSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStackedBarSeries>
#include <QSvgGenerator>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr int kCardWidth = 340; ///< a card's minimum width: the dock puts as many side by side as fit
constexpr int kBarRow = 20; ///< height of one bar of a horizontal bar chart

QString suffixOf(OverviewDock::FileFormat format)
{
    switch (format) {
    case OverviewDock::FileFormat::Png:
        return u"png"_s;
    case OverviewDock::FileFormat::Svg:
        return u"svg"_s;
    case OverviewDock::FileFormat::Csv:
        return u"csv"_s;
    }
    return {};
}
} // namespace

OverviewDock::OverviewDock(MemoryTableModel* model, QWidget* parent)
    : QDockWidget(tr("Store Overview"), parent)
    , m_model(model)
    , m_summary(new QLabel(this))
    , m_health(new QLabel(this))
    , m_messages(new MessageBar(this))
    , m_busy(new QProgressBar(this))
    , m_scroll(new QScrollArea(this))
    , m_grid(new QWidget(this))
    , m_gridLayout(new QGridLayout(m_grid))
{
    setObjectName(u"storeOverviewDock"_s);
    m_summary->setObjectName(u"overviewSummary"_s);
    m_summary->setWordWrap(true);
    m_health->setObjectName(u"overviewHealth"_s);
    m_health->setWordWrap(true);
    m_health->setTextFormat(Qt::RichText);
    m_messages->setObjectName(u"overviewMessages"_s);
    m_busy->setObjectName(u"overviewBusy"_s);
    m_busy->setRange(0, 0); // no steps to count: the store answers in one go
    m_busy->setMaximumWidth(120);
    m_busy->setTextVisible(false);
    m_busy->setToolTip(tr("Computing the figures on the store's worker"));
    m_busy->hide();
    auto* refresh = new QToolButton(this);
    refresh->setObjectName(u"overviewRefresh"_s);
    refresh->setIcon(Appearance::icon(u"view-refresh"_s));
    refresh->setAutoRaise(true);
    refresh->setToolTip(tr("Compute the figures again"));
    connect(refresh, &QToolButton::clicked, this, &OverviewDock::recompute);

    m_gridLayout->setContentsMargins(0, 0, 0, 12); // the last note clear of the edge when scrolled down
    m_gridLayout->setSpacing(6);
    m_scroll->setWidget(m_grid);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->viewport()->installEventFilter(this);
    // one card and the scroll bar: narrower than this the charts cannot be read
    m_scroll->setMinimumWidth(kCardWidth + m_scroll->verticalScrollBar()->sizeHint().width() + 4);

    auto* content = new QWidget(this);
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    auto* header = new QHBoxLayout;
    header->addWidget(m_summary, 1);
    header->addWidget(m_busy);
    header->addWidget(refresh);
    layout->addLayout(header);
    layout->addWidget(m_health);
    layout->addWidget(m_messages);
    layout->addWidget(m_scroll, 1);
    setWidget(content);

    connect(m_health, &QLabel::linkActivated, this, &OverviewDock::healthRequested);
    m_schedule.setSingleShot(true);
    m_schedule.setInterval(50); // a reset, a reopen and a refresh that come together are asked once
    connect(&m_schedule, &QTimer::timeout, this, &OverviewDock::recompute);
    // The store has one worker: the figures (a second on a million memories) would hold the rows a view scrolls
    // to behind them. So they stop while a view waits for rows and start again once it has them, as summary links
    // and anchors do; after a while they go anyway, in case the view keeps asking.
    m_yieldLimit.setSingleShot(true);
    m_yieldLimit.setInterval(3000);
    connect(&m_yieldLimit, &QTimer::timeout, this, [this] {
        if (m_yielded)
            send();
    });
    connect(m_model, &MemoryTableModel::viewWaiting, this, [this](bool waiting) {
        if (waiting && m_job) {
            m_model->cancelFetch(m_job); // its answer is dropped: m_job no longer names it
            m_job = 0;
            m_yielded = true;
            m_yieldLimit.start();
            setBusy(true);
        } else if (!waiting && m_yielded) {
            send();
        }
    });
    connect(m_model, &MemoryTableModel::jobFinished, this, &OverviewDock::onJobFinished);
    connect(m_model, &MemoryTableModel::storeOpened, this, &OverviewDock::schedule);
    connect(m_model, &MemoryTableModel::refreshed, this, &OverviewDock::schedule);
    connect(m_model, &MemoryTableModel::writesApplied, this, &OverviewDock::schedule);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        if (!m_model->isOpen()) {
            // the store is closed (or about to be opened again): its worker will not answer; the figures stay
            // until setStore() says whose they are
            m_job = 0;
            m_yielded = false;
            m_yieldLimit.stop();
            setBusy(false);
            m_stale = true;
            return;
        }
        // a new sort resets the table too, but leaves the figures as they are
        const MemoryFilter& asked = m_job ? m_jobFilter : m_statsFilter;
        if (m_model->filter() != asked || (!m_job && !m_stats))
            schedule();
    });
    connect(this, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible && m_stale)
            schedule();
    });
    updateHeader();
}

// the window disconnects the model first: the model may be gone before the dock
OverviewDock::~OverviewDock() = default;

void OverviewDock::setStore(const QString& spec)
{
    if (m_job)
        m_model->cancelFetch(m_job);
    m_job = 0; // a reopened store's worker is a new one: the job sent to the old one never answers
    m_yielded = false;
    m_yieldLimit.stop();
    setBusy(false);
    if (spec != m_spec) {
        m_spec = spec;
        m_stats.reset();
        m_statsFilter = {};
        m_errorText.clear();
        m_messages->clear();
        clearCharts();
    }
    m_stale = true;
    updateHeader();
}

void OverviewDock::schedule()
{
    m_stale = true;
    m_schedule.start();
}

void OverviewDock::recompute()
{
    m_schedule.stop();
    if (!m_model->isOpen() || m_spec.isEmpty()) {
        updateHeader();
        return;
    }
    m_stale = true;
    if (!isVisible()) {
        m_yielded = false;
        setBusy(false);
        return; // asked again when the dock shows
    }
    if (m_job)
        m_model->cancelFetch(m_job); // its answer would be dropped: the store may stop early
    m_job = 0;
    if (m_model->isViewWaiting()) {
        if (!m_yielded)
            m_yieldLimit.start();
        m_yielded = true;
        setBusy(true);
        return;
    }
    send();
}

void OverviewDock::send()
{
    m_yielded = false;
    m_yieldLimit.stop();
    if (!m_model->isOpen() || m_spec.isEmpty() || !isVisible()) {
        setBusy(false);
        return;
    }
    if (m_job)
        m_model->cancelFetch(m_job);
    auto result = std::make_shared<StoreStats>();
    const MemoryFilter filter = m_model->filter();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    m_result = result;
    m_jobFilter = filter;
    m_job = m_model->runJob([result, filter, now](PersistenceBackend& store, const auto&) -> QString {
        *result = store.stats(filter, now);
        return {};
    });
    m_stale = false;
    setBusy(isBusy());
}

void OverviewDock::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (id != m_job || id == 0)
        return; // another dock's job, or one a newer filter or store replaced
    m_job = 0;
    setBusy(false);
    if (cancelled) {
        m_stale = true;
        m_summary->setText(tr("Stopped before the figures were computed."));
        return;
    }
    if (failed) {
        m_errorText = summary;
        m_messages->showMessage(MessageBar::Kind::Error, tr("The overview could not be computed: %1").arg(summary));
        updateHeader();
        Q_EMIT updated();
        return;
    }
    if (!m_errorText.isEmpty())
        m_messages->clear();
    m_errorText.clear();
    m_stats = *m_result;
    m_statsFilter = m_jobFilter;
    m_result.reset();
    showCharts();
    updateHeader();
    // the table's filter moved on while the store was counting (no reset reached us meanwhile)
    if (m_model->filter() != m_statsFilter)
        schedule();
    Q_EMIT updated();
}

void OverviewDock::setBusy(bool busy)
{
    m_busy->setVisible(busy);
    m_grid->setEnabled(!busy || m_stats.has_value());
    updateHeader();
}

void OverviewDock::updateHeader()
{
    QString text;
    if (m_spec.isEmpty() || !m_model->isOpen())
        text = tr("No store is open.");
    else if (m_stats)
        text = tr("<b>%1</b> memories match the table's filter.").arg(QLocale().toString(m_stats->total));
    else if (!m_errorText.isEmpty())
        text = tr("No figures.");
    if (isBusy())
        text = text.isEmpty() ? tr("Computing…") : text + u" "_s + tr("Computing…");
    m_summary->setText(text);

    const QString link = u"<a href=\"health\">%1</a>"_s;
    if (m_spec.isEmpty()) {
        m_health->clear();
    } else if (m_findings < 0) {
        m_health->setText(tr("Health: not checked in this session. %1").arg(link.arg(tr("Check Store…"))));
    } else if (m_findings == 0) {
        m_health->setText(tr("Health: ✓ nothing found at the last check. %1").arg(link.arg(tr("Show"))));
    } else {
        m_health->setText(tr("Health: ⚠ %n findings at the last check.", "",
                             int(qMin<qint64>(m_findings, std::numeric_limits<int>::max())))
                          + u" "_s + link.arg(tr("Show")));
    }
    m_health->setVisible(!m_spec.isEmpty());
}

QString OverviewDock::summaryText() const
{
    return m_summary->text();
}

QString OverviewDock::errorText() const
{
    return m_errorText;
}

void OverviewDock::setHealthFindings(qint64 findings)
{
    m_findings = findings;
    updateHeader();
}

QString OverviewDock::healthText() const
{
    return m_health->text();
}

void OverviewDock::clearCharts()
{
    for (QWidget* card : std::as_const(m_cards))
        card->deleteLater();
    m_cards.clear();
    m_views.clear();
    m_charts.clear();
    m_columns = 0;
    ++m_cardRound; // cards of the charts dropped here are not added any more
}

void OverviewDock::showCharts(bool oneATurn)
{
    const int scrolled = m_scroll->verticalScrollBar()->value();
    clearCharts();
    if (!m_stats)
        return;
    m_charts = OverviewCharts::build(*m_stats);
    if (oneATurn) {
        addCard(m_cardRound, scrolled);
        return;
    }
    while (m_cards.size() < m_charts.size())
        addCard(m_cardRound, scrolled);
}

void OverviewDock::addCard(quint64 round, int scrolled)
{
    if (round != m_cardRound || m_cards.size() >= m_charts.size())
        return;
    // one chart a turn of the event loop: each is a few ms of GUI work, all of them at once held the window for
    // several frames (bench_stall, opening a million memories)
    QWidget* card = makeCard(m_charts.at(m_cards.size()));
    m_cards << card;
    m_columns = 0; // placed again with the new card
    layoutCards();
    // a layout shows new children only on a later turn of the event loop; a save right away needs them sized
    card->show();
    m_gridLayout->activate();
    m_scroll->verticalScrollBar()->setValue(scrolled);
    if (m_cards.size() < m_charts.size())
        QTimer::singleShot(0, this, [this, round, scrolled] { addCard(round, scrolled); }); // a no-op once all are in
    else
        setBusy(isBusy()); // the last chart: "Computing…" and the busy bar go, unless figures are asked again
}

void OverviewDock::layoutCards()
{
    const int columns = qBound(1, m_scroll->viewport()->width() / (kCardWidth + 12), 3);
    if (columns == m_columns && m_gridLayout->count() == m_cards.size())
        return;
    m_columns = columns;
    while (m_gridLayout->count() > 0)
        delete m_gridLayout->takeAt(0); // the item only: the cards are placed again below
    for (int c = 0; c < 4; ++c)
        m_gridLayout->setColumnStretch(c, c < columns ? 1 : 0);
    int row = 0;
    int column = 0;
    for (QWidget* card : std::as_const(m_cards)) {
        // time reads left to right: the weekly chart takes the whole width
        if (card->property("wide").toBool()) {
            if (column > 0)
                ++row;
            m_gridLayout->addWidget(card, row++, 0, 1, columns);
            column = 0;
            continue;
        }
        m_gridLayout->addWidget(card, row, column);
        if (++column == columns) {
            column = 0;
            ++row;
        }
    }
    for (int r = 0; r < m_gridLayout->rowCount(); ++r)
        m_gridLayout->setRowStretch(r, 0);
    m_gridLayout->setRowStretch(row + 1, 1); // cards keep their height; what is left stays below them
}

bool OverviewDock::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_scroll->viewport() && event->type() == QEvent::Resize && !m_cards.isEmpty())
        layoutCards();
    return QDockWidget::eventFilter(watched, event);
}

void OverviewDock::changeEvent(QEvent* event)
{
    QDockWidget::changeEvent(event);
    // the charts paint with the window's colours (a dark palette too): drawn again when they change
    if (event->type() == QEvent::PaletteChange && !m_cards.isEmpty())
        showCharts(false);
}

QWidget* OverviewDock::makeCard(const OverviewChart& chart)
{
    auto* card = new QFrame(m_grid);
    card->setObjectName(u"overviewCard_"_s + chart.id);
    card->setFrameShape(QFrame::StyledPanel);
    card->setProperty("wide", chart.kind == OverviewChart::Kind::StackedBars);
    card->setMinimumWidth(kCardWidth);
    auto* layout = new QVBoxLayout(card);
    layout->setContentsMargins(6, 4, 6, 6);
    layout->setSpacing(2);
    auto* header = new QHBoxLayout;
    auto* title = new QLabel(u"<b>%1</b>"_s.arg(chart.title.toHtmlEscaped()), card);
    header->addWidget(title, 1);
    // made with its chart: setChart() would release the default chart QChartView(QWidget*) makes, not delete it
    auto* view = new QChartView(makeChart(chart), card);
    view->setObjectName(u"overviewChart_"_s + chart.id);
    view->setAccessibleName(chart.title);
    view->setAccessibleDescription(tr("Chart; its numbers are saved with CSV"));
    m_views.insert(chart.id, view);
    const QString id = chart.id;
    const QList<std::pair<FileFormat, QString>> formats {
        {FileFormat::Png, tr("Save the chart as a PNG picture")},
        {FileFormat::Svg, tr("Save the chart as an SVG drawing")},
        {FileFormat::Csv, tr("Save the numbers behind the chart as CSV")},
    };
    for (const auto& [format, tip] : formats) {
        auto* button = new QToolButton(card);
        button->setObjectName(u"overviewSave_"_s + id + u'_' + suffixOf(format));
        button->setText(suffixOf(format).toUpper());
        button->setToolTip(tip);
        button->setAutoRaise(true);
        connect(button, &QToolButton::clicked, this, [this, id, format] { exportChartAs(id, format); });
        header->addWidget(button);
    }
    layout->addLayout(header);

    view->setRenderHint(QPainter::Antialiasing);
    view->setFrameShape(QFrame::NoFrame);
    const int rows = int(chart.categories.size());
    // the weekly chart's legend lists every namespace beside the bars
    const int height = chart.kind == OverviewChart::Kind::Bars ? qMax(150, 56 + rows * kBarRow)
        : chart.kind == OverviewChart::Kind::Pie               ? 190
                                                               : qMax(260, 48 + int(chart.series.size()) * 22);
    view->setMinimumHeight(height);
    view->setMaximumHeight(height);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, [this, id, view](const QPoint& pos) {
        QMenu menu(this);
        menu.addAction(tr("Save as &PNG…"), this, [this, id] { exportChartAs(id, FileFormat::Png); });
        menu.addAction(tr("Save as &SVG…"), this, [this, id] { exportChartAs(id, FileFormat::Svg); });
        menu.addAction(tr("Save the Numbers as &CSV…"), this, [this, id] { exportChartAs(id, FileFormat::Csv); });
        menu.exec(view->mapToGlobal(pos));
    });
    layout->addWidget(view);
    if (!chart.note.isEmpty()) {
        auto* note = new QLabel(chart.note, card);
        note->setWordWrap(true);
        note->setTextFormat(Qt::PlainText); // tags and domains are store data, never markup
        QPalette p = note->palette();
        p.setColor(QPalette::WindowText, palette().color(QPalette::PlaceholderText));
        note->setPalette(p);
        QFont small = note->font();
        small.setPointSizeF(small.pointSizeF() * 0.9);
        note->setFont(small);
        layout->addWidget(note);
    }
    return card;
}

bool OverviewDock::exportChart(const QString& id, FileFormat format, const QString& path, QString* error) const
{
    const auto fail = [&](const QString& reason) {
        if (error)
            *error = reason;
        return false;
    };
    const OverviewChart* chart = nullptr;
    for (const OverviewChart& candidate : m_charts) {
        if (candidate.id == id)
            chart = &candidate;
    }
    QChartView* view = m_views.value(id);
    if (!chart || !view)
        return fail(tr("There is no chart %1 to save.").arg(id));
    if (!m_spec.isEmpty()) {
        try {
            refuseExportOntoStore(path, StoreSpec::parse(m_spec));
        } catch (const StorageError& e) {
            return fail(e.message());
        }
    }
    // written beside the target and renamed over it: a failed save leaves the old file as it was
    QSaveFile file(path);
    // unbuffered: a buffered QSaveFile's failed flush (a full disk) is not reported by commit()
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return fail(tr("Cannot write %1: %2").arg(path, file.errorString()));
    const QSize size = view->size();
    const QRectF source = view->sceneRect();
    switch (format) {
    case FileFormat::Csv:
        file.write(chart->toCsv());
        break;
    case FileFormat::Png: {
        // twice the pixels of the screen at least, so the picture stays sharp in a document
        const qreal scale = qMax<qreal>(2, view->devicePixelRatioF());
        QImage image(size * scale, QImage::Format_ARGB32_Premultiplied);
        image.setDevicePixelRatio(scale);
        image.fill(view->chart()->backgroundBrush().color());
        {
            QPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            view->scene()->render(&painter, QRectF(QPointF(0, 0), size), source);
        }
        if (!image.save(&file, "PNG"))
            return fail(tr("Cannot write %1: %2").arg(path, file.errorString()));
        break;
    }
    case FileFormat::Svg: {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(chart->title);
        svg.setDescription(tr("Subcog Inspector: %1").arg(chart->title));
        QPainter painter;
        if (!painter.begin(&svg))
            return fail(tr("Cannot write %1: %2").arg(path, file.errorString()));
        painter.setRenderHint(QPainter::Antialiasing);
        view->scene()->render(&painter, QRectF(QPointF(0, 0), size), source);
        painter.end();
        break;
    }
    }
    if (file.error() != QFileDevice::NoError || !file.commit())
        return fail(tr("Cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

void OverviewDock::exportChartAs(const QString& id, FileFormat format)
{
    QSettings settings;
    const QString suffix = suffixOf(format);
    const QString folder = settings.value(u"overview/folder"_s, QDir::homePath()).toString();
    QFileDialog dialog(this, tr("Save Chart"), QDir(folder).filePath(id + u'.' + suffix));
    dialog.setObjectName(u"overviewSaveDialog"_s);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(suffix);
    dialog.setNameFilter(format == FileFormat::Png       ? tr("PNG pictures (*.png)")
                             : format == FileFormat::Svg ? tr("SVG drawings (*.svg)")
                                                         : tr("CSV files (*.csv)"));
    // the question about replacing a file is asked below, in the words the export dialog uses
    dialog.setOption(QFileDialog::DontConfirmOverwrite);
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
        return;
    const QString path = dialog.selectedFiles().first();
    const QFileInfo target(path);
    if (target.exists() && target.isDir()) {
        m_messages->showMessage(MessageBar::Kind::Warning, tr("%1 is a folder; choose a file name.").arg(path));
        return;
    }
    if (target.exists()) {
        if (!confirmReplace(this, target.fileName(), tr("Replace it with the chart? Its contents are lost.")))
            return;
    }
    settings.setValue(u"overview/folder"_s, target.absolutePath());
    QString error;
    if (exportChart(id, format, path, &error))
        m_messages->showMessage(MessageBar::Kind::Info, tr("Saved %1").arg(QDir::toNativeSeparators(path)));
    else
        m_messages->showMessage(MessageBar::Kind::Error, error);
}

} // namespace Inspector
