// SPDX-License-Identifier: MIT
#include "lineagescene.h"

#include "plaintext.h"

#include <QCursor>
#include <QFont>
#include <QFontMetricsF>
#include <QGraphicsPathItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QHash>
#include <QPainterPath>
#include <QPen>
#include <QtMath>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Inspector::LineageDrawing {

namespace {
constexpr qreal kNodeWidth = 210;
constexpr qreal kNodeHeight = 46;
constexpr qreal kColumnGap = 150; // room for the edge labels between columns
constexpr qreal kRowGap = 22;
constexpr qreal kParallel = 16; // between the edges of one pair of memories

QPointF clipToRect(const QRectF& r, const QPointF& inside, const QPointF& toward)
{
    // where the segment from the rectangle's centre toward a point leaves the rectangle
    const QPointF d = toward - inside;
    if (qFuzzyIsNull(d.x()) && qFuzzyIsNull(d.y()))
        return inside;
    qreal t = 1;
    if (!qFuzzyIsNull(d.x()))
        t = qMin(t, (d.x() > 0 ? r.right() - inside.x() : r.left() - inside.x()) / d.x());
    if (!qFuzzyIsNull(d.y()))
        t = qMin(t, (d.y() > 0 ? r.bottom() - inside.y() : r.top() - inside.y()) / d.y());
    return inside + d * qMax<qreal>(0, t);
}

QColor edgeColour(const LineageEdge& e, bool dark)
{
    if (e.lost)
        return dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xc0, 0x20, 0x20);
    if (e.edgeType == EdgeTypes::kSourceOf || e.edgeType == EdgeTypes::kSummarizedBy)
        return dark ? QColor(0x8a, 0xb4, 0xf8) : QColor(0x2a, 0x5d, 0xb0);
    if (e.edgeType == "supersedes"_L1 || e.edgeType == "contradicts"_L1)
        return dark ? QColor(0xf6, 0xbf, 0x6e) : QColor(0xb0, 0x60, 0x00);
    return dark ? QColor(0xb0, 0xb0, 0xb0) : QColor(0x60, 0x60, 0x60);
}
} // namespace

QColor namespaceColour(const QString& namespaceName, bool dark)
{
    // one hue per subcog namespace, in declaration order; pale on light, deep on dark backgrounds
    static constexpr int kHues[] = {210, 130, 45, 280, 0, 330, 170, 95, 25, 300, 190, 60, 240, 150};
    const auto ns = parseNamespace(namespaceName);
    const int hue = ns ? kHues[int(*ns) % std::size(kHues)] : int(qHash(namespaceName.toLower()) % 360);
    return dark ? QColor::fromHsl(hue, 90, 70) : QColor::fromHsl(hue, 150, 215);
}

QString nodeId(const QGraphicsItem* item, bool* exists)
{
    for (; item; item = item->parentItem()) {
        const QString id = item->data(kIdKey).toString();
        if (!id.isEmpty()) {
            if (exists)
                *exists = item->data(kExistsKey).toBool();
            return id;
        }
    }
    return {};
}

