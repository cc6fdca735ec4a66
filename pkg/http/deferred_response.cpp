// Deferred responses: the once-only Responder, and settle() for in-process callers.
#include "pkg/http/deferred_response.h"

#include <atomic>
#include <future>
#include <memory>

namespace skiff::http {

namespace {

class OnceResponder final : public Responder {
 public:
  explicit OnceResponder(std::function<void(Response)> deliver) : deliver_(std::move(deliver)) {}
  ~OnceResponder() override {
    if (!sent_.load())
      send(status_response(500, "InternalError", "the request was dropped without an answer"));
  }
  void send(Response response) override {
    if (!sent_.exchange(true)) deliver_(std::move(response));
  }

 private:
  std::function<void(Response)> deliver_;
  std::atomic<bool> sent_{false};
};

}  // namespace

ResponderPtr make_responder(std::function<void(Response)> deliver) {
  return std::make_shared<OnceResponder>(std::move(deliver));
}

void start_deferred(const DeferredResponse& deferred, const ResponderPtr& responder) {
  try {
    if (deferred.start) deferred.start(responder);
  } catch (const std::exception& error) {
    responder->send(status_response(500, "InternalError", error.what()));
  }
}

std::optional<Response> settle(HandlerResult result) {
  if (auto* response = std::get_if<Response>(&result)) return std::move(*response);
  auto* deferred = std::get_if<DeferredResponse>(&result);
  if (deferred == nullptr) return std::nullopt;
  // Shared with the responder: whoever answers may outlive this call's wait by a moment.
  auto answer = std::make_shared<std::promise<Response>>();
  std::future<Response> answered = answer->get_future();
  start_deferred(*deferred, make_responder([answer](Response response) {
    answer->set_value(std::move(response));
  }));
  // Our reference is gone; whoever holds the others answers (or drops them: 500).
  return answered.get();
}

void settle_async(HandlerResult result, std::function<void(std::optional<Response>)> done) {
  if (auto* response = std::get_if<Response>(&result)) return done(std::move(*response));
  auto* deferred = std::get_if<DeferredResponse>(&result);
  if (deferred == nullptr) return done(std::nullopt);
  start_deferred(*deferred, make_responder([done = std::move(done)](Response response) {
    done(std::move(response));
  }));
}

}  // namespace skiff::http
