// SPDX-License-Identifier: MIT
// The inspector window under the offscreen platform, on a real store of the backend under test
// (INSPECTOR_CONTRACT_BACKEND): open, filter, edit in the detail pane, undo, delete, trash and restore, hard delete,
// conflicts, errors, the PostgreSQL dialog. Every change is checked in the store afterwards.
#include "../cli/plantedstore.h"
#include "conflictdialog.h"
#include "connectdialog.h"
#include "countingworkers.h"
#include "detailpane.h"
#include "edgestab.h"
#include "embeddingtab.h"
#include "filterbar.h"
#include "fixturegenerator.h"
#include "health/foldercheck.h"
#include "health/postgrescheck.h"
#include "health/sqlitecheck.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "shownastext.h"
#include "storehealthdock.h"
#include "storeopener.h"
#include "testhelpers.h"
#include "transferdialogs.h"
#include "translations.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QHeaderView>
#include <QHelpEvent>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QScopeGuard>
#include <QScrollBar>
#include <QSemaphore>
#include <QSettings>
#include <QShortcut>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QTreeWidget>
#include <QUndoStack>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
constexpr int kCount = 300;

/// Calls back before each paint of the widget it filters.
class PaintWatcher : public QObject
{
public:
    explicit PaintWatcher(std::function<void()> onPaint)
        : m_onPaint(std::move(onPaint))
    {
    }
    bool eventFilter(QObject*, QEvent* event) override
    {
        if (event->type() == QEvent::Paint)
            m_onPaint();
        return false;
    }

private:
    std::function<void()> m_onPaint;
};
} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QTemporaryDir m_config;
    std::unique_ptr<PersistenceBackend> m_store; ///< the store, read behind the window's back
    QString m_spec;
    QStringList m_order;

    static QString idFor(int i) { return u"win%1"_s.arg(i, 4, 10, QChar(u'0')); }

    std::unique_ptr<MainWindow> openWindow(bool editing = false, const QString& spec = {})
    {
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->show();
        w->activateWindow();
        [&] { QVERIFY(QTest::qWaitForWindowActive(w.get())); }();
        w->openStore(spec.isEmpty() ? m_spec : spec);
        waitIdle(*w);
        if (editing) {
            w->setEditing(true);
            [&] { QTRY_VERIFY_WITH_TIMEOUT(w->isEditing(), 30000); }();
            waitIdle(*w);
        }
        return w;
    }

    static void waitIdle(MainWindow& w)
    {
        QTRY_VERIFY_WITH_TIMEOUT(w.model()->isOpen() && !w.model()->isBusy() && w.model()->exactCount(), 30000);
        QTest::qWait(1);
        QTRY_VERIFY_WITH_TIMEOUT(!w.model()->isBusy(), 30000);
    }

    /// Filters with since:30d (the sample memories are older) and returns the hint label once it shows.
    static QLabel* filterToNothingSince30Days(MainWindow& w)
    {
        w.filterEdit()->setText(u"since:30d"_s);
        QTest::keyClick(w.filterEdit(), Qt::Key_Return);
        waitIdle(w);
        auto* hint = w.findChild<QLabel*>(u"filterProblems"_s);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(hint->isVisible(), 10000); }();
        return hint;
    }

    static void selectRows(MainWindow& w, int first, int last)
    {
        QItemSelection selection(w.model()->index(first, 0), w.model()->index(last, 0));
        w.table()->selectionModel()->setCurrentIndex(w.model()->index(first, 0), QItemSelectionModel::NoUpdate);
        w.table()->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }

    QAction* action(MainWindow& w, const QString& text)
    {
        for (QAction* a : w.findChildren<QAction*>()) {
            if (a->text().remove(u'&') == text)
                return a;
        }
        return nullptr;
    }

    /// Clicks `button` in the next modal message box, once it shows; returns what the box said.
    static std::shared_ptr<QString> answerNextBox(QMessageBox::StandardButton button)
    {
        auto said = std::make_shared<QString>();
        auto* timer = new QTimer;
        timer->setInterval(20);
        QObject::connect(timer, &QTimer::timeout, timer, [timer, button, said] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box)
                return;
            *said = box->text() + u'\n' + box->informativeText() + u"\ndefault="_s
                + (box->defaultButton() ? box->defaultButton()->text() : QString()) + u"\nsave-enabled="_s
                + (box->button(QMessageBox::Save) && box->button(QMessageBox::Save)->isEnabled() ? u"yes"_s : u"no"_s);
            timer->stop();
            timer->deleteLater();
            box->button(button)->click();
        });
        timer->start();
        return said;
    }

    /// A SQLite store with findings of a few classes planted (and rows that are fine), for the health dock.
    QString plantHealthStore(const QString& name)
    {
        const QString path = m_dir.filePath(name);
        QFile::remove(path);
        Fixtures::StoreWriter w(path);
        w.add({.id = u"h-fine1"_s, .content = u"nothing wrong here"_s});
        w.add({.id = u"h-fine2"_s, .content = u"nothing wrong here either"_s, .createdAt = qint64(1700000001)});
        w.add({.id = u"h-mt1"_s, .content = u"messy one"_s, .tags = u" a ,,b"_s, .createdAt = qint64(1700000002)});
        w.add({.id = u"h-mt2"_s, .content = u"messy two"_s, .tags = u"c , d"_s, .createdAt = qint64(1700000003)});
        w.add({.id = u"h-ld"_s, .content = u"global domain"_s, .domain = u"global"_s, .createdAt = qint64(1700000004)});
        w.add(
            {.id = u"h-nn"_s, .content = u"alias namespace"_s, .ns = u"tech_debt"_s, .createdAt = qint64(1700000005)});
        w.add({.id = u"h-ea"_s,
               .content = u"expired"_s,
               .createdAt = qint64(1700000006),
               .expiresAt = qint64(1700000100)});
        w.add(
            {.id = u"h-un"_s, .content = u"unknown namespace"_s, .ns = u"musings"_s, .createdAt = qint64(1700000008)});
        w.add({.id = u"h-mc"_s, .content = u"lost text"_s, .createdAt = qint64(1700000007), .ftsRows = 0});
        return path;
    }

    /// Finding counts by class, as the checker library finds them (what `check` reports).
    static QHash<QString, qint64> checkedCounts(const QString& path)
    {
        QHash<QString, qint64> counts;
        checkSqliteStore(path, [&](const Finding& f) { ++counts[f.findingClass]; });
        return counts;
    }

    /// A column of a memories row as stored (empty for NULL).
    static QString rawColumn(const QString& path, const QString& id, const QString& column)
    {
        QString value;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"rawTags"_s);
            db.setDatabaseName(path);
            if (db.open()) {
                QSqlQuery q(db);
                q.prepare(u"SELECT "_s + column + u" FROM memories WHERE id = ?"_s);
                q.addBindValue(id);
                if (q.exec() && q.next())
                    value = q.value(0).toString();
            }
        }
        QSqlDatabase::removeDatabase(u"rawTags"_s);
        return value;
    }
    static QString rawTags(const QString& path, const QString& id) { return rawColumn(path, id, u"tags"_s); }

    static QTreeWidgetItem* classRow(StoreHealthDock* dock, const QString& cls)
    {
        for (int i = 0; i < dock->tree()->topLevelItemCount(); ++i) {
            if (dock->tree()->topLevelItem(i)->text(0) == cls)
                return dock->tree()->topLevelItem(i);
        }
        return nullptr;
    }

    static void runCheck(MainWindow& w)
    {
        QSignalSpy finished(w.healthDock(), &StoreHealthDock::checkFinished);
        if (w.healthDock()->lastTotal() < 0 && w.healthDock()->isHidden())
            w.showHealth();
        else
            w.healthDock()->startCheck();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 30000);
        QCOMPARE(finished.first().at(1).toBool(), false); // not cancelled
        QCOMPARE(finished.first().at(2).toBool(), false); // not failed
    }

