#include "agent/node_info.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <thread>

#include "pkg/api/time.h"
#include "pkg/api/version.h"
#include "pkg/util/files.h"

namespace skiff::agent {
namespace {

constexpr int kMaxPods = 110;  // the kubelet's default --max-pods

// PRETTY_NAME from /etc/os-release ("Debian GNU/Linux 12 (bookworm)").
std::string os_image() {
  std::istringstream lines(util::read_file("/etc/os-release").value_or(""));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string value = line.substr(12);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    return value;
  }
  return "Linux";
}

// Go's GOARCH names, which is what kubectl and nodeSelectors (kubernetes.io/arch) use.
std::string go_arch(const std::string& machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  if (machine.rfind("armv", 0) == 0) return "arm";
  if (machine == "i686" || machine == "i386") return "386";
  return machine;
}

std::string ephemeral_storage() {
  struct statvfs fs {};
  if (statvfs("/", &fs) != 0) return "0";
  const unsigned long long kib = static_cast<unsigned long long>(fs.f_blocks) * fs.f_frsize / 1024;
  return std::to_string(kib) + "Ki";
}

Json condition(const char* type, const char* status, const char* reason, const char* message,
               const std::string& now) {
  return {{"type", type},       {"status", status},         {"reason", reason},
          {"message", message}, {"lastHeartbeatTime", now}, {"lastTransitionTime", now}};
}

}  // namespace

std::string default_node_name() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0) return "localhost";
  std::string name(buffer);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name.empty() ? "localhost" : name;
}

std::string detect_node_ip() {
  // Connecting a UDP socket only picks the route and the source address; no packet is sent.
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return "127.0.0.1";
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(53);
  inet_pton(AF_INET, "192.0.2.1", &remote.sin_addr);  // TEST-NET-1: any off-host address
  std::string ip = "127.0.0.1";
  if (connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) == 0) {
    sockaddr_in local{};
    socklen_t length = sizeof(local);
    char text[INET_ADDRSTRLEN] = {};
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0 &&
        inet_ntop(AF_INET, &local.sin_addr, text, sizeof(text)) != nullptr)
      ip = text;
  }
  close(fd);
  return ip;
}

std::string memory_quantity_from_meminfo(const std::string& meminfo) {
  std::istringstream lines(meminfo);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("MemTotal:", 0) != 0) continue;
    std::istringstream fields(line.substr(9));
    unsigned long long kib = 0;
    if (fields >> kib) return std::to_string(kib) + "Ki";
  }
  return "0";
}

Json node_status(const std::string& node_ip, const runtime::RuntimeVersion& runtime) {
  utsname host{};
  uname(&host);
  const std::string cpus = std::to_string(std::max(1u, std::thread::hardware_concurrency()));
  Json resources = {
      {"cpu", cpus},
      {"memory", memory_quantity_from_meminfo(util::read_file("/proc/meminfo").value_or(""))},
      {"pods", std::to_string(kMaxPods)},
      {"ephemeral-storage", ephemeral_storage()}};
  const std::string now = api::now_rfc3339();
  return {
      {"capacity", resources},
      {"allocatable", resources},
      {"addresses",
       {{{"type", "InternalIP"}, {"address", node_ip}},
        {{"type", "Hostname"}, {"address", default_node_name()}}}},
      {"nodeInfo",
       {{"operatingSystem", "linux"},
        {"architecture", go_arch(host.machine)},
        {"kernelVersion", host.release},
        {"osImage", os_image()},
        {"containerRuntimeVersion", runtime.name + "://" + runtime.version},
        {"kubeletVersion", version::kGitVersion},
        {"kubeProxyVersion", version::kGitVersion},
        {"machineID", ""},
        {"systemUUID", ""},
        {"bootID", ""}}},
      {"conditions",
       {condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                  "skiff agent has sufficient memory available", now),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                  "skiff agent has no disk pressure", now),
        condition("PIDPressure", "False", "KubeletHasSufficientPID",
                  "skiff agent has sufficient PID available", now),
        condition("Ready", "True", "KubeletReady", "skiff agent is posting ready status", now)}}};
}

}  // namespace skiff::agent
