// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <deque>
#include <functional>
#include <optional>
#include <vector>

namespace Inspector {

/// One line of subcog's audit.log (spec §14.3), as the History tab shows it.
struct AuditEvent
{
    qint64 line = 0; ///< 1-based line number in the file
    QString entryId; ///< the entry's own `id`
    QString timestamp; ///< RFC 3339, as written
    QString eventType;
    QString action;
    QString actor;
    QString outcome; ///< success, failure or denied
    QString resource; ///< a memory URN or id, as written
    QByteArray metadata; ///< the `metadata` object as indented JSON; empty when null or absent
    bool isSigned = false; ///< has hmac_signature and previous_hmac
    /// its previous_hmac continues no chain: the line before it (in its chain) was removed or edited
    bool chainBreak = false;
    bool readable = true; ///< false: the line is no longer JSON (the file changed after it was indexed)
};

/// What one pass over the whole file found.
struct AuditLogSummary
{
    qint64 bytes = 0; ///< bytes indexed: every complete line
    qint64 lines = 0; ///< complete lines (blank ones included)
    qint64 entries = 0; ///< lines that are JSON objects
    qint64 notJson = 0; ///< lines that are not a JSON object
    QList<qint64> notJsonLines; ///< the first of them (at most kListed)
    qint64 signedEntries = 0; ///< entries with HMAC fields
    qint64 chainStarts = 0; ///< entries whose previous_hmac is "genesis": a subcog process began signing
    qint64 chainBreaks = 0; ///< signed entries that continue no chain
    qint64 firstBreakLine = 0; ///< the line of the first of them (0: none)
    qint64 reindexed = 0; ///< times the file was read again from the start (truncated, rotated or rewritten)
    bool partialLastLine = false; ///< bytes after the last newline, not indexed until their line is complete

    static constexpr int kListed = 20;
};

/**
 * An index of subcog's audit.log: per memory id the lines that name it, built in one streaming pass and then
 * extended with only the bytes appended since. A file that got shorter, was replaced (another inode) or whose
 * indexed bytes changed is indexed again from the start. Lines that are not JSON are counted, never fatal.
 *
 * HMAC chain (spec §14.3): subcog signs `id|timestamp|event_type|action|previous_hmac` with a key the inspector
 * does not have, so only the links are checked: a signed entry's previous_hmac must be "genesis" (a subcog process
 * starts its chain) or the hmac_signature of an earlier entry no other entry has continued yet (the line before it
 * when one process writes; several processes append interleaved chains). Anything else is a break: lines were
 * removed, or a signature or previous_hmac was edited. Edits to other fields are invisible without the key.
 *
 * Synchronous and single-threaded: the reader thread (model/auditlogreader) owns one.
 */
class AuditLogIndex
{
public:
    explicit AuditLogIndex(QString path);

    enum class Update
    {
        Missing, ///< no such file (the index is emptied)
        Unchanged,
        Appended, ///< new lines were indexed
        Reindexed, ///< the file was indexed from the start again
        Stopped, ///< `progress` said stop; what was indexed stays valid and the next update goes on from there
    };
    /// Brings the index up to the file. `progress(done, total)` (bytes) is called between chunks and may return
    /// false to stop. Throws nothing; a file that cannot be read is reported as Missing with `error()`.
    Update update(const std::function<bool(qint64, qint64)>& progress = {});
    QString error() const { return m_error; }
    /// Bytes update() has read from the file so far (to show that later updates read only what was appended).
    qint64 bytesRead() const { return m_bytesRead; }

    /// The newest `limit` events naming `memoryId`, oldest first, read from the file; `total` gets how many there
    /// are.
    QList<AuditEvent> eventsOf(const QString& memoryId, int limit, qint64* total = nullptr) const;
    const AuditLogSummary& summary() const { return m_summary; }
    QString path() const { return m_path; }

    /// The memory id a `resource` names: the text after the last '/' of a `subcog://` URN (spec §3.7), else the
    /// resource itself.
    static QString memoryIdOf(const QString& resource);
    /// One line parsed as an audit entry (no chain state); nullopt when it is not a JSON object.
    static std::optional<AuditEvent> parseLine(QByteArrayView line);

private:
    struct LineRef
    {
        qint64 offset;
        qint64 line;
    };
    void reset();
    void indexLine(qint64 offset, QByteArrayView line);
    void link(qint64 line, QByteArrayView previous, QByteArrayView signature);

    QString m_path;
    QString m_error;
    AuditLogSummary m_summary;
    qint64 m_bytesRead = 0;
    quint64 m_device = 0;
    quint64 m_inode = 0;
    QByteArray m_tail; ///< the last indexed bytes, compared on the next update to notice a rewrite
    QHash<QString, std::vector<LineRef>> m_byMemory;
    QSet<qint64> m_breakLines;
    QHash<QByteArray, qint64> m_heads; ///< signatures no entry has continued yet, by line
    std::deque<QByteArray> m_headOrder; ///< the same, oldest first, to bound them
};

} // namespace Inspector

namespace Inspector {

/// Where subcog writes the audit log of the store at `location` (spec §2, §14.3): `audit.log` in its data folder,
/// which is a SQLite store's folder (for `org/index.db` the folder above), a folder store itself, or for the
/// `memories` folder `subcog gc` uses, the folder above. The first candidate that exists is the one. Empty for
/// PostgreSQL and JSON Lines: there the person chooses the file.
QStringList auditLogCandidates(const QString& location);

} // namespace Inspector
