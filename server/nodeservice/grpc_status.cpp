#include "server/nodeservice/grpc_status.h"

#include "pkg/log/log.h"
#include "server/store/store.h"

namespace skiff::nodeservice {

grpc::Status to_grpc_status(const api::ApiError& error) {
  grpc::StatusCode code = grpc::StatusCode::INTERNAL;
  switch (error.code()) {
    case 400:
    case 422:
      code = grpc::StatusCode::INVALID_ARGUMENT;
      break;
    case 401:
      code = grpc::StatusCode::UNAUTHENTICATED;
      break;
    case 403:
      code = grpc::StatusCode::PERMISSION_DENIED;
      break;
    case 404:
      code = grpc::StatusCode::NOT_FOUND;
      break;
    case 409:
      code = grpc::StatusCode::FAILED_PRECONDITION;
      break;
    case 410:
      code = grpc::StatusCode::OUT_OF_RANGE;
      break;
    case 429:
      code = grpc::StatusCode::RESOURCE_EXHAUSTED;
      break;
    case 503:
      code = grpc::StatusCode::UNAVAILABLE;
      break;
    case 504:
      code = grpc::StatusCode::DEADLINE_EXCEEDED;
      break;
    default:
      break;
  }
  return {code, error.what()};
}

grpc::Status translate_errors(const std::function<void()>& call) {
  try {
    call();
    return grpc::Status::OK;
  } catch (const api::ApiError& error) {
    return to_grpc_status(error);
  } catch (const store::StoreError& error) {
    return {grpc::StatusCode::UNAVAILABLE, std::string("store: ") + error.what()};
  } catch (const std::exception& error) {
    log::error("node service call failed", {{"error", error.what()}});
    return {grpc::StatusCode::INTERNAL, error.what()};
  }
}

}  // namespace skiff::nodeservice
