#pragma once

#include "flowdeck/engine/release.h"

#include <QString>

namespace flowdeck::console::rollout_text {

// How the Deploy workspace words a rollout, kept apart from the widgets so that tests can read
// it without a node. Every time is ms since the epoch; `nowMs` is passed in so that a test can
// freeze the clock.

// "Progressing", "Paused", "Succeeded", "Aborted", "Rolled back".
QString state(engine::release::RolloutState state);
// "Step 2 of 3", "Before the first step", "Done".
QString step(const engine::release::Rollout& rollout);
// "50 % of new conversations on v4".
QString percent(const engine::release::Rollout& rollout);
// "v3 (stable) → v4 (canary)", or "v4, first release" without a stable version.
QString versions(const engine::release::Rollout& rollout);
// What the current step waits for: "Waiting for Promote", "Next step in 0:25", "Analysis ends
// in 4:10", "Finished at 14:03:22", …
QString timer(const engine::release::Rollout& rollout, qint64 nowMs);
// A step as a person says it: "10 % · pause 30s", "50 % · wait for Promote".
QString stepPlan(const engine::release::CanaryStep& step);
// The whole plan on one line: "10 % · pause 30s → 50 % · wait for Promote → 100 %".
QString plan(const std::vector<engine::release::CanaryStep>& steps);

// "3.40 %", "–" for NaN.
QString rate(double fraction);
// "1,234 ms" or "812 ms"; "–" for NaN.
QString milliseconds(double ms);
// "2024-05-01 14:03:22" in local time; empty for 0.
QString dateTime(qint64 ms);
// "0:25", "1:02:03"; negative values read as 0.
QString duration(qint64 ms);

// `one` for 1, else `many` with %1 replaced by n: "1 error", "3 errors".
QString counted(qint64 n, const QString& one, const QString& many);

// "Deploy started", "Step advanced", "Rolled back", …
QString action(engine::release::HistoryAction action);
// "PASS", "FAIL", "INCONCLUSIVE"; empty when unspecified.
QString verdict(engine::release::Verdict verdict);

} // namespace flowdeck::console::rollout_text
