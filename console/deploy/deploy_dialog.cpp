#include "deploy/deploy_dialog.h"
#include "widgets/theme_colors.h"

#include "deploy/release_service.h"
#include "deploy/rollout_format.h"

#include "flowdeck/engine/linter.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <utility>

namespace flowdeck::console {

namespace rel = engine::release;

namespace {

constexpr const char* kDefaultSteps = "10%:analysis=5m,50%:manual";

int countErrors(const engine::Flow& flow) {
    int errors = 0;
    for (const engine::Diagnostic& diagnostic : engine::lintFlow(flow)) {
        errors += diagnostic.severity == engine::Severity::Error ? 1 : 0;
    }
    return errors;
}

} // namespace

DeployDialog::DeployDialog(ReleaseService* service, Context context, QWidget* parent)
    : QDialog(parent)
    , m_service(service)
    , m_context(std::move(context)) {
    setObjectName(QStringLiteral("DeployDialog"));
    setWindowTitle(tr("Deploy a Flow Version"));
    // Linted here, on the snapshot being pushed, rather than trusting a linter run that an edit
    // may have overtaken.
    m_designErrors = m_context.designFlow ? countErrors(*m_context.designFlow) : 0;

    m_reason = new QLineEdit;
    m_reason->setObjectName(QStringLiteral("DeployReason"));
    m_reason->setPlaceholderText(tr("Why? Required; kept in the release history"));
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("DeployStatus"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    m_deploy = buttons->addButton(tr("Deploy"), QDialogButtonBox::AcceptRole);
    m_deploy->setObjectName(QStringLiteral("DeployConfirm"));
    m_deploy->setDefault(true);
    // Accepting is startDeploy's business: the dialog closes only once the node said yes.
    connect(buttons, &QDialogButtonBox::accepted, this, &DeployDialog::startDeploy);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* left = new QWidget;
    auto* column = new QVBoxLayout(left);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(buildSource());
    column->addWidget(buildPlan());
    column->addWidget(buildThresholds());
    auto* reasonRow = new QFormLayout;
    reasonRow->addRow(tr("Reason:"), m_reason);
    column->addLayout(reasonRow);
    column->addStretch(1);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(buildDiff());
    split->setStretchFactor(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(1100, 640);

    m_flowTimer.setSingleShot(true);
    m_flowTimer.setInterval(300);
    connect(&m_flowTimer, &QTimer::timeout, this, &DeployDialog::onFlowChanged);
    m_diffTimer.setSingleShot(true);
    m_diffTimer.setInterval(150);
    connect(&m_diffTimer, &QTimer::timeout, this, &DeployDialog::computeDiff);
    for (QLineEdit* edit : {m_reason, m_steps}) {
        connect(edit, &QLineEdit::textChanged, this, &DeployDialog::validate);
    }
    fillVersions(m_context.versions);
    validate();
    scheduleDiff();
}

DeployDialog::~DeployDialog() = default;

QWidget* DeployDialog::buildSource() {
    auto* box = new QGroupBox(tr("What to deploy"));
    m_flow = new QComboBox;
    m_flow->setObjectName(QStringLiteral("DeployFlow"));
    m_flow->setEditable(true);
    m_flow->setInsertPolicy(QComboBox::NoInsert);
    for (const client::RemoteFlow& flow : m_context.flows) {
        m_flow->addItem(QString::fromStdString(flow.flowId));
    }
    QString preset = m_context.flowId;
    if (preset.isEmpty() && m_context.designFlow) {
        preset = QString::fromStdString(m_context.designFlow->name);
    }
    m_flow->setEditText(preset);
    connect(m_flow, &QComboBox::currentTextChanged, this, [this] {
        m_flowTimer.start();
        validate();
    });

    m_fromCluster = new QRadioButton(tr("A version stored on the node:"));
    m_versions = new QComboBox;
    m_versions->setObjectName(QStringLiteral("DeployVersion"));
    m_fromDesign = new QRadioButton;
    m_note = new QLineEdit(tr("Pushed from the console"));
    m_note->setObjectName(QStringLiteral("DeployNote"));
    m_lint = new QLabel;
    m_lint->setWordWrap(true);
    auto* group = new QButtonGroup(box);
    group->addButton(m_fromCluster);
    group->addButton(m_fromDesign);
    if (!m_context.designFlow) {
        m_fromDesign->setText(tr("The flow open in Design (none is open)"));
        m_fromDesign->setEnabled(false);
    } else {
        m_fromDesign->setText(tr("%1 from Design, pushed first as a new version")
                                  .arg(m_context.designName.isEmpty()
                                           ? QString::fromStdString(m_context.designFlow->name)
                                           : m_context.designName));
        if (m_designErrors > 0) {
            m_fromDesign->setEnabled(false);
            m_lint->setText(
                tr("The linter reports %1 in the Design flow: fix them (Design → "
                   "Problems) before deploying it.")
                    .arg(rollout_text::counted(m_designErrors, tr("1 error"), tr("%1 errors"))));
            m_lint->setStyleSheet(theme::textStyle(theme::Tone::Error));
        }
    }
    const bool haveVersions = !m_context.versions.empty();
    (haveVersions || !m_fromDesign->isEnabled() ? m_fromCluster : m_fromDesign)->setChecked(true);
    for (QRadioButton* radio : {m_fromCluster, m_fromDesign}) {
        connect(radio, &QRadioButton::toggled, this, [this] {
            validate();
            scheduleDiff();
        });
    }
    connect(m_versions, &QComboBox::currentIndexChanged, this, [this] {
        validate();
        scheduleDiff();
    });

    auto* grid = new QGridLayout(box);
    grid->addWidget(new QLabel(tr("Flow:")), 0, 0);
    grid->addWidget(m_flow, 0, 1);
    grid->addWidget(m_fromCluster, 1, 0, 1, 2);
    grid->addWidget(m_versions, 2, 1);
    grid->addWidget(m_fromDesign, 3, 0, 1, 2);
    grid->addWidget(new QLabel(tr("Note:")), 4, 0, Qt::AlignRight);
    grid->addWidget(m_note, 4, 1);
    grid->addWidget(m_lint, 5, 0, 1, 2);
    grid->setColumnStretch(1, 1);
    return box;
}

QWidget* DeployDialog::buildPlan() {
    auto* box = new QGroupBox(tr("How"));
    m_direct = new QRadioButton(tr("All at once: every new conversation, now"));
    m_canary = new QRadioButton(tr("Canary steps:"));
    m_canary->setChecked(true);
    m_steps = new QLineEdit(QString::fromLatin1(kDefaultSteps));
    m_steps->setObjectName(QStringLiteral("DeploySteps"));
    m_steps->setToolTip(tr("PERCENT[:GATE] separated by commas. Gates: pause=DURATION, "
                           "analysis=DURATION, manual (the default: wait for Promote). "
                           "Durations: 30s, 5m, 1h30m."));
    m_planLabel = new QLabel;
    m_planLabel->setWordWrap(true);
    for (QRadioButton* radio : {m_direct, m_canary}) {
        connect(radio, &QRadioButton::toggled, this, &DeployDialog::validate);
    }
    auto* grid = new QGridLayout(box);
    grid->addWidget(m_direct, 0, 0, 1, 2);
    grid->addWidget(m_canary, 1, 0);
    grid->addWidget(m_steps, 1, 1);
    grid->addWidget(m_planLabel, 2, 1);
    grid->setColumnStretch(1, 1);
    return box;
}

QWidget* DeployDialog::buildThresholds() {
    m_thresholdBox = new QGroupBox(tr("Abort the canary when"));
    const auto percentBox = [](double value) {
        auto* spin = new QDoubleSpinBox;
        spin->setRange(0.0, 100.0);
        spin->setDecimals(2);
        spin->setSuffix(tr(" %"));
        spin->setValue(value);
        return spin;
    };
    m_errorRateOn = new QCheckBox(tr("its error rate is above"));
    m_errorRateOn->setChecked(true);
    m_errorRate = percentBox(1.0);
    m_p95On = new QCheckBox(tr("its p95 latency is above"));
    m_p95On->setChecked(true);
    m_p95 = new QDoubleSpinBox;
    m_p95->setRange(1.0, 600000.0);
    m_p95->setDecimals(0);
    m_p95->setSuffix(tr(" ms"));
    m_p95->setValue(2000.0);
    m_fallbackOn = new QCheckBox(tr("its fallback rate is above"));
    m_fallback = percentBox(20.0);
    m_minMessages = new QSpinBox;
    m_minMessages->setRange(1, 1000000);
    m_minMessages->setValue(static_cast<int>(rel::Thresholds::kDefaultMinMessages));
    m_minMessages->setSuffix(tr(" canary messages"));
    m_checkInterval = new QSpinBox;
    m_checkInterval->setRange(1, 3600);
    m_checkInterval->setValue(static_cast<int>(rel::Thresholds::kDefaultCheckIntervalMs / 1000));
    m_checkInterval->setSuffix(tr(" s"));
    auto* grid = new QGridLayout(m_thresholdBox);
    int row = 0;
    const std::pair<QCheckBox*, QWidget*> limits[] = {
        {m_errorRateOn, m_errorRate}, {m_p95On, m_p95}, {m_fallbackOn, m_fallback}};
    for (const auto& [check, spin] : limits) {
        grid->addWidget(check, row, 0);
        grid->addWidget(spin, row++, 1);
        connect(check, &QCheckBox::toggled, spin, &QWidget::setEnabled);
        connect(check, &QCheckBox::toggled, this, &DeployDialog::validate);
        spin->setEnabled(check->isChecked());
    }
    grid->addWidget(new QLabel(tr("Judge with at least")), row, 0);
    grid->addWidget(m_minMessages, row++, 1);
    grid->addWidget(new QLabel(tr("Check every")), row, 0);
    grid->addWidget(m_checkInterval, row, 1);
    return m_thresholdBox;
}

QWidget* DeployDialog::buildDiff() {
    m_diffTitle = new QLabel(tr("Changes against the live version"));
    m_diffTitle->setWordWrap(true);
    QFont bold = m_diffTitle->font();
    bold.setBold(true);
    m_diffTitle->setFont(bold);
    m_diff = new QPlainTextEdit;
    m_diff->setObjectName(QStringLiteral("DeployDiff"));
    m_diff->setReadOnly(true);
    m_diff->setLineWrapMode(QPlainTextEdit::WidgetWidth); // a change reads whole
    m_diff->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* panel = new QWidget;
    auto* column = new QVBoxLayout(panel);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(m_diffTitle);
    column->addWidget(m_diff, 1);
    return panel;
}

void DeployDialog::fillVersions(const std::vector<client::RemoteFlowVersion>& versions) {
    const QSignalBlocker blocker(m_versions);
    const QString live = liveVersion();
    m_versions->clear();
    for (const client::RemoteFlowVersion& version : versions) {
        const QString name = QString::fromStdString(version.version);
        QString text = name;
        if (name == live) {
            text += tr(" (live)");
        }
        if (!version.changeNote.empty()) {
            text += QStringLiteral(" — ") + QString::fromStdString(version.changeNote);
        }
        if (version.errorCount > 0) {
            text += QStringLiteral(" — ") + rollout_text::counted(version.errorCount,
                                                                  tr("1 linter error"),
                                                                  tr("%1 linter errors"));
        }
        m_versions->addItem(text, name);
    }
    m_fromCluster->setEnabled(!versions.empty());
    if (versions.empty() && m_fromDesign->isEnabled()) {
        m_fromDesign->setChecked(true);
    }
}

} // namespace flowdeck::console
