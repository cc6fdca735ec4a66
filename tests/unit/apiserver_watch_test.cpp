// LIST pagination/selectors and WATCH: replay, live events, selector transitions, 410, timeout.
#include "tests/unit/apiserver_test_support.h"

namespace skiff::apiserver::testing {
namespace {

class WatchTest : public ApiTest {
 protected:
  WatchTest() : ApiTest(false) {}
};

TEST_F(WatchTest, ListSelectorsAndPagination) {
  for (int i = 0; i < 5; ++i) {
    Json object = configmap("cm" + std::to_string(i));
    object["metadata"]["labels"] = {{"parity", i % 2 ? "odd" : "even"}};
    ASSERT_EQ(call("POST", kConfigMaps, object).status, 201u);
  }
  auto even = call("GET", std::string(kConfigMaps) + "?labelSelector=parity%3Deven");
  EXPECT_EQ(even.body["items"].size(), 3u);
  auto by_name = call("GET", std::string(kConfigMaps) + "?fieldSelector=metadata.name%3Dcm1");
  ASSERT_EQ(by_name.body["items"].size(), 1u);
  EXPECT_EQ(by_name.body["items"][0]["metadata"]["name"], "cm1");
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "?labelSelector=%3D%3Dbad").status, 400u);

  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    std::string url = std::string(kConfigMaps) + "?limit=2";
    if (!token.empty()) url += "&continue=" + token;
    auto page = call("GET", url);
    ASSERT_EQ(page.status, 200u) << page.text;
    for (const auto& item : page.body["items"]) names.push_back(item["metadata"]["name"]);
    token = page.body["metadata"].value("continue", "");
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names, (std::vector<std::string>{"cm0", "cm1", "cm2", "cm3", "cm4"}));
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "?limit=2&continue=garbage!").status, 400u);
}

TEST_F(WatchTest, ReplaysCurrentStateThenLiveEvents) {
  ASSERT_EQ(call("POST", kConfigMaps, configmap("before")).status, 201u);
  auto stream = watch(std::string(kConfigMaps) + "?watch=true&resourceVersion=0");
  auto initial = stream->wait_for(1);
  ASSERT_EQ(initial.size(), 1u);
  EXPECT_EQ(initial[0]["type"], "ADDED");
  EXPECT_EQ(initial[0]["object"]["kind"], "ConfigMap");
  auto created = call("POST", kConfigMaps, configmap("after"));
  ASSERT_EQ(call("DELETE", std::string(kConfigMaps) + "/after").status, 200u);
  auto events = stream->wait_for(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1]["type"], "ADDED");
  EXPECT_EQ(events[1]["object"]["metadata"]["name"], "after");
  EXPECT_EQ(events[2]["type"], "DELETED");
}

TEST_F(WatchTest, StartsAfterResourceVersion) {
  auto first = call("POST", kConfigMaps, configmap("one"));
  std::string rv = first.body["metadata"]["resourceVersion"];
  ASSERT_EQ(call("POST", kConfigMaps, configmap("two")).status, 201u);
  auto stream = watch(std::string(kConfigMaps) + "?watch=1&resourceVersion=" + rv);
  auto events = stream->wait_for(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["object"]["metadata"]["name"], "two");
}

TEST_F(WatchTest, SelectorTransitionsBecomeAddedAndDeleted) {
  ASSERT_EQ(call("POST", kConfigMaps, configmap("moving")).status, 201u);
  auto stream =
      watch(std::string(kConfigMaps) + "?watch=true&labelSelector=state%3Don&resourceVersion=" +
            std::to_string(store_->current_revision()));
  http::Headers merge = {{"Content-Type", "application/merge-patch+json"}};
  std::string url = std::string(kConfigMaps) + "/moving";
  call("PATCH", url, Json{{"metadata", {{"labels", {{"state", "on"}}}}}}, merge);
  call("PATCH", url, Json{{"data", {{"a", "2"}}}}, merge);
  call("PATCH", url, Json{{"metadata", {{"labels", {{"state", "off"}}}}}}, merge);
  auto events = stream->wait_for(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[1]["type"], "MODIFIED");
  EXPECT_EQ(events[2]["type"], "DELETED");
}

TEST_F(WatchTest, TooOldResourceVersionIsExpired) {
  // A store with a tiny event window compacts quickly.
  store_ = store::make_memory_store(2);
  api_ = std::make_unique<ApiServer>(*store_, ApiServerOptions{.run_controllers = false});
  api_->start();
  for (int i = 0; i < 5; ++i) call("POST", kConfigMaps, configmap("x" + std::to_string(i)));
  auto stream = watch(std::string(kConfigMaps) + "?watch=true&resourceVersion=1");
  auto events = stream->wait_for(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["type"], "ERROR");
  EXPECT_EQ(events[0]["object"]["code"], 410);
  EXPECT_EQ(events[0]["object"]["reason"], "Expired");
  EXPECT_NE(events[0]["object"]["message"].get<std::string>().find("too old resource version: 1"),
            std::string::npos);
  EXPECT_TRUE(stream->wait_closed(std::chrono::milliseconds(1000)));
}

TEST_F(WatchTest, TimeoutSecondsEndsTheStream) {
  auto stream = watch(std::string(kConfigMaps) + "?watch=true&timeoutSeconds=1");
  EXPECT_TRUE(stream->wait_closed(std::chrono::milliseconds(3000)));
}

TEST_F(WatchTest, TableWatchWrapsObjects) {
  auto stream =
      watch(std::string(kConfigMaps) + "?watch=true",
            {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}});
  ASSERT_EQ(call("POST", kConfigMaps, configmap("tabled")).status, 201u);
  auto events = stream->wait_for(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["object"]["kind"], "Table");
  EXPECT_EQ(events[0]["object"]["rows"].size(), 1u);
}

TEST_F(WatchTest, TableList) {
  ASSERT_EQ(call("POST", kConfigMaps, configmap("t")).status, 201u);
  auto table = call("GET", std::string(kConfigMaps) + "?includeObject=Object", std::string(),
                    {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io"}});
  ASSERT_EQ(table.status, 200u) << table.text;
  EXPECT_EQ(table.body["kind"], "Table");
  ASSERT_EQ(table.body["rows"].size(), 1u);
  EXPECT_EQ(table.body["rows"][0]["object"]["metadata"]["name"], "t");
}

}  // namespace
}  // namespace skiff::apiserver::testing
