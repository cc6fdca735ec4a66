#include "pkg/kubectl/expose_service.h"

#include <charconv>

#include "pkg/kubectl/errors.h"
#include "pkg/kubectl/json_access.h"

namespace skiff::kubectl {

namespace {

std::string kind_name(const Json& object) {
  std::string kind = member(object, "kind").is_string() ? object["kind"].get<std::string>() : "";
  for (auto& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return kind;
}

Json selector_of(const Json& object) {
  const std::string kind =
      member(object, "kind").is_string() ? object["kind"].get<std::string>() : "";
  if (kind == "Deployment" || kind == "ReplicaSet") {
    const Json& selector = member(member(object, "spec"), "selector");
    if (!member(selector, "matchExpressions").is_null() &&
        !member(selector, "matchExpressions").empty())
      throw usage_error("couldn't convert expressions - \"" + selector.dump() +
                        "\" to map: a selector with matchExpressions cannot be exposed");
    return member(selector, "matchLabels");
  }
  if (kind == "Pod") return member(member(object, "metadata"), "labels");
  if (kind == "Service") return member(member(object, "spec"), "selector");
  throw usage_error("cannot expose a " + kind);
}

Json parse_selector(const std::string& text) {
  Json selector = Json::object();
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string term = text.substr(start, comma == std::string::npos ? comma : comma - start);
    auto eq = term.find('=');
    if (eq == std::string::npos || eq == 0)
      throw usage_error("invalid selector \"" + text + "\": expected key=value pairs");
    selector[term.substr(0, eq)] = term.substr(eq + 1 + (term[eq + 1] == '=' ? 1 : 0));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return selector;
}

Json int_or_string(const std::string& text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc() && end == text.data() + text.size()) return value;
  return text;
}

// The object's ports as (port, protocol): containers' ports, or a Service's ports.
std::vector<std::pair<int64_t, std::string>> introspected_ports(const Json& object) {
  std::vector<std::pair<int64_t, std::string>> out;
  const std::string kind =
      member(object, "kind").is_string() ? object["kind"].get<std::string>() : "";
  if (kind == "Service") {
    for (const auto& port : member(member(object, "spec"), "ports"))
      out.emplace_back(port.value("port", 0), port.value("protocol", "TCP"));
    return out;
  }
  const Json& pod_spec = kind == "Pod" ? member(object, "spec")
                                       : member(member(member(object, "spec"), "template"), "spec");
  for (const auto& container : member(pod_spec, "containers"))
    for (const auto& port : member(container, "ports"))
      out.emplace_back(port.value("containerPort", 0), port.value("protocol", "TCP"));
  return out;
}

}  // namespace

Json expose_service(const Json& object, const ExposeOptions& options) {
  Json selector = options.selector.empty() ? selector_of(object) : parse_selector(options.selector);
  if (!selector.is_object() || selector.empty())
    throw usage_error("couldn't retrieve selectors via --selector flag or introspection: the " +
                      kind_name(object) + " has no labels to select its pods by");
  Json ports = Json::array();
  if (!options.port.empty()) {
    Json number = int_or_string(options.port);
    if (!number.is_number_integer())
      throw usage_error("invalid --port \"" + options.port + "\": must be a number");
    ports.push_back(
        {{"port", number}, {"protocol", options.protocol.empty() ? "TCP" : options.protocol}});
  } else {
    auto found = introspected_ports(object);
    if (found.empty()) throw usage_error("couldn't find port via --port flag or introspection");
    for (size_t i = 0; i < found.size(); ++i) {
      Json port = {{"port", found[i].first},
                   {"protocol", options.protocol.empty() ? found[i].second : options.protocol}};
      if (found.size() > 1) port["name"] = "port-" + std::to_string(i + 1);
      ports.push_back(std::move(port));
    }
  }
  for (auto& port : ports) {
    port["targetPort"] =
        options.target_port.empty() ? port["port"] : int_or_string(options.target_port);
  }
  const std::string name = options.name.empty() ? name_of(object) : options.name;
  Json metadata = {{"name", name}, {"namespace", options.namespace_name}};
  const Json& labels = member(member(object, "metadata"), "labels");
  if (labels.is_object() && !labels.empty()) metadata["labels"] = labels;
  Json spec = {{"ports", std::move(ports)}, {"selector", std::move(selector)}};
  if (!options.type.empty()) spec["type"] = options.type;
  if (!options.cluster_ip.empty()) spec["clusterIP"] = options.cluster_ip;
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", std::move(metadata)},
          {"spec", std::move(spec)}};
}

}  // namespace skiff::kubectl
