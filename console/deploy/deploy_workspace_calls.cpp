// DeployWorkspace's side that talks to the node: polling the flows and the selected flow's
// rollout, versions and history, and the actions (deploy, promote, abort, roll back). Each call
// runs on ReleaseService's thread; answers about a flow no longer selected are dropped.
#include "deploy/deploy_workspace.h"

#include "deploy/deploy_dialog.h"
#include "deploy/reason_dialog.h"
#include "deploy/release_service.h"
#include "deploy/remote_flow_models.h"
#include "deploy/rollout_format.h"
#include "deploy/rollout_history_model.h"
#include "deploy/rollout_panel.h"
#include "design/design_workspace.h"
#include "models/flow_document.h"

#include <QDateTime>
#include <QFileInfo>
#include <QLabel>
#include <QTableView>

namespace flowdeck::console {

namespace rel = engine::release;

namespace {

constexpr int kNotFound = 5; // gRPC NOT_FOUND

} // namespace

void DeployWorkspace::refresh() {
    m_pollCount = 0; // the flows too
    poll();
    if (!m_flowId.isEmpty()) {
        fetchVersions();
        fetchHistory();
    }
}

void DeployWorkspace::poll() {
    if (!m_service->hasAddress()) {
        adoptSuggestedAddress();
        return;
    }
    if (m_pollCount++ % kFlowsEveryPolls == 0) {
        fetchFlows();
    }
    if (!m_flowId.isEmpty()) {
        fetchRollout();
    }
}

void DeployWorkspace::fetchFlows() {
    if (m_flowsPending) {
        return;
    }
    m_flowsPending = true;
    m_service->call<std::vector<client::RemoteFlow>>(
        this, [](client::ReleasesClient& releases) { return releases.listFlows(); },
        [this](const client::CallResult<std::vector<client::RemoteFlow>>& result) {
            m_flowsPending = false;
            if (!result) {
                m_connection->setText(tr("Cannot reach %1").arg(address()));
                showBanner(tr("Cannot list the flows of %1: %2")
                               .arg(address(), describeError(result.error)),
                           true);
                return;
            }
            m_connection->setText(
                tr("Connected to %1: %2")
                    .arg(address(), rollout_text::counted(static_cast<qint64>(result->size()),
                                                          tr("1 flow"), tr("%1 flows"))));
            if (m_bannerFromPoll) {
                clearBanner();
            }
            m_flows->setFlows(*result);
            QString wanted = m_flowId;
            if (wanted.isEmpty() && !result->empty()) {
                // First look: the flow with a canary running, else the first one.
                wanted = QString::fromStdString(result->front().flowId);
                for (const client::RemoteFlow& flow : *result) {
                    if (!flow.canaryVersion.empty()) {
                        wanted = QString::fromStdString(flow.flowId);
                        break;
                    }
                }
            }
            if (const int row = m_flows->rowOf(wanted); row >= 0) {
                m_flowTable->selectRow(row);
            }
            updateActions();
        });
}

void DeployWorkspace::fetchVersions() {
    const quint64 generation = m_flowGeneration;
    m_service->call<std::vector<client::RemoteFlowVersion>>(
        this,
        [id = m_flowId.toStdString()](client::ReleasesClient& releases) {
            return releases.listVersions(id);
        },
        [this, generation](const client::CallResult<std::vector<client::RemoteFlowVersion>>& r) {
            if (generation != m_flowGeneration) {
                return;
            }
            if (r) {
                m_versions->setVersions(*r);
            } else if (r.error.grpcCode != kNotFound) {
                showBanner(
                    tr("Cannot list the versions of %1: %2").arg(m_flowId, describeError(r.error)),
                    true);
            }
        });
}

void DeployWorkspace::fetchRollout() {
    if (m_rolloutPending) {
        return;
    }
    m_rolloutPending = true;
    const quint64 generation = m_flowGeneration;
    m_service->call<rel::Rollout>(
        this,
        [id = m_flowId.toStdString()](client::ReleasesClient& releases) {
            return releases.rollout(id);
        },
        [this, generation](const client::CallResult<rel::Rollout>& result) {
            if (generation != m_flowGeneration) {
                return;
            }
            m_rolloutPending = false;
            onRollout(result);
        });
}

void DeployWorkspace::onRollout(const client::CallResult<rel::Rollout>& result) {
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!result && result.error.grpcCode != kNotFound) {
        showBanner(tr("Cannot read the rollout of %1 from %2: %3")
                       .arg(m_flowId, address(), describeError(result.error)),
                   true);
        return;
    }
    if (m_bannerFromPoll) {
        clearBanner();
    }
    const std::optional<rel::Rollout> rollout =
        result ? std::optional<rel::Rollout>(*result) : std::nullopt;
    m_panel->setRollout(m_flowId, rollout, now);
    // A new step, pause or end shows in the history (and an end in the flow list's columns).
    const QString mark = rollout ? QStringLiteral("%1/%2/%3")
                                       .arg(QString::fromStdString(rollout->rolloutId))
                                       .arg(static_cast<int>(rollout->state))
                                       .arg(rollout->currentStep)
                                 : QString();
    if (mark != m_rolloutMark) {
        const bool first = m_rolloutMark.isEmpty();
        m_rolloutMark = mark;
        fetchHistory();
        if (!first) {
            fetchFlows();
        }
    }
    updateActions();
}

