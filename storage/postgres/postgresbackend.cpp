// SPDX-License-Identifier: MIT
#include "postgresbackend.h"

#include "filtersql.h"
#include "jsonl.h"
#include "postgresschema.h"
#include "secrets.h"
#include "vectorsfile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

#include <pqxx/pqxx>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcPostgres, "inspector.storage.postgres", QtWarningMsg)

namespace Inspector {

namespace {

// Select-list positions.
enum Column
{
    CId,
    CContent,
    CNamespace,
    CDomain,
    CDomainOrg,
    CDomainProject,
    CDomainRepo,
    CProjectId,
    CBranch,
    CFilePath,
    CStatus,
    CTags,
    CCreatedAt,
    CUpdatedAt,
    CSource,
    CTombstonedAt,
    CExpiresAt,
    CIsSummary,
    CSourceMemoryIds,
    CConsolidationTimestamp,
    ColumnCount
};

QString fromStd(const pqxx::field& field)
{
    return QString::fromUtf8(field.c_str(), qsizetype(field.size()));
}

std::string toStd(const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    return std::string(utf8.constData(), size_t(utf8.size()));
}

QString oneLine(const std::string& text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size())).simplified();
}

QString domainJson(const Domain& d)
{
    QByteArray out = "{\"organization\":";
    auto part = [&](const std::optional<QString>& value) {
        if (value)
            appendJsonString(out, *value);
        else
            out.append("null");
    };
    part(d.organization);
    out.append(",\"project\":");
    part(d.project);
    out.append(",\"repository\":");
    part(d.repository);
    out.append('}');
    return QString::fromUtf8(out);
}

// Every Domain whose display string is `display` (Domain::toString() is not one-to-one).
QList<Domain> domainsDisplayedAs(const QString& display)
{
    const QStringList s = display.split(u'/');
    QList<Domain> result;
    if (display == "project"_L1)
        result << Domain {};
    else if (display == "user"_L1)
        result << Domain {std::nullopt, u"user"_s, std::nullopt};
    if (s.size() == 1 && display != "project"_L1 && display != "user"_L1)
        result << Domain {s[0], std::nullopt, std::nullopt} << Domain {std::nullopt, s[0], std::nullopt}
               << Domain {std::nullopt, std::nullopt, s[0]};
    else if (s.size() == 2)
        result << Domain {s[0], std::nullopt, s[1]} << Domain {s[0], s[1], std::nullopt};
    else if (s.size() >= 3)
        result << Domain::fromDisplayString(display);
    return result;
}

std::optional<Domain> parseDomainJson(const QString& text)
{
    if (!text.startsWith(u'{'))
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
    if (!doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    auto part = [&](const char* key) {
        const QJsonValue v = o.value(QLatin1StringView(key));
        return v.isString() ? std::optional<QString>(v.toString()) : std::nullopt;
    };
    return Domain {part("organization"), part("project"), part("repository")};
}

} // namespace

struct PostgresBackend::Session
{
    explicit Session(const std::string& options)
        : connection(options)
    {
    }
    pqxx::connection connection;
    /// One REPEATABLE READ READ ONLY transaction every read uses while a snapshot is open; gone with the connection.
    std::unique_ptr<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>> snapshot;
};

class PostgresBackend::ReadTransaction
{
public:
    ReadTransaction(PostgresBackend& backend, pqxx::connection& c)
    {
        if (backend.m_snapshotDepth == 0) {
            m_own.emplace(c);
            m_tx = &*m_own;
            return;
        }
        if (!backend.m_connection || !backend.m_connection->snapshot)
            throw StorageError(StorageError::Kind::OperationFailed,
                               backend.m_location
                                   + u": the connection was lost while reading one snapshot of the store; "
                                     "start the export or copy again"_s);
        m_tx = backend.m_connection->snapshot.get();
    }
    pqxx::transaction_base& operator*() { return *m_tx; }

private:
    std::optional<pqxx::read_transaction> m_own;
    pqxx::transaction_base* m_tx = nullptr;
};

/// SQL text with positional parameters ($1, $2, …); NULL parameters are empty optionals.
struct PostgresBackend::Sql
{
    QString text;
    std::vector<std::optional<std::string>> params;

    QString add(const QString& value)
    {
        params.emplace_back(toStd(value));
        return u'$' + QString::number(params.size());
    }
    QString addNull()
    {
        params.emplace_back(std::nullopt);
        return u'$' + QString::number(params.size());
    }
    QString add(qint64 value) { return add(QString::number(value)); }

    pqxx::result exec(pqxx::transaction_base& tx) const
    {
        std::vector<const char*> pointers;
        pointers.reserve(params.size());
        for (const auto& p : params)
            pointers.push_back(p ? p->c_str() : nullptr);
        return tx.exec_params(toStd(text), pqxx::prepare::make_dynamic_params(pointers));
    }
};

