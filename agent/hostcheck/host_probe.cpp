#include "agent/hostcheck/host_probe.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "pkg/util/files.h"

namespace skiff::agent::hostcheck {
namespace {

bool exists(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

bool executable(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

std::string file_text(const std::string& path) {
  return util::read_file(path).value_or("");
}

// The tool's first `--version` line; empty when it prints nothing or cannot run.
std::string tool_version(const std::string& path) {
  // The path comes from our own lookup (PATH folders and fixed candidates); quote it anyway.
  std::string quoted = "'";
  for (char c : path) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  FILE* pipe = ::popen((quoted + " --version 2>/dev/null </dev/null").c_str(), "r");
  if (!pipe) return {};
  std::string output;
  char buffer[256];
  while (output.size() < 4096 && std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  ::pclose(pipe);
  return first_line(output);
}

// Looks `name` up on PATH, then in the sbin folders (not on a user's PATH) and `extra` paths.
ToolProbe find_tool(const std::string& name, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> candidates;
  const char* path_env = std::getenv("PATH");
  std::istringstream folders(path_env ? path_env : "/usr/local/bin:/usr/bin:/bin");
  std::string folder;
  while (std::getline(folders, folder, ':'))
    if (!folder.empty()) candidates.push_back(folder + "/" + name);
  for (const char* sbin : {"/usr/local/sbin", "/usr/sbin", "/sbin"})
    candidates.push_back(std::string(sbin) + "/" + name);
  candidates.insert(candidates.end(), extra.begin(), extra.end());
  for (const std::string& candidate : candidates) {
    if (executable(candidate)) return {candidate, tool_version(candidate)};
  }
  return {};
}

void probe_cgroups(HostFacts& facts) {
  std::string v2_point;
  facts.cgroup_mode = cgroup_mode_from_mounts(file_text("/proc/mounts"), &v2_point);
  if (facts.cgroup_mode == CgroupMode::kV1 || facts.cgroup_mode == CgroupMode::kHybrid) {
    facts.cgroup_controllers = enabled_v1_controllers(file_text("/proc/cgroups"));
  } else if (facts.cgroup_mode == CgroupMode::kV2) {
    std::istringstream names(file_text(v2_point + "/cgroup.controllers"));
    std::string name;
    while (names >> name) facts.cgroup_controllers.insert(name);
  }
}

void probe_boot(HostFacts& facts) {
  facts.kernel_cmdline = first_line(file_text("/proc/cmdline"));
  facts.kernel_release = first_line(file_text("/proc/sys/kernel/osrelease"));
  facts.raspberry_pi =
      file_text("/proc/device-tree/model").find("Raspberry Pi") != std::string::npos;
  for (const char* file : {"/boot/firmware/cmdline.txt", "/boot/cmdline.txt"}) {
    if (exists(file)) {
      facts.boot_cmdline_file = file;
      break;
    }
  }
}

KernelFeature probe_kernel_feature(const std::string& module, const std::string& proc_modules,
                                   const std::optional<std::string>& builtin,
                                   const std::optional<std::string>& dep) {
  if (exists("/sys/module/" + module)) return KernelFeature::kLoaded;
  std::istringstream lines(proc_modules);
  std::string line;
  while (std::getline(lines, line))
    if (line.compare(0, module.size() + 1, module + " ") == 0) return KernelFeature::kLoaded;
  if (builtin && module_listed(*builtin, module)) return KernelFeature::kBuiltin;
  if (dep && module_listed(*dep, module)) return KernelFeature::kLoadable;
  if (!builtin && !dep) return KernelFeature::kUnknown;
  return KernelFeature::kAbsent;
}

void probe_network(HostFacts& facts) {
  for (const char* ns : {"net", "pid", "ipc", "uts", "mnt"})
    facts.namespaces[ns] = exists(std::string("/proc/self/ns/") + ns);
  facts.nft = find_tool("nft");
  const std::string proc_modules = file_text("/proc/modules");
  const std::string modules_dir = "/lib/modules/" + facts.kernel_release;
  const auto builtin = util::read_file(modules_dir + "/modules.builtin");
  const auto dep = util::read_file(modules_dir + "/modules.dep");
  for (const char* module : {"nf_tables", "bridge", "veth", "vxlan"})
    facts.kernel_features[module] = probe_kernel_feature(module, proc_modules, builtin, dep);
  const std::string forward = first_line(file_text("/proc/sys/net/ipv4/ip_forward"));
  if (forward == "1" || forward == "0") facts.ip_forward = forward == "1";
}

void probe_runtime(HostFacts& facts) {
  facts.podman = find_tool("podman");
  facts.runc = find_tool("runc");
  facts.netavark =
      find_tool("netavark", {"/usr/lib/podman/netavark", "/usr/libexec/podman/netavark"});
  facts.catatonit =
      find_tool("catatonit", {"/usr/libexec/podman/catatonit", "/usr/lib/podman/catatonit"});
}

}  // namespace

CgroupMode cgroup_mode_from_mounts(const std::string& proc_mounts, std::string* v2_mount_point) {
  std::string v2_point;
  bool v1 = false;
  std::istringstream lines(proc_mounts);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string device, point, type;
    if (!(fields >> device >> point >> type)) continue;
    if (type == "cgroup2" && (v2_point.empty() || point == "/sys/fs/cgroup")) v2_point = point;
    if (type == "cgroup") v1 = true;
  }
  if (v2_mount_point) *v2_mount_point = v2_point;
  if (v1) return v2_point.empty() ? CgroupMode::kV1 : CgroupMode::kHybrid;
  return v2_point.empty() ? CgroupMode::kNone : CgroupMode::kV2;
}

std::set<std::string> enabled_v1_controllers(const std::string& proc_cgroups) {
  // "#subsys_name hierarchy num_cgroups enabled"
  std::set<std::string> enabled;
  std::istringstream lines(proc_cgroups);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    long hierarchy = 0;
    long count = 0;
    int on = 0;
    if (fields >> name >> hierarchy >> count >> on && on == 1) enabled.insert(name);
  }
  return enabled;
}

bool module_listed(const std::string& list, const std::string& module) {
  const std::string needle = "/" + module + ".ko";
  std::istringstream lines(list);
  std::string line;
  while (std::getline(lines, line)) {
    std::string path = line.substr(0, line.find(':'));
    std::size_t at = path.rfind('/');
    if (at == std::string::npos || path.compare(at, needle.size(), needle) != 0) continue;
    std::string rest = path.substr(at + needle.size());
    if (rest.empty() || rest[0] == '.') return true;  // "", ".xz", ".zst", ".gz"
  }
  return false;
}

PortProbe probe_port(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {PortState::kError, std::strerror(errno)};
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  PortProbe probe;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    int error = errno;
    if (error == EADDRINUSE)
      probe.state = PortState::kInUse;
    else if (error == EACCES || error == EPERM)
      probe.state = PortState::kNoPermission;
    else
      probe = {PortState::kError, std::strerror(error)};
  }
  ::close(fd);
  return probe;
}

HostFacts probe_host(const std::vector<int>& ports) {
  HostFacts facts;
  probe_cgroups(facts);
  probe_boot(facts);
  probe_network(facts);
  probe_runtime(facts);
  for (int port : ports) facts.ports[port] = probe_port(port);
  facts.root = ::geteuid() == 0;
  return facts;
}

}  // namespace skiff::agent::hostcheck
