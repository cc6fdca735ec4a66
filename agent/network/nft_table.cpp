#include "agent/network/nft_table.h"

#include <utility>

#include "pkg/log/log.h"

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

bool NftTable::sync(const ProxyModel& model) {
  return apply(build_ruleset(model));
}

bool NftTable::apply(const NftRuleset& rules) {
  std::lock_guard lock(mutex_);
  if (applied_ && *applied_ == rules) return false;
  if (applied_) {
    std::optional<std::string> update = render_update(*applied_, rules);
    applied_.reset();
    if (update) {
      try {
        run_or_throw(*update, "updating the service rules");
        applied_ = rules;
        return true;
      } catch (const NftError& error) {
        log::warn("service rules update refused; replacing the table", {{"error", error.what()}});
      }
    }
  }
  run_or_throw(render_ruleset(rules), "applying the service rules");
  applied_ = rules;
  return true;
}

void NftTable::replace(const NftRuleset& rules) {
  std::lock_guard lock(mutex_);
  applied_.reset();
  run_or_throw(render_ruleset(rules), "applying the service rules");
  applied_ = rules;
}

void NftTable::remove() {
  std::lock_guard lock(mutex_);
  applied_.reset();
  run_or_throw(render_removal(), "removing the service rules");
}

}  // namespace skiff::agent::network
