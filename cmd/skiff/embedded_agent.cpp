#include "cmd/skiff/embedded_agent.h"

#include "agent/agent.h"
#include "agent/agent_flags.h"

namespace skiff::cmd {
namespace {

class EmbeddedAgent final : public server::Companion {
 public:
  explicit EmbeddedAgent(agent::AgentConfig config) : agent_(std::move(config)) { agent_.start(); }
  ~EmbeddedAgent() override { agent_.stop(); }

 private:
  agent::Agent agent_;
};

}  // namespace

server::ServerCommandExtensions embedded_agent_extensions() {
  server::ServerCommandExtensions extensions;
  extensions.add_flags = [](util::Flags& flags) {
    agent::add_agent_flags(flags, /*for_server=*/true);
  };
  extensions.embedded_agent = [](const util::Flags& flags) -> server::CompanionFactory {
    agent::AgentConfig config = agent::agent_config_from_flags(flags, /*for_server=*/true);
    return [config](const server::LocalNodeService& node_service) {
      agent::AgentConfig joined = config;
      joined.node_service_address = node_service.address;
      joined.token = node_service.token;
      joined.server_url = node_service.server_url;
      joined.data_dir = node_service.data_dir;
      return std::make_unique<EmbeddedAgent>(std::move(joined));
    };
  };
  return extensions;
}

}  // namespace skiff::cmd
