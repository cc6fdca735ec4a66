#include "agent/agent.h"

#include <filesystem>

#include "agent/dns/cluster_dns.h"
#include "agent/dns/dns_address.h"
#include "agent/network/nft_library.h"
#include "agent/network/nft_table.h"
#include "agent/network/pod_masquerade.h"
#include "agent/network/pod_network.h"
#include "agent/network/pod_routes.h"
#include "agent/network/proxy_model.h"
#include "agent/node_certificate_renewal.h"
#include "agent/node_info.h"
#include "agent/node_ingress.h"
#include "agent/node_network.h"
#include "agent/node_object_fanout.h"
#include "agent/node_pods.h"
#include "agent/node_service_address.h"
#include "agent/nodeclient/grpc_node_client.h"
#include "agent/pod_streams.h"
#include "agent/pods/pod_manager.h"
#include "agent/pods/runtime_probe_runner.h"
#include "agent/runtime/podman/podman_client.h"
#include "agent/runtime/podman/podman_networks.h"
#include "agent/runtime/podman/podman_runtime.h"
#include "agent/runtime/podman/podman_service.h"
#include "pkg/api/version.h"
#include "pkg/log/log.h"
#include "pkg/pki/join_token.h"
#include "pkg/util/ipv4.h"

namespace skiff::agent {

namespace podman = runtime::podman;

// Members in start-up order: each one uses only those above it, and they are destroyed in
// reverse (connection first, podman's service last).
struct Agent::Parts {
  std::unique_ptr<nodeclient::NodeIdentity> identity;  // the node's client certificate
  std::unique_ptr<NodeCertificateRenewal> renewal;
  std::unique_ptr<podman::PodmanService> podman_service;  // null: someone else runs podman
  std::unique_ptr<podman::PodmanRuntime> runtime;
  std::unique_ptr<pods::RuntimeProbeRunner> probes;
  pods::SystemClock clock;
  NodePods node_pods;
  // Made by `network` once pods may start (the pod network is up); read by stop() after
  // `network` stopped, so no lock is needed.
  std::unique_ptr<pods::PodManager> manager;
  std::unique_ptr<network::NftTable> service_rules;  // null until the first services sync
  std::vector<std::string> proxy_problems;           // the last ones logged
  // The pod network's pieces (null with network backend "none"), and the cluster DNS (null
  // with --disable dns). Touched only by `network`'s thread, and by stop() after it ended.
  std::unique_ptr<network::PodMasquerade> masquerade;
  std::unique_ptr<network::PodRoutes> routes;
  std::unique_ptr<dns::ClusterDns> dns;
  std::unique_ptr<NodeNetwork> network;
  std::unique_ptr<NodeIngress> ingress;  // the embedded Ingress proxy, its own thread
  std::unique_ptr<NodeObjectFanout> fanout;
  std::unique_ptr<PodStreams> streams;  // logs and exec for the server, over the connection
  std::unique_ptr<nodeclient::GrpcNodeClient> client;
};

namespace {

// The pod workers, started once the pod network is up: they adopt what the runtime already
// runs, then NodePods hands them the server's pods.
void start_pods(Agent::Parts& parts, const AgentConfig& config,
                const runtime::RuntimeVersion& version, const nodeclient::ClusterSettings& settings,
                const std::string& network_name) {
  pods::PodManagerOptions manager_options;
  manager_options.worker.root_dir = std::filesystem::path(config.data_dir) / "agent";
  manager_options.worker.host_ip = config.node_ip;
  manager_options.worker.runtime_name = version.name;
  manager_options.worker.network = network_name;
  if (parts.dns) {
    manager_options.worker.dns.cluster_dns = settings.cluster_dns;
    manager_options.worker.dns.cluster_domain = settings.cluster_domain;
  }
  manager_options.relist_period = config.relist_period;
  auto manager =
      std::make_unique<pods::PodManager>(*parts.runtime, parts.node_pods, parts.node_pods,
                                         *parts.probes, parts.clock, manager_options);
  const auto adopted = manager->adopt();
  manager->start();
  parts.manager = std::move(manager);
  log::info("pod workers started", {{"adoptedPods", static_cast<int64_t>(adopted.size())}});
  parts.node_pods.set_manager(*parts.manager);
}

// The keeper of the routes to the other nodes' pod subnets (made on first use).
network::PodRoutes& pod_routes(Agent::Parts& parts, const std::string& node_name,
                               const nodeclient::ClusterSettings& settings) {
  const auto backend = network::parse_pod_network_backend(settings.network_backend);
  if (!backend) throw std::runtime_error("unknown network backend " + settings.network_backend);
  if (!parts.routes) {
    network::PodRoutesOptions options;
    options.node_name = node_name;
    options.backend = *backend;
    parts.routes = std::make_unique<network::PodRoutes>(options);
  }
  return *parts.routes;
}

// This node's pod network: the runtime's bridge network on the node's podCIDR, and the
// masquerade that keeps traffic between pods unNATed. Returns the network pods join.
std::string bring_up_pod_network(Agent::Parts& parts, const AgentConfig& config,
                                 const nodeclient::ClusterSettings& settings,
                                 const std::string& pod_cidr) {
  const auto pods = util::parse_ipv4_cidr(pod_cidr);
  const auto cluster = util::parse_ipv4_cidr(settings.cluster_cidr);
  if (!pods || !cluster)
    throw std::runtime_error("the node's podCIDR \"" + pod_cidr + "\" or the cluster CIDR \"" +
                             settings.cluster_cidr + "\" is not an IPv4 network");
  podman::PodmanClient client(config.container_runtime_endpoint);
  podman::PodmanNetworks networks(client);
  network::PodNetworkOptions options;
  options.pod_cidr = pod_cidr;
  std::string name;
  try {
    name = network::ensure_pod_network(networks, options);
  } catch (const std::exception& error) {
    // An earlier run may have left the vxlan device, which holds an address of this node's pod
    // subnet, while the podman network is gone; podman refuses to create a network whose subnet
    // is already on the host. Take our routes and the device away (the route sync puts them
    // back once the network exists) and try once more.
    network::PodRoutes& routes = pod_routes(parts, config.node_name, settings);
    if (!routes.remove()) throw;
    log::warn("pod network: retrying without the routes and vxlan device of an earlier run",
              {{"error", error.what()}});
    name = network::ensure_pod_network(networks, options);
  }
  if (!parts.masquerade)
    parts.masquerade = std::make_unique<network::PodMasquerade>(network::default_nft_runner());
  if (!parts.masquerade->sync(*pods, *cluster))
    throw std::runtime_error("cannot load the pod network's masquerade rules (see the log)");
  return name;
}

// The cluster DNS on the cluster DNS address, made local on this node.
void start_cluster_dns(Agent::Parts& parts, const nodeclient::ClusterSettings& settings) {
  if (parts.dns || !settings.cluster_dns_enabled || settings.cluster_dns.empty()) return;
  dns::ensure_dns_address(settings.cluster_dns);
  dns::ClusterDnsOptions options;
  options.listen_address = settings.cluster_dns;
  options.cluster_domain = settings.cluster_domain;
  auto server = std::make_unique<dns::ClusterDns>(options);
  server->start();
  Json services = Json::array(), slices = Json::array();
  for (auto& service : parts.client->cache().list(nodeclient::ObjectKind::Service))
    services.push_back(std::move(service));
  for (auto& slice : parts.client->cache().list(nodeclient::ObjectKind::EndpointSlice))
    slices.push_back(std::move(slice));
  server->update(services, slices);
  parts.dns = std::move(server);
  log::info("cluster DNS answering",
            {{"address", settings.cluster_dns}, {"domain", settings.cluster_domain}});
}

// Routes to the other nodes' pod subnets, for the cluster's network backend.
void sync_pod_routes(Agent::Parts& parts, const std::string& node_name,
                     const nodeclient::ClusterSettings& settings, const Json& nodes) {
  if (settings.network_backend == "none") return;  // skiff does not manage the pod network
  if (!pod_routes(parts, node_name, settings).sync(nodes))
    throw std::runtime_error("routes to other nodes' pods not all in place (see the log)");
}

// The service proxy: the cluster's Services and EndpointSlices as nftables rules.
void sync_service_rules(Agent::Parts& parts, const std::string& node_name,
                        const nodeclient::ClusterSettings& settings, const Json& services,
                        const Json& endpoint_slices) {
  if (!settings.service_proxy) {
    if (parts.service_rules) parts.service_rules->remove();
    parts.service_rules.reset();
    return;
  }
  network::ProxyModelInput input;
  input.node_name = node_name;
  input.cluster_cidr = settings.cluster_cidr;
  input.services = services;
  input.endpoint_slices = endpoint_slices;
  network::ProxyModelBuild build = network::build_proxy_model(input);
  if (build.problems != parts.proxy_problems) {
    for (const auto& problem : build.problems) log::warn("service not proxied", {{"why", problem}});
    parts.proxy_problems = build.problems;
  }
  if (!parts.service_rules)
    parts.service_rules = std::make_unique<network::NftTable>(network::default_nft_runner());
  parts.service_rules->sync(build.model);
}

}  // namespace

Agent::Agent(AgentConfig config) : config_(std::move(config)) {
  if (config_.node_name.empty()) config_.node_name = default_node_name();
  if (config_.node_ip.empty()) config_.node_ip = detect_node_ip();
}

Agent::~Agent() {
  stop();
}

void Agent::start() {
  if (parts_) return;
  auto parts = std::make_unique<Parts>();
  const std::filesystem::path agent_dir = std::filesystem::path(config_.data_dir) / "agent";
  std::filesystem::create_directories(agent_dir);

  // Join first: a token that does not fit this server stops the agent before anything starts.
  std::string token_error;
  auto token = pki::parse_join_token(config_.token, &token_error);
  if (!token) throw std::runtime_error("--token: " + token_error);
  parts->identity = std::make_unique<nodeclient::NodeIdentity>(
      agent_dir.string(), config_.server_url, *token, config_.node_name);
  try {
    parts->identity->ensure();
  } catch (const nodeclient::JoinRefused&) {
    throw;
  } catch (const std::exception& error) {
    log::warn("cannot join the server yet; retrying in the background",
              {{"server", config_.server_url}, {"error", error.what()}});
  }
  parts->renewal =
      std::make_unique<NodeCertificateRenewal>(*parts->identity, config_.certificate_check_period);

  podman::PodmanServiceOptions service_options;
  service_options.socket_path = config_.container_runtime_endpoint;
  service_options.log_path = (agent_dir / "podman-service.log").string();
  if (!config_.container_runtime_config.empty())
    service_options.extra_env = {"CONTAINERS_CONF=" + config_.container_runtime_config};
  parts->podman_service = podman::ensure_podman_service(service_options);
  if (parts->podman_service) {
    log::info("started podman's API service", {{"socket", config_.container_runtime_endpoint}});
  } else if (!config_.container_runtime_config.empty()) {
    log::warn("podman's API service was already running: --container-runtime-config is not used",
              {{"socket", config_.container_runtime_endpoint}});
  }
  podman::PodmanRuntimeOptions runtime_options;
  runtime_options.socket_path = config_.container_runtime_endpoint;
  parts->runtime = std::make_unique<podman::PodmanRuntime>(runtime_options);
  const runtime::RuntimeVersion version = parts->runtime->version();
  parts->probes = std::make_unique<pods::RuntimeProbeRunner>(*parts->runtime);

  Parts& p = *parts;
  NodeNetworkHooks hooks;
  hooks.bring_up_pod_network = [&p, this](const nodeclient::ClusterSettings& settings,
                                          const std::string& pod_cidr) {
    return bring_up_pod_network(p, config_, settings, pod_cidr);
  };
  hooks.pods_may_start = [&p, this, version](const nodeclient::ClusterSettings& settings,
                                             const std::string& network_name) {
    try {
      start_cluster_dns(p, settings);  // first: the pods' resolv.conf names it
    } catch (const std::exception& error) {
      // Pods without cluster DNS (podman's resolv.conf) beat no pods at all: something else
      // may hold port 53 on this address.
      log::error("cluster DNS not started; pods use the runtime's resolv.conf",
                 {{"error", error.what()}, {"address", settings.cluster_dns}});
    }
    start_pods(p, config_, version, settings, network_name);
  };
  hooks.services_changed = [&p, this](const nodeclient::ClusterSettings& settings,
                                      const Json& services, const Json& slices) {
    if (p.dns) p.dns->update(services, slices);
    sync_service_rules(p, config_.node_name, settings, services, slices);
  };
  hooks.nodes_changed = [&p, this](const nodeclient::ClusterSettings& settings, const Json& nodes) {
    sync_pod_routes(p, config_.node_name, settings, nodes);
  };
  NodeNetworkOptions network_options;
  network_options.node_name = config_.node_name;
  parts->network = std::make_unique<NodeNetwork>(
      network_options, std::move(hooks),
      [&p](nodeclient::ObjectKind kind) { return p.client->cache().list(kind); });
  ingress::ProxyOptions ingress_options;
  ingress_options.http_port = config_.ingress_http_port;
  ingress_options.https_port = config_.ingress_https_port;
  ingress_options.access_log = config_.ingress_access_log;
  parts->ingress = std::make_unique<NodeIngress>(
      ingress_options, [&p](nodeclient::ObjectKind kind) { return p.client->cache().list(kind); });
  parts->fanout =
      std::make_unique<NodeObjectFanout>(parts->node_pods, *parts->network, *parts->ingress);

  nodeclient::NodeClientOptions client_options;
  client_options.node_name = config_.node_name;
  client_options.labels = config_.node_labels;
  client_options.node_status = node_status(config_.node_ip, version);
  client_options.kinds = {nodeclient::ObjectKind::Pod,           nodeclient::ObjectKind::ConfigMap,
                          nodeclient::ObjectKind::Secret,        nodeclient::ObjectKind::Service,
                          nodeclient::ObjectKind::EndpointSlice, nodeclient::ObjectKind::Node,
                          nodeclient::ObjectKind::Ingress};
  parts->streams = std::make_unique<PodStreams>(*parts->runtime);
  parts->client = std::make_unique<nodeclient::GrpcNodeClient>(
      node_service_channels(config_, *parts->identity), client_options, *parts->fanout,
      parts->streams.get());
  parts->node_pods.attach(*parts->client);
  nodeclient::GrpcNodeClient& client = *parts->client;
  parts->node_pods.set_pod_lister(
      [&client] { return client.cache().list(nodeclient::ObjectKind::Pod); });
  parts->network->start();
  parts->ingress->start();
  parts->client->start();
  log::info("agent started", {{"node", config_.node_name},
                              {"nodeIP", config_.node_ip},
                              {"runtime", version.name + " " + version.version}});
  parts_ = std::move(parts);
}

void Agent::stop() {
  if (!parts_) return;
  parts_->client->stop();
  parts_->network->stop();
  parts_->ingress->stop();  // open ingress connections end with the agent
  if (parts_->manager) parts_->manager->stop();
  // The DNS server stops with the agent (its address stays, so a restart binds at once); the
  // rules and routes stay in the kernel so established connections live through a restart.
  if (parts_->dns) parts_->dns->stop();
  parts_.reset();
  log::info("agent stopped; its containers keep running", {{"node", config_.node_name}});
}

}  // namespace skiff::agent
