#pragma once
// Running `nft -f -`: the seam between the rules and the kernel. NftCommand is the real one (a
// child process); tests of the applier use a fake.
//
// Contract: run() feeds the script to nft's stdin and returns its exit code and output; it
// never throws for a failing nft (that is a result), only when the process cannot be started.
// A run that passes the timeout is killed and reported as exit code -1.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace skiff::agent::network {

class NftError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NftResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together: nft's messages name the failing line
};

class NftRunner {
 public:
  virtual ~NftRunner() = default;
  virtual NftResult run(const std::string& script) = 0;
};
using NftRunnerPtr = std::unique_ptr<NftRunner>;

class NftCommand : public NftRunner {
 public:
  // `command` is the program and its leading arguments; "-f -" is appended. The default runs
  // nft from PATH in this process's network namespace; a test can prefix
  // {"ip", "netns", "exec", NAME, "nft"} to act inside a namespace of its own.
  explicit NftCommand(std::vector<std::string> command = {"nft"},
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));
  NftResult run(const std::string& script) override;

 private:
  std::vector<std::string> command_;
  std::chrono::milliseconds timeout_;
};

}  // namespace skiff::agent::network
