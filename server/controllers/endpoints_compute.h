#pragma once
// What the Endpoints and EndpointSlices of a Service should hold, as Kubernetes' endpoints and
// endpointslice controllers compute them. Pure functions of (service, pods): the controller
// (endpoints_controller.h) only compares and writes.
//
//  - Pods count when the service's selector matches their labels, they have a pod IP and have
//    not finished (phase Succeeded/Failed).
//  - Endpoints: a ready pod's address goes in `addresses`, a not-ready one in
//    `notReadyAddresses` (`addresses` too with publishNotReadyAddresses); terminating pods
//    are left out (kept with publishNotReadyAddresses). Addresses carry nodeName and a
//    targetRef to the pod. Each service port's targetPort is resolved per pod (a name through
//    the pod's container ports), and pods are grouped into subsets by the resolved ports, so
//    pods that number a named port differently land in different subsets. A pod that resolves
//    none of the service's ports is left out.
//  - EndpointSlices (discovery.k8s.io/v1, IPv4): one slice per distinct resolved port set (at
//    most 100 endpoints each); terminating pods stay in, with conditions ready (ready and not
//    terminating, or publishNotReadyAddresses), serving (ready) and terminating. A service
//    with no endpoints gets one empty slice, as Kubernetes keeps a placeholder.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "server/store/store.h"

namespace skiff::controllers {

inline constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";
inline constexpr const char* kManagedByLabel = "endpointslice.kubernetes.io/managed-by";
inline constexpr const char* kEndpointSliceController = "endpointslice-controller.k8s.io";
inline constexpr int kMaxEndpointsPerSlice = 100;
// Endpoints this controller wrote carry this label (as Kubernetes 1.33 labels them), so
// Endpoints written by hand for a service that does not exist are never deleted.
inline constexpr const char* kEndpointsManagedByLabel = "endpoints.kubernetes.io/managed-by";
inline constexpr const char* kEndpointsController = "endpoint-controller";

// The number `service_port`'s targetPort means for `pod` (an int as is, a name through the
// pod's container ports of the same protocol, absent -> the service port); nullopt when a
// named port is not declared by the pod.
std::optional<int64_t> resolve_target_port(const Json& service_port, const Json& pod);

// True when the service's selector is non-empty and matches the pod's labels.
bool service_selects(const Json& service, const Json& pod);

// The Endpoints object for `service` (apiVersion, kind, metadata name/namespace/labels with
// the service's labels and the managed-by label,
// subsets; no resourceVersion). `pods` are the pods of the service's namespace.
Json compute_endpoints(const Json& service, const std::vector<store::ObjectPtr>& pods);

// The EndpointSlices for `service`, named "<service>-<hash of the port set>[-<n>]" so a
// recomputation names them the same (metadata with labels and the controller ownerReference).
std::vector<Json> compute_endpoint_slices(const Json& service,
                                          const std::vector<store::ObjectPtr>& pods);

}  // namespace skiff::controllers
