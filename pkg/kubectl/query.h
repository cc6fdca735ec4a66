#pragma once
// Query strings for list/watch requests.
#include <string>
#include <utility>
#include <vector>

namespace skiff::kubectl {

// "?k=v&k2=v2" with values URL-encoded; pairs with empty values are left out; "" when none.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace skiff::kubectl
