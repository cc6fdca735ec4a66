#pragma once
// The node: `skiff agent`, and the agent `skiff server` embeds. It joins the parts the agent is
// made of (ARCHITECTURE.md):
//   runtime (podman's API; its service started when nothing answers on the socket)
//     -> PodManager (a worker per pod; adopts what already runs)
//     <-> NodePods (the seam) <-> GrpcNodeClient (the node protocol to the server)
//   and the server's logs/exec requests served by PodStreams over the same connection.
//
// start() brings the runtime up and adopts the containers already running before it connects,
// so a restarted agent never starts a second copy of a pod. stop() disconnects and stops the
// workers; containers keep running (as the kubelet's do), and the next start adopts them.
#include <memory>
#include <string>
#include <vector>

#include "agent/agent_config.h"

namespace skiff::agent {

// `skiff agent`: parses the flags and runs until SIGINT/SIGTERM. Returns the exit code.
int agent_command(const std::vector<std::string>& args);

class Agent {
 public:
  explicit Agent(AgentConfig config);
  ~Agent();  // stop()
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Throws runtime::RuntimeError when the container runtime cannot be reached or started. The
  // server connection is made in the background (and remade for as long as it runs).
  void start();
  void stop();  // idempotent

  const std::string& node_name() const { return config_.node_name; }

  struct Parts;  // the running pieces (agent.cpp)

 private:
  AgentConfig config_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace skiff::agent
