#pragma once

#include "clusters/event_log_model.h"

#include <QSortFilterProxyModel>
#include <QStringList>

#include <bitset>

namespace flowdeck::console {

// The events tail as filtered by a person: kinds (categories) shown, a minimum severity, one
// node or all, and words that must all appear somewhere in the event (case-insensitive). Order
// is the log's (newest first); nothing is copied, so memory stays the log's.
class EventFilterModel final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit EventFilterModel(QObject* parent = nullptr);

    void setCategoryShown(EventCategory category, bool shown);
    void showAllCategories();
    bool categoryShown(EventCategory category) const;
    int categoriesShown() const { return static_cast<int>(m_categories.count()); }

    // Unspecified: any severity (events that carry none included).
    void setMinimumSeverity(client::EventSeverity severity);
    client::EventSeverity minimumSeverity() const { return m_minimumSeverity; }

    // Empty: every node.
    void setNode(const QString& nodeId);
    const QString& node() const { return m_node; }

    void setText(const QString& text);
    const QString& text() const { return m_text; }

    // Something is filtered out by the current settings.
    bool filtering() const;

Q_SIGNALS:
    void filterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    void refilter();

    std::bitset<static_cast<std::size_t>(EventCategory::Count)> m_categories;
    client::EventSeverity m_minimumSeverity = client::EventSeverity::Unspecified;
    QString m_node;
    QString m_text;
    QStringList m_words;
};

} // namespace flowdeck::console
