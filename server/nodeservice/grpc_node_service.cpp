// GrpcNodeService: the caller check, the unary calls and Watch. The tunnel calls are in
// grpc_tunnel_service.cpp.
#include "server/nodeservice/grpc_node_service.h"

#include <grpc/grpc_security_constants.h>

#include "pkg/api/errors.h"
#include "pkg/api/version.h"
#include "pkg/log/log.h"
#include "pkg/pki/join_token.h"
#include "pkg/pki/pki.h"
#include "server/nodeservice/grpc_status.h"

namespace skiff::nodeservice {

namespace v1 = skiff::node::v1;

namespace {

std::string metadata_value(const grpc::ServerContext& context, const std::string& key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

Json parse_json_object(const std::string& bytes, const std::string& what) {
  Json value = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) throw api::bad_request(what + " must be a JSON object");
  return value;
}

PodRef pod_ref(const v1::PodRef& pod) {
  return {pod.namespace_name(), pod.name(), pod.uid()};
}

v1::ObjectKind to_proto(NodeObjectKind kind) {
  switch (kind) {
    case NodeObjectKind::Pod:
      return v1::OBJECT_KIND_POD;
    case NodeObjectKind::ConfigMap:
      return v1::OBJECT_KIND_CONFIG_MAP;
    case NodeObjectKind::Secret:
      return v1::OBJECT_KIND_SECRET;
    case NodeObjectKind::Service:
      return v1::OBJECT_KIND_SERVICE;
    case NodeObjectKind::EndpointSlice:
      return v1::OBJECT_KIND_ENDPOINT_SLICE;
    case NodeObjectKind::Node:
      return v1::OBJECT_KIND_NODE;
    case NodeObjectKind::Ingress:
      return v1::OBJECT_KIND_INGRESS;
  }
  return v1::OBJECT_KIND_UNSPECIFIED;
}

v1::WatchEvent::Type to_proto(NodeWatchEvent::Type type) {
  using T = NodeWatchEvent::Type;
  switch (type) {
    case T::Added:
      return v1::WatchEvent::ADDED;
    case T::Modified:
      return v1::WatchEvent::MODIFIED;
    case T::Deleted:
      return v1::WatchEvent::DELETED;
    case T::Reset:
      return v1::WatchEvent::RESET;
    case T::Synced:
      return v1::WatchEvent::SYNCED;
    case T::Bookmark:
      return v1::WatchEvent::BOOKMARK;
  }
  return v1::WatchEvent::TYPE_UNSPECIFIED;
}

class WriterSink : public NodeEventSink {
 public:
  explicit WriterSink(grpc::ServerWriter<v1::WatchEvent>& writer) : writer_(writer) {}
  bool send(const NodeWatchEvent& event) override {
    v1::WatchEvent message;
    message.set_type(to_proto(event.type));
    message.set_kind(to_proto(event.kind));
    if (event.object) message.set_object(event.object->dump());
    message.set_resource_version(event.resource_version);
    return writer_.Write(message);
  }

 private:
  grpc::ServerWriter<v1::WatchEvent>& writer_;
};

}  // namespace

CallerAuthenticator node_certificate_authenticator(NodeCertificateCheck check) {
  return [check = std::move(check)](
             const grpc::ServerContext& context) -> std::variant<NodeCaller, grpc::Status> {
    const auto auth = context.auth_context();
    std::string common_name;
    std::string certificate_pem;
    bool in_nodes_group = false;
    if (auth) {
      for (const auto& value : auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME))
        certificate_pem.assign(value.data(), value.size());
      for (const auto& value : auth->FindPropertyValues("x509_common_name"))
        common_name.assign(value.data(), value.size());
      // The subject is "O=system:nodes,CN=system:node:<name>" (RFC 2253 text).
      for (const auto& value : auth->FindPropertyValues("x509_subject"))
        in_nodes_group = std::string_view(value.data(), value.size()).find("O=system:nodes") !=
                         std::string_view::npos;
    }
    constexpr std::string_view kPrefix = "system:node:";
    if (!common_name.starts_with(kPrefix) || !in_nodes_group)
      return grpc::Status{grpc::StatusCode::UNAUTHENTICATED,
                          "the node service needs a node client certificate (system:node:<name> "
                          "in system:nodes); agents get one when they join with the token"};
    NodeCaller caller{common_name.substr(kPrefix.size())};
    if (check) {
      std::string why;
      try {
        why = check(caller.node, pki::inspect(certificate_pem).not_before);
      } catch (const pki::PkiError& e) {
        why = std::string("the client certificate cannot be read: ") + e.what();
      }
      if (!why.empty()) return grpc::Status{grpc::StatusCode::UNAUTHENTICATED, why};
    }
    return caller;
  };
}

