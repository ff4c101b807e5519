// SPDX-License-Identifier: MIT
// The Store Overview's charts: each OverviewChart drawn with Qt Charts, and a click on a bar or slice.
#include "overviewdock.h"

#include "exportfile.h"
#include "messagebar.h"
#include "plaintext.h"
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

/// Tableau's ten colours and four more: told apart on light and dark backgrounds alike.
const QList<QColor>& qualitative()
{
    static const QList<QColor> colours {
        QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0xe1, 0x57, 0x59), QColor(0x76, 0xb7, 0xb2),
        QColor(0x59, 0xa1, 0x4f), QColor(0xed, 0xc9, 0x48), QColor(0xb0, 0x7a, 0xa1), QColor(0xff, 0x9d, 0xa7),
        QColor(0x9c, 0x75, 0x5f), QColor(0xba, 0xb0, 0xac), QColor(0x86, 0xbc, 0xb6), QColor(0xd3, 0x72, 0x95),
        QColor(0x8c, 0xd1, 0x7d), QColor(0x49, 0x98, 0x94),
    };
    return colours;
}

/// A namespace keeps its colour in every chart.
QColor namespaceColour(const QString& name)
{
    const auto ns = parseNamespace(name);
    const qsizetype i = ns ? allNamespaces().indexOf(*ns) : 0;
    return qualitative().at(i % qualitative().size());
}

/// An axis of whole numbers from 0 with about five ticks of 1, 2 or 5 × 10^k.
QValueAxis* countAxis(qint64 max, qreal headroom)
{
    auto* axis = new QValueAxis;
    const qreal top = qMax<qreal>(1, qreal(max) * headroom);
    const qreal raw = top / 5;
    const qreal magnitude = std::pow(10.0, std::floor(std::log10(qMax<qreal>(raw, 1))));
    qreal step = 10 * magnitude;
    for (const qreal m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    }
    axis->setRange(0, std::ceil(top / step) * step);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
    axis->setLabelFormat(u"%.0f"_s);
    return axis;
}

/// Category labels short enough to leave the bars room, still unique (the axis drops duplicates).
QStringList shortLabels(const QStringList& labels, const QFontMetrics& metrics, int width)
{
    QStringList shown;
    for (const QString& label : labels) {
        QString s = metrics.elidedText(label, Qt::ElideMiddle, width);
        while (shown.contains(s))
            s += QChar(0x200B); // a zero-width space keeps two elided labels apart
        shown << s;
    }
    return shown;
}

/// Qt Charts draws axis labels, legends and titles as HTML: a tag or namespace holding `<b>` must show as written.
QStringList htmlEscaped(QStringList labels)
{
    for (QString& label : labels)
        label = label.toHtmlEscaped();
    return labels;
}

} // namespace

