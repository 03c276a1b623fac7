#pragma once

#include "flowdeck/engine/diagnostic.h"

#include <QAbstractTableModel>

#include <vector>

namespace flowdeck::console {

// The linter's findings as a table: severity, state, code, message. Errors first.
class ProblemsModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { SeverityColumn, StateColumn, MessageColumn, CodeColumn, ColumnCount };
    explicit ProblemsModel(QObject* parent = nullptr);

    void setDiagnostics(const std::vector<engine::Diagnostic>& diagnostics);
    const engine::Diagnostic& diagnostic(int row) const { return m_rows[size_t(row)]; }
    int errorCount() const { return m_errors; }
    int warningCount() const { return m_warnings; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<engine::Diagnostic> m_rows;
    int m_errors = 0;
    int m_warnings = 0;
};

} // namespace flowdeck::console
