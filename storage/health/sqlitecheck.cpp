// SPDX-License-Identifier: MIT
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

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

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

QString quoted(const QString& value)
{
    return u'\'' + value + u'\'';
}

/// A column's value for a detail line: NULL or the quoted text.
QString shownValue(const Statement& q, int column)
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

    bool run()
    {
        exec("BEGIN"); // one read transaction: every pass sees the same snapshot
        inspectSchema();
        m_integrity.emplace(m_db.path());
        // the files beside index.db are looked up in the id index, which checkDuplicates() frees
        const bool done = checkMemories() && checkEdges() && checkVectors() && checkMentions() && checkDuplicates()
            && checkIntegrity();
        exec("ROLLBACK");
        return done;
    }

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

    void exec(const char* sql)
    {
        if (sqlite3_exec(m_db.handle(), sql, nullptr, nullptr, nullptr) != SQLITE_OK)
            m_db.fail(u"cannot read the store"_s);
    }

    bool cancelled() { return ++m_rows % kPollEvery == 0 && m_options.cancelled && m_options.cancelled(); }

    void report(QLatin1StringView cls, const std::optional<QString>& id, const QString& detail, const QString& fix)
    {
        m_sink(Finding {cls, id, detail, fix});
    }

    void inspectSchema()
    {
        QSet<QString> tables;
        {
            Statement q(m_db, u"SELECT lower(name) FROM sqlite_master WHERE type = 'table'"_s);
            while (q.step())
                tables.insert(q.text(0));
        }
        if (!tables.contains(u"memories"_s))
            throw StorageError(StorageError::Kind::InvalidInput,
                               m_db.path() + u": not a subcog store: it has no 'memories' table"_s);
        {
            Statement q(m_db, u"SELECT lower(name) FROM pragma_table_info('memories')"_s);
            while (q.step())
                m_columns.insert(q.text(0));
        }
        for (auto required : {"id"_L1, "namespace"_L1, "domain"_L1, "status"_L1, "created_at"_L1, "tags"_L1}) {
            if (!m_columns.contains(required))
                throw StorageError(StorageError::Kind::InvalidInput,
                                   m_db.path() + u": not a subcog store: table 'memories' has no column "_s + required);
        }
        m_tombstonedAtColumn = m_columns.contains(u"tombstoned_at"_s);
        m_isSummaryColumn = m_columns.contains(u"is_summary"_s);
        m_hasFts = tables.contains(u"memories_fts"_s);
        m_ftsShadow = tables.contains(u"memories_fts_content"_s);
        m_hasEdges = tables.contains(u"memory_edges"_s);
        if (m_hasEdges) {
            // `memories.id = edge end` is a byte comparison of text when the column has TEXT affinity and the
            // BINARY collation: then the edges pass can find the ends among the ids the memories pass saw
            const char* declared = nullptr;
            const char* collation = nullptr;
            if (sqlite3_table_column_metadata(m_db.handle(), "main", "memories", "id", &declared, &collation, nullptr,
                                              nullptr, nullptr)
                == SQLITE_OK) {
                const QByteArray type = QByteArray(declared ? declared : "").toUpper();
                m_edgesByIndex = !type.contains("INT")
                    && (type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT"))
                    && qstricmp(collation ? collation : "", "BINARY") == 0;
            }
        }
        if (!m_hasFts && !m_columns.contains(u"content"_s))
            throw StorageError(StorageError::Kind::InvalidInput,
                               m_db.path() + u": not a subcog store: no 'memories_fts' table and no content column"_s);
        for (const QString& name : {u"vectors.idx"_s, u"vectors.meta.json"_s, u"graph.db"_s}) {
            const QString beside = SqliteBackend::fileBesideIndex(m_db.path(), name);
            m_indexAround = m_indexAround || (!beside.isEmpty() && QFileInfo::exists(beside));
        }
    }

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

    void resizeSlots(size_t size)
    {
        m_slots.assign(size, 0);
        for (quint32 i = 0; i < m_entries.size(); ++i) {
            if (m_entries[i].rows > 0 || m_entries[i].anyMemory) // not the content column's duplicate-memory entries
                slotFor(m_entries[i].idView()) = i + 1;
        }
    }

    /// Condenses the full-text rows into m_entries, in rowid order (the first row of an id is the one subcog reads).
    bool readFullText()
    {
        if (m_ftsShadow) {
            // the highest rowid bounds the row count: size for it at once instead of growing
            Statement q(m_db, u"SELECT max(id) FROM memories_fts_content"_s);
            const qint64 hint = q.step() ? std::clamp<qint64>(q.integer(0), 0, 1 << 21) : 0;
            m_entries.reserve(size_t(hint));
            resizeSlots(std::bit_ceil(size_t(2 * hint + 16)));
        } else {
            resizeSlots(1024);
        }
        Statement q(m_db,
                    m_ftsShadow ? u"SELECT CAST(c0 AS TEXT), id, c2, c1 FROM memories_fts_content ORDER BY id"_s
                                : u"SELECT CAST(id AS TEXT), rowid, tags, content FROM memories_fts ORDER BY rowid"_s);
        while (q.step()) {
            if (cancelled())
                return false;
            if (2 * (m_entries.size() + 1) > m_slots.size())
                resizeSlots(2 * m_slots.size());
            const QByteArrayView id = q.view(0);
            // the slot is a random read: fetched while the content is hashed (wasted only on a duplicate row)
            const quint64 idHash = bytesHash(id);
            __builtin_prefetch(&m_slots[idHash & (m_slots.size() - 1)]);
            const quint64 tagsHash = bytesHash(q.view(2));
            const quint64 hash = contentHash(q.view(3));
            quint32& slot = slotFor(id, idHash);
            if (slot != 0) {
                Entry& e = m_entries[slot - 1];
                ++e.rows;
                QList<qint64>& extra = m_extraRowids[slot - 1];
                if (extra.size() < kListedRowids)
                    extra << q.integer(1);
                continue;
            }
            Entry e;
            setId(e, id);
            e.rows = 1;
            e.firstRowid = q.integer(1);
            e.tagsHash = tagsHash;
            e.contentHash = hash;
            m_entries.push_back(e);
            slot = quint32(m_entries.size());
        }
        return true;
    }

    QString fullTextTags(qint64 rowid)
    {
        if (!m_ftsTags)
            m_ftsTags.emplace(m_db,
                              m_ftsShadow ? u"SELECT c2 FROM memories_fts_content WHERE id = ?"_s
                                          : u"SELECT tags FROM memories_fts WHERE rowid = ?"_s);
        m_ftsTags->bind(1, rowid);
        const QString tags = m_ftsTags->step() ? m_ftsTags->text(0) : QString();
        m_ftsTags->reset();
        return tags;
    }

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

    bool checkMemories()
    {
        static constexpr const char* kNames[FieldCount] = {
            "id",         "namespace",         "domain", "status", "created_at", "tags", "tombstoned_at", "expires_at",
            "is_summary", "source_memory_ids", "content"};
        QString select = u"SELECT "_s;
        for (int f = 0; f < FieldCount; ++f) {
            const QString name = QString::fromLatin1(kNames[f]);
            select += (f ? u", "_s : QString()) + (m_columns.contains(name) ? u"m."_s + name : u"NULL"_s);
        }
        Statement memories(m_db, select + u" FROM memories m"_s);
        if (m_hasFts && !readFullText())
            return false;

        Statement memoryExists(m_db, u"SELECT 1 FROM memories WHERE id = ?"_s);
        std::optional<Statement> edgeExists;
        if (m_hasEdges)
            edgeExists.emplace(m_db, u"SELECT 1 FROM memory_edges WHERE from_id = ? AND to_id = ? AND edge_type = ?"_s);

        if ((m_edgesByIndex || m_indexAround) && m_slots.empty())
            resizeSlots(1024);
        size_t nextGuess = 0;
        while (memories.step()) {
            if (cancelled())
                return false;
            const bool textId = memories.type(FId) == SQLITE_TEXT;
            const RowId id(memories.view(FId));
            // the first memories row with an id takes its full-text rows; another with the same id has none
            Entry* first = nullptr;
            quint32 entryIndex = 0;
            std::optional<quint32> found;
            if (m_hasFts) {
                // subcog writes both rows of a memory together, so the entry after the last one found is
                // usually this row's: tried first, it spares the random reads of a look-up
                if (nextGuess < m_entries.size() && m_entries[nextGuess].idView() == id.bytes())
                    found = nextGuess;
                else if (const quint32 slot = slotFor(id.bytes()); slot != 0)
                    found = slot - 1;
                if (found) {
                    nextGuess = *found + 1;
                    if (!m_entries[*found].matched) {
                        entryIndex = *found;
                        first = &m_entries[entryIndex];
                        first->matched = true;
                    }
                }
            }
            Entry* self = first; // this memory's entry, if it has one
            const bool indexed = (m_edgesByIndex && textId) || m_indexAround;
            if (indexed) {
                if (!m_hasFts) {
                    if (const quint32 slot = slotFor(id.bytes()); slot != 0)
                        found = slot - 1;
                }
                if (!found) {
                    if (2 * (m_entries.size() + 1) > m_slots.size())
                        resizeSlots(2 * m_slots.size());
                    Entry e;
                    setId(e, id.bytes());
                    m_entries.push_back(e);
                    slotFor(id.bytes()) = quint32(m_entries.size());
                    found = quint32(m_entries.size() - 1);
                    first = nullptr; // (none: it was not found) the vector may have moved
                }
                self = &m_entries[*found];
                self->isMemory = self->isMemory || textId;
                self->anyMemory = true;
            }

            std::optional<quint64> content;
            if (first)
                content = first->contentHash;
            else if (!m_hasFts && !memories.isNull(FContent))
                content = contentHash(memories.view(FContent));
            if (m_hasFts && !first) {
                // a tombstone needs no content: it is how a repair settles this finding (spec §15)
                const bool tombstoned = parseStatus(memories.text(FStatus)) == MemoryStatus::Tombstoned
                    || (m_tombstonedAtColumn && !memories.isNull(FTombstonedAt));
                if (!tombstoned)
                    report("missing-content"_L1, id(), u"no full-text row: subcog's reads and search do not see it"_s,
                           u"tombstone it (or delete on request); its content cannot be recovered"_s);
            }
            if (first && first->rows > 1) {
                const QList<qint64> extraRowids = m_extraRowids.value(entryIndex);
                QStringList rowids;
                for (qint64 r : extraRowids)
                    rowids << QString::number(r);
                report("duplicate-content"_L1, id(),
                       QString::number(first->rows) + u" full-text rows; subcog reads rowid "_s
                           + QString::number(first->firstRowid) + u", the others are rowid "_s + rowids.join(u", "_s)
                           + (first->rows - 1 > quint32(extraRowids.size()) ? u", …"_s : QString()),
                       u"keep the first full-text row, delete the others"_s);
            }
            const bool tagsNull = memories.isNull(FTags);
            const QByteArrayView rawTags = memories.view(FTags);
            if (first && bytesHash(rawTags) != first->tagsHash) {
                // the bytes differ; compared as text, as subcog's reader sees them
                const QString ftsTags = fullTextTags(first->firstRowid);
                if (ftsTags != QString::fromUtf8(rawTags))
                    report("tags-drift"_L1, id(),
                           u"full-text tags "_s + quoted(ftsTags) + u", metadata tags "_s + shownValue(memories, FTags),
                           u"rewrite the full-text tags from the metadata row"_s);
            }
            const bool live = checkRow(memories, id, rawTags, tagsNull, content, self, memoryExists, edgeExists);
            if (indexed && live)
                m_entries[*found].liveMemory = true;
        }
        // full-text ids that no memories row took
        for (const Entry& e : m_entries) {
            if (cancelled())
                return false;
            if (e.matched || e.rows == 0)
                continue;
            report("orphan-content"_L1, QString::fromUtf8(e.idView()),
                   (e.rows > 1 ? QString::number(e.rows) + u" full-text rows"_s : u"a full-text row"_s)
                       + u" without a memories row: search drops it, subcog's reindex deletes it"_s,
                   u"rebuild the metadata row (context, active, domain project, tags from the full-text row)"_s);
        }
        return true;
    }

    /// The per-row findings; returns whether the memory is live (tombstoned in neither sense).
    bool checkRow(const Statement& m, const RowId& id, QByteArrayView rawTags, bool tagsNull,
                  std::optional<quint64> content, Entry* self, Statement& memoryExists,
                  std::optional<Statement>& edgeExists)
    {
        // tags: written as `a,b` with no spaces; '' is an empty list. ASCII is split here, anything else as text.
        const bool asciiTags = isAscii(rawTags);
        QStringList tags;
        bool messy = tagsNull;
        if (!rawTags.isEmpty()) {
            if (asciiTags) {
                forEachPart(rawTags, [&](QByteArrayView part) {
                    const QByteArrayView trimmed = trimmedAscii(part);
                    if (trimmed.isEmpty() || trimmed.size() != part.size())
                        messy = true;
                });
            } else {
                for (const QString& part : QString::fromUtf8(rawTags).split(u',')) {
                    const QString trimmed = part.trimmed();
                    if (trimmed.isEmpty() || trimmed != part)
                        messy = true;
                    if (!trimmed.isEmpty())
                        tags << trimmed;
                }
            }
        }
        if (messy)
            report("messy-tags"_L1, id(), u"tags "_s + shownValue(m, FTags),
                   u"trim each tag, drop empty ones, keep the order"_s);

        // domain (spec §3.4); '/' is never part of another character's UTF-8
        const bool domainNull = m.isNull(FDomain);
        const QByteArrayView domain = m.view(FDomain);
        if (domainNull || domain.isEmpty() || domain == "global")
            report("legacy-domain"_L1, id(), u"domain "_s + shownValue(m, FDomain) + u" (read as project scope)"_s,
                   u"write 'project'"_s);
        else if (std::count(domain.begin(), domain.end(), '/') >= 2)
            report("unreadable-domain"_L1, id(),
                   u"domain "_s + quoted(QString::fromUtf8(domain))
                       + u" has three or more parts: subcog reads it as project scope"_s,
                   u"none automatic: decide which scope it should have"_s);

        // namespace and status (spec §3.3, §3.5)
        const bool nsNull = m.isNull(FNamespace);
        if (const auto [parsed, canonical] = m_namespaces(m.view(FNamespace)); !parsed || nsNull)
            report("unknown-namespace"_L1, id(),
                   u"namespace "_s + shownValue(m, FNamespace) + u" is read as 'decisions'"_s,
                   u"none automatic: choose the namespace"_s);
        else if (!canonical)
            report("noncanonical-namespace"_L1, id(),
                   u"namespace "_s + quoted(m.text(FNamespace)) + u" is read as '"_s + namespaceName(*parsed) + u'\'',
                   u"write '"_s + namespaceName(*parsed) + u'\'');
        const bool statusNull = m.isNull(FStatus);
        const auto [spelledStatus, canonicalStatus] = m_statuses(m.view(FStatus));
        const auto parsedStatus = statusNull ? std::nullopt : spelledStatus;
        if (!parsedStatus)
            report("unknown-status"_L1, id(), u"status "_s + shownValue(m, FStatus) + u" is read as 'active'"_s,
                   u"none automatic: choose the status"_s);
        else if (!canonicalStatus)
            report("noncanonical-status"_L1, id(),
                   u"status "_s + quoted(m.text(FStatus)) + u" is read as '"_s + statusName(*parsedStatus) + u'\'',
                   u"write '"_s + statusName(*parsedStatus) + u'\'');

        // tombstones and TTL
        const bool statusTombstoned = parsedStatus == MemoryStatus::Tombstoned;
        const bool hasTombstonedAt = m_tombstonedAtColumn && !m.isNull(FTombstonedAt);
        if (m_tombstonedAtColumn && statusTombstoned != hasTombstonedAt)
            report("half-tombstoned"_L1, id(),
                   hasTombstonedAt ? QString(u"tombstoned_at is set but the status is "_s + shownValue(m, FStatus))
                                   : QString(u"status "_s + quoted(m.text(FStatus)) + u" but tombstoned_at is NULL"_s),
                   hasTombstonedAt ? u"set status 'tombstoned'"_s : u"set tombstoned_at to the created time"_s);
        const bool live = !statusTombstoned && !hasTombstonedAt;
        if (live && !m.isNull(FExpiresAt) && m.integer(FExpiresAt) < m_now)
            report("expired-active"_L1, id(),
                   u"expired at "_s + QString::number(m.integer(FExpiresAt)) + u" and still recalled"_s,
                   u"tombstone it"_s);

        // created_at: Unix seconds, positive, not in the future
        if (m.type(FCreatedAt) != SQLITE_INTEGER)
            report("bad-time"_L1, id(), u"created_at "_s + shownValue(m, FCreatedAt) + u" is not a number of seconds"_s,
                   u"none automatic"_s);
        else if (const qint64 created = m.integer(FCreatedAt); created <= 0 || created > m_now)
            report("bad-time"_L1, id(),
                   u"created_at "_s + QString::number(created)
                       + (created <= 0 ? u" is not after 1970"_s : u" is in the future"_s),
                   u"none automatic"_s);

        // summaries
        const bool summaryColumn = m_isSummaryColumn;
        const bool isSummary = summaryColumn && !m.isNull(FIsSummary) && m.integer(FIsSummary) != 0;
        QStringList problems;
        if (summaryColumn && m.isNull(FIsSummary))
            problems << u"is_summary is NULL"_s;
        QStringList sources;
        bool sourcesValid = true;
        if (!m.isNull(FSourceIds)) {
            const QJsonDocument doc = QJsonDocument::fromJson(m.bytes(FSourceIds));
            sourcesValid = doc.isArray();
            for (const QJsonValue& item : doc.array()) {
                if (!item.isString())
                    sourcesValid = false;
                else
                    sources << item.toString();
            }
            if (!sourcesValid)
                problems << u"source_memory_ids "_s + quoted(m.text(FSourceIds)) + u" is not a JSON array of ids"_s;
        }
        QStringList missingSources;
        QStringList presentSources;
        if (isSummary && sourcesValid) {
            if (sources.isEmpty())
                problems << u"a summary without sources"_s;
            for (const QString& source : std::as_const(sources)) {
                memoryExists.bind(1, source);
                (memoryExists.exists() ? presentSources : missingSources) << source;
            }
            if (!missingSources.isEmpty())
                problems << u"sources no longer exist: "_s + missingSources.join(u", "_s);
        }
        if (!problems.isEmpty())
            report("bad-summary"_L1, id(), problems.join(u"; "_s),
                   u"NULL is_summary becomes 0, invalid source_memory_ids becomes []; missing sources are listed"_s);
        if (isSummary && edgeExists) {
            QStringList lost;
            for (const QString& source : std::as_const(presentSources)) {
                edgeExists->bind(1, source);
                edgeExists->bind(2, id());
                edgeExists->bind(3, u"summarized_by"_s);
                bool both = edgeExists->exists();
                edgeExists->bind(1, id());
                edgeExists->bind(2, source);
                edgeExists->bind(3, u"source_of"_s);
                both = edgeExists->exists() && both;
                if (!both)
                    lost << source;
            }
            if (!lost.isEmpty())
                report("lost-edge"_L1, id(), u"summary edges missing for sources "_s + lost.join(u", "_s),
                       u"re-create both edges per source from source_memory_ids"_s);
        }

        // content hash (spec §3.2): summaries carry their sources' hash tags by design
        if (!content)
            return live;
        if (!isSummary) {
            constexpr QByteArrayView kPrefix = "hash:sha256:";
            std::optional<QString> stale;
            if (asciiTags) {
                char expected[28];
                std::memcpy(expected, kPrefix.data(), 12);
                for (int i = 0; i < 16; ++i)
                    expected[12 + i] = "0123456789abcdef"[(*content >> (60 - 4 * i)) & 0xf];
                if (!rawTags.isEmpty()) {
                    forEachPart(rawTags, [&](QByteArrayView part) {
                        const QByteArrayView tag = trimmedAscii(part);
                        if (!stale && tag.startsWith(kPrefix) && tag != QByteArrayView(expected, 28))
                            stale = QString::fromLatin1(tag);
                    });
                }
            } else {
                const QString hash = hashTag(*content);
                for (const QString& tag : std::as_const(tags)) {
                    if (tag.startsWith("hash:sha256:"_L1) && tag != hash) {
                        stale = tag;
                        break;
                    }
                }
            }
            if (stale)
                report("stale-hash-tag"_L1, id(),
                       u"tag "_s + quoted(*stale) + u", content hashes to "_s + quoted(hashTag(*content)),
                       u"replace the tag"_s);
        }
        if (live) {
            if (!self) { // the content column's layout: an entry of its own, for duplicate-memory only
                m_entries.emplace_back();
                self = &m_entries.back();
                setId(*self, id.bytes());
            }
            self->contentHash = *content;
            self->live = true;
            self->createdAt = m.integer(FCreatedAt);
        }
        return live;
    }

    bool checkEdges()
    {
        if (!m_hasEdges)
            return true;
        // a text end is looked up among the memory ids (NULL tells the loop so), any other end by SQL as before
        Statement q(m_db,
                    m_edgesByIndex
                        ? u"SELECT e.from_id, e.to_id, e.edge_type, CASE WHEN typeof(e.from_id) = 'text' THEN "
                          "NULL ELSE EXISTS (SELECT 1 FROM memories WHERE id = e.from_id) END, CASE WHEN "
                          "typeof(e.to_id) = 'text' THEN NULL ELSE EXISTS (SELECT 1 FROM memories WHERE id = "
                          "e.to_id) END FROM memory_edges e"_s
                        : u"SELECT e.from_id, e.to_id, e.edge_type, "
                          "EXISTS (SELECT 1 FROM memories WHERE id = e.from_id), "
                          "EXISTS (SELECT 1 FROM memories WHERE id = e.to_id) FROM memory_edges e"_s);
        auto isMemory = [&](int end, int exists) {
            if (!q.isNull(exists))
                return q.integer(exists) != 0;
            const quint32 slot = slotFor(q.view(end));
            return slot != 0 && m_entries[slot - 1].isMemory;
        };
        while (q.step()) {
            if (cancelled())
                return false;
            const bool fromExists = isMemory(0, 3);
            const bool toExists = isMemory(1, 4);
            const QByteArrayView typeBytes = q.view(2);
            const bool knownType
                = std::find(std::begin(kEdgeTypes), std::end(kEdgeTypes), typeBytes) != std::end(kEdgeTypes);
            if (fromExists && toExists && knownType)
                continue;
            const QString from = q.text(0);
            const QString to = q.text(1);
            const QString type = q.text(2);
            QStringList problems;
            if (!fromExists)
                problems << u"from "_s + quoted(from) + u" is not a memory"_s;
            if (!toExists)
                problems << u"to "_s + quoted(to) + u" is not a memory"_s;
            if (!knownType)
                problems << u"unknown edge type "_s + quoted(type);
            report("dangling-edge"_L1, from,
                   u"edge "_s + quoted(from) + u" -> "_s + quoted(to) + u" ("_s + type + u"): "_s
                       + problems.join(u"; "_s),
                   !fromExists || !toExists ? u"delete the edge"_s
                                            : u"none automatic (unknown types are reported only)"_s);
        }
        return true;
    }

    // ---- what subcog keeps beside index.db (spec §14): embeddings and the graph's mentions ----

    /// The entry of a memory with this id, or nullptr.
    Entry* memoryEntry(QByteArrayView id)
    {
        const quint32 slot = slotFor(id);
        return slot != 0 && m_entries[slot - 1].anyMemory ? &m_entries[slot - 1] : nullptr;
    }

    void reportUnreadable(const QString& file, const QString& reason, const QString& fix)
    {
        report("integrity"_L1, std::nullopt, file + u" beside the store cannot be read: "_s + reason,
               u"none automatic: "_s + fix);
    }

    /// orphan-vector and missing-vector: vectors.idx (spec §14.2) and usearch's vectors.meta.json, each scanned for its
    /// ids only, in pieces (a vectors.idx can be gigabytes), and matched with the memory ids of the memories pass.
    bool checkVectors()
    {
        if (!m_indexAround)
            return true;
        struct VectorFile
        {
            QString name;
            QLatin1StringView member; ///< the object whose keys are the ids
            QStringList required; ///< keys subcog's loader needs
            QString detail;
            QString fix;
            QString unreadableFix;
        };
        const VectorFile files[] = {
            {u"vectors.idx"_s,
             "vectors"_L1,
             {u"dimensions"_s, u"vectors"_s},
             u"an embedding in vectors.idx for a memory that does not exist"_s,
             u"delete the vector"_s,
             u"subcog cannot load it either; restore it from a backup, or move it aside and let subcog's `migrate "
             "embeddings` re-embed the memories"_s},
            {u"vectors.meta.json"_s,
             "id_to_key"_L1,
             {u"id_to_key"_s},
             u"an embedding in usearch's vectors.usearch (listed in vectors.meta.json) for a memory that does not "
             "exist"_s,
             u"none automatic: usearch's binary vectors.usearch cannot be edited without the usearch library; subcog's "
             "vector search drops the hit"_s,
             u"subcog cannot map its usearch index to memories; restore it from a backup"_s},
        };
        bool keepsVectors = false; // some file holds an embedding: then every live memory should have one
        bool everyFileRead = true; // a damaged file hides which memories have one
        QStringList kept; // the files that hold embeddings
        for (const VectorFile& file : files) {
            const QString path = SqliteBackend::fileBesideIndex(m_db.path(), file.name);
            if (!QFileInfo::exists(path))
                continue;
            kept << (file.member == "vectors"_L1 ? file.name : u"usearch's "_s + file.name);
            QFile device(path);
            if (!device.open(QIODevice::ReadOnly)) {
                everyFileRead = false;
                reportUnreadable(file.name, device.errorString(), file.unreadableFix);
                continue;
            }
            const JsonMemberScan scan = scanJsonObjectMembers(device, file.member, [&](const JsonMemberSpan& member) {
                if (cancelled())
                    return false;
                keepsVectors = true;
                const QByteArray id = member.key.toUtf8();
                if (Entry* e = memoryEntry(id))
                    e->hasVector = true;
                else
                    report("orphan-vector"_L1, member.key, file.detail, file.fix);
                return true;
            });
            if (scan.cancelled)
                return false;
            QString problem = scan.error;
            for (const QString& key : file.required) {
                if (problem.isEmpty() && !scan.topLevelKeys.contains(key))
                    problem = u"no \""_s + key + u"\" in it"_s;
            }
            if (!problem.isEmpty()) {
                everyFileRead = false;
                reportUnreadable(file.name, u"not subcog's "_s + file.name + u" JSON "_s + problem, file.unreadableFix);
            }
        }
        if (!keepsVectors || !everyFileRead)
            return true;
        const QString missing = u"a live memory without an embedding in "_s + kept.join(u" or "_s);
        for (const Entry& e : m_entries) {
            if (cancelled())
                return false;
            if (e.anyMemory && e.liveMemory && !e.hasVector)
                report("missing-vector"_L1, QString::fromUtf8(e.idView()), missing,
                       u"none automatic: subcog's `migrate embeddings` re-embeds it"_s);
        }
        return true;
    }

    /// orphan-mention: graph.db's graph_entity_mentions rows (spec §14.1) whose memory_id is no memory.
    bool checkMentions()
    {
        if (!m_indexAround)
            return true;
        const QString path = SqliteBackend::fileBesideIndex(m_db.path(), u"graph.db"_s);
        if (!QFileInfo::exists(path))
            return true;
        const QString fix = u"copy graph.db elsewhere and try sqlite3's .recover; subcog rebuilds no graph by itself"_s;
        try {
            Connection graph(path);
            QSet<QString> columns;
            {
                Statement q(graph, u"SELECT lower(name) FROM pragma_table_info('graph_entity_mentions')"_s);
                while (q.step())
                    columns.insert(q.text(0));
            }
            if (columns.isEmpty()) // subcog creates the tables when the graph is first used
                return true;
            if (!columns.contains(u"entity_id"_s) || !columns.contains(u"memory_id"_s)) {
                reportUnreadable(u"graph.db"_s, u"table 'graph_entity_mentions' has no entity_id or memory_id"_s, fix);
                return true;
            }
            Statement q(graph, u"SELECT entity_id, memory_id FROM graph_entity_mentions"_s);
            while (q.step()) {
                if (cancelled())
                    return false;
                if (memoryEntry(q.view(1)))
                    continue;
                report("orphan-mention"_L1, q.text(1),
                       u"graph entity "_s + quoted(q.text(0)) + u" mentions a memory that does not exist"_s,
                       u"delete the mention and decrement the entity's mention_count"_s);
            }
        } catch (const StorageError& e) {
            reportUnreadable(u"graph.db"_s, e.message(), fix);
        }
        return true;
    }

    bool checkDuplicates()
    {
        // groups of live memories sharing a content hash, in hash order, each oldest first (then by id): the oldest
        // is the one a repair keeps
        std::vector<quint32>().swap(m_slots); // no more look-ups: its memory goes before the pairs come
        std::vector<std::pair<quint64, quint32>> live; // hash, entry index: 16 bytes a live memory
        live.reserve(size_t(std::count_if(m_entries.begin(), m_entries.end(), [](const Entry& e) { return e.live; })));
        for (quint32 i = 0; i < m_entries.size(); ++i) {
            if (m_entries[i].live)
                live.emplace_back(m_entries[i].contentHash, i);
        }
        std::sort(live.begin(), live.end());
        std::vector<quint32> group;
        for (size_t begin = 0, end = 0; begin < live.size(); begin = end) {
            for (end = begin + 1; end < live.size() && live[end].first == live[begin].first;)
                ++end;
            if (end - begin < 2)
                continue;
            group.clear();
            for (size_t i = begin; i < end; ++i)
                group.push_back(live[i].second);
            std::sort(group.begin(), group.end(), [&](quint32 a, quint32 b) {
                const Entry& x = m_entries[a];
                const Entry& y = m_entries[b];
                if (x.createdAt != y.createdAt)
                    return x.createdAt < y.createdAt;
                return compareIds(x.idView(), y.idView()) < 0;
            });
            const QString hash = hashTag(live[begin].first);
            const QString kept = QString::fromUtf8(m_entries[group.front()].idView());
            for (size_t i = 1; i < group.size(); ++i) {
                if (cancelled())
                    return false;
                report("duplicate-memory"_L1, QString::fromUtf8(m_entries[group[i]].idView()),
                       u"same content as the older memory "_s + quoted(kept) + u" ("_s + hash + u')',
                       u"keep "_s + quoted(kept) + u", union the tags onto it, tombstone this one"_s);
            }
        }
        return true;
    }

    bool checkIntegrity()
    {
        const std::optional<QStringList> lines = m_integrity->wait(m_options.cancelled);
        if (!lines)
            return false;
        for (const QString& line : *lines)
            report("integrity"_L1, std::nullopt, line,
                   u"none automatic: copy the store elsewhere and try sqlite3's .recover"_s);
        return true;
    }
};

} // namespace

bool checkSqliteStore(const QString& path, const FindingSink& sink, const SqliteCheckOptions& options)
{
    Checker checker(path, sink, options);
    return checker.run();
}

} // namespace Inspector
