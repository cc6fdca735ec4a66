#include "server/controllers/client.h"

#include <optional>
#include <stdexcept>

#include "pkg/api/errors.h"
#include "pkg/api/json_read.h"
#include "pkg/api/json_text.h"

namespace skiff::controllers {

InProcessClient::InProcessClient(http::Handler handler, std::string user_agent)
    : handler_(std::move(handler)), user_agent_(std::move(user_agent)) {}

namespace {

bool succeeded(const http::Response& response) {
  return response.status >= 200 && response.status < 300;
}

const http::Response& expect_answer(const std::optional<http::Response>& response,
                                    const std::string& path) {
  if (!response) {
    throw api::internal_error("in-process client: " + path + " answered with a stream");
  }
  return *response;
}

// The decoded body of a 2xx answer; anything else thrown as the ApiError it says.
Json decode_answer(const std::optional<http::Response>& answer, const std::string& path) {
  const http::Response& response = expect_answer(answer, path);
  Json decoded = api::read_json_text_or_discarded(response.body);
  if (succeeded(response)) return decoded;
  std::string reason = decoded.is_object() ? decoded.value("reason", "") : "";
  std::string message =
      decoded.is_object() ? decoded.value("message", response.body) : response.body;
  throw api::ApiError(static_cast<int>(response.status), reason, message,
                      decoded.is_object() ? decoded.value("details", Json()) : Json());
}

// Calls `done` with what `answer()` returns, or with what it throws.
template <class Answer>
void answer_with(const Client::AnswerDone& done, Answer answer) {
  Json body;
  try {
    body = answer();
  } catch (...) {
    return done(Json(), std::current_exception());
  }
  done(std::move(body), nullptr);
}

}  // namespace

void Client::request_async(std::string_view method, const std::string& path, const Json* body,
                           AnswerDone done) {
  answer_with(done, [&] { return request(method, path, body); });
}

void Client::send(std::string_view method, const std::string& path, const Json* body,
                  std::string_view content_type) {
  request(method, path, body, content_type);
}

http::Request InProcessClient::make_request(std::string_view method, const std::string& path,
                                            const Json* body, std::string_view content_type) const {
  http::Request request;
  request.method = std::string(method);
  request.target = path;
  http::parse_target(path, request);
  request.headers = {{"Accept", "application/json"}, {"User-Agent", user_agent_}};
  if (body != nullptr) {
    // The object itself, not its text: the API server would only read the text back.
    request.object_body = *body;
    request.headers.emplace_back("Content-Type", std::string(content_type));
  }
  request.remote_address = "in-process";
  return request;
}

Json InProcessClient::request(std::string_view method, const std::string& path, const Json* body,
                              std::string_view content_type) {
  http::Request request = make_request(method, path, body, content_type);
  // A deferred answer (a create waiting for its commit) is waited for here, on this thread.
  return decode_answer(http::settle(handler_(request)), path);
}

void InProcessClient::send(std::string_view method, const std::string& path, const Json* body,
                           std::string_view content_type) {
  http::Request request = make_request(method, path, body, content_type);
  std::optional<http::Response> answer = http::settle(handler_(request));
  // Decoding a created object's text only to drop it was a quarter of the recorder's time.
  if (succeeded(expect_answer(answer, path))) return;
  decode_answer(answer, path);  // throws the Status it carries
}

void InProcessClient::request_async(std::string_view method, const std::string& path,
                                    const Json* body, AnswerDone done) {
  http::Request request = make_request(method, path, body, "application/json");
  http::settle_async(handler_(request),
                     [path, done = std::move(done)](std::optional<http::Response> response) {
                       answer_with(done, [&] { return decode_answer(response, path); });
                     });
}

std::string collection_path(const api::ResourceInfo& resource, const std::string& namespace_name) {
  std::string path = resource.group.empty() ? "/api/" + resource.version
                                            : "/apis/" + resource.group + "/" + resource.version;
  if (resource.namespaced) path += "/namespaces/" + namespace_name;
  return path + "/" + resource.plural;
}

std::string object_path(const api::ResourceInfo& resource, const std::string& namespace_name,
                        const std::string& name, const std::string& subresource) {
  std::string path = collection_path(resource, namespace_name) + "/" + name;
  if (!subresource.empty()) path += "/" + subresource;
  return path;
}

namespace {

std::string namespace_of(const Json& object) {
  return object.at("metadata").value("namespace", "");
}
std::string name_of(const Json& object) {
  return object.at("metadata").value("name", "");
}

}  // namespace

Json create(Client& client, const api::ResourceInfo& resource, const Json& object) {
  return client.request("POST", collection_path(resource, namespace_of(object)), &object);
}

Json update(Client& client, const api::ResourceInfo& resource, const Json& object) {
  return client.request("PUT", object_path(resource, namespace_of(object), name_of(object)),
                        &object);
}

Json update_status(Client& client, const api::ResourceInfo& resource, const Json& object) {
  return client.request(
      "PUT", object_path(resource, namespace_of(object), name_of(object), "status"), &object);
}

Json merge_patch(Client& client, const api::ResourceInfo& resource,
                 const std::string& namespace_name, const std::string& name, const Json& patch,
                 const std::string& subresource) {
  return client.request("PATCH", object_path(resource, namespace_name, name, subresource), &patch,
                        "application/merge-patch+json");
}

bool remove(Client& client, const api::ResourceInfo& resource, const std::string& namespace_name,
            const std::string& name, const std::string& precondition_uid,
            int64_t grace_period_seconds) {
  Json options = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  if (!precondition_uid.empty()) options["preconditions"] = {{"uid", precondition_uid}};
  if (grace_period_seconds >= 0) options["gracePeriodSeconds"] = grace_period_seconds;
  try {
    client.request("DELETE", object_path(resource, namespace_name, name), &options);
    return true;
  } catch (const api::ApiError& error) {
    if (error.code() == 404) return false;
    throw;
  }
}

const api::ResourceInfo& resource_of(std::string_view api_version, std::string_view kind) {
  const api::ResourceInfo* resource = api::find_by_kind(api_version, kind);
  if (resource == nullptr) {
    throw std::logic_error("unknown resource " + std::string(api_version) + " " +
                           std::string(kind));
  }
  return *resource;
}

const api::ResourceInfo& pods_resource() {
  static const api::ResourceInfo& r = resource_of("v1", "Pod");
  return r;
}
const api::ResourceInfo& nodes_resource() {
  static const api::ResourceInfo& r = resource_of("v1", "Node");
  return r;
}
const api::ResourceInfo& replicasets_resource() {
  static const api::ResourceInfo& r = resource_of("apps/v1", "ReplicaSet");
  return r;
}
const api::ResourceInfo& deployments_resource() {
  static const api::ResourceInfo& r = resource_of("apps/v1", "Deployment");
  return r;
}
const api::ResourceInfo& events_resource() {
  static const api::ResourceInfo& r = resource_of("v1", "Event");
  return r;
}
const api::ResourceInfo& leases_resource() {
  static const api::ResourceInfo& r = resource_of("coordination.k8s.io/v1", "Lease");
  return r;
}

bool is_api_error(const std::exception& error, int code) {
  const auto* api_error = dynamic_cast<const api::ApiError*>(&error);
  return api_error != nullptr && api_error->code() == code;
}

}  // namespace skiff::controllers
