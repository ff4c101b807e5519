// SPDX-License-Identifier: MIT
// The "Hidden from recall" column's reasons, one memory per reason (a pure function: no store).
#include "recallreasons.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestRecallReasons : public QObject
{
    Q_OBJECT
    static constexpr qint64 kNow = 1780000000;

    static Memory live()
    {
        Memory m;
        m.id = u"m1"_s;
        m.namespaceName = u"decisions"_s;
        m.status = u"active"_s;
        m.projectId = u"github.com/acme/web"_s;
        m.branch = u"main"_s;
        m.createdAt = kNow - 100;
        return m;
    }
    static QString text(const Memory& m, const RecallContext& context = {})
    {
        return RecallReasons::text(RecallReasons::of(m, context, kNow));
    }

private Q_SLOTS:
    void aLiveMemoryIsRecalled()
    {
        QCOMPARE(text(live()), QString());
        QCOMPARE(text(live(), {u"github.com/acme/web"_s, u"main"_s}), QString());
        QVERIFY(RecallReasons::tooltip({}).contains(u"would return"_s));
        Memory m = live();
        m.expiresAt = kNow; // expires this second: not yet
        QCOMPARE(text(m), QString());
    }
    void eachReason_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("explained");
        QTest::newRow("status tombstoned") << 0 << u"tombstoned"_s << u"Status is 'tombstoned'"_s;
        QTest::newRow("tombstoned_at") << 1 << u"tombstoned"_s << u"tombstoned_at is set"_s;
        QTest::newRow("no full-text row") << 2 << u"no full-text row"_s << u"full-text table has no row"_s;
        QTest::newRow("other project") << 3 << u"other project"_s << u"project_id is 'github.com/acme/web'"_s;
        QTest::newRow("no project") << 4 << u"other project"_s << u"project_id is none"_s;
        QTest::newRow("other branch") << 5 << u"other branch"_s << u"branch is 'main'"_s;
        QTest::newRow("expired") << 6 << u"expired"_s << u"does not enforce expiry"_s;
        QTest::newRow("all of them") << 7 << u"tombstoned, no full-text row, other project, other branch, expired"_s
                                     << u"recall on branch 'dev'"_s;
    }
    void eachReason()
    {
        QFETCH(int, which);
        QFETCH(QString, expected);
        QFETCH(QString, explained);
        Memory m = live();
        RecallContext context;
        switch (which) {
        case 0:
            m.status = u"TOMBSTONED"_s;
            break;
        case 1:
            m.tombstonedAt = kNow - 10;
            break;
        case 2:
            m.flags = MemoryFlag::MissingContent;
            break;
        case 3:
            context.project = u"github.com/acme/api"_s;
            break;
        case 4:
            m.projectId.reset();
            context.project = u"github.com/acme/web"_s;
            break;
        case 5:
            context.branch = u"dev"_s;
            break;
        case 6:
            m.expiresAt = kNow - 1;
            break;
        default:
            m.status = u"tombstoned"_s;
            m.tombstonedAt = kNow - 10;
            m.flags = MemoryFlag::MissingContent;
            m.expiresAt = kNow - 1;
            context = {u"github.com/acme/api"_s, u"dev"_s};
            break;
        }
        const QList<RecallReason> reasons = RecallReasons::of(m, context, kNow);
        QCOMPARE(RecallReasons::text(reasons), expected);
        QVERIFY2(RecallReasons::tooltip(reasons).contains(explained), qPrintable(RecallReasons::tooltip(reasons)));
    }
    void theHeaderSaysWhereTheContextComesFrom()
    {
        QVERIFY(RecallReasons::description({}).contains(u"Recall Context"_s));
        QVERIFY(RecallReasons::description({u"github.com/acme/web"_s, QString()}).contains(u"github.com/acme/web"_s));
    }
};

QTEST_GUILESS_MAIN(TestRecallReasons)
#include "tst_recallreasons.moc"
