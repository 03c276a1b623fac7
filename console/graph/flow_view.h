#pragma once

#include <QGraphicsView>
#include <QPixmap>

#include <optional>

namespace flowdeck::console {

class FlowScene;

// The canvas: wheel zooms around the cursor, middle button or Space+drag pans, rubber band
// selects. Zoom is kept between 1% and 400%.
class FlowView final : public QGraphicsView {
    Q_OBJECT
public:
    explicit FlowView(FlowScene* scene, QWidget* parent = nullptr);

    qreal zoom() const;
    void setZoom(qreal zoom, QPointF sceneAnchor);
    void zoomBy(qreal factor);
    void zoomToFit();
    // Fits the flow now and again whenever the view is resized, until the user zooms or pans:
    // a flow opened before the window has its final size still opens fitted.
    void fitUntilUserZooms();
    void resetZoom();
    // The scene point at the centre of the viewport (where keyboard-added states appear).
    QPointF visibleCenter() const;
    // Whether the view paints a cached picture of the whole flow instead of its items: only for
    // large flows zoomed far out, where drawing 20,000 tiny items costs several frames.
    bool showsOverview() const;

Q_SIGNALS:
    void zoomChanged(qreal zoom);
    // A state type was dragged from the palette and dropped at `scenePos`.
    void stateTypeDropped(int type, QPointF scenePos);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void drawBackground(QPainter* painter, const QRectF& rect) override;
    void resizeEvent(QResizeEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void renderOverview();

    QPixmap m_overview; // the scene rect m_overviewRect, drawn at about the zoom m_overviewZoom
    QRectF m_overviewRect;
    qreal m_overviewZoom = 0;
    bool m_overviewDirty = true;
    bool m_spacePan = false;
    bool m_middlePan = false;
    bool m_keepFitted = false;
};

} // namespace flowdeck::console