template<typename F>
auto PostgresBackend::guarded(const QString& what, F&& body)
{
    const QString prefix = m_location + u": "_s + what + u": "_s;
    try {
        return body(session().connection);
    } catch (const StorageError&) {
        throw;
    } catch (const pqxx::broken_connection& e) {
        resetConnection(); // the next call reconnects
        throw StorageError(StorageError::Kind::Storage, prefix + u"the connection to the server was lost"_s,
                           driverText(e));
    } catch (const pqxx::in_doubt_error& e) {
        resetConnection();
        throw StorageError(StorageError::Kind::InDoubt,
                           prefix + u"the connection was lost during commit; the outcome is unknown"_s, driverText(e));
    } catch (const pqxx::sql_error& e) {
        const std::string state = e.sqlstate();
        const QString detail = u"SQLSTATE "_s + QString::fromStdString(state) + u"; "_s + driverText(e);
        const QString message = driverText(e).section(u"ERROR: "_s, -1).section(u" LINE "_s, 0, 0);
        if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03") {
            resetConnection();
            throw StorageError(StorageError::Kind::Storage, prefix + u"the server went away ("_s + message + u')',
                               detail);
        }
        if (state == "57014") {
            // query_canceled: by statement_timeout (transient, retried) or by interrupt() (not retried)
            if (message.contains(u"statement timeout"_s))
                throw StorageError(StorageError::Kind::Storage,
                                   prefix + u"the statement timed out ("_s + message + u')', detail);
            throw StorageError(StorageError::Kind::Cancelled, m_location + u": cancelled"_s, detail);
        }
        if (state == "40001" || state == "40P01")
            throw StorageError(StorageError::Kind::Storage, prefix + message, detail);
        if (state.rfind("23", 0) == 0 || state.rfind("22", 0) == 0)
            throw StorageError(StorageError::Kind::InvalidInput, prefix + message, detail);
        throw StorageError(StorageError::Kind::OperationFailed, prefix + message, detail);
    } catch (const pqxx::failure& e) {
        // libpq reports a dead socket in several ways; the connection state tells
        const bool lost = !m_connection || !m_connection->connection.is_open();
        if (lost)
            resetConnection();
        throw StorageError(lost ? StorageError::Kind::Storage : StorageError::Kind::OperationFailed,
                           prefix + driverText(e));
    }
}

PostgresBackend::PostgresBackend(QString connectionString, QString location, const Options& options)
    : m_connectionString(std::move(connectionString))
    , m_location(std::move(location))
    , m_options(options)
    , m_readOnly(options.readOnly)
    , m_creating(options.creating)
    , m_thread(QThread::currentThread())
{
}

PostgresBackend::~PostgresBackend()
{
    std::lock_guard lock(m_connectionMutex);
    m_connection.reset();
}

QString PostgresBackend::kind() const
{
    return u"postgres"_s;
}

QString PostgresBackend::driverText(const std::exception& error) const
{
    // libpq quotes what it could not parse of the connection string, the password included
    return withoutPasswords(oneLine(error.what()), {m_connectionString});
}

std::unique_ptr<PostgresBackend> PostgresBackend::open(const QString& url, const Options& options)
{
    if (!url.startsWith("postgresql://"_L1) && !url.startsWith("postgres://"_L1))
        throw StorageError(StorageError::Kind::InvalidInput,
                           u"a PostgreSQL store is given as a postgresql:// or postgres:// URL"_s);
    QUrl parsed(url);
    QUrlQuery query(parsed);
    if (!query.hasQueryItem(u"connect_timeout"_s))
        query.addQueryItem(u"connect_timeout"_s, QString::number(options.connectTimeoutS));
    if (!query.hasQueryItem(u"application_name"_s))
        query.addQueryItem(u"application_name"_s, u"subcog-inspector"_s);
    // libpq reads the rest (host, port, user, password, database) from PG* variables and ~/.pgpass
    const QString separator = url.contains(u'?') ? u"&"_s : u"?"_s;
    QString extra;
    if (!url.contains(u"connect_timeout="_s))
        extra += separator + u"connect_timeout="_s + QString::number(options.connectTimeoutS);
    if (!url.contains(u"application_name="_s))
        extra += (extra.isEmpty() ? separator : u"&"_s) + u"application_name=subcog-inspector"_s;
    std::unique_ptr<PostgresBackend> backend(new PostgresBackend(url + extra, withoutPasswords(url), options));
    backend->connect();
    backend->inspectSchema();
    if (backend->m_columns.isEmpty() && !backend->m_creating)
        throw StorageError(StorageError::Kind::InvalidInput,
                           backend->m_location + u": not a subcog store: database '"_s + backend->m_database
                               + u"' has no 'memories' table"_s);
    return backend;
}

std::unique_ptr<PostgresBackend> PostgresBackend::createSchema(const QString& url)
{
    Options options;
    options.creating = true;
    auto backend = open(url, options);
    if (!backend->m_columns.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput, backend->m_location + u": already has a memories table"_s);
    backend->guarded(u"creating subcog's tables"_s, [&](pqxx::connection& c) {
        pqxx::work tx(c);
        tx.exec(toStd(postgresHeadSchemaSql()));
        tx.commit();
        return 0;
    });
    // subcog's migration creates memory_vectors with pgvector; where the server has it, so does the inspector
    try {
        backend->guarded(u"creating memory_vectors"_s, [&](pqxx::connection& c) {
            pqxx::work tx(c);
            if (!tx.exec("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").empty()) {
                tx.exec(toStd(postgresVectorSchemaSql()));
                tx.commit();
            }
            return 0;
        });
    } catch (const StorageError& e) {
        qCWarning(lcPostgres) << "memory_vectors not created:" << e.message();
    }
    backend->inspectSchema();
    return backend;
}

void PostgresBackend::resetConnection()
{
    std::lock_guard lock(m_connectionMutex);
    m_connection.reset();
}

void PostgresBackend::interrupt() noexcept
{
    // PQgetCancel only reads the key data the server sent at connect (backend pid, cancel key, address), which no
    // statement changes, so asking from another thread while the backend's thread runs a statement is safe; the
    // mutex only keeps the connection from being closed or replaced meanwhile.
    std::lock_guard lock(m_connectionMutex);
    if (!m_connection)
        return;
    try {
        m_connection->connection.cancel_query();
    } catch (const std::exception& e) {
        qCDebug(lcPostgres) << "cancel request failed:" << e.what();
    }
}

