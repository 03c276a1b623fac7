#pragma once

#include "flowdeck/engine/flow.h"

#include <string>
#include <string_view>
#include <vector>

// {{ ... }} templates, split once when a flow is compiled so that rendering a message is a walk
// over literal pieces and pre-split references, with no parsing.
namespace flowdeck::engine {

enum class TemplateRoot { Slots, Vars, User, Intent, Input, Confidence, Unknown };

struct TemplatePiece {
    bool isReference = false;
    std::string text; // the literal, or the reference as written (for the trace)
    TemplateRoot root = TemplateRoot::Unknown;
    std::vector<std::string> path; // keys below the root: {{vars.order.status}} -> order, status
};

// What a template can see while one message is processed.
struct TemplateScope {
    const Json* slots = nullptr;
    const Json* vars = nullptr;
    const Json* user = nullptr;
    std::string_view intent;
    double confidence = 0.0;
    std::string_view input;
};

enum class TemplateEncoding {
    Raw,
    Url // referenced values are percent-encoded (integration URLs); literals are kept as written
};

class CompiledTemplate {
public:
    CompiledTemplate() = default;
    // Never fails: an unterminated "{{" and a "{{...}}" that is not a reference stay literal.
    static CompiledTemplate compile(std::string_view text);

    bool empty() const { return m_pieces.empty(); }
    bool hasReferences() const { return m_hasReferences; }
    const std::string& source() const { return m_source; }
    const std::vector<TemplatePiece>& pieces() const { return m_pieces; }
    // The piece when the whole template is exactly one reference ("{{slots.size}}"), else null:
    // an integration body then receives the referenced JSON value itself, keeping its type.
    const TemplatePiece* singleReference() const;

    // Appends the rendered text to `out`. Missing values render as ""; when `missing` is given,
    // the references that had no value are appended to it (for the trace).
    void renderInto(const TemplateScope& scope, std::string& out,
                    std::vector<std::string>* missing = nullptr,
                    TemplateEncoding encoding = TemplateEncoding::Raw) const;
    std::string render(const TemplateScope& scope, std::vector<std::string>* missing = nullptr,
                       TemplateEncoding encoding = TemplateEncoding::Raw) const;

private:
    std::string m_source;
    std::vector<TemplatePiece> m_pieces;
    bool m_hasReferences = false;
};

// The JSON value a reference names, or null when there is none. For intent/input/confidence the
// value is materialised into `scratch`.
const Json* resolveReference(const TemplatePiece& piece, const TemplateScope& scope, Json& scratch);

// JSON text for numbers, booleans, objects and arrays; strings as they are; null as "".
void appendValueText(const Json& value, std::string& out);

} // namespace flowdeck::engine
