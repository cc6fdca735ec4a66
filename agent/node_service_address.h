#pragma once
// Where an agent dials the node service. Users give `--server http://HOST:6443` (the API, the
// address they know); the node service listens on its own port on the same host, which the API
// server tells anonymously at GET /v1-skiff/node-service ({"port": N}, k3s serves its agent
// bootstrap on /v1-k3s/ the same way). Asked again on every connection attempt, so an agent
// follows a server that restarted with another port.
#include <optional>
#include <string>

#include "agent/agent_config.h"
#include "agent/nodeclient/grpc_node_client.h"

namespace skiff::agent {

inline constexpr int kDefaultNodeServicePort = 6444;

// "HOST" of "http://HOST:PORT/path" (brackets kept for IPv6); none when it is not a URL.
std::optional<std::string> url_host(const std::string& url);

// The node service's "host:port" for a server URL: the port the server names (asked over TLS
// verified with `ca_pem`), or 6444 when it cannot be asked.
std::string discover_node_service(const std::string& server_url, const std::string& ca_pem);

// Mutual-TLS channels with the node's identity to the configured address, or to the
// discovered one when none is configured. `identity` must outlive the factory.
nodeclient::ChannelFactory node_service_channels(const AgentConfig& config,
                                                 nodeclient::NodeIdentity& identity);

}  // namespace skiff::agent
