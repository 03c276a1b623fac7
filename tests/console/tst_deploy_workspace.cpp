// The Deploy workspace against a real flowd on 127.0.0.1, driven as a person would: the flow
// open in Design pushed and released all at once, then an edited copy deployed as a canary with
// a manual step through the dialog's own widgets (the diff against the live version shown first),
// seen PAUSED at its share, promoted with a reason, seen SUCCEEDED, every step in the history with
// its reason; an abort with its reason on screen; refusals and a dead node in the banner.
#include "../server/flowd_process.h"

#include "app/console_options.h"
#include "app/main_window.h"
#include "clusters/chart_adapter.h"
#include "deploy/analysis_table_model.h"
#include "deploy/deploy_dialog.h"
#include "deploy/deploy_workspace.h"
#include "deploy/reason_dialog.h"
#include "deploy/remote_flow_models.h"
#include "deploy/rollout_history_model.h"
#include "deploy/rollout_panel.h"
#include "design/design_workspace.h"
#include "models/flow_document.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include "flowdeck/client/releases_client.h"
#include "flowdeck/v1/conversations.grpc.pb.h"

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <thread>

using flowdeck::console::DeployDialog;
using flowdeck::console::DeployWorkspace;
using flowdeck::console::MainWindow;
using flowdeck::console::ReasonDialog;
using flowdeck::console::RemoteFlowModel;
using flowdeck::console::RolloutHistoryModel;
namespace rel = flowdeck::engine::release;

