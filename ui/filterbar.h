// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"
#include "query.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTimer;

namespace Inspector {

/**
 * The filter bar: subcog's filter language in a line edit, quick filters for namespace, status and domain, and a
 * line under them that says why a filter matches nothing (words not understood, a quick filter the text
 * contradicts, or a hint about an empty time range). The window asks it for the MemoryFilter in force.
 */
class FilterBar : public QWidget
{
    Q_OBJECT
public:
    /// What the bar shows; the window adds its View menu's Trash and tombstone choices.
    struct State
    {
        QString text;
        int namespaceIndex = 0;
        int statusIndex = 0;
        QString domain;
        friend bool operator==(const State&, const State&) = default;
    };

    explicit FilterBar(QWidget* parent = nullptr);

    QLineEdit* lineEdit() const { return m_edit; }
    QString text() const;
    State state() const;
    /// Shows `state` without emitting anything.
    void setState(const State& state);
    void setDomain(const QString& domain);
    /// True while typing has not yet been applied (the short delay after a key).
    bool isApplyPending() const;
    /// The filter the bar says, with `tombstones` unless the text asks otherwise. A word that is not understood,
    /// or a quick filter the text contradicts, matches nothing and says so under the bar.
    MemoryFilter apply(TombstoneFilter tombstones);
    /// The line under the bar is showing (a problem or a hint).
    bool isExplaining() const;
    bool isHintShown() const;
    /// A hint (not a problem) under the bar, hidden again by hideHint() or the next apply().
    void showHint(const QString& text);
    void hideHint();

Q_SIGNALS:
    /// The text was typed or set: what a jump put in the bar is no longer what it shows.
    void textEdited();
    /// The filter changed and should be applied now.
    void changed();
    /// Enter (after changed()) or Down: the keyboard goes to the results.
    void leaveToResults();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QLineEdit* m_edit;
    QComboBox* m_namespace;
    QComboBox* m_status;
    QComboBox* m_domain;
    QLabel* m_problems;
    QTimer* m_delay;
};

} // namespace Inspector
