#pragma once
// Puts the service proxy's rules in place: the `ip skiff` table, replaced whole in one nft
// transaction, and removed on uninstall.
//
// Contracts:
//  - apply(script) runs nft only when `script` differs from the last one applied successfully,
//    so resyncing an unchanged model costs nothing. On failure it throws NftError with nft's
//    message; the kernel keeps the previous rules (the transaction is all or nothing) and the
//    next apply runs nft again.
//  - remove() deletes the table; removing a table that is not there succeeds.
//  - Both may be called from several threads; calls are serialised.
#include <mutex>
#include <string>

#include "agent/network/nft_command.h"
#include "agent/network/proxy_model.h"

namespace skiff::agent::network {

class NftTable {
 public:
  explicit NftTable(NftRunnerPtr runner);

  // Returns true when nft ran, false when the script was already in place.
  bool apply(const std::string& script);
  // render_ruleset(model) + apply.
  bool sync(const ProxyModel& model);
  void remove();

 private:
  void run_or_throw(const std::string& script, const char* what);

  std::mutex mutex_;
  NftRunnerPtr runner_;
  std::string applied_;  // "" = unknown (nothing applied yet, or the last apply failed)
};

}  // namespace skiff::agent::network
