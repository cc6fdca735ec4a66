#include "pkg/api/resources.h"

#include <algorithm>
#include <cctype>

namespace skiff::api {

namespace {

const std::vector<std::string> kStandardVerbs = {"create", "delete", "deletecollection", "get",
                                                 "list",   "patch",  "update",           "watch"};

ResourceInfo make(std::string group, std::string kind, std::string plural, bool namespaced,
                  std::vector<std::string> short_names, std::vector<std::string> subresources,
                  std::vector<std::string> categories = {}) {
  ResourceInfo info;
  info.group = std::move(group);
  info.version = "v1";
  info.singular = kind;
  std::transform(info.singular.begin(), info.singular.end(), info.singular.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  info.kind = std::move(kind);
  info.plural = std::move(plural);
  info.namespaced = namespaced;
  info.short_names = std::move(short_names);
  info.subresources = std::move(subresources);
  info.categories = std::move(categories);
  info.verbs = kStandardVerbs;
  return info;
}

std::vector<ResourceInfo> build_registry() {
  std::vector<ResourceInfo> r;
  // core/v1
  r.push_back(make("", "Namespace", "namespaces", false, {"ns"}, {"status", "finalize"}));
  r.push_back(make("", "Pod", "pods", true, {"po"},
                   {"status", "binding", "log", "exec", "portforward", "eviction"}, {"all"}));
  r.push_back(make("", "Service", "services", true, {"svc"}, {"status"}, {"all"}));
  r.push_back(make("", "Endpoints", "endpoints", true, {"ep"}, {}));
  r.push_back(make("", "ConfigMap", "configmaps", true, {"cm"}, {}));
  r.push_back(make("", "Secret", "secrets", true, {}, {}));
  r.push_back(make("", "Node", "nodes", false, {"no"}, {"status"}));
  r.push_back(make("", "Event", "events", true, {"ev"}, {}));
  r.push_back(make("", "ServiceAccount", "serviceaccounts", true, {"sa"}, {}));
  // apps/v1
  r.push_back(
      make("apps", "Deployment", "deployments", true, {"deploy"}, {"status", "scale"}, {"all"}));
  r.push_back(
      make("apps", "ReplicaSet", "replicasets", true, {"rs"}, {"status", "scale"}, {"all"}));
  // networking.k8s.io/v1
  r.push_back(make("networking.k8s.io", "Ingress", "ingresses", true, {"ing"}, {"status"}));
  r.push_back(make("networking.k8s.io", "IngressClass", "ingressclasses", false, {}, {}));
  // coordination.k8s.io/v1
  r.push_back(make("coordination.k8s.io", "Lease", "leases", true, {}, {}));
  // discovery.k8s.io/v1
  r.push_back(make("discovery.k8s.io", "EndpointSlice", "endpointslices", true, {}, {}));
  return r;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string ResourceInfo::api_version() const {
  return group.empty() ? version : group + "/" + version;
}

std::string ResourceInfo::qualified() const {
  return group.empty() ? plural : plural + "." + group;
}

std::string ResourceInfo::list_kind() const {
  return kind + "List";
}

bool ResourceInfo::has_subresource(std::string_view name) const {
  return std::find(subresources.begin(), subresources.end(), name) != subresources.end();
}

std::string ResourceInfo::key_prefix() const {
  return "/registry/" + (group.empty() ? std::string("core") : group) + "/" + plural + "/";
}

std::string ResourceInfo::key_prefix(std::string_view namespace_name) const {
  if (!namespaced) return key_prefix();
  return key_prefix() + std::string(namespace_name) + "/";
}

std::string ResourceInfo::key(std::string_view namespace_name, std::string_view name) const {
  return key_prefix(namespace_name) + std::string(name);
}

const std::vector<ResourceInfo>& all_resources() {
  static const std::vector<ResourceInfo> registry = build_registry();
  return registry;
}

const ResourceInfo* find_resource(std::string_view group, std::string_view version,
                                  std::string_view plural) {
  for (const auto& info : all_resources()) {
    if (info.group == group && info.version == version && info.plural == plural) return &info;
  }
  return nullptr;
}

const ResourceInfo* find_by_kind(std::string_view api_version, std::string_view kind) {
  for (const auto& info : all_resources()) {
    if (info.kind == kind && info.api_version() == api_version) return &info;
  }
  return nullptr;
}

const ResourceInfo* find_by_user_name(std::string_view name) {
  std::string_view bare = name;
  std::string_view group;
  if (auto dot = name.find('.'); dot != std::string_view::npos) {
    bare = name.substr(0, dot);
    group = name.substr(dot + 1);
  }
  for (const auto& info : all_resources()) {
    if (!group.empty() && info.group != group) continue;
    if (iequals(info.plural, bare) || iequals(info.singular, bare) || iequals(info.kind, bare))
      return &info;
    for (const auto& short_name : info.short_names)
      if (iequals(short_name, bare)) return &info;
  }
  return nullptr;
}

std::vector<std::string> served_group_versions() {
  std::vector<std::string> out;
  for (const auto& info : all_resources()) {
    auto gv = info.api_version();
    if (std::find(out.begin(), out.end(), gv) == out.end()) out.push_back(gv);
  }
  return out;
}

}  // namespace skiff::api
