// SPDX-License-Identifier: MIT
#pragma once

#include "auditlog.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

namespace Inspector {

class AuditLogReader;
class DetailPane;
class MemoryTableModel;

/**
 * The detail pane's History tab: the selected memory's events in subcog's audit.log (spec §14.3) with their time,
 * action, event type, actor and outcome, metadata on demand, and HMAC chain breaks marked. The file is the
 * store's data folder's audit.log (SQLite, folder stores) or, for PostgreSQL, one the person chooses, remembered
 * per store. Reading happens on AuditLogReader's thread; the tab only asks while it is shown.
 */
class HistoryTab : public QWidget
{
    Q_OBJECT
public:
    explicit HistoryTab(QWidget* parent = nullptr);

    /// Adds the tab to `pane` (shown only where there is an audit log to read) and follows `model`'s store and
    /// `pane`'s memory.
    static HistoryTab* install(DetailPane* pane, MemoryTableModel* model);

    /// The open store, as MemoryTableModel::location() says it (empty: none).
    void setStore(const QString& location);
    /// The memory the detail pane shows (empty: none).
    void setMemoryId(const QString& id);
    /// An audit.log was found, or the store is PostgreSQL, where one can be chosen.
    bool isAvailable() const { return m_available; }
    /// The audit.log read (empty: none found or chosen).
    QString auditLogPath() const { return m_path; }
    /// For a PostgreSQL store: reads `path` from now on, remembered for this store (its URL without password).
    void useAuditLog(const QString& path);

Q_SIGNALS:
    void availabilityChanged(bool available);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void reload();
    void setAvailable(bool available);
    void ask();
    void chooseFile();
    void showEvents(const QString& memoryId, const QList<AuditEvent>& events, qint64 total,
                    const AuditLogSummary& summary);
    void showMetadata();
    QString settingsKey() const;

    AuditLogReader* m_reader;
    QLabel* m_summary;
    QPushButton* m_choose;
    QTreeWidget* m_events;
    QPlainTextEdit* m_metadata;
    QList<AuditEvent> m_shown;
    QString m_store;
    bool m_postgres = false;
    QString m_path;
    QString m_memoryId;
    QString m_shownFor; ///< the memory the list shows
    bool m_available = false;
};

} // namespace Inspector
