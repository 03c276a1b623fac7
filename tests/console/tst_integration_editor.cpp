// The integration editor of the Design inspector (headers, body, response mapping) driven like a
// user in the real main window: every gesture is one undo step, invalid input never reaches the
// document, and the widgets follow undo, redo and edits made elsewhere.
#include "app/main_window.h"
#include "design/design_workspace.h"
#include "graph/flow_scene.h"
#include "models/lint_runner.h"
#include "models/problems_model.h"
#include "widgets/integration_editor.h"
#include "widgets/state_inspector.h"

#include "flowdeck/engine/flow_json.h"
#include "flowdeck/engine/linter.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QCompleter>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

using namespace flowdeck::console;
namespace engine = flowdeck::engine;

namespace {

std::string documentJson(const FlowDocument& doc) {
    return engine::toJson(doc.flow()).dump();
}

engine::Json configOf(const FlowDocument& doc, StateId id, const std::string& key) {
    return doc.state(id)->config.value(key, engine::Json());
}

int errorCount(const std::vector<engine::Diagnostic>& diagnostics) {
    int errors = 0;
    for (const engine::Diagnostic& d : diagnostics) {
        errors += d.severity == engine::Severity::Error ? 1 : 0;
    }
    return errors;
}

} // namespace

class tst_IntegrationEditor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void shownOnlyForIntegrationStates();
    void headersBodyAndMappingAreOneUndoStepPerGesture();
    void followsEditsMadeElsewhereWithoutMovingTheCursor();

private:
    // Records the document after a gesture that must have been exactly one undo step.
    void step(const QString& undoText);

    std::unique_ptr<MainWindow> m_window;
    DesignWorkspace* m_design = nullptr;
    FlowDocument* m_doc = nullptr;
    IntegrationEditor* m_editor = nullptr;
    StateId m_lookup = 0;
    std::vector<std::string> m_snapshots; // the document after each step, first = as opened
};

void tst_IntegrationEditor::init() {
    m_window = std::make_unique<MainWindow>(nullptr);
    m_window->resize(1300, 900);
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_design = m_window->design();
    QVERIFY(m_design->openFile(QStringLiteral(RESOURCES_DIR "/flows/order_support.json")));
    m_doc = m_design->document();
    m_lookup = *m_doc->idOf(QStringLiteral("lookup_order"));
    m_design->scene()->selectStates({m_lookup});
    m_editor = m_design->inspector()->integrationEditor();
    QTRY_VERIFY(m_editor->isVisible());
    m_snapshots = {documentJson(*m_doc)};
}

void tst_IntegrationEditor::cleanup() {
    m_window.reset();
}

void tst_IntegrationEditor::step(const QString& undoText) {
    QCOMPARE(m_doc->undoStack()->undoText(), undoText);
    QCOMPARE(m_doc->undoStack()->index(), int(m_snapshots.size())); // one step, not several
    m_snapshots.push_back(documentJson(*m_doc));
}

void tst_IntegrationEditor::shownOnlyForIntegrationStates() {
    HeadersEditor* headers = m_editor->headers();
    QCOMPARE(headers->rowCount(), 1);
    QCOMPARE(headers->keyEdit(0)->text(), QStringLiteral("Accept"));
    QCOMPARE(headers->valueEdit(0)->text(), QStringLiteral("application/json"));
    QCOMPARE(m_editor->mapping()->rowCount(), 3);
    QCOMPARE(m_editor->mapping()->valueEdit(1)->text(), QStringLiteral("$.order.eta"));
    QCOMPARE(m_editor->body()->mode(), BodyEditor::Mode::None);

    m_design->scene()->selectStates({*m_doc->idOf(QStringLiteral("greeting"))});
    QTRY_VERIFY(!m_editor->isVisible());
    m_design->scene()->selectStates({m_lookup});
    QTRY_VERIFY(m_editor->isVisible());
    QCOMPARE(m_editor->headers()->rowCount(), 1);
}

