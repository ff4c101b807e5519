// SPDX-License-Identifier: MIT
#include "demostore.h"

#include "sqlite/sqlitebackend.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
struct Sample
{
    Namespace ns;
    const char* text;
    const char* tags;
};

// Memories of the kind subcog captures while an agent works on a project.
constexpr Sample kSamples[] = {
    {Namespace::Decisions, "Use PostgreSQL for the multi-user deployment; SQLite stays the embedded default.",
     "database,architecture"},
    {Namespace::Decisions, "Adopt keyset pagination for list endpoints instead of OFFSET.", "api,performance"},
    {Namespace::Patterns, "Repository pattern: every storage backend implements one trait, selected at startup.",
     "rust,architecture"},
    {Namespace::Patterns, "Wrap external calls in a retry with exponential backoff and jitter.", "resilience"},
    {Namespace::Learnings, "FTS5 cannot index the id column; look ids up through the metadata table.", "sqlite,fts5"},
    {Namespace::Learnings, "INSERT OR REPLACE with foreign keys on silently deletes dependent rows.", "sqlite,gotcha"},
    {Namespace::Context, "The billing service is owned by the payments team; changes need their review.", "ownership"},
    {Namespace::TechDebt, "The config loader parses TOML twice on startup; merge the passes.", "config,startup"},
    {Namespace::Blockers, "CI runners lack a PostgreSQL 15 binary; integration tests are skipped there.", "ci"},
    {Namespace::Progress, "Migrated 40 of 52 handlers to the new error type.", "errors,migration"},
    {Namespace::Apis, "GET /v2/memories accepts `cursor` and `limit` (max 500).", "rest,api"},
    {Namespace::Config, "Set `busy_timeout = 5000` on every SQLite connection.", "sqlite,config"},
    {Namespace::Security, "Never log connection strings; they carry passwords.", "logging,secrets"},
    {Namespace::Performance, "Batch lookups with `id = ANY($1)` cut the p95 from 80 ms to 6 ms.", "postgres,latency"},
    {Namespace::Testing, "Property tests for the tag parser found a crash on empty segments.", "proptest,parser"},
    {Namespace::Help, "Use `subcog recall <query>` to search memories from the terminal.", "cli"},
    {Namespace::Prompts, "Summarise the decisions of the last sprint as a bullet list.", "prompt"},
};
constexpr const char* kDomains[] = {"project", "project", "project", "user", "org"};
constexpr const char* kBranches[] = {"main", "main", "feature/pagination", "fix/retry"};
} // namespace

bool ensureDemoStore(const QString& path)
{
    if (QFileInfo::exists(path))
        return false;
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        throw StorageError(StorageError::Kind::OperationFailed,
                           QFileInfo(path).absolutePath() + u": cannot create the folder for the demo store"_s);
    const QString partial = path + u".creating"_s;
    QFile::remove(partial);
    {
        auto backend = SqliteBackend::create(partial);
        QRandomGenerator random(20260101);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        int n = 0;
        for (int round = 0; round < 12; ++round) {
            for (const Sample& sample : kSamples) {
                Memory m;
                m.id = QString::number(random.generate64() & 0xffffffffffffULL, 16).rightJustified(12, u'0');
                m.content = QString::fromUtf8(sample.text);
                if (round > 0)
                    m.content += u"\n\nNoted again in review round "_s + QString::number(round) + u'.';
                m.namespaceName = namespaceName(sample.ns);
                m.domain = QString::fromUtf8(kDomains[n % 5]);
                m.projectId = u"github.com/example/subcog-demo"_s;
                m.branch = QString::fromUtf8(kBranches[n % 4]);
                if (n % 3 == 0)
                    m.filePath = u"src/storage/mod.rs"_s;
                m.status = n % 23 == 0 ? u"archived"_s : u"active"_s;
                m.createdAt = now - qint64(n) * 5400 - qint64(random.bounded(3600));
                m.updatedAt = m.createdAt;
                if (n % 29 == 0) {
                    m.status = u"tombstoned"_s;
                    m.tombstonedAt = m.createdAt + 600;
                }
                if (n % 11 == 0)
                    m.expiresAt = m.createdAt + 30 * 86400;
                m.tags = QString::fromUtf8(sample.tags).split(u',');
                m.tags << contentHashTag(m.content);
                m.source = n % 2 ? u"auto-capture"_s : u"src/storage/mod.rs"_s;
                backend->store(m);
                ++n;
            }
        }
    }
    // the demo appears under its final name only once it is complete
    if (!QFile::rename(partial, path))
        throw StorageError(StorageError::Kind::OperationFailed, path + u": cannot move the demo store into place"_s);
    QFile::remove(partial + u"-wal"_s);
    QFile::remove(partial + u"-shm"_s);
    return true;
}

} // namespace Inspector