CallerAuthenticator shared_token_authenticator(std::string token) {
  if (token.empty()) throw std::invalid_argument("the node service needs a token");
  return [token = std::move(token)](
             const grpc::ServerContext& context) -> std::variant<NodeCaller, grpc::Status> {
    const std::string authorization = metadata_value(context, "authorization");
    const std::string prefix = "Bearer ";
    if (!authorization.starts_with(prefix) ||
        !pki::same_secret(authorization.substr(prefix.size()), token)) {
      return grpc::Status{grpc::StatusCode::UNAUTHENTICATED,
                          "invalid node token: the agent's --token does not match the server's"};
    }
    return NodeCaller{};
  };
}

GrpcNodeService::GrpcNodeService(NodeService& service, TunnelHub& tunnel,
                                 CallerAuthenticator authenticate)
    : service_(service), tunnel_(tunnel), authenticate_(std::move(authenticate)) {}

grpc::Status GrpcNodeService::check_caller(const grpc::ServerContext& context,
                                           const std::string& node_name) const {
  auto caller = authenticate_(context);
  if (auto* refused = std::get_if<grpc::Status>(&caller)) return *refused;
  const std::string& own = std::get<NodeCaller>(caller).node;
  if (!own.empty() && !node_name.empty() && node_name != own) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "node \"" + own + "\" may act only as itself, not as node \"" + node_name + "\""};
  }
  const std::string version = metadata_value(context, kProtocolMetadataKey);
  if (version != std::to_string(kProtocolVersion)) {
    return {grpc::StatusCode::FAILED_PRECONDITION,
            "node protocol mismatch: the agent speaks version " +
                (version.empty() ? std::string("(none given)") : version) +
                ", this server speaks version " + std::to_string(kProtocolVersion) +
                "; run the same skiff version on the server and its agents"};
  }
  return grpc::Status::OK;
}

grpc::Status GrpcNodeService::Hello(grpc::ServerContext* context, const v1::HelloRequest* request,
                                    v1::HelloResponse* response) {
  if (auto status = check_caller(*context, request->node_name()); !status.ok()) return status;
  if (request->protocol_version() != kProtocolVersion) {
    return {grpc::StatusCode::FAILED_PRECONDITION,
            "node protocol mismatch: the agent speaks version " +
                std::to_string(request->protocol_version()) + ", this server speaks version " +
                std::to_string(kProtocolVersion)};
  }
  const LeaseTiming timing = service_.lease_timing();
  response->set_server_version(version::kSkiffVersion);
  response->set_protocol_version(kProtocolVersion);
  response->set_lease_renew_interval_ms(static_cast<uint32_t>(timing.renew_interval.count()));
  response->set_lease_duration_seconds(static_cast<uint32_t>(timing.duration_seconds));
  const ClusterSettings& settings = service_.cluster_settings();
  v1::ClusterSettings& cluster = *response->mutable_cluster();
  cluster.set_cluster_cidr(settings.cluster_cidr);
  cluster.set_service_cidr(settings.service_cidr);
  cluster.set_cluster_dns(settings.cluster_dns);
  cluster.set_cluster_domain(settings.cluster_domain);
  cluster.set_network_backend(settings.network_backend);
  cluster.set_service_proxy(settings.service_proxy);
  cluster.set_cluster_dns_enabled(settings.cluster_dns_enabled);
  cluster.set_ingress_enabled(settings.ingress_enabled);
  log::debug("agent hello", {{"node", request->node_name()},
                             {"agent_version", request->agent_version()},
                             {"peer", context->peer()}});
  return grpc::Status::OK;
}

