// `kubectl apply -f`: create what is missing, patch what changed (client-side apply with the
// last-applied-configuration annotation), leave the rest; every object gets one output line.
#include <iostream>

#include "pkg/kubectl/apply_patch.h"
#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/get_support.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/query.h"
#include "pkg/kubectl/resource_builder.h"

namespace skiff::kubectl {
namespace {

void declare_apply_flags(util::Flags& flags) {
  flags.add_list("filename,f", "Files, directories, URLs or - (stdin) with the manifests");
  flags.add_bool("recursive,R", false, "Process directories given with -f recursively");
  flags.add_string("dry-run", "none",
                   "none, client (print only) or server (validate, persist nothing)");
  flags.add_string("output,o", "", "name: print only resource/name");
  flags.add_string("validate", "true", "Accepted for compatibility (the server validates)");
  flags.add_bool("server-side", false, "Not supported by skiff kubectl (use kubectl)");
  flags.add_string("field-manager", "kubectl-client-side-apply", "Name of the field manager");
}

// Applies one object and returns its output word: created, configured or unchanged.
std::string apply_one(Context& ctx, const ManifestObject& manifest, const std::string& dry_run,
                      const std::string& field_manager) {
  const Json& object = manifest.object;
  const ResourceType& type =
      ctx.discovery().for_kind(object.value("apiVersion", ""), object.value("kind", ""));
  std::string name = object.value("metadata", Json::object()).value("name", std::string());
  if (name.empty())
    throw usage_error("error when retrieving current configuration of:\nResource: \"" +
                      type.qualified() + "\", Name: \"\"\nfrom server for: \"" + manifest.source +
                      "\": resource name may not be empty");
  std::string ns = type.namespaced ? manifest_namespace(ctx, object) : "";
  Json desired = with_last_applied(object);
  if (type.namespaced) desired["metadata"]["namespace"] = ns;
  std::string query =
      query_string({{"fieldManager", field_manager}, {"dryRun", dry_run == "server" ? "All" : ""}});
  auto response = ctx.api().send("GET", type.object_path(ns, name), {}, {{"Accept", kAcceptJson}});
  if (response.status == 404) {
    if (dry_run != "client")
      ctx.api().call("POST", type.collection_path(ns) + query, desired, "application/json",
                     "create " + type.qualified() + " " + name,
                     "error when creating \"" + manifest.source + "\": ");
    return "created";
  }
  if (response.status >= 400)
    throw server_error(response.status, response.body, "get " + type.qualified() + " " + name,
                       "error when retrieving current configuration of:\nResource: \"" +
                           type.qualified() + "\", Name: \"" + name + "\", Namespace: \"" + ns +
                           "\"\nfrom server for: \"" + manifest.source + "\": ");
  Json live = Json::parse(response.body, nullptr, false);
  if (live.is_discarded()) throw usage_error("the server sent a body that is not JSON for " + name);
  Json patch = three_way_merge_patch(recorded_last_applied(live), desired, live);
  if (patch.empty()) return "unchanged";
  if (dry_run != "client")
    ctx.api().call("PATCH", type.object_path(ns, name) + query, patch,
                   "application/merge-patch+json", "patch " + type.qualified() + " " + name,
                   "error when patching \"" + manifest.source + "\": ");
  return "configured";
}

int run_apply(Context& ctx) {
  if (ctx.flags.get_bool("server-side"))
    throw usage_error("--server-side is not supported by skiff kubectl; use client-side apply");
  auto sources = ctx.flags.get_list("filename");
  if (sources.empty()) throw usage_error("must specify one of -f and -k");
  std::string dry_run = ctx.flags.get_string("dry-run");
  if (dry_run != "none" && dry_run != "client" && dry_run != "server")
    throw usage_error("Invalid dry-run value (" + dry_run +
                      "). Must be \"none\", \"server\", or \"client\".");
  std::string output = ctx.flags.get_string("output");
  if (!output.empty() && output != "name")
    throw usage_error("--output " + output + " is not supported by apply (use -o name)");
  auto manifests = read_manifests(sources, ctx.flags.get_bool("recursive"), std::cin);
  if (manifests.empty()) throw usage_error("no objects passed to apply");
  bool failed = false;
  for (const auto& manifest : manifests) {
    try {
      std::string result = apply_one(ctx, manifest, dry_run, ctx.flags.get_string("field-manager"));
      std::string id = manifest.object.value("kind", "");
      ResourceType type = ctx.discovery().for_kind(manifest.object.value("apiVersion", ""), id);
      std::string line = type.name_prefix() + "/" + name_of(manifest.object);
      if (output.empty()) line += " " + result + dry_run_suffix(dry_run);
      ctx.out << line << "\n";
    } catch (const KubectlError& e) {
      ctx.out.flush();
      ctx.err << e.what() << "\n";
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

}  // namespace

std::string dry_run_suffix(const std::string& mode) {
  return mode == "client" ? " (dry run)" : mode == "server" ? " (server dry run)" : "";
}

Command apply_command() {
  return {"apply", "Apply a configuration to a resource by file name or stdin",
          "Usage:\n  kubectl apply -f FILENAME|DIR|URL|- [-R] [flags]\n\n"
          "Examples:\n  kubectl apply -f deploy.yaml\n  kubectl apply -f manifests/ -R\n"
          "  cat app.yaml | kubectl apply -f -\n",
          declare_apply_flags, run_apply};
}

}  // namespace skiff::kubectl
