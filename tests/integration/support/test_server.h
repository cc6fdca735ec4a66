#pragma once
// Integration-test support: a real `skiff server` in a temp data dir on a free port, and helpers
// to run commands (skiff kubectl, the real kubectl, curl) against it. Everything started here is
// stopped and removed in destructors, also when a test fails.
#include <sys/types.h>

#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::testing {

// A temporary directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs argv (no shell) with optional stdin; captures stdout and stderr. Kills it after
// `timeout_seconds`.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = "",
                          int timeout_seconds = 60, const std::vector<std::string>& env = {});

// In a forked child: sets `env` ("NAME=value") and execs argv; exits 127 when exec fails.
[[noreturn]] void exec_child(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env = {});

class TestServer {
 public:
  // Starts `skiff server --disable-agent` in `data_dir` (a fresh temp dir when empty) on a free
  // port and waits until /readyz answers. Extra flags are appended (the last value of a flag
  // wins, so `--disable-agent=false` runs the embedded agent). The node service listens on a
  // free port too (--node-port 0) unless the extra flags name one.
  //
  // With `netns` (a namespace name, as NetworkNamespace::name() gives), the server runs inside
  // that network namespace (entered with nsenter, which, unlike `ip netns exec`, keeps
  // /sys/fs/cgroup visible for podman), and so do kubectl() and skiff_kubectl(); url() is then
  // an address inside it.
  explicit TestServer(std::vector<std::string> extra_flags = {}, std::string data_dir = "",
                      std::string netns = "");
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  void stop(int signal_number = 15);  // SIGTERM by default; 9 for a crash
  void start();                       // (re)start on the same data dir and port

  const std::string& url() const { return url_; }
  int port() const { return port_; }
  // The node service's port (agents dial it), as the server bound it.
  int node_port() const { return node_port_; }
  const std::string& data_dir() const { return data_dir_; }
  // A kubeconfig for this server (plain http for now), usable by both kubectl clients.
  const std::string& kubeconfig() const { return kubeconfig_; }
  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return pid_; }

  // skiff kubectl --kubeconfig K args...
  CommandResult skiff_kubectl(const std::vector<std::string>& args, const std::string& input = "");
  // /usr/bin/kubectl --kubeconfig K --cache-dir <temp> args...
  CommandResult kubectl(const std::vector<std::string>& args, const std::string& input = "");
  // `kubectl get ARGS -o json`, parsed; null when kubectl fails (e.g. not found yet).
  Json get_json(const std::vector<std::string>& args);
  // Whether the Node's Ready condition is True.
  bool node_ready(const std::string& node);

 private:
  TempDir owned_dir_;
  std::string data_dir_;
  std::vector<std::string> extra_flags_;
  std::string netns_;
  int port_ = 0;
  int node_port_ = 0;
  std::string url_;
  std::string kubeconfig_;
  std::string log_path_;
  std::string cache_dir_;
  pid_t pid_ = -1;
};

// argv to run inside network namespace `netns` ("" = as it is).
std::vector<std::string> in_netns(const std::string& netns, std::vector<std::string> argv);

// A TCP port that was free a moment ago.
int free_port();

// Minimal HTTP client for tests (libcurl): method, path relative to the server URL.
struct HttpResult {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(const std::string& name) const;  // case-insensitive, "" if absent
};
HttpResult http(const std::string& method, const std::string& url, const std::string& body = "",
                const std::vector<std::string>& headers = {});

}  // namespace skiff::testing
