#include "pkg/kubectl/kubeconfig.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pkg/kubectl/encoding.h"
#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/json_access.h"
#include "pkg/yaml/yaml.h"

namespace skiff::kubectl {
namespace fs = std::filesystem;
namespace {

// Finds the entry called `name` in a kubeconfig list ("clusters", "users", "contexts") and
// returns its inner object (the "cluster"/"user"/"context" field).
const Json* named_entry(const Json& config, const char* list, const char* field,
                        const std::string& name) {
  const Json& entries = member(config, list);
  if (!entries.is_array()) return nullptr;
  for (const auto& entry : entries)
    if (entry.is_object() && entry.value("name", "") == name && entry.contains(field))
      return &entry.at(field);
  return nullptr;
}

std::string string_field(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string resolve_path(const std::string& path, const std::string& base_dir) {
  if (path.empty() || fs::path(path).is_absolute() || base_dir.empty()) return path;
  return (fs::path(base_dir) / path).string();
}

bool readable_file(const std::string& path) {
  std::error_code ec;
  return !path.empty() && fs::is_regular_file(path, ec);
}

}  // namespace

Connection connection_from_kubeconfig(const Json& config, const ConnectionFlags& flags,
                                      const std::string& base_dir) {
  Connection out;
  out.namespace_name = "default";
  std::string context_name =
      flags.context.empty() ? string_field(config, "current-context") : flags.context;
  const Json* context = nullptr;
  if (!context_name.empty()) {
    context = named_entry(config, "contexts", "context", context_name);
    if (!context) throw usage_error("context was not found for specified context: " + context_name);
  }
  const Json empty = Json::object();
  const Json& ctx = context && context->is_object() ? *context : empty;
  if (auto ns = string_field(ctx, "namespace"); !ns.empty()) out.namespace_name = ns;

  std::string cluster_name = string_field(ctx, "cluster");
  const Json* cluster =
      cluster_name.empty() ? nullptr : named_entry(config, "clusters", "cluster", cluster_name);
  if (!cluster_name.empty() && !cluster && flags.server.empty())
    throw usage_error("cluster \"" + cluster_name + "\" of context \"" + context_name +
                      "\" was not found in the kubeconfig");
  const Json& cl = cluster && cluster->is_object() ? *cluster : empty;
  out.server = flags.server.empty() ? string_field(cl, "server") : flags.server;
  out.tls.ca_file = resolve_path(string_field(cl, "certificate-authority"), base_dir);
  if (auto data = string_field(cl, "certificate-authority-data"); !data.empty())
    out.tls.ca_pem = base64_decode(data, "certificate-authority-data");
  out.tls.insecure_skip_tls_verify =
      flags.insecure_skip_tls_verify || cl.value("insecure-skip-tls-verify", false);

  std::string user_name = string_field(ctx, "user");
  const Json* user = user_name.empty() ? nullptr : named_entry(config, "users", "user", user_name);
  const Json& us = user && user->is_object() ? *user : empty;
  out.tls.client_cert_file = resolve_path(string_field(us, "client-certificate"), base_dir);
  out.tls.client_key_file = resolve_path(string_field(us, "client-key"), base_dir);
  if (auto data = string_field(us, "client-certificate-data"); !data.empty())
    out.tls.client_cert_pem = base64_decode(data, "client-certificate-data");
  if (auto data = string_field(us, "client-key-data"); !data.empty())
    out.tls.client_key_pem = base64_decode(data, "client-key-data");
  out.tls.bearer_token = string_field(us, "token");
  if (auto file = string_field(us, "tokenFile"); !file.empty() && out.tls.bearer_token.empty()) {
    std::ifstream in(resolve_path(file, base_dir));
    std::getline(in, out.tls.bearer_token);
  }
  if (!flags.token.empty()) out.tls.bearer_token = flags.token;
  if (out.server.empty())
    throw usage_error("no server found for cluster \"" + cluster_name +
                      "\"; set clusters[].cluster.server in the kubeconfig or pass --server");
  while (out.server.size() > 1 && out.server.back() == '/') out.server.pop_back();
  return out;
}

std::optional<std::string> find_kubeconfig(const ConnectionFlags& flags,
                                           const std::string& env_kubeconfig,
                                           const std::string& home) {
  if (!flags.kubeconfig.empty()) return flags.kubeconfig;  // must exist: checked by the reader
  std::stringstream list(env_kubeconfig);
  for (std::string path; std::getline(list, path, ':');)
    if (readable_file(path)) return path;
  if (readable_file("/etc/skiff/skiff.yaml")) return std::string("/etc/skiff/skiff.yaml");
  if (!home.empty() && readable_file(home + "/.kube/config")) return home + "/.kube/config";
  return std::nullopt;
}

Connection resolve_connection(const ConnectionFlags& flags) {
  const char* env = std::getenv("KUBECONFIG");
  const char* home = std::getenv("HOME");
  auto path = find_kubeconfig(flags, env ? env : "", home ? home : "");
  if (!path) {
    if (flags.server.empty())
      throw usage_error(
          "no kubeconfig found (looked at --kubeconfig, $KUBECONFIG, /etc/skiff/skiff.yaml and "
          "~/.kube/config); pass --kubeconfig FILE or --server URL");
    return connection_from_kubeconfig(Json::object(), flags, "");
  }
  std::ifstream in(*path);
  if (!in) throw usage_error("cannot read kubeconfig " + *path + ": no such file or readable");
  std::stringstream text;
  text << in.rdbuf();
  std::vector<Json> docs;
  try {
    docs = yaml::parse_documents(text.str(), *path);
  } catch (const yaml::YamlError& e) {
    throw usage_error(std::string("error loading config file ") + e.what());
  }
  Json config = docs.empty() || !docs[0].is_object() ? Json::object() : docs[0];
  Connection out =
      connection_from_kubeconfig(config, flags, fs::path(*path).parent_path().string());
  out.source = *path;
  return out;
}

}  // namespace skiff::kubectl