void PostgresBackend::connect()
{
    resetConnection();
    try {
        auto session = std::make_unique<Session>(toStd(m_connectionString));
        pqxx::nontransaction tx(session->connection);
        tx.exec(std::string("SET statement_timeout = ") + std::to_string(qMax(0, m_options.statementTimeoutMs)));
        tx.commit();
        m_database = QString::fromUtf8(session->connection.dbname());
        std::lock_guard lock(m_connectionMutex);
        m_connection = std::move(session);
    } catch (const pqxx::broken_connection& e) {
        const QString text = driverText(e);
        QString reason = text;
        StorageError::Kind kind = StorageError::Kind::Storage;
        static const QRegularExpression noDatabase(uR"re(database "([^"]*)" does not exist)re"_s);
        if (text.contains(u"password authentication failed"_s)) {
            kind = StorageError::Kind::OperationFailed;
            reason = u"wrong password (or wrong user) for this server"_s;
        } else if (text.contains(u"no password supplied"_s)) {
            kind = StorageError::Kind::OperationFailed;
            reason = u"the server asks for a password and none was given (URL, PGPASSWORD or ~/.pgpass)"_s;
        } else if (text.contains(u"could not translate host name"_s)) {
            kind = StorageError::Kind::NotFound;
            reason = u"unknown host (the name does not resolve)"_s;
        } else if (const auto m = noDatabase.match(text); m.hasMatch()) {
            kind = StorageError::Kind::NotFound;
            reason = u"database '"_s + m.captured(1) + u"' does not exist"_s;
        } else if (text.contains(u"Connection refused"_s)) {
            reason = u"connection refused: no server is listening there (is it running?)"_s;
        } else if (text.contains(u"timeout expired"_s)) {
            reason = u"no answer within "_s + QString::number(m_options.connectTimeoutS) + u" s"_s;
        }
        qCDebug(lcPostgres) << "connect failed:" << text;
        throw StorageError(kind, m_location + u": cannot connect: "_s + reason, text);
    } catch (const pqxx::failure& e) {
        throw StorageError(StorageError::Kind::OperationFailed, m_location + u": cannot connect: "_s + driverText(e));
    }
}

PostgresBackend::Session& PostgresBackend::session()
{
    Q_ASSERT_X(QThread::currentThread() == m_thread, "PostgresBackend", "used from a thread that did not open it");
    if (!m_connection || !m_connection->connection.is_open())
        connect();
    return *m_connection;
}

void PostgresBackend::inspectSchema()
{
    m_columns.clear();
    guarded(u"reading the schema"_s, [&](pqxx::connection& c) {
        pqxx::read_transaction tx(c);
        const pqxx::result r
            = tx.exec("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                      "AND table_name = 'memories'");
        for (const auto& row : r)
            m_columns.insert(fromStd(row[0]).toLower());
        return 0;
    });
    guarded(u"reading the schema"_s, [&](pqxx::connection& c) {
        // memory_vectors exists only where pgvector was installed when subcog migrated (or a stand-in was made)
        pqxx::read_transaction tx(c);
        const pqxx::result r = tx.exec(
            "SELECT a.attname, a.atttypmod FROM pg_attribute a WHERE a.attrelid = to_regclass('memory_vectors') "
            "AND a.attnum > 0 AND NOT a.attisdropped AND a.attname IN ('id', 'embedding')");
        m_hasVectorTable = r.size() == 2;
        m_vectorDimensions = 0;
        for (const auto& row : r) {
            if (fromStd(row[0]) == "embedding"_L1)
                m_vectorDimensions = qMax(0, row[1].as<int>(-1)); // pgvector's typmod is vector(N)'s N
        }
        return 0;
    });
    if (m_columns.isEmpty())
        return; // createSchema() fills an empty database; everything else reports it below
    for (const char* required : {"id", "content", "namespace", "status", "created_at"}) {
        if (!m_columns.contains(QLatin1StringView(required)))
            throw StorageError(StorageError::Kind::InvalidInput,
                               m_location + u": not a subcog store: table 'memories' has no column "_s
                                   + QLatin1StringView(required));
    }
    if (m_columns.contains(u"search_vector"_s) && m_columns.contains(u"domain"_s)) {
        m_layout = Layout::Head;
    } else {
        m_layout = m_columns.contains(u"domain_org"_s) ? Layout::Split : Layout::Docker;
        m_readOnly = true;
    }
}

QStringList PostgresBackend::describeLayout() const
{
    QStringList lines;
    lines << u"PostgreSQL database "_s + m_database + (m_readOnly ? u", opened read-only"_s : QString());
    if (m_layout == Layout::Split)
        lines << u"older split layout (subcog before 0254caa): read-only, because subcog HEAD cannot use this "
                 "database and writing it would not make it usable"_s;
    else if (m_layout == Layout::Docker)
        lines << u"layout of subcog's docker/postgres/init.sql, which subcog HEAD cannot use: read-only"_s;
    return lines;
}

QString PostgresBackend::selectList() const
{
    auto col = [&](const char* name, const QString& expr = {}) {
        return m_columns.contains(QLatin1StringView(name)) ? (expr.isEmpty() ? QString::fromLatin1(name) : expr)
                                                           : u"NULL"_s;
    };
    const QStringList list {
        col("id"),
        col("content"),
        col("namespace"),
        col("domain"),
        col("domain_org"),
        col("domain_project"),
        col("domain_repo"),
        col("project_id"),
        col("branch"),
        col("file_path"),
        col("status"),
        col("tags", u"array_to_json(tags)::text"_s),
        col("created_at"),
        col("updated_at"),
        col("source"),
        col("tombstoned_at"),
        col("expires_at"),
        col("is_summary"),
        col("source_memory_ids", u"source_memory_ids::text"_s),
        col("consolidation_timestamp"),
    };
    return list.join(u", "_s);
}

QList<Memory> PostgresBackend::decodeRows(const pqxx::result& result, QList<RecordIssue>* issues) const
{
    QList<Memory> out;
    out.reserve(qsizetype(result.size()));
    for (const auto& row : result) {
        Memory m;
        if (issues) {
            // a SQL_ASCII database stores any bytes; UTF-8 databases cannot hold invalid text
            for (const auto& [column, name] : {std::pair {CId, "id"},
                                               {CContent, "content"},
                                               {CNamespace, "namespace"},
                                               {CDomain, "domain"},
                                               {CDomainOrg, "domain_org"},
                                               {CDomainProject, "domain_project"},
                                               {CDomainRepo, "domain_repo"},
                                               {CProjectId, "project_id"},
                                               {CBranch, "branch"},
                                               {CFilePath, "file_path"},
                                               {CStatus, "status"},
                                               {CTags, "tags"},
                                               {CSource, "source"},
                                               {CSourceMemoryIds, "source_memory_ids"}}) {
                const auto& field = row[column];
                if (!field.is_null() && !QByteArrayView(field.c_str(), qsizetype(field.size())).isValidUtf8())
                    issues->append(
                        RecordIssue {fromStd(row[CId]), invalidUtf8Reason(QString::fromLatin1(name)), false});
            }
        }
        auto text = [&](int c) { return row[c].is_null() ? std::optional<QString>() : fromStd(row[c]); };
        auto number = [&](int c) {
            return row[c].is_null() ? std::optional<qint64>() : std::optional<qint64>(row[c].as<long long>());
        };
        m.id = fromStd(row[CId]);
        m.content = fromStd(row[CContent]);
        m.namespaceName = fromStd(row[CNamespace]);
        m.status = fromStd(row[CStatus]);
        m.flagEnumStrings();
        if (m_layout == Layout::Split) {
            m.domainParts = Domain {text(CDomainOrg), text(CDomainProject), text(CDomainRepo)};
            m.domain = m.domainParts->toString();
        } else {
            const QString raw = row[CDomain].is_null() ? QString() : fromStd(row[CDomain]);
            if (const auto parsed = parseDomainJson(raw)) {
                m.domainParts = parsed; // the display string alone cannot tell X/P from X/Y
                m.domain = parsed->toString();
            } else {
                // not JSON (older writers, hand edits): the string is kept as it is
                m.domain = raw.isEmpty() ? u"project"_s : raw;
                m.flags |= MemoryFlag::LegacyDomain;
            }
        }
        m.projectId = text(CProjectId);
        m.branch = text(CBranch);
        m.filePath = text(CFilePath);
        m.source = text(CSource);
        if (row[CTags].is_null()) {
            m.flags |= MemoryFlag::MessyTags;
        } else {
            for (const QJsonValue& v : QJsonDocument::fromJson(QByteArray(row[CTags].c_str())).array())
                m.tags.append(v.toString());
        }
        m.createdAt = row[CCreatedAt].as<long long>(0);
        m.updatedAt = row[CUpdatedAt].is_null() ? m.createdAt : row[CUpdatedAt].as<long long>();
        m.tombstonedAt = number(CTombstonedAt);
        m.expiresAt = number(CExpiresAt);
        m.consolidationTimestamp = number(CConsolidationTimestamp);
        m.isSummary = !row[CIsSummary].is_null() && row[CIsSummary].as<bool>();
        if (!row[CSourceMemoryIds].is_null()) {
            const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(row[CSourceMemoryIds].c_str()));
            QStringList ids;
            bool valid = doc.isArray();
            for (const QJsonValue& v : doc.array()) {
                valid = valid && v.isString();
                ids.append(v.toString());
            }
            if (!valid) {
                ids.clear();
                m.flags |= MemoryFlag::InvalidSourceMemoryIds;
            }
            m.sourceMemoryIds = ids;
        }
        out.append(std::move(m));
    }
    return out;
}

PostgresBackend::Sql PostgresBackend::whereClause(const MemoryFilter& f) const
{
    FilterSql sql(SqlDialect::Postgres);
    const FilterColumns columns = FilterColumns::postgres(m_columns);
    sql.addMetadata(f, columns);
    if (!f.summarizing.isEmpty()) {
        if (m_columns.contains(u"source_memory_ids"_s))
            sql.summarizing(u"source_memory_ids::text"_s, f.summarizing);
        else
            sql.add(u"false"_s); // a layout without summaries
    }
    if (!f.domains.isEmpty()) {
        if (m_layout == Layout::Split) {
            // compose the display string the way Domain::toString() does
            const QString p = sql.bind(FilterSql::arrayLiteral(f.domains));
            sql.add(u"(CASE WHEN domain_org IS NULL THEN COALESCE(domain_project, domain_repo, 'project') "
                    "ELSE concat_ws('/', domain_org, domain_project, domain_repo) END) = ANY("_s
                    + p + u"::text[])"_s);
        } else {
            // the stored JSON forms a display string can come from, and the string itself for legacy rows
            QStringList forms;
            for (const QString& display : f.domains) {
                forms << display;
                for (const Domain& d : domainsDisplayedAs(display))
                    forms << domainJson(d);
                if (display == "project"_L1)
                    forms << QString();
            }
            sql.oneOf(u"domain"_s, forms);
        }
    }
    QStringList words;
    for (const QString& word : f.words) {
        if (std::any_of(word.begin(), word.end(), [](QChar c) { return c.isLetterOrNumber(); }))
            words << u'"' + QString(word).remove(u'"') + u'"';
    }
    if (!words.isEmpty()) {
        const QString q = u"websearch_to_tsquery('english', "_s + sql.bind(words.join(u' ')) + u')';
        if (m_columns.contains(u"search_vector"_s))
            // the index finds candidates; weight A is the content (B holds the tags)
            sql.add(u"search_vector @@ "_s + q + u" AND ts_filter(search_vector, '{a}') @@ "_s + q);
        else
            sql.add(u"to_tsvector('english', content) @@ "_s + q);
    }
    sql.tombstones(f.tombstones, columns.lowerStatus, columns.tombstonedAt);
    Sql out;
    out.text = sql.where();
    out.params.reserve(size_t(sql.binds().size()));
    for (const QVariant& value : sql.binds())
        out.params.emplace_back(toStd(value.toString())); // every filter value is text or a number
    return out;
}

QList<Memory> PostgresBackend::getBatch(const QStringList& ids, QList<RecordIssue>* issues)
{
    if (ids.isEmpty())
        return {};
    return guarded(u"reading memories"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        Sql sql;
        sql.text = u"SELECT "_s + selectList() + u" FROM memories WHERE id = ANY("_s
            + sql.add(FilterSql::arrayLiteral(ids)) + u"::text[])"_s;
        const pqxx::result r = sql.exec(tx);
        QHash<QString, Memory> found;
        for (Memory& m : decodeRows(r, issues))
            found.insert(m.id, std::move(m));
        QList<Memory> result;
        for (const QString& id : ids) {
            auto it = found.find(id);
            if (it != found.end()) {
                result.append(std::move(*it));
                found.erase(it);
            }
        }
        return result;
    });
}

std::optional<Memory> PostgresBackend::get(const QString& id)
{
    QList<Memory> result = getBatch({id});
    if (result.isEmpty())
        return std::nullopt;
    return result.takeFirst();
}

bool PostgresBackend::exists(const QString& id)
{
    return guarded(u"looking up a memory"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        return !tx.exec_params("SELECT 1 FROM memories WHERE id = $1", toStd(id)).empty();
    });
}

