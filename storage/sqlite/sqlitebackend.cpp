// SPDX-License-Identifier: MIT
#include "sqlitebackend.h"

#include "sqliteschema.h"

#include <QAtomicInteger>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>

#include <sqlite3.h>

#include <array>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSqlite, "inspector.storage.sqlite", QtWarningMsg)

namespace Inspector {

namespace {

// Columns of `memories` the inspector knows, in select-list order (after rowid).
enum Field
{
    FId,
    FNamespace,
    FDomain,
    FProjectId,
    FBranch,
    FFilePath,
    FStatus,
    FCreatedAt,
    FTags,
    FSource,
    FTombstonedAt,
    FExpiresAt,
    FIsSummary,
    FSourceMemoryIds,
    FConsolidationTimestamp,
    FGroupId,
    FContent,
    FieldCount
};
constexpr std::array<QLatin1StringView, FieldCount> kFieldNames {
    "id"_L1,
    "namespace"_L1,
    "domain"_L1,
    "project_id"_L1,
    "branch"_L1,
    "file_path"_L1,
    "status"_L1,
    "created_at"_L1,
    "tags"_L1,
    "source"_L1,
    "tombstoned_at"_L1,
    "expires_at"_L1,
    "is_summary"_L1,
    "source_memory_ids"_L1,
    "consolidation_timestamp"_L1,
    "group_id"_L1,
    "content"_L1,
};

constexpr int kChunk = 400; // ids per IN list / FTS OR-query; well under SQLite's variable limit

QString quoteIdentifier(QStringView name)
{
    return u'"' + name.toString().replace(u'"', u"\"\""_s) + u'"';
}

QStringList splitTags(const QString& raw)
{
    QStringList tags;
    for (QStringView part : QStringView(raw).split(u',')) {
        const QStringView trimmed = part.trimmed();
        if (!trimmed.isEmpty())
            tags.append(trimmed.toString());
    }
    return tags;
}

// inspector_has_tag(tags, tag): subcog's reader semantics (split on ',', trim, exact match).
void hasTagFunction(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    const auto* tagsText = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    const int tagsBytes = sqlite3_value_bytes(argv[0]);
    const auto* tagText = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
    const int tagBytes = sqlite3_value_bytes(argv[1]);
    const QString tags = QString::fromUtf8(tagsText, tagsBytes);
    const QString tag = QString::fromUtf8(tagText, tagBytes);
    for (QStringView part : QStringView(tags).split(u',')) {
        if (part.trimmed() == tag) {
            sqlite3_result_int(ctx, 1);
            return;
        }
    }
    sqlite3_result_int(ctx, 0);
}

bool hasFullTextToken(const QString& text)
{
    // unicode61 tokens are runs of letters, numbers and private-use characters
    return std::any_of(text.begin(), text.end(),
                       [](QChar c) { return c.isLetterOrNumber() || c.category() == QChar::Other_PrivateUse; });
}

QString ftsPhrase(const QString& text)
{
    return u'"' + QString(text).replace(u'"', u"\"\""_s) + u'"';
}

QString globPattern(const QString& wildcard)
{
    // only '*' is a wildcard in subcog's filter language; GLOB's other specials become literals
    QString out;
    for (QChar c : wildcard) {
        if (c == u'?' || c == u'[')
            out += u'[' + QString(c) + u']';
        else
            out += c;
    }
    return out;
}

QString placeholders(qsizetype n)
{
    QString s;
    s.reserve(n * 2);
    for (qsizetype i = 0; i < n; ++i)
        s += i ? u",?"_s : u"?"_s;
    return s;
}

// Qt binds a null QString as SQL NULL; subcog writes '' for empty tags and content.
QString notNull(const QString& text)
{
    return text.isNull() ? u""_s : text;
}

bool isInteger(const QVariant& v)
{
    const int type = v.typeId();
    return type == QMetaType::LongLong || type == QMetaType::Int || type == QMetaType::ULongLong
        || type == QMetaType::UInt;
}

// Bytes 18 and 19 of the header are 2 for a database in WAL mode.
bool isWalFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray header = file.read(20);
    return header.size() == 20 && header.startsWith("SQLite format 3") && header[18] == 2;
}

struct Transaction
{
    // One BEGIN IMMEDIATE … COMMIT unit; rolls back unless committed, so a failed write leaves nothing behind.
    explicit Transaction(QSqlDatabase db)
        : db(std::move(db))
    {
    }
    ~Transaction()
    {
        if (open && !committed) {
            QSqlQuery q(db);
            q.exec(u"ROLLBACK"_s);
        }
    }
    QSqlDatabase db;
    bool open = false;
    bool committed = false;
};

QAtomicInteger<quint64> g_connectionCounter;

} // namespace

struct SqliteBackend::ContentRow
{
    qint64 rowid = 0;
    QString content;
    QVariant tags;
};

struct SqliteBackend::Fragment
{
    QString sql;
    QVariantList binds;
};

struct SqliteBackend::RawRow
{
    qint64 rowid = 0;
    std::array<QVariant, FieldCount> values;
};

SqliteBackend::SqliteBackend(QString path, QString connectionName, bool readOnly)
    : m_path(std::move(path))
    , m_connectionName(std::move(connectionName))
    , m_readOnly(readOnly)
    , m_thread(QThread::currentThread())
{
}

SqliteBackend::~SqliteBackend()
{
    // the connection closes before m_snapshot removes a private copy
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isValid())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QString SqliteBackend::kind() const
{
    return u"sqlite"_s;
}

