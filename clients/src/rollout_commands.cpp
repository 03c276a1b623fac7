// flowctl deploy and rollout status|promote|abort, and following a rollout until it settles.
#include "release_commands.h"

#include "release_format.h"

#include <chrono>
#include <iostream>
#include <thread>

namespace flowdeck::client::release_cli {

namespace {

namespace rel = engine::release;

int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The plan's steps and thresholds from the command line; nullopt after a usage message.
std::optional<rel::DeployPlan> planFrom(const ReleaseCommandLine& line, Streams& io) {
    rel::DeployPlan plan;
    plan.flowId = line.flow;
    plan.version = line.version;
    plan.reason = line.reason;
    if (!line.steps.empty()) {
        std::string error;
        auto steps = rel::parseSteps(line.steps, &error);
        if (!steps) {
            io.err << "flowctl deploy: --steps: " << error << "\n";
            return std::nullopt;
        }
        plan.steps = std::move(*steps);
    }
    plan.thresholds.maxErrorRate = line.maxErrorRate;
    plan.thresholds.maxP95LatencyMs = line.maxP95Ms;
    plan.thresholds.maxFallbackRate = line.maxFallbackRate;
    plan.thresholds.minMessages = line.minMessages;
    plan.thresholds.checkIntervalMs = line.checkInterval.count();
    // The node checks the plan too; checking here first turns a typo into a usage error.
    if (const auto why = rel::checkPlan(plan.steps, plan.thresholds)) {
        io.err << "flowctl deploy: " << *why << "\n";
        return std::nullopt;
    }
    return plan;
}

void printJson(const rel::Rollout& rollout, Streams& io) {
    io.out << release_text::toJson(rollout).dump(2) << "\n";
}

// What changed between two looks at a rollout that a person following it wants to see.
bool progressed(const rel::Rollout& before, const rel::Rollout& after) {
    return before.state != after.state || before.currentStep != after.currentStep ||
           before.currentPercent != after.currentPercent ||
           before.nextStepAtMs != after.nextStepAtMs || before.stateReason != after.stateReason;
}

bool analysed(const rel::Rollout& before, const rel::Rollout& after) {
    return after.lastAnalysis &&
           (!before.lastAnalysis ||
            before.lastAnalysis->windowEndMs != after.lastAnalysis->windowEndMs ||
            before.lastAnalysis->verdict != after.lastAnalysis->verdict);
}

// One line for a new analysis: "analysis PASS: canary 2.0 120 messages; max_error_rate ...".
std::string analysisLine(const rel::AnalysisResult& analysis) {
    std::string line = "analysis " + std::string(rel::toString(analysis.verdict)) + ": canary " +
                       std::to_string(analysis.canary.messages) + " messages, stable " +
                       std::to_string(analysis.stable.messages);
    for (const auto& check : analysis.checks) {
        line += "; " + release_text::check(check);
    }
    return line;
}

int exitCodeFor(const rel::Rollout& rollout) {
    return rollout.state == rel::RolloutState::Succeeded ? kExitOk : kExitFailed;
}

// Polls the rollout until it is no longer in progress (or, with stopAtPause, until it pauses),
// printing a line for each change unless --json. Exit code as documented for deploy --wait.
int follow(ReleasesClient& client, rel::Rollout rollout, const ReleaseCommandLine& line,
           bool stopAtPause, const std::string& command, Streams& io) {
    const bool quiet = line.remote.json;
    const auto say = [&](const std::string& text) {
        if (!quiet) {
            io.out << release_text::clockTime(nowMs()) << "  " << text << std::endl;
        }
    };
    say(release_text::progressLine(rollout));
    while (rollout.inProgress() && !(stopAtPause && rollout.state == rel::RolloutState::Paused)) {
        std::this_thread::sleep_for(line.pollInterval);
        auto next = client.rollout(rollout.flowId, rollout.rolloutId);
        if (!next) {
            return reportFailure(command, next.error, io);
        }
        if (analysed(rollout, *next)) {
            say(analysisLine(*next->lastAnalysis));
        }
        if (progressed(rollout, *next)) {
            say(release_text::progressLine(*next));
        }
        rollout = std::move(*next);
    }
    if (quiet) {
        printJson(rollout, io);
    }
    if (rollout.state == rel::RolloutState::Paused) {
        if (!quiet) {
            io.out << "paused at " << release_text::stepText(rollout) << " ("
                   << rollout.currentPercent << "%); go on with: flowctl rollout promote "
                   << rollout.flowId << " --reason TEXT\n";
        }
        return kExitPaused;
    }
    return exitCodeFor(rollout);
}

} // namespace

int runDeploy(const ReleaseCommandLine& line, Streams& io) {
    if (!requireReason("deploy", line.reason, io)) {
        return kExitUsage;
    }
    const auto plan = planFrom(line, io);
    if (!plan) {
        return kExitUsage;
    }
    auto client = makeClient(line.remote);
    const auto rollout = client.deploy(*plan);
    if (!rollout) {
        return reportFailure("deploy", rollout.error, io);
    }
    if (line.wait) {
        return follow(client, *rollout, line, true, "deploy", io);
    }
    if (line.remote.json) {
        printJson(*rollout, io);
    } else {
        io.out << release_text::rolloutReport(*rollout, nowMs());
    }
    return kExitOk;
}

int runRolloutStatus(const ReleaseCommandLine& line, Streams& io) {
    auto client = makeClient(line.remote);
    const auto rollout = client.rollout(line.flow, line.rolloutId);
    if (!rollout) {
        return reportFailure("rollout status", rollout.error, io);
    }
    if (!line.watch) {
        if (line.remote.json) {
            printJson(*rollout, io);
        } else {
            io.out << release_text::rolloutReport(*rollout, nowMs());
        }
        return kExitOk;
    }
    if (!line.remote.json) {
        io.out << release_text::rolloutReport(*rollout, nowMs());
    }
    return follow(client, *rollout, line, false, "rollout status", io);
}

int runPromote(const ReleaseCommandLine& line, Streams& io) {
    if (!requireReason("rollout promote", line.reason, io)) {
        return kExitUsage;
    }
    auto client = makeClient(line.remote);
    const auto rollout = client.promote(line.flow, line.rolloutId, line.full, line.reason);
    if (!rollout) {
        return reportFailure("rollout promote", rollout.error, io);
    }
    if (line.remote.json) {
        printJson(*rollout, io);
    } else {
        io.out << release_text::rolloutReport(*rollout, nowMs());
    }
    return kExitOk;
}

int runAbort(const ReleaseCommandLine& line, Streams& io) {
    if (!requireReason("rollout abort", line.reason, io)) {
        return kExitUsage;
    }
    auto client = makeClient(line.remote);
    const auto rollout = client.abort(line.flow, line.rolloutId, line.reason);
    if (!rollout) {
        return reportFailure("rollout abort", rollout.error, io);
    }
    if (line.remote.json) {
        printJson(*rollout, io);
    } else {
        io.out << release_text::rolloutReport(*rollout, nowMs());
    }
    return kExitOk;
}

} // namespace flowdeck::client::release_cli
