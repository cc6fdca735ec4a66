#pragma once
// What Kubernetes' event correlator (client-go tools/record) decides before an Event is written,
// so a burst of similar events costs a handful of writes instead of one each:
//
//  - Aggregation: when 10 events that differ only in their message (same source, object, type
//    and reason) come within 10 minutes, the later ones are folded into one Event whose message
//    is "(combined from similar events): <the latest message>" and whose count grows.
//  - The spam filter: a source may write 25 events about one object at once, then one per 5
//    minutes (a token bucket per source and object); the others are not written.
//
// A ReplicaSet scaled to 10,000 replicas thus writes about 25 SuccessfulCreate events, as in
// Kubernetes, and a crash-looping pod does not wear out an SD card. Times are passed in, so the
// classes are pure and the tests need no clock.
#include <chrono>
#include <set>
#include <string>

#include "pkg/util/lru_cache.h"

namespace skiff::controllers {

using CorrelatorTime = std::chrono::steady_clock::time_point;

// At most `burst` tokens, refilled continuously at `per_second`: the spam filter's budget per
// object and the recorder's budget for all its writes.
struct TokenBucket {
  double tokens;  // starts full: the burst
  CorrelatorTime refilled;
  // Refills up to `now`, then takes a token if there is one.
  bool take(double burst, double per_second, CorrelatorTime now);
  // After a take that failed: how long until there is a token again.
  std::chrono::duration<double> until_token(double per_second) const;
};

class EventAggregator {
 public:
  static constexpr std::size_t kMaxSimilarEvents = 10;
  static constexpr std::chrono::seconds kInterval{600};
  static constexpr const char* kCombinedPrefix = "(combined from similar events): ";

  struct Decision {
    std::string message;      // what to write
    bool aggregated = false;  // fold into the one Event of `similar_key`
  };
  // `similar_key` names source, object, type and reason; `message` the event's own text.
  Decision aggregate(const std::string& similar_key, const std::string& message,
                     CorrelatorTime now);

 private:
  struct Similar {
    std::set<std::string> messages;  // at most kMaxSimilarEvents - 1 kept after the threshold
    CorrelatorTime last;
  };
  util::LruCache<Similar> similar_{4096};
};

class EventSpamFilter {
 public:
  static constexpr double kBurst = 25;
  static constexpr double kRefillPerSecond = 1.0 / 300;  // one every 5 minutes

  // Whether the source and object of `key` may write one more event at `now` (takes a token).
  bool allow(const std::string& key, CorrelatorTime now);

 private:
  util::LruCache<TokenBucket> budgets_{4096};
};

}  // namespace skiff::controllers
