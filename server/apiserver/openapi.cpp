#include "server/apiserver/openapi.h"

#include <functional>
#include <sstream>

#include "pkg/api/resources.h"

namespace skiff::apiserver {

namespace {

using api::ResourceInfo;

// "api/v1" or "apis/apps/v1": the path of a group version below /openapi/v3 and below /.
std::string group_version_path(const std::string& group_version) {
  return group_version.find('/') == std::string::npos ? "api/" + group_version
                                                      : "apis/" + group_version;
}

Json query_parameter(const std::string& name, const std::string& description) {
  return Json{{"name", name},
              {"in", "query"},
              {"description", description},
              {"schema", {{"type", "string"}, {"uniqueItems", true}}}};
}

Json path_parameter(const std::string& name, const std::string& description) {
  return Json{{"name", name},
              {"in", "path"},
              {"description", description},
              {"required", true},
              {"schema", {{"type", "string"}, {"uniqueItems", true}}}};
}

Json write_parameters() {
  return Json::array({
      query_parameter("dryRun", "When present, modifications are not persisted (All)."),
      query_parameter("fieldManager", "Name of the actor making these changes."),
      query_parameter("fieldValidation",
                      "How to treat unknown or duplicate fields: Ignore, Warn or Strict."),
  });
}

Json operation(const ResourceInfo& info, const std::string& action, const std::string& verb_id,
               Json parameters) {
  std::string kind_suffix = info.namespaced ? "Namespaced" + info.kind : info.kind;
  return Json{{"operationId", verb_id + kind_suffix},
              {"x-kubernetes-action", action},
              {"x-kubernetes-group-version-kind",
               {{"group", info.group}, {"version", info.version}, {"kind", info.kind}}},
              {"parameters", std::move(parameters)},
              {"responses", {{"200", {{"description", "OK"}}}}}};
}

void add_resource_paths(const ResourceInfo& info, Json& paths) {
  const std::string base = "/" + group_version_path(info.api_version()) + "/";
  const std::string collection =
      base + (info.namespaced ? "namespaces/{namespace}/" : "") + info.plural;
  const std::string item = collection + "/{name}";

  Json scope_parameters = Json::array();
  if (info.namespaced)
    scope_parameters.push_back(path_parameter("namespace", "object name and auth scope"));
  Json item_parameters = scope_parameters;
  item_parameters.push_back(path_parameter("name", "name of the " + info.kind));

  Json patch_body = {{"content",
                      {{"application/json-patch+json", Json::object()},
                       {"application/merge-patch+json", Json::object()},
                       {"application/strategic-merge-patch+json", Json::object()},
                       {"application/apply-patch+yaml", Json::object()}}},
                     {"required", true}};
  Json patch = operation(info, "patch", "patch", write_parameters());
  patch["requestBody"] = patch_body;
  Json put = operation(info, "put", "replace", write_parameters());
  Json post = operation(info, "post", "create", write_parameters());

  paths[item] = {{"parameters", item_parameters},
                 {"get", operation(info, "get", "read", Json::array())},
                 {"put", std::move(put)},
                 {"patch", std::move(patch)},
                 {"delete", operation(info, "delete", "delete", Json::array())}};
  paths[collection] = {{"parameters", scope_parameters},
                       {"get", operation(info, "list", "list", Json::array())},
                       {"post", std::move(post)}};
}

// The document for one group version ("v1", "apps/v1"); null when it is not served.
Json document_for(const std::string& group_version) {
  Json paths = Json::object();
  for (const auto& info : api::all_resources())
    if (info.api_version() == group_version) add_resource_paths(info, paths);
  if (paths.empty()) return nullptr;
  // components.schemas stays empty on purpose: without a schema tagged with its GVK, kubectl
  // falls back to its compiled-in strategic-merge metadata for built-in kinds, which is richer
  // than anything a hand-written schema here would carry.
  return Json{{"openapi", "3.0.0"},
              {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
              {"paths", std::move(paths)},
              {"components", {{"schemas", Json::object()}}}};
}

std::string hash_of(const Json& document) {
  std::ostringstream hex;
  hex << std::hex << std::uppercase << std::hash<std::string>{}(document.dump());
  return hex.str();
}

}  // namespace

Json openapi_v3_index() {
  Json paths = Json::object();
  for (const auto& group_version : api::served_group_versions()) {
    const std::string path = group_version_path(group_version);
    paths[path] = {{"serverRelativeURL",
                    "/openapi/v3/" + path + "?hash=" + hash_of(document_for(group_version))}};
  }
  return Json{{"paths", std::move(paths)}};
}

Json openapi_v3_document(const std::string& path) {
  std::string trimmed = path;
  while (!trimmed.empty() && trimmed.front() == '/') trimmed.erase(0, 1);
  if (trimmed.rfind("api/", 0) == 0) {
    std::string version = trimmed.substr(4);
    if (version.find('/') != std::string::npos) return nullptr;
    return document_for(version);
  }
  if (trimmed.rfind("apis/", 0) == 0) {
    std::string group_version = trimmed.substr(5);
    if (group_version.find('/') == std::string::npos) return nullptr;
    return document_for(group_version);
  }
  return nullptr;
}

}  // namespace skiff::apiserver
