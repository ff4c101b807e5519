// SPDX-License-Identifier: MIT
// Empty Trash and Tombstone Expired's preview for PostgreSQL stores (the run is postgresrepair.cpp's).
#include "trash.h"

#include "postgres/postgresbackend.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <pqxx/pqxx>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

QString text(const pqxx::field& f)
{
    return QString::fromUtf8(f.c_str(), qsizetype(f.size()));
}

// the row as postgresrepair.cpp's readRows() reads it: every column but the trigger's search_vector
const char* const kRowJson = "(to_jsonb(m) - 'search_vector')::text";

} // namespace

TrashPreview previewPostgresTrash(const QString& url, TrashAction action, qint64 now, qint64 cutoff)
{
    TrashPreview preview;
    preview.action = action;
    preview.now = now;
    preview.cutoff = cutoff;
    PostgresBackend::Options open;
    open.readOnly = true;
    const auto backend = PostgresBackend::open(url, open);
    // the row as readRows() reads it (its text is the fingerprint the run compares); keys a layout lacks read as
    // NULL (§5.2 keeps no expires_at)
    const std::string sql = std::string("SELECT ") + kRowJson + " FROM memories m WHERE "
        + (action == TrashAction::EmptyTrash
               ? "lower(trim(m.status)) = 'tombstoned' OR to_jsonb(m)->>'tombstoned_at' IS NOT NULL"
               : "(to_jsonb(m)->>'expires_at')::bigint < $1");
    QList<QPair<QString, QStringList>> sourceLists;
    backend->readInSnapshot(u"reading the trash"_s, [&](pqxx::transaction_base& tx) {
        const pqxx::result rows
            = action == TrashAction::EmptyTrash ? tx.exec(sql) : tx.exec_params(sql, static_cast<long long>(now));
        if (action == TrashAction::EmptyTrash) {
            // summaries that keep a trashed memory among their sources (keys a layout lacks read as NULL)
            for (const auto& row : tx.exec("SELECT m.id, (to_jsonb(m)->'source_memory_ids')::text FROM memories m "
                                           "WHERE jsonb_typeof(to_jsonb(m)->'source_memory_ids') = 'array'")) {
                QStringList sources;
                for (const QJsonValue& v : QJsonDocument::fromJson(text(row[1]).toUtf8()).array())
                    sources << v.toString();
                if (!sources.isEmpty())
                    sourceLists.append({text(row[0]), sources});
            }
        }
        for (const auto& row : rows) {
            const QString json = text(row[0]);
            const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
            const auto number = [&](const char* key) {
                const QJsonValue v = o.value(QLatin1StringView(key));
                return v.isDouble() ? std::optional<qint64>(v.toInteger()) : std::nullopt;
            };
            TrashEntry entry;
            entry.id = o.value("id"_L1).toString();
            entry.namespaceName = o.value("namespace"_L1).toString();
            entry.firstLine = trashFirstLine(o.value("content"_L1).toString());
            entry.fingerprint = json.toUtf8();
            // subcog's HEAD reader lower-cases the status (spec §3.5); ' tombstoned' is unknown, so live
            const bool statusTombstoned = parseStatus(o.value("status"_L1).toString()) == MemoryStatus::Tombstoned;
            const auto tombstonedAt = number("tombstoned_at");
            if (action == TrashAction::EmptyTrash) {
                const auto shownStatus
                    = [&]() -> QString { return u"status '"_s + o.value("status"_L1).toString() + u'\''; };
                if (tombstonedAt && !statusTombstoned) {
                    // a garbage collector's tombstone: live to subcog (check's half-tombstoned), not trash
                    if (*tombstonedAt <= cutoff)
                        preview.leftOut << TrashLeftOut {entry.id, TrashLeftOutReason::HalfTombstoned,
                                                         u"tombstoned_at "_s + QString::number(*tombstonedAt) + u", "_s
                                                             + shownStatus()};
                    continue;
                }
                if (!statusTombstoned)
                    continue;
                // where only the status says tombstoned, updated_at stands in: subcog's soft delete sets it with the
                // status (spec §4.7); 0 or NULL is no time, and only 0 days takes such a memory
                const auto updated = number("updated_at");
                const auto at = tombstonedAt ? tombstonedAt : updated && *updated > 0 ? updated : std::nullopt;
                if (!at && cutoff < now) {
                    preview.leftOut << TrashLeftOut {entry.id, TrashLeftOutReason::NoTombstoneTime,
                                                     shownStatus() + u", tombstoned_at and updated_at unset"_s};
                    continue;
                }
                if (at && *at > cutoff)
                    continue;
                entry.time = at ? *at : number("created_at").value_or(0);
                entry.timeSource = tombstonedAt ? TrashTime::TombstonedAt
                    : at                        ? TrashTime::UpdatedAt
                                                : TrashTime::CreatedAt;
            } else {
                if (statusTombstoned || tombstonedAt || !number("expires_at"))
                    continue;
                entry.time = *number("expires_at");
                entry.timeSource = TrashTime::ExpiresAt;
            }
            preview.entries << entry;
        }
    });
    std::sort(preview.entries.begin(), preview.entries.end(), [](const TrashEntry& a, const TrashEntry& b) {
        return a.time != b.time ? a.time < b.time : a.id < b.id;
    });
    noteSummariesOfTrash(preview, sourceLists);
    return preview;
}

} // namespace Inspector
