// SPDX-License-Identifier: MIT
// The window's Tools ▸ Tombstone Expired… and Tools ▸ Empty Trash…: the dialog, its outcome in the message bar, and
// Tombstone Expired's undo step (run like a repair's by the Store Health dock).
#include "mainwindow.h"
#include "messagebar.h"
#include "storehealthdock.h"
#include "trashdialog.h"

#include <QAction>
#include <QPointer>
#include <QUndoCommand>
#include <QUndoStack>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

/// Tombstone Expired as one step on the model's undo stack, put back like a repair (StoreHealthDock::restoreImages).
class TombstoneExpiredCommand : public QUndoCommand
{
public:
    TombstoneExpiredCommand(StoreHealthDock* dock, std::shared_ptr<const RepairImages> images, const QString& text)
        : QUndoCommand(text)
        , m_dock(dock)
        , m_images(std::move(images))
    {
    }
    void undo() override
    {
        if (m_dock)
            m_dock->restoreImages(m_images, true, text());
    }
    void redo() override
    {
        // pushed after the run: the first redo is the run itself
        if (std::exchange(m_first, false))
            return;
        if (m_dock)
            m_dock->restoreImages(m_images, false, text());
    }

private:
    QPointer<StoreHealthDock> m_dock;
    std::shared_ptr<const RepairImages> m_images;
    bool m_first = true;
};

void openTrashDialog(MainWindow* window, TrashAction action)
{
    const QString spec = window->healthDock()->spec();
    if (spec.isEmpty() || !window->model()->isOpen()) {
        window->messageBar()->showMessage(MessageBar::Kind::Info, TrashDialog::tr("No store is open."));
        return;
    }
    if (StoreSpec::parse(spec).kind == StoreSpec::Kind::Jsonl) {
        window->messageBar()->showMessage(MessageBar::Kind::Info,
                                          TrashDialog::tr("A JSON Lines backup is read-only: copy it into a store to "
                                                          "empty its trash or tombstone what has expired."));
        return;
    }
    auto* dialog = new TrashDialog(window->model(), spec, action, window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(dialog, &TrashDialog::runFinished, window,
                     [window](bool cancelled, bool failed, const QString& text) {
                         window->messageBar()->showMessage(failed          ? MessageBar::Kind::Error
                                                               : cancelled ? MessageBar::Kind::Warning
                                                                           : MessageBar::Kind::Info,
                                                           text);
                     });
    QObject::connect(dialog, &TrashDialog::undoStepReady, window,
                     [window](std::shared_ptr<const RepairImages> images, const QString& text) {
                         window->model()->undoStack()->push(
                             new TombstoneExpiredCommand(window->healthDock(), std::move(images), text));
                     });
    dialog->open();
    dialog->startPreview();
}

} // namespace

QList<QAction*> createTrashActions(MainWindow* window)
{
    auto* tombstone = new QAction(TrashDialog::tr("Tombstone &Expired…"), window);
    tombstone->setObjectName(u"tombstoneExpiredAction"_s);
    tombstone->setStatusTip(TrashDialog::tr("Tombstone the live memories whose expiry has passed, after a preview "
                                            "and a backup (undo with Edit ▸ Undo)"));
    QObject::connect(tombstone, &QAction::triggered, window,
                     [window] { openTrashDialog(window, TrashAction::TombstoneExpired); });
    auto* empty = new QAction(TrashDialog::tr("Empty &Trash…"), window);
    empty->setObjectName(u"emptyTrashAction"_s);
    empty->setStatusTip(TrashDialog::tr("Delete for good the memories tombstoned more than N days ago, after a "
                                        "preview and a backup (no undo: the backup is the way back)"));
    QObject::connect(empty, &QAction::triggered, window,
                     [window] { openTrashDialog(window, TrashAction::EmptyTrash); });
    return {tombstone, empty};
}

} // namespace Inspector