std::unique_ptr<SqliteBackend> SqliteBackend::open(const QString& path, OpenMode mode)
{
    const QFileInfo info(path);
    if (!info.exists())
        throw StorageError(StorageError::Kind::NotFound, path + u": no such file"_s);
    if (info.isDir())
        throw StorageError(StorageError::Kind::InvalidInput, path + u": is a directory, not an SQLite file"_s);
    if (!info.isReadable())
        throw StorageError(StorageError::Kind::OperationFailed, path + u": no permission to read the file"_s);
    bool readOnly = mode == OpenMode::ReadOnly;
    if (mode == OpenMode::Auto)
        readOnly = !info.isWritable();
    if (mode == OpenMode::ReadWrite && !info.isWritable())
        throw StorageError(StorageError::Kind::OperationFailed, path + u": no permission to write the file"_s);

    auto attempt = [&](const QString& file) {
        const QString name = u"inspector-sqlite-"_s + QString::number(++g_connectionCounter);
        std::unique_ptr<SqliteBackend> backend(new SqliteBackend(info.absoluteFilePath(), name, readOnly));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            // A URI with mode=rw/ro never creates a missing file, unlike a plain path.
            QUrl uri = QUrl::fromLocalFile(file);
            uri.setQuery(readOnly ? u"mode=ro"_s : u"mode=rw"_s);
            db.setDatabaseName(uri.toString(QUrl::FullyEncoded));
            db.setConnectOptions(readOnly ? u"QSQLITE_OPEN_URI;QSQLITE_BUSY_TIMEOUT=5000;QSQLITE_OPEN_READONLY"_s
                                          : u"QSQLITE_OPEN_URI;QSQLITE_BUSY_TIMEOUT=5000"_s);
            if (!db.open())
                backend->fail(u"cannot open the file"_s, db.lastError());
        }
        backend->inspectSchema();
        return backend;
    };
    try {
        return attempt(info.absoluteFilePath());
    } catch (const StorageError&) {
        // A WAL store in a folder we cannot write: SQLite cannot create the -shm index it needs even to read.
        // Reading a private copy of the database and its -wal sees every committed row and changes nothing.
        const QString wal = info.absoluteFilePath() + u"-wal"_s;
        const bool walStore = QFileInfo::exists(wal) || isWalFile(info.absoluteFilePath());
        if (!readOnly || !walStore || QFileInfo(info.absolutePath()).isWritable())
            throw;
        auto snapshot = std::make_unique<QTemporaryDir>();
        const QString copy = snapshot->filePath(info.fileName());
        if (!snapshot->isValid() || !QFile::copy(info.absoluteFilePath(), copy)
            || (QFileInfo::exists(wal) && !QFile::copy(wal, copy + u"-wal"_s)))
            throw;
        auto backend = attempt(copy);
        backend->m_snapshot = std::move(snapshot);
        return backend;
    }
}

std::unique_ptr<SqliteBackend> SqliteBackend::create(const QString& path)
{
    const QFileInfo info(path);
    if (info.exists())
        throw StorageError(StorageError::Kind::InvalidInput, path + u": already exists"_s);
    const QString name = u"inspector-sqlite-"_s + QString::number(++g_connectionCounter);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(info.absoluteFilePath());
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
        if (!db.open()) {
            const QString reason = db.lastError().text();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
            throw StorageError(StorageError::Kind::OperationFailed, path + u": cannot create the file: "_s + reason);
        }
        try {
            createSubcogSchema(db);
        } catch (...) {
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
            throw;
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return open(path, OpenMode::ReadWrite);
}

void SqliteBackend::fail(const QString& what, const QSqlError& error, const QString& sql) const
{
    const int code = error.nativeErrorCode().toInt() & 0xff;
    QString reason = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    StorageError::Kind kind = StorageError::Kind::OperationFailed;
    switch (code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        kind = StorageError::Kind::Storage;
        reason = u"the database is locked by another process: "_s + reason;
        break;
    case SQLITE_NOTADB:
        kind = StorageError::Kind::InvalidInput;
        reason = u"not an SQLite database ("_s + reason + u')';
        break;
    case SQLITE_CORRUPT:
        reason = u"the database file is corrupt ("_s + reason + u')';
        break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
        kind = StorageError::Kind::InvalidInput;
        break;
    case SQLITE_READONLY:
        reason = u"the store is read-only ("_s + reason + u')';
        break;
    case SQLITE_FULL:
        reason = u"the disk is full ("_s + reason + u')';
        break;
    case SQLITE_CANTOPEN:
        reason = u"cannot open the file ("_s + reason + u')';
        break;
    default:
        break;
    }
    const QString detail = u"sqlite code "_s + error.nativeErrorCode() + u"; "_s + error.text()
        + (sql.isEmpty() ? QString() : u"; SQL: "_s + sql);
    qCDebug(lcSqlite) << "error" << detail;
    throw StorageError(kind, m_path + u": "_s + what + u": "_s + reason, detail);
}

void SqliteBackend::assertThread() const
{
    Q_ASSERT_X(QThread::currentThread() == m_thread, "SqliteBackend", "used from a thread that did not open it");
}

void SqliteBackend::inspectSchema()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT name FROM sqlite_master WHERE type = 'table'"_s))
        fail(u"cannot read the schema"_s, q.lastError());
    QSet<QString> tables;
    while (q.next())
        tables.insert(q.value(0).toString().toLower());
    if (!tables.contains(u"memories"_s)) {
        QStringList names = tables.values();
        names.sort();
        throw StorageError(
            StorageError::Kind::InvalidInput,
            m_path + u": not a subcog store: it has no 'memories' table"_s
                + (names.isEmpty() ? u" (the database is empty)"_s : u" (tables: "_s + names.join(u", "_s) + u')'));
    }
    if (!q.exec(u"PRAGMA table_info(memories)"_s))
        fail(u"cannot read the columns of 'memories'"_s, q.lastError());
    while (q.next())
        m_columns.insert(q.value(1).toString().toLower());
    QStringList missing;
    for (auto required : {"id"_L1, "namespace"_L1, "status"_L1, "created_at"_L1}) {
        if (!m_columns.contains(required))
            missing << required;
    }
    if (!missing.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput,
                           m_path + u": not a subcog store: table 'memories' has no column "_s + missing.join(u", "_s));
    m_contentColumn = m_columns.contains(u"content"_s);
    m_hasEdges = tables.contains(u"memory_edges"_s);
    m_hasFts = tables.contains(u"memories_fts"_s);
    if (m_hasFts) {
        if (!q.exec(u"SELECT rowid, id, content, tags FROM memories_fts LIMIT 0"_s))
            fail(u"cannot read the full-text table memories_fts"_s, q.lastError());
        // FTS5 keeps the text in a plain shadow table; reading rows by rowid there skips the virtual table's
        // per-row cursor, about four times faster for batch reads (the index is still used to find ids)
        m_ftsContentTable = tables.contains(u"memories_fts_content"_s)
            && q.exec(u"SELECT id, c0, c1, c2 FROM memories_fts_content LIMIT 0"_s);
    } else if (!m_contentColumn) {
        throw StorageError(StorageError::Kind::InvalidInput,
                           m_path + u": not a subcog store: no 'memories_fts' table and no content column"_s);
    }
    if (q.exec(u"PRAGMA journal_mode"_s) && q.next())
        m_journalMode = q.value(0).toString();
    // subcog's bundled SQLite has foreign keys on, so hard deletes cascade to memory_edges as they do there.
    q.exec(u"PRAGMA foreign_keys = ON"_s);

    const QVariant handle = db.driver()->handle();
    if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0) {
        sqlite3* raw = *static_cast<sqlite3* const*>(handle.constData());
        sqlite3_create_function_v2(raw, "inspector_has_tag", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                   nullptr, hasTagFunction, nullptr, nullptr, nullptr);
    }
}

