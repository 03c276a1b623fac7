#pragma once

// The ConversationStore contract, checked the same way against every implementation: each
// function takes a fresh store and records failures through QTest. Test files including this
// build with QT_NO_KEYWORDS: Qt's `slots` macro would erase ConversationState::slots.

#include "flowdeck/engine/conversation_store.h"

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace storecontract {

using namespace flowdeck::engine;

inline ConversationState makeState(const std::string& conversationId,
                                   const std::string& tenantId = "acme") {
    ConversationState state;
    state.tenantId = tenantId;
    state.conversationId = conversationId;
    state.flowId = "order_support";
    state.flowVersion = "1.2";
    state.currentState = "greeting";
    return state;
}

inline StoredMessage makeMessage(const std::string& key, const std::string& input = "hello") {
    StoredMessage message;
    message.idempotencyKey = key;
    message.input = input;
    message.reply = "reply to " + input;
    message.stateBefore = "greeting";
    message.stateAfter = "detect";
    message.resultJson = R"({"ok":true})";
    message.createdAtMs = 1700000000123;
    return message;
}

inline void verifySameMessage(const StoredMessage& actual, const StoredMessage& expected) {
    QCOMPARE(actual.idempotencyKey, expected.idempotencyKey);
    QCOMPARE(actual.input, expected.input);
    QCOMPARE(actual.reply, expected.reply);
    QCOMPARE(actual.stateBefore, expected.stateBefore);
    QCOMPARE(actual.stateAfter, expected.stateAfter);
    QCOMPARE(actual.resultJson, expected.resultJson);
    QCOMPARE(actual.createdAtMs, expected.createdAtMs);
}

inline void roundTripsEveryField(ConversationStore& store) {
    ConversationState state = makeState("Gespräch-🙂");
    state.flowId = "bestellung_ü";
    state.currentState = "état_initial";
    state.slots = Json::parse(R"({"city":"Zürich","dates":[{"from":"2024-01-01"},null],"n":1.5})");
    state.vars = Json::parse(R"({"z":1,"a":{"nested":{"deep":[1,2,{"x":"日本語"}]}},"b":true})");
    state.user = Json::parse(R"({"name":"Zoë","locale":"de-CH","premium":true})");
    state.abVariant = "canary";
    state.createdAtMs = 1700000000000;
    state.updatedAtMs = 1700000000500;
    StoredMessage message = makeMessage("key-ü-1", "wo ist meine Bestellung? 📦");
    message.resultJson = R"({"reply":"Einen Moment…","actions":["integration:order_api"]})";

    const CommitResult result = store.commit(state, 0, message);
    QVERIFY2(result.status == CommitStatus::Committed, result.error.c_str());
    const std::optional<ConversationState> loaded = store.load("acme", "Gespräch-🙂");
    QVERIFY(loaded.has_value());
    QCOMPARE(loaded->tenantId, state.tenantId);
    QCOMPARE(loaded->conversationId, state.conversationId);
    QCOMPARE(loaded->flowId, state.flowId);
    QCOMPARE(loaded->flowVersion, state.flowVersion);
    QCOMPARE(loaded->currentState, state.currentState);
    QCOMPARE(loaded->slots.dump(), state.slots.dump()); // dump: key order must survive too
    QCOMPARE(loaded->vars.dump(), state.vars.dump());
    QCOMPARE(loaded->user.dump(), state.user.dump());
    QCOMPARE(loaded->abVariant, state.abVariant);
    QCOMPARE(loaded->version, int64_t(1));
    QCOMPARE(loaded->messageCount, int64_t(1));
    QCOMPARE(loaded->createdAtMs, state.createdAtMs);
    QCOMPARE(loaded->updatedAtMs, state.updatedAtMs);

    const std::optional<StoredMessage> stored =
        store.findMessage("acme", "Gespräch-🙂", "key-ü-1");
    QVERIFY(stored.has_value());
    verifySameMessage(*stored, message);
    QCOMPARE(stored->seq, int64_t(1));
    QVERIFY(!store.load("other-tenant", "Gespräch-🙂").has_value());
    QVERIFY(!store.findMessage("acme", "Gespräch-🙂", "key-ü-2").has_value());
}

// Commits `count` messages keyed "<prefix><i>" (i from 1) to one conversation.
inline void commitSeries(ConversationStore& store, const std::string& conversationId, int count,
                         const std::string& prefix = "m") {
    ConversationState state = makeState(conversationId);
    for (int i = 1; i <= count; ++i) {
        state.vars["i"] = i;
        const auto key = prefix + std::to_string(i);
        const CommitResult result = store.commit(state, i - 1, makeMessage(key, "input " + key));
        QVERIFY2(result.status == CommitStatus::Committed, result.error.c_str());
    }
}

inline void historyIsOldestFirstAndLimited(ConversationStore& store) {
    commitSeries(store, "c1", 5);
    const std::vector<StoredMessage> all = store.history("acme", "c1", 100);
    QCOMPARE(all.size(), size_t(5));
    for (size_t i = 0; i < all.size(); ++i) {
        QCOMPARE(all[i].seq, int64_t(i + 1));
        QCOMPARE(all[i].idempotencyKey, "m" + std::to_string(i + 1));
    }
    const std::vector<StoredMessage> newest = store.history("acme", "c1", 2);
    QCOMPARE(newest.size(), size_t(2));
    QCOMPARE(newest[0].idempotencyKey, std::string("m4"));
    QCOMPARE(newest[1].idempotencyKey, std::string("m5"));
    QVERIFY(store.history("acme", "c1", 0).empty());
    QVERIFY(store.history("acme", "missing", 10).empty());
}

// The store must have been created with a history limit of 10.
inline void historyLimitKeepsNewestMessages(ConversationStore& store) {
    commitSeries(store, "long", 25);
    const std::vector<StoredMessage> kept = store.history("acme", "long", 100);
    QCOMPARE(kept.size(), size_t(10));
    QCOMPARE(kept.front().seq, int64_t(16));
    QCOMPARE(kept.back().seq, int64_t(25));
    QVERIFY(!store.findMessage("acme", "long", "m1").has_value());
    QVERIFY(store.findMessage("acme", "long", "m25").has_value());
    QCOMPARE(store.load("acme", "long")->messageCount, int64_t(25));
}

inline void removeDeletesConversationAndHistory(ConversationStore& store) {
    commitSeries(store, "gone", 3);
    commitSeries(store, "kept", 2);
    QVERIFY(store.remove("acme", "gone"));
    QVERIFY(!store.load("acme", "gone").has_value());
    QVERIFY(store.history("acme", "gone", 10).empty());
    QVERIFY(!store.findMessage("acme", "gone", "m1").has_value());
    QVERIFY(!store.remove("acme", "gone"));
    QCOMPARE(store.load("acme", "kept")->version, int64_t(2));
    QCOMPARE(store.history("acme", "kept", 10).size(), size_t(2));
    // After a reset the conversation starts again, and old keys are new again.
    commitSeries(store, "gone", 1);
    QCOMPARE(store.load("acme", "gone")->version, int64_t(1));
}

inline void countsConversations(ConversationStore& store) {
    QCOMPARE(store.conversationCount(), int64_t(0));
    commitSeries(store, "a", 2);
    commitSeries(store, "b", 1);
    QVERIFY(store.commit(makeState("a", "other-tenant"), 0, makeMessage("x")).status ==
            CommitStatus::Committed);
    QCOMPARE(store.conversationCount(), int64_t(3));
    store.remove("acme", "b");
    QCOMPARE(store.conversationCount(), int64_t(2));
}

inline void staleVersionConflictsAndWritesNothing(ConversationStore& store) {
    commitSeries(store, "c", 2);
    ConversationState stale = makeState("c");
    stale.currentState = "should_not_be_written";
    const CommitResult result = store.commit(stale, 1, makeMessage("late"));
    QVERIFY(result.status == CommitStatus::Conflict);
    QVERIFY(!result.existing.has_value());
    const auto loaded = store.load("acme", "c");
    QCOMPARE(loaded->version, int64_t(2));
    QCOMPARE(loaded->currentState, std::string("greeting"));
    QVERIFY(!store.findMessage("acme", "c", "late").has_value());
    QCOMPARE(store.history("acme", "c", 10).size(), size_t(2));
    // A version from the future conflicts too, and so does updating a missing conversation.
    QVERIFY(store.commit(stale, 7, makeMessage("future")).status == CommitStatus::Conflict);
    QVERIFY(store.commit(makeState("none"), 1, makeMessage("k")).status == CommitStatus::Conflict);
    QVERIFY(!store.load("acme", "none").has_value());
}

inline void creatingExistingConversationConflicts(ConversationStore& store) {
    commitSeries(store, "c", 1);
    ConversationState again = makeState("c");
    again.currentState = "replaced";
    QVERIFY(store.commit(again, 0, makeMessage("second-create")).status == CommitStatus::Conflict);
    QCOMPARE(store.load("acme", "c")->currentState, std::string("greeting"));
    QCOMPARE(store.conversationCount(), int64_t(1));
}

inline void duplicateKeyReturnsFirstMessage(ConversationStore& store) {
    ConversationState state = makeState("c");
    const StoredMessage first = makeMessage("k1", "first input");
    QVERIFY(store.commit(state, 0, first).status == CommitStatus::Committed);
    // The retry carries the same key, a stale version and (here) a different body.
    ConversationState retry = makeState("c");
    retry.currentState = "must_not_change";
    const CommitResult result = store.commit(retry, 0, makeMessage("k1", "second input"));
    QVERIFY(result.status == CommitStatus::Duplicate);
    QVERIFY(result.existing.has_value());
    verifySameMessage(*result.existing, first);
    QCOMPARE(result.existing->seq, int64_t(1));
    // With the current version too: still a duplicate, nothing applied.
    QVERIFY(store.commit(retry, 1, makeMessage("k1")).status == CommitStatus::Duplicate);
    const auto loaded = store.load("acme", "c");
    QCOMPARE(loaded->version, int64_t(1));
    QCOMPARE(loaded->currentState, std::string("greeting"));
    QCOMPARE(store.history("acme", "c", 10).size(), size_t(1));
    // Keys are per conversation: the same key elsewhere is a new message.
    QVERIFY(store.commit(makeState("d"), 0, makeMessage("k1")).status == CommitStatus::Committed);
}

inline void rejectsCommitWithoutIds(ConversationStore& store) {
    const CommitResult result = store.commit(makeState(""), 0, makeMessage("k"));
    QVERIFY(result.status == CommitStatus::Failed);
    QVERIFY(!result.error.empty());
    QCOMPARE(store.conversationCount(), int64_t(0));
}

// `threads` clients race on ONE conversation, each doing load -> modify -> commit with retries
// on Conflict, and re-sending about 5% of their messages (as a lost-ack retry would).
// The store must hold a history of at least threads * perThread messages.
inline void concurrentWritersApplyEachMessageOnce(ConversationStore& store, int threads,
                                                  int perThread) {
    std::atomic<int> failures{0};
    std::vector<std::string> firstFailure(static_cast<size_t>(threads));
    auto client = [&](int t) {
        const std::string me = std::to_string(t);
        auto failWith = [&](const std::string& why) {
            if (firstFailure[t].empty()) {
                firstFailure[t] = why;
            }
            ++failures;
        };
        for (int i = 0; i < perThread; ++i) {
            const StoredMessage message = makeMessage("t" + me + "-" + std::to_string(i), me);
            for (int attempt = 0;; ++attempt) {
                ConversationState state =
                    store.load("acme", "shared").value_or(makeState("shared"));
                const int64_t expected = state.version;
                // A lost update would show as a "last" that is not what this thread committed.
                const int lastSeen = state.vars.contains("last") && state.vars["last"].contains(me)
                                         ? state.vars["last"][me].get<int>()
                                         : -1;
                if (lastSeen != i - 1) {
                    failWith("thread " + me + " saw last " + std::to_string(lastSeen) +
                             " before message " + std::to_string(i));
                }
                state.vars["count"] = state.vars.value("count", 0) + 1;
                state.vars["last"][me] = i;
                const CommitResult result = store.commit(state, expected, message);
                if (result.status == CommitStatus::Conflict) {
                    // Back off a little, as a real client would, so that 15 losers do not all
                    // hammer the store again at once.
                    std::this_thread::sleep_for(std::chrono::microseconds(
                        std::min(attempt, 10) * 20 + (i * 7 + t * 13) % 50));
                    continue;
                }
                if (result.status != CommitStatus::Committed) {
                    failWith("commit of " + message.idempotencyKey + ": " + result.error);
                    break;
                }
                if (i % 20 == 7) { // the retry arrives with the version it was first sent with
                    const CommitResult again = store.commit(state, expected, message);
                    if (again.status != CommitStatus::Duplicate || !again.existing ||
                        again.existing->idempotencyKey != message.idempotencyKey) {
                        failWith("re-sent " + message.idempotencyKey + " was not a duplicate");
                    }
                }
                break;
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back(client, t);
    }
    for (auto& thread : pool) {
        thread.join();
    }
    for (const auto& why : firstFailure) {
        QVERIFY2(why.empty(), why.c_str());
    }
    QCOMPARE(failures.load(), 0);

    const int64_t total = int64_t(threads) * perThread;
    const auto state = store.load("acme", "shared");
    QVERIFY(state.has_value());
    QCOMPARE(state->version, total);
    QCOMPARE(state->messageCount, total);
    QCOMPARE(state->vars["count"].get<int64_t>(), total);

    const std::vector<StoredMessage> history = store.history("acme", "shared", size_t(total) * 2);
    QCOMPARE(int64_t(history.size()), total);
    std::set<std::string> keys;
    std::map<std::string, int> nextIndex; // per thread: the i its next message must carry
    for (size_t n = 0; n < history.size(); ++n) {
        const StoredMessage& message = history[n];
        QCOMPARE(message.seq, int64_t(n + 1));
        QVERIFY2(keys.insert(message.idempotencyKey).second, message.idempotencyKey.c_str());
        const std::string expectedKey =
            "t" + message.input + "-" + std::to_string(nextIndex[message.input]++);
        QCOMPARE(message.idempotencyKey, expectedKey);
    }
}

} // namespace storecontract
