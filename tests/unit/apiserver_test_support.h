#pragma once
// Drives ApiServer::handle directly (no sockets) against a memory store.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pkg/api/json.h"
#include "server/apiserver/api_server.h"
#include "server/store/memory_store.h"

namespace skiff::apiserver::testing {

struct Reply {
  unsigned status = 0;
  Json body;
  std::string text;
  http::Headers headers;
  std::vector<std::string> header_values(const std::string& name) const {
    std::vector<std::string> values;
    for (const auto& [key, value] : headers)
      if (http::iequals(key, name)) values.push_back(value);
    return values;
  }
};

// Collects what a streaming handler writes.
class FakeStream : public http::ResponseStream {
 public:
  bool write(std::string data) override {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    text_ += data;
    changed_.notify_all();
    return true;
  }
  void close() override {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      closed_ = true;
      callbacks.swap(callbacks_);
      changed_.notify_all();
    }
    for (auto& callback : callbacks) callback();
  }
  bool closed() const override {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  void on_close(std::function<void()> callback) override {
    {
      std::lock_guard lock(mutex_);
      if (!closed_) {
        callbacks_.push_back(std::move(callback));
        return;
      }
    }
    callback();
  }
  // The events written so far, parsed.
  std::vector<Json> events() const {
    std::lock_guard lock(mutex_);
    std::vector<Json> out;
    size_t start = 0;
    while (true) {
      auto end = text_.find('\n', start);
      if (end == std::string::npos) break;
      out.push_back(Json::parse(text_.substr(start, end - start)));
      start = end + 1;
    }
    return out;
  }
  // Waits until at least `count` events arrived (or the timeout).
  std::vector<Json> wait_for(size_t count,
                             std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto current = events();
      if (current.size() >= count) return current;
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, std::chrono::milliseconds(20));
    }
    return events();
  }
  bool wait_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return closed_; });
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string text_;
  bool closed_ = false;
  std::vector<std::function<void()>> callbacks_;
};

class ApiTest : public ::testing::Test {
 protected:
  explicit ApiTest(bool run_controllers = true) {
    store_ = store::make_memory_store();
    ApiServerOptions options;
    options.run_controllers = run_controllers;
    api_ = std::make_unique<ApiServer>(*store_, options);
    api_->start();
  }
  ~ApiTest() override {
    for (auto& stream : streams_) stream->close();
    api_->stop();
  }

  // The stored objects (key and resourceVersion) under the workload prefixes the tests write.
  // Compared before/after to show bad input changed nothing; the controllers' own background
  // writes (default ServiceAccounts) are deliberately outside these prefixes.
  std::string stored_workloads() {
    std::string out;
    for (const char* prefix : {"/registry/core/configmaps/", "/registry/apps/deployments/"}) {
      store::ListOptions options;
      options.prefix = prefix;
      for (const auto& item : store_->list(options).items)
        out += item->at("metadata").at("name").get<std::string>() + "@" +
               item->at("metadata").at("resourceVersion").get<std::string>() + "\n";
    }
    return out;
  }

  http::Request make_request(const std::string& method, const std::string& target,
                             const std::string& body, http::Headers headers) {
    http::Request request;
    request.method = method;
    request.target = target;
    http::parse_target(target, request);
    request.body = body;
    bool has_type = false;
    for (const auto& [key, value] : headers)
      if (http::iequals(key, "Content-Type")) has_type = true;
    if (!body.empty() && !has_type) headers.emplace_back("Content-Type", "application/json");
    request.headers = std::move(headers);
    return request;
  }

  Reply call(const std::string& method, const std::string& target, const std::string& body = "",
             http::Headers headers = {}) {
    auto request = make_request(method, target, body, std::move(headers));
    auto response = http::settle(api_->handle(request));
    EXPECT_NE(response, std::nullopt)
        << "expected a complete response for " << method << " " << target;
    Reply reply;
    if (!response) return reply;
    reply.status = response->status;
    reply.text = response->body;
    reply.headers = response->headers;
    reply.body = Json::parse(response->body, nullptr, false);
    return reply;
  }
  Reply call(const std::string& method, const std::string& target, const Json& body,
             http::Headers headers = {}) {
    return call(method, target, body.dump(), std::move(headers));
  }

  // Starts a watch and returns its stream (closed by the fixture).
  std::shared_ptr<FakeStream> watch(const std::string& target, http::Headers headers = {}) {
    auto request = make_request("GET", target, "", std::move(headers));
    auto result = api_->handle(request);
    auto* streaming = std::get_if<http::StreamingResponse>(&result);
    auto stream = std::make_shared<FakeStream>();
    streams_.push_back(stream);
    if (!streaming) {
      auto response = http::settle(std::move(result));
      ADD_FAILURE() << "expected a stream for " << target << ": "
                    << (response ? response->body : "(not a response)");
      return stream;
    }
    streaming->start(stream);
    return stream;
  }

  static Json configmap(const std::string& name, Json data = {{"a", "1"}}) {
    return {{"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata", {{"name", name}}},
            {"data", std::move(data)}};
  }
  static Json deployment(const std::string& name, int replicas = 1) {
    return {{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", {{"name", name}, {"labels", {{"app", name}}}}},
            {"spec",
             {{"replicas", replicas},
              {"selector", {{"matchLabels", {{"app", name}}}}},
              {"template",
               {{"metadata", {{"labels", {{"app", name}}}}},
                {"spec", {{"containers", {{{"name", "web"}, {"image", "nginx:1.25"}}}}}}}}}}};
  }

  // Polls `condition` for up to `timeout`.
  template <typename Condition>
  bool eventually(Condition condition,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return condition();
  }

  store::StorePtr store_;
  std::unique_ptr<ApiServer> api_;
  std::vector<std::shared_ptr<FakeStream>> streams_;
};

inline const char* kConfigMaps = "/api/v1/namespaces/default/configmaps";
inline const char* kDeployments = "/apis/apps/v1/namespaces/default/deployments";

}  // namespace skiff::apiserver::testing
