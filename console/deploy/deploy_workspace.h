#pragma once

#include "flowdeck/client/releases_client.h"
#include "flowdeck/engine/release.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <optional>

class QAction;
class QDockWidget;
class QLabel;
class QLineEdit;
class QTableView;

namespace flowdeck::console {

class DeployDialog;
class DesignWorkspace;
class ReasonDialog;
class ReleaseService;
class RemoteFlowModel;
class RemoteVersionModel;
class RolloutHistoryModel;
class RolloutPanel;

// The Deploy workspace: one flowd node's flows and their releases. The node's flows on the left
// with the selected one's versions below; its rollout in progress (or latest) on the right, with
// the canary's numbers beside the stable version's; the flow's release history in a dock. While
// shown it polls the rollout every 1.5 s and the flows every 10 s. Deploy…, Promote, Abort and
// Roll back are one action each; every call runs on ReleaseService's thread, and what the node
// refuses shows in a banner over the workspace, never in a stack of message boxes.
class DeployWorkspace final : public QMainWindow {
    Q_OBJECT
public:
    static constexpr int kPollMs = 1500;
    static constexpr int kFlowsEveryPolls = 7; // ~10 s

    // `design` (may be null) supplies the flow a deploy can push.
    explicit DeployWorkspace(DesignWorkspace* design, QWidget* parent = nullptr);
    ~DeployWorkspace() override;

    // Talks to HOST:PORT from now on; false with *error for a malformed address.
    bool connectTo(const QString& address, QString* error = nullptr);
    QString address() const;
    // Talks to `address` (empty: the node it talks to now) with these TLS settings and token
    // from now on (a connection profile's).
    void connectWith(const QString& address, client::Credentials credentials);
    // Asked while nothing is connected: an address to adopt (the Clusters workspace's node).
    void setAddressSuggestion(std::function<QString()> suggestion);

    void selectFlow(const QString& flowId);
    QString selectedFlow() const { return m_flowId; }
    // Fetches the flows, and the selected flow's versions, rollout and history, now.
    void refresh();

    // Opens the deploy dialog for the selected flow (window-modal, not blocking).
    DeployDialog* openDeployDialog();
    // Each asks for a reason first (window-modal, not blocking), then calls the node.
    ReasonDialog* requestPromote();
    ReasonDialog* requestAbort();
    ReasonDialog* requestRollback();
    // The calls themselves, for the dialogs above and for runbooks.
    void promote(const QString& reason, bool toFull = false);
    void abort(const QString& reason);
    void rollback(const QString& reason, const QString& toVersion = {});

    QList<QAction*> deployActions() const;
    QAction* action(const QString& name) const { return m_actions.value(name); }
    RemoteFlowModel* flowModel() const { return m_flows; }
    RemoteVersionModel* versionModel() const { return m_versions; }
    RolloutHistoryModel* historyModel() const { return m_history; }
    RolloutPanel* rolloutPanel() const { return m_panel; }
    QTableView* flowTable() const { return m_flowTable; }
    QTableView* versionTable() const { return m_versionTable; }
    const std::optional<engine::release::Rollout>& rollout() const;
    // What the node last refused or why it cannot be reached; empty when all is well.
    QString bannerText() const;
    bool isPolling() const { return m_poll.isActive(); }
    void restoreLayout(const QByteArray& state);

Q_SIGNALS:
    void statusMessage(const QString& message, int timeoutMs);

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    // deploy_workspace.cpp: widgets
    QWidget* buildConnectionBar();
    QWidget* buildFlowLists();
    QWidget* buildRolloutSide();
    void buildHistoryDock();
    void buildActions();
    void updateActions();
    void connectFromBar();
    void adoptSuggestedAddress();
    void showBanner(const QString& text, bool fromPoll = false);
    void clearBanner();
    void onFlowSelectionChanged();
    void setFlow(const QString& flowId);
    // deploy_workspace_calls.cpp: the node
    void poll();
    void fetchFlows();
    void fetchVersions();
    void fetchRollout();
    void fetchHistory();
    void onRollout(const client::CallResult<engine::release::Rollout>& result);
    void afterAction(const QString& done, const client::CallError* error,
                     const std::optional<engine::release::Rollout>& rollout = std::nullopt);
    ReasonDialog* askReason(const QString& title, const QString& question, const QString& confirm);
    QString selectedVersion() const;

    DesignWorkspace* m_design;
    ReleaseService* m_service;
    RemoteFlowModel* m_flows;
    RemoteVersionModel* m_versions;
    RolloutHistoryModel* m_history;
    RolloutPanel* m_panel = nullptr;
    QLineEdit* m_address = nullptr;
    QLabel* m_connection = nullptr;
    QLabel* m_banner = nullptr;
    QWidget* m_bannerBox = nullptr;
    QTableView* m_flowTable = nullptr;
    QTableView* m_versionTable = nullptr;
    QTableView* m_historyTable = nullptr;
    QDockWidget* m_historyDock = nullptr;
    bool m_shownOnce = false;
    bool m_layoutRestored = false;
    QHash<QString, QAction*> m_actions;
    std::function<QString()> m_suggestion;
    QString m_flowId;
    QTimer m_poll;
    QTimer m_clock;
    int m_pollCount = 0;
    // Calls of each kind in flight: a slow node gets no second poll on top of the first.
    bool m_rolloutPending = false;
    bool m_flowsPending = false;
    // Bumped when the selected flow changes: answers about the previous one are dropped.
    quint64 m_flowGeneration = 0;
    // The rollout state and step last seen: the history is fetched again when they move.
    QString m_rolloutMark;
    bool m_userTypedAddress = false;
    // The banner says the node cannot be read (cleared by the next good poll), rather than
    // that it refused an action (cleared by the next action or by hand).
    bool m_bannerFromPoll = false;
};

} // namespace flowdeck::console