qint64 PostgresBackend::count()
{
    return count(MemoryFilter {});
}

qint64 PostgresBackend::count(const MemoryFilter& filter)
{
    return guarded(u"counting"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        Sql sql = whereClause(filter);
        sql.text = u"SELECT count(*) FROM memories"_s + sql.text;
        return qint64(sql.exec(tx)[0][0].as<long long>());
    });
}

qint64 PostgresBackend::estimateCount(const MemoryFilter& filter)
{
    return guarded(u"estimating a count"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        Sql sql = whereClause(filter);
        sql.text = u"EXPLAIN (FORMAT JSON) SELECT 1 FROM memories"_s + sql.text;
        const QJsonDocument plan = QJsonDocument::fromJson(QByteArray(sql.exec(tx)[0][0].c_str()));
        return qint64(plan.array().at(0)[u"Plan"_s][u"Plan Rows"_s].toDouble());
    });
}

QStringList PostgresBackend::listIds()
{
    return guarded(u"listing"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        QStringList ids;
        for (const auto& row : tx.exec("SELECT id FROM memories ORDER BY created_at DESC, id COLLATE \"C\" ASC"))
            ids.append(fromStd(row[0]));
        return ids;
    });
}

namespace {
/// Above this many rows passed over, a page walks them by key and id alone first.
constexpr qint64 kNarrowWalkRows = 2000;

/// The ORDER BY expression of a sort key (text keys in byte order, as SQLite sorts them), and whether it is a number.
std::pair<QString, bool> sortColumn(SortKey key)
{
    switch (key) {
    case SortKey::Id:
        return {u"id COLLATE \"C\""_s, false};
    case SortKey::Namespace:
        return {u"namespace COLLATE \"C\""_s, false};
    case SortKey::Status:
        return {u"status COLLATE \"C\""_s, false};
    case SortKey::CreatedAt:
        break;
    }
    return {u"created_at"_s, true};
}
} // namespace

