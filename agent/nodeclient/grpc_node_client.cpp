#include "agent/nodeclient/grpc_node_client.h"

#include <grpcpp/grpcpp.h>

#include <stdexcept>

#include "agent/nodeclient/grpc_call.h"
#include "agent/nodeclient/tunnel_client.h"
#include "pkg/api/version.h"
#include "pkg/log/log.h"
#include "pkg/util/thread_name.h"

namespace skiff::agent::nodeclient {

namespace v1 = skiff::node::v1;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::chrono::milliseconds kDefaultRenewInterval{10000};
constexpr std::chrono::milliseconds kReportRetryDelay{1000};

// The server will not accept the agent as it is (wrong token, another protocol version).
class HandshakeRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::runtime_error call_failed(const std::string& what, const grpc::Status& status) {
  return std::runtime_error(what + ": " + status.error_message() + " (gRPC code " +
                            std::to_string(static_cast<int>(status.error_code())) + ")");
}

// Failures that retrying the same report cannot fix.
bool is_permanent(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNIMPLEMENTED:
      return true;
    default:
      return false;
  }
}

v1::ObjectKind to_proto(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::Pod:
      return v1::OBJECT_KIND_POD;
    case ObjectKind::ConfigMap:
      return v1::OBJECT_KIND_CONFIG_MAP;
    case ObjectKind::Secret:
      return v1::OBJECT_KIND_SECRET;
    case ObjectKind::Service:
      return v1::OBJECT_KIND_SERVICE;
    case ObjectKind::EndpointSlice:
      return v1::OBJECT_KIND_ENDPOINT_SLICE;
    case ObjectKind::Node:
      return v1::OBJECT_KIND_NODE;
    case ObjectKind::Ingress:
      return v1::OBJECT_KIND_INGRESS;
  }
  return v1::OBJECT_KIND_UNSPECIFIED;
}

ClusterSettings from_proto(const v1::ClusterSettings& message) {
  ClusterSettings settings;
  settings.cluster_cidr = message.cluster_cidr();
  settings.service_cidr = message.service_cidr();
  settings.cluster_dns = message.cluster_dns();
  settings.cluster_domain = message.cluster_domain();
  settings.network_backend = message.network_backend();
  settings.service_proxy = message.service_proxy();
  settings.cluster_dns_enabled = message.cluster_dns_enabled();
  settings.ingress_enabled = message.ingress_enabled();
  return settings;
}

// None for kinds or types this agent does not know (a newer server may send more).
std::optional<CacheEvent> from_proto(const v1::WatchEvent& message) {
  CacheEvent event;
  event.resource_version = message.resource_version();
  switch (message.type()) {
    case v1::WatchEvent::ADDED:
      event.type = CacheEvent::Type::Added;
      break;
    case v1::WatchEvent::MODIFIED:
      event.type = CacheEvent::Type::Modified;
      break;
    case v1::WatchEvent::DELETED:
      event.type = CacheEvent::Type::Deleted;
      break;
    case v1::WatchEvent::RESET:
      event.type = CacheEvent::Type::Reset;
      return event;
    case v1::WatchEvent::SYNCED:
      event.type = CacheEvent::Type::Synced;
      return event;
    case v1::WatchEvent::BOOKMARK:
      event.type = CacheEvent::Type::Bookmark;
      return event;
    default:
      return std::nullopt;
  }
  switch (message.kind()) {
    case v1::OBJECT_KIND_POD:
      event.kind = ObjectKind::Pod;
      break;
    case v1::OBJECT_KIND_CONFIG_MAP:
      event.kind = ObjectKind::ConfigMap;
      break;
    case v1::OBJECT_KIND_SECRET:
      event.kind = ObjectKind::Secret;
      break;
    case v1::OBJECT_KIND_SERVICE:
      event.kind = ObjectKind::Service;
      break;
    case v1::OBJECT_KIND_ENDPOINT_SLICE:
      event.kind = ObjectKind::EndpointSlice;
      break;
    case v1::OBJECT_KIND_NODE:
      event.kind = ObjectKind::Node;
      break;
    case v1::OBJECT_KIND_INGRESS:
      event.kind = ObjectKind::Ingress;
      break;
    default:
      return std::nullopt;
  }
  event.object = Json::parse(message.object(), nullptr, /*allow_exceptions=*/false);
  if (!event.object.is_object()) return std::nullopt;
  return event;
}

}  // namespace

struct GrpcNodeClient::Connection {
  std::unique_ptr<v1::Node::Stub> stub;
  grpc::ClientContext watch_context;
  std::thread watch_thread;
  std::unique_ptr<TunnelClient> tunnel;
  std::chrono::milliseconds renew_interval{kDefaultRenewInterval};
  bool watch_ended = false;  // guarded by the client's mutex_
  bool synced = false;       // guarded by the client's mutex_
};

namespace {

grpc::ChannelArguments keepalive_arguments() {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  return arguments;
}

}  // namespace

ChannelFactory insecure_channel(const std::string& target) {
  return [target] {
    return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                     keepalive_arguments());
  };
}

