// Slow-start creates: batches of 1, 2, 4, ... in flight together, and no batch after one that
// had a refused create, as Kubernetes' controllers send them.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "pkg/api/errors.h"
#include "server/controllers/slow_start.h"

namespace skiff::controllers {
namespace {

// Answers each create at once and refuses the `refuse_at`-th (counting from 1): how many were
// sent then shows where the batches ended.
class RecordingClient : public Client {
 public:
  Json request(std::string_view, const std::string&, const Json*, std::string_view) override {
    throw std::logic_error("only request_async is expected");
  }
  void request_async(std::string_view method, const std::string& path, const Json* body,
                     AnswerDone done) override {
    EXPECT_EQ(method, "POST");
    EXPECT_EQ(path, "/api/v1/namespaces/shop/pods");
    ++sent;
    if (sent == refuse_at) {
      done(Json(), std::make_exception_ptr(api::ApiError(403, "Forbidden", "quota exceeded")));
      return;
    }
    Json created = *body;
    created["metadata"]["name"] = "web-" + std::to_string(sent);
    done(std::move(created), nullptr);
  }
  int sent = 0;
  int refuse_at = -1;
};

const Json kPod = {{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"metadata", {{"generateName", "web-"}, {"namespace", "shop"}}}};

TEST(SlowStartCreates, SendsEveryCreateWhenAllSucceed) {
  RecordingClient client;
  SlowStartResult result = create_slow_start(client, pods_resource(), kPod, 10);
  EXPECT_EQ(client.sent, 10);
  ASSERT_EQ(result.created.size(), 10u);
  EXPECT_EQ(result.created.back()["metadata"]["name"], "web-10");
  EXPECT_FALSE(result.first_error);
}

TEST(SlowStartCreates, StopsAfterTheBatchWithARefusal) {
  // Batches: [1] [2 3] [4 5 6 7] [8 ...]; the 5th is refused, so the batch of 4 is the last.
  RecordingClient client;
  client.refuse_at = 5;
  SlowStartResult result = create_slow_start(client, pods_resource(), kPod, 500);
  EXPECT_EQ(client.sent, 7);
  EXPECT_EQ(result.created.size(), 6u);
  ASSERT_TRUE(result.first_error);
  EXPECT_THROW(std::rethrow_exception(result.first_error), api::ApiError);
}

TEST(SlowStartCreates, AFirstRefusalSendsNothingMore) {
  RecordingClient client;
  client.refuse_at = 1;
  SlowStartResult result = create_slow_start(client, pods_resource(), kPod, 500);
  EXPECT_EQ(client.sent, 1);
  EXPECT_TRUE(result.created.empty());
  EXPECT_TRUE(result.first_error);
}

TEST(SlowStartCreates, NothingToCreateSendsNothing) {
  RecordingClient client;
  SlowStartResult result = create_slow_start(client, pods_resource(), kPod, 0);
  EXPECT_EQ(client.sent, 0);
  EXPECT_TRUE(result.created.empty());
  EXPECT_FALSE(result.first_error);
}

}  // namespace
}  // namespace skiff::controllers
