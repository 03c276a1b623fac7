#include "deploy/deploy_workspace.h"

#include "clusters/cluster_connection.h"

#include "deploy/release_service.h"
#include "deploy/remote_flow_models.h"
#include "deploy/rollout_history_model.h"
#include "deploy/rollout_panel.h"
#include "widgets/dock.h"
#include "widgets/theme_colors.h"

#include <QAction>
#include <QDateTime>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace flowdeck::console {

namespace {

QTableView* makeTable(const QString& name, QAbstractItemModel* model) {
    auto* table = new QTableView;
    table->setObjectName(name);
    table->setModel(model);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->setWordWrap(false);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

} // namespace

DeployWorkspace::DeployWorkspace(DesignWorkspace* design, QWidget* parent)
    : QMainWindow(parent)
    , m_design(design)
    , m_service(new ReleaseService(this))
    , m_flows(new RemoteFlowModel(this))
    , m_versions(new RemoteVersionModel(this))
    , m_history(new RolloutHistoryModel(this)) {
    setObjectName(QStringLiteral("DeployWorkspace"));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    buildActions();

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(buildFlowLists());
    split->addWidget(buildRolloutSide());
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 5);
    split->setSizes({480, 960});

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(buildConnectionBar());
    layout->addWidget(m_bannerBox);
    layout->addWidget(split, 1);
    setCentralWidget(central);
    buildHistoryDock();

    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &DeployWorkspace::poll);
    m_clock.setInterval(1000);
    connect(&m_clock, &QTimer::timeout, this,
            [this] { m_panel->refreshClock(QDateTime::currentMSecsSinceEpoch()); });
    updateActions();
}

DeployWorkspace::~DeployWorkspace() {
    m_poll.stop();
    m_clock.stop();
}

QWidget* DeployWorkspace::buildConnectionBar() {
    auto* bar = new QWidget;
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_address = new QLineEdit;
    m_address->setObjectName(QStringLiteral("DeployAddress"));
    m_address->setPlaceholderText(tr("Node address, HOST:PORT (gRPC), e.g. 127.0.0.1:7443"));
    m_address->setClearButtonEnabled(true);
    connect(m_address, &QLineEdit::returnPressed, this, &DeployWorkspace::connectFromBar);
    connect(m_address, &QLineEdit::textEdited, this, [this] { m_userTypedAddress = true; });
    auto* button = new QPushButton(tr("Connect"));
    button->setObjectName(QStringLiteral("DeployConnect"));
    connect(button, &QPushButton::clicked, this, &DeployWorkspace::connectFromBar);
    m_connection = new QLabel(tr("Not connected"));
    m_connection->setObjectName(QStringLiteral("DeployConnection"));
    row->addWidget(new QLabel(tr("Node:")));
    row->addWidget(m_address, 1);
    row->addWidget(button);
    row->addSpacing(12);
    row->addWidget(m_connection, 1);

    m_bannerBox = new QWidget;
    m_bannerBox->setObjectName(QStringLiteral("DeployBanner"));
    const auto styleBanner = [this] {
        m_bannerBox->setStyleSheet(
            theme::bannerStyle(theme::Tone::Error, QStringLiteral("#DeployBanner")) +
            QStringLiteral("#DeployBanner { border-radius: 4px; }"));
    };
    styleBanner();
    theme::onPaletteChange(this, styleBanner);
    m_banner = new QLabel;
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* close = new QToolButton;
    close->setText(QStringLiteral("×"));
    close->setAutoRaise(true);
    close->setToolTip(tr("Dismiss"));
    connect(close, &QToolButton::clicked, this, &DeployWorkspace::clearBanner);
    auto* bannerRow = new QHBoxLayout(m_bannerBox);
    bannerRow->setContentsMargins(8, 4, 4, 4);
    bannerRow->addWidget(m_banner, 1);
    bannerRow->addWidget(close);
    m_bannerBox->hide();
    return bar;
}

QWidget* DeployWorkspace::buildFlowLists() {
    m_flowTable = makeTable(QStringLiteral("DeployFlows"), m_flows);
    connect(m_flowTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &DeployWorkspace::onFlowSelectionChanged);
    m_versionTable = makeTable(QStringLiteral("DeployVersions"), m_versions);
    // The note takes what is left, elided, rather than pushing a scroll bar under the table.
    m_versionTable->horizontalHeader()->setSectionResizeMode(RemoteVersionModel::Note,
                                                             QHeaderView::Stretch);
    connect(m_versionTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &DeployWorkspace::updateActions);
    auto* split = new QSplitter(Qt::Vertical);
    const auto titled = [](const QString& title, QWidget* widget) {
        auto* box = new QWidget;
        auto* column = new QVBoxLayout(box);
        column->setContentsMargins(0, 0, 0, 0);
        column->setSpacing(2);
        auto* label = new QLabel(title);
        QFont bold = label->font();
        bold.setBold(true);
        label->setFont(bold);
        column->addWidget(label);
        column->addWidget(widget, 1);
        return box;
    };
    split->addWidget(titled(tr("Flows on the node"), m_flowTable));
    split->addWidget(titled(tr("Versions of the selected flow"), m_versionTable));
    return split;
}

