#include "flowdeck/v1/capture.grpc.pb.h"
#include "flowdeck/v1/chaos.grpc.pb.h"
#include "flowdeck/v1/common.pb.h"
#include "flowdeck/v1/conversations.grpc.pb.h"
#include "flowdeck/v1/flows.grpc.pb.h"
#include "flowdeck/v1/releases.grpc.pb.h"
#include "flowdeck/v1/telemetry.grpc.pb.h"

#include "flowdeck/engine/metrics.h"

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>

#include <QtTest>

#include <fstream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace v1 = flowdeck::v1;
namespace pb = google::protobuf;
namespace engine = flowdeck::engine;

namespace {

// "string", "repeated flowdeck.v1.Error", "map<string,string>": how the seed's text spells a type.
std::string typeOf(const pb::FieldDescriptor* field) {
    if (field->is_map()) {
        return "map<" + typeOf(field->message_type()->map_key()) + "," +
               typeOf(field->message_type()->map_value()) + ">";
    }
    std::string base = field->message_type() ? field->message_type()->full_name()
                       : field->enum_type()  ? field->enum_type()->full_name()
                                             : field->type_name();
    return field->is_repeated() ? "repeated " + base : base;
}

using FieldSpec = std::tuple<int, std::string, std::string>; // number, name, type

// Every expected field with its number, name and type, and no other field below 10 (Flowdeck's
// additions start there). Returns what differs; empty when all match.
std::string seedMismatches(const pb::Descriptor* message, const std::vector<FieldSpec>& expected) {
    std::string out;
    std::set<int> numbers;
    for (const auto& [number, name, type] : expected) {
        numbers.insert(number);
        const auto* field = message->FindFieldByNumber(number);
        if (!field) {
            out += message->name() + ": no field " + std::to_string(number) + "; ";
        } else if (field->name() != name || typeOf(field) != type) {
            out += message->name() + "." + std::to_string(number) + " is " + typeOf(field) + " " +
                   field->name() + ", seed has " + type + " " + name + "; ";
        }
    }
    for (int i = 0; i < message->field_count(); ++i) {
        const auto* field = message->field(i);
        if (field->number() < 10 && !numbers.count(field->number())) {
            out += message->name() + "." + field->name() + " uses seed range number " +
                   std::to_string(field->number()) + "; ";
        }
    }
    return out;
}

template <class Message> Message reparsed(const Message& message) {
    std::string bytes;
    message.SerializeToString(&bytes);
    Message out;
    if (!out.ParseFromString(bytes)) {
        out.Clear();
    }
    return out;
}

// Engine snapshot -> wire, as flowd's WatchMetrics adapter does it.
v1::Histogram toProto(const engine::HistogramSnapshot& snapshot) {
    v1::Histogram out;
    out.set_count(snapshot.count);
    out.set_sum(snapshot.sum);
    out.set_min(snapshot.min);
    out.set_max(snapshot.max);
    for (const auto& [index, count] : snapshot.buckets) {
        auto* bucket = out.add_buckets();
        bucket->set_index(index);
        bucket->set_count(count);
    }
    for (uint64_t cumulative : snapshot.cumulative) {
        out.add_cumulative(cumulative);
    }
    return out;
}

// Wire -> engine snapshot, as the console does before merging or taking quantiles.
engine::HistogramSnapshot fromProto(const v1::Histogram& histogram) {
    engine::HistogramSnapshot out;
    out.count = histogram.count();
    out.sum = histogram.sum();
    out.min = histogram.min();
    out.max = histogram.max();
    for (const auto& bucket : histogram.buckets()) {
        out.buckets.emplace_back(bucket.index(), bucket.count());
    }
    for (int i = 0; i < histogram.cumulative_size() && i < int(out.cumulative.size()); ++i) {
        out.cumulative[size_t(i)] = histogram.cumulative(i);
    }
    return out;
}

std::vector<std::string> methodsOf(const pb::ServiceDescriptor* service) {
    std::vector<std::string> out;
    for (int i = 0; service && i < service->method_count(); ++i) {
        out.push_back(service->method(i)->name());
    }
    return out;
}

// A Conversations server that answers one message and refuses another, and a Telemetry server
// that streams three snapshots: enough to show the generated stubs and the error-details
// convention work end to end.
class FakeConversations final : public v1::Conversations::Service {
public:
    grpc::Status ProcessMessage(grpc::ServerContext*, const v1::ProcessMessageRequest* request,
                                v1::ProcessMessageResponse* response) override {
        if (request->tenant_id().empty()) {
            v1::Error error;
            error.set_code("VALIDATION_ERROR");
            error.set_message("tenant_id and conversation_id are required");
            error.set_trace_id("trace-1");
            v1::ErrorStatus status;
            status.set_code(grpc::StatusCode::INVALID_ARGUMENT);
            status.set_message(error.message());
            status.add_details()->PackFrom(error);
            return {grpc::StatusCode::INVALID_ARGUMENT, error.message(),
                    status.SerializeAsString()};
        }
        response->set_conversation_id(request->conversation_id());
        response->set_current_state("detect");
        response->mutable_response()->set_type("text");
        response->mutable_response()->set_text("You said: " + request->content().text());
        return grpc::Status::OK;
    }
};

class FakeTelemetry final : public v1::Telemetry::Service {
public:
    grpc::Status WatchMetrics(grpc::ServerContext*, const v1::WatchMetricsRequest*,
                              grpc::ServerWriter<v1::MetricsSnapshot>* writer) override {
        for (uint64_t sequence = 1; sequence <= 3; ++sequence) {
            v1::MetricsSnapshot snapshot;
            snapshot.set_node_id("node-a");
            snapshot.set_sequence(sequence);
            auto* family = snapshot.add_families();
            family->set_name("flowdeck_requests_total");
            family->set_type(v1::METRIC_TYPE_COUNTER);
            family->add_samples()->set_number(double(sequence * 10));
            if (!writer->Write(snapshot)) {
                break;
            }
        }
        return grpc::Status::OK;
    }
};

// Paths (as SourceCodeInfo spells them) of every element that has a comment.
std::set<std::vector<int>> commentedPaths(const pb::FileDescriptorProto& file) {
    std::set<std::vector<int>> out;
    for (const auto& location : file.source_code_info().location()) {
        if (!location.leading_comments().empty() || !location.trailing_comments().empty()) {
            out.emplace(location.path().begin(), location.path().end());
        }
    }
    return out;
}

// Field numbers of descriptor.proto: FileDescriptorProto.message_type = 4, enum_type = 5,
// service = 6; DescriptorProto.field = 2, nested_type = 3, enum_type = 4, oneof_decl = 8;
// EnumDescriptorProto.value = 2; ServiceDescriptorProto.method = 2.
class CommentChecker final {
public:
    explicit CommentChecker(const pb::FileDescriptorProto& file)
        : m_file(file)
        , m_commented(commentedPaths(file)) {}

