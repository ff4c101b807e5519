// SPDX-License-Identifier: MIT
// Edit ▸ Bulk Edit… in the window under the offscreen platform, on real SQLite files: the preview lists what will
// change, Apply writes exactly that, one undo puts everything back (and redo again), a memory another writer
// changed after the preview is skipped and named, a selection of rows not loaded yet is covered, a read-only store
// refuses, and Cancel leaves the store unchanged (a preview) or changed in whole batches only (an apply).
#include "bulkeditactions.h"
#include "bulkeditdialog.h"
#include "mainwindow.h"
#include "memorytablemodel.h"
#include "messagebar.h"
#include "storeopener.h"
#include "translations.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
const QString kOld = u"github.com/old/name"_s;
const QString kNew = u"github.com/new/name"_s;

QString idFor(int i)
{
    return u"bulk%1"_s.arg(i, 5, 10, QChar(u'0'));
}

/// `count` memories; every other one (the even ones) carries the old project id.
QHash<QString, Memory> writeStore(const QString& path, int count)
{
    OpenOptions create;
    create.create = true;
    auto store = openStore(u"sqlite:"_s + path, create);
    QList<Memory> memories;
    QHash<QString, Memory> byId;
    for (int i = 0; i < count; ++i) {
        Memory m;
        m.id = idFor(i);
        m.content = u"Memory %1 about the build"_s.arg(i);
        m.namespaceName = u"decisions"_s;
        m.domain = u"project"_s;
        m.status = u"active"_s;
        m.projectId = i % 2 == 0 ? kOld : u"github.com/other/repo"_s;
        m.branch = u"main"_s;
        m.tags = {u"build"_s};
        m.createdAt = m.updatedAt = 1767225600 + i;
        memories << m;
    }
    store->storeBatch(memories);
    for (const Memory& m : std::as_const(memories))
        byId.insert(m.id, m);
    return byId;
}

QHash<QString, Memory> readAll(const QString& path)
{
    OpenOptions readOnly;
    readOnly.readOnly = true;
    auto store = openStore(u"sqlite:"_s + path, readOnly);
    QHash<QString, Memory> all;
    for (const Memory& m : store->getBatch(store->listIds()))
        all.insert(m.id, m);
    return all;
}
} // namespace

