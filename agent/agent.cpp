#include "agent/agent.h"

#include <filesystem>

#include "agent/node_info.h"
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
  std::unique_ptr<pods::PodManager> manager;
  std::unique_ptr<PodStreams> streams;  // logs and exec for the server, over the connection
  std::unique_ptr<nodeclient::GrpcNodeClient> client;
};

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

  pods::PodManagerOptions manager_options;
  manager_options.worker.root_dir = agent_dir;
  manager_options.worker.host_ip = config_.node_ip;
  manager_options.worker.runtime_name = version.name;
  manager_options.relist_period = config_.relist_period;
  parts->manager =
      std::make_unique<pods::PodManager>(*parts->runtime, parts->node_pods, parts->node_pods,
                                         *parts->probes, parts->clock, manager_options);
  const auto adopted = parts->manager->adopt();
  parts->manager->start();

  nodeclient::NodeClientOptions client_options;
  client_options.node_name = config_.node_name;
  client_options.token = config_.token;
  client_options.labels = config_.node_labels;
  client_options.node_status = node_status(config_.node_ip, version);
  parts->streams = std::make_unique<PodStreams>(*parts->runtime);
  parts->client = std::make_unique<nodeclient::GrpcNodeClient>(
      node_service_channels(config_), client_options, parts->node_pods, parts->streams.get());
  parts->node_pods.attach(*parts->manager, *parts->client);
  nodeclient::GrpcNodeClient& client = *parts->client;
  parts->node_pods.set_pod_lister(
      [&client] { return client.cache().list(nodeclient::ObjectKind::Pod); });
  parts->client->start();
  log::info("agent started", {{"node", config_.node_name},
                              {"nodeIP", config_.node_ip},
                              {"runtime", version.name + " " + version.version},
                              {"adoptedPods", static_cast<int64_t>(adopted.size())}});
  parts_ = std::move(parts);
}

void Agent::stop() {
  if (!parts_) return;
  parts_->client->stop();
  parts_->manager->stop();
  parts_.reset();
  log::info("agent stopped; its containers keep running", {{"node", config_.node_name}});
}

}  // namespace skiff::agent
