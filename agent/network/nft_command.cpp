#include "agent/network/nft_command.h"

#include <utility>

#include "agent/network/child_process.h"

namespace skiff::agent::network {

NftCommand::NftCommand(std::vector<std::string> command, std::chrono::milliseconds timeout)
    : command_(std::move(command)), timeout_(timeout) {
  if (command_.empty()) throw NftError("nft: empty command");
}

NftResult NftCommand::run(const std::string& script) {
  std::vector<std::string> argv = command_;
  argv.push_back("-f");
  argv.push_back("-");
  try {
    ChildResult child = run_child(argv, script, timeout_);
    return NftResult{child.exit_code, std::move(child.output)};
  } catch (const ChildProcessError& error) {
    throw NftError(std::string("nft: ") + error.what());
  }
}

}  // namespace skiff::agent::network
