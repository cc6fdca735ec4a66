#include "server/apiserver/discovery.h"

#include <algorithm>
#include <vector>

#include "pkg/api/resources.h"
#include "server/apiserver/media_type_params.h"

namespace skiff::apiserver {

namespace {

using api::ResourceInfo;

// What a subresource answers with and which verbs it takes, as kube-apiserver reports them.
struct SubresourceShape {
  std::string group;
  std::string version;
  std::string kind;
  std::vector<std::string> verbs;
};

SubresourceShape subresource_shape(const ResourceInfo& parent, const std::string& sub) {
  if (sub == "scale") return {"autoscaling", "v1", "Scale", {"get", "patch", "update"}};
  if (sub == "binding") return {"", "v1", "Binding", {"create"}};
  if (sub == "eviction") return {"policy", "v1", "Eviction", {"create"}};
  if (sub == "exec") return {"", "v1", "PodExecOptions", {"create", "get"}};
  if (sub == "portforward") return {"", "v1", "PodPortForwardOptions", {"create", "get"}};
  if (sub == "attach") return {"", "v1", "PodAttachOptions", {"create", "get"}};
  if (sub == "log") return {parent.group, parent.version, parent.kind, {"get"}};
  if (sub == "finalize") return {parent.group, parent.version, parent.kind, {"update"}};
  // status and anything else: the parent kind itself.
  return {parent.group, parent.version, parent.kind, {"get", "patch", "update"}};
}

std::vector<std::string> sorted_subresources(const ResourceInfo& info) {
  std::vector<std::string> subs = info.subresources;
  std::sort(subs.begin(), subs.end());
  return subs;
}

Json group_version_kind(const std::string& group, const std::string& version,
                        const std::string& kind) {
  return Json{{"group", group}, {"version", version}, {"kind", kind}};
}

// The resources of one group version, in registry order.
std::vector<const ResourceInfo*> resources_of(const std::string& group,
                                              const std::string& version) {
  std::vector<const ResourceInfo*> out;
  for (const auto& info : api::all_resources())
    if (info.group == group && info.version == version) out.push_back(&info);
  return out;
}

// Served groups (non-core) in registry order, each with its versions.
std::vector<std::pair<std::string, std::vector<std::string>>> served_groups() {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& info : api::all_resources()) {
    if (info.group.empty()) continue;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.first == info.group; });
    if (it == groups.end()) {
      groups.push_back({info.group, {info.version}});
    } else if (std::find(it->second.begin(), it->second.end(), info.version) == it->second.end()) {
      it->second.push_back(info.version);
    }
  }
  return groups;
}

Json aggregated_resource(const ResourceInfo& info) {
  Json resource = {
      {"resource", info.plural},
      {"responseKind", group_version_kind(info.group, info.version, info.kind)},
      {"scope", info.namespaced ? "Namespaced" : "Cluster"},
      {"singularResource", info.singular},
      {"verbs", info.verbs},
  };
  if (!info.short_names.empty()) resource["shortNames"] = info.short_names;
  if (!info.categories.empty()) resource["categories"] = info.categories;
  if (!info.subresources.empty()) {
    Json subs = Json::array();
    for (const auto& sub : sorted_subresources(info)) {
      auto shape = subresource_shape(info, sub);
      subs.push_back({{"subresource", sub},
                      {"responseKind", group_version_kind(shape.group, shape.version, shape.kind)},
                      {"verbs", shape.verbs}});
    }
    resource["subresources"] = std::move(subs);
  }
  return resource;
}

Json aggregated_version(const std::string& group, const std::string& version) {
  Json resources = Json::array();
  for (const auto* info : resources_of(group, version))
    resources.push_back(aggregated_resource(*info));
  return Json{{"version", version}, {"resources", std::move(resources)}, {"freshness", "Current"}};
}

Json discovery_list(Json items) {
  return Json{{"kind", "APIGroupDiscoveryList"},
              {"apiVersion", "apidiscovery.k8s.io/v2"},
              {"metadata", Json::object()},
              {"items", std::move(items)}};
}

Json group_version_entry(const std::string& group, const std::string& version) {
  return Json{{"groupVersion", group + "/" + version}, {"version", version}};
}

Json legacy_group(const std::string& group, const std::vector<std::string>& versions) {
  Json entries = Json::array();
  for (const auto& version : versions) entries.push_back(group_version_entry(group, version));
  return Json{{"name", group},
              {"versions", entries},
              {"preferredVersion", group_version_entry(group, versions.front())}};
}

}  // namespace

bool wants_aggregated_discovery(const std::string& accept_header) {
  return accepts_media_type_with(accept_header, "apidiscovery.k8s.io", "APIGroupDiscoveryList",
                                 {"v2", "v2beta1"});
}

Json aggregated_core_discovery() {
  Json item = {{"metadata", Json::object()},
               {"versions", Json::array({aggregated_version("", "v1")})}};
  return discovery_list(Json::array({std::move(item)}));
}

Json aggregated_groups_discovery() {
  Json items = Json::array();
  for (const auto& [group, versions] : served_groups()) {
    Json version_entries = Json::array();
    for (const auto& version : versions)
      version_entries.push_back(aggregated_version(group, version));
    items.push_back({{"metadata", {{"name", group}}}, {"versions", std::move(version_entries)}});
  }
  return discovery_list(std::move(items));
}

Json legacy_api_versions(const std::string& server_address) {
  return Json{{"kind", "APIVersions"},
              {"versions", Json::array({"v1"})},
              {"serverAddressByClientCIDRs",
               Json::array({{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}})}};
}

Json legacy_api_group_list() {
  Json groups = Json::array();
  for (const auto& [group, versions] : served_groups())
    groups.push_back(legacy_group(group, versions));
  return Json{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", std::move(groups)}};
}

Json legacy_api_group(const std::string& group) {
  for (const auto& [name, versions] : served_groups()) {
    if (name != group) continue;
    Json out = legacy_group(name, versions);
    out["kind"] = "APIGroup";
    out["apiVersion"] = "v1";
    return out;
  }
  return nullptr;
}

Json api_resource_list(const std::string& group, const std::string& version) {
  auto infos = resources_of(group, version);
  if (infos.empty()) return nullptr;
  Json resources = Json::array();
  for (const auto* info : infos) {
    Json entry = {{"name", info->plural},
                  {"singularName", info->singular},
                  {"namespaced", info->namespaced},
                  {"kind", info->kind},
                  {"verbs", info->verbs}};
    if (!info->short_names.empty()) entry["shortNames"] = info->short_names;
    if (!info->categories.empty()) entry["categories"] = info->categories;
    resources.push_back(std::move(entry));
    for (const auto& sub : sorted_subresources(*info)) {
      auto shape = subresource_shape(*info, sub);
      Json sub_entry = {{"name", info->plural + "/" + sub},
                        {"singularName", ""},
                        {"namespaced", info->namespaced},
                        {"kind", shape.kind},
                        {"verbs", shape.verbs}};
      // Only set when it differs from the list's own group version, as kube-apiserver does.
      if (shape.group != group || shape.version != version) {
        sub_entry["group"] = shape.group;
        sub_entry["version"] = shape.version;
      }
      resources.push_back(std::move(sub_entry));
    }
  }
  std::string group_version = group.empty() ? version : group + "/" + version;
  return Json{{"kind", "APIResourceList"},
              {"apiVersion", "v1"},
              {"groupVersion", group_version},
              {"resources", std::move(resources)}};
}

}  // namespace skiff::apiserver
