// SPDX-License-Identifier: MIT
#include "sqlitebackend.h"

#include "jsonl.h"
#include "sqliteschema.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
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
#include <cerrno>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio> // renameat2
#include <cstring>
#include <string_view>

#include <fcntl.h>

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

/// Whether decoded text may hide bytes that were not UTF-8: they read as U+FFFD, and Qt's driver (UTF-16 from
/// SQLite) reads a stray continuation byte as U+0080..U+00BF. Only such text is checked against the stored bytes.
bool mayHideInvalidUtf8(const QVariant& value)
{
    if (value.typeId() != QMetaType::QString)
        return false;
    const QString text = value.toString();
    return std::any_of(text.begin(), text.end(), [](QChar c) {
        return c == QChar::ReplacementCharacter || (c.unicode() >= 0x80 && c.unicode() <= 0xBF);
    });
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

/// The FTS5 query of a filter's words (each a phrase in the content column, all required); empty without one.
QString fullTextQuery(const QStringList& words)
{
    QStringList terms;
    for (const QString& word : words) {
        if (hasFullTextToken(word))
            terms << u"content:"_s + ftsPhrase(word);
    }
    return terms.join(u" AND "_s);
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

QAtomicInteger<quint64> g_connectionCounter;

} // namespace

struct SqliteBackend::ContentRow
{
    qint64 rowid = 0;
    QString content;
    QVariant tags;
};

struct SqliteBackend::Transaction
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

struct SqliteBackend::Fragment
{
    QString sql;
    QVariantList binds;
};

struct SqliteBackend::RawRow
{
    qint64 rowid = 0;
    std::array<QVariant, FieldCount> values;
    /// the id's FTS rows, when the read already found them (a scan's join); otherwise attachContent looks
    bool contentKnown = false;
    QList<ContentRow> content;
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
        std::lock_guard lock(m_handleMutex); // interrupt() must not reach a closed handle
        m_handle = nullptr;
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

namespace {

/// The name a store is built under before it appears as `fileName`; hidden, and tagged with the builder's pid.
QString creatingPrefix(const QString& fileName)
{
    return u"."_s + fileName + u".creating-"_s;
}

void removeWithSidecars(const QString& path)
{
    for (const auto suffix : {""_L1, "-wal"_L1, "-shm"_L1, "-journal"_L1})
        QFile::remove(path + suffix);
}

/// Removes what a create() killed before it finished left behind (its builder's pid no longer runs).
void removeAbandonedBuilds(const QDir& dir, const QString& fileName)
{
    const QString prefix = creatingPrefix(fileName);
    for (const QString& name : dir.entryList({prefix + u'*'}, QDir::Files | QDir::Hidden | QDir::System)) {
        bool ok = false;
        const qint64 pid = QStringView(name).sliced(prefix.size()).split(u'-').front().toLongLong(&ok);
        if (ok && pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
            QFile::remove(dir.filePath(name));
    }
}

} // namespace

std::unique_ptr<SqliteBackend> SqliteBackend::create(const QString& path)
{
    const QFileInfo info(path);
    if (info.exists())
        throw StorageError(StorageError::Kind::InvalidInput, path + u": already exists"_s);
    // Built under a temporary name and moved into place only when complete: a process killed meanwhile leaves no
    // half store (memories without memories_fts) that every later run would reject; the next create() tidies up.
    const QDir dir = info.absoluteDir();
    removeAbandonedBuilds(dir, info.fileName());
    const QString building
        = dir.filePath(creatingPrefix(info.fileName()) + QString::number(QCoreApplication::applicationPid()));
    removeWithSidecars(building);
    const QString name = u"inspector-sqlite-"_s + QString::number(++g_connectionCounter);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(building);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
        if (!db.open()) {
            const QString reason = db.lastError().text();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
            removeWithSidecars(building);
            throw StorageError(StorageError::Kind::OperationFailed, path + u": cannot create the file: "_s + reason);
        }
        try {
            createSubcogSchema(db);
            // everything into the file itself before it moves: only the file moves, and close() hides a failed
            // checkpoint (a full disk) that would leave the schema in a -wal left behind
            QSqlQuery checkpoint(db);
            if (!checkpoint.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s) || !checkpoint.next()
                || checkpoint.value(0).toInt() != 0)
                throw StorageError(StorageError::Kind::OperationFailed,
                                   path + u": cannot create subcog's schema: "_s
                                       + (checkpoint.lastError().isValid() ? checkpoint.lastError().text()
                                                                           : u"the database stayed busy"_s));
        } catch (const StorageError& e) {
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
            removeWithSidecars(building);
            // the message names the file the user asked for, not the temporary one
            throw StorageError(e.kind(), QString(e.message()).replace(building, path), e.detail());
        }
        db.close(); // the last connection: SQLite checkpoints the WAL into the file and removes it
    }
    QSqlDatabase::removeDatabase(name);
    // never over a file that appeared meanwhile
    if (::renameat2(AT_FDCWD, QFile::encodeName(building).constData(), AT_FDCWD, QFile::encodeName(path).constData(),
                    RENAME_NOREPLACE)
        != 0) {
        const int error = errno;
        const bool unsupported = error == EINVAL || error == ENOSYS || error == EOPNOTSUPP;
        if (!unsupported || QFileInfo::exists(path) || !QFile::rename(building, path)) {
            removeWithSidecars(building);
            throw StorageError(error == EEXIST ? StorageError::Kind::InvalidInput : StorageError::Kind::OperationFailed,
                               path
                                   + (error == EEXIST ? u": already exists"_s
                                                      : u": cannot move the new store into place: "_s
                                              + QString::fromLocal8Bit(strerror(error))));
        }
    }
    removeWithSidecars(building); // only sidecars are left, if any
    return open(path, OpenMode::ReadWrite);
}

void SqliteBackend::fail(const QString& what, const QSqlError& error, const QString& sql) const
{
    const int code = error.nativeErrorCode().toInt() & 0xff;
    QString reason = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    StorageError::Kind kind = StorageError::Kind::OperationFailed;
    switch (code) {
    case SQLITE_INTERRUPT: {
        const QString detail
            = u"sqlite code "_s + error.nativeErrorCode() + (sql.isEmpty() ? QString() : u"; SQL: "_s + sql);
        throw StorageError(StorageError::Kind::Cancelled, m_path + u": cancelled"_s, detail);
    }
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
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_path + u": Qt's SQLite driver did not give its connection handle"_s);
    {
        std::lock_guard lock(m_handleMutex);
        m_handle = *static_cast<sqlite3* const*>(handle.constData());
    }
    sqlite3_create_function_v2(m_handle, "inspector_has_tag", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                               nullptr, hasTagFunction, nullptr, nullptr, nullptr);
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

bool SqliteBackend::storedTextIsUtf8(const QString& table, const QString& column, qint64 rowid)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    const QString sql
        = u"SELECT CAST("_s + quoteIdentifier(column) + u" AS BLOB) FROM "_s + table + u" WHERE rowid = ?"_s;
    q.prepare(sql);
    q.addBindValue(rowid);
    if (!q.exec())
        fail(u"reading a value's bytes failed"_s, q.lastError(), sql);
    return !q.next() || QByteArrayView(q.value(0).toByteArray()).isValidUtf8();
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
    if (withContent && m_hasFts) {
        QList<RawRow> unknown;
        for (const RawRow& row : std::as_const(rows)) {
            if (!row.contentKnown)
                unknown.append(row);
        }
        if (complete) {
            QStringList ids;
            for (const RawRow& row : std::as_const(unknown)) {
                if (!row.values[FId].isNull())
                    ids.append(row.values[FId].toString());
            }
            content = fetchContent(ids);
        } else if (!unknown.isEmpty()) {
            // ids known to have several FTS rows are looked up completely, so the first copy wins as in subcog
            QStringList duplicated;
            if (!m_duplicateFtsIds.isEmpty()) {
                for (qsizetype i = unknown.size() - 1; i >= 0; --i) {
                    const QString id = unknown[i].values[FId].toString();
                    if (m_duplicateFtsIds.contains(id.toUtf8())) {
                        duplicated << id;
                        unknown.removeAt(i);
                    }
                }
            }
            if (!unknown.isEmpty())
                content = readContent(unknown);
            if (!duplicated.isEmpty())
                content.insert(fetchContent(duplicated));
        }
    }
    out.reserve(out.size() + rows.size());
    for (RawRow& row : rows) {
        const auto& v = row.values;
        auto issue = [&](const QString& reason) {
            if (issues) {
                issues->append(
                    RecordIssue {v[FId].isNull() ? u"(rowid "_s + QString::number(row.rowid) + u')' : v[FId].toString(),
                                 reason, true});
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
        for (const int f : {FId, FNamespace, FDomain, FProjectId, FBranch, FFilePath, FStatus, FTags, FSource,
                            FSourceMemoryIds, FGroupId}) {
            if (issues && mayHideInvalidUtf8(v[f]) && !storedTextIsUtf8(u"memories"_s, kFieldNames[f], row.rowid))
                issues->append(RecordIssue {m.id, invalidUtf8Reason(kFieldNames[f]), false});
        }
        if (withContent) {
            const auto it = row.contentKnown ? content.constEnd() : content.constFind(m.id);
            const QList<ContentRow>* found = row.contentKnown ? &row.content
                : it != content.constEnd()                    ? &*it
                                                              : nullptr;
            if (found && !found->isEmpty()) {
                const ContentRow& first = found->first();
                m.content = first.content;
                if (issues && mayHideInvalidUtf8(first.content)
                    && !storedTextIsUtf8(u"memories_fts"_s, u"content"_s, first.rowid))
                    issues->append(RecordIssue {m.id, invalidUtf8Reason(u"content"_s), false});
                if (found->size() > 1)
                    m.flags |= MemoryFlag::DuplicateContent;
                if (first.tags.toString() != rawTags)
                    m.flags |= MemoryFlag::TagsMismatch;
            } else if (m_contentColumn && !v[FContent].isNull()) {
                m.content = v[FContent].toString();
                if (issues && mayHideInvalidUtf8(v[FContent])
                    && !storedTextIsUtf8(u"memories"_s, u"content"_s, row.rowid))
                    issues->append(RecordIssue {m.id, invalidUtf8Reason(u"content"_s), false});
            } else {
                m.flags |= MemoryFlag::MissingContent;
            }
        }
        out.append(std::move(m));
    }
}

SqliteBackend::Fragment SqliteBackend::whereClause(const MemoryFilter& f, FullTextPlan plan) const
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
            const QString match = terms.join(u" AND "_s);
            // SQLite materialises an IN subquery the first time a row needs it, so the fallbacks below cost nothing
            // until some row is not in the state the cheap test relies on
            const QString exact = u"m.id IN (SELECT id FROM memories_fts WHERE memories_fts MATCH ?)"_s;
            if (plan == FullTextPlan::Aligned) {
                // proven for this match string and offset by countAligned: each matching FTS row is its memory's
                parts << u"m.rowid + ? IN (SELECT rowid FROM memories_fts WHERE memories_fts MATCH ?)"_s;
                binds << m_rowidDelta.value_or(0) << match;
            } else if (plan == FullTextPlan::RowidSet) {
                // Exact when the FTS row at the guessed rowid holds this id (compared as the IN does) and no other
                // FTS row does: then that row alone decides. Anything else takes the exact test.
                const qint64 delta = m_rowidDelta.value_or(0);
                QString guard = u"(SELECT c.c0 FROM memories_fts_content c WHERE c.id = m.rowid + ?) = m.id"_s;
                binds << delta;
                if (!m_duplicateFtsIds.isEmpty()) {
                    // each duplicated id as its stored bytes, and as text, so the column's affinity finds either
                    QStringList list;
                    for (const QByteArray& id : m_duplicateFtsIds) {
                        list << u"?, CAST(? AS TEXT)"_s;
                        binds << id << id;
                    }
                    guard += u" AND m.id NOT IN ("_s + list.join(u", "_s) + u')';
                }
                parts << u"CASE WHEN "_s + guard
                        + u" THEN m.rowid + ? IN (SELECT rowid FROM memories_fts WHERE memories_fts MATCH ?) ELSE "_s
                        + exact + u" END"_s;
                binds << delta << match << match;
            } else if (plan == FullTextPlan::Walk) {
                // Every FTS row with this id is found by the id phrase (equal ids tokenize alike), so the EXISTS is
                // exact; an id without an ASCII letter or digit may have no token and takes the exact test.
                parts << u"CASE WHEN m.id GLOB '*[0-9A-Za-z]*' THEN EXISTS (SELECT 1 FROM memories_fts f WHERE "
                         "memories_fts MATCH ('(' || ? || ') AND id:\"' || replace(m.id, '\"', '\"\"') || '\"') "
                         "AND f.id = m.id) ELSE "_s
                        + exact + u" END"_s;
                binds << match << match;
            } else {
                parts << exact;
                binds << match;
            }
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

std::pair<qint64, qint64> SqliteBackend::fullTextMatches(const QString& match)
{
    const std::optional<QByteArray> token = changeToken();
    if (!m_matchCountsAt || m_matchCountsAt != token) {
        m_matchCounts.clear();
        m_unclaimed.clear();
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        const QString sql = u"SELECT max(rowid) FROM memories"_s;
        if (!q.exec(sql) || !q.next())
            fail(u"counting failed"_s, q.lastError(), sql);
        m_maxRowid = q.value(0).toLongLong();
        m_matchCountsAt = token;
    }
    if (match.isEmpty())
        return {0, m_maxRowid};
    auto it = m_matchCounts.constFind(match);
    if (it == m_matchCounts.constEnd()) {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        const QString sql = u"SELECT count(*) FROM memories_fts WHERE memories_fts MATCH ?"_s;
        q.prepare(sql);
        q.addBindValue(match);
        if (!q.exec() || !q.next())
            fail(u"full-text search failed"_s, q.lastError(), sql);
        it = m_matchCounts.insert(match, q.value(0).toLongLong());
    }
    return {*it, m_maxRowid};
}

bool SqliteBackend::leadsAnIndex(const QString& column)
{
    const auto it = m_leadingIndex.constFind(column);
    if (it != m_leadingIndex.constEnd())
        return *it;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    const QString sql = u"SELECT 1 FROM pragma_index_list('memories') l, pragma_index_info(l.name) i "
                        "WHERE i.seqno = 0 AND i.name = ? AND l.partial = 0"_s;
    q.prepare(sql);
    q.addBindValue(column);
    const bool found = q.exec() && q.next();
    m_leadingIndex.insert(column, found);
    return found;
}

void SqliteBackend::checkRowidDelta()
{
    // the newest memory first (the default order's first page), the oldest when the newest has no single FTS row
    for (const auto* pick : {"max", "min"}) {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        q.setForwardOnly(true);
        const QString sql = u"SELECT m.rowid, m.id, (SELECT c.c0 FROM memories_fts_content c WHERE c.id = m.rowid + ?) "
                            "= m.id FROM memories m WHERE m.rowid = (SELECT "_s
            + QLatin1StringView(pick) + u"(rowid) FROM memories)"_s;
        q.prepare(sql);
        q.addBindValue(m_rowidDelta.value_or(0));
        if (!q.exec())
            fail(u"reading the rowid offset failed"_s, q.lastError(), sql);
        if (!q.next() || q.value(1).isNull())
            continue;
        if (q.value(2).toLongLong() == 1)
            return;
        const QString id = q.value(1).toString();
        const QList<ContentRow> found = fetchContent({id}).value(id);
        if (found.size() == 1) {
            m_rowidDelta = found.first().rowid - q.value(0).toLongLong();
            return;
        }
    }
}

bool SqliteBackend::idsUnique()
{
    if (!m_idsUnique) {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        m_idsUnique = q.exec(u"SELECT 1 FROM pragma_index_list('memories') l WHERE l.\"unique\" = 1 AND l.partial = 0 "
                             "AND (SELECT count(*) FROM pragma_index_info(l.name)) = 1 "
                             "AND (SELECT name FROM pragma_index_info(l.name)) = 'id'"_s)
            && q.next();
    }
    return *m_idsUnique;
}

std::optional<qint64> SqliteBackend::countAligned(const MemoryFilter& f, const QString& match)
{
    if (!m_ftsContentTable || !idsUnique())
        return std::nullopt;
    checkRowidDelta();
    fullTextMatches(QString()); // drops what an older data_version proved
    const qint64 delta = m_rowidDelta.value_or(0);
    const QString key = match + u'\n' + QString::number(delta);
    if (m_unclaimed.value(key, 0) > 0)
        return std::nullopt;
    // One pass over the matching FTS rows. A row whose memory at rowid - offset has its id (ids are unique) counts
    // that memory, once. Any other matching row (orphan, duplicate, shifted) may name a memory counted another way
    // or not at all: then the count is left to the memories-side plans.
    MemoryFilter rest = f;
    rest.words.clear();
    const Fragment where = whereClause(rest);
    const QString sql = u"SELECT count(*) FILTER (WHERE m.id = c.c0"_s
        + (where.sql.isEmpty() ? QString() : u" AND ("_s + where.sql.sliced(7) + u')')
        + u"), count(*) FILTER (WHERE m.id IS NOT c.c0) FROM memories_fts f CROSS JOIN memories_fts_content c "
          "ON c.id = f.rowid LEFT JOIN memories m ON m.rowid = f.rowid - ? WHERE memories_fts MATCH ?"_s;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        fail(u"cannot prepare a count"_s, q.lastError(), sql);
    for (const QVariant& v : where.binds)
        q.addBindValue(v);
    q.addBindValue(delta);
    q.addBindValue(match);
    if (!q.exec() || !q.next())
        fail(u"counting failed"_s, q.lastError(), sql);
    const qint64 unclaimed = q.value(1).toLongLong();
    m_unclaimed.insert(key, unclaimed);
    qCDebug(lcSqlite) << "full-text count from the FTS side:" << unclaimed << "matching rows not their memory's";
    if (unclaimed > 0)
        return std::nullopt;
    return q.value(0).toLongLong();
}

SqliteBackend::FullTextPlan SqliteBackend::chooseFullTextPlan(const MemoryFilter& f, const MemoryQuery* query)
{
    if (!m_hasFts || std::none_of(f.words.begin(), f.words.end(), hasFullTextToken))
        return FullTextPlan::Exact;
    if (!m_idTextAffinity) {
        // the duplicate guard binds ids as text and bytes; an id column of another affinity could compare unlike
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        m_idTextAffinity = q.exec(u"SELECT upper(type) FROM pragma_table_info('memories') WHERE name = 'id'"_s)
            && q.next()
            && (q.value(0).toString().contains(u"CHAR"_s) || q.value(0).toString().contains(u"CLOB"_s)
                || q.value(0).toString().contains(u"TEXT"_s))
            && !q.value(0).toString().contains(u"INT"_s);
    }
    const bool setPossible = m_ftsContentTable && *m_idTextAffinity;
    // walking the sort order pays only when an index gives that order and no other condition picks an index
    const bool walkPossible = query
        && ((query->sortKey == SortKey::CreatedAt && leadsAnIndex(u"created_at"_s))
            || (query->sortKey == SortKey::Id && leadsAnIndex(u"id"_s)))
        && f.ids.isEmpty() && f.namespaces.isEmpty() && f.statuses.isEmpty() && f.projects.isEmpty()
        && f.branches.isEmpty() && f.domains.isEmpty();
    FullTextPlan plan = m_fullTextPlan;
    if (plan == FullTextPlan::Auto) {
        const auto [matches, memories] = fullTextMatches(fullTextQuery(f.words));
        // rough costs in µs at a million rows: the exact plan materialises every matching id as text (~6 µs each);
        // the rowid plan checks every row it passes (~1.3 µs) against matching rowids (~0.25 µs each to collect);
        // the walk costs an FTS query per row passed (~160 µs)
        const double n = double(qMax<qint64>(matches, 1));
        const double total = double(qMax<qint64>(memories, 1));
        // rows passed before the page is full, when an index gives the order; otherwise every row is checked
        const double passed
            = walkPossible ? qMin(total, double(query->skip + qMax(query->limit, 1)) * total / n) : total;
        const double exactCost = 6 * n;
        const double setCost = setPossible ? 1.3 * passed + 0.25 * n : HUGE_VAL;
        const double walkCost = walkPossible ? 160 * passed : HUGE_VAL;
        plan = FullTextPlan::Exact;
        if (setCost < exactCost && setCost <= walkCost)
            plan = FullTextPlan::RowidSet;
        else if (walkCost < exactCost)
            plan = FullTextPlan::Walk;
    }
    if (plan == FullTextPlan::Walk && !query)
        plan = FullTextPlan::RowidSet;
    if (plan == FullTextPlan::RowidSet || plan == FullTextPlan::Aligned) {
        if (!setPossible)
            return FullTextPlan::Exact;
        checkRowidDelta();
        if (idsUnique()) {
            fullTextMatches(QString()); // drops what an older data_version proved
            if (m_unclaimed.value(fullTextQuery(f.words) + u'\n' + QString::number(m_rowidDelta.value_or(0)), -1) == 0)
                return FullTextPlan::Aligned;
        }
        plan = FullTextPlan::RowidSet;
    }
    if (plan == FullTextPlan::RowidSet) {
        QElapsedTimer timer;
        timer.start();
        findDuplicateFtsIds();
        if (m_duplicateFtsIds.size() > 100) // too many to bind; such a store is read the exact way
            return FullTextPlan::Exact;
        qCDebug(lcSqlite) << "full-text rowid plan: duplicate FTS ids known after" << timer.elapsed() << "ms";
    }
    qCDebug(lcSqlite) << "full-text plan" << int(plan) << "for" << f.words << (query ? "page" : "count");
    return plan;
}

qint64 SqliteBackend::count(const MemoryFilter& filter)
{
    assertThread();
    if (m_hasFts && (m_fullTextPlan == FullTextPlan::Auto || m_fullTextPlan == FullTextPlan::Aligned)) {
        const QString match = fullTextQuery(filter.words);
        if (!match.isEmpty()) {
            if (const std::optional<qint64> n = countAligned(filter, match))
                return *n;
        }
    }
    const Fragment where = whereClause(filter, chooseFullTextPlan(filter, nullptr));
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
    Fragment where = whereClause(query.filter, chooseFullTextPlan(query.filter, &query));
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

namespace {
/// A statement on the driver's connection, finalized on every way out.
struct RawStatement
{
    sqlite3_stmt* stmt = nullptr;
    ~RawStatement() { sqlite3_finalize(stmt); }
};

QByteArrayView columnUtf8(sqlite3_stmt* st, int column)
{
    return {reinterpret_cast<const char*>(sqlite3_column_text(st, column)), sqlite3_column_bytes(st, column)};
}

bool isAsciiSpace(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r'); // QChar::isSpace for ASCII
}

/// A column as Qt's driver would give it, without its per-value bookkeeping.
QVariant columnValue(sqlite3_stmt* stmt, int column)
{
    switch (sqlite3_column_type(stmt, column)) {
    case SQLITE_INTEGER:
        return QVariant(qint64(sqlite3_column_int64(stmt, column)));
    case SQLITE_FLOAT:
        return QVariant(sqlite3_column_double(stmt, column));
    case SQLITE_TEXT:
        return QVariant(QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, column)),
                                          sqlite3_column_bytes(stmt, column)));
    case SQLITE_BLOB:
        return QVariant(QByteArray(static_cast<const char*>(sqlite3_column_blob(stmt, column)),
                                   sqlite3_column_bytes(stmt, column)));
    default:
        return QVariant();
    }
}

void bindValue(sqlite3_stmt* stmt, int index, const QVariant& value)
{
    if (value.isNull()) {
        sqlite3_bind_null(stmt, index);
        return;
    }
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Bool:
        sqlite3_bind_int64(stmt, index, value.toLongLong());
        break;
    case QMetaType::Double:
        sqlite3_bind_double(stmt, index, value.toDouble());
        break;
    case QMetaType::QByteArray: {
        const QByteArray bytes = value.toByteArray();
        sqlite3_bind_blob64(stmt, index, bytes.constData(), sqlite3_uint64(bytes.size()), SQLITE_TRANSIENT);
        break;
    }
    default: {
        const QByteArray text = value.toString().toUtf8();
        sqlite3_bind_text64(stmt, index, text.constData(), sqlite3_uint64(text.size()), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    }
}
} // namespace

void SqliteBackend::findDuplicateFtsIds()
{
    const std::optional<QByteArray> token = changeToken();
    if (m_ftsCleanAt && m_ftsCleanAt == token) {
        m_duplicateFtsIds.clear();
        m_duplicatesAt = token;
    }
    if (m_duplicatesAt && m_duplicatesAt == token)
        return;
    // hashes of every FTS id, sorted: equal neighbours name the few ids to count exactly in a second pass
    auto eachId = [&](const std::function<void(QByteArrayView)>& f) {
        RawStatement st;
        const char* sql = "SELECT c0 FROM memories_fts_content";
        if (const int rc = sqlite3_prepare_v2(m_handle, sql, -1, &st.stmt, nullptr); rc != SQLITE_OK)
            fail(u"cannot read the full-text ids"_s,
                 QSqlError(QString(), QString::fromUtf8(sqlite3_errmsg(m_handle)), QSqlError::StatementError,
                           QString::number(rc)),
                 QString::fromLatin1(sql));
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW)
            f(columnUtf8(st.stmt, 0));
        if (rc != SQLITE_DONE)
            fail(u"cannot read the full-text ids"_s,
                 QSqlError(QString(), QString::fromUtf8(sqlite3_errmsg(m_handle)), QSqlError::StatementError,
                           QString::number(rc)),
                 QString::fromLatin1(sql));
    };
    std::vector<size_t> hashes;
    eachId([&](QByteArrayView id) { hashes.push_back(qHashBits(id.data(), size_t(id.size()), 0x5bd1e995)); });
    std::sort(hashes.begin(), hashes.end());
    QSet<size_t> suspects;
    for (size_t i = 1; i < hashes.size(); ++i) {
        if (hashes[i] == hashes[i - 1])
            suspects.insert(hashes[i]);
    }
    hashes = {};
    m_duplicateFtsIds.clear();
    if (!suspects.isEmpty()) {
        QHash<QByteArray, int> counts;
        eachId([&](QByteArrayView id) {
            if (suspects.contains(qHashBits(id.data(), size_t(id.size()), 0x5bd1e995)))
                ++counts[id.toByteArray()];
        });
        for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
            if (it.value() > 1)
                m_duplicateFtsIds.insert(it.key());
        }
    }
    m_duplicatesAt = token;
}

