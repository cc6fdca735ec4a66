#include "pkg/kubectl/discovery.h"

#include <algorithm>
#include <cctype>

#include "pkg/api/resources.h"
#include "pkg/kubectl/api_client.h"
#include "pkg/kubectl/errors.h"

namespace skiff::kubectl {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> strings(const Json& object, const char* key) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return out;
  for (const auto& s : *it)
    if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::pair<std::string, std::string> split_group_version(const std::string& gv) {
  auto slash = gv.find('/');
  if (slash == std::string::npos) return {"", gv};
  return {gv.substr(0, slash), gv.substr(slash + 1)};
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList), in case a server sends
// it even though we asked for the legacy shape.
std::vector<ResourceType> parse_aggregated(const Json& list) {
  std::vector<ResourceType> out;
  for (const auto& group : list.value("items", Json::array())) {
    std::string group_name = group.value("metadata", Json::object()).value("name", "");
    const Json& versions = group.value("versions", Json::array());
    if (versions.empty()) continue;
    const Json& version = versions[0];  // the first listed is the preferred version
    for (const auto& r : version.value("resources", Json::array())) {
      ResourceType t;
      t.group = group_name;
      t.version = version.value("version", "v1");
      t.plural = r.value("resource", "");
      t.kind = r.value("responseKind", Json::object()).value("kind", "");
      t.singular = r.value("singularResource", lower(t.kind));
      t.namespaced = r.value("scope", "") == "Namespaced";
      t.short_names = strings(r, "shortNames");
      t.verbs = strings(r, "verbs");
      t.categories = strings(r, "categories");
      if (!t.plural.empty()) out.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace

std::string ResourceType::api_version() const {
  return group.empty() ? version : group + "/" + version;
}
std::string ResourceType::qualified() const {
  return group.empty() ? plural : plural + "." + group;
}
std::string ResourceType::name_prefix() const {
  return group.empty() ? lower(kind) : lower(kind) + "." + group;
}

std::string ResourceType::collection_path(const std::string& namespace_name) const {
  std::string base = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !namespace_name.empty()) base += "/namespaces/" + namespace_name;
  return base + "/" + plural;
}

std::string ResourceType::object_path(const std::string& namespace_name,
                                      const std::string& name) const {
  return collection_path(namespace_name) + "/" + name;
}

std::vector<ResourceType> parse_resource_list(const Json& list) {
  std::vector<ResourceType> out;
  auto [group, version] = split_group_version(list.value("groupVersion", "v1"));
  for (const auto& r : list.value("resources", Json::array())) {
    std::string name = r.value("name", "");
    if (name.empty() || name.find('/') != std::string::npos) continue;
    ResourceType t;
    t.group = group;
    t.version = version;
    t.plural = name;
    t.kind = r.value("kind", "");
    t.singular = r.value("singularName", "");
    if (t.singular.empty()) t.singular = lower(t.kind);
    t.namespaced = r.value("namespaced", false);
    t.short_names = strings(r, "shortNames");
    t.verbs = strings(r, "verbs");
    t.categories = strings(r, "categories");
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<ResourceType> builtin_resource_types() {
  std::vector<ResourceType> out;
  for (const auto& info : api::all_resources()) {
    ResourceType t;
    t.group = info.group;
    t.version = info.version;
    t.kind = info.kind;
    t.plural = info.plural;
    t.singular = info.singular;
    t.namespaced = info.namespaced;
    t.short_names = info.short_names;
    t.verbs = info.verbs;
    t.categories = info.categories;
    out.push_back(std::move(t));
  }
  return out;
}

const ResourceType* match_resource(const std::vector<ResourceType>& types,
                                   const std::string& typed) {
  std::string name = lower(typed);
  std::string group_part;
  // "deployments.apps" / "deployment.v1.apps": split off the group (and an optional version).
  auto matches = [&](const ResourceType& t, const std::string& base) {
    return t.plural == base || t.singular == base || lower(t.kind) == base ||
           contains(t.short_names, base);
  };
  const ResourceType* best = nullptr;
  for (const auto& t : types) {
    if (matches(t, name) && (!best || (t.group.empty() && !best->group.empty()))) best = &t;
  }
  if (best) return best;
  auto dot = name.find('.');
  if (dot == std::string::npos) return nullptr;
  std::string base = name.substr(0, dot);
  std::string rest = name.substr(dot + 1);
  for (const auto& t : types) {
    if (!matches(t, base)) continue;
    if (rest == t.group || rest == t.version + "." + t.group) return &t;
  }
  return nullptr;
}

void Discovery::load() {
  std::vector<ResourceType> found;
  bool answered = false;
  auto fetch = [&](const std::string& path) -> Json {
    auto response = client_.send("GET", path, {}, {{"Accept", kAcceptJson}});
    if (response.status != 200) return nullptr;
    Json body = Json::parse(response.body, nullptr, false);
    return body.is_discarded() ? Json(nullptr) : body;
  };
  auto add_group_version = [&](const std::string& path) {
    Json list = fetch(path);
    if (!list.is_object()) return;
    auto parsed = parse_resource_list(list);
    found.insert(found.end(), parsed.begin(), parsed.end());
  };
  for (const char* root : {"/api", "/apis"}) {
    Json index = fetch(root);
    if (!index.is_object()) continue;
    answered = true;
    if (index.value("kind", "") == "APIGroupDiscoveryList") {
      auto parsed = parse_aggregated(index);
      found.insert(found.end(), parsed.begin(), parsed.end());
    } else if (index.contains("versions")) {  // APIVersions (/api)
      for (const auto& v : strings(index, "versions")) add_group_version("/api/" + v);
    } else {  // APIGroupList (/apis)
      for (const auto& group : index.value("groups", Json::array())) {
        std::string gv = group.value("preferredVersion", Json::object()).value("groupVersion", "");
        if (gv.empty() && !group.value("versions", Json::array()).empty())
          gv = group["versions"][0].value("groupVersion", "");
        if (!gv.empty()) add_group_version("/apis/" + gv);
      }
    }
  }
  resources_ = answered && !found.empty() ? std::move(found) : builtin_resource_types();
}

const std::vector<ResourceType>& Discovery::resources() {
  if (!resources_) load();
  return *resources_;
}

const ResourceType& Discovery::resolve(const std::string& user_name) {
  const ResourceType* match = match_resource(resources(), user_name);
  if (!match) throw usage_error("the server doesn't have a resource type \"" + user_name + "\"");
  return *match;
}

const ResourceType& Discovery::for_kind(const std::string& api_version, const std::string& kind) {
  auto [group, version] = split_group_version(api_version);
  for (const auto& t : resources())
    if (t.kind == kind && t.group == group && t.version == version) return t;
  for (const auto& t : resources())  // served at another version of the same group
    if (t.kind == kind && t.group == group) return t;
  throw usage_error("resource mapping not found for kind \"" + kind + "\" in version \"" +
                    api_version + "\": no matches for kind \"" + kind + "\" in version \"" +
                    api_version + "\"\nensure CRDs are installed first");
}

std::vector<ResourceType> Discovery::category(const std::string& name) {
  std::vector<ResourceType> out;
  for (const auto& t : resources())
    if (contains(t.categories, name)) out.push_back(t);
  return out;
}

}  // namespace skiff::kubectl
