// SPDX-License-Identifier: MIT
#pragma once

#include "memorytablemodel.h"
#include "overviewcharts.h"

#include <QDockWidget>
#include <QHash>
#include <QTimer>

#include <memory>
#include <optional>

class QChart;
class QChartView;
class QGridLayout;
class QLabel;
class QProgressBar;
class QScrollArea;

namespace Inspector {

class MessageBar;

/**
 * View ▸ Store Overview: the open store at a glance for the table's filter, in charts (memories by namespace and
 * status, captures per week by namespace, top tags, projects and branches, domain scopes, summaries, tombstoned and
 * expired, embedding coverage). The figures are PersistenceBackend::stats(), computed as a job on the store's
 * worker; a new filter, another store or a refresh asks again and drops the answer on its way. Nothing is computed
 * while the dock is hidden. Clicking a value asks the window to add its filter word (filterRequested); each chart
 * saves as PNG or SVG and its numbers as CSV.
 */
class OverviewDock : public QDockWidget
{
    Q_OBJECT
public:
    enum class FileFormat
    {
        Png,
        Svg,
        Csv,
    };

    explicit OverviewDock(MemoryTableModel* model, QWidget* parent = nullptr);
    ~OverviewDock() override;

    /// Another store is open (`spec`, any password in it; empty: none): its figures are computed afresh.
    void setStore(const QString& spec);
    /// Asks the worker for the figures of the model's current filter now (once the dock shows, if hidden).
    void recompute();
    /// Figures are on their way, or wait for a view to get its rows first, or charts are still being drawn (one a
    /// turn of the event loop).
    bool isBusy() const { return m_job != 0 || m_yielded || m_cards.size() < m_charts.size(); }
    /// Figures are wanted but wait: a view waits for rows, which the store's worker reads first.
    bool isWaitingForRows() const { return m_yielded; }
    /// The figures the charts show, and the filter they are for (nullopt before any arrived for this store).
    const std::optional<StoreStats>& stats() const { return m_stats; }
    const MemoryFilter& statsFilter() const { return m_statsFilter; }
    const QList<OverviewChart>& charts() const { return m_charts; }
    QChartView* chartView(const QString& id) const { return m_views.value(id); }
    QString summaryText() const;
    /// Why the last computation failed (empty when it did not).
    QString errorText() const;
    /// The findings of the last check of this store (-1: none in this session), from the Store Health dock.
    void setHealthFindings(qint64 findings);
    QString healthText() const;
    /// Writes chart `id` to `path` as a picture or its numbers, atomically; false with the reason in `error`.
    bool exportChart(const QString& id, FileFormat format, const QString& path, QString* error = nullptr) const;
    /// Asks for a file (and before replacing one), then exports; the outcome shows in the dock.
    void exportChartAs(const QString& id, FileFormat format);
    /// What a click on a value of a chart does: asks for its filter words (nothing when it has none).
    void activate(const QString& id, int series, int category);

Q_SIGNALS:
    /// Add these words to the filter bar (`tombstoned:only`: the Trash).
    void filterRequested(const QStringList& words);
    /// The health line's link: show the Store Health dock.
    void healthRequested();
    /// New figures are shown (or an error instead of them).
    void updated();

protected:
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void schedule();
    void send();
    void onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary);
    void clearCharts();
    /// Draws the charts of m_stats anew; `oneATurn`: a chart a turn of the event loop (after new figures), otherwise
    /// all at once (a palette change, where the charts are there already).
    void showCharts(bool oneATurn = true);
    void addCard(quint64 round, int scrolled);
    void layoutCards();
    QWidget* makeCard(const OverviewChart& chart);
    QChart* makeChart(const OverviewChart& chart);
    void updateHeader();
    void setBusy(bool busy);

    MemoryTableModel* m_model;
    QLabel* m_summary;
    QLabel* m_health;
    MessageBar* m_messages; ///< errors and saved files, in the dock: never a modal
    QProgressBar* m_busy;
    QScrollArea* m_scroll;
    QWidget* m_grid;
    QGridLayout* m_gridLayout;
    QTimer m_schedule;
    QTimer m_yieldLimit; ///< how long the figures give way to views waiting for rows
    QString m_spec;

    RequestId m_job = 0;
    bool m_yielded = false; ///< wanted, but a view waits for rows: sent (again) once it has them
    MemoryFilter m_jobFilter;
    std::shared_ptr<StoreStats> m_result; ///< filled on the worker, read once the job has answered
    bool m_stale = true; ///< the figures shown are not those of the model's filter and store
    std::optional<StoreStats> m_stats;
    MemoryFilter m_statsFilter;
    QString m_errorText;
    qint64 m_findings = -1;

    QList<OverviewChart> m_charts;
    QList<QWidget*> m_cards;
    quint64 m_cardRound = 0; ///< bumped when the cards are dropped: a pending addCard() of older ones stops
    QHash<QString, QChartView*> m_views;
    int m_columns = 0;
};

} // namespace Inspector