void SqliteBackend::stepScan(const MemoryQuery& query, const std::function<ScanStep(sqlite3_stmt*, bool)>& onRow,
                             const std::function<bool()>& onEnd, ScanOrder order, sqlite3_value* onlyKey)
{
    assertThread();
    // One statement stepped from start to end on the driver's own sqlite3 handle: QSqlQuery would turn every value
    // into a QVariant through UTF-16 twice over, which was most of an export's time. The FTS row is joined at the
    // rowid the metadata row suggests (subcog writes both in one transaction) and used only when its id matches;
    // rows it misses go through attachContent's lookups.
    const Fragment where = whereClause(query.filter);
    const QString key = sortColumn(query.sortKey);
    const auto dir = [](Qt::SortOrder o) { return o == Qt::AscendingOrder ? u"ASC"_s : u"DESC"_s; };
    const bool join = query.withContent && m_hasFts && m_ftsContentTable;
    if (join)
        findDuplicateFtsIds();
    QString sql = u"SELECT "_s + selectList();
    if (join) {
        // the offset is an integer this code computed, not user data
        sql += u", c.id, c.c0, c.c1, c.c2 FROM memories m LEFT JOIN memories_fts_content c ON c.id = m.rowid + "_s
            + QString::number(m_rowidDelta.value_or(0));
    } else {
        sql += u" FROM memories m"_s;
    }
    sql += where.sql;
    if (onlyKey)
        sql += (where.sql.isEmpty() ? u" WHERE "_s : u" AND "_s) + key + u" IS ?"_s;
    sql += u" ORDER BY "_s + key + u' ' + dir(query.order);
    if (query.sortKey != SortKey::Id && order == ScanOrder::Exact)
        sql += u", m.id "_s + dir(query.idOrder);
    auto rawFail = [&](const QString& what, int rc) {
        fail(what,
             QSqlError(QString(), QString::fromUtf8(sqlite3_errmsg(m_handle)), QSqlError::StatementError,
                       QString::number(rc)),
             sql);
    };
    RawStatement st;
    const QByteArray sqlUtf8 = sql.toUtf8();
    if (const int rc = sqlite3_prepare_v2(m_handle, sqlUtf8.constData(), int(sqlUtf8.size()), &st.stmt, nullptr);
        rc != SQLITE_OK)
        rawFail(u"cannot prepare a read"_s, rc);
    for (int i = 0; i < where.binds.size(); ++i)
        bindValue(st.stmt, i + 1, where.binds[i]);
    if (onlyKey)
        sqlite3_bind_value(st.stmt, int(where.binds.size()) + 1, onlyKey);

    // A whole-store scan whose join found one FTS row for every memory, in a table with no other rows, has
    // proved what storeIssues' GROUP BY over the FTS table (seconds at a million rows) would look for.
    const bool whole = join && where.sql.isEmpty() && !onlyKey;
    const std::optional<QByteArray> tokenBefore = whole ? changeToken() : std::nullopt;
    qint64 seen = 0;
    qint64 joined = 0;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
        ++seen;
        switch (onRow(st.stmt, join)) {
        case ScanStep::Stop:
            return;
        case ScanStep::Joined:
            ++joined;
            break;
        case ScanStep::Read:
            break;
        }
    }
    if (rc != SQLITE_DONE)
        rawFail(u"read failed"_s, rc);
    if (!onEnd())
        return;
    if (whole && joined == seen) {
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        if (q.exec(u"SELECT count(*) FROM memories_fts_content"_s) && q.next() && q.value(0).toLongLong() == seen
            && changeToken() == tokenBefore)
            m_ftsCleanAt = tokenBefore;
    }
}

