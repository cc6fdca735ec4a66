#include "pkg/kubectl/errors.h"

#include <iostream>

#include "pkg/api/json.h"

namespace skiff::kubectl {
namespace {

std::string reason_for_status(long code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 503:
      return "ServiceUnavailable";
    default:
      return code >= 500 ? "InternalError" : "Unknown";
  }
}

std::string invalid_message(const Json& details, const std::string& message) {
  const Json& causes = details.value("causes", Json::array());
  if (!causes.is_array() || causes.empty()) return "The request is invalid: " + message;
  std::string out = "The " + details.value("kind", std::string("object")) + " \"" +
                    details.value("name", std::string()) + "\" is invalid: ";
  auto cause_text = [](const Json& cause) {
    std::string field = cause.value("field", std::string());
    std::string text = cause.value("message", std::string());
    return field.empty() ? text : field + ": " + text;
  };
  // kubectl's MultilineError: one cause on the same line, several as a bulleted list.
  if (causes.size() == 1) return out + cause_text(causes[0]);
  for (const auto& cause : causes) out += "\n* " + cause_text(cause);
  return out;
}

}  // namespace

KubectlError usage_error(const std::string& message) {
  return KubectlError("error: " + message);
}

ServerError::ServerError(long http_status, std::string reason, const std::string& printed,
                         Json status)
    : KubectlError(printed),
      http_status_(http_status),
      reason_(std::move(reason)),
      status_(std::move(status)) {}

ServerError server_error(long http_status, const std::string& body, const std::string& operation,
                         const std::string& context) {
  Json status = Json::parse(body, nullptr, false);
  const bool is_status = status.is_object() && status.value("kind", "") == "Status";
  if (!is_status) {
    std::string reason = reason_for_status(http_status);
    if (http_status == 404)
      return ServerError(http_status, reason,
                         "Error from server (NotFound): " + context +
                             "the server could not find the requested resource (" + operation + ")",
                         nullptr);
    if (http_status == 401)
      return ServerError(http_status, reason,
                         "error: You must be logged in to the server (Unauthorized)", nullptr);
    std::string text = body.size() > 400 ? body.substr(0, 400) + "..." : body;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return ServerError(http_status, reason,
                       "Error from server (" + reason + "): " + context +
                           "an error on the server (\"" + text +
                           "\") has prevented the request from succeeding (" + operation + ")",
                       nullptr);
  }
  std::string reason = status.value("reason", std::string());
  if (reason.empty()) reason = reason_for_status(http_status);
  std::string message = status.value("message", std::string());
  if (http_status == 401)
    return ServerError(http_status, reason,
                       "error: You must be logged in to the server (" +
                           (message.empty() ? std::string("Unauthorized") : message) + ")",
                       status);
  if (http_status == 422 || reason == "Invalid")
    return ServerError(http_status, reason,
                       invalid_message(status.value("details", Json::object()), message), status);
  return ServerError(http_status, reason,
                     "Error from server (" + reason + "): " + context + message, status);
}

int exit_code_reporting_errors(const std::function<int()>& body) {
  try {
    return body();
  } catch (const KubectlError& e) {
    std::cerr << e.what() << "\n";
  } catch (const Json::exception& e) {
    std::cerr << "error: unexpected answer from the server: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace skiff::kubectl
