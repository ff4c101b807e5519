// SPDX-License-Identifier: MIT
// Tools ▸ Empty Trash… and Tools ▸ Tombstone Expired… in the window (offscreen), on a real SQLite store: the preview
// lists what the store holds, follows the days, refuses to run read-only; the run changes exactly the listed
// memories and says so; Tombstone Expired is one step of Edit ▸ Undo.
#include "../cli/plantedstore.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "shownastext.h"
#include "storehealthdock.h"
#include "translations.h"
#include "trashdialog.h"

#include <QAction>
#include <QDateTime>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestTrashDialog : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QTemporaryDir m_config;
    qint64 m_now = QDateTime::currentSecsSinceEpoch();

    QString plantedStore(const QString& name)
    {
        const QString path = m_dir.filePath(name);
        Fixtures::StoreWriter w(path);
        constexpr qint64 day = 86400;
        const auto add
            = [&](const QString& id, const QString& status, qint64 created, QVariant tombstoned, QVariant expires) {
                  w.add({.id = id,
                         .content = u"# "_s + id + u"\nbody"_s,
                         .status = status,
                         .createdAt = created,
                         .tombstonedAt = tombstoned,
                         .expiresAt = expires});
              };
        add(u"live"_s, u"active"_s, m_now - 100 * day, {}, {});
        add(u"old1"_s, u"tombstoned"_s, m_now - 60 * day, m_now - 40 * day, {});
        add(u"old2"_s, u"tombstoned"_s, m_now - 50 * day, {}, {});
        add(u"gc1"_s, u"active"_s, m_now - 90 * day, m_now - 35 * day, {});
        add(u"new1"_s, u"tombstoned"_s, m_now - 20 * day, m_now - 5 * day, {});
        add(u"exp1"_s, u"active"_s, m_now - 10 * day, {}, m_now - 100);
        w.add({.id = u"sum1"_s,
               .content = u"# sum1\nsummary"_s,
               .createdAt = m_now - 30 * day,
               .isSummary = 1,
               .sourceIds = u"[\"old1\"]"_s});
        return path;
    }

    /// `SELECT status … FROM memories WHERE id = ?` read behind the window's back; empty when there is no row.
    static QString statusOf(const QString& path, const QString& id)
    {
        QString status;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"peek"_s);
            db.setDatabaseName(path);
            db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
            if (db.open()) {
                QSqlQuery q(db);
                q.prepare(u"SELECT status FROM memories WHERE id = ?"_s);
                q.addBindValue(id);
                if (q.exec() && q.next())
                    status = q.value(0).toString();
            }
        }
        QSqlDatabase::removeDatabase(u"peek"_s);
        return status;
    }

    static std::unique_ptr<MainWindow> openWindow(const QString& path, bool editing)
    {
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->show();
        w->openStore(path);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(w->model()->isOpen() && !w->model()->isBusy(), 30000); }();
        if (editing) {
            w->setEditing(true);
            [&] { QTRY_VERIFY_WITH_TIMEOUT(w->isEditing() && !w->model()->isBusy(), 30000); }();
        }
        return w;
    }

    static TrashDialog* openDialog(MainWindow& w, const QString& action)
    {
        auto* a = w.findChild<QAction*>(action);
        if (!a)
            return nullptr;
        a->trigger();
        auto* dialog = w.findChild<TrashDialog*>();
        if (dialog)
            [&] { QTRY_VERIFY_WITH_TIMEOUT(dialog->shownPreview() && !dialog->isBusy(), 30000); }();
        return dialog;
    }

    static QStringList listed(TrashDialog* dialog)
    {
        QStringList ids;
        for (int i = 0; i < dialog->list()->topLevelItemCount(); ++i)
            ids << dialog->list()->topLevelItem(i)->text(0).remove(u"⚠ "_s);
        return ids;
    }

