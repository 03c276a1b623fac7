#include "deploy/rollout_format.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QStringList>

#include <algorithm>
#include <cmath>

namespace flowdeck::console::rollout_text {

namespace rel = engine::release;

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("RolloutText", text);
}

QString version(const std::string& name) {
    return QString::fromStdString(name);
}

} // namespace

QString state(rel::RolloutState state) {
    switch (state) {
    case rel::RolloutState::Progressing:
        return tr("Progressing");
    case rel::RolloutState::Paused:
        return tr("Paused");
    case rel::RolloutState::Succeeded:
        return tr("Succeeded");
    case rel::RolloutState::Aborted:
        return tr("Aborted");
    case rel::RolloutState::RolledBack:
        return tr("Rolled back");
    case rel::RolloutState::Unspecified:
        break;
    }
    return tr("Unknown");
}

QString step(const rel::Rollout& rollout) {
    const int count = static_cast<int>(rollout.steps.size());
    if (rollout.state == rel::RolloutState::Succeeded) {
        return tr("Done");
    }
    if (count == 0) {
        return tr("All at once");
    }
    if (rollout.currentStep < 0) {
        return tr("Before the first step");
    }
    return tr("Step %1 of %2").arg(std::min(rollout.currentStep + 1, count)).arg(count);
}

QString percent(const rel::Rollout& rollout) {
    return tr("%1 % of new conversations on %2")
        .arg(rollout.currentPercent)
        .arg(version(rollout.version));
}

QString versions(const rel::Rollout& rollout) {
    if (rollout.stableVersion.empty()) {
        return tr("%1, first release").arg(version(rollout.version));
    }
    return tr("%1 (stable) → %2 (canary)")
        .arg(version(rollout.stableVersion), version(rollout.version));
}

QString timer(const rel::Rollout& rollout, qint64 nowMs) {
    if (!rollout.inProgress()) {
        return rollout.finishedAtMs > 0 ? tr("Finished %1").arg(dateTime(rollout.finishedAtMs))
                                        : QString();
    }
    const bool haveStep =
        rollout.currentStep >= 0 && rollout.currentStep < static_cast<int>(rollout.steps.size());
    const rel::Gate gate = haveStep ? rollout.steps[rollout.currentStep].gate : rel::Gate::Manual;
    if (rollout.state == rel::RolloutState::Paused || rollout.nextStepAtMs <= 0) {
        return tr("Waiting for Promote");
    }
    const QString left = duration(rollout.nextStepAtMs - nowMs);
    return gate == rel::Gate::Analysis ? tr("Analysis ends in %1").arg(left)
                                       : tr("Next step in %1").arg(left);
}

QString stepPlan(const rel::CanaryStep& step) {
    const QString share = tr("%1 %").arg(step.percent);
    switch (step.gate) {
    case rel::Gate::Pause:
        return tr("%1 · pause %2")
            .arg(share, QString::fromStdString(rel::formatDurationMs(step.durationMs)));
    case rel::Gate::Analysis:
        return tr("%1 · analysis %2")
            .arg(share, QString::fromStdString(rel::formatDurationMs(step.durationMs)));
    case rel::Gate::Manual:
        break;
    }
    return tr("%1 · wait for Promote").arg(share);
}

QString plan(const std::vector<rel::CanaryStep>& steps) {
    QStringList parts;
    for (const rel::CanaryStep& one : steps) {
        parts << stepPlan(one);
    }
    if (steps.empty() || steps.back().percent < 100) {
        parts << tr("100 %");
    }
    return parts.join(QStringLiteral(" → "));
}

QString rate(double fraction) {
    if (std::isnan(fraction)) {
        return QStringLiteral("–");
    }
    return tr("%1 %").arg(fraction * 100.0, 0, 'f', 2);
}

QString milliseconds(double ms) {
    if (std::isnan(ms)) {
        return QStringLiteral("–");
    }
    return tr("%1 ms").arg(QLocale().toString(ms, 'f', ms < 10.0 ? 1 : 0));
}

QString dateTime(qint64 ms) {
    if (ms <= 0) {
        return {};
    }
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString duration(qint64 ms) {
    const qint64 seconds = std::max<qint64>(0, (ms + 999) / 1000);
    const qint64 hours = seconds / 3600;
    const qint64 minutes = (seconds / 60) % 60;
    const QString tail = QStringLiteral("%1").arg(seconds % 60, 2, 10, QLatin1Char('0'));
    if (hours > 0) {
        return QStringLiteral("%1:%2:%3")
            .arg(hours)
            .arg(minutes, 2, 10, QLatin1Char('0'))
            .arg(tail);
    }
    return QStringLiteral("%1:%2").arg(minutes).arg(tail);
}

QString counted(qint64 n, const QString& one, const QString& many) {
    return n == 1 ? one : QString(many).arg(n);
}

QString action(rel::HistoryAction action) {
    switch (action) {
    case rel::HistoryAction::Published:
        return tr("Published");
    case rel::HistoryAction::DeployStarted:
        return tr("Deploy started");
    case rel::HistoryAction::StepAdvanced:
        return tr("Step advanced");
    case rel::HistoryAction::Paused:
        return tr("Paused");
    case rel::HistoryAction::Promoted:
        return tr("Promoted");
    case rel::HistoryAction::Completed:
        return tr("Completed");
    case rel::HistoryAction::Aborted:
        return tr("Aborted");
    case rel::HistoryAction::RolledBack:
        return tr("Rolled back");
    case rel::HistoryAction::Unspecified:
        break;
    }
    return tr("Unknown");
}

QString verdict(rel::Verdict verdict) {
    return verdict == rel::Verdict::Unspecified
               ? QString()
               : QString::fromUtf8(rel::toString(verdict).data(), rel::toString(verdict).size());
}

} // namespace flowdeck::console::rollout_text
