#include "server/server.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "pkg/http/server.h"
#include "pkg/http/tls_server.h"
#include "pkg/log/log.h"
#include "pkg/pki/pki.h"
#include "pkg/util/allocator.h"
#include "pkg/util/sd_notify.h"
#include "server/advertise_address.h"
#include "server/apiserver/api_server.h"
#include "server/apiserver/io_thread_requests.h"
#include "server/controller_manager.h"
#include "server/encryption/encrypting_store.h"
#include "server/encryption/secrets_encrypt_handler.h"
#include "server/encryption/secrets_encryption.h"
#include "server/kubeconfig.h"
#include "server/nodeservice/node_server.h"
#include "server/security/auth_filter.h"
#include "server/security/bootstrap_tokens.h"
#include "server/security/certificate_renewer.h"
#include "server/security/cluster_certificates.h"
#include "server/security/node_join.h"
#include "server/security/node_token.h"
#include "server/security/store_node_graph.h"
#include "server/store/prefix_cached_store.h"
#include "server/store/sqlite/sqlite_store.h"

namespace skiff::server {

namespace {

// Blocks SIGINT/SIGTERM in every thread (threads started later inherit the mask) so that
// sigwait() in the main thread is the only place they arrive.
sigset_t block_termination_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

void write_ready_file(const std::string& path, uint16_t port) {
  // Write then rename, so a reader never sees a half-written file.
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out) throw std::runtime_error("cannot write the ready file " + temporary);
  }
  std::filesystem::rename(temporary, path);
}

// Where the embedded agent dials its own server's node service: the bind address, or loopback
// when it binds every address.
std::string local_node_service(const std::string& bind_address, uint16_t port) {
  const bool wildcard = bind_address.empty() || bind_address == "0.0.0.0" || bind_address == "::";
  const std::string host = wildcard                                      ? "127.0.0.1"
                           : bind_address.find(':') != std::string::npos ? "[" + bind_address + "]"
                                                                         : bind_address;
  return host + ":" + std::to_string(port);
}

// GET /v1-skiff/node-service, anonymous: the port agents dial (agent/node_service_address.h).
http::Response node_service_info(uint16_t node_port) {
  http::Response response;
  response.status = 200;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = Json{{"port", node_port}}.dump();
  return response;
}

// GET /cacerts, anonymous: the CA bundle clients verify the server with; its SHA-256 is the
// hash in join tokens, so a joining node can check it before trusting it.
http::Response ca_certs(const std::string& bundle) {
  return http::Response{200, {{"Content-Type", "text/plain"}}, bundle};
}

// The URL the admin kubeconfig names: loopback unless the API binds one specific address.
std::string local_api_url(const std::string& bind_address, uint16_t port) {
  const bool wildcard = bind_address.empty() || bind_address == "0.0.0.0" || bind_address == "::";
  const std::string host = wildcard                                      ? "127.0.0.1"
                           : bind_address.find(':') != std::string::npos ? "[" + bind_address + "]"
                                                                         : bind_address;
  return "https://" + host + ":" + std::to_string(port);
}

std::shared_ptr<boost::asio::ssl::context> api_tls_context(const security::TlsMaterial& tls) {
  return http::make_tls_server_context(tls.serving.certificate_pem, tls.serving.key_pem,
                                       tls.client_ca.certificate_pem);
}

void write_kubeconfig(const ServerConfig& config, const std::string& url,
                      const security::TlsMaterial& tls) {
  if (config.write_kubeconfig.empty()) return;
  write_admin_kubeconfig(
      config.write_kubeconfig, config.write_kubeconfig_mode, url,
      {tls.server_ca.certificate_pem, tls.admin.certificate_pem, tls.admin.key_pem});
  log::info("admin kubeconfig written", {{"path", config.write_kubeconfig}});
}

}  // namespace

