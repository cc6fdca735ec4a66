#pragma once
// The agent's side of the node protocol, as the rest of the agent sees it: no gRPC here.
//  - NodeObjectHandler: what the server streams (the node's pods and the ConfigMaps and Secrets
//    they reference), already de-duplicated: a reconnect that resends what the agent has does
//    not repeat it (node_object_cache.h).
//  - NodeSession: what the agent tells the server (pod status, deletion confirmed, node status).
//    Calls are queued and delivered in the background, across reconnects.
//  - StreamHandler: serves the server's logs/exec/attach/port-forward requests (the reverse
//    tunnel), one thread per stream.
// grpc_node_client.h implements all of it over the node protocol (proto/node.proto).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pkg/api/json.h"

namespace skiff::agent::nodeclient {

// Pods bound to the node and the ConfigMaps/Secrets they use; every Service, EndpointSlice and
// Node of the cluster (for the service proxy, cluster DNS and pod routes); every Ingress of the
// cluster (networking.k8s.io/v1, for the ingress proxy) and, when Secret is asked for too, the
// TLS Secrets they name. Ask for kinds in NodeClientOptions::kinds.
enum class ObjectKind { Pod, ConfigMap, Secret, Service, EndpointSlice, Node, Ingress };
std::string_view kind_name(ObjectKind kind);  // "Pod", "ConfigMap", "Secret", ...

// The cluster-wide settings the server tells every agent (proto/node.proto ClusterSettings).
struct ClusterSettings {
  std::string cluster_cidr;
  std::string service_cidr;
  std::string cluster_dns;
  std::string cluster_domain;
  std::string network_backend;  // vxlan | host-gw | none
  bool service_proxy = true;
  bool cluster_dns_enabled = true;
  bool ingress_enabled = true;  // false with the server's --disable ingress
  bool operator==(const ClusterSettings&) const = default;
};

struct PodRef {
  std::string namespace_name;
  std::string name;
  std::string uid;
  bool operator==(const PodRef&) const = default;
};

// Receives the node's objects in the server's order, on the session's watch thread (keep it
// quick: hand work to the pod workers). A pod replaced by another of the same name (a new uid)
// arrives as the old one removed, then the new one changed.
class NodeObjectHandler {
 public:
  virtual ~NodeObjectHandler() = default;
  // Added or updated.
  virtual void object_changed(ObjectKind kind, const Json& object) = 0;
  // Deleted, or (ConfigMap, Secret) no longer needed by any pod or Ingress here; `last_known`
  // is its last state (a deleted pod's carries its deletionTimestamp).
  virtual void object_removed(ObjectKind kind, const Json& last_known) = 0;
  // The agent's copy matches the server's (after every connect): a pod the agent runs that it
  // has not been told about by now is not this node's any more.
  virtual void synced() {}
  // The server's cluster settings, on every connection (before its objects).
  virtual void settings_received(const ClusterSettings&) {}
};

class NodeSession {
 public:
  virtual ~NodeSession() = default;
  // Never block on the network. Delivered in order of arrival; for one pod only the latest
  // status is sent, and a confirmed deletion supersedes its status. Retried across reconnects
  // until the server accepts it or says it never will (the pod is gone or was replaced).
  virtual void report_pod_status(const PodRef& pod, const Json& status) = 0;
  virtual void confirm_pod_deleted(const PodRef& pod) = 0;
  // Registers the node again with this NodeStatus (conditions, capacity changed).
  virtual void update_node_status(const Json& status) = 0;
  // The agent's copy of an object the server sent, none when it has none. Thread-safe.
  virtual std::optional<Json> get_object(ObjectKind kind, const std::string& namespace_name,
                                         const std::string& name) const = 0;
};

// ---- the reverse tunnel -------------------------------------------------------------------------

struct StreamRequest {
  enum class Kind { Logs, Exec, Attach, PortForward };
  uint64_t id = 0;
  Kind kind = Kind::Logs;
  PodRef pod;
  std::string container;
  Json options = Json::object();  // PodLogOptions, PodExecOptions, ... as the API shapes them
};

// Channels number as Kubernetes' remote command protocol: 0 stdin, 1 stdout, 2 stderr; logs
// and port-forward use 1.
struct StreamFrame {
  enum class Type { Data, Close, Resize, End };
  Type type = Type::Data;
  uint32_t channel = 1;
  std::string data;
  uint32_t width = 0, height = 0;  // Resize
  int exit_code = 0;               // End
  std::string error;               // End
};

// The agent's end of one stream. read() and write() may be used from two threads at once.
class StreamChannel {
 public:
  virtual ~StreamChannel() = default;
  // From the server: stdin data, close of stdin, resize. None once the server ended the stream
  // (its client went away) or the connection broke.
  virtual std::optional<StreamFrame> read() = 0;
  // To the server (stdout, stderr, port-forward bytes). False once the stream is gone.
  virtual bool write(uint32_t channel, std::string_view data) = 0;
};

struct StreamResult {
  int exit_code = 0;  // an exec's exit code
  std::string error;  // why the request could not be served ("" when it was)
};

class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  // Serves one request on its own thread; the session sends the result as the stream's End
  // frame. Must return soon after read() returns none or write() fails (the stream is gone).
  virtual StreamResult serve(const StreamRequest& request, StreamChannel& channel) = 0;
};

}  // namespace skiff::agent::nodeclient
