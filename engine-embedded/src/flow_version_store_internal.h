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

// The append contract: AlreadyExists when creating (expectedRevision 0) a flow that exists,
// NotFound when updating one that does not, Conflict when `latest` is not the expected revision.
// Ok: `stored` is `in` as the next revision (revision, time, digest; not yet published), its
// version id still to be chosen.
FlowStoreStatus prepareAppend(const StoredFlowVersion& in, bool exists, int64_t latest,
                              int64_t expectedRevision, StoredFlowVersion& stored);

} // namespace flowdeck::engine::flowstore
