// SPDX-License-Identifier: MIT
#include "sqlitecheck.h"

#include "memory.h"
#include "storageerror.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <sqlite3.h>

#include <cstring>

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
        const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, SQLITE_OPEN_READONLY, nullptr);
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
    QString text(int column) const { return QString::fromUtf8(bytes(column)); }

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

bool isKnownEdgeType(const QString& type)
{
    static const QSet<QString> known {u"summarized_by"_s, u"source_of"_s, u"contradicts"_s, u"supersedes"_s,
                                      u"related_to"_s,    u"refines"_s,   u"parent_of"_s,   u"child_of"_s};
    return known.contains(type);
}

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
        exec("CREATE TEMP TABLE check_hashes (hash TEXT NOT NULL, id TEXT NOT NULL, created_at INTEGER)");
        const bool done = checkMemories() && checkEdges() && checkDuplicates() && checkIntegrity();
        exec("ROLLBACK");
        return done;
    }

private:
    Connection m_db;
    const FindingSink& m_sink;
    const SqliteCheckOptions& m_options;
    qint64 m_now;
    QSet<QString> m_columns;
    bool m_hasFts = false;
    bool m_ftsShadow = false; // memories_fts_content readable without the FTS5 module
    bool m_hasEdges = false;
    bool m_tombstonedAtColumn = false; // v0.3+
    bool m_isSummaryColumn = false; // v0.6+
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
        if (!m_hasFts && !m_columns.contains(u"content"_s))
            throw StorageError(StorageError::Kind::InvalidInput,
                               m_db.path() + u": not a subcog store: no 'memories_fts' table and no content column"_s);
    }

    // ---- memories, merged with their full-text rows (both sorted by id) ----

    struct FtsRow
    {
        QByteArray id;
        qint64 rowid = 0;
        QString tags;
        QString content;
    };
    std::optional<Statement> m_fts; // full-text rows sorted by id, then rowid
    std::optional<FtsRow> m_pending; // the next full-text row not yet matched to a memories row

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
        select += u" FROM memories m"_s + (m_hasFts ? u" ORDER BY m.id"_s : QString());
        Statement memories(m_db, select);

        if (m_hasFts) {
            // the shadow table holds FTS5's own copy (c0 id, c1 content, c2 tags) and needs no FTS5 module
            m_fts.emplace(m_db,
                          m_ftsShadow
                              ? u"SELECT CAST(c0 AS TEXT), id, c2, c1 FROM memories_fts_content ORDER BY 1, 2"_s
                              : u"SELECT CAST(id AS TEXT), rowid, tags, content FROM memories_fts ORDER BY 1, 2"_s);
        }
        nextFts();

        Statement memoryExists(m_db, u"SELECT 1 FROM memories WHERE id = ?"_s);
        std::optional<Statement> edgeExists;
        if (m_hasEdges)
            edgeExists.emplace(m_db, u"SELECT 1 FROM memory_edges WHERE from_id = ? AND to_id = ? AND edge_type = ?"_s);
        Statement addHash(m_db, u"INSERT INTO check_hashes (hash, id, created_at) VALUES (?, ?, ?)"_s);

        while (memories.step()) {
            if (cancelled())
                return false;
            const QByteArray idBytes = memories.bytes(FId);
            const QString id = QString::fromUtf8(idBytes);
            // full-text rows sorting before this id have no memories row
            while (m_pending && m_pending->id < idBytes) {
                if (!orphans())
                    return false;
            }
            std::optional<FtsRow> first;
            QList<qint64> extraRowids;
            int ftsRows = 0;
            while (m_pending && m_pending->id == idBytes) {
                if (!first)
                    first = std::move(*m_pending);
                else if (extraRowids.size() < kListedRowids)
                    extraRowids << m_pending->rowid;
                ++ftsRows;
                nextFts();
            }

            std::optional<QString> content;
            if (first)
                content = first->content;
            else if (!m_hasFts && !memories.isNull(FContent))
                content = memories.text(FContent);
            // a tombstone needs no content: it is how a repair settles this finding (spec §15)
            const bool tombstoned = parseStatus(memories.text(FStatus)) == MemoryStatus::Tombstoned
                || (m_tombstonedAtColumn && !memories.isNull(FTombstonedAt));
            if (m_hasFts && !first && !tombstoned)
                report("missing-content"_L1, id, u"no full-text row: subcog's reads and search do not see it"_s,
                       u"tombstone it (or delete on request); its content cannot be recovered"_s);
            if (ftsRows > 1) {
                QStringList rowids;
                for (qint64 r : std::as_const(extraRowids))
                    rowids << QString::number(r);
                report("duplicate-content"_L1, id,
                       QString::number(ftsRows) + u" full-text rows; subcog reads rowid "_s
                           + QString::number(first->rowid) + u", the others are rowid "_s + rowids.join(u", "_s)
                           + (ftsRows - 1 > extraRowids.size() ? u", …"_s : QString()),
                       u"keep the first full-text row, delete the others"_s);
            }
            const QString rawTags = memories.text(FTags);
            if (first && first->tags != rawTags)
                report("tags-drift"_L1, id,
                       u"full-text tags "_s + quoted(first->tags) + u", metadata tags "_s + shownValue(memories, FTags),
                       u"rewrite the full-text tags from the metadata row"_s);
            checkRow(memories, id, rawTags, content, memoryExists, edgeExists, addHash);
        }
        while (m_pending) {
            if (!orphans())
                return false;
        }
        return true;
    }

    void nextFts()
    {
        m_pending.reset();
        if (m_fts && m_fts->step())
            m_pending = FtsRow {m_fts->bytes(0), m_fts->integer(1), m_fts->text(2), m_fts->text(3)};
    }

    /// Reports the pending full-text row's id (none of its rows has a memories row) and moves past its rows.
    bool orphans()
    {
        const QByteArray id = m_pending->id;
        int count = 0;
        while (m_pending && m_pending->id == id) {
            ++count;
            nextFts();
            if (cancelled())
                return false;
        }
        report("orphan-content"_L1, QString::fromUtf8(id),
               (count > 1 ? QString::number(count) + u" full-text rows"_s : u"a full-text row"_s)
                   + u" without a memories row: search drops it, subcog's reindex deletes it"_s,
               u"rebuild the metadata row (context, active, domain project, tags from the full-text row)"_s);
        return true;
    }

    void checkRow(const Statement& m, const QString& id, const QString& rawTags, const std::optional<QString>& content,
                  Statement& memoryExists, std::optional<Statement>& edgeExists, Statement& addHash)
    {
        // tags: written as `a,b` with no spaces; '' is an empty list
        const QStringList parts = rawTags.split(u',');
        QStringList tags;
        bool messy = m.isNull(FTags);
        if (!rawTags.isEmpty()) {
            for (const QString& part : parts) {
                const QString trimmed = part.trimmed();
                if (trimmed.isEmpty() || trimmed != part)
                    messy = true;
                if (!trimmed.isEmpty())
                    tags << trimmed;
            }
        }
        if (messy)
            report("messy-tags"_L1, id, u"tags "_s + shownValue(m, FTags),
                   u"trim each tag, drop empty ones, keep the order"_s);

        // domain (spec §3.4)
        const QString domain = m.text(FDomain);
        if (m.isNull(FDomain) || domain.isEmpty() || domain == "global"_L1)
            report("legacy-domain"_L1, id, u"domain "_s + shownValue(m, FDomain) + u" (read as project scope)"_s,
                   u"write 'project'"_s);
        else if (domain.split(u'/').size() >= 3)
            report("unreadable-domain"_L1, id,
                   u"domain "_s + quoted(domain) + u" has three or more parts: subcog reads it as project scope"_s,
                   u"none automatic: decide which scope it should have"_s);

        // namespace and status (spec §3.3, §3.5)
        const QString ns = m.text(FNamespace);
        if (const auto parsed = parseNamespace(ns); !parsed || m.isNull(FNamespace))
            report("unknown-namespace"_L1, id,
                   u"namespace "_s + shownValue(m, FNamespace) + u" is read as 'decisions'"_s,
                   u"none automatic: choose the namespace"_s);
        else if (namespaceName(*parsed) != ns)
            report("noncanonical-namespace"_L1, id,
                   u"namespace "_s + quoted(ns) + u" is read as '"_s + namespaceName(*parsed) + u'\'',
                   u"write '"_s + namespaceName(*parsed) + u'\'');
        const QString status = m.text(FStatus);
        const auto parsedStatus = m.isNull(FStatus) ? std::nullopt : parseStatus(status);
        if (!parsedStatus)
            report("unknown-status"_L1, id, u"status "_s + shownValue(m, FStatus) + u" is read as 'active'"_s,
                   u"none automatic: choose the status"_s);
        else if (statusName(*parsedStatus) != status)
            report("noncanonical-status"_L1, id,
                   u"status "_s + quoted(status) + u" is read as '"_s + statusName(*parsedStatus) + u'\'',
                   u"write '"_s + statusName(*parsedStatus) + u'\'');

        // tombstones and TTL
        const bool statusTombstoned = parsedStatus == MemoryStatus::Tombstoned;
        const bool hasTombstonedAt = m_tombstonedAtColumn && !m.isNull(FTombstonedAt);
        if (m_tombstonedAtColumn && statusTombstoned != hasTombstonedAt)
            report("half-tombstoned"_L1, id,
                   hasTombstonedAt ? QString(u"tombstoned_at is set but the status is "_s + shownValue(m, FStatus))
                                   : QString(u"status "_s + quoted(status) + u" but tombstoned_at is NULL"_s),
                   hasTombstonedAt ? u"set status 'tombstoned'"_s : u"set tombstoned_at to the created time"_s);
        const bool live = !statusTombstoned && !hasTombstonedAt;
        if (live && !m.isNull(FExpiresAt) && m.integer(FExpiresAt) < m_now)
            report("expired-active"_L1, id,
                   u"expired at "_s + QString::number(m.integer(FExpiresAt)) + u" and still recalled"_s,
                   u"tombstone it"_s);

        // created_at: Unix seconds, positive, not in the future
        if (m.type(FCreatedAt) != SQLITE_INTEGER)
            report("bad-time"_L1, id, u"created_at "_s + shownValue(m, FCreatedAt) + u" is not a number of seconds"_s,
                   u"none automatic"_s);
        else if (const qint64 created = m.integer(FCreatedAt); created <= 0 || created > m_now)
            report("bad-time"_L1, id,
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
            report("bad-summary"_L1, id, problems.join(u"; "_s),
                   u"NULL is_summary becomes 0, invalid source_memory_ids becomes []; missing sources are listed"_s);
        if (isSummary && edgeExists) {
            QStringList lost;
            for (const QString& source : std::as_const(presentSources)) {
                edgeExists->bind(1, source);
                edgeExists->bind(2, id);
                edgeExists->bind(3, u"summarized_by"_s);
                bool both = edgeExists->exists();
                edgeExists->bind(1, id);
                edgeExists->bind(2, source);
                edgeExists->bind(3, u"source_of"_s);
                both = edgeExists->exists() && both;
                if (!both)
                    lost << source;
            }
            if (!lost.isEmpty())
                report("lost-edge"_L1, id, u"summary edges missing for sources "_s + lost.join(u", "_s),
                       u"re-create both edges per source from source_memory_ids"_s);
        }

        // content hash (spec §3.2): summaries carry their sources' hash tags by design
        if (!content)
            return;
        const QString hash = contentHashTag(*content);
        if (!isSummary) {
            for (const QString& tag : std::as_const(tags)) {
                if (tag.startsWith("hash:sha256:"_L1) && tag != hash) {
                    report("stale-hash-tag"_L1, id, u"tag "_s + quoted(tag) + u", content hashes to "_s + quoted(hash),
                           u"replace the tag"_s);
                    break;
                }
            }
        }
        if (live) {
            addHash.bind(1, hash);
            addHash.bind(2, id);
            addHash.bind(3, m.integer(FCreatedAt));
            addHash.step();
            addHash.reset();
        }
    }

    bool checkEdges()
    {
        if (!m_hasEdges)
            return true;
        Statement q(m_db,
                    u"SELECT e.from_id, e.to_id, e.edge_type, "
                    "EXISTS (SELECT 1 FROM memories WHERE id = e.from_id), "
                    "EXISTS (SELECT 1 FROM memories WHERE id = e.to_id) FROM memory_edges e"_s);
        while (q.step()) {
            if (cancelled())
                return false;
            const QString from = q.text(0);
            const QString to = q.text(1);
            const QString type = q.text(2);
            QStringList problems;
            if (q.integer(3) == 0)
                problems << u"from "_s + quoted(from) + u" is not a memory"_s;
            if (q.integer(4) == 0)
                problems << u"to "_s + quoted(to) + u" is not a memory"_s;
            if (!isKnownEdgeType(type))
                problems << u"unknown edge type "_s + quoted(type);
            if (problems.isEmpty())
                continue;
            const bool missingEnd = q.integer(3) == 0 || q.integer(4) == 0;
            report("dangling-edge"_L1, from,
                   u"edge "_s + quoted(from) + u" -> "_s + quoted(to) + u" ("_s + type + u"): "_s
                       + problems.join(u"; "_s),
                   missingEnd ? u"delete the edge"_s : u"none automatic (unknown types are reported only)"_s);
        }
        return true;
    }

    bool checkDuplicates()
    {
        // groups of live memories sharing a content hash, oldest first; the oldest is the one a repair keeps
        Statement q(m_db,
                    u"SELECT hash, id FROM check_hashes WHERE hash IN "
                    "(SELECT hash FROM check_hashes GROUP BY hash HAVING count(*) > 1) "
                    "ORDER BY hash, created_at, id"_s);
        QString groupHash;
        QString kept;
        while (q.step()) {
            if (cancelled())
                return false;
            const QString hash = q.text(0);
            const QString id = q.text(1);
            if (hash != groupHash) {
                groupHash = hash;
                kept = id;
                continue;
            }
            report("duplicate-memory"_L1, id,
                   u"same content as the older memory "_s + quoted(kept) + u" ("_s + hash + u')',
                   u"keep "_s + quoted(kept) + u", union the tags onto it, tombstone this one"_s);
        }
        return true;
    }

    bool checkIntegrity()
    {
        Statement q(m_db, u"PRAGMA quick_check"_s);
        while (q.step()) {
            if (cancelled())
                return false;
            const QString line = q.text(0);
            if (line != "ok"_L1)
                report("integrity"_L1, std::nullopt, line,
                       u"none automatic: copy the store elsewhere and try sqlite3's .recover"_s);
        }
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
