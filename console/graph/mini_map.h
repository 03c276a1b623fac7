#pragma once

#include <QGraphicsView>

class QTimer;

namespace flowdeck::console {

class FlowView;

// An overview of the whole flow in the corner of the canvas, with the visible area outlined.
// Click or drag in it to move the canvas there. It repaints on a short timer rather than on every
// scene change, so dragging a state in a 10,000-state flow does not pay for two full repaints.
class MiniMap final : public QGraphicsView {
    Q_OBJECT
public:
    explicit MiniMap(FlowView* view, QWidget* parent);
    void refresh();
    void setEnabledByUser(bool enabled);

protected:
    void drawForeground(QPainter* painter, const QRectF& rect) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void reposition();
    void updateVisibility();

    FlowView* m_view;
    QTimer* m_timer;
    bool m_enabled = true;
};

} // namespace flowdeck::console
