#pragma once
// The agent's connection to the server over the node protocol (proto/node.proto), behind the
// NodeSession interface. One background thread drives it:
//   connect: Hello (version check) -> Register -> Watch and Tunnel streams on their own threads
//   then:    RenewLease every interval the server names, queued reports and node status
//   when the Watch stream ends (server restart, network): start over after a backoff
//            (0.5 s doubling to 30 s), resuming the watch from the cache's resume point.
// The objects' cache (node_object_cache.h) outlives connections, so the handler sees a
// reconnect only as what really changed meanwhile.
//
// A refused handshake (wrong token, protocol mismatch) is not fatal here: it is logged, kept in
// last_error() and retried at the longest backoff, so fixing the server needs no agent restart.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "agent/nodeclient/node_identity.h"
#include "agent/nodeclient/node_object_cache.h"
#include "agent/nodeclient/node_session.h"
#include "agent/nodeclient/report_queue.h"

namespace grpc {
class Channel;
class ClientContext;
class Status;
}  // namespace grpc

namespace skiff::agent::nodeclient {

struct NodeClientOptions {
  std::string node_name;
  std::string token;
  std::string agent_version;  // empty: this binary's
  std::map<std::string, std::string> labels;
  Json node_status = Json::object();  // NodeStatus to register (update_node_status changes it)
  std::set<ObjectKind> kinds{ObjectKind::Pod, ObjectKind::ConfigMap, ObjectKind::Secret};
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{30000};
  std::chrono::milliseconds renew_interval{0};  // 0: as the server says (Hello)
  std::chrono::milliseconds call_timeout{10000};
};

// Makes the channel for each connection attempt.
using ChannelFactory = std::function<std::shared_ptr<grpc::Channel>()>;
// Plain-text gRPC to "host:port", with keepalive pings so a dead server is noticed. For
// tests' plaintext node servers; agents use mutual_tls_channel.
ChannelFactory insecure_channel(const std::string& target);
// Mutual TLS to "host:port" (the server's certificate must name the host), keepalive as above.
// `credentials` is asked on every connection attempt, so a renewed certificate is used from the
// next connection on; when it throws, that attempt fails and is retried with backoff.
ChannelFactory mutual_tls_channel(const std::string& target,
                                  std::function<NodeCredentials()> credentials);

class GrpcNodeClient : public NodeSession {
 public:
  // `objects` and `streams` (optional) must outlive the client.
  GrpcNodeClient(ChannelFactory channels, NodeClientOptions options, NodeObjectHandler& objects,
                 StreamHandler* streams = nullptr);
  ~GrpcNodeClient() override;
  GrpcNodeClient(const GrpcNodeClient&) = delete;
  GrpcNodeClient& operator=(const GrpcNodeClient&) = delete;

  void start();
  void stop();  // closes the connection and joins every thread; idempotent

  // Waits until the first Synced arrived; false on timeout (last_error() says why).
  bool wait_synced(std::chrono::milliseconds timeout);
  bool connected() const { return connected_.load(); }
  std::string last_error() const;
  const NodeObjectCache& cache() const { return cache_; }

  // NodeSession
  void report_pod_status(const PodRef& pod, const Json& status) override;
  void confirm_pod_deleted(const PodRef& pod) override;
  void update_node_status(const Json& status) override;
  std::optional<Json> get_object(ObjectKind kind, const std::string& namespace_name,
                                 const std::string& name) const override;

 private:
  struct Connection;
  void run();
  // One connection from Hello until its Watch stream ends or stop(); throws on a failed
  // handshake. Returns true when it got as far as a Synced.
  bool run_connection(const std::shared_ptr<grpc::Channel>& channel);
  void watch_loop(Connection& connection);
  void register_node(Connection& connection);
  void renew(Connection& connection);
  void deliver_reports(Connection& connection);
  // One unary call with the token, protocol version and deadline set; stop() cancels it.
  grpc::Status unary_call(const std::function<grpc::Status(grpc::ClientContext&)>& call);
  void set_error(const std::string& error);
  void wake();

  ChannelFactory channels_;
  NodeClientOptions options_;
  NodeObjectHandler& objects_;
  StreamHandler* streams_;
  NodeObjectCache cache_;
  ReportQueue reports_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  bool status_changed_ = false;
  bool synced_once_ = false;
  std::string last_error_;
  Connection* connection_ = nullptr;            // the live one, for stop()
  grpc::ClientContext* active_call_ = nullptr;  // the unary call in flight, for stop()
  std::atomic<bool> connected_{false};
  std::thread thread_;
};

}  // namespace skiff::agent::nodeclient
