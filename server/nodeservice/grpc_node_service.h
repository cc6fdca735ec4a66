#pragma once
// The gRPC face of the node service (proto/node.proto): checks the caller (its identity and
// protocol version), translates messages to NodeService / TunnelHub calls and their errors to
// status codes, and nothing else.
//
// Built on gRPC's synchronous server: every call holds a thread for its life, so a connected
// agent holds two (Watch and Tunnel) plus two per open logs/exec stream. That is plenty for a
// homelab's node count; the callback API would be the step up for hundreds of nodes.
#include <functional>
#include <string>
#include <variant>

#include "proto/node.grpc.pb.h"
#include "server/nodeservice/node_certificate_check.h"
#include "server/nodeservice/node_service.h"
#include "server/nodeservice/tunnel_hub.h"

namespace skiff::nodeservice {

// The metadata every call carries (see proto/node.proto).
inline constexpr const char* kProtocolMetadataKey = "skiff-node-protocol";
inline constexpr uint32_t kProtocolVersion = skiff::node::v1::PROTOCOL_VERSION_1;

// Who is calling: the node it may act as ("" = any node), or why it may not call at all.
struct NodeCaller {
  std::string node;
};
using CallerAuthenticator =
    std::function<std::variant<NodeCaller, grpc::Status>(const grpc::ServerContext&)>;

// Production: the connection is mutual TLS and the verified client certificate names the node
// (CN system:node:<name>, O system:nodes) and passes `check`; every call may act only as that
// node.
CallerAuthenticator node_certificate_authenticator(NodeCertificateCheck check);
// Plaintext connections carry no certificate (unit tests): a shared token in the
// `authorization` metadata admits the caller as any node.
CallerAuthenticator shared_token_authenticator(std::string token);

class GrpcNodeService final : public skiff::node::v1::Node::Service {
 public:
  // `service` and `tunnel` must outlive this.
  GrpcNodeService(NodeService& service, TunnelHub& tunnel, CallerAuthenticator authenticate);

  grpc::Status Hello(grpc::ServerContext* context, const node::v1::HelloRequest* request,
                     node::v1::HelloResponse* response) override;
  grpc::Status Register(grpc::ServerContext* context, const node::v1::RegisterRequest* request,
                        node::v1::RegisterResponse* response) override;
  grpc::Status RenewLease(grpc::ServerContext* context, const node::v1::RenewLeaseRequest* request,
                          node::v1::RenewLeaseResponse* response) override;
  grpc::Status Watch(grpc::ServerContext* context, const node::v1::WatchRequest* request,
                     grpc::ServerWriter<node::v1::WatchEvent>* writer) override;
  grpc::Status ReportPodStatus(grpc::ServerContext* context,
                               const node::v1::ReportPodStatusRequest* request,
                               node::v1::ReportPodStatusResponse* response) override;
  grpc::Status ConfirmPodDeleted(grpc::ServerContext* context,
                                 const node::v1::ConfirmPodDeletedRequest* request,
                                 node::v1::ConfirmPodDeletedResponse* response) override;
  grpc::Status Tunnel(grpc::ServerContext* context, const node::v1::TunnelRequest* request,
                      grpc::ServerWriter<node::v1::StreamRequest>* writer) override;
  grpc::Status Stream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<node::v1::StreamFrame, node::v1::StreamFrame>* stream) override;

 private:
  // OK, UNAUTHENTICATED (no identity), PERMISSION_DENIED (acting as another node than
  // `node_name`; "" checks no node) or FAILED_PRECONDITION (protocol version).
  grpc::Status check_caller(const grpc::ServerContext& context, const std::string& node_name) const;

  NodeService& service_;
  TunnelHub& tunnel_;
  CallerAuthenticator authenticate_;
};

}  // namespace skiff::nodeservice
