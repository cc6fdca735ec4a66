// settle(): a deferred response answered into a promise, for in-process callers.
#include <atomic>
#include <future>

#include "pkg/http/server.h"

namespace skiff::http {

namespace {

class PromiseResponder final : public Responder {
 public:
  std::future<Response> answer() { return answer_.get_future(); }
  ~PromiseResponder() override {
    if (!sent_.load())
      send(status_response(500, "InternalError", "the request was dropped without an answer"));
  }
  void send(Response response) override {
    if (!sent_.exchange(true)) answer_.set_value(std::move(response));
  }

 private:
  std::promise<Response> answer_;  // owned here: it lives as long as anyone may answer
  std::atomic<bool> sent_{false};
};

}  // namespace

std::optional<Response> settle(HandlerResult result) {
  if (auto* response = std::get_if<Response>(&result)) return std::move(*response);
  auto* deferred = std::get_if<DeferredResponse>(&result);
  if (deferred == nullptr) return std::nullopt;
  std::future<Response> answered;
  {
    auto responder = std::make_shared<PromiseResponder>();
    answered = responder->answer();
    try {
      if (deferred->start) deferred->start(responder);
    } catch (const std::exception& error) {
      responder->send(status_response(500, "InternalError", error.what()));
    }
  }  // our reference goes; whoever holds the others answers (or drops them: 500)
  return answered.get();
}

}  // namespace skiff::http
