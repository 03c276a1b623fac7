// DeployDialog's rules: what the choices add up to (the DeployPlan), whether it can go, and
// how the status line and the diff's title say so.
#include "deploy/deploy_dialog.h"
#include "widgets/theme_colors.h"

#include "deploy/rollout_format.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>

namespace flowdeck::console {

namespace rel = engine::release;

QString DeployDialog::currentFlowId() const {
    return m_flow->currentText().trimmed();
}

QString DeployDialog::liveVersion() const {
    const std::string id = currentFlowId().toStdString();
    for (const client::RemoteFlow& flow : m_context.flows) {
        if (flow.flowId == id) {
            return QString::fromStdString(flow.activeVersion);
        }
    }
    return {};
}

bool DeployDialog::usesDesign() const {
    return m_fromDesign->isChecked() && m_fromDesign->isEnabled();
}

std::optional<std::vector<rel::CanaryStep>> DeployDialog::steps(QString* problem) const {
    if (m_direct->isChecked()) {
        return std::vector<rel::CanaryStep>{};
    }
    std::string error;
    auto parsed = rel::parseSteps(m_steps->text().trimmed().toStdString(), &error);
    if (!parsed) {
        *problem = tr("Steps: %1").arg(QString::fromStdString(error));
    }
    return parsed;
}

rel::Thresholds DeployDialog::thresholds() const {
    rel::Thresholds limits;
    if (m_errorRateOn->isChecked()) {
        limits.maxErrorRate = m_errorRate->value() / 100.0;
    }
    if (m_p95On->isChecked()) {
        limits.maxP95LatencyMs = m_p95->value();
    }
    if (m_fallbackOn->isChecked()) {
        limits.maxFallbackRate = m_fallback->value() / 100.0;
    }
    limits.minMessages = static_cast<uint64_t>(m_minMessages->value());
    limits.checkIntervalMs = qint64(m_checkInterval->value()) * 1000;
    return limits;
}

std::optional<rel::DeployPlan> DeployDialog::plan(QString* problem) const {
    QString why;
    rel::DeployPlan plan;
    plan.flowId = currentFlowId().toStdString();
    const int versionIndex = m_versions->currentIndex();
    if (plan.flowId.empty()) {
        why = tr("Name the flow to deploy.");
    } else if (usesDesign()) {
        plan.version.clear(); // known once pushed
    } else if (!m_fromCluster->isChecked() || versionIndex < 0) {
        why = tr("Choose a version on the node, or the flow open in Design.");
    } else {
        plan.version = m_versions->currentData().toString().toStdString();
    }
    if (why.isEmpty()) {
        if (auto parsed = steps(&why)) {
            plan.steps = std::move(*parsed);
            plan.thresholds = thresholds();
            if (const auto bad = rel::checkPlan(plan.steps, plan.thresholds)) {
                why = QString::fromStdString(*bad);
            }
        }
    }
    plan.reason = m_reason->text().trimmed().toStdString();
    if (why.isEmpty() && plan.reason.empty()) {
        why = tr("Give a reason: it goes to the release history.");
    }
    if (!why.isEmpty()) {
        if (problem) {
            *problem = why;
        }
        return std::nullopt;
    }
    return plan;
}

void DeployDialog::validate() {
    const bool canary = m_canary->isChecked();
    m_steps->setEnabled(canary);
    m_thresholdBox->setEnabled(canary);
    m_note->setEnabled(usesDesign());
    m_versions->setEnabled(m_fromCluster->isChecked());
    QString stepProblem;
    if (const auto parsed = steps(&stepProblem); parsed && canary) {
        m_planLabel->setText(rollout_text::plan(*parsed));
        m_planLabel->setStyleSheet(QString());
    } else if (canary) {
        m_planLabel->setText(stepProblem);
        m_planLabel->setStyleSheet(theme::textStyle(theme::Tone::Error));
    } else {
        m_planLabel->clear();
    }
    if (m_busy) {
        m_deploy->setEnabled(false);
        return;
    }
    QString problem;
    const bool ready = plan(&problem).has_value();
    m_deploy->setEnabled(ready);
    if (!problem.isEmpty() || !m_errorShown) {
        setStatus(ready ? readyText() : problem, false);
    }
}

QString DeployDialog::readyText() const {
    const QString what = usesDesign() ? tr("the Design flow, pushed as a new version,")
                                      : m_versions->currentData().toString();
    QString problem;
    const auto planned = steps(&problem);
    const QString how = !planned || planned->empty()
                            ? tr("all at once")
                            : tr("as a canary: %1").arg(rollout_text::plan(*planned));
    return tr("Ready to deploy %1 to %2 %3.").arg(what, currentFlowId(), how);
}

void DeployDialog::setStatus(const QString& text, bool error) {
    m_errorShown = error;
    m_status->setText(text);
    m_status->setStyleSheet(error ? theme::textStyle(theme::Tone::Error) +
                                        QStringLiteral(" font-weight: bold;")
                                  : QStringLiteral("color: palette(mid);"));
}

QString diffSummary(const engine::FlowDiff& diff) {
    if (!diff.error.empty()) {
        return QCoreApplication::translate("DeployDialog", "The diff failed: %1")
            .arg(QString::fromStdString(diff.error));
    }
    int counts[3][2] = {}; // [kind][state, transition]
    for (const engine::StateChange& change : diff.states) {
        ++counts[static_cast<int>(change.kind)][0];
    }
    for (const engine::TransitionChange& change : diff.transitions) {
        ++counts[static_cast<int>(change.kind)][1];
    }
    const auto tr = [](const char* text) {
        return QCoreApplication::translate("DeployDialog", text);
    };
    const auto count = [&](int n, const char* one, const char* many) {
        return rollout_text::counted(n, tr(one), tr(many));
    };
    static const char* const stateTexts[3][2] = {
        {QT_TRANSLATE_NOOP("DeployDialog", "1 state added"),
         QT_TRANSLATE_NOOP("DeployDialog", "%1 states added")},
        {QT_TRANSLATE_NOOP("DeployDialog", "1 state removed"),
         QT_TRANSLATE_NOOP("DeployDialog", "%1 states removed")},
        {QT_TRANSLATE_NOOP("DeployDialog", "1 state changed"),
         QT_TRANSLATE_NOOP("DeployDialog", "%1 states changed")}};
    static const char* const transitionTexts[3][2] = {
        {QT_TRANSLATE_NOOP("DeployDialog", "1 transition added"),
         QT_TRANSLATE_NOOP("DeployDialog", "%1 transitions added")},
        {QT_TRANSLATE_NOOP("DeployDialog", "1 transition removed"),
         QT_TRANSLATE_NOOP("DeployDialog", "%1 transitions removed")},
        {QT_TRANSLATE_NOOP("DeployDialog", "1 transition changed"),
         QT_TRANSLATE_NOOP("DeployDialog", "%1 transitions changed")}};
    QStringList parts;
    for (int kind = 0; kind < 3; ++kind) {
        if (counts[kind][0] > 0) {
            parts << count(counts[kind][0], stateTexts[kind][0], stateTexts[kind][1]);
        }
    }
    for (int kind = 0; kind < 3; ++kind) {
        if (counts[kind][1] > 0) {
            parts << count(counts[kind][1], transitionTexts[kind][0], transitionTexts[kind][1]);
        }
    }
    if (!diff.flowFields.empty()) {
        parts << count(static_cast<int>(diff.flowFields.size()),
                       QT_TRANSLATE_NOOP("DeployDialog", "1 flow field changed"),
                       QT_TRANSLATE_NOOP("DeployDialog", "%1 flow fields changed"));
    }
    if (parts.isEmpty()) {
        return QCoreApplication::translate("DeployDialog", "No structural change");
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace flowdeck::console