Page PostgresBackend::query(const MemoryQuery& query)
{
    return guarded(u"reading a page"_s, [&](pqxx::connection& c) {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        const auto [key, numeric] = sortColumn(query.sortKey);
        const Qt::SortOrder keyOrder = query.scanKeyOrder();
        const Qt::SortOrder idOrder = query.scanIdOrder();
        const QString keyOp = keyOrder == Qt::AscendingOrder ? u">"_s : u"<"_s;
        const QString idOp = idOrder == Qt::AscendingOrder ? u">"_s : u"<"_s;
        const auto dir = [](Qt::SortOrder o) { return o == Qt::AscendingOrder ? u"ASC"_s : u"DESC"_s; };
        QString order = u" ORDER BY "_s + key + u' ' + dir(keyOrder);
        if (query.sortKey != SortKey::Id)
            order += u", id COLLATE \"C\" "_s + dir(idOrder);
        // the filter and the rows after a cursor, in scan order
        const auto rowsAfter = [&](const std::optional<Cursor>& after) {
            Sql sql = whereClause(query.filter);
            if (!after)
                return sql;
            QString cond;
            if (query.sortKey == SortKey::Id) {
                cond = key + u' ' + keyOp + u' ' + sql.add(after->id);
            } else {
                const QString value
                    = numeric ? sql.add(after->key.toLongLong()) + u"::bigint"_s : sql.add(after->key.toString());
                cond = key + u' ' + keyOp + u"= "_s + value + u" AND ("_s + key + u' ' + keyOp + u' ' + value
                    + u" OR id COLLATE \"C\" "_s + idOp + u' ' + sql.add(after->id) + u')';
            }
            sql.text += (sql.text.isEmpty() ? u" WHERE "_s : u" AND "_s) + cond;
            return sql;
        };
        std::optional<Cursor> after = query.after;
        if (query.skip > kNarrowWalkRows) {
            // The rows passed over are walked with their sort key and id only, then the page is a keyset seek
            // from the last of them: half the time of walking whole rows (a scrollbar drag into a large store).
            Sql walk = rowsAfter(after);
            // named apart: ORDER BY created_at would otherwise sort by this text column, not by the number
            walk.text = u"SELECT "_s + (numeric ? u"created_at::text"_s : key.section(u' ', 0, 0))
                + u" AS walked_key, id FROM memories"_s + walk.text + order + u" LIMIT 1 OFFSET "_s
                + walk.add(query.skip - 1) + u"::bigint"_s;
            const pqxx::result last = walk.exec(tx);
            if (last.empty())
                return Page {};
            const QString lastKey = fromStd(last[0][0]);
            after = Cursor {numeric ? QVariant(lastKey.toLongLong()) : QVariant(lastKey), fromStd(last[0][1])};
        }
        Sql sql = rowsAfter(after);
        const QString columns = query.withContent ? selectList() : selectList().replace(u"content"_s, u"''"_s);
        sql.text = u"SELECT "_s + columns + u" FROM memories"_s + sql.text + order + u" LIMIT "_s
            + sql.add(qint64(qMax(query.limit, 0))) + u"::bigint"_s;
        if (query.skip > 0 && query.skip <= kNarrowWalkRows)
            sql.text += u" OFFSET "_s + sql.add(query.skip) + u"::bigint"_s;
        const pqxx::result r = sql.exec(tx);
        Page page;
        page.memories = decodeRows(r, &page.issues);
        if (!page.memories.isEmpty() && page.memories.size() >= query.limit) {
            page.next = Cursor::of(page.memories.last(), query.sortKey);
        }
        if (query.fromEnd)
            std::reverse(page.memories.begin(), page.memories.end());
        return page;
    });
}

