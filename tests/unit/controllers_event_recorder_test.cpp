// The event recorder: events written through the API, repeats folded into a count.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "server/apiserver/api_server.h"
#include "server/controllers/client.h"
#include "server/controllers/event_recorder.h"
#include "server/store/memory_store.h"
#include "server/store/sqlite/sqlite_store.h"
#include "tests/unit/support/temp_dir.h"

namespace skiff::controllers {
namespace {

// An API server over the memory store, and a recorder writing through it in process.
struct RecorderOverMemoryStore {
  store::MemoryStore store;
  apiserver::ApiServer api{store, apiserver::ApiServerOptions{.run_controllers = false}};
  InProcessClient client{[this](http::Request& r) { return api.handle(r); }};
  EventRecorder events;

  explicit RecorderOverMemoryStore(EventRecorderOptions options = {}) : events(client, options) {
    api.start();
    events.start();
  }
  ~RecorderOverMemoryStore() {
    events.stop();
    api.stop();
  }
};

const Json kPod = {{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"metadata", {{"name", "web-1"}, {"namespace", "default"}, {"uid", "u-1"}}}};

TEST(EventRecorder, RepeatsBumpTheCountOfOneEvent) {
  RecorderOverMemoryStore recorder;
  auto& [store, api, client, events] = recorder;
  const Json& pod = kPod;
  Json node = {
      {"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "n1"}, {"uid", "u-2"}}}};
  for (int i = 0; i < 3; ++i) {
    events.record(pod, "Warning", "FailedScheduling", "0/1 nodes are available",
                  "default-scheduler");
  }
  events.record(pod, "Normal", "Scheduled", "Successfully assigned default/web-1 to n1",
                "default-scheduler");
  events.record(node, "Normal", "NodeNotReady", "Node n1 status is now: NodeNotReady",
                "node-controller");
  events.flush();
  Json listed =
      client.request("GET", "/api/v1/namespaces/default/events", nullptr, "application/json");
  ASSERT_EQ(listed["items"].size(), 3u) << listed.dump(2);
  std::map<std::string, Json> by_reason;
  for (const auto& event : listed["items"]) by_reason[event["reason"]] = event;
  EXPECT_EQ(by_reason["FailedScheduling"]["count"], 3);
  EXPECT_EQ(by_reason["FailedScheduling"]["type"], "Warning");
  EXPECT_EQ(by_reason["FailedScheduling"]["involvedObject"]["name"], "web-1");
  EXPECT_EQ(by_reason["FailedScheduling"]["source"]["component"], "default-scheduler");
  EXPECT_EQ(by_reason["Scheduled"]["count"], 1);
  // A cluster-scoped object's events live in "default", as in Kubernetes.
  EXPECT_EQ(by_reason["NodeNotReady"]["involvedObject"]["kind"], "Node");
  EXPECT_EQ(events.dropped(), 0u);
}

// A repeat of an Event that was deleted meanwhile (expired, or removed by a user) starts a new
// one: the recorder tells the 404 of its count update from a success.
TEST(EventRecorder, ARepeatOfADeletedEventStartsANewOne) {
  RecorderOverMemoryStore recorder;
  auto& [store, api, client, events] = recorder;
  const auto record = [&] {
    events.record(kPod, "Warning", "FailedScheduling", "0/1 nodes are available",
                  "default-scheduler");
    events.flush();
  };
  record();
  record();
  const std::string path = "/api/v1/namespaces/default/events";
  Json first = client.request("GET", path, nullptr, "application/json");
  ASSERT_EQ(first["items"].size(), 1u);
  EXPECT_EQ(first["items"][0]["count"], 2);
  const std::string first_name = first["items"][0]["metadata"]["name"];
  client.request("DELETE", path + "/" + first_name, nullptr, "application/json");

  record();
  Json second = client.request("GET", path, nullptr, "application/json");
  ASSERT_EQ(second["items"].size(), 1u) << second.dump(2);
  EXPECT_NE(second["items"][0]["metadata"]["name"], first_name);
  EXPECT_EQ(second["items"][0]["count"], 1);
  EXPECT_EQ(events.dropped(), 0u);
}

// A burst over SQLite (each Event waits for its group commit): every one is written, and the
// repeats are counted on the first.
TEST(EventRecorder, ABurstOfEventsIsWrittenWholeOverTheSqliteStore) {
  skiff::test_support::TempDir dir{"skiff-events-test"};
  store::SqliteStoreOptions options;
  options.path = (dir.path() / "state.db").string();
  auto store = store::open_sqlite_store(options);
  apiserver::ApiServer api(*store, apiserver::ApiServerOptions{.run_controllers = false});
  api.start();
  InProcessClient client([&](http::Request& r) { return api.handle(r); });
  EventRecorder events(client);
  events.start();
  constexpr int kPods = 300;
  for (int i = 0; i < kPods; ++i) {
    const std::string name = "web-" + std::to_string(i);
    Json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "u-" + name}}}};
    events.record(pod, "Normal", "Scheduled", "Successfully assigned default/" + name + " to n1",
                  "default-scheduler");
    // Every tenth pod's event comes twice in a row: the second finds the first in flight.
    if (i % 10 == 0) {
      events.record(pod, "Normal", "Scheduled", "Successfully assigned default/" + name + " to n1",
                    "default-scheduler");
    }
  }
  events.flush();
  Json listed =
      client.request("GET", "/api/v1/namespaces/default/events", nullptr, "application/json");
  ASSERT_EQ(listed["items"].size(), static_cast<size_t>(kPods));
  int counted = 0;
  for (const auto& event : listed["items"]) {
    const std::string pod = event["involvedObject"]["name"];
    const int expected = std::stoi(pod.substr(4)) % 10 == 0 ? 2 : 1;
    EXPECT_EQ(event["count"], expected) << pod;
    counted += event["count"].get<int>();
  }
  EXPECT_EQ(counted, kPods + kPods / 10);
  EXPECT_EQ(events.dropped(), 0u);
  events.stop();
  api.stop();
}

