#pragma once
// Comparing API objects without copying them: a pod or a node is a big tree, and the update
// path and the scheduler compare versions of objects on every change.
#include <string>

#include "pkg/api/json.h"

namespace skiff::api {

// Whether two JSON objects have the same members apart from those `skip(name)` names (a member
// skipped may be present on one side only). Values that are not both objects are compared
// whole.
template <typename Skip>
bool equal_members_except(const Json& a, const Json& b, Skip skip) {
  if (!a.is_object() || !b.is_object()) return a == b;
  size_t compared = 0;
  for (auto it = a.begin(); it != a.end(); ++it) {
    if (skip(it.key())) continue;
    ++compared;
    auto other = b.find(it.key());
    if (other == b.end() || !(*it == *other)) return false;
  }
  size_t kept_in_b = 0;
  for (auto it = b.begin(); it != b.end(); ++it) kept_in_b += skip(it.key()) ? 0 : 1;
  return compared == kept_in_b;
}

}  // namespace skiff::api
