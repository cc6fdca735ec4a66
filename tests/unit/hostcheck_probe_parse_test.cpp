// The parsers behind `skiff check-config`'s probing, over the text of real hosts' files: cgroup
// layouts from /proc/mounts, the Raspberry Pi's disabled memory controller in /proc/cgroups,
// module lists with compressed modules.
#include <gtest/gtest.h>

#include "agent/hostcheck/host_probe.h"

namespace skiff::agent::hostcheck {
namespace {

TEST(HostProbeParse, CgroupLayoutFromMounts) {
  std::string point;
  EXPECT_EQ(cgroup_mode_from_mounts("sysfs /sys sysfs rw 0 0\n"
                                    "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n",
                                    &point),
            CgroupMode::kV2);
  EXPECT_EQ(point, "/sys/fs/cgroup");
  EXPECT_EQ(cgroup_mode_from_mounts("tmpfs /sys/fs/cgroup tmpfs ro 0 0\n"
                                    "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n"
                                    "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n",
                                    &point),
            CgroupMode::kHybrid);
  EXPECT_EQ(cgroup_mode_from_mounts("cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n", nullptr),
            CgroupMode::kV1);
  EXPECT_EQ(cgroup_mode_from_mounts("proc /proc proc rw 0 0\n", &point), CgroupMode::kNone);
  EXPECT_EQ(point, "");
  EXPECT_EQ(cgroup_mode_from_mounts("", nullptr), CgroupMode::kNone);
}

TEST(HostProbeParse, RaspberryPiListsMemoryAsDisabled) {
  // /proc/cgroups of Raspberry Pi OS before cgroup_enable=memory.
  const std::string proc_cgroups =
      "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
      "cpuset\t0\t65\t1\n"
      "cpu\t0\t65\t1\n"
      "memory\t0\t65\t0\n"
      "pids\t0\t65\t1\n";
  EXPECT_EQ(enabled_v1_controllers(proc_cgroups), (std::set<std::string>{"cpuset", "cpu", "pids"}));
  EXPECT_TRUE(enabled_v1_controllers("garbage\n\n#\n").empty());
}

TEST(HostProbeParse, ModuleListsNameModulesByFileName) {
  const std::string dep =
      "kernel/drivers/net/vxlan/vxlan.ko.xz: kernel/net/ipv4/udp_tunnel.ko.xz\n"
      "kernel/net/bridge/br_netfilter.ko.xz: kernel/net/bridge/bridge.ko.xz\n"
      "kernel/net/netfilter/nf_tables.ko.zst: kernel/lib/libcrc32c.ko\n";
  EXPECT_TRUE(module_listed(dep, "vxlan"));
  EXPECT_TRUE(module_listed(dep, "nf_tables"));
  // bridge.ko appears only as a dependency, br_netfilter is another module.
  EXPECT_FALSE(module_listed(dep, "bridge"));
  EXPECT_FALSE(module_listed(dep, "veth"));
  EXPECT_FALSE(module_listed(dep, "nf_table"));
  const std::string builtin = "kernel/drivers/net/veth.ko\nkernel/net/bridge/bridge.ko\n";
  EXPECT_TRUE(module_listed(builtin, "veth"));
  EXPECT_TRUE(module_listed(builtin, "bridge"));
}

TEST(HostProbeParse, ProbingThisHostDoesNotThrow) {
  // Whatever this machine lacks is a fact, not an exception; a port probe gives one state.
  HostFacts facts = probe_host({});
  EXPECT_TRUE(facts.ports.empty());
  EXPECT_FALSE(facts.kernel_release.empty());
  EXPECT_EQ(facts.namespaces.size(), 5u);
}

}  // namespace
}  // namespace skiff::agent::hostcheck