// A controller that creates many pods for one ReplicaSet: 9 events of their own, then one
// combined Event, and nothing beyond the source's budget of 25 writes about the object; the
// combined Event's count still says how many there were up to its last write.
TEST(EventRecorder, ABurstAboutOneObjectIsCombinedAndCapped) {
  RecorderOverMemoryStore recorder;
  auto& [store, api, client, events] = recorder;
  const Json replicaset = {
      {"apiVersion", "apps/v1"},
      {"kind", "ReplicaSet"},
      {"metadata", {{"name", "web-7d9f"}, {"namespace", "default"}, {"uid", "u-rs"}}}};
  constexpr int kCreated = 100;
  for (int i = 0; i < kCreated; ++i) {
    events.record(replicaset, "Normal", "SuccessfulCreate",
                  "Created pod: web-7d9f-" + std::to_string(i), "replicaset-controller");
  }
  events.flush();
  Json listed =
      client.request("GET", "/api/v1/namespaces/default/events", nullptr, "application/json");
  ASSERT_EQ(listed["items"].size(), 10u) << listed.dump(2);
  int combined = 0;
  for (const auto& event : listed["items"]) {
    const std::string message = event["message"];
    if (message.starts_with("(combined from similar events): ")) {
      ++combined;
      // Written once and then updated 15 times: 25 writes in all, the rest filtered.
      EXPECT_EQ(event["count"], 16) << message;
      EXPECT_EQ(message, "(combined from similar events): Created pod: web-7d9f-24");
    } else {
      EXPECT_EQ(event["count"], 1) << message;
    }
  }
  EXPECT_EQ(combined, 1);
  EXPECT_EQ(events.filtered(), static_cast<std::uint64_t>(kCreated - 25));
  EXPECT_EQ(events.dropped(), 0u);

  // Another object has its own budget.
  events.record(kPod, "Normal", "Scheduled", "Successfully assigned default/web-1 to n1",
                "default-scheduler");
  events.flush();
  listed = client.request("GET", "/api/v1/namespaces/default/events", nullptr, "application/json");
  EXPECT_EQ(listed["items"].size(), 11u);
}

// One event about each of `count` pods.
void record_about_pods(EventRecorder& events, int count) {
  for (int i = 0; i < count; ++i) {
    Json pod = kPod;
    pod["metadata"]["name"] = "web-" + std::to_string(i);
    pod["metadata"]["uid"] = "u-" + std::to_string(i);
    events.record(pod, "Normal", "Scheduled", "Successfully assigned to n1", "default-scheduler");
  }
}

size_t events_stored(InProcessClient& client) {
  return client
      .request("GET", "/api/v1/namespaces/default/events", nullptr, "application/json")["items"]
      .size();
}

TEST(EventRecorder, WritesAreHeldToTheRateAfterTheBurst) {
  RecorderOverMemoryStore recorder(EventRecorderOptions{.writes_per_second = 20, .write_burst = 5});
  const auto start = std::chrono::steady_clock::now();
  record_about_pods(recorder.events, 15);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_LE(events_stored(recorder.client), 8u) << "the burst, and a token or two since";
  recorder.events.flush();
  // The 10 after the burst come at 20 per second.
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(450));
  EXPECT_EQ(events_stored(recorder.client), 15u);
  EXPECT_EQ(recorder.events.dropped(), 0u);
}

TEST(EventRecorder, StoppingWritesWhatIsQueuedWithoutWaitingForTheRate) {
  RecorderOverMemoryStore recorder(EventRecorderOptions{.writes_per_second = 1, .write_burst = 1});
  record_about_pods(recorder.events, 5);
  const auto start = std::chrono::steady_clock::now();
  recorder.events.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(events_stored(recorder.client), 5u);
}

}  // namespace
}  // namespace skiff::controllers