std::optional<qint64> PostgresBackend::rowOf(const MemoryQuery& query, const QString& id)
{
    if (!query.filter.ids.isEmpty() && !query.filter.ids.contains(id))
        return std::nullopt;
    return guarded(u"finding a row"_s, [&](pqxx::connection& c) -> std::optional<qint64> {
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        const auto [key, numeric] = sortColumn(query.sortKey);
        // whether it passes the filter, and its sort key
        MemoryFilter only = query.filter;
        only.ids = {id};
        Sql find = whereClause(only);
        find.text = u"SELECT "_s + (numeric ? u"created_at::text"_s : key.section(u' ', 0, 0)) + u" FROM memories"_s
            + find.text + u" LIMIT 1"_s;
        const pqxx::result found = find.exec(tx);
        if (found.empty())
            return std::nullopt;
        const QString targetKey = fromStd(found[0][0]);
        // the rows before it in the query's order: a key before its key, or its key and an id before its id; two
        // counts in one statement, so the first can be an index-only range of the key's index
        const QString keyOp = query.order == Qt::AscendingOrder ? u"<"_s : u">"_s;
        const QString idOp = query.idOrder == Qt::AscendingOrder ? u"<"_s : u">"_s;
        Sql sql = whereClause(query.filter);
        const QString filter = sql.text;
        const QString and_ = filter.isEmpty() ? u" WHERE "_s : u" AND "_s;
        if (query.sortKey == SortKey::Id) {
            sql.text = u"SELECT count(*) FROM memories"_s + filter + and_ + key + u' ' + keyOp + u' ' + sql.add(id);
        } else {
            const QString value = sql.add(targetKey) + (numeric ? u"::bigint"_s : QString());
            // the filter's parameters are numbered once and used by both counts
            sql.text = u"SELECT (SELECT count(*) FROM memories"_s + filter + and_ + key + u' ' + keyOp + u' ' + value
                + u") + (SELECT count(*) FROM memories"_s + filter + and_ + key + u" = "_s + value
                + u" AND id COLLATE \"C\" "_s + idOp + u' ' + sql.add(id) + u')';
        }
        return qint64(sql.exec(tx)[0][0].as<long long>());
    });
}

std::optional<QByteArray> PostgresBackend::changeToken()
{
    return guarded(u"checking for changes"_s, [&](pqxx::connection& c) -> std::optional<QByteArray> {
        // the next transaction id moves with every write transaction on the server, so it may also move for
        // other tables; a false alarm only costs a refresh of the rows on screen
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        const pqxx::result r = tx.exec("SELECT txid_snapshot_xmax(txid_current_snapshot())::text");
        return QByteArray(r[0][0].c_str());
    });
}

QString PostgresBackend::beginSnapshot()
{
    if (m_snapshotDepth > 0) {
        ++m_snapshotDepth;
        return {};
    }
    guarded(u"starting a read of one snapshot"_s, [&](pqxx::connection& c) {
        auto tx = std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(c);
        tx->exec("SELECT 1"); // the snapshot is taken at the first statement: now, not at the first page
        m_connection->snapshot = std::move(tx);
        return 0;
    });
    m_snapshotDepth = 1;
    return {};
}

void PostgresBackend::endSnapshot() noexcept
{
    if (m_snapshotDepth == 0 || --m_snapshotDepth > 0)
        return;
    if (!m_connection || !m_connection->snapshot)
        return;
    try {
        m_connection->snapshot->commit();
    } catch (...) {
        // nothing was written; a connection that broke here is noticed by the next call
    }
    m_connection->snapshot.reset();
}

void PostgresBackend::checkWritable() const
{
    if (m_snapshotDepth > 0)
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_location + u": cannot write while this connection reads one snapshot"_s);
    if (m_readOnly)
        throw StorageError(StorageError::Kind::OperationFailed,
                           m_location
                               + (m_layout == Layout::Head ? u": the store is open read-only"_s
                                                           : u": this older PostgreSQL layout is open read-only"_s));
}

