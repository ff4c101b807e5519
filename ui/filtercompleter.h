// SPDX-License-Identifier: MIT
#pragma once

#include <QCompleter>

class QLineEdit;

namespace Inspector {

/// Completes the filter word under the cursor (not the whole text): keys with fixed values (ns:, status:,
/// tombstoned:, expired:, is:, has:, flag: and their negations), offered once two letters of a word are typed.
class FilterCompleter : public QCompleter
{
    Q_OBJECT
public:
    explicit FilterCompleter(QLineEdit* edit);
    /// Every word it offers, in the order it lists them.
    static QStringList words();

private:
    /// The word around the cursor: its start and length in the text.
    std::pair<int, int> currentWord() const;
    void update();
    void insert(const QString& word);

    QLineEdit* m_edit;
};

} // namespace Inspector