SqliteBackend::RawRow SqliteBackend::readRawRow(sqlite3_stmt* st, bool join) const
{
    RawRow row;
    row.rowid = sqlite3_column_int64(st, 0);
    for (int f = 0; f < FieldCount; ++f)
        row.values[f] = columnValue(st, f + 1);
    constexpr int c = FieldCount + 1;
    if (join && sqlite3_column_type(st, c) != SQLITE_NULL && sqlite3_column_type(st, c + 1) == SQLITE_TEXT
        && row.values[FId].typeId() == QMetaType::QString) {
        const QByteArrayView ftsId(reinterpret_cast<const char*>(sqlite3_column_text(st, c + 1)),
                                   sqlite3_column_bytes(st, c + 1));
        if (QString::fromUtf8(ftsId) == row.values[FId].toString()
            && (m_duplicateFtsIds.isEmpty() || !m_duplicateFtsIds.contains(ftsId.toByteArray()))) {
            row.content.append(
                ContentRow {sqlite3_column_int64(st, c), columnValue(st, c + 2).toString(), columnValue(st, c + 3)});
            row.contentKnown = true;
        }
    }
    return row;
}

void SqliteBackend::scan(const MemoryQuery& query, const ScanSink& sink, int batchSize)
{
    QList<RawRow> rows;
    rows.reserve(batchSize);
    auto flush = [&] {
        QList<Memory> memories;
        QList<RecordIssue> issues;
        attachContent(rows, memories, &issues, query.withContent, false);
        rows.clear();
        return sink(memories, issues);
    };
    stepScan(
        query,
        [&](sqlite3_stmt* st, bool join) {
            rows.append(readRawRow(st, join));
            const bool joined = rows.last().contentKnown;
            if (rows.size() >= qMax(1, batchSize) && !flush())
                return ScanStep::Stop;
            return joined ? ScanStep::Joined : ScanStep::Read;
        },
        [&] { return rows.isEmpty() || flush(); });
}