void draw(QGraphicsScene& scene, const Lineage& lineage, bool dark)
{
    const QColor text = dark ? QColor(0xe6, 0xe6, 0xe6) : QColor(0x20, 0x20, 0x20);
    const QColor background = dark ? QColor(0x1e, 0x1e, 0x1e) : Qt::white;
    const QColor greyFill = dark ? QColor(0x4a, 0x4a, 0x4a) : QColor(0xd8, 0xd8, 0xd8);
    const QColor greyText = dark ? QColor(0x9a, 0x9a, 0x9a) : QColor(0x70, 0x70, 0x70);
    const QColor missing = dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xc0, 0x20, 0x20);
    const QColor centreRing = dark ? QColor(0xff, 0xd5, 0x4f) : QColor(0x1a, 0x3a, 0x8a);
    scene.setBackgroundBrush(background);

    // columns by hop, each ordered by its neighbours' places in the column before (one barycentre pass)
    QHash<QString, int> hopOf;
    int maxHop = 0;
    for (const LineageNode& n : lineage.nodes) {
        hopOf.insert(n.memory.id, n.hop);
        maxHop = qMax(maxHop, n.hop);
    }
    QHash<QString, QStringList> neighbours;
    for (const LineageEdge& e : lineage.edges) {
        neighbours[e.fromId].append(e.toId);
        neighbours[e.toId].append(e.fromId);
    }
    QList<QList<const LineageNode*>> columns(maxHop + 1);
    for (const LineageNode& n : lineage.nodes)
        columns[n.hop].append(&n);
    QHash<QString, qreal> place;
    for (int hop = 0; hop <= maxHop; ++hop) {
        QList<std::pair<qreal, const LineageNode*>> keyed;
        for (const LineageNode* n : std::as_const(columns[hop])) {
            qreal sum = 0;
            int count = 0;
            for (const QString& other : neighbours.value(n->memory.id)) {
                if (hopOf.value(other, -1) == hop - 1 && place.contains(other)) {
                    sum += place.value(other);
                    ++count;
                }
            }
            keyed.append({count ? sum / count : 0, n});
        }
        std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
            return std::tie(a.first, a.second->memory.id) < std::tie(b.first, b.second->memory.id);
        });
        columns[hop].clear();
        for (int i = 0; i < keyed.size(); ++i) {
            columns[hop].append(keyed[i].second);
            place.insert(keyed[i].second->memory.id, i - (keyed.size() - 1) / 2.0);
        }
    }

    QFont idFont = scene.font();
    idFont.setBold(true);
    QFont lineFont = scene.font();
    QFont labelFont = scene.font();
    labelFont.setPointSizeF(qMax<qreal>(6, labelFont.pointSizeF() * 0.85));
    const QFontMetricsF idMetrics(idFont);
    const QFontMetricsF lineMetrics(lineFont);

    QHash<QString, QRectF> rects;
    for (int hop = 0; hop <= maxHop; ++hop) {
        for (const LineageNode* n : std::as_const(columns[hop])) {
            const MemoryDigest& m = n->memory;
            const QRectF r(hop * (kNodeWidth + kColumnGap), place.value(m.id) * (kNodeHeight + kRowGap), kNodeWidth,
                           kNodeHeight);
            rects.insert(m.id, r);
            QPainterPath shape;
            shape.addRoundedRect(r, 6, 6);
            auto* node = scene.addPath(shape);
            node->setData(kIdKey, m.id);
            node->setData(kExistsKey, m.exists);
            node->setZValue(2);
            QPen border(m.exists ? (m.tombstoned ? greyText : text.darker(dark ? 100 : 150)) : missing,
                        m.id == lineage.centre ? 3 : 1);
            if (!m.exists || m.tombstoned)
                border.setStyle(Qt::DashLine);
            if (m.id == lineage.centre && m.exists)
                border.setColor(centreRing);
            node->setPen(border);
            node->setBrush(!m.exists ? background : m.tombstoned ? greyFill : namespaceColour(m.namespaceName, dark));
            if (m.exists)
                node->setCursor(Qt::PointingHandCursor);
            QString tip = m.id;
            if (m.exists)
                tip += u'\n' + m.namespaceName + (m.tombstoned ? u" · "_s + QObject::tr("tombstoned") : QString())
                    + (m.isSummary ? u" · "_s + QObject::tr("summary") : QString()) + u'\n' + m.firstLine;
            else
                tip += u'\n' + QObject::tr("missing: no memory has this id");
            node->setToolTip(plainToolTip(tip));

            auto* idText
                = new QGraphicsSimpleTextItem(idMetrics.elidedText(m.id, Qt::ElideMiddle, kNodeWidth - 12), node);
            idText->setFont(idFont);
            idText->setBrush(m.exists && !m.tombstoned ? text : m.exists ? greyText : missing);
            idText->setPos(r.left() + 6, r.top() + 4);
            QString second = !m.exists ? QObject::tr("missing")
                : m.tombstoned         ? QObject::tr("tombstoned · %1").arg(m.firstLine)
                                       : m.namespaceName + u" · "_s + m.firstLine;
            auto* lineText
                = new QGraphicsSimpleTextItem(lineMetrics.elidedText(second, Qt::ElideRight, kNodeWidth - 12), node);
            lineText->setFont(lineFont);
            lineText->setBrush(m.exists && !m.tombstoned ? text : m.exists ? greyText : missing);
            lineText->setPos(r.left() + 6, r.top() + 6 + idMetrics.height());
        }
    }

    // edges of one pair of memories side by side
    QHash<QString, int> pairCount;
    QHash<QString, int> pairIndex;
    const auto pairKey = [](const LineageEdge& e) -> QString {
        return e.fromId < e.toId ? e.fromId + QChar(0) + e.toId : e.toId + QChar(0) + e.fromId;
    };
    for (const LineageEdge& e : lineage.edges)
        ++pairCount[pairKey(e)];
    for (const LineageEdge& e : lineage.edges) {
        if (!rects.contains(e.fromId) || !rects.contains(e.toId))
            continue;
        const QString key = pairKey(e);
        const int index = pairIndex[key]++;
        const qreal offset = (index - (pairCount.value(key) - 1) / 2.0) * kParallel;
        const QRectF from = rects.value(e.fromId);
        const QRectF to = rects.value(e.toId);
        const QColor colour = edgeColour(e, dark);
        QPen pen(colour, 1.4);
        if (e.derived)
            pen.setStyle(Qt::DashLine);
        QPainterPath path;
        QPointF labelAt;
        QPointF tip;
        QPointF tipFrom;
        if (e.fromId == e.toId) {
            // a memory's edge to itself: a loop over its top edge
            const QPointF a(from.center().x() - 20, from.top());
            const QPointF b(from.center().x() + 20, from.top());
            path.moveTo(a);
            path.cubicTo(a + QPointF(-10, -40), b + QPointF(10, -40), b);
            labelAt = QPointF(from.center().x(), from.top() - 44);
            tip = b;
            tipFrom = b + QPointF(10, -40);
        } else {
            // the pair's edges keep their side whichever way they point
            const bool flip = e.fromId > e.toId;
            QPointF d = to.center() - from.center();
            const qreal length = qMax<qreal>(1, qSqrt(QPointF::dotProduct(d, d)));
            QPointF normal(-d.y() / length, d.x() / length);
            if (flip)
                normal = -normal;
            const QPointF shift = normal * offset;
            if (hopOf.value(e.fromId) == hopOf.value(e.toId)) {
                // one column: bow out to the right so the edge does not run through the nodes between
                const QPointF a(from.right(), from.center().y() + offset / 2);
                const QPointF b(to.right(), to.center().y() + offset / 2);
                const qreal bow = 40 + qAbs(a.y() - b.y()) / 8 + offset;
                path.moveTo(a);
                path.cubicTo(a + QPointF(bow, 0), b + QPointF(bow, 0), b);
                labelAt = (a + b) / 2 + QPointF(bow * 0.75, 0);
                tip = b;
                tipFrom = b + QPointF(bow, 0);
            } else {
                const QPointF a = clipToRect(from, from.center() + shift, to.center() + shift);
                const QPointF b = clipToRect(to, to.center() + shift, from.center() + shift);
                path.moveTo(a);
                path.lineTo(b);
                labelAt = (a + b) / 2;
                tip = b;
                tipFrom = a;
            }
        }
        auto* line = scene.addPath(path, pen);
        line->setZValue(1);
        // the arrowhead at the to_id end
        const QPointF dir = tip - tipFrom;
        const qreal len = qMax<qreal>(1, qSqrt(QPointF::dotProduct(dir, dir)));
        const QPointF u = dir / len;
        const QPointF n(-u.y(), u.x());
        QPolygonF head;
        head << tip << tip - u * 9 + n * 4 << tip - u * 9 - n * 4;
        auto* arrow = scene.addPolygon(head, QPen(colour, 1), colour);
        arrow->setZValue(1);

        QString label = e.edgeType;
        if (e.lost)
            label += u' ' + QObject::tr("(lost)");
        else if (e.derived)
            label += u' ' + QObject::tr("(source ids)");
        auto* labelItem = new QGraphicsSimpleTextItem(label);
        labelItem->setFont(labelFont);
        labelItem->setBrush(colour);
        const QRectF box = labelItem->boundingRect();
        labelItem->setPos(labelAt - QPointF(box.width() / 2, box.height() / 2));
        auto* plate = scene.addRect(QRectF(labelItem->pos(), box.size()).adjusted(-2, 0, 2, 0), Qt::NoPen,
                                    QColor(background.red(), background.green(), background.blue(), 220));
        plate->setZValue(3);
        scene.addItem(labelItem);
        labelItem->setZValue(4);
        const QString tipText = e.fromId + u" → "_s + e.toId + u" ("_s + e.edgeType + u')'
            + (e.lost ? u"\n"_s + QObject::tr("lost: source_memory_ids names it, memory_edges has no such edge")
                   : e.derived ? u"\n"_s + QObject::tr("from source_memory_ids, not a memory_edges row")
                               : QString());
        line->setToolTip(plainToolTip(tipText));
        labelItem->setToolTip(plainToolTip(tipText));
    }
    scene.setSceneRect(scene.itemsBoundingRect().adjusted(-24, -24, 24, 24));
}

} // namespace Inspector::LineageDrawing
