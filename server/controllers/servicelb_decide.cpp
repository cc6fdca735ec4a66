#include "server/controllers/servicelb_decide.h"

#include <algorithm>
#include <set>

#include "server/controllers/informer.h"
#include "server/controllers/json_access.h"

namespace skiff::controllers {

namespace {

bool is_ready(const Json& node) {
  const Json& conditions = json::at(node, {"status", "conditions"});
  if (!conditions.is_array()) return false;
  for (const auto& condition : conditions)
    if (condition.is_object() && condition.value("type", "") == "Ready")
      return condition.value("status", "") == "True";
  return false;
}

std::string node_address(const Json& node) {
  std::string internal;
  const Json& addresses = json::at(node, {"status", "addresses"});
  if (!addresses.is_array()) return "";
  for (const auto& address : addresses) {
    if (!address.is_object()) continue;
    const std::string type = address.value("type", "");
    if (type == "ExternalIP") return address.value("address", "");
    if (type == "InternalIP" && internal.empty()) internal = address.value("address", "");
  }
  return internal;
}

}  // namespace

bool is_servicelb_service(const Json& service) {
  if (json::string_at(service, {"spec", "type"}) != "LoadBalancer") return false;
  if (!json::at(service, {"metadata", "deletionTimestamp"}).is_null()) return false;
  const std::string load_balancer_class = json::string_at(service, {"spec", "loadBalancerClass"});
  return load_balancer_class.empty() || load_balancer_class == kServiceLbClass;
}

std::vector<std::string> load_balancer_addresses(const std::vector<store::ObjectPtr>& nodes) {
  const bool labelled = std::any_of(nodes.begin(), nodes.end(), [](const store::ObjectPtr& node) {
    return json::string_at(*node, {"metadata", "labels", kEnableLbLabel}) == "true";
  });
  std::set<std::string> addresses;
  for (const auto& node : nodes) {
    if (labelled && json::string_at(*node, {"metadata", "labels", kEnableLbLabel}) != "true")
      continue;
    if (!json::at(*node, {"metadata", "deletionTimestamp"}).is_null() || !is_ready(*node)) continue;
    if (auto address = node_address(*node); !address.empty()) addresses.insert(address);
  }
  return {addresses.begin(), addresses.end()};
}

std::map<std::string, LoadBalancerDecision> decide_load_balancers(
    const std::vector<store::ObjectPtr>& services, const std::vector<store::ObjectPtr>& nodes) {
  std::vector<const Json*> ours;
  for (const auto& service : services)
    if (is_servicelb_service(*service)) ours.push_back(service.get());
  std::sort(ours.begin(), ours.end(), [](const Json* a, const Json* b) {
    const auto at = json::string_at(*a, {"metadata", "creationTimestamp"});
    const auto bt = json::string_at(*b, {"metadata", "creationTimestamp"});
    return at != bt ? at < bt : object_key(*a) < object_key(*b);
  });
  const std::vector<std::string> addresses = load_balancer_addresses(nodes);
  std::map<std::string, std::string> holders;  // "80/TCP" -> service key
  std::map<std::string, LoadBalancerDecision> decisions;
  for (const Json* service : ours) {
    const std::string key = object_key(*service);
    LoadBalancerDecision decision;
    std::vector<std::string> wanted;
    const Json& ports = json::at(*service, {"spec", "ports"});
    if (ports.is_array()) {
      for (const auto& port : ports) {
        if (!port.is_object()) continue;
        std::string claim =
            std::to_string(port.value("port", 0)) + "/" + port.value("protocol", "TCP");
        auto holder = holders.find(claim);
        if (holder != holders.end() && holder->second != key) {
          decision.conflict = claim;
          decision.holder = holder->second;
          break;
        }
        wanted.push_back(std::move(claim));
      }
    }
    if (decision.conflict.empty()) {
      for (auto& claim : wanted) holders.emplace(std::move(claim), key);
      decision.ingress = addresses;
    }
    decisions.emplace(key, std::move(decision));
  }
  return decisions;
}

}  // namespace skiff::controllers