namespace {
/// The window's colours the charts draw with.
struct ChartColours
{
    QColor text;
    QColor base;
    QColor grid;
};
/// Shows or hides the tool tip of (series, category).
using Hover = std::function<void(bool on, int series, int category)>;

void addBars(QChart* chart, const OverviewChart& c, const ChartColours& colours, OverviewDock* dock, const Hover& hover)
{
    const QColor& text = colours.text;
    const QColor& grid = colours.grid;
    const QString id = c.id;
    // the largest on top: a horizontal bar series counts its categories from the bottom
    const int n = int(c.categories.size());
    auto* set = new QBarSet(c.series.value(0).toHtmlEscaped());
    QStringList labels;
    qint64 max = 0;
    for (int i = n - 1; i >= 0; --i) {
        *set << qreal(c.value(0, i));
        labels << c.categories.at(i);
        max = qMax(max, c.value(0, i));
    }
    const QColor colour = qualitative().first();
    set->setColor(colour);
    set->setBorderColor(colour);
    set->setLabelColor(text);
    auto* series = new QHorizontalBarSeries;
    series->append(set);
    series->setBarWidth(n <= 2 ? 0.4 : 0.75); // one or two bars would fill the chart's height
    series->setLabelsVisible(true);
    series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    series->setLabelsFormat(u"@value"_s);
    chart->addSeries(series);
    auto* categories = new QBarCategoryAxis;
    categories->append(htmlEscaped(shortLabels(labels, QFontMetrics(dock->font()), 170)));
    // elided above, in the middle where ids and paths differ least; Qt's own truncation can leave "..." for
    // every label once a chart was first laid out small
    categories->setTruncateLabels(false);
    categories->setLabelsColor(text);
    categories->setGridLineVisible(false);
    categories->setLinePenColor(grid);
    chart->addAxis(categories, Qt::AlignLeft);
    series->attachAxis(categories);
    QValueAxis* counts = countAxis(max, 1.18); // room for the value after the longest bar
    counts->setLabelsColor(text);
    counts->setGridLineColor(grid);
    counts->setLinePenColor(grid);
    chart->addAxis(counts, Qt::AlignBottom);
    series->attachAxis(counts);
    chart->legend()->hide();
    QObject::connect(set, &QBarSet::clicked, dock, [dock, id, n](int index) { dock->activate(id, 0, n - 1 - index); });
    QObject::connect(set, &QBarSet::hovered, dock, [hover, n](bool on, int index) { hover(on, 0, n - 1 - index); });
}

void addStackedBars(QChart* chart, const OverviewChart& c, const ChartColours& colours, OverviewDock* dock,
                    const Hover& hover)
{
    const QColor& text = colours.text;
    const QColor& base = colours.base;
    const QColor& grid = colours.grid;
    const QString id = c.id;
    const int n = int(c.categories.size());
    auto* series = new QStackedBarSeries;
    series->setBarWidth(n > 30 ? 1.0 : 0.8);
    QList<qint64> totals(n, 0);
    for (int s = 0; s < c.series.size(); ++s) {
        auto* set = new QBarSet(c.series.at(s).toHtmlEscaped());
        for (int b = 0; b < n; ++b) {
            *set << qreal(c.value(s, b));
            totals[b] += c.value(s, b);
        }
        const QColor colour = namespaceColour(c.series.at(s));
        set->setColor(colour);
        set->setBorderColor(n > 30 ? colour : base);
        series->append(set);
        QObject::connect(set, &QBarSet::clicked, dock, [dock, id, s](int index) { dock->activate(id, s, index); });
        QObject::connect(set, &QBarSet::hovered, dock, [hover, s](bool on, int index) { hover(on, s, index); });
    }
    chart->addSeries(series);
    if (n <= 12) {
        auto* weeks = new QBarCategoryAxis;
        weeks->append(c.categories);
        weeks->setLabelsColor(text);
        weeks->setGridLineVisible(false);
        weeks->setLinePenColor(grid);
        weeks->setTruncateLabels(false); // dates are short; see the bar charts' categories
        chart->addAxis(weeks, Qt::AlignBottom);
        series->attachAxis(weeks);
    } else {
        // too many weeks to name each: a date under every few bars, at the bar it names
        auto* weeks = new QCategoryAxis;
        weeks->setRange(-0.5, n - 0.5);
        weeks->setStartValue(-0.5);
        weeks->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        // four months under the bars read in a narrow dock; the tool tip names each week
        const int every = int(std::ceil(n / 4.0));
        QStringList used;
        for (int b = 0; b < n; b += every) {
            const QString month = c.categories.at(b).left(7); // 2026-01 of 2026-01-05
            if (!used.contains(month))
                weeks->append(month, b);
            used << month;
        }
        weeks->setLabelsColor(text);
        weeks->setGridLineVisible(false);
        weeks->setLinePenColor(grid);
        weeks->setTruncateLabels(false); // dates are short; see the bar charts' categories
        chart->addAxis(weeks, Qt::AlignBottom);
        series->attachAxis(weeks);
    }
    QValueAxis* counts = countAxis(n ? *std::max_element(totals.begin(), totals.end()) : 0, 1.05);
    counts->setLabelsColor(text);
    counts->setGridLineColor(grid);
    counts->setLinePenColor(grid);
    chart->addAxis(counts, Qt::AlignLeft);
    series->attachAxis(counts);
    // beside the bars: under them, a dozen namespaces leave no room for their names
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->legend()->setVisible(!c.series.isEmpty());
}

void addPie(QChart* chart, const OverviewChart& c, const ChartColours& colours, OverviewDock* dock, const Hover& hover)
{
    const QColor& text = colours.text;
    const QColor& base = colours.base;
    const QString id = c.id;
    auto* series = new QPieSeries;
    series->setHoleSize(0.38);
    series->setPieSize(0.85);
    for (int i = 0; i < c.categories.size(); ++i) {
        const qint64 v = c.value(0, i);
        // the legend has a third of a narrow card: the share is in the tool tip
        QPieSlice* slice
            = series->append(u"%1  %2"_s.arg(c.categories.at(i).toHtmlEscaped(), QLocale().toString(v)), qreal(v));
        slice->setProperty("category", c.categories.at(i));
        const QColor colour
            = c.id == "statuses"_L1 || c.id == "scopes"_L1 || c.id == "summaries"_L1 || c.id == "embeddings"_L1
            ? qualitative().at(i % qualitative().size())
            : qualitative().first();
        slice->setColor(colour);
        slice->setBorderColor(base);
        slice->setLabelColor(text);
        QObject::connect(slice, &QPieSlice::clicked, dock, [dock, id, i] { dock->activate(id, 0, i); });
        QObject::connect(slice, &QPieSlice::hovered, dock, [hover, slice, i](bool on) {
            slice->setExploded(on);
            hover(on, 0, i);
        });
    }
    chart->addSeries(series);
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->legend()->setVisible(!c.categories.isEmpty());
}
} // namespace