private Q_SLOTS:
    void initTestCase()
    {
        installTranslations();
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        qputenv("XDG_DATA_HOME", m_config.path().toUtf8());
        qputenv("HOME", m_config.path().toUtf8());
    }

    void emptyTrashPreviewAndRun()
    {
        const QString path = plantedStore(u"empty.db"_s);
        auto w = openWindow(path, true);
        TrashDialog* dialog = openDialog(*w, u"emptyTrashAction"_s);
        QVERIFY(dialog);
        QCOMPARE(dialog->daysBox()->value(), 30);
        // gc1 (tombstoned_at, status active) is live to subcog; old2's status alone says tombstoned and SQLite keeps
        // no time for it: both are left out, and the preview says why
        QCOMPARE(listed(dialog), QStringList {u"old1"_s});
        const QString intro = dialog->findChild<QLabel*>(u"trashIntro"_s)->text();
        QVERIFY2(intro.contains(u"1 half-tombstoned memory is left out"_s), qPrintable(intro));
        QVERIFY2(intro.contains(u"Repair half-tombstoned first"_s), qPrintable(intro));
        QVERIFY2(intro.contains(u"1 tombstoned memory has no tombstone time and is left out: only 0 days removes it"_s),
                 qPrintable(intro));
        QCOMPARE(dialog->list()->topLevelItem(0)->text(1), u"decisions"_s);
        QCOMPARE(dialog->list()->topLevelItem(0)->text(3), u"# old1"_s);
        // old1 is a source of sum1, which stays
        QCOMPARE(dialog->list()->topLevelItem(0)->text(0), u"⚠ old1"_s);
        QVERIFY(dialog->list()->topLevelItem(0)->toolTip(0).contains(u"sum1"_s));
        QVERIFY(dialog->findChild<QLabel*>(u"trashBackup"_s)->text().contains(path + u".backup-"_s));
        QVERIFY(dialog->runButton()->isEnabled());

        dialog->daysBox()->setValue(45);
        QTRY_COMPARE_WITH_TIMEOUT(listed(dialog), QStringList(), 30000);
        dialog->daysBox()->setValue(0);
        QTRY_COMPARE_WITH_TIMEOUT(listed(dialog), (QStringList {u"old2"_s, u"old1"_s, u"new1"_s}), 30000);
        dialog->daysBox()->setValue(30);
        QTRY_COMPARE_WITH_TIMEOUT(listed(dialog).size(), 1, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), 30000);

        QSignalSpy finished(dialog, &TrashDialog::runFinished);
        dialog->run(false);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(finished[0][1].toBool(), false);
        const QString text = finished[0][2].toString();
        QVERIFY2(text.startsWith(u"Deleted 1 memory for good."_s), qPrintable(text));
        QVERIFY2(text.contains(u"Backup: "_s + path + u".backup-"_s), qPrintable(text));
        QCOMPARE(statusOf(path, u"old1"_s), QString());
        QCOMPARE(statusOf(path, u"old2"_s), u"tombstoned"_s);
        QCOMPARE(statusOf(path, u"gc1"_s), u"active"_s);
        QCOMPARE(statusOf(path, u"new1"_s), u"tombstoned"_s);
        QCOMPARE(statusOf(path, u"live"_s), u"active"_s);
        QVERIFY(w->messageBar()->isVisible());
        dialog->reject();
    }

    void storeTextWithMarkupShowsAsWritten()
    {
        // ids, first lines and the store's file name are data: `<b>old</b>` shows as written, not as a bold word
        using Testing::shownText;
        const QString path = m_dir.filePath(u"<i>marked.db"_s);
        {
            Fixtures::StoreWriter w(path);
            constexpr qint64 day = 86400;
            w.add({.id = u"<b>old</b>"_s,
                   .content = u"# <img src=\"/etc/passwd\">\nbody"_s,
                   .status = u"tombstoned"_s,
                   .createdAt = m_now - 60 * day,
                   .tombstonedAt = m_now - 40 * day});
            w.add({.id = u"<b>bad</b>"_s,
                   .content = u"# bad\nbody"_s,
                   .status = u"tombstoned"_s,
                   .createdAt = m_now - 60 * day,
                   .tombstonedAt = u"not a time"_s});
            w.add({.id = u"<b>sum</b>"_s,
                   .content = u"# sum\nsummary"_s,
                   .createdAt = m_now - 30 * day,
                   .isSummary = 1,
                   .sourceIds = u"[\"<b>old</b>\"]"_s});
        }
        auto w = openWindow(path, true);
        TrashDialog* dialog = openDialog(*w, u"emptyTrashAction"_s);
        QVERIFY(dialog);
        QCOMPARE(listed(dialog), QStringList {u"<b>old</b>"_s});
        QTreeWidgetItem* old = dialog->list()->topLevelItem(0);
        QVERIFY(old->text(3).contains(u"<img src="_s));
        QCOMPARE(shownText(old->toolTip(3)), old->text(3));
        QCOMPARE(shownText(old->toolTip(0)), u"A source of <b>sum</b>, which stays"_s);
        const QString intro = shownText(dialog->findChild<QLabel*>(u"trashIntro"_s));
        QVERIFY2(intro.contains(u"<b>bad</b> ("_s), qPrintable(intro));
        const QString backup = shownText(dialog->findChild<QLabel*>(u"trashBackup"_s));
        QVERIFY2(backup.contains(path + u".backup-"_s), qPrintable(backup));
        dialog->reject();
    }

    void readOnlyPreviewsButDoesNotRun()
    {
        const QString path = plantedStore(u"readonly.db"_s);
        auto w = openWindow(path, false);
        TrashDialog* dialog = openDialog(*w, u"emptyTrashAction"_s);
        QVERIFY(dialog);
        QCOMPARE(listed(dialog).size(), 1);
        QVERIFY(!dialog->runButton()->isEnabled());
        QVERIFY(dialog->statusLabel()->text().contains(u"Allow Editing"_s));
        dialog->run(false);
        QVERIFY(!dialog->isBusy());
        QCOMPARE(statusOf(path, u"old1"_s), u"tombstoned"_s);
        dialog->reject();
    }

    void tombstoneExpiredAndUndo()
    {
        const QString path = plantedStore(u"expired.db"_s);
        auto w = openWindow(path, true);
        TrashDialog* dialog = openDialog(*w, u"tombstoneExpiredAction"_s);
        QVERIFY(dialog);
        QVERIFY(!dialog->daysBox());
        QCOMPARE(listed(dialog), QStringList {u"exp1"_s});
        const int steps = w->model()->undoStack()->count();
        QSignalSpy finished(dialog, &TrashDialog::runFinished);
        dialog->run(false);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QVERIFY2(finished[0][2].toString().startsWith(u"Tombstoned 1 expired memory. Backup: "_s + path),
                 qPrintable(finished[0][2].toString()));
        QCOMPARE(statusOf(path, u"exp1"_s), u"tombstoned"_s);
        QCOMPARE(w->model()->undoStack()->count(), steps + 1);
        dialog->reject();

        QSignalSpy restored(w->healthDock(), &StoreHealthDock::repairFinished);
        w->model()->undoStack()->undo();
        QTRY_COMPARE_WITH_TIMEOUT(restored.size(), 1, 30000);
        QCOMPARE(statusOf(path, u"exp1"_s), u"active"_s);
        w->model()->undoStack()->redo();
        QTRY_COMPARE_WITH_TIMEOUT(restored.size(), 2, 30000);
        QCOMPARE(statusOf(path, u"exp1"_s), u"tombstoned"_s);
    }
};

QTEST_MAIN(TestTrashDialog)
#include "tst_trashdialog.moc"