bool SqliteBackend::appendPlainJsonLine(QByteArray& out, sqlite3_stmt* st) const
{
    // The full-fidelity line of one row written from its UTF-8 columns, for rows that need none of attachContent's
    // judgement: every column of the type subcog writes, valid UTF-8, the FTS row joined. Anything else returns
    // false (and leaves `out` as it was) for the general decoder, so both give the same line (tst_sqlitelayouts
    // compares them on every layout and anomaly).
    // each column's type and bytes fetched once: the sqlite3_column_* calls were a visible share of the time
    constexpr int c = FieldCount + 1;
    std::array<int, FieldCount> types;
    std::array<QByteArrayView, FieldCount> cells;
    for (int f = 0; f < FieldCount; ++f) {
        types[f] = sqlite3_column_type(st, f + 1);
        if (types[f] == SQLITE_TEXT)
            cells[f] = columnUtf8(st, f + 1);
    }
    const auto type = [&](int field) { return types[field]; };
    if (type(FId) != SQLITE_TEXT || sqlite3_column_type(st, c) != SQLITE_INTEGER
        || sqlite3_column_type(st, c + 1) != SQLITE_TEXT || type(FCreatedAt) != SQLITE_INTEGER)
        return false;
    const QByteArrayView id = cells[FId];
    if (id.isEmpty() || columnUtf8(st, c + 1) != id || !id.isValidUtf8())
        return false;
    if (!m_duplicateFtsIds.isEmpty() && m_duplicateFtsIds.contains(QByteArray::fromRawData(id.data(), id.size())))
        return false;
    const int contentType = sqlite3_column_type(st, c + 2);
    if (contentType != SQLITE_TEXT && contentType != SQLITE_NULL)
        return false;
    for (const int f :
         {FNamespace, FDomain, FProjectId, FBranch, FFilePath, FStatus, FTags, FSource, FSourceMemoryIds, FGroupId}) {
        const int t = type(f);
        if (t != SQLITE_TEXT && t != SQLITE_NULL)
            return false;
        if (t == SQLITE_TEXT && !cells[f].isValidUtf8())
            return false;
    }
    for (const int f : {FTombstonedAt, FExpiresAt, FIsSummary, FConsolidationTimestamp}) {
        const int t = type(f);
        if (t != SQLITE_INTEGER && t != SQLITE_NULL)
            return false;
    }
    const QByteArrayView content = contentType == SQLITE_TEXT ? columnUtf8(st, c + 2) : QByteArrayView("");
    if (!content.isValidUtf8())
        return false;

    // The parts QString must judge come first (non-ASCII tags, the source id list), then the line is written with
    // a pointer into room for its longest possible form: QByteArray::append's bookkeeping was a visible cost.
    const QByteArrayView tags = cells[FTags];
    QByteArray slowParts; // [tags array] and [source ids array], when they need Qt
    qsizetype tagsSlowEnd = -1;
    if (std::any_of(tags.begin(), tags.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; })) {
        // trimming non-ASCII white space is QString's business
        const QStringList list = splitTags(QString::fromUtf8(tags));
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (i)
                slowParts.append(',');
            appendJsonString(slowParts, list[i]);
        }
        tagsSlowEnd = slowParts.size();
    }
    const qsizetype idsStart = slowParts.size();
    if (type(FSourceMemoryIds) != SQLITE_NULL) {
        // a list that is not an array of strings reads as empty, as in attachContent
        const QJsonDocument doc = QJsonDocument::fromJson(cells[FSourceMemoryIds].toByteArray());
        const QJsonArray items = doc.array();
        const bool valid = doc.isArray()
            && std::all_of(items.begin(), items.end(), [](const QJsonValue& v) { return v.isString(); });
        slowParts.append('[');
        if (valid) {
            for (qsizetype i = 0; i < items.size(); ++i) {
                if (i)
                    slowParts.append(',');
                appendJsonString(slowParts, items[i].toString());
            }
        }
        slowParts.append(']');
    }

    qsizetype textBytes = id.size() + content.size();
    for (const int f : {FNamespace, FDomain, FProjectId, FBranch, FFilePath, FStatus, FSource, FGroupId})
        textBytes += cells[f].size();
    // 6 bytes per escaped byte; a tag adds at most 3 (quotes, comma); keys, numbers and literals stay under 512
    const qsizetype room = 6 * textBytes + 9 * tags.size() + slowParts.size() + 512;
    const qsizetype start = out.size();
    out.resize(start + room);
    char* p = out.data() + start;
    const auto key = [&](std::string_view literal) {
        std::memcpy(p, literal.data(), literal.size());
        p += literal.size();
    };
    const auto number = [&](qint64 value) { p = std::to_chars(p, p + 24, value).ptr; };
    const auto text = [&](int f) { p = writeJsonUtf8String(p, cells[f]); };
    const auto optionalText = [&](int f) {
        if (type(f) == SQLITE_NULL)
            key("null");
        else
            text(f);
    };
    const auto optionalInt = [&](int f) {
        if (type(f) == SQLITE_NULL)
            key("null");
        else
            number(sqlite3_column_int64(st, f + 1));
    };
    key("{\"id\":");
    p = writeJsonUtf8String(p, id);
    key(",\"content\":");
    p = writeJsonUtf8String(p, content);
    key(",\"namespace\":");
    text(FNamespace); // NULL reads as ""
    key(",\"domain\":");
    if (cells[FDomain].isEmpty())
        key("\"project\"");
    else
        text(FDomain);
    key(",\"project_id\":");
    optionalText(FProjectId);
    key(",\"branch\":");
    optionalText(FBranch);
    key(",\"file_path\":");
    optionalText(FFilePath);
    key(",\"status\":");
    text(FStatus);
    const qint64 created = sqlite3_column_int64(st, FCreatedAt + 1);
    key(",\"created_at\":");
    number(created);
    key(",\"updated_at\":");
    number(created); // SQLite has no updated_at column; subcog reads created_at back
    key(",\"tombstoned_at\":");
    optionalInt(FTombstonedAt);
    key(",\"expires_at\":");
    optionalInt(FExpiresAt);
    key(",\"tags\":[");
    if (tagsSlowEnd >= 0) {
        std::memcpy(p, slowParts.constData(), size_t(tagsSlowEnd));
        p += tagsSlowEnd;
    } else {
        bool first = true;
        qsizetype from = 0;
        while (from <= tags.size()) {
            qsizetype to = tags.indexOf(',', from);
            if (to < 0)
                to = tags.size();
            qsizetype b = from;
            qsizetype e = to;
            while (b < e && isAsciiSpace(tags[b]))
                ++b;
            while (e > b && isAsciiSpace(tags[e - 1]))
                --e;
            if (e > b) {
                if (!first)
                    *p++ = ',';
                first = false;
                p = writeJsonUtf8String(p, tags.sliced(b, e - b));
            }
            from = to + 1;
        }
    }
    key("],\"source\":");
    optionalText(FSource);
    key(",\"is_summary\":");
    if (type(FIsSummary) != SQLITE_NULL && sqlite3_column_int64(st, FIsSummary + 1) != 0)
        key("true");
    else
        key("false");
    key(",\"source_memory_ids\":");
    if (type(FSourceMemoryIds) == SQLITE_NULL) {
        key("null");
    } else {
        std::memcpy(p, slowParts.constData() + idsStart, size_t(slowParts.size() - idsStart));
        p += slowParts.size() - idsStart;
    }
    key(",\"consolidation_timestamp\":");
    optionalInt(FConsolidationTimestamp);
    key(",\"group_id\":");
    optionalText(FGroupId);
    key("}\n");
    Q_ASSERT(p <= out.constData() + start + room);
    out.resize(p - out.constData());
    return true;
}

