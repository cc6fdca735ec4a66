#pragma once
// Running iproute2's `ip` and `bridge`: the seam between the pod routes and the kernel.
// IpCommand is the real one (a child process); unit tests of the applier use a fake.
//
// Contract: run() executes argv (argv[0] is "ip" or "bridge") with `input` on stdin (for
// `-batch -`) and returns the exit code and output; a failing command is a result, never an
// exception. It throws ChildProcessError only when the program cannot be started.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/network/child_process.h"

namespace skiff::agent::network {

class IpRunner {
 public:
  virtual ~IpRunner() = default;
  virtual ChildResult run(const std::vector<std::string>& argv, std::string_view input = {}) = 0;
};
using IpRunnerPtr = std::unique_ptr<IpRunner>;

class IpCommand : public IpRunner {
 public:
  // `prefix` goes before every command: empty runs in this process's network namespace; a test
  // passes {"ip", "netns", "exec", NAME} to act inside a namespace of its own.
  explicit IpCommand(std::vector<std::string> prefix = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ChildResult run(const std::vector<std::string>& argv, std::string_view input = {}) override;

 private:
  std::vector<std::string> prefix_;
  std::chrono::milliseconds timeout_;
};

}  // namespace skiff::agent::network
