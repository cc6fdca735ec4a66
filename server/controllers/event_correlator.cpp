#include "server/controllers/event_correlator.h"

#include <algorithm>

namespace skiff::controllers {

EventAggregator::Decision EventAggregator::aggregate(const std::string& similar_key,
                                                     const std::string& message,
                                                     CorrelatorTime now) {
  Similar* similar = similar_.find(similar_key);
  if (similar == nullptr || now - similar->last > kInterval) {
    similar = &similar_.put(similar_key, Similar{{}, now});
  }
  similar->messages.insert(message);
  similar->last = now;
  if (similar->messages.size() < kMaxSimilarEvents) return {message, false};
  // Over the threshold: keep the set from growing, and fold this one into the combined Event.
  similar->messages.erase(similar->messages.begin());
  return {kCombinedPrefix + message, true};
}

bool EventSpamFilter::allow(const std::string& key, CorrelatorTime now) {
  Budget* budget = budgets_.find(key);
  if (budget == nullptr) budget = &budgets_.put(key, Budget{kBurst, now});
  const std::chrono::duration<double> elapsed = now - budget->refilled;
  budget->tokens = std::min(kBurst, budget->tokens + elapsed / kRefillEvery);
  budget->refilled = now;
  if (budget->tokens < 1) return false;
  budget->tokens -= 1;
  return true;
}

}  // namespace skiff::controllers
