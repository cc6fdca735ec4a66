#pragma once
// Typed API errors. Code anywhere below the HTTP edge throws ApiError; the edge turns it into a
// Kubernetes `Status` body with the same code, reason and message (KUBECTL.md section 12).
#include <stdexcept>
#include <string>
#include <vector>

#include "pkg/api/json.h"

namespace skiff::api {

// One entry of Status.details.causes (used by 422 Invalid).
struct StatusCause {
  std::string reason;  // e.g. "FieldValueInvalid", "FieldValueRequired", "FieldValueNotSupported"
  std::string message;
  std::string field;  // e.g. "metadata.name", "spec.template.spec.containers[0].image"
};

class ApiError : public std::runtime_error {
 public:
  ApiError(int code, std::string reason, std::string message, Json details = nullptr);

  int code() const { return code_; }
  const std::string& reason() const { return reason_; }
  const Json& details() const { return details_; }

  // The Kubernetes Status object for this error.
  Json to_status() const;

 private:
  int code_;
  std::string reason_;
  Json details_;
};

// `qualified_resource` is "<plural>.<group>" or the bare plural for core (e.g. "deployments.apps",
// "pods"), as Kubernetes words its messages.
ApiError bad_request(const std::string& message);
ApiError unauthorized(const std::string& message);
ApiError forbidden(const std::string& message);
ApiError not_found(const std::string& qualified_resource, const std::string& name);
ApiError not_found_path(const std::string& message);  // unknown URL / resource type
ApiError method_not_allowed(const std::string& message);
ApiError already_exists(const std::string& qualified_resource, const std::string& name);
ApiError conflict(const std::string& qualified_resource, const std::string& name,
                  const std::string& why);
// The standard stale-resourceVersion conflict message.
ApiError conflict_modified(const std::string& qualified_resource, const std::string& name);
ApiError gone(const std::string& message);  // reason Expired, e.g. a too old resourceVersion
ApiError request_entity_too_large(const std::string& message);
ApiError unsupported_media_type(const std::string& message);
ApiError not_acceptable(const std::string& message);
// 422 with one line per cause; `kind` is the Kind ("Deployment"), `group` may be empty.
ApiError invalid(const std::string& group, const std::string& kind, const std::string& name,
                 const std::vector<StatusCause>& causes);
ApiError internal_error(const std::string& message);
ApiError service_unavailable(const std::string& message);

}  // namespace skiff::api