private Q_SLOTS:
    void initTestCase()
    {
        installTranslations();
        // settings of the tests stay in a scratch directory
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        qputenv("HOME", m_config.path().toUtf8());
        QString skip;
        m_store = Testing::createEmptyStore(m_dir, &skip);
        if (!m_store) {
            if (qEnvironmentVariableIntValue("INSPECTOR_REQUIRE_ALL_BACKENDS"))
                QFAIL(qPrintable(skip));
            QSKIP(qPrintable(skip));
        }
        for (int i = 0; i < kCount; ++i) {
            Memory m = Testing::sampleMemory(idFor(i), 1767000000 + i);
            m.content = u"# Window memory %1\n\nSome **markdown** text."_s.arg(i);
            m.namespaceName = namespaceName(allNamespaces().at(i % 4));
            m.groupId.reset();
            if (i == 10)
                m.sourceMemoryIds = QStringList {idFor(0), idFor(1)};
            if (m_store->kind() == "sqlite"_L1)
                m.updatedAt = m.createdAt;
            m_store->store(m);
            m_order.prepend(m.id);
        }
        if (m_store->kind() == "sqlite"_L1)
            m_spec = u"sqlite:"_s + m_store->location();
        else if (m_store->kind() == "filesystem"_L1)
            m_spec = u"fs:"_s + m_store->location();
        else
            m_spec = Testing::PostgresServer::shared().url(QUrl(m_store->location()).path().mid(1));
    }

    void opensReadOnlyAndShowsTheFirstRows()
    {
        auto w = openWindow();
        QCOMPARE(w->model()->rowCount(), kCount);
        QCOMPARE(w->model()->data(w->model()->index(0, 0), MemoryTableModel::IdRole).toString(), m_order.first());
        QVERIFY2(w->windowTitle().contains(u"read-only"_s), qPrintable(w->windowTitle()));
        QVERIFY2(w->statusText().contains(u"300 memories (tombstoned hidden)"_s), qPrintable(w->statusText()));
        QCOMPARE(w->findChild<QLabel*>(u"modeLabel"_s)->text(), u"Read-only"_s);
        QVERIFY(!action(*w, u"Delete"_s)->isEnabled());
        // the detail pane follows the current row, read-only
        selectRows(*w, 2, 2);
        QCOMPARE(w->detailPane()->memory()->id, m_order.at(2));
        QVERIFY(w->findChild<QPlainTextEdit*>(u"contentEditor"_s)->isReadOnly());
        QVERIFY(w->findChild<QPlainTextEdit*>(u"contentEditor"_s)->toPlainText().startsWith(u"# Window memory"_s));
        selectRows(*w, 2, 6);
        QVERIFY2(w->statusText().contains(u"5 selected"_s), qPrintable(w->statusText()));
        // the last row is there without loading what lies between
        w->table()->scrollToBottom();
        QTRY_COMPARE_WITH_TIMEOUT(
            w->model()->data(w->model()->index(kCount - 1, 0), MemoryTableModel::IdRole).toString(), m_order.last(),
            10000);
    }

    void filtersInSubcogsLanguage()
    {
        auto w = openWindow();
        QTest::keyClicks(w->filterEdit(), u"ns:patterns"_s);
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(kCount / 4), 10000);
        waitIdle(*w);
        for (int r = 0; r < w->model()->rowCount(); r += 20)
            QCOMPARE(w->model()->memoryAt(r)->namespaceName, u"patterns"_s);
        // words it does not understand are named, not silently dropped
        w->filterEdit()->clear();
        QTest::keyClicks(w->filterEdit(), u"frobnicate:yes"_s);
        QTRY_VERIFY_WITH_TIMEOUT(w->findChild<QLabel*>(u"filterProblems"_s)->isVisible(), 10000);
        QVERIFY(w->findChild<QLabel*>(u"filterProblems"_s)->text().contains(u"frobnicate"_s));
        // so is a word the full-text search cannot look for
        w->filterEdit()->setText(u"∞"_s);
        QTRY_VERIFY_WITH_TIMEOUT(w->findChild<QLabel*>(u"filterProblems"_s)->text().contains(u"∞: has no letter"_s),
                                 10000);
        // quick filter for the namespace, and free words in the content
        w->filterEdit()->clear();
        w->findChild<QComboBox*>(u"namespaceFilter"_s)->setCurrentText(u"patterns"_s);
        QTest::keyClicks(w->filterEdit(), u"\"memory 13\""_s);
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(1), 10000);
        waitIdle(*w);
        QCOMPARE(w->model()->memoryAt(0)->id, idFor(13));
        // Qt's plural forms, from the English translation built into the program
        QVERIFY2(w->statusText().startsWith(u"1 memory (tombstoned hidden)"_s), qPrintable(w->statusText()));
    }

    void editsInTheDetailPaneSaveWithCtrlSAndUndo()
    {
        auto w = openWindow(true);
        QCOMPARE(w->findChild<QLabel*>(u"modeLabel"_s)->text(), u"Editing"_s);
        selectRows(*w, 1, 1);
        const QString id = m_order.at(1);
        const Memory original = *m_store->get(id);
        auto* ns = w->detailPane()->findChild<QLineEdit*>(u"field_namespace"_s);
        QVERIFY(!ns->isReadOnly());
        ns->selectAll();
        QTest::keyClicks(ns, u"nonsense"_s);
        // checked as typed: the problem shows and nothing can be saved
        QVERIFY(w->detailPane()->validationMessage().contains(u"nonsense"_s));
        ns->selectAll();
        QTest::keyClicks(ns, u"Security"_s);
        QVERIFY(w->detailPane()->validationMessage().isEmpty());
        auto* content = w->findChild<QPlainTextEdit*>(u"contentEditor"_s);
        content->setPlainText(u"Rewritten in the window."_s);
        content->setFocus();
        QTest::keyClick(content, Qt::Key_S, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(m_store->get(id)->namespaceName, u"security"_s, 10000);
        QCOMPARE(m_store->get(id)->content, u"Rewritten in the window."_s);
        waitIdle(*w);
        QAction* undo = action(*w, u"Undo Edit %1"_s.arg(id));
        QVERIFY2(undo, "the Edit menu names the action");
        w->table()->setFocus();
        QTest::keyClick(w->table(), Qt::Key_Z, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(m_store->get(id)->sameFields(original), 10000);
        waitIdle(*w);
        QTest::keyClick(w->table(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE_WITH_TIMEOUT(m_store->get(id)->content, u"Rewritten in the window."_s, 10000);
        waitIdle(*w);
        w->model()->undoStack()->undo();
        QTRY_VERIFY_WITH_TIMEOUT(m_store->get(id)->sameFields(original), 10000);

        // Esc discards what was typed
        waitIdle(*w);
        selectRows(*w, 1, 1);
        auto* branch = w->detailPane()->findChild<QLineEdit*>(u"field_branch"_s);
        branch->selectAll();
        QTest::keyClicks(branch, u"scratch"_s);
        QVERIFY(w->detailPane()->isDirty());
        branch->setFocus();
        QTest::keyClick(branch, Qt::Key_Escape);
        QVERIFY(!w->detailPane()->isDirty());
        QCOMPARE(branch->text(), *original.branch);
    }

    void deletesToTheTrashAndRestores()
    {
        auto w = openWindow(true);
        selectRows(*w, 0, 2);
        const QStringList ids = m_order.mid(0, 3);
        w->deleteSelection(false);
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(kCount - 3), 10000);
        for (const QString& id : ids)
            QVERIFY(m_store->get(id)->isTombstoned());
        QVERIFY(action(*w, u"Undo Delete 3 memories"_s));
        waitIdle(*w);

        // the Trash shows them, and restores them
        action(*w, u"Trash"_s)->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(3), 10000);
        waitIdle(*w);
        QVERIFY2(w->statusText().contains(u"3 in the Trash"_s), qPrintable(w->statusText()));
        selectRows(*w, 0, 2);
        QVERIFY(action(*w, u"Restore"_s)->isEnabled());
        w->restoreSelection();
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(0), 10000);
        for (const QString& id : ids) {
            QVERIFY(!m_store->get(id)->isTombstoned());
            QCOMPARE(m_store->get(id)->status, u"active"_s);
        }
        waitIdle(*w);
        action(*w, u"Trash"_s)->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(kCount), 10000);
    }

    void deletesASelectionLargerThanWhatIsLoaded()
    {
        auto w = openWindow(true);
        w->model()->setCacheCapacityRows(200);
        // every row selected while most pages are not loaded: they are fetched in batches first
        w->table()->selectAll();
        QCOMPARE(w->selectedRowCount(), kCount);
        w->deleteSelection(false);
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(0), 30000);
        QCOMPARE(m_store->count(), qint64(kCount));
        waitIdle(*w);
        w->model()->undoStack()->undo();
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(kCount), 30000);
        for (int i = 0; i < kCount; i += 37)
            QVERIFY(!m_store->get(idFor(i))->isTombstoned());
    }

    void copiesSeveralUnloadedRangesInTableOrder()
    {
        auto w = openWindow();
        QCOMPARE(w->model()->loadState(250), MemoryTableModel::LoadState::NotLoaded);
        // two ranges, the later rows selected first: fetched as one request, delivered in table order
        QItemSelection selection(w->model()->index(250, 0), w->model()->index(259, 0));
        selection.select(w->model()->index(2, 0), w->model()->index(4, 0));
        w->table()->selectionModel()->select(selection,
                                             QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(w->selectedRowCount(), 13);
        QGuiApplication::clipboard()->clear();
        w->copyIdsToClipboard(false);
        const QStringList expected = m_order.mid(2, 3) + m_order.mid(250, 10);
        QTRY_COMPARE_WITH_TIMEOUT(QGuiApplication::clipboard()->text(), expected.join(u'\n'), 30000);
    }

    void hardDeleteAndItsUndo()
    {
        auto w = openWindow(true);
        selectRows(*w, 4, 4);
        const Memory victim = *m_store->get(m_order.at(4));
        w->hardDeleteSelection(false);
        QTRY_VERIFY_WITH_TIMEOUT(!m_store->get(victim.id), 10000);
        QVERIFY(action(*w, u"Undo Permanently delete 1 memory"_s));
        waitIdle(*w);
        QCOMPARE(w->model()->exactCount(), qint64(kCount - 1));
        w->model()->undoStack()->undo();
        QTRY_VERIFY_WITH_TIMEOUT(m_store->get(victim.id).has_value(), 10000);
        QVERIFY(m_store->get(victim.id)->sameFields(victim));
    }

    void aConflictOpensBothVersions()
    {
        auto w = openWindow(true);
        selectRows(*w, 5, 5);
        const QString id = m_order.at(5);
        Memory theirs = *m_store->get(id);
        theirs.content = u"changed by subcog meanwhile"_s;
        m_store->store(theirs);
        w->findChild<QPlainTextEdit*>(u"contentEditor"_s)->setPlainText(u"mine"_s);
        w->detailPane()->save();
        QTRY_VERIFY_WITH_TIMEOUT(w->findChild<ConflictDialog*>() != nullptr, 10000);
        auto* dialog = w->findChild<ConflictDialog*>();
        QVERIFY(dialog->isVisible());
        QCOMPARE(m_store->get(id)->content, u"changed by subcog meanwhile"_s);
        QVERIFY(w->messageBar()->text().contains(id));
        dialog->close();
    }

    void leavingUnsavedEditsAsksSaveDiscardCancel()
    {
        auto w = openWindow(true);
        selectRows(*w, 4, 4);
        const QString first = m_order.at(4);
        const Memory original = *m_store->get(first);
        auto* branch = w->detailPane()->findChild<QLineEdit*>(u"field_branch"_s);
        branch->selectAll();
        QTest::keyClicks(branch, u"kept-branch"_s);
        QVERIFY(w->detailPane()->isDirty());

        // Cancel: back on the edited memory, with the edit still there
        auto said = answerNextBox(QMessageBox::Cancel);
        selectRows(*w, 5, 5);
        QVERIFY2(said->contains(first) && said->contains(u"default=Save"_s), qPrintable(*said));
        QCOMPARE(w->detailPane()->memory()->id, first);
        QCOMPARE(w->table()->currentIndex().row(), 4);
        QCOMPARE(branch->text(), u"kept-branch"_s);
        QVERIFY(w->detailPane()->isDirty());
        // also for a jump to a row not loaded yet: Cancel stays, and the jump does not ask again once it loads
        int asked = 0;
        auto* counter = new QTimer(w.get());
        counter->setInterval(20);
        connect(counter, &QTimer::timeout, counter, [&asked] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                ++asked;
                box->button(QMessageBox::Cancel)->click();
            }
        });
        counter->start();
        w->goToId(m_order.at(260));
        QTRY_COMPARE_WITH_TIMEOUT(asked, 1, 10000);
        waitIdle(*w);
        QTest::qWait(300);
        counter->stop();
        QCOMPARE(asked, 1);
        QCOMPARE(w->detailPane()->memory()->id, first);
        QVERIFY(w->detailPane()->isDirty());

        // Save (the default): written, then the other memory shows
        answerNextBox(QMessageBox::Save);
        selectRows(*w, 5, 5);
        QTRY_COMPARE_WITH_TIMEOUT(m_store->get(first)->branch.value_or(QString()), u"kept-branch"_s, 10000);
        QCOMPARE(w->detailPane()->memory()->id, m_order.at(5));
        waitIdle(*w);

        // an invalid value cannot be saved: Save is off, Discard drops it and nothing is written
        auto* ns = w->detailPane()->findChild<QLineEdit*>(u"field_namespace"_s);
        ns->selectAll();
        QTest::keyClicks(ns, u"nonsense"_s);
        said = answerNextBox(QMessageBox::Discard);
        selectRows(*w, 6, 6);
        QVERIFY2(said->contains(u"save-enabled=no"_s), qPrintable(*said));
        QCOMPARE(w->detailPane()->memory()->id, m_order.at(6));
        QCOMPARE(m_store->get(m_order.at(5))->namespaceName, m_store->get(m_order.at(5))->namespaceName);
        QVERIFY(m_store->get(m_order.at(5))->namespaceName != u"nonsense"_s);
        waitIdle(*w);
        w->model()->undoStack()->undo();
        QTRY_VERIFY_WITH_TIMEOUT(m_store->get(first)->sameFields(original), 10000);
    }

    void escClosesTheCompleterBeforeDiscarding()
    {
        auto w = openWindow(true);
        selectRows(*w, 7, 7);
        auto* branch = w->detailPane()->findChild<QLineEdit*>(u"field_branch"_s);
        branch->selectAll();
        QTest::keyClicks(branch, u"feature-x"_s);
        auto* ns = w->detailPane()->findChild<QLineEdit*>(u"field_namespace"_s);
        ns->setFocus();
        ns->selectAll();
        QTest::keyClicks(ns, u"pa"_s);
        QTRY_VERIFY_WITH_TIMEOUT(QApplication::activePopupWidget(), 5000);
        QTest::keyClick(QApplication::activePopupWidget(), Qt::Key_Escape);
        QTRY_VERIFY_WITH_TIMEOUT(!QApplication::activePopupWidget(), 5000);
        QVERIFY2(w->detailPane()->isDirty(), "Esc on the completer must not discard the pane's edits");
        QCOMPARE(branch->text(), u"feature-x"_s);
        QTest::keyClick(ns, Qt::Key_Escape);
        QVERIFY(!w->detailPane()->isDirty());
    }

    void quittingWithUnsavedEditsOffersSave()
    {
        auto w = openWindow(true);
        selectRows(*w, 8, 8);
        const QString id = m_order.at(8);
        const Memory original = *m_store->get(id);
        auto* branch = w->detailPane()->findChild<QLineEdit*>(u"field_branch"_s);
        branch->selectAll();
        QTest::keyClicks(branch, u"saved-at-quit"_s);
        answerNextBox(QMessageBox::Cancel);
        QVERIFY(!w->close());
        QVERIFY(w->isVisible());
        answerNextBox(QMessageBox::Save);
        w->close();
        QTRY_VERIFY_WITH_TIMEOUT(!w->isVisible(), 10000);
        QCOMPARE(m_store->get(id)->branch.value_or(QString()), u"saved-at-quit"_s);
        Memory back = *m_store->get(id);
        back.branch = original.branch;
        m_store->store(original);
    }

    void switchingEditingOffAsksAboutUnsavedEdits()
    {
        auto w = openWindow(true);
        selectRows(*w, 9, 9);
        auto* branch = w->detailPane()->findChild<QLineEdit*>(u"field_branch"_s);
        branch->selectAll();
        QTest::keyClicks(branch, u"typed-before-read-only"_s);
        QVERIFY(w->detailPane()->isDirty());
        // Edit ▸ Allow Editing off is a way of leaving the edits too; the answerer lives only as long as the window
        int asked = 0;
        QMessageBox::StandardButton answer = QMessageBox::Cancel;
        auto* answerer = new QTimer(w.get());
        answerer->setInterval(20);
        connect(answerer, &QTimer::timeout, answerer, [&] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                ++asked;
                box->button(answer)->click();
            }
        });
        answerer->start();
        QAction* editing = action(*w, u"Allow Editing"_s);
        QVERIFY(editing && editing->isChecked());
        editing->trigger();
        QTest::qWait(300);
        QVERIFY2(asked == 1, "switching editing off with unsaved edits must ask first");
        // Cancel: editing stays on, the edit stays
        QVERIFY(w->isEditing());
        QVERIFY(editing->isChecked());
        QCOMPARE(branch->text(), u"typed-before-read-only"_s);
        QVERIFY(w->detailPane()->isDirty());
        answer = QMessageBox::Discard;
        editing->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!w->isEditing(), 5000);
        QCOMPARE(asked, 2);
        QVERIFY(!w->detailPane()->isDirty());
        answerer->stop();
    }

    void openingTheSameStoreAgainKeepsUnsavedEdits()
    {
        auto w = openWindow(true);
        selectRows(*w, 12, 12);
        auto* branch = w->detailPane()->findChild<QLineEdit*>(u"field_branch"_s);
        branch->selectAll();
        QTest::keyClicks(branch, u"typed-before-reopen"_s);
        QVERIFY(w->detailPane()->isDirty());
        // the same store chosen again (File > Open Recent): if it asks, Cancel; either way nothing typed may go
        auto* answerer = new QTimer(w.get());
        answerer->setInterval(20);
        connect(answerer, &QTimer::timeout, answerer, [] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget()))
                box->button(QMessageBox::Cancel)->click();
        });
        answerer->start();
        w->openStore(m_spec);
        waitIdle(*w);
        answerer->stop();
        QVERIFY2(w->detailPane()->isDirty(), "reopening the same store threw the unsaved edits away");
        QCOMPARE(branch->text(), u"typed-before-reopen"_s);
        w->detailPane()->discard();
    }

    void afterADeleteNothingIsSelectedAndUndoIsOffered()
    {
        auto w = openWindow(true);
        selectRows(*w, 10, 11);
        const QStringList ids = m_order.mid(10, 2);
        w->deleteSelection(false);
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(kCount - 2), 10000);
        waitIdle(*w);
        QCOMPARE(w->selectedRowCount(), 0);
        QVERIFY2(w->messageBar()->text().contains(u"2 memories moved to the Trash"_s),
                 qPrintable(w->messageBar()->text()));
        QCOMPARE(QCoreApplication::translate("Inspector::MainWindow", "%Ln memories moved to the Trash", "", 1),
                 u"1 memory moved to the Trash"_s);
        // a second Delete has nothing to act on
        QVERIFY(!action(*w, u"Delete"_s)->isEnabled());
        w->deleteSelection(false);
        waitIdle(*w);
        QCOMPARE(w->model()->exactCount().value_or(-1), qint64(kCount - 2));
        // the bar's Undo takes it back
        auto* undo = w->messageBar()->actionButton();
        QVERIFY(undo->isVisible());
        QCOMPARE(undo->text(), u"Undo"_s);
        undo->click();
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(kCount), 10000);
        for (const QString& id : ids)
            QVERIFY(!m_store->get(id)->isTombstoned());
    }

    void theFilterBarOnItsOwnSaysWhatIsInForce()
    {
        // the bar's rules need no window and no store
        FilterBar bar;
        QSignalSpy edited(&bar, &FilterBar::textEdited);
        QSignalSpy changed(&bar, &FilterBar::changed);
        auto* namespaces = bar.findChild<QComboBox*>(u"namespaceFilter"_s);
        auto* statuses = bar.findChild<QComboBox*>(u"statusFilter"_s);
        namespaces->setCurrentText(namespaceName(Namespace::Decisions));
        QCOMPARE(changed.size(), 1); // a quick filter applies at once
        QTest::keyClicks(bar.lineEdit(), u"tag:rust"_s);
        QVERIFY(edited.size() > 0);
        QVERIFY(bar.isApplyPending()); // typing waits for a pause
        MemoryFilter f = bar.apply(TombstoneFilter::Exclude);
        QVERIFY(!bar.isApplyPending());
        QCOMPARE(f.namespaces, QList<Namespace>({Namespace::Decisions}));
        QCOMPARE(f.tagsAll, QStringList({u"rust"_s}));
        QCOMPARE(f.tombstones, TombstoneFilter::Exclude);
        QVERIFY(!bar.isExplaining());
        // status:tombstoned shows them whatever the View menu says
        statuses->setCurrentText(statusName(MemoryStatus::Tombstoned));
        QCOMPARE(bar.apply(TombstoneFilter::Exclude).tombstones, TombstoneFilter::Include);
        // text and quick filter disagree: nothing, said under the bar, the line edit marked invalid
        const FilterBar::State contradicting {u"ns:patterns"_s, namespaces->currentIndex(), 0, {}};
        edited.clear();
        bar.setState(contradicting);
        QCOMPARE(edited.size(), 0); // restoring a state is not typing
        QCOMPARE(bar.state(), contradicting);
        f = bar.apply(TombstoneFilter::Only);
        MemoryFilter nothing = MemoryFilter::nothing();
        nothing.tombstones = TombstoneFilter::Only;
        QCOMPARE(f, nothing);
        QVERIFY(bar.isExplaining());
        QVERIFY(!bar.isHintShown());
        QVERIFY(bar.lineEdit()->property("invalid").toBool());
        // fixed: the bar is quiet again; a hint comes and goes on its own
        bar.setState({});
        QCOMPARE(bar.apply(TombstoneFilter::Exclude).tombstones, TombstoneFilter::Exclude);
        QVERIFY(!bar.isExplaining());
        QVERIFY(!bar.lineEdit()->property("invalid").toBool());
        bar.showHint(u"newest memory is older"_s);
        QVERIFY(bar.isExplaining() && bar.isHintShown());
        bar.hideHint();
        QVERIFY(!bar.isExplaining() && !bar.isHintShown());
    }

    void aFilterNotUnderstoodMatchesNothing()
    {
        auto w = openWindow();
        QTest::keyClicks(w->filterEdit(), u"ns:de"_s);
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(0), 10000);
        auto* problems = w->findChild<QLabel*>(u"filterProblems"_s);
        QVERIFY(problems->isVisible());
        QVERIFY2(problems->text().contains(u"ns:de"_s), qPrintable(problems->text()));
        QVERIFY(w->filterEdit()->property("invalid").toBool());
        // fixed: the table agrees again
        QTest::keyClicks(w->filterEdit(), u"cisions"_s);
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(kCount / 4), 10000);
        QVERIFY(!problems->isVisible());
        QVERIFY(!w->filterEdit()->property("invalid").toBool());
        // a quick filter that contradicts the text: said once, and the table is empty
        w->findChild<QComboBox*>(u"namespaceFilter"_s)->setCurrentText(u"patterns"_s);
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(0), 10000);
        QVERIFY(problems->isVisible());
        QVERIFY2(problems->text().contains(u"quick filter"_s), qPrintable(problems->text()));
    }

    void aStatusQuickFilterThatContradictsTheTextMatchesNothing()
    {
        auto w = openWindow();
        // the sample memories are all active; one of them is made archived behind the window's back
        const QString archivedId = m_order.at(3);
        const Memory original = *m_store->get(archivedId);
        Memory archived = original;
        archived.status = statusName(MemoryStatus::Archived);
        m_store->store(archived);
        w->model()->refresh();
        waitIdle(*w);
        QTest::keyClicks(w->filterEdit(), u"status:active"_s);
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        waitIdle(*w);
        QCOMPARE(w->model()->exactCount().value_or(-1), qint64(kCount - 1));
        // the quick filter says archived, the text says active: as for ns:, nothing matches and the bar says why
        w->findChild<QComboBox*>(u"statusFilter"_s)->setCurrentText(statusName(MemoryStatus::Archived));
        waitIdle(*w);
        auto* problems = w->findChild<QLabel*>(u"filterProblems"_s);
        const qint64 shown = w->model()->exactCount().value_or(-1);
        m_store->store(original);
        QCOMPARE(shown, qint64(0));
        QVERIFY(problems->isVisible());
        QVERIFY2(problems->text().contains(u"status"_s), qPrintable(problems->text()));
    }

    void openingAnotherStoreClearsTheMessages()
    {
        auto w = openWindow();
        w->messageBar()->showMessage(MessageBar::Kind::Info, u"about the first store"_s);
        w->openStore(u"sqlite:"_s + m_dir.filePath(u"another-store-that-is-missing.db"_s));
        QVERIFY(!w->messageBar()->text().contains(u"about the first store"_s));
        // what the new store says is shown
        QTRY_VERIFY_WITH_TIMEOUT(w->messageBar()->text().contains(u"another-store-that-is-missing"_s), 10000);
    }

    void everyShortcutHasOneOwner()
    {
        auto w = openWindow(true);
        selectRows(*w, 0, 0);
        QHash<QKeySequence, QString> owners;
        QStringList clashes;
        const auto claim = [&](const QKeySequence& key, const QString& who) {
            if (key.isEmpty())
                return;
            if (owners.contains(key) && owners.value(key) != who)
                clashes << key.toString() + u": "_s + owners.value(key) + u" and "_s + who;
            owners.insert(key, who);
        };
        for (QAction* a : w->findChildren<QAction*>()) {
            if (!a->isEnabled())
                continue;
            QList<QKeySequence> keys = a->shortcuts();
            for (int i = 0; i < keys.size(); ++i) {
                if (keys.indexOf(keys[i]) != i)
                    clashes << keys[i].toString() + u" twice on "_s + a->text();
                claim(keys[i], a->text());
            }
        }
        for (QShortcut* sc : w->findChildren<QShortcut*>()) {
            if (sc->isEnabled())
                claim(sc->key(), u"shortcut "_s + sc->objectName() + u" in "_s + sc->parent()->objectName());
        }
        QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(u"; "_s)));
        // Help lists the filter words and the keys
        QString help;
        auto* reader = new QTimer(this);
        reader->setInterval(20);
        connect(reader, &QTimer::timeout, this, [reader, &help] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                help = box->text();
                reader->stop();
                reader->deleteLater();
                box->close();
            }
        });
        reader->start();
        action(*w, u"Filter Language and Shortcuts"_s)->trigger();
        for (const QString& expected : {u"since:7d"_s, u"-tag:old"_s, u"Ctrl+E"_s, u"Ctrl+Shift+Z"_s, u"Export"_s})
            QVERIFY2(help.contains(expected), qPrintable(expected));
        // tooltips name their keys
        QVERIFY2(action(*w, u"Export…"_s)->toolTip().contains(u"Ctrl+E"_s),
                 qPrintable(action(*w, u"Export…"_s)->toolTip()));
    }

    void keyboardPathsThroughTheWindow()
    {
        auto w = openWindow(true);
        // Ctrl+E works from the filter bar
        QSignalSpy exported(action(*w, u"Export…"_s), &QAction::triggered);
        auto closer = std::make_unique<QTimer>();
        closer->setInterval(20);
        connect(closer.get(), &QTimer::timeout, this, [] {
            if (QWidget* modal = QApplication::activeModalWidget())
                modal->close();
        });
        closer->start();
        w->filterEdit()->setFocus();
        QTest::keyClick(w->filterEdit(), Qt::Key_E, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(exported.size(), 1, 5000);
        closer.reset();
        QTRY_VERIFY_WITH_TIMEOUT(!QApplication::activeModalWidget(), 5000);
        w->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(w.get()));
        // Down moves from the filter to the results
        w->filterEdit()->setFocus();
        QTest::keyClick(w->filterEdit(), Qt::Key_Down);
        QVERIFY(w->table()->hasFocus());
        QVERIFY(w->table()->currentIndex().isValid());
        // Tab leaves the table for the detail pane
        QTest::keyClick(w->table(), Qt::Key_Tab);
        QVERIFY2(w->detailPane()->isAncestorOf(QApplication::focusWidget()),
                 qPrintable(QApplication::focusWidget() ? QApplication::focusWidget()->objectName() : u"none"_s));
        // after Ctrl+S the keyboard is back in the table, so Ctrl+Z undoes the save
        const int row = w->table()->currentIndex().row();
        const QString id = w->model()->memoryAt(row)->id;
        const Memory original = *m_store->get(id);
        auto* branch = w->detailPane()->findChild<QLineEdit*>(u"field_branch"_s);
        branch->setFocus();
        branch->selectAll();
        QTest::keyClicks(branch, u"via-keyboard"_s);
        QTest::keyClick(branch, Qt::Key_S, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(m_store->get(id)->branch.value_or(QString()), u"via-keyboard"_s, 10000);
        QVERIFY(w->table()->hasFocus());
        waitIdle(*w);
        QTest::keyClick(w->table(), Qt::Key_Z, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(m_store->get(id)->sameFields(original), 10000);
        waitIdle(*w);
        QTest::keyClick(w->table(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE_WITH_TIMEOUT(m_store->get(id)->branch.value_or(QString()), u"via-keyboard"_s, 10000);
        waitIdle(*w);
        w->model()->undoStack()->undo();
        QTRY_VERIFY_WITH_TIMEOUT(m_store->get(id)->sameFields(original), 10000);
    }

    void exportAsksBeforeReplacingAndRemembersChoices()
    {
        auto w = openWindow();
        {
            // one selected row is not a choice of scope; several are
            ExportDialog one(1, 300, w.get());
            QCOMPARE(one.scope(), TransferScope::Filter);
            ExportDialog several(3, 300, w.get());
            QCOMPARE(several.scope(), TransferScope::Selection);
        }
        const QString existing = m_dir.filePath(u"keep-me.csv"_s);
        {
            QFile f(existing);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("precious\n");
        }
        ExportDialog dialog(1, 300, w.get());
        dialog.findChild<QComboBox*>(u"format"_s)->setCurrentIndex(2); // CSV
        dialog.findChild<QRadioButton*>(u"scopeStore"_s)->setChecked(true);
        dialog.findChild<QLineEdit*>(u"path"_s)->setText(existing);
        auto said = answerNextBox(QMessageBox::Cancel);
        dialog.accept();
        QVERIFY2(said->contains(u"keep-me.csv"_s), qPrintable(*said));
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        // Replace is a button of its own; the default is Cancel
        auto* timer = new QTimer(this);
        timer->setInterval(20);
        connect(timer, &QTimer::timeout, this, [timer] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box)
                return;
            timer->stop();
            timer->deleteLater();
            for (QAbstractButton* b : box->buttons()) {
                if (b->text().remove(u'&') == u"Replace"_s)
                    b->click();
            }
        });
        timer->start();
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        // the next export starts from these choices
        ExportDialog next(1, 300, w.get());
        QCOMPARE(next.format(), ExportFormat::Csv);
        QCOMPARE(next.scope(), TransferScope::Store);
        QCOMPARE(QFileInfo(next.path()).absolutePath(), QFileInfo(existing).absolutePath());
        QVERIFY(next.path().endsWith(u".csv"_s));
        QSettings().remove(u"export"_s);
    }

    void contextMenuOnACell()
    {
        auto w = openWindow(true);
        const int nsColumn = int(MemoryColumn::Namespace);
        const QModelIndex cell = w->model()->index(5, nsColumn);
        std::unique_ptr<QMenu> menu(w->contextMenuFor(cell));
        QVERIFY(menu);
        QCOMPARE(w->selectedRowCount(), 1);
        QCOMPARE(w->table()->currentIndex().row(), 5);
        const Memory m = *w->model()->memoryAt(5);
        QStringList texts;
        for (QAction* a : menu->actions())
            texts << a->text().remove(u'&');
        const QString filterText = u"Filter by ns:"_s + namespaceName(m.effectiveNamespace());
        QVERIFY2(texts.contains(u"Copy Namespace"_s) && texts.contains(filterText) && texts.contains(u"Delete"_s)
                     && texts.contains(u"Restore"_s),
                 qPrintable(texts.join(u" | "_s)));
        for (QAction* a : menu->actions()) {
            if (a->text().remove(u'&') == u"Copy Namespace"_s)
                a->trigger();
        }
        QCOMPARE(QGuiApplication::clipboard()->text(), m.namespaceName);
        // Ctrl+C on one row copies the value of the current cell
        w->table()->setFocus();
        w->table()->selectionModel()->setCurrentIndex(w->model()->index(5, int(MemoryColumn::Id)),
                                                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QTest::keyClick(w->table(), Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QGuiApplication::clipboard()->text(), m.id);
        // filter by the value
        for (QAction* a : menu->actions()) {
            if (a->text().remove(u'&') == filterText)
                a->trigger();
        }
        QCOMPARE(w->filterEdit()->text(), u"ns:"_s + namespaceName(m.effectiveNamespace()));
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(kCount / 4), 10000);
        waitIdle(*w);
        // a summary's sources open from its row
        w->filterEdit()->clear();
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(kCount), 10000);
        waitIdle(*w);
        w->goToId(idFor(10));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, idFor(10), 10000);
        std::unique_ptr<QMenu> summaryMenu(w->contextMenuFor(w->table()->currentIndex()));
        QMenu* sources = nullptr;
        for (QAction* a : summaryMenu->actions()) {
            if (a->menu() && a->text().contains(u"Source"_s))
                sources = a->menu();
        }
        QVERIFY(sources);
        QCOMPARE(sources->actions().size(), 2);
        sources->actions().at(1)->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, idFor(1), 10000);
    }

    void defaultLayoutFitsCommonScreens()
    {
        for (const QSize size : {QSize(1280, 800), QSize(1366, 768)}) {
            auto w = openWindow();
            w->resize(size);
            w->resetLayout();
            QTest::qWait(50);
            QHeaderView* header = w->table()->horizontalHeader();
            const int created = int(MemoryColumn::CreatedAt);
            QVERIFY(!header->isSectionHidden(created));
            QVERIFY2(header->sectionViewportPosition(created) + header->sectionSize(created)
                         <= w->table()->viewport()->width(),
                     qPrintable(u"%1: Created ends at %2, the table shows %3"_s.arg(size.width())
                                    .arg(header->sectionViewportPosition(created) + header->sectionSize(created))
                                    .arg(w->table()->viewport()->width())));
            QCOMPARE(w->table()->horizontalScrollBar()->maximum(), 0);
            // the domain quick filter shows its whole placeholder
            auto* domain = w->findChild<QComboBox*>(u"domainFilter"_s);
            QVERIFY(domain->lineEdit()->width() >= domain->fontMetrics().horizontalAdvance(u"All domains"_s));
            // View ▸ Reset Layout brings a hidden Created back
            header->setSectionHidden(created, true);
            action(*w, u"Reset Layout"_s)->trigger();
            QVERIFY(!header->isSectionHidden(created));
        }
    }

    void valuesTheFieldsCannotShowAreNotEdits()
    {
        // a line break in a one-line field and CRLF in the content look different in the editors; untouched, they
        // are neither "unsaved changes" nor rewritten by a save of another field
        Memory odd = Testing::sampleMemory(u"oddvalues"_s, 1767000000 + kCount + 5);
        odd.groupId.reset();
        odd.source = u"line one\nline two"_s;
        odd.content = u"first\r\nsecond\r\n"_s;
        if (m_store->kind() == "sqlite"_L1)
            odd.updatedAt = odd.createdAt;
        m_store->store(odd);
        auto w = openWindow(true);
        w->goToId(odd.id);
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, odd.id, 10000);
        QVERIFY(!w->detailPane()->isDirty());
        auto* branch = w->detailPane()->findChild<QLineEdit*>(u"field_branch"_s);
        branch->selectAll();
        QTest::keyClicks(branch, u"other"_s);
        w->detailPane()->save();
        QTRY_COMPARE_WITH_TIMEOUT(m_store->get(odd.id)->branch.value_or(QString()), u"other"_s, 10000);
        QCOMPARE(m_store->get(odd.id)->source, odd.source);
        QCOMPARE(m_store->get(odd.id)->content, odd.content);
        waitIdle(*w);
        QVERIFY(m_store->remove(odd.id));
    }

    void openingAnotherStoreSettlesUnsavedEdits()
    {
        auto w = openWindow(true);
        selectRows(*w, 9, 9);
        const QString id = m_order.at(9);
        const Memory original = *m_store->get(id);
        auto* branch = w->detailPane()->findChild<QLineEdit*>(u"field_branch"_s);
        branch->selectAll();
        QTest::keyClicks(branch, u"belongs-to-the-first-store"_s);
        const QString other = u"sqlite:"_s + m_dir.filePath(u"never-opened.db"_s);
        // Cancel: the store stays open, with the edit
        auto said = answerNextBox(QMessageBox::Cancel);
        w->openStore(other);
        QVERIFY2(said->contains(id), qPrintable(*said));
        QVERIFY(w->detailPane()->isDirty());
        QVERIFY(w->windowTitle().contains(QFileInfo(m_store->location()).fileName())
                || !w->windowTitle().contains(u"never-opened"_s));
        // Save: written to this store first, then the other one opens
        answerNextBox(QMessageBox::Save);
        w->openStore(other);
        QTRY_COMPARE_WITH_TIMEOUT(m_store->get(id)->branch.value_or(QString()), u"belongs-to-the-first-store"_s, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(w->messageBar()->text().contains(u"never-opened"_s), 10000);
        QVERIFY(!w->detailPane()->isDirty());
        m_store->store(original);
    }

    void startsOnTheStoreItWasGiven()
    {
        // main() gives the window its store as it is made (asked for before the widgets): the window ends up as
        // openStore() leaves it
        const auto opened = openWindow();
        MainWindow w(nullptr, m_spec);
        w.model()->setChangeCheckInterval(0);
        // the count (a scan of the whole store) is asked for only once the first rows are on screen
        bool rowsPainted = false;
        bool countedAfterPaint = false;
        PaintWatcher watcher([&] { rowsPainted = rowsPainted || w.model()->rowCount() > 0; });
        w.table()->viewport()->installEventFilter(&watcher);
        connect(w.model(), &MemoryTableModel::countChanged, &w, [&] { countedAfterPaint = rowsPainted; });
        w.show();
        waitIdle(w);
        QVERIFY(countedAfterPaint);
        QCOMPARE(w.model()->exactCount(), opened->model()->exactCount());
        QCOMPARE(w.model()->data(w.model()->index(0, 0)), opened->model()->data(opened->model()->index(0, 0)));
        QCOMPARE(w.windowTitle(), opened->windowTitle());
        QCOMPARE(w.healthDock()->spec(), m_spec);
        QCOMPARE(w.model()->filter(), opened->model()->filter());
        // a store that cannot be opened says so, like any other open
        MainWindow missing(nullptr, u"sqlite:"_s + m_dir.filePath(u"not-there.db"_s));
        missing.show();
        QTRY_VERIFY_WITH_TIMEOUT(missing.messageBar()->text().contains(u"not-there.db"_s), 10000);
        QCOMPARE(missing.messageBar()->kind(), MessageBar::Kind::Error);
    }

    void startsOnTheDemoStoreWhenSubcogHasNone()
    {
        // HOME is the test's scratch directory: no subcog store there, so the demo store is made and opened, and
        // the bar says why
        MainWindow w(nullptr, QString());
        w.show();
        QTRY_VERIFY_WITH_TIMEOUT(w.model()->isOpen() && w.model()->exactCount().value_or(0) > 100, 30000);
        QVERIFY2(w.messageBar()->text().contains(u"demo store"_s), qPrintable(w.messageBar()->text()));
        QCOMPARE(w.messageBar()->kind(), MessageBar::Kind::Info);
    }

    void theDetailPanesOtherTabsAreMadeWhenChosen()
    {
        // a window starts on the Content tab: Preview, Embedding, Entities and Edges are made when first chosen,
        // and then show the memory already selected, as they would have
        auto w = openWindow(true);
        DetailPane* pane = w->detailPane();
        QVERIFY(!pane->findChild<QTextBrowser*>());
        QVERIFY(!pane->findChild<EmbeddingTab*>());
        QVERIFY(!pane->builtEntitiesTab());
        QVERIFY(!pane->builtEdgesTab());
        w->table()->selectRow(int(m_order.indexOf(idFor(10)))); // a summary: its sources are edges
        QTRY_VERIFY_WITH_TIMEOUT(pane->memory() && pane->memory()->id == idFor(10), 10000);
        auto* tabs = pane->findChild<QTabWidget*>();
        const QStringList titles = [&] {
            QStringList t;
            for (int i = 0; i < tabs->count(); ++i)
                t << tabs->tabText(i);
            return t;
        }();
        tabs->setCurrentIndex(titles.indexOf(u"Preview"_s));
        auto* preview = pane->findChild<QTextBrowser*>(u"contentPreview"_s);
        QVERIFY(preview);
        QCOMPARE(tabs->currentWidget(), preview);
        QTRY_VERIFY(preview->toPlainText().contains(u"Window memory 10"_s));
        tabs->setCurrentIndex(titles.indexOf(u"Edges"_s));
        EdgesTab* edges = pane->builtEdgesTab();
        QVERIFY(edges);
        QCOMPARE(tabs->currentWidget(), edges);
        // read for the memory selected before the tab was made: its two sources, on every store kind
        QTRY_VERIFY_WITH_TIMEOUT(!edges->isBusy() && edges->edges(), 10000);
        QCOMPARE(edges->edges()->id, idFor(10));
        QVERIFY(edges->edges()->found);
        QVERIFY2(edges->edges()->rows.size() >= 2, qPrintable(edges->statusText()));
        // the titles and their order did not change, and no empty stand-in is left
        for (int i = 0; i < tabs->count(); ++i)
            QCOMPARE(tabs->tabText(i), titles.at(i));
        QCOMPARE(tabs->count(), titles.size());
        // asking for a tab makes it too (the embedding tab of the selected memory)
        EmbeddingTab* embedding = pane->embeddingTab();
        QCOMPARE(tabs->tabText(tabs->indexOf(embedding)), u"Embedding"_s);
    }

    void thePreviewReadsNoFileTheContentNames()
    {
        // a memory's content is the store's text, not the user's: an image or link it names is not read from disk
        const QString png = m_dir.filePath(u"named-by-content.png"_s);
        QImage image(40, 40, QImage::Format_RGB32);
        image.fill(Qt::red);
        QVERIFY(image.save(png));
        const QUrl fileUrl = QUrl::fromLocalFile(png);
        Memory m;
        m.id = u"preview00001"_s;
        // (Qt's Markdown import drops what follows an HTML block: the tag comes last)
        m.content = u"[the file](%1)\n\n![a](%1)\n\n![b](%2)\n\n<img src=\"%2\">\n"_s.arg(fileUrl.toString(), png);
        DetailPane pane;
        pane.setMemory(m);
        pane.show();
        QTextBrowser* preview = pane.preview();
        pane.findChild<QTabWidget*>()->setCurrentWidget(preview);
        QTRY_VERIFY2(preview->toPlainText().contains(u"the file"_s), qPrintable(preview->toPlainText()));
        preview->grab(); // laid out and drawn, as on screen
        // what the preview holds for each name is not the file's picture (Qt reads the file itself when the
        // document answers nothing)
        for (const QUrl& url : {fileUrl, QUrl(png)}) {
            const QImage shown = preview->document()->resource(QTextDocument::ImageResource, url).value<QImage>();
            QVERIFY2(shown.size() != image.size(), qPrintable(url.toString()));
        }
        QVERIFY(!preview->openLinks());
    }

    void aPathsOverridesAreShownNotObeyed()
    {
        // a file name with a right-to-left override would reverse the rest of the message and of the title
        const QString evil = m_dir.filePath(u"\u202Ebd.evil"_s);
        MainWindow w;
        w.show();
        w.openStore(u"sqlite:"_s + evil);
        QTRY_VERIFY_WITH_TIMEOUT(w.messageBar()->isVisible(), 10000);
        QVERIFY2(w.messageBar()->text().contains(u"\\u202Ebd.evil"_s), qPrintable(w.messageBar()->text()));
        QVERIFY(!w.messageBar()->text().contains(QChar(0x202E)));
        QVERIFY(!w.windowTitle().contains(QChar(0x202E)));
        // a store that opens shows it in the title too
        if (m_store->kind() != "sqlite"_L1)
            return;
        const QString copy = m_dir.filePath(u"\u202Ebd.copy"_s);
        // the store as it is now: its file and write-ahead log
        for (const QString& suffix : {u""_s, u"-wal"_s})
            QVERIFY(!QFile::exists(m_store->location() + suffix)
                    || QFile::copy(m_store->location() + suffix, copy + suffix));
        w.openStore(u"sqlite:"_s + copy);
        QTRY_VERIFY_WITH_TIMEOUT(!w.model()->location().isEmpty(), 10000);
        QVERIFY2(w.windowTitle().contains(u"\\u202Ebd.copy"_s), qPrintable(w.windowTitle()));
        QVERIFY2(!w.windowTitle().contains(QChar(0x202E)), qPrintable(w.windowTitle()));
        auto* count = w.findChild<QLabel*>(u"countLabel"_s);
        QVERIFY(count && count->toolTip().contains(u"\\u202Ebd.copy"_s));
        QVERIFY(!count->toolTip().contains(QChar(0x202E)));
        // File > Open Recent shows it escaped, and still opens the file itself
        auto* recent = w.findChild<QMenu*>(u"recentStoresMenu"_s);
        QVERIFY(recent);
        QAction* entry = nullptr;
        for (QAction* a : recent->actions()) {
            QVERIFY2(!a->text().contains(QChar(0x202E)), qPrintable(a->text()));
            if (a->text().contains(u"\\u202Ebd.copy"_s))
                entry = a;
        }
        QStringList texts;
        for (QAction* a : recent->actions())
            texts << a->text();
        QVERIFY2(entry, qPrintable(texts.join(u" | "_s)));
        w.openStore(m_spec);
        QTRY_VERIFY_WITH_TIMEOUT(!w.model()->location().isEmpty() && !w.model()->location().contains(u"bd.copy"_s),
                                 10000);
        // the menu was made again for the store opened now
        entry = nullptr;
        for (QAction* a : recent->actions()) {
            if (a->text().contains(u"\\u202Ebd.copy"_s))
                entry = a;
        }
        QVERIFY(entry);
        entry->trigger();
        // the file itself, override and all
        QTRY_VERIFY_WITH_TIMEOUT(w.model()->location().endsWith(QChar(0x202E) + u"bd.copy"_s), 10000);
    }

    void errorsShowInTheMessageBar()
    {
        MainWindow w;
        w.show();
        w.openStore(u"sqlite:"_s + m_dir.filePath(u"does-not-exist.db"_s));
        QTRY_VERIFY_WITH_TIMEOUT(w.messageBar()->isVisible(), 10000);
        QVERIFY2(w.messageBar()->text().contains(u"does-not-exist.db"_s), qPrintable(w.messageBar()->text()));
        QCOMPARE(w.messageBar()->kind(), MessageBar::Kind::Error);
    }

    void copyAsLeavesOutAMemoryWithoutContent()
    {
        // a memories row without its full-text row has no content to copy: left out and named, as export does
        if (m_store->kind() != "sqlite"_L1)
            QSKIP("only a SQLite store keeps content apart from its memories row");
        const QString id = m_order.at(1);
        const QString quoted = u"'"_s + id + u"'"_s;
        Testing::sqlOnStore(
            *m_store, u"CREATE TABLE fts_saved AS SELECT id, content, tags FROM memories_fts WHERE id = "_s + quoted);
        Testing::sqlOnStore(*m_store, u"DELETE FROM memories_fts WHERE id = "_s + quoted);
        {
            auto w = openWindow();
            waitIdle(*w);
            selectRows(*w, 0, 2);
            w->copyToClipboard(ExportFormat::Json);
            const QJsonArray array = QJsonDocument::fromJson(QGuiApplication::clipboard()->text().toUtf8()).array();
            QCOMPARE(array.size(), 2);
            QCOMPARE(array.at(0).toObject().value(u"id"_s).toString(), m_order.at(0));
            QCOMPARE(array.at(1).toObject().value(u"id"_s).toString(), m_order.at(2));
            const QString message = w->messageBar()->text();
            QVERIFY2(message.contains(id) && message.contains(missingContentReason()), qPrintable(message));
            waitIdle(*w);
        }
        Testing::sqlOnStore(*m_store,
                            u"INSERT INTO memories_fts (id, content, tags) SELECT id, content, tags FROM "
                            "fts_saved"_s);
        Testing::sqlOnStore(*m_store, u"DROP TABLE fts_saved"_s);
    }

    void messagesShowMarkupAsIs()
    {
        // ids and file names in messages are store data: `<b>x</b>` is shown as written, not as bold x
        MainWindow w;
        w.messageBar()->showMessage(MessageBar::Kind::Info, u"cannot open <b>x</b>.db"_s);
        QLabel* shownIn = nullptr;
        for (QLabel* label : w.messageBar()->findChildren<QLabel*>()) {
            if (label->text().contains(u"<b>x</b>"_s))
                shownIn = label;
        }
        QVERIFY(shownIn);
        QCOMPARE(shownIn->textFormat(), Qt::PlainText);
    }

    void storeTextWithMarkupShowsAsWritten()
    {
        // ids, tags, typed values and file names are data: where Qt guesses rich text (tool tips, message boxes,
        // labels of the automatic format) `<b>x</b>` must show as written, and `R&D` not as `R&amp;D` or `RD`
        using Testing::shownText;
        if (m_store->kind() != "sqlite"_L1)
            QSKIP("the same widgets for every store kind: checked once, on a SQLite store");
        const QString path = m_dir.filePath(u"<i>x.db"_s);
        QFile::remove(path);
        const QString boldId = u"<b>x</b>"_s;
        const QString image = u"<img src=\"/etc/passwd\">"_s;
        {
            Fixtures::StoreWriter s(path);
            s.add({.id = boldId,
                   .content = u"markup in the id"_s,
                   .tags = QString(u"R&D,"_s + image),
                   .createdAt = qint64(1700000002)});
            s.add({.id = u"R&D"_s, .content = u"an ampersand in the id"_s, .createdAt = qint64(1700000001)});
            s.add({.id = u"<i>messy"_s,
                   .content = u"messy tags"_s,
                   .tags = u" <b>t</b> ,,u"_s,
                   .createdAt = qint64(1700000003)});
        }
        auto w = openWindow(true, u"sqlite:"_s + path);
        QVERIFY(w->windowTitle().contains(u"<i>x.db"_s));
        const QString countTip = w->findChild<QLabel*>(u"countLabel"_s)->toolTip();
        QVERIFY2(shownText(countTip).contains(u"<i>x.db"_s), qPrintable(countTip));
        const auto rowOf = [&](const QString& id) {
            for (int r = 0; r < w->model()->rowCount(); ++r) {
                if (const auto m = w->model()->memoryAt(r); m && m->id == id)
                    return r;
            }
            return -1;
        };
        const int bold = rowOf(boldId);
        const int ampersand = rowOf(u"R&D"_s);
        QVERIFY(bold >= 0 && ampersand >= 0);

        // a cell's tool tip
        const QModelIndex idCell = w->model()->index(bold, int(MemoryColumn::Id));
        const QPoint at = w->table()->visualRect(idCell).center();
        QHelpEvent help(QEvent::ToolTip, at, w->table()->viewport()->mapToGlobal(at));
        QApplication::sendEvent(w->table()->viewport(), &help);
        QTRY_VERIFY(QToolTip::isVisible());
        QCOMPARE(shownText(QToolTip::text()), boldId);
        QToolTip::hideText();

        // the tags and the ids a menu offers
        std::unique_ptr<QMenu> menu(w->contextMenuFor(w->model()->index(bold, int(MemoryColumn::Tags))));
        QStringList tags;
        for (QAction* a : menu->actions()) {
            if (a->menu())
                for (QAction* tag : a->menu()->actions())
                    tags << tag->iconText(); // the text as the menu draws it, a mnemonic's `&` taken out
        }
        QVERIFY2(tags.contains(u"R&D"_s) && tags.contains(image), qPrintable(tags.join(u" | "_s)));

        // the detail pane: an escaped value is rendered, a typed value's problem is not
        selectRows(*w, ampersand, ampersand);
        QTRY_COMPARE(w->detailPane()->memory().value_or(Memory {}).id, u"R&D"_s);
        QCOMPARE(shownText(w->detailPane()->findChild<QLabel*>(u"field_id"_s)), u"R&D"_s);
        selectRows(*w, bold, bold);
        QTRY_COMPARE(w->detailPane()->memory().value_or(Memory {}).id, boldId);
        QCOMPARE(shownText(w->detailPane()->findChild<QLabel*>(u"field_id"_s)), boldId);
        auto* ns = w->detailPane()->findChild<QLineEdit*>(u"field_namespace"_s);
        ns->selectAll();
        QTest::keyClicks(ns, u"<b>bad</b>"_s);
        const QString problem = shownText(w->detailPane()->findChild<QLabel*>(u"validationMessage"_s));
        QVERIFY2(problem.contains(u"'<b>bad</b>'"_s), qPrintable(problem));

        // the unsaved-changes box: its text names the id, its informative text quotes the value typed
        auto said = std::make_shared<QStringList>();
        auto* timer = new QTimer(w.get());
        timer->setInterval(20);
        connect(timer, &QTimer::timeout, timer, [timer, said] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box)
                return;
            timer->stop();
            for (const QString& name : {u"qt_msgbox_label"_s, u"qt_msgbox_informativelabel"_s})
                *said << shownText(box->findChild<QLabel*>(name));
            box->button(QMessageBox::Discard)->click();
        });
        timer->start();
        selectRows(*w, ampersand, ampersand);
        QTRY_COMPARE(said->size(), 2);
        QVERIFY2(said->at(0).contains(boldId), qPrintable(said->at(0)));
        QVERIFY2(said->at(1).contains(u"'<b>bad</b>'"_s), qPrintable(said->at(1)));
        waitIdle(*w);

        // a conflict's dialog names the id
        selectRows(*w, bold, bold);
        QTRY_COMPARE(w->detailPane()->memory().value_or(Memory {}).id, boldId);
        {
            auto behind = openStore(u"sqlite:"_s + path);
            Memory theirs = *behind->get(boldId);
            theirs.content = u"changed by subcog meanwhile"_s;
            behind->store(theirs);
        }
        w->findChild<QPlainTextEdit*>(u"contentEditor"_s)->setPlainText(u"mine"_s);
        w->detailPane()->save();
        QTRY_VERIFY_WITH_TIMEOUT(w->findChild<ConflictDialog*>() != nullptr, 10000);
        auto* dialog = w->findChild<ConflictDialog*>();
        QVERIFY2(dialog->windowTitle().contains(boldId), qPrintable(dialog->windowTitle()));
        const QString message = shownText(dialog->findChild<QLabel*>(u"conflictMessage"_s));
        QVERIFY2(message.contains(boldId), qPrintable(message));
        dialog->close();
        waitIdle(*w);

        // Check Store's findings quote the tags
        runCheck(*w);
        QTreeWidgetItem* messy = classRow(w->healthDock(), u"messy-tags"_s);
        QVERIFY(messy && messy->childCount() == 1);
        QCOMPARE(messy->child(0)->text(0), u"<i>messy"_s);
        const QString detail = messy->child(0)->text(2);
        QVERIFY2(detail.contains(u"<b>t</b>"_s), qPrintable(detail));
        QCOMPARE(shownText(messy->child(0)->toolTip(2)), detail);
    }

    void typingInTheTableDoesNotReadTheWholeStore()
    {
        // QTableView's type-to-find asks every row's text; on a million memories that read every page of the store
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->model()->setPageSize(10);
        w->show();
        QVERIFY(QTest::qWaitForWindowActive(w.get()));
        w->openStore(m_spec);
        waitIdle(*w);
        const int last = w->model()->rowCount() - 1;
        QCOMPARE(last, kCount - 1);
        QVERIFY(w->model()->loadState(last) != MemoryTableModel::LoadState::Loaded);
        w->table()->setFocus();
        w->table()->selectionModel()->setCurrentIndex(w->model()->index(0, 0), QItemSelectionModel::ClearAndSelect);
        QTest::keyClicks(w->table(), u"zq"_s);
        QTest::qWait(50);
        waitIdle(*w);
        int loaded = 0;
        for (int row = 0; row <= last; ++row)
            loaded += w->model()->loadState(row) == MemoryTableModel::LoadState::Loaded;
        QVERIFY2(loaded < kCount / 2, qPrintable(u"%1 of %2 rows read for a type-to-find"_s.arg(loaded).arg(kCount)));
    }

    void goesToAnId()
    {
        auto w = openWindow();
        w->goToId(m_order.at(3));
        QCOMPARE(w->table()->currentIndex().row(), 3);
        // not loaded: found in the current order by the store, not shown on its own
        QCOMPARE(w->model()->loadState(250), MemoryTableModel::LoadState::NotLoaded);
        w->goToId(m_order.at(250));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, m_order.at(250), 10000);
        QCOMPARE(w->table()->currentIndex().row(), 250);
        QCOMPARE(w->model()->exactCount().value_or(-1), qint64(kCount));
        QCOMPARE(w->filterEdit()->text(), QString());
        QCOMPARE(w->statusBar()->currentMessage(), QString()); // found: the search is not still said
        // in another order too
        w->table()->sortByColumn(int(MemoryColumn::Id), Qt::AscendingOrder);
        waitIdle(*w);
        w->goToId(idFor(7));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, idFor(7), 10000);
        QCOMPARE(w->table()->currentIndex().row(), 7);
        w->goToId(idFor(280));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, idFor(280), 10000);
        QCOMPARE(w->table()->currentIndex().row(), 280);
    }

    void aJumpKeepsTheShownMemoryUntilItsRowArrives()
    {
        // the detail pane goes from the memory shown to the one jumped to in one step, not through an empty pane
        auto w = openWindow();
        w->table()->selectRow(0);
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, m_order.at(0), 10000);
        // the worker is held, so the far row stays on its way
        auto release = std::make_shared<QSemaphore>();
        w->model()->runJob([release](PersistenceBackend&, const auto&) {
            release->acquire();
            return QString();
        });
        auto letGo = qScopeGuard([release] { release->release(); }); // also when a check fails
        const int target = kCount - 20;
        QVERIFY(w->model()->loadState(target) != MemoryTableModel::LoadState::Loaded);
        w->goToRow(target);
        QTest::qWait(50);
        QCOMPARE(w->table()->currentIndex().row(), target);
        QCOMPARE(w->model()->loadState(target), MemoryTableModel::LoadState::Loading);
        QCOMPARE(w->detailPane()->memory().value_or(Memory {}).id, m_order.at(0));
        letGo.dismiss();
        release->release();
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, m_order.at(target), 10000);
        waitIdle(*w);
    }

    void goesToARowWhileTheCountIsStillAnnounced()
    {
        // a count reaches the view in steps (QHeaderView's cost per row); a Go to row asked meanwhile still lands
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->model()->setRowsPerStep(40);
        w->show();
        w->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(w.get()));
        const int target = kCount - 2;
        int announcedWhenAsked = -1;
        connect(w->model(), &MemoryTableModel::countChanged, this, [&] {
            if (announcedWhenAsked >= 0)
                return;
            announcedWhenAsked = w->model()->rowCount();
            w->goToRow(target);
        });
        w->openStore(m_spec);
        waitIdle(*w);
        QVERIFY2(announcedWhenAsked >= 0 && announcedWhenAsked <= target,
                 qPrintable(QString::number(announcedWhenAsked)));
        QTRY_COMPARE_WITH_TIMEOUT(w->table()->currentIndex().row(), target, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, m_order.at(target), 10000);
        QCOMPARE(w->model()->rowCount(), kCount);
        // every row is there to select once announced
        w->table()->selectAll();
        QVERIFY2(w->statusText().contains(u"%1 selected"_s.arg(kCount)), qPrintable(w->statusText()));
        // the scrollbar moved far asks for the rows it shows at once
        w->model()->dropLoadedPages();
        w->table()->verticalScrollBar()->setValue(w->table()->verticalScrollBar()->maximum() / 2);
        const int top = w->table()->rowAt(0);
        QVERIFY(top > 0);
        QVERIFY(w->model()->loadState(top) != MemoryTableModel::LoadState::NotLoaded);
        waitIdle(*w);
        QCOMPARE(w->model()->data(w->model()->index(top, 0), MemoryTableModel::IdRole).toString(), m_order.at(top));
    }

    void aJumpOutsideTheFilterShowsInTheFilterBarAndGoesBack()
    {
        auto w = openWindow();
        // the filter leaves idFor(1) out (namespaces go round by i % 4)
        const QString ns = namespaceName(allNamespaces().at(0));
        w->filterEdit()->setText(u"ns:"_s + ns);
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        waitIdle(*w);
        QCOMPARE(w->model()->exactCount().value_or(-1), qint64(kCount / 4));
        w->goToId(idFor(8));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, idFor(8), 10000);
        w->goToId(idFor(1));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, idFor(1), 10000);
        // every filter in force is visible: the jump's own
        QCOMPARE(w->filterEdit()->text(), u"id:"_s + idFor(1));
        // the row can be shown before the count arrives
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(1), 10000);
        // closing the info bar hides nothing
        for (MessageBar* bar : w->findChildren<MessageBar*>())
            bar->clear();
        QCOMPARE(w->filterEdit()->text(), u"id:"_s + idFor(1));
        // Alt+Left: back to the filter and the memory before the jump; Alt+Right: forward again
        QTest::keyClick(w->table(), Qt::Key_Left, Qt::AltModifier);
        QCOMPARE(w->filterEdit()->text(), u"ns:"_s + ns);
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, idFor(8), 10000);
        QTest::keyClick(w->table(), Qt::Key_Right, Qt::AltModifier);
        QCOMPARE(w->filterEdit()->text(), u"id:"_s + idFor(1));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, idFor(1), 10000);
        // F5 clears the jump: every memory, the one jumped to still selected at its row
        QTest::keyClick(w->table(), Qt::Key_F5);
        QCOMPARE(w->filterEdit()->text(), QString());
        waitIdle(*w);
        QCOMPARE(w->model()->exactCount().value_or(-1), qint64(kCount));
        QTRY_COMPARE_WITH_TIMEOUT(w->table()->currentIndex().row(), int(m_order.indexOf(idFor(1))), 10000);
        // so does the filter's clear button, after another jump
        w->filterEdit()->setText(u"ns:"_s + ns);
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        waitIdle(*w);
        w->goToId(idFor(2));
        QTRY_COMPARE_WITH_TIMEOUT(w->filterEdit()->text(), u"id:"_s + idFor(2), 10000);
        QToolButton* clear = nullptr;
        for (QToolButton* b : w->filterEdit()->findChildren<QToolButton*>()) {
            if (b->isVisible())
                clear = b;
        }
        QVERIFY(clear);
        QTest::mouseClick(clear, Qt::LeftButton);
        QCOMPARE(w->filterEdit()->text(), QString());
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(kCount), 10000);
        waitIdle(*w);
        // Go to ID right after typing a filter (before it applied by itself) looks in that filter
        w->filterEdit()->setText(u"ns:"_s + ns);
        w->goToId(idFor(3));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, idFor(3), 10000);
        QCOMPARE(w->filterEdit()->text(), u"id:"_s + idFor(3));
    }

    void anEmptyTimeFilterSaysWhenTheNewestMemoryIsFrom()
    {
        auto w = openWindow();
        // the memories are from early 2026: nothing in the last 30 days of the clock
        if (QDateTime::currentSecsSinceEpoch() - 30 * 86400 < 1767000000 + kCount)
            QSKIP("the clock is before the sample memories");
        QLabel* hint = filterToNothingSince30Days(*w);
        QCOMPARE(w->model()->exactCount().value_or(-1), qint64(0));
        const QString newest
            = QLocale().toString(QDateTime::fromSecsSinceEpoch(1767000000 + kCount - 1), QLocale::ShortFormat);
        QVERIFY2(hint->text().contains(newest) && hint->text().contains(u"days ago"_s), qPrintable(hint->text()));
        // a filter that matches again hides it
        w->filterEdit()->setText(u"since:3000d"_s);
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        waitIdle(*w);
        QVERIFY(!hint->isVisible());
    }

    void aSortWhileAJumpIsFindingItsRowStillGoesThere()
    {
        auto w = openWindow();
        QCOMPARE(w->model()->loadState(250), MemoryTableModel::LoadState::NotLoaded);
        const QString target = m_order.at(250);
        w->goToId(target); // the row is asked of the store ...
        w->table()->sortByColumn(int(MemoryColumn::Id), Qt::AscendingOrder); // ... and the order changes meanwhile
        waitIdle(*w);
        // the memory asked for is selected at its row in the new order (ids sort as idFor(i): row i)
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, target, 5000);
        QCOMPARE(w->table()->currentIndex().row(), int(idFor(0) == target ? 0 : target.mid(3).toInt()));
    }

    void backFromAJumpToAnIdWithASpaceShowsEveryMemoryAgain()
    {
        auto w = openWindow();
        selectRows(*w, 3, 3);
        QCOMPARE(w->detailPane()->memory().value_or(Memory {}).id, m_order.at(3));
        // an id the filter language cannot spell, which no row has: shown alone, with nothing in the filter bar
        w->goToId(u"no such memory"_s);
        waitIdle(*w);
        QCOMPARE(w->model()->exactCount().value_or(-1), qint64(0));
        // Alt+Left: back to every memory, row 3 selected
        w->goBack();
        waitIdle(*w);
        QCOMPARE(w->model()->exactCount().value_or(-1), qint64(kCount));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, m_order.at(3), 5000);
    }

    void cancellingUnsavedEditsBeforeAJumpKeepsTheFilter()
    {
        auto w = openWindow(true);
        const QString ns = namespaceName(allNamespaces().at(0));
        w->filterEdit()->setText(u"ns:"_s + ns);
        QTest::keyClick(w->filterEdit(), Qt::Key_Return);
        waitIdle(*w);
        selectRows(*w, 0, 0);
        const QString edited = w->detailPane()->memory().value_or(Memory {}).id;
        QVERIFY(!edited.isEmpty());
        auto* branch = w->detailPane()->findChild<QLineEdit*>(u"field_branch"_s);
        branch->selectAll();
        QTest::keyClicks(branch, u"unsaved-branch"_s);
        QVERIFY(w->detailPane()->isDirty());
        // a jump to a memory the filter leaves out: asked first (Save/Discard/Cancel); Cancel
        int asked = 0;
        auto* answer = new QTimer(w.get()); // goes with the window, also when the test fails
        answer->setInterval(20);
        connect(answer, &QTimer::timeout, answer, [&asked] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                ++asked;
                box->button(QMessageBox::Cancel)->click();
            }
        });
        answer->start();
        w->goToId(idFor(1));
        waitIdle(*w);
        QTest::qWait(300);
        answer->stop();
        QVERIFY(w->detailPane()->isDirty());
        QCOMPARE(w->detailPane()->memory().value_or(Memory {}).id, edited);
        // the jump changed what the table shows, so it had to ask about the unsaved edits
        const QString filterNow = w->filterEdit()->text();
        w->detailPane()->discard();
        QVERIFY2(asked == 1, qPrintable(u"asked %1 times; the filter bar says %2"_s.arg(asked).arg(filterNow)));
        // staying means staying: the filter and the row of the edited memory, not the jump's id: filter
        QCOMPARE(filterNow, u"ns:"_s + ns);
    }

    void allowEditingKeepsTheMemoryAJumpSelectedAndItsHistory()
    {
        auto w = openWindow();
        selectRows(*w, 2, 2);
        w->goToId(m_order.at(250));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, m_order.at(250), 10000);
        waitIdle(*w);
        // Edit > Allow Editing reopens the store for writing: the same memory stays selected at its row
        w->setEditing(true);
        QTRY_VERIFY_WITH_TIMEOUT(w->isEditing(), 30000);
        waitIdle(*w);
        QTest::qWait(200);
        QCOMPARE(w->detailPane()->memory().value_or(Memory {}).id, m_order.at(250));
        QCOMPARE(w->table()->currentIndex().row(), 250);
        // and Back still goes to where the jump left from
        w->goBack();
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, m_order.at(2), 10000);
    }

    void theEmptySinceHintGoesWhenAMemoryArrivesInThatTime()
    {
        auto w = openWindow();
        if (QDateTime::currentSecsSinceEpoch() - 30 * 86400 < 1767000000 + kCount)
            QSKIP("the clock is before the sample memories");
        QLabel* hint = filterToNothingSince30Days(*w);
        // another process writes a memory of today; F5 reads the rows again
        Memory fresh = Testing::sampleMemory(u"win-fresh"_s, QDateTime::currentSecsSinceEpoch() - 60);
        fresh.groupId.reset();
        if (m_store->kind() == "sqlite"_L1)
            fresh.updatedAt = fresh.createdAt;
        m_store->store(fresh);
        QTest::keyClick(w->table(), Qt::Key_F5);
        waitIdle(*w);
        const bool shown = hint->isVisible();
        const QString text = hint->text();
        m_store->remove(fresh.id);
        QCOMPARE(w->model()->exactCount().value_or(-1), qint64(1));
        QVERIFY2(!shown, qPrintable(u"still says: "_s + text));
    }

    void cancellingUnsavedEditsOnBackKeepsTheWayBack()
    {
        auto w = openWindow(true);
        selectRows(*w, 2, 2);
        w->goToId(m_order.at(5));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, m_order.at(5), 10000);
        auto* branch = w->detailPane()->findChild<QLineEdit*>(u"field_branch"_s);
        branch->selectAll();
        QTest::keyClicks(branch, u"unsaved-branch"_s);
        QVERIFY(w->detailPane()->isDirty());
        // Alt+Left, then Cancel: the person stays on the edited memory
        auto said = answerNextBox(QMessageBox::Cancel);
        QTest::keyClick(w->table(), Qt::Key_Left, Qt::AltModifier);
        QTRY_VERIFY_WITH_TIMEOUT(!said->isEmpty(), 10000);
        QCOMPARE(w->detailPane()->memory().value_or(Memory {}).id, m_order.at(5));
        QVERIFY(w->detailPane()->isDirty());
        // so Back is still the way to where the jump left from (and Forward has nothing to go to)
        const bool backKept = action(*w, u"Back"_s)->isEnabled();
        const bool forwardEmpty = !action(*w, u"Forward"_s)->isEnabled();
        w->detailPane()->discard();
        QVERIFY(backKept);
        QVERIFY(forwardEmpty);
    }

    void linksBetweenSummariesAndTheirSources()
    {
        auto w = openWindow();
        w->goToId(idFor(0));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, idFor(0), 10000);
        auto* back = w->detailPane()->findChild<QLabel*>(u"summarizedBy"_s);
        QTRY_VERIFY_WITH_TIMEOUT(back->text().contains(idFor(10)), 10000);
        Q_EMIT back->linkActivated(u"memory:"_s + idFor(10));
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory().value_or(Memory {}).id, idFor(10), 10000);
        auto* sources = w->detailPane()->findChild<QLabel*>(u"field_source_memory_ids"_s);
        QVERIFY(sources->text().contains(idFor(1)));
    }

    void exportsCopiesAndTheClipboard()
    {
        auto w = openWindow();
        QSignalSpy finished(w->model(), &MemoryTableModel::jobFinished);
        // the selection, streamed to a file on the worker
        selectRows(*w, 0, 9);
        const QString path = m_dir.filePath(u"selection.jsonl"_s);
        w->exportMemories(TransferScope::Selection, ExportFormat::JsonLines, path);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QVERIFY2(!finished.first().at(2).toBool(), qPrintable(finished.first().at(3).toString()));
        QVERIFY(w->messageBar()->text().contains(u"10 of 10"_s));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QStringList ids;
        for (const QByteArray& line : file.readAll().split('\n')) {
            if (!line.isEmpty())
                ids << QJsonDocument::fromJson(line).object().value(u"id"_s).toString();
        }
        QCOMPARE(ids, m_order.mid(0, 10));

        // everything the filter shows, as CSV
        QTest::keyClicks(w->filterEdit(), u"ns:patterns"_s);
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(kCount / 4), 10000);
        const QString csv = m_dir.filePath(u"patterns.csv"_s);
        w->exportMemories(TransferScope::Filter, ExportFormat::Csv, csv);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 30000);
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        QCOMPARE(csvFile.readAll().count("\r\n"), kCount / 4 + 1);
        w->filterEdit()->clear();
        // the cleared filter applies after the typing delay
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), qint64(kCount), 10000);
        waitIdle(*w);

        // a copy of the whole store into a new folder store, then a dry run that finds everything equal
        const QString folder = u"fs:"_s + m_dir.filePath(u"window-copy"_s);
        w->copyMemories(TransferScope::Store, folder, OnConflict::Fail, false);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 60000);
        QVERIFY2(!finished.last().at(2).toBool(), qPrintable(finished.last().at(3).toString()));
        OpenOptions o;
        QCOMPARE(openStore(folder, o)->count(), m_store->count());
        w->copyMemories(TransferScope::Store, folder, OnConflict::Fail, true);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 4, 60000);
        QVERIFY2(finished.last().at(3).toString().contains(u"%1 already equal"_s.arg(m_store->count())),
                 qPrintable(finished.last().at(3).toString()));

        // the clipboard: rows as TSV, JSON, ids and URNs
        waitIdle(*w);
        selectRows(*w, 2, 3);
        w->copyToClipboard(ExportFormat::Tsv);
        QStringList lines = QGuiApplication::clipboard()->text().split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[0].startsWith(u"id\tcontent\tnamespace"_s));
        QVERIFY2(lines[1].startsWith(m_order.at(2) + u'\t'), qPrintable(lines[1].left(40) + u" vs "_s + m_order.at(2)));
        w->copyToClipboard(ExportFormat::Json);
        const QJsonArray array = QJsonDocument::fromJson(QGuiApplication::clipboard()->text().toUtf8()).array();
        QCOMPARE(array.size(), 2);
        QCOMPARE(array.at(1).toObject().value(u"id"_s).toString(), m_order.at(3));
        w->copyIdsToClipboard(true);
        QCOMPARE(QGuiApplication::clipboard()->text(),
                 w->model()->memoryAt(2)->urn() + u'\n' + w->model()->memoryAt(3)->urn());
    }

    void passwordsInAUrlStayOutOfSettingsTitleAndMessages()
    {
        auto settingsText = [] {
            QSettings settings;
            settings.sync();
            QFile file(settings.fileName());
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        };
        // a store that does not open: the error bar and the title name it without the password
        {
            MainWindow w;
            w.show();
            w.openStore(u"postgresql://ana@127.0.0.1:1/db?sslmode=disable&PassWord=S3cretQ"_s);
            QVERIFY(!w.windowTitle().contains(u"S3cretQ"_s));
            QTRY_VERIFY_WITH_TIMEOUT(w.messageBar()->isVisible(), 30000);
            QVERIFY2(w.messageBar()->text().contains(u"127.0.0.1:1/db"_s), qPrintable(w.messageBar()->text()));
            QVERIFY2(!w.messageBar()->text().contains(u"S3cretQ"_s), qPrintable(w.messageBar()->text()));
            QVERIFY(!w.windowTitle().contains(u"S3cretQ"_s));
        }
        if (m_store->kind() != "postgres"_L1)
            return; // opening one needs the PostgreSQL server
        // a store that opens with the password as a URL parameter: recent stores, title and tooltip without it
        QUrl url(m_spec);
        const QString password = url.password();
        QVERIFY(!password.isEmpty());
        url.setPassword(QString());
        const QString spec = url.toString() + u"?password="_s + password;
        MainWindow w;
        w.show();
        w.openStore(spec);
        waitIdle(w);
        QTRY_VERIFY_WITH_TIMEOUT(w.windowTitle().contains(u"read-only"_s), 10000);
        QVERIFY2(!w.windowTitle().contains(password), qPrintable(w.windowTitle()));
        QVERIFY(!w.findChild<QLabel*>(u"countLabel"_s)->toolTip().contains(password));
        const QByteArray settings = settingsText();
        QVERIFY(settings.contains("recentStores"));
        QVERIFY(settings.contains(url.path().toUtf8()));
        QVERIFY2(!settings.contains(password.toUtf8()), settings.constData());
    }

    void countsLeaveACoreToTheWindowOnAServerOfThisMachine()
    {
        if (m_store->kind() != "postgres"_L1)
            return; // a PostgreSQL server
        // the harness's server listens on 127.0.0.1: this machine; psql has no window and keeps its setting
        auto& server = Testing::PostgresServer::shared();
        const QString spec = Testing::storeCountingParallelWorkers(server, 3);
        const int serverWorkers = server.runSql(u"postgres"_s, u"SHOW max_parallel_workers_per_gather"_s).toInt();
        QVERIFY(serverWorkers > 0);
        const int windowWorkers = qMin(serverWorkers, qMax(0, QThread::idealThreadCount() - 2));
        // the window's count (on its worker), and the Overview's figures, leave a core
        auto w = openWindow(false, spec);
        QCOMPARE(w->model()->exactCount().value_or(-1), qint64(3 * (windowWorkers + 1)));
        const auto store = PostgresBackend::open(spec);
        QCOMPARE(store->stats(MemoryFilter {}, 1767000000).total, qint64(3 * (windowWorkers + 1)));
        // what a person waits for keeps the server's setting: a page, a row's position
        MemoryQuery all;
        all.limit = 100;
        QCOMPARE(store->query(all).memories.size(), qsizetype(3 * (serverWorkers + 1)));
    }

    void postgresDialogNeverSavesThePassword()
    {
        ConnectDialog dialog;
        dialog.findChild<QLineEdit*>(u"host"_s)->setText(u"db.example"_s);
        dialog.findChild<QLineEdit*>(u"database"_s)->setText(u"memories"_s);
        dialog.findChild<QLineEdit*>(u"user"_s)->setText(u"ana"_s);
        dialog.findChild<QLineEdit*>(u"password"_s)->setText(u"s3cret p@ss"_s);
        dialog.findChild<QComboBox*>(u"sslMode"_s)->setCurrentText(u"require"_s);
        const QUrl url(dialog.url());
        QCOMPARE(url.host(), u"db.example"_s);
        QCOMPARE(url.password(), u"s3cret p@ss"_s);
        QVERIFY(!dialog.displayUrl().contains(u"s3cret"_s));
        QVERIFY(dialog.displayUrl().contains(u"sslmode=require"_s));
        // a recent store entry and the settings file never hold it
        auto w = openWindow();
        w->close();
        QSettings settings;
        settings.sync();
        QFile file(settings.fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray all = file.readAll();
        QVERIFY(!all.contains("s3cret"));
        QVERIFY(all.contains("recentStores"));
        QVERIFY(all.contains("window"));
    }

    void checkStoreRunsTheCheckerOfTheStoresKind()
    {
        // the dock's findings are those of the store kind's checker, as `check STORE` reports them
        QHash<QString, qint64> expected;
        const FindingSink count = [&](const Finding& f) { ++expected[f.findingClass]; };
        if (m_store->kind() == "sqlite"_L1)
            checkSqliteStore(m_store->location(), count);
        else if (m_store->kind() == "filesystem"_L1)
            checkFolderStore(m_store->location(), count);
        else
            checkPostgresStore(m_spec, count);
        qint64 total = 0;
        for (const qint64 n : std::as_const(expected))
            total += n;
        auto w = openWindow();
        runCheck(*w);
        StoreHealthDock* dock = w->healthDock();
        QCOMPARE(dock->lastTotal(), total);
        QCOMPARE(dock->tree()->topLevelItemCount(), expected.size());
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            QCOMPARE(dock->count(it.key()), it.value());
        QVERIFY(w->healthBadge()->isVisible());
        QCOMPARE(w->healthBadge()->text(), total == 0 ? u"✓ healthy"_s : u"⚠ %1 findings"_s.arg(total));
    }

    void checkStoreListsEachClassAndGoesToItsMemory()
    {
        if (m_store->kind() != "sqlite"_L1)
            QSKIP("the planted store is a SQLite file (the dock runs the same checkers as `check` on every kind)");
        const QString path = plantHealthStore(u"health.db"_s);
        const QHash<QString, qint64> expected = checkedCounts(path);
        for (const QString& cls : {u"messy-tags"_s, u"legacy-domain"_s, u"noncanonical-namespace"_s,
                                   u"expired-active"_s, u"missing-content"_s})
            QVERIFY2(expected.value(cls) > 0, qPrintable(cls));
        qint64 total = 0;
        for (const qint64 n : expected)
            total += n;

        auto w = openWindow(false, u"sqlite:"_s + path);
        QVERIFY(!w->healthBadge()->isVisible());
        action(*w, u"Check Store…"_s)->trigger();
        QVERIFY(w->healthDock()->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(w->healthDock()->lastTotal() >= 0, 30000);
        StoreHealthDock* dock = w->healthDock();
        QCOMPARE(dock->lastTotal(), total);
        QCOMPARE(dock->tree()->topLevelItemCount(), expected.size());
        for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
            QTreeWidgetItem* row = classRow(dock, it.key());
            QVERIFY2(row, qPrintable(it.key()));
            QCOMPARE(row->text(1), QString::number(it.value()));
            QCOMPARE(row->text(2), findingMeaning(it.key()));
            QCOMPARE(row->childCount(), int(it.value()));
        }
        QCOMPARE(classRow(dock, u"messy-tags"_s)->childCount(), 2);
        // the badge counts them, and opens the dock
        QVERIFY(w->healthBadge()->isVisible());
        QVERIFY2(w->healthBadge()->text().contains(QString::number(total) + u" findings"_s),
                 qPrintable(w->healthBadge()->text()));
        dock->hide();
        w->healthBadge()->click();
        QVERIFY(dock->isVisible());

        // clicking a finding selects its memory in the table and the detail pane
        QTreeWidgetItem* cls = classRow(dock, u"expired-active"_s);
        cls->setExpanded(true);
        QTreeWidgetItem* finding = cls->child(0);
        QCOMPARE(finding->text(0), u"h-ea"_s);
        dock->tree()->scrollToItem(finding);
        const QRect rect = dock->tree()->visualItemRect(finding);
        QTest::mouseClick(dock->tree()->viewport(), Qt::LeftButton, {}, rect.center());
        QTRY_COMPARE_WITH_TIMEOUT(w->detailPane()->memory() ? w->detailPane()->memory()->id : QString(), u"h-ea"_s,
                                  10000);
        QCOMPARE(w->model()->data(w->table()->currentIndex(), MemoryTableModel::IdRole).toString(), u"h-ea"_s);

        // a class keeps at most listedPerClass() findings listed, and counts the rest
        dock->setListedPerClass(1);
        runCheck(*w);
        QTreeWidgetItem* messy = classRow(dock, u"messy-tags"_s);
        QCOMPARE(messy->text(1), u"2"_s);
        QCOMPARE(messy->childCount(), 2);
        QCOMPARE(messy->child(1)->text(0), u"… and 1 more"_s);

        // another store: no badge; back to this one: the badge and a one-line hint (no dialog)
        w->openStore(m_spec);
        waitIdle(*w);
        QVERIFY(!w->healthBadge()->isVisible());
        QCOMPARE(dock->tree()->topLevelItemCount(), 0);
        w->openStore(u"sqlite:"_s + path);
        waitIdle(*w);
        QVERIFY(w->healthBadge()->isVisible());
        QVERIFY2(w->messageBar()->isVisible() && w->messageBar()->text().contains(u"found %1 findings"_s.arg(total)),
                 qPrintable(w->messageBar()->text()));
        QVERIFY(!QApplication::activeModalWidget());
    }

    void cancelStopsACheck()
    {
        if (m_store->kind() != "sqlite"_L1)
            QSKIP("the planted store is a SQLite file");
        // big enough that the check is still running when Cancel is clicked: every row has messy tags
        const QString path = m_dir.filePath(u"health-cancel.db"_s);
        {
            // written by SQLite itself: 300,000 rows in a second or two, a check of several times that long
            Fixtures::StoreWriter w(path);
            w.sql(u"BEGIN"_s);
            w.sql(u"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 299999) "
                  "INSERT INTO memories (id, namespace, domain, status, created_at, tags, is_summary) "
                  "SELECT printf('c%06d', i), 'decisions', 'project', 'active', 1700000000 + i, ' a ,b', 0 FROM n"_s);
            w.sql(u"INSERT INTO memories_fts (id, content, tags) SELECT id, 'row ' || id, tags FROM memories"_s);
            w.sql(u"COMMIT"_s);
        }
        auto w = openWindow(false, u"sqlite:"_s + path);
        StoreHealthDock* dock = w->healthDock();
        dock->show();
        QSignalSpy finished(dock, &StoreHealthDock::checkFinished);
        QSignalSpy progress(w->model(), &MemoryTableModel::jobProgress);
        dock->startCheck();
        QVERIFY(dock->isBusy());
        QVERIFY(dock->cancelButton()->isEnabled());
        // the checker is running: its cancel poll has reported progress
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() || !finished.isEmpty(), 30000);
        QVERIFY2(finished.isEmpty(), "the check ended before it could be cancelled");
        // findings come over in batches while the check runs
        QTRY_VERIFY_WITH_TIMEOUT(dock->tree()->topLevelItemCount() > 0 || !finished.isEmpty(), 30000);
        QVERIFY2(finished.isEmpty(), "the check ended before it could be cancelled");
        const qint64 listedWhileRunning = dock->count(u"messy-tags"_s);
        QVERIFY(listedWhileRunning > 0);
        dock->cancelButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 30000);
        QCOMPARE(finished.first().at(1).toBool(), true); // cancelled
        QVERIFY(!dock->isBusy());
        QVERIFY(!dock->cancelButton()->isEnabled());
        QCOMPARE(dock->lastTotal(), qint64(-1));
        QVERIFY(dock->count(u"messy-tags"_s) < 300000);
        QVERIFY(!w->healthBadge()->isVisible());
        QVERIFY2(dock->statusText().contains(u"cancelled"_s), qPrintable(dock->statusText()));
    }

    void fixRepairsAClassAfterAPreview()
    {
        if (m_store->kind() != "sqlite"_L1)
            QSKIP("the planted store is a SQLite file (fixOnEveryStoreKindIsOneUndoStep covers every kind)");
        const QString path = plantHealthStore(u"health-fix.db"_s);
        const QHash<QString, qint64> before = checkedCounts(path);
        const QString plantedTags = rawTags(path, u"h-mt1"_s);
        QCOMPARE(plantedTags, u" a ,,b"_s);
        auto w = openWindow(true, u"sqlite:"_s + path);
        StoreHealthDock* dock = w->healthDock();
        runCheck(*w);
        QTreeWidgetItem* messy = classRow(dock, u"messy-tags"_s);
        QVERIFY(messy);
        dock->tree()->setCurrentItem(messy);
        QVERIFY2(dock->fixButton()->isEnabled(), qPrintable(dock->fixButton()->toolTip()));
        // a class a person must decide has no Fix
        dock->tree()->setCurrentItem(classRow(dock, u"unknown-namespace"_s));
        QVERIFY(!dock->fixButton()->isEnabled());
        dock->tree()->setCurrentItem(messy);

        QSignalSpy preview(dock, &StoreHealthDock::previewReady);
        dock->fixButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!preview.isEmpty(), 30000);
        QDialog* dialog = preview.first().at(0).value<QDialog*>();
        QVERIFY(dialog && dialog->isVisible());
        auto* changes = dialog->findChild<QTreeWidget*>(u"repairChanges"_s);
        QStringList listed;
        for (int i = 0; i < changes->topLevelItemCount(); ++i)
            listed << changes->topLevelItem(i)->text(0);
        QVERIFY2(listed.contains(u"h-mt1"_s) && listed.contains(u"h-mt2"_s), qPrintable(listed.join(u',')));
        const QString backupText = dialog->findChild<QLabel*>(u"repairBackup"_s)->text();
        QVERIFY2(backupText.contains(u"health-fix.db.backup-"_s) && backupText.contains(u"--on-conflict overwrite"_s),
                 qPrintable(backupText));
        // the preview wrote nothing
        QCOMPARE(checkedCounts(path), before);

        QSignalSpy repaired(dock, &StoreHealthDock::repairFinished);
        QSignalSpy checked(dock, &StoreHealthDock::checkFinished);
        dialog->findChild<QPushButton*>(u"runRepair"_s)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!repaired.isEmpty(), 30000);
        QCOMPARE(repaired.first().at(1).toBool(), false);
        QTRY_VERIFY_WITH_TIMEOUT(!checked.isEmpty(), 30000);
        // the check after it finds no messy tags, and the rest as before
        QVERIFY(!classRow(dock, u"messy-tags"_s));
        QHash<QString, qint64> rest = before;
        rest.remove(u"messy-tags"_s);
        QCOMPARE(checkedCounts(path), rest);
        QCOMPARE(dock->lastTotal(), [&] {
            qint64 n = 0;
            for (const qint64 c : rest)
                n += c;
            return n;
        }());
        // the backup it named is there, and the table shows the repaired tags
        const QStringList backups = QDir(m_dir.path()).entryList({u"health-fix.db.backup-*.db"_s});
        QCOMPARE(backups.size(), 1);
        QVERIFY2(backupText.contains(backups.first()), qPrintable(backupText));
        waitIdle(*w);
        const int row = w->model()->loadedRowOf(u"h-mt1"_s);
        QVERIFY(row >= 0);
        QCOMPARE(w->model()->memoryAt(row)->tags, (QStringList {u"a"_s, u"b"_s}));
        QVERIFY2(w->messageBar()->text().contains(u"Repaired 2 memories"_s), qPrintable(w->messageBar()->text()));
        QVERIFY(rawTags(path, u"h-mt1"_s) != plantedTags);
        // the whole repair is one undo step, though the inspector reads messy tags as the clean ones: undo puts the
        // stored rows back as they were, redo writes the repair again
        QCOMPARE(w->model()->undoStack()->count(), 1);
        QVERIFY2(w->model()->undoStack()->undoText().contains(u"messy-tags"_s),
                 qPrintable(w->model()->undoStack()->undoText()));
        repaired.clear();
        w->model()->undoStack()->undo();
        QTRY_VERIFY_WITH_TIMEOUT(!repaired.isEmpty(), 30000);
        QCOMPARE(rawTags(path, u"h-mt1"_s), plantedTags);
        QCOMPARE(rawTags(path, u"h-mt2"_s), u"c , d"_s);
        QCOMPARE(checkedCounts(path), before);
        QVERIFY2(repaired.first().at(2).toString().contains(u"2 memories put back"_s),
                 qPrintable(repaired.first().at(2).toString()));
        repaired.clear();
        w->model()->undoStack()->redo();
        QTRY_VERIFY_WITH_TIMEOUT(!repaired.isEmpty(), 30000);
        QCOMPARE(rawTags(path, u"h-mt1"_s), u"a,b"_s);
        QCOMPARE(checkedCounts(path), rest);
        QTRY_VERIFY_WITH_TIMEOUT(!dock->isBusy(), 30000);

        // expired-active is one undo step: undo writes the backup's memories back, redo the repair again
        dock->tree()->setCurrentItem(classRow(dock, u"expired-active"_s));
        preview.clear();
        dock->fixButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!preview.isEmpty(), 30000);
        dialog = preview.first().at(0).value<QDialog*>();
        QVERIFY2(dialog->findChild<QLabel*>(u"repairBackup"_s)->text().contains(u"Edit ▸ Undo puts back"_s),
                 qPrintable(dialog->findChild<QLabel*>(u"repairBackup"_s)->text()));
        repaired.clear();
        checked.clear();
        dialog->findChild<QPushButton*>(u"runRepair"_s)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!repaired.isEmpty() && !checked.isEmpty(), 30000);
        QCOMPARE(rawColumn(path, u"h-ea"_s, u"status"_s), u"tombstoned"_s);
        QHash<QString, qint64> withoutExpired = rest;
        withoutExpired.remove(u"expired-active"_s);
        QCOMPARE(checkedCounts(path), withoutExpired);
        QCOMPARE(w->model()->undoStack()->count(), 2);
        QVERIFY2(w->model()->undoStack()->undoText().contains(u"expired-active"_s),
                 qPrintable(w->model()->undoStack()->undoText()));
        w->model()->undoStack()->undo();
        QTRY_COMPARE_WITH_TIMEOUT(rawColumn(path, u"h-ea"_s, u"status"_s), u"active"_s, 10000);
        QVERIFY(rawColumn(path, u"h-ea"_s, u"tombstoned_at"_s).isEmpty());
        waitIdle(*w);
        QCOMPARE(checkedCounts(path), rest);
        w->model()->undoStack()->redo();
        QTRY_COMPARE_WITH_TIMEOUT(rawColumn(path, u"h-ea"_s, u"status"_s), u"tombstoned"_s, 10000);
        waitIdle(*w);
        QCOMPARE(checkedCounts(path), withoutExpired);
    }

    // Fix… on the store kind under test: the preview names where the backup goes, the repair is one undo step that
    // puts back exactly what was stored, and redo writes the repair again
    void fixOnEveryStoreKindIsOneUndoStep()
    {
        QString spec;
        std::function<QByteArray()> raw; // what the store holds for h-nn, as stored
        QString database;
        QString backupPlace;
        if (m_store->kind() == "sqlite"_L1) {
            const QString path = plantHealthStore(u"health-kind.db"_s);
            spec = u"sqlite:"_s + path;
            raw = [path] { return rawColumn(path, u"h-nn"_s, u"namespace"_s).toUtf8(); };
            backupPlace = u"health-kind.db.backup-"_s;
        } else if (m_store->kind() == "filesystem"_L1) {
            const QString dir = m_dir.filePath(u"health-kind"_s);
            QVERIFY(QDir().mkpath(dir));
            for (const QString& id : {u"h-fine"_s, u"h-nn"_s}) {
                Memory m = Testing::sampleMemory(id, 1767000000);
                if (id == "h-nn"_L1)
                    m.namespaceName = u"tech_debt"_s;
                QFile file(dir + u'/' + id + u".json"_s);
                QVERIFY(file.open(QIODevice::WriteOnly));
                file.write(Fixtures::subcogFileBytes(m));
            }
            spec = u"fs:"_s + dir;
            raw = [dir] {
                QFile file(dir + u"/h-nn.json"_s);
                return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
            };
            backupPlace = u"health-kind.backup-"_s;
        } else {
            auto& server = Testing::PostgresServer::shared();
            database = server.createDatabase(u"winfix"_s);
            spec = server.url(database);
            PostgresBackend::createSchema(spec);
            {
                const auto pg = PostgresBackend::open(spec);
                pg->store(Testing::sampleMemory(u"h-fine"_s));
                pg->store(Testing::sampleMemory(u"h-nn"_s));
            }
            server.runSql(database, u"UPDATE memories SET namespace = 'tech_debt' WHERE id = 'h-nn'"_s);
            raw = [&server, database] {
                return server
                    .runSql(database,
                            u"SELECT (to_jsonb(m) - 'search_vector')::text FROM memories m WHERE id = 'h-nn'"_s)
                    .toUtf8();
            };
            backupPlace = u"backups"_s;
        }
        const QByteArray planted = raw();
        QVERIFY2(planted.contains("tech_debt"), planted.constData());

        auto w = openWindow(true, spec);
        StoreHealthDock* dock = w->healthDock();
        runCheck(*w);
        QTreeWidgetItem* nn = classRow(dock, u"noncanonical-namespace"_s);
        QVERIFY(nn);
        dock->tree()->setCurrentItem(nn);
        QVERIFY2(dock->fixButton()->isEnabled(), qPrintable(dock->fixButton()->toolTip()));
        QSignalSpy preview(dock, &StoreHealthDock::previewReady);
        dock->fixButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!preview.isEmpty(), 30000);
        QDialog* dialog = preview.first().at(0).value<QDialog*>();
        const QString backupText = dialog->findChild<QLabel*>(u"repairBackup"_s)->text();
        QVERIFY2(backupText.contains(backupPlace) && backupText.contains(u"Edit ▸ Undo puts back"_s),
                 qPrintable(backupText));
        QCOMPARE(raw(), planted); // the preview wrote nothing

        QSignalSpy repaired(dock, &StoreHealthDock::repairFinished);
        QSignalSpy checked(dock, &StoreHealthDock::checkFinished);
        dialog->findChild<QPushButton*>(u"runRepair"_s)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!repaired.isEmpty() && !checked.isEmpty(), 30000);
        QCOMPARE(repaired.first().at(1).toBool(), false);
        QVERIFY(!classRow(dock, u"noncanonical-namespace"_s));
        const QByteArray fixed = raw();
        QVERIFY2(fixed.contains("tech-debt"), fixed.constData());
        QCOMPARE(w->model()->undoStack()->count(), 1);

        repaired.clear();
        w->model()->undoStack()->undo();
        QTRY_VERIFY_WITH_TIMEOUT(!repaired.isEmpty(), 30000);
        QCOMPARE(raw(), planted);
        QVERIFY2(repaired.first().at(2).toString().contains(u"put back"_s),
                 qPrintable(repaired.first().at(2).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(!dock->isBusy() && classRow(dock, u"noncanonical-namespace"_s), 30000);
        repaired.clear();
        w->model()->undoStack()->redo();
        QTRY_VERIFY_WITH_TIMEOUT(!repaired.isEmpty(), 30000);
        QCOMPARE(raw(), fixed);
        QTRY_VERIFY_WITH_TIMEOUT(!dock->isBusy(), 30000);
        w.reset();
        if (!database.isEmpty())
            Testing::PostgresServer::shared().dropDatabase(database);
    }

    // Cancel during a repair: what was written stays (and is one undo step), the rest is left for the next Fix
    void cancelStopsARepair()
    {
        if (m_store->kind() != "sqlite"_L1)
            QSKIP("the planted store is a SQLite file");
        const QString path = m_dir.filePath(u"health-cancel-fix.db"_s);
        {
            Fixtures::StoreWriter w(path);
            w.sql(u"BEGIN"_s);
            w.sql(u"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 199999) "
                  "INSERT INTO memories (id, namespace, domain, status, created_at, tags, is_summary) "
                  "SELECT printf('f%06d', i), 'decisions', 'project', 'active', 1700000000 + i, ' a ,b', 0 FROM n"_s);
            w.sql(u"INSERT INTO memories_fts (id, content, tags) SELECT id, 'row ' || id, tags FROM memories"_s);
            w.sql(u"COMMIT"_s);
        }
        auto w = openWindow(true, u"sqlite:"_s + path);
        StoreHealthDock* dock = w->healthDock();
        dock->show();
        runCheck(*w);
        QCOMPARE(dock->count(u"messy-tags"_s), qint64(200000));
        dock->tree()->setCurrentItem(classRow(dock, u"messy-tags"_s));
        QSignalSpy preview(dock, &StoreHealthDock::previewReady);
        dock->fixButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!preview.isEmpty(), 120000);
        QDialog* dialog = preview.first().at(0).value<QDialog*>();
        QSignalSpy repaired(dock, &StoreHealthDock::repairFinished);
        QSignalSpy progress(w->model(), &MemoryTableModel::jobProgress);
        dialog->findChild<QPushButton*>(u"runRepair"_s)->click();
        // writing has begun: a progress tick with memories done
        QTRY_VERIFY_WITH_TIMEOUT(!repaired.isEmpty()
                                     || std::any_of(progress.cbegin(), progress.cend(),
                                                    [](const auto& a) { return a.at(1).toLongLong() > 0; }),
                                 120000);
        QVERIFY2(repaired.isEmpty(), "the repair ended before it could be cancelled");
        QVERIFY(dock->cancelButton()->isEnabled());
        dock->cancelButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!repaired.isEmpty(), 120000);
        QCOMPARE(repaired.first().at(0).toBool(), true); // cancelled
        QCOMPARE(repaired.first().at(1).toBool(), false);
        const QString text = repaired.first().at(2).toString();
        QVERIFY2(text.contains(u"Repair cancelled"_s), qPrintable(text));
        // whole memories: the check after it finds exactly the ones not written
        QTRY_VERIFY_WITH_TIMEOUT(!dock->isBusy() && dock->lastTotal() >= 0, 120000);
        const qint64 left = checkedCounts(path).value(u"messy-tags"_s);
        QVERIFY2(left > 0 && left < 200000, qPrintable(QString::number(left)));
        QCOMPARE(dock->count(u"messy-tags"_s), left);
        QVERIFY2(text.contains(u"%1 memories were repaired"_s.arg(200000 - left)), qPrintable(text));
        // and what was written is one step on the undo stack (or, past the undo limit, the dock says why not)
        QVERIFY(w->model()->undoStack()->count() == 1 || text.contains(u"Undo"_s));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
