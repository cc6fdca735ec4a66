#include "server/apiserver/responses.h"

#include "pkg/api/json_text.h"
#include "server/store/store.h"

#include <algorithm>

namespace skiff::apiserver {

std::string warning_header_value(const std::string& text) {
  std::string quoted = "299 - \"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

http::Response raw_json_response(unsigned status, std::string body,
                                 const std::vector<std::string>& warnings) {
  http::Response response{status, {}, std::move(body)};
  // Built in place: an initializer list would copy its strings once more (one answer per request).
  response.headers.reserve(1 + warnings.size());
  response.headers.emplace_back("Content-Type", "application/json");
  std::vector<std::string> seen;  // an update retried after a conflict repeats its warnings
  for (const auto& warning : warnings) {
    if (std::find(seen.begin(), seen.end(), warning) != seen.end()) continue;
    seen.push_back(warning);
    response.headers.emplace_back("Warning", warning_header_value(warning));
  }
  return response;
}

http::Response json_response(unsigned status, const Json& body,
                             const std::vector<std::string>& warnings) {
  return raw_json_response(status, api::json_text(body), warnings);
}

http::Response error_response(const api::ApiError& error) {
  return raw_json_response(static_cast<unsigned>(error.code()), error.to_status().dump());
}

http::Response current_error_response() {
  try {
    throw;
  } catch (const api::ApiError& error) {
    return error_response(error);
  } catch (const store::StoreError& error) {
    return error_response(error.code() == store::StoreError::Code::Unavailable
                              ? api::service_unavailable(error.what())
                              : api::internal_error(error.what()));
  } catch (const Json::type_error& error) {
    // A field of the wrong JSON type that no validation rule caught.
    return error_response(api::bad_request(std::string("invalid object: ") + error.what()));
  } catch (const std::exception& error) {
    return error_response(api::internal_error(error.what()));
  } catch (...) {
    return error_response(api::internal_error("unknown error"));
  }
}

http::Response text_response(unsigned status, std::string text) {
  return http::Response{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(text)};
}

Json success_status(const api::ResourceInfo& resource, const std::string& name,
                    const std::string& uid) {
  Json details = {{"name", name}, {"kind", resource.plural}};
  if (!resource.group.empty()) details["group"] = resource.group;
  if (!uid.empty()) details["uid"] = uid;
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", Json::object()},
          {"status", "Success"},
          {"details", details}};
}

void set_type_meta(const api::ResourceInfo& resource, Json& object) {
  if (!object.is_object()) return;
  auto kind = object.find("kind");
  if (kind == object.end() || !kind->is_string() || kind->get_ref<const std::string&>().empty())
    object["kind"] = resource.kind;
  auto api_version = object.find("apiVersion");
  if (api_version == object.end() || !api_version->is_string() ||
      api_version->get_ref<const std::string&>().empty())
    object["apiVersion"] = resource.api_version();
}

}  // namespace skiff::apiserver
