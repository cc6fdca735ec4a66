// The decisions of `skiff check-config` over hand-made host facts: a healthy host, the Raspberry
// Pi memory-controller trap, missing kernel pieces and tools, ports in use.
#include <gtest/gtest.h>

#include "agent/hostcheck/host_checks.h"

namespace skiff::agent::hostcheck {
namespace {

// A Debian 12 VM with everything skiff needs.
HostFacts healthy_host() {
  HostFacts facts;
  facts.cgroup_mode = CgroupMode::kV2;
  facts.cgroup_controllers = {"cpuset", "cpu", "io", "memory", "pids"};
  facts.kernel_cmdline = "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro quiet";
  facts.kernel_release = "6.1.0-18-amd64";
  for (const char* ns : {"net", "pid", "ipc", "uts", "mnt"}) facts.namespaces[ns] = true;
  facts.nft = {"/usr/sbin/nft", "nftables v1.0.6 (Lester Gooch #5)"};
  facts.kernel_features = {{"nf_tables", KernelFeature::kLoaded},
                           {"bridge", KernelFeature::kLoadable},
                           {"veth", KernelFeature::kLoadable},
                           {"vxlan", KernelFeature::kBuiltin}};
  facts.ip_forward = true;
  facts.podman = {"/usr/bin/podman", "podman version 4.3.1"};
  facts.runc = {"/usr/sbin/runc", "runc version 1.1.5+ds1"};
  facts.netavark = {"/usr/lib/podman/netavark", "netavark 1.4.0"};
  facts.catatonit = {"/usr/bin/catatonit", "catatonit v0.1.7"};
  for (int port : {6443, 6444, 80, 443}) facts.ports[port] = {PortState::kFree, {}};
  facts.root = true;
  return facts;
}

const CheckResult& find(const std::vector<CheckResult>& results, const std::string& name) {
  for (const CheckResult& result : results)
    if (result.name == name) return result;
  static const CheckResult none{"<absent>", Verdict::kMissing, "no such check", {}};
  ADD_FAILURE() << "no check named " << name;
  return none;
}

TEST(HostChecks, HealthyHostIsAllOkAndExitsZero) {
  auto results = evaluate(healthy_host());
  for (const CheckResult& result : results) {
    EXPECT_EQ(result.verdict, Verdict::kOk) << result.name << ": " << result.detail;
    EXPECT_TRUE(result.fix.empty()) << result.name;
  }
  EXPECT_EQ(exit_code(results), 0);
  EXPECT_EQ(find(results, "podman").detail, "/usr/bin/podman (podman version 4.3.1)");
  std::string report = format_report(results);
  EXPECT_NE(report.find("0 missing, 0 warning(s): skiff can run on this host"), std::string::npos)
      << report;
}

TEST(HostChecks, RaspberryPiWithoutMemoryControllerGetsTheCmdlineFix) {
  HostFacts facts = healthy_host();
  facts.raspberry_pi = true;
  facts.boot_cmdline_file = "/boot/firmware/cmdline.txt";
  facts.cgroup_controllers = {"cpuset", "cpu", "io", "pids"};
  facts.kernel_cmdline = "coherent_pool=1M cgroup_disable=memory console=tty1 root=PARTUUID=1-02";
  auto results = evaluate(facts);
  const CheckResult& memory = find(results, "cgroup controller memory");
  EXPECT_EQ(memory.verdict, Verdict::kMissing);
  EXPECT_NE(memory.detail.find("cgroup_disable=memory"), std::string::npos) << memory.detail;
  EXPECT_EQ(memory.fix,
            "add `cgroup_memory=1 cgroup_enable=memory` to the end of the single line in "
            "/boot/firmware/cmdline.txt, then reboot");
  EXPECT_EQ(exit_code(results), 1);
  std::string report = format_report(results);
  EXPECT_NE(report.find("cgroup controller memory"), std::string::npos);
  EXPECT_NE(report.find("MISSING"), std::string::npos);
  EXPECT_NE(report.find("fix: add `cgroup_memory=1 cgroup_enable=memory`"), std::string::npos)
      << report;
  EXPECT_NE(report.find("1 missing"), std::string::npos) << report;
}

TEST(HostChecks, OlderPiWithoutFirmwareFolderNamesBothCmdlineFiles) {
  HostFacts facts = healthy_host();
  facts.raspberry_pi = true;
  facts.cgroup_controllers.erase("memory");
  auto results = evaluate(facts);
  const CheckResult& memory = find(results, "cgroup controller memory");
  EXPECT_NE(memory.fix.find("/boot/firmware/cmdline.txt (/boot/cmdline.txt"), std::string::npos)
      << memory.fix;
}

TEST(HostChecks, PcWithMemoryDisabledOnCommandLineIsToldToRemoveIt) {
  HostFacts facts = healthy_host();
  facts.cgroup_controllers.erase("memory");
  facts.kernel_cmdline += " cgroup_disable=memory";
  auto results = evaluate(facts);
  const CheckResult& memory = find(results, "cgroup controller memory");
  EXPECT_EQ(memory.verdict, Verdict::kMissing);
  EXPECT_NE(memory.fix.find("remove cgroup_disable=memory"), std::string::npos) << memory.fix;
  EXPECT_NE(memory.fix.find("/etc/default/grub"), std::string::npos) << memory.fix;
}

TEST(HostChecks, CgroupV1IsAWarningThatStillExitsZero) {
  HostFacts facts = healthy_host();
  facts.cgroup_mode = CgroupMode::kV1;
  auto results = evaluate(facts);
  const CheckResult& cgroups = find(results, "cgroups");
  EXPECT_EQ(cgroups.verdict, Verdict::kWarn);
  EXPECT_NE(cgroups.fix.find("systemd.unified_cgroup_hierarchy=1"), std::string::npos);
  EXPECT_EQ(exit_code(results), 0);
}

TEST(HostChecks, NoCgroupsAtAllIsMissing) {
  HostFacts facts = healthy_host();
  facts.cgroup_mode = CgroupMode::kNone;
  facts.cgroup_controllers.clear();
  auto results = evaluate(facts);
  EXPECT_EQ(find(results, "cgroups").verdict, Verdict::kMissing);
  EXPECT_EQ(find(results, "cgroup controller pids").verdict, Verdict::kWarn);
  EXPECT_EQ(exit_code(results), 1);
}

TEST(HostChecks, MissingNamespaceNamesTheKernelOption) {
  HostFacts facts = healthy_host();
  facts.namespaces["net"] = false;
  auto results = evaluate(facts);
  const CheckResult& namespaces = find(results, "namespaces");
  EXPECT_EQ(namespaces.verdict, Verdict::kMissing);
  EXPECT_EQ(namespaces.detail, "absent: net");
  EXPECT_NE(namespaces.fix.find("CONFIG_NET_NS"), std::string::npos);
}

TEST(HostChecks, KernelFeatures) {
  HostFacts facts = healthy_host();
  facts.kernel_features["veth"] = KernelFeature::kAbsent;
  facts.kernel_features["vxlan"] = KernelFeature::kAbsent;
  facts.kernel_features["bridge"] = KernelFeature::kUnknown;
  auto results = evaluate(facts);
  const CheckResult& veth = find(results, "kernel veth (pod network)");
  EXPECT_EQ(veth.verdict, Verdict::kMissing);
  EXPECT_NE(veth.fix.find("CONFIG_VETH"), std::string::npos);
  // vxlan only carries pods across nodes: host-gw does without it.
  const CheckResult& vxlan = find(results, "kernel vxlan (pods across nodes)");
  EXPECT_EQ(vxlan.verdict, Verdict::kWarn);
  EXPECT_NE(vxlan.fix.find("--network-backend host-gw"), std::string::npos);
  const CheckResult& bridge = find(results, "kernel bridge (pod network)");
  EXPECT_EQ(bridge.verdict, Verdict::kWarn);
  EXPECT_NE(bridge.fix.find("modprobe bridge"), std::string::npos);
  EXPECT_EQ(exit_code(results), 1);
}

TEST(HostChecks, MissingToolsSayWhichPackage) {
  HostFacts facts = healthy_host();
  facts.podman = {};
  facts.catatonit = {};
  facts.nft = {};
  auto results = evaluate(facts);
  EXPECT_EQ(find(results, "podman").verdict, Verdict::kMissing);
  EXPECT_EQ(find(results, "podman").fix, "apt-get install podman");
  EXPECT_EQ(find(results, "catatonit").fix, "apt-get install catatonit");
  EXPECT_EQ(find(results, "nft command").verdict, Verdict::kWarn);
  EXPECT_NE(find(results, "nft command").fix.find("apt-get install nftables"), std::string::npos);
}

TEST(HostChecks, PortInUseIsAWarningNamingThePort) {
  HostFacts facts = healthy_host();
  facts.ports[443] = {PortState::kInUse, {}};
  facts.ports[80] = {PortState::kNoPermission, {}};
  auto results = evaluate(facts);
  const CheckResult& https = find(results, "port 443 (the ingress, HTTPS)");
  EXPECT_EQ(https.verdict, Verdict::kWarn);
  EXPECT_EQ(https.detail, "in use");
  EXPECT_NE(https.fix.find("ss -ltnp 'sport = :443'"), std::string::npos);
  EXPECT_EQ(find(results, "port 80 (the ingress, HTTP)").detail, "cannot test without root");
  EXPECT_EQ(find(results, "port 6443 (the API)").verdict, Verdict::kOk);
  EXPECT_EQ(exit_code(results), 0);
}

TEST(HostChecks, IpForwardOffAndNotRootAreWarnings) {
  HostFacts facts = healthy_host();
  facts.ip_forward = false;
  facts.root = false;
  auto results = evaluate(facts);
  EXPECT_EQ(find(results, "net.ipv4.ip_forward").verdict, Verdict::kWarn);
  EXPECT_NE(find(results, "net.ipv4.ip_forward").fix.find("/etc/sysctl.d/"), std::string::npos);
  EXPECT_EQ(find(results, "running as root").verdict, Verdict::kWarn);
  EXPECT_EQ(exit_code(results), 0);
}

TEST(HostChecks, ReportLinesHaveNameVerdictAndDetail) {
  HostFacts facts = healthy_host();
  facts.runc = {};
  std::string report = format_report(evaluate(facts));
  // Aligned columns: the verdict starts at the same place on every line.
  std::size_t podman_line = report.find("\npodman ");
  std::size_t runc_line = report.find("\nrunc ");
  ASSERT_NE(podman_line, std::string::npos) << report;
  ASSERT_NE(runc_line, std::string::npos) << report;
  EXPECT_EQ(report.find("OK", podman_line) - podman_line,
            report.find("MISSING", runc_line) - runc_line)
      << report;
  EXPECT_NE(report.find("fix: apt-get install runc"), std::string::npos) << report;
}

}  // namespace
}  // namespace skiff::agent::hostcheck
