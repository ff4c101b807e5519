// SPDX-License-Identifier: MIT
#include "storefinder.h"

#include "filesystem/filesystembackend.h"
#include "postgresmodule.h"
#include "secrets.h"
#include "sqlite/sqlitebackend.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

#include <toml++/toml.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

/// One `[storage.<scope>]` table of config.toml (spec §2.3), with the environment's overrides for every scope.
struct ScopeSettings
{
    QString backend = u"sqlite"_s;
    QString path;
    QString connectionString;
};

QString normalisedBackend(const QString& name)
{
    const QString lower = name.trimmed().toLower();
    if (lower == "filesystem"_L1 || lower == "fs"_L1 || lower == "file"_L1)
        return u"filesystem"_s;
    if (lower == "postgresql"_L1 || lower == "postgres"_L1 || lower == "pg"_L1)
        return u"postgresql"_s;
    if (lower == "redis"_L1)
        return u"redis"_s;
    return u"sqlite"_s;
}

struct ConfigScopes
{
    ScopeSettings user;
    ScopeSettings project;
    ScopeSettings org;
    QString orgSqlitePath; ///< `[org] sqlite_path`
};

ConfigScopes readScopes(const SubcogConfig& config)
{
    ConfigScopes scopes;
    if (config.configExists && config.configError.isEmpty()) {
        try {
            const toml::table table = toml::parse_file(config.configPath.toStdString());
            const auto text = [](const toml::node_view<const toml::node>& node) {
                const auto value = node.value<std::string>();
                return value ? QString::fromStdString(*value) : QString();
            };
            for (auto [name, scope] : {std::pair {"user", &scopes.user}, std::pair {"project", &scopes.project},
                                       std::pair {"org", &scopes.org}}) {
                const auto node = std::as_const(table)["storage"][name];
                if (const QString backend = text(node["backend"]); !backend.isEmpty())
                    scope->backend = normalisedBackend(backend);
                if (const QString path = text(node["path"]); !path.isEmpty())
                    scope->path = expandPath(path);
                scope->connectionString = text(node["connection_string"]);
            }
            if (const QString path = text(std::as_const(table)["org"]["sqlite_path"]); !path.isEmpty())
                scopes.orgSqlitePath = expandPath(path);
        } catch (const toml::parse_error&) {
            // readSubcogConfig() reported it; the data folder's stores are still listed
        }
    }
    // the environment overrides every scope (spec §2.3)
    const QString envBackend = qEnvironmentVariable("SUBCOG_STORAGE_BACKEND");
    const bool envUrl = qEnvironmentVariableIsSet("SUBCOG_STORAGE_CONNECTION_STRING");
    for (ScopeSettings* scope : {&scopes.user, &scopes.project, &scopes.org}) {
        if (!envBackend.isEmpty())
            scope->backend = normalisedBackend(envBackend);
        if (envUrl)
            scope->connectionString = qEnvironmentVariable("SUBCOG_STORAGE_CONNECTION_STRING");
    }
    return scopes;
}

bool usesPostgres(const ScopeSettings& scope)
{
    return scope.backend == "postgresql"_L1 && !scope.connectionString.isEmpty();
}

/// A folder holds subcog memory files: `<id>.json` (vectors.meta.json is the usearch index's, not a memory).
bool holdsMemoryFiles(const QString& folder)
{
    const QStringList names = QDir(folder).entryList({u"*.json"_s}, QDir::Files | QDir::Hidden);
    return std::any_of(names.begin(), names.end(), [](const QString& n) { return n != "vectors.meta.json"_L1; });
}

class Collector
{
public:
    FoundStores result;

    void add(FoundStoreKind kind, const QString& spec, const QString& location, StoreUse use, const QString& foundBy)
    {
        const QString key = identity(kind, location);
        if (m_seen.contains(key))
            return;
        m_seen.insert(key);
        result.stores.append(FoundStore {kind, spec, location, use, foundBy});
    }
    void addFile(FoundStoreKind kind, const QString& path, StoreUse use, const QString& foundBy)
    {
        if (QFileInfo(path).isFile())
            add(kind, u"sqlite:"_s + QDir::cleanPath(path), QDir::cleanPath(path), use, foundBy);
    }
    void addFolder(const QString& path, StoreUse use, const QString& foundBy, bool mustHoldFiles)
    {
        if (QFileInfo(path).isDir() && (!mustHoldFiles || holdsMemoryFiles(path)))
            add(FoundStoreKind::Folder, u"fs:"_s + QDir::cleanPath(path), QDir::cleanPath(path), use, foundBy);
    }

private:
    static QString identity(FoundStoreKind kind, const QString& location)
    {
        if (kind == FoundStoreKind::Postgres)
            return location;
        const QString canonical = QFileInfo(location).canonicalFilePath();
        return canonical.isEmpty() ? location : canonical;
    }
    QSet<QString> m_seen;
};

} // namespace

