// SPDX-License-Identifier: MIT
#include "overviewcharts.h"

#include <QDateTime>
#include <QLocale>
#include <QRegularExpression>
#include <QTimeZone>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace Inspector {

qint64 OverviewChart::value(int s, int category) const
{
    return values.value(s).value(category);
}

QStringList OverviewChart::wordsAt(int s, int category) const
{
    const QString categoryWord = categoryWords.value(category);
    if (categoryWord.isEmpty())
        return {};
    QStringList words {categoryWord};
    if (!seriesWords.value(s).isEmpty())
        words << seriesWords.value(s);
    return words;
}

namespace {
QByteArray csvField(const QString& text)
{
    // RFC 4180: quote a field with a comma, quote or line break; double the quotes inside
    if (text.contains(u',') || text.contains(u'"') || text.contains(u'\n') || text.contains(u'\r'))
        return '"' + QString(text).replace(u"\""_s, u"\"\""_s).toUtf8() + '"';
    return text.toUtf8();
}
} // namespace

QByteArray OverviewChart::toCsv() const
{
    QByteArray out = csvField(categoryHeader);
    for (const QString& s : series)
        out += ',' + csvField(s);
    if (series.size() > 1)
        out += ",total";
    out += "\r\n";
    for (int c = 0; c < categories.size(); ++c) {
        out += csvField(categories.at(c));
        qint64 total = 0;
        for (int s = 0; s < series.size(); ++s) {
            out += ',' + QByteArray::number(value(s, c));
            total += value(s, c);
        }
        if (series.size() > 1)
            out += ',' + QByteArray::number(total);
        out += "\r\n";
    }
    return out;
}

QString OverviewCharts::filterWord(const QString& key, const QString& value)
{
    static const QRegularExpression space(u"\\s"_s);
    if (value.isEmpty() || value.contains(space) || (key == "tag"_L1 && value.contains(u',')))
        return {};
    return key + u':' + value;
}

QString OverviewCharts::dateWord(qint64 seconds)
{
    const QDateTime t = QDateTime::fromSecsSinceEpoch(seconds, QTimeZone::utc());
    if (t.isValid() && t.date().year() >= 1 && t.date().year() <= 9999)
        return t.date().toString(Qt::ISODate);
    return QString::number(seconds);
}

namespace {

OverviewChart single(const QString& id, const QString& title, OverviewChart::Kind kind, const QString& header,
                     const QString& seriesName)
{
    OverviewChart c;
    c.id = id;
    c.title = title;
    c.kind = kind;
    c.categoryHeader = header;
    c.series = {seriesName};
    c.values = {{}};
    return c;
}

void add(OverviewChart& c, const QString& category, qint64 n, const QString& word = {})
{
    c.categories << category;
    c.values[0] << n;
    c.categoryWords << word;
}

/// Largest first, then by name: the order a person reads a ranking in.
QList<CountOf> ranked(const QMap<QString, qint64>& counts)
{
    QList<CountOf> list;
    for (auto it = counts.begin(); it != counts.end(); ++it)
        list.append({it.key(), it.value()});
    std::stable_sort(list.begin(), list.end(), [](const CountOf& a, const CountOf& b) { return a.count > b.count; });
    return list;
}

QString listed(const QMap<QString, qint64>& counts)
{
    QStringList parts;
    for (auto it = counts.begin(); it != counts.end() && parts.size() < 5; ++it)
        parts << u"%1 (%2)"_s.arg(it.key(), QLocale().toString(it.value()));
    if (counts.size() > 5)
        parts << u"…"_s;
    return parts.join(u", "_s);
}

} // namespace

namespace {
qint64 sum(const QMap<QString, qint64>& counts)
{
    qint64 n = 0;
    for (const qint64 c : counts)
        n += c;
    return n;
}
} // namespace

