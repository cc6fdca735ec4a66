#pragma once
// Gathering HostFacts from the running host for `skiff check-config`. Only reads files under
// /proc, /sys, /boot and /lib/modules, looks tools up on PATH (and the sbin and podman helper
// folders), runs `<tool> --version`, and binds each port once on 0.0.0.0 (closed at once): no
// ioctl, netlink or mount, so it runs the same under qemu-user for another architecture.
//
// Contract: never throws for something the host lacks or refuses; that is a fact (absent,
// unknown, no permission) for host_checks.h to judge.
#include <vector>

#include "agent/hostcheck/host_facts.h"

namespace skiff::agent::hostcheck {

inline const std::vector<int> kSkiffPorts = {6443, 6444, 80, 443};

HostFacts probe_host(const std::vector<int>& ports = kSkiffPorts);

// The outcome of binding TCP `port` on 0.0.0.0 (SO_REUSEADDR, so a port left in TIME_WAIT is
// not counted as in use).
PortProbe probe_port(int port);

}  // namespace skiff::agent::hostcheck
