// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
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

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void applyTint();

    QLabel* m_icon;
    QLabel* m_label;
    QToolButton* m_action;
    QToolButton* m_close;
    std::function<void()> m_run;
    Kind m_kind = Kind::Info;
    QColor m_tint; ///< the kind's colour, washed over the window colour
    QString m_last;
    int m_repeats = 0;
};

} // namespace Inspector
