// SPDX-License-Identifier: MIT
#include "knowledgegraph.h"

#include "persistencebackend.h"
#include "sqlitegraph.h"

#include <QFileInfo>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Inspector {

QStringList foldedEntityValues(const QStringList& values)
{
    // the same folding as the SQLite graph's inspector_fold() and PostgreSQL's lower() in a UTF-8 database
    QStringList folded;
    for (const QString& value : values) {
        const QString f = value.trimmed().toLower();
        if (!f.isEmpty() && !folded.contains(f))
            folded << f;
    }
    return folded;
}

namespace {
[[noreturn]] void noGraph(PersistenceBackend& store)
{
    throw StorageError(StorageError::Kind::InvalidInput,
                       store.location() + u": no knowledge graph: "_s + store.graphUnavailable());
}
} // namespace

void PersistenceBackend::setGraphFile(const QString& path)
{
    Q_UNUSED(path);
    throw StorageError(StorageError::Kind::InvalidInput,
                       location() + u": only SQLite and folder stores read their knowledge graph from a graph.db"_s);
}

QList<EntityMention> PersistenceBackend::entityMentions(const QString& memoryId)
{
    Q_UNUSED(memoryId);
    noGraph(*this);
}

EntityPage PersistenceBackend::entities(const EntityQuery& query)
{
    Q_UNUSED(query);
    noGraph(*this);
}

QList<GraphRelationship> PersistenceBackend::entityRelationships(const QString& entityId)
{
    Q_UNUSED(entityId);
    noGraph(*this);
}

MemoryFilter withMentionedIds(const MemoryFilter& filter, const QStringList& mentioned)
{
    MemoryFilter f = filter;
    f.entities.clear();
    QStringList ids = mentioned;
    if (!filter.ids.isEmpty()) {
        const QSet<QString> wanted(filter.ids.begin(), filter.ids.end());
        ids.removeIf([&](const QString& id) { return !wanted.contains(id); });
    }
    if (ids.isEmpty())
        return MemoryFilter::nothing(); // an empty id list would not restrict at all
    f.ids = ids;
    return f;
}

QString GraphFileChoice::unavailable() const
{
    const QString file = path();
    if (file.isEmpty())
        return m_whyNone;
    const QFileInfo info(file);
    if (!info.exists())
        return file + u" does not exist (subcog creates it when its knowledge graph is first used)"_s;
    if (!info.isFile())
        return file + u" is not a file"_s;
    return {};
}

void GraphFileChoice::choose(const QString& path)
{
    const QFileInfo info(path);
    if (!info.isFile())
        throw StorageError(StorageError::Kind::NotFound, path + u": no such file"_s);
    m_chosen = info.absoluteFilePath();
}

SqliteGraph GraphFileChoice::graph() const
{
    const QString why = unavailable();
    if (!why.isEmpty())
        throw StorageError(StorageError::Kind::InvalidInput, u"no knowledge graph: "_s + why);
    return SqliteGraph(path());
}

} // namespace Inspector
