#include "agent/pods/runtime_probe_runner.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pkg/http/client.h"

namespace skiff::agent::pods {
namespace {

ProbeOutcome failure(std::string message) {
  return {ProbeResult::Failure, std::move(message)};
}

std::string host_for_url(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// Closes the socket on every path out.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

ProbeOutcome RuntimeProbeRunner::run(ProbeType type, const ProbeSpec& probe,
                                     const ProbeTarget& target) {
  switch (probe.kind) {
    case ProbeSpec::Kind::Exec:
      return exec(probe, target);
    case ProbeSpec::Kind::HttpGet:
      return http_get_probe(probe, target.pod_ip);
    case ProbeSpec::Kind::TcpSocket:
      return tcp_socket_probe(probe, target.pod_ip);
  }
  return failure("unknown probe kind");
}

ProbeOutcome RuntimeProbeRunner::exec(const ProbeSpec& probe, const ProbeTarget& target) {
  try {
    runtime::ExecResult result =
        runtime_.exec_sync(target.container_id, probe.command,
                           std::chrono::duration_cast<std::chrono::milliseconds>(probe.timeout));
    if (result.exit_code == 0) return {ProbeResult::Success, ""};
    std::string output = result.stdout_text + result.stderr_text;
    return failure("command exited with " + std::to_string(result.exit_code) +
                   (output.empty() ? "" : ": " + output));
  } catch (const runtime::RuntimeError& error) {
    if (error.code() == runtime::ErrorCode::DeadlineExceeded)
      return failure("command timed out after " + std::to_string(probe.timeout.count()) + "s");
    return failure(error.what());
  }
}

ProbeOutcome http_get_probe(const ProbeSpec& probe, const std::string& pod_ip) {
  const std::string host = probe.host.empty() ? pod_ip : probe.host;
  if (host.empty()) return failure("the pod has no IP yet");
  const std::string scheme = probe.scheme == "HTTPS" ? "https" : "http";
  const std::string url =
      scheme + "://" + host_for_url(host) + ":" + std::to_string(probe.port) + probe.path;
  http::ClientOptions options;
  options.insecure_skip_tls_verify = true;
  options.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(probe.timeout);
  options.request_timeout = options.connect_timeout;
  options.user_agent = "kube-probe/1.32";
  try {
    http::HttpClient client(options);
    http::ClientResponse response = client.request("GET", url, {}, probe.headers);
    if (response.status >= 200 && response.status < 400) return {ProbeResult::Success, ""};
    return failure("HTTP probe failed with statuscode: " + std::to_string(response.status));
  } catch (const std::exception& error) {
    return failure(std::string("Get \"") + url + "\": " + error.what());
  }
}

ProbeOutcome tcp_socket_probe(const ProbeSpec& probe, const std::string& pod_ip) {
  const std::string host = probe.host.empty() ? pod_ip : probe.host;
  if (host.empty()) return failure("the pod has no IP yet");
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(probe.port);
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return failure("dial tcp " + host + ":" + port + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);

  Socket socket(::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (socket.fd() < 0) return failure(std::string("socket: ") + std::strerror(errno));
  const std::string target = host_for_url(host) + ":" + port;
  if (connect(socket.fd(), found->ai_addr, found->ai_addrlen) == 0)
    return {ProbeResult::Success, ""};
  if (errno != EINPROGRESS) return failure("dial tcp " + target + ": " + std::strerror(errno));
  pollfd waiting{socket.fd(), POLLOUT, 0};
  const int timeout_ms = static_cast<int>(probe.timeout.count() * 1000);
  int ready;
  do {
    ready = poll(&waiting, 1, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  if (ready == 0) return failure("dial tcp " + target + ": i/o timeout");
  int error = 0;
  socklen_t length = sizeof error;
  getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &error, &length);
  if (ready < 0 || error != 0)
    return failure("dial tcp " + target + ": " + std::strerror(error ? error : errno));
  return {ProbeResult::Success, ""};
}

}  // namespace skiff::agent::pods