QStringList findProjectIndexes(const QString& root, const ScanLimits& limits, QStringList* notes)
{
    QStringList found;
    const QFileInfo rootInfo(root);
    if (!rootInfo.isDir()) {
        if (notes)
            notes->append(root + u": not a folder"_s);
        return found;
    }
    QSet<QString> visited; // canonical paths: a symbolic link back up the tree ends there
    QList<std::pair<QString, int>> pending {{rootInfo.absoluteFilePath(), 0}};
    int listed = 0;
    bool tooDeep = false;
    while (!pending.isEmpty()) {
        const auto [folder, depth] = pending.takeFirst(); // breadth first: shallow repositories before the limit
        const QString canonical = QFileInfo(folder).canonicalFilePath();
        if (canonical.isEmpty() || visited.contains(canonical))
            continue;
        visited.insert(canonical);
        if (++listed > limits.maxFolders) {
            if (notes)
                notes->append(root + u": stopped after "_s + QString::number(limits.maxFolders)
                              + u" folders; add a folder deeper inside to search the rest"_s);
            break;
        }
        const QString index = folder + u"/.subcog/index.db"_s;
        if (QFileInfo(index).isFile())
            found.append(QDir::cleanPath(index));
        // hidden folders (.git, .cache, .cargo, …) and node_modules hold no repositories worth the time
        const QFileInfoList children = QDir(folder).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QFileInfo& child : children) {
            if (child.fileName() == "node_modules"_L1)
                continue;
            if (depth + 1 > limits.maxDepth) {
                tooDeep = true;
                continue;
            }
            pending.append({child.absoluteFilePath(), depth + 1});
        }
    }
    if (tooDeep && notes)
        notes->append(root + u": folders more than "_s + QString::number(limits.maxDepth)
                      + u" levels down were not searched"_s);
    found.sort();
    return found;
}

FoundStores findAllStores(const SubcogConfig& config, const QStringList& scanFolders, const ScanLimits& limits)
{
    Collector c;
    const ConfigScopes scopes = readScopes(config);
    const QString dataDir = config.dataDir;
    const bool userPg = usesPostgres(scopes.user);
    const bool projectPg = usesPostgres(scopes.project);

    // the PostgreSQL databases the configuration names; one URL listed once, under its widest use
    if (userPg)
        c.add(FoundStoreKind::Postgres, scopes.user.connectionString, withoutPasswords(scopes.user.connectionString),
              StoreUse::Now, u"[storage.user]"_s);
    if (projectPg)
        c.add(FoundStoreKind::Postgres, scopes.project.connectionString,
              withoutPasswords(scopes.project.connectionString), StoreUse::InRepositories, u"[storage.project]"_s);
    if (usesPostgres(scopes.org))
        c.add(FoundStoreKind::Postgres, scopes.org.connectionString, withoutPasswords(scopes.org.connectionString),
              StoreUse::OrgScope, u"[storage.org]"_s);

    // the SQLite index takes every memory unless PostgreSQL does, inside and outside repositories (spec §2.2)
    c.addFile(FoundStoreKind::Index, dataDir + u"/index.db"_s,
              userPg && projectPg ? StoreUse::Consolidation : StoreUse::Now, u"data_dir"_s);
    if (!scopes.project.path.isEmpty() && !projectPg) {
        if (scopes.project.backend == "filesystem"_L1)
            c.addFolder(scopes.project.path, StoreUse::Consolidation, u"[storage.project] path"_s, false);
        else
            c.addFile(FoundStoreKind::Consolidation, scopes.project.path, StoreUse::Consolidation,
                      u"[storage.project] path"_s);
    }
    c.addFile(FoundStoreKind::Consolidation, dataDir + u"/memories.db"_s, StoreUse::Consolidation, u"data_dir"_s);
    c.addFile(FoundStoreKind::OrgIndex,
              scopes.orgSqlitePath.isEmpty() ? dataDir + u"/org/index.db"_s : scopes.orgSqlitePath, StoreUse::OrgScope,
              scopes.orgSqlitePath.isEmpty() ? u"data_dir"_s : u"[org] sqlite_path"_s);

    // folder stores: subcog gc's (always the platform's data folder), and consolidation's with `filesystem`
    c.addFolder(subcogDefaultDataDir() + u"/memories"_s, StoreUse::Gc, u"subcog gc"_s, false);
    c.addFolder(dataDir + u"/memories"_s, StoreUse::Gc, u"data_dir"_s, false);
    c.addFolder(dataDir, StoreUse::Consolidation, u"data_dir"_s, true);

    // legacy per-repository indexes (≤ v0.5): repos/<16 hex digits of the repository's path hash>/index.db
    const QFileInfoList repos
        = QDir(dataDir + u"/repos"_s).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
    for (const QFileInfo& repo : repos)
        c.addFile(FoundStoreKind::LegacyRepoIndex, repo.absoluteFilePath() + u"/index.db"_s, StoreUse::Forgotten,
                  u"data_dir/repos"_s);

    // legacy project indexes (≤ v0.5) under the folders the person added
    for (const QString& folder : scanFolders) {
        for (const QString& index : findProjectIndexes(folder, limits, &c.result.notes))
            c.addFile(FoundStoreKind::LegacyProjectIndex, index, StoreUse::Forgotten, folder);
    }
    return c.result;
}

