// `kubectl describe TYPE [NAME_PREFIX | -l selector]`: one readable report per object
// (describers.h) followed by its events.
#include <iostream>

#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/describers.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/get_support.h"
#include "pkg/kubectl/json_access.h"

namespace skiff::kubectl {
namespace {

void declare_describe_flags(util::Flags& flags) {
  flags.add_string("selector,l", "", "Describe the objects matching this label selector");
  flags.add_bool("all-namespaces,A", false, "Across all namespaces");
  flags.add_bool("show-events", true, "Show the events related to each object");
  flags.add_list("filename,f", "Files naming the objects to describe");
  flags.add_bool("recursive,R", false, "Process directories given with -f recursively");
}

// The objects a name stands for: the exact object, else every object whose name starts with
// it (kubectl's prefix match).
std::vector<Json> resolve_name(Context& ctx, const ResourceType& type, const std::string& ns,
                               const std::string& name) {
  auto response = ctx.api().send("GET", type.object_path(ns, name), {}, {{"Accept", kAcceptJson}});
  if (response.status < 400) return {with_type(Json::parse(response.body), type)};
  if (response.status != 404)
    throw server_error(response.status, response.body, "get " + type.qualified() + " " + name);
  bool failed = false;
  std::vector<Json> matches;
  for (auto& object : fetch_objects(ctx, {type, {}}, ns, {}, false, failed))
    if (name_of(object).starts_with(name)) matches.push_back(object);
  if (matches.empty())
    throw server_error(response.status, response.body, "get " + type.qualified() + " " + name);
  return matches;
}

int run_describe(Context& ctx) {
  const auto& flags = ctx.flags;
  const bool all_ns = flags.get_bool("all-namespaces");
  std::vector<GetRequest> requests;
  if (!flags.get_list("filename").empty())
    requests = requests_from_manifests(
        ctx, read_manifests(flags.get_list("filename"), flags.get_bool("recursive"), std::cin));
  else
    requests = parse_get_args(ctx, flags.positional());
  bool failed = false;
  bool first = true;
  for (const auto& request : requests) {
    const std::string ns = request.type.namespaced && !all_ns ? ctx.namespace_name() : "";
    std::vector<Json> objects;
    if (request.names.empty()) {
      objects = fetch_objects(ctx, request, ns, {flags.get_string("selector"), ""}, false, failed);
    } else {
      for (const auto& name : request.names) {
        try {
          auto found = resolve_name(ctx, request.type, ns, name);
          objects.insert(objects.end(), found.begin(), found.end());
        } catch (const ServerError& e) {
          ctx.err << e.what() << "\n";
          failed = true;
        }
      }
    }
    for (const auto& object : objects) {
      if (!first) ctx.out << "\n\n";
      first = false;
      Json events = flags.get_bool("show-events") ? fetch_events(ctx, object) : Json();
      ctx.out << describe_object(object, events);
      ctx.out.flush();
    }
  }
  if (first && !failed) {
    ctx.err << (all_ns ? std::string("No resources found")
                       : "No resources found in " + ctx.namespace_name() + " namespace.")
            << "\n";
  }
  return failed ? 1 : 0;
}

}  // namespace

Command describe_command() {
  return {"describe", "Show details of a specific resource or group of resources",
          "Usage:\n  kubectl describe TYPE [NAME_PREFIX | -l label] [flags]\n  kubectl describe "
          "TYPE/NAME\n\n"
          "Examples:\n  kubectl describe pod web-5d9c\n  kubectl describe deploy/web\n"
          "  kubectl describe nodes\n",
          declare_describe_flags, run_describe};
}

}  // namespace skiff::kubectl
