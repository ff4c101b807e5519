// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>

namespace Inspector {

/// What subcog's configuration says about where memories live (spec §2).
struct SubcogConfig
{
    QString configPath; ///< the config.toml consulted (may not exist)
    bool configExists = false;
    QString configError; ///< parse error of config.toml, if any
    QString dataDir; ///< data_dir from the config, expanded, or the platform default
    QString backend; ///< `sqlite`, `postgresql`, `filesystem` or `redis` for the user scope
    bool hasConnectionString = false; ///< a PostgreSQL connection string is configured
    /// The configured PostgreSQL URL; it may hold a password, so it is never logged or stored in settings.
    QString connectionString;
};

/// A store subcog uses on this machine.
struct StoreCandidate
{
    QString spec; ///< what `subcog-inspector STORE` takes
    QString description;
};

/// Reads ~/.config/subcog/config.toml (or SUBCOG_CONFIG_PATH) and the storage environment variables.
SubcogConfig readSubcogConfig();

/// subcog's stores that exist here, the main index first.
QList<StoreCandidate> findSubcogStores(const SubcogConfig& config);

/// subcog's data folder on this platform when config.toml names none (`subcog gc` always uses it, spec §2.2).
QString subcogDefaultDataDir();

/// Where the inspector keeps its demo store when the user has no subcog store.
QString demoStorePath();

/// Expands a leading `~` and `${VAR}` as subcog does for data_dir.
QString expandPath(const QString& path);

} // namespace Inspector
