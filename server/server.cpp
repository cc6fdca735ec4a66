#include "server/server.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "pkg/http/server.h"
#include "pkg/log/log.h"
#include "server/advertise_address.h"
#include "server/apiserver/api_server.h"
#include "server/controller_manager.h"
#include "server/kubeconfig.h"
#include "server/nodeservice/node_server.h"
#include "server/nodeservice/node_token.h"
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

}  // namespace

int run(const ServerConfig& config) {
  sigset_t signals = block_termination_signals();
  signal(SIGPIPE, SIG_IGN);
  try {
    // 1. The store.
    store::SqliteStoreOptions store_options;
    store_options.path =
        (std::filesystem::path(config.data_dir) / "server" / "db" / "state.db").string();
    auto store = store::open_sqlite_store(store_options);
    log::info("store ready",
              {{"path", store_options.path}, {"revision", store->current_revision()}});
    // Namespaces are read on every namespaced write; serve them from memory.
    store::PrefixCachedStore cached_store(*store, "/registry/core/namespaces/");

    // 2. The API (system namespaces first, then the reactors).
    apiserver::ApiServerOptions api_options;
    api_options.server_address =
        config.bind_address + ":" + std::to_string(config.https_listen_port);
    api_options.service_network = {config.service_cidr, config.service_node_port_range,
                                   config.cluster_dns};
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
    node_options.token = nodeservice::load_or_create_node_token(
        (std::filesystem::path(config.data_dir) / "server" / "node-token").string(), config.token);
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

    // 4. HTTP.
    http::ServerOptions http_options;
    http_options.bind_address = config.bind_address;
    http_options.port = config.https_listen_port;
    http_options.worker_threads = config.worker_threads;
    http::Server http_server(http_options,
                             [&api, node_port](http::Request& request) -> http::HandlerResult {
                               if (request.path == "/v1-skiff/node-service")
                                 return node_service_info(node_port);
                               return api.handle(request);
                             });
    uint16_t port = http_server.start();
    controllers.start_kubernetes_service({util::format_ipv4(config.service_cidr.at(1)),
                                          advertise_address(config.bind_address), port});
    std::string url = "http://" + config.bind_address + ":" + std::to_string(port);

    // 5. The embedded agent: this machine is a node too, unless --disable-agent.
    std::unique_ptr<Companion> embedded_agent;
    if (config.disable_agent || !config.embedded_agent) {
      log::info("no embedded agent: this server runs no pods itself",
                {{"reason", config.disable_agent ? "--disable-agent" : "not built in"}});
    } else {
      try {
        embedded_agent = config.embedded_agent({local_node_service(config.bind_address, node_port),
                                                node_options.token, config.data_dir});
      } catch (const std::exception& e) {
        throw std::runtime_error(std::string("the embedded agent cannot run pods: ") + e.what() +
                                 " (install podman, or pass --disable-agent to run the control "
                                 "plane only)");
      }
    }
    if (!config.write_kubeconfig.empty()) {
      write_admin_kubeconfig(config.write_kubeconfig, config.write_kubeconfig_mode, url);
      log::info("admin kubeconfig written", {{"path", config.write_kubeconfig}});
    }
    if (!config.ready_file.empty()) write_ready_file(config.ready_file, port);
    log::info("skiff server ready", {{"url", url}});

    int received = 0;
    sigwait(&signals, &received);
    log::info("shutting down", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});

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