QWidget* DeployWorkspace::buildRolloutSide() {
    auto* buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    for (const char* name : {"deploy", "promote", "abort", "rollback", "refresh"}) {
        auto* button = new QToolButton;
        button->setObjectName(QStringLiteral("Deploy_%1").arg(QLatin1String(name)));
        button->setDefaultAction(m_actions.value(QLatin1String(name)));
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        buttons->addWidget(button);
    }
    buttons->addStretch(1);
    m_panel = new RolloutPanel;
    auto* side = new QWidget;
    auto* column = new QVBoxLayout(side);
    column->setContentsMargins(6, 0, 0, 0);
    column->addLayout(buttons);
    column->addWidget(m_panel, 1);
    return side;
}

void DeployWorkspace::buildHistoryDock() {
    m_historyTable = makeTable(QStringLiteral("DeployHistory"), m_history);
    m_historyTable->setSelectionMode(QAbstractItemView::NoSelection);
    // Fixed widths: sizing 200 rows to contents on every poll is wasted work.
    QHeaderView* header = m_historyTable->horizontalHeader();
    const QFontMetrics metrics = m_historyTable->fontMetrics();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->resizeSection(RolloutHistoryModel::When,
                          metrics.horizontalAdvance(QStringLiteral("0000-00-00 00:00:00__")));
    header->resizeSection(RolloutHistoryModel::Action,
                          metrics.horizontalAdvance(QStringLiteral("Deploy started____")));
    header->resizeSection(RolloutHistoryModel::Versions, metrics.averageCharWidth() * 16);
    header->resizeSection(RolloutHistoryModel::Percent, metrics.averageCharWidth() * 8);
    header->resizeSection(RolloutHistoryModel::Who, metrics.averageCharWidth() * 22);
    m_historyDock = addDock(this, m_historyTable, tr("Release History"),
                            QStringLiteral("DeployHistoryDock"), Qt::BottomDockWidgetArea);
}

