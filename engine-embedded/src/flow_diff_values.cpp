// Leaf-level diff of two JSON values (config, settings, unknown keys).

#include "flow_diff_internal.h"

#include <string_view>
#include <unordered_map>

namespace flowdeck::engine::diffing {
namespace {

// The parser refuses documents nested deeper than 64; a model built in code could go further,
// and past this depth values are compared whole rather than recursed into.
constexpr int kMaxDepth = 64;

struct Entry {
    const Json* value;
    size_t position;
};
using NameIndex = std::unordered_map<std::string_view, Entry>;

void diffAt(const std::string& pointer, const Json& before, const Json& after,
            std::vector<FieldChange>& out, int depth);

// ordered_json looks keys up linearly; the index keeps wide objects (hundreds of intents) linear.
NameIndex indexObject(const Json& object) {
    NameIndex index;
    index.reserve(object.size());
    size_t position = 0;
    for (const auto& [key, value] : object.get_ref<const Json::object_t&>()) {
        index.emplace(key, Entry{&value, position++});
    }
    return index;
}

void diffObjects(const std::string& pointer, const Json& before, const Json& after,
                 std::vector<FieldChange>& out, int depth) {
    NameIndex old = indexObject(before);
    for (const auto& [key, value] : after.get_ref<const Json::object_t&>()) {
        const auto it = old.find(key);
        if (it == old.end()) {
            out.push_back({childPointer(pointer, key), Json(), value});
            continue;
        }
        diffAt(childPointer(pointer, key), *it->second.value, value, out, depth + 1);
        old.erase(it);
    }
    for (const auto& [key, value] : before.get_ref<const Json::object_t&>()) {
        if (old.count(key) != 0) {
            out.push_back({childPointer(pointer, key), value, Json()});
        }
    }
}

// Indexes an array whose elements are all objects with a unique string "name" (slots). An
// empty array qualifies too, so that a first slot reads as one added slot.
bool indexByName(const Json& array, NameIndex& index) {
    if (!array.is_array()) {
        return false;
    }
    index.reserve(array.size());
    size_t position = 0;
    for (const auto& element : array) {
        const auto name = element.is_object() ? element.find("name") : element.end();
        if (name == element.end() || !name->is_string() ||
            !index.emplace(name->get_ref<const std::string&>(), Entry{&element, position++})
                 .second) {
            return false;
        }
    }
    return true;
}

// Only for elements indexByName accepted.
const std::string& nameOf(const Json& element) {
    return element.find("name")->get_ref<const std::string&>();
}

// Slot order matters (slots are asked in order): when the names both sides share appear in
// another order, the array is reported as one changed value instead.
bool sameRelativeOrder(const NameIndex& old, const Json& after) {
    size_t last = 0;
    bool first = true;
    for (const auto& element : after) {
        const auto it = old.find(nameOf(element));
        if (it == old.end()) {
            continue;
        }
        if (!first && it->second.position < last) {
            return false;
        }
        last = it->second.position;
        first = false;
    }
    return true;
}

bool diffNamedLists(const std::string& pointer, const Json& before, const Json& after,
                    std::vector<FieldChange>& out, int depth) {
    NameIndex old;
    NameIndex current;
    if (!indexByName(before, old) || !indexByName(after, current) ||
        (old.empty() && current.empty()) || !sameRelativeOrder(old, after)) {
        return false;
    }
    for (const auto& element : after) {
        const auto& name = nameOf(element);
        const auto it = old.find(name);
        if (it == old.end()) {
            out.push_back({childPointer(pointer, name), Json(), element});
        } else {
            diffAt(childPointer(pointer, name), *it->second.value, element, out, depth + 1);
        }
    }
    for (const auto& element : before) {
        const auto& name = nameOf(element);
        if (current.count(name) == 0) {
            out.push_back({childPointer(pointer, name), element, Json()});
        }
    }
    return true;
}

void diffAt(const std::string& pointer, const Json& before, const Json& after,
            std::vector<FieldChange>& out, int depth) {
    if (before == after) {
        return;
    }
    if (depth < kMaxDepth) {
        if (before.is_object() && after.is_object()) {
            diffObjects(pointer, before, after, out, depth);
            return;
        }
        if (diffNamedLists(pointer, before, after, out, depth)) {
            return;
        }
    }
    out.push_back({pointer, before, after});
}

} // namespace

std::string childPointer(const std::string& pointer, const std::string& key) {
    return pointer + "/" + escapePointerToken(key);
}

void diffValues(const std::string& pointer, const Json& before, const Json& after,
                std::vector<FieldChange>& out) {
    diffAt(pointer, before, after, out, 0);
}

} // namespace flowdeck::engine::diffing
