// SPDX-License-Identifier: MIT
// The Store Overview dock under the offscreen platform, on a real SQLite store with known contents: its charts show
// what PersistenceBackend::stats() computes for the table's filter, follow the filter, filter the table when a value
// is clicked, and save as PNG, SVG and CSV.
#include "mainwindow.h"
#include "messagebar.h"
#include "overviewdock.h"
#include "sqlite/sqlitebackend.h"
#include "storehealthdock.h"
#include "testhelpers.h"
#include "translations.h"

#include <QAction>
#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPieSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStackedBarSeries>
#include <QSvgRenderer>
#include <QTableView>
#include <QTest>
#include <QTimeZone>
#include <QTimer>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
constexpr int kCount = 60;
constexpr qint64 kFirst = 1767225600; // 2026-01-01

QString idFor(int i)
{
    return u"ov%1"_s.arg(i, 3, 10, QChar(u'0'));
}

const QStringList kNamespaces {u"decisions"_s, u"decisions"_s, u"patterns"_s, u"learnings"_s, u"tech-debt"_s};
const QStringList kDomains {u"user"_s, u"project"_s, u"org"_s, u"acme/widgets"_s};

/// Memories whose fields vary with their number, so that every chart has several values.
Memory overviewMemory(int i)
{
    Memory m;
    m.id = idFor(i);
    m.content = u"Overview memory number %1"_s.arg(i);
    m.namespaceName = kNamespaces.at(i % kNamespaces.size());
    m.domain = kDomains.at(i % kDomains.size());
    m.status = i % 10 == 9 ? u"archived"_s : i % 10 == 8 ? u"superseded"_s : u"active"_s;
    m.createdAt = kFirst + qint64(i) * 2 * 86400 + 3600;
    m.updatedAt = m.createdAt;
    m.tags = {contentHashTag(m.content)};
    if (i % 2 == 0)
        m.tags << u"rust"_s;
    if (i % 3 == 0)
        m.tags << u"ui"_s;
    if (i % 7 == 0)
        m.tags << u"needs review"_s; // no filter word can say it
    if (i % 3 == 0)
        m.projectId = u"github.com/acme/widgets"_s;
    else if (i % 3 == 1)
        m.projectId = u"github.com/acme/gadgets"_s;
    if (i % 11 != 0)
        m.branch = i % 2 ? u"main"_s : u"feature/charts"_s;
    if (i % 6 == 5)
        m.expiresAt = m.createdAt + 86400; // long past
    if (i == 3 || i == 13) {
        m.status = u"tombstoned"_s;
        m.tombstonedAt = m.createdAt + 60;
    }
    if (i % 8 == 0) {
        m.isSummary = true;
        m.sourceMemoryIds = QStringList {idFor(i + 1)};
    }
    return m;
}
} // namespace