QChart* OverviewDock::makeChart(const OverviewChart& c)
{
    const QPalette pal = palette();
    ChartColours colours {pal.color(QPalette::Text), pal.color(QPalette::Base), pal.color(QPalette::Mid)};
    colours.grid.setAlpha(110);
    const QColor& text = colours.text;
    const QColor& base = colours.base;
    auto* chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setTheme(base.lightness() < 128 ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setBackgroundRoundness(0);
    chart->setBackgroundBrush(base);
    chart->setBackgroundPen(Qt::NoPen);
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->legend()->setLabelColor(text);
    chart->legend()->setFont(font());
    chart->setTitleBrush(text);
    if (c.categories.isEmpty())
        chart->setTitle(tr("Nothing for this filter"));
    const QString id = c.id;

    // a tool tip names the value and what a click on it filters for
    const Hover hover = [this, id](bool on, int series, int category) {
        // the view that shows the chart, looked up when hovered (the chart is made before its view)
        QChartView* view = m_views.value(id);
        if (!view)
            return;
        const OverviewChart* chart = nullptr;
        for (const OverviewChart& candidate : std::as_const(m_charts)) {
            if (candidate.id == id)
                chart = &candidate;
        }
        if (!on || !chart) {
            QToolTip::hideText();
            view->unsetCursor();
            return;
        }
        QString tip = chart->categories.value(category);
        if (chart->series.size() > 1)
            tip += u" · "_s + chart->series.value(series);
        tip += u": "_s + QLocale().toString(chart->value(series, category));
        if (chart->kind == OverviewChart::Kind::Pie) {
            qint64 total = 0;
            for (const qint64 v : chart->values.value(0))
                total += v;
            if (total > 0)
                tip += u" ("_s
                    + QLocale().toString(100.0 * qreal(chart->value(series, category)) / qreal(total), 'f', 1)
                    + u" %)"_s;
        }
        const QStringList words = chart->wordsAt(series, category);
        if (!words.isEmpty())
            tip += u"\n"_s + tr("Click to filter the table: %1").arg(words.join(u' '));
        view->setCursor(words.isEmpty() ? Qt::ArrowCursor : Qt::PointingHandCursor);
        QToolTip::showText(QCursor::pos(), plainToolTip(tip), view);
    };

    switch (c.kind) {
    case OverviewChart::Kind::Bars:
        addBars(chart, c, colours, this, hover);
        break;
    case OverviewChart::Kind::StackedBars:
        addStackedBars(chart, c, colours, this, hover);
        break;
    case OverviewChart::Kind::Pie:
        addPie(chart, c, colours, this, hover);
        break;
    }
    return chart;
}

void OverviewDock::activate(const QString& id, int series, int category)
{
    for (const OverviewChart& chart : std::as_const(m_charts)) {
        if (chart.id != id)
            continue;
        const QStringList words = chart.wordsAt(series, category);
        if (!words.isEmpty())
            Q_EMIT filterRequested(words);
        return;
    }
}

} // namespace Inspector
