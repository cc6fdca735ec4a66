#pragma once
// Kubernetes resource quantities ("100m", "0.5", "128Mi", "1G", "1e3", "2Ki") as int64.
//
// Grammar (k8s.io/apimachinery resource.Quantity): <sign><digits>[.<digits>]<suffix>, where the
// suffix is one of the binary-SI suffixes Ki Mi Gi Ti Pi Ei, the decimal-SI suffixes
// n u m "" k M G T P E, or a decimal exponent e<int> / E<int>.
// Values are rounded up (towards +infinity) to the requested unit, as Quantity.MilliValue() and
// Quantity.Value() do. Malformed text and values that do not fit in int64 throw ApiError 400 with
// a message naming the text.
#include <cstdint>
#include <string_view>

#include "pkg/api/json.h"

namespace skiff::scheduler {

// "100m" -> 100, "1" -> 1000, "0.5" -> 500 (cpu is counted in milli-cores).
std::int64_t parse_quantity_milli(std::string_view text);
// "128Mi" -> 134217728, "1G" -> 1000000000, "100m" -> 1 (rounded up).
std::int64_t parse_quantity_value(std::string_view text);

// The same for a JSON value: quantities arrive as strings, but YAML `cpu: 1` or `cpu: 0.5`
// arrives as a number. Anything else throws ApiError 400.
std::int64_t quantity_milli(const Json& value);
std::int64_t quantity_value(const Json& value);

}  // namespace skiff::scheduler
