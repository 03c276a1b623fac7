// DeployDialog's side that talks to the node: the chosen flow's versions, the documents for the
// diff, and push + deploy. Every call goes through ReleaseService (a worker thread); results that
// a newer choice overtook are dropped by generation.
#include "deploy/deploy_dialog.h"

#include "deploy/release_service.h"

#include "flowdeck/engine/flow_json.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>

#include <utility>

namespace flowdeck::console {

namespace rel = engine::release;

namespace {

constexpr int kNotFound = 5; // gRPC NOT_FOUND

QString jsonKey(const QString& flowId, const QString& version) {
    return flowId + QLatin1Char('@') + version;
}

} // namespace

void DeployDialog::onFlowChanged() {
    const QString flowId = currentFlowId();
    const quint64 generation = ++m_versionsGeneration;
    if (flowId.isEmpty()) {
        fillVersions({});
        validate();
        scheduleDiff();
        return;
    }
    m_service->call<std::vector<client::RemoteFlowVersion>>(
        this,
        [id = flowId.toStdString()](client::ReleasesClient& releases) {
            return releases.listVersions(id);
        },
        [this, generation](const client::CallResult<std::vector<client::RemoteFlowVersion>>& r) {
            if (generation != m_versionsGeneration) {
                return;
            }
            if (!r && r.error.grpcCode != kNotFound) {
                setStatus(tr("Cannot list the versions: %1").arg(describeError(r.error)), true);
            }
            fillVersions(r ? *r : std::vector<client::RemoteFlowVersion>{});
            if (!m_preferVersion.isEmpty()) {
                const int index = m_versions->findData(std::exchange(m_preferVersion, {}));
                if (index >= 0) {
                    m_versions->setCurrentIndex(index);
                    m_fromCluster->setChecked(true);
                }
            }
            validate();
            scheduleDiff();
        });
}

void DeployDialog::scheduleDiff() {
    ++m_diffGeneration; // whatever is in flight describes an older choice
    m_diffReady = false;
    m_diffTitle->setText(tr("Comparing with the live version…"));
    m_diffTimer.start();
}

void DeployDialog::computeDiff() {
    const quint64 generation = ++m_diffGeneration;
    const QString flowId = currentFlowId();
    const QString live = liveVersion();
    if (flowId.isEmpty() || (!usesDesign() && m_versions->currentIndex() < 0)) {
        m_diffTitle->setText(tr("Choose what to deploy to see what it changes."));
        m_diff->clear();
        return;
    }
    if (!live.isEmpty() && !m_json.contains(jsonKey(flowId, live))) {
        fetchJson(flowId, live, generation);
    }
    if (!usesDesign()) {
        const QString version = m_versions->currentData().toString();
        if (!m_json.contains(jsonKey(flowId, version)) && version != live) {
            fetchJson(flowId, version, generation);
        }
    }
    showDiff(generation);
}

void DeployDialog::fetchJson(const QString& flowId, const QString& version, quint64 generation) {
    m_service->call<client::RemoteFlowVersion>(
        this,
        [id = flowId.toStdString(), v = version.toStdString()](client::ReleasesClient& releases) {
            return releases.version(id, v);
        },
        [this, key = jsonKey(flowId, version), version,
         generation](const client::CallResult<client::RemoteFlowVersion>& r) {
            if (!r) {
                if (generation == m_diffGeneration) {
                    m_diffTitle->setText(tr("Cannot fetch %1 for the diff: %2")
                                             .arg(version, describeError(r.error)));
                }
                return;
            }
            m_json.insert(key, QString::fromStdString(r->flowJson));
            if (generation == m_diffGeneration) {
                showDiff(generation);
            }
        });
}

void DeployDialog::showDiff(quint64 generation) {
    if (generation != m_diffGeneration) {
        return;
    }
    const QString flowId = currentFlowId();
    const QString live = liveVersion();
    const QString version = usesDesign() ? QString() : m_versions->currentData().toString();
    const QString liveKey = jsonKey(flowId, live);
    const QString newKey = jsonKey(flowId, version);
    if ((!live.isEmpty() && !m_json.contains(liveKey)) ||
        (!usesDesign() && !m_json.contains(newKey))) {
        return; // the other document is still on its way
    }
    engine::Flow before;
    if (!live.isEmpty()) {
        auto parsed = engine::parseFlow(m_json.value(liveKey).toStdString());
        if (!parsed.flow) {
            m_diffTitle->setText(tr("The live version %1 does not parse; no diff.").arg(live));
            return;
        }
        before = std::move(*parsed.flow);
    }
    std::optional<engine::Flow> after;
    if (usesDesign()) {
        after = m_context.designFlow;
    } else {
        after = engine::parseFlow(m_json.value(newKey).toStdString()).flow;
    }
    if (!after) {
        m_diffTitle->setText(tr("Version %1 does not parse; no diff.").arg(version));
        return;
    }
    const engine::FlowDiff diff = engine::diffFlows(before, *after);
    const QString target = usesDesign() ? tr("the Design flow") : version;
    m_diffTitle->setText(
        live.isEmpty()
            ? tr("Nothing of %1 is live yet: everything in %2 is new.").arg(flowId, target)
            : tr("Live %1 → %2: %3").arg(live, target, diffSummary(diff)));
    m_diff->setPlainText(QString::fromStdString(engine::formatDiff(diff)));
    m_diffReady = true;
}

void DeployDialog::startDeploy() {
    QString problem;
    auto planned = plan(&problem);
    if (!planned || m_busy) {
        setStatus(problem, true);
        return;
    }
    m_busy = true;
    validate();
    if (!usesDesign()) {
        deployVersion(std::move(*planned), {});
        return;
    }
    setStatus(tr("Pushing the Design flow to %1…").arg(currentFlowId()), false);
    m_service->call<client::PushedVersion>(
        this,
        [id = planned->flowId, json = engine::serializeFlow(*m_context.designFlow),
         note = m_note->text().trimmed().toStdString()](client::ReleasesClient& releases) {
            return releases.push(id, json, note);
        },
        [this, planned = *planned](const client::CallResult<client::PushedVersion>& r) {
            if (!r) {
                fail(tr("Push refused"), r.error);
                return;
            }
            rel::DeployPlan next = planned;
            next.version = r->version;
            deployVersion(std::move(next), QString::fromStdString(r->version));
        });
}

void DeployDialog::deployVersion(rel::DeployPlan plan, const QString& pushed) {
    setStatus(tr("Deploying %1 of %2…")
                  .arg(QString::fromStdString(plan.version), QString::fromStdString(plan.flowId)),
              false);
    m_service->call<rel::Rollout>(
        this, [plan](client::ReleasesClient& releases) { return releases.deploy(plan); },
        [this, pushed](const client::CallResult<rel::Rollout>& r) {
            if (r) {
                m_busy = false;
                Q_EMIT deployed(*r, pushed);
                accept();
                return;
            }
            if (!pushed.isEmpty()) {
                // Stored already: a second try deploys it instead of pushing a copy.
                m_preferVersion = pushed;
                onFlowChanged();
            }
            fail(tr("Deploy refused"), r.error);
        });
}

void DeployDialog::fail(const QString& what, const client::CallError& error) {
    m_busy = false;
    validate();
    setStatus(tr("%1: %2").arg(what, describeError(error)), true);
}

} // namespace flowdeck::console
