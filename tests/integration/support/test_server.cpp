#include "tests/integration/support/test_server.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace skiff::testing {

namespace fs = std::filesystem;

namespace {

// What http() needs to reach a running TestServer as its admin.
struct ServerCredentials {
  std::string ca_file;
  std::string admin_cert_file;
  std::string admin_key_file;
};

// Running TestServers by base URL ("https://127.0.0.1:PORT"). Several servers may run at once
// in one test, and tests may use http() from several threads.
class ServerRegistry {
 public:
  static ServerRegistry& instance() {
    static ServerRegistry registry;
    return registry;
  }
  void add(const std::string& base_url, ServerCredentials credentials) {
    std::lock_guard lock(mutex_);
    servers_[base_url] = std::move(credentials);
  }
  void remove(const std::string& base_url) {
    std::lock_guard lock(mutex_);
    servers_.erase(base_url);
  }
  // The server `url` points at (its base URL followed by a path, query or nothing), if any.
  std::optional<ServerCredentials> find(const std::string& url) const {
    std::lock_guard lock(mutex_);
    for (const auto& [base, credentials] : servers_) {
      if (url.compare(0, base.size(), base) != 0) continue;
      if (url.size() == base.size() || url[base.size()] == '/' || url[base.size()] == '?')
        return credentials;
    }
    return std::nullopt;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, ServerCredentials> servers_;
};

std::string trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  size_t first = 0;
  while (first < text.size() && std::isspace(static_cast<unsigned char>(text[first]))) ++first;
  return text.substr(first);
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "skiff-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

// A port below Linux's ephemeral range (32768-60999), where the parallel tests' outgoing
// connections take their local ports: a port the kernel hands out for bind(0) is as likely to be
// taken by some test's client socket before the server binds it.
int free_port() {
  static std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> below_ephemeral(20000, 32767);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int port = below_ephemeral(random);
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (bound) return port;
  }
  throw std::runtime_error("no free port in 20000-32767 after 100 tries");
}

void exec_child(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  for (const auto& entry : env) putenv(const_cast<char*>(entry.c_str()));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input,
                          int timeout_seconds, const std::vector<std::string>& env) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) || pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC))
    throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    exec_child(argv, env);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  // Feed stdin from a thread so a child that writes a lot before reading cannot deadlock us.
  std::thread feeder([fd = in_pipe[1], input] {
    size_t off = 0;
    signal(SIGPIPE, SIG_IGN);
    while (off < input.size()) {
      ssize_t n = write(fd, input.data() + off, input.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    close(fd);
  });
  CommandResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    int ready = poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000)));
    if (ready <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buffer[65536];
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      }
    }
  }
  for (auto& p : fds)
    if (p.fd >= 0) close(p.fd);
  int status = 0;
  waitpid(pid, &status, 0);
  feeder.join();
  if (timed_out) {
    result.exit_code = -1;
    result.err += "\n[test] command timed out after " + std::to_string(timeout_seconds) + "s";
  } else {
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return result;
}

