// `kubectl create -f`, `create namespace`, `create configmap`, `create secret generic|tls`,
// `create ingress`.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "pkg/kubectl/commands.h"
#include "pkg/kubectl/create_ingress.h"
#include "pkg/kubectl/create_secret_tls.h"
#include "pkg/kubectl/encoding.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/get_support.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/kubectl/printers.h"
#include "pkg/kubectl/query.h"
#include "pkg/kubectl/resource_builder.h"

namespace skiff::kubectl {
namespace fs = std::filesystem;
namespace {

void declare_create_flags(util::Flags& flags) {
  flags.add_list("filename,f", "Files, directories, URLs or - with objects to create");
  flags.add_bool("recursive,R", false, "Process directories given with -f recursively");
  flags.add_list("from-literal", "configmap/secret: a key=value pair (repeatable)");
  flags.add_list("from-file", "configmap/secret: [key=]path of a file, or a directory");
  flags.add_string("type", "", "secret generic: the Secret type (default Opaque)");
  flags.add_string("cert", "", "secret tls: path to the PEM encoded public key certificate");
  flags.add_string("key", "", "secret tls: path to the private key of that certificate");
  flags.add_list("rule",
                 "ingress: host/path=svcname:svcport[,tls[=secret]]; a path ending in * is a "
                 "Prefix (repeatable)");
  flags.add_string("class", "", "ingress: the IngressClass to use");
  flags.add_string("default-backend", "", "ingress: the default service, svcname:svcport");
  flags.add_list("annotation", "ingress: an annotation key=[value] (repeatable)");
  flags.add_string("dry-run", "none", "none, client (print only) or server (persist nothing)");
  flags.add_string("output,o", "", "yaml, json or name: print the object instead of a message");
  flags.add_bool("save-config", false, "Accepted for compatibility");
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw usage_error("error reading " + path + ": no such file or directory");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// --from-literal and --from-file as (key, value) pairs in order.
std::vector<std::pair<std::string, std::string>> data_entries(const util::Flags& flags) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& literal : flags.get_list("from-literal")) {
    auto eq = literal.find('=');
    if (eq == std::string::npos || eq == 0)
      throw usage_error("invalid literal source " + literal + ", expected key=value");
    out.emplace_back(literal.substr(0, eq), literal.substr(eq + 1));
  }
  for (const auto& spec : flags.get_list("from-file")) {
    auto eq = spec.find('=');
    std::string key = eq == std::string::npos ? "" : spec.substr(0, eq);
    std::string path = eq == std::string::npos ? spec : spec.substr(eq + 1);
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      if (!key.empty()) throw usage_error("cannot give a key for directory " + path);
      for (const auto& entry : fs::directory_iterator(path))
        if (entry.is_regular_file())
          out.emplace_back(entry.path().filename().string(),
                           read_whole_file(entry.path().string()));
      continue;
    }
    out.emplace_back(key.empty() ? fs::path(path).filename().string() : key, read_whole_file(path));
  }
  for (std::size_t i = 0; i < out.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (out[i].first == out[j].first)
        throw usage_error("cannot add key " + out[i].first +
                          ", another key by that name already exists");
  return out;
}

// Builds the object for `create <what> NAME`.
Json generated_object(Context& ctx, const std::vector<std::string>& args) {
  const std::string& what = args[0];
  auto need_name = [&](std::size_t index) -> std::string {
    if (args.size() <= index) throw usage_error("NAME is required for create " + what);
    return args[index];
  };
  if (what == "namespace" || what == "ns") {
    return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", need_name(1)}}}};
  }
  if (what == "configmap" || what == "cm") {
    Json data = Json::object();
    for (auto& [key, value] : data_entries(ctx.flags)) data[key] = value;
    return {{"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata", {{"name", need_name(1)}, {"namespace", ctx.namespace_name()}}},
            {"data", data}};
  }
  // kubectl's check for the generators that take exactly one NAME.
  auto exactly_one_name = [&](std::size_t index, const std::string& command) -> std::string {
    const std::size_t given = args.size() > index ? args.size() - index : 0;
    if (given != 1)
      throw usage_error("exactly one NAME is required, got " + std::to_string(given) +
                        "\nSee 'kubectl create " + command + " -h' for help and examples");
    return args[index];
  };
  if (what == "ingress" || what == "ing") {
    IngressRequest request{exactly_one_name(1, "ingress"), ctx.namespace_name(),
                           ctx.flags.get_string("class"),  ctx.flags.get_string("default-backend"),
                           ctx.flags.get_list("rule"),     ctx.flags.get_list("annotation")};
    return build_ingress(request);
  }
  if (what == "secret" && args.size() >= 2 && args[1] == "tls") {
    TlsSecretRequest request{exactly_one_name(2, "secret tls"), ctx.namespace_name(),
                             ctx.flags.get_string("cert"), ctx.flags.get_string("key")};
    return build_tls_secret(request);
  }
  if (what == "secret") {
    if (args.size() < 2 || args[1] != "generic")
      throw usage_error(
          "only \"create secret generic NAME\" and \"create secret tls NAME\" are "
          "supported");
    Json data = Json::object();
    for (auto& [key, value] : data_entries(ctx.flags)) data[key] = base64_encode(value);
    std::string type = ctx.flags.get_string("type");
    return {{"apiVersion", "v1"},
            {"kind", "Secret"},
            {"metadata", {{"name", need_name(2)}, {"namespace", ctx.namespace_name()}}},
            {"type", type.empty() ? "Opaque" : type},
            {"data", data}};
  }
  throw usage_error("unknown create subcommand \"" + what +
                    "\"; supported: namespace, configmap, secret generic, secret tls, ingress, "
                    "-f FILE");
}

int run_create(Context& ctx) {
  const auto& flags = ctx.flags;
  std::string dry_run = flags.get_string("dry-run");
  if (dry_run != "none" && dry_run != "client" && dry_run != "server")
    throw usage_error("Invalid dry-run value (" + dry_run +
                      "). Must be \"none\", \"server\", or \"client\".");
  std::string output = flags.get_string("output");
  std::optional<OutputSpec> spec;
  if (!output.empty()) spec = OutputSpec::parse(output);
  std::vector<ManifestObject> objects;
  if (!flags.get_list("filename").empty()) {
    objects = read_manifests(flags.get_list("filename"), flags.get_bool("recursive"), std::cin);
    if (objects.empty()) throw usage_error("no objects passed to create");
  } else if (!flags.positional().empty()) {
    objects.push_back({generated_object(ctx, flags.positional()), ""});
  } else {
    throw usage_error(
        "must specify one of -f and -k, or a subcommand (namespace, configmap, secret generic, "
        "secret tls, ingress)");
  }
  std::string query = query_string(
      {{"fieldManager", "kubectl-create"}, {"dryRun", dry_run == "server" ? "All" : ""}});
  bool failed = false;
  for (const auto& m : objects) {
    try {
      const ResourceType& type =
          ctx.discovery().for_kind(m.object.value("apiVersion", ""), m.object.value("kind", ""));
      std::string ns = type.namespaced ? manifest_namespace(ctx, m.object) : "";
      Json created = m.object;
      if (dry_run != "client") {
        created =
            ctx.api().call("POST", type.collection_path(ns) + query, m.object, "application/json",
                           "create " + type.qualified(),
                           m.source.empty() ? "" : "error when creating \"" + m.source + "\": ");
      }
      if (spec && !spec->human()) {
        ctx.out << render(with_type(created, type), *spec);
      } else {
        ctx.out << type.name_prefix() << "/" << name_of(m.object) << " created"
                << dry_run_suffix(dry_run) << "\n";
      }
    } catch (const KubectlError& e) {
      ctx.out.flush();
      ctx.err << e.what() << "\n";
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

}  // namespace

Command create_command() {
  return {"create", "Create a resource from a file or from stdin",
          "Usage:\n  kubectl create -f FILENAME [flags]\n  kubectl create namespace NAME\n"
          "  kubectl create configmap NAME [--from-literal=key=value] [--from-file=[key=]path]\n"
          "  kubectl create secret generic NAME [--from-literal=key=value] "
          "[--from-file=[key=]path] [--type=T]\n"
          "  kubectl create secret tls NAME --cert=FILE --key=FILE\n"
          "  kubectl create ingress NAME --rule=host/path=svc:port[,tls[=secret]] "
          "[--class=C] [--default-backend=svc:port] [--annotation=k=v]\n",
          declare_create_flags, run_create};
}

}  // namespace skiff::kubectl
