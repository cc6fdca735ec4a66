// Event expiry (--event-ttl): Events not written for the TTL are deleted; recurring, recent
// and other objects stay; a sweep with nothing to do writes nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "pkg/api/time.h"
#include "server/apiserver/event_expiry.h"
#include "server/store/memory_store.h"

namespace skiff::apiserver {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

const Clock::time_point kNow = Clock::now();

std::string ago(std::chrono::seconds age) {
  return api::format_rfc3339(kNow - age);
}

std::string event_key(const std::string& name) {
  return "/registry/core/events/default/" + name;
}

Json event(const std::string& name, std::chrono::seconds created, std::chrono::seconds last) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name}, {"namespace", "default"}, {"creationTimestamp", ago(created)}}},
      {"reason", "Scheduled"},
      {"firstTimestamp", ago(created)},
      {"lastTimestamp", ago(last)},
      {"count", 1}};
}

class EventExpiryTest : public ::testing::Test {
 protected:
  store::MemoryStore store_;
  EventExpiry expiry_{store_, EventExpiryOptions{1h, 60s}};
};

TEST_F(EventExpiryTest, DeletesOnlyEventsNotWrittenForTheTtl) {
  store_.create(event_key("old"), event("old", 2h, 2h));
  store_.create(event_key("recurring"), event("recurring", 5h, 10min));  // a repeat bumped it
  store_.create(event_key("fresh"), event("fresh", 1min, 1min));
  Json series = event("series", 3h, 3h);
  series["series"] = {{"count", 4}, {"lastObservedTime", api::format_rfc3339_micro(kNow - 30min)}};
  store_.create(event_key("series"), series);
  Json micro = event("micro", 3h, 3h);
  micro.erase("lastTimestamp");
  micro["eventTime"] = api::format_rfc3339_micro(kNow - 20min);
  store_.create(event_key("micro"), micro);
  // Not an Event, however old.
  store_.create("/registry/core/configmaps/default/old",
                {{"metadata", {{"name", "old"}, {"creationTimestamp", ago(24h)}}}});

  EXPECT_EQ(expiry_.sweep(kNow), 1u);
  EXPECT_EQ(store_.get(event_key("old")), nullptr);
  for (const char* kept : {"recurring", "fresh", "series", "micro"}) {
    EXPECT_NE(store_.get(event_key(kept)), nullptr) << kept;
  }
  EXPECT_NE(store_.get("/registry/core/configmaps/default/old"), nullptr);

  // Nothing left to expire: no write at all.
  const int64_t revision = store_.current_revision();
  EXPECT_EQ(expiry_.sweep(kNow), 0u);
  EXPECT_EQ(store_.current_revision(), revision);
  // An hour later the rest has expired too.
  EXPECT_EQ(expiry_.sweep(kNow + 2h), 4u);
}

TEST_F(EventExpiryTest, ASweepGoesThroughEveryPage) {
  for (int i = 0; i < 1200; ++i) {
    const std::string name = "e" + std::to_string(i);
    // Every third one is recent: the expired ones are spread over the whole key range.
    store_.create(event_key(name), event(name, i % 3 == 0 ? 5min : 2h, i % 3 == 0 ? 5min : 2h));
  }
  EXPECT_EQ(expiry_.sweep(kNow), 800u);
  store::ListOptions all;
  all.prefix = "/registry/core/events/";
  EXPECT_EQ(store_.list(all).items.size(), 400u);
}

}  // namespace
}  // namespace skiff::apiserver