QStringList SqliteBackend::describeLayout() const
{
    QStringList lines;
    lines << u"SQLite store, journal mode "_s + m_journalMode + (m_readOnly ? u", opened read-only"_s : QString());
    if (m_snapshot)
        lines << u"read from a private copy: the folder is not writable, and SQLite must create a -shm file to read "
                 "a WAL store in place"_s;
    if (!m_hasFts)
        lines << u"content kept in the memories table (unmerged b41a806 layout); no full-text table"_s;
    if (!m_hasEdges)
        lines << u"no memory_edges table (written before subcog v0.6)"_s;
    QStringList absent;
    for (int f = FId; f < FContent; ++f) {
        if (!m_columns.contains(kFieldNames[f]) && f != FGroupId)
            absent << kFieldNames[f];
    }
    if (!absent.isEmpty())
        lines << u"columns not in this file (older subcog): "_s + absent.join(u", "_s);
    return lines;
}

QString SqliteBackend::columnExpr(const QString& column) const
{
    return m_columns.contains(column) ? u"m."_s + quoteIdentifier(column) : u"NULL"_s;
}

QString SqliteBackend::selectList() const
{
    QString list = u"m.rowid"_s;
    for (int f = 0; f < FieldCount; ++f)
        list += u", "_s + columnExpr(kFieldNames[f]);
    return list;
}

QList<SqliteBackend::RawRow> SqliteBackend::readRows(const QString& sql, const QVariantList& binds)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        fail(u"cannot prepare a read"_s, q.lastError(), sql);
    for (const QVariant& v : binds)
        q.addBindValue(v);
    if (!q.exec())
        fail(u"read failed"_s, q.lastError(), sql);
    QList<RawRow> rows;
    while (q.next()) {
        RawRow row;
        row.rowid = q.value(0).toLongLong();
        for (int f = 0; f < FieldCount; ++f)
            row.values[f] = q.value(f + 1);
        rows.append(std::move(row));
    }
    if (q.lastError().isValid())
        fail(u"read failed"_s, q.lastError(), sql);
    return rows;
}

QHash<QString, QList<SqliteBackend::ContentRow>> SqliteBackend::fetchContent(const QStringList& ids)
{
    QHash<QString, QList<ContentRow>> result;
    if (!m_hasFts || ids.isEmpty())
        return result;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    auto collect = [&](const QSet<QString>& wanted) {
        while (q.next()) {
            const QString id = q.value(1).toString();
            if (wanted.contains(id)) // the phrase query also matches ids that merely contain the tokens
                result[id].append(ContentRow {q.value(0).toLongLong(), q.value(2).toString(), q.value(3)});
        }
        if (q.lastError().isValid())
            fail(u"reading content failed"_s, q.lastError(), q.lastQuery());
    };
    QStringList tokenless;
    QStringList phrases;
    QSet<QString> wanted;
    auto flush = [&] {
        if (phrases.isEmpty())
            return;
        const QString sql
            = u"SELECT rowid, id, content, tags FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid"_s;
        q.prepare(sql);
        q.addBindValue(phrases.join(u" OR "_s));
        if (!q.exec())
            fail(u"reading content failed"_s, q.lastError(), sql);
        collect(wanted);
        phrases.clear();
        wanted.clear();
    };
    for (const QString& id : ids) {
        if (!hasFullTextToken(id)) {
            tokenless.append(id);
            continue;
        }
        phrases.append(u"id:"_s + ftsPhrase(id));
        wanted.insert(id);
        if (phrases.size() >= kChunk)
            flush();
    }
    flush();
    // An id without any token cannot be found through the index; these few fall back to a scan.
    for (const QString& id : tokenless) {
        const QString sql = u"SELECT rowid, id, content, tags FROM memories_fts WHERE id = ? ORDER BY rowid"_s;
        q.prepare(sql);
        q.addBindValue(id);
        if (!q.exec())
            fail(u"reading content failed"_s, q.lastError(), sql);
        collect({id});
    }
    return result;
}

