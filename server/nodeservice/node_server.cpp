#include "server/nodeservice/node_server.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <stdexcept>

#include "pkg/log/log.h"
#include "server/controllers/client.h"
#include "server/nodeservice/grpc_node_service.h"

namespace skiff::nodeservice {

namespace {

std::shared_ptr<grpc::ServerCredentials> server_credentials(const NodeServerOptions& options) {
  if (!options.tls) return grpc::InsecureServerCredentials();
  const NodeServerTls& tls = *options.tls;
  auto certificates = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.key_file, tls.certificate_file, tls.client_ca_file, tls.refresh_seconds);
  grpc::experimental::TlsServerCredentialsOptions tls_options(certificates);
  tls_options.watch_root_certs();
  tls_options.watch_identity_key_cert_pairs();
  tls_options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  return grpc::experimental::TlsServerCredentials(tls_options);
}

}  // namespace

struct NodeServer::Parts {
  Parts(store::Store& store, http::Handler api, NodeServerOptions options)
      : options(std::move(options)),
        client(std::move(api), "skiff-node-service"),
        service(store, client, this->options.service),
        tunnel(this->options.tunnel),
        servicer(service, tunnel,
                 this->options.tls
                     ? node_certificate_authenticator(this->options.tls->check_node_certificate)
                     : shared_token_authenticator(this->options.token)) {}

  NodeServerOptions options;
  controllers::InProcessClient client;
  NodeService service;
  TunnelHub tunnel;
  GrpcNodeService servicer;
  std::unique_ptr<grpc::Server> server;
};

NodeServer::NodeServer(store::Store& store, http::Handler api, NodeServerOptions options)
    : parts_(std::make_unique<Parts>(store, std::move(api), std::move(options))) {}

NodeServer::~NodeServer() {
  stop();
}

uint16_t NodeServer::start() {
  Parts& p = *parts_;
  grpc::ServerBuilder builder;
  int bound = 0;
  const std::string address = p.options.bind_address + ":" + std::to_string(p.options.port);
  builder.AddListeningPort(address, server_credentials(p.options), &bound);
  // Notice dead agents (a pulled cable leaves no FIN): ping idle connections, and let agents
  // ping us as often as every 10 s.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.RegisterService(&p.servicer);
  p.server = builder.BuildAndStart();
  if (!p.server || bound == 0) {
    p.server.reset();
    throw std::runtime_error("cannot listen for agents on " + address);
  }
  log::info("node service listening",
            {{"address", p.options.bind_address + ":" + std::to_string(bound)}});
  return static_cast<uint16_t>(bound);
}

void NodeServer::stop() {
  if (!parts_ || !parts_->server) return;
  Parts& p = *parts_;
  p.service.shutdown();
  p.tunnel.shutdown();
  p.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  p.server->Wait();
  p.server.reset();
}

NodeService& NodeServer::service() {
  return parts_->service;
}

NodeTunnel& NodeServer::tunnel() {
  return parts_->tunnel;
}

}  // namespace skiff::nodeservice
