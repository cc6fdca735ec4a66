#include "agent/hostcheck/check_config_command.h"

#include <iostream>

#include "agent/hostcheck/host_checks.h"
#include "agent/hostcheck/host_probe.h"
#include "pkg/util/flags.h"

namespace skiff::agent::hostcheck {

int check_config_command(const std::vector<std::string>& args) {
  util::Flags flags;
  flags.add_bool("help,h", false, "Show this help");
  try {
    flags.parse(args);
    if (!flags.positional().empty())
      throw util::FlagError("unexpected argument \"" + flags.positional().front() + "\"");
  } catch (const util::FlagError& e) {
    std::cerr << "skiff check-config: " << e.what() << "\n\nUsage: skiff check-config\n";
    return 2;
  }
  if (flags.get_bool("help")) {
    std::cout
        << "Usage: skiff check-config\n\n"
           "Check this host for what skiff needs: cgroups and the memory, cpu and pids\n"
           "controllers (the Raspberry Pi needs cgroup_memory=1 cgroup_enable=memory on its\n"
           "kernel command line), namespaces, nftables, the bridge/veth/vxlan devices, IP\n"
           "forwarding, podman with runc, netavark and catatonit, the ports 6443, 6444, 80 and\n"
           "443, and root. Each line says OK, WARN or MISSING; each problem says how to fix it.\n"
           "Run it as root for the port tests. Changes nothing on the host.\n\n"
           "Exit status: 0 nothing MISSING (warnings allowed), 1 something MISSING.\n\n"
           "Flags:\n"
        << flags.usage();
    return 0;
  }
  const std::vector<CheckResult> results = evaluate(probe_host());
  std::cout << format_report(results);
  return exit_code(results);
}

}  // namespace skiff::agent::hostcheck
