#include "tests/integration/support/agent_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/support/test_server.h"

namespace skiff::testing {

AgentProcess::AgentProcess(std::vector<std::string> argv, std::string log_path)
    : argv_(std::move(argv)), log_path_(std::move(log_path)) {
  start();
}

AgentProcess::~AgentProcess() {
  stop();
}

void AgentProcess::start() {
  if (pid_ > 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    const int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    exec_child(argv_);
  }
}

void AgentProcess::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string AgentProcess::log() const {
  return run_command({"cat", log_path_}).out;
}

}  // namespace skiff::testing
