// SPDX-License-Identifier: MIT
#pragma once

#include "storestats.h"

#include <QCoreApplication>
#include <QStringList>

namespace Inspector {

/// The numbers behind one chart of the Store Overview: a table of categories × series (its CSV), and the filter
/// words a click on a value adds to the filter bar.
struct OverviewChart
{
    enum class Kind
    {
        Bars, ///< horizontal bars, one series
        Pie, ///< slices of one series
        StackedBars, ///< vertical bars over time, one series a namespace
    };
    QString id; ///< `namespaces`, `statuses`, `weeks`, `tags`, `projects`, `branches`, `scopes`, `summaries`, …
    QString title;
    Kind kind = Kind::Bars;
    QString categoryHeader; ///< the CSV header of the category column
    QStringList categories;
    QStringList series; ///< one name a value column
    QList<QList<qint64>> values; ///< values[series][category]
    QStringList categoryWords; ///< the filter word of each category; empty where the language cannot say it
    QStringList seriesWords; ///< the filter word of each series, or empty
    QString note; ///< what the chart leaves out or counts elsewhere

    qint64 value(int series, int category) const;
    /// The words a click on (series, category) filters by; empty when that value cannot be filtered for.
    QStringList wordsAt(int series, int category) const;
    /// RFC 4180: a header row, then one row a category; CRLF line ends, UTF-8.
    QByteArray toCsv() const;
};

/// Turns StoreStats into the overview's charts (pure; tested without a window).
class OverviewCharts
{
    Q_DECLARE_TR_FUNCTIONS(Inspector::OverviewCharts)
public:
    /// At most this many bars over time: older weeks are grouped in spans of several weeks beyond it.
    static constexpr int kMaxTimeBars = 104;

    /// The weeks the time chart shows, and the memories left out before and after them.
    struct TimeRange
    {
        qint64 first = 0;
        qint64 last = 0;
        qint64 before = 0;
        qint64 after = 0;
    };
    /// All the weeks, unless at most 1 % of the memories at either end stretch time more than four times; those
    /// are left out (and counted) then. `weeks` must not be empty.
    static TimeRange timeRange(const QMap<qint64, QMap<QString, qint64>>& weeks);
    /// The charts in the order the overview shows them. `embeddings` is left out when the store keeps none the
    /// inspector can read.
    static QList<OverviewChart> build(const StoreStats& stats);
    /// `key:value`, or empty where subcog's filter language cannot say it (an empty value, or whitespace in it,
    /// which would split the word; a comma in a tag, which would mean "any of").
    static QString filterWord(const QString& key, const QString& value);
    /// A time bound for `created:`: the ISO date of a Unix time (UTC), or the seconds themselves outside years
    /// 1–9999.
    static QString dateWord(qint64 seconds);
};

} // namespace Inspector