void DeployWorkspace::buildActions() {
    const auto add = [this](const char* name, const QString& text, const QKeySequence& shortcut,
                            const QString& tip, auto slot) {
        auto* action = new QAction(text, this);
        action->setShortcut(shortcut);
        action->setToolTip(tip);
        // Like Simulate's keys: they act while focus is in this workspace.
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action);
        connect(action, &QAction::triggered, this, slot);
        m_actions.insert(QString::fromLatin1(name), action);
    };
    add("deploy", tr("&Deploy…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D),
        tr("Deploy a version of the selected flow (Ctrl+Shift+D)"), [this] { openDeployDialog(); });
    add("promote", tr("&Promote…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P),
        tr("Move the rollout past its current step (Ctrl+Shift+P)"), [this] { requestPromote(); });
    add("abort", tr("&Abort…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A),
        tr("Stop the rollout: new conversations go back to the stable version (Ctrl+Shift+A)"),
        [this] { requestAbort(); });
    add("rollback", tr("Roll &Back…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B),
        tr("Make an earlier version serve every new conversation now (Ctrl+Shift+B)"),
        [this] { requestRollback(); });
    add("refresh", tr("&Refresh"), QKeySequence(Qt::Key_F5),
        tr("Read the flows, the rollout and the history again (F5)"), [this] { refresh(); });
}

QList<QAction*> DeployWorkspace::deployActions() const {
    QList<QAction*> list;
    for (const char* name : {"deploy", "promote", "abort", "rollback", "refresh"}) {
        list << m_actions.value(QLatin1String(name));
    }
    return list;
}

void DeployWorkspace::updateActions() {
    const bool connected = m_service->hasAddress();
    const auto& current = m_panel->rollout();
    const bool running = current && current->inProgress();
    const client::RemoteFlow* flow = m_flows->flow(m_flowId);
    m_actions.value(QStringLiteral("deploy"))->setEnabled(connected);
    m_actions.value(QStringLiteral("promote"))->setEnabled(running);
    m_actions.value(QStringLiteral("abort"))->setEnabled(running);
    m_actions.value(QStringLiteral("rollback"))
        ->setEnabled(flow && (!flow->activeVersion.empty() || running));
    m_actions.value(QStringLiteral("refresh"))->setEnabled(connected);
}

void DeployWorkspace::connectFromBar() {
    QString error;
    if (!connectTo(m_address->text().trimmed(), &error)) {
        showBanner(error);
    }
}

bool DeployWorkspace::connectTo(const QString& address, QString* error) {
    if (!isNodeAddress(address)) {
        if (error) {
            *error = tr("'%1' is not a node address: use HOST:PORT").arg(address);
        }
        return false;
    }
    m_service->setAddress(address);
    m_address->setText(address);
    m_connection->setText(tr("Connecting to %1…").arg(address));
    m_flowsPending = m_rolloutPending = false; // answers for the old address never come
    m_pollCount = 0;
    m_flowId.clear();
    ++m_flowGeneration;
    m_flows->setFlows({});
    m_versions->setVersions({});
    m_history->clear();
    m_panel->showEmpty(tr("Select a flow to see its rollout."));
    clearBanner();
    updateActions();
    Q_EMIT statusMessage(tr("Deploy: connecting to %1…").arg(address), 3000);
    refresh();
    return true;
}

QString DeployWorkspace::address() const {
    return m_service->address();
}

void DeployWorkspace::connectWith(const QString& address, client::Credentials credentials) {
    const QString target = address.isEmpty() ? m_service->address() : address;
    m_service->setCredentials(std::move(credentials));
    if (!target.isEmpty()) {
        connectTo(target); // one new client, with the new credentials, and a fresh start
    }
}

void DeployWorkspace::setAddressSuggestion(std::function<QString()> suggestion) {
    m_suggestion = std::move(suggestion);
}

void DeployWorkspace::adoptSuggestedAddress() {
    if (m_service->hasAddress() || m_userTypedAddress || !m_suggestion) {
        return;
    }
    const QString suggested = m_suggestion();
    if (!suggested.isEmpty()) {
        connectTo(suggested);
    }
}

void DeployWorkspace::showBanner(const QString& text, bool fromPoll) {
    m_banner->setText(text);
    m_bannerFromPoll = fromPoll;
    m_bannerBox->show();
}

void DeployWorkspace::clearBanner() {
    m_banner->clear();
    m_bannerFromPoll = false;
    m_bannerBox->hide();
}

QString DeployWorkspace::bannerText() const {
    return m_bannerBox->isHidden() ? QString() : m_banner->text();
}

const std::optional<engine::release::Rollout>& DeployWorkspace::rollout() const {
    return m_panel->rollout();
}

void DeployWorkspace::selectFlow(const QString& flowId) {
    const int row = m_flows->rowOf(flowId);
    if (row >= 0) {
        m_flowTable->selectRow(row);
    } else {
        m_flowTable->clearSelection();
        setFlow(flowId); // not listed yet (just pushed): the next flow list selects it
    }
}

void DeployWorkspace::onFlowSelectionChanged() {
    // A refreshed list drops the selection and gets it back: only a different flow counts.
    const QModelIndexList rows = m_flowTable->selectionModel()->selectedRows();
    if (!rows.isEmpty()) {
        setFlow(QString::fromStdString(m_flows->flows().at(rows.front().row()).flowId));
    }
}

void DeployWorkspace::setFlow(const QString& flowId) {
    if (flowId == m_flowId) {
        return;
    }
    m_flowId = flowId;
    ++m_flowGeneration;
    m_rolloutPending = false;
    m_rolloutMark.clear();
    m_versions->setVersions({});
    m_history->clear();
    m_panel->setRollout(m_flowId, std::nullopt, QDateTime::currentMSecsSinceEpoch());
    m_panel->showEmpty(m_flowId.isEmpty() ? tr("Select a flow to see its rollout.")
                                          : tr("Reading %1's rollout…").arg(m_flowId));
    updateActions();
    if (!m_flowId.isEmpty()) {
        fetchVersions();
        fetchRollout();
        fetchHistory();
    }
}

void DeployWorkspace::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (!m_shownOnce) {
        // Sized once the window has its size (and unless a saved layout said otherwise): the
        // history gets a fifth of the height, enough for six or seven rows.
        m_shownOnce = true;
        if (!m_layoutRestored) {
            resizeDocks({m_historyDock}, {std::max(170, height() / 5)}, Qt::Vertical);
        }
    }
    adoptSuggestedAddress();
    m_poll.start();
    m_clock.start();
    poll();
}

void DeployWorkspace::hideEvent(QHideEvent* event) {
    QMainWindow::hideEvent(event);
    m_poll.stop();
    m_clock.stop();
}

void DeployWorkspace::restoreLayout(const QByteArray& state) {
    if (!state.isEmpty()) {
        m_layoutRestored = restoreState(state);
    }
}

} // namespace flowdeck::console
