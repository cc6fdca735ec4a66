#include "agent/agent.h"

#include <filesystem>

#include "agent/network/nft_table.h"
#include "agent/network/proxy_model.h"
#include "agent/node_info.h"
#include "agent/node_network.h"
#include "agent/node_object_fanout.h"
#include "agent/node_pods.h"
#include "agent/node_service_address.h"
#include "agent/nodeclient/grpc_node_client.h"
#include "agent/pod_streams.h"
#include "agent/pods/pod_manager.h"
#include "agent/pods/runtime_probe_runner.h"
#include "agent/runtime/podman/podman_runtime.h"
#include "agent/runtime/podman/podman_service.h"
#include "pkg/api/version.h"
#include "pkg/log/log.h"

namespace skiff::agent {

namespace podman = runtime::podman;

// Members in start-up order: each one uses only those above it, and they are destroyed in
// reverse (connection first, podman's service last).
struct Agent::Parts {
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
  std::unique_ptr<NodeNetwork> network;
  std::unique_ptr<NodeObjectFanout> fanout;
  std::unique_ptr<PodStreams> streams;  // logs and exec for the server, over the connection
  std::unique_ptr<nodeclient::GrpcNodeClient> client;
};

namespace {

// The pod workers, started once the pod network is up: they adopt what the runtime already
// runs, then NodePods hands them the server's pods.
void start_pods(Agent::Parts& parts, const AgentConfig& config,
                const runtime::RuntimeVersion& version, const std::string& network_name) {
  pods::PodManagerOptions manager_options;
  manager_options.worker.root_dir = std::filesystem::path(config.data_dir) / "agent";
  manager_options.worker.host_ip = config.node_ip;
  manager_options.worker.runtime_name = version.name;
  (void)network_name;  // TODO(session 4): manager_options.worker.network once it exists
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
    parts.service_rules =
        std::make_unique<network::NftTable>(std::make_unique<network::NftCommand>());
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
  hooks.pods_may_start = [&p, this, version](const nodeclient::ClusterSettings&,
                                             const std::string& network_name) {
    start_pods(p, config_, version, network_name);
  };
  hooks.services_changed = [&p, this](const nodeclient::ClusterSettings& settings,
                                      const Json& services, const Json& slices) {
    sync_service_rules(p, config_.node_name, settings, services, slices);
  };
  NodeNetworkOptions network_options;
  network_options.node_name = config_.node_name;
  parts->network = std::make_unique<NodeNetwork>(
      network_options, std::move(hooks),
      [&p](nodeclient::ObjectKind kind) { return p.client->cache().list(kind); });
  parts->fanout = std::make_unique<NodeObjectFanout>(parts->node_pods, *parts->network);

  nodeclient::NodeClientOptions client_options;
  client_options.node_name = config_.node_name;
  client_options.token = config_.token;
  client_options.labels = config_.node_labels;
  client_options.node_status = node_status(config_.node_ip, version);
  client_options.kinds = {nodeclient::ObjectKind::Pod,           nodeclient::ObjectKind::ConfigMap,
                          nodeclient::ObjectKind::Secret,        nodeclient::ObjectKind::Service,
                          nodeclient::ObjectKind::EndpointSlice, nodeclient::ObjectKind::Node};
  parts->streams = std::make_unique<PodStreams>(*parts->runtime);
  parts->client = std::make_unique<nodeclient::GrpcNodeClient>(
      node_service_channels(config_), client_options, *parts->fanout, parts->streams.get());
  parts->node_pods.attach(*parts->client);
  nodeclient::GrpcNodeClient& client = *parts->client;
  parts->node_pods.set_pod_lister(
      [&client] { return client.cache().list(nodeclient::ObjectKind::Pod); });
  parts->network->start();
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
  if (parts_->manager) parts_->manager->stop();
  parts_.reset();
  log::info("agent stopped; its containers keep running", {{"node", config_.node_name}});
}

}  // namespace skiff::agent
