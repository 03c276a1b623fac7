#include "simulate/trace_panel.h"

#include "simulate/trace_model.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTreeView>
#include <QVBoxLayout>

namespace flowdeck::console {

namespace {

using engine::TraceKind;

constexpr TraceKind kKinds[] = {TraceKind::MessageReceived,
                                TraceKind::StateEntered,
                                TraceKind::ConditionEvaluated,
                                TraceKind::TransitionTaken,
                                TraceKind::TemplateRendered,
                                TraceKind::IntentClassified,
                                TraceKind::SlotExtracted,
                                TraceKind::IntegrationCall,
                                TraceKind::ScriptRun,
                                TraceKind::Waiting,
                                TraceKind::Error};

// Filters events only: a data row is shown whenever its event is, so that a match found in a
// request body keeps the whole call readable.
class TraceFilter final : public QSortFilterProxyModel {
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setCriteria(const QString& text, int kind) {
        m_text = text.trimmed();
        m_kind = kind;
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override {
        if (parent.isValid()) {
            return true;
        }
        const auto* model = static_cast<const TraceModel*>(sourceModel());
        const QModelIndex index = model->index(row, 0);
        if (m_kind >= 0 && index.data(TraceModel::KindRole).toInt() != m_kind) {
            return false;
        }
        return model->eventMatches(row, m_text);
    }

private:
    QString m_text;
    int m_kind = -1;
};

} // namespace

TracePanel::TracePanel(QWidget* parent)
    : QWidget(parent)
    , m_model(new TraceModel(this))
    , m_proxy(new TraceFilter(this))
    , m_header(new QLabel)
    , m_filter(new QLineEdit)
    , m_kind(new QComboBox)
    , m_stack(new QStackedWidget)
    , m_empty(new QLabel)
    , m_view(new QTreeView) {
    m_proxy->setSourceModel(m_model);
    QFont bold = m_header->font();
    bold.setBold(true);
    m_header->setFont(bold);
    m_filter->setPlaceholderText(tr("Filter steps, states, values…"));
    m_filter->setClearButtonEnabled(true);
    m_kind->addItem(tr("All steps"), -1);
    for (TraceKind kind : kKinds) {
        m_kind->addItem(TraceModel::kindLabel(kind), int(kind));
    }
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setStyleSheet(QStringLiteral("color: %1;").arg(TraceModel::mutedColor().name()));
    m_view->setModel(m_proxy);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setTextElideMode(Qt::ElideRight);
    QHeaderView* header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(TraceModel::DetailColumn, QHeaderView::Stretch);
    header->resizeSection(TraceModel::TimeColumn, 96);
    header->resizeSection(TraceModel::StepColumn, 112);
    header->resizeSection(TraceModel::StateColumn, 120);
    header->resizeSection(TraceModel::DurationColumn, 76);
    m_view->installEventFilter(this);
    m_stack->addWidget(m_empty);
    m_stack->addWidget(m_view);

    auto* filters = new QHBoxLayout;
    filters->addWidget(m_filter, 1);
    filters->addWidget(m_kind);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_header);
    layout->addLayout(filters);
    layout->addWidget(m_stack, 1);

    connect(m_filter, &QLineEdit::textChanged, this, &TracePanel::applyFilter);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &TracePanel::applyFilter);
    connect(m_view, &QTreeView::expanded, this, &TracePanel::spanDataRows);
    connect(m_view, &QTreeView::clicked, this, &TracePanel::activate);
    clear();
}

void TracePanel::showTurn(int turnNumber, const engine::ExecutionResult& result) {
    m_model->setTrace(result.trace);
    const QString time = TraceModel::formatDuration(m_model->totalUs());
    const int steps = int(result.trace.size());
    m_header->setText(steps == 1
                          ? tr("Turn %1 · 1 step · %2").arg(turnNumber).arg(time)
                          : tr("Turn %1 · %2 steps · %3").arg(turnNumber).arg(steps).arg(time));
    if (result.trace.empty()) {
        m_empty->setText(tr("Turn %1 recorded no trace: tracing was off for it.").arg(turnNumber));
        m_stack->setCurrentWidget(m_empty);
        return;
    }
    m_stack->setCurrentWidget(m_view);
}

void TracePanel::clear() {
    m_model->clear();
    m_header->setText(tr("Trace"));
    m_empty->setText(tr("Send a message to see its trace"));
    m_stack->setCurrentWidget(m_empty);
}

QString TracePanel::headerText() const {
    return m_header->text();
}

void TracePanel::applyFilter() {
    static_cast<TraceFilter*>(m_proxy)->setCriteria(m_filter->text(),
                                                    m_kind->currentData().toInt());
}

// Data rows hold their "key: value" text in the first column; spanning it over the row keeps a
// URL or a reply readable instead of squeezed into the Time column. Rows are spanned as they
// appear (on expand), so a long trace costs nothing until it is opened.
void TracePanel::spanDataRows(const QModelIndex& parent) {
    for (int row = 0; row < m_proxy->rowCount(parent); ++row) {
        m_view->setFirstColumnSpanned(row, parent, true);
    }
}

void TracePanel::activate(const QModelIndex& index) {
    const QString state = index.data(TraceModel::StateRole).toString();
    if (index.isValid() && !state.isEmpty()) {
        Q_EMIT stateActivated(state, index.data(TraceModel::TransitionRole).toInt());
    }
}

bool TracePanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_view && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Return || key == Qt::Key_Enter) {
            activate(m_view->currentIndex());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace flowdeck::console
