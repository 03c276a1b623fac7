#pragma once

#include "flowdeck/client/releases_client.h"
#include "flowdeck/engine/flow.h"
#include "flowdeck/engine/flow_diff.h"
#include "flowdeck/engine/release.h"

#include <QDialog>
#include <QHash>
#include <QTimer>

#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace flowdeck::console {

class ReleaseService;

// Deploys a flow version to the connected node: a version already stored there, or the flow open
// in the Design workspace pushed first as a new version (refused while the linter reports errors
// in it); all at once or through canary steps ("10%:pause=30s,50%:analysis=5m,100%") with
// thresholds that abort it; with a required reason. Before the button says yes it shows what
// changes against the live version (the engine's structural diff). The calls run through the
// ReleaseService; the dialog stays open on a refusal and says why.
class DeployDialog final : public QDialog {
    Q_OBJECT
public:
    struct Context {
        QString flowId;                                  // preselected
        std::vector<client::RemoteFlow> flows;           // what the node runs
        std::vector<client::RemoteFlowVersion> versions; // of flowId, newest first
        std::optional<engine::Flow> designFlow;          // the flow open in Design
        QString designName;                              // its file name, for the labels
    };

    DeployDialog(ReleaseService* service, Context context, QWidget* parent = nullptr);
    ~DeployDialog() override;

    // What Deploy would send now (version empty when the Design flow is still to be pushed);
    // nullopt with *problem saying what is missing or wrong.
    std::optional<engine::release::DeployPlan> plan(QString* problem = nullptr) const;
    int designErrorCount() const { return m_designErrors; }
    // True once the diff for the current choice is shown.
    bool isDiffReady() const { return m_diffReady; }
    bool isBusy() const { return m_busy; }

    // The widgets, for tests that drive the dialog as a person would.
    QComboBox* flowBox() const { return m_flow; }
    QRadioButton* clusterSource() const { return m_fromCluster; }
    QComboBox* versionBox() const { return m_versions; }
    QRadioButton* designSource() const { return m_fromDesign; }
    QLineEdit* noteEdit() const { return m_note; }
    QLabel* lintLabel() const { return m_lint; }
    QRadioButton* allAtOnce() const { return m_direct; }
    QRadioButton* canary() const { return m_canary; }
    QLineEdit* stepsEdit() const { return m_steps; }
    QLabel* planLabel() const { return m_planLabel; }
    QCheckBox* errorRateCheck() const { return m_errorRateOn; }
    QDoubleSpinBox* errorRatePercent() const { return m_errorRate; }
    QCheckBox* p95Check() const { return m_p95On; }
    QDoubleSpinBox* p95Ms() const { return m_p95; }
    QCheckBox* fallbackCheck() const { return m_fallbackOn; }
    QDoubleSpinBox* fallbackPercent() const { return m_fallback; }
    QSpinBox* minMessages() const { return m_minMessages; }
    QSpinBox* checkIntervalSeconds() const { return m_checkInterval; }
    QLineEdit* reasonEdit() const { return m_reason; }
    QLabel* diffTitle() const { return m_diffTitle; }
    QPlainTextEdit* diffView() const { return m_diff; }
    QLabel* statusLabel() const { return m_status; }
    QPushButton* deployButton() const { return m_deploy; }

Q_SIGNALS:
    // The node accepted the deploy; `pushed` names the version pushed for it, if one was.
    void deployed(const engine::release::Rollout& rollout, const QString& pushed);

private:
    // deploy_dialog.cpp: widgets
    QWidget* buildSource();
    QWidget* buildPlan();
    QWidget* buildThresholds();
    QWidget* buildDiff();
    void fillVersions(const std::vector<client::RemoteFlowVersion>& versions);
    // deploy_dialog_plan.cpp: what the choices add up to
    void validate();
    std::optional<std::vector<engine::release::CanaryStep>> steps(QString* problem) const;
    engine::release::Thresholds thresholds() const;
    QString currentFlowId() const;
    QString liveVersion() const;
    bool usesDesign() const;
    void setStatus(const QString& text, bool error);
    QString readyText() const;
    // deploy_dialog_calls.cpp: the node
    void onFlowChanged();
    void scheduleDiff();
    void computeDiff();
    void fetchJson(const QString& flowId, const QString& version, quint64 generation);
    void showDiff(quint64 generation);
    void startDeploy();
    void deployVersion(engine::release::DeployPlan plan, const QString& pushed);
    void fail(const QString& what, const client::CallError& error);

    ReleaseService* m_service;
    Context m_context;
    int m_designErrors = 0;
    QComboBox* m_flow = nullptr;
    QRadioButton* m_fromCluster = nullptr;
    QComboBox* m_versions = nullptr;
    QRadioButton* m_fromDesign = nullptr;
    QLineEdit* m_note = nullptr;
    QLabel* m_lint = nullptr;
    QRadioButton* m_direct = nullptr;
    QRadioButton* m_canary = nullptr;
    QLineEdit* m_steps = nullptr;
    QLabel* m_planLabel = nullptr;
    QGroupBox* m_thresholdBox = nullptr;
    QCheckBox* m_errorRateOn = nullptr;
    QDoubleSpinBox* m_errorRate = nullptr;
    QCheckBox* m_p95On = nullptr;
    QDoubleSpinBox* m_p95 = nullptr;
    QCheckBox* m_fallbackOn = nullptr;
    QDoubleSpinBox* m_fallback = nullptr;
    QSpinBox* m_minMessages = nullptr;
    QSpinBox* m_checkInterval = nullptr;
    QLineEdit* m_reason = nullptr;
    QLabel* m_diffTitle = nullptr;
    QPlainTextEdit* m_diff = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_deploy = nullptr;
    QTimer m_flowTimer;
    QTimer m_diffTimer;
    // Flow documents fetched from the node, by "flow@version": a choice made twice is one call.
    QHash<QString, QString> m_json;
    QString m_preferVersion; // selected once the versions are listed again (after a push)
    quint64 m_diffGeneration = 0;
    quint64 m_versionsGeneration = 0;
    bool m_diffReady = false;
    bool m_busy = false;
    // What the node refused stays on screen until the next try, whatever is edited meanwhile.
    bool m_errorShown = false;
};

// "3 changes: 1 state added, 1 changed; 1 transition changed" for a diff.
QString diffSummary(const engine::FlowDiff& diff);

} // namespace flowdeck::console
