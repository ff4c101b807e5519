// SPDX-License-Identifier: MIT
// Rows of `memories` (and their FTS rows) decoded into Memory values, with the issues that keep a row out.
#include "sqlitebackend.h"

#include "sqliteinternal.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace Inspector {

using namespace SqliteInternal;

QList<SqliteBackend::RawRow> SqliteBackend::readRows(const QString& sql, const QVariantList& binds)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        fail(u"cannot prepare a read"_s, q.lastError(), sql);
    for (const QVariant& v : binds)
        q.addBindValue(v);
    if (!q.exec())
        fail(u"read failed"_s, q.lastError(), sql);
    QList<RawRow> rows;
    while (q.next()) {
        RawRow row;
        row.rowid = q.value(0).toLongLong();
        for (int f = 0; f < FieldCount; ++f)
            row.values[f] = q.value(f + 1);
        rows.append(std::move(row));
    }
    if (q.lastError().isValid())
        fail(u"read failed"_s, q.lastError(), sql);
    return rows;
}

bool SqliteBackend::storedTextIsUtf8(const QString& table, const QString& column, qint64 rowid)
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    const QString sql
        = u"SELECT CAST("_s + quoteIdentifier(column) + u" AS BLOB) FROM "_s + table + u" WHERE rowid = ?"_s;
    q.prepare(sql);
    q.addBindValue(rowid);
    if (!q.exec())
        fail(u"reading a value's bytes failed"_s, q.lastError(), sql);
    return !q.next() || QByteArrayView(q.value(0).toByteArray()).isValidUtf8();
}

