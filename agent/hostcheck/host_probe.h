#pragma once
// Gathering HostFacts from the running host for `skiff check-config`. Only reads files under
// /proc, /sys, /boot and /lib/modules, looks tools up on PATH (and the sbin and podman helper
// folders), runs `<tool> --version`, and binds each port once on 0.0.0.0 (closed at once): no
// ioctl, netlink or mount, so it runs the same under qemu-user for another architecture.
//
// Contract: never throws for something the host lacks or refuses; that is a fact (absent,
// unknown, no permission) for host_checks.h to judge.
#include <set>
#include <string>
#include <vector>

#include "agent/hostcheck/host_facts.h"

namespace skiff::agent::hostcheck {

inline const std::vector<int> kSkiffPorts = {6443, 6444, 80, 443};

HostFacts probe_host(const std::vector<int>& ports = kSkiffPorts);

// The parsers behind probe_host, pure for tests (the text of the files they read):
// /proc/mounts -> the cgroup layout, and the v2 mount point ("" when none).
CgroupMode cgroup_mode_from_mounts(const std::string& proc_mounts, std::string* v2_mount_point);
// /proc/cgroups -> the v1 controllers marked enabled (a Raspberry Pi kernel lists memory with
// enabled 0 until its command line says cgroup_enable=memory).
std::set<std::string> enabled_v1_controllers(const std::string& proc_cgroups);
// Whether a module list (modules.builtin, modules.dep) names `module`: a line whose path ends in
// /<module>.ko, possibly compressed (.ko.xz, .ko.zst), with modules.dep's ": deps" after it.
bool module_listed(const std::string& list, const std::string& module);

// The outcome of binding TCP `port` on 0.0.0.0 (SO_REUSEADDR, so a port left in TIME_WAIT is
// not counted as in use).
PortProbe probe_port(int port);

}  // namespace skiff::agent::hostcheck