void tst_IntegrationEditor::headersBodyAndMappingAreOneUndoStepPerGesture() {
    const std::vector<engine::Diagnostic> lintBefore = engine::lintFlow(m_doc->flow());
    QCOMPARE(errorCount(lintBefore), 0);

    // Headers: add one, name it, give it a templated value (with {{ completion on offer).
    HeadersEditor* headers = m_editor->headers();
    QTest::mouseClick(headers->addButton(), Qt::LeftButton);
    QCOMPARE(headers->rowCount(), 2);
    QVERIFY(configOf(*m_doc, m_lookup, "headers")["X-Header"] == engine::Json(""));
    step(QStringLiteral("Add header X-Header to lookup_order"));
    QTRY_VERIFY(headers->keyEdit(1)->hasFocus()); // the new name is selected: typing replaces it
    QTest::keyClicks(headers->keyEdit(1), QStringLiteral("X-Order-Id"));
    QVERIFY(!configOf(*m_doc, m_lookup, "headers").contains("X-Header"));
    step(QStringLiteral("Rename header X-Header of lookup_order"));
    auto* value = qobject_cast<TemplateLineEdit*>(headers->valueEdit(1));
    QVERIFY(value);
    value->setFocus();
    QTest::keyClicks(value, QStringLiteral("{{slots.ord"));
    QAbstractItemView* popup = value->completer()->popup();
    QTRY_VERIFY(popup->isVisible()); // {{ offers the flow's slots and variables
    QTest::keyClick(popup, Qt::Key_Down);
    QTest::keyClick(popup, Qt::Key_Return);
    QCOMPARE(value->text(), QStringLiteral("{{slots.order_id}}"));
    QVERIFY(configOf(*m_doc, m_lookup, "headers")["X-Order-Id"] ==
            engine::Json("{{slots.order_id}}"));
    step(QStringLiteral("Edit header X-Order-Id of lookup_order"));

    // A name equal to another row's is not written; the row says why.
    QTest::mouseClick(headers->addButton(), Qt::LeftButton);
    step(QStringLiteral("Add header X-Header to lookup_order"));
    QTRY_VERIFY(headers->keyEdit(2)->hasFocus());
    QTest::keyClicks(headers->keyEdit(2), QStringLiteral("Accept"));
    QVERIFY(headers->message(2).contains(QStringLiteral("row 1")));
    QCOMPARE(configOf(*m_doc, m_lookup, "headers").size(), size_t(3)); // "Accep" kept, no third
    QTest::keyClicks(headers->keyEdit(2), QStringLiteral("-Language"));
    QVERIFY(headers->message(2).isEmpty());
    QVERIFY(configOf(*m_doc, m_lookup, "headers").contains("Accept-Language"));
    step(QStringLiteral("Rename header X-Header of lookup_order"));
    QTest::mouseClick(headers->removeButton(2), Qt::LeftButton);
    QCOMPARE(headers->rowCount(), 2);
    step(QStringLiteral("Remove header Accept-Language from lookup_order"));

    // Body: a JSON object, written only when it parses; the error names line and column.
    BodyEditor* body = m_editor->body();
    body->modeBox()->setCurrentIndex(body->modeBox()->findData(int(BodyEditor::Mode::Json)));
    Q_EMIT body->modeBox()->activated(body->modeBox()->currentIndex());
    QVERIFY(configOf(*m_doc, m_lookup, "body") == engine::Json::object());
    step(QStringLiteral("Make body of lookup_order a JSON object"));
    QPlainTextEdit* json = body->jsonEdit();
    QTRY_VERIFY(json->isVisible());
    json->setFocus();
    json->selectAll();
    QTest::keyClicks(json, QStringLiteral("{\"order\": \"{{slots.order_id}}\""));
    QVERIFY(body->errorLabel()->isVisible());
    QVERIFY2(body->errorLabel()->text().contains(QStringLiteral("line 1, column")),
             qPrintable(body->errorLabel()->text()));
    QVERIFY(configOf(*m_doc, m_lookup, "body") == engine::Json::object()); // not written yet
    QTest::keyClicks(json, QStringLiteral("}"));
    QVERIFY(!body->errorLabel()->isVisible());
    QVERIFY(configOf(*m_doc, m_lookup, "body") == engine::Json({{"order", "{{slots.order_id}}"}}));
    step(QStringLiteral("Edit body of lookup_order"));

    // Mapping: the JSONPath is checked by the engine as you type; invalid ones stay out.
    MappingEditor* mapping = m_editor->mapping();
    QTest::mouseClick(mapping->addButton(), Qt::LeftButton);
    QVERIFY(configOf(*m_doc, m_lookup, "response_mapping")["vars.result"] == engine::Json("$"));
    step(QStringLiteral("Add mapping vars.result to lookup_order"));
    QTRY_VERIFY(mapping->keyEdit(3)->hasFocus());
    QTest::keyClicks(mapping->keyEdit(3), QStringLiteral("vars.first_item"));
    step(QStringLiteral("Rename mapping vars.result of lookup_order"));
    QLineEdit* path = mapping->valueEdit(3);
    path->setFocus();
    path->selectAll();
    QTest::keyClicks(path, QStringLiteral("$.order.items"));
    const std::string beforeInvalid = documentJson(*m_doc);
    QTest::keyClicks(path, QStringLiteral("["));
    QVERIFY2(mapping->message(3).contains(QStringLiteral("JSONPath")),
             qPrintable(mapping->message(3)));
    QCOMPARE(documentJson(*m_doc), beforeInvalid); // the invalid path is not written
    QTest::keyClicks(path, QStringLiteral("0]"));
    QVERIFY(mapping->message(3).isEmpty());
    QVERIFY(configOf(*m_doc, m_lookup, "response_mapping")["vars.first_item"] ==
            engine::Json("$.order.items[0]"));
    step(QStringLiteral("Edit mapping vars.first_item of lookup_order"));

    // A key outside vars./slots. is written but flagged: the call would fail at run time.
    mapping->keyEdit(3)->setFocus();
    mapping->keyEdit(3)->selectAll();
    QTest::keyClicks(mapping->keyEdit(3), QStringLiteral("first"));
    QVERIFY(mapping->message(3).contains(QStringLiteral("vars.")));
    QVERIFY(configOf(*m_doc, m_lookup, "response_mapping").contains("first"));
    step(QStringLiteral("Rename mapping vars.first_item of lookup_order"));

    // Undo every step back to the file as opened, widgets following; then redo them all.
    QUndoStack* stack = m_doc->undoStack();
    for (int i = int(m_snapshots.size()) - 2; i >= 0; --i) {
        stack->undo();
        QCOMPARE(documentJson(*m_doc), m_snapshots[size_t(i)]);
    }
    QCOMPARE(headers->rowCount(), 1);
    QCOMPARE(mapping->rowCount(), 3);
    QCOMPARE(body->mode(), BodyEditor::Mode::None);
    for (size_t i = 1; i < m_snapshots.size(); ++i) {
        stack->redo();
        QCOMPARE(documentJson(*m_doc), m_snapshots[i]);
    }
    QCOMPARE(headers->keyEdit(1)->text(), QStringLiteral("X-Order-Id"));
    QCOMPARE(mapping->keyEdit(3)->text(), QStringLiteral("first"));
    QCOMPARE(body->jsonEdit()->toPlainText(),
             QStringLiteral("{\n  \"order\": \"{{slots.order_id}}\"\n}"));

    // The flow still parses and lints as before: no error, no new warning.
    stack->undo(); // back to a mapping under vars.
    const std::vector<engine::Diagnostic> lintAfter = engine::lintFlow(m_doc->flow());
    QCOMPARE(errorCount(lintAfter), 0);
    QCOMPARE(lintAfter.size(), lintBefore.size());
    QVERIFY(engine::parseFlow(engine::serializeFlow(m_doc->flow())).ok());
    QTRY_VERIFY(!m_design->lint()->isRunning());
    QCOMPARE(m_design->problems()->errorCount(), 0);
}

