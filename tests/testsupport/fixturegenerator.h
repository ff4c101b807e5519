// SPDX-License-Identifier: MIT
#pragma once

#include "memory.h"

#include <QList>
#include <QString>

#include <functional>

namespace Inspector::Fixtures {

/// subcog's SQLite layouts through history (spec §4.9, §4.10).
enum class SqliteLayout
{
    PreRelease, ///< id, namespace, domain, status, created_at, tags
    V0_1, ///< + source; rollback journal; domain `global`
    V0_2, ///< WAL and first indexes; still `global`
    V0_3, ///< + tombstoned_at (appended)
    V0_5, ///< project_id, branch, file_path in CREATE; tombstoned_at appended
    V0_6, ///< + expires_at, is_summary, source_memory_ids, consolidation_timestamp; memory_edges
    Head, ///< as created by subcog HEAD (same columns as v0.6)
    HeadFromV0_1, ///< a v0.1 file upgraded by HEAD: new columns appended after source
    HeadFromV0_3, ///< a v0.3 file upgraded by HEAD: tombstoned_at before project_id
    HeadGroupScope, ///< HEAD built with group-scope: + group_id
    SplitB41a806, ///< unmerged persistence backend: content in memories, no FTS, no edges
};

QList<SqliteLayout> allSqliteLayouts();
QString layoutName(SqliteLayout layout);

struct GeneratorOptions
{
    quint64 seed = 1;
    int count = 300; ///< memories written (anomaly rows come on top)
    bool anomalies = true; ///< add the legacy strings and broken rows of spec §9
    int largeMemories = 2; ///< memories of about 100 KB
    bool pendingWal = true; ///< leave the last rows in the -wal file (WAL layouts only)
    bool lightContent = false; ///< short single-line texts only (for million-row benchmark stores)
    bool shuffledFullText = false; ///< SQLite: FTS rows in another order than the memories rows
    bool keepTruth = true; ///< collect the truth (benchmarks of a million rows need not hold it in memory)

    /// A benchmark store: `count` plain, short memories, no anomalies or large ones, no truth kept.
    static GeneratorOptions benchmark(int count)
    {
        GeneratorOptions o;
        o.count = count;
        o.anomalies = false;
        o.lightContent = true;
        o.keepTruth = false;
        o.largeMemories = 0;
        return o;
    }
};

/// What a generated store holds, as the inspector must read it back.
struct GeneratedStore
{
    QString path;
    QList<Memory> truth; ///< every memory, in insertion order, with every field as a reader must see it
    QStringList undecodableIds; ///< rows that cannot be decoded and must be reported, not exported
    QStringList orphanFtsIds; ///< FTS rows without a memories row
    QStringList missingContentIds; ///< memories rows without an FTS row: in the truth, reported and left out of exports
    QStringList duplicateFtsIds; ///< memories with several FTS rows (the first is the truth)
    qint64 rowCount = 0; ///< rows in `memories`
};

/// The seeded stream of memories every fixture is made from: index i always yields the same memory.
class MemoryStream
{
public:
    explicit MemoryStream(quint64 seed, bool lightContent = false);
    Memory next();

private:
    quint64 m_seed;
    bool m_light;
    qint64 m_index = 0;
};

/// Writes a subcog SQLite store with raw SQL (independent of the inspector's backend) and returns its truth.
GeneratedStore writeSqliteStore(const QString& path, SqliteLayout layout, const GeneratorOptions& options);

/// subcog's PostgreSQL layouts (spec §5.1, §5.2).
enum class PostgresLayout
{
    Head, ///< one memories table: content in the row, JSON domain, TEXT[] tags, JSONB source ids
    Split, ///< ea5e9a7 and before: domain in three columns, no search_vector (read-only for the inspector)
};

/// Writes a psql-loadable SQL file (schema and COPY data) of a subcog PostgreSQL store and returns its truth.
GeneratedStore writePostgresSql(const QString& path, PostgresLayout layout, const GeneratorOptions& options);

/// What a generated folder store holds beyond its truth.
struct GeneratedFolder
{
    GeneratedStore store; ///< truth of every good memory (encrypted ones included)
    QByteArray key; ///< the 32-byte key of the encrypted files
    QStringList encryptedIds; ///< memories stored encrypted
    QStringList damagedFiles; ///< file names that must be reported as damaged
    QStringList leftoverFiles; ///< temporary files of an interrupted write
    QStringList currentFormatIds; ///< files in HEAD's full format (byte-identical when written again)
};

/// Writes a subcog folder store (spec §6) with an independent serde-style writer: current and v0.1/v0.2 field
/// sets, some files encrypted, unknown keys, damaged files, a leftover temporary file and a stray non-JSON file.
GeneratedFolder writeFolderStore(const QString& folder, const GeneratorOptions& options);

/// The bytes subcog writes for a memory in a folder store (HEAD's format), by the independent writer.
QByteArray subcogFileBytes(const Memory& memory);
/// The same with the embedding's numbers written as these texts (as serde_json writes them).
QByteArray subcogFileBytes(const Memory& memory, const QList<QByteArray>& embeddingText);

/// Known serde_json (ryu) renderings of f32 values, for tests of the float writer.
QList<QPair<float, QByteArray>> serdeFloatSamples();

/// Writes memories as JSON Lines with Qt's own JSON classes (independent of the inspector's writer).
void writeTruthFile(const QString& path, const QList<Memory>& truth);

/// The truth record of a memory as a JSON object with the export's keys.
class QJsonObject toJson(const Memory& memory);

} // namespace Inspector::Fixtures
