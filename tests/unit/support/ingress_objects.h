#pragma once
// Ingress objects for the routing unit tests, and how a route reads in an expectation.
#include <string>
#include <string_view>
#include <vector>

#include "agent/ingress/ingress_routes.h"
#include "pkg/api/json.h"

namespace skiff::agent::ingress {

inline Json backend(const std::string& service, Json port = 80) {
  Json port_field = port.is_string() ? Json{{"name", port}} : Json{{"number", port}};
  return {{"service", {{"name", service}, {"port", port_field}}}};
}

inline Json http_path(const std::string& path, const std::string& type,
                      const std::string& service) {
  return {{"path", path}, {"pathType", type}, {"backend", backend(service)}};
}

inline Json rule(const std::string& host, Json paths) {
  Json out = {{"http", {{"paths", std::move(paths)}}}};
  if (!host.empty()) out["host"] = host;
  return out;
}

inline Json ingress(const std::string& ns, const std::string& name, Json spec,
                    const std::string& created = "2026-11-26T10:00:00Z") {
  spec["ingressClassName"] = "skiff";
  return {{"metadata", {{"namespace", ns}, {"name", name}, {"creationTimestamp", created}}},
          {"spec", std::move(spec)}};
}

// "<service>" for a match (with ":<port>" when not 80), "404" for none.
inline std::string routed(const RouteTable& table, std::string_view host, std::string_view path) {
  const RouteTarget* target = table.match(host, path);
  if (!target) return "404";
  std::string out = target->backend.service;
  if (!target->backend.port_name.empty()) out += ":" + target->backend.port_name;
  if (target->backend.port_name.empty() && target->backend.port_number != 80) {
    out += ":" + std::to_string(target->backend.port_number);
  }
  return out;
}

inline std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

}  // namespace skiff::agent::ingress
