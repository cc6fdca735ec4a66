#include "agent/agent_flags.h"

#include <arpa/inet.h>
#include <unistd.h>

#include "pkg/pki/join_token.h"

namespace skiff::agent {

void add_agent_flags(util::Flags& flags, bool for_server) {
  if (!for_server) {
    flags.add_string("server,s", "", "Server to connect to (https://HOST:6443)");
    flags.add_string("token,t", "",
                     "Token to join the cluster: <data-dir>/server/node-token on the server, or "
                     "one from `skiff token create`");
  }
  flags.add_string("node-name", "", "Node name (default: the hostname)");
  flags.add_string("node-ip", "", "IP address to advertise for the node (default: detected)");
  flags.add_list("node-label", "Label to register the node with (key=value; repeatable)");
  flags.add_string("container-runtime-endpoint", AgentConfig{}.container_runtime_endpoint,
                   "podman API socket (started on it when nothing answers there)");
  flags.add_int("ingress-http-port", AgentConfig{}.ingress_http_port,
                "Port of the embedded ingress for HTTP (-1: none)");
  flags.add_int("ingress-https-port", AgentConfig{}.ingress_https_port,
                "Port of the embedded ingress for HTTPS (-1: none)");
  flags.add_bool("ingress-access-log", false, "Log a line per request the ingress proxies");
  flags.add_string("container-runtime-config", "",
                   "containers.conf for the podman service the agent starts");
}

AgentConfig agent_config_from_flags(const util::Flags& flags, bool for_server) {
  AgentConfig config;
  if (!for_server) {
    config.server_url = flags.get_string("server");
    config.token = flags.get_string("token");
    if (config.server_url.empty())
      throw util::FlagError("--server is required (https://HOST:6443)");
    if (config.server_url.rfind("https://", 0) != 0)
      throw util::FlagError("--server must be a URL such as https://HOST:6443, not \"" +
                            config.server_url + "\"");
    if (config.token.empty()) throw util::FlagError("--token is required");
    std::string token_error;
    if (!pki::parse_join_token(config.token, &token_error))
      throw util::FlagError(
          "--token must be the full join token (K10<CA hash>::<credential>) "
          "from <data-dir>/server/node-token on the server or from `skiff "
          "token create`: " +
          token_error);
  }
  config.node_name = flags.get_string("node-name");
  config.node_ip = flags.get_string("node-ip");
  if (!config.node_ip.empty()) {
    unsigned char buffer[16];
    if (inet_pton(AF_INET, config.node_ip.c_str(), buffer) != 1 &&
        inet_pton(AF_INET6, config.node_ip.c_str(), buffer) != 1)
      throw util::FlagError("--node-ip must be an IP address, not \"" + config.node_ip + "\"");
  }
  for (const auto& label : flags.get_list("node-label")) {
    const auto equals = label.find('=');
    if (equals == std::string::npos || equals == 0)
      throw util::FlagError("--node-label must be key=value, not \"" + label + "\"");
    config.node_labels[label.substr(0, equals)] = label.substr(equals + 1);
  }
  config.container_runtime_endpoint = flags.get_string("container-runtime-endpoint");
  config.container_runtime_config = flags.get_string("container-runtime-config");
  if (!config.container_runtime_config.empty() &&
      access(config.container_runtime_config.c_str(), R_OK) != 0)
    throw util::FlagError("--container-runtime-config: cannot read \"" +
                          config.container_runtime_config + "\"");
  for (const char* name : {"ingress-http-port", "ingress-https-port"}) {
    const long long port = flags.get_int(name);
    if (port < -1 || port > 65535)
      throw util::FlagError(std::string("--") + name +
                            " must be a port (1-65535, 0 for any free "
                            "port, -1 for none), not " +
                            std::to_string(port));
  }
  config.ingress_http_port = static_cast<int>(flags.get_int("ingress-http-port"));
  config.ingress_https_port = static_cast<int>(flags.get_int("ingress-https-port"));
  config.ingress_access_log = flags.get_bool("ingress-access-log");
  config.data_dir = flags.get_string("data-dir");
  return config;
}

}  // namespace skiff::agent
