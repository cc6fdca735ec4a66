#include "agent/runtime/podman/podman_service.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "agent/runtime/podman/podman_client.h"
#include "agent/runtime/runtime.h"

extern char** environ;

namespace skiff::agent::runtime::podman {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> entries;
  auto add = [&](const std::string& entry) {
    const size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) return;
    entries[entry.substr(0, equals)] = entry;
  };
  for (char** entry = environ; entry && *entry; ++entry) add(*entry);
  for (const auto& entry : extra) add(entry);
  std::vector<std::string> out;
  for (auto& [name, entry] : entries) out.push_back(std::move(entry));
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& text : strings) out.push_back(text.data());
  out.push_back(nullptr);
  return out;
}

// The last lines the child wrote, for an error message.
std::string tail_of(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
  return text.empty() ? "" : " (its output: " + text + ")";
}

}  // namespace

bool podman_socket_answers(const std::string& socket_path) {
  if (!std::filesystem::exists(socket_path)) return false;
  try {
    PodmanClient client(socket_path);
    return client.request("GET", "/_ping", {}, std::chrono::seconds(2)).status == 200;
  } catch (const RuntimeError&) {
    return false;
  }
}

std::unique_ptr<PodmanService> ensure_podman_service(const PodmanServiceOptions& options) {
  if (podman_socket_answers(options.socket_path)) return nullptr;
  return std::make_unique<PodmanService>(options);
}

PodmanService::PodmanService(PodmanServiceOptions options) : options_(std::move(options)) {
  namespace fs = std::filesystem;
  std::error_code ignored;
  const fs::path socket(options_.socket_path);
  if (socket.has_parent_path()) fs::create_directories(socket.parent_path(), ignored);
  if (podman_socket_answers(options_.socket_path))
    throw RuntimeError(ErrorCode::AlreadyExists,
                       "a podman service already answers on " + options_.socket_path);
  fs::remove(socket, ignored);  // a stale socket file would make the ping below lie

  // Everything the child needs is prepared before fork(): after it, only exec-safe calls.
  std::vector<std::string> argv{options_.podman_binary};
  argv.insert(argv.end(), options_.global_args.begin(), options_.global_args.end());
  for (const char* arg : {"system", "service", "--time=0"}) argv.emplace_back(arg);
  argv.push_back("unix://" + options_.socket_path);
  std::vector<std::string> env = child_environment(options_.extra_env);
  std::vector<char*> argv_pointers = pointers(argv);
  std::vector<char*> env_pointers = pointers(env);
  const std::string log_path = options_.log_path.empty() ? "/dev/null" : options_.log_path;
  const pid_t parent = getpid();

  pid_ = fork();
  if (pid_ < 0) throw RuntimeError(ErrorCode::Internal, "podman service: fork failed");
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);  // the parent died before prctl took effect
    setpgid(0, 0);  // our own process group: a terminal's Ctrl-C is the agent's to handle
    const int null_in = open("/dev/null", O_RDONLY);
    const int out = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_in >= 0) dup2(null_in, 0);
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
    execvpe(argv_pointers[0], argv_pointers.data(), env_pointers.data());
    _exit(127);
  }

  const auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw RuntimeError(ErrorCode::Unavailable, "podman service on " + options_.socket_path +
                                                     " exited at start" +
                                                     tail_of(options_.log_path));
    }
    if (podman_socket_answers(options_.socket_path)) return;
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      throw RuntimeError(ErrorCode::Unavailable,
                         "podman service on " + options_.socket_path + " did not answer within " +
                             std::to_string(options_.ready_timeout.count()) + " ms" +
                             tail_of(options_.log_path));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

PodmanService::~PodmanService() {
  stop();
}

void PodmanService::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + options_.stop_grace;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  pid_ = -1;
  std::error_code ignored;
  std::filesystem::remove(options_.socket_path, ignored);
}

}  // namespace skiff::agent::runtime::podman
