// SPDX-License-Identifier: MIT
#pragma once

#include <QFont>
#include <QFontMetrics>
#include <QHash>
#include <QStyledItemDelegate>

namespace Inspector {

/// The memory table's cells: one line of text, elided. QStyledItemDelegate lays a cell's text out with QTextLayout
/// three times a paint (for its size, its lines and its elision), which is most of the time a screenful of rows
/// takes; this delegate elides once, keeps the line for the next paint of the same text at the same width, and lets
/// the style draw everything but the text (background, selection). A cell with more than a line of text (an
/// icon, a check box, wrapping, a line break, the focus) is painted by QStyledItemDelegate as before.
class CellDelegate : public QStyledItemDelegate
{
public:
    explicit CellDelegate(Qt::TextElideMode mode, QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    /// A cell's tool tip (content, ids, tags) as written: QToolTip would render `<b>` in it as HTML.
    bool helpEvent(QHelpEvent* event, QAbstractItemView* view, const QStyleOptionViewItem& option,
                   const QModelIndex& index) override;
    /// QFontMetrics::elidedText's line, found in a prefix of a long value where that is enough.
    static QString elide(const QFontMetrics& metrics, const QString& text, Qt::TextElideMode mode, int width);
    /// Lines kept for the next paint (for tests: the cells took this delegate's own path).
    qsizetype keptLines() const { return m_lines.size(); }

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override;

private:
    struct Key
    {
        QString text;
        QFont font;
        int width = 0;
        friend bool operator==(const Key&, const Key&) = default;
        friend size_t qHash(const Key& key, size_t seed = 0) { return qHashMulti(seed, key.text, key.font, key.width); }
    };
    struct Line
    {
        QString text; ///< elided to the width
        /// Every character is in the font itself: QTextLayout makes a line as high as the tallest font it uses, so
        /// a line with a fallback font (CJK, emoji) sits where only QCommonStyle knows.
        bool ownFont = true;
    };
    const Line& line(const QString& text, const QFont& font, int width) const;

    Qt::TextElideMode m_mode;
    mutable QHash<Key, Line> m_lines;
};

} // namespace Inspector