void tst_IntegrationEditor::followsEditsMadeElsewhereWithoutMovingTheCursor() {
    HeadersEditor* headers = m_editor->headers();
    QLineEdit* value = headers->valueEdit(0);
    value->setFocus();
    QTRY_VERIFY(value->hasFocus());
    value->setCursorPosition(5);

    // An edit of another key of the same state (as the URL field or the JSON config would make).
    engine::Json mapping = configOf(*m_doc, m_lookup, "response_mapping");
    mapping["vars.total"] = "$.order.total";
    QVERIFY(pushConfigEdit(m_doc, m_lookup, "response_mapping", mapping, QStringLiteral("x")));
    QCOMPARE(m_editor->mapping()->rowCount(), 4);
    QVERIFY(value->hasFocus());
    QCOMPARE(value->cursorPosition(), 5);

    // The field being typed in changes underneath: new text, same cursor, same focus.
    engine::Json changed = configOf(*m_doc, m_lookup, "headers");
    changed["Accept"] = "application/xml";
    QVERIFY(pushConfigEdit(m_doc, m_lookup, "headers", changed, QStringLiteral("y")));
    QCOMPARE(value->text(), QStringLiteral("application/xml"));
    QVERIFY(value->hasFocus());
    QCOMPARE(value->cursorPosition(), 5);

    m_doc->undoStack()->undo();
    m_doc->undoStack()->undo();
    QCOMPARE(value->text(), QStringLiteral("application/json"));
    QCOMPARE(m_editor->mapping()->rowCount(), 3);
    QCOMPARE(documentJson(*m_doc), m_snapshots.front());
}

QTEST_MAIN(tst_IntegrationEditor)
#include "tst_integration_editor.moc"
