// SPDX-License-Identifier: MIT
// Helpers the SqliteBackend files share: SQL text pieces, raw-handle values, SQLite result codes as StorageError.
#include "sqliteinternal.h"

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace Inspector::SqliteInternal {

QString quoteIdentifier(QStringView name)
{
    return u'"' + name.toString().replace(u'"', u"\"\""_s) + u'"';
}

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

QString fullTextQuery(const QStringList& words)
{
    QStringList terms;
    for (const QString& word : words) {
        if (hasFullTextToken(word))
            terms << u"content:"_s + ftsPhrase(word);
    }
    return terms.join(u" AND "_s);
}

QString placeholders(qsizetype n)
{
    QString s;
    s.reserve(n * 2);
    for (qsizetype i = 0; i < n; ++i)
        s += i ? u",?"_s : u"?"_s;
    return s;
}

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

QByteArrayView columnUtf8(sqlite3_stmt* st, int column)
{
    return {reinterpret_cast<const char*>(sqlite3_column_text(st, column)), sqlite3_column_bytes(st, column)};
}

bool isAsciiSpace(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r'); // QChar::isSpace for ASCII
}

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

RawStatement::~RawStatement()
{
    sqlite3_finalize(stmt);
}

void throwSqliteError(const QString& path, const QString& what, int code, const QString& reason, const QString& text,
                      const QString& sql)
{
    QString message = reason;
    StorageError::Kind kind = StorageError::Kind::OperationFailed;
    switch (code & 0xff) {
    case SQLITE_INTERRUPT: {
        const QString detail
            = u"sqlite code "_s + QString::number(code) + (sql.isEmpty() ? QString() : u"; SQL: "_s + sql);
        throw StorageError(StorageError::Kind::Cancelled, path + u": cancelled"_s, detail);
    }
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        kind = StorageError::Kind::Storage;
        message = u"the database is locked by another process: "_s + message;
        break;
    case SQLITE_NOTADB:
        kind = StorageError::Kind::InvalidInput;
        message = u"not an SQLite database ("_s + message + u')';
        break;
    case SQLITE_CORRUPT:
        message = u"the database file is corrupt ("_s + message + u')';
        break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
        kind = StorageError::Kind::InvalidInput;
        break;
    case SQLITE_READONLY:
        message = u"the store is read-only ("_s + message + u')';
        break;
    case SQLITE_FULL:
        message = u"the disk is full ("_s + message + u')';
        break;
    case SQLITE_CANTOPEN:
        message = u"cannot open the file ("_s + message + u')';
        break;
    default:
        break;
    }
    const QString detail
        = u"sqlite code "_s + QString::number(code) + u"; "_s + text + (sql.isEmpty() ? QString() : u"; SQL: "_s + sql);
    qCDebug(lcSqlite) << "error" << detail;
    throw StorageError(kind, path + u": "_s + what + u": "_s + message, detail);
}

} // namespace Inspector::SqliteInternal
