#pragma once
// Who made a request, as Kubernetes names users and groups: the admin's client certificate is
// system:admin in group system:masters; a node's is system:node:<name> in system:nodes; a
// request without verified credentials is system:anonymous in system:unauthenticated.
#include <string>
#include <string_view>
#include <vector>

namespace skiff::security {

inline constexpr std::string_view kMastersGroup = "system:masters";
inline constexpr std::string_view kNodesGroup = "system:nodes";
inline constexpr std::string_view kNodeUserPrefix = "system:node:";
inline constexpr std::string_view kAnonymousUser = "system:anonymous";
inline constexpr std::string_view kUnauthenticatedGroup = "system:unauthenticated";
inline constexpr std::string_view kAuthenticatedGroup = "system:authenticated";

struct UserInfo {
  std::string name;
  std::vector<std::string> groups;

  bool anonymous() const { return name == kAnonymousUser; }
  bool in_group(std::string_view group) const {
    for (const auto& g : groups)
      if (g == group) return true;
    return false;
  }
  // "<name>" when the user is a node (system:node:<name> in system:nodes), else "".
  std::string node_name() const {
    if (!name.starts_with(kNodeUserPrefix) || !in_group(kNodesGroup)) return "";
    return name.substr(kNodeUserPrefix.size());
  }
};

}  // namespace skiff::security
