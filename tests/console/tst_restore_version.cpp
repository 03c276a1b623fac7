// Restoring a saved version from the version history dialog: one undoable step that keeps the
// layout of the states that stay, leaves the flow modified, and becomes a version when saved.
#include "app/main_window.h"
#include "design/design_workspace.h"
#include "dialogs/version_history_dialog.h"
#include "graph/flow_commands.h"
#include "graph/restore_command.h"
#include "models/workspace_store.h"

#include "flowdeck/engine/flow_json.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <functional>
#include <memory>

using namespace flowdeck::console;
namespace engine = flowdeck::engine;

namespace {

void shoot(QWidget* widget, const char* name) {
    const QString dir = qEnvironmentVariable("FLOWDECK_TEST_SHOTS");
    if (!dir.isEmpty()) {
        widget->grab().save(dir + QLatin1Char('/') + QLatin1String(name) + QStringLiteral(".png"));
    }
}

// Calls `act` from inside the event loop of the next modal widget of type T, once it shows. A
// modal that never comes is given up after 5 s and whatever modal is open then is closed, so a
// broken dialog fails the test instead of hanging it.
template <typename T> void onModal(std::function<void(T*)> act) {
    auto* timer = new QTimer;
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    QObject::connect(timer, &QTimer::timeout, [timer, clock, act] {
        if (auto* widget = qobject_cast<T*>(QApplication::activeModalWidget())) {
            timer->deleteLater();
            timer->stop();
            act(widget);
        } else if (clock->elapsed() > 5000) {
            timer->deleteLater();
            timer->stop();
            if (QWidget* stuck = QApplication::activeModalWidget()) {
                stuck->close();
            }
        }
    });
    timer->start(10);
}

QPushButton* buttonNamed(QMessageBox* box, const QString& text) {
    for (QAbstractButton* button : box->buttons()) {
        if (button->text().remove(QLatin1Char('&')) == text) {
            return qobject_cast<QPushButton*>(button);
        }
    }
    return nullptr;
}

std::string contentOf(const FlowDocument& doc) {
    return engine::serializeFlow(doc.flow());
}

} // namespace

class tst_RestoreVersion : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void restoringAVersionIsOneUndoableStepThatSavesAsANewVersion();
    void unsavedChangesAreConfirmedFirstAndCancelChangesNothing();
    void statesThatStayKeepTheirIdentityAndPlace();

private:
    void openSample();
    // Saves version 1 (the sample), edits, saves version 2; returns both versions' flow JSON.
    std::pair<QByteArray, QByteArray> saveTwoVersions();
    // Opens the history from its action, picks the version numbered `number` and presses Restore.
    // Answers the unsaved-changes question with `answer` if it is asked; returns whether it was.
    bool restoreFromDialog(int number, const QString& answer);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<WorkspaceStore> m_store;
    std::unique_ptr<MainWindow> m_window;
    DesignWorkspace* m_design = nullptr;
    FlowDocument* m_doc = nullptr;
};

void tst_RestoreVersion::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<WorkspaceStore>();
    QVERIFY(m_store->open(m_dir->filePath(QStringLiteral("workspace.sqlite"))));
}

void tst_RestoreVersion::cleanup() {
    m_window.reset();
    m_store.reset();
    m_dir.reset();
}

void tst_RestoreVersion::openSample() {
    const QString path = m_dir->filePath(QStringLiteral("order_support.json"));
    QVERIFY(QFile::copy(QStringLiteral(RESOURCES_DIR "/flows/order_support.json"), path));
    m_window = std::make_unique<MainWindow>(m_store.get());
    m_window->resize(1300, 850);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_design = m_window->design();
    QVERIFY(m_design->openFile(path));
    m_doc = m_design->document();
}