    std::vector<std::string> missing() {
        for (int m = 0; m < m_file.message_type_size(); ++m) {
            checkMessage(m_file.message_type(m), {4, m});
        }
        for (int e = 0; e < m_file.enum_type_size(); ++e) {
            checkEnum(m_file.enum_type(e), {5, e});
        }
        for (int s = 0; s < m_file.service_size(); ++s) {
            const auto& service = m_file.service(s);
            check({6, s}, service.name());
            for (int i = 0; i < service.method_size(); ++i) {
                check({6, s, 2, i}, service.name() + "." + service.method(i).name());
            }
        }
        return m_missing;
    }

private:
    void check(const std::vector<int>& path, const std::string& what) {
        if (!m_commented.count(path)) {
            m_missing.push_back(m_file.name() + ": " + what);
        }
    }
    void checkMessage(const pb::DescriptorProto& message, std::vector<int> path) {
        if (message.options().map_entry()) {
            return; // generated for map fields, never written by hand
        }
        check(path, message.name());
        auto child = [&](int kind, int index) {
            auto out = path;
            out.insert(out.end(), {kind, index});
            return out;
        };
        for (int f = 0; f < message.field_size(); ++f) {
            check(child(2, f), message.name() + "." + message.field(f).name());
        }
        for (int o = 0; o < message.oneof_decl_size(); ++o) {
            if (message.oneof_decl(o).name().rfind('_', 0) != 0) { // not a proto3 `optional`
                check(child(8, o), message.name() + "." + message.oneof_decl(o).name());
            }
        }
        for (int n = 0; n < message.nested_type_size(); ++n) {
            checkMessage(message.nested_type(n), child(3, n));
        }
        for (int e = 0; e < message.enum_type_size(); ++e) {
            checkEnum(message.enum_type(e), child(4, e));
        }
    }
    void checkEnum(const pb::EnumDescriptorProto& type, std::vector<int> path) {
        check(path, type.name());
        for (int v = 0; v < type.value_size(); ++v) {
            auto valuePath = path;
            valuePath.insert(valuePath.end(), {2, v});
            check(valuePath, type.name() + "." + type.value(v).name());
        }
    }

