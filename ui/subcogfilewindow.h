// SPDX-License-Identifier: MIT
#pragma once

#include "subcogfiles.h"

#include <QAbstractTableModel>
#include <QDialog>

#include <memory>

class QLabel;
class QPlainTextEdit;
class QTabWidget;

namespace Inspector {

/// One table of a subcog file, read-only: no cell is editable and nothing is ever written back.
class SubcogTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    explicit SubcogTableModel(SubcogTable table, QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    const SubcogTable& table() const { return m_table; }
    /// Every column of `row` as "name: value" lines, values whole.
    QString rowText(int row) const;

private:
    SubcogTable m_table;
};

/**
 * subcog's prompt library (`~/.config/subcog/memories.db`: prompts and context templates, spec §4.8) or its
 * webhook delivery log (`webhook_audit.db`) in read-only tables, one tab a table; the selected row in full below.
 * The file is read on a read-only SQLite connection on a pool thread, never on the GUI thread.
 */
class SubcogFileWindow : public QDialog
{
    Q_OBJECT
public:
    /// Opens a window on `path` (a non-modal one that deletes itself when closed) and starts reading it.
    static SubcogFileWindow* showFile(const QString& path, QWidget* parent);
    ~SubcogFileWindow() override;
    bool event(QEvent* event) override;
    QString path() const { return m_path; }
    bool isLoaded() const { return m_loaded; }

Q_SIGNALS:
    void loaded();

private:
    SubcogFileWindow(const QString& path, QWidget* parent);
    void showTables(const QList<SubcogTable>& tables, const QString& error);

    struct Link;
    std::shared_ptr<Link> m_link;
    QString m_path;
    QLabel* m_header;
    QTabWidget* m_tabs;
    QPlainTextEdit* m_row;
    bool m_loaded = false;
};

} // namespace Inspector
