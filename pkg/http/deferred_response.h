#pragma once
// Internals of deferred responses shared by the server's connections and settle(). Not a public
// header.
#include <functional>

#include "pkg/http/server.h"

namespace skiff::http {

// A Responder that hands the first answer to `deliver`, on the thread that answers; dropped
// unanswered, it delivers a 500 instead, so a lost completion never leaves a client waiting.
ResponderPtr make_responder(std::function<void(Response)> deliver);

// Runs deferred.start(responder); an exception it throws answers 500 (unless an answer came
// first: the first one wins).
void start_deferred(const DeferredResponse& deferred, const ResponderPtr& responder);

}  // namespace skiff::http
