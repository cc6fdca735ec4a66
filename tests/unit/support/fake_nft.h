#pragma once
// A fake `nft -f -` for unit tests of what writes nftables rules: records every script and
// answers with `next` (exit code and output), which a test may change between calls. The state
// is shared so a test keeps reading it after handing the runner over.
#include <memory>
#include <string>
#include <vector>

#include "agent/network/nft_command.h"

namespace skiff::agent::network::testing {

class FakeNft : public NftRunner {
 public:
  struct State {
    std::vector<std::string> scripts;
    NftResult next{0, ""};
  };
  explicit FakeNft(std::shared_ptr<State> state) : state_(std::move(state)) {}
  NftResult run(const std::string& script) override {
    state_->scripts.push_back(script);
    return state_->next;
  }

 private:
  std::shared_ptr<State> state_;
};

}  // namespace skiff::agent::network::testing
