// SPDX-License-Identifier: MIT
// SqliteBackend's connection: opening and creating stores, the schema facts, snapshots, errors as StorageError.
#include "sqlitebackend.h"

#include "sqliteinternal.h"
#include "sqliteschema.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>

#include <sqlite3.h>

#include <cerrno>
#include <csignal>
#include <cstdio> // renameat2
#include <cstring>

#include <fcntl.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSqlite, "inspector.storage.sqlite", QtWarningMsg)

namespace Inspector {

using namespace SqliteInternal;

namespace {

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

/// Qt Sql's connection names are per process, and the PostgreSQL module carries its own copy of this code and
/// counter (postgresmodule.h): the counter's address tells the copies apart.
QString nextConnectionName()
{
    return u"inspector-sqlite-"_s + QString::number(quintptr(&g_connectionCounter), 16) + u'-'
        + QString::number(++g_connectionCounter);
}
} // namespace

SqliteBackend::SqliteBackend(QString path, QString connectionName, bool readOnly)
    : m_path(std::move(path))
    , m_connectionName(std::move(connectionName))
    , m_readOnly(readOnly)
    , m_thread(QThread::currentThread())
    , m_fts(std::make_unique<FullTextCaches>())
    , m_graph(fileBesideIndex(m_path, u"graph.db"_s),
              u"subcog keeps graph.db only beside its data folder's index.db, and this file is not named index.db"_s)
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
        const QString name = nextConnectionName();
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
    const QString name = nextConnectionName();
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
    // Qt's driver gives SQLite's extended result code as the native error code
    throwSqliteError(m_path, what, error.nativeErrorCode().toInt(),
                     error.databaseText().isEmpty() ? error.text() : error.databaseText(), error.text(), sql);
}

void SqliteBackend::failRaw(const QString& what, int rc, const QString& sql) const
{
    const QString message = QString::fromUtf8(sqlite3_errmsg(m_handle));
    throwSqliteError(m_path, what, rc, message, message, sql);
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
    registerLifecycleFunctions(m_handle);
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

void SqliteBackend::interrupt() noexcept
{
    // sqlite3_interrupt is safe from any thread while the connection is open; it stops the statements running now
    // and is a no-op when none runs, so a late call does not touch the next statement
    std::lock_guard lock(m_handleMutex);
    if (m_handle)
        sqlite3_interrupt(m_handle);
}

} // namespace Inspector