    const pb::FileDescriptorProto& m_file;
    std::set<std::vector<int>> m_commented;
    std::vector<std::string> m_missing;
};

} // namespace

class tst_Proto final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void conversationMessagesKeepSeedFieldNamesAndNumbers();
    void stateAndFlowMessagesKeepSeedFieldNamesAndNumbers();
    void processMessageRoundTripsWithTraceAndErrors();
    void seedHttpJsonBodyParsesIntoProcessMessageRequest();
    void flowDefinitionRoundTripsStructuredAndExactForms();
    void unsetRolloutThresholdsStayUnsetOnTheWire();
    void faultSpecAndCaptureRoundTrip();
    void histogramCarriesEngineSnapshotExactly();
    void everyServiceIsInTheDescriptorPoolWithItsMethods();
    void streamingMethodsAreServerStreams();
    void everyMethodDeclaresARoleAndChangesAreAudited();
    void everyElementOfTheApiIsDocumented();
    void stubsCallAServerAndReadErrorDetails();
    void metricsStreamDeliversSnapshotsInOrder();
};

void tst_Proto::conversationMessagesKeepSeedFieldNamesAndNumbers() {
    QCOMPARE(seedMismatches(v1::ProcessMessageRequest::descriptor(),
                            {{1, "tenant_id", "string"},
                             {2, "conversation_id", "string"},
                             {3, "content", "flowdeck.v1.MessageContent"},
                             {4, "metadata", "map<string,string>"},
                             {5, "hints", "flowdeck.v1.ProcessingHints"}}),
             std::string());
    QCOMPARE(
        seedMismatches(v1::MessageContent::descriptor(), {{1, "type", "string"},
                                                          {2, "text", "string"},
                                                          {3, "attributes", "map<string,string>"}}),
        std::string());
    QCOMPARE(seedMismatches(v1::ProcessingHints::descriptor(), {{1, "priority", "string"},
                                                                {2, "bypass_cache", "bool"},
                                                                {3, "force_flow", "string"},
                                                                {4, "timeout_ms", "int32"}}),
             std::string());
    QCOMPARE(seedMismatches(v1::ProcessMessageResponse::descriptor(),
                            {{1, "conversation_id", "string"},
                             {2, "current_state", "string"},
                             {3, "response", "flowdeck.v1.MessageContent"},
                             {4, "context_updates", "map<string,string>"},
                             {5, "actions_performed", "repeated string"},
                             {6, "processing_time_ms", "int32"},
                             {7, "ab_variant", "string"},
                             {8, "errors", "repeated flowdeck.v1.Error"}}),
             std::string());
    QCOMPARE(seedMismatches(v1::Error::descriptor(), {{1, "code", "string"},
                                                      {2, "message", "string"},
                                                      {3, "details", "map<string,string>"},
                                                      {4, "trace_id", "string"}}),
             std::string());
}

void tst_Proto::stateAndFlowMessagesKeepSeedFieldNamesAndNumbers() {
    QCOMPARE(seedMismatches(v1::GetStateRequest::descriptor(), {{1, "tenant_id", "string"},
                                                                {2, "conversation_id", "string"},
                                                                {3, "include_history", "bool"},
                                                                {4, "include_context", "bool"}}),
             std::string());
    QCOMPARE(
        seedMismatches(v1::GetStateResponse::descriptor(), {{1, "current_state", "string"},
                                                            {2, "flow_id", "string"},
                                                            {3, "context", "map<string,string>"},
                                                            {4, "state_history", "repeated string"},
                                                            {5, "created_at", "int64"},
                                                            {6, "last_updated", "int64"}}),
        std::string());
    QCOMPARE(seedMismatches(v1::FlowDefinition::descriptor(),
                            {{1, "name", "string"},
                             {2, "description", "string"},
                             {3, "version", "string"},
                             {4, "initial_state", "string"},
                             {5, "states", "map<string,flowdeck.v1.State>"},
                             {6, "global_handlers", "map<string,string>"}}),
             std::string());
    QCOMPARE(
        seedMismatches(v1::CreateFlowRequest::descriptor(),
                       {{1, "tenant_id", "string"}, {2, "flow", "flowdeck.v1.FlowDefinition"}}),
        std::string());
    QCOMPARE(seedMismatches(v1::UpdateFlowRequest::descriptor(),
                            {{1, "tenant_id", "string"},
                             {2, "flow_id", "string"},
                             {3, "flow", "flowdeck.v1.FlowDefinition"},
                             {4, "publish", "bool"}}),
             std::string());
}

