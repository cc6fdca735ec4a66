#include "agent/pods/pod_dns.h"

#include <algorithm>

#include "agent/pods/pod_spec.h"

namespace skiff::agent::pods {
namespace {

constexpr size_t kMaxNameservers = 3;
constexpr size_t kMaxSearches = 32;
constexpr size_t kMaxSearchChars = 2048;

void append_unique(std::vector<std::string>& into, const std::vector<std::string>& more) {
  for (const auto& value : more)
    if (!value.empty() && std::find(into.begin(), into.end(), value) == into.end())
      into.push_back(value);
}

std::string option_name(const std::string& option) {
  return option.substr(0, option.find(':'));
}

// A dnsConfig option replaces the option of the same name, else it is appended.
void merge_option(std::vector<std::string>& options, const std::string& option) {
  const std::string name = option_name(option);
  auto same = std::find_if(options.begin(), options.end(),
                           [&](const std::string& o) { return option_name(o) == name; });
  if (same != options.end())
    *same = option;
  else
    options.push_back(option);
}

std::vector<std::string> strings_at(const Json& object, const char* key, const std::string& path) {
  std::vector<std::string> out;
  if (!object.contains(key) || object[key].is_null()) return out;
  if (!object[key].is_array()) throw SpecError(path + "." + key + ": must be a list of strings");
  for (const auto& value : object[key]) {
    if (!value.is_string()) throw SpecError(path + "." + key + ": must be a list of strings");
    out.push_back(value.get<std::string>());
  }
  return out;
}

void merge_dns_config(PodDns& dns, const Json& config) {
  const std::string path = "spec.dnsConfig";
  append_unique(dns.servers, strings_at(config, "nameservers", path));
  append_unique(dns.searches, strings_at(config, "searches", path));
  if (!config.contains("options") || config["options"].is_null()) return;
  if (!config["options"].is_array()) throw SpecError(path + ".options: must be a list");
  for (size_t i = 0; i < config["options"].size(); ++i) {
    const Json& option = config["options"][i];
    const std::string where = path + ".options[" + std::to_string(i) + "]";
    if (!option.is_object() || !option.contains("name") || !option["name"].is_string() ||
        option["name"].get<std::string>().empty())
      throw SpecError(where + ".name: Required value");
    std::string text = option["name"].get<std::string>();
    if (option.contains("value") && option["value"].is_string())
      text += ":" + option["value"].get<std::string>();
    merge_option(dns.options, text);
  }
}

void fit_limits(PodDns& dns) {
  if (dns.servers.size() > kMaxNameservers) dns.servers.resize(kMaxNameservers);
  std::vector<std::string> searches;
  size_t chars = 0;
  for (const auto& search : dns.searches) {
    if (searches.size() == kMaxSearches || chars + search.size() + 1 > kMaxSearchChars) break;
    chars += search.size() + 1;
    searches.push_back(search);
  }
  dns.searches = std::move(searches);
}

}  // namespace

PodDns pod_dns(const Json& pod_spec, const std::string& namespace_name, const NodeDnsSettings& node,
               const dns::ResolvConf& host) {
  std::string policy = "ClusterFirst";
  if (pod_spec.contains("dnsPolicy") && pod_spec["dnsPolicy"].is_string() &&
      !pod_spec["dnsPolicy"].get<std::string>().empty())
    policy = pod_spec["dnsPolicy"].get<std::string>();
  const Json& config = pod_spec.contains("dnsConfig") && pod_spec["dnsConfig"].is_object()
                           ? pod_spec["dnsConfig"]
                           : Json::object();

  PodDns dns;
  if (policy == "ClusterFirst" || policy == "ClusterFirstWithHostNet") {
    dns.servers = {node.cluster_dns};
    const std::string& domain = node.cluster_domain;
    if (!domain.empty())  // the kubelet's rule: without a cluster domain, the host's searches
      append_unique(dns.searches, {namespace_name + ".svc." + domain, "svc." + domain, domain});
    append_unique(dns.searches, host.searches);
    dns.options = {"ndots:5"};
  } else if (policy == "Default") {
    for (const auto& server : host.nameservers)
      if (!dns::is_loopback_address(server)) dns.servers.push_back(server);
    dns.searches = host.searches;
    for (const auto& option : host.options) merge_option(dns.options, option);
  } else if (policy == "None") {
    if (strings_at(config, "nameservers", "spec.dnsConfig").empty())
      throw SpecError(
          "spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver "
          "when dnsPolicy is None");
  } else {
    throw SpecError("spec.dnsPolicy: Unsupported value: \"" + policy +
                    "\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", "
                    "\"Default\", \"None\"");
  }
  merge_dns_config(dns, config);
  fit_limits(dns);
  return dns;
}

}  // namespace skiff::agent::pods