namespace {

constexpr int kCallMs = 8000; // a call's answer, with room for a loaded machine

QString activeVersion(const DeployWorkspace& deploy, const QString& flowId) {
    const auto* flow = deploy.flowModel()->flow(flowId);
    return flow ? QString::fromStdString(flow->activeVersion) : QString();
}

bool historyHas(const DeployWorkspace& deploy, rel::HistoryAction action, const QString& why) {
    const RolloutHistoryModel* model = deploy.historyModel();
    for (int row = 0; row < model->rowCount(); ++row) {
        const rel::HistoryEntry& entry = model->entry(row);
        if (entry.action == action && QString::fromStdString(entry.why).contains(why)) {
            return true;
        }
    }
    return false;
}

bool rolloutIs(const DeployWorkspace& deploy, rel::RolloutState state) {
    return deploy.rollout() && deploy.rollout()->state == state;
}

// Changes the greeting's reply in the Design document, as the inspector would.
void editGreeting(MainWindow& window, const std::string& reply) {
    auto* document = window.design()->document();
    const auto id = document->idOf(QStringLiteral("greeting"));
    QVERIFY(id);
    flowdeck::engine::State state = *document->state(*id);
    state.config["response_templates"]["default"] = reply;
    document->replaceState(*id, state);
}

// Fills the dialog for the Design flow; true once the diff is shown and Deploy is enabled.
bool fillFromDesign(DeployDialog* dialog, const QString& steps, const QString& reason) {
    dialog->designSource()->setChecked(true);
    if (steps.isEmpty()) {
        dialog->allAtOnce()->setChecked(true);
    } else {
        dialog->canary()->setChecked(true);
        dialog->stepsEdit()->setText(steps);
    }
    dialog->reasonEdit()->setText(reason);
    if (!QTest::qWaitFor([&] { return dialog->isDiffReady(); }, kCallMs)) {
        qWarning("no diff: %s", qPrintable(dialog->diffTitle()->text()));
        return false;
    }
    if (!dialog->deployButton()->isEnabled()) {
        qWarning("Deploy disabled: %s", qPrintable(dialog->statusLabel()->text()));
        return false;
    }
    return true;
}

// Clicks Deploy on a filled dialog and waits until the node accepted it. The dialog deletes
// itself once it closes: read it before.
bool confirmDeploy(DeployDialog* dialog) {
    QSignalSpy deployed(dialog, &DeployDialog::deployed);
    QPointer<QLabel> status = dialog->statusLabel();
    dialog->deployButton()->click();
    if (!QTest::qWaitFor([&] { return deployed.count() == 1; }, kCallMs)) {
        qWarning("not deployed: %s", status ? qPrintable(status->text()) : "(closed)");
        return false;
    }
    return true;
}

bool deployFromDesign(DeployDialog* dialog, const QString& steps, const QString& reason) {
    return fillFromDesign(dialog, steps, reason) && confirmDeploy(dialog);
}

// A flow whose one integration calls `url`: "Found it (VERSION)" after a 2xx, "Sorry (VERSION)"
// otherwise (the shape tests/server/tst_releases.cpp uses).
std::string shopFlow(const std::string& tag, const std::string& url) {
    const auto reply = [](const std::string& text) {
        return nlohmann::json{{"response_templates", {{"default", text}}}};
    };
    const auto to = [](const char* condition, const char* target) {
        return nlohmann::json{{"condition", condition}, {"target_state", target}};
    };
    nlohmann::json flow = {
        {"name", "shop"},
        {"version", tag},
        {"initial_state", "ask"},
        {"states",
         {{"ask",
           {{"type", "response"},
            {"config", reply("Which order?")},
            {"transitions", {to("any_input", "lookup")}}}},
          {"lookup",
           {{"type", "integration"},
            {"config",
             {{"integration", "orders"}, {"method", "GET"}, {"url", url}, {"timeout_ms", 2000}}},
            {"transitions",
             {to("on_success", "ok"), to("on_failure", "failed"), to("timeout", "failed")}}}},
          {"ok",
           {{"type", "response"},
            {"config", reply("Found it (" + tag + ")")},
            {"transitions", {to("any_input", "lookup")}}}},
          {"failed",
           {{"type", "response"},
            {"config", reply("Sorry (" + tag + ")")},
            {"transitions", {to("any_input", "lookup")}}}}}}};
    return flow.dump();
}

// An HTTP stub on 127.0.0.1: /ok answers 200 with JSON, /fail answers 500.
class StubServer final {
public:
    StubServer() {
        m_server.Get("/ok", [](const httplib::Request&, httplib::Response& res) {
            res.set_content("{\"order\":{\"status\":\"shipped\"}}", "application/json");
        });
        m_server.Get("/fail", [](const httplib::Request&, httplib::Response& res) {
            res.status = 500;
            res.set_content("{\"error\":\"boom\"}", "application/json");
        });
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
    }
    ~StubServer() {
        m_server.stop();
        m_thread.join();
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(m_port) + path;
    }

private:
    httplib::Server m_server;
    std::thread m_thread;
    int m_port = 0;
};

// Opens `count` new conversations on "shop", one message each; how many were answered.
int converse(const std::string& target, const std::string& prefix, int count) {
    auto stub = flowdeck::v1::Conversations::NewStub(
        grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
    int answered = 0;
    for (int i = 0; i < count; ++i) {
        flowdeck::v1::ProcessMessageRequest request;
        request.set_tenant_id("default");
        request.set_conversation_id(prefix + std::to_string(i));
        request.mutable_content()->set_text("order 42");
        request.mutable_hints()->set_force_flow("shop");
        flowdeck::v1::ProcessMessageResponse response;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        answered += stub->ProcessMessage(&context, request, &response).ok() ? 1 : 0;
    }
    return answered;
}

// Fills the dialog for a version stored on the node, as a canary checked every second.
bool fillFromNode(DeployDialog* dialog, const QString& version, const QString& steps,
                  const QString& reason) {
    dialog->clusterSource()->setChecked(true);
    const int index = dialog->versionBox()->findData(version);
    if (index < 0) {
        qWarning("version %s is not offered", qPrintable(version));
        return false;
    }
    dialog->versionBox()->setCurrentIndex(index);
    dialog->canary()->setChecked(true);
    dialog->stepsEdit()->setText(steps);
    dialog->errorRateCheck()->setChecked(true);
    dialog->errorRatePercent()->setValue(10.0);
    dialog->p95Check()->setChecked(false);
    dialog->minMessages()->setValue(5);
    dialog->checkIntervalSeconds()->setValue(1);
    dialog->reasonEdit()->setText(reason);
    return QTest::qWaitFor([&] { return dialog->isDiffReady(); }, kCallMs) &&
           dialog->deployButton()->isEnabled();
}

} // namespace

class tst_DeployWorkspace : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_data;
    QTemporaryDir m_flows;
    flowd_test::FlowdProcess m_flowd;
    std::unique_ptr<MainWindow> m_window;

