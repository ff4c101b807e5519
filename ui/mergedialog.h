// SPDX-License-Identifier: MIT
#pragma once

#include "backendclient.h"
#include "storefinder.h"
#include "storemerge.h"

#include <QDialog>

class QButtonGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;

namespace Inspector {

/**
 * Merge Into…: copies every memory of one store into another with the copy rules (model/storemerge, the
 * transfers' copyToStore): ids kept, the target written in its own layout (a legacy one too), never the source
 * itself. A dry run comes first and lists the ids both stores hold with other values; only then can the merge
 * run, with the choice made for those ids (keep the target's, overwrite, stop). Both run as jobs on the source's
 * own worker (a BackendClient on the store opened read-only), with progress and Cancel.
 */
class MergeDialog : public QDialog
{
    Q_OBJECT
public:
    MergeDialog(const FoundStore& source, const QList<FoundStore>& others, QWidget* parent = nullptr);

    /// The store chosen as target: another row's spec, or what was typed.
    QString targetSpec() const;
    /// Chooses the target by its spec (a row when one has it, else "another store").
    void setTarget(const QString& spec);
    OnConflict onConflict() const;
    void setOnConflict(OnConflict choice);
    /// Runs the dry run for the chosen target; dryRunFinished() when it has answered.
    void startDryRun();
    /// Runs the merge; only after a dry run for the same target. merged() when it has ended.
    bool startMerge();
    /// The last report shown (for tests and screenshots).
    QString reportText() const;
    QStringList conflictIds() const { return m_preview ? m_preview->conflicts.ids : QStringList(); }

Q_SIGNALS:
    void dryRunFinished();
    void merged();

private:
    enum class Running
    {
        Nothing,
        DryRun,
        Merge,
    };
    /// Shows `spec` as the typed target without its password, which only m_otherUrl keeps.
    void setOtherTarget(const QString& spec);
    void targetChanged();
    void onFinished(RequestId id, bool cancelled);
    void onFailed(RequestId id, const QString& message);
    void setRunning(Running running);
    void showPreview();
    void showMerge(const CopyOutcome& outcome, bool cancelled);

    FoundStore m_source;
    QList<FoundStore> m_others;
    BackendClient* m_client;
    bool m_sourceFailed = false;
    RequestId m_openId = 0;
    RequestId m_job = 0;
    Running m_running = Running::Nothing;
    QString m_previewFor; ///< the target the last dry run was for; the merge runs only into it
    std::shared_ptr<MergePreview> m_preview; ///< the last dry run's answer, for m_previewFor
    std::shared_ptr<MergePreview> m_pendingPreview; ///< filled by the running dry run
    QString m_pendingFor;
    std::shared_ptr<CopyOutcome> m_outcome;
    QComboBox* m_target;
    QLineEdit* m_other;
    QString m_otherUrl; ///< the target last chosen or set, password included: never shown, saved or logged
    QWidget* m_otherRow;
    QLabel* m_targetNote;
    QPlainTextEdit* m_report;
    QWidget* m_conflictBox;
    QRadioButton* m_skip;
    QRadioButton* m_overwrite;
    QRadioButton* m_stop;
    QProgressBar* m_progress;
    QPushButton* m_dryRun;
    QPushButton* m_merge;
    QPushButton* m_cancel;
};

} // namespace Inspector
