#include "tests/integration/support/streaming_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "tests/integration/support/test_server.h"

namespace skiff::testing {

using Clock = std::chrono::steady_clock;

StreamingCommand::StreamingCommand(const std::vector<std::string>& argv,
                                   const std::vector<std::string>& env) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    exec_child(argv, env);
  }
  close(out[1]);
  close(err[1]);
  out_ = out[0];
  err_ = err[0];
}

StreamingCommand::~StreamingCommand() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_ >= 0) close(out_);
  if (err_ >= 0) close(err_);
}

std::optional<std::string> StreamingCommand::read_line(std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || out_ < 0) return std::nullopt;
    pollfd fd{out_, POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[4096];
    ssize_t n = read(out_, chunk, sizeof chunk);
    if (n <= 0) {
      close(out_);
      out_ = -1;
      continue;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

int StreamingCommand::finish(std::chrono::seconds timeout, std::vector<std::string>& lines,
                             std::string& err) {
  const auto deadline = Clock::now() + timeout;
  while (auto line = read_line(std::chrono::duration_cast<std::chrono::seconds>(
             std::max(Clock::duration::zero(), deadline - Clock::now()))))
    lines.push_back(*line);
  char chunk[4096];
  int flags = fcntl(err_, F_GETFL);
  fcntl(err_, F_SETFL, flags | O_NONBLOCK);
  for (ssize_t n; (n = read(err_, chunk, sizeof chunk)) > 0;)
    err.append(chunk, static_cast<std::size_t>(n));
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) kill(pid_, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace skiff::testing
