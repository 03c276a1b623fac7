// The Simulate workspace's trace timeline, context editor and stubs panel, fed by real engine
// runs of resources/flows/order_support.json with the stubs of order_support.stubs.json.
#include "graph/graph_style.h"
#include "simulate/context_editor.h"
#include "simulate/stubs_panel.h"
#include "simulate/trace_model.h"
#include "simulate/trace_panel.h"

#include "flowdeck/engine/executor.h"
#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/integration_gateway.h"
#include "flowdeck/engine/stub_file.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTest>
#include <QTreeView>
#include <QTreeWidget>

#include <fstream>
#include <memory>
#include <sstream>

using namespace flowdeck;
using console::ContextEditor;
using console::StubsPanel;
using console::TraceModel;
using console::TracePanel;
using engine::Json;
using engine::TraceKind;

namespace {

std::string readFile(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

Json orderStubs() {
    return Json::parse(readFile(RESOURCES_DIR "/flows/order_support.stubs.json"));
}

// One simulated conversation of order_support: start, then each input, traced.
struct Simulation {
    engine::Flow flow;
    std::shared_ptr<const engine::CompiledFlow> compiled;
    engine::StubGateway gateway;
    engine::ConversationState state;
    std::vector<engine::ExecutionResult> turns; // turns[0] is the opening

    Simulation() {
        auto parsed = engine::parseFlow(readFile(RESOURCES_DIR "/flows/order_support.json"));
        flow = *parsed.flow;
        compiled = engine::compileFlow(flow);
        state.user = {{"name", "Ana"}, {"premium", false}};
    }
    void run(const std::vector<std::string>& inputs) {
        engine::Executor executor(gateway);
        engine::ExecutionOptions options;
        options.trace = true;
        turns.push_back(executor.start(*compiled, state, options));
        for (const std::string& text : inputs) {
            engine::InboundMessage message;
            message.text = text;
            turns.push_back(executor.process(*compiled, state, message, options));
        }
    }
};

const std::vector<std::string> kToLookup = {"hello", "where is my order?", "it's AB-12345"};

std::unique_ptr<Simulation> lookupRun() {
    auto sim = std::make_unique<Simulation>();
    if (!engine::loadStubs(orderStubs().dump(), sim->gateway).empty()) {
        return nullptr;
    }
    sim->run(kToLookup);
    return sim;
}

int findEvent(const engine::Trace& trace, TraceKind kind, const std::string& state, int from = 0) {
    for (int i = from; i < int(trace.size()); ++i) {
        if (trace[size_t(i)].kind == kind && trace[size_t(i)].state == state) {
            return i;
        }
    }
    return -1;
}

// The first row under `parent` (depth-first) whose text starts with `prefix`.
QModelIndex findRow(const QAbstractItemModel& model, const QModelIndex& parent,
                    const QString& prefix) {
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (index.data().toString().startsWith(prefix)) {
            return index;
        }
        if (const QModelIndex found = findRow(model, index, prefix); found.isValid()) {
            return found;
        }
    }
    return {};
}

// Json compared as its text: ordered_json's key order is part of what must round-trip.
std::string text(const Json& value) {
    return value.dump();
}

bool saveGrab(QWidget& widget, const QString& path) {
    return widget.grab().save(path);
}

} // namespace

class tst_SimulateWidgets final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void traceHasOneRowPerEventAndTheCallsRequestUrlAsAChild();
    void traceMutesFalseConditionsAndColoursErrors();
    void tracePanelEmitsTheStateOfAClickedOrEnteredRow();
    void tracePanelFiltersByKindAndText();
    void contextEditorTakesJsonOrAString();
    void contextEditorMarksWhatTheLastTurnChanged();
    void contextEditorRefusesOversizedValuesAndLockedEdits();
    void contextEditorAddsAndRemovesKeys();
    void stubsPanelRoundTripsTheStubsFile();
    void stubsPanelFailureMakesTheLookupFail();
    void stubsPanelKeepsInvalidBodyJsonOut();
    void stubsPanelShowsLiveRowsAsAWarning();
    void widgetsRenderReadably();
};