void DeployWorkspace::fetchHistory() {
    const quint64 generation = m_flowGeneration;
    rel::HistoryQuery query;
    query.flowId = m_flowId.toStdString();
    query.limit = RolloutHistoryModel::kMaxRows;
    m_service->call<rel::HistoryPage>(
        this, [query](client::ReleasesClient& releases) { return releases.history(query); },
        [this, generation](const client::CallResult<rel::HistoryPage>& page) {
            if (generation != m_flowGeneration) {
                return;
            }
            if (page) {
                m_history->setEntries(page->entries);
            } else if (page.error.grpcCode != kNotFound) {
                showBanner(tr("Cannot read the release history of %1: %2")
                               .arg(m_flowId, describeError(page.error)),
                           true);
            }
        });
}

DeployDialog* DeployWorkspace::openDeployDialog() {
    if (!m_service->hasAddress()) {
        showBanner(tr("Connect to a node first: type its HOST:PORT above."));
        return nullptr;
    }
    DeployDialog::Context context;
    context.flowId = m_flowId;
    context.flows = m_flows->flows();
    context.versions = m_versions->versions();
    if (m_design && m_design->document()->stateCount() > 0) {
        context.designFlow = m_design->document()->flow();
        context.designName = QFileInfo(m_design->filePath()).fileName();
    }
    auto* dialog = new DeployDialog(m_service, std::move(context), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DeployDialog::deployed, this,
            [this](const rel::Rollout& rollout, const QString& pushed) {
                const QString flowId = QString::fromStdString(rollout.flowId);
                const QString version = QString::fromStdString(rollout.version);
                afterAction(pushed.isEmpty()
                                ? tr("Deploying %1 of %2").arg(version, flowId)
                                : tr("Pushed and deploying %1 of %2").arg(version, flowId),
                            nullptr);
                selectFlow(flowId);
                refresh();
            });
    dialog->open();
    return dialog;
}