std::pair<QByteArray, QByteArray> tst_RestoreVersion::saveTwoVersions() {
    if (!m_design->save()) {
        return {};
    }
    const StateId clarify = *m_doc->idOf(QStringLiteral("clarify"));
    engine::State edited = *m_doc->state(clarify);
    edited.config["response_templates"]["default"] = "Say that again?";
    m_doc->undoStack()->push(new EditStateCommand(m_doc, clarify, edited, QStringLiteral("edit")));
    m_doc->undoStack()->push(
        new RemoveStatesCommand(m_doc, {*m_doc->idOf(QStringLiteral("handoff_standard"))}));
    m_design->addState(engine::StateType::End, QPointF(2000, 2000));
    FlowHeader header = m_doc->header();
    header.description = "Edited for version 2";
    m_doc->undoStack()->push(new EditHeaderCommand(m_doc, header, QStringLiteral("describe")));
    if (!m_design->save()) {
        return {};
    }
    const QVector<FlowVersion> versions = m_store->versions(m_design->documentKey());
    if (versions.size() != 2) {
        return {};
    }
    return {m_store->version(versions[1].id)->flowJson, m_store->version(versions[0].id)->flowJson};
}

bool tst_RestoreVersion::restoreFromDialog(int number, const QString& answer) {
    bool asked = false;
    onModal<VersionHistoryDialog>([&](VersionHistoryDialog* dialog) {
        auto* table = dialog->findChild<QTableWidget*>();
        for (int row = 0; row < table->rowCount(); ++row) {
            if (table->item(row, 0)->text() == QString::number(number)) {
                table->selectRow(row);
            }
        }
        shoot(dialog, "restore-history-dialog");
        onModal<QMessageBox>([&](QMessageBox* box) {
            asked = true;
            shoot(box, "restore-confirmation");
            if (QPushButton* button = buttonNamed(box, answer)) {
                QTest::mouseClick(button, Qt::LeftButton);
            }
        });
        QTest::mouseClick(dialog->restoreButton(), Qt::LeftButton);
        if (dialog->isVisible()) { // the question was declined: the dialog stays for another try
            dialog->reject();
        }
    });
    QAction* versions = m_design->findChild<QAction*>(QStringLiteral("versions"));
    if (!versions) {
        return false;
    }
    versions->trigger();
    return asked;
}

void tst_RestoreVersion::restoringAVersionIsOneUndoableStepThatSavesAsANewVersion() {
    openSample();
    const auto [v1, v2] = saveTwoVersions();
    QVERIFY(!v1.isEmpty() && !v2.isEmpty() && v1 != v2);
    // The designer moved a state since: that place must survive the restore.
    const StateId greeting = *m_doc->idOf(QStringLiteral("greeting"));
    const QPointF moved = m_doc->position(greeting) + QPointF(300, 40);
    m_doc->undoStack()->push(new MoveStatesCommand(
        m_doc, {{greeting, {m_doc->position(greeting), moved}}}, QStringLiteral("move")));
    const int steps = m_doc->undoStack()->count();
    const QVector<FlowVersion> saved = m_store->versions(m_design->documentKey());
    const QHash<QString, QPointF> v1Layout =
        FlowDocument::positionsFromLayoutJson(m_store->version(saved.back().id)->layoutJson);

    QVERIFY(restoreFromDialog(1, QStringLiteral("Restore"))); // unsaved move: asked first
    QCOMPARE(contentOf(*m_doc), v1.toStdString());
    QCOMPARE(m_doc->undoStack()->count(), steps + 1);
    QCOMPARE(m_doc->undoStack()->undoText(), QStringLiteral("Restore version 1"));
    QVERIFY(m_design->isModified());
    QCOMPARE(m_store->versions(m_design->documentKey()).size(), 2); // not a version until saved
    QCOMPARE(*m_doc->idOf(QStringLiteral("greeting")), greeting);
    QCOMPARE(m_doc->position(greeting), moved);
    const StateId back = *m_doc->idOf(QStringLiteral("handoff_standard"));
    QCOMPARE(m_doc->position(back), v1Layout.value(QStringLiteral("handoff_standard")));
    QVERIFY(m_doc->unpositionedStates().isEmpty());

    m_doc->undoStack()->undo();
    QCOMPARE(contentOf(*m_doc), v2.toStdString());
    QCOMPARE(m_doc->position(greeting), moved);
    m_doc->undoStack()->redo();
    QCOMPARE(contentOf(*m_doc), v1.toStdString());

    QVERIFY(m_design->save());
    const QVector<FlowVersion> versions = m_store->versions(m_design->documentKey());
    QCOMPARE(versions.size(), 3);
    QCOMPARE(versions.front().number, 3);
    QCOMPARE(m_store->version(versions.front().id)->flowJson, v1);
}

