#pragma once

// Shared by the FlowVersionStore implementations; not part of the public API.
#include "flowdeck/engine/flow_version_store.h"

#include <functional>

namespace flowdeck::engine::flowstore {

int64_t nowMs();

// The contract's rule for a version's id: the label when free, else the revision number, else
// "<revision>-<n>".
std::string chooseVersionId(const std::string& label, int64_t revision,
                            const std::function<bool(const std::string&)>& taken);

} // namespace flowdeck::engine::flowstore