QString foundStoreKindName(FoundStoreKind kind)
{
    switch (kind) {
    case FoundStoreKind::Index:
        return u"index"_s;
    case FoundStoreKind::LegacyProjectIndex:
        return u"legacy-project-index"_s;
    case FoundStoreKind::LegacyRepoIndex:
        return u"legacy-repo-index"_s;
    case FoundStoreKind::Consolidation:
        return u"consolidation"_s;
    case FoundStoreKind::OrgIndex:
        return u"org-index"_s;
    case FoundStoreKind::Folder:
        return u"folder"_s;
    case FoundStoreKind::Postgres:
        return u"postgresql"_s;
    }
    return {};
}

QString storeUseName(StoreUse use)
{
    switch (use) {
    case StoreUse::Now:
        return u"now"_s;
    case StoreUse::InRepositories:
        return u"in-repositories"_s;
    case StoreUse::OrgScope:
        return u"org-scope"_s;
    case StoreUse::Consolidation:
        return u"consolidation"_s;
    case StoreUse::Gc:
        return u"gc"_s;
    case StoreUse::Forgotten:
        return u"legacy"_s;
    }
    return {};
}

std::pair<StoreMeasurement::Era, QString> sqliteEra(const QSet<QString>& columns, bool hasFullText, bool hasEdges)
{
    using Era = StoreMeasurement::Era;
    if (!hasFullText)
        return {Era::Legacy, u"b41a806 (unreleased)"_s};
    if (!columns.contains(u"source"_s))
        return {Era::Legacy, u"pre-release"_s};
    if (!columns.contains(u"tombstoned_at"_s))
        return {Era::Legacy, u"v0.1–v0.2"_s};
    if (!columns.contains(u"project_id"_s))
        return {Era::Legacy, u"v0.3–v0.4"_s};
    if (!hasEdges || !columns.contains(u"expires_at"_s) || !columns.contains(u"is_summary"_s))
        return {Era::Legacy, u"v0.5"_s};
    return {Era::Current, u"v0.6+"_s};
}

namespace {

std::optional<QDateTime> newest(std::optional<QDateTime> a, const QFileInfo& file)
{
    if (!file.exists())
        return a;
    const QDateTime t = file.lastModified().toUTC();
    return !a || t > *a ? std::optional(t) : a;
}

} // namespace

StoreMeasurement measureStore(const FoundStore& store, int busyTimeoutMs)
{
    StoreMeasurement m;
    try {
        if (store.kind == FoundStoreKind::Postgres) {
            PostgresOptions options;
            options.readOnly = true;
            options.connectTimeoutS = 5;
            auto backend = postgresModule().open(store.spec, options);
            m.layout = backend->describeLayout();
            // the split and docker layouts are said in a second line (postgresbackend.cpp); HEAD's has one
            m.era = m.layout.size() > 1 ? StoreMeasurement::Era::Legacy : StoreMeasurement::Era::Current;
            m.count = backend->count();
        } else if (store.kind == FoundStoreKind::Folder) {
            // the folder's own mtime too: deleting a memory file changes no file that is left
            m.lastChange = newest(std::nullopt, QFileInfo(store.location));
            for (const QFileInfo& f : QDir(store.location).entryInfoList({u"*.json"_s}, QDir::Files | QDir::Hidden))
                m.lastChange = newest(m.lastChange, f);
            FilesystemBackend::Options options;
            options.readOnly = true;
            auto backend = FilesystemBackend::open(store.location, options);
            m.layout = backend->describeLayout();
            m.count = backend->count();
        } else {
            m.lastChange
                = newest(newest(std::nullopt, QFileInfo(store.location)), QFileInfo(store.location + u"-wal"_s));
            auto backend = SqliteBackend::open(store.location, SqliteBackend::OpenMode::ReadOnly);
            backend->setBusyTimeout(busyTimeoutMs);
            m.layout = backend->describeLayout();
            std::tie(m.era, m.releases)
                = sqliteEra(backend->columns(), backend->hasFullTextTable(), backend->hasEdgeTable());
            m.count = backend->count();
        }
    } catch (const StorageError& e) {
        m.error = withoutPasswords(e.message(), {store.spec});
    } catch (const std::exception& e) {
        m.error = withoutPasswords(QString::fromUtf8(e.what()), {store.spec});
    }
    return m;
}

} // namespace Inspector
