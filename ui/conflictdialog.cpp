// SPDX-License-Identifier: MIT
#include "conflictdialog.h"

#include "memoryfields.h"
#include "visibletext.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Inspector {

ConflictDialog::ConflictDialog(const Memory& mine, const std::optional<Memory>& theirs, const QString& message,
                               QWidget* parent)
    : QDialog(parent)
{
    setObjectName(u"conflictDialog"_s);
    setWindowTitle(tr("Conflict: %1").arg(withVisibleControls(mine.id)));
    setAttribute(Qt::WA_DeleteOnClose);
    auto* layout = new QVBoxLayout(this);
    auto* text = new QLabel(message + u"\n"_s
                                + (theirs ? tr("Your change was not written. Differences are highlighted.")
                                          : tr("Your change was not written: the memory no longer exists.")),
                            this);
    text->setObjectName(u"conflictMessage"_s);
    text->setTextFormat(Qt::PlainText); // the message quotes the id, never markup
    text->setWordWrap(true);
    layout->addWidget(text);
    auto* table = new QTableWidget(MemoryFields::columnCount(), 2, this);
    table->setObjectName(u"conflictTable"_s);
    table->setHorizontalHeaderLabels({tr("Your version"), tr("In the store now")});
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setWordWrap(true);
    for (int c = 0; c < MemoryFields::columnCount(); ++c) {
        const auto column = MemoryColumn(c);
        table->setVerticalHeaderItem(c, new QTableWidgetItem(MemoryFields::title(column)));
        const QString a = MemoryFields::editText(mine, column);
        const QString b = theirs ? MemoryFields::editText(*theirs, column) : tr("(deleted)");
        auto* left = new QTableWidgetItem(a);
        auto* right = new QTableWidgetItem(b);
        if (a != b) {
            const QColor mark(0xe0, 0xa0, 0x00, 80);
            left->setBackground(mark);
            right->setBackground(mark);
        }
        table->setItem(c, 0, left);
        table->setItem(c, 1, right);
    }
    table->resizeRowsToContents();
    layout->addWidget(table, 1);
    auto* buttons = new QDialogButtonBox(this);
    auto* keep = buttons->addButton(tr("Keep Theirs"), QDialogButtonBox::RejectRole);
    keep->setToolTip(tr("Leave the store as the other writer left it"));
    if (theirs) {
        auto* overwrite = buttons->addButton(tr("Write Mine Over Theirs"), QDialogButtonBox::AcceptRole);
        overwrite->setToolTip(tr("Write your version now, as a new undoable edit"));
        connect(overwrite, &QPushButton::clicked, this, [this, mine, theirs] { Q_EMIT applyMine(*theirs, mine); });
    }
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(900, 600);
}

} // namespace Inspector
