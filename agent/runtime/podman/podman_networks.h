#pragma once
// Podman's bridge networks through the libpod REST API (networks create / inspect / delete, and
// the containers attached to one): what the pod network (agent/network/pod_network.h) needs.
//
// Contracts:
//  - BridgeNetworks is the seam (a fake in unit tests); PodmanNetworks is the real one over a
//    PodmanClient the caller owns and keeps alive.
//  - inspect() of an absent network is nullopt, remove() of an absent one succeeds; any other
//    failure throws RuntimeError with podman's message.
//  - Nothing here decides policy (which subnet, when to recreate): pod_network.cpp does.
#include <optional>
#include <string>
#include <vector>

#include "agent/runtime/podman/podman_client.h"
#include "pkg/api/json.h"

namespace skiff::agent::runtime::podman {

struct BridgeNetwork {
  std::string name;
  std::string bridge_interface;  // the Linux bridge podman (netavark) creates, <= 15 chars
  std::string subnet;            // "10.42.0.0/24"
  std::string gateway;           // "10.42.0.1", on the bridge
  bool dns_enabled = false;      // podman's aardvark-dns; skiff has its own cluster DNS
  int mtu = 0;                   // 0 = podman's default
  bool operator==(const BridgeNetwork&) const = default;
};

class BridgeNetworks {
 public:
  virtual ~BridgeNetworks() = default;
  virtual std::optional<BridgeNetwork> inspect(const std::string& name) = 0;
  virtual void create(const BridgeNetwork& network) = 0;
  virtual void remove(const std::string& name) = 0;
  // Names of the containers (running or not) attached to the network.
  virtual std::vector<std::string> containers_on(const std::string& name) = 0;
};

// The libpod JSON of a network (create's body, inspect's answer) and back. Pure.
Json bridge_network_to_json(const BridgeNetwork& network);
// The first IPv4 subnet of a podman network object.
BridgeNetwork bridge_network_from_json(const Json& network);

class PodmanNetworks : public BridgeNetworks {
 public:
  explicit PodmanNetworks(PodmanClient& client) : client_(client) {}
  std::optional<BridgeNetwork> inspect(const std::string& name) override;
  void create(const BridgeNetwork& network) override;
  void remove(const std::string& name) override;
  std::vector<std::string> containers_on(const std::string& name) override;

 private:
  PodmanClient& client_;
};

}  // namespace skiff::agent::runtime::podman
