// SPDX-License-Identifier: MIT
#pragma once

#include "folderindex.h"
#include "graph/sqlitegraph.h"
#include "persistencebackend.h"

#include <QHash>
#include <QJsonObject>

#include <atomic>
#include <memory>

struct stat;

namespace Inspector {

/**
 * subcog's filesystem store (spec §6): one pretty-printed `<id>.json` per memory in a flat folder, optionally
 * AES-256-GCM encrypted per file. Opening reads every file once, on one thread per processor, into a compact
 * index (FolderIndex: the fields filters, sorts and stats need, without content or embeddings), kept current by
 * this backend's own writes and by refresh(). Content is read from the file when a page with content, get() or
 * getBatch() asks for it; a file that changed since it was indexed is read again and the index follows (the
 * change token moves), one that became unreadable is reported and leaves the index.
 *
 * Writes are crash-safe, unlike subcog's: a temporary file in the same folder (`<id>.json.<random>.tmp`, which
 * subcog's listing ignores), fsync, rename over the target, fsync of the folder. Ids must pass subcog's
 * safe-name rule, so no id can leave the folder, and symbolic links are never written through.
 */
class FilesystemBackend final : public PersistenceBackend
{
public:
    struct Options
    {
        bool readOnly = false;
        std::optional<QByteArray> key; ///< 32-byte AES key; SUBCOG_ENCRYPTION_KEY when not given
        bool encryptNewFiles = false; ///< new files encrypted (existing ones keep their state)
    };

    /// Opens an existing folder and indexes it; damaged files are listed in storeIssues(), not fatal.
    static std::unique_ptr<FilesystemBackend> open(const QString& folder, const Options& options);
    static std::unique_ptr<FilesystemBackend> open(const QString& folder) { return open(folder, Options {}); }
    /// Creates the folder (and parents) if needed and opens it.
    static std::unique_ptr<FilesystemBackend> create(const QString& folder, const Options& options);
    static std::unique_ptr<FilesystemBackend> create(const QString& folder) { return create(folder, Options {}); }

    /// subcog's safe-name rule for ids of folder stores: 1–255 letters, digits, `-` or `_`.
    static bool isSafeId(const QString& id);
    /// Replaces `<folder>/<id>.json` with `bytes` as every write of this backend does: a temporary file, fsync,
    /// rename, fsync of the folder; never through a symbolic link. Throws StorageError.
    static void writeFileAtomically(const QString& folder, const QString& id, const QByteArray& bytes);

    ~FilesystemBackend() override;

    QString kind() const override;
    QString location() const override { return m_folder; }
    bool isReadOnly() const override { return m_options.readOnly; }
    QStringList describeLayout() const override;

    void store(const Memory& memory) override;
    std::optional<Memory> get(const QString& id) override;
    bool remove(const QString& id) override;
    QStringList listIds() override;
    QList<Memory> getBatch(const QStringList& ids, QList<RecordIssue>* issues = nullptr) override;
    bool exists(const QString& id) override;
    qint64 count() override;
    Page query(const MemoryQuery& query) override;
    qint64 count(const MemoryFilter& filter) override;
    /// Counted from the in-memory index, without reading a file.
    StoreStats stats(const MemoryFilter& filter, qint64 now) override;
    QList<RecordIssue> storeIssues() override;
    std::optional<QByteArray> changeToken() override;
    std::optional<qint64> rowOf(const MemoryQuery& query, const QString& id) override;
    /// Sets a flag the long loops (reading the folder, filtering and sorting the index) check between items.
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
    /// Embeddings are a field of the files (spec §6.2).
    EmbeddingStorage embeddingStorage() const override { return EmbeddingStorage::InRecords; }

    // a graph.db in the folder, when the folder is a data folder (spec §2.2: `<data_dir>/*.json`), or one chosen
    QString graphUnavailable() override { return m_graph.unavailable(); }
    QString graphLocation() const override { return m_graph.path(); }
    void setGraphFile(const QString& path) override { m_graph.choose(path); }
    QList<EntityMention> entityMentions(const QString& memoryId) override
    {
        return m_graph.graph().mentionsOf(memoryId);
    }
    EntityPage entities(const EntityQuery& query) override { return m_graph.graph().entities(query); }
    QList<GraphRelationship> entityRelationships(const QString& entityId) override
    {
        return m_graph.graph().relationshipsOf(entityId);
    }

