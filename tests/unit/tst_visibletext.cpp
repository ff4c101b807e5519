// SPDX-License-Identifier: MIT
// withVisibleControls(): control characters and bidirectional overrides in paths, ids and messages are shown, not
// obeyed.
#include "visibletext.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestVisibleText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsWhatWouldBeObeyed_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("keepLineBreaks");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << u"/home/me/index.db"_s << false << u"/home/me/index.db"_s;
        QTest::newRow("escape sequence") << u"a\x1b[2Jb"_s << false << u"a\\x1b[2Jb"_s;
        QTest::newRow("DEL and C1") << u"a\x7f\u009bb"_s << false << u"a\\x7f\\x9bb"_s;
        QTest::newRow("line break") << u"a\nb"_s << false << u"a\\x0ab"_s;
        QTest::newRow("line break kept") << u"a\nb\rc"_s << true << u"a\nb\\x0dc"_s;
        QTest::newRow("right-to-left override") << u"/tmp/\u202Egpj.db"_s << false << u"/tmp/\\u202Egpj.db"_s;
        QTest::newRow("every embedding and override")
            << u"\u202A\u202B\u202C\u202D\u202E"_s << true << u"\\u202A\\u202B\\u202C\\u202D\\u202E"_s;
        QTest::newRow("isolates") << u"x\u2066\u2067\u2068\u2069y"_s << false << u"x\\u2066\\u2067\\u2068\\u2069y"_s;
        // marks and right-to-left letters are text, not commands
        QTest::newRow("marks and Hebrew") << u"שלום\u200F.db \u200E"_s << false << u"שלום\u200F.db \u200E"_s;
        QTest::newRow("CJK and emoji") << u"記憶 😀"_s << false << u"記憶 😀"_s;
    }

    void showsWhatWouldBeObeyed()
    {
        QFETCH(QString, text);
        QFETCH(bool, keepLineBreaks);
        QFETCH(QString, expected);
        QCOMPARE(withVisibleControls(text, keepLineBreaks), expected);
    }
};

QTEST_GUILESS_MAIN(TestVisibleText)
#include "tst_visibletext.moc"
