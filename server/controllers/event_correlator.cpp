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

bool TokenBucket::take(double burst, double per_second, CorrelatorTime now) {
  const std::chrono::duration<double> elapsed = now - refilled;
  tokens = std::min(burst, tokens + elapsed.count() * per_second);
  refilled = now;
  if (tokens < 1) return false;
  tokens -= 1;
  return true;
}

std::chrono::duration<double> TokenBucket::until_token(double per_second) const {
  return std::chrono::duration<double>((1 - tokens) / per_second);
}

bool EventSpamFilter::allow(const std::string& key, CorrelatorTime now) {
  TokenBucket* budget = budgets_.find(key);
  if (budget == nullptr) budget = &budgets_.put(key, TokenBucket{kBurst, now});
  return budget->take(kBurst, kRefillPerSecond, now);
}

}  // namespace skiff::controllers