class TestOverviewDock : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QTemporaryDir m_config;
    std::unique_ptr<SqliteBackend> m_store; ///< the store, read behind the window's back
    QString m_path;

    std::unique_ptr<MainWindow> openWindow(const QString& path = {})
    {
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->show();
        [&] { QVERIFY(QTest::qWaitForWindowExposed(w.get())); }();
        w->openStore(u"sqlite:"_s + (path.isEmpty() ? m_path : path));
        w->overviewDock()->show();
        waitForOverview(*w);
        return w;
    }

    /// Until the table is idle and the overview shows the figures of the table's filter.
    static void waitForOverview(MainWindow& w)
    {
        OverviewDock* dock = w.overviewDock();
        QTRY_VERIFY_WITH_TIMEOUT(w.model()->isOpen() && !w.model()->isBusy() && w.model()->exactCount()
                                     && !dock->isBusy() && dock->stats() && dock->statsFilter() == w.model()->filter(),
                                 30000);
    }

    /// What the store says for the window's filter; `now` as the dock measured it.
    StoreStats expected(MainWindow& w) const
    {
        return m_store->stats(w.model()->filter(), w.overviewDock()->stats()->now);
    }

    static QChart* chart(MainWindow& w, const QString& id)
    {
        QChartView* view = w.overviewDock()->chartView(id);
        return view ? view->chart() : nullptr;
    }

    /// The bars of a one-series bar chart by category label, as drawn.
    static QHash<QString, qint64> bars(MainWindow& w, const QString& id)
    {
        QHash<QString, qint64> values;
        QChart* c = chart(w, id);
        if (!c || c->series().isEmpty())
            return values;
        auto* series = qobject_cast<QAbstractBarSeries*>(c->series().first());
        auto* axis = qobject_cast<QBarCategoryAxis*>(c->axes(Qt::Vertical).first());
        if (!series || !axis)
            return values;
        for (int i = 0; i < axis->count(); ++i)
            values.insert(axis->at(i), qint64(series->barSets().first()->at(i)));
        return values;
    }

    static QHash<QString, qint64> slices(MainWindow& w, const QString& id)
    {
        QHash<QString, qint64> values;
        QChart* c = chart(w, id);
        auto* series = c && !c->series().isEmpty() ? qobject_cast<QPieSeries*>(c->series().first()) : nullptr;
        if (!series)
            return values;
        for (QPieSlice* slice : series->slices())
            values.insert(slice->property("category").toString(), qint64(slice->value()));
        return values;
    }

    static QHash<QString, qint64> asHash(const QMap<QString, qint64>& map)
    {
        QHash<QString, qint64> h;
        for (auto it = map.begin(); it != map.end(); ++it)
            h.insert(it.key(), it.value());
        return h;
    }
    static QHash<QString, qint64> asHash(const QList<CountOf>& list)
    {
        QHash<QString, qint64> h;
        for (const CountOf& c : list)
            h.insert(c.key, c.count);
        return h;
    }

    /// Every chart of the window against the store's own figures.
    void compareCharts(MainWindow& w)
    {
        const StoreStats want = expected(w);
        StoreStats shown = *w.overviewDock()->stats();
        QCOMPARE(shown, want);
        QCOMPARE(bars(w, u"namespaces"_s), asHash(want.namespaces));
        QCOMPARE(slices(w, u"statuses"_s), asHash(want.statuses));
        QCOMPARE(bars(w, u"tags"_s), asHash(want.topTags));
        QCOMPARE(bars(w, u"projects"_s), asHash(want.topProjects));
        QCOMPARE(bars(w, u"branches"_s), asHash(want.topBranches));
        QCOMPARE(slices(w, u"scopes"_s), asHash(want.scopes));
        QHash<QString, qint64> kinds;
        if (want.originals)
            kinds.insert(u"originals"_s, want.originals);
        if (want.summaries)
            kinds.insert(u"summaries"_s, want.summaries);
        QCOMPARE(slices(w, u"summaries"_s), kinds);
        const QHash<QString, qint64> lifecycle = bars(w, u"lifecycle"_s);
        QCOMPARE(lifecycle.value(u"tombstoned"_s), want.tombstoned);
        QCOMPARE(lifecycle.value(u"expired"_s), want.expired);
        QCOMPARE(lifecycle.value(u"live"_s), want.total - want.tombstoned - want.expired);
        QCOMPARE(bool(chart(w, u"embeddings"_s)), want.withEmbedding.has_value());
        if (want.withEmbedding)
            QCOMPARE(slices(w, u"embeddings"_s).value(u"with an embedding"_s), *want.withEmbedding);

        // captures per week: one bar set a namespace, one bar a week (the store spans fewer than 104)
        QChart* weeks = chart(w, u"weeks"_s);
        QVERIFY(weeks);
        auto* stacked = qobject_cast<QStackedBarSeries*>(weeks->series().first());
        QVERIFY(stacked);
        const qint64 span
            = want.weeks.isEmpty() ? 0 : (want.weeks.lastKey() - want.weeks.firstKey()) / StoreStats::kWeek + 1;
        QHash<QString, qint64> perNamespace;
        for (const auto& week : want.weeks) {
            for (auto it = week.begin(); it != week.end(); ++it)
                perNamespace[it.key()] += it.value();
        }
        QCOMPARE(stacked->barSets().size(), perNamespace.size());
        for (QBarSet* set : stacked->barSets()) {
            QCOMPARE(set->count(), int(span));
            for (int b = 0; b < set->count(); ++b) {
                const qint64 week = want.weeks.firstKey() + b * StoreStats::kWeek;
                QCOMPARE(qint64(set->at(b)), want.weeks.value(week).value(set->label()));
            }
        }
    }

    /// Answers the file dialog with `saveAs`, then the question about replacing it, if it exists.
    struct DialogScript
    {
        QString saveAs; ///< the file dialog's file
        bool replace = false; ///< the "Replace File?" question
        bool asked = false; ///< the question came
        bool exists = false; ///< so a question is expected
    };
    static std::shared_ptr<DialogScript> answerDialogs(const QString& saveAs, bool replace)
    {
        auto script = std::make_shared<DialogScript>();
        script->saveAs = saveAs;
        script->replace = replace;
        script->exists = QFileInfo::exists(saveAs);
        auto* timer = new QTimer;
        timer->setInterval(20);
        QObject::connect(timer, &QTimer::timeout, timer, [timer, script] {
            QWidget* modal = QApplication::activeModalWidget();
            if (auto* dialog = qobject_cast<QFileDialog*>(modal)) {
                // typed, as a person does: selectFile() races the dialog's folder listing
                if (auto* name = dialog->findChild<QLineEdit*>(u"fileNameEdit"_s))
                    name->setText(script->saveAs);
                else
                    dialog->selectFile(script->saveAs);
                static_cast<QDialog*>(dialog)->accept(); // QFileDialog's own, through QDialog's public one
                if (!script->exists) {
                    timer->stop();
                    timer->deleteLater();
                }
            } else if (auto* box = qobject_cast<QMessageBox*>(modal)) {
                script->asked = true;
                for (QAbstractButton* b : box->buttons()) {
                    if (b->text().remove(u'&') == (script->replace ? u"Replace"_s : u"Cancel"_s))
                        b->click();
                }
                timer->stop();
                timer->deleteLater();
            }
        });
        timer->start();
        return script;
    }

