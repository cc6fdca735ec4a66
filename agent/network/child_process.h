#pragma once
// Running a short-lived helper program (nft, ip, bridge) with a script on its stdin: the one
// place the network library starts child processes.
//
// Contract: run_child() returns the exit code and what the child wrote (stdout and stderr
// together, since the tools' messages name the failing line); a failing child is a result, not
// an exception. It throws ChildProcessError only when the child cannot be started (or waited
// for). A child that passes the timeout is killed and reported as exit code -1.
#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::agent::network {

class ChildProcessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ChildResult {
  int exit_code = -1;
  std::string output;
};

// `argv[0]` is looked up on PATH; `input` becomes the child's stdin.
ChildResult run_child(const std::vector<std::string>& argv, std::string_view input,
                      std::chrono::milliseconds timeout);

}  // namespace skiff::agent::network