void PostgresBackend::validateForWrite(const Memory& memory) const
{
    auto invalid = [&](const QString& why) {
        throw StorageError(StorageError::Kind::InvalidInput,
                           m_location + u": memory "_s + (memory.id.isEmpty() ? u"(no id)"_s : memory.id) + u": "_s
                               + why);
    };
    if (memory.id.isEmpty())
        invalid(u"the id is empty"_s);
    if (memory.namespaceName.isEmpty())
        invalid(u"the namespace is empty"_s);
    if (memory.status.isEmpty())
        invalid(u"the status is empty"_s);
    if (memory.groupId)
        invalid(u"subcog's PostgreSQL layout has no column 'group_id' to keep the value"_s);
    auto noNul = [&](const QString& field, const std::optional<QString>& value) {
        if (value && value->contains(QChar(0)))
            invalid(field + u" contains a NUL character, which PostgreSQL text cannot hold"_s);
    };
    noNul(u"id"_s, memory.id);
    noNul(u"content"_s, memory.content);
    noNul(u"namespace"_s, memory.namespaceName);
    noNul(u"domain"_s, memory.domain);
    noNul(u"status"_s, memory.status);
    noNul(u"project_id"_s, memory.projectId);
    noNul(u"branch"_s, memory.branch);
    noNul(u"file_path"_s, memory.filePath);
    noNul(u"source"_s, memory.source);
    for (const QString& tag : memory.tags)
        noNul(u"tag '"_s + QString(tag).remove(QChar(0)) + u'\'', tag);
    for (const QString& id : memory.sourceMemoryIds.value_or(QStringList {}))
        noNul(u"source_memory_ids"_s, id);
}

void PostgresBackend::writeRow(pqxx::transaction_base& tx, const Memory& memory)
{
    Sql read;
    read.text = u"SELECT "_s + selectList() + u" FROM memories WHERE id = "_s + read.add(memory.id) + u" FOR UPDATE"_s;
    const pqxx::result current = read.exec(tx);
    const QList<Memory> decoded = decodeRows(current);
    const Memory* e = decoded.isEmpty() ? nullptr : &decoded.first();

    Sql write;
    QStringList columns;
    QStringList values;
    // parameters are added only for the columns written: an unused one has no type PostgreSQL can infer
    auto set = [&](const char* column, bool differs, const std::function<QString()>& value) {
        if (e && !differs)
            return;
        columns << QString::fromLatin1(column);
        values << value();
    };
    auto optText = [&](const std::optional<QString>& v) -> QString { return v ? write.add(*v) : write.addNull(); };
    auto optNumber = [&](const std::optional<qint64>& v) -> QString {
        return (v ? write.add(*v) : write.addNull()) + u"::bigint"_s;
    };
    set("content", !e || e->content != memory.content, [&]() -> QString { return write.add(memory.content); });
    set("namespace", !e || e->namespaceName != memory.namespaceName,
        [&]() -> QString { return write.add(memory.namespaceName); });
    set("domain", !e || e->domain != memory.domain || e->domainForWrite() != memory.domainForWrite(),
        [&]() -> QString { return write.add(domainJson(memory.domainForWrite())); });
    set("project_id", !e || e->projectId != memory.projectId, [&]() -> QString { return optText(memory.projectId); });
    set("branch", !e || e->branch != memory.branch, [&]() -> QString { return optText(memory.branch); });
    set("file_path", !e || e->filePath != memory.filePath, [&]() -> QString { return optText(memory.filePath); });
    set("status", !e || e->status != memory.status, [&]() -> QString { return write.add(memory.status); });
    set("tags", !e || e->tags != memory.tags,
        [&]() -> QString { return write.add(FilterSql::arrayLiteral(memory.tags)) + u"::text[]"_s; });
    set("created_at", !e || e->createdAt != memory.createdAt,
        [&]() -> QString { return write.add(memory.createdAt) + u"::bigint"_s; });
    set("updated_at", !e || e->updatedAt != memory.updatedAt,
        [&]() -> QString { return write.add(memory.updatedAt) + u"::bigint"_s; });
    set("source", !e || e->source != memory.source, [&]() -> QString { return optText(memory.source); });
    set("tombstoned_at", !e || e->tombstonedAt != memory.tombstonedAt,
        [&]() -> QString { return optNumber(memory.tombstonedAt); });
    set("expires_at", !e || e->expiresAt != memory.expiresAt, [&]() -> QString { return optNumber(memory.expiresAt); });
    set("is_summary", !e || e->isSummary != memory.isSummary,
        [&]() -> QString { return write.add(memory.isSummary ? u"true"_s : u"false"_s) + u"::boolean"_s; });
    auto sourceIds = [&]() -> QString {
        if (memory.sourceMemoryIds) {
            QByteArray json = "[";
            for (qsizetype i = 0; i < memory.sourceMemoryIds->size(); ++i) {
                if (i)
                    json.append(',');
                appendJsonString(json, memory.sourceMemoryIds->at(i));
            }
            json.append(']');
            return write.add(QString::fromUtf8(json)) + u"::jsonb"_s;
        }
        return write.addNull() + u"::jsonb"_s;
    };
    set("source_memory_ids",
        !e || e->sourceMemoryIds != memory.sourceMemoryIds || (e->flags & MemoryFlag::InvalidSourceMemoryIds),
        sourceIds);
    set("consolidation_timestamp", !e || e->consolidationTimestamp != memory.consolidationTimestamp,
        [&]() -> QString { return optNumber(memory.consolidationTimestamp); });
    if (!e) {
        write.text = u"INSERT INTO memories (id, "_s + columns.join(u", "_s) + u") VALUES ("_s + write.add(memory.id)
            + u", "_s + values.join(u", "_s) + u')';
    } else if (!columns.isEmpty()) {
        QStringList assignments;
        for (qsizetype i = 0; i < columns.size(); ++i)
            assignments << columns[i] + u" = "_s + values[i];
        write.text = u"UPDATE memories SET "_s + assignments.join(u", "_s) + u" WHERE id = "_s + write.add(memory.id);
    }
    if (!write.text.isEmpty())
        write.exec(tx);
}

