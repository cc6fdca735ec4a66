#pragma once
// The registry of every resource type skiff serves. Discovery, routing, the CLI's type names
// and storage keys are all derived from this one table.
#include <string>
#include <string_view>
#include <vector>

namespace skiff::api {

struct ResourceInfo {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string kind;      // "Deployment"
  std::string plural;    // "deployments"
  std::string singular;  // "deployment"
  bool namespaced = true;
  std::vector<std::string> short_names;   // {"deploy"}
  std::vector<std::string> categories;    // {"all"}
  std::vector<std::string> subresources;  // {"status", "scale"}
  std::vector<std::string> verbs;         // create, delete, deletecollection, get, list, ...

  std::string api_version() const;  // "apps/v1" or "v1"
  std::string qualified() const;    // "deployments.apps" or "pods" (for messages)
  std::string list_kind() const;    // "DeploymentList"
  bool has_subresource(std::string_view name) const;

  // Storage key prefix for this resource, ending in '/': "/registry/apps/deployments/".
  std::string key_prefix() const;
  // "/registry/apps/deployments/<ns>/" (namespaced) or key_prefix() (cluster-scoped).
  std::string key_prefix(std::string_view namespace_name) const;
  // The key of one object. `namespace_name` is ignored for cluster-scoped resources.
  std::string key(std::string_view namespace_name, std::string_view name) const;
};

const std::vector<ResourceInfo>& all_resources();

// Exact lookup by URL parts: group ("" for core), version, plural.
const ResourceInfo* find_resource(std::string_view group, std::string_view version,
                                  std::string_view plural);
// Lookup by apiVersion ("apps/v1", "v1") and kind ("Deployment").
const ResourceInfo* find_by_kind(std::string_view api_version, std::string_view kind);
// What a person types: "deploy", "deployment", "deployments", "deployments.apps", "Deployment".
const ResourceInfo* find_by_user_name(std::string_view name);

// The group versions served, in discovery order: {"v1"}, {"apps/v1"}, ...
std::vector<std::string> served_group_versions();

}  // namespace skiff::api
