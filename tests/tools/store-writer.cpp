// SPDX-License-Identifier: MIT
// A separate writer process for the snapshot tests: rewrites memories snap_000 … snap_<N-1> of a store again and
// again, in the way subcog writes that kind of store, until a stop file appears. Version v of every memory has the
// content "v<v> …" and the tag "v<v>", so a reader that mixes two commits is caught. Prints "ready" after the first
// commit and, at the end, "commits <n> worst_ms <ms> failed <n>" (a commit's latency: BEGIN IMMEDIATE to COMMIT).
//
//   store-writer sqlite|sqlite-journal|postgres|folder LOCATION COUNT STOPFILE [each]
//
// sqlite: subcog HEAD's connection (WAL, synchronous NORMAL, busy_timeout 5000) and statements (spec §4.7), all
// memories in one transaction as `reindex` does, or with `each` one transaction per memory as `index` does (version
// v of memory k, then of k + 1, …). sqlite-journal: the same on a rollback-journal store (v0.1.0).
// postgres: one transaction per round on its own connection. folder: each file rewritten in place, truncate then
// write, as subcog's std::fs::write does (no temporary file, no rename).
#include "filesystem/memoryfile.h"
#include "postgres/postgresbackend.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <sqlite3.h>

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

QString memoryId(int k)
{
    return u"snap_"_s + QString::number(k).rightJustified(3, u'0');
}

Inspector::Memory version(int k, qint64 v)
{
    Inspector::Memory m;
    m.id = memoryId(k);
    m.content = u"v"_s + QString::number(v) + u" of memory "_s + QString::number(k) + u": "_s
        + QString(u"0123456789abcdef"_s).repeated(int(v % 7 + 1) * 16);
    m.namespaceName = u"decisions"_s;
    m.domain = u"project"_s;
    m.status = u"active"_s;
    m.createdAt = 1767000000 + k;
    m.updatedAt = m.createdAt;
    m.tags = {u"snap"_s, u"v"_s + QString::number(v)};
    m.source = u"store-writer"_s;
    return m;
}

struct Stats
{
    qint64 commits = 0;
    qint64 worstMs = 0;
    qint64 failed = 0;
};

bool check(sqlite3* db, int rc, const char* what)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
        return true;
    std::fprintf(stderr, "store-writer: %s: %s\n", what, sqlite3_errmsg(db));
    return false;
}

