#include "agent/hostcheck/host_checks.h"

#include <algorithm>
#include <sstream>
#include <utility>

namespace skiff::agent::hostcheck {
namespace {

CheckResult ok(std::string name, std::string detail) {
  return {std::move(name), Verdict::kOk, std::move(detail), {}};
}
CheckResult warn(std::string name, std::string detail, std::string fix) {
  return {std::move(name), Verdict::kWarn, std::move(detail), std::move(fix)};
}
CheckResult missing(std::string name, std::string detail, std::string fix) {
  return {std::move(name), Verdict::kMissing, std::move(detail), std::move(fix)};
}

bool cmdline_has(const HostFacts& facts, const std::string& word) {
  std::istringstream words(facts.kernel_cmdline);
  std::string each;
  while (words >> each)
    if (each == word) return true;
  return false;
}

// Where the kernel command line is changed on this host, with the words to add.
std::string add_to_cmdline(const HostFacts& facts, const std::string& words) {
  if (!facts.boot_cmdline_file.empty())
    return "add `" + words + "` to the end of the single line in " + facts.boot_cmdline_file +
           ", then reboot";
  if (facts.raspberry_pi)
    return "add `" + words +
           "` to the end of the single line in /boot/firmware/cmdline.txt (/boot/cmdline.txt "
           "before Raspberry Pi OS bookworm), then reboot";
  return "add `" + words +
         "` to GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub, then reboot";
}

CheckResult cgroup_mode_check(const HostFacts& facts) {
  const std::string name = "cgroups";
  switch (facts.cgroup_mode) {
    case CgroupMode::kV2:
      return ok(name, "v2 (unified hierarchy)");
    case CgroupMode::kHybrid:
    case CgroupMode::kV1:
      return warn(name,
                  facts.cgroup_mode == CgroupMode::kV1 ? "v1 only" : "hybrid (v1 controllers)",
                  "works with runc (install.sh then writes /etc/skiff/containers.conf choosing "
                  "it); for cgroup v2, " +
                      add_to_cmdline(facts, "systemd.unified_cgroup_hierarchy=1"));
    case CgroupMode::kNone:
      break;
  }
  return missing(name, "no cgroup filesystem mounted",
                 "mount it: mount -t cgroup2 none /sys/fs/cgroup (systemd does this at boot; "
                 "inside a container, give it the host's cgroups)");
}

// The memory controller: its absence is the Raspberry Pi trap (the firmware's command line
// carries cgroup_disable=memory until cgroup_memory=1 cgroup_enable=memory is added).
CheckResult memory_controller_check(const HostFacts& facts) {
  const std::string name = "cgroup controller memory";
  if (facts.cgroup_controllers.count("memory")) return ok(name, "enabled");
  std::string detail = "not enabled";
  if (cmdline_has(facts, "cgroup_disable=memory"))
    detail += " (the kernel command line has cgroup_disable=memory)";
  if (facts.raspberry_pi || !facts.boot_cmdline_file.empty())
    return missing(name, detail, add_to_cmdline(facts, "cgroup_memory=1 cgroup_enable=memory"));
  if (cmdline_has(facts, "cgroup_disable=memory"))
    return missing(name, detail,
                   "remove cgroup_disable=memory from the kernel command line (GRUB_CMDLINE_LINUX "
                   "in /etc/default/grub, then update-grub) and reboot");
  return missing(name, detail,
                 add_to_cmdline(facts, "cgroup_enable=memory") +
                     " (a kernel built without CONFIG_MEMCG needs replacing)");
}

// cpu and pids: without them limits are not enforced, pods still run.
CheckResult other_controller_check(const HostFacts& facts, const std::string& controller,
                                   const std::string& config, const std::string& without) {
  const std::string name = "cgroup controller " + controller;
  if (facts.cgroup_controllers.count(controller)) return ok(name, "enabled");
  std::string fix;
  if (cmdline_has(facts, "cgroup_disable=" + controller))
    fix = "remove cgroup_disable=" + controller + " from the kernel command line and reboot";
  else
    fix = "use a kernel with " + config + " (Debian's and Raspberry Pi OS's have it)";
  return warn(name, "not enabled: " + without, fix);
}

CheckResult namespaces_check(const HostFacts& facts) {
  static const std::vector<std::pair<std::string, std::string>> kNeeded = {
      {"net", "CONFIG_NET_NS"},
      {"pid", "CONFIG_PID_NS"},
      {"ipc", "CONFIG_IPC_NS"},
      {"uts", "CONFIG_UTS_NS"},
      {"mnt", "(always built in)"}};
  std::string found;
  std::string absent;
  std::string configs;
  for (const auto& [ns, config] : kNeeded) {
    auto it = facts.namespaces.find(ns);
    bool present = it != facts.namespaces.end() && it->second;
    std::string& list = present ? found : absent;
    list += (list.empty() ? "" : " ") + ns;
    if (!present) configs += (configs.empty() ? "" : " ") + config;
  }
  if (absent.empty()) return ok("namespaces", found);
  return missing("namespaces", "absent: " + absent,
                 "use a kernel with " + configs + " (Debian's and Raspberry Pi OS's have them)");
}

CheckResult nft_command_check(const HostFacts& facts) {
  const std::string name = "nft command";
  if (!facts.nft.path.empty())
    return ok(name,
              facts.nft.path + (facts.nft.version.empty() ? "" : " (" + facts.nft.version + ")"));
  return warn(name, "not found",
              "apt-get install nftables (the agent writes its rules through libnftables, built "
              "into skiff; `skiff agent cleanup` and skiff-killall.sh use the nft command)");
}

const char* feature_text(KernelFeature feature) {
  switch (feature) {
    case KernelFeature::kLoaded:
      return "loaded";
    case KernelFeature::kBuiltin:
      return "built into the kernel";
    case KernelFeature::kLoadable:
      return "module, loaded on first use";
    case KernelFeature::kAbsent:
      return "not in this kernel";
    case KernelFeature::kUnknown:
      break;
  }
  return "cannot tell";
}

// A kernel feature that may be a module. `needed` false makes its absence a warning.
CheckResult kernel_feature_check(const HostFacts& facts, const std::string& module,
                                 const std::string& config, const std::string& used_for,
                                 bool needed, const std::string& instead = {}) {
  const std::string name = "kernel " + module + " (" + used_for + ")";
  auto it = facts.kernel_features.find(module);
  KernelFeature feature = it == facts.kernel_features.end() ? KernelFeature::kUnknown : it->second;
  switch (feature) {
    case KernelFeature::kLoaded:
    case KernelFeature::kBuiltin:
    case KernelFeature::kLoadable:
      return ok(name, feature_text(feature));
    case KernelFeature::kUnknown:
      return warn(
          name,
          "cannot tell: not loaded and no module lists under /lib/modules/" + facts.kernel_release,
          "run `modprobe " + module +
              "` on the host (inside a container, on the host "
              "that runs it); it fails when the kernel lacks " +
              config);
    case KernelFeature::kAbsent:
      break;
  }
  std::string fix = "use a kernel with " + config + " (Debian's and Raspberry Pi OS's have it)";
  if (!instead.empty()) fix += ", or " + instead;
  if (needed) return missing(name, feature_text(feature), fix);
  return warn(name, feature_text(feature), fix);
}

CheckResult ip_forward_check(const HostFacts& facts) {
  const std::string name = "net.ipv4.ip_forward";
  if (facts.ip_forward.value_or(false)) return ok(name, "1");
  return warn(name, facts.ip_forward ? "0" : "cannot read /proc/sys/net/ipv4/ip_forward",
              "netavark turns it on when it sets up the pod network; to keep it on: echo "
              "net.ipv4.ip_forward=1 > /etc/sysctl.d/90-skiff.conf && sysctl --system");
}

CheckResult tool_check(const std::string& name, const ToolProbe& tool, const std::string& package,
                       const std::string& used_for) {
  if (tool.path.empty())
    return missing(name, "not found (" + used_for + ")", "apt-get install " + package);
  return ok(name, tool.path + (tool.version.empty() ? "" : " (" + tool.version + ")"));
}

const char* port_use(int port) {
  switch (port) {
    case 6443:
      return "the API";
    case 6444:
      return "the node service for agents";
    case 80:
      return "the ingress, HTTP";
    case 443:
      return "the ingress, HTTPS";
    default:
      return "skiff";
  }
}

CheckResult port_check(int port, const PortProbe& probe) {
  const std::string number = std::to_string(port);
  const std::string name = "port " + number + " (" + port_use(port) + ")";
  switch (probe.state) {
    case PortState::kFree:
      return ok(name, "free");
    case PortState::kInUse:
      return warn(name, "in use",
                  "see who listens: ss -ltnp 'sport = :" + number +
                      "' (when it is skiff itself, already running here, all is well); stop "
                      "that program or move it to another port");
    case PortState::kNoPermission:
      return warn(name, "cannot test without root", "run skiff check-config as root");
    case PortState::kError:
      break;
  }
  return warn(name, "cannot test: " + probe.detail,
              "see who listens: ss -ltnp 'sport = :" + number + "'");
}

}  // namespace

std::vector<CheckResult> evaluate(const HostFacts& facts) {
  std::vector<CheckResult> results;
  results.push_back(cgroup_mode_check(facts));
  results.push_back(memory_controller_check(facts));
  results.push_back(other_controller_check(facts, "cpu", "CONFIG_CGROUP_SCHED",
                                           "CPU requests and limits are not enforced"));
  results.push_back(other_controller_check(facts, "pids", "CONFIG_CGROUP_PIDS",
                                           "a pod's process count is not limited"));
  results.push_back(namespaces_check(facts));
  results.push_back(nft_command_check(facts));
  results.push_back(
      kernel_feature_check(facts, "nf_tables", "CONFIG_NF_TABLES", "service proxy", true));
  results.push_back(kernel_feature_check(facts, "bridge", "CONFIG_BRIDGE", "pod network", true));
  results.push_back(kernel_feature_check(facts, "veth", "CONFIG_VETH", "pod network", true));
  results.push_back(kernel_feature_check(
      facts, "vxlan", "CONFIG_VXLAN", "pods across nodes", false,
      "start the server with --network-backend host-gw (nodes on one LAN) or none (one node)"));
  results.push_back(ip_forward_check(facts));
  results.push_back(tool_check("podman", facts.podman, "podman", "runs the pods"));
  results.push_back(tool_check("runc", facts.runc, "runc", "podman's OCI runtime for skiff"));
  results.push_back(tool_check("netavark", facts.netavark, "netavark", "podman's pod network"));
  results.push_back(
      tool_check("catatonit", facts.catatonit, "catatonit", "podman's pod infra container"));
  for (const auto& [port, probe] : facts.ports) results.push_back(port_check(port, probe));
  if (facts.root)
    results.push_back(ok("running as root", "yes"));
  else
    results.push_back(warn("running as root", "no: skiff server and skiff agent need root",
                           "run skiff (and this check, for the port tests) with sudo"));
  return results;
}

int exit_code(const std::vector<CheckResult>& results) {
  for (const CheckResult& result : results)
    if (result.verdict == Verdict::kMissing) return 1;
  return 0;
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kOk:
      return "OK";
    case Verdict::kWarn:
      return "WARN";
    case Verdict::kMissing:
      break;
  }
  return "MISSING";
}

std::string format_report(const std::vector<CheckResult>& results) {
  std::size_t width = 0;
  for (const CheckResult& result : results) width = std::max(width, result.name.size());
  std::ostringstream out;
  int warnings = 0;
  int missing_count = 0;
  for (const CheckResult& result : results) {
    std::string verdict = verdict_name(result.verdict);
    out << result.name << std::string(width + 2 - result.name.size(), ' ') << verdict
        << std::string(9 - verdict.size(), ' ') << result.detail << "\n";
    if (!result.fix.empty()) out << std::string(width + 2, ' ') << "fix: " << result.fix << "\n";
    if (result.verdict == Verdict::kWarn) ++warnings;
    if (result.verdict == Verdict::kMissing) ++missing_count;
  }
  out << "\n" << missing_count << " missing, " << warnings << " warning(s)";
  out << (missing_count == 0 ? ": skiff can run on this host\n"
                             : ": fix what is MISSING before starting skiff\n");
  return out.str();
}

}  // namespace skiff::agent::hostcheck
