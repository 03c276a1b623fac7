#include "flowdeck/engine/diagnostic.h"
#include "flowdeck/engine/errors.h"
#include "flowdeck/engine/flow.h"

#include <QtTest>

using namespace flowdeck::engine;

class tst_Model : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stateTypeNamesRoundTrip() {
        for (auto t : {StateType::Response, StateType::Intent, StateType::SlotFilling,
                       StateType::Integration, StateType::Condition, StateType::Script,
                       StateType::Handoff, StateType::End}) {
            QCOMPARE(stateTypeFromString(toString(t)), std::optional<StateType>(t));
        }
        QVERIFY(!stateTypeFromString("invalid_type").has_value());
    }
    void onlyResponseSlotFillingHandoffAndEndWait() {
        QVERIFY(isWaiting(StateType::Response));
        QVERIFY(isWaiting(StateType::SlotFilling));
        QVERIFY(isWaiting(StateType::End));
        QVERIFY(!isWaiting(StateType::Intent));
        QVERIFY(!isWaiting(StateType::Condition));
        QVERIFY(!isWaiting(StateType::Script));
        QVERIFY(!isWaiting(StateType::Integration));
    }
    void pointerTokensAreEscaped() {
        QCOMPARE(escapePointerToken("a/b~c"), std::string("a~1b~0c"));
    }
    void specificErrorsMapToApiCategories() {
        QVERIFY(categoryOf(ErrorCode::CircularTransition) == ErrorCode::StateError);
        QVERIFY(categoryOf(ErrorCode::ContextTooLarge) == ErrorCode::ValidationError);
        QCOMPARE(toString(ErrorCode::TimeoutError), std::string_view("TIMEOUT_ERROR"));
    }
};

QTEST_GUILESS_MAIN(tst_Model)
#include "tst_model.moc"
