#pragma once
// `skiff agent` (or any long-running child) for tests: started at construction with its output
// in a log file, stopped with SIGTERM on destruction (also when a test fails), restartable.
#include <sys/types.h>

#include <string>
#include <vector>

namespace skiff::testing {

class AgentProcess {
 public:
  AgentProcess(std::vector<std::string> argv, std::string log_path);
  ~AgentProcess();  // stop()
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  void start();
  void stop();  // SIGTERM, then waits for it
  std::string log() const;

 private:
  std::vector<std::string> argv_;
  std::string log_path_;
  pid_t pid_ = -1;
};

}  // namespace skiff::testing
