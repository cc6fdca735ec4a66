#pragma once
// Running a short command (ip) and collecting its exit code and output: the seam between the DNS
// address helper and the kernel. ProcessRunner is the real one; tests use a fake.
//
// Contract: run() never throws for a failing command (that is a result), only when the process
// cannot be started; a run that passes the timeout is killed and reported as exit code -1.
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace skiff::agent::dns {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual CommandResult run(const std::vector<std::string>& argv) = 0;
};

class ProcessRunner : public CommandRunner {
 public:
  explicit ProcessRunner(std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : timeout_(timeout) {}
  CommandResult run(const std::vector<std::string>& argv) override;

 private:
  std::chrono::milliseconds timeout_;
};

}  // namespace skiff::agent::dns
