#include "widgets/transitions_table.h"

#include <QCoreApplication>
#include <QCursor>
#include <QDrag>
#include <QDropEvent>
#include <QFrame>
#include <QMimeData>

#include <algorithm>

namespace flowdeck::console {

namespace {

// Priorities that never increase down the list: evaluation order equals document order.
bool followsDocumentOrder(const std::vector<engine::Transition>& transitions) {
    return std::is_sorted(transitions.begin(), transitions.end(),
                          [](const auto& a, const auto& b) { return a.priority > b.priority; });
}

// Identifies this process and table, so a drag from another table or application is refused.
QByteArray ownerToken(const QObject* table) {
    return QByteArray::number(QCoreApplication::applicationPid()) + ':' +
           QByteArray::number(quintptr(table));
}

} // namespace

PriorityChange moveTransition(std::vector<engine::Transition>& transitions, int from, int to) {
    const int count = int(transitions.size());
    if (from < 0 || from >= count || to < 0 || to >= count || from == to) {
        return PriorityChange::None;
    }
    engine::Transition moved = std::move(transitions[size_t(from)]);
    transitions.erase(transitions.begin() + from);
    const bool othersInOrder = followsDocumentOrder(transitions);
    transitions.insert(transitions.begin() + to, std::move(moved));
    if (followsDocumentOrder(transitions)) {
        return PriorityChange::None;
    }
    if (othersInOrder) {
        // The neighbours agree with each other, so one priority between theirs is enough.
        engine::Transition& t = transitions[size_t(to)];
        int priority = t.priority;
        if (to > 0) {
            priority = std::min(priority, transitions[size_t(to) - 1].priority);
        }
        if (to + 1 < count) {
            priority = std::max(priority, transitions[size_t(to) + 1].priority);
        }
        t.priority = priority;
        t.hasPriority = true;
        return PriorityChange::Moved;
    }
    for (int i = 0; i < count; ++i) {
        transitions[size_t(i)].priority = 10 * (count - i);
        transitions[size_t(i)].hasPriority = true;
    }
    return PriorityChange::Renumbered;
}

TransitionsTable::TransitionsTable(int rows, int columns, QWidget* parent)
    : QTableWidget(rows, columns, parent)
    , m_indicator(new QFrame(viewport())) {
    setDragDropMode(QAbstractItemView::InternalMove);
    setDragDropOverwriteMode(false);
    setDropIndicatorShown(false); // the default marks one cell; ours spans the row
    m_indicator->setObjectName(QStringLiteral("dropIndicator"));
    m_indicator->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_indicator->setAutoFillBackground(true);
    m_indicator->setBackgroundRole(QPalette::Highlight); // else the viewport's Base, white
    m_indicator->hide();
}

QStringList TransitionsTable::mimeTypes() const {
    return QTableWidget::mimeTypes() << kRowMimeType;
}

QMimeData* TransitionsTable::mimeData(const QList<QTableWidgetItem*>& items) const {
    QMimeData* data = QTableWidget::mimeData(items);
    const auto grip = std::find_if(items.begin(), items.end(), [](const QTableWidgetItem* item) {
        return item && item->column() == kGripColumn;
    });
    if (data && grip != items.end()) {
        data->setData(kRowMimeType, ownerToken(this) + ':' + QByteArray::number((*grip)->row()));
    }
    return data;
}

std::optional<int> TransitionsTable::draggedRow(const QMimeData* data) const {
    if (!data || !data->hasFormat(kRowMimeType)) {
        return std::nullopt;
    }
    const QByteArray payload = data->data(kRowMimeType);
    const QByteArray owner = ownerToken(this) + ':';
    bool ok = false;
    const int row = payload.startsWith(owner) ? payload.mid(owner.size()).toInt(&ok) : -1;
    return ok && row >= 0 && row < rowCount() ? std::optional(row) : std::nullopt;
}

int TransitionsTable::insertionRow(QPoint pos) const {
    const int row = rowAt(pos.y());
    if (row < 0) {
        return pos.y() < 0 ? 0 : rowCount();
    }
    return pos.y() < rowViewportPosition(row) + rowHeight(row) / 2 ? row : row + 1;
}

void TransitionsTable::startDrag(Qt::DropActions) {
    const int row = currentRow();
    if (row < 0) {
        return;
    }
    // The picture is the whole row with its editors, not only the grip the default would draw.
    const QRect rect(0, rowViewportPosition(row), viewport()->width(), rowHeight(row));
    auto* drag = new QDrag(this);
    drag->setMimeData(model()->mimeData({model()->index(row, kGripColumn)}));
    drag->setPixmap(viewport()->grab(rect));
    drag->setHotSpot(viewport()->mapFromGlobal(QCursor::pos()) - rect.topLeft());
    // The drop already applied the move; the default would now also remove the dragged cells.
    drag->exec(Qt::MoveAction);
    hideIndicator();
}

void TransitionsTable::dragEnterEvent(QDragEnterEvent* event) {
    if (!draggedRow(event->mimeData())) {
        event->ignore();
        return;
    }
    setState(DraggingState);
    event->setDropAction(Qt::MoveAction);
    event->accept();
}

void TransitionsTable::dragMoveEvent(QDragMoveEvent* event) {
    if (!draggedRow(event->mimeData())) {
        event->ignore();
        return;
    }
    QTableWidget::dragMoveEvent(event); // scrolls near the edges
    showIndicator(insertionRow(event->position().toPoint()));
    event->setDropAction(Qt::MoveAction);
    event->accept();
}

void TransitionsTable::dragLeaveEvent(QDragLeaveEvent* event) {
    hideIndicator();
    QTableWidget::dragLeaveEvent(event);
}

void TransitionsTable::dropEvent(QDropEvent* event) {
    const std::optional<int> from = draggedRow(event->mimeData());
    hideIndicator();
    stopAutoScroll();
    setState(NoState);
    if (!from) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::MoveAction);
    event->accept();
    const int insertion = insertionRow(event->position().toPoint());
    const int to = insertion > *from ? insertion - 1 : insertion;
    if (to != *from && onRowMoved) {
        onRowMoved(*from, to);
    }
}

void TransitionsTable::showIndicator(int insertion) {
    int y = 0;
    if (insertion < rowCount()) {
        y = rowViewportPosition(insertion);
    } else if (rowCount() > 0) {
        y = rowViewportPosition(rowCount() - 1) + rowHeight(rowCount() - 1);
    }
    m_indicator->setGeometry(0, std::max(0, y - 2), viewport()->width(), 4);
    m_indicator->raise();
    m_indicator->show();
}

void TransitionsTable::hideIndicator() {
    m_indicator->hide();
}

} // namespace flowdeck::console
