#pragma once
// Running nft scripts in this process through libnftables: the same NftRunner contract as
// NftCommand (exit code 0 on success, 1 when nft refuses the script, nft's messages in
// `output`) without starting an `nft` process per update, which is most of the time an
// endpoint change takes to reach the kernel (see network_rules_bench).
//
// Namespace: the rules go to the network namespace of the thread that CONSTRUCTED the object,
// whichever thread calls run() later: libnftables opens its netlink socket in nft_ctx_new (a
// context made on the host and run from a thread that entered a namespace changes the host's
// tables). Unlike NftCommand, it cannot be pointed at another namespace with a command prefix;
// tests that act inside a namespace keep NftCommand, or construct it on a thread that entered
// one (NetworkNamespace::enter; nft_library_test).
#include <memory>
#include <mutex>
#include <string>

#include "agent/network/nft_command.h"

struct nft_ctx;

namespace skiff::agent::network {

class NftLibrary : public NftRunner {
 public:
  // Throws NftError when libnftables cannot make a context.
  NftLibrary();
  // Runs one script at a time (a context is not safe to share between threads); a script
  // is applied as one transaction, like `nft -f`.
  NftResult run(const std::string& script) override;

 private:
  struct ContextFree {
    void operator()(nft_ctx* context) const;
  };
  std::mutex mutex_;
  std::unique_ptr<nft_ctx, ContextFree> context_;
};

// The runner the agent applies its tables with: NftLibrary, because it has no process to start
// per update (an endpoint change is a few ms instead of tens; README, network_rules_bench) and
// the agent's rules belong in the agent's own network namespace anyway. libnftables ships with
// the `nftables` package the agent already needs, so this adds no runtime dependency.
NftRunnerPtr default_nft_runner();

}  // namespace skiff::agent::network