    /// Re-reads what changed on disk since the last scan (new, changed and removed files).
    void refresh();
    /// Temporary files left by an interrupted write (never subcog's data).
    QStringList leftoverTemporaryFiles() const { return m_leftovers; }
    /// Deletes those temporary files; returns how many were removed.
    int removeLeftoverTemporaryFiles();

private:
    using Entry = FolderIndex::Entry;
    enum class ReadMode
    {
        Metadata, ///< the index's fields (content and embedding checked, not kept)
        Full, ///< every field, the unknown keys too
    };
    /// What one read of a file gives, with the file's stat at the read.
    struct FileRead
    {
        Memory memory;
        QJsonObject unknownKeys; ///< full reads only
        bool hasEmbedding = false;
        qint64 modified = 0;
        qint64 size = 0;
        quint64 inode = 0;
    };
    /// A full read of one of several files (readMany).
    struct ReadResult
    {
        std::optional<FileRead> read;
        QString reason; ///< why not
        bool gone = false; ///< the file is no longer there
    };

    FilesystemBackend(QString folder, const Options& options);
    void rescan(bool full);
    /// Reads `<folder>/<fileName>` (thread-safe); `gone`: it does not exist.
    std::optional<FileRead> readFile(const QString& fileName, ReadMode mode, QString* reason,
                                     bool* gone = nullptr) const;
    /// The same for the file `name` (its bytes) in the folder open as `dirFd`, whose id is `id`; `regular`: the
    /// listing says it is a regular file (then it is opened without a stat first, and never through a link).
    std::optional<FileRead> readFileAt(int dirFd, const QByteArray& name, const QString& id, bool regular,
                                       ReadMode mode, QString* reason, bool* gone) const;
    /// Decodes the bytes read of a file (`st`: its stat at the read). `cut`: the bytes end where a half-written
    /// file would (empty, or not in the closing brace subcog's files end with).
    std::optional<FileRead> decodeFile(QByteArray bytes, const QString& id, const struct stat& st, ReadMode mode,
                                       QString* reason, bool* cut) const;
    /// The folder, opened for the *at() calls of one read or scan (closed by the holder).
    struct FolderFd
    {
        int fd = -1;
        ~FolderFd();
    };
    void openFolder(FolderFd& folder) const;
    /// Full reads of these indexed ids' files, in parallel when there are many; then the index follows what they
    /// found: a changed file's entry is made anew, a vanished or unreadable one leaves (and the latter is listed as
    /// damaged). Results in the order of `ids`.
    std::vector<ReadResult> readMany(const QStringList& ids);
    /// The entry made from a read, for the index.
    Entry entryOf(const FileRead& read, FolderIndex::Cache* cache = nullptr);
    const QList<QString>& sortedIds(const MemoryQuery& query);
    /// The filter with entity: and has:edges turned into ids (the graph, the summaries' source lists).
    MemoryFilter resolved(const MemoryFilter& filter);
    /// An entry of the index and its id, while the index does not change.
    struct Ref
    {
        const QString* id;
        const Entry* entry;
    };
    /// Which entries pass a filter with full-text words: the content is read from every file, in parallel.
    std::vector<char> matchWithContent(const MemoryFilter& filter, const std::vector<Ref>& refs);
    void writeAtomically(const QString& id, const QByteArray& bytes);
    void checkWritable() const;
    /// Forgets an interrupt() aimed at an earlier call (at the start of each long public call); within a request
    /// (beginRequest()) every interrupt is the request's own, and stops the call at once.
    void startCall()
    {
        if (!m_inRequest)
            m_interrupted.store(false, std::memory_order_relaxed);
        else
            checkInterrupted();
    }
    /// Throws Kind::Cancelled when interrupt() was called since the call started.
    void checkInterrupted() const;

    QString m_folder;
    GraphFileChoice m_graph;
    std::atomic<bool> m_interrupted {false};
    bool m_inRequest = false; ///< between beginRequest() and endRequest(); the backend's thread only
    Options m_options;
    FolderIndex m_index;
    QHash<QString, Entry> m_entries;
    QHash<QString, QString> m_damaged; ///< file name → reason
    QStringList m_leftovers;
    quint64 m_generation = 0; ///< bumped by every change of the index
    // the last query's order, reused while the filter, sort and index stay the same
    struct
    {
        quint64 generation = ~0ULL;
        MemoryFilter filter;
        SortKey key = SortKey::CreatedAt;
        Qt::SortOrder order = Qt::DescendingOrder;
        Qt::SortOrder idOrder = Qt::AscendingOrder;
        QList<QString> ids;
    } m_order;
};

} // namespace Inspector
