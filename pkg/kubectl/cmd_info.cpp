// `kubectl api-resources` and `kubectl version`.
#include <algorithm>
#include <ostream>

#include "pkg/api/version.h"
#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/printers.h"
#include "pkg/kubectl/tabwriter.h"
#include "pkg/yaml/yaml.h"

namespace skiff::kubectl {
namespace {

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

void declare_api_resources(util::Flags& flags) {
  flags.add_string("output,o", "", "Output format: wide or name");
  flags.add_string("namespaced", "", "true: only namespaced resources; false: only cluster-scoped");
  flags.add_string("api-group", "", "Only resources in this API group (\"\" for core)");
  flags.add_bool("no-headers", false, "Do not print column headers");
  flags.add_string("sort-by", "", "Sort by name or kind");
}

int run_api_resources(Context& ctx) {
  std::string output = ctx.flags.get_string("output");
  if (!output.empty() && output != "wide" && output != "name")
    throw usage_error("--output " + output +
                      " is not available for api-resources (use wide or name)");
  std::vector<ResourceType> types = ctx.discovery().resources();
  std::string namespaced = ctx.flags.get_string("namespaced");
  std::erase_if(types, [&](const ResourceType& t) {
    if (namespaced == "true" && !t.namespaced) return true;
    if (namespaced == "false" && t.namespaced) return true;
    if (ctx.flags.was_set("api-group") && t.group != ctx.flags.get_string("api-group")) return true;
    return false;
  });
  // kubectl's default order: by API group (core first), discovery order within a group.
  std::stable_sort(types.begin(), types.end(),
                   [](const ResourceType& a, const ResourceType& b) { return a.group < b.group; });
  std::string sort_by = ctx.flags.get_string("sort-by");
  if (sort_by == "name" || sort_by == "kind")
    std::stable_sort(types.begin(), types.end(), [&](const ResourceType& a, const ResourceType& b) {
      return sort_by == "name" ? a.plural < b.plural : a.kind < b.kind;
    });
  if (output == "name") {
    for (const auto& t : types)
      ctx.out << (t.group.empty() ? t.plural : t.plural + "." + t.group) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  if (!ctx.flags.get_bool("no-headers")) {
    rows.push_back({"NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"});
    if (output == "wide") rows.back().push_back("VERBS");
  }
  for (const auto& t : types) {
    rows.push_back({t.plural, join(t.short_names, ","), t.api_version(),
                    t.namespaced ? "true" : "false", t.kind});
    if (output == "wide") rows.back().push_back("[" + join(t.verbs, " ") + "]");
  }
  ctx.out << align_rows(rows, kTableStyle);
  return 0;
}

void declare_version(util::Flags& flags) {
  flags.add_bool("client", false, "Print only the client version (no server needed)");
  flags.add_string("output,o", "", "yaml or json");
}

int run_version(Context& ctx) {
  Json client = {{"major", version::kKubernetesMajor},
                 {"minor", version::kKubernetesMinor},
                 {"gitVersion", version::kGitVersion},
                 {"platform", "linux"}};
  Json server;
  if (!ctx.flags.get_bool("client")) server = ctx.api().get("/version", "get version");
  std::string output = ctx.flags.get_string("output");
  if (output == "json" || output == "yaml") {
    Json doc = {{"clientVersion", client}};
    if (!server.is_null()) doc["serverVersion"] = server;
    ctx.out << (output == "json" ? doc.dump(2) + "\n" : yaml::to_yaml(doc));
    return 0;
  }
  if (!output.empty()) throw usage_error("--output must be 'yaml' or 'json'");
  ctx.out << "Client Version: " << version::kGitVersion << "\n";
  if (!server.is_null())
    ctx.out << "Server Version: " << server.value("gitVersion", std::string("unknown")) << "\n";
  return 0;
}

}  // namespace

Command api_resources_command() {
  return {"api-resources", "Print the supported API resources on the server",
          "Usage:\n  kubectl api-resources [flags]\n\nExamples:\n  kubectl api-resources\n"
          "  kubectl api-resources --namespaced=false -o wide\n",
          declare_api_resources, run_api_resources};
}

Command version_command() {
  return {"version", "Print the client and server version information",
          "Usage:\n  kubectl version [--client] [-o yaml|json]\n", declare_version, run_version};
}

}  // namespace skiff::kubectl
