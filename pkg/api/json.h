#pragma once
// The object model: API objects travel and are stored as JSON documents, exactly as the
// Kubernetes REST API shapes them. Typed accessors live next to the code that needs them.
#include <nlohmann/json.hpp>

namespace skiff {
using Json = nlohmann::json;
}  // namespace skiff
