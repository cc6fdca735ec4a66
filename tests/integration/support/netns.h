#pragma once
// Network namespaces for tests that send real traffic or load real nftables rules: each is made
// with `ip netns add` and deleted (with every interface and rule inside) by its destructor, also
// when a test fails, so the host's own interfaces and nftables tables are never touched.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/support/test_server.h"

namespace skiff::testing {

class NetworkNamespace {
 public:
  // `role` becomes part of a name unique to this process ("skiff-<pid>-<role>").
  explicit NetworkNamespace(std::string_view role);
  ~NetworkNamespace();
  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;

  const std::string& name() const { return name_; }

  // `ip netns exec <name> argv...`
  CommandResult exec(const std::vector<std::string>& argv) const;
  // exec, and throws std::runtime_error with the command and its stderr when it fails.
  void must(const std::vector<std::string>& argv) const;
  // Runs `body` on a thread that has entered this namespace (sockets it opens live here) and
  // waits for it; an exception thrown by `body` is rethrown here.
  void enter(const std::function<void()>& body) const;

 private:
  std::string name_;
};

// Runs argv (no shell) and throws std::runtime_error with its stderr when it fails.
void must_run(const std::vector<std::string>& argv);

// Root with `ip` and `nft` available: what the namespace tests need. "" when they can run,
// otherwise the reason to skip.
std::string netns_unavailable_reason();

}  // namespace skiff::testing
