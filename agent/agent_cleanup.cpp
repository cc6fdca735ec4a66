#include "agent/agent_cleanup.h"

#include <iostream>
#include <memory>
#include <sstream>
#include <type_traits>

#include "agent/agent_config.h"
#include "agent/dns/dns_address.h"
#include "agent/network/nft_ruleset.h"
#include "agent/network/pod_masquerade.h"
#include "agent/network/pod_network.h"
#include "agent/network/pod_routes_model.h"
#include "agent/network/pod_routes_plan.h"
#include "agent/runtime/podman/podman_client.h"
#include "agent/runtime/podman/podman_service.h"
#include "pkg/util/flags.h"

namespace skiff::agent {
namespace {

using network::ChildResult;

// Tools end their messages with a newline; one line of report reads better without.
std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

CleanupStep removed(std::string thing, std::string detail = {}) {
  return {std::move(thing), CleanupOutcome::kRemoved, std::move(detail)};
}
CleanupStep absent(std::string thing) {
  return {std::move(thing), CleanupOutcome::kAbsent, {}};
}
CleanupStep failed(std::string thing, std::string why) {
  return {std::move(thing), CleanupOutcome::kFailed, std::move(why)};
}
CleanupStep skipped(std::string thing, std::string why) {
  return {std::move(thing), CleanupOutcome::kSkipped, std::move(why)};
}

// `ip link show` works for everyone and fails only for an absent link, so its exit code is a
// reliable existence test (unlike a failing delete, which may be a permission problem).
bool link_exists(network::IpRunner& ip, const std::string& device) {
  return ip.run({"ip", "link", "show", "dev", device}).exit_code == 0;
}

CleanupStep remove_link(network::IpRunner& ip, const std::string& thing,
                        const std::string& device) {
  if (!link_exists(ip, device)) return absent(thing);
  ChildResult result = ip.run({"ip", "link", "del", device});
  if (result.exit_code != 0) return failed(thing, "ip link del: " + trimmed(result.output));
  return removed(thing);
}

std::vector<CleanupStep> remove_podman_network(CleanupTargets& targets) {
  const network::PodNetworkOptions names;  // the agent's defaults: network skiff, bridge skiff0
  const std::string network = "podman network " + names.name;
  const std::string bridge =
      "bridge " + names.bridge_interface + " (podman network " + names.name + ")";
  if (!targets.podman_networks)
    return {skipped(network, targets.podman_unreachable),
            skipped(bridge, "left with the podman network")};
  CleanupStep step;
  try {
    runtime::podman::BridgeNetworks& networks = *targets.podman_networks;
    if (!networks.inspect(names.name)) {
      step = absent(network);
    } else if (auto containers = networks.containers_on(names.name); !containers.empty()) {
      std::string list;
      for (const auto& name : containers) list += (list.empty() ? "" : ", ") + name;
      step = failed(network, "still used by " + std::to_string(containers.size()) +
                                 " container(s) (" + list +
                                 "): delete the pods first (podman pod rm -f ...), then run "
                                 "this again");
    } else {
      networks.remove(names.name);
      step = removed(network);
    }
  } catch (const std::exception& error) {
    step = failed(network, std::string("podman: ") + error.what());
  }
  if (step.outcome == CleanupOutcome::kFailed)
    return {step, skipped(bridge, "left with the podman network")};
  // Netavark deletes the bridge with the network's last container; one left over from a crash
  // would keep the pod subnet's route on the node.
  return {step, remove_link(targets.ip, bridge, names.bridge_interface)};
}

std::vector<CleanupStep> remove_nft_tables(network::NftRunner& nft) {
  const std::vector<std::pair<std::string, std::string>> tables = {
      {std::string(network::kNftTable), "service proxy"},
      {std::string(network::kPodMasqueradeTable), "pod masquerade"}};
  std::vector<CleanupStep> steps;
  network::NftResult listing;
  try {
    listing = nft.run("list tables\n");
  } catch (const std::exception& error) {
    listing.output = error.what();
  }
  for (const auto& [name, role] : tables) {
    const std::string table = "table ip " + name;
    const std::string thing = "nftables " + table + " (" + role + ")";
    if (listing.exit_code != 0) {
      steps.push_back(failed(thing, "nft list tables: " + trimmed(listing.output)));
      continue;
    }
    std::istringstream lines(listing.output);
    bool present = false;
    for (std::string line; std::getline(lines, line);) present = present || trimmed(line) == table;
    if (!present) {
      steps.push_back(absent(thing));
      continue;
    }
    try {
      network::NftResult result = nft.run("delete " + table + "\n");
      steps.push_back(result.exit_code == 0
                          ? removed(thing)
                          : failed(thing, "nft delete: " + trimmed(result.output)));
    } catch (const std::exception& error) {
      steps.push_back(failed(thing, error.what()));
    }
  }
  return steps;
}

CleanupStep remove_pod_routes(network::IpRunner& ip) {
  const std::string protocol = std::to_string(network::kPodRouteProtocol);
  const std::string thing = "pod routes (proto " + protocol + ")";
  ChildResult listing = ip.run({"ip", "-j", "-4", "route", "show", "proto", protocol});
  if (listing.exit_code != 0) return failed(thing, "ip route show: " + trimmed(listing.output));
  std::vector<network::PodRoute> routes = network::parse_ip_routes(listing.output);
  if (routes.empty()) return absent(thing);
  std::string errors;
  for (const network::PodRoute& route : routes) {
    ChildResult result = ip.run({"ip", "route", "del", route.destination, "proto", protocol});
    if (result.exit_code != 0)
      errors += (errors.empty() ? "" : "; ") + route.destination + ": " + trimmed(result.output);
  }
  if (!errors.empty()) return failed(thing, "ip route del: " + errors);
  return removed(thing, std::to_string(routes.size()) + " route(s)");
}

CleanupStep remove_dns_link(network::IpRunner& ip) {
  const std::string thing = std::string("cluster DNS link ") + dns::kDnsDevice;
  if (!link_exists(ip, dns::kDnsDevice)) return absent(thing);
  try {
    dns::remove_dns_address(ip);
    return removed(thing);
  } catch (const std::exception& error) {
    return failed(thing, error.what());
  }
}

// Runs one step; a runner that cannot start its program (ip missing) fails that step only.
template <typename Step>
void run_step(std::vector<CleanupStep>& steps, const std::string& thing, Step step) {
  try {
    auto result = step();
    if constexpr (std::is_same_v<decltype(result), CleanupStep>)
      steps.push_back(std::move(result));
    else
      steps.insert(steps.end(), result.begin(), result.end());
  } catch (const std::exception& error) {
    steps.push_back(failed(thing, error.what()));
  }
}

}  // namespace

std::vector<CleanupStep> clean_up_node(CleanupTargets targets) {
  std::vector<CleanupStep> steps;
  run_step(steps, "podman network", [&] { return remove_podman_network(targets); });
  run_step(steps, "nftables tables", [&] { return remove_nft_tables(targets.nft); });
  run_step(steps, "pod routes", [&] { return remove_pod_routes(targets.ip); });
  // After the routes: the vxlan routes go with the device anyway, host-gw ones do not.
  run_step(steps, std::string("vxlan device ") + network::kVxlanDevice, [&] {
    return remove_link(targets.ip, std::string("vxlan device ") + network::kVxlanDevice,
                       network::kVxlanDevice);
  });
  run_step(steps, "cluster DNS link", [&] { return remove_dns_link(targets.ip); });
  return steps;
}

std::string describe(const CleanupStep& step) {
  switch (step.outcome) {
    case CleanupOutcome::kRemoved:
      return "removed: " + step.thing + (step.detail.empty() ? "" : ", " + step.detail);
    case CleanupOutcome::kAbsent:
      return "absent:  " + step.thing;
    case CleanupOutcome::kSkipped:
      return "skipped: " + step.thing + ": " + step.detail;
    case CleanupOutcome::kFailed:
      break;
  }
  return "FAILED:  " + step.thing + ": " + step.detail;
}

int cleanup_exit_code(const std::vector<CleanupStep>& steps) {
  for (const CleanupStep& step : steps)
    if (step.outcome == CleanupOutcome::kFailed) return 1;
  return 0;
}

int agent_cleanup_command(const std::vector<std::string>& args) {
  util::Flags flags;
  flags.add_string("container-runtime-endpoint", AgentConfig{}.container_runtime_endpoint,
                   "podman API socket to remove the pod network through");
  flags.add_bool("help,h", false, "Show this help");
  try {
    flags.parse(args);
    if (!flags.positional().empty())
      throw util::FlagError("unexpected argument \"" + flags.positional().front() + "\"");
  } catch (const util::FlagError& e) {
    std::cerr << "skiff agent cleanup: " << e.what() << "\n\nFlags:\n" << flags.usage();
    return 2;
  }
  if (flags.get_bool("help")) {
    std::cout << "Usage: skiff agent cleanup [--container-runtime-endpoint SOCKET]\n\n"
                 "Remove what a stopped agent leaves on this node: the nftables tables ip skiff\n"
                 "and ip skiff-podnet, the pod routes (proto 245), the links skiff-vxlan and\n"
                 "skiff-dns, and the podman network skiff (only with no container on it).\n"
                 "Run it after stopping skiff (uninstall does); a running agent puts them back.\n"
                 "Idempotent. Exit status: 0 done (also when podman does not answer: the\n"
                 "network is then skipped with a warning), 1 something could not be removed.\n\n"
                 "Flags:\n"
              << flags.usage();
    return 0;
  }

  const std::string socket = flags.get_string("container-runtime-endpoint");
  network::NftCommand nft;
  network::IpCommand ip;
  CleanupTargets targets{nft, ip, nullptr, {}};
  std::unique_ptr<runtime::podman::PodmanClient> client;
  std::unique_ptr<runtime::podman::PodmanNetworks> networks;
  if (runtime::podman::podman_socket_answers(socket)) {
    client = std::make_unique<runtime::podman::PodmanClient>(socket);
    networks = std::make_unique<runtime::podman::PodmanNetworks>(*client);
    targets.podman_networks = networks.get();
  } else {
    targets.podman_unreachable =
        "podman does not answer on " + socket +
        " (start it with `podman system service`, pass --container-runtime-endpoint, or run "
        "`podman network rm skiff` once no container uses it)";
  }
  const std::vector<CleanupStep> steps = clean_up_node(targets);
  for (const CleanupStep& step : steps) {
    if (step.outcome == CleanupOutcome::kRemoved || step.outcome == CleanupOutcome::kAbsent)
      std::cout << describe(step) << std::endl;  // in order with the warnings on stderr
    else
      std::cerr << "skiff agent cleanup: " << describe(step) << "\n";
  }
  const int code = cleanup_exit_code(steps);
  if (code != 0) std::cerr << "skiff agent cleanup: some of skiff's node state is still there\n";
  return code;
}

}  // namespace skiff::agent
