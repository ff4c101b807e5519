// SPDX-License-Identifier: MIT
#pragma once

#include "persistencebackend.h"

#include <QFile>
#include <QHash>

#include <atomic>
#include <deque>
#include <memory>

namespace Inspector {

/**
 * A read-only store over a JSON Lines file: the inspector's own full-fidelity export (`export --format jsonl`,
 * appendJsonLine) or subcog's NDJSON (spec §11, `export --format subcog`), whose missing keys read as absent.
 * It exists to restore from a backup: `copy backup.jsonl index.db --on-conflict overwrite`.
 *
 * The file is read once at open into an index that holds every field but the content, plus where the line is;
 * content is read from the file again when a memory or a page with content is asked for. A line that is not a
 * memory is reported in storeIssues() by its line number and the rest is read; of several lines with one id the
 * last wins (and the earlier ones are reported). A file that changes after the open (size, modification time or
 * inode) is refused on the next read of content instead of being read at stale offsets.
 */
class JsonlBackend final : public PersistenceBackend
{
public:
    /// Lines longer than this are reported and skipped (a backup may hold big memories; subcog's own limit is far
    /// below).
    static constexpr qint64 kLineLimit = 64 * 1024 * 1024;

    /// Reads and indexes the file; throws NotFound, or OperationFailed when it cannot be read or changes meanwhile.
    static std::unique_ptr<JsonlBackend> open(const QString& path);
    ~JsonlBackend() override;

    QString kind() const override;
    QString location() const override { return m_path; }
    bool isReadOnly() const override { return true; }
    QStringList describeLayout() const override;

    void store(const Memory& memory) override;
    void storeBatch(const QList<Memory>& memories) override;
    std::optional<Memory> get(const QString& id) override;
    bool remove(const QString& id) override;
    QStringList listIds() override;
    QList<Memory> getBatch(const QStringList& ids, QList<RecordIssue>* issues = nullptr) override;
    bool exists(const QString& id) override;
    qint64 count() override;
    Page query(const MemoryQuery& query) override;
    qint64 count(const MemoryFilter& filter) override;
    std::optional<qint64> rowOf(const MemoryQuery& query, const QString& id) override;
    QList<RecordIssue> storeIssues() override { return m_issues; }
    QString embeddingsUnavailable() const override;
    void storeEdges(const QList<MemoryEdge>& edges) override;

    void interrupt() noexcept override { m_interrupted.store(true, std::memory_order_relaxed); }
    void beginRequest() noexcept override
    {
        m_interrupted.store(false, std::memory_order_relaxed);
        m_inRequest = true;
    }
    void endRequest() noexcept override
    {
        m_inRequest = false;
        m_interrupted.store(false, std::memory_order_relaxed);
    }

    /// Decodes one line (without its newline) into a memory; nullopt and `reason` when it is not one.
    /// `invalidUtf8` (when given) is set when text had to be repaired (U+FFFD for each invalid sequence).
    static std::optional<Memory> decodeLine(QByteArrayView line, QString* reason, bool* invalidUtf8 = nullptr);

private:
    struct Entry
    {
        Memory memory; ///< every field but the content
        qint64 offset = 0; ///< of the line in the file
        qint64 length = 0; ///< without the newline
        qint64 line = 0; ///< 1-based
    };
    struct FileState
    {
        qint64 size = -1;
        qint64 modifiedNs = 0;
        quint64 inode = 0;
        friend bool operator==(const FileState&, const FileState&) = default;
    };

    explicit JsonlBackend(QString path);
    void readIndex();
    FileState stat() const;
    /// Throws when the file is not the one indexed any more.
    void checkUnchanged() const;
    /// The entry's memory with its content, read from the file again.
    Memory withContent(const Entry& entry);
    const QList<qsizetype>& sorted(const MemoryQuery& query);

    [[noreturn]] void refuseWrite() const;
    void startCall()
    {
        if (!m_inRequest)
            m_interrupted.store(false, std::memory_order_relaxed);
        else
            checkInterrupted();
    }
    void checkInterrupted() const;

    QString m_path;
    QFile m_file;
    FileState m_state;
    /// one per id (the last line of it), in file order; a deque grows without moving (a list's doubling would
    /// hold the index twice for a moment)
    std::deque<Entry> m_entries;
    QHash<QString, qsizetype> m_byId;
    QList<RecordIssue> m_issues;
    qint64 m_lines = 0;
    qint64 m_badLines = 0;
    qint64 m_duplicates = 0;
    std::atomic<bool> m_interrupted {false};
    bool m_inRequest = false;
    struct
    {
        bool valid = false;
        MemoryFilter filter;
        SortKey key = SortKey::CreatedAt;
        Qt::SortOrder order = Qt::DescendingOrder;
        Qt::SortOrder idOrder = Qt::AscendingOrder;
        QList<qsizetype> rows;
    } m_order;
};

} // namespace Inspector