std::vector<std::string> in_netns(const std::string& netns, std::vector<std::string> argv) {
  if (netns.empty()) return argv;
  std::vector<std::string> wrapped = {"/usr/bin/nsenter", "--net=/run/netns/" + netns, "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

TestServer::TestServer(std::vector<std::string> extra_flags, std::string data_dir,
                       std::string netns)
    : data_dir_(data_dir.empty() ? owned_dir_.path() + "/data" : std::move(data_dir)),
      extra_flags_(std::move(extra_flags)),
      netns_(std::move(netns)) {
  port_ = free_port();
  url_ = "https://127.0.0.1:" + std::to_string(port_);
  log_path_ = owned_dir_.path() + "/server.log";
  cache_dir_ = owned_dir_.path() + "/kube-cache";
  // Written by the server itself (--write-kubeconfig) before it reports ready.
  kubeconfig_ = owned_dir_.path() + "/admin-kubeconfig.yaml";
  // Another test may take the port between free_port() and the server's bind: pick again (only
  // before the first start; a restart must keep the URL).
  for (int attempt = 1;; ++attempt) {
    try {
      start();
      return;
    } catch (const std::runtime_error& e) {
      if (attempt == 3 || std::string(e.what()).find("Address already in use") == std::string::npos)
        throw;
      port_ = free_port();
      url_ = "https://127.0.0.1:" + std::to_string(port_);
    }
  }
}

TestServer::~TestServer() {
  stop(SIGTERM);
  ServerRegistry::instance().remove(url_);
}

std::string TestServer::node_token() const {
  const std::string path = data_dir_ + "/server/node-token";
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read the join token " + path);
  std::stringstream text;
  text << file.rdbuf();
  return trimmed(text.str());
}

std::string TestServer::ca_file() const {
  return data_dir_ + "/server/tls/server-ca.crt";
}

std::string TestServer::admin_cert_file() const {
  return data_dir_ + "/server/tls/client-admin.crt";
}

std::string TestServer::admin_key_file() const {
  return data_dir_ + "/server/tls/client-admin.key";
}

http::ClientOptions TestServer::admin_client_options() const {
  http::ClientOptions options;
  options.ca_file = ca_file();
  options.client_cert_file = admin_cert_file();
  options.client_key_file = admin_key_file();
  return options;
}

void TestServer::start() {
  if (pid_ > 0) return;
  std::string ready_file = owned_dir_.path() + "/ready";
  fs::remove(ready_file);
  std::vector<std::string> argv = {SKIFF_BINARY,
                                   "server",
                                   "--disable-agent",
                                   "--data-dir",
                                   data_dir_,
                                   "--bind-address",
                                   "127.0.0.1",
                                   "--https-listen-port",
                                   std::to_string(port_),
                                   "--ready-file",
                                   ready_file,
                                   "--write-kubeconfig",
                                   kubeconfig_};
  const std::string node_ready_file = owned_dir_.path() + "/node-ready";
  fs::remove(node_ready_file);
  argv.insert(argv.end(), {"--node-ready-file", node_ready_file});
  if (std::find(extra_flags_.begin(), extra_flags_.end(), "--node-port") == extra_flags_.end()) {
    argv.insert(argv.end(), {"--node-port", "0"});  // parallel tests must not share 6444
  }
  argv.insert(argv.end(), extra_flags_.begin(), extra_flags_.end());
  argv = in_netns(netns_, std::move(argv));
  pid_ = fork();
  if (pid_ == 0) {
    int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::ifstream log(log_path_);
      std::string text((std::istreambuf_iterator<char>(log)), {});
      throw std::runtime_error("skiff server exited during start-up:\n" + text);
    }
    if (fs::exists(ready_file)) {
      std::ifstream(node_ready_file) >> node_port_;  // written before the API's ready file
      ServerRegistry::instance().add(url_, {ca_file(), admin_cert_file(), admin_key_file()});
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop(SIGKILL);
  throw std::runtime_error("skiff server did not become ready within 30s");
}

void TestServer::stop(int signal_number) {
  if (pid_ <= 0) return;
  kill(pid_, signal_number);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

CommandResult TestServer::skiff_kubectl(const std::vector<std::string>& args,
                                        const std::string& input) {
  std::vector<std::string> argv = {SKIFF_BINARY, "kubectl", "--kubeconfig", kubeconfig_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(in_netns(netns_, std::move(argv)), input);
}

CommandResult TestServer::kubectl(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> argv = {"/usr/bin/kubectl", "--kubeconfig", kubeconfig_, "--cache-dir",
                                   cache_dir_};
  argv.insert(argv.end(), args.begin(), args.end());
  // HOME points into the temp dir so the gcloud dispatcher's cache stays out of the real home.
  return run_command(in_netns(netns_, std::move(argv)), input, 60, {"HOME=" + owned_dir_.path()});
}

Json TestServer::get_json(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"get"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"-o", "json"});
  CommandResult result = kubectl(argv);
  if (result.exit_code != 0) return nullptr;
  Json parsed = Json::parse(result.out, nullptr, false);
  return parsed.is_discarded() ? Json(nullptr) : parsed;
}

bool TestServer::node_ready(const std::string& node) {
  Json json = get_json({"node", node});
  if (!json.is_object()) return false;
  for (const auto& condition : json["status"].value("conditions", Json::array()))
    if (condition.value("type", "") == "Ready") return condition.value("status", "") == "True";
  return false;
}

namespace {

size_t append_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t append_header(char* data, size_t size, size_t count, void* user) {
  std::string line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    auto trim = [](std::string& s) {
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
    };
    trim(name);
    trim(value);
    static_cast<HttpResult*>(user)->headers.emplace_back(name, value);
  }
  return size * count;
}

}  // namespace

std::string HttpResult::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        }))
      return value;
  }
  return "";
}

HttpResult http(const std::string& method, const std::string& url, const std::string& body,
                const std::vector<std::string>& headers, bool as_admin) {
  HttpResult result;
  CURL* curl = curl_easy_init();
  curl_slist* header_list = nullptr;
  bool has_content_type = false;
  for (const auto& h : headers) {
    header_list = curl_slist_append(header_list, h.c_str());
    if (h.rfind("Content-Type:", 0) == 0) has_content_type = true;
  }
  if (!body.empty() && !has_content_type)
    header_list = curl_slist_append(header_list, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  if (const auto server = ServerRegistry::instance().find(url)) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, server->ca_file.c_str());
    if (as_admin) {
      curl_easy_setopt(curl, CURLOPT_SSLCERT, server->admin_cert_file.c_str());
      curl_easy_setopt(curl, CURLOPT_SSLKEY, server->admin_key_file.c_str());
    }
  } else {
    // Not a TestServer's URL (a pod, a test backend): nothing to verify it with.
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  curl_slist_free_all(header_list);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK)
    throw std::runtime_error(std::string("http ") + method + " " + url + ": " +
                             curl_easy_strerror(code));
  return result;
}

}  // namespace skiff::testing
