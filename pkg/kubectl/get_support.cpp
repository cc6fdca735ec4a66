#include "pkg/kubectl/get_support.h"

#include <ostream>

#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/query.h"
#include "pkg/kubectl/table_printer.h"

namespace skiff::kubectl {
namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto pos = text.find(sep, start);
    out.push_back(text.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string list_query(const ListOptions& list) {
  return query_string(
      {{"labelSelector", list.label_selector}, {"fieldSelector", list.field_selector}});
}

}  // namespace

std::vector<GetRequest> parse_get_args(Context& ctx, const std::vector<std::string>& args) {
  if (args.empty())
    throw usage_error(
        "you must specify the type of resource to get. Use \"kubectl api-resources\" for a "
        "complete list of supported resources.");
  std::vector<GetRequest> requests;
  if (args[0].find('/') != std::string::npos) {
    for (const auto& arg : args) {
      auto slash = arg.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == arg.size())
        throw usage_error(
            "there is no need to specify a resource type as a separate argument "
            "when passing arguments in resource/name form (e.g. 'kubectl get "
            "resource/<resource_name>' instead of 'kubectl get resource "
            "resource/<resource_name>'");
      const ResourceType& type = ctx.discovery().resolve(arg.substr(0, slash));
      std::string name = arg.substr(slash + 1);
      bool merged = false;
      for (auto& r : requests)
        if (r.type.plural == type.plural && r.type.group == type.group) {
          r.names.push_back(name);
          merged = true;
        }
      if (!merged) requests.push_back({type, {name}});
    }
    return requests;
  }
  for (const auto& name : split(args[0], ',')) {
    if (name.empty()) continue;
    if (name == "all") {
      for (auto& type : ctx.discovery().category("all")) requests.push_back({type, {}, true});
      continue;
    }
    requests.push_back({ctx.discovery().resolve(name), {}});
  }
  std::vector<std::string> names(args.begin() + 1, args.end());
  if (!names.empty()) {
    if (requests.size() != 1)
      throw usage_error("names can only be given with a single resource type (use TYPE/NAME)");
    requests[0].names = names;
    requests[0].from_all = false;
  }
  return requests;
}

std::string manifest_namespace(Context& ctx, const Json& object) {
  std::string own = object.value("metadata", Json::object()).value("namespace", std::string());
  if (own.empty()) return ctx.namespace_name();
  if (ctx.namespace_given() && ctx.flags.get_string("namespace") != own)
    throw usage_error("the namespace from the provided object \"" + own +
                      "\" does not match the namespace \"" + ctx.flags.get_string("namespace") +
                      "\". You must pass '--namespace=" + own + "' to perform this operation.");
  return own;
}

std::vector<GetRequest> requests_from_manifests(Context& ctx,
                                                const std::vector<ManifestObject>& manifests) {
  std::vector<GetRequest> requests;
  for (const auto& m : manifests) {
    const ResourceType& type =
        ctx.discovery().for_kind(m.object.value("apiVersion", ""), m.object.value("kind", ""));
    requests.push_back({type, {name_of(m.object)}});
  }
  return requests;
}

Json as_table(const Json& response) {
  if (response.value("kind", "") == "Table") return response;
  if (response.contains("items")) {
    std::vector<Json> items(response["items"].begin(), response["items"].end());
    return table_from_objects(items);
  }
  return table_from_objects({response});
}

Json fetch_table(Context& ctx, const GetRequest& request, const std::string& ns,
                 const ListOptions& list, bool ignore_not_found, bool& failed) {
  const auto& type = request.type;
  if (request.names.empty())
    return as_table(ctx.api().get(type.collection_path(ns) + list_query(list),
                                  "get " + type.qualified(), kAcceptTable));
  Json merged;
  for (const auto& name : request.names) {
    try {
      Json table = as_table(ctx.api().get(type.object_path(ns, name),
                                          "get " + type.qualified() + " " + name, kAcceptTable));
      if (merged.is_null()) {
        merged = table;
      } else {
        for (const auto& row : table.value("rows", Json::array())) merged["rows"].push_back(row);
      }
    } catch (const ServerError& e) {
      if (e.not_found() && ignore_not_found) continue;
      ctx.err << e.what() << "\n";
      failed = true;
    }
  }
  return merged.is_null() ? table_from_objects({}) : merged;
}

std::vector<Json> fetch_objects(Context& ctx, const GetRequest& request, const std::string& ns,
                                const ListOptions& list, bool ignore_not_found, bool& failed) {
  const auto& type = request.type;
  std::vector<Json> out;
  if (request.names.empty()) {
    Json response =
        ctx.api().get(type.collection_path(ns) + list_query(list), "get " + type.qualified());
    for (const auto& item : response.value("items", Json::array()))
      out.push_back(with_type(item, type));
    return out;
  }
  for (const auto& name : request.names) {
    try {
      out.push_back(with_type(
          ctx.api().get(type.object_path(ns, name), "get " + type.qualified() + " " + name), type));
    } catch (const ServerError& e) {
      if (e.not_found() && ignore_not_found) continue;
      ctx.err << e.what() << "\n";
      failed = true;
    }
  }
  return out;
}

}  // namespace skiff::kubectl
