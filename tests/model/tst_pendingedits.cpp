// SPDX-License-Identifier: MIT
// PendingEdits: what memories show while their writes are on the way. No store, no thread.
#include "pendingedits.h"

#include <QTest>

using namespace Inspector;
using namespace Qt::StringLiterals;

namespace {
Memory memory(const QString& id, const QString& content)
{
    Memory m;
    m.id = id;
    m.content = content;
    return m;
}
} // namespace

class TestPendingEdits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void editShowsNewValueUntilAnswered()
    {
        PendingEdits edits;
        QVERIFY(!edits.isWriting());
        QVERIFY(!edits.shown(u"a"_s));
        edits.add(7, {WriteOp {u"a"_s, memory(u"a"_s, u"old"_s), memory(u"a"_s, u"new"_s)}});
        QVERIFY(edits.isWriting());
        QVERIFY(edits.isWrite(7));
        QVERIFY(!edits.isWrite(8));
        QVERIFY(edits.contains(u"a"_s));
        QVERIFY(!edits.contains(u"b"_s));
        QCOMPARE(edits.shown(u"a"_s)->content, u"new"_s);
        QCOMPARE(edits.ops(7).size(), 1);

        const auto write = edits.finish(7);
        QVERIFY(write);
        QCOMPARE(write->ops.size(), 1);
        QVERIFY(!edits.contains(u"a"_s));
        QVERIFY(!edits.shown(u"a"_s));
        QVERIFY(!edits.isWriting());
        QVERIFY(!edits.finish(7)); // answered once
    }

    void deleteKeepsShowingTheMemory()
    {
        PendingEdits edits;
        edits.add(1, {WriteOp {u"a"_s, memory(u"a"_s, u"stored"_s), std::nullopt}});
        QVERIFY(edits.contains(u"a"_s));
        QCOMPARE(edits.shown(u"a"_s)->content, u"stored"_s);
    }

    void laterWriteShowsUntilEveryWriteIsAnswered()
    {
        PendingEdits edits;
        edits.add(1, {WriteOp {u"a"_s, memory(u"a"_s, u"v1"_s), memory(u"a"_s, u"v2"_s)}});
        edits.add(2,
                  {WriteOp {u"a"_s, memory(u"a"_s, u"v2"_s), memory(u"a"_s, u"v3"_s)},
                   WriteOp {u"b"_s, std::nullopt, memory(u"b"_s, u"b1"_s)}});
        QCOMPARE(edits.shown(u"a"_s)->content, u"v3"_s);
        QVERIFY(edits.finish(1));
        QVERIFY(edits.contains(u"a"_s)); // the second write of it is still out
        QCOMPARE(edits.shown(u"a"_s)->content, u"v3"_s);
        QCOMPARE(edits.shown(u"b"_s)->content, u"b1"_s);
        QVERIFY(edits.finish(2));
        QVERIFY(!edits.contains(u"a"_s));
        QVERIFY(!edits.contains(u"b"_s));
    }

    void failureFlagTravelsWithTheWrite()
    {
        PendingEdits edits;
        const auto failed = std::make_shared<bool>(false);
        edits.add(3, {WriteOp {u"a"_s, std::nullopt, memory(u"a"_s, u"x"_s)}}, failed);
        const auto write = edits.finish(3);
        QVERIFY(write);
        QCOMPARE(write->failed, failed);
    }

    void clearForgetsEverything()
    {
        PendingEdits edits;
        edits.add(1, {WriteOp {u"a"_s, std::nullopt, memory(u"a"_s, u"x"_s)}});
        edits.clear();
        QVERIFY(!edits.isWriting());
        QVERIFY(!edits.contains(u"a"_s));
        QVERIFY(!edits.finish(1));
    }
};

QTEST_GUILESS_MAIN(TestPendingEdits)
#include "tst_pendingedits.moc"