namespace {
/// A value as SQLite's ORDER BY compares it with the BINARY collation: NULL, then numbers, then text, then blobs.
struct SortValue
{
    int rank = 0; ///< 0 NULL, 1 number, 2 text, 3 blob
    bool isInt = false;
    qint64 integer = 0;
    double real = 0;
    qsizetype begin = 0; ///< text or blob bytes in the caller's arena
    qsizetype size = 0;

    static SortValue read(sqlite3_value* v, QByteArray& arena)
    {
        SortValue s;
        switch (sqlite3_value_type(v)) {
        case SQLITE_NULL:
            break;
        case SQLITE_INTEGER:
            s.rank = 1;
            s.isInt = true;
            s.integer = sqlite3_value_int64(v);
            break;
        case SQLITE_FLOAT:
            s.rank = 1;
            s.real = sqlite3_value_double(v);
            break;
        default: {
            s.rank = sqlite3_value_type(v) == SQLITE_TEXT ? 2 : 3;
            const auto* data = s.rank == 2 ? static_cast<const void*>(sqlite3_value_text(v)) : sqlite3_value_blob(v);
            s.size = sqlite3_value_bytes(v);
            s.begin = arena.size();
            arena.append(static_cast<const char*>(data), s.size);
        }
        }
        return s;
    }

