#pragma once

#include "models/flow_document.h"

#include <QGraphicsItem>

namespace flowdeck::console {

class FlowScene;

// A state on the canvas. It holds only the state's id and reads everything it draws from the
// document through its scene, so it can never show stale data.
class StateItem final : public QGraphicsItem {
public:
    enum { Type = UserType + 1 };
    explicit StateItem(StateId id);

    StateId stateId() const { return m_id; }
    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    // The little handle under the box that starts a new transition when dragged.
    QRectF connectorRect() const;
    bool isOnConnector(QPointF scenePos) const;

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

private:
    FlowScene* flowScene() const;
    void paintDetail(QPainter* painter, const engine::State& state);
    void paintMarkers(QPainter* painter, const engine::State& state);

    StateId m_id;
    bool m_hovered = false;
};

} // namespace flowdeck::console
