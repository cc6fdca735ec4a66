#include "agent/network/child_process.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

extern char** environ;

namespace skiff::agent::network {
namespace {

// A file descriptor closed on destruction.
class OwnedFd {
 public:
  explicit OwnedFd(int fd = -1) : fd_(fd) {}
  ~OwnedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  OwnedFd(OwnedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OwnedFd& operator=(OwnedFd&&) = delete;
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void fail(const std::string& what) {
  throw ChildProcessError(what + ": " + std::strerror(errno));
}

// An anonymous in-memory file: the child reads the script from it and writes its messages to
// another, so there is no pipe to deadlock on and no SIGPIPE when nft stops reading early.
OwnedFd memory_file(const char* name) {
  OwnedFd fd(::memfd_create(name, MFD_CLOEXEC));
  if (fd.get() < 0) fail("memfd_create");
  return fd;
}

void write_all(int fd, std::string_view text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("writing the child's input");
    done += static_cast<size_t>(n);
  }
  if (::lseek(fd, 0, SEEK_SET) < 0) fail("lseek");
}

std::string read_all(int fd) {
  if (::lseek(fd, 0, SEEK_SET) < 0) fail("lseek");
  std::string out;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

// Waits for the child up to `timeout`, then kills it. Returns the exit code, -1 on a timeout
// or a signal.
int wait_with_deadline(pid_t pid, std::chrono::milliseconds timeout) {
  OwnedFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (pidfd.get() >= 0) {
    pollfd watch{pidfd.get(), POLLIN, 0};
    int ready;
    do {
      ready = ::poll(&watch, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail("waitpid");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

ChildResult run_child(const std::vector<std::string>& argv_strings, std::string_view input,
                      std::chrono::milliseconds timeout) {
  if (argv_strings.empty()) throw ChildProcessError("empty command");
  OwnedFd input_file = memory_file("skiff-child-input");
  OwnedFd output_file = memory_file("skiff-child-output");
  write_all(input_file.get(), input);

  std::vector<std::string> copies = argv_strings;
  std::vector<char*> argv;
  for (auto& arg : copies) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, input_file.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output_file.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output_file.get(), STDERR_FILENO);
  pid_t pid = -1;
  int spawned = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    errno = spawned;
    fail("starting " + argv_strings.front());
  }

  ChildResult result;
  result.exit_code = wait_with_deadline(pid, timeout);
  result.output = read_all(output_file.get());
  if (result.exit_code == -1 && result.output.empty())
    result.output = "killed after " + std::to_string(timeout.count()) + " ms";
  return result;
}

}  // namespace skiff::agent::network
