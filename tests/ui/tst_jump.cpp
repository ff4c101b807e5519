// SPDX-License-Identifier: MIT
// Jumps far into a SQLite store in the window (offscreen): Go to row (Ctrl+G with #N) and the scrollbar moved
// there in one step. After each, the rows the view shows must be the ones SQL's OFFSET gives in the same filter and
// order, read by the test with sqlite3 itself: after filter and sort changes, with anchors walked in small
// chunks, and while another process (tests/tools/store-writer) keeps writing the store.
#include "fixturegenerator.h"
#include "mainwindow.h"

#include <QLineEdit>
#include <QProcess>
#include <QScrollBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
constexpr int kCount = 4000;
constexpr int kPageSize = 20; // anchors every 100 rows: many of them, walked in many chunks
} // namespace

class TestJump : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QTemporaryDir m_config;
    QString m_path;

    /// What the window is expected to show: SQL for the filter (a WHERE clause) and the order.
    struct Order
    {
        QString where = u"lower(status) <> 'tombstoned' AND tombstoned_at IS NULL"_s;
        QString orderBy = u"created_at DESC, id ASC"_s;
    };

    /// Ids of rows [first, first + n) of `order`, by sqlite3 with LIMIT and OFFSET.
    QStringList idsByOffset(const Order& order, qint64 first, int n) const
    {
        sqlite3* db = nullptr;
        QStringList ids;
        if (sqlite3_open_v2(m_path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
            sqlite3_close(db);
            return {u"(cannot open)"_s};
        }
        sqlite3_busy_timeout(db, 5000);
        const QByteArray sql = (u"SELECT id FROM memories WHERE "_s + order.where + u" ORDER BY "_s + order.orderBy
                                + u" LIMIT ? OFFSET ?"_s)
                                   .toUtf8();
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, sql.constData(), -1, &st, nullptr) == SQLITE_OK) {
            sqlite3_bind_int(st, 1, n);
            sqlite3_bind_int64(st, 2, first);
            while (sqlite3_step(st) == SQLITE_ROW)
                ids << QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
        } else {
            ids << QString::fromUtf8(sqlite3_errmsg(db));
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        return ids;
    }

    qint64 countOf(const Order& order) const
    {
        sqlite3* db = nullptr;
        qint64 n = -1;
        if (sqlite3_open_v2(m_path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
            sqlite3_busy_timeout(db, 5000);
            sqlite3_stmt* st = nullptr;
            const QByteArray sql = (u"SELECT count(*) FROM memories WHERE "_s + order.where).toUtf8();
            if (sqlite3_prepare_v2(db, sql.constData(), -1, &st, nullptr) == SQLITE_OK
                && sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
        sqlite3_close(db);
        return n;
    }

    std::unique_ptr<MainWindow> openWindow()
    {
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->model()->setPageSize(kPageSize);
        w->model()->setAnchorsPerRequest(3);
        w->resize(1000, 700);
        w->show();
        [&] { QVERIFY(QTest::qWaitForWindowExposed(w.get())); }();
        w->openStore(u"sqlite:"_s + m_path);
        settle(*w);
        return w;
    }

    /// Counted, every anchor walked, nothing on its way.
    static void settle(MainWindow& w)
    {
        QTRY_VERIFY_WITH_TIMEOUT(w.model()->isOpen() && w.model()->exactCount() && w.model()->anchorsWalked()
                                     && !w.model()->isBusy(),
                                 60000);
    }

    /// The ids of the rows the view shows, once every one of them is loaded.
    static QStringList visibleIds(MainWindow& w, qint64* top)
    {
        QTableView* table = w.table();
        QStringList ids;
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(
                [&] {
                    ids.clear();
                    const int first = table->rowAt(0);
                    int last = table->rowAt(table->viewport()->height() - 1);
                    if (last < 0)
                        last = w.model()->rowCount() - 1;
                    if (first < 0)
                        return false;
                    *top = first;
                    for (int row = first; row <= last; ++row) {
                        if (w.model()->loadState(row) != MemoryTableModel::LoadState::Loaded)
                            return false;
                        ids << w.model()->data(w.model()->index(row, 0), MemoryTableModel::IdRole).toString();
                    }
                    return !ids.isEmpty();
                }(),
                30000);
        }();
        return ids;
    }

    /// Go to row and the scrollbar, at several far rows: the rows shown are those of OFFSET.
    void checkJumps(MainWindow& w, const Order& order)
    {
        const qint64 count = *w.model()->exactCount();
        QCOMPARE(count, countOf(order)); // the filter in SQL is the window's filter
        for (const double fraction : {0.5, 0.31, 0.77, 0.013, 0.999}) {
            const qint64 row = qint64(fraction * double(count - 1));
            w.model()->dropLoadedPages();
            w.goToRow(row);
            qint64 top = -1;
            const QStringList shown = visibleIds(w, &top);
            QCOMPARE(w.table()->currentIndex().row(), int(row));
            QVERIFY2(row >= top && row < top + shown.size(), qPrintable(u"row %1 not in view"_s.arg(row)));
            QCOMPARE(shown, idsByOffset(order, top, int(shown.size())));
        }
        QScrollBar* bar = w.table()->verticalScrollBar();
        for (const double fraction : {0.5, 0.2, 0.9}) {
            w.model()->dropLoadedPages();
            bar->setSliderDown(true);
            const auto release = qScopeGuard([bar] { bar->setSliderDown(false); });
            bar->setSliderPosition(int(fraction * bar->maximum()));
            qint64 top = -1;
            const QStringList shown = visibleIds(w, &top);
            QCOMPARE(top, qint64(bar->value())); // the table scrolls by rows
            QCOMPARE(shown, idsByOffset(order, top, int(shown.size())));
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid() && m_config.isValid());
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        QCoreApplication::setOrganizationName(u"subcog-test"_s);
        QCoreApplication::setApplicationName(u"tst_jump"_s);
        m_path = m_dir.filePath(u"index.db"_s);
        Fixtures::GeneratorOptions options = Fixtures::GeneratorOptions::benchmark(kCount);
        options.pendingWal = false;
        Fixtures::writeSqliteStore(m_path, Fixtures::SqliteLayout::Head, options);
    }

    void rowNumbers()
    {
        QCOMPARE(MainWindow::rowNumberIn(u"#500000"_s), std::optional<qint64>(499999));
        QCOMPARE(MainWindow::rowNumberIn(u" # 1,000 "_s), std::optional<qint64>(999));
        QCOMPARE(MainWindow::rowNumberIn(u"row 12"_s), std::optional<qint64>(11));
        QCOMPARE(MainWindow::rowNumberIn(u"Row 1"_s), std::optional<qint64>(0));
        // ids are never rows, also not all-digit ones (subcog's older ids are bare numbers)
        QCOMPARE(MainWindow::rowNumberIn(u"1767031535646420000"_s), std::nullopt);
        QCOMPARE(MainWindow::rowNumberIn(u"3c2c602875a8"_s), std::nullopt);
        QCOMPARE(MainWindow::rowNumberIn(u"#0"_s), std::nullopt);
        QCOMPARE(MainWindow::rowNumberIn(u"#"_s), std::nullopt);
        QCOMPARE(MainWindow::rowNumberIn(u"#12a"_s), std::nullopt);
    }

    void jumpsInTheDefaultOrder()
    {
        auto w = openWindow();
        // the walks from both ends met: a page anywhere is a keyset seek and less than one anchor step of walk
        QVERIFY(w->model()->anchorCount() * w->model()->anchorStep()
                >= *w->model()->exactCount() - w->model()->anchorStep());
        checkJumps(*w, {});
        // past the end: the last row
        w->goToRow(kCount * 10);
        QCOMPARE(w->table()->currentIndex().row(), w->model()->rowCount() - 1);
    }

    void jumpsAfterFilterAndSortChanges()
    {
        auto w = openWindow();
        w->filterEdit()->setText(u"ns:decisions"_s);
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        settle(*w);
        Order decisions;
        decisions.where += u" AND namespace = 'decisions'"_s;
        checkJumps(*w, decisions);

        w->filterEdit()->clear();
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        w->table()->sortByColumn(int(MemoryColumn::Namespace), Qt::AscendingOrder);
        settle(*w);
        Order byNamespace;
        byNamespace.orderBy = u"namespace ASC, id ASC"_s; // long runs of ties: anchors carry the id too
        checkJumps(*w, byNamespace);

        w->table()->sortByColumn(int(MemoryColumn::Id), Qt::DescendingOrder);
        settle(*w);
        Order byId;
        byId.orderBy = u"id DESC"_s;
        checkJumps(*w, byId);
    }

    void jumpsWhileAnotherProcessWrites()
    {
        const QString writerProgram = qEnvironmentVariable("INSPECTOR_STORE_WRITER");
        QVERIFY2(QFileInfo(writerProgram).isExecutable(), "INSPECTOR_STORE_WRITER names the store-writer tool");
        auto w = openWindow();
        const qint64 before = *w->model()->exactCount();
        // the writer's first commit adds memories among the rows (rows after them move); then it rewrites them
        // again and again, one transaction each, at the same places in the order
        const QString stopFile = m_dir.filePath(u"stop"_s);
        QProcess writer;
        writer.start(writerProgram, {u"sqlite"_s, m_path, u"60"_s, stopFile, u"each"_s});
        QVERIFY2(writer.waitForStarted(), qPrintable(writer.errorString()));
        QVERIFY2(writer.waitForReadyRead(30000), writer.readAllStandardError().constData());
        QCOMPARE(writer.readLine().trimmed(), QByteArray("ready"));
        const auto stop = qScopeGuard([&] {
            QFile f(stopFile);
            f.open(QIODevice::WriteOnly);
            f.close();
            writer.waitForFinished(60000);
        });
        w->model()->setChangeCheckInterval(50);
        const Order order;
        // the writer's first pass adds its memories one commit each; then they only change in place
        QTRY_COMPARE_WITH_TIMEOUT(countOf(order), before + 60, 60000);
        // the window sees them: a refresh drops the anchors (rows after the new ones moved) and walks them again,
        // while the writer's commits keep refreshing the window during every jump below
        QTRY_VERIFY_WITH_TIMEOUT(w->model()->exactCount() && *w->model()->exactCount() == before + 60, 60000);
        for (int round = 0; round < 3; ++round)
            checkJumps(*w, order);
    }
};

QTEST_MAIN(TestJump)
#include "tst_jump.moc"