    /// <0, 0, >0 like memcmp.
    static int compare(const SortValue& a, const SortValue& b, const QByteArray& arena)
    {
        if (a.rank != b.rank)
            return a.rank < b.rank ? -1 : 1;
        if (a.rank == 0)
            return 0;
        if (a.rank == 1) {
            if (a.isInt && b.isInt)
                return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
            const double x = a.isInt ? double(a.integer) : a.real;
            const double y = b.isInt ? double(b.integer) : b.real;
            return x < y ? -1 : x > y ? 1 : 0;
        }
        const int c
            = std::memcmp(arena.constData() + a.begin, arena.constData() + b.begin, size_t(std::min(a.size, b.size)));
        if (c != 0)
            return c;
        return a.size < b.size ? -1 : a.size > b.size ? 1 : 0;
    }
};

/// Whether two values are the same for grouping (type and value).
bool sameValue(sqlite3_value* a, sqlite3_value* b)
{
    const int t = sqlite3_value_type(a);
    if (t != sqlite3_value_type(b))
        return false;
    switch (t) {
    case SQLITE_NULL:
        return true;
    case SQLITE_INTEGER:
        return sqlite3_value_int64(a) == sqlite3_value_int64(b);
    case SQLITE_FLOAT:
        return sqlite3_value_double(a) == sqlite3_value_double(b);
    default: {
        const void* x = t == SQLITE_TEXT ? static_cast<const void*>(sqlite3_value_text(a)) : sqlite3_value_blob(a);
        const void* y = t == SQLITE_TEXT ? static_cast<const void*>(sqlite3_value_text(b)) : sqlite3_value_blob(b);
        const int n = sqlite3_value_bytes(a);
        return n == sqlite3_value_bytes(b) && std::memcmp(x, y, size_t(n)) == 0;
    }
    }
}

struct ValueDeleter
{
    void operator()(sqlite3_value* v) const { sqlite3_value_free(v); }
};
using ValuePtr = std::unique_ptr<sqlite3_value, ValueDeleter>;
} // namespace

