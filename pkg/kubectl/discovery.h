#pragma once
// Which resource types the server serves, learned from discovery (/api, /apis, and each
// group version's APIResourceList), with the built-in registry (pkg/api/resources.h) as the
// fallback when the server offers no usable discovery.
#include <optional>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::kubectl {

class ApiClient;

struct ResourceType {
  std::string group;  // "" for core
  std::string version;
  std::string kind;
  std::string plural;
  std::string singular;
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> verbs;
  std::vector<std::string> categories;

  std::string api_version() const;  // "apps/v1", "v1"
  std::string qualified() const;    // "deployments.apps", "pods" (for messages)
  std::string name_prefix() const;  // "deployment.apps", "pod" (for "-o name" and apply output)

  std::string collection_path(const std::string& namespace_name) const;  // "" = all namespaces
  std::string object_path(const std::string& namespace_name, const std::string& name) const;
};

// The resources of one APIResourceList (subresources like "pods/log" skipped).
std::vector<ResourceType> parse_resource_list(const Json& list);
// The built-in registry as ResourceTypes.
std::vector<ResourceType> builtin_resource_types();
// Resolves what a person typed ("po", "deploy", "deployments.apps", "Deployment") in `types`;
// nullptr when nothing matches. Core group wins over others on ties.
const ResourceType* match_resource(const std::vector<ResourceType>& types, const std::string& name);

class Discovery {
 public:
  explicit Discovery(ApiClient& client) : client_(client) {}

  // All served types, loaded on first use.
  const std::vector<ResourceType>& resources();
  // Throws `error: the server doesn't have a resource type "widgets"`.
  const ResourceType& resolve(const std::string& user_name);
  // Throws `error: resource mapping not found for ... no matches for kind "X" in version "Y"`.
  const ResourceType& for_kind(const std::string& api_version, const std::string& kind);
  // Types tagged with `category` (e.g. "all"), in discovery order.
  std::vector<ResourceType> category(const std::string& category);

 private:
  void load();

  ApiClient& client_;
  std::optional<std::vector<ResourceType>> resources_;
};

}  // namespace skiff::kubectl
