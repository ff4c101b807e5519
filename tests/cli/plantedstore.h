// SPDX-License-Identifier: MIT
// A subcog HEAD SQLite store written row by row with raw SQL, for the health tests (check, repair).
#pragma once

#include "memory.h"
#include "sqlite/sqliteschema.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QVariant>

namespace Inspector::Fixtures {

/// Writes every value as given, nothing normalised.
class StoreWriter
{
public:
    explicit StoreWriter(const QString& path)
        : m_name(QStringLiteral("writer-") + path)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        createSubcogSchema(db);
    }
    ~StoreWriter()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    StoreWriter(const StoreWriter&) = delete;
    StoreWriter& operator=(const StoreWriter&) = delete;

    struct Row
    {
        QString id {};
        QString content {};
        QVariant tags {}; ///< default: the content's hash tag
        QVariant ftsTags {}; ///< default: the same as tags
        QVariant ns = QStringLiteral("decisions");
        QVariant domain = QStringLiteral("project");
        QVariant status = QStringLiteral("active");
        QVariant createdAt = qint64(1700000000);
        QVariant tombstonedAt {};
        QVariant expiresAt {};
        QVariant isSummary = 0;
        QVariant sourceIds {};
        bool metadata = true;
        int ftsRows = 1;
    };

    void add(Row row)
    {
        if (!row.tags.isValid())
            row.tags = contentHashTag(row.content);
        if (!row.ftsTags.isValid())
            row.ftsTags = row.tags;
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        if (row.metadata) {
            q.prepare(QStringLiteral("INSERT INTO memories (id, namespace, domain, status, created_at, tags, "
                                     "tombstoned_at, expires_at, is_summary, source_memory_ids) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
            for (const QVariant& v : {QVariant(row.id), row.ns, row.domain, row.status, row.createdAt, row.tags,
                                      row.tombstonedAt, row.expiresAt, row.isSummary, row.sourceIds})
                q.addBindValue(v);
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        for (int i = 0; i < row.ftsRows; ++i)
            sql(QStringLiteral("INSERT INTO memories_fts (id, content, tags) VALUES (?, ?, ?)"),
                {row.id, row.content, row.ftsTags});
    }

    void sql(const QString& statement, const QVariantList& values = {})
    {
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        QVERIFY2(q.prepare(statement), qPrintable(q.lastError().text()));
        for (const QVariant& v : values)
            q.addBindValue(v);
        QVERIFY2(q.exec(), qPrintable(q.lastError().text() + QStringLiteral(": ") + statement));
    }

private:
    QString m_name;
};

} // namespace Inspector::Fixtures