OverviewCharts::TimeRange OverviewCharts::timeRange(const QMap<qint64, QMap<QString, qint64>>& weeks)
{
    TimeRange all {weeks.firstKey(), weeks.lastKey(), 0, 0};
    qint64 total = 0;
    for (const auto& week : weeks)
        total += sum(week);
    // at most 1 % of the memories at either end may be left out, and only when that shortens time a lot: a few
    // memories dated 1970 (a created_at of 0) would otherwise make decades of empty bars out of the rest
    const qint64 budget = total / 100;
    const QList<qint64> keys = weeks.keys();
    QList<qint64> counts;
    for (const auto& week : weeks)
        counts << sum(week);
    // within the budget, each end is cut at its widest gap between weeks: the far outliers go, the near ones stay
    TimeRange trimmed = all;
    int low = 0;
    long double widest = 0;
    qint64 dropped = 0;
    for (int k = 1; k < keys.size(); ++k) {
        dropped += counts.at(k - 1);
        if (dropped > budget)
            break;
        const long double gap = static_cast<long double>(keys.at(k)) - keys.at(k - 1);
        if (gap > widest) {
            widest = gap;
            low = k;
            trimmed.first = keys.at(k);
            trimmed.before = dropped;
        }
    }
    widest = 0;
    dropped = 0;
    for (int k = int(keys.size()) - 1; k > low; --k) {
        dropped += counts.at(k);
        if (dropped > budget)
            break;
        const long double gap = static_cast<long double>(keys.at(k)) - keys.at(k - 1);
        if (gap > widest) {
            widest = gap;
            trimmed.last = keys.at(k - 1);
            trimmed.after = dropped;
        }
    }
    const auto span
        = [](qint64 first, qint64 last) { return (static_cast<long double>(last) - first) / StoreStats::kWeek; };
    if (span(all.first, all.last) <= kMaxTimeBars)
        return all;
    // each end only when it is the one stretching time: recent memories stay when only old ones are absurd
    TimeRange range = all;
    if (span(trimmed.first, trimmed.last) * 4 <= span(all.first, trimmed.last)) {
        range.first = trimmed.first;
        range.before = trimmed.before;
    }
    if (span(trimmed.first, trimmed.last) * 4 <= span(trimmed.first, all.last)) {
        range.last = trimmed.last;
        range.after = trimmed.after;
    }
    return range;
}

