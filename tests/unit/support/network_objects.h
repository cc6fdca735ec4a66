#pragma once
// Builders of the API objects the service proxy reads (Services, EndpointSlices), shared by the
// network unit tests, the network integration test and the rules benchmark.
#include <string>

#include "pkg/api/json.h"

namespace skiff::testing::network {

inline Json service(const std::string& name, Json spec, Json status = Json::object(),
                    const std::string& namespace_name = "default") {
  Json object = {{"apiVersion", "v1"},
                 {"kind", "Service"},
                 {"metadata", {{"name", name}, {"namespace", namespace_name}}},
                 {"spec", std::move(spec)}};
  if (!status.empty()) object["status"] = std::move(status);
  return object;
}

// One endpoint of a slice; conditions as the endpoints controller writes them.
inline Json endpoint(const std::string& ip, const std::string& node, bool ready = true,
                     bool serving = true, bool terminating = false) {
  return {{"addresses", {ip}},
          {"nodeName", node},
          {"conditions", {{"ready", ready}, {"serving", serving}, {"terminating", terminating}}}};
}

inline Json endpoint_slice(const std::string& service_name, Json ports, Json endpoints,
                           const std::string& slice_suffix = "abcde",
                           const std::string& namespace_name = "default") {
  return {{"apiVersion", "discovery.k8s.io/v1"},
          {"kind", "EndpointSlice"},
          {"metadata",
           {{"name", service_name + "-" + slice_suffix},
            {"namespace", namespace_name},
            {"labels", {{"kubernetes.io/service-name", service_name}}}}},
          {"addressType", "IPv4"},
          {"ports", std::move(ports)},
          {"endpoints", std::move(endpoints)}};
}

inline Json port(const std::string& name, int number, const std::string& protocol = "TCP") {
  Json object = {{"port", number}, {"protocol", protocol}};
  if (!name.empty()) object["name"] = name;
  return object;
}

}  // namespace skiff::testing::network