void tst_Proto::processMessageRoundTripsWithTraceAndErrors() {
    v1::ProcessMessageRequest request;
    request.set_tenant_id("tenant_123");
    request.set_conversation_id("conv_456");
    request.mutable_content()->set_type("text");
    request.mutable_content()->set_text("Wo ist meine Bestellung? 📦");
    (*request.mutable_content()->mutable_attributes())["intent"] = "order_status";
    (*request.mutable_metadata())["channel"] = "web";
    request.mutable_hints()->set_priority("high");
    request.mutable_hints()->set_force_flow("order_support");
    request.mutable_hints()->set_timeout_ms(2500);
    request.set_idempotency_key("msg-1");
    request.set_include_trace(true);
    const auto requestBack = reparsed(request);
    QVERIFY(pb::util::MessageDifferencer::Equals(request, requestBack));
    QCOMPARE(requestBack.content().text(), std::string("Wo ist meine Bestellung? 📦"));
    QCOMPARE(requestBack.hints().timeout_ms(), 2500);

    v1::ProcessMessageResponse response;
    response.set_conversation_id("conv_456");
    response.set_current_state("ask_order");
    response.mutable_response()->set_text("Which order?");
    (*response.mutable_context_updates())["vars.topic"] = "\"orders\"";
    response.add_actions_performed("integration:order_api");
    response.set_processing_time_ms(12);
    response.set_ab_variant("canary");
    auto* error = response.add_errors();
    error->set_code("INTEGRATION_ERROR");
    error->set_category("STATE_ERROR");
    (*error->mutable_details())["integration"] = "order_api";
    error->set_trace_id("trace-9");
    auto* step = response.add_trace();
    step->set_kind(v1::TRACE_KIND_CONDITION_EVALUATED);
    step->set_state("detect");
    step->set_transition(0);
    step->set_data(R"({"result":true})");
    step->set_start_us(15);
    step->set_duration_us(3);
    response.add_trace()->set_kind(v1::TRACE_KIND_WAITING);

    const auto back = reparsed(response);
    QVERIFY(pb::util::MessageDifferencer::Equals(response, back));
    QCOMPARE(back.errors(0).details().at("integration"), std::string("order_api"));
    // Transition 0 is a real index and must not read as "no transition".
    QVERIFY(back.trace(0).has_transition());
    QCOMPARE(back.trace(0).transition(), 0);
    QVERIFY(!back.trace(1).has_transition());
}

void tst_Proto::seedHttpJsonBodyParsesIntoProcessMessageRequest() {
    // The body of the seed's `curl POST /api/v2/process` example, verbatim.
    const std::string body = R"({
        "tenant_id": "tenant_123",
        "conversation_id": "conv_456",
        "content": { "type": "text", "text": "I want to check my order" }
    })";
    v1::ProcessMessageRequest request;
    const auto status = pb::util::JsonStringToMessage(body, &request);
    QVERIFY2(status.ok(), status.ToString().c_str());
    QCOMPARE(request.tenant_id(), std::string("tenant_123"));
    QCOMPARE(request.conversation_id(), std::string("conv_456"));
    QCOMPARE(request.content().text(), std::string("I want to check my order"));

    pb::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    std::string printed;
    QVERIFY(pb::util::MessageToJsonString(request, &printed, options).ok());
    QVERIFY(printed.find("\"conversation_id\"") != std::string::npos);
}

