// SPDX-License-Identifier: MIT
#include "testhelpers.h"

#include "filesystem/filesystembackend.h"
#include "postgres/postgresbackend.h"
#include "postgresserver.h"
#include "sqlite/sqlitebackend.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <stdexcept>

using namespace Qt::StringLiterals;

namespace Inspector::Testing {

QString backendUnderTest()
{
    const QString value = qEnvironmentVariable("INSPECTOR_CONTRACT_BACKEND");
    return value.isEmpty() ? u"sqlite"_s : value;
}

std::unique_ptr<PersistenceBackend> createEmptyStore(const QTemporaryDir& dir, QString* skipReason)
{
    const QString kind = backendUnderTest();
    if (kind == "sqlite"_L1)
        return SqliteBackend::create(dir.filePath(u"index.db"_s));
    if (kind == "filesystem"_L1)
        return FilesystemBackend::create(dir.filePath(u"memories"_s));
    if (kind == "postgres"_L1) {
        if (postgresBinDir().isEmpty() && qEnvironmentVariable("INSPECTOR_PG_URL_FILE").isEmpty()) {
            if (skipReason)
                *skipReason = u"PostgreSQL 15 server binaries are not installed"_s;
            return nullptr;
        }
        PostgresServer& server = PostgresServer::shared();
        return PostgresBackend::createSchema(server.url(server.createDatabase(u"contract"_s)));
    }
    if (skipReason)
        *skipReason = u"backend '"_s + kind + u"' is not built yet"_s;
    return nullptr;
}

namespace {
QString postgresDatabaseOf(const PersistenceBackend& backend)
{
    return QUrl(backend.location()).path().mid(1);
}
} // namespace

std::unique_ptr<PersistenceBackend> reopen(const PersistenceBackend& backend, bool readOnly)
{
    if (backend.kind() == "postgres"_L1) {
        PostgresBackend::Options options;
        options.readOnly = readOnly;
        return PostgresBackend::open(PostgresServer::shared().url(postgresDatabaseOf(backend)), options);
    }
    if (backend.kind() == "filesystem"_L1) {
        FilesystemBackend::Options options;
        options.readOnly = readOnly;
        return FilesystemBackend::open(backend.location(), options);
    }
    return SqliteBackend::open(backend.location(),
                               readOnly ? SqliteBackend::OpenMode::ReadOnly : SqliteBackend::OpenMode::ReadWrite);
}

QString sqlOnStore(const PersistenceBackend& backend, const QString& sql)
{
    if (backend.kind() == "postgres"_L1)
        return PostgresServer::shared().runSql(postgresDatabaseOf(backend), sql).section(u'\n', 0, 0);
    QString result;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"side-connection"_s);
        db.setDatabaseName(backend.location());
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
        if (!db.open())
            throw std::runtime_error(db.lastError().text().toStdString());
        QSqlQuery q(db);
        if (!q.exec(sql))
            throw std::runtime_error(q.lastError().text().toStdString());
        if (q.next())
            result = q.value(0).toString();
        q = QSqlQuery();
        db.close();
    }
    QSqlDatabase::removeDatabase(u"side-connection"_s);
    return result;
}

void addUnknownField(const PersistenceBackend& backend, const QString& name, const QString& value)
{
    if (backend.kind() != "filesystem"_L1) {
        sqlOnStore(backend, u"ALTER TABLE memories ADD COLUMN "_s + name + u" TEXT"_s);
        sqlOnStore(backend, u"UPDATE memories SET "_s + name + u" = '"_s + value + u"'"_s);
        return;
    }
    for (const QFileInfo& info : QDir(backend.location()).entryInfoList({u"*.json"_s}, QDir::Files)) {
        QFile file(info.filePath());
        if (!file.open(QIODevice::ReadWrite))
            throw std::runtime_error("cannot patch a memory file");
        QByteArray bytes = file.readAll();
        bytes.chop(2); // "\n}"
        bytes += ",\n  \"" + name.toUtf8() + "\": \"" + value.toUtf8() + "\"\n}";
        file.resize(0);
        file.write(bytes);
    }
}

QString unknownField(const PersistenceBackend& backend, const QString& id, const QString& name)
{
    if (backend.kind() != "filesystem"_L1)
        return sqlOnStore(backend, u"SELECT "_s + name + u" FROM memories WHERE id = '"_s + id + u"'"_s);
    QFile file(backend.location() + u'/' + id + u".json"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object().value(name).toString();
}

QHash<QString, QJsonObject> parseJsonLines(const QByteArray& data, QString* error)
{
    QHash<QString, QJsonObject> result;
    const QList<QByteArray> lines = data.split('\n');
    for (qsizetype n = 0; n < lines.size(); ++n) {
        if (lines[n].isEmpty())
            continue;
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(lines[n], &parseError);
        if (!doc.isObject()) {
            if (error)
                *error = u"line "_s + QString::number(n + 1) + u": "_s + parseError.errorString();
            return {};
        }
        const QString id = doc.object().value(u"id"_s).toString();
        if (result.contains(id)) {
            if (error)
                *error = u"duplicate id "_s + id;
            return {};
        }
        result.insert(id, doc.object());
    }
    return result;
}

QStringList diffRecords(const QJsonObject& actual, const QJsonObject& expected)
{
    QStringList diffs;
    QStringList keys = expected.keys();
    for (const QString& key : actual.keys()) {
        if (!keys.contains(key))
            keys << key;
    }
    for (const QString& key : std::as_const(keys)) {
        if (!actual.contains(key)) {
            diffs << key + u": missing"_s;
        } else if (!expected.contains(key)) {
            diffs << key + u": unexpected key"_s;
        } else if (actual.value(key) != expected.value(key)) {
            auto show = [](const QJsonValue& v) {
                QString text = QString::fromUtf8(QJsonDocument(QJsonArray {v}).toJson(QJsonDocument::Compact));
                return text.size() > 120 ? text.left(120) + u"…"_s : text;
            };
            diffs << key + u": "_s + show(actual.value(key)) + u" != "_s + show(expected.value(key));
        }
    }
    return diffs;
}

QByteArray fileHash(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result().toHex();
}

Memory sampleMemory(const QString& id, qint64 createdAt)
{
    Memory m;
    m.id = id;
    m.content = u"Sample memory ✓ with ünïcode, 数据库, 👩‍💻 and\r\nlines\tand \"quotes\"."_s;
    m.namespaceName = u"patterns"_s;
    m.domain = u"acme/widgets"_s;
    m.projectId = u"github.com/acme/widgets"_s;
    m.branch = u"main"_s;
    m.filePath = u"src/lib.rs"_s;
    m.status = u"active"_s;
    m.createdAt = createdAt;
    m.updatedAt = createdAt;
    m.expiresAt = createdAt + 86400;
    m.tags = {u"rust"_s, u"a:b"_s, contentHashTag(m.content)};
    m.source = u"src/lib.rs"_s;
    m.isSummary = true;
    m.sourceMemoryIds = QStringList {u"aaaaaaaaaaaa"_s, u"bbbbbbbbbbbb"_s};
    m.consolidationTimestamp = createdAt;
    return m;
}

} // namespace Inspector::Testing
