#include "models/problems_model.h"

#include "graph/graph_style.h"
#include "models/flow_document.h"

#include <QApplication>
#include <QStyle>

#include <algorithm>

namespace flowdeck::console {

ProblemsModel::ProblemsModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void ProblemsModel::setDiagnostics(const std::vector<engine::Diagnostic>& diagnostics) {
    beginResetModel();
    m_rows = diagnostics;
    std::stable_sort(m_rows.begin(), m_rows.end(), [](const auto& a, const auto& b) {
        return int(a.severity) < int(b.severity);
    });
    m_errors = int(std::count_if(m_rows.begin(), m_rows.end(), [](const auto& d) {
        return d.severity == engine::Severity::Error;
    }));
    m_warnings = int(std::count_if(m_rows.begin(), m_rows.end(), [](const auto& d) {
        return d.severity == engine::Severity::Warning;
    }));
    endResetModel();
}

int ProblemsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ProblemsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProblemsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(m_rows.size())) {
        return {};
    }
    const engine::Diagnostic& d = m_rows[size_t(index.row())];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case SeverityColumn:
            return d.severity == engine::Severity::Error     ? tr("Error")
                   : d.severity == engine::Severity::Warning ? tr("Warning")
                                                             : tr("Info");
        case StateColumn:
            return d.state.empty() ? tr("(flow)") : qstr(d.state);
        case MessageColumn:
            return qstr(d.message);
        case CodeColumn:
            return qstr(d.code);
        }
    }
    if (role == Qt::DecorationRole && index.column() == SeverityColumn) {
        const QStyle::StandardPixmap icon =
            d.severity == engine::Severity::Error     ? QStyle::SP_MessageBoxCritical
            : d.severity == engine::Severity::Warning ? QStyle::SP_MessageBoxWarning
                                                      : QStyle::SP_MessageBoxInformation;
        return QApplication::style()->standardIcon(icon);
    }
    if (role == Qt::ToolTipRole) {
        return QStringLiteral("%1\n%2").arg(qstr(d.pointer), qstr(d.message));
    }
    if (role == Qt::ForegroundRole && index.column() == SeverityColumn) {
        return d.severity == engine::Severity::Error ? graph_style::errorColor()
                                                     : graph_style::warningColor();
    }
    return {};
}

QVariant ProblemsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case SeverityColumn:
        return tr("Severity");
    case StateColumn:
        return tr("State");
    case MessageColumn:
        return tr("Problem");
    case CodeColumn:
        return tr("Code");
    }
    return {};
}

} // namespace flowdeck::console
