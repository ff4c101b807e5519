// SPDX-License-Identifier: MIT
#include "celldelegate.h"

#include "plaintext.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QFontMetrics>
#include <QHelpEvent>
#include <QPainter>
#include <QStyle>
#include <QTextDocument>
#include <QToolTip>
#include <QtMath>

#include <algorithm>

namespace Inspector {

namespace {
/// Lines kept: a few screens of cells; a full cache is emptied (the cells on screen come back with the next paint).
constexpr qsizetype kMaxLines = 8192;
} // namespace

CellDelegate::CellDelegate(Qt::TextElideMode mode, QObject* parent)
    : QStyledItemDelegate(parent)
    , m_mode(mode)
{
}

void CellDelegate::initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    option->textElideMode = m_mode;
}

bool CellDelegate::helpEvent(QHelpEvent* event, QAbstractItemView* view, const QStyleOptionViewItem& option,
                             const QModelIndex& index)
{
    const QString tip = event && view && event->type() == QEvent::ToolTip && index.isValid()
        ? index.data(Qt::ToolTipRole).toString()
        : QString();
    if (!Qt::mightBeRichText(tip))
        return QStyledItemDelegate::helpEvent(event, view, option, index);
    // the tip stays while the pointer is in the cell (a rectangle of the viewport, as visualRect is)
    QToolTip::showText(event->globalPos(), plainToolTip(tip), view->viewport(), view->visualRect(index));
    return true;
}

const CellDelegate::Line& CellDelegate::line(const QString& text, const QFont& font, int width) const
{
    Key key {text, font, width};
    if (const auto it = m_lines.constFind(key); it != m_lines.cend())
        return *it;
    if (m_lines.size() >= kMaxLines)
        m_lines.clear();
    const QFontMetrics metrics(font);
    Line line {elide(metrics, text, m_mode, width)};
    for (const uint c : line.text.toUcs4()) {
        if (!metrics.inFontUcs4(c)) {
            line.ownFont = false;
            break;
        }
    }
    return *m_lines.insert(std::move(key), std::move(line));
}

QString CellDelegate::elide(const QFontMetrics& metrics, const QString& text, Qt::TextElideMode mode, int width)
{
    // a cell shows a few dozen characters of a value of up to a few hundred (a content preview, a tag list), and
    // eliding lays out all of them (40-50 us for 200 characters, 12 us for 50). Cut at the right: when a prefix
    // holding more than the width already does not fit, the rest of the value cannot change the line, unless it
    // holds what elidedText looks at beyond the cut: the bidirectional marks, embeddings and isolates it keeps after
    // the ellipsis, or U+009C, which separates variants of which the first that fits is shown.
    const auto beyondTheCut = [](QChar c) {
        const char16_t u = c.unicode();
        return u == 0x9c || u == 0x061c || u == 0x200e || u == 0x200f || (u >= 0x202a && u <= 0x202e)
            || (u >= 0x2066 && u <= 0x2069);
    };
    if (mode == Qt::ElideRight && width > 0 && std::none_of(text.begin(), text.end(), beyondTheCut)) {
        // no glyph of a text font is narrower than a third of the average (zero-width characters aside: then the
        // prefix fits and the whole value is elided below)
        qsizetype cut = qsizetype(width) * 3 / qMax(1, metrics.averageCharWidth()) + 8;
        if (cut < text.size()) {
            if (text.at(cut - 1).isHighSurrogate())
                ++cut;
            const QString prefix = text.left(cut);
            QString shown = metrics.elidedText(prefix, mode, width);
            if (shown != prefix)
                return shown;
        }
    }
    return metrics.elidedText(text, mode, width);
}

void CellDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget* widget = opt.widget;
    const QStyle* style = widget ? widget->style() : QApplication::style();
    constexpr QStyleOptionViewItem::ViewItemFeatures more = QStyleOptionViewItem::HasCheckIndicator
        | QStyleOptionViewItem::HasDecoration | QStyleOptionViewItem::WrapText;
    const Qt::Alignment alignment = QStyle::visualAlignment(opt.direction, opt.displayAlignment);
    // QStyledItemDelegate shows a value's lines (as U+2028) one under the other while they fit the row; other
    // alignments than QCommonStyle's default are rare enough to leave to it too, and so is the one cell with focus
    // (the style draws its frame over the text) and one being edited; a style sheet (`-stylesheet`) may colour or pad
    // the items, which only its style knows
    if ((opt.features & more) || style->inherits("QStyleSheetStyle")
        || (opt.state & (QStyle::State_HasFocus | QStyle::State_Editing))
        || (alignment & (Qt::AlignLeft | Qt::AlignRight | Qt::AlignHCenter | Qt::AlignJustify)) != Qt::AlignLeft
        || (alignment & Qt::AlignVertical_Mask) != Qt::AlignVCenter || opt.text.contains(QChar::LineSeparator)) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // where and in which colour QCommonStyle puts an item view's line of text: the cell less a margin each side,
    // the line's height centred in whole pixels, the baseline an ascent below
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
    const QRect rect = opt.rect.adjusted(margin, 0, -margin, 0);
    const Line* kept = opt.text.isEmpty() ? nullptr : &line(opt.text, opt.font, rect.width());
    if (kept && !kept->ownFont) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const QString elided = kept ? kept->text : QString(); // a copy: the next line() may empty the cache
    opt.text.clear();
    opt.features &= ~QStyleOptionViewItem::HasDisplay;
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget); // background, selection
    if (!kept)
        return;

    const QFontMetricsF metrics(opt.font);
    const int lineHeight = qCeil(metrics.ascent() + metrics.descent());
    const qreal baseline = rect.y() + (rect.height() - lineHeight) / 2 + metrics.ascent();
    QPalette::ColorGroup group = (opt.state & QStyle::State_Enabled) ? QPalette::Normal : QPalette::Disabled;
    if (group == QPalette::Normal && !(opt.state & QStyle::State_Active))
        group = QPalette::Inactive;

    painter->save();
    painter->setClipRect(opt.rect);
    painter->setFont(opt.font);
    painter->setPen(
        opt.palette.color(group, (opt.state & QStyle::State_Selected) ? QPalette::HighlightedText : QPalette::Text));
    painter->drawText(QPointF(rect.x(), baseline), elided);
    painter->restore();
}

} // namespace Inspector