ReasonDialog* DeployWorkspace::askReason(const QString& title, const QString& question,
                                         const QString& confirm) {
    auto* dialog = new ReasonDialog(title, question, confirm, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

ReasonDialog* DeployWorkspace::requestPromote() {
    const auto& current = m_panel->rollout();
    if (!current || !current->inProgress()) {
        showBanner(tr("%1 has no rollout in progress to promote.").arg(m_flowId));
        return nullptr;
    }
    ReasonDialog* dialog =
        askReason(tr("Promote"),
                  tr("Move %1's rollout of %2 past %3?")
                      .arg(m_flowId, QString::fromStdString(current->version),
                           m_panel->stepText().section(QStringLiteral(" — "), 0, 0).toLower()),
                  tr("Promote"));
    dialog->addOption(tr("Skip the remaining steps: straight to 100 %"));
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { promote(dialog->reason(), dialog->optionChecked()); });
    return dialog;
}

ReasonDialog* DeployWorkspace::requestAbort() {
    const auto& current = m_panel->rollout();
    if (!current || !current->inProgress()) {
        showBanner(tr("%1 has no rollout in progress to abort.").arg(m_flowId));
        return nullptr;
    }
    ReasonDialog* dialog =
        askReason(tr("Abort Rollout"),
                  tr("Abort %1's rollout of %2? Every new conversation goes back to %3.")
                      .arg(m_flowId, QString::fromStdString(current->version),
                           QString::fromStdString(current->stableVersion)),
                  tr("Abort Rollout"));
    connect(dialog, &QDialog::accepted, this, [this, dialog] { abort(dialog->reason()); });
    return dialog;
}

QString DeployWorkspace::selectedVersion() const {
    const QModelIndexList rows = m_versionTable->selectionModel()->selectedRows();
    return rows.isEmpty()
               ? QString()
               : QString::fromStdString(m_versions->versions().at(rows.front().row()).version);
}

ReasonDialog* DeployWorkspace::requestRollback() {
    if (m_flowId.isEmpty()) {
        showBanner(tr("Select a flow to roll back."));
        return nullptr;
    }
    // A version picked in the list (other than the live one) is the target; else the previous.
    const client::RemoteFlow* flow = m_flows->flow(m_flowId);
    QString target = selectedVersion();
    if (flow && target == QString::fromStdString(flow->activeVersion)) {
        target.clear();
    }
    const QString to = target.isEmpty() ? tr("the version active before the current one") : target;
    ReasonDialog* dialog =
        askReason(tr("Roll Back"),
                  tr("Roll %1 back to %2? It serves every new conversation at once, and a "
                     "rollout in progress ends.")
                      .arg(m_flowId, to),
                  tr("Roll Back"));
    connect(dialog, &QDialog::accepted, this,
            [this, dialog, target] { rollback(dialog->reason(), target); });
    return dialog;
}

void DeployWorkspace::promote(const QString& reason, bool toFull) {
    const auto& current = m_panel->rollout();
    // The rollout's id makes the node refuse if another rollout started since this screen saw it.
    const std::string rolloutId = current ? current->rolloutId : std::string();
    m_service->call<rel::Rollout>(
        this,
        [id = m_flowId.toStdString(), rolloutId, toFull,
         why = reason.toStdString()](client::ReleasesClient& releases) {
            return releases.promote(id, rolloutId, toFull, why);
        },
        [this](const client::CallResult<rel::Rollout>& r) {
            afterAction(tr("Promoted %1").arg(m_flowId), r ? nullptr : &r.error,
                        r ? std::optional<rel::Rollout>(*r) : std::nullopt);
        });
}

void DeployWorkspace::abort(const QString& reason) {
    const auto& current = m_panel->rollout();
    const std::string rolloutId = current ? current->rolloutId : std::string();
    m_service->call<rel::Rollout>(
        this,
        [id = m_flowId.toStdString(), rolloutId, why = reason.toStdString()](
            client::ReleasesClient& releases) { return releases.abort(id, rolloutId, why); },
        [this](const client::CallResult<rel::Rollout>& r) {
            afterAction(tr("Aborted %1's rollout").arg(m_flowId), r ? nullptr : &r.error,
                        r ? std::optional<rel::Rollout>(*r) : std::nullopt);
        });
}

void DeployWorkspace::rollback(const QString& reason, const QString& toVersion) {
    m_service->call<rel::RollbackOutcome>(
        this,
        [id = m_flowId.toStdString(), to = toVersion.toStdString(), why = reason.toStdString()](
            client::ReleasesClient& releases) { return releases.rollback(id, to, why); },
        [this](const client::CallResult<rel::RollbackOutcome>& r) {
            afterAction(r ? tr("Rolled %1 back to %2")
                                .arg(m_flowId, QString::fromStdString(r->activeVersion))
                          : QString(),
                        r ? nullptr : &r.error);
        });
}

void DeployWorkspace::afterAction(const QString& done, const client::CallError* error,
                                  const std::optional<rel::Rollout>& rollout) {
    if (error) {
        showBanner(tr("The node refused: %1").arg(describeError(*error)));
        return;
    }
    clearBanner();
    Q_EMIT statusMessage(done, 5000);
    if (rollout && QString::fromStdString(rollout->flowId) == m_flowId) {
        onRollout(client::CallResult<rel::Rollout>{rollout, {}});
    }
    refresh();
}

} // namespace flowdeck::console
