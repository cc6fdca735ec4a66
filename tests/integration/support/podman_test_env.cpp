#include "tests/integration/support/podman_test_env.h"

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "agent/runtime/podman/podman_runtime.h"

namespace skiff::testing {
namespace {

namespace fs = std::filesystem;
namespace rt = agent::runtime;

constexpr const char* kBusybox = "/bin/busybox";  // from busybox-static
constexpr const char* kApplets[] = {
    "sh",    "echo",  "sleep", "cat",    "ls",       "httpd",    "env",  "id",   "true",
    "false", "seq",   "kill",  "ps",     "wget",     "pwd",      "test", "head", "tail",
    "date",  "mkdir", "chmod", "printf", "hostname", "nslookup", "cut",  "grep"};

// This machine's limits do not fit podman's default ulimits, and crun is not installed: the test
// brings its own containers.conf (the product never writes or assumes one).
constexpr const char* kContainersConf = R"([engine]
runtime = "runc"

[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
)";

// Podman's overlay driver bind-mounts its storage folder onto itself (and container layers under
// it while they run); those mounts outlive the service and would keep the temp folder from being
// deleted. Deepest first.
void unmount_everything_under(const std::string& folder) {
  std::ifstream mounts("/proc/self/mounts");
  std::vector<std::string> points;
  std::string device, point, rest;
  while (mounts >> device >> point && std::getline(mounts, rest))
    if (point.starts_with(folder + "/")) points.push_back(point);
  std::sort(points.begin(), points.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& mount_point : points) umount2(mount_point.c_str(), MNT_DETACH);
}

bool runs(const std::vector<std::string>& argv) {
  try {
    return run_command(argv, "", 30).exit_code == 0;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

std::string PodmanTestEnv::unavailable_reason() {
  if (geteuid() != 0) return "podman tests need root (rootful podman with a bridge network)";
  if (!runs({"podman", "--version"}))
    return "podman is not installed (apt-get install podman runc busybox-static)";
  if (!runs({"runc", "--version"}))
    return "runc is not installed (apt-get install podman runc busybox-static)";
  if (!fs::exists(kBusybox))
    return std::string(kBusybox) + " is missing (apt-get install busybox-static)";
  return "";
}

PodmanTestEnv::PodmanTestEnv(std::string netns) : netns_(std::move(netns)) {
  const fs::path root(dir_.path());
  const std::string conf = (root / "containers.conf").string();
  // Networks this podman creates (the agent's pod network) are its own, not the host's.
  std::ofstream(conf) << kContainersConf << "\n[network]\nnetwork_config_dir = \""
                      << (root / "networks").string() << "\"\n";
  env_ = {"CONTAINERS_CONF=" + conf};
  global_args_ = {"--root",   (root / "storage").string(), "--runroot", (root / "run").string(),
                  "--tmpdir", (root / "tmp").string()};
  socket_path_ = (root / "podman.sock").string();

  agent::runtime::podman::PodmanServiceOptions options;
  options.socket_path = socket_path_;
  options.global_args = global_args_;
  if (!netns_.empty()) {
    // podman's service, and so the bridges and firewall rules of its networks, in the namespace.
    options.global_args = in_netns(netns_, {"podman"});
    options.podman_binary = options.global_args.front();
    options.global_args.erase(options.global_args.begin());
    options.global_args.insert(options.global_args.end(), global_args_.begin(), global_args_.end());
  }
  options.extra_env = env_;
  options.log_path = (root / "podman-service.log").string();
  try {
    service_ = std::make_unique<agent::runtime::podman::PodmanService>(options);
    import_busybox_image();
  } catch (const std::exception& error) {
    // No destructor runs for a half-built object: undo here.
    service_.reset();
    unmount_everything_under(dir_.path());
    throw std::runtime_error(std::string("setting up podman: ") + error.what());
  }
}

// busybox-static and a link per applet, imported as a one-layer image.
void PodmanTestEnv::import_busybox_image() {
  const fs::path root(dir_.path());
  const fs::path rootfs = root / "rootfs";
  fs::create_directories(rootfs / "bin");
  fs::create_directories(rootfs / "tmp");
  fs::copy_file(kBusybox, rootfs / "bin" / "busybox");
  for (const char* applet : kApplets) fs::create_symlink("busybox", rootfs / "bin" / applet);
  const std::string tarball = (root / "busybox.tar").string();
  CommandResult tar = run_command({"tar", "-C", rootfs.string(), "-cf", tarball, "."});
  if (tar.exit_code != 0) throw std::runtime_error("tar failed: " + tar.err);
  CommandResult imported = podman(
      {"import", "--change", "CMD [\"/bin/sh\"]", "--change", "ENV PATH=/bin", tarball, image_});
  if (imported.exit_code != 0) throw std::runtime_error("podman import failed: " + imported.err);
}

PodmanTestEnv::~PodmanTestEnv() {
  try {
    remove_everything();
  } catch (const std::exception&) {
    // Best effort: the service stops and the folder goes below anyway.
  }
  service_.reset();
  unmount_everything_under(dir_.path());
}

void PodmanTestEnv::remove_everything() {
  // The storage is private to this environment, so everything in it is the test's.
  rt::podman::PodmanRuntime runtime({socket_path_});
  for (const auto& sandbox : runtime.list_pod_sandboxes({})) runtime.remove_pod_sandbox(sandbox.id);
  for (const auto& container : runtime.list_containers({})) runtime.remove_container(container.id);
  for (const auto& image : runtime.list_images()) runtime.remove_image(image.id);
}

CommandResult PodmanTestEnv::podman(const std::vector<std::string>& args,
                                    int timeout_seconds) const {
  std::vector<std::string> argv{"podman"};
  argv.insert(argv.end(), global_args_.begin(), global_args_.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(in_netns(netns_, std::move(argv)), "", timeout_seconds, env_);
}

std::unique_ptr<PodmanTestEnv>& PodmanTest::shared() {
  static std::unique_ptr<PodmanTestEnv> env;
  return env;
}

std::string& PodmanTest::setup_error() {
  static std::string error;
  return error;
}

void PodmanTest::SetUpTestSuite() {
  if (!PodmanTestEnv::unavailable_reason().empty()) return;
  try {
    shared() = std::make_unique<PodmanTestEnv>();
  } catch (const std::exception& error) {
    setup_error() = error.what();
  }
}

void PodmanTest::TearDownTestSuite() {
  shared().reset();
}

void PodmanTest::SetUp() {
  if (std::string reason = PodmanTestEnv::unavailable_reason(); !reason.empty())
    GTEST_SKIP() << reason;
  ASSERT_TRUE(shared()) << setup_error();
}

PodmanTestEnv& PodmanTest::env() {
  return *shared();
}

bool PodmanTest::has_env() {
  return shared() != nullptr;
}

}  // namespace skiff::testing