ChannelFactory mutual_tls_channel(const std::string& target,
                                  std::function<NodeCredentials()> credentials) {
  return [target, credentials = std::move(credentials)] {
    const NodeCredentials current = credentials();
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = current.ca_pem;
    tls.pem_private_key = current.key_pem;
    tls.pem_cert_chain = current.certificate_pem;
    return grpc::CreateCustomChannel(target, grpc::SslCredentials(tls), keepalive_arguments());
  };
}

GrpcNodeClient::GrpcNodeClient(ChannelFactory channels, NodeClientOptions options,
                               NodeObjectHandler& objects, StreamHandler* streams)
    : channels_(std::move(channels)),
      options_(std::move(options)),
      objects_(objects),
      streams_(streams) {
  if (options_.agent_version.empty()) options_.agent_version = version::kSkiffVersion;
}

GrpcNodeClient::~GrpcNodeClient() {
  stop();
}

void GrpcNodeClient::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] {
    util::name_this_thread("node-client");
    run();
  });
}

void GrpcNodeClient::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (connection_ != nullptr) connection_->watch_context.TryCancel();
    if (active_call_ != nullptr) active_call_->TryCancel();
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool GrpcNodeClient::wait_synced(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return synced_once_; });
}

std::string GrpcNodeClient::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void GrpcNodeClient::set_error(const std::string& error) {
  std::lock_guard lock(mutex_);
  last_error_ = error;
}

void GrpcNodeClient::wake() {
  changed_.notify_all();
}

void GrpcNodeClient::report_pod_status(const PodRef& pod, const Json& status) {
  reports_.add_status(pod, status);
  wake();
}

void GrpcNodeClient::confirm_pod_deleted(const PodRef& pod) {
  reports_.add_deletion(pod);
  wake();
}

void GrpcNodeClient::update_node_status(const Json& status) {
  {
    std::lock_guard lock(mutex_);
    options_.node_status = status;
    status_changed_ = true;
  }
  wake();
}

std::optional<Json> GrpcNodeClient::get_object(ObjectKind kind, const std::string& namespace_name,
                                               const std::string& name) const {
  return cache_.get(kind, namespace_name, name);
}

grpc::Status GrpcNodeClient::unary_call(
    const std::function<grpc::Status(grpc::ClientContext&)>& call) {
  grpc::ClientContext context;
  prepare_call(context, options_.token, options_.call_timeout);
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return {grpc::StatusCode::CANCELLED, "the agent is stopping"};
    active_call_ = &context;
  }
  grpc::Status status = call(context);
  std::lock_guard lock(mutex_);
  active_call_ = nullptr;
  return status;
}

void GrpcNodeClient::run() {
  auto backoff = options_.reconnect_min;
  while (true) {
    bool reached_sync = false;
    try {
      reached_sync = run_connection(channels_());
    } catch (const HandshakeRefused& error) {
      set_error(error.what());
      log::error("the server refused this agent", {{"error", error.what()}});
      backoff = options_.reconnect_max;
    } catch (const std::exception& error) {
      set_error(error.what());
      log::warn("node connection failed", {{"error", error.what()}});
    }
    if (reached_sync) backoff = options_.reconnect_min;
    std::unique_lock lock(mutex_);
    if (changed_.wait_for(lock, backoff, [this] { return stopping_; })) return;
    backoff = std::min(backoff * 2, options_.reconnect_max);
  }
}

bool GrpcNodeClient::run_connection(const std::shared_ptr<grpc::Channel>& channel) {
  Connection connection;
  connection.stub = v1::Node::NewStub(channel);
  {
    v1::HelloRequest request;
    request.set_node_name(options_.node_name);
    request.set_agent_version(options_.agent_version);
    request.set_protocol_version(kProtocolVersion);
    v1::HelloResponse response;
    grpc::Status status = unary_call([&](grpc::ClientContext& context) {
      return connection.stub->Hello(&context, request, &response);
    });
    if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
        status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
      throw HandshakeRefused(status.error_message());
    }
    if (!status.ok()) throw call_failed("cannot reach the server", status);
    if (options_.renew_interval.count() > 0) {
      connection.renew_interval = options_.renew_interval;
    } else if (response.lease_renew_interval_ms() > 0) {
      connection.renew_interval = std::chrono::milliseconds(response.lease_renew_interval_ms());
    }
    objects_.settings_received(from_proto(response.cluster()));
  }
  register_node(connection);

  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    connection_ = &connection;
    status_changed_ = false;
  }
  connection.watch_thread = std::thread([this, &connection] { watch_loop(connection); });
  if (streams_ != nullptr) {
    connection.tunnel = std::make_unique<TunnelClient>(*connection.stub, options_.node_name,
                                                       options_.token, *streams_);
    connection.tunnel->start();
  }
  connected_ = true;
  log::info("connected to the server", {{"node", options_.node_name}});

  auto next_renew = Clock::now() + connection.renew_interval;
  auto reports_due = Clock::now();
  while (true) {
    bool register_again = false;
    {
      std::unique_lock lock(mutex_);
      auto deadline = next_renew;
      if (!reports_.empty()) deadline = std::min(deadline, reports_due);
      changed_.wait_until(lock, deadline, [&] {
        return stopping_ || connection.watch_ended || status_changed_ ||
               (!reports_.empty() && Clock::now() >= reports_due);
      });
      if (stopping_ || connection.watch_ended) break;
      register_again = std::exchange(status_changed_, false);
    }
    try {
      if (register_again) register_node(connection);
      if (Clock::now() >= next_renew) {
        next_renew = Clock::now() + connection.renew_interval;
        renew(connection);
      }
      if (!reports_.empty() && Clock::now() >= reports_due) {
        deliver_reports(connection);
        if (!reports_.empty()) reports_due = Clock::now() + kReportRetryDelay;
      }
    } catch (const std::exception& error) {
      set_error(error.what());
      log::warn("node call failed", {{"error", error.what()}});
    }
  }

  connected_ = false;
  connection.watch_context.TryCancel();
  if (connection.tunnel) connection.tunnel->stop();
  connection.watch_thread.join();
  cache_.connection_lost();
  std::lock_guard lock(mutex_);
  connection_ = nullptr;
  return connection.synced;
}

