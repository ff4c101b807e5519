// SPDX-License-Identifier: MIT
// A thin layer over the sqlite3 C API for the health code: values with their storage class, a connection that
// throws StorageError, and a statement. Raw rather than Qt Sql because a repair must see `1` and `'1'` apart.
#pragma once

#include "storageerror.h"

#include <QByteArray>
#include <QFile>
#include <QString>

#include <optional>

#include <sqlite3.h>

namespace Inspector::SqliteRaw {

using namespace Qt::StringLiterals;

/// A value as SQLite holds it, type included, so a comparison sees `1` and `'1'` as different.
struct Value
{
    int type = SQLITE_NULL;
    qint64 integer = 0;
    double real = 0;
    QByteArray bytes; ///< text (UTF-8) or blob

    static Value text(const QString& s) { return Value {SQLITE_TEXT, 0, 0, s.toUtf8()}; }
    static Value number(qint64 n) { return Value {SQLITE_INTEGER, n, 0, {}}; }
    bool isNull() const { return type == SQLITE_NULL; }
    /// As sqlite3_column_text() would read it, NULL as "".
    QString toText() const
    {
        switch (type) {
        case SQLITE_INTEGER:
            return QString::number(integer);
        case SQLITE_FLOAT:
            return QString::number(real, 'g', 17);
        case SQLITE_NULL:
            return {};
        default:
            return QString::fromUtf8(bytes);
        }
    }
    std::optional<qint64> toInteger() const
    {
        if (type == SQLITE_INTEGER)
            return integer;
        if (type == SQLITE_FLOAT)
            return qint64(real);
        bool ok = false;
        const qint64 n = bytes.trimmed().toLongLong(&ok);
        return ok && type == SQLITE_TEXT ? std::optional(n) : std::nullopt;
    }
    /// NULL, a number, or the quoted text, for a change's description.
    QString shown() const
    {
        if (type == SQLITE_NULL || type == SQLITE_INTEGER || type == SQLITE_FLOAT)
            return isNull() ? u"NULL"_s : toText();
        return u'\'' + toText() + u'\'';
    }
    bool operator==(const Value&) const = default;

    void appendTo(QByteArray& out) const
    {
        out.append(char(type));
        if (type == SQLITE_INTEGER)
            out.append(reinterpret_cast<const char*>(&integer), sizeof integer);
        else if (type == SQLITE_FLOAT)
            out.append(reinterpret_cast<const char*>(&real), sizeof real);
        else if (type != SQLITE_NULL) {
            const qint64 size = bytes.size();
            out.append(reinterpret_cast<const char*>(&size), sizeof size).append(bytes);
        }
    }
};

class Connection
{
public:
    Connection(const QString& path, bool readOnly)
        : m_path(path)
    {
        if (!QFile::exists(path))
            throw StorageError(StorageError::Kind::NotFound, path + u": no such file"_s);
        // never created here; WAL honoured so a live -wal file's rows are seen and kept (spec §4.1)
        const int flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
        if (sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, flags, nullptr) != SQLITE_OK)
            fail(u"cannot open the file"_s);
        sqlite3_busy_timeout(m_db, 5000);
        sqlite3_extended_result_codes(m_db, 0);
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

    void exec(const char* sql, const QString& what) const
    {
        if (sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
            fail(what);
    }

private:
    QString m_path;
    sqlite3* m_db = nullptr;
};

class Statement
{
public:
    Statement(const Connection& db, const QString& sql, QString what = u"cannot read the store"_s)
        : m_db(db)
        , m_what(std::move(what))
    {
        const QByteArray utf8 = sql.toUtf8();
        if (sqlite3_prepare_v2(db.handle(), utf8.constData(), int(utf8.size()), &m_stmt, nullptr) != SQLITE_OK)
            db.fail(m_what);
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    void bind(int index, const Value& v)
    {
        switch (v.type) {
        case SQLITE_INTEGER:
            sqlite3_bind_int64(m_stmt, index, v.integer);
            break;
        case SQLITE_FLOAT:
            sqlite3_bind_double(m_stmt, index, v.real);
            break;
        case SQLITE_TEXT:
            sqlite3_bind_text(m_stmt, index, v.bytes.constData(), int(v.bytes.size()), SQLITE_TRANSIENT);
            break;
        case SQLITE_BLOB:
            sqlite3_bind_blob(m_stmt, index, v.bytes.constData(), int(v.bytes.size()), SQLITE_TRANSIENT);
            break;
        default:
            sqlite3_bind_null(m_stmt, index);
        }
    }
    void bind(int index, const QString& text) { bind(index, Value::text(text)); }
    void bind(int index, qint64 n) { sqlite3_bind_int64(m_stmt, index, n); }
    bool step()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc != SQLITE_DONE) {
            sqlite3_reset(m_stmt);
            m_db.fail(m_what);
        }
        return false;
    }
    /// Runs a statement that returns no rows and resets it; returns the rows it changed.
    int run()
    {
        step();
        reset();
        return sqlite3_changes(m_db.handle());
    }
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    int columnCount() const { return sqlite3_column_count(m_stmt); }
    QString columnName(int column) const { return QString::fromUtf8(sqlite3_column_name(m_stmt, column)); }
    /// The result column of this name (any case), or -1.
    int columnIndex(const char* name) const
    {
        for (int i = 0; i < sqlite3_column_count(m_stmt); ++i) {
            if (qstricmp(sqlite3_column_name(m_stmt, i), name) == 0)
                return i;
        }
        return -1;
    }
    Value value(int column) const
    {
        Value v;
        v.type = sqlite3_column_type(m_stmt, column);
        if (v.type == SQLITE_INTEGER)
            v.integer = sqlite3_column_int64(m_stmt, column);
        else if (v.type == SQLITE_FLOAT)
            v.real = sqlite3_column_double(m_stmt, column);
        else if (v.type != SQLITE_NULL) {
            const void* data = v.type == SQLITE_BLOB ? sqlite3_column_blob(m_stmt, column)
                                                     : static_cast<const void*>(sqlite3_column_text(m_stmt, column));
            v.bytes = QByteArray(static_cast<const char*>(data), sqlite3_column_bytes(m_stmt, column));
        }
        return v;
    }

private:
    const Connection& m_db;
    QString m_what;
    sqlite3_stmt* m_stmt = nullptr;
};

inline QString quotedIdentifier(const QString& name)
{
    return u'"' + QString(name).replace(u'"', u"\"\""_s) + u'"';
}

} // namespace Inspector::SqliteRaw