void tst_SimulateWidgets::traceHasOneRowPerEventAndTheCallsRequestUrlAsAChild() {
    auto sim = lookupRun();
    QVERIFY(sim);
    const engine::ExecutionResult& turn = sim->turns.back();
    QCOMPARE(turn.stateAfter, std::string("report_shipped"));
    TraceModel model;
    model.setTrace(turn.trace);
    QCOMPARE(model.rowCount(), int(turn.trace.size()));

    const int call = findEvent(turn.trace, TraceKind::IntegrationCall, "lookup_order");
    QVERIFY(call >= 0);
    const QModelIndex row = model.index(call, 0);
    QCOMPARE(model.index(call, TraceModel::StepColumn).data().toString(),
             QStringLiteral("integration call"));
    QCOMPARE(model.index(call, TraceModel::StateColumn).data().toString(),
             QStringLiteral("lookup_order"));
    QVERIFY(model.index(call, TraceModel::TimeColumn).data().toString().startsWith('+'));
    QVERIFY(model.index(call, TraceModel::TimeColumn).data().toString().endsWith(" ms"));

    const QModelIndex request = findRow(model, row, QStringLiteral("request:"));
    QVERIFY(request.isValid());
    const QModelIndex url = findRow(model, request, QStringLiteral("url:"));
    QCOMPARE(url.data().toString(), QStringLiteral("url: http://127.0.0.1:8099/orders/AB-12345"));
    QCOMPARE(url.data(TraceModel::StateRole).toString(), QStringLiteral("lookup_order"));
    QCOMPARE(url.data(TraceModel::IsEventRole).toBool(), false);
    // The response body is JSON text; it reads as a tree down to the order's status.
    const QModelIndex response = findRow(model, row, QStringLiteral("response:"));
    const QModelIndex body = findRow(model, response, QStringLiteral("body:"));
    QVERIFY(body.data().toString().contains("JSON text"));
    QVERIFY(findRow(model, body, QStringLiteral("status: shipped")).isValid());
}

void tst_SimulateWidgets::traceMutesFalseConditionsAndColoursErrors() {
    auto sim = lookupRun();
    QVERIFY(sim);
    engine::Trace trace = sim->turns.back().trace;
    // ask_order tries "human_agent" (priority 20) before "slot_filled": false, then true.
    int falseRow = -1;
    int trueRow = -1;
    for (int i = 0; i < int(trace.size()); ++i) {
        const auto& e = trace[size_t(i)];
        if (e.kind == TraceKind::ConditionEvaluated && e.state == "ask_order") {
            (Json::parse(e.data)["result"] == true ? trueRow : falseRow) = i;
        }
    }
    QVERIFY(falseRow >= 0 && trueRow > falseRow);
    // Slot extraction problems are the engine's error events; one is appended as it would be.
    trace.push_back({TraceKind::Error, "ask_order", -1, "slot 'order_id': not a valid order",
                     R"({"slot":"order_id","error":"not a valid order"})", 900, 0});
    TraceModel model;
    model.setTrace(trace);
    const auto colour = [&](int row) {
        return model.index(row, TraceModel::DetailColumn).data(Qt::ForegroundRole);
    };
    QCOMPARE(colour(falseRow).value<QColor>(), TraceModel::mutedColor());
    QVERIFY(!colour(trueRow).isValid());
    QCOMPARE(colour(int(trace.size()) - 1).value<QColor>(), console::graph_style::errorColor());
    QCOMPARE(model.index(trueRow, 0).data(TraceModel::TransitionRole).toInt(),
             trace[size_t(trueRow)].transition);
    QVERIFY(trace[size_t(trueRow)].transition >= 0);
}

