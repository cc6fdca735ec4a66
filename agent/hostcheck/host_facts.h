#pragma once
// What `skiff check-config` found out about this host: plain data, filled in by probe_host()
// (host_probe.h) from /proc, /sys, /lib/modules, PATH and bind tests, and read by the pure
// decisions in host_checks.h. Tests build one by hand to stand for any host (a Raspberry Pi
// without the memory controller, a kernel without vxlan, ...).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace skiff::agent::hostcheck {

enum class CgroupMode {
  kNone,    // no cgroup filesystem mounted at all
  kV1,      // only cgroup v1 hierarchies
  kHybrid,  // v1 hierarchies plus a v2 one beside them (systemd's hybrid layout)
  kV2,      // the unified hierarchy at /sys/fs/cgroup
};

// How the kernel offers a feature that may be a module.
enum class KernelFeature {
  kLoaded,    // in /proc/modules or /sys/module
  kBuiltin,   // listed in modules.builtin
  kLoadable,  // a module file listed in modules.dep: loaded on first use
  kAbsent,    // the module lists exist and do not name it
  kUnknown,   // not loaded and no module lists to look in (a container, say)
};

// The outcome of binding a TCP port on 0.0.0.0.
enum class PortState { kFree, kInUse, kNoPermission, kError };

struct PortProbe {
  PortState state = PortState::kFree;
  std::string detail;  // the error's text for kError
};

struct ToolProbe {
  std::string path;     // empty when not found
  std::string version;  // first line of `<tool> --version`; may be empty
};

struct HostFacts {
  CgroupMode cgroup_mode = CgroupMode::kNone;
  // Controllers usable by containers: v2 -> the root's cgroup.controllers; v1/hybrid -> those
  // /proc/cgroups marks enabled.
  std::set<std::string> cgroup_controllers;
  std::string kernel_cmdline;  // /proc/cmdline
  std::string kernel_release;  // uname -r
  bool raspberry_pi = false;   // /proc/device-tree/model names one
  // The boot command line file a Raspberry Pi reads (/boot/firmware/cmdline.txt on Raspberry
  // Pi OS bookworm, /boot/cmdline.txt before); empty when there is none.
  std::string boot_cmdline_file;

  std::map<std::string, bool> namespaces;  // "net" -> /proc/self/ns/net exists

  ToolProbe nft;                                         // the nft command
  std::map<std::string, KernelFeature> kernel_features;  // "nf_tables", "bridge", "veth", "vxlan"
  std::optional<bool> ip_forward;  // net.ipv4.ip_forward; none when unreadable

  ToolProbe podman;
  ToolProbe runc;
  ToolProbe netavark;   // podman's network backend (a Recommends of podman)
  ToolProbe catatonit;  // the pause process podman builds its infra image from

  std::map<int, PortProbe> ports;  // 6443, 6444, 80, 443
  bool root = false;
};

}  // namespace skiff::agent::hostcheck
