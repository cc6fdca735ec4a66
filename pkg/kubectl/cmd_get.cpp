// `kubectl get`: lists or fetches objects and prints them as a table (server-side Table),
// yaml/json/name/jsonpath/custom-columns; `-w` keeps printing changes from a watch.
#include <iostream>
#include <map>
#include <sstream>

#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/get_support.h"
#include "pkg/kubectl/printers.h"
#include "pkg/kubectl/query.h"
#include "pkg/kubectl/resource_builder.h"
#include "pkg/kubectl/table_printer.h"
#include "pkg/kubectl/tabwriter.h"

namespace skiff::kubectl {
namespace {

void declare_get_flags(util::Flags& flags) {
  flags.add_string("output,o", "",
                   "Output format: wide, yaml, json, name, jsonpath=TEMPLATE, custom-columns=SPEC");
  flags.add_string("selector,l", "", "Label selector, e.g. -l app=web,tier!=db");
  flags.add_string("field-selector", "",
                   "Field selector, e.g. --field-selector status.phase=Running");
  flags.add_bool("all-namespaces,A", false, "List across all namespaces");
  flags.add_bool("watch,w", false, "After listing, watch for changes");
  flags.add_bool("watch-only", false, "Watch for changes without listing first");
  flags.add_bool("show-labels", false, "Show all labels as the last column");
  flags.add_bool("no-headers", false, "Do not print column headers");
  flags.add_bool("ignore-not-found", false, "Print nothing for objects that do not exist");
  flags.add_list("filename,f", "Files or directories naming the objects to get");
  flags.add_bool("recursive,R", false, "Process directories given with -f recursively");
  flags.add_int("chunk-size", 500, "Accepted for compatibility; lists are not paged");
}

struct Fetched {
  GetRequest request;
  Json table;                 // human output: the Table for this request
  std::vector<Json> objects;  // other output: the objects
};

std::string empty_message(Context& ctx, const std::vector<GetRequest>& requests, bool all_ns) {
  bool namespaced = false;
  for (const auto& r : requests) namespaced = namespaced || r.type.namespaced;
  if (all_ns || !namespaced) return "No resources found";
  return "No resources found in " + ctx.namespace_name() + " namespace.";
}

int run_get(Context& ctx) {
  const auto& flags = ctx.flags;
  OutputSpec output = OutputSpec::parse(flags.get_string("output"));
  const bool all_ns = flags.get_bool("all-namespaces");
  const bool watch = flags.get_bool("watch") || flags.get_bool("watch-only");
  std::vector<GetRequest> requests;
  if (!flags.get_list("filename").empty()) {
    auto manifests =
        read_manifests(flags.get_list("filename"), flags.get_bool("recursive"), std::cin);
    requests = requests_from_manifests(ctx, manifests);
  } else {
    requests = parse_get_args(ctx, ctx.flags.positional());
  }
  const std::string ns = all_ns ? "" : ctx.namespace_name();
  ListOptions list{flags.get_string("selector"), flags.get_string("field-selector")};
  const bool several_types = requests.size() > 1 || (!requests.empty() && requests[0].from_all);

  if (watch) {
    if (requests.size() != 1)
      throw usage_error("you may only specify a single resource type when watching");
    WatchOptions options{output, all_ns, flags.get_bool("show-labels"),
                         flags.get_bool("no-headers"), flags.get_bool("watch-only")};
    return watch_resources(ctx, requests[0], ns, list, options);
  }

  bool failed = false;
  bool printed_any = false;
  std::vector<Json> all_objects;
  std::ostringstream human;
  for (const auto& request : requests) {
    try {
      if (output.human()) {
        Json table =
            fetch_table(ctx, request, ns, list, flags.get_bool("ignore-not-found"), failed);
        TableOptions options{output.format == OutputSpec::Format::Wide,
                             all_ns && request.type.namespaced, flags.get_bool("show-labels"),
                             several_types ? request.type.name_prefix() + "/" : ""};
        auto rows = table_rows(table, options);
        if (rows.empty()) continue;
        if (printed_any) human << "\n";
        std::vector<Row> all_rows;
        if (!flags.get_bool("no-headers")) all_rows.push_back(table_header(table, options));
        all_rows.insert(all_rows.end(), rows.begin(), rows.end());
        human << align_rows(all_rows, kTableStyle);
        printed_any = true;
      } else {
        auto objects =
            fetch_objects(ctx, request, ns, list, flags.get_bool("ignore-not-found"), failed);
        all_objects.insert(all_objects.end(), objects.begin(), objects.end());
      }
    } catch (const ServerError& e) {
      ctx.out << human.str();
      human.str("");
      ctx.err << e.what() << "\n";
      failed = true;
    }
  }
  if (output.human()) {
    ctx.out << human.str();
    if (!printed_any && !failed) ctx.err << empty_message(ctx, requests, all_ns) << "\n";
    return failed ? 1 : 0;
  }
  const bool single =
      requests.size() == 1 && requests[0].names.size() == 1 && !requests[0].from_all;
  if (output.format == OutputSpec::Format::CustomColumns) {
    ctx.out << render_custom_columns(all_objects, output.argument, flags.get_bool("no-headers"));
  } else if (single && all_objects.size() == 1) {
    ctx.out << render(all_objects[0], output);
  } else if (all_objects.empty() && output.format == OutputSpec::Format::Name) {
    if (!failed) ctx.err << empty_message(ctx, requests, all_ns) << "\n";
  } else if (!(single && all_objects.empty())) {
    ctx.out << render(as_list(std::move(all_objects)), output);
  }
  return failed ? 1 : 0;
}

}  // namespace

Command get_command() {
  return {"get", "Display one or many resources",
          "Usage:\n  kubectl get TYPE[.GROUP][/NAME] [NAME...] [flags]\n"
          "  kubectl get TYPE1,TYPE2 | all [flags]\n\n"
          "Examples:\n  kubectl get pods\n  kubectl get deploy web -o yaml\n"
          "  kubectl get pods -A -l app=web -o wide\n"
          "  kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name}{\"\\n\"}{end}'\n"
          "  kubectl get pods -w\n",
          declare_get_flags, run_get};
}

}  // namespace skiff::kubectl