class TestBulkEditUi : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QTemporaryDir m_config;
    int m_stores = 0;

    QString newStore(int count, QHash<QString, Memory>* written = nullptr)
    {
        const QString path = m_dir.filePath(u"store%1.db"_s.arg(++m_stores));
        const auto memories = writeStore(path, count);
        if (written)
            *written = memories;
        return path;
    }

    std::unique_ptr<MainWindow> openWindow(const QString& path, bool editing = true)
    {
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->resize(1280, 800);
        w->show();
        [&] { QVERIFY(QTest::qWaitForWindowExposed(w.get())); }();
        w->openStore(u"sqlite:"_s + path);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(w->model()->isOpen() && w->model()->exactCount(), 30000); }();
        if (editing) {
            w->setEditing(true);
            [&] { QTRY_VERIFY_WITH_TIMEOUT(w->model()->isEditingEnabled() && w->model()->exactCount(), 30000); }();
        }
        return w;
    }

    static void filterTo(MainWindow& w, const QString& text, qint64 expected)
    {
        w.filterEdit()->setText(text);
        QTest::keyClick(w.filterEdit(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(w.model()->exactCount().value_or(-1), expected, 30000);
    }

    /// Opens the dialog from Edit ▸ Bulk Edit… with everything the filter shows.
    static BulkEditDialog* openDialog(MainWindow& w)
    {
        QAction* action = w.bulkEditActions()->action();
        if (!action->isEnabled())
            return nullptr;
        action->trigger();
        BulkEditDialog* dialog = w.bulkEditActions()->dialog();
        if (dialog && dialog->isVisible())
            return dialog;
        return nullptr;
    }

    static void check(BulkEditDialog* dialog, const QString& label)
    {
        for (QCheckBox* c : dialog->findChildren<QCheckBox*>()) {
            if (c->text().remove(u'&') == label)
                c->setChecked(true);
        }
    }

    static void setProject(BulkEditDialog* dialog, const QString& project)
    {
        check(dialog, u"Project"_s);
        dialog->findChild<QLineEdit*>(u"bulkProject"_s)->setText(project);
    }

    static bool previewed(BulkEditDialog* dialog)
    {
        QSignalSpy done(dialog, &BulkEditDialog::previewFinished);
        dialog->preview();
        return dialog->isBusy() && (done.count() > 0 || done.wait(60000));
    }

    static bool applied(BulkEditDialog* dialog)
    {
        QSignalSpy done(dialog, &BulkEditDialog::applyFinished);
        dialog->apply();
        return done.count() > 0 || done.wait(60000);
    }

    /// Runs Edit ▸ Undo (or Redo) and waits for its job and the table's refresh.
    static bool undoRedo(MainWindow& w, bool undo)
    {
        QSignalSpy finished(w.model(), &MemoryTableModel::jobFinished);
        if (undo)
            w.model()->undoStack()->undo();
        else
            w.model()->undoStack()->redo();
        return finished.wait(60000) && !finished.last().at(2).toBool();
    }

private Q_SLOTS:
    void initTestCase()
    {
        installTranslations();
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        qputenv("HOME", m_config.path().toUtf8());
    }

    void onlyWithEditing()
    {
        const QString path = newStore(20);
        auto w = openWindow(path, false);
        QAction* action = w->bulkEditActions()->action();
        QVERIFY(!action->isEnabled());
        w->setEditing(true);
        QTRY_VERIFY_WITH_TIMEOUT(w->model()->isEditingEnabled(), 30000);
        QTRY_VERIFY(action->isEnabled());
        // in the Edit menu and the table's context menu
        QTRY_VERIFY_WITH_TIMEOUT(w->model()->memoryAt(0).has_value(), 30000);
        std::unique_ptr<QMenu> menu(w->contextMenuFor(w->model()->index(0, 0)));
        QVERIFY(menu->actions().contains(action));
    }

    void previewApplyUndoRedo()
    {
        QHash<QString, Memory> original;
        const QString path = newStore(600, &original);
        auto w = openWindow(path);
        filterTo(*w, u"project:"_s + kOld, 300);
        BulkEditDialog* dialog = openDialog(*w);
        QVERIFY(dialog);
        QVERIFY(dialog->findChild<QRadioButton*>(u"bulkScopeFilter"_s)->isChecked());
        setProject(dialog, kNew);
        dialog->findChild<QLineEdit*>(u"bulkAddTags"_s)->setText(u"moved"_s);
        QVERIFY(!dialog->canApply());
        QVERIFY(previewed(dialog));

        // the preview: 300 changes, each listed with project_id and tags before and after; nothing written yet
        QCOMPARE(dialog->changeCount(), 300);
        const QList<QStringList> rows = dialog->previewRows();
        QCOMPARE(rows.size(), 2 * 200); // the first 200 memories, two changed fields each
        QVERIFY(!rows.first().at(0).isEmpty());
        QVERIFY(original.contains(rows.first().at(0)));
        QCOMPARE(rows.at(0).mid(1), (QStringList {u"project_id"_s, kOld, kNew}));
        QCOMPARE(rows.at(1).at(0), QString());
        QCOMPARE(rows.at(1).at(1), u"tags"_s);
        QVERIFY2(rows.at(1).at(3).contains(u"moved"_s) && !rows.at(1).at(2).contains(u"moved"_s),
                 qPrintable(rows.at(1).join(u" | "_s)));
        QVERIFY2(dialog->statusText().contains(u"300 memories will change"_s), qPrintable(dialog->statusText()));
        QCOMPARE(readAll(path).value(idFor(0)).projectId, kOld);

        // Apply writes exactly the previewed memories; every other memory is untouched
        QVERIFY(dialog->canApply());
        QVERIFY(applied(dialog));
        QVERIFY2(dialog->statusText().contains(u"Written: 300 memories"_s), qPrintable(dialog->statusText()));
        const QHash<QString, Memory> after = readAll(path);
        QCOMPARE(after.size(), original.size());
        for (const Memory& before : std::as_const(original)) {
            const Memory& now = after.value(before.id);
            if (before.projectId == kOld) {
                QCOMPARE(now.projectId, kNew);
                QCOMPARE(now.tags, (QStringList {u"build"_s, u"moved"_s}));
                QCOMPARE(now.content, before.content);
                QCOMPARE(now.namespaceName, before.namespaceName);
            } else {
                QVERIFY2(now.sameFields(before), qPrintable(before.id));
            }
        }
        QVERIFY(!dialog->canApply()); // applied once
        // the table was read again: the filter for the old project shows nothing now
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), 0, 30000);

        // one undo step, named after the edit
        QUndoStack* stack = w->model()->undoStack();
        QCOMPARE(stack->count(), 1);
        QCOMPARE(stack->undoText(), u"Bulk edit: project_id, tags on 300 memories"_s);
        QVERIFY(undoRedo(*w, true));
        const QHash<QString, Memory> undone = readAll(path);
        for (const Memory& before : std::as_const(original))
            QVERIFY2(undone.value(before.id).sameFields(before), qPrintable(before.id));
        QTRY_COMPARE_WITH_TIMEOUT(w->model()->exactCount().value_or(-1), 300, 30000);

        QVERIFY(undoRedo(*w, false));
        const QHash<QString, Memory> redone = readAll(path);
        for (const Memory& m : std::as_const(after))
            QVERIFY2(redone.value(m.id).sameFields(m), qPrintable(m.id));
    }

    void anotherWriterIsSkipped()
    {
        QHash<QString, Memory> original;
        const QString path = newStore(100, &original);
        auto w = openWindow(path);
        BulkEditDialog* dialog = openDialog(*w);
        QVERIFY(dialog);
        check(dialog, u"Status"_s);
        dialog->findChild<QComboBox*>(u"bulkStatus"_s)->setCurrentText(u"archived"_s);
        QVERIFY(previewed(dialog));
        QCOMPARE(dialog->changeCount(), 100);

        // after the preview, another writer changes one memory
        {
            auto other = openStore(u"sqlite:"_s + path, {});
            Memory m = *other->get(idFor(7));
            m.branch = u"theirs"_s;
            other->store(m);
        }
        QVERIFY(applied(dialog));
        QVERIFY2(dialog->statusText().contains(u"Written: 99 memories"_s), qPrintable(dialog->statusText()));
        QVERIFY2(dialog->statusText().contains(u"Skipped 1"_s), qPrintable(dialog->statusText()));
        const QList<QStringList> problems = dialog->problemRows();
        QCOMPARE(problems.size(), 1);
        QCOMPARE(problems.first().at(0), idFor(7));
        const QHash<QString, Memory> after = readAll(path);
        QCOMPARE(after.value(idFor(7)).branch, u"theirs"_s); // theirs, not overwritten
        QCOMPARE(after.value(idFor(7)).status, u"active"_s);
        QCOMPARE(after.value(idFor(8)).status, u"archived"_s);

        // undo puts back the 99 it wrote, and leaves theirs alone
        QCOMPARE(w->model()->undoStack()->undoText(), u"Bulk edit: status on 99 memories"_s);
        QVERIFY(undoRedo(*w, true));
        const QHash<QString, Memory> undone = readAll(path);
        QCOMPARE(undone.value(idFor(7)).branch, u"theirs"_s);
        for (const Memory& before : std::as_const(original)) {
            if (before.id != idFor(7))
                QVERIFY2(undone.value(before.id).sameFields(before), qPrintable(before.id));
        }
    }

    void selectionOfRowsNotLoaded()
    {
        QHash<QString, Memory> original;
        const QString path = newStore(3000, &original);
        auto w = openWindow(path);
        w->model()->setCacheCapacityRows(400);
        // rows 100..2899 in the table's order (newest first), most of them never loaded
        QItemSelection selection(w->model()->index(100, 0), w->model()->index(2899, 0));
        w->table()->selectionModel()->select(selection,
                                             QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(w->selectedRowCount(), 2800);
        QVERIFY(w->selectedMemories().size() < 2800);
        BulkEditDialog* dialog = openDialog(*w);
        QVERIFY(dialog);
        QVERIFY(dialog->findChild<QRadioButton*>(u"bulkScopeSelection"_s)->isChecked());
        dialog->findChild<QLineEdit*>(u"bulkRemoveTags"_s)->setText(u"build"_s);
        QVERIFY(previewed(dialog));
        QCOMPARE(dialog->changeCount(), 2800);
        QVERIFY(applied(dialog));
        // the rows may name other memories now: nothing stays selected, and the message bar offers Undo
        QVERIFY(!w->table()->selectionModel()->hasSelection());
        QVERIFY2(w->messageBar()->text().contains(u"Written: 2,800 memories"_s), qPrintable(w->messageBar()->text()));
        QVERIFY(w->messageBar()->actionButton() && w->messageBar()->actionButton()->isVisible());
        // its Undo button is the edit's one undo step
        QSignalSpy undone(w->model(), &MemoryTableModel::jobFinished);
        w->messageBar()->actionButton()->click();
        QVERIFY(undone.wait(60000));
        QCOMPARE(readAll(path).value(idFor(500)).tags, QStringList {u"build"_s});
        QCOMPARE(readAll(path).value(idFor(2000)).tags, QStringList {u"build"_s});
        QVERIFY(undoRedo(*w, false));
        const QHash<QString, Memory> after = readAll(path);
        // newest first: row r is memory 2999 - r
        for (int i = 0; i < 3000; ++i) {
            const int row = 2999 - i;
            const bool selected = row >= 100 && row <= 2899;
            QCOMPARE(after.value(idFor(i)).tags.isEmpty(), selected);
        }
    }

    void readOnlyStoreRefuses()
    {
        QHash<QString, Memory> original;
        const QString path = newStore(50, &original);
        // stores open read-only until editing is switched on: the connection cannot write
        auto w = openWindow(path, false);
        QVERIFY(w->model()->isStoreReadOnly());
        QVERIFY(!w->bulkEditActions()->action()->isEnabled());
        QVERIFY(!openDialog(*w));
        // a dialog made anyway previews, but does not write
        BulkEditDialog dialog(w->model(), w.get());
        dialog.setScopes({}, 0, w->model()->rowsSource({}), 50);
        dialog.findChild<QLineEdit*>(u"bulkAddTags"_s)->setText(u"x"_s);
        QVERIFY(previewed(&dialog));
        QCOMPARE(dialog.changeCount(), 50);
        QVERIFY2(dialog.statusText().contains(u"read-only"_s), qPrintable(dialog.statusText()));
        QVERIFY(!dialog.canApply());
        dialog.apply();
        QVERIFY(!dialog.isBusy());
        QVERIFY2(dialog.statusText().contains(u"read-only: nothing was written"_s), qPrintable(dialog.statusText()));
        const QHash<QString, Memory> after = readAll(path);
        for (const Memory& before : std::as_const(original))
            QVERIFY(after.value(before.id).sameFields(before));
    }

    void refusedValuesAreListed()
    {
        QHash<QString, Memory> original;
        const QString path = newStore(10, &original);
        auto w = openWindow(path);
        BulkEditDialog* dialog = openDialog(*w);
        QVERIFY(dialog);
        // subcog reads a SQLite domain of three parts as the project scope: the store cannot hold it
        check(dialog, u"Domain"_s);
        dialog->findChild<QLineEdit*>(u"bulkDomain"_s)->setText(u"acme/core/repo"_s);
        // Enter in a field previews; the dialog stays
        QSignalSpy previewDone(dialog, &BulkEditDialog::previewFinished);
        QTest::keyClick(dialog->findChild<QLineEdit*>(u"bulkDomain"_s), Qt::Key_Return);
        QVERIFY(previewDone.wait(60000));
        QVERIFY(dialog->isVisible());
        QCOMPARE(dialog->changeCount(), 0);
        QVERIFY(dialog->previewRows().isEmpty());
        const QList<QStringList> refused = dialog->problemRows();
        QCOMPARE(refused.size(), 10);
        QVERIFY2(refused.first().at(1).contains(u"three parts"_s), qPrintable(refused.first().at(1)));
        QVERIFY2(dialog->statusText().contains(u"10 refused"_s), qPrintable(dialog->statusText()));
        QVERIFY(!dialog->canApply());
        // a problem of the edit itself is said before anything is read
        dialog->findChild<QLineEdit*>(u"bulkDomain"_s)->setText(u"user"_s);
        dialog->findChild<QLineEdit*>(u"bulkReplace"_s)->setText(u"new"_s);
        dialog->preview();
        QVERIFY(!dialog->isBusy());
        QVERIFY(!dialog->canApply());
        QVERIFY2(dialog->statusText().contains(u"what to find"_s), qPrintable(dialog->statusText()));
        const QHash<QString, Memory> after = readAll(path);
        for (const Memory& before : std::as_const(original))
            QVERIFY(after.value(before.id).sameFields(before));
    }

    void cancelLeavesWholeBatches()
    {
        QHash<QString, Memory> original;
        const QString path = newStore(20000, &original);
        auto w = openWindow(path);
        BulkEditDialog* dialog = openDialog(*w);
        QVERIFY(dialog);
        setProject(dialog, kNew);

        // a cancelled preview writes nothing and cannot be applied
        QSignalSpy previewDone(dialog, &BulkEditDialog::previewFinished);
        dialog->preview();
        dialog->cancel();
        QVERIFY(previewDone.wait(60000));
        QVERIFY(!dialog->canApply());
        QVERIFY2(dialog->statusText().contains(u"stopped"_s, Qt::CaseInsensitive), qPrintable(dialog->statusText()));

        QVERIFY(previewed(dialog));
        QCOMPARE(dialog->changeCount(), 20000);
        // an apply cancelled once it has written its first batch stops between batches
        QMetaObject::Connection stop
            = connect(w->model(), &MemoryTableModel::jobProgress, dialog, [dialog](RequestId, qint64 done) {
                  if (done > 0)
                      dialog->cancel();
              });
        QVERIFY(applied(dialog));
        disconnect(stop);
        const QHash<QString, Memory> after = readAll(path);
        int changed = 0;
        for (const Memory& m : after)
            changed += m.projectId == kNew ? 1 : 0;
        // applyBulkEdit writes batches of 2,000, each one transaction
        QVERIFY2(changed % 2000 == 0 && changed > 0 && changed < 20000, qPrintable(QString::number(changed)));
        QVERIFY2(dialog->statusText().contains(u"Stopped: %1 memories were written"_s.arg(QLocale().toString(changed))),
                 qPrintable(dialog->statusText()));
        // what was written is one undo step too
        QCOMPARE(w->model()->undoStack()->undoText(),
                 u"Bulk edit: project_id on %1 memories"_s.arg(QLocale().toString(changed)));
        QVERIFY(undoRedo(*w, true));
        const QHash<QString, Memory> undone = readAll(path);
        for (const Memory& before : std::as_const(original))
            QVERIFY2(undone.value(before.id).sameFields(before), qPrintable(before.id));
    }

    void closingTheWindowDuringAnApply()
    {
        const QString path = newStore(20000);
        auto w = openWindow(path);
        BulkEditDialog* dialog = openDialog(*w);
        QVERIFY(dialog);
        setProject(dialog, kNew);
        QVERIFY(previewed(dialog));
        dialog->apply();
        QVERIFY(dialog->isBusy());
        QTest::qWait(50);
        // the window (and its dialog) go while the worker writes: the store's close stops it between batches
        w.reset();
        QTest::qWait(200);
        // counted in one statement, one snapshot: a read in pages could straddle a batch the worker commits
        // meanwhile and see part of it
        qint64 changed = -1;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"closingCount"_s);
            db.setDatabaseName(path);
            db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
            QVERIFY(db.open());
            QSqlQuery q(db);
            q.prepare(u"SELECT count(*) FROM memories WHERE project_id = ?"_s);
            q.addBindValue(kNew);
            QVERIFY(q.exec() && q.next());
            changed = q.value(0).toLongLong();
        }
        QSqlDatabase::removeDatabase(u"closingCount"_s);
        QVERIFY2(changed % 2000 == 0, qPrintable(QString::number(changed)));
    }
};

QTEST_MAIN(TestBulkEditUi)
#include "tst_bulkeditui.moc"
