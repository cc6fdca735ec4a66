// The agent's PodStreams over the fake runtime: it finds the container by the pod uid and
// container name labels, serves whole and followed logs (tail, timestamps, previous instance,
// byte limit), runs exec and passes the exit code back, and refuses what it cannot serve with
// the HTTP status the API answers with.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "agent/pod_streams.h"
#include "agent/runtime/fake/fake_runtime.h"

namespace skiff::agent {
namespace {

using namespace std::chrono_literals;
using nodeclient::StreamRequest;
using runtime::LogStream;

constexpr const char* kImage = "localhost/busybox:1";

// Records what the handler writes; `leave()` plays the server's client going away.
class RecordingChannel : public nodeclient::StreamChannel {
 public:
  std::optional<nodeclient::StreamFrame> read() override { return std::nullopt; }
  bool write(uint32_t channel, std::string_view data) override {
    std::lock_guard lock(mutex_);
    if (gone_) return false;
    frames_.emplace_back(channel, std::string(data));
    return true;
  }
  void leave() {
    std::lock_guard lock(mutex_);
    gone_ = true;
  }
  std::vector<std::pair<uint32_t, std::string>> frames() const {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  // Everything written on `channel`, joined.
  std::string text(uint32_t channel) const {
    std::string out;
    for (const auto& [number, data] : frames())
      if (number == channel) out += data;
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<uint32_t, std::string>> frames_;
  bool gone_ = false;
};

class PodStreamsTest : public ::testing::Test {
 protected:
  PodStreamsTest() : streams_(runtime_, fast()) {
    runtime_.add_image(kImage);
    sandbox_.metadata = {"web", "default", "uid-1", 0};
    sandbox_id_ = runtime_.run_pod_sandbox(sandbox_);
  }

  static PodStreamsOptions fast() {
    PodStreamsOptions options;
    options.liveness_interval = 20ms;
    options.log_poll_interval = 10ms;
    return options;
  }

  std::string start(const std::string& name, uint32_t attempt) {
    runtime::ContainerConfig config;
    config.name = name;
    config.attempt = attempt;
    config.image = kImage;
    auto id = runtime_.create_container(sandbox_id_, config, sandbox_);
    runtime_.start_container(id);
    return id;
  }

  StreamRequest request(StreamRequest::Kind kind, const std::string& container, Json options) {
    StreamRequest request;
    request.kind = kind;
    request.pod = {"default", "web", "uid-1"};
    request.container = container;
    request.options = std::move(options);
    return request;
  }

  runtime::fake::FakeRuntime runtime_;
  PodStreams streams_;
  runtime::PodSandboxConfig sandbox_;
  std::string sandbox_id_;
};

TEST_F(PodStreamsTest, AWholeLogWithTailAndTimestamps) {
  auto id = start("app", 0);
  for (const char* line : {"one", "two", "three"}) runtime_.append_log(id, LogStream::Stdout, line);
  RecordingChannel channel;
  auto result =
      streams_.serve(request(StreamRequest::Kind::Logs, "app", {{"tailLines", 2}}), channel);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.error, "");
  ASSERT_FALSE(channel.frames().empty());
  EXPECT_EQ(channel.frames()[0], (std::pair<uint32_t, std::string>{1, ""})) << "accepted first";
  EXPECT_EQ(channel.text(1), "two\nthree\n");

  RecordingChannel stamped;
  streams_.serve(
      request(StreamRequest::Kind::Logs, "app", {{"timestamps", true}, {"tailLines", 1}}), stamped);
  const std::string text = stamped.text(1);
  EXPECT_TRUE(text.ends_with(" three\n")) << text;
  EXPECT_TRUE(text.starts_with("20")) << "an RFC 3339 timestamp first: " << text;
}

TEST_F(PodStreamsTest, PreviousReadsTheInstanceBeforeTheCurrentOne) {
  auto first = start("app", 0);
  runtime_.append_log(first, LogStream::Stdout, "crashed");
  runtime_.exit_container(first, 1);
  auto second = start("app", 1);
  runtime_.append_log(second, LogStream::Stdout, "running again");

  RecordingChannel current;
  streams_.serve(request(StreamRequest::Kind::Logs, "app", Json::object()), current);
  EXPECT_EQ(current.text(1), "running again\n");
  RecordingChannel previous;
  streams_.serve(request(StreamRequest::Kind::Logs, "app", {{"previous", true}}), previous);
  EXPECT_EQ(previous.text(1), "crashed\n");
}

TEST_F(PodStreamsTest, RefusalsCarryTheHttpStatusAndKubernetesWording) {
  start("app", 0);
  RecordingChannel channel;
  auto no_previous =
      streams_.serve(request(StreamRequest::Kind::Logs, "app", {{"previous", true}}), channel);
  EXPECT_EQ(no_previous.exit_code, 400);
  EXPECT_EQ(no_previous.error, "previous terminated container \"app\" in pod \"web\" not found");
  auto unknown = streams_.serve(request(StreamRequest::Kind::Logs, "db", Json::object()), channel);
  EXPECT_EQ(unknown.exit_code, 400);
  EXPECT_EQ(unknown.error, "container \"db\" in pod \"web\" is not available");
  auto exec_stopped =
      streams_.serve(request(StreamRequest::Kind::Exec, "db", {{"command", {"ls"}}}), channel);
  EXPECT_EQ(exec_stopped.exit_code, 400);
  EXPECT_EQ(exec_stopped.error, "unable to upgrade connection: container not found (\"db\")");
  auto port_forward = streams_.serve(request(StreamRequest::Kind::PortForward, "app", {}), channel);
  EXPECT_EQ(port_forward.exit_code, 400);
  EXPECT_TRUE(channel.frames().empty()) << "nothing is accepted when refused";
}

TEST_F(PodStreamsTest, LimitBytesStopsTheRead) {
  auto id = start("app", 0);
  for (const char* line : {"abcdef", "ghijkl"}) runtime_.append_log(id, LogStream::Stdout, line);
  RecordingChannel channel;
  streams_.serve(request(StreamRequest::Kind::Logs, "app", {{"limitBytes", 9}}), channel);
  EXPECT_EQ(channel.text(1), "abcdef\ngh");
}

TEST_F(PodStreamsTest, AFollowedLogEndsWhenTheContainerStops) {
  auto id = start("app", 0);
  runtime_.append_log(id, LogStream::Stdout, "hello");
  RecordingChannel channel;
  std::thread follower([&] {
    streams_.serve(request(StreamRequest::Kind::Logs, "app", {{"follow", true}}), channel);
  });
  auto wait_text = [&](const std::string& want) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (channel.text(1) != want && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    return channel.text(1);
  };
  EXPECT_EQ(wait_text("hello\n"), "hello\n");
  runtime_.append_log(id, LogStream::Stdout, "world");
  EXPECT_EQ(wait_text("hello\nworld\n"), "hello\nworld\n");
  runtime_.exit_container(id, 0);
  follower.join();  // returns by itself once the container stopped
}

TEST_F(PodStreamsTest, AFollowedLogEndsWhenTheServerGoesAway) {
  start("app", 0);  // running, quiet
  RecordingChannel channel;
  std::atomic<bool> returned{false};
  std::thread follower([&] {
    streams_.serve(request(StreamRequest::Kind::Logs, "app", {{"follow", true}}), channel);
    returned = true;
  });
  while (channel.frames().empty()) std::this_thread::sleep_for(5ms);  // accepted
  EXPECT_FALSE(returned);
  channel.leave();
  follower.join();  // the liveness check notices within a few intervals
  EXPECT_TRUE(returned);
}

TEST_F(PodStreamsTest, ExecPassesOutputAndTheExitCodeBack) {
  auto id = start("app", 0);
  std::vector<std::string> seen;
  runtime_.set_exec_handler(
      [&](const runtime::ContainerStatus& container, const std::vector<std::string>& argv) {
        EXPECT_EQ(container.id, id);
        seen = argv;
        return runtime::ExecResult{3, "out\n", "err\n"};
      });
  RecordingChannel channel;
  auto result = streams_.serve(
      request(StreamRequest::Kind::Exec, "app",
              {{"command", {"sh", "-c", "exit 3"}}, {"stdout", true}, {"stderr", true}}),
      channel);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(seen, (std::vector<std::string>{"sh", "-c", "exit 3"}));
  EXPECT_EQ(channel.text(1), "out\n");
  EXPECT_EQ(channel.text(2), "err\n");
}

TEST_F(PodStreamsTest, ExecOfAnOtherPodsContainerIsNotFound) {
  start("app", 0);
  RecordingChannel channel;
  auto other = request(StreamRequest::Kind::Exec, "app", {{"command", {"ls"}}});
  other.pod.uid = "uid-2";
  EXPECT_EQ(streams_.serve(other, channel).exit_code, 400);
}

}  // namespace
}  // namespace skiff::agent
