#include "clusters/event_filter_panel.h"

#include "clusters/event_filter_model.h"
#include "clusters/event_log_model.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace flowdeck::console {

EventsPanel::EventsPanel(EventLogModel* log, QWidget* parent)
    : QWidget(parent)
    , m_log(log)
    , m_filter(new EventFilterModel(this))
    , m_table(new QTableView) {
    setObjectName(QStringLiteral("ClusterEventsPanel"));
    m_filter->setSourceModel(log);
    m_table->setObjectName(QStringLiteral("ClusterEvents"));
    m_table->setModel(m_filter);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    sizeColumns();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(buildFilterBar());
    layout->addWidget(m_table, 1);

    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &EventsPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &EventsPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &EventsPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &EventsPanel::updateCount);
    connect(m_filter, &EventFilterModel::filterChanged, this, &EventsPanel::updateCount);
    connect(log, &EventLogModel::nodeSeen, this,
            [this](const QString& node) { m_node->addItem(node, node); });
    updateCount();
}

void EventsPanel::sizeColumns() {
    // Fixed widths from the font: sizing to contents would re-measure 1,000 rows per event.
    const QFontMetrics metrics = m_table->fontMetrics();
    QHeaderView* header = m_table->horizontalHeader();
    header->resizeSection(EventLogModel::Time,
                          metrics.horizontalAdvance(QStringLiteral("00:00:00__")));
    header->resizeSection(EventLogModel::Node, metrics.averageCharWidth() * 18);
    header->resizeSection(EventLogModel::Kind,
                          metrics.horizontalAdvance(QStringLiteral("CIRCUIT_BREAK___")));
    header->resizeSection(EventLogModel::Severity,
                          metrics.horizontalAdvance(QStringLiteral("Severity____")));
    header->setStretchLastSection(true);
}

QWidget* EventsPanel::buildFilterBar() {
    auto* bar = new QWidget;
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_kinds = new QPushButton; // with a menu: its arrow gets room of its own
    m_kinds->setObjectName(QStringLiteral("ClusterEventKinds"));
    buildKindMenu();
    m_severity = new QComboBox;
    m_severity->setObjectName(QStringLiteral("ClusterEventSeverity"));
    m_severity->addItem(tr("Any severity"), int(client::EventSeverity::Unspecified));
    m_severity->addItem(tr("Info and above"), int(client::EventSeverity::Info));
    m_severity->addItem(tr("Warning and above"), int(client::EventSeverity::Warning));
    m_severity->addItem(tr("Critical only"), int(client::EventSeverity::Critical));
    connect(m_severity, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_filter->setMinimumSeverity(
            static_cast<client::EventSeverity>(m_severity->itemData(index).toInt()));
    });
    m_node = new QComboBox;
    m_node->setObjectName(QStringLiteral("ClusterEventNode"));
    m_node->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_node->addItem(tr("All nodes"), QString());
    for (const QString& node : m_log->nodes()) {
        m_node->addItem(node, node);
    }
    connect(m_node, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_filter->setNode(m_node->itemData(index).toString()); });
    m_text = new QLineEdit;
    m_text->setObjectName(QStringLiteral("ClusterEventText"));
    m_text->setPlaceholderText(tr("Words to find…"));
    m_text->setToolTip(tr("Shows events holding every word, in any field: summary, node, kind, "
                          "code, flow, state, tenant, conversation or trace id (case ignored)"));
    m_text->setClearButtonEnabled(true);
    connect(m_text, &QLineEdit::textChanged, m_filter, &EventFilterModel::setText);
    m_count = new QLabel;
    m_count->setObjectName(QStringLiteral("ClusterEventCount"));
    row->addWidget(m_kinds);
    row->addWidget(m_severity);
    row->addWidget(m_node);
    row->addWidget(m_text, 1);
    row->addWidget(m_count);
    return bar;
}

void EventsPanel::buildKindMenu() {
    auto* menu = new QMenu(m_kinds);
    QAction* all = menu->addAction(tr("Show all kinds"));
    menu->addSeparator();
    QList<QAction*> kinds;
    for (int i = 0; i < static_cast<int>(EventCategory::Count); ++i) {
        const auto category = static_cast<EventCategory>(i);
        QAction* action = menu->addAction(categoryLabel(category));
        action->setCheckable(true);
        action->setChecked(true);
        connect(action, &QAction::toggled, this, [this, category](bool shown) {
            m_filter->setCategoryShown(category, shown);
            updateKindButton();
        });
        kinds.append(action);
    }
    connect(all, &QAction::triggered, this, [kinds] {
        for (QAction* action : kinds) {
            action->setChecked(true);
        }
    });
    m_kinds->setMenu(menu);
    updateKindButton();
}

void EventsPanel::updateKindButton() {
    const int shown = m_filter->categoriesShown();
    const int total = static_cast<int>(EventCategory::Count);
    m_kinds->setText(shown == total ? tr("Kinds: all")
                                    : tr("Kinds: %1 of %2").arg(shown).arg(total));
}

void EventsPanel::updateCount() {
    const QLocale locale;
    const int kept = m_log->rowCount();
    const QString limit = tr("keeps the last %1").arg(locale.toString(m_log->capacity()));
    m_count->setText(
        m_filter->filtering()
            ? tr("%1 of %2 events (%3)")
                  .arg(locale.toString(m_filter->rowCount()), locale.toString(kept), limit)
            : tr("%1 events (%2)").arg(locale.toString(kept), limit));
}

} // namespace flowdeck::console