QList<OverviewChart> OverviewCharts::build(const StoreStats& s)
{
    const QString memories = tr("memories");
    QList<OverviewChart> charts;

    OverviewChart ns
        = single(u"namespaces"_s, tr("Memories by namespace"), OverviewChart::Kind::Bars, tr("namespace"), memories);
    for (const CountOf& c : ranked(s.namespaces))
        add(ns, c.key, c.count, filterWord(u"ns"_s, c.key));
    if (!s.unknownNamespaces.isEmpty()) {
        qint64 unknown = 0;
        for (const qint64 n : s.unknownNamespaces)
            unknown += n;
        ns.note = tr("%1 with a namespace subcog does not know are counted as decisions, as subcog reads them "
                     "(ns:decisions does not find them): %2")
                      .arg(QLocale().toString(unknown), listed(s.unknownNamespaces));
    }
    charts << ns;

    OverviewChart st
        = single(u"statuses"_s, tr("Memories by status"), OverviewChart::Kind::Pie, tr("status"), memories);
    for (const CountOf& c : ranked(s.statuses))
        add(st, c.key, c.count, filterWord(u"status"_s, c.key));
    if (!s.unknownStatuses.isEmpty())
        st.note = tr("Statuses subcog does not know are counted as active: %1").arg(listed(s.unknownStatuses));
    charts << st;

    OverviewChart weeks;
    weeks.id = u"weeks"_s;
    weeks.title = tr("Captures per week");
    weeks.kind = OverviewChart::Kind::StackedBars;
    weeks.categoryHeader = tr("week (from Monday UTC)");
    if (!s.weeks.isEmpty()) {
        const auto [first, last, before, after] = timeRange(s.weeks);
        // long double holds every qint64 exactly here, so a store with times centuries apart cannot overflow
        const long double span = (static_cast<long double>(last) - first) / StoreStats::kWeek + 1;
        const qint64 step = qMax<qint64>(1, qint64(std::ceil(span / kMaxTimeBars)));
        const qint64 width = step * StoreStats::kWeek;
        const int buckets = int((static_cast<long double>(last) - first) / width) + 1;
        if (step > 1)
            weeks.categoryHeader = tr("%1 weeks from (Monday UTC)").arg(step);
        QList<Namespace> present;
        for (const Namespace n : allNamespaces()) {
            const QString name = namespaceName(n);
            for (auto it = s.weeks.lowerBound(first); it != s.weeks.end() && it.key() <= last; ++it) {
                if (it->contains(name)) {
                    present << n;
                    break;
                }
            }
        }
        for (const Namespace n : present) {
            weeks.series << namespaceName(n);
            weeks.seriesWords << filterWord(u"ns"_s, namespaceName(n));
            weeks.values << QList<qint64>(buckets, 0);
        }
        for (int b = 0; b < buckets; ++b) {
            const qint64 start = qint64(first + static_cast<long double>(b) * width);
            const long double end = static_cast<long double>(start) + width - 1;
            const qint64 endClamped
                = end > std::numeric_limits<qint64>::max() ? std::numeric_limits<qint64>::max() : qint64(end);
            weeks.categories << dateWord(start);
            weeks.categoryWords << u"created:"_s + dateWord(start) + u".."_s + dateWord(endClamped);
        }
        for (auto it = s.weeks.begin(); it != s.weeks.end(); ++it) {
            if (it.key() < first || it.key() > last)
                continue;
            const int b = int((static_cast<long double>(it.key()) - first) / width);
            for (auto n = it->begin(); n != it->end(); ++n) {
                const auto ns = parseNamespace(n.key());
                const qsizetype series = ns ? present.indexOf(*ns) : -1;
                if (series >= 0)
                    weeks.values[series][b] += n.value();
            }
        }
        QStringList notes;
        if (step > 1)
            notes << tr("Each bar is %1 weeks: the memories span more than %2 weeks.").arg(step).arg(kMaxTimeBars);
        QStringList outside;
        if (before > 0)
            outside << tr("%1 created before %2").arg(QLocale().toString(before), dateWord(first));
        if (after > 0)
            outside << tr("%1 created after %2").arg(QLocale().toString(after), dateWord(last + 6 * 86400));
        if (!outside.isEmpty())
            notes << tr("Left out, so far from the others that every bar would shrink to a line: %1 (Check Store's "
                        "bad-time finds impossible times).")
                         .arg(outside.join(u", "_s));
        weeks.note = notes.join(u' ');
    }
    charts << weeks;

    OverviewChart tags
        = single(u"tags"_s, tr("Top tags"), OverviewChart::Kind::Bars, tr("tag"), tr("memories carrying it"));
    for (const CountOf& c : s.topTags)
        add(tags, c.key.isEmpty() ? tr("(empty)") : c.key, c.count, filterWord(u"tag"_s, c.key));
    tags.note = tr("The %1 most used. Content-hash tags (hash:sha256:…) are left out: %2 memories carry one.")
                    .arg(StatsBuilder::kTop)
                    .arg(QLocale().toString(s.contentHashTagged));
    charts << tags;

    OverviewChart projects
        = single(u"projects"_s, tr("Top projects"), OverviewChart::Kind::Bars, tr("project"), memories);
    for (const CountOf& c : s.topProjects)
        add(projects, c.key.isEmpty() ? tr("(empty)") : c.key, c.count, filterWord(u"project"_s, c.key));
    projects.note = tr("%1 memories have no project.").arg(QLocale().toString(s.withoutProject));
    charts << projects;

    OverviewChart branches
        = single(u"branches"_s, tr("Top branches"), OverviewChart::Kind::Bars, tr("branch"), memories);
    for (const CountOf& c : s.topBranches)
        add(branches, c.key.isEmpty() ? tr("(empty)") : c.key, c.count, filterWord(u"branch"_s, c.key));
    branches.note = tr("%1 memories have no branch.").arg(QLocale().toString(s.withoutBranch));
    charts << branches;

    OverviewChart scopes = single(u"scopes"_s, tr("Domain scopes"), OverviewChart::Kind::Pie, tr("scope"), memories);
    for (const QString& scope : {u"project"_s, u"user"_s, u"org"_s, u"other"_s}) {
        if (s.scopes.value(scope) > 0)
            add(scopes, scope, s.scopes.value(scope), scope == "other"_L1 ? QString() : filterWord(u"domain"_s, scope));
    }
    if (s.scopes.value(u"other"_s) > 0) {
        QMap<QString, qint64> others;
        for (auto it = s.domains.begin(); it != s.domains.end(); ++it) {
            if (StoreStats::scopeOf(it.key()) == "other"_L1)
                others.insert(it.key(), it.value());
        }
        scopes.note = tr("other: an organization's or repository's domain: %1").arg(listed(others));
    }
    charts << scopes;

    OverviewChart summaries
        = single(u"summaries"_s, tr("Summaries and originals"), OverviewChart::Kind::Pie, tr("kind"), memories);
    if (s.originals > 0)
        add(summaries, tr("originals"), s.originals);
    if (s.summaries > 0)
        add(summaries, tr("summaries"), s.summaries);
    charts << summaries;

    OverviewChart lifecycle
        = single(u"lifecycle"_s, tr("Tombstoned and expired"), OverviewChart::Kind::Bars, tr("state"), memories);
    add(lifecycle, tr("live"), s.total - s.tombstoned - s.expired);
    add(lifecycle, tr("expired"), s.expired);
    add(lifecycle, tr("tombstoned"), s.tombstoned, u"tombstoned:only"_s);
    lifecycle.note = tr("Expired: expires_at has passed and the memory is not tombstoned (subcog never enforces "
                        "TTLs). Tombstoned memories count only when the view shows them (View ▸ Show Tombstoned, "
                        "Trash).");
    charts << lifecycle;

    if (s.withEmbedding) {
        OverviewChart embeddings
            = single(u"embeddings"_s, tr("Embedding coverage"), OverviewChart::Kind::Pie, tr("embedding"), memories);
        if (*s.withEmbedding > 0)
            add(embeddings, tr("with an embedding"), *s.withEmbedding);
        if (s.total - *s.withEmbedding > 0)
            add(embeddings, tr("without"), s.total - *s.withEmbedding);
        charts << embeddings;
    }
    return charts;
}

} // namespace Inspector
