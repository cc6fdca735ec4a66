#pragma once
// Kubernetes resource quantities ("100m", "1.5Gi", "2e3"): syntax check and numeric value, for
// validating container resources. Precision is that of a double, enough to compare requests
// with limits.
#include <optional>
#include <string_view>

namespace skiff::api {

// nullopt when `text` is not a valid quantity.
std::optional<double> parse_quantity(std::string_view text);

}  // namespace skiff::api