    DeployWorkspace* deploy() const { return m_window->deploy(); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(QFile::copy(RESOURCES_DIR "/flows/order_support.json",
                            m_flows.filePath("order_support.json")));
        QVERIFY2(m_flowd.start(m_data.path(), m_flows.path()), "flowd did not become ready");
        m_window = std::make_unique<MainWindow>(nullptr);
        m_window->resize(1400, 900);
        QVERIFY(m_window->design()->openFile(RESOURCES_DIR "/flows/order_support.json"));
        m_window->show();
        m_window->showWorkspace("deploy");
        QCOMPARE(m_window->currentWorkspace(), QString("deploy"));
        QVERIFY(deploy()->isPolling());
        QVERIFY(deploy()->connectTo(m_flowd.grpcAddress()));
        QTRY_VERIFY_WITH_TIMEOUT(deploy()->flowModel()->rowOf("order_support") >= 0, kCallMs);
    }

    void optionsOfferTheDeployWorkspace() {
        QString error;
        const auto options = flowdeck::console::parseConsoleOptions(
            {"flowdeck", "--workspace", "deploy", "--connect", "127.0.0.1:7443"}, &error);
        QVERIFY2(options, qPrintable(error));
        QCOMPARE(options->workspace, QString("deploy"));
        QCOMPARE(m_window->deploy()->action("deploy")->shortcut(),
                 QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    }

    void releasesTheDesignFlowThenPromotesACanaryOfAnEdit() {
        // A first release of a new flow: nothing live, so everything in the diff is new.
        DeployDialog* first = deploy()->openDeployDialog();
        QVERIFY(first);
        first->flowBox()->setEditText("greeter");
        QVERIFY(fillFromDesign(first, {}, "first release of greeter"));
        QTRY_VERIFY2(first->diffTitle()->text().contains("Nothing of greeter is live"),
                     qPrintable(first->diffTitle()->text()));
        QVERIFY(confirmDeploy(first));
        QTRY_COMPARE_WITH_TIMEOUT(deploy()->selectedFlow(), QString("greeter"), kCallMs);
        QTRY_VERIFY_WITH_TIMEOUT(!activeVersion(*deploy(), "greeter").isEmpty(), kCallMs);
        const QString stable = activeVersion(*deploy(), "greeter");

        // An edit, as a canary holding at 30 % until promoted; the diff names the change.
        editGreeting(*m_window, "Hello! Orders or a person: which one?");
        DeployDialog* canary = deploy()->openDeployDialog();
        QCOMPARE(canary->flowBox()->currentText(), QString("greeter"));
        QVERIFY(fillFromDesign(canary, "30%:manual", "friendlier greeting"));
        QVERIFY2(canary->diffTitle()->text().startsWith("Live " + stable),
                 qPrintable(canary->diffTitle()->text()));
        QVERIFY2(canary->diffView()->toPlainText().contains("~ state greeting"),
                 qPrintable(canary->diffView()->toPlainText()));
        QVERIFY(confirmDeploy(canary));

        QTRY_VERIFY_WITH_TIMEOUT(rolloutIs(*deploy(), rel::RolloutState::Paused), kCallMs);
        const rel::Rollout paused = *deploy()->rollout();
        QCOMPARE(paused.currentPercent, 30u);
        QCOMPARE(paused.stableVersion, stable.toStdString());
        QCOMPARE(deploy()->rolloutPanel()->stateText(), QString("Paused"));
        QCOMPARE(deploy()->rolloutPanel()->percent(), 30);
        QCOMPARE(deploy()->rolloutPanel()->timerText(), QString("Waiting for Promote"));
        QVERIFY(deploy()->rolloutPanel()->stepText().startsWith("Step 1 of 1"));
        QVERIFY(deploy()->action("promote")->isEnabled());
        QVERIFY(deploy()->action("abort")->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(
            deploy()
                ->flowModel()
                ->index(deploy()->flowModel()->rowOf("greeter"), RemoteFlowModel::Canary)
                .data()
                .toString(),
            QString::fromStdString(paused.version), kCallMs);

        // Promote asks why; without a reason it cannot be confirmed.
        ReasonDialog* reason = deploy()->requestPromote();
        QVERIFY(reason);
        QVERIFY(!reason->confirmButton()->isEnabled());
        reason->reasonEdit()->setText("metrics look fine");
        QVERIFY(reason->confirmButton()->isEnabled());
        reason->confirmButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(rolloutIs(*deploy(), rel::RolloutState::Succeeded), kCallMs);
        QCOMPARE(deploy()->rolloutPanel()->stateText(), QString("Succeeded"));
        QCOMPARE(deploy()->rolloutPanel()->percent(), 100);
        QVERIFY(!deploy()->action("promote")->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(activeVersion(*deploy(), "greeter"),
                                  QString::fromStdString(paused.version), kCallMs);

        // Every step is in the history with its reason.
        QTRY_VERIFY_WITH_TIMEOUT(
            historyHas(*deploy(), rel::HistoryAction::Promoted, "metrics look fine"), kCallMs);
        QVERIFY(historyHas(*deploy(), rel::HistoryAction::DeployStarted, "friendlier greeting"));
        QVERIFY(deploy()->historyModel()->rowCount() >= 3);
        QVERIFY2(deploy()->bannerText().isEmpty(), qPrintable(deploy()->bannerText()));
    }

    void anAbortShowsWhyOnScreen() {
        editGreeting(*m_window, "Hi again! Orders or a person?");
        QVERIFY(deployFromDesign(deploy()->openDeployDialog(), "20%:manual", "try another"));
        QTRY_VERIFY_WITH_TIMEOUT(rolloutIs(*deploy(), rel::RolloutState::Paused), kCallMs);

        // A second deploy while this one runs is refused in the dialog, which stays open.
        DeployDialog* again = deploy()->openDeployDialog();
        QVERIFY(fillFromDesign(again, "50%:manual", "one more"));
        again->deployButton()->click();
        QTRY_VERIFY2_WITH_TIMEOUT(again->statusLabel()->text().startsWith("Deploy refused"),
                                  qPrintable(again->statusLabel()->text()), kCallMs);
        QVERIFY(again->isVisible());
        again->reject();

        ReasonDialog* reason = deploy()->requestAbort();
        QVERIFY(reason);
        reason->reasonEdit()->setText("wrong copy in the greeting");
        reason->confirmButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(rolloutIs(*deploy(), rel::RolloutState::Aborted), kCallMs);
        QCOMPARE(deploy()->rolloutPanel()->stateText(), QString("Aborted"));
        QCOMPARE(deploy()->rolloutPanel()->reasonText(),
                 QString::fromStdString(deploy()->rollout()->stateReason));
        QVERIFY(!deploy()->rolloutPanel()->reasonText().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(
            historyHas(*deploy(), rel::HistoryAction::Aborted, "wrong copy in the greeting"),
            kCallMs);
    }

    void chartsFillAndAFailingCanaryAbortsWithItsReasonShown() {
        // "shop" 1 is live; 2 answers the same, 3's integration gets 500s.
        StubServer stub;
        flowdeck::client::ClientOptions options;
        options.address = m_flowd.grpcTarget();
        flowdeck::client::ReleasesClient releases(options);
        const auto push = [&](const std::string& tag, const std::string& url) {
            const auto pushed = releases.push("shop", shopFlow(tag, url), "version " + tag);
            return pushed ? QString::fromStdString(pushed->version) : QString();
        };
        const QString live = push("a", stub.url("/ok"));
        QVERIFY(!live.isEmpty());
        rel::DeployPlan direct;
        direct.flowId = "shop";
        direct.version = live.toStdString();
        direct.reason = "first shop";
        QVERIFY(releases.deploy(direct));
        const QString healthy = push("b", stub.url("/ok"));
        const QString failing = push("c", stub.url("/fail"));
        QVERIFY(!healthy.isEmpty() && !failing.isEmpty());

        deploy()->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(deploy()->flowModel()->rowOf("shop") >= 0, kCallMs);
        deploy()->selectFlow("shop");
        QTRY_COMPARE_WITH_TIMEOUT(deploy()->versionModel()->rowCount(), 3, kCallMs);

        // A healthy canary held at 50 %: each poll adds the measured canary and stable points.
        DeployDialog* dialog = deploy()->openDeployDialog();
        QVERIFY(fillFromNode(dialog, healthy, "50%:manual", "charts"));
        QVERIFY2(dialog->diffTitle()->text().startsWith("Live " + live + " → " + healthy),
                 qPrintable(dialog->diffTitle()->text()));
        QVERIFY(confirmDeploy(dialog));
        QTRY_VERIFY_WITH_TIMEOUT(rolloutIs(*deploy(), rel::RolloutState::Paused), kCallMs);
        QCOMPARE(converse(m_flowd.grpcTarget(), "healthy-", 40), 40);
        QTRY_VERIFY_WITH_TIMEOUT(deploy()->rolloutPanel()->errorChart()->pointCount() >= 4,
                                 kCallMs);
        QVERIFY(deploy()->rolloutPanel()->latencyChart()->pointCount() >= 4);
        const auto* table = deploy()->rolloutPanel()->analysisModel();
        QVERIFY(table->hasAnalysis());
        QVERIFY(table
                    ->index(flowdeck::console::AnalysisTableModel::Messages,
                            flowdeck::console::AnalysisTableModel::Canary)
                    .data()
                    .toInt() > 0);
        ReasonDialog* reason = deploy()->requestAbort();
        reason->reasonEdit()->setText("charts seen");
        reason->confirmButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(rolloutIs(*deploy(), rel::RolloutState::Aborted), kCallMs);

        // A canary whose integration fails aborts by itself; the screen says why.
        dialog = deploy()->openDeployDialog();
        QVERIFY(fillFromNode(dialog, failing, "50%:analysis=60s", "failing on purpose"));
        QVERIFY(confirmDeploy(dialog));
        QTRY_VERIFY_WITH_TIMEOUT(rolloutIs(*deploy(), rel::RolloutState::Progressing) &&
                                     deploy()->rollout()->version == failing.toStdString(),
                                 kCallMs);
        QCOMPARE(converse(m_flowd.grpcTarget(), "failing-", 40), 40);
        QTRY_VERIFY_WITH_TIMEOUT(rolloutIs(*deploy(), rel::RolloutState::Aborted), 10000);
        QCOMPARE(deploy()->rolloutPanel()->stateText(), QString("Aborted"));
        QVERIFY2(deploy()->rolloutPanel()->reasonText().contains("max_error_rate"),
                 qPrintable(deploy()->rolloutPanel()->reasonText()));
        QCOMPARE(table
                     ->index(flowdeck::console::AnalysisTableModel::ErrorRate,
                             flowdeck::console::AnalysisTableModel::Canary)
                     .data()
                     .toString(),
                 QString("100.00 %"));
        QTRY_VERIFY_WITH_TIMEOUT(
            historyHas(*deploy(), rel::HistoryAction::Aborted, "max_error_rate"), kCallMs);
        const auto& top = deploy()->historyModel()->entry(0);
        QVERIFY(top.automatic);
        QCOMPARE(deploy()->historyModel()->index(0, RolloutHistoryModel::Who).data().toString(),
                 QString("flowd (automatic)"));
    }

    void anUnreachableNodeShowsInTheBanner() {
        DeployWorkspace workspace(nullptr);
        workspace.show();
        const QString dead = QString("127.0.0.1:%1").arg(flowd_test::freePort());
        QVERIFY(workspace.connectTo(dead));
        QTRY_VERIFY_WITH_TIMEOUT(workspace.bannerText().contains(dead), kCallMs);
        QVERIFY(!workspace.action("promote")->isEnabled());
        QString error;
        QVERIFY(!workspace.connectTo("nowhere", &error));
        QVERIFY(error.contains("HOST:PORT"));
    }

    void cleanup() {
        if (QTest::currentTestFailed()) {
            qWarning("flowd said:\n%s", qPrintable(m_flowd.log()));
        }
    }

    void cleanupTestCase() {
        m_window.reset();
        int code = 0;
        QVERIFY(m_flowd.stop(&code));
    }
};

QTEST_MAIN(tst_DeployWorkspace)
#include "tst_deploy_workspace.moc"