bool SqliteBackend::scanJsonLines(const MemoryQuery& query, const JsonLinesSink& sink, int batchSize)
{
    if (!query.withContent || !m_hasFts || !m_ftsContentTable)
        return false;
    // Rows the plain writer declines are decoded like any page, in one attachContent call per batch, and their
    // lines put back where they belong.
    QByteArray lines;
    lines.reserve(1 << 20);
    qint64 written = 0;
    QList<RawRow> pending;
    QList<qsizetype> pendingAt; ///< where in `lines` each pending row's line goes
    qsizetype rowsInBatch = 0;
    bool stopped = false; ///< the sink said stop
    auto flush = [&] {
        QList<RecordIssue> issues;
        if (!pending.isEmpty()) {
            QList<Memory> memories;
            attachContent(pending, memories, &issues, true, false);
            QByteArray merged;
            merged.reserve(lines.size() + pending.size() * 512);
            qsizetype from = 0;
            qsizetype next = 0;
            for (qsizetype i = 0; i < pending.size(); ++i) {
                merged.append(lines.constData() + from, pendingAt[i] - from);
                from = pendingAt[i];
                // rows that could not be decoded have no memory (and an issue); ids are unique
                if (next < memories.size() && memories[next].id == pending[i].values[FId].toString()) {
                    const Memory& m = memories[next++];
                    if (m.flags & MemoryFlag::MissingContent) {
                        // missing is not empty: left out and named, as the general export does
                        issues.append(RecordIssue {m.id, missingContentReason(), true});
                        continue;
                    }
                    appendJsonLine(merged, m);
                    ++written;
                }
            }
            merged.append(lines.constData() + from, lines.size() - from);
            lines.swap(merged);
            pending.clear();
            pendingAt.clear();
        }
        rowsInBatch = 0;
        const bool go = sink(lines, written, issues);
        lines.truncate(0); // a sink that kept the bytes leaves a new, empty array here
        if (lines.capacity() < (1 << 20))
            lines.reserve(1 << 20);
        written = 0;
        stopped = !go;
        return go;
    };
    // one row into `out` as a line, or as a pending row whose line comes later
    auto take = [&](sqlite3_stmt* st, bool join, QByteArray& out, QList<RawRow>& rawRows) {
        if (appendPlainJsonLine(out, st))
            return ScanStep::Joined;
        rawRows.append(readRawRow(st, join));
        return rawRows.last().contentKnown ? ScanStep::Joined : ScanStep::Read;
    };
    auto emitDirect = [&](sqlite3_stmt* st, bool join) {
        const qsizetype before = lines.size();
        const qsizetype pendingBefore = pending.size();
        const ScanStep step = take(st, join, lines, pending);
        if (pending.size() > pendingBefore)
            pendingAt.append(before);
        else
            ++written;
        if (++rowsInBatch >= qMax(1, batchSize) && !flush())
            return ScanStep::Stop;
        return step;
    };

    if (query.sortKey != SortKey::CreatedAt) {
        stepScan(query, emitDirect, [&] { return rowsInBatch == 0 || flush(); });
        return true;
    }

    // Sorting by created_at with ids breaking ties makes SQLite sort every second's rows in a temporary b-tree,
    // half of the statement's time. The index alone gives the seconds in order; the few rows of each second are
    // put in id order here, exactly as ORDER BY would. A second with more rows than m_tieGroupLimit is left to SQLite
    // (a statement for that one value), so memory stays bounded.
    struct Unit
    {
        SortValue id;
        qsizetype begin = 0; ///< the line in groupLines, when written
        qsizetype end = 0;
        qsizetype pendingIndex = -1; ///< or the row in groupPending
    };
    QList<Unit> units;
    QByteArray groupLines;
    QByteArray idArena;
    QList<RawRow> groupPending;
    ValuePtr groupKey;
    ValuePtr skipKey; ///< a second handed to SQLite, whose rows the main statement passes over
    const bool idsDescending = query.idOrder == Qt::DescendingOrder;
    auto endGroup = [&] {
        std::stable_sort(units.begin(), units.end(), [&](const Unit& a, const Unit& b) {
            const int c = SortValue::compare(a.id, b.id, idArena);
            return idsDescending ? c > 0 : c < 0;
        });
        for (const Unit& u : std::as_const(units)) {
            if (u.pendingIndex >= 0) {
                pendingAt.append(lines.size());
                pending.append(std::move(groupPending[u.pendingIndex]));
            } else {
                lines.append(groupLines.constData() + u.begin, u.end - u.begin);
                ++written;
            }
        }
        rowsInBatch += units.size();
        units.clear();
        groupLines.truncate(0);
        idArena.truncate(0);
        groupPending.clear();
        groupKey.reset();
        return rowsInBatch < qMax(1, batchSize) || flush();
    };
    stepScan(
        query,
        [&](sqlite3_stmt* st, bool join) {
            sqlite3_value* key = sqlite3_column_value(st, FCreatedAt + 1);
            if (skipKey) {
                if (sameValue(key, skipKey.get()))
                    return ScanStep::Read; // read by the statement for that second; no longer proves the FTS clean
                skipKey.reset();
            }
            if (groupKey && !sameValue(key, groupKey.get()) && !endGroup())
                return ScanStep::Stop;
            if (!groupKey)
                groupKey.reset(sqlite3_value_dup(key));
            Unit unit;
            unit.id = SortValue::read(sqlite3_column_value(st, FId + 1), idArena);
            unit.begin = groupLines.size();
            const qsizetype pendingBefore = groupPending.size();
            const ScanStep step = take(st, join, groupLines, groupPending);
            unit.end = groupLines.size();
            if (groupPending.size() > pendingBefore)
                unit.pendingIndex = groupPending.size() - 1;
            units.append(unit);
            if (units.size() <= m_tieGroupLimit)
                return step;
            // a crowded second: SQLite sorts it, and the main statement skips the rest of it
            units.clear();
            groupLines.truncate(0);
            idArena.truncate(0);
            groupPending.clear();
            skipKey = std::move(groupKey);
            stepScan(
                query, emitDirect, [] { return true; }, ScanOrder::Exact, skipKey.get());
            return stopped ? ScanStep::Stop : ScanStep::Read;
        },
        [&] {
            if (!units.isEmpty() && !endGroup())
                return false;
            return rowsInBatch == 0 || flush();
        },
        ScanOrder::KeyOnly);
    return true;
}