void tst_SimulateWidgets::tracePanelEmitsTheStateOfAClickedOrEnteredRow() {
    auto sim = lookupRun();
    QVERIFY(sim);
    const engine::ExecutionResult& turn = sim->turns.back();
    TracePanel panel;
    panel.resize(900, 520);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.showTurn(3, turn);
    QVERIFY2(panel.headerText().startsWith(
                 QStringLiteral("Turn 3 · %1 steps · ").arg(turn.trace.size())),
             qPrintable(panel.headerText()));

    QSignalSpy spy(&panel, &TracePanel::stateActivated);
    const int taken = findEvent(turn.trace, TraceKind::TransitionTaken, "ask_order");
    QVERIFY(taken >= 0);
    QTreeView* view = panel.view();
    const QModelIndex index = view->model()->index(taken, TraceModel::DetailColumn);
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("ask_order"));
    QCOMPARE(spy.at(0).at(1).toInt(), turn.trace[size_t(taken)].transition);

    const int call = findEvent(turn.trace, TraceKind::IntegrationCall, "lookup_order");
    view->setFocus();
    view->setCurrentIndex(view->model()->index(call, 0));
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toString(), QStringLiteral("lookup_order"));
    QCOMPARE(spy.at(1).at(1).toInt(), -1);

    panel.clear();
    const auto* stack = panel.findChild<QStackedWidget*>();
    const auto* empty = qobject_cast<QLabel*>(stack->currentWidget());
    QVERIFY(empty);
    QCOMPARE(empty->text(), QStringLiteral("Send a message to see its trace"));
    QCOMPARE(view->model()->rowCount(), 0);
}

void tst_SimulateWidgets::tracePanelFiltersByKindAndText() {
    auto sim = lookupRun();
    QVERIFY(sim);
    TracePanel panel;
    panel.showTurn(3, sim->turns.back());
    QAbstractItemModel* shown = panel.view()->model();
    const int all = shown->rowCount();
    QComboBox* kind = panel.kindFilter();
    kind->setCurrentIndex(kind->findData(int(TraceKind::IntegrationCall)));
    QCOMPARE(shown->rowCount(), 1);
    QCOMPARE(shown->index(0, TraceModel::StateColumn).data().toString(),
             QStringLiteral("lookup_order"));
    QVERIFY(shown->rowCount(shown->index(0, 0)) > 0); // the call's data rows stay visible
    kind->setCurrentIndex(0);
    QCOMPARE(shown->rowCount(), all);
    // Text matches inside data rows too: the carrier is only in the response body.
    panel.filterEdit()->setText(QStringLiteral("dhl"));
    QVERIFY(shown->rowCount() >= 1);
    QVERIFY(shown->rowCount() < all);
    panel.filterEdit()->setText(QStringLiteral("no such text anywhere"));
    QCOMPARE(shown->rowCount(), 0);
}

void tst_SimulateWidgets::contextEditorTakesJsonOrAString() {
    auto sim = lookupRun();
    QVERIFY(sim);
    ContextEditor editor;
    editor.resize(420, 400);
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    editor.setConversation(sim->state, sim->turns.back().contextUpdates);
    QSignalSpy edited(&editor, &ContextEditor::edited);

    // Through the delegate, as a designer does: F2 on the value, type, Enter.
    QTreeWidget* tree = editor.tree();
    QTreeWidgetItem* premium = editor.itemFor("user", "premium");
    QVERIFY(premium);
    QCOMPARE(premium->text(ContextEditor::ValueColumn), QStringLiteral("false"));
    tree->setFocus();
    tree->setCurrentItem(premium, ContextEditor::ValueColumn);
    QTest::keyClick(tree, Qt::Key_F2);
    auto* line = tree->viewport()->findChild<QLineEdit*>();
    QVERIFY(line);
    line->selectAll();
    QTest::keyClicks(line, QStringLiteral("true"));
    QTest::keyClick(line, Qt::Key_Return);
    QTRY_COMPARE(edited.count(), 1); // the delegate commits Enter through a queued call
    QCOMPARE(premium->text(ContextEditor::ValueColumn), QStringLiteral("true"));

    // Through the model, as any view would.
    QAbstractItemModel* model = tree->model();
    const QModelIndex userGroup = model->index(2, 0);
    QCOMPARE(userGroup.data().toString(), QStringLiteral("user"));
    const QModelIndex name = findRow(*model, userGroup, QStringLiteral("name"));
    QVERIFY(model->setData(name.siblingAtColumn(ContextEditor::ValueColumn), "premium"));
    QCOMPARE(edited.count(), 2);
    QCOMPARE(name.siblingAtColumn(1).data().toString(), QStringLiteral("\"premium\""));

    engine::ConversationState state = sim->state;
    editor.applyTo(state);
    QVERIFY(state.user["premium"].is_boolean());
    QCOMPARE(state.user["premium"].get<bool>(), true);
    QCOMPARE(text(state.user["name"]), text(Json("premium")));
    QCOMPARE(text(state.slots), text(sim->state.slots));
    QCOMPARE(text(state.vars), text(sim->state.vars));

    // An object typed as text stays an object.
    editor.itemFor("vars", "eta")->setText(1, R"({"day": "Thursday", "window": [9, 12]})");
    editor.applyTo(state);
    QCOMPARE(text(state.vars["eta"]["window"][1]), text(Json(12)));
}

