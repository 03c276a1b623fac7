#include "intent_classifier.h"

#include <QtTest>

using namespace flowdeck::engine;

namespace {

IntentClassifier supportClassifier() {
    return IntentClassifier({
        {"order_status",
         {"where is my order", "track my order", "order status", "has my package shipped"}},
        {"human_agent", {"talk to a person", "speak to an agent", "human please"}},
        {"goodbye", {"bye", "that's all", "thanks, goodbye"}},
    });
}

std::string best(const IntentClassifier& c, std::string_view text, double* score = nullptr) {
    const auto s = c.classify(text);
    if (score) {
        *score = s.score;
    }
    return s.intent < 0 ? std::string() : c.names()[static_cast<size_t>(s.intent)];
}

} // namespace

class tst_IntentClassifier : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void normalisesCaseAndPunctuation() {
        QCOMPARE(normalizeText("  Where IS my Order?!  "), std::string("where is my order"));
        QCOMPARE(normalizeText("订单在哪里？"), std::string("订单在哪里"));
        QCOMPARE(normalizeText("ＣＡＮＣＥＬ"), std::string("cancel"));
    }
    void tokenisesChineseIntoBigrams() {
        const auto tokens = tokenizeText(normalizeText("我的订单"));
        QCOMPARE(tokens.size(), size_t(3));
        QCOMPARE(tokens[0], std::string("我的"));
        QCOMPARE(tokens[2], std::string("订单"));
    }
    void exactExampleScoresOne() {
        double score = 0;
        QCOMPARE(best(supportClassifier(), "Where is my order?", &score),
                 std::string("order_status"));
        QCOMPARE(score, 1.0);
    }
    void recognisesParaphrasesAndContainedPhrases() {
        const auto c = supportClassifier();
        double score = 0;
        QCOMPARE(best(c, "hi there, where is my order please", &score),
                 std::string("order_status"));
        QVERIFY(score >= 0.8);
        // Not contained (an extra word in the middle): the overlap alone must clear the
        // default threshold of 0.5.
        QCOMPARE(best(c, "can I talk to a real person", &score), std::string("human_agent"));
        QVERIFY2(score >= 0.5 && score < 0.8, std::to_string(score).c_str());
        QCOMPARE(best(c, "track my orders", &score), std::string("order_status"));
        QVERIFY(score >= 0.9);
    }
    void unrelatedTextScoresLow() {
        double score = 1;
        best(supportClassifier(), "what is the weather in paris", &score);
        QVERIFY2(score < 0.5, std::to_string(score).c_str());
        best(supportClassifier(), "", &score);
        QCOMPARE(score, 0.0);
    }
    void classifiesChinese() {
        IntentClassifier c({{"order_status", {"我的订单在哪里", "查询订单"}},
                            {"refund", {"我要退款", "怎么退货"}}});
        double score = 0;
        QCOMPARE(best(c, "请问我的订单在哪里？", &score), std::string("order_status"));
        QVERIFY(score >= 0.8);
        QCOMPARE(best(c, "我想退款", &score), std::string("refund"));
        QVERIFY(score > 0.3);
    }
    void tiesGoToTheIntentDeclaredFirst() {
        IntentClassifier c({{"first", {"hello there"}}, {"second", {"hello there"}}});
        QCOMPARE(best(c, "hello there"), std::string("first"));
        IntentClassifier swapped({{"second", {"hello there"}}, {"first", {"hello there"}}});
        QCOMPARE(best(swapped, "hello there"), std::string("second"));
    }
    void rankListsEveryIntentBestFirst() {
        const auto ranked = supportClassifier().rank("bye bye");
        QCOMPARE(ranked.size(), size_t(3));
        QCOMPARE(ranked.front().intent, 2);
        QVERIFY(ranked.front().score >= ranked[1].score);
    }
    void emptyClassifierFindsNothing() {
        IntentClassifier c;
        QVERIFY(c.empty());
        QCOMPARE(c.classify("anything").intent, -1);
    }
};

QTEST_GUILESS_MAIN(tst_IntentClassifier)
#include "tst_intent_classifier.moc"
