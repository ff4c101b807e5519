// SPDX-License-Identifier: MIT
#pragma once

#include "storelocator.h"

#include <QDateTime>
#include <QSet>
#include <QStringList>

#include <optional>

namespace Inspector {

/// What kind of place a store was found in (spec §2.2, §2.3; legacy locations of subcog ≤ v0.5).
enum class FoundStoreKind
{
    Index, ///< `<data_dir>/index.db`: every memory since v0.6
    LegacyProjectIndex, ///< `<repo>/.subcog/index.db` (≤ v0.5)
    LegacyRepoIndex, ///< `<data_dir>/repos/<hash>/index.db` (≤ v0.5)
    Consolidation, ///< `<data_dir>/memories.db`, or `[storage.project] path` with the SQLite backend
    OrgIndex, ///< `<data_dir>/org/index.db`, or `[org] sqlite_path`
    Folder, ///< `<data dir>/memories/*.json`, `<data_dir>/*.json`, or `[storage.project] path` with `filesystem`
    Postgres, ///< a `connection_string` of `[storage.*]` or SUBCOG_STORAGE_CONNECTION_STRING
};

/// What subcog does with the store today.
enum class StoreUse
{
    Now, ///< where subcog keeps memories now (outside git repositories at least)
    InRepositories, ///< `[storage.project]`: used inside git repositories
    OrgScope, ///< the org-scope index or database
    Consolidation, ///< written by `subcog consolidate` only
    Gc, ///< the folder `subcog gc` reads
    Forgotten, ///< a legacy location no subcog since v0.6 reads
};

/// One store found on this machine.
struct FoundStore
{
    FoundStoreKind kind = FoundStoreKind::Index;
    QString spec; ///< what openStore() takes; a PostgreSQL URL keeps its password here, so it is never shown
    QString location; ///< the path, or the URL without a password
    StoreUse use = StoreUse::Forgotten;
    QString foundBy; ///< where it came from: `data_dir`, `[storage.project] path`, the folder searched, …
};

/// Bounds of the search for `<repo>/.subcog/index.db` under a folder the person added.
struct ScanLimits
{
    int maxDepth = 6; ///< folders below the added one that are listed (a repository at depth 1 is found at 1)
    int maxFolders = 20000; ///< folders listed per added folder before the search stops
};

struct FoundStores
{
    QList<FoundStore> stores; ///< each store once (by canonical path, or by URL), the one subcog uses first
    QStringList notes; ///< what was not searched and why (depth or folder limit, a folder that does not exist)
};

/// Every store of subcog's on this machine: the configured ones, the legacy ones in the data folder, and the
/// `<repo>/.subcog/index.db` files under `scanFolders`. Reads folder listings only, never a store.
FoundStores findAllStores(const SubcogConfig& config, const QStringList& scanFolders, const ScanLimits& limits = {});

/// The `.subcog/index.db` files under `root` (itself included), skipping hidden folders (`.git`, `.cache`, …) and
/// `node_modules`, following
/// symbolic links to folders once each (a loop ends where it began), within `limits`; sorted.
QStringList findProjectIndexes(const QString& root, const ScanLimits& limits, QStringList* notes = nullptr);

/// A store's size and age, read without changing it.
struct StoreMeasurement
{
    enum class Era
    {
        Unknown, ///< not a SQLite file, or it could not be opened
        Current, ///< the layout subcog v0.6 and later write (memory_edges, expires_at, …)
        Legacy, ///< an older layout (spec §4.9), or PostgreSQL's split or docker layout (§5.2, §5.3)
    };
    std::optional<qint64> count; ///< every memory, tombstoned ones too; nullopt when it could not be counted
    std::optional<QDateTime> lastChange; ///< nullopt: not measured (PostgreSQL) or unknown
    Era era = Era::Unknown;
    QString releases; ///< the subcog releases that wrote this layout, when known (`v0.3–v0.4`)
    QStringList layout; ///< PersistenceBackend::describeLayout()
    QString error; ///< why it could not be opened or counted, without a password
};

/// Opens `store` read-only (a SQLite lock is waited for `busyTimeoutMs` at most), counts its memories and reads
/// its layout era and last change: the newest mtime of a SQLite file and its -wal, of a folder and its files.
/// Never throws: an error is in `error`. Runs on any thread; the store is closed again before it returns.
StoreMeasurement measureStore(const FoundStore& store, int busyTimeoutMs = 1000);

/// Keywords for the command line and JSON: `index`, `legacy-project-index`, `legacy-repo-index`, `consolidation`,
/// `org-index`, `folder`, `postgresql`; and `now`, `in-repositories`, `org-scope`, `consolidation`, `gc`, `legacy`.
QString foundStoreKindName(FoundStoreKind kind);
QString storeUseName(StoreUse use);

/// The subcog releases whose SQLite layout has these `memories` columns (lower case) and tables (spec §4.9), and
/// whether it is the current one.
std::pair<StoreMeasurement::Era, QString> sqliteEra(const QSet<QString>& columns, bool hasFullText, bool hasEdges);

} // namespace Inspector