void tst_SimulateWidgets::contextEditorMarksWhatTheLastTurnChanged() {
    auto sim = lookupRun();
    QVERIFY(sim);
    const auto& updates = sim->turns.back().contextUpdates;
    QVERIFY(updates.count("vars.carrier") == 1);
    QVERIFY(updates.count("slots.order_id") == 1);
    ContextEditor editor;
    editor.setConversation(sim->state, updates);
    QTreeWidgetItem* carrier = editor.itemFor("vars", "carrier");
    QVERIFY(carrier);
    QCOMPARE(carrier->text(1), QStringLiteral("\"DHL\""));
    QVERIFY(carrier->font(1).bold());
    QCOMPARE(carrier->foreground(1).color(), console::graph_style::accentColor());
    QVERIFY(editor.itemFor("slots", "order_id")->font(0).bold());
    QVERIFY(!editor.itemFor("user", "name")->font(0).bold());

    editor.filterEdit()->setText(QStringLiteral("thursday"));
    QVERIFY(!editor.itemFor("vars", "eta")->isHidden());
    QVERIFY(editor.itemFor("vars", "carrier")->isHidden());
}

void tst_SimulateWidgets::contextEditorRefusesOversizedValuesAndLockedEdits() {
    engine::ConversationState state;
    state.user = {{"name", "Ana"}};
    ContextEditor editor;
    editor.setConversation(state);
    QSignalSpy edited(&editor, &ContextEditor::edited);
    QTreeWidgetItem* name = editor.itemFor("user", "name");
    name->setText(1, QString(ContextEditor::kMaxValueBytes + 10, QLatin1Char('x')));
    QCOMPARE(edited.count(), 0);
    QVERIFY(editor.message().contains("64 KiB"));
    QCOMPARE(name->text(1), QStringLiteral("\"Ana\""));

    editor.setEditable(false);
    QCOMPARE(editor.tree()->editTriggers(), QAbstractItemView::NoEditTriggers);
    name->setText(1, QStringLiteral("Bea"));
    QCOMPARE(edited.count(), 0);
    QCOMPARE(name->text(1), QStringLiteral("\"Ana\""));
    engine::ConversationState out;
    editor.applyTo(out);
    QCOMPARE(text(out.user), text(Json({{"name", "Ana"}})));
}

void tst_SimulateWidgets::contextEditorAddsAndRemovesKeys() {
    engine::ConversationState state;
    state.vars = {{"a", 1}, {"b", 2}};
    ContextEditor editor;
    editor.setConversation(state);
    QSignalSpy edited(&editor, &ContextEditor::edited);
    editor.tree()->setCurrentItem(editor.itemFor("vars", "a"));
    editor.addKey();
    QTreeWidgetItem* added = editor.itemFor("vars", "new_key");
    QVERIFY(added);
    added->setText(0, QStringLiteral("retries"));
    editor.itemFor("vars", "retries")->setText(1, QStringLiteral("3"));
    editor.tree()->setCurrentItem(editor.itemFor("vars", "a"));
    editor.removeSelected();
    QCOMPARE(edited.count(), 4);
    engine::ConversationState out;
    editor.applyTo(out);
    QCOMPARE(text(out.vars), text(Json({{"b", 2}, {"retries", 3}})));
    // A rename onto an existing key is refused.
    editor.itemFor("vars", "retries")->setText(0, QStringLiteral("b"));
    QVERIFY(editor.message().contains("already"));
    editor.applyTo(out);
    QCOMPARE(text(out.vars), text(Json({{"b", 2}, {"retries", 3}})));
}