QHash<QString, QList<SqliteBackend::ContentRow>> SqliteBackend::readContent(const QList<RawRow>& rows)
{
    // subcog writes a memories row and its FTS row in one transaction, so their rowids usually move in step.
    // Reading the FTS row at a guessed rowid costs a b-tree lookup; a candidate counts only when the row there
    // has exactly this id. Candidates come from that offset and, once built, from a compact id-hash → rowid
    // table; what is left goes through the FTS index, which also teaches the offset again.
    QHash<QString, QList<ContentRow>> result;
    QHash<qint64, QString> candidates;
    auto addCandidates = [&](const QString& id, qint64 rowid) {
        if (m_rowidDelta)
            candidates.insert(rowid + *m_rowidDelta, id);
        if (!m_ftsRowids.empty()) {
            const quint64 h = idHash(id);
            auto it = std::lower_bound(m_ftsRowids.begin(), m_ftsRowids.end(), std::pair<quint64, qint64>(h, 0));
            for (; it != m_ftsRowids.end() && it->first == h; ++it)
                candidates.insert(it->second, id);
        }
    };
    for (const RawRow& row : rows) {
        if (!row.values[FId].isNull())
            addCandidates(row.values[FId].toString(), row.rowid);
    }
    auto readCandidates = [&] {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        q.setForwardOnly(true);
        QList<qint64> rowids = candidates.keys();
        std::sort(rowids.begin(), rowids.end());
        for (qsizetype start = 0; start < rowids.size(); start += kChunk) {
            const QList<qint64> chunk = rowids.mid(start, kChunk);
            // integers this code read from the store, written into the SQL: Qt's SQLite driver looks each bound
            // parameter up by name, which makes long IN lists of placeholders cost quadratic time
            QString list;
            for (const qint64 rowid : chunk) {
                if (!list.isEmpty())
                    list += u',';
                list += QString::number(rowid);
            }
            const QString sql
                = (m_ftsContentTable ? u"SELECT id, c0, c1, c2 FROM memories_fts_content WHERE id IN ("_s
                                     : u"SELECT rowid, id, content, tags FROM memories_fts WHERE rowid IN ("_s)
                + list + u')'; // no ORDER BY: FTS5 would answer it with a full scan
            q.prepare(sql);
            if (!q.exec())
                fail(u"reading content failed"_s, q.lastError(), sql);
            while (q.next()) {
                const qint64 rowid = q.value(0).toLongLong();
                const QString id = q.value(1).toString();
                if (candidates.value(rowid) == id) {
                    QList<ContentRow>& found = result[id];
                    if (std::none_of(found.begin(), found.end(),
                                     [&](const ContentRow& r) { return r.rowid == rowid; })) {
                        // keep each id's rows by rowid: the first one is the one subcog shows
                        const ContentRow row {rowid, q.value(2).toString(), q.value(3)};
                        found.insert(std::lower_bound(
                                         found.begin(), found.end(), row,
                                         [](const ContentRow& a, const ContentRow& b) { return a.rowid < b.rowid; }),
                                     row);
                    }
                }
            }
            if (q.lastError().isValid())
                fail(u"reading content failed"_s, q.lastError(), sql);
        }
        candidates.clear();
    };
    auto missing = [&] {
        QStringList ids;
        for (const RawRow& row : rows) {
            if (!row.values[FId].isNull() && !result.contains(row.values[FId].toString()))
                ids.append(row.values[FId].toString());
        }
        return ids;
    };
    readCandidates();
    QStringList misses = missing();
    const bool mostlyMissed = misses.size() >= 16 && misses.size() * 2 >= rows.size();
    m_missedBatches = mostlyMissed ? m_missedBatches + 1 : 0;
    if (mostlyMissed && m_missedBatches >= 3 && !m_ftsRowidsBuilt) {
        // The offset keeps failing for this store: one pass over the FTS ids (about 1.5 s at a million rows)
        // pays for every later page. Not before the third such batch, so a first page is not kept waiting.
        buildFtsRowids();
        for (const QString& id : std::as_const(misses))
            addCandidates(id, 0);
        readCandidates();
        misses = missing();
    }
    if (misses.isEmpty())
        return result;
    const QHash<QString, QList<ContentRow>> found = fetchContent(misses);
    QHash<qint64, int> deltas;
    for (const RawRow& row : rows) {
        const auto it = found.constFind(row.values[FId].toString());
        if (it != found.constEnd() && it->size() == 1)
            ++deltas[it->first().rowid - row.rowid];
    }
    int best = 0;
    for (auto it = deltas.cbegin(); it != deltas.cend(); ++it) {
        if (it.value() > best) {
            best = it.value();
            m_rowidDelta = it.key();
        }
    }
    result.insert(found);
    return result;
}

quint64 SqliteBackend::idHash(const QString& id)
{
    return quint64(qHash(id, size_t(0x9E3779B97F4A7C15ULL)));
}

void SqliteBackend::buildFtsRowids()
{
    m_ftsRowidsBuilt = true;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    const QString sql = u"SELECT rowid, id FROM memories_fts"_s;
    if (!q.exec(sql))
        fail(u"reading the full-text ids failed"_s, q.lastError(), sql);
    std::vector<std::pair<quint64, qint64>> table;
    while (q.next())
        table.emplace_back(idHash(q.value(1).toString()), q.value(0).toLongLong());
    if (q.lastError().isValid())
        fail(u"reading the full-text ids failed"_s, q.lastError(), sql);
    std::sort(table.begin(), table.end());
    m_ftsRowids = std::move(table);
}

void SqliteBackend::attachContent(QList<RawRow>& rows, QList<Memory>& out, QList<RecordIssue>* issues, bool withContent,
                                  bool complete)
{
    QHash<QString, QList<ContentRow>> content;
    if (withContent && m_hasFts && complete) {
        QStringList ids;
        for (const RawRow& row : std::as_const(rows)) {
            if (!row.values[FId].isNull())
                ids.append(row.values[FId].toString());
        }
        content = fetchContent(ids);
    } else if (withContent && m_hasFts) {
        content = readContent(rows);
    }
    out.reserve(out.size() + rows.size());
    for (RawRow& row : rows) {
        const auto& v = row.values;
        auto issue = [&](const QString& reason) {
            if (issues) {
                issues->append(RecordIssue {
                    v[FId].isNull() ? u"(rowid "_s + QString::number(row.rowid) + u')' : v[FId].toString(), reason});
            }
        };
        if (v[FId].isNull() || v[FId].toString().isEmpty()) {
            issue(u"the row has no id"_s);
            continue;
        }
        Memory m;
        m.id = v[FId].toString();
        if (!isInteger(v[FCreatedAt])) {
            issue(u"created_at is "_s
                  + (v[FCreatedAt].isNull() ? u"NULL"_s : u"'"_s + v[FCreatedAt].toString() + u"'"_s)
                  + u", not an integer number of seconds"_s);
            continue;
        }
        bool bad = false;
        auto optionalInt = [&](Field f, std::optional<qint64>& target) {
            if (v[f].isNull())
                return;
            if (!isInteger(v[f])) {
                issue(QString(kFieldNames[f]) + u" is '"_s + v[f].toString()
                      + u"', not an integer number of seconds"_s);
                bad = true;
                return;
            }
            target = v[f].toLongLong();
        };
        auto optionalText = [&](Field f, std::optional<QString>& target) {
            if (!v[f].isNull())
                target = v[f].toString();
        };
        m.createdAt = v[FCreatedAt].toLongLong();
        m.updatedAt = m.createdAt; // SQLite has no updated_at column; subcog reads created_at back
        optionalInt(FTombstonedAt, m.tombstonedAt);
        optionalInt(FExpiresAt, m.expiresAt);
        optionalInt(FConsolidationTimestamp, m.consolidationTimestamp);
        if (bad)
            continue;

        m.namespaceName = v[FNamespace].toString();
        m.status = v[FStatus].toString();
        m.flagEnumStrings();
        const QString domain = v[FDomain].toString();
        m.domain = domain.isEmpty() ? u"project"_s : domain;
        if (domain.isEmpty() || domain == "global"_L1)
            m.flags |= MemoryFlag::LegacyDomain;
        optionalText(FProjectId, m.projectId);
        optionalText(FBranch, m.branch);
        optionalText(FFilePath, m.filePath);
        optionalText(FSource, m.source);
        optionalText(FGroupId, m.groupId);
        const QString rawTags = v[FTags].toString();
        m.tags = splitTags(rawTags);
        if (v[FTags].isNull() || m.tags.join(u',') != rawTags)
            m.flags |= MemoryFlag::MessyTags;
        m.isSummary = !v[FIsSummary].isNull() && v[FIsSummary].toLongLong() != 0;
        if (!v[FSourceMemoryIds].isNull()) {
            const QJsonDocument doc = QJsonDocument::fromJson(v[FSourceMemoryIds].toString().toUtf8());
            QStringList ids;
            bool valid = doc.isArray();
            for (const QJsonValue& item : doc.array()) {
                if (!item.isString()) {
                    valid = false;
                    break;
                }
                ids.append(item.toString());
            }
            if (!valid) {
                ids.clear();
                m.flags |= MemoryFlag::InvalidSourceMemoryIds;
            }
            m.sourceMemoryIds = ids;
        }
        if (withContent) {
            const auto it = content.constFind(m.id);
            if (it != content.constEnd() && !it->isEmpty()) {
                const ContentRow& first = it->first();
                m.content = first.content;
                if (it->size() > 1)
                    m.flags |= MemoryFlag::DuplicateContent;
                if (first.tags.toString() != rawTags)
                    m.flags |= MemoryFlag::TagsMismatch;
            } else if (m_contentColumn && !v[FContent].isNull()) {
                m.content = v[FContent].toString();
            } else {
                m.flags |= MemoryFlag::MissingContent;
            }
        }
        out.append(std::move(m));
    }
}

