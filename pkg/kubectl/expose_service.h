#pragma once
// The Service `kubectl expose` makes for an object (kubectl's ServiceGeneratorV2), as a pure
// function: the selector comes from the object (a Deployment's or ReplicaSet's
// spec.selector.matchLabels, a Pod's labels, a Service's spec.selector), the ports from the
// flags or, when --port is absent, from the object (its containers' ports or its own service
// ports; several are named port-1, port-2, ...). The new Service carries the object's labels.
// Refusals throw KubectlError worded as kubectl's.
#include <string>

#include "pkg/api/json.h"

namespace skiff::kubectl {

struct ExposeOptions {
  std::string name;         // --name; "" = the object's name
  std::string port;         // --port; "" = from the object
  std::string target_port;  // --target-port; "" = the port
  std::string protocol;     // --protocol; "" = from the object, else TCP
  std::string type;         // --type; "" = ClusterIP
  std::string cluster_ip;   // --cluster-ip ("None" for headless)
  std::string selector;     // --selector "k=v,k2=v2"; "" = from the object
  std::string namespace_name;
};

Json expose_service(const Json& object, const ExposeOptions& options);

}  // namespace skiff::kubectl