void SqliteBackend::attachContent(QList<RawRow>& rows, QList<Memory>& out, QList<RecordIssue>* issues, bool withContent,
                                  bool complete)
{
    QHash<QString, QList<ContentRow>> content;
    if (withContent && m_hasFts) {
        QList<RawRow> unknown;
        for (const RawRow& row : std::as_const(rows)) {
            if (!row.contentKnown)
                unknown.append(row);
        }
        if (complete) {
            QStringList ids;
            for (const RawRow& row : std::as_const(unknown)) {
                if (!row.values[FId].isNull())
                    ids.append(row.values[FId].toString());
            }
            content = fetchContent(ids);
        } else if (!unknown.isEmpty()) {
            // ids known to have several FTS rows are looked up completely, so the first copy wins as in subcog
            QStringList duplicated;
            if (!m_fts->duplicateIds.isEmpty()) {
                for (qsizetype i = unknown.size() - 1; i >= 0; --i) {
                    const QString id = unknown[i].values[FId].toString();
                    if (m_fts->duplicateIds.contains(id.toUtf8())) {
                        duplicated << id;
                        unknown.removeAt(i);
                    }
                }
            }
            if (!unknown.isEmpty())
                content = readContent(unknown);
            if (!duplicated.isEmpty())
                content.insert(fetchContent(duplicated));
        }
    }
    out.reserve(out.size() + rows.size());
    for (RawRow& row : rows) {
        const auto& v = row.values;
        auto issue = [&](const QString& reason) {
            if (issues) {
                issues->append(
                    RecordIssue {v[FId].isNull() ? u"(rowid "_s + QString::number(row.rowid) + u')' : v[FId].toString(),
                                 reason, true});
            }
        };
        if (v[FId].isNull() || v[FId].toString().isEmpty()) {
            issue(u"the row has no id"_s);
            continue;
        }
        Memory m;
        m.id = v[FId].toString();
        if (!isInteger(v[FCreatedAt])) {
            issue(u"created_at is "_s
                  + (v[FCreatedAt].isNull() ? u"NULL"_s : u"'"_s + v[FCreatedAt].toString() + u"'"_s)
                  + u", not an integer number of seconds"_s);
            continue;
        }
        bool bad = false;
        auto optionalInt = [&](Field f, std::optional<qint64>& target) {
            if (v[f].isNull())
                return;
            if (!isInteger(v[f])) {
                issue(QString(kFieldNames[f]) + u" is '"_s + v[f].toString()
                      + u"', not an integer number of seconds"_s);
                bad = true;
                return;
            }
            target = v[f].toLongLong();
        };
        auto optionalText = [&](Field f, std::optional<QString>& target) {
            if (!v[f].isNull())
                target = v[f].toString();
        };
        m.createdAt = v[FCreatedAt].toLongLong();
        m.updatedAt = m.createdAt; // SQLite has no updated_at column; subcog reads created_at back
        optionalInt(FTombstonedAt, m.tombstonedAt);
        optionalInt(FExpiresAt, m.expiresAt);
        optionalInt(FConsolidationTimestamp, m.consolidationTimestamp);
        if (bad)
            continue;

        m.namespaceName = v[FNamespace].toString();
        m.status = v[FStatus].toString();
        m.flagEnumStrings();
        const QString domain = v[FDomain].toString();
        m.domain = domain.isEmpty() ? u"project"_s : domain;
        if (domain.isEmpty() || domain == "global"_L1)
            m.flags |= MemoryFlag::LegacyDomain;
        optionalText(FProjectId, m.projectId);
        optionalText(FBranch, m.branch);
        optionalText(FFilePath, m.filePath);
        optionalText(FSource, m.source);
        optionalText(FGroupId, m.groupId);
        const QString rawTags = v[FTags].toString();
        m.tags = splitTags(rawTags);
        if (v[FTags].isNull() || m.tags.join(u',') != rawTags)
            m.flags |= MemoryFlag::MessyTags;
        m.isSummary = !v[FIsSummary].isNull() && v[FIsSummary].toLongLong() != 0;
        if (!v[FSourceMemoryIds].isNull()) {
            const QJsonDocument doc = QJsonDocument::fromJson(v[FSourceMemoryIds].toString().toUtf8());
            QStringList ids;
            bool valid = doc.isArray();
            for (const QJsonValue& item : doc.array()) {
                if (!item.isString()) {
                    valid = false;
                    break;
                }
                ids.append(item.toString());
            }
            if (!valid) {
                ids.clear();
                m.flags |= MemoryFlag::InvalidSourceMemoryIds;
            }
            m.sourceMemoryIds = ids;
        }
        for (const int f : {FId, FNamespace, FDomain, FProjectId, FBranch, FFilePath, FStatus, FTags, FSource,
                            FSourceMemoryIds, FGroupId}) {
            if (issues && mayHideInvalidUtf8(v[f]) && !storedTextIsUtf8(u"memories"_s, kFieldNames[f], row.rowid))
                issues->append(RecordIssue {m.id, invalidUtf8Reason(kFieldNames[f]), false});
        }
        if (withContent) {
            const auto it = row.contentKnown ? content.constEnd() : content.constFind(m.id);
            const QList<ContentRow>* found = row.contentKnown ? &row.content
                : it != content.constEnd()                    ? &*it
                                                              : nullptr;
            if (found && !found->isEmpty()) {
                const ContentRow& first = found->first();
                m.content = first.content;
                if (issues && mayHideInvalidUtf8(first.content)
                    && !storedTextIsUtf8(u"memories_fts"_s, u"content"_s, first.rowid))
                    issues->append(RecordIssue {m.id, invalidUtf8Reason(u"content"_s), false});
                if (found->size() > 1)
                    m.flags |= MemoryFlag::DuplicateContent;
                if (first.tags.toString() != rawTags)
                    m.flags |= MemoryFlag::TagsMismatch;
            } else if (m_contentColumn && !v[FContent].isNull()) {
                m.content = v[FContent].toString();
                if (issues && mayHideInvalidUtf8(v[FContent])
                    && !storedTextIsUtf8(u"memories"_s, u"content"_s, row.rowid))
                    issues->append(RecordIssue {m.id, invalidUtf8Reason(u"content"_s), false});
            } else {
                m.flags |= MemoryFlag::MissingContent;
            }
        }
        out.append(std::move(m));
    }
}

SqliteBackend::RawRow SqliteBackend::readRawRow(sqlite3_stmt* st, bool join) const
{
    RawRow row;
    row.rowid = sqlite3_column_int64(st, 0);
    for (int f = 0; f < FieldCount; ++f)
        row.values[f] = columnValue(st, f + 1);
    constexpr int c = FieldCount + 1;
    if (join && sqlite3_column_type(st, c) != SQLITE_NULL && sqlite3_column_type(st, c + 1) == SQLITE_TEXT
        && row.values[FId].typeId() == QMetaType::QString) {
        const QByteArrayView ftsId(reinterpret_cast<const char*>(sqlite3_column_text(st, c + 1)),
                                   sqlite3_column_bytes(st, c + 1));
        if (QString::fromUtf8(ftsId) == row.values[FId].toString()
            && (m_fts->duplicateIds.isEmpty() || !m_fts->duplicateIds.contains(ftsId.toByteArray()))) {
            row.content.append(
                ContentRow {sqlite3_column_int64(st, c), columnValue(st, c + 2).toString(), columnValue(st, c + 3)});
            row.contentKnown = true;
        }
    }
    return row;
}

} // namespace Inspector
