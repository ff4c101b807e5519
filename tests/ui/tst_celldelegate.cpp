// SPDX-License-Identifier: MIT
// The table's CellDelegate draws what QStyledItemDelegate draws (pixel for pixel, under the Fusion style), elided
// the same way, selected, greyed or in italics, in light and dark palettes, and falls back for cells with icons.
#include "celldelegate.h"

#include <QApplication>
#include <QDir>
#include <QHeaderView>
#include <QScopeGuard>
#include <QStandardItemModel>
#include <QStyleFactory>
#include <QTableView>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestCellDelegate : public QObject
{
    Q_OBJECT

    QStandardItemModel m_model {0, 3};
    std::unique_ptr<QStyle> m_style {QStyleFactory::create(u"Fusion"_s)};

    /// The view painted with `delegate` as its only delegate.
    QImage render(QAbstractItemDelegate* delegate, Qt::TextElideMode elide, const QPalette& palette, bool select,
                  const QString& styleSheet = {})
    {
        QTableView view;
        view.setStyle(m_style.get());
        view.setStyleSheet(styleSheet);
        view.setPalette(palette);
        view.setModel(&m_model);
        view.setItemDelegate(delegate);
        view.setTextElideMode(elide);
        view.setWordWrap(false);
        view.horizontalHeader()->resizeSection(0, 90);
        view.horizontalHeader()->resizeSection(1, 260);
        view.horizontalHeader()->resizeSection(2, 40);
        view.resize(480, 320);
        if (select) {
            view.selectRow(1);
            view.setCurrentIndex(m_model.index(3, 1));
        }
        view.show();
        view.activateWindow();
        if (!QTest::qWaitForWindowActive(&view))
            qWarning("the view did not become active: both renders use the inactive colours");
        QCoreApplication::processEvents();
        return view.viewport()->grab().toImage();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QStringList rows {
            u"short"_s,
            u"A long line of content that cannot fit the narrow column and is elided at one end"_s,
            u"tech-debt_3f0b2c1d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c"_s,
            u"two\nlines"_s,
            u"מסד הנתונים צריך אינדקס על העמודה הזו כדי שהשאילתה תהיה מהירה"_s,
            u"Combining marks: é ä ö ü, CJK 数据库索引, emoji 🙂 and & ampersands"_s,
            u"trailing spaces"_s + QString(60, u' '),
            u"  leading\ttab"_s,
            QString(),
        };
        for (const QString& text : rows) {
            QList<QStandardItem*> cells;
            for (int c = 0; c < 3; ++c)
                cells << new QStandardItem(text);
            m_model.appendRow(cells);
        }
        m_model.item(2, 1)->setForeground(Qt::gray);
        QFont italic;
        italic.setItalic(true);
        m_model.item(3, 0)->setFont(italic);
    }

    void drawsWhatTheStyledDelegateDraws_data()
    {
        QTest::addColumn<int>("elide");
        QTest::addColumn<bool>("dark");
        QTest::addColumn<bool>("select");
        QTest::newRow("right") << int(Qt::ElideRight) << false << false;
        QTest::newRow("right, selected") << int(Qt::ElideRight) << false << true;
        QTest::newRow("middle, selected") << int(Qt::ElideMiddle) << false << true;
        QTest::newRow("left") << int(Qt::ElideLeft) << false << false;
        QTest::newRow("dark, selected") << int(Qt::ElideRight) << true << true;
    }

    void drawsWhatTheStyledDelegateDraws()
    {
        QFETCH(int, elide);
        QFETCH(bool, dark);
        QFETCH(bool, select);
        QPalette palette = m_style->standardPalette();
        if (dark) {
            palette.setColor(QPalette::Base, QColor(30, 30, 30));
            palette.setColor(QPalette::Text, QColor(230, 230, 230));
            palette.setColor(QPalette::Window, QColor(45, 45, 45));
        }
        const auto mode = Qt::TextElideMode(elide);
        QStyledItemDelegate styled;
        CellDelegate ours(mode);
        const QImage expected = render(&styled, mode, palette, select);
        const QImage actual = render(&ours, mode, palette, select);
        QCOMPARE(actual.size(), expected.size());
        if (actual != expected) {
            expected.save(QDir::temp().filePath(u"celldelegate-expected.png"_s));
            actual.save(QDir::temp().filePath(u"celldelegate-actual.png"_s));
            QFAIL("the cells differ; see celldelegate-expected.png and celldelegate-actual.png in the temp folder");
        }
        // every cell but the current one and those with two lines drew its own line (3 columns × 9 rows)
        QVERIFY2(ours.keptLines() >= 20, qPrintable(QString::number(ours.keptLines())));
        // a second paint comes from the kept lines and is still the same
        QCOMPARE(render(&ours, mode, palette, select), expected);
    }

    void elidesLikeTheFontMetricsWithAPrefix()
    {
        // a long value is elided from a prefix (its rest cannot change the line): the same line as eliding all of
        // it, for narrow, wide, zero-width, combining, right-to-left and surrogate-pair text
        QStringList values {
            QString(300, u'i'),
            QString(300, u'W'),
            QString(300, u'.') + u"end"_s,
            QString(200, QChar(0x200B)) + u"after two hundred zero-width spaces"_s,
            QString(150, u'e') + QString(150, QChar(0x0301)),
            u"e\u0301"_s.repeated(120),
            u"漢字かな交じり文"_s.repeated(30),
            u"שלום עולם "_s.repeated(30),
            u"mixed English and עברית and 中文 "_s.repeated(10),
            u"😀"_s.repeated(150),
            u"ab😀"_s.repeated(100),
            u"Memory 999999 about performance of the sqlite backend when the cache is cold "_s.repeated(3),
            u"tag-one, tag-two, hash:sha256:6f88d1c0e9, db/migrations, c++, rust, with space, üñïcode"_s.repeated(3),
            u"short"_s,
        };
        QFont narrow = QApplication::font();
        narrow.setPointSize(6);
        narrow.setStretch(QFont::UltraCondensed);
        QFont big = QApplication::font();
        big.setPointSize(big.pointSize() * 3);
        for (const QFont& font : {QApplication::font(), narrow, big}) {
            const QFontMetrics metrics(font);
            for (const QString& value : values) {
                for (int width : {1, 7, 20, 45, 90, 150, 260, 400, 900}) {
                    for (const auto mode : {Qt::ElideRight, Qt::ElideMiddle, Qt::ElideLeft}) {
                        const QString expected = metrics.elidedText(value, mode, width);
                        QCOMPARE(CellDelegate::elide(metrics, value, mode, width), expected);
                    }
                }
            }
        }
    }

    void aLongValuesBidiControlsAndVariantsAreElidedAsTheFontMetricsDo()
    {
        // QFontMetrics::elidedText keeps the bidirectional controls of the part it cuts off (a PDF still closes the
        // embedding, a trailing RLM still places the ellipsis) and shows the first variant of a U+009C-separated
        // value that fits: both lie beyond a prefix of a long value
        const QString latin = u"Memory about performance of the sqlite backend when the cache is cold "_s.repeated(4);
        const QString hebrew = u"שלום עולם "_s.repeated(30);
        const QStringList values {
            latin + QChar(0x200F),
            hebrew + QChar(0x200F),
            QChar(0x202B) + hebrew + QChar(0x202C) + u" and after it"_s,
            latin + QChar(0x2066) + u"isolated"_s + QChar(0x2069),
            latin + QChar(0x9C) + u"short"_s,
            u"first "_s + QChar(0x9C) + latin,
            latin.left(100) + QChar(0x9C) + latin,
        };
        for (const QFont& font : {QApplication::font(), QFont(QApplication::font().family(), 20)}) {
            const QFontMetrics metrics(font);
            for (const QString& value : values) {
                for (int width : {20, 45, 90, 150, 260, 400}) {
                    const QString expected = metrics.elidedText(value, Qt::ElideRight, width);
                    QCOMPARE(CellDelegate::elide(metrics, value, Qt::ElideRight, width), expected);
                }
            }
        }
    }

    void aLongRightToLeftValueEndingInAMarkIsDrawnAsTheStyledDelegateDrawsIt()
    {
        // the right-to-left mark at the end of a long value puts the ellipsis at the left of its line
        const int first = m_model.rowCount();
        QList<QStandardItem*> cells;
        for (int c = 0; c < 3; ++c)
            cells << new QStandardItem(u"שלום עולם "_s.repeated(30) + QChar(0x200F));
        m_model.appendRow(cells);
        const auto restore = qScopeGuard([this, first] { m_model.removeRows(first, m_model.rowCount() - first); });
        const QPalette palette = m_style->standardPalette();
        QStyledItemDelegate styled;
        CellDelegate ours(Qt::ElideRight);
        const QImage expected = render(&styled, Qt::ElideRight, palette, false);
        const QImage actual = render(&ours, Qt::ElideRight, palette, false);
        if (actual != expected) {
            expected.save(QDir::temp().filePath(u"celldelegate-marks-expected.png"_s));
            actual.save(QDir::temp().filePath(u"celldelegate-marks-actual.png"_s));
            QFAIL("the cells differ; see celldelegate-marks-expected.png and celldelegate-marks-actual.png in the temp "
                  "folder");
        }
    }

    void aStyleSheetsItemsAreLeftToTheStyledDelegate()
    {
        const QString sheet = u"QTableView::item { color: #c03030; padding-left: 9px; }"_s;
        const QPalette palette = m_style->standardPalette();
        QStyledItemDelegate styled;
        CellDelegate ours(Qt::ElideRight);
        QCOMPARE(render(&ours, Qt::ElideRight, palette, true, sheet),
                 render(&styled, Qt::ElideRight, palette, true, sheet));
        QCOMPARE(ours.keptLines(), 0);
    }

    void cellsWithAnIconAreLeftToTheStyledDelegate()
    {
        QPixmap icon(12, 12);
        icon.fill(Qt::red);
        m_model.item(0, 0)->setIcon(icon);
        m_model.item(1, 1)->setCheckable(true);
        m_model.item(1, 1)->setCheckState(Qt::Checked);
        const auto restore = qScopeGuard([this] {
            m_model.item(0, 0)->setIcon({});
            m_model.item(1, 1)->setData({}, Qt::CheckStateRole);
        });
        const QPalette palette = m_style->standardPalette();
        QStyledItemDelegate styled;
        CellDelegate ours(Qt::ElideRight);
        QCOMPARE(render(&ours, Qt::ElideRight, palette, false), render(&styled, Qt::ElideRight, palette, false));
    }
};

QTEST_MAIN(TestCellDelegate)
#include "tst_celldelegate.moc"