SqliteBackend::Fragment SqliteBackend::whereClause(const MemoryFilter& f) const
{
    QStringList parts;
    QVariantList binds;
    auto inList = [&](const QString& expr, const QStringList& values) {
        parts << expr + u" IN ("_s + placeholders(values.size()) + u')';
        for (const QString& value : values)
            binds << value;
    };
    if (!f.ids.isEmpty())
        inList(u"m.id"_s, f.ids);
    if (!f.namespaces.isEmpty())
        inList(u"LOWER(m.namespace)"_s, lowerCaseSpellings(f.namespaces));
    if (!f.statuses.isEmpty())
        inList(u"LOWER(m.status)"_s, statusNames(f.statuses));
    const QString tagsExpr = columnExpr(u"tags"_s);
    for (const QString& tag : f.tagsAll) {
        parts << u"inspector_has_tag("_s + tagsExpr + u", ?)"_s;
        binds << tag;
    }
    for (const QStringList& group : f.tagsAny) {
        QStringList alternatives;
        for (const QString& tag : group) {
            alternatives << u"inspector_has_tag("_s + tagsExpr + u", ?)"_s;
            binds << tag;
        }
        parts << u'(' + alternatives.join(u" OR "_s) + u')';
    }
    for (const QString& tag : f.tagsNone) {
        parts << u"NOT inspector_has_tag("_s + tagsExpr + u", ?)"_s;
        binds << tag;
    }
    if (f.createdFrom) {
        parts << u"m.created_at >= ?"_s;
        binds << *f.createdFrom;
    }
    if (f.createdTo) {
        parts << u"m.created_at <= ?"_s;
        binds << *f.createdTo;
    }
    auto patterns = [&](const QString& column, const QStringList& list) {
        if (list.isEmpty())
            return;
        QStringList alternatives;
        for (const QString& p : list) {
            alternatives << columnExpr(column) + u" GLOB ?"_s;
            binds << globPattern(p);
        }
        parts << u'(' + alternatives.join(u" OR "_s) + u')';
    };
    patterns(u"source"_s, f.sourcePatterns);
    patterns(u"file_path"_s, f.pathPatterns);
    if (!f.projects.isEmpty())
        inList(columnExpr(u"project_id"_s), f.projects);
    if (!f.branches.isEmpty())
        inList(columnExpr(u"branch"_s), f.branches);
    if (!f.domains.isEmpty())
        inList(u"COALESCE(NULLIF("_s + columnExpr(u"domain"_s) + u", ''), 'project')"_s, f.domains);
    if (!f.summarizing.isEmpty()) {
        // a substring test of the JSON text: json_each would fail the whole query on one malformed value
        QStringList alternatives;
        for (const QString& id : f.summarizing) {
            alternatives << u"instr("_s + columnExpr(u"source_memory_ids"_s) + u", ?) > 0"_s;
            binds << QString(u'"' + id + u'"');
        }
        parts << u'(' + alternatives.join(u" OR "_s) + u')';
    }
    QStringList words;
    for (const QString& word : f.words) {
        if (hasFullTextToken(word))
            words << word;
    }
    if (!words.isEmpty()) {
        if (m_hasFts) {
            QStringList terms;
            for (const QString& word : words)
                terms << u"content:"_s + ftsPhrase(word);
            parts << u"m.id IN (SELECT id FROM memories_fts WHERE memories_fts MATCH ?)"_s;
            binds << terms.join(u" AND "_s);
        } else {
            for (const QString& word : words) {
                parts << u"m.content LIKE ? ESCAPE '\\'"_s;
                QString escaped = word;
                escaped.replace(u"\\"_s, u"\\\\"_s).replace(u"%"_s, u"\\%"_s).replace(u"_"_s, u"\\_"_s);
                binds << QString(u'%' + escaped + u'%');
            }
        }
    }
    const QString tombstonedAt = columnExpr(u"tombstoned_at"_s);
    if (f.tombstones == TombstoneFilter::Exclude)
        parts << u"(LOWER(m.status) <> 'tombstoned' AND "_s + tombstonedAt + u" IS NULL)"_s;
    else if (f.tombstones == TombstoneFilter::Only)
        parts << u"(LOWER(m.status) = 'tombstoned' OR "_s + tombstonedAt + u" IS NOT NULL)"_s;
    return Fragment {parts.isEmpty() ? QString() : u" WHERE "_s + parts.join(u" AND "_s), binds};
}

