// SPDX-License-Identifier: MIT
#pragma once

#include "copier.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QRadioButton;

namespace Inspector {

/// Which memories an export or a copy takes.
enum class TransferScope
{
    Selection,
    Filter, ///< every memory the current filter shows
    Store, ///< every memory of the store
};

/// Export: what, in which format, to which file.
class ExportDialog : public QDialog
{
    Q_OBJECT
public:
    ExportDialog(int selectedRows, qint64 filteredRows, QWidget* parent = nullptr);
    TransferScope scope() const;
    ExportFormat format() const;
    QString path() const;
    /// Asks before replacing an existing file; remembers the format, scope and folder.
    void accept() override;

private:
    QRadioButton* m_selection;
    QRadioButton* m_filter;
    QRadioButton* m_store;
    QComboBox* m_format;
    QLineEdit* m_path;
};

/// Copy to another store: what, where, what to do with ids it already has, and whether to only try.
class CopyDialog : public QDialog
{
    Q_OBJECT
public:
    CopyDialog(int selectedRows, qint64 filteredRows, QWidget* parent = nullptr);
    TransferScope scope() const;
    QString target() const;
    OnConflict onConflict() const;
    bool dryRun() const;

private:
    QRadioButton* m_selection;
    QRadioButton* m_filter;
    QRadioButton* m_store;
    QLineEdit* m_target;
    QComboBox* m_conflict;
    QCheckBox* m_dryRun;
};

/// Asks before `fileName` is replaced ("Replace it with <what>? Its contents are lost."), Cancel the default;
/// true when the person chose Replace.
bool confirmReplace(QWidget* parent, const QString& fileName, const QString& informative);

} // namespace Inspector
