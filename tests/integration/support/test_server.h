#pragma once
// Integration-test support: a real `skiff server` in a temp data dir on a free port, and helpers
// to run commands (skiff kubectl, the real kubectl, curl) against it. Everything started here is
// stopped and removed in destructors, also when a test fails.
//
// The server speaks HTTPS only and wants every API request authenticated. Tests act as the
// admin unless they ask otherwise: both kubectl clients use the kubeconfig the server wrote
// (its CA, the admin's client certificate), http() sends the admin's certificate to a running
// TestServer's URL, and admin_client_options() gives the same to an http::HttpClient. An
// anonymous request is http(..., /*as_admin=*/false).
#include <sys/types.h>

#include <string>
#include <vector>

#include "pkg/api/json.h"
#include "pkg/http/client.h"

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

  // https://127.0.0.1:PORT (inside the network namespace when there is one).
  const std::string& url() const { return url_; }
  int port() const { return port_; }
  // The node service's port (agents dial it), as the server bound it.
  int node_port() const { return node_port_; }
  const std::string& data_dir() const { return data_dir_; }
  // The admin kubeconfig the server itself wrote (--write-kubeconfig): its CA and the admin's
  // client certificate embedded, exactly what a user gets. Both kubectl clients use it.
  const std::string& kubeconfig() const { return kubeconfig_; }
  // The full join token agents need (K10<CA hash>::server:<secret>), read from
  // <data-dir>/server/node-token; with `--token X` among the flags its secret is X.
  std::string node_token() const;
  // Files under <data-dir>/server/tls/: the CA that signed the serving certificate, and the
  // admin's client certificate (CN system:admin, O system:masters) and key.
  std::string ca_file() const;
  std::string admin_cert_file() const;
  std::string admin_key_file() const;
  // For an http::HttpClient acting as the admin: verifies the server with ca_file() and
  // presents the admin certificate.
  http::ClientOptions admin_client_options() const;
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

// Minimal HTTP client for tests (libcurl): method and absolute URL.
struct HttpResult {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(const std::string& name) const;  // case-insensitive, "" if absent
};
// A URL on a running TestServer (each registers its https://127.0.0.1:PORT from start() until
// it is destroyed) is verified with that server's CA and, when `as_admin`, carries the admin's
// client certificate; `as_admin = false` sends the request anonymously (no certificate, so the
// server answers 401 except on its anonymous paths). Any other https URL is not verified.
// Throws std::runtime_error on a transport failure (refused, TLS, timeout).
HttpResult http(const std::string& method, const std::string& url, const std::string& body = "",
                const std::vector<std::string>& headers = {}, bool as_admin = true);

}  // namespace skiff::testing