QList<Memory> SqliteBackend::getBatch(const QStringList& ids, QList<RecordIssue>* issues)
{
    return readBatch(ids, issues, false);
}

QList<Memory> SqliteBackend::readBatch(const QStringList& ids, QList<RecordIssue>* issues, bool complete)
{
    assertThread();
    QHash<QString, Memory> found;
    for (qsizetype start = 0; start < ids.size(); start += kChunk) {
        const QStringList chunk = ids.mid(start, kChunk);
        const QString sql
            = u"SELECT "_s + selectList() + u" FROM memories m WHERE m.id IN ("_s + placeholders(chunk.size()) + u')';
        QList<RawRow> rows = readRows(sql, QVariantList(chunk.begin(), chunk.end()));
        QList<Memory> decoded;
        attachContent(rows, decoded, issues, true, complete);
        for (Memory& m : decoded)
            found.insert(m.id, std::move(m));
    }
    QList<Memory> result;
    result.reserve(found.size());
    for (const QString& id : ids) {
        auto it = found.find(id);
        if (it != found.end()) {
            result.append(std::move(*it));
            found.erase(it);
        }
    }
    return result;
}

std::optional<Memory> SqliteBackend::get(const QString& id)
{
    QList<RecordIssue> issues;
    // one id: the complete lookup is cheap and also finds duplicate FTS rows
    QList<Memory> result = readBatch({id}, &issues, true);
    if (!issues.isEmpty())
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_path + u": memory "_s + id + u" cannot be read: "_s + issues.first().reason);
    if (result.isEmpty())
        return std::nullopt;
    return result.takeFirst();
}

bool SqliteBackend::exists(const QString& id)
{
    assertThread();
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    const QString sql = u"SELECT 1 FROM memories WHERE id = ? LIMIT 1"_s;
    q.prepare(sql);
    q.addBindValue(id);
    if (!q.exec())
        fail(u"lookup failed"_s, q.lastError(), sql);
    return q.next();
}

qint64 SqliteBackend::count()
{
    return count(MemoryFilter {});
}

qint64 SqliteBackend::count(const MemoryFilter& filter)
{
    assertThread();
    const Fragment where = whereClause(filter);
    const QString sql = u"SELECT COUNT(*) FROM memories m"_s + where.sql;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        fail(u"cannot prepare a count"_s, q.lastError(), sql);
    for (const QVariant& v : where.binds)
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        fail(u"counting failed"_s, q.lastError(), sql);
    return q.value(0).toLongLong();
}

QStringList SqliteBackend::listIds()
{
    assertThread();
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    const QString sql = u"SELECT id FROM memories ORDER BY created_at DESC, id ASC"_s;
    if (!q.exec(sql))
        fail(u"listing failed"_s, q.lastError(), sql);
    QStringList ids;
    while (q.next())
        ids.append(q.value(0).toString());
    if (q.lastError().isValid())
        fail(u"listing failed"_s, q.lastError(), sql);
    return ids;
}

namespace {
QString sortColumn(SortKey key)
{
    switch (key) {
    case SortKey::Id:
        return u"m.id"_s;
    case SortKey::Namespace:
        return u"m.namespace"_s;
    case SortKey::Status:
        return u"m.status"_s;
    case SortKey::CreatedAt:
        break;
    }
    return u"m.created_at"_s;
}
} // namespace

Page SqliteBackend::query(const MemoryQuery& query)
{
    assertThread();
    Fragment where = whereClause(query.filter);
    const QString key = sortColumn(query.sortKey);
    // Reading from the far end walks the same order backwards.
    const Qt::SortOrder keyOrder = query.scanKeyOrder();
    const Qt::SortOrder idOrder = query.scanIdOrder();
    const QString keyOp = keyOrder == Qt::AscendingOrder ? u">"_s : u"<"_s;
    const QString idOp = idOrder == Qt::AscendingOrder ? u">"_s : u"<"_s;
    QString sql = u"SELECT "_s + selectList() + u" FROM memories m"_s + where.sql;
    if (query.after) {
        QString cond;
        if (query.sortKey == SortKey::Id) {
            cond = u"m.id "_s + keyOp + u" ?"_s;
            where.binds << query.after->id;
        } else {
            // written so that the key's index serves the range: K op= x AND (K op x OR id op y)
            cond = key + u' ' + keyOp + u"= ? AND ("_s + key + u' ' + keyOp + u" ? OR m.id "_s + idOp + u" ?)"_s;
            where.binds << query.after->key << query.after->key << query.after->id;
        }
        sql += (where.sql.isEmpty() ? u" WHERE "_s : u" AND "_s) + cond;
    }
    const auto dir = [](Qt::SortOrder o) { return o == Qt::AscendingOrder ? u"ASC"_s : u"DESC"_s; };
    sql += u" ORDER BY "_s + key + u' ' + dir(keyOrder);
    if (query.sortKey != SortKey::Id)
        sql += u", m.id "_s + dir(idOrder);
    sql += u" LIMIT ?"_s;
    where.binds << qMax(query.limit, 0);
    if (query.skip > 0) {
        sql += u" OFFSET ?"_s;
        where.binds << query.skip;
    }

    QList<RawRow> rows = readRows(sql, where.binds);
    Page page;
    if (!rows.isEmpty() && rows.size() >= query.limit) {
        const RawRow& last = rows.last();
        QVariant lastKey;
        switch (query.sortKey) {
        case SortKey::CreatedAt:
            lastKey = last.values[FCreatedAt];
            break;
        case SortKey::Id:
            lastKey = last.values[FId];
            break;
        case SortKey::Namespace:
            lastKey = last.values[FNamespace];
            break;
        case SortKey::Status:
            lastKey = last.values[FStatus];
            break;
        }
        page.next = Cursor {lastKey, last.values[FId].toString()};
    }
    attachContent(rows, page.memories, &page.issues, query.withContent, false);
    if (query.fromEnd)
        std::reverse(page.memories.begin(), page.memories.end());
    return page;
}

