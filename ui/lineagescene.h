// SPDX-License-Identifier: MIT
#pragma once

#include "lineage.h"

#include <QColor>

class QGraphicsItem;
class QGraphicsScene;

namespace Inspector::LineageDrawing {

/// The item data key that holds a node's memory id (on the node and its texts).
constexpr int kIdKey = 0;
/// The item data key that says whether the node's memory exists.
constexpr int kExistsKey = 1;

/// A namespace's fill colour (spec §3.3 namespaces have fixed ones; others one from their name), for a light or
/// dark background.
QColor namespaceColour(const QString& namespaceName, bool dark);

/**
 * Draws the neighbourhood into an empty scene, deterministically: one column per hop from the centre (left) on,
 * a column's memories ordered by where their neighbours in the column before sit (then by id), edges as arrows
 * from from_id to to_id labelled with their type (dashed: from source_memory_ids; red: lost or to a missing
 * memory), nodes filled by namespace, tombstoned ones grey, missing ones outlined in red.
 */
void draw(QGraphicsScene& scene, const Lineage& lineage, bool dark);

/// The memory id of the node `item` belongs to (empty: none), and whether that memory exists.
QString nodeId(const QGraphicsItem* item, bool* exists = nullptr);

} // namespace Inspector::LineageDrawing
