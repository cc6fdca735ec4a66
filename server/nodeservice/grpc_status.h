#pragma once
// Typed errors become gRPC status codes here, at the edge, and nowhere else.
#include <functional>

#include <grpcpp/support/status.h>

#include "pkg/api/errors.h"

namespace skiff::nodeservice {

// 400/422 INVALID_ARGUMENT, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND,
// 409 FAILED_PRECONDITION (compare-and-swap conflicts are retried before they get here),
// 410 OUT_OF_RANGE, 429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED, else INTERNAL.
grpc::Status to_grpc_status(const api::ApiError& error);

// Runs `call`; OK, or the status of what it threw (store errors are UNAVAILABLE).
grpc::Status translate_errors(const std::function<void()>& call);

}  // namespace skiff::nodeservice