void GrpcNodeClient::watch_loop(Connection& connection) {
  v1::WatchRequest request;
  request.set_node_name(options_.node_name);
  request.set_resource_version(cache_.resume_version());
  for (ObjectKind kind : options_.kinds) request.add_kinds(to_proto(kind));
  prepare_call(connection.watch_context, options_.token);
  auto reader = connection.stub->Watch(&connection.watch_context, request);
  v1::WatchEvent message;
  while (reader->Read(&message)) {
    auto event = from_proto(message);
    if (!event) continue;
    for (auto& change : cache_.apply(*event)) {
      try {
        if (change.type == ObjectChange::Type::Changed) {
          objects_.object_changed(change.kind, change.object);
        } else {
          objects_.object_removed(change.kind, change.object);
        }
      } catch (const std::exception& error) {
        log::error("node object handler failed", {{"error", error.what()}});
      }
    }
    if (event->type == CacheEvent::Type::Synced) {
      {
        std::lock_guard lock(mutex_);
        connection.synced = true;
        synced_once_ = true;
      }
      changed_.notify_all();
      objects_.synced();
    }
  }
  grpc::Status status = reader->Finish();
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
    set_error("the server ended the watch: " + status.error_message());
    log::warn("node watch ended", {{"error", status.error_message()}});
  }
  {
    std::lock_guard lock(mutex_);
    connection.watch_ended = true;
  }
  changed_.notify_all();
}

void GrpcNodeClient::register_node(Connection& connection) {
  v1::RegisterRequest request;
  request.set_node_name(options_.node_name);
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, value] : options_.labels) (*request.mutable_labels())[key] = value;
    request.set_status(options_.node_status.dump());
  }
  v1::RegisterResponse response;
  grpc::Status status = unary_call([&](grpc::ClientContext& context) {
    return connection.stub->Register(&context, request, &response);
  });
  if (!status.ok()) throw call_failed("register node " + options_.node_name, status);
}

void GrpcNodeClient::renew(Connection& connection) {
  v1::RenewLeaseRequest request;
  request.set_node_name(options_.node_name);
  v1::RenewLeaseResponse response;
  grpc::Status status = unary_call([&](grpc::ClientContext& context) {
    return connection.stub->RenewLease(&context, request, &response);
  });
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    log::warn("the node was deleted on the server; registering it again",
              {{"node", options_.node_name}});
    register_node(connection);
    return;
  }
  if (!status.ok()) throw call_failed("renew the node lease", status);
}

void GrpcNodeClient::deliver_reports(Connection& connection) {
  auto reports = reports_.take();
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const PodReport& report = reports[i];
    v1::PodRef pod;
    pod.set_namespace_name(report.pod.namespace_name);
    pod.set_name(report.pod.name);
    pod.set_uid(report.pod.uid);
    grpc::Status status;
    if (report.type == PodReport::Type::Status) {
      v1::ReportPodStatusRequest request;
      request.set_node_name(options_.node_name);
      *request.mutable_pod() = pod;
      request.set_status(report.status.dump());
      v1::ReportPodStatusResponse response;
      status = unary_call([&](grpc::ClientContext& context) {
        return connection.stub->ReportPodStatus(&context, request, &response);
      });
    } else {
      v1::ConfirmPodDeletedRequest request;
      request.set_node_name(options_.node_name);
      *request.mutable_pod() = pod;
      v1::ConfirmPodDeletedResponse response;
      status = unary_call([&](grpc::ClientContext& context) {
        return connection.stub->ConfirmPodDeleted(&context, request, &response);
      });
    }
    if (status.ok()) continue;
    const std::string pod_name = report.pod.namespace_name + "/" + report.pod.name;
    if (is_permanent(status)) {
      log::warn("the server refused a pod report; dropping it",
                {{"pod", pod_name}, {"error", status.error_message()}});
      continue;
    }
    for (std::size_t j = i; j < reports.size(); ++j) reports_.retry(std::move(reports[j]));
    throw call_failed("report pod " + pod_name, status);
  }
}

}  // namespace skiff::agent::nodeclient