/// Memories [first, first + count) at version v in subcog's statement sequence, one transaction; false (rolled
/// back) when SQLite refused it.
bool sqliteRound(sqlite3* db, int first, int count, qint64 v)
{
    if (!check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), "BEGIN IMMEDIATE"))
        return false;
    sqlite3_stmt* replace = nullptr;
    sqlite3_stmt* remove = nullptr;
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT OR REPLACE INTO memories (id, namespace, domain, project_id, branch, file_path, status, "
                       "created_at, tags, source, tombstoned_at, expires_at, is_summary, source_memory_ids, "
                       "consolidation_timestamp) VALUES (?, ?, ?, NULL, NULL, NULL, ?, ?, ?, ?, NULL, NULL, 0, NULL, "
                       "NULL)",
                       -1, &replace, nullptr);
    sqlite3_prepare_v2(db, "DELETE FROM memories_fts WHERE id = ?", -1, &remove, nullptr);
    sqlite3_prepare_v2(db, "INSERT INTO memories_fts (id, content, tags) VALUES (?, ?, ?)", -1, &insert, nullptr);
    bool ok = replace && remove && insert;
    for (int k = first; ok && k < first + count; ++k) {
        const Inspector::Memory m = version(k, v);
        const QByteArray id = m.id.toUtf8();
        const QByteArray content = m.content.toUtf8();
        const QByteArray tags = m.tags.join(u',').toUtf8();
        const QByteArray ns = m.namespaceName.toUtf8();
        const QByteArray status = m.status.toUtf8();
        const QByteArray source = m.source->toUtf8();
        sqlite3_bind_text(replace, 1, id.constData(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(replace, 2, ns.constData(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(replace, 3, "project", -1, SQLITE_STATIC);
        sqlite3_bind_text(replace, 4, status.constData(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(replace, 5, m.createdAt);
        sqlite3_bind_text(replace, 6, tags.constData(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(replace, 7, source.constData(), -1, SQLITE_TRANSIENT);
        ok = check(db, sqlite3_step(replace), "INSERT OR REPLACE");
        sqlite3_reset(replace);
        sqlite3_bind_text(remove, 1, id.constData(), -1, SQLITE_TRANSIENT);
        ok = ok && check(db, sqlite3_step(remove), "DELETE FROM memories_fts");
        sqlite3_reset(remove);
        sqlite3_bind_text(insert, 1, id.constData(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, content.constData(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 3, tags.constData(), -1, SQLITE_TRANSIENT);
        ok = ok && check(db, sqlite3_step(insert), "INSERT INTO memories_fts");
        sqlite3_reset(insert);
    }
    sqlite3_finalize(replace);
    sqlite3_finalize(remove);
    sqlite3_finalize(insert);
    if (ok && check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "COMMIT"))
        return true;
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return false;
}

/// subcog's std::fs::write: open with truncation, then write; a reader can see the file empty or half written.
bool writeInPlace(const QString& path, const QByteArray& bytes)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    qsizetype done = 0;
    while (done < bytes.size()) {
        // in pieces, as a large write may land: each piece is visible on its own
        const ssize_t n = ::write(fd, bytes.constData() + done, size_t(qMin<qsizetype>(bytes.size() - done, 512)));
        if (n <= 0) {
            ::close(fd);
            return false;
        }
        done += n;
    }
    return ::close(fd) == 0;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 5 && !(args.size() == 6 && args[5] == "each"_L1)) {
        std::fprintf(stderr,
                     "usage: store-writer sqlite|sqlite-journal|postgres|folder LOCATION COUNT STOPFILE [each]\n");
        return 2;
    }
    const QString kind = args[1];
    const QString location = args[2];
    const int count = args[3].toInt();
    const QString stopFile = args[4];
    const bool each = args.size() == 6;
    QTextStream out(stdout);
    Stats stats;

    sqlite3* db = nullptr;
    std::unique_ptr<Inspector::PostgresBackend> pg;
    if (kind.startsWith(u"sqlite"_s)) {
        if (sqlite3_open_v2(QFile::encodeName(location).constData(), &db, SQLITE_OPEN_READWRITE, nullptr)
            != SQLITE_OK) {
            std::fprintf(stderr, "store-writer: cannot open %s\n", qPrintable(location));
            return 1;
        }
        sqlite3_busy_timeout(db, 5000);
        if (kind == "sqlite"_L1) {
            // subcog's per-connection settings (errors ignored, as there)
            sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
            sqlite3_exec(db, "PRAGMA synchronous = NORMAL", nullptr, nullptr, nullptr);
        }
    } else if (kind == "postgres"_L1) {
        pg = Inspector::PostgresBackend::open(location);
    } else if (kind != "folder"_L1) {
        std::fprintf(stderr, "store-writer: unknown kind %s\n", qPrintable(kind));
        return 2;
    }

    for (qint64 v = 1;; ++v) {
        QElapsedTimer timer;
        timer.start();
        bool ok = true;
        if (db && each) {
            for (int k = 0; ok && k < count; ++k) {
                QElapsedTimer one;
                one.start();
                ok = sqliteRound(db, k, 1, v);
                stats.worstMs = qMax(stats.worstMs, one.elapsed());
                stats.commits += ok ? 1 : 0;
            }
            if (!ok)
                ++stats.failed;
            if (stats.commits > 0 && stats.commits <= count)
                out << "ready" << Qt::endl;
            if (QFileInfo::exists(stopFile))
                break;
            continue;
        }
        if (db) {
            ok = sqliteRound(db, 0, count, v);
        } else if (pg) {
            QList<Inspector::Memory> round;
            for (int k = 0; k < count; ++k)
                round << version(k, v);
            try {
                pg->storeBatch(round);
            } catch (const Inspector::StorageError& e) {
                std::fprintf(stderr, "store-writer: %s\n", qPrintable(e.message()));
                ok = false;
            }
        } else {
            for (int k = 0; ok && k < count; ++k) {
                const Inspector::Memory m = version(k, v);
                ok = writeInPlace(location + u'/' + m.id + u".json"_s, Inspector::serializeMemoryFile(m));
            }
        }
        stats.worstMs = qMax(stats.worstMs, timer.elapsed());
        if (ok) {
            ++stats.commits;
            if (stats.commits == 1) {
                out << "ready" << Qt::endl;
            }
        } else {
            ++stats.failed;
        }
        if (QFileInfo::exists(stopFile))
            break;
    }
    if (db)
        sqlite3_close(db);
    out << "commits " << stats.commits << " worst_ms " << stats.worstMs << " failed " << stats.failed << Qt::endl;
    return stats.failed == 0 ? 0 : 1;
}