void PostgresBackend::store(const Memory& memory)
{
    storeBatch({memory});
}

void PostgresBackend::storeBatch(const QList<Memory>& memories)
{
    checkWritable();
    if (memories.isEmpty())
        return;
    for (const Memory& memory : memories)
        validateForWrite(memory);
    const QString what = memories.size() == 1
        ? QString(u"writing memory "_s + memories.first().id)
        : QString(u"writing "_s + QString::number(memories.size()) + u" memories"_s);
    try {
        guarded(what, [&](pqxx::connection& c) {
            pqxx::work tx(c);
            for (const Memory& memory : memories)
                writeRow(tx, memory);
            tx.commit();
            return 0;
        });
    } catch (const StorageError& error) {
        if (error.kind() != StorageError::Kind::InDoubt)
            throw;
        // The commit may or may not have happened: read the rows again before anyone retries.
        QStringList ids;
        for (const Memory& memory : memories)
            ids << memory.id;
        QList<Memory> now;
        try {
            now = getBatch(ids);
        } catch (const StorageError&) {
            throw StorageError(StorageError::Kind::Storage, error.message(), error.detail());
        }
        const bool committed = now.size() == memories.size()
            && std::equal(now.begin(), now.end(), memories.begin(),
                          [](const Memory& a, const Memory& b) { return a.sameFields(b); });
        if (committed)
            return;
        throw StorageError(StorageError::Kind::Storage,
                           m_location + u": "_s + what
                               + u": the connection was lost during commit and the write did not happen"_s,
                           error.detail());
    }
}

bool PostgresBackend::remove(const QString& id)
{
    checkWritable();
    return guarded(u"deleting memory "_s + id, [&](pqxx::connection& c) {
        pqxx::work tx(c);
        const pqxx::result r = tx.exec_params("DELETE FROM memories WHERE id = $1", toStd(id));
        tx.commit();
        return r.affected_rows() > 0;
    });
}

EmbeddingStorage PostgresBackend::embeddingStorage() const
{
    return m_hasVectorTable ? EmbeddingStorage::Apart : EmbeddingStorage::None;
}

QString PostgresBackend::embeddingsUnavailable() const
{
    return u"the database has no memory_vectors table (subcog creates it only where pgvector is installed)"_s;
}

QHash<QString, QList<float>> PostgresBackend::readEmbeddings(const QStringList& ids)
{
    QHash<QString, QList<float>> found;
    const bool inRows = m_columns.contains(u"embedding"_s); // the split and docker layouts keep them in the row
    if (ids.isEmpty() || (!m_hasVectorTable && !inRows))
        return found;
    return guarded(u"reading embeddings"_s, [&](pqxx::connection& c) {
        // inside an export's or copy's snapshot, the vectors come from the same moment as the memories
        ReadTransaction transaction(*this, c);
        pqxx::transaction_base& tx = *transaction;
        auto read = [&](const QString& table) {
            Sql sql;
            sql.text = u"SELECT id, embedding::text FROM "_s + table + u" WHERE id = ANY("_s
                + sql.add(FilterSql::arrayLiteral(ids)) + u"::text[]) AND embedding IS NOT NULL"_s;
            for (const auto& row : sql.exec(tx)) {
                const QString id = fromStd(row[0]);
                if (found.contains(id))
                    continue;
                if (auto values = parseVectorText(QByteArrayView(row[1].c_str(), qsizetype(row[1].size()))))
                    found.insert(id, *values);
                else
                    qCWarning(lcPostgres) << "embedding of" << id << "is not a vector's text";
            }
        };
        if (m_hasVectorTable)
            read(u"memory_vectors"_s);
        if (inRows)
            read(u"memories"_s);
        return found;
    });
}

QList<RecordIssue> PostgresBackend::writeEmbeddings(const QHash<QString, QList<float>>& embeddings)
{
    checkWritable();
    QList<RecordIssue> refused;
    QList<QPair<QString, QByteArray>> rows;
    for (auto it = embeddings.begin(); it != embeddings.end(); ++it) {
        QString problem = !m_hasVectorTable ? embeddingsUnavailable()
            : it->isEmpty()                 ? u"it is empty, and pgvector has no empty vectors"_s
                            : vectorProblem(*it, m_vectorDimensions ? m_vectorDimensions : int(it->size()));
        if (problem.isEmpty() && it.key().contains(QChar(0)))
            problem = u"the id contains a NUL character, which PostgreSQL text cannot hold"_s;
        if (problem.isEmpty())
            rows.append({it.key(), vectorText(*it)});
        else
            refused.append(RecordIssue {it.key(), problem, false});
    }
    if (rows.isEmpty())
        return refused;
    guarded(u"writing "_s + QString::number(rows.size()) + u" embeddings"_s, [&](pqxx::connection& c) {
        pqxx::work tx(c);
        constexpr qsizetype kRowsPerStatement = 200;
        for (qsizetype start = 0; start < rows.size(); start += kRowsPerStatement) {
            Sql sql;
            QStringList values;
            for (qsizetype i = start; i < qMin(rows.size(), start + kRowsPerStatement); ++i) {
                // untyped parameters take the column's type: pgvector's vector parses the text, TEXT keeps it
                const QString id = sql.add(rows[i].first);
                values << u'(' + id + u", "_s + sql.add(QString::fromLatin1(rows[i].second)) + u')';
            }
            sql.text = u"INSERT INTO memory_vectors (id, embedding) VALUES "_s + values.join(u", "_s)
                + u" ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding"_s;
            sql.exec(tx);
        }
        tx.commit();
        return 0;
    });
    return refused;
}

} // namespace Inspector
