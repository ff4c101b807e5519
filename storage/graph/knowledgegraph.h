// SPDX-License-Identifier: MIT
// What subcog's knowledge graph holds (spec §14.1): entities, their relationships and their mentions in memories.
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace Inspector {

/// One row of `graph_entities`.
struct GraphEntity
{
    QString id;
    QString type; ///< `person`, `organization`, `concept`, `technology`, `file`, or what the row says
    QString name;
    QStringList aliases; ///< the JSON array of strings; empty when NULL or not an array
    double confidence = 1.0;
    qint64 mentionCount = 0; ///< the stored counter (subcog's, never recounted)
    friend bool operator==(const GraphEntity&, const GraphEntity&) = default;
};

/// One row of `graph_entity_mentions` of a memory, with the entity it names (type and name empty when the entity
/// row is gone).
struct EntityMention
{
    QString entityId;
    QString entityType;
    QString entityName;
    std::optional<double> confidence;
    QString matchedText;
    friend bool operator==(const EntityMention&, const EntityMention&) = default;
};

/// One row of `graph_relationships` seen from one of its entities.
struct GraphRelationship
{
    QString type;
    bool outgoing = true; ///< the entity asked about is from_entity_id
    QString otherId;
    QString otherName; ///< empty when the other entity's row is gone
    QString otherType;
    std::optional<double> confidence;
    friend bool operator==(const GraphRelationship&, const GraphRelationship&) = default;
};

/// A page of entities: a search, an order, a limit (a graph may hold 100,000 entities).
struct EntityQuery
{
    enum class Sort
    {
        Mentions,
        Name,
        Type,
        Confidence,
    };
    QString search; ///< case-insensitive substring of the id, name or aliases; empty: every entity
    Sort sort = Sort::Mentions;
    bool descending = true;
    int limit = 1000;
    friend bool operator==(const EntityQuery&, const EntityQuery&) = default;
};

struct EntityPage
{
    QList<GraphEntity> entities;
    qint64 total = 0; ///< entities matching the search
};

/// The entity word values as the filter compares them (spec §14.1: name or id, case-insensitive).
QStringList foldedEntityValues(const QStringList& values);

} // namespace Inspector