int run(const ServerConfig& config) {
  sigset_t signals = block_termination_signals();
  util::release_memory_in_background();  // after the mask: its thread inherits it
  signal(SIGPIPE, SIG_IGN);
  try {
    // 0. What is read from files the user wrote: a typo stops the server before it starts.
    std::map<std::string, security::UserInfo> bearer_tokens;
    if (!config.token_auth_file.empty())
      bearer_tokens = security::load_token_file(config.token_auth_file);

    // 1. The store.
    store::SqliteStoreOptions store_options;
    store_options.path =
        (std::filesystem::path(config.data_dir) / "server" / "db" / "state.db").string();
    auto store = store::open_sqlite_store(store_options);
    log::info("store ready",
              {{"path", store_options.path}, {"revision", store->current_revision()}});
    // Secrets at rest (--secrets-encryption): the key file, created on first use. Once it
    // exists, encrypted Secrets are read through it even without the flag (serving the raw
    // envelopes would be wrong); new writes stay encrypted.
    std::unique_ptr<encryption::EncryptingStore> encrypting_store;
    std::unique_ptr<encryption::SecretsEncryption> secrets_encryption;
    store::Store* api_store = store.get();
    const std::string key_file = encryption::encryption_config_path(config.data_dir);
    if (config.secrets_encryption || std::filesystem::exists(key_file)) {
      if (!config.secrets_encryption)
        log::warn("secrets encryption stays on: its key file exists", {{"file", key_file}});
      auto keys = encryption::load_or_create_encryption_config(key_file);
      encrypting_store = std::make_unique<encryption::EncryptingStore>(
          *store, std::make_shared<const encryption::Keyring>(keys.keys));
      secrets_encryption =
          std::make_unique<encryption::SecretsEncryption>(*encrypting_store, key_file);
      api_store = encrypting_store.get();
      log::info("secrets encryption on", {{"key", keys.keys.front().name}, {"file", key_file}});
    }
    // Namespaces are read on every namespaced write; serve them from memory.
    store::PrefixCachedStore cached_store(*api_store, "/registry/core/namespaces/");

    // 1b. The cluster's certificates (created on first start, renewed when due).
    security::ClusterCertificates certificates(
        config.data_dir,
        security::default_serving_names(util::format_ipv4(config.service_cidr.at(1)),
                                        config.cluster_domain, config.tls_sans));
    const std::string ca_bundle = certificates.material()->server_ca.certificate_pem;
    security::NodeIdentities node_identities(
        (std::filesystem::path(certificates.files().dir) / "node-identities.json").string());
    const pki::JoinToken node_token = security::load_or_create_node_token(
        (std::filesystem::path(config.data_dir) / "server" / "node-token").string(), config.token,
        ca_bundle);

    // 2. The API (system namespaces first, then the reactors).
    apiserver::ApiServerOptions api_options;
    api_options.server_address =
        config.bind_address + ":" + std::to_string(config.https_listen_port);
    api_options.service_network = {config.service_cidr, config.service_node_port_range,
                                   config.cluster_dns};
    api_options.event_ttl = config.event_ttl;
    apiserver::ApiServer api(cached_store, api_options);
    api.start();

    // 3. The controllers and the scheduler, writing through the API in-process.
    ControllerManagerOptions controller_options;
    controller_options.node_monitor_grace_period = config.node_monitor_grace_period;
    controller_options.cluster_cidr = config.cluster_cidr;
    controller_options.servicelb = !config.disabled.count("servicelb");
    controller_options.ingress = !config.disabled.count("ingress");
    ControllerManager controllers(
        cached_store, [&api](http::Request& request) { return api.handle(request); },
        controller_options);
    controllers.start();

    // 3b. The node service agents dial (its own port; gRPC).
    nodeservice::NodeServerOptions node_options;
    node_options.bind_address = config.bind_address;
    node_options.port = config.node_port;
    node_options.tls = nodeservice::NodeServerTls{
        certificates.files().serving_cert, certificates.files().serving_key,
        certificates.files().client_ca_cert,
        static_cast<unsigned>(std::max<int64_t>(
            1, std::chrono::duration_cast<std::chrono::seconds>(config.certificate_check_period)
                   .count())),
        [&node_identities](const std::string& node, std::chrono::system_clock::time_point since) {
          return node_identities.check(node, since);
        }};
    node_options.service.node_monitor_grace_period = config.node_monitor_grace_period;
    nodeservice::ClusterSettings& cluster = node_options.service.cluster;
    cluster.cluster_cidr = config.cluster_cidr.str();
    cluster.service_cidr = config.service_cidr.str();
    cluster.cluster_dns = util::format_ipv4(config.cluster_dns);
    cluster.cluster_domain = config.cluster_domain;
    cluster.network_backend = config.network_backend;
    cluster.service_proxy = !config.disable_kube_proxy;
    cluster.cluster_dns_enabled = !config.disabled.count("dns");
    cluster.ingress_enabled = !config.disabled.count("ingress");
    nodeservice::NodeServer node_server(
        cached_store, [&api](http::Request& request) { return api.handle(request); }, node_options);
    const uint16_t node_port = node_server.start();
    api.set_node_tunnel(&node_server.tunnel());
    if (!config.node_ready_file.empty()) write_ready_file(config.node_ready_file, node_port);

    // 4. HTTPS: authentication and authorization in front of the API.
    security::NodeJoin node_join(certificates, node_identities, node_token.credential,
                                 [&cached_store](const pki::BootstrapToken& token) {
                                   return security::check_bootstrap_token(cached_store, token,
                                                                          pki::Clock::now());
                                 });
    security::Authenticator authenticator(std::move(bearer_tokens), &node_identities);
    security::StoreNodeGraph node_graph(cached_store);
    security::AuthFilter auth_filter(authenticator, node_graph,
                                     [&api, &node_join, &ca_bundle, &secrets_encryption,
                                      node_port](http::Request& request) -> http::HandlerResult {
                                       if (request.path == "/v1-skiff/node-service")
                                         return node_service_info(node_port);
                                       if (encryption::is_secrets_encrypt_path(request.path))
                                         return encryption::handle_secrets_encrypt(
                                             request, secrets_encryption.get());
                                       if (request.path == security::kCaCertsPath)
                                         return ca_certs(ca_bundle);
                                       if (request.path == security::kNodeCertificatePath)
                                         return node_join.handle(request);
                                       return api.handle(request);
                                     });
    http::TlsContextHolder tls_context;
    tls_context.set(api_tls_context(*certificates.material()));
    http::ServerOptions http_options;
    http_options.bind_address = config.bind_address;
    http_options.port = config.https_listen_port;
    http_options.worker_threads = config.worker_threads;
    http_options.handle_on_io_thread = apiserver::runs_on_io_thread;
    http_options.tls_context = [&tls_context] { return tls_context.get(); };
    http::Server http_server(
        http_options, [&auth_filter](http::Request& request) { return auth_filter(request); });
    uint16_t port = http_server.start();
    controllers.start_kubernetes_service({util::format_ipv4(config.service_cidr.at(1)),
                                          advertise_address(config.bind_address), port});
    const std::string url = local_api_url(config.bind_address, port);
    write_kubeconfig(config, url, *certificates.material());
    security::CertificateRenewer renewer(certificates, config.certificate_check_period,
                                         [&](const std::vector<std::string>&) {
                                           const auto material = certificates.material();
                                           tls_context.set(api_tls_context(*material));
                                           write_kubeconfig(config, url, *material);
                                         });

    // 5. The embedded agent: this machine is a node too, unless --disable-agent.
    std::unique_ptr<Companion> embedded_agent;
    if (config.disable_agent || !config.embedded_agent) {
      log::info("no embedded agent: this server runs no pods itself",
                {{"reason", config.disable_agent ? "--disable-agent" : "not built in"}});
    } else {
      try {
        embedded_agent = config.embedded_agent({local_node_service(config.bind_address, node_port),
                                                node_token.str(), config.data_dir, url});
      } catch (const std::exception& e) {
        throw std::runtime_error(std::string("the embedded agent cannot run pods: ") + e.what() +
                                 " (install podman, or pass --disable-agent to run the control "
                                 "plane only)");
      }
    }
    if (!config.ready_file.empty()) write_ready_file(config.ready_file, port);
    log::info("skiff server ready", {{"url", url}});
    util::sd_notify_ready();  // Type=notify units count the service as started from here

    int received = 0;
    sigwait(&signals, &received);
    log::info("shutting down", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
    util::sd_notify_stopping();

    // Reverse order: stop taking requests, stop the reactors, close the store.
    embedded_agent.reset();  // the agent stops; its pods keep running
    node_server.stop();
    http_server.stop();
    controllers.stop();
    api.stop();
    log::info("skiff server stopped");
    return 0;
  } catch (const std::exception& e) {
    log::error("skiff server failed", {{"error", e.what()}});
    std::cerr << "skiff server: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace skiff::server