void SqliteBackend::scan(const MemoryQuery& query, const ScanSink& sink, int batchSize)
{
    assertThread();
    // one statement stepped through from start to end: no re-planning and no keyset seek per batch
    const Fragment where = whereClause(query.filter);
    const QString key = sortColumn(query.sortKey);
    const auto dir = [](Qt::SortOrder o) { return o == Qt::AscendingOrder ? u"ASC"_s : u"DESC"_s; };
    QString sql = u"SELECT "_s + selectList() + u" FROM memories m"_s + where.sql + u" ORDER BY "_s + key + u' '
        + dir(query.order);
    if (query.sortKey != SortKey::Id)
        sql += u", m.id "_s + dir(query.idOrder);
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        fail(u"cannot prepare a read"_s, q.lastError(), sql);
    for (const QVariant& v : where.binds)
        q.addBindValue(v);
    if (!q.exec())
        fail(u"read failed"_s, q.lastError(), sql);
    QList<RawRow> rows;
    rows.reserve(batchSize);
    auto flush = [&] {
        QList<Memory> memories;
        QList<RecordIssue> issues;
        attachContent(rows, memories, &issues, query.withContent, false);
        rows.clear();
        return sink(memories, issues);
    };
    while (q.next()) {
        RawRow row;
        row.rowid = q.value(0).toLongLong();
        for (int f = 0; f < FieldCount; ++f)
            row.values[f] = q.value(f + 1);
        rows.append(std::move(row));
        if (rows.size() >= qMax(1, batchSize) && !flush())
            return;
    }
    if (q.lastError().isValid())
        fail(u"read failed"_s, q.lastError(), sql);
    if (!rows.isEmpty())
        flush();
}

QList<RecordIssue> SqliteBackend::storeIssues()
{
    assertThread();
    QList<RecordIssue> issues;
    if (!m_hasFts)
        return issues;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    const QString sql = u"SELECT f.id, COUNT(*) AS n, EXISTS (SELECT 1 FROM memories m WHERE m.id = f.id) AS known "
                        "FROM memories_fts f GROUP BY f.id HAVING n > 1 OR NOT known ORDER BY f.id"_s;
    if (!q.exec(sql))
        fail(u"checking the full-text table failed"_s, q.lastError(), sql);
    while (q.next()) {
        const qint64 n = q.value(1).toLongLong();
        const QString rows = QString::number(n) + u" rows"_s;
        if (q.value(2).toLongLong() == 0) {
            issues.append(RecordIssue {q.value(0).toString(),
                                       u"full-text row without a metadata row in 'memories'"_s
                                           + (n > 1 ? u" ("_s + rows + u')' : QString())
                                           + u"; subcog ignores it and the inspector does not show it as a memory"_s});
        } else {
            issues.append(RecordIssue {q.value(0).toString(),
                                       u"several full-text rows ("_s + rows
                                           + u") for one memory; the one with the lowest rowid is used"_s});
        }
    }
    if (q.lastError().isValid())
        fail(u"checking the full-text table failed"_s, q.lastError(), sql);
    return issues;
}

std::optional<QByteArray> SqliteBackend::changeToken()
{
    assertThread();
    // data_version changes when another connection commits; this connection's own writes leave it alone
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(u"PRAGMA data_version"_s) || !q.next())
        fail(u"cannot read the store's data version"_s, q.lastError());
    return q.value(0).toByteArray();
}

void SqliteBackend::setBusyTimeout(int milliseconds)
{
    assertThread();
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(u"PRAGMA busy_timeout = "_s + QString::number(qMax(0, milliseconds))))
        fail(u"cannot set the busy timeout"_s, q.lastError());
}

void SqliteBackend::checkWritable() const
{
    if (m_readOnly)
        throw StorageError(StorageError::Kind::OperationFailed, m_path + u": the store is open read-only"_s);
}

void SqliteBackend::store(const Memory& memory)
{
    storeBatch({memory});
}

void SqliteBackend::storeBatch(const QList<Memory>& memories)
{
    assertThread();
    checkWritable();
    if (memories.isEmpty())
        return;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    Transaction tx(db);
    QSqlQuery q(db);
    if (!q.exec(u"BEGIN IMMEDIATE"_s))
        fail(u"cannot start a write"_s, q.lastError());
    tx.open = true;
    for (const Memory& memory : memories)
        writeRow(memory);
    if (!q.exec(u"COMMIT"_s))
        fail(memories.size() == 1
                 ? QString(u"committing memory "_s + memories.first().id + u" failed"_s)
                 : QString(u"committing "_s + QString::number(memories.size()) + u" memories failed"_s),
             q.lastError());
    tx.committed = true;
}

