#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QPushButton;

namespace flowdeck::console {

class EventFilterModel;
class EventLogModel;

// The Events dock: a filter bar (kinds, minimum severity, node, text) over the events tail, and
// how many events the filters let through out of how many are kept.
class EventsPanel final : public QWidget {
    Q_OBJECT
public:
    explicit EventsPanel(EventLogModel* log, QWidget* parent = nullptr);

    EventFilterModel* filter() const { return m_filter; }
    QTableView* table() const { return m_table; }
    QComboBox* severityBox() const { return m_severity; }
    QComboBox* nodeBox() const { return m_node; }
    QLineEdit* textBox() const { return m_text; }
    QPushButton* kindButton() const { return m_kinds; }
    QLabel* countLabel() const { return m_count; }

private:
    QWidget* buildFilterBar();
    void buildKindMenu();
    void sizeColumns();
    void updateCount();
    void updateKindButton();

    EventLogModel* m_log;
    EventFilterModel* m_filter;
    QTableView* m_table;
    QPushButton* m_kinds = nullptr;
    QComboBox* m_severity = nullptr;
    QComboBox* m_node = nullptr;
    QLineEdit* m_text = nullptr;
    QLabel* m_count = nullptr;
};

} // namespace flowdeck::console