void tst_Proto::flowDefinitionRoundTripsStructuredAndExactForms() {
    v1::FlowDefinition flow;
    flow.set_name("order_support");
    flow.set_version("1.0");
    flow.set_initial_state("greeting");
    auto& greeting = (*flow.mutable_states())["greeting"];
    greeting.set_type("response");
    auto& templates = (*greeting.mutable_config()->mutable_fields())["response_templates"];
    (*templates.mutable_struct_value()->mutable_fields())["default"].set_string_value("Hi!");
    auto* transition = greeting.add_transitions();
    transition->set_condition("any_input");
    transition->set_target_state("detect");
    (*flow.mutable_global_handlers())["cancel"] = "goodbye";
    flow.set_flow_json(R"({"name":"order_support","states":{"größe":{"type":"end"}}})");

    const auto back = reparsed(flow);
    QVERIFY(pb::util::MessageDifferencer::Equals(flow, back));
    QCOMPARE(back.states()
                 .at("greeting")
                 .config()
                 .fields()
                 .at("response_templates")
                 .struct_value()
                 .fields()
                 .at("default")
                 .string_value(),
             std::string("Hi!"));
    QCOMPARE(back.flow_json(), flow.flow_json()); // byte for byte, Unicode included
}

void tst_Proto::unsetRolloutThresholdsStayUnsetOnTheWire() {
    v1::DeployRequest deploy;
    deploy.set_flow_id("order_support");
    deploy.set_version("1.1");
    auto* first = deploy.add_steps();
    first->set_percent(5);
    first->mutable_analysis()->set_seconds(600);
    auto* second = deploy.add_steps();
    second->set_percent(50);
    second->set_manual(true);
    deploy.mutable_thresholds()->set_max_error_rate(0.0); // "no errors at all" is a real limit
    deploy.mutable_thresholds()->set_max_p95_latency_ms(250.0);

    const auto back = reparsed(deploy);
    QVERIFY(pb::util::MessageDifferencer::Equals(deploy, back));
    QVERIFY(back.steps(0).gate_case() == v1::CanaryStep::kAnalysis);
    QCOMPARE(back.steps(0).analysis().seconds(), int64_t(600));
    QVERIFY(back.steps(1).gate_case() == v1::CanaryStep::kManual);
    QVERIFY(back.thresholds().has_max_error_rate());
    QCOMPARE(back.thresholds().max_error_rate(), 0.0);
    QVERIFY(!back.thresholds().has_max_fallback_rate()); // unset: not checked
}

void tst_Proto::faultSpecAndCaptureRoundTrip() {
    v1::InjectFaultRequest inject;
    inject.mutable_spec()->set_kind(v1::FAULT_KIND_NETWORK_BLACKHOLE);
    inject.mutable_spec()->mutable_ttl()->set_seconds(60);
    inject.mutable_spec()->set_network_target("store");
    inject.mutable_spec()->mutable_scope()->set_node_id("*");
    inject.set_reason("partition drill");
    const auto injectBack = reparsed(inject);
    QVERIFY(pb::util::MessageDifferencer::Equals(inject, injectBack));
    QCOMPARE(injectBack.spec().ttl().seconds(), int64_t(60));

    v1::CapturedConversation conversation;
    conversation.set_conversation_id("conv_1");
    auto* message = conversation.add_messages();
    message->mutable_offset()->set_nanos(250'000'000);
    message->mutable_content()->set_text("track my order");
    message->set_state_after("ask_order");
    message->add_error_codes("TIMEOUT_ERROR");
    const auto back = reparsed(conversation);
    QVERIFY(pb::util::MessageDifferencer::Equals(conversation, back));
    QCOMPARE(back.messages(0).offset().nanos(), 250'000'000);
}