void tst_SimulateWidgets::stubsPanelRoundTripsTheStubsFile() {
    Simulation sim;
    const QStringList names = StubsPanel::integrationNames(sim.flow);
    QCOMPARE(names, QStringList{QStringLiteral("orders_api")});
    StubsPanel panel;
    panel.setIntegrations(names, orderStubs());
    QCOMPARE(text(panel.stubsJson()), text(orderStubs()));
    QCOMPARE(panel.table()->rowCount(), 1);

    Json stubs = orderStubs();
    stubs["crm"] = Json::parse(R"([{"kind": "failure", "status": 503},
                                    {"kind": "slow", "delay_ms": 800}])");
    panel.setIntegrations({"orders_api", "crm", "billing"}, stubs);
    QCOMPARE(panel.table()->rowCount(), 4); // crm answers two calls differently
    Json expected = stubs;
    expected["billing"] = {{"kind", "success"}, {"status", 200}, {"body", Json::object()}};
    QCOMPARE(text(panel.stubsJson()), text(expected));
    const int slow = panel.rowOf("crm", 1);
    QCOMPARE(panel.kindBox(slow)->currentData().toString(), QStringLiteral("slow"));
    QCOMPARE(panel.delayBox(slow)->value(), 800);
    QVERIFY(panel.delayBox(slow)->isEnabled());
    QVERIFY(!panel.delayBox(panel.rowOf("crm", 0))->isEnabled());
    engine::StubGateway gateway;
    QVERIFY(panel.applyTo(gateway).empty());

    // Switching to slow offers a delay at once (a slow answer with none would be a success).
    const int billing = panel.rowOf("billing");
    QVERIFY(!panel.delayBox(billing)->isEnabled());
    panel.kindBox(billing)->setCurrentIndex(panel.kindBox(billing)->findData("slow"));
    QVERIFY(panel.delayBox(billing)->isEnabled());
    QCOMPARE(panel.delayBox(billing)->value(), 1000);
    QCOMPARE(
        text(panel.stubsJson()["billing"]),
        text({{"kind", "slow"}, {"status", 200}, {"body", Json::object()}, {"delay_ms", 1000}}));
}

void tst_SimulateWidgets::stubsPanelFailureMakesTheLookupFail() {
    Simulation sim;
    StubsPanel panel;
    panel.setIntegrations(StubsPanel::integrationNames(sim.flow), orderStubs());
    QSignalSpy changed(&panel, &StubsPanel::changed);
    const int row = panel.rowOf("orders_api");
    QComboBox* kind = panel.kindBox(row);
    kind->setCurrentIndex(kind->findData(QStringLiteral("failure")));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(panel.statusBox(row)->value(), 500); // a failure does not claim 200
    QCOMPARE(text(panel.stubsJson()["orders_api"]["kind"]), text(Json("failure")));

    QVERIFY(panel.applyTo(sim.gateway).empty());
    sim.run(kToLookup);
    const engine::ExecutionResult& turn = sim.turns.back();
    QCOMPARE(turn.stateAfter, std::string("lookup_failed"));
    QCOMPARE(turn.failedIntegrations, std::vector<std::string>{"orders_api"});
    TraceModel model;
    model.setTrace(turn.trace);
    const int call = findEvent(turn.trace, TraceKind::IntegrationCall, "lookup_order");
    QCOMPARE(model.index(call, 0).data(Qt::ForegroundRole).value<QColor>(),
             console::graph_style::warningColor());
}

