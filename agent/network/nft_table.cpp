#include "agent/network/nft_table.h"

#include <utility>

#include "agent/network/nft_ruleset.h"

namespace skiff::agent::network {

NftTable::NftTable(NftRunnerPtr runner) : runner_(std::move(runner)) {
  if (!runner_) throw NftError("nft: no runner");
}

void NftTable::run_or_throw(const std::string& script, const char* what) {
  NftResult result = runner_->run(script);
  if (result.exit_code != 0) {
    std::string output = result.output;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    throw NftError(std::string(what) + " failed (exit " + std::to_string(result.exit_code) +
                   "): " + output);
  }
}

bool NftTable::apply(const std::string& script) {
  std::lock_guard lock(mutex_);
  if (!applied_.empty() && script == applied_) return false;
  applied_.clear();
  run_or_throw(script, "applying the service rules");
  applied_ = script;
  return true;
}

bool NftTable::sync(const ProxyModel& model) {
  return apply(render_ruleset(model));
}

void NftTable::remove() {
  std::lock_guard lock(mutex_);
  applied_.clear();
  run_or_throw(render_removal(), "removing the service rules");
}

}  // namespace skiff::agent::network