private Q_SLOTS:
    void initTestCase()
    {
        installTranslations();
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        qputenv("HOME", m_config.path().toUtf8());
        m_path = m_dir.filePath(u"index.db"_s);
        m_store = SqliteBackend::create(m_path);
        QVERIFY(m_store);
        for (int i = 0; i < kCount; ++i)
            m_store->store(overviewMemory(i));
        // a few embeddings in the vectors.idx beside index.db, so that coverage is known
        QHash<QString, QList<float>> vectors;
        for (int i = 0; i < 10; ++i)
            vectors.insert(idFor(i * 5), QList<float>(384, 0.01f * float(i + 1))); // subcog's 384 dimensions
        QVERIFY(m_store->writeEmbeddings(vectors).isEmpty());
    }

    void showsTheStoresFiguresTheFirstTime()
    {
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        QVERIFY(w->overviewDock()->isHidden());
        w->openStore(u"sqlite:"_s + m_path);
        // the first store ever opened shows the overview, without being asked
        QVERIFY(w->overviewDock()->isVisible());
        waitForOverview(*w);
        QCOMPARE(w->overviewDock()->stats()->total, kCount - 2); // the two tombstoned ones are hidden
        compareCharts(*w);
        // every chart is drawn: the header no longer says it is computing, nor does the busy bar show
        QVERIFY2(!w->overviewDock()->summaryText().contains(u"Computing"_s),
                 qPrintable(w->overviewDock()->summaryText()));
        QVERIFY(!w->overviewDock()->findChild<QProgressBar*>()->isVisible());
        QVERIFY(w->overviewDock()->stats()->withEmbedding.has_value());
        // View ▸ Store Overview hides and shows it
        QAction* toggle = w->overviewDock()->toggleViewAction();
        QCOMPARE(toggle->text().remove(u'&'), u"Store Overview"_s);
        toggle->trigger();
        QVERIFY(w->overviewDock()->isHidden());
        w.reset();
        // a second window does not show it again by itself
        auto again = std::make_unique<MainWindow>();
        again->show();
        QVERIFY(QTest::qWaitForWindowExposed(again.get()));
        again->openStore(u"sqlite:"_s + m_path);
        QVERIFY(again->overviewDock()->isHidden());
        QTRY_VERIFY_WITH_TIMEOUT(again->model()->exactCount() && !again->model()->isBusy(), 30000);
        // hidden, it asks the store for nothing
        QVERIFY(!again->overviewDock()->isBusy());
        QVERIFY(!again->overviewDock()->stats());
    }

    void followsTheFilter()
    {
        auto w = openWindow();
        compareCharts(*w);
        w->filterEdit()->setText(u"ns:patterns"_s);
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        waitForOverview(*w);
        QCOMPARE(w->overviewDock()->stats()->total, w->model()->exactCount().value());
        QCOMPARE(bars(*w, u"namespaces"_s), (QHash<QString, qint64> {{u"patterns"_s, 12}}));
        compareCharts(*w);

        // two filters in quick succession: the first one's answer is dropped, the second is shown
        QSignalSpy updated(w->overviewDock(), &OverviewDock::updated);
        w->filterEdit()->setText(u"ns:learnings"_s);
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        w->filterEdit()->setText(u"ns:decisions tag:rust"_s);
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        waitForOverview(*w);
        QCOMPARE(w->overviewDock()->statsFilter().namespaces, QList<Namespace> {Namespace::Decisions});
        compareCharts(*w);
        QVERIFY(!updated.isEmpty());
        QCOMPARE(bars(*w, u"namespaces"_s).keys(), QList<QString> {u"decisions"_s});

        // tombstoned memories count once the view shows them
        w->filterEdit()->clear();
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        QAction* showTombstoned = nullptr;
        for (QAction* a : w->findChildren<QAction*>()) {
            if (a->text().remove(u'&') == u"Show Tombstoned Memories"_s)
                showTombstoned = a;
        }
        QVERIFY(showTombstoned);
        showTombstoned->trigger();
        waitForOverview(*w);
        QCOMPARE(w->overviewDock()->stats()->total, qint64(kCount));
        QCOMPARE(bars(*w, u"lifecycle"_s).value(u"tombstoned"_s), 2);
        compareCharts(*w);

        // a memory another program adds shows after a refresh
        Memory added = overviewMemory(kCount);
        m_store->store(added);
        w->model()->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(w->overviewDock()->stats()->total, qint64(kCount + 1), 30000);
        waitForOverview(*w);
        compareCharts(*w);
        m_store->remove(added.id);
        w->model()->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(w->overviewDock()->stats()->total, qint64(kCount), 30000);
    }

    void clickingAValueFiltersTheTable()
    {
        auto w = openWindow();
        // a real click on the `rust` bar of the top tags
        QChartView* view = w->overviewDock()->chartView(u"tags"_s);
        QVERIFY(view);
        w->overviewDock()->findChild<QScrollArea*>()->ensureWidgetVisible(view);
        QTest::qWait(50);
        auto* series = qobject_cast<QHorizontalBarSeries*>(view->chart()->series().first());
        auto* axis = qobject_cast<QBarCategoryAxis*>(view->chart()->axes(Qt::Vertical).first());
        const int index = int(axis->categories().indexOf(u"rust"_s));
        QVERIFY(index >= 0);
        const qint64 rust = qint64(series->barSets().first()->at(index));
        const QPointF bar = view->chart()->mapToPosition(QPointF(rust / 2.0, index), series);
        const QPoint at = view->mapFromScene(view->chart()->mapToScene(bar));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
        QTRY_COMPARE_WITH_TIMEOUT(w->filterEdit()->text(), u"tag:rust"_s, 5000);
        waitForOverview(*w);
        QCOMPARE(w->model()->exactCount().value(), rust);
        QCOMPARE(w->model()->rowCount(), int(rust));
        compareCharts(*w);

        // a slice of the statuses: the word is added to what the bar says
        const qint64 superseded = slices(*w, u"statuses"_s).value(u"superseded"_s);
        QVERIFY(superseded > 0);
        auto* pie = qobject_cast<QPieSeries*>(chart(*w, u"statuses"_s)->series().first());
        for (QPieSlice* slice : pie->slices()) {
            if (slice->property("category").toString() == "superseded"_L1)
                Q_EMIT slice->clicked();
        }
        QTRY_COMPARE_WITH_TIMEOUT(w->filterEdit()->text(), u"tag:rust status:superseded"_s, 5000);
        waitForOverview(*w);
        QCOMPARE(w->model()->exactCount().value(), superseded);
        QCOMPARE(w->model()->rowCount(), int(superseded));

        // a week of one namespace in the stacked bars: both words
        w->filterEdit()->clear();
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        waitForOverview(*w);
        auto* stacked = qobject_cast<QStackedBarSeries*>(chart(*w, u"weeks"_s)->series().first());
        QBarSet* decisions = nullptr;
        for (QBarSet* set : stacked->barSets()) {
            if (set->label() == "decisions"_L1)
                decisions = set;
        }
        QVERIFY(decisions);
        int week = -1;
        for (int b = 0; b < decisions->count() && week < 0; ++b) {
            if (decisions->at(b) > 0)
                week = b;
        }
        const qint64 inWeek = qint64(decisions->at(week));
        const qint64 weekStart = w->overviewDock()->stats()->weeks.firstKey() + week * StoreStats::kWeek;
        Q_EMIT decisions->clicked(week);
        const QString created = u"created:%1..%2"_s.arg(
            QDateTime::fromSecsSinceEpoch(weekStart, QTimeZone::utc()).date().toString(Qt::ISODate),
            QDateTime::fromSecsSinceEpoch(weekStart + 6 * 86400, QTimeZone::utc()).date().toString(Qt::ISODate));
        QTRY_COMPARE_WITH_TIMEOUT(w->filterEdit()->text(), created + u" ns:decisions"_s, 5000);
        waitForOverview(*w);
        QCOMPARE(w->model()->exactCount().value(), inWeek);

        // a value the language cannot say is not a filter: the tag with a space
        w->filterEdit()->clear();
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        waitForOverview(*w);
        const auto& charts = w->overviewDock()->charts();
        const auto tags = std::find_if(charts.begin(), charts.end(), [](const auto& c) { return c.id == "tags"_L1; });
        const int spaced = int(tags->categories.indexOf(u"needs review"_s));
        QVERIFY(spaced >= 0);
        QSignalSpy asked(w->overviewDock(), &OverviewDock::filterRequested);
        w->overviewDock()->activate(u"tags"_s, 0, spaced);
        QCOMPARE(asked.size(), 0);
        QVERIFY(w->filterEdit()->text().isEmpty());

        // the tombstoned bar opens the Trash
        for (QAction* a : w->findChildren<QAction*>()) {
            if (a->text().remove(u'&') == u"Show Tombstoned Memories"_s)
                a->trigger();
        }
        waitForOverview(*w);
        QSignalSpy reset(w->model(), &QAbstractItemModel::modelReset);
        auto* lifecycle = qobject_cast<QHorizontalBarSeries*>(chart(*w, u"lifecycle"_s)->series().first());
        // categories from the bottom: tombstoned, expired, live
        Q_EMIT lifecycle->barSets().first()->clicked(0);
        waitForOverview(*w);
        QCOMPARE(w->model()->exactCount().value(), 2);
        QCOMPARE(w->model()->filter().tombstones, TombstoneFilter::Only);
    }

    void givesWayToTheRowsAViewWaitsFor()
    {
        auto w = openWindow();
        OverviewDock* dock = w->overviewDock();
        // figures on their way when a view starts waiting for rows (a Go to ID): they stop and wait
        dock->recompute();
        QVERIFY(dock->isBusy());
        QVERIFY(!dock->isWaitingForRows());
        QElapsedTimer waited;
        waited.start();
        w->model()->locate(idFor(7));
        QVERIFY(w->model()->isViewWaiting());
        QVERIFY(dock->isWaitingForRows());
        QVERIFY(dock->isBusy());
        // asked for while the view still waits: nothing is sent yet
        dock->recompute();
        QVERIFY(dock->isWaitingForRows());
        // once the view has its row, the figures come, well before the limit that sends them anyway
        QTRY_VERIFY_WITH_TIMEOUT(!w->model()->isViewWaiting(), 10000);
        waitForOverview(*w);
        QVERIFY2(waited.elapsed() < 2500, qPrintable(QString::number(waited.elapsed())));
        QVERIFY(!dock->isWaitingForRows());
        compareCharts(*w);
    }

    void savesChartsAndTheirNumbers()
    {
        auto w = openWindow();
        OverviewDock* dock = w->overviewDock();
        const StoreStats want = expected(*w);
        QTemporaryDir out;

        // CSV: the numbers behind the chart, largest first
        const QString csv = out.filePath(u"namespaces.csv"_s);
        QString error;
        QVERIFY2(dock->exportChart(u"namespaces"_s, OverviewDock::FileFormat::Csv, csv, &error), qPrintable(error));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.first(), QByteArray("namespace,memories\r"));
        QHash<QString, qint64> fromCsv;
        qint64 previous = std::numeric_limits<qint64>::max();
        for (const QByteArray& line : lines.mid(1)) {
            if (line.isEmpty())
                continue;
            const QList<QByteArray> cells = line.trimmed().split(',');
            QCOMPARE(cells.size(), 2);
            fromCsv.insert(QString::fromUtf8(cells.at(0)), cells.at(1).toLongLong());
            QVERIFY(cells.at(1).toLongLong() <= previous);
            previous = cells.at(1).toLongLong();
        }
        QCOMPARE(fromCsv, asHash(want.namespaces));
        // weeks: a column a namespace and the total
        const QString weeksCsv = out.filePath(u"weeks.csv"_s);
        QVERIFY(dock->exportChart(u"weeks"_s, OverviewDock::FileFormat::Csv, weeksCsv, &error));
        QFile weeksFile(weeksCsv);
        QVERIFY(weeksFile.open(QIODevice::ReadOnly));
        const QByteArray header = weeksFile.readLine();
        QVERIFY2(header.startsWith("week (from Monday UTC),decisions,patterns,learnings,tech-debt,total"),
                 header.constData());
        const QList<QByteArray> firstWeek = weeksFile.readLine().trimmed().split(',');
        qint64 firstTotal = 0;
        for (const qint64 n : want.weeks.first())
            firstTotal += n;
        QCOMPARE(firstWeek.last().toLongLong(), firstTotal);
        QCOMPARE(QString::fromUtf8(firstWeek.first()),
                 QDateTime::fromSecsSinceEpoch(want.weeks.firstKey(), QTimeZone::utc()).date().toString(Qt::ISODate));

        // PNG: the chart's picture, at twice its size on screen
        const QString png = out.filePath(u"statuses.png"_s);
        QVERIFY2(dock->exportChart(u"statuses"_s, OverviewDock::FileFormat::Png, png, &error), qPrintable(error));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), dock->chartView(u"statuses"_s)->size() * 2);
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 4)
            for (int x = 0; x < image.width(); x += 4)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 10, "the picture has more than a background");

        // SVG: a drawing an SVG reader opens, with the chart's words as text
        const QString svg = out.filePath(u"tags.svg"_s);
        QVERIFY2(dock->exportChart(u"tags"_s, OverviewDock::FileFormat::Svg, svg, &error), qPrintable(error));
        QSvgRenderer renderer(svg);
        QVERIFY(renderer.isValid());
        QFile svgFile(svg);
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        const QByteArray drawing = svgFile.readAll();
        QVERIFY(drawing.contains("<svg"));
        QVERIFY(drawing.contains("Top tags"));
        QVERIFY(drawing.contains(">rust<") || drawing.contains(">rust "));

        // the store itself is never a target
        const QByteArray storeHash = Testing::fileHash(m_path);
        QVERIFY(!dock->exportChart(u"namespaces"_s, OverviewDock::FileFormat::Csv, m_path, &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(Testing::fileHash(m_path), storeHash);

        // through the buttons: a file dialog, and a question before an existing file is replaced
        auto* button = dock->findChild<QToolButton*>(u"overviewSave_namespaces_csv"_s);
        QVERIFY(button);
        QFile::remove(csv);
        {
            QFile existing(csv);
            QVERIFY(existing.open(QIODevice::WriteOnly));
            existing.write("keep me");
        }
        auto declined = answerDialogs(csv, false);
        button->click();
        QVERIFY(declined->asked);
        QCOMPARE(Testing::fileHash(csv), QCryptographicHash::hash("keep me", QCryptographicHash::Sha256).toHex());
        auto replaced = answerDialogs(csv, true);
        button->click();
        QVERIFY(replaced->asked);
        QFile again(csv);
        QVERIFY(again.open(QIODevice::ReadOnly));
        QVERIFY(again.readAll().startsWith("namespace,memories\r\n"));
        QVERIFY(dock->findChild<MessageBar*>(u"overviewMessages"_s)->text().contains(u"namespaces.csv"_s));
        // a new file is written without a question
        const QString fresh = out.filePath(u"fresh.png"_s);
        auto direct = answerDialogs(fresh, false);
        dock->findChild<QToolButton*>(u"overviewSave_weeks_png"_s)->click();
        QVERIFY(!direct->asked);
        QVERIFY(!QImage(fresh).isNull());
    }

    void chartLabelsShowStoreTextAsWritten()
    {
        // tags and projects are data, and Qt Charts draws axis labels and legends as HTML: `<b>x</b>` must show as
        // written, not as a bold x, and `<img src=…>` must not become a picture
        const QString path = m_dir.filePath(u"marked.db"_s);
        {
            QList<Memory> memories;
            for (int i = 0; i < 4; ++i) {
                Memory m = overviewMemory(i);
                m.tags = {u"<b>x</b>"_s, u"R&D"_s};
                m.projectId = u"<img src=\"/etc/passwd\">"_s;
                memories << m;
            }
            SqliteBackend::create(path)->storeBatch(memories);
        }
        auto w = openWindow(path);
        QStringList shown;
        const auto drawn = [&] {
            shown.clear();
            for (const QString& id : {u"tags"_s, u"projects"_s}) {
                QChart* c = chart(*w, id);
                for (QGraphicsItem* item : c && c->scene() ? c->scene()->items() : QList<QGraphicsItem*>()) {
                    if (auto* text = dynamic_cast<QGraphicsTextItem*>(item))
                        shown << text->toPlainText();
                }
            }
            return shown.contains(u"<b>x</b>"_s) && shown.contains(u"R&D"_s) && shown.join(u'\n').contains(u"<img"_s);
        };
        QTRY_VERIFY2_WITH_TIMEOUT(drawn(), qPrintable(shown.join(u" | "_s)), 10000);
    }

    void followsTheWindowsPalette()
    {
        auto w = openWindow();
        QPalette dark = w->palette();
        dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
        dark.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
        dark.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
        w->setPalette(dark);
        QTRY_COMPARE_WITH_TIMEOUT(chart(*w, u"namespaces"_s)->backgroundBrush().color(), QColor(0x1e, 0x1e, 0x1e),
                                  5000);
        auto* axis = chart(*w, u"namespaces"_s)->axes(Qt::Vertical).first();
        QCOMPARE(axis->labelsColor(), QColor(0xee, 0xee, 0xee));
        compareCharts(*w);
    }

    void showsTheHealthSummaryAndErrorsInTheDock()
    {
        auto w = openWindow();
        OverviewDock* dock = w->overviewDock();
        QVERIFY2(dock->healthText().contains(u"not checked"_s), qPrintable(dock->healthText()));
        QSignalSpy finished(w->healthDock(), &StoreHealthDock::checkFinished);
        w->showHealth();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 30000);
        const qint64 findings = finished.first().at(0).toLongLong();
        QVERIFY2(dock->healthText().contains(findings ? u"%1 finding"_s.arg(findings) : u"nothing found"_s),
                 qPrintable(dock->healthText()));
        // the link shows the health dock
        w->healthDock()->hide();
        Q_EMIT dock->findChild<QLabel*>(u"overviewHealth"_s)->linkActivated(u"health"_s);
        QVERIFY(w->healthDock()->isVisible());

        // a store that fails to answer: the reason in the dock, no dialog
        const QString broken = m_dir.filePath(u"broken.db"_s);
        QFile::remove(broken);
        QVERIFY(QFile::copy(m_path, broken));
        auto b = openWindow(broken);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"breaker"_s);
            db.setDatabaseName(broken);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"DROP TABLE memories"_s));
        }
        QSqlDatabase::removeDatabase(u"breaker"_s);
        b->overviewDock()->recompute();
        QTRY_VERIFY_WITH_TIMEOUT(!b->overviewDock()->isBusy() && !b->overviewDock()->errorText().isEmpty(), 30000);
        QVERIFY(!QApplication::activeModalWidget());
        QVERIFY(b->overviewDock()->findChild<MessageBar*>(u"overviewMessages"_s)->isVisible());
        QVERIFY(b->overviewDock()->findChild<MessageBar*>(u"overviewMessages"_s)->text().contains(u"memories"_s));
    }
};

QTEST_MAIN(TestOverviewDock)
#include "tst_overviewdock.moc"