void tst_SimulateWidgets::stubsPanelKeepsInvalidBodyJsonOut() {
    StubsPanel panel;
    panel.setIntegrations({"orders_api"}, orderStubs());
    QSignalSpy changed(&panel, &StubsPanel::changed);
    panel.selectRow(0);
    QVERIFY(panel.bodyEdit()->toPlainText().contains("AB-12345"));
    panel.bodyEdit()->setPlainText(QStringLiteral("{\"order\": {\"status\": "));
    QVERIFY(panel.bodyError().startsWith("Not applied"));
    QVERIFY(panel.bodyError().contains("line 1"));
    QCOMPARE(changed.count(), 0);
    QCOMPARE(text(panel.stubsJson()), text(orderStubs()));

    panel.bodyEdit()->setPlainText(QStringLiteral("{\"order\": {\"status\": \"delayed\"}}"));
    QVERIFY(panel.bodyError().isEmpty());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(text(panel.stubsJson()["orders_api"]["body"]["order"]["status"]),
             text(Json("delayed")));
}

void tst_SimulateWidgets::stubsPanelShowsLiveRowsAsAWarning() {
    StubsPanel panel;
    panel.setIntegrations({"orders_api"}, orderStubs());
    QVERIFY(panel.summary().contains("no real endpoint"));
    QComboBox* kind = panel.kindBox(0);
    kind->setCurrentIndex(kind->findData(QStringLiteral("live")));
    QTableWidgetItem* name = panel.table()->item(0, StubsPanel::NameColumn);
    QCOMPARE(name->foreground().color(), console::graph_style::warningColor());
    QVERIFY(name->toolTip().contains("calls the real endpoint"));
    QVERIFY(panel.summary().contains("real endpoint"));
    QVERIFY(!panel.bodyEdit()->isEnabled());
    // No live gateway in the simulator: the call fails rather than reaching the network.
    engine::StubGateway gateway;
    QVERIFY(panel.applyTo(gateway).empty());
    engine::IntegrationRequest request;
    request.integration = "orders_api";
    QVERIFY(!gateway.call(request).ok());
}

void tst_SimulateWidgets::widgetsRenderReadably() {
    auto sim = lookupRun();
    QVERIFY(sim);
    TracePanel trace;
    trace.resize(820, 460);
    trace.show();
    QVERIFY(QTest::qWaitForWindowExposed(&trace));
    trace.showTurn(3, sim->turns.back());
    const int call = findEvent(sim->turns.back().trace, TraceKind::IntegrationCall, "lookup_order");
    QTreeView* view = trace.view();
    view->expand(view->model()->index(call, 0));
    view->expand(findRow(*view->model(), view->model()->index(call, 0), "request:"));
    view->scrollTo(view->model()->index(call, 0), QAbstractItemView::PositionAtTop);
    QVERIFY(saveGrab(trace, "/tmp/simw_trace.png"));

    ContextEditor context;
    context.resize(420, 380);
    context.show();
    QVERIFY(QTest::qWaitForWindowExposed(&context));
    context.setConversation(sim->state, sim->turns.back().contextUpdates);
    QVERIFY(saveGrab(context, "/tmp/simw_context.png"));

    StubsPanel stubs;
    stubs.resize(460, 420);
    stubs.show();
    QVERIFY(QTest::qWaitForWindowExposed(&stubs));
    Json extra = orderStubs();
    extra["crm"] = Json::parse(R"([{"kind": "failure", "status": 503},
                                   {"kind": "slow", "delay_ms": 800}])");
    stubs.setIntegrations({"orders_api", "crm", "billing"}, extra);
    stubs.kindBox(stubs.rowOf("billing"))->setCurrentIndex(4);
    stubs.selectRow(0);
    QVERIFY(saveGrab(stubs, "/tmp/simw_stubs.png"));
    stubs.selectRow(stubs.rowOf("crm", 1));
    stubs.bodyEdit()->setPlainText(QStringLiteral("{\"ok\": tru}"));
    QVERIFY(saveGrab(stubs, "/tmp/simw_stubs_invalid.png"));
    context.resize(300, 380);
    QVERIFY(saveGrab(context, "/tmp/simw_context_narrow.png"));
}

QTEST_MAIN(tst_SimulateWidgets)
#include "tst_simulate_widgets.moc"
