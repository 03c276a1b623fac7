#include "graph/graph_style.h"

#include "models/flow_document.h"
#include "widgets/theme_colors.h"

#include <QCoreApplication>
#include <QStringList>

namespace flowdeck::console::graph_style {

using engine::ConditionType;
using engine::StateType;

QColor typeColor(StateType type) {
    // Light: the strip's colour, also the type label's on a white box. Dark: the same hue a few
    // steps lighter, so the label still reads on a dark box.
    const bool dark = theme::isDark();
    switch (type) {
    case StateType::Response:
        return dark ? QColor(0x60, 0xa5, 0xfa) : QColor(0x3b, 0x82, 0xf6);
    case StateType::Intent:
        return dark ? QColor(0xa7, 0x8b, 0xfa) : QColor(0x8b, 0x5c, 0xf6);
    case StateType::SlotFilling:
        return dark ? QColor(0x22, 0xd3, 0xee) : QColor(0x06, 0xb6, 0xd4);
    case StateType::Integration:
        return dark ? QColor(0xfb, 0xbf, 0x24) : QColor(0xf5, 0x9e, 0x0b);
    case StateType::Condition:
        return dark ? QColor(0x94, 0xa3, 0xb8) : QColor(0x64, 0x74, 0x8b);
    case StateType::Script:
        return dark ? QColor(0x34, 0xd3, 0x99) : QColor(0x10, 0xb9, 0x81);
    case StateType::Handoff:
        return dark ? QColor(0xf4, 0x72, 0xb6) : QColor(0xec, 0x48, 0x99);
    case StateType::End:
        return dark ? QColor(0xcb, 0xd5, 0xe1) : QColor(0x47, 0x55, 0x69);
    }
    return Qt::gray;
}

QString typeLabel(StateType type) {
    switch (type) {
    case StateType::Response:
        return QCoreApplication::translate("Graph", "RESPONSE");
    case StateType::Intent:
        return QCoreApplication::translate("Graph", "INTENT");
    case StateType::SlotFilling:
        return QCoreApplication::translate("Graph", "SLOTS");
    case StateType::Integration:
        return QCoreApplication::translate("Graph", "INTEGRATION");
    case StateType::Condition:
        return QCoreApplication::translate("Graph", "CONDITION");
    case StateType::Script:
        return QCoreApplication::translate("Graph", "SCRIPT");
    case StateType::Handoff:
        return QCoreApplication::translate("Graph", "HANDOFF");
    case StateType::End:
        return QCoreApplication::translate("Graph", "END");
    }
    return {};
}

namespace {

QString configString(const engine::State& state, const char* key) {
    const auto it = state.config.find(key);
    return it != state.config.end() && it->is_string() ? qstr(it->get<std::string>()) : QString();
}

QString joined(const QStringList& parts) {
    return parts.join(QStringLiteral(", "));
}

} // namespace

QString stateSummary(const engine::State& state) {
    switch (state.type) {
    case StateType::Intent: {
        QStringList names;
        for (const auto& [name, examples] : engine::intentExamples(state)) {
            names << qstr(name);
        }
        return joined(names);
    }
    case StateType::SlotFilling: {
        QStringList names;
        for (const engine::SlotSpec& slot : engine::slotSpecs(state)) {
            names << QStringLiteral("%1: %2").arg(qstr(slot.name), qstr(slot.type));
        }
        return joined(names);
    }
    case StateType::Integration: {
        const QString method = configString(state, "method");
        const QString url = configString(state, "url");
        return (method.isEmpty() ? QStringLiteral("GET") : method) + QLatin1Char(' ') +
               (url.isEmpty() ? configString(state, "integration") : url);
    }
    case StateType::Script:
        return configString(state, "script").simplified();
    case StateType::Condition:
        return configString(state, "description");
    default:
        break;
    }
    for (const auto& [variant, text] : engine::responseTemplates(state)) {
        return qstr(text).simplified();
    }
    return configString(state, "description");
}

QString conditionLabel(const engine::Transition& transition) {
    const QString value = qstr(transition.conditionValue);
    QString label;
    switch (transition.condition) {
    case ConditionType::AnyInput:
        label = QCoreApplication::translate("Graph", "any input");
        break;
    case ConditionType::IntentMatch:
        label = QStringLiteral("intent = %1").arg(value);
        break;
    case ConditionType::SlotFilled:
        label = value.isEmpty() ? QCoreApplication::translate("Graph", "slots filled")
                                : QCoreApplication::translate("Graph", "%1 filled").arg(value);
        break;
    case ConditionType::Expression: {
        QString expression = qstr(transition.expression).simplified();
        if (expression.size() > 28) {
            expression = expression.left(27) + QChar(0x2026);
        }
        label = QStringLiteral("if %1").arg(expression);
        break;
    }
    case ConditionType::Fallback:
        label = QCoreApplication::translate("Graph", "fallback");
        break;
    case ConditionType::Timeout:
        label = QCoreApplication::translate("Graph", "timeout");
        break;
    case ConditionType::OnSuccess:
        label = QCoreApplication::translate("Graph", "success");
        break;
    case ConditionType::OnFailure:
        label = QCoreApplication::translate("Graph", "failure");
        break;
    }
    if (transition.hasPriority) {
        label += QStringLiteral("  ↑%1").arg(transition.priority);
    }
    return label;
}

QColor errorColor() {
    return theme::text(theme::Tone::Error);
}

QColor warningColor() {
    return theme::text(theme::Tone::Warning);
}

QColor accentColor() {
    return theme::text(theme::Tone::Accent);
}

QColor startColor() {
    return theme::fill(theme::Tone::Success);
}

} // namespace flowdeck::console::graph_style