void tst_RestoreVersion::unsavedChangesAreConfirmedFirstAndCancelChangesNothing() {
    openSample();
    const auto [v1, v2] = saveTwoVersions();
    QVERIFY(!v1.isEmpty());
    FlowHeader header = m_doc->header();
    header.version = "9.9";
    m_doc->undoStack()->push(new EditHeaderCommand(m_doc, header, QStringLiteral("bump")));
    const std::string edited = contentOf(*m_doc);
    const int steps = m_doc->undoStack()->count();

    QVERIFY(restoreFromDialog(1, QStringLiteral("Cancel")));
    QCOMPARE(contentOf(*m_doc), edited);
    QCOMPARE(m_doc->undoStack()->count(), steps);

    // Saved: nothing to lose, so no question.
    QVERIFY(m_design->save());
    QVERIFY(!restoreFromDialog(1, QStringLiteral("Cancel")));
    QCOMPARE(contentOf(*m_doc), v1.toStdString());
    QCOMPARE(m_doc->undoStack()->undoText(), QStringLiteral("Restore version 1"));
}

void tst_RestoreVersion::statesThatStayKeepTheirIdentityAndPlace() {
    // Command level: order changes, a rename with identical content, a removal and a state that
    // comes back without any known position.
    const auto state = [](const char* name, const char* target) {
        engine::State s;
        s.name = name;
        s.type = engine::StateType::Response;
        s.config["response_templates"]["default"] = std::string("in ") + name;
        if (target) {
            engine::Transition t;
            t.target = target;
            s.transitions.push_back(t);
        }
        return s;
    };
    engine::Flow current;
    current.name = "f";
    current.initialState = "a";
    current.states = {state("a", "b"), state("b", "c"), state("c", nullptr)};
    engine::Flow restored = current;
    restored.states = {state("c", nullptr), state("a", "renamed_b"), state("renamed_b", "c"),
                       state("d", nullptr)};
    restored.states[2].config["response_templates"]["default"] = "in b"; // b's content, renamed
    FlowDocument doc;
    doc.reset(current, {{"a", {0, 0}}, {"b", {0, 200}}, {"c", {0, 400}}});
    const QVector<StateId> ids = doc.stateIds();
    doc.undoStack()->push(new ReplaceFlowCommand(&doc, restored, {}, QStringLiteral("restore")));
    QCOMPARE(engine::serializeFlow(doc.flow()), engine::serializeFlow(restored));
    QCOMPARE(*doc.idOf(QStringLiteral("a")), ids[0]);
    QCOMPARE(*doc.idOf(QStringLiteral("renamed_b")), ids[1]); // a rename keeps the state
    QCOMPARE(*doc.idOf(QStringLiteral("c")), ids[2]);
    QCOMPARE(doc.position(ids[1]), QPointF(0, 200));
    QCOMPARE(doc.position(ids[2]), QPointF(0, 400));
    const StateId d = *doc.idOf(QStringLiteral("d"));
    QVERIFY(doc.hasPosition(d));
    QVERIFY(doc.position(d).y() > 400); // below the others, not on top of one
    doc.undoStack()->undo();
    QCOMPARE(engine::serializeFlow(doc.flow()), engine::serializeFlow(current));
    QCOMPARE(doc.stateIds(), ids);
    QCOMPARE(doc.position(ids[1]), QPointF(0, 200));
    doc.undoStack()->redo();
    QCOMPARE(*doc.idOf(QStringLiteral("d")), d); // the same state again, for later commands
}

QTEST_MAIN(tst_RestoreVersion)
#include "tst_restore_version.moc"
