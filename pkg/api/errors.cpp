#include "pkg/api/errors.h"

namespace skiff::api {

ApiError::ApiError(int code, std::string reason, std::string message, Json details)
    : std::runtime_error(std::move(message)),
      code_(code),
      reason_(std::move(reason)),
      details_(std::move(details)) {}

Json ApiError::to_status() const {
  Json status = {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", Json::object()},
                 {"status", "Failure"}, {"message", what()},  {"reason", reason_},
                 {"code", code_}};
  if (!details_.is_null()) status["details"] = details_;
  return status;
}

namespace {

// Splits "deployments.apps" into group and plural for Status.details.
Json resource_details(const std::string& qualified_resource, const std::string& name) {
  Json details = {{"name", name}};
  auto dot = qualified_resource.find('.');
  if (dot == std::string::npos) {
    details["kind"] = qualified_resource;
  } else {
    details["kind"] = qualified_resource.substr(0, dot);
    details["group"] = qualified_resource.substr(dot + 1);
  }
  return details;
}

}  // namespace

ApiError bad_request(const std::string& message) {
  return {400, "BadRequest", message};
}
ApiError unauthorized(const std::string& message) {
  return {401, "Unauthorized", message};
}
ApiError forbidden(const std::string& message) {
  return {403, "Forbidden", message};
}

ApiError not_found(const std::string& qualified_resource, const std::string& name) {
  return {404, "NotFound", qualified_resource + " \"" + name + "\" not found",
          resource_details(qualified_resource, name)};
}

ApiError not_found_path(const std::string& message) {
  return {404, "NotFound", message};
}
ApiError method_not_allowed(const std::string& message) {
  return {405, "MethodNotAllowed", message};
}

ApiError already_exists(const std::string& qualified_resource, const std::string& name) {
  return {409, "AlreadyExists", qualified_resource + " \"" + name + "\" already exists",
          resource_details(qualified_resource, name)};
}

ApiError conflict(const std::string& qualified_resource, const std::string& name,
                  const std::string& why) {
  return {409, "Conflict",
          "Operation cannot be fulfilled on " + qualified_resource + " \"" + name + "\": " + why,
          resource_details(qualified_resource, name)};
}

ApiError conflict_modified(const std::string& qualified_resource, const std::string& name) {
  return conflict(qualified_resource, name,
                  "the object has been modified; please apply your changes to the latest "
                  "version and try again");
}

ApiError gone(const std::string& message) {
  return {410, "Expired", message};
}
ApiError request_entity_too_large(const std::string& message) {
  return {413, "RequestEntityTooLarge", message};
}
ApiError unsupported_media_type(const std::string& message) {
  return {415, "UnsupportedMediaType", message};
}
ApiError not_acceptable(const std::string& message) {
  return {406, "NotAcceptable", message};
}

ApiError invalid(const std::string& group, const std::string& kind, const std::string& name,
                 const std::vector<StatusCause>& causes) {
  std::string message = kind + " \"" + name + "\" is invalid: ";
  Json json_causes = Json::array();
  for (size_t i = 0; i < causes.size(); ++i) {
    const auto& cause = causes[i];
    if (i > 0) message += ", ";
    message += cause.field.empty() ? cause.message : cause.field + ": " + cause.message;
    json_causes.push_back(
        {{"reason", cause.reason}, {"message", cause.message}, {"field", cause.field}});
  }
  Json details = {{"name", name}, {"kind", kind}, {"causes", json_causes}};
  if (!group.empty()) details["group"] = group;
  return {422, "Invalid", message, details};
}

ApiError internal_error(const std::string& message) {
  return {500, "InternalError", message};
}
ApiError service_unavailable(const std::string& message) {
  return {503, "ServiceUnavailable", message};
}

}  // namespace skiff::api
