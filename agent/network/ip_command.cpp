#include "agent/network/ip_command.h"

#include <utility>

namespace skiff::agent::network {

IpCommand::IpCommand(std::vector<std::string> prefix, std::chrono::milliseconds timeout)
    : prefix_(std::move(prefix)), timeout_(timeout) {}

ChildResult IpCommand::run(const std::vector<std::string>& argv, std::string_view input) {
  std::vector<std::string> full = prefix_;
  full.insert(full.end(), argv.begin(), argv.end());
  return run_child(full, input, timeout_);
}

}  // namespace skiff::agent::network
