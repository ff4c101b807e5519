// SPDX-License-Identifier: MIT
// The SQLite checker's insides, shared by its files: its own thin sqlite3 layer and the Checker (sqlitecheck.cpp:
// the schema, the full-text pass and hashing; sqlitecheckrows.cpp: the memories pass; sqlitecheckaround.cpp: edges,
// what lies beside index.db, duplicates and integrity).
#pragma once

#include "sqlitecheck.h"

#include "memory.h"
#include "sqlite/sqlitebackend.h"
#include "storageerror.h"
#include "vectorsfile.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <openssl/evp.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <vector>

namespace Inspector::SqliteCheckDetail {

using namespace Qt::StringLiterals;

constexpr int kPollEvery = 256; // rows between two polls of the cancel callback
constexpr int kListedRowids = 8; // duplicate full-text rowids named in a finding's detail

class Connection
{
public:
    explicit Connection(const QString& path)
        : m_path(path)
    {
        if (!QFile::exists(path))
            throw StorageError(StorageError::Kind::NotFound, path + u": no such file"_s);
        // read-only, no URI parsing of the name; WAL is honoured, so a live -wal file's rows are seen (spec §4.1)
        const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db,
                                       SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
        if (rc != SQLITE_OK)
            fail(u"cannot open the file"_s);
        sqlite3_busy_timeout(m_db, 5000);
    }
    ~Connection() { sqlite3_close_v2(m_db); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    sqlite3* handle() const { return m_db; }
    const QString& path() const { return m_path; }

    [[noreturn]] void fail(const QString& what) const
    {
        const int code = m_db ? sqlite3_errcode(m_db) : SQLITE_CANTOPEN;
        const QString reason = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : u"out of memory"_s;
        StorageError::Kind kind = StorageError::Kind::OperationFailed;
        if (code == SQLITE_NOTADB)
            kind = StorageError::Kind::InvalidInput;
        else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
            kind = StorageError::Kind::Storage;
        throw StorageError(kind, m_path + u": "_s + what + u": "_s + reason, u"sqlite code "_s + QString::number(code));
    }

private:
    QString m_path;
    sqlite3* m_db = nullptr;
};

class Statement
{
public:
    Statement(const Connection& db, const QString& sql)
        : m_db(db)
    {
        const QByteArray utf8 = sql.toUtf8();
        if (sqlite3_prepare_v2(db.handle(), utf8.constData(), int(utf8.size()), &m_stmt, nullptr) != SQLITE_OK)
            db.fail(u"cannot read the store"_s);
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    void bind(int index, const QString& text)
    {
        const QByteArray utf8 = text.toUtf8();
        sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    }
    void bind(int index, qint64 value) { sqlite3_bind_int64(m_stmt, index, value); }
    bool step()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc != SQLITE_DONE)
            m_db.fail(u"cannot read the store"_s);
        return false;
    }
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    /// Whether one row exists for these bound values (the statement is reset for the next use).
    bool exists()
    {
        const bool found = step();
        reset();
        return found;
    }
    bool isNull(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
    int type(int column) const { return sqlite3_column_type(m_stmt, column); }
    qint64 integer(int column) const { return sqlite3_column_int64(m_stmt, column); }
    QByteArray bytes(int column) const
    {
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
        return QByteArray(data ? data : "", sqlite3_column_bytes(m_stmt, column));
    }
    QString text(int column) const { return QString::fromUtf8(view(column)); }
    /// The column's UTF-8 bytes, valid until the next step or reset.
    QByteArrayView view(int column) const
    {
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
        return QByteArrayView(data, data ? sqlite3_column_bytes(m_stmt, column) : 0);
    }

private:
    const Connection& m_db;
    sqlite3_stmt* m_stmt = nullptr;
};

inline QString quoted(const QString& value)
{
    return u'\'' + value + u'\'';
}

/// A column's value for a detail line: NULL or the quoted text.
inline QString shownValue(const Statement& q, int column)
{
    return q.isNull(column) ? u"NULL"_s : quoted(q.text(column));
}

constexpr QByteArrayView kEdgeTypes[]
    = {"summarized_by", "source_of", "contradicts", "supersedes", "related_to", "refines", "parent_of", "child_of"};

// QChar::isSpace() on ASCII
constexpr bool isAsciiSpace(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

constexpr quint64 kBytes = 0x0101010101010101ULL; // times a byte: that byte in every lane
constexpr quint64 kHighBits = 0x8080808080808080ULL;

// byte → what contentHashTag()'s normalisation makes of it on ASCII: ' ' for whitespace, letters in lower case
constexpr auto kFolded = [] {
    std::array<unsigned char, 256> folded {};
    for (int c = 0; c < 256; ++c)
        folded[size_t(c)] = isAsciiSpace(char(c)) ? ' ' : c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    return folded;
}();

/// PRAGMA quick_check on a connection and a thread of its own: it reads every page of the file, and the passes over
/// the rows need not wait for it. Its lines are reported after theirs, as before.
class IntegrityCheck
{
public:
    explicit IntegrityCheck(const QString& path)
        : m_db(path)
        , m_result(std::async(std::launch::async, [this] { return damage(); }))
    {
    }
    ~IntegrityCheck()
    {
        sqlite3_interrupt(m_db.handle()); // a cancelled or failed check does not wait for the rest of the file
        if (m_result.valid())
            m_result.wait();
    }
    IntegrityCheck(const IntegrityCheck&) = delete;
    IntegrityCheck& operator=(const IntegrityCheck&) = delete;

    /// The lines other than "ok", polling `cancelled` while it runs; nullopt when cancelled. Rethrows its errors.
    std::optional<QStringList> wait(const CancelRequested& cancelled)
    {
        while (m_result.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
            if (cancelled && cancelled())
                return std::nullopt;
        }
        return m_result.get();
    }

private:
    QStringList damage() const
    {
        QStringList lines;
        Statement q(m_db, u"PRAGMA quick_check"_s);
        while (q.step()) {
            const QString line = q.text(0);
            if (line != "ok"_L1)
                lines << line;
        }
        return lines;
    }

    Connection m_db;
    std::future<QStringList> m_result;
};

class Checker
{
public:
    Checker(const QString& path, const FindingSink& sink, const SqliteCheckOptions& options)
        : m_db(path)
        , m_sink(sink)
        , m_options(options)
        , m_now(options.now.value_or(QDateTime::currentSecsSinceEpoch()))
    {
    }

    bool run();

private:
    Connection m_db;
    std::optional<IntegrityCheck> m_integrity;
    const FindingSink& m_sink;
    const SqliteCheckOptions& m_options;
    qint64 m_now;
    QSet<QString> m_columns;
    bool m_hasFts = false;
    bool m_ftsShadow = false; // memories_fts_content readable without the FTS5 module
    bool m_hasEdges = false;
    bool m_edgesByIndex = false; // every memory id of type text gets an entry with isMemory
    bool m_tombstonedAtColumn = false; // v0.3+
    bool m_isSummaryColumn = false; // v0.6+
    bool m_indexAround = false; // vectors or graph.db beside index.db: every memory id gets an entry with anyMemory
    qint64 m_rows = 0;

    void exec(const char* sql);

    bool cancelled() { return ++m_rows % kPollEvery == 0 && m_options.cancelled && m_options.cancelled(); }

    void report(QLatin1StringView cls, const std::optional<QString>& id, const QString& detail, const QString& fix)
    {
        m_sink(Finding {cls, id, detail, fix});
    }

    void inspectSchema();

    // ---- memories joined to their full-text rows ----
    // Both tables are read in stored (rowid) order, which SQLite scans without a sort or a lookup per row: the
    // full-text rows are first condensed into one entry per id, and the memories pass then finds its entry by id.

    /// One id of the full-text table (or, in the content column's layout, one memory with content), condensed.
    /// One cache line, so that finding an id costs one miss in the slots and one here.
    struct alignas(64) Entry
    {
        static constexpr quint32 kInline = 16;
        union {
            char inlineId[kInline]; // ids up to 16 bytes (subcog's are 12)
            const char* storedId; // longer ones, in m_idChunks
        };
        quint32 idLength = 0;
        quint32 rows = 0; // full-text rows with this id
        qint64 firstRowid = 0; // the row subcog reads
        quint64 tagsHash = 0; // of the first row's tags as stored
        quint64 contentHash = 0; // spec §3.2's hash of the first row's content: the tag's 16 hex digits
        qint64 createdAt = 0; // of the live memory holding it, for duplicate-memory
        bool matched = false; // a memories row took it
        bool live = false; // that memory is live
        bool isMemory = false; // a memories row has this id as text (edges look ids up here)
        bool anyMemory = false; // a memories row's id reads as this text (vectors and mentions look ids up here)
        bool liveMemory = false; // one such row is live (missing-vector)
        bool hasVector = false; // vectors.idx or usearch's meta file lists it
        QByteArrayView idView() const { return {idLength <= kInline ? inlineId : storedId, qsizetype(idLength)}; }
    };
    static_assert(sizeof(Entry) == 64);
    static constexpr qsizetype kIdChunk = 1 << 20;
    std::vector<Entry> m_entries; // in full-text rowid order: 64 bytes a memory, plus ids over 16 bytes
    std::vector<quint32> m_slots; // open addressing on the id: entry index + 1, or 0; at most half full
    std::vector<std::unique_ptr<char[]>> m_idChunks; // the entries' ids, back to back
    char* m_chunk = nullptr;
    qsizetype m_chunkLeft = 0;
    QHash<quint32, QList<qint64>> m_extraRowids; // entry index → rowids after the first (kListedRowids at most)
    std::optional<Statement> m_ftsTags; // one full-text row's tags by rowid, for a tags-drift detail
    QByteArray m_normalised; // scratch for the hash input
    std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> m_sha256 {EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free};
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> m_shaContext {EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    const quint64 m_seed = QHashSeed::globalSeed();

    template<typename T>
    struct Spellings
    {
        struct Known
        {
            QByteArray bytes;
            std::optional<T> parsed;
            bool canonical = false;
        };
        std::vector<Known> known; // the few distinct values a store holds
        std::optional<T> (*parse)(const QString&);
        QString (*name)(T);

        /// The parsed value and whether the bytes are its canonical spelling, as parse() and name() say.
        std::pair<std::optional<T>, bool> operator()(QByteArrayView bytes)
        {
            for (const Known& k : known) {
                if (k.bytes == bytes)
                    return {k.parsed, k.canonical};
            }
            const QString text = QString::fromUtf8(bytes);
            const std::optional<T> parsed = parse(text);
            const bool canonical = parsed && name(*parsed) == text;
            if (known.size() < 64)
                known.push_back({bytes.toByteArray(), parsed, canonical});
            return {parsed, canonical};
        }
    };
    Spellings<Namespace> m_namespaces {{}, &parseNamespace, &namespaceName};
    Spellings<MemoryStatus> m_statuses {{}, &parseStatus, &statusName};

    static bool isAscii(QByteArrayView bytes)
    {
        const char* p = bytes.data();
        qsizetype n = bytes.size();
        quint64 any = 0;
        for (; n >= 8; p += 8, n -= 8) {
            quint64 word;
            std::memcpy(&word, p, 8);
            any |= word;
        }
        for (; n > 0; ++p, --n)
            any |= uchar(*p);
        return (any & kHighBits) == 0;
    }
    static QByteArrayView trimmedAscii(QByteArrayView part)
    {
        while (!part.isEmpty() && isAsciiSpace(part.front()))
            part = part.sliced(1);
        while (!part.isEmpty() && isAsciiSpace(part.back()))
            part.chop(1);
        return part;
    }
    /// Calls f on each comma-separated part, as QString::split(u',') gives them.
    template<typename F>
    static void forEachPart(QByteArrayView text, F&& f)
    {
        for (;;) {
            const qsizetype comma = text.indexOf(',');
            if (comma < 0)
                return f(text);
            f(text.first(comma));
            text = text.sliced(comma + 1);
        }
    }
    static int compareIds(QByteArrayView a, QByteArrayView b) // SQLite's BINARY collation
    {
        const int c = std::memcmp(a.data(), b.data(), size_t(std::min(a.size(), b.size())));
        return c != 0 ? c : (a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0);
    }
    static QString hashTag(quint64 hash)
    {
        return u"hash:sha256:"_s + QString::number(hash, 16).rightJustified(16, u'0');
    }

    // a seeded 64-bit hash (qHashBits' SipHash is several times slower on these short strings)
    static quint64 mix(quint64 h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ULL;
        return h ^ (h >> 33);
    }
    quint64 bytesHash(QByteArrayView bytes) const
    {
        constexpr quint64 kOdd = 0x9e3779b97f4a7c15ULL;
        quint64 h = m_seed ^ (quint64(bytes.size()) * kOdd);
        const char* p = bytes.data();
        qsizetype n = bytes.size();
        for (; n >= 8; p += 8, n -= 8) {
            quint64 k;
            std::memcpy(&k, p, 8);
            h = std::rotl(h ^ mix(k), 27) * kOdd;
        }
        quint64 k = 0;
        if (n > 0)
            std::memcpy(&k, p, size_t(n));
        return mix(h ^ mix(k ^ quint64(n)));
    }

    /// contentHashTag()'s hash of UTF-8 content as a number; ASCII is normalised here byte by byte, the same way.
    quint64 contentHash(QByteArrayView utf8)
    {
        // trimmed(), toLower() and simplified() on ASCII: lower-case letters, whitespace runs to one space, none
        // at either end; written without branches, and thrown away when a byte turns out not to be ASCII
        if (m_normalised.size() < utf8.size())
            m_normalised.resize(utf8.size());
        char* out = m_normalised.data();
        const auto* in = reinterpret_cast<const unsigned char*>(utf8.data());
        qsizetype n = 0;
        quint64 high = 0;
        bool lastSpace = true;
        auto fold = [&](qsizetype i) {
            high |= in[i];
            const unsigned char folded = kFolded[in[i]];
            const bool space = folded == ' ';
            out[n] = char(folded);
            n += !(space && lastSpace);
            lastSpace = space;
        };
        qsizetype i = 0;
        if constexpr (std::endian::native == std::endian::little) {
            // eight bytes at once where they hold no whitespace but single spaces (most text): fold the letters
            for (; i + 8 <= utf8.size(); i += 8) {
                quint64 word;
                std::memcpy(&word, in + i, 8);
                const quint64 low7 = word & ~kHighBits;
                const quint64 upper
                    = (low7 + kBytes * (0x80 - 'A')) & ~(low7 + kBytes * (0x80 - 'Z' - 1)) & ~word & kHighBits;
                const quint64 control
                    = (low7 + kBytes * (0x80 - '\t')) & ~(low7 + kBytes * (0x80 - '\r' - 1)) & ~word & kHighBits;
                const quint64 x = word ^ (kBytes * ' ');
                const quint64 spaces = ~(((x & ~kHighBits) + ~kHighBits) | x | ~kHighBits);
                const quint64 afterSpace = spaces << 8 | (lastSpace ? 0x80 : 0);
                if (control != 0 || (spaces & afterSpace) != 0) {
                    for (qsizetype j = i; j < i + 8; ++j)
                        fold(j);
                    continue;
                }
                high |= word;
                word |= upper >> 2;
                std::memcpy(out + n, &word, 8);
                n += 8;
                lastSpace = (spaces >> 56) != 0;
            }
        }
        for (; i < utf8.size(); ++i)
            fold(i);
        if (n > 0 && out[n - 1] == ' ')
            --n;
        QByteArrayView normalised(out, n);
        QByteArray general;
        if ((high & kHighBits) != 0) {
            general = QString::fromUtf8(utf8).trimmed().toLower().simplified().toUtf8();
            normalised = general;
        }
        // OpenSSL's SHA-256 uses the CPU's SHA instructions where there are some (Qt's does not)
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        if (!m_sha256 || !m_shaContext || EVP_DigestInit_ex2(m_shaContext.get(), m_sha256.get(), nullptr) != 1
            || EVP_DigestUpdate(m_shaContext.get(), normalised.data() ? normalised.data() : "",
                                size_t(normalised.size()))
                != 1
            || EVP_DigestFinal_ex(m_shaContext.get(), digest, &size) != 1 || size < 8)
            throw StorageError(StorageError::Kind::OperationFailed, m_db.path() + u": SHA-256 is not available"_s);
        quint64 hash = 0;
        for (int k = 0; k < 8; ++k)
            hash = hash << 8 | uchar(digest[k]);
        return hash;
    }

    void setId(Entry& e, QByteArrayView id)
    {
        const qsizetype n = id.size();
        e.idLength = quint32(n);
        if (n <= qsizetype(Entry::kInline)) {
            if (n > 0)
                std::memcpy(e.inlineId, id.data(), size_t(n));
            return;
        }
        char* at = nullptr;
        if (n > kIdChunk / 16) {
            m_idChunks.emplace_back(new char[size_t(n)]);
            at = m_idChunks.back().get();
        } else {
            if (n > m_chunkLeft) {
                m_idChunks.emplace_back(new char[kIdChunk]);
                m_chunk = m_idChunks.back().get();
                m_chunkLeft = kIdChunk;
            }
            at = m_chunk;
            m_chunk += n;
            m_chunkLeft -= n;
        }
        std::memcpy(at, id.data(), size_t(n));
        e.storedId = at;
    }

    /// The slot holding this id's entry, or the empty slot it would take.
    quint32& slotFor(QByteArrayView id) { return slotFor(id, bytesHash(id)); }
    quint32& slotFor(QByteArrayView id, quint64 hash)
    {
        const size_t mask = m_slots.size() - 1;
        for (size_t i = hash & mask;; i = (i + 1) & mask) {
            quint32& slot = m_slots[i];
            if (slot == 0)
                return slot;
            const Entry& e = m_entries[slot - 1];
            if (e.idLength == quint32(id.size())
                && std::memcmp(e.idView().data(), id.data() ? id.data() : "", e.idLength) == 0)
                return slot;
        }
    }

    void resizeSlots(size_t size);

    /// Condenses the full-text rows into m_entries, in rowid order (the first row of an id is the one subcog reads).
    bool readFullText();

    QString fullTextTags(qint64 rowid);

    /// A row's id as bytes, made a QString only for a finding.
    class RowId
    {
    public:
        explicit RowId(QByteArrayView bytes)
            : m_bytes(bytes)
        {
        }
        QByteArrayView bytes() const { return m_bytes; }
        const QString& operator()() const
        {
            if (!m_text)
                m_text = QString::fromUtf8(m_bytes);
            return *m_text;
        }

    private:
        QByteArrayView m_bytes;
        mutable std::optional<QString> m_text;
    };

    enum Field
    {
        FId,
        FNamespace,
        FDomain,
        FStatus,
        FCreatedAt,
        FTags,
        FTombstonedAt,
        FExpiresAt,
        FIsSummary,
        FSourceIds,
        FContent,
        FieldCount
    };

    bool checkMemories();

    /// The per-row findings; returns whether the memory is live (tombstoned in neither sense).
    bool checkRow(const Statement& m, const RowId& id, QByteArrayView rawTags, bool tagsNull,
                  std::optional<quint64> content, Entry* self, Statement& memoryExists,
                  std::optional<Statement>& edgeExists);

    bool checkEdges();

    // ---- what subcog keeps beside index.db (spec §14): embeddings and the graph's mentions ----

    /// The entry of a memory with this id, or nullptr.
    Entry* memoryEntry(QByteArrayView id)
    {
        const quint32 slot = slotFor(id);
        return slot != 0 && m_entries[slot - 1].anyMemory ? &m_entries[slot - 1] : nullptr;
    }

    void reportUnreadable(const QString& file, const QString& reason, const QString& fix);

    /// orphan-vector and missing-vector: vectors.idx (spec §14.2) and usearch's vectors.meta.json, each scanned for its
    /// ids only, in pieces (a vectors.idx can be gigabytes), and matched with the memory ids of the memories pass.
    bool checkVectors();

    /// orphan-mention: graph.db's graph_entity_mentions rows (spec §14.1) whose memory_id is no memory.
    bool checkMentions();

    bool checkDuplicates();

    bool checkIntegrity();
};

} // namespace Inspector::SqliteCheckDetail
