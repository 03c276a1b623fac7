#include "template_renderer.h"

#include <QtTest>

using namespace flowdeck::engine;

namespace {

struct Context {
    Json slotValues = Json::object();
    Json vars = Json::object();
    Json user = Json::object();
    std::string intent;
    std::string input;
};

// Outside the struct: moc reads "slots" inside a class body as the Qt keyword.
TemplateScope scopeOf(const Context& context) {
    TemplateScope s;
    s.slots = &context.slotValues;
    s.vars = &context.vars;
    s.user = &context.user;
    s.intent = context.intent;
    s.input = context.input;
    return s;
}

std::string render(std::string_view text, const Context& context,
                   std::vector<std::string>* missing = nullptr) {
    return CompiledTemplate::compile(text).render(scopeOf(context), missing);
}

} // namespace

class tst_Templates : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rendersSlotsVarsUserIntentAndInput() {
        Context c;
        c.slotValues["order_id"] = "AB-123";
        c.vars["eta"] = "Thursday";
        c.user["name"] = "Ana";
        c.intent = "order_status";
        c.input = "where is it";
        QCOMPARE(render("{{user.name}}: {{slots.order_id}} arrives {{vars.eta}} ({{intent}}, "
                        "\"{{input}}\")",
                        c),
                 std::string("Ana: AB-123 arrives Thursday (order_status, \"where is it\")"));
    }
    void rendersNestedValues() {
        Context c;
        c.vars["order"] = {{"status", "shipped"}, {"items", Json::array({"a", "b"})}};
        QCOMPARE(render("{{vars.order.status}} / {{vars.order.items.1}}", c),
                 std::string("shipped / b"));
    }
    void allowsWhitespaceInsideBraces() {
        Context c;
        c.user["name"] = "Ana";
        QCOMPARE(render("Hi {{  user.name \t}}!", c), std::string("Hi Ana!"));
    }
    void rendersMissingValuesEmptyAndReportsThem() {
        Context c;
        std::vector<std::string> missing;
        QCOMPARE(render("[{{slots.nothing}}] [{{vars.a.b}}]", c, &missing), std::string("[] []"));
        QCOMPARE(missing.size(), size_t(2));
        QCOMPARE(missing[0], std::string("slots.nothing"));
    }
    void keepsUnterminatedBracesLiteral() {
        Context c;
        c.user["name"] = "Ana";
        QCOMPARE(render("Hi {{user.name}} and {{user.name", c),
                 std::string("Hi Ana and {{user.name"));
        QCOMPARE(render("{{ not a reference }} {{}}", c),
                 std::string("{{ not a reference }} {{}}"));
    }
    void rendersNumbersAndBooleansAsJsonAndStringsRaw() {
        Context c;
        c.slotValues["size"] = 4;
        c.slotValues["price"] = 12.5;
        c.slotValues["ok"] = true;
        c.slotValues["quote"] = "say \"hi\"";
        QCOMPARE(render("{{slots.size}} {{slots.price}} {{slots.ok}} {{slots.quote}}", c),
                 std::string("4 12.5 true say \"hi\""));
    }
    void keepsUnicodeAndEmoji() {
        Context c;
        c.slotValues["città"] = "Zürich";
        QCOMPARE(render("📦 {{slots.città}} → 好", c), std::string("📦 Zürich → 好"));
    }
    void percentEncodesValuesInUrls() {
        Context c;
        c.slotValues["q"] = "a b/ü";
        const auto url = CompiledTemplate::compile("http://x/search/{{slots.q}}?v=1");
        QCOMPARE(url.render(scopeOf(c), nullptr, TemplateEncoding::Url),
                 std::string("http://x/search/a%20b%2F%C3%BC?v=1"));
    }
    void isSplitOnceIntoPieces() {
        const auto t = CompiledTemplate::compile("a {{slots.x}} b");
        QCOMPARE(t.pieces().size(), size_t(3));
        QVERIFY(t.pieces()[1].isReference);
        QVERIFY(t.pieces()[1].root == TemplateRoot::Slots);
        QVERIFY(CompiledTemplate::compile("{{slots.x}}").singleReference() != nullptr);
        QVERIFY(t.singleReference() == nullptr);
    }
};

QTEST_GUILESS_MAIN(tst_Templates)
#include "tst_templates.moc"
