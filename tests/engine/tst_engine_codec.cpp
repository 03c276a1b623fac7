// The stored answer of a message (encodeProcessResult, decodeProcessResult): written without a
// JSON document for speed, it must be the very text a document's dump gives, whatever the
// strings hold (quotes, control characters, non-ASCII, invalid UTF-8), and decode to the result.
#include "flowdeck/engine/engine.h"

#include <QtTest>

#include <random>

using namespace flowdeck::engine;

namespace {

// The encoder as it was (an ordered_json document, dumped): the reference for the text.
std::string referenceEncode(const ProcessResult& result) {
    Json j = {{"conversation_id", result.conversationId},
              {"flow_id", result.flowId},
              {"flow_version", result.flowVersion},
              {"current_state", result.currentState},
              {"response", result.response},
              {"context_updates", result.contextUpdates},
              {"actions_performed", result.actionsPerformed},
              {"processing_time_ms", result.processingTimeMs},
              {"ab_variant", result.abVariant},
              {"version", result.version},
              {"errors", Json::array()}};
    for (const auto& error : result.errors) {
        Json details = Json::object();
        for (const auto& [key, value] : error.details) {
            details[key] = value;
        }
        j["errors"].push_back({{"code", toString(error.code)},
                               {"message", error.message},
                               {"details", std::move(details)},
                               {"trace_id", error.traceId}});
    }
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Mostly plain text, sometimes anything a byte can be.
std::string randomText(std::mt19937& random) {
    static const std::vector<std::string> pieces = {
        "hello",        "table for 2", "",         "\"quoted\"",  "back\\slash",
        "tab\there",    "line\nbreak", "\x01\x1f", "caf\xc3\xa9", "\xe2\x82\xac",
        "\xff\xfe bad", "\xc3",        "\x7f",     "{}[],:",      "日本語"};
    std::string out;
    const int parts = static_cast<int>(random() % 4);
    for (int i = 0; i < parts; ++i) {
        out += pieces[random() % pieces.size()];
    }
    return out;
}

ProcessResult randomResult(std::mt19937& random) {
    ProcessResult r;
    r.conversationId = randomText(random);
    r.flowId = randomText(random);
    r.flowVersion = randomText(random);
    r.currentState = randomText(random);
    r.response = randomText(random);
    for (int i = static_cast<int>(random() % 4); i > 0; --i) {
        r.contextUpdates[randomText(random)] = randomText(random);
    }
    for (int i = static_cast<int>(random() % 3); i > 0; --i) {
        r.actionsPerformed.push_back(randomText(random));
    }
    const double times[] = {0.0, 1.0, 0.25, 3.14159, 1e-7, 12345.678, 1e21};
    r.processingTimeMs = times[random() % std::size(times)];
    r.abVariant = random() % 2 ? "canary" : "";
    r.version = static_cast<int64_t>(random() % 1000) - (random() % 10 == 0 ? 5000 : 0);
    for (int i = static_cast<int>(random() % 3); i > 0; --i) {
        EngineError error = makeError(ErrorCode::TimeoutError, randomText(random));
        error.details[randomText(random)] = randomText(random);
        error.traceId = randomText(random);
        r.errors.push_back(error);
    }
    r.ok = r.errors.empty();
    return r;
}

} // namespace

class tst_EngineCodec final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void theTextIsWhatADocumentWouldDump() {
        std::mt19937 random(7);
        for (int i = 0; i < 5000; ++i) {
            const ProcessResult result = randomResult(random);
            const std::string text = encodeProcessResult(result);
            QCOMPARE(text, referenceEncode(result));
            QVERIFY2(!Json::parse(text, nullptr, false).is_discarded(), text.c_str());
        }
    }

    void itDecodesToTheResult() {
        ProcessResult result;
        result.conversationId = "c-1";
        result.flowId = "table_booking";
        result.flowVersion = "1.0";
        result.currentState = "ask_time";
        result.response = "For how many \"people\"?\n";
        result.contextUpdates = {{"party", "2"}, {"name", "Zoë"}};
        result.actionsPerformed = {"set_slot", "reply"};
        result.processingTimeMs = 0.75;
        result.abVariant = "stable";
        result.version = 3;
        const auto decoded = decodeProcessResult(encodeProcessResult(result));
        QVERIFY(decoded);
        QCOMPARE(decoded->conversationId, result.conversationId);
        QCOMPARE(decoded->response, result.response);
        QCOMPARE(decoded->contextUpdates, result.contextUpdates);
        QCOMPARE(decoded->actionsPerformed, result.actionsPerformed);
        QCOMPARE(decoded->processingTimeMs, result.processingTimeMs);
        QCOMPARE(decoded->abVariant, result.abVariant);
        QCOMPARE(decoded->version, result.version);
        QVERIFY(decoded->ok);
    }
};

QTEST_GUILESS_MAIN(tst_EngineCodec)
#include "tst_engine_codec.moc"
