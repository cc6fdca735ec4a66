#include "server/controllers/ingress_status.h"

#include "server/controllers/json_access.h"
#include "server/controllers/servicelb_decide.h"

namespace skiff::controllers {

namespace {

constexpr const char* kLegacyClassAnnotation = "kubernetes.io/ingress.class";

bool has_points(const Json& ingress) {
  const Json& stored = json::at(ingress, {"status", "loadBalancer", "ingress"});
  return stored.is_array() && !stored.empty();
}

// What of a node feeds load_balancer_addresses(); nullptr (absent node) reads as null.
Json address_inputs(const Json* node) {
  if (node == nullptr) return nullptr;
  Json ready = nullptr;
  const Json& conditions = json::at(*node, {"status", "conditions"});
  if (conditions.is_array())
    for (const auto& condition : conditions)
      if (condition.is_object() && condition.value("type", "") == "Ready")
        ready = condition.value("status", "");
  return Json::array({ready, json::at(*node, {"status", "addresses"}),
                      json::at(*node, {"metadata", "labels", kEnableLbLabel}),
                      !json::at(*node, {"metadata", "deletionTimestamp"}).is_null()});
}

}  // namespace

bool is_skiff_ingress(const Json& ingress) {
  const Json& class_name = json::at(ingress, {"spec", "ingressClassName"});
  if (class_name.is_string()) return class_name.get<std::string>() == kIngressClass;
  const Json& legacy = json::at(ingress, {"metadata", "annotations", kLegacyClassAnnotation});
  return legacy.is_null() || (legacy.is_string() && legacy.get<std::string>() == kIngressClass);
}

Json ingress_load_balancer_points(const std::vector<store::ObjectPtr>& nodes) {
  Json points = Json::array();
  for (const auto& address : load_balancer_addresses(nodes)) points.push_back({{"ip", address}});
  return points;
}

std::optional<Json> ingress_status_patch(const Json& ingress, const Json& points) {
  const bool want = points.is_array() && !points.empty();
  if (want ? json::at(ingress, {"status", "loadBalancer", "ingress"}) == points
           : !has_points(ingress))
    return std::nullopt;
  return Json{{"status", {{"loadBalancer", {{"ingress", want ? points : Json(nullptr)}}}}}};
}

bool node_change_matters(const Json* old_node, const Json* new_node) {
  return address_inputs(old_node) != address_inputs(new_node);
}

}  // namespace skiff::controllers