void SqliteBackend::writeRow(const Memory& memory)
{
    auto invalid = [&](const QString& why) {
        throw StorageError(StorageError::Kind::InvalidInput,
                           m_path + u": memory "_s + (memory.id.isEmpty() ? u"(no id)"_s : memory.id) + u": "_s + why);
    };
    if (memory.id.isEmpty())
        invalid(u"the id is empty"_s);
    if (memory.namespaceName.isEmpty())
        invalid(u"the namespace is empty"_s);
    if (memory.status.isEmpty())
        invalid(u"the status is empty"_s);
    for (const QString& tag : memory.tags) {
        if (tag.contains(u','))
            invalid(u"tag '"_s + tag + u"' contains a comma; subcog keeps tags comma-joined in SQLite"_s);
        if (tag.isEmpty() || tag.trimmed() != tag)
            invalid(u"tag '"_s + tag + u"' is empty or has surrounding spaces, which SQLite stores cannot keep"_s);
    }

    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    QList<RawRow> existingRows
        = readRows(u"SELECT "_s + selectList() + u" FROM memories m WHERE m.id = ?"_s, {memory.id});
    std::optional<Memory> existing;
    if (!existingRows.isEmpty()) {
        QList<Memory> decoded;
        attachContent(existingRows, decoded, nullptr, true, true);
        if (!decoded.isEmpty())
            existing = decoded.first();
    }

    // column → new value, for the columns that change (all of them on insert)
    QList<QPair<QString, QVariant>> changes;
    auto text
        = [](const std::optional<QString>& v) { return v ? QVariant(*v) : QVariant(QMetaType::fromType<QString>()); };
    auto number
        = [](const std::optional<qint64>& v) { return v ? QVariant(*v) : QVariant(QMetaType::fromType<qlonglong>()); };
    auto want = [&](const QString& column, bool differs, const QVariant& value, bool isDefault) {
        if (existing && !differs)
            return;
        if (!m_columns.contains(column)) {
            if (!isDefault)
                invalid(u"this store's layout (an older subcog) has no column '"_s + column + u"' to keep the value"_s);
            return;
        }
        changes.append({column, value});
    };
    const Memory* e = existing ? &*existing : nullptr;
    want(u"namespace"_s, !e || e->namespaceName != memory.namespaceName, memory.namespaceName, false);
    want(u"domain"_s, !e || e->domain != memory.domain, memory.domain.isEmpty() ? u"project"_s : memory.domain, false);
    want(u"project_id"_s, !e || e->projectId != memory.projectId, text(memory.projectId), !memory.projectId);
    want(u"branch"_s, !e || e->branch != memory.branch, text(memory.branch), !memory.branch);
    want(u"file_path"_s, !e || e->filePath != memory.filePath, text(memory.filePath), !memory.filePath);
    want(u"status"_s, !e || e->status != memory.status, memory.status, false);
    want(u"created_at"_s, !e || e->createdAt != memory.createdAt, memory.createdAt, false);
    const QString tagString = notNull(memory.tags.join(u','));
    want(u"tags"_s, !e || e->tags != memory.tags, tagString, false);
    want(u"source"_s, !e || e->source != memory.source, text(memory.source), !memory.source);
    want(u"tombstoned_at"_s, !e || e->tombstonedAt != memory.tombstonedAt, number(memory.tombstonedAt),
         !memory.tombstonedAt);
    want(u"expires_at"_s, !e || e->expiresAt != memory.expiresAt, number(memory.expiresAt), !memory.expiresAt);
    want(u"is_summary"_s, !e || e->isSummary != memory.isSummary, memory.isSummary ? 1 : 0, !memory.isSummary);
    QVariant sourceIds(QMetaType::fromType<QString>());
    if (memory.sourceMemoryIds)
        sourceIds = QString::fromUtf8(
            QJsonDocument(QJsonArray::fromStringList(*memory.sourceMemoryIds)).toJson(QJsonDocument::Compact));
    want(u"source_memory_ids"_s,
         !e || e->sourceMemoryIds != memory.sourceMemoryIds || (e->flags & MemoryFlag::InvalidSourceMemoryIds),
         sourceIds, !memory.sourceMemoryIds);
    want(u"consolidation_timestamp"_s, !e || e->consolidationTimestamp != memory.consolidationTimestamp,
         number(memory.consolidationTimestamp), !memory.consolidationTimestamp);
    want(u"group_id"_s, !e || e->groupId != memory.groupId, text(memory.groupId), !memory.groupId);
    if (m_contentColumn)
        want(u"content"_s, !e || e->content != memory.content, notNull(memory.content), false);

    // A row that exists but cannot be decoded (a repair) is rewritten whole with UPDATE, like a new one.
    if (existingRows.isEmpty()) {
        QStringList columns {u"id"_s};
        QVariantList values {memory.id};
        for (const auto& [column, value] : changes) {
            columns << quoteIdentifier(column);
            values << value;
        }
        const QString sql = u"INSERT INTO memories ("_s + columns.join(u", "_s) + u") VALUES ("_s
            + placeholders(columns.size()) + u')';
        q.prepare(sql);
        for (const QVariant& v : values)
            q.addBindValue(v);
        if (!q.exec())
            fail(u"writing memory "_s + memory.id + u" failed"_s, q.lastError(), sql);
    } else if (!changes.isEmpty()) {
        // UPDATE, never INSERT OR REPLACE: a replace deletes the row first and cascades to memory_edges.
        QStringList sets;
        for (const auto& change : std::as_const(changes))
            sets << quoteIdentifier(change.first) + u" = ?"_s;
        const QString sql = u"UPDATE memories SET "_s + sets.join(u", "_s) + u" WHERE id = ?"_s;
        q.prepare(sql);
        for (const auto& change : std::as_const(changes))
            q.addBindValue(change.second);
        q.addBindValue(memory.id);
        if (!q.exec())
            fail(u"updating memory "_s + memory.id + u" failed"_s, q.lastError(), sql);
    }

    if (m_hasFts) {
        const QList<ContentRow> rows = fetchContent({memory.id}).value(memory.id);
        const bool inStep
            = rows.size() == 1 && rows.first().content == memory.content && rows.first().tags.toString() == tagString;
        if (!inStep) {
            for (const ContentRow& row : rows) {
                const QString sql = u"DELETE FROM memories_fts WHERE rowid = ?"_s;
                q.prepare(sql);
                q.addBindValue(row.rowid);
                if (!q.exec())
                    fail(u"updating the text of memory "_s + memory.id + u" failed"_s, q.lastError(), sql);
            }
            const QString sql = u"INSERT INTO memories_fts (id, content, tags) VALUES (?, ?, ?)"_s;
            q.prepare(sql);
            q.addBindValue(memory.id);
            q.addBindValue(notNull(memory.content));
            q.addBindValue(tagString);
            if (!q.exec())
                fail(u"writing the text of memory "_s + memory.id + u" failed"_s, q.lastError(), sql);
        }
    }
}

bool SqliteBackend::remove(const QString& id)
{
    assertThread();
    checkWritable();
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    Transaction tx(db);
    QSqlQuery q(db);
    if (!q.exec(u"BEGIN IMMEDIATE"_s))
        fail(u"cannot start a delete"_s, q.lastError());
    tx.open = true;
    bool removed = false;
    if (m_hasFts) {
        for (const ContentRow& row : fetchContent({id}).value(id)) {
            const QString sql = u"DELETE FROM memories_fts WHERE rowid = ?"_s;
            q.prepare(sql);
            q.addBindValue(row.rowid);
            if (!q.exec())
                fail(u"deleting memory "_s + id + u" failed"_s, q.lastError(), sql);
            removed = true;
        }
    }
    const QString sql = u"DELETE FROM memories WHERE id = ?"_s;
    q.prepare(sql);
    q.addBindValue(id);
    if (!q.exec())
        fail(u"deleting memory "_s + id + u" failed"_s, q.lastError(), sql);
    removed = removed || q.numRowsAffected() > 0;
    if (!q.exec(u"COMMIT"_s))
        fail(u"committing the delete of "_s + id + u" failed"_s, q.lastError());
    tx.committed = true;
    return removed;
}

} // namespace Inspector
