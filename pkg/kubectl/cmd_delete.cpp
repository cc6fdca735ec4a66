// `kubectl delete`: by file, TYPE NAME..., TYPE/NAME, or selector/--all; sends DeleteOptions
// (propagation, grace period) and, with --wait, waits until the objects are gone.
#include <chrono>
#include <iostream>
#include <thread>

#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/get_support.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/query.h"
#include "pkg/kubectl/resource_builder.h"

namespace skiff::kubectl {
namespace {

void declare_delete_flags(util::Flags& flags) {
  flags.add_list("filename,f", "Files or directories with the objects to delete");
  flags.add_bool("recursive,R", false, "Process directories given with -f recursively");
  flags.add_string("selector,l", "", "Delete the objects matching this label selector");
  flags.add_string("field-selector", "", "Delete the objects matching this field selector");
  flags.add_bool("all", false, "Delete all objects of the type in the namespace");
  flags.add_bool("all-namespaces,A", false, "With -l/--all: across all namespaces");
  flags.add_string("cascade", "background", "background, foreground or orphan (dependents)");
  flags.add_int("grace-period", -1, "Seconds for graceful termination (-1: the object's default)");
  flags.add_bool("force", false, "With --grace-period=0: delete immediately");
  flags.add_bool("now", false, "Same as --grace-period=1");
  flags.add_bool("wait", true, "Wait until the objects are gone before returning");
  flags.add_string("timeout", "0", "How long to wait with --wait (0 = a week), e.g. 60s");
  flags.add_bool("ignore-not-found", false, "Treat objects that do not exist as deleted");
  flags.add_string("output,o", "", "name: print resource/name only");
}

struct Target {
  ResourceType type;
  std::string ns;
  std::string name;
};

std::string propagation(const std::string& cascade) {
  if (cascade == "background" || cascade == "true") return "Background";
  if (cascade == "foreground") return "Foreground";
  if (cascade == "orphan" || cascade == "false") return "Orphan";
  throw usage_error("Invalid cascade value (" + cascade +
                    "). Must be \"background\", \"foreground\", or \"orphan\".");
}

std::vector<Target> targets_from_args(Context& ctx, bool& nothing_found) {
  const auto& flags = ctx.flags;
  const auto& args = flags.positional();
  const bool all_ns = flags.get_bool("all-namespaces");
  std::vector<Target> out;
  if (!flags.get_list("filename").empty()) {
    if (!args.empty()) throw usage_error("when -f is given, no TYPE or NAME arguments are allowed");
    auto manifests =
        read_manifests(flags.get_list("filename"), flags.get_bool("recursive"), std::cin);
    if (manifests.empty()) throw usage_error("no objects passed to delete");
    for (const auto& m : manifests) {
      const ResourceType& type =
          ctx.discovery().for_kind(m.object.value("apiVersion", ""), m.object.value("kind", ""));
      out.push_back(
          {type, type.namespaced ? manifest_namespace(ctx, m.object) : "", name_of(m.object)});
    }
    return out;
  }
  if (args.empty())
    throw usage_error("You must provide one or more resources by argument or filename.");
  const bool by_selector = flags.get_bool("all") || !flags.get_string("selector").empty() ||
                           !flags.get_string("field-selector").empty();
  auto requests = parse_get_args(ctx, args);
  for (const auto& request : requests) {
    const std::string ns = request.type.namespaced ? ctx.namespace_name() : "";
    if (!request.names.empty()) {
      for (const auto& name : request.names) out.push_back({request.type, ns, name});
      continue;
    }
    if (!by_selector) throw usage_error("resource(s) were provided, but no name was specified");
    ListOptions list{flags.get_string("selector"), flags.get_string("field-selector")};
    bool failed = false;
    auto objects = fetch_objects(ctx, request, all_ns ? "" : ns, list, false, failed);
    for (const auto& object : objects) {
      const Json& metadata = object.value("metadata", Json::object());
      out.push_back({request.type, metadata.value("namespace", ns), metadata.value("name", "")});
    }
  }
  nothing_found = out.empty() && by_selector;
  return out;
}

bool wait_until_gone(Context& ctx, const Target& target,
                     std::chrono::steady_clock::time_point deadline) {
  while (std::chrono::steady_clock::now() < deadline) {
    auto response = ctx.api().send("GET", target.type.object_path(target.ns, target.name), {},
                                   {{"Accept", kAcceptJson}});
    if (response.status == 404) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

int run_delete(Context& ctx) {
  const auto& flags = ctx.flags;
  Json options = {{"kind", "DeleteOptions"},
                  {"apiVersion", "v1"},
                  {"propagationPolicy", propagation(flags.get_string("cascade"))}};
  long long grace = flags.get_int("grace-period");
  if (flags.get_bool("now")) grace = 1;
  if (flags.get_bool("force") && grace < 0) grace = 0;
  if (grace == 0 && !flags.get_bool("force"))
    grace = 1;  // kubectl: --grace-period=0 without --force means "as fast as possible", i.e. 1
  if (grace >= 0) options["gracePeriodSeconds"] = grace;
  if (flags.get_bool("force") && grace == 0)
    ctx.err << "Warning: Immediate deletion does not wait for confirmation that the running "
               "resource has been terminated. The resource may continue to run on the cluster "
               "indefinitely.\n";
  bool nothing_found = false;
  auto targets = targets_from_args(ctx, nothing_found);
  if (nothing_found) {
    ctx.err << "No resources found\n";
    return 0;
  }
  bool failed = false;
  std::vector<Target> deleted;
  for (const auto& target : targets) {
    try {
      ctx.api().call("DELETE", target.type.object_path(target.ns, target.name), options,
                     "application/json", "delete " + target.type.qualified() + " " + target.name);
      if (flags.get_string("output") == "name")
        ctx.out << target.type.name_prefix() << "/" << target.name << "\n";
      else
        ctx.out << target.type.name_prefix() << " \"" << target.name << "\" deleted\n";
      ctx.out.flush();
      deleted.push_back(target);
    } catch (const ServerError& e) {
      if (e.not_found() && flags.get_bool("ignore-not-found")) continue;
      ctx.err << e.what() << "\n";
      failed = true;
    }
  }
  if (flags.get_bool("wait") && !(flags.get_bool("force") && grace == 0)) {
    auto timeout = parse_duration(flags.get_string("timeout"), "--timeout");
    if (timeout.count() == 0) timeout = std::chrono::hours(24 * 7);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (const auto& target : deleted)
      if (!wait_until_gone(ctx, target, deadline)) {
        ctx.err << "error: timed out waiting for the condition on " << target.type.qualified()
                << "/" << target.name << "\n";
        failed = true;
      }
  }
  return failed ? 1 : 0;
}

}  // namespace

Command delete_command() {
  return {"delete",
          "Delete resources by file names, stdin, resources and names, or by resources and label "
          "selector",
          "Usage:\n  kubectl delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)]) [flags]\n\n"
          "Examples:\n  kubectl delete -f app.yaml\n  kubectl delete deploy web\n"
          "  kubectl delete pod/web-1 pod/web-2 --grace-period=0 --force\n"
          "  kubectl delete pods -l app=web\n",
          declare_delete_flags, run_delete};
}

}  // namespace skiff::kubectl
