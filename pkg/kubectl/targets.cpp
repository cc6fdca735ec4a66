#include "pkg/kubectl/targets.h"

#include <ostream>

#include "pkg/kubectl/get_support.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/printers.h"
#include "pkg/kubectl/query.h"

namespace skiff::kubectl {

std::string TargetObject::name() const {
  return name_of(object);
}

TargetSet fetch_targets(Context& ctx, const std::vector<std::string>& args, bool allow_listing,
                        const std::string& label_selector) {
  TargetSet out;
  for (const auto& request : parse_get_args(ctx, args)) {
    const auto& type = request.type;
    const std::string ns = type.namespaced ? ctx.namespace_name() : "";
    if (request.names.empty()) {
      if (!allow_listing && label_selector.empty())
        throw usage_error("resource(s) were provided, but no name was specified");
      Json list = ctx.api().get(
          type.collection_path(ns) + query_string({{"labelSelector", label_selector}}),
          "list " + type.qualified());
      for (const auto& item : member(list, "items"))
        out.objects.push_back({type, ns, with_type(item, type)});
      continue;
    }
    for (const auto& name : request.names) {
      try {
        Json object =
            ctx.api().get(type.object_path(ns, name), "get " + type.qualified() + " " + name);
        out.objects.push_back({type, ns, with_type(std::move(object), type)});
      } catch (const ServerError& e) {
        out.errors.push_back(e.what());
        out.messages.push_back(server_message(e));
      }
    }
  }
  return out;
}

void print_errors(std::ostream& err, const std::vector<std::string>& errors) {
  if (errors.size() == 1) {
    const std::string& only = errors[0];
    bool worded = only.starts_with("error: ") || only.starts_with("Error from server") ||
                  only.starts_with("The ");
    err << (worded ? "" : "error: ") << only << "\n";
    return;
  }
  for (const auto& error : errors) err << error << "\n";
}

std::string aggregate_errors(const std::vector<std::string>& errors) {
  if (errors.size() == 1) return errors[0];
  std::string out = "[";
  for (std::size_t i = 0; i < errors.size(); ++i) out += (i ? ", " : "") + errors[i];
  return out + "]";
}

std::string server_message(const ServerError& error) {
  const Json& status = error.status();
  if (status.is_object() && status.contains("message") && status["message"].is_string())
    return status["message"].get<std::string>();
  if (error.not_found()) return "the server could not find the requested resource";
  std::string text = error.what();
  const std::string prefix = "Error from server (" + error.reason() + "): ";
  return text.starts_with(prefix) ? text.substr(prefix.size()) : text;
}

std::string with_dry_run(const std::string& path, const std::string& dry_run) {
  if (dry_run != "server") return path;
  return path + (path.find('?') == std::string::npos ? "?" : "&") + "dryRun=All";
}

std::string dry_run_mode(const std::string& flag_value) {
  if (flag_value == "none" || flag_value == "false" || flag_value.empty()) return "none";
  if (flag_value == "client" || flag_value == "true") return "client";
  if (flag_value == "server") return "server";
  throw usage_error("Invalid dry-run value (" + flag_value +
                    "). Must be \"none\", \"server\", or \"client\".");
}

void require_resource_arguments(const std::vector<std::string>& args) {
  if (!args.empty()) return;
  throw usage_error(
      "You must provide one or more resources by argument or filename.\nExample resource "
      "specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> "
      "<name>'\n   '<resource>'");
}

}  // namespace skiff::kubectl
