// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

#include <functional>

class QLabel;
class QToolButton;

namespace Inspector {

/// A non-modal bar above the table for errors and notices; it never blocks the window. The last message stays
/// until closed or replaced; repeats are counted instead of stacked.
class MessageBar : public QWidget
{
    Q_OBJECT
public:
    enum class Kind
    {
        Info,
        Warning,
        Error,
    };

    explicit MessageBar(QWidget* parent = nullptr);

    void showMessage(Kind kind, const QString& text);
    /// A message with one button that runs `action` (e.g. Undo); the button goes with the next message.
    void showMessage(Kind kind, const QString& text, const QString& actionText, std::function<void()> action);
    /// Closes the bar whatever it shows (a store was closed or another one opened).
    void clear();
    /// The button of the current message, if it has one.
    QToolButton* actionButton() const { return m_action; }
    QString text() const;
    /// Hides the bar if it still shows this text.
    void dismiss(const QString& text);
    Kind kind() const { return m_kind; }

private:
    QLabel* m_icon;
    QLabel* m_label;
    QToolButton* m_action;
    QToolButton* m_close;
    std::function<void()> m_run;
    Kind m_kind = Kind::Info;
    QString m_last;
    int m_repeats = 0;
};

} // namespace Inspector
