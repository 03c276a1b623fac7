#pragma once

#include "flowdeck/engine/diagnostic.h"
#include "flowdeck/engine/flow.h"

#include <QStringList>
#include <QWidget>

#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;
class QToolButton;

namespace flowdeck::engine {
class StubGateway;
}

namespace flowdeck::console {

// The canned answers of the flow's integrations during a simulation, in the stubs-file format
// (flowdeck/engine/stub_file.h): per integration a kind (success, failure, slow, timeout, live),
// an HTTP status, a delay for slow answers and a JSON body, edited below the table for the
// selected row. An integration answered by a sequence shows one row per call. Nothing calls a
// real endpoint unless a row is switched to live, which is shown in the warning colour.
class StubsPanel final : public QWidget {
    Q_OBJECT
public:
    enum Column { NameColumn, KindColumn, StatusColumn, DelayColumn, ColumnCount };
    static constexpr int kMaxBodyBytes = 1024 * 1024;

    explicit StubsPanel(QWidget* parent = nullptr);

    // The integrations a flow calls: each integration state's config "integration", or the state
    // name when it has none (as the executor names them), once each, in document order.
    static QStringList integrationNames(const engine::Flow& flow);

    // `stubs` in the stubs-file format; a name without a stub gets success, 200, {}. Stubs for
    // integrations not in `names` are kept (and listed, marked as unused by the flow).
    void setIntegrations(const QStringList& names, const engine::Json& stubs);
    // Every stub that setIntegrations got, as it got it except for what was edited since, in the
    // same order, followed by the defaults it added.
    engine::Json stubsJson() const;
    // Loads stubsJson() into the gateway (replacing those integrations' stubs and restarting
    // their sequences); nothing is loaded when there are diagnostics.
    std::vector<engine::Diagnostic> applyTo(engine::StubGateway& gateway) const;

    QTableWidget* table() const { return m_table; }
    QPlainTextEdit* bodyEdit() const { return m_body; }
    QString bodyError() const;
    QString summary() const;
    // The row of an integration's `call`-th response (0-based), or -1.
    int rowOf(const QString& integration, int call = 0) const;
    QComboBox* kindBox(int row) const;
    QSpinBox* statusBox(int row) const;
    QSpinBox* delayBox(int row) const;
    void selectRow(int row);
    void addCall();
    void removeCall();

Q_SIGNALS:
    void changed();

private:
    struct Integration {
        QString name;
        bool used = true;      // named by the flow
        bool sequence = false; // written as an array
        std::vector<engine::Json> responses;
    };
    struct Row {
        int integration = 0;
        int call = 0;
    };

    void rebuild(int select);
    void addRowWidgets(int row);
    void styleRow(int row);
    void showBody(int row);
    void onKindChanged(int row);
    void onBodyEdited();
    void edit(int row, const char* field, const engine::Json& value);
    engine::Json& response(int row);
    const engine::Json& response(int row) const;
    void updateSummary();

    std::vector<Integration> m_integrations;
    std::vector<std::string> m_stubOrder; // keys of the stubs given, for stubsJson's order
    std::vector<Row> m_rows;
    QStringList m_replaced; // integrations whose stub was not an object
    QLabel* m_summary;
    QTableWidget* m_table;
    QToolButton* m_addCall;
    QToolButton* m_removeCall;
    QLabel* m_bodyLabel;
    QPlainTextEdit* m_body;
    QLabel* m_bodyError;
    int m_bodyRow = -1;
    bool m_updating = false;
};

} // namespace flowdeck::console
