#pragma once

#include "flowdeck/engine/conversation.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QSortFilterProxyModel;
class QStackedWidget;
class QTreeView;

namespace flowdeck::console {

class TraceModel;

// The timeline of one message: a header ("Turn 3 · 12 steps · 0.8 ms"), a filter by text and
// by kind of step, and the trace tree. Clicking a row (or Enter on it) asks for its state and
// transition to be selected on the graph.
class TracePanel final : public QWidget {
    Q_OBJECT
public:
    explicit TracePanel(QWidget* parent = nullptr);

    void showTurn(int turnNumber, const engine::ExecutionResult& result);
    void clear();

    TraceModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    QLineEdit* filterEdit() const { return m_filter; }
    QComboBox* kindFilter() const { return m_kind; }
    QString headerText() const;

Q_SIGNALS:
    void stateActivated(const QString& state, int transition);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void applyFilter();
    void spanDataRows(const QModelIndex& parent);
    void activate(const QModelIndex& index);

    TraceModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QLabel* m_header;
    QLineEdit* m_filter;
    QComboBox* m_kind;
    QStackedWidget* m_stack;
    QLabel* m_empty;
    QTreeView* m_view;
};

} // namespace flowdeck::console