QList<RecordIssue> SqliteBackend::storeIssues()
{
    assertThread();
    QList<RecordIssue> issues;
    if (!m_hasFts || (m_ftsCleanAt && changeToken() == m_ftsCleanAt))
        return issues;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    // FTS5 columns keep the type they were given: an id written as an integer matches the memories row's text id
    // only as text (the memories row is read by its text too)
    const QString sql
        = u"SELECT fid, COUNT(*) AS n, EXISTS (SELECT 1 FROM memories m WHERE m.id = fid) AS known "
          "FROM (SELECT CAST(id AS TEXT) AS fid FROM memories_fts) GROUP BY fid HAVING n > 1 OR NOT known ORDER BY fid"_s;
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
    if (m_snapshotDepth > 0)
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_path + u": cannot write while this connection reads one snapshot"_s);
}

QString SqliteBackend::beginSnapshot()
{
    assertThread();
    if (m_snapshotDepth > 0) {
        ++m_snapshotDepth;
        return {};
    }
    // A deferred BEGIN takes no lock; the first read then pins the snapshot. In WAL mode that is a read mark in
    // the -shm and subcog's writer goes on committing; with a rollback journal it is a SHARED lock that makes
    // every writer's COMMIT wait until endSnapshot.
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(u"BEGIN"_s))
        fail(u"cannot start a read"_s, q.lastError());
    if (!q.exec(u"SELECT 1 FROM sqlite_master LIMIT 1"_s)) {
        const QSqlError error = q.lastError();
        q.exec(u"ROLLBACK"_s);
        fail(u"cannot start a read"_s, error);
    }
    q.finish();
    m_snapshotDepth = 1;
    if (m_snapshot || m_journalMode.compare(u"wal"_s, Qt::CaseInsensitive) == 0)
        return {};
    return m_path + u": the store uses a rollback journal (journal mode "_s + m_journalMode
        + u"), so other processes' writes wait until this read ends (subcog gives up after 5 s)"_s;
}

void SqliteBackend::endSnapshot() noexcept
{
    if (m_snapshotDepth == 0 || --m_snapshotDepth > 0)
        return;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    if (!q.exec(u"COMMIT"_s))
        q.exec(u"ROLLBACK"_s);
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
    beginWrite(tx, q, u"cannot start a write"_s);
    for (const Memory& memory : memories)
        writeRow(memory);
    if (!q.exec(u"COMMIT"_s))
        fail(memories.size() == 1
                 ? QString(u"committing memory "_s + memories.first().id + u" failed"_s)
                 : QString(u"committing "_s + QString::number(memories.size()) + u" memories failed"_s),
             q.lastError());
    tx.committed = true;
}

void SqliteBackend::beginWrite(Transaction& tx, QSqlQuery& q, const QString& what)
{
    // what scans proved about the FTS table is forgotten: this connection's writes do not move data_version
    m_ftsCleanAt.reset();
    m_duplicatesAt.reset();
    m_matchCountsAt.reset();
    if (!q.exec(u"BEGIN IMMEDIATE"_s))
        fail(what, q.lastError());
    tx.open = true;
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
    beginWrite(tx, q, u"cannot start a delete"_s);
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

namespace Inspector {

std::optional<qint64> SqliteBackend::rowOf(const MemoryQuery& query, const QString& id)
{
    assertThread();
    if (!query.filter.ids.isEmpty() && !query.filter.ids.contains(id))
        return std::nullopt;
    MemoryFilter only = query.filter;
    only.ids = {id};
    const QString key = sortColumn(query.sortKey);
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QVariant targetKey;
    {
        // whether it passes the filter, and its sort key
        const Fragment where = whereClause(only);
        const QString sql = u"SELECT "_s + key + u" FROM memories m"_s + where.sql + u" LIMIT 1"_s;
        QSqlQuery q(db);
        q.setForwardOnly(true);
        if (!q.prepare(sql))
            fail(u"cannot prepare a lookup"_s, q.lastError(), sql);
        for (const QVariant& v : where.binds)
            q.addBindValue(v);
        if (!q.exec())
            fail(u"lookup failed"_s, q.lastError(), sql);
        if (!q.next()) {
            if (q.lastError().isValid())
                fail(u"lookup failed"_s, q.lastError(), sql);
            return std::nullopt;
        }
        targetKey = q.value(0);
    }
    // the rows before it in the query's order: those with a key before its key, plus its ties with an id before
    // its id. Two counts in one statement, so the first is a range of the key's index alone (covering, when no
    // filter needs the rows) instead of a row lookup per key for the id test of the cursor's single range.
    const Fragment where = whereClause(query.filter);
    const QString keyOp = query.order == Qt::AscendingOrder ? u"<"_s : u">"_s;
    const QString idOp = query.idOrder == Qt::AscendingOrder ? u"<"_s : u">"_s;
    const QString and_ = where.sql.isEmpty() ? u" WHERE "_s : u" AND "_s;
    QVariantList binds;
    QString sql;
    if (query.sortKey == SortKey::Id) {
        sql = u"SELECT COUNT(*) FROM memories m"_s + where.sql + and_ + u"m.id "_s + keyOp + u" ?"_s;
        binds << where.binds << id;
    } else {
        sql = u"SELECT (SELECT COUNT(*) FROM memories m"_s + where.sql + and_ + key + u' ' + keyOp
            + u" ?) + (SELECT COUNT(*) FROM memories m"_s + where.sql + and_ + key + u" = ? AND m.id "_s + idOp
            + u" ?)"_s;
        binds << where.binds << targetKey << where.binds << targetKey << id;
    }
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        fail(u"cannot prepare a count"_s, q.lastError(), sql);
    for (const QVariant& v : std::as_const(binds))
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        fail(u"counting failed"_s, q.lastError(), sql);
    return q.value(0).toLongLong();
}

void SqliteBackend::interrupt() noexcept
{
    // sqlite3_interrupt is safe from any thread while the connection is open; it stops the statements running now
    // and is a no-op when none runs, so a late call does not touch the next statement
    std::lock_guard lock(m_handleMutex);
    if (m_handle)
        sqlite3_interrupt(m_handle);
}

} // namespace Inspector
