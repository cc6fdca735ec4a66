#pragma once
// Puts the service proxy's rules in place: the `ip skiff` table, changed in one nft transaction
// per sync, and removed on uninstall.
//
// Contracts:
//  - sync(model) does nothing when the rules are those already applied (a resync of an unchanged
//    model costs no nft run). Otherwise it applies only the difference from the last applied
//    rules (render_update); the first sync, and any sync after a failure or a remove(), replaces
//    the whole table, so rules changed behind skiff's back are repaired by the next change. An
//    update that nft refuses is retried at once as a full replace.
//  - On failure it throws NftError with nft's message; the kernel keeps the previous rules (each
//    transaction is all or nothing).
//  - remove() deletes the table; removing a table that is not there succeeds.
//  - Calls from several threads are serialised.
#include <mutex>
#include <optional>
#include <string>

#include "agent/network/nft_command.h"
#include "agent/network/nft_ruleset.h"
#include "agent/network/proxy_model.h"

namespace skiff::agent::network {

class NftTable {
 public:
  explicit NftTable(NftRunnerPtr runner);

  // Returns true when nft ran, false when the rules were already in place.
  bool sync(const ProxyModel& model);
  bool apply(const NftRuleset& rules);
  // Replaces the whole table even when the rules look applied (a periodic repair).
  void replace(const NftRuleset& rules);
  void remove();

 private:
  void run_or_throw(const std::string& script, const char* what);

  std::mutex mutex_;
  NftRunnerPtr runner_;
  std::optional<NftRuleset> applied_;  // unknown: nothing applied yet, or the last run failed
};

}  // namespace skiff::agent::network
