#pragma once
// `skiff agent cleanup`: takes away what an agent leaves in the node's kernel and podman on
// purpose when it stops (so established connections survive an agent restart): the service
// proxy's nftables table `ip skiff`, the pod masquerade table `ip skiff-podnet`, the pod routes
// (protocol 245) and the vxlan device `skiff-vxlan`, the cluster DNS link `skiff-dns`, and the
// podman bridge network `skiff` (with a leftover `skiff0` bridge). For uninstalling, after skiff
// has stopped: run while an agent runs, the agent puts its state back on its next sync.
//
// Contracts:
//  - Acts on the current network namespace only, and only on the names above: other nftables
//    tables, links, routes and podman networks are left alone.
//  - Idempotent: each thing is reported as removed or already absent; nothing there is success.
//  - A thing that cannot be removed is reported with the reason and the rest is still done.
//    The podman network is not removed while containers are attached (they would lose their
//    network); when podman does not answer, it is skipped with a warning (the kernel state is
//    still removed) and that alone does not fail the command.
#include <string>
#include <vector>

#include "agent/network/ip_command.h"
#include "agent/network/nft_command.h"
#include "agent/runtime/podman/podman_networks.h"

namespace skiff::agent {

enum class CleanupOutcome { kRemoved, kAbsent, kSkipped, kFailed };

struct CleanupStep {
  std::string thing;  // "nftables table ip skiff (service proxy)"
  CleanupOutcome outcome = CleanupOutcome::kFailed;
  std::string detail;  // why it failed or was skipped; what was removed ("2 routes")
};

struct CleanupTargets {
  network::NftRunner& nft;
  network::IpRunner& ip;
  // Null when podman is not reachable; `podman_unreachable` then says why.
  runtime::podman::BridgeNetworks* podman_networks = nullptr;
  std::string podman_unreachable;
};

// Removes everything listed above, in an order that keeps each step valid (the podman network
// first, so its bridge is gone before the routes). Never throws for a failing step.
std::vector<CleanupStep> clean_up_node(CleanupTargets targets);

// One line for the user: "removed: ...", "absent: ...", "skipped: ... (why)", "failed: ...".
std::string describe(const CleanupStep& step);

// Exit code for the steps: 1 when one failed, else 0 (a skipped step is a warning).
int cleanup_exit_code(const std::vector<CleanupStep>& steps);

// `skiff agent cleanup [--container-runtime-endpoint SOCKET]`: 0 done, 1 something left, 2 bad
// usage.
int agent_cleanup_command(const std::vector<std::string>& args);

}  // namespace skiff::agent
