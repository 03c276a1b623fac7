#include "clusters/event_filter_model.h"

#include <QRegularExpression>

namespace flowdeck::console {

EventFilterModel::EventFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent) {
    m_categories.set();
}

void EventFilterModel::setCategoryShown(EventCategory category, bool shown) {
    const auto bit = static_cast<std::size_t>(category);
    if (bit < m_categories.size() && m_categories.test(bit) != shown) {
        m_categories.set(bit, shown);
        refilter();
    }
}

void EventFilterModel::showAllCategories() {
    if (!m_categories.all()) {
        m_categories.set();
        refilter();
    }
}

bool EventFilterModel::categoryShown(EventCategory category) const {
    const auto bit = static_cast<std::size_t>(category);
    return bit < m_categories.size() && m_categories.test(bit);
}

void EventFilterModel::setMinimumSeverity(client::EventSeverity severity) {
    if (severity != m_minimumSeverity) {
        m_minimumSeverity = severity;
        refilter();
    }
}

void EventFilterModel::setNode(const QString& nodeId) {
    if (nodeId != m_node) {
        m_node = nodeId;
        refilter();
    }
}

void EventFilterModel::setText(const QString& text) {
    if (text == m_text) {
        return;
    }
    m_text = text;
    static const QRegularExpression space(QStringLiteral("\\s+"));
    m_words = text.split(space, Qt::SkipEmptyParts);
    refilter();
}

bool EventFilterModel::filtering() const {
    return !m_categories.all() || m_minimumSeverity != client::EventSeverity::Unspecified ||
           !m_node.isEmpty() || !m_words.isEmpty();
}

void EventFilterModel::refilter() {
    invalidateRowsFilter();
    Q_EMIT filterChanged();
}

bool EventFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const int category = index.data(EventLogModel::CategoryRole).toInt();
    if (category < 0 || category >= static_cast<int>(m_categories.size()) ||
        !m_categories.test(static_cast<std::size_t>(category))) {
        return false;
    }
    // EventSeverity's values rise with severity (Unspecified, Info, Warning, Critical).
    if (index.data(EventLogModel::SeverityRole).toInt() < static_cast<int>(m_minimumSeverity)) {
        return false;
    }
    if (!m_node.isEmpty() && index.data(EventLogModel::NodeRole).toString() != m_node) {
        return false;
    }
    if (m_words.isEmpty()) {
        return true;
    }
    const QString text = index.data(EventLogModel::SearchRole).toString();
    for (const QString& word : m_words) {
        if (!text.contains(word, Qt::CaseInsensitive)) {
            return false;
        }
    }
    return true;
}

} // namespace flowdeck::console