grpc::Status GrpcNodeService::Register(grpc::ServerContext* context,
                                       const v1::RegisterRequest* request,
                                       v1::RegisterResponse* response) {
  if (auto status = check_caller(*context, request->node_name()); !status.ok()) return status;
  return translate_errors([&] {
    NodeRegistration registration;
    registration.node_name = request->node_name();
    registration.labels.insert(request->labels().begin(), request->labels().end());
    registration.status = parse_json_object(request->status(), "node status");
    response->set_node(service_.register_node(registration).dump());
  });
}

grpc::Status GrpcNodeService::RenewLease(grpc::ServerContext* context,
                                         const v1::RenewLeaseRequest* request,
                                         v1::RenewLeaseResponse*) {
  if (auto status = check_caller(*context, request->node_name()); !status.ok()) return status;
  return translate_errors([&] { service_.renew_lease(request->node_name()); });
}

grpc::Status GrpcNodeService::ReportPodStatus(grpc::ServerContext* context,
                                              const v1::ReportPodStatusRequest* request,
                                              v1::ReportPodStatusResponse*) {
  if (auto status = check_caller(*context, request->node_name()); !status.ok()) return status;
  return translate_errors([&] {
    service_.report_pod_status(request->node_name(), pod_ref(request->pod()),
                               parse_json_object(request->status(), "pod status"));
  });
}

grpc::Status GrpcNodeService::ConfirmPodDeleted(grpc::ServerContext* context,
                                                const v1::ConfirmPodDeletedRequest* request,
                                                v1::ConfirmPodDeletedResponse*) {
  if (auto status = check_caller(*context, request->node_name()); !status.ok()) return status;
  return translate_errors(
      [&] { service_.confirm_pod_deleted(request->node_name(), pod_ref(request->pod())); });
}

grpc::Status GrpcNodeService::Watch(grpc::ServerContext* context, const v1::WatchRequest* request,
                                    grpc::ServerWriter<v1::WatchEvent>* writer) {
  if (auto status = check_caller(*context, request->node_name()); !status.ok()) return status;
  NodeWatchRequest watch;
  watch.node_name = request->node_name();
  watch.resource_version = request->resource_version();
  for (int kind : request->kinds()) {
    switch (kind) {
      case v1::OBJECT_KIND_POD:
        break;  // always included
      case v1::OBJECT_KIND_CONFIG_MAP:
        watch.kinds.insert(NodeObjectKind::ConfigMap);
        break;
      case v1::OBJECT_KIND_SECRET:
        watch.kinds.insert(NodeObjectKind::Secret);
        break;
      case v1::OBJECT_KIND_SERVICE:
        watch.kinds.insert(NodeObjectKind::Service);
        break;
      case v1::OBJECT_KIND_ENDPOINT_SLICE:
        watch.kinds.insert(NodeObjectKind::EndpointSlice);
        break;
      case v1::OBJECT_KIND_NODE:
        watch.kinds.insert(NodeObjectKind::Node);
        break;
      case v1::OBJECT_KIND_INGRESS:
        watch.kinds.insert(NodeObjectKind::Ingress);
        break;
      default:
        return {grpc::StatusCode::INVALID_ARGUMENT,
                "this server does not stream object kind " + std::to_string(kind)};
    }
  }
  NodeWatchEnd end = NodeWatchEnd::Stopped;
  WriterSink sink(*writer);
  grpc::Status status = translate_errors(
      [&] { end = service_.watch(watch, sink, [context] { return context->IsCancelled(); }); });
  if (!status.ok()) return status;
  if (context->IsCancelled()) return grpc::Status::CANCELLED;
  switch (end) {
    case NodeWatchEnd::TooSlow:
      log::warn("agent fell behind its watch; it will resume", {{"node", watch.node_name}});
      return {grpc::StatusCode::RESOURCE_EXHAUSTED,
              "the agent fell behind the node's events; reconnect and resume"};
    case NodeWatchEnd::Stopped:
      return {grpc::StatusCode::UNAVAILABLE, "the server is shutting down"};
    case NodeWatchEnd::ReceiverGone:
      break;
  }
  return grpc::Status::CANCELLED;
}

}  // namespace skiff::nodeservice