void tst_Proto::histogramCarriesEngineSnapshotExactly() {
    engine::Histogram latencies;
    for (uint64_t micros :
         {3ull, 180ull, 999ull, 1000ull, 1001ull, 48'000ull, 2'500'000ull, 90'000'000'000ull}) {
        latencies.record(micros);
    }
    const engine::HistogramSnapshot snapshot = latencies.snapshot();
    const v1::Histogram wire = reparsed(toProto(snapshot));
    QCOMPARE(wire.cumulative_size(), int(engine::latency::kBoundCount));
    const engine::HistogramSnapshot back = fromProto(wire);
    QVERIFY(back == snapshot);
    QCOMPARE(back.quantile(0.5), snapshot.quantile(0.5));
    QCOMPARE(back.max, uint64_t(90'000'000'000ull)); // beyond the last bucket, still exact

    // Two nodes' snapshots merge on the client exactly as on one node.
    engine::Histogram other;
    other.record(uint64_t(700));
    engine::HistogramSnapshot merged = fromProto(reparsed(toProto(snapshot)));
    merged.merge(fromProto(reparsed(toProto(other.snapshot()))));
    latencies.record(uint64_t(700));
    QVERIFY(merged == latencies.snapshot());
}

void tst_Proto::everyServiceIsInTheDescriptorPoolWithItsMethods() {
    const auto* pool = pb::DescriptorPool::generated_pool();
    using Methods = std::vector<std::string>;
    const std::vector<std::pair<std::string, Methods>> expected = {
        {"flowdeck.v1.Conversations",
         {"ProcessMessage", "GetConversationState", "ResetConversation"}},
        {"flowdeck.v1.Flows",
         {"ValidateFlow", "CreateFlow", "UpdateFlow", "GetFlow", "ListFlows", "ListVersions",
          "DeleteFlow"}},
        {"flowdeck.v1.Releases",
         {"Deploy", "GetRollout", "Promote", "Abort", "Rollback", "ListHistory"}},
        {"flowdeck.v1.Telemetry", {"WatchMetrics", "GetNodeInfo", "WatchEvents"}},
        {"flowdeck.v1.Chaos", {"InjectFault", "ListFaults", "ClearFaults"}},
        {"flowdeck.v1.Capture",
         {"StartCapture", "StopCapture", "ListCaptures", "ExportCapture", "DeleteCapture"}},
        {"flowdeck.v1.MCPEngine",
         {"ProcessMessage", "GetConversationState", "ResetConversation", "CreateFlow", "UpdateFlow",
          "GetFlow", "ListFlows", "DeleteFlow"}},
    };
    for (const auto& [name, methods] : expected) {
        const auto* service = pool->FindServiceByName(name);
        QVERIFY2(service, name.c_str());
        QCOMPARE(methodsOf(service), methods);
    }
    // The seed's service and ours take the very same messages.
    const auto* seed = pool->FindMethodByName("flowdeck.v1.MCPEngine.GetConversationState");
    const auto* ours = pool->FindMethodByName("flowdeck.v1.Conversations.GetConversationState");
    QVERIFY(seed && ours);
    QCOMPARE(seed->input_type(), ours->input_type());
    QCOMPARE(seed->output_type(), ours->output_type());
    QCOMPARE(seed->input_type()->name(), std::string("GetStateRequest"));
}

void tst_Proto::streamingMethodsAreServerStreams() {
    const auto* pool = pb::DescriptorPool::generated_pool();
    const std::set<std::string> streams = {"flowdeck.v1.Telemetry.WatchMetrics",
                                           "flowdeck.v1.Telemetry.WatchEvents",
                                           "flowdeck.v1.Capture.ExportCapture"};
    for (const char* file : {"flowdeck/v1/conversations.proto", "flowdeck/v1/flows.proto",
                             "flowdeck/v1/releases.proto", "flowdeck/v1/telemetry.proto",
                             "flowdeck/v1/chaos.proto", "flowdeck/v1/capture.proto"}) {
        const auto* descriptor = pool->FindFileByName(file);
        QVERIFY2(descriptor, file);
        for (int s = 0; s < descriptor->service_count(); ++s) {
            for (int m = 0; m < descriptor->service(s)->method_count(); ++m) {
                const auto* method = descriptor->service(s)->method(m);
                const bool stream = streams.count(method->full_name()) > 0;
                QVERIFY2(method->server_streaming() == stream, method->full_name().c_str());
                QVERIFY2(!method->client_streaming(), method->full_name().c_str());
            }
        }
    }
}

void tst_Proto::everyMethodDeclaresARoleAndChangesAreAudited() {
    const auto* pool = pb::DescriptorPool::generated_pool();
    const std::vector<std::string> changing = {"Create",  "Update", "Delete",   "Deploy",
                                               "Promote", "Abort",  "Rollback", "Inject",
                                               "Clear",   "Start",  "Stop"};
    int checked = 0;
    for (const char* name :
         {"Conversations", "Flows", "Releases", "Telemetry", "Chaos", "Capture", "MCPEngine"}) {
        const auto* service = pool->FindServiceByName(std::string("flowdeck.v1.") + name);
        QVERIFY2(service, name);
        for (int m = 0; m < service->method_count(); ++m) {
            const auto* method = service->method(m);
            const auto& options = method->options();
            const auto role = options.GetExtension(v1::required_role);
            QVERIFY2(role != v1::ROLE_UNSPECIFIED, method->full_name().c_str());
            bool changes = false;
            for (const auto& verb : changing) {
                changes = changes || method->name().rfind(verb, 0) == 0;
            }
            if (changes) {
                QVERIFY2(options.GetExtension(v1::audited), method->full_name().c_str());
                QVERIFY2(role >= v1::ROLE_OPERATOR, method->full_name().c_str());
            }
            ++checked;
        }
    }
    QCOMPARE(checked, 3 + 7 + 6 + 3 + 3 + 5 + 8);
}

void tst_Proto::everyElementOfTheApiIsDocumented() {
    std::ifstream in(FLOWDECK_PROTOSET, std::ios::binary);
    QVERIFY2(in, FLOWDECK_PROTOSET);
    pb::FileDescriptorSet set;
    QVERIFY(set.ParseFromIstream(&in));
    std::vector<std::string> missing;
    int files = 0;
    for (const auto& file : set.file()) {
        if (file.package() != "flowdeck.v1") {
            continue; // google/protobuf/*.proto
        }
        ++files;
        for (auto& what : CommentChecker(file).missing()) {
            missing.push_back(std::move(what));
        }
    }
    QCOMPARE(files, 7);
    std::string list;
    for (const auto& what : missing) {
        list += what + "\n";
    }
    QVERIFY2(missing.empty(), ("not documented:\n" + list).c_str());
}

void tst_Proto::stubsCallAServerAndReadErrorDetails() {
    FakeConversations service;
    grpc::ServerBuilder builder;
    builder.RegisterService(&service);
    const auto server = builder.BuildAndStart();
    QVERIFY(server);
    const auto stub = v1::Conversations::NewStub(server->InProcessChannel({}));

    v1::ProcessMessageRequest request;
    request.set_tenant_id("tenant_123");
    request.set_conversation_id("conv_456");
    request.mutable_content()->set_text("hello");
    v1::ProcessMessageResponse response;
    grpc::ClientContext context;
    const auto ok = stub->ProcessMessage(&context, request, &response);
    QVERIFY2(ok.ok(), ok.error_message().c_str());
    QCOMPARE(response.current_state(), std::string("detect"));
    QCOMPARE(response.response().text(), std::string("You said: hello"));

    request.clear_tenant_id();
    grpc::ClientContext refusedContext;
    const auto refused = stub->ProcessMessage(&refusedContext, request, &response);
    QVERIFY(refused.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    v1::ErrorStatus details;
    QVERIFY(details.ParseFromString(refused.error_details()));
    QCOMPARE(details.details_size(), 1);
    v1::Error error;
    QVERIFY(details.details(0).UnpackTo(&error));
    QCOMPARE(error.code(), std::string("VALIDATION_ERROR"));
    QCOMPARE(error.trace_id(), std::string("trace-1"));
    server->Shutdown();
}

void tst_Proto::metricsStreamDeliversSnapshotsInOrder() {
    FakeTelemetry service;
    grpc::ServerBuilder builder;
    builder.RegisterService(&service);
    const auto server = builder.BuildAndStart();
    QVERIFY(server);
    const auto stub = v1::Telemetry::NewStub(server->InProcessChannel({}));

    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auto reader = stub->WatchMetrics(&context, v1::WatchMetricsRequest());
    std::vector<double> values;
    v1::MetricsSnapshot snapshot;
    while (reader->Read(&snapshot)) {
        QCOMPARE(snapshot.sequence(), uint64_t(values.size() + 1));
        values.push_back(snapshot.families(0).samples(0).number());
    }
    QVERIFY(reader->Finish().ok());
    QCOMPARE(values, (std::vector<double>{10, 20, 30}));
    server->Shutdown();
}

QTEST_GUILESS_MAIN(tst_Proto)
#include "tst_proto.moc"
