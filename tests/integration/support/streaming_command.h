#pragma once
// A command whose stdout is read line by line while it runs (kubectl rollout status, a watch),
// for integration tests. The process is killed and reaped on destruction if it is still
// running.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace skiff::testing {

class StreamingCommand {
 public:
  explicit StreamingCommand(const std::vector<std::string>& argv,
                            const std::vector<std::string>& env = {});
  ~StreamingCommand();
  StreamingCommand(const StreamingCommand&) = delete;
  StreamingCommand& operator=(const StreamingCommand&) = delete;

  // The next stdout line, or nullopt at end of output or after `timeout`.
  std::optional<std::string> read_line(std::chrono::seconds timeout);

  // Waits for the exit (killing the process after `timeout`); returns the exit code and the
  // remaining stdout lines and stderr.
  int finish(std::chrono::seconds timeout, std::vector<std::string>& lines, std::string& err);

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string buffer_;
};

}  // namespace skiff::testing
